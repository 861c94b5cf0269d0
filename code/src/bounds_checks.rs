//! Chapter "Bounds checks and iterators": `src/compiler/bounds-checks.md`. Bench:
//! `benches/bounds_checks.rs`.
//!
//! The same work written with indices, with the lengths proven up front, with iterators and
//! with `get_unchecked`: what each costs per call, and (in `cargo xtask figures asm`) how many
//! bounds checks each one's machine code keeps. Every function is compiled on its own
//! (`inline(never)`), so that the listings show the code that was timed.

use std::hint::black_box;

use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "bounds_checks";

/// Elements per call in the `add` and `rows` groups: three slices of 2,048 `u32` (24 KiB in
/// all) stay in any L1 data cache of these machines, so that a row measures the loop, not
/// memory.
pub const ELEMENTS: usize = 2_048;

/// Row widths of the `rows` group: the same 2,048 elements as 256 rows of 8, or 32 rows of 64.
pub const WIDTHS: [usize; 2] = [8, 64];

/// Keys per call in the `lookup` group, and the size of its table.
pub const KEYS: usize = 4_096;
pub const TABLE: usize = 256;

// ---------------------------------------------------------------------------------------
// One long loop.

// ANCHOR: add
/// `out[i] = a[i] + b[i]`, indexed: `out[i]` is proven by the range, `a[i]` and `b[i]` are
/// checked, and a short `a` or `b` panics at the first index past its end.
#[inline(never)]
pub fn add_indexed(a: &[u32], b: &[u32], out: &mut [u32]) {
    for i in 0..out.len() {
        out[i] = a[i] + b[i];
    }
}

/// The same loop after one assertion: once `a` and `b` are known to be long enough, every
/// index in the loop is.
#[inline(never)]
pub fn add_asserted(a: &[u32], b: &[u32], out: &mut [u32]) {
    assert!(a.len() >= out.len() && b.len() >= out.len());
    for i in 0..out.len() {
        out[i] = a[i] + b[i];
    }
}

/// The same loop over `a` and `b` cut to `out`'s length first: two checks, before the loop.
#[inline(never)]
pub fn add_resliced(a: &[u32], b: &[u32], out: &mut [u32]) {
    let (a, b) = (&a[..out.len()], &b[..out.len()]);
    for i in 0..out.len() {
        out[i] = a[i] + b[i];
    }
}

/// Iterators: `zip` stops at the shortest slice, so there is nothing to check, and nothing
/// reports a short input either.
#[inline(never)]
pub fn add_zip(a: &[u32], b: &[u32], out: &mut [u32]) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = x + y;
    }
}
// ANCHOR_END: add

// ANCHOR: add_unchecked
/// No checks at all. The last resort, and never needed for this loop (see the table).
///
/// # Panics
/// In debug builds, if `a` or `b` is shorter than `out`; in release builds a short input is
/// undefined behaviour, which is why the function is `unsafe`.
///
/// # Safety
/// `a.len() >= out.len()` and `b.len() >= out.len()`.
#[inline(never)]
pub unsafe fn add_unchecked(a: &[u32], b: &[u32], out: &mut [u32]) {
    // The caller's promise, checked where checks are free: debug builds, and so every test.
    debug_assert!(a.len() >= out.len() && b.len() >= out.len());
    for i in 0..out.len() {
        // SAFETY: `i < out.len()`, and the caller guarantees that `a` and `b` are at least as
        // long as `out`.
        unsafe { *out.get_unchecked_mut(i) = a.get_unchecked(i) + b.get_unchecked(i) };
    }
}
// ANCHOR_END: add_unchecked

// ANCHOR: sum_indexed
/// Indexed by the slice's own range: the loop condition is the bounds check, so the compiler
/// removes the one in `values[i]`.
// Clippy suggests `values.iter()`, which is the point: both compile to the same code.
#[allow(clippy::needless_range_loop)]
#[inline(never)]
pub fn sum_indexed(values: &[u32]) -> u32 {
    let mut sum = 0u32;
    for i in 0..values.len() {
        sum = sum.wrapping_add(values[i]);
    }
    sum
}
// ANCHOR_END: sum_indexed

// ---------------------------------------------------------------------------------------
// Many short loops: rows of a 2-D array stored flat.

// ANCHOR: rows
/// `out = a + b` for a matrix of rows of `width` elements, stored row after row, indexed as
/// `r * width + c` the way C or Go code often is.
#[inline(never)]
pub fn rows_indexed(a: &[u32], b: &[u32], out: &mut [u32], width: usize) {
    for r in 0..out.len() / width {
        for c in 0..width {
            let i = r * width + c;
            out[i] = a[i] + b[i];
        }
    }
}

/// Each row sliced out first (six checks per row, one at each end of each slice), then indexed
/// from 0 in the row.
#[inline(never)]
pub fn rows_sliced(a: &[u32], b: &[u32], out: &mut [u32], width: usize) {
    for r in 0..out.len() / width {
        let start = r * width;
        let (a, b) = (&a[start..][..width], &b[start..][..width]);
        let out = &mut out[start..][..width];
        for c in 0..width {
            out[c] = a[c] + b[c];
        }
    }
}

/// Rows as `chunks_exact`, elements as `zip`: no index anywhere.
#[inline(never)]
pub fn rows_chunks(a: &[u32], b: &[u32], out: &mut [u32], width: usize) {
    let rows = out
        .chunks_exact_mut(width)
        .zip(a.chunks_exact(width))
        .zip(b.chunks_exact(width));
    for ((out, a), b) in rows {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = x + y;
        }
    }
}
// ANCHOR_END: rows

// ---------------------------------------------------------------------------------------
// A check that stays: indices that come from data.

// ANCHOR: lookup
/// Sums `table[key]` over the keys: the keys are data, so each one is checked against the
/// slice's length.
#[inline(never)]
pub fn lookup_slice(table: &[u32], keys: &[u8]) -> u32 {
    keys.iter()
        .fold(0u32, |sum, &k| sum.wrapping_add(table[usize::from(k)]))
}

/// The same with the table's length in its type: a `u8` is always below 256, so there is no
/// check to make.
#[inline(never)]
pub fn lookup_array(table: &[u32; TABLE], keys: &[u8]) -> u32 {
    keys.iter()
        .fold(0u32, |sum, &k| sum.wrapping_add(table[usize::from(k)]))
}

/// A slice that must hold the whole table, made into an array reference once: the one check
/// (`try_into`) happens before the loop, and the loop is `lookup_array`'s.
#[inline(never)]
pub fn lookup_converted(table: &[u32], keys: &[u8]) -> u32 {
    let table: &[u32; TABLE] = table.try_into().expect("a table of 256 entries");
    keys.iter()
        .fold(0u32, |sum, &k| sum.wrapping_add(table[usize::from(k)]))
}
// ANCHOR_END: lookup

// ANCHOR: lookup_unrolled
/// The slice loop with every check kept, unrolled by hand four keys at a time: what the unroller
/// would make of `lookup_slice` if the check's exit did not stop it. Not a fix (the conversion
/// above is); a measurement of how much of the gap is the check and how much is the loop.
#[inline(never)]
pub fn lookup_checked_by_fours(table: &[u32], keys: &[u8]) -> u32 {
    let mut quads = keys.chunks_exact(4);
    let mut sum = 0u32;
    for q in &mut quads {
        for &k in q {
            sum = sum.wrapping_add(table[usize::from(k)]);
        }
    }
    quads
        .remainder()
        .iter()
        .fold(sum, |sum, &k| sum.wrapping_add(table[usize::from(k)]))
}
// ANCHOR_END: lookup_unrolled

/// The inputs: `a[i] = i`, `b[i] = 2i`, so that every sum is known and nothing overflows.
pub fn operands() -> (Vec<u32>, Vec<u32>) {
    let a: Vec<u32> = (0..ELEMENTS as u32).collect();
    let b = a.iter().map(|x| 2 * x).collect();
    (a, b)
}

/// The `lookup` group's table and keys: random keys, so that every entry is used.
pub fn lookup_inputs() -> ([u32; TABLE], Vec<u8>) {
    let mut rng = fastrand::Rng::with_seed(11);
    let table = std::array::from_fn(|i| i as u32 * 7 + 1);
    let keys = (0..KEYS).map(|_| rng.u8(..)).collect();
    (table, keys)
}

/// A loop kernel as the `add` and `rows` groups call it.
pub type Kernel = fn(&[u32], &[u32], &mut [u32]);
pub type RowKernel = fn(&[u32], &[u32], &mut [u32], usize);

// ANCHOR: cases
pub fn cases<R: Runner>(r: &mut R) {
    let (a, b) = operands();
    let mut out = vec![0u32; ELEMENTS];

    let mut g = r.group("add");
    g.throughput(Throughput::Elements(ELEMENTS as u64));
    let kernels: [(&str, Kernel); 4] = [
        ("indexed", add_indexed),
        ("asserted", add_asserted),
        ("resliced", add_resliced),
        ("zip", add_zip),
    ];
    for (name, kernel) in kernels {
        g.case(name, None, || {
            kernel(black_box(&a), black_box(&b), &mut out)
        });
    }
    g.case("unchecked", None, || {
        let (a, b) = (black_box(&a), black_box(&b));
        assert!(a.len() >= out.len() && b.len() >= out.len());
        // SAFETY: asserted on the line above.
        unsafe { add_unchecked(a, b, &mut out) }
    });
    g.finish();

    let mut g = r.group("rows");
    g.throughput(Throughput::Elements(ELEMENTS as u64));
    let kernels: [(&str, RowKernel); 3] = [
        ("indexed", rows_indexed),
        ("sliced", rows_sliced),
        ("chunks", rows_chunks),
    ];
    for width in WIDTHS {
        let param = width.to_string();
        for (name, kernel) in kernels {
            g.case(name, Some(&param), || {
                kernel(black_box(&a), black_box(&b), &mut out, black_box(width))
            });
        }
    }
    g.finish();

    let mut g = r.group("lookup");
    g.throughput(Throughput::Elements(KEYS as u64));
    let (table, keys) = lookup_inputs();
    g.case("slice", None, || lookup_slice(black_box(&table[..]), &keys));
    g.case("array", None, || lookup_array(black_box(&table), &keys));
    g.case("slice_unrolled", None, || {
        lookup_checked_by_fours(black_box(&table[..]), &keys)
    });
    g.case("converted", None, || {
        lookup_converted(black_box(&table[..]), &keys)
    });
    g.finish();
}
// ANCHOR_END: cases

// ---------------------------------------------------------------------------------------
// The exercise's check.

// ANCHOR: deltas_check
/// The exercise's check: `deltas(values, out)` writes `values[i + 1] - values[i]` (wrapping)
/// into every `out[i]`, and panics when `values` is not exactly one longer than `out`, as the
/// indexed loop it replaces would for a short `values`.
pub fn check_deltas(deltas: fn(&[u32], &mut [u32])) {
    let values: Vec<u32> = (0..100u32).map(|i| i * i).chain([0, u32::MAX, 3]).collect();
    for len in [1, 2, 3, 17, values.len()] {
        let values = &values[..len];
        let mut out = vec![7u32; len - 1];
        deltas(values, &mut out);
        let expected: Vec<u32> = (0..len - 1)
            .map(|i| values[i + 1].wrapping_sub(values[i]))
            .collect();
        assert_eq!(out, expected, "the deltas of {len} values");
    }
    for (values, out) in [(3, 3), (3, 1), (0, 0), (1, 5)] {
        let result = std::panic::catch_unwind(|| {
            let mut out = vec![0u32; out];
            deltas(&vec![1u32; values], &mut out);
        });
        assert!(
            result.is_err(),
            "{values} values and {out} outputs: the lengths do not fit, and deltas should say \
             so by panicking rather than fill part of the output"
        );
    }
}
// ANCHOR_END: deltas_check

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_add_writes_the_same_sums() {
        let (a, b) = operands();
        let expected: Vec<u32> = (0..ELEMENTS as u32).map(|i| 3 * i).collect();
        let kernels: [Kernel; 4] = [add_indexed, add_asserted, add_resliced, add_zip];
        for kernel in kernels {
            let mut out = vec![0; ELEMENTS];
            kernel(&a, &b, &mut out);
            assert_eq!(out, expected);
        }
        let mut out = vec![0; ELEMENTS];
        // SAFETY: `a` and `b` have ELEMENTS elements, as `out` has.
        unsafe { add_unchecked(&a, &b, &mut out) };
        assert_eq!(out, expected);
        let row_kernels: [RowKernel; 3] = [rows_indexed, rows_sliced, rows_chunks];
        for width in WIDTHS {
            for kernel in row_kernels {
                let mut out = vec![0; ELEMENTS];
                kernel(&a, &b, &mut out, width);
                assert_eq!(out, expected, "width {width}");
            }
        }
        assert_eq!(sum_indexed(&a), (0..ELEMENTS as u32).sum::<u32>());
    }

    #[test]
    fn both_lookups_agree() {
        let (table, keys) = lookup_inputs();
        assert_eq!(lookup_slice(&table, &keys), lookup_array(&table, &keys));
        assert_eq!(lookup_slice(&table, &keys), lookup_converted(&table, &keys));
        for n in [0, 1, 5, KEYS] {
            let keys = &keys[..n];
            assert_eq!(
                lookup_slice(&table, keys),
                lookup_checked_by_fours(&table, keys)
            );
        }
        assert!(
            std::panic::catch_unwind(|| lookup_converted(&table[..255], &keys)).is_err()
        );
        assert!(std::panic::catch_unwind(|| lookup_slice(&table[..100], &keys)).is_err());
    }
}
