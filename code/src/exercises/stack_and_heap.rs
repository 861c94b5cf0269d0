//! The Stack and heap chapter's exercise (`src/tools/stack-and-heap.md`): write the function
//! below, then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::stack_and_heap` (and with `--release`). The
//! book's solution is in `solutions/stack_and_heap.rs`; open it after you have tried.

// The parameter is unused until you write the body.
#![allow(unused_variables)]

// ANCHOR: exercise
/// Runs `workshop::stack_and_heap::deep(depth)` to completion, without changing `deep`.
pub fn deep_on_a_big_enough_stack(depth: u32) -> u64 {
    todo!("where can a deep recursion find a big enough stack?")
}

#[cfg(test)]
mod tests {
    use workshop::stack_and_heap::expected_sum;

    #[test]
    #[ignore = "remove this line once deep_on_a_big_enough_stack is written"]
    fn runs_deeper_than_the_default_stack() {
        // A default thread's stack overflows long before 20,000 levels of `deep`.
        assert_eq!(
            super::deep_on_a_big_enough_stack(20_000),
            expected_sum(20_000)
        );
    }
}
// ANCHOR_END: exercise
