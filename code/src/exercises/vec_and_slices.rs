//! The Vec and slices chapter's exercise (`src/techniques/vec-and-slices.md`): write the two
//! functions below, then remove the `#[ignore]` lines of their tests and run
//! `cargo test -p workshop --lib exercises::vec_and_slices`. The book's solution is in
//! `solutions/vec_and_slices.rs`; open it after you have tried.

// The parameters are unused until you write the bodies, and clippy, seeing `out` unused,
// would ask for `&mut [u64]`, which cannot grow.
#![allow(unused_variables, clippy::ptr_arg)]

// ANCHOR: exercise
/// Keeps the even numbers, as `workshop::vec_and_slices::evens_collect` does, and returns a
/// new `Vec` with a single allocation.
pub fn evens_with_capacity(input: &[u64]) -> Vec<u64> {
    todo!("one allocation for the result")
}

/// Keeps the even numbers in `out` (what it held before is dropped), so that a caller that
/// passes the same `out` again allocates nothing once it is large enough.
pub fn evens_into(out: &mut Vec<u64>, input: &[u64]) {
    todo!("reuse the caller's buffer")
}

#[cfg(test)]
mod tests {
    use workshop::vec_and_slices::{check_evens, check_evens_into};

    #[test]
    #[ignore = "remove this line once evens_with_capacity is written"]
    fn evens_with_capacity_keeps_the_even_numbers() {
        check_evens(super::evens_with_capacity);
    }

    #[test]
    #[ignore = "remove this line once evens_into is written"]
    fn evens_into_keeps_the_even_numbers() {
        check_evens_into(super::evens_into);
    }
}
// ANCHOR_END: exercise
