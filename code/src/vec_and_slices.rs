//! Chapter "Vec and slices": `src/techniques/vec-and-slices.md`. Bench:
//! `benches/vec_and_slices.rs`. Example: `examples/capacity_growth.rs`.

use std::hint::black_box;

use smallvec::SmallVec;
use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "vec_and_slices";

// ANCHOR: capacity_growth
/// Pushes `n` default values onto an empty `Vec<T>` and records `(len, capacity)` at the
/// start and after every push that changed the capacity: the growth policy of the
/// standard library you compiled with, observed rather than remembered.
pub fn capacity_growth<T: Default>(n: usize) -> Vec<(usize, usize)> {
    let mut v: Vec<T> = Vec::new();
    let mut steps = vec![(v.len(), v.capacity())];
    for _ in 0..n {
        v.push(T::default());
        let (_, last_capacity) = steps[steps.len() - 1];
        if v.capacity() != last_capacity {
            steps.push((v.len(), v.capacity()));
        }
    }
    steps
}
// ANCHOR_END: capacity_growth

// ANCHOR: push_grow
/// Starts empty and lets `push` grow the buffer: every time the length reaches the
/// capacity, `push` allocates a bigger buffer, copies the elements over and frees the old
/// one.
pub fn push_grow(n: usize) -> Vec<u64> {
    let mut v = Vec::new();
    for i in 0..n as u64 {
        v.push(i);
    }
    v
}
// ANCHOR_END: push_grow

// ANCHOR: push_reserved
/// The same loop, after asking for the whole buffer up front: one allocation, no copies.
pub fn push_reserved(n: usize) -> Vec<u64> {
    let mut v = Vec::with_capacity(n);
    for i in 0..n as u64 {
        v.push(i);
    }
    v
}
// ANCHOR_END: push_reserved

// ANCHOR: collect_exact
/// `collect` asks the iterator how many items it will yield (`size_hint`). A range mapped
/// element by element knows exactly, so `collect` allocates once, like `with_capacity`.
pub fn collect_exact(n: usize) -> Vec<u64> {
    (0..n as u64).map(|i| i * 3).collect()
}
// ANCHOR_END: collect_exact

// ANCHOR: copy_slice
/// Copying a slice into a `Vec` one element at a time: each `push` checks the capacity.
pub fn copy_push_each(src: &[u64]) -> Vec<u64> {
    let mut v = Vec::with_capacity(src.len());
    for &x in src {
        v.push(x);
    }
    v
}

/// `extend_from_slice` reserves once and copies the whole slice (a `memcpy` for `Copy`
/// types).
pub fn copy_extend_from_slice(src: &[u64]) -> Vec<u64> {
    let mut v = Vec::with_capacity(src.len());
    v.extend_from_slice(src);
    v
}
// ANCHOR_END: copy_slice

// ANCHOR: parse_fresh
/// Parses a comma-separated line of numbers into a new `Vec`. `split` cannot say how
/// many items it will yield, so `collect` grows the `Vec` as `push` would.
pub fn parse_fresh(line: &str) -> Vec<u64> {
    line.split(',').map(|s| s.parse().unwrap_or(0)).collect()
}
// ANCHOR_END: parse_fresh

// ANCHOR: parse_reused
/// The same, into a `Vec` the caller keeps between lines. `clear` sets the length to zero
/// and keeps the buffer: after the first few lines, no call allocates.
pub fn parse_reused(out: &mut Vec<u64>, line: &str) {
    out.clear();
    out.extend(line.split(',').map(|s| s.parse::<u64>().unwrap_or(0)));
}
// ANCHOR_END: parse_reused

// ANCHOR: small
/// `k` small numbers in a `Vec`: at least one heap allocation, however few they are.
pub fn small_vec_std(k: usize) -> Vec<u64> {
    let mut v = Vec::new();
    for i in 0..k as u64 {
        v.push(i * 7);
    }
    v
}

/// The same in a `SmallVec` with room for eight inline: up to eight elements live inside
/// the `SmallVec` value itself (on the stack here); a ninth moves them all to the heap.
pub fn small_vec_inline(k: usize) -> SmallVec<[u64; 8]> {
    let mut v = SmallVec::new();
    for i in 0..k as u64 {
        v.push(i * 7);
    }
    v
}

/// The `Vec` a professional writes when the count is known: sized once, so exactly one
/// allocation, however many elements. The alternative `SmallVec` has to beat.
pub fn small_vec_reserved(k: usize) -> Vec<u64> {
    let mut v = Vec::with_capacity(k);
    for i in 0..k as u64 {
        v.push(i * 7);
    }
    v
}
// ANCHOR_END: small

// ANCHOR: evens_collect
/// The exercise's starting point: keep the even numbers. `filter` cannot know how many
/// will pass, so its size hint says "zero or more" and `collect` grows step by step.
pub fn evens_collect(input: &[u64]) -> Vec<u64> {
    input.iter().copied().filter(|x| x % 2 == 0).collect()
}
// ANCHOR_END: evens_collect

// ANCHOR: evens_check
/// The exercise's tests: `keep` must keep exactly the even numbers, in order, of no numbers,
/// a few and ten thousand; `keep_into` too, whatever its buffer held before.
pub fn check_evens(keep: fn(&[u64]) -> Vec<u64>) {
    for input in [vec![], vec![1, 3, 4], evens_input()] {
        let expected: Vec<u64> = input.iter().copied().filter(|x| x % 2 == 0).collect();
        assert_eq!(keep(&input), expected, "{} numbers", input.len());
    }
}

pub fn check_evens_into(keep_into: fn(&mut Vec<u64>, &[u64])) {
    let input = evens_input();
    let mut out = vec![7; 3];
    keep_into(&mut out, &input);
    assert_eq!(out, evens_collect(&input));
    keep_into(&mut out, &[1, 3, 4]);
    assert_eq!(out, [4]);
}
// ANCHOR_END: evens_check

/// The exercise's input: ten thousand numbers, half of them even.
pub fn evens_input() -> Vec<u64> {
    (0..10_000).map(|i| i * 7919 % 100_000).collect()
}

/// A line of `n` comma-separated numbers, the input of the `reuse` group.
pub fn numbers_line(n: usize) -> String {
    (0..n as u64)
        .map(|i| (i * 7919 % 100_000).to_string())
        .collect::<Vec<_>>()
        .join(",")
}

// ANCHOR: cases
/// Every comparison the chapter shows: the criterion bench, the allocation pass and the
/// claims all read this one list.
pub fn cases<R: Runner>(r: &mut R) {
    // Every case returns its `Vec`, and the runner frees it inside the timed call: for a
    // `Vec<u64>` that is one `free` (under 0.1% of the 100,000-element case here).
    // `case_with_large_drop` would be wrong for these buffers: it keeps a batch of results
    // alive, so every 800 KB call gets fresh pages from the kernel and pays ~200 page
    // faults, which made the time several times longer and bimodal here.
    let mut g = r.group("push");
    for n in [10, 1_000, 100_000] {
        let label = n.to_string();
        g.throughput(Throughput::Elements(n as u64));
        g.case("push_grow", Some(&label), || push_grow(black_box(n)));
        g.case("with_capacity", Some(&label), || {
            push_reserved(black_box(n))
        });
        g.case("collect_exact", Some(&label), || {
            collect_exact(black_box(n))
        });
    }
    g.finish();

    let src: Vec<u64> = (0..10_000).collect();
    let mut g = r.group("copy_slice");
    g.throughput(Throughput::Elements(src.len() as u64));
    g.case("push_each", Some("10000"), || {
        copy_push_each(black_box(&src))
    });
    g.case("extend_from_slice", Some("10000"), || {
        copy_extend_from_slice(black_box(&src))
    });
    g.case("to_vec", Some("10000"), || black_box(&src).to_vec());
    g.finish();

    // Here, and in `small` and `evens`, freeing the fresh `Vec` inside the timed call is
    // also the point: an allocation and a free per call is what reuse (or inline storage)
    // saves.
    let line = numbers_line(1_000);
    let mut g = r.group("reuse");
    g.case("fresh_vec", Some("1000"), || parse_fresh(black_box(&line)));
    let mut buffer = Vec::new();
    g.case("cleared_vec", Some("1000"), || {
        parse_reused(&mut buffer, black_box(&line));
        buffer.len()
    });
    g.finish();

    let mut g = r.group("small");
    for k in [4, 8, 16] {
        let label = k.to_string();
        g.case("vec", Some(&label), || small_vec_std(black_box(k)));
        g.case("smallvec_8", Some(&label), || {
            small_vec_inline(black_box(k))
        });
        g.case("vec_with_capacity", Some(&label), || {
            small_vec_reserved(black_box(k))
        });
    }
    g.finish();
    // ANCHOR_END: cases

    // The exercise's solutions measure themselves beside `evens_collect`: their code lives in
    // its own file, so that this module (which the chapter shows whole, as hidden lines)
    // does not give it away.
    workshop::solutions::vec_and_slices::evens_cases(r);
}

#[cfg(test)]
mod tests {
    use super::*;

    // ANCHOR: layout
    #[test]
    fn vec_is_pointer_capacity_length() {
        let mut v: Vec<u64> = Vec::with_capacity(10);
        v.extend([1, 2, 3]);
        assert_eq!(v.len(), 3);
        assert!(
            v.capacity() >= 10,
            "with_capacity(10) gives room for at least 10"
        );
        // The Vec value itself: pointer, capacity, length. The elements are elsewhere.
        assert_eq!(size_of::<Vec<u64>>(), 3 * size_of::<usize>());
        // A slice reference: pointer and length. It cannot grow, so it has no capacity.
        assert_eq!(size_of::<&[u64]>(), 2 * size_of::<usize>());
        // An array is its elements, inline, with the length in the type.
        assert_eq!(size_of::<[u64; 4]>(), 4 * size_of::<u64>());
    }
    // ANCHOR_END: layout

    // ANCHOR: slices_share
    #[test]
    fn slicing_shares_memory() {
        let v: Vec<u64> = (0..10).collect();
        let middle = &v[2..5]; // no copy: a pointer into v's buffer, and a length
        assert_eq!(middle, [2, 3, 4]);
        assert_eq!(middle.as_ptr(), v[2..].as_ptr());
        let copy = middle.to_vec(); // copying is explicit, and allocates
        assert_ne!(copy.as_ptr(), middle.as_ptr());
    }
    // ANCHOR_END: slices_share

    // ANCHOR: clear_keeps_capacity
    #[test]
    fn clear_and_truncate_keep_capacity() {
        let mut v: Vec<u64> = (0..1000).collect();
        let (buffer, capacity) = (v.as_ptr(), v.capacity());
        v.truncate(10);
        assert_eq!((v.len(), v.capacity(), v.as_ptr()), (10, capacity, buffer));
        v.clear();
        assert_eq!((v.len(), v.capacity(), v.as_ptr()), (0, capacity, buffer));
        v.extend(0..1000); // fits: no new allocation, same buffer
        assert_eq!(v.as_ptr(), buffer);
        v.shrink_to_fit(); // giving memory back is a separate, explicit step
        assert_eq!(v.capacity(), v.len());
    }
    // ANCHOR_END: clear_keeps_capacity

    #[test]
    fn capacity_growth_invariants() {
        for steps in [
            capacity_growth::<u8>(5000),
            capacity_growth::<u64>(5000),
            capacity_growth::<String>(5000),
        ] {
            assert_eq!(steps[0], (0, 0), "Vec::new does not allocate");
            for pair in steps.windows(2) {
                let ((_, before), (len, after)) = (pair[0], pair[1]);
                assert!(after >= len, "capacity {after} below length {len}");
                assert!(after > before, "capacity shrank or stalled: {pair:?}");
                // Geometric: each new buffer is a multiple of the old one, not old + k.
                if before > 0 {
                    assert!(after * 2 >= before * 3, "growth {before} -> {after}");
                }
            }
            // So the number of reallocations is logarithmic in the length.
            assert!(
                steps.len() <= 25,
                "{} growth steps for 5000 pushes",
                steps.len()
            );
            assert!(steps.last().unwrap().1 >= 5000);
        }
    }

    #[test]
    fn all_versions_agree() {
        for n in [0, 1, 10, 1000] {
            let expected: Vec<u64> = (0..n as u64).collect();
            assert_eq!(push_grow(n), expected);
            assert_eq!(push_reserved(n), expected);
            assert_eq!(copy_push_each(&expected), expected);
            assert_eq!(copy_extend_from_slice(&expected), expected);
            let tripled: Vec<u64> = expected.iter().map(|i| i * 3).collect();
            assert_eq!(collect_exact(n), tripled);
        }
        for k in [0, 4, 8, 9, 16] {
            let inline = small_vec_inline(k);
            assert_eq!(small_vec_std(k).as_slice(), inline.as_slice());
            assert_eq!(small_vec_reserved(k).as_slice(), inline.as_slice());
            assert_eq!(inline.spilled(), k > 8, "k = {k}");
        }
    }

    #[test]
    fn parsing_agrees() {
        let line = numbers_line(100);
        let fresh = parse_fresh(&line);
        assert_eq!(fresh.len(), 100);
        let mut reused = vec![1, 2, 3];
        parse_reused(&mut reused, &line);
        assert_eq!(reused, fresh);
    }

    #[test]
    fn evens_collect_keeps_the_even_numbers() {
        check_evens(evens_collect);
    }
}
