//! The Map keys chapter's exercise (`src/techniques/map-keys.md`): write the function below,
//! then un-ignore its test and run `cargo test -p workshop --lib exercises::map_keys`.
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

#[cfg(test)]
mod tests {
    #[test]
    #[ignore = "remove this line once count_words_get_mut is written"]
    fn agrees_with_count_words_entry() {
        workshop::map_keys::check_word_counts(super::count_words_get_mut);
    }
}
// ANCHOR_END: exercise
