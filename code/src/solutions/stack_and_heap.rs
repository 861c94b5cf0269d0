//! The solution of the Stack and heap chapter's exercise (`src/tools/stack-and-heap.md`),
//! shown only in its collapsed Solution admonition. The exercise itself is
//! `exercises/stack_and_heap.rs`.

use workshop::stack_and_heap::{FRAME_BYTES, deep, with_stack};

// ANCHOR: solution
/// `deep(depth)` on a thread with a stack big enough for it. Each level needs its buffer
/// plus some bookkeeping (return address, saved registers, and in a debug build much
/// more): twice the buffer, plus a margin for the thread's own start-up.
pub fn deep_on_a_big_enough_stack(depth: u32) -> u64 {
    let stack_bytes = 2 * FRAME_BYTES * depth as usize + 1024 * 1024;
    with_stack(stack_bytes, move || deep(depth))
}
// ANCHOR_END: solution

#[cfg(test)]
mod tests {
    use workshop::stack_and_heap::expected_sum;

    #[test]
    fn solution_runs_deeper_than_the_default_stack() {
        assert_eq!(
            super::deep_on_a_big_enough_stack(20_000),
            expected_sum(20_000)
        );
    }
}
