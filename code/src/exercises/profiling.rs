//! The Profiling chapter's exercise (`src/tools/profiling.md`): profile
//! `workshop::profiling::distinct_words_vec`, write the function below, then remove the
//! `#[ignore]` line of its test and run `cargo test -p workshop --lib exercises::profiling`.
//! The book's solution is in `solutions/profiling.rs`; open it after you have tried.

// The parameter is unused until you write the body.
#![allow(unused_variables)]

// ANCHOR: exercise
/// The distinct words of `text`, lowercased, in order of first appearance, as
/// `workshop::profiling::distinct_words_vec` returns them, without its hotspot.
pub fn distinct_words_set(text: &str) -> Vec<String> {
    todo!("what did the profile say the time goes to?")
}

#[cfg(test)]
mod tests {
    #[test]
    #[ignore = "remove this line once distinct_words_set is written"]
    fn agrees_with_distinct_words_vec() {
        workshop::profiling::check_distinct_words(super::distinct_words_set);
    }
}
// ANCHOR_END: exercise
