//! The Strings chapter's exercise (`src/techniques/strings.md`): write the function below,
//! then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::strings`. The book's solution is in
//! `solutions/strings.rs`; open it after you have tried.

// The parameter is unused until you write the body.
#![allow(unused_variables)]

// ANCHOR: exercise
/// Joins the numbers with commas, as `workshop::strings::join_numbers_to_string` does, with
/// a single allocation: `itoa::Buffer` for the digits, `push_str` into a
/// `String::with_capacity`.
pub fn join_numbers_itoa(numbers: &[u64]) -> String {
    todo!("one String, sized for the worst case; itoa for the digits")
}

#[cfg(test)]
mod tests {
    #[test]
    #[ignore = "remove this line once join_numbers_itoa is written"]
    fn agrees_with_join_numbers_to_string() {
        workshop::strings::check_join_numbers(super::join_numbers_itoa);
    }
}
// ANCHOR_END: exercise
