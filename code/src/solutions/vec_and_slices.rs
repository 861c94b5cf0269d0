//! The solution of the Vec and slices chapter's exercise (`src/techniques/vec-and-slices.md`),
//! shown only in its collapsed Solution admonition. The exercise itself is
//! `exercises/vec_and_slices.rs`.

use std::hint::black_box;

use workshop::measure::{Group, Runner, Throughput};
use workshop::vec_and_slices::{evens_collect, evens_input};

// ANCHOR: evens_solutions
/// Fix one: reserve for the worst case (every number passes). One allocation, possibly
/// larger than needed; `shrink_to_fit` would give the excess back at the price of one
/// more reallocation.
pub fn evens_with_capacity(input: &[u64]) -> Vec<u64> {
    let mut out = Vec::with_capacity(input.len());
    out.extend(input.iter().copied().filter(|x| x % 2 == 0));
    out
}

/// Fix two: the caller owns the buffer and passes it in again for the next input. `clear`
/// keeps the capacity, so once the buffer is big enough nothing is allocated.
pub fn evens_into(out: &mut Vec<u64>, input: &[u64]) {
    out.clear();
    out.extend(input.iter().copied().filter(|x| x % 2 == 0));
}
// ANCHOR_END: evens_solutions

// ANCHOR: evens_cases
/// The chapter's `evens` group. The reused buffer lives in the closure, so it survives from
/// one call to the next.
pub fn evens_cases<R: Runner>(r: &mut R) {
    let input = evens_input();
    let mut g = r.group("evens");
    g.throughput(Throughput::Elements(input.len() as u64));
    g.case("collect", Some("10000"), || {
        evens_collect(black_box(&input))
    });
    g.case("with_capacity", Some("10000"), || {
        evens_with_capacity(black_box(&input))
    });
    let mut out = Vec::new();
    g.case("reused_buffer", Some("10000"), || {
        evens_into(&mut out, black_box(&input));
        out.len()
    });
    g.finish();
}
// ANCHOR_END: evens_cases

#[cfg(test)]
mod tests {
    use workshop::vec_and_slices::{check_evens, check_evens_into};

    #[test]
    fn both_fixes_keep_the_even_numbers() {
        check_evens(super::evens_with_capacity);
        check_evens_into(super::evens_into);
    }
}
