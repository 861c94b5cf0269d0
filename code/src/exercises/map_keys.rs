//! The Map keys chapter's exercise (`src/techniques/map-keys.md`): write the function below,
//! then remove the `#[ignore]` line of the test in `tests/exercise_map_keys.rs` and run
//! `cargo test -p workshop --test exercise_map_keys`.
//! The book's solution is in `solutions/map_keys.rs`; open it after you have tried.

// The parameter is unused until you write the body.
#![allow(unused_variables)]

use std::collections::HashMap;

// ANCHOR: exercise
/// Counts how often each word occurs, like `workshop::map_keys::count_words_entry`, but makes
/// a `String` only for a word it has not seen before.
pub fn count_words_get_mut(words: &[&str]) -> HashMap<String, u64> {
    todo!("count the words, allocating a String only for a new one")
}
// ANCHOR_END: exercise
