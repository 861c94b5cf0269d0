//! The Regex chapter's exercise (`src/techniques/regex.md`): write the function below, then
//! remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::regex`. The book's solution is in
//! `solutions/regex.rs`; open it after you have tried.

// The parameters are unused until you write the body.
#![allow(unused_variables)]

// ANCHOR: exercise
/// Counts the lines that match `pattern`, like
/// `workshop::regex::count_matching_compile_per_line`, compiling the pattern once, and
/// returns an invalid pattern to the caller as an error instead of panicking.
pub fn count_matching(lines: &[&str], pattern: &str) -> Result<usize, ::regex::Error> {
    todo!("compile once; `?` hands the error back")
}

#[cfg(test)]
mod tests {
    #[test]
    #[ignore = "remove this line once count_matching is written"]
    fn agrees_and_reports_bad_patterns() {
        workshop::regex::check_count_matching(super::count_matching);
    }
}
// ANCHOR_END: exercise
