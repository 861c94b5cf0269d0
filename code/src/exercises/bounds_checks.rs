//! The Bounds checks chapter's exercise (`src/compiler/bounds-checks.md`): write `deltas`
//! below, then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::bounds_checks`. The book's solution is in
//! `solutions/bounds_checks.rs`; open it after you have tried.

// The parameters are unused until you write the body.
#![allow(unused_variables)]

// ANCHOR: exercise
/// `out[i] = values[i + 1] - values[i]` (wrapping) for every `i` in `out`. `values` must be
/// exactly one element longer than `out`: otherwise panic, with a message that says so, before
/// writing anything. Write it without an index in the loop.
pub fn deltas(values: &[u32], out: &mut [u32]) {
    todo!("say the lengths once, then walk the pairs")
}

#[cfg(test)]
mod tests {
    #[test]
    #[ignore = "remove this line once deltas is written"]
    fn deltas_are_right_and_a_bad_length_panics() {
        workshop::bounds_checks::check_deltas(super::deltas);
    }
}
// ANCHOR_END: exercise
