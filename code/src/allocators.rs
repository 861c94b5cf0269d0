//! Chapter "Allocators": `src/tools/allocators.md`. Bench: `benches/allocators.rs`. The
//! whole-program measurements under each allocator are made by
//! `cargo xtask figures allocators`, which runs `examples/mergesort.rs` built with
//! `--features jemalloc`, `--features mimalloc` or neither.

use std::hint::black_box;

use workshop::measure::{Group, Runner, Throughput};
use workshop::mergesort::{input, sequential, sequential_with};

pub const CHAPTER: &str = "allocators";

/// Elements sorted per call in the criterion group: 2^16, large enough that the merges
/// dominate, small enough for many samples.
pub const LEN: usize = 1 << 16;

// ANCHOR: one_buffer
/// The same merge sort as `mergesort::sequential`, with the allocation hoisted out: one
/// scratch buffer as long as the input, split alongside it, so that no merge allocates.
pub fn sequential_one_buffer(s: &mut [i64]) {
    let mut scratch = vec![0; s.len()];
    sequential_with(s, &mut scratch);
}
// ANCHOR_END: one_buffer

// ANCHOR: cases
/// The allocation-heavy workload against the same sort with one buffer, on one thread,
/// under whatever global allocator the bench runs with (the system's).
pub fn cases<R: Runner>(r: &mut R) {
    let data = input(LEN, 1);
    let mut g = r.group("merge_buffers");
    g.throughput(Throughput::Elements(LEN as u64));
    g.slow();
    let param = LEN.to_string();
    g.case_batched(
        "buffer_per_merge",
        Some(param.as_str()),
        || data.clone(),
        |mut s| {
            sequential(black_box(&mut s));
            s
        },
    );
    g.case_batched(
        "one_buffer",
        Some(param.as_str()),
        || data.clone(),
        |mut s| {
            sequential_one_buffer(black_box(&mut s));
            s
        },
    );
    g.finish();
}
// ANCHOR_END: cases

// ANCHOR: predicted
/// The exercise: how many allocations, and how many bytes in all, does the seed's merge
/// sort ask for on `len` elements? Every split of two or more elements ends in one
/// merge, and each merge copies the slice it merges into a fresh `Vec<i64>`.
pub fn predicted_allocations(len: usize) -> (u64, u64) {
    if len <= 1 {
        return (0, 0);
    }
    let middle = len / 2;
    let (left_count, left_bytes) = predicted_allocations(middle);
    let (right_count, right_bytes) = predicted_allocations(len - middle);
    let bytes = (len * size_of::<i64>()) as u64;
    (
        left_count + right_count + 1,
        left_bytes + right_bytes + bytes,
    )
}
// ANCHOR_END: predicted

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_buffer_sorts_like_the_original() {
        for len in [0, 1, 2, 3, 100, 4097, 10_000] {
            let data = input(len, len as u64);
            let mut expected = data.clone();
            sequential(&mut expected);
            let mut got = data;
            sequential_one_buffer(&mut got);
            assert_eq!(got, expected, "len {len}");
            assert!(got.is_sorted());
        }
    }

    // ANCHOR: predicted_test
    #[test]
    fn predictions_in_closed_form() {
        // A binary tree with `len` leaves has `len - 1` inner nodes: one merge each.
        for len in [2, 3, 1000, LEN] {
            assert_eq!(predicted_allocations(len).0, len as u64 - 1);
        }
        // For a power of two, every level of the recursion copies all `len` elements:
        // 8 bytes × len × log2(len).
        let levels = LEN.trailing_zeros() as u64;
        assert_eq!(predicted_allocations(LEN).1, 8 * LEN as u64 * levels);
    }
    // ANCHOR_END: predicted_test
}
