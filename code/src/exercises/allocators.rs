//! The Allocators chapter's exercise (`src/tools/allocators.md`): write the function below,
//! then remove the `#[ignore]` line of its test in `tests/exercise_allocators.rs` and run
//! `cargo test -p workshop --test exercise_allocators`. The book's solution is in
//! `solutions/allocators.rs`; open it after you have tried.

// The parameter is unused until you write the body.
#![allow(unused_variables)]

// ANCHOR: exercise
/// How many allocations, and how many bytes in all, `workshop::mergesort::sequential` asks
/// for when it sorts `len` numbers.
pub fn predicted_allocations(len: usize) -> (u64, u64) {
    todo!("what does one call allocate, and how many calls are there?")
}
// ANCHOR_END: exercise
