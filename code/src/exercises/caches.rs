//! The Caches chapter's exercise (`src/memory/caches.md`): write `column_sums` below, then
//! remove the `#[ignore]` line of the test in `tests/exercise_caches.rs` and run `cargo test -p
//! workshop --test exercise_caches`. The book's solution is in `solutions/caches.rs`; open it
//! after you have tried.

// The parameter is unused until you write the body.
#![allow(unused_variables)]

use workshop::caches::Matrix;

// ANCHOR: exercise
/// The sum of each column of `m` (`column_sums(m)[col]`), as `column_sums_by_column` computes
/// it, reading the matrix in the order it is stored.
pub fn column_sums<T: Copy + Into<u64>>(m: &Matrix<T>) -> Vec<u64> {
    todo!("which loop goes outside?")
}

// ANCHOR_END: exercise
