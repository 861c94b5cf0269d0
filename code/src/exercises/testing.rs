//! The Testing chapter's exercise (`src/tools/testing.md`): write the table first, then the
//! function, then remove the `#[ignore]` line and run
//! `cargo test -p workshop --lib exercises::testing`. The book's solution is in
//! `solutions/testing.rs`; open it after you have tried.

// The parameters are unused until you write the body.
#![allow(unused_variables)]

// ANCHOR: exercise
/// Reports whether `s` starts with `pat`, ignoring ASCII case: "GOLANG" begins with "go".
/// Non-ASCII letters must match exactly.
pub fn begins_with_ignore_case(s: &str, pat: &str) -> bool {
    todo!("your table first, then this")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[ignore = "remove this line once the table and begins_with_ignore_case are written"]
    fn begins_with_ignore_case_table() {
        // (s, pat, expected): add the rows that would catch a wrong answer.
        let cases = [("GoLang", "go", true), ("Rust", "Java", false)];
        for (s, pat, expected) in cases {
            assert_eq!(
                begins_with_ignore_case(s, pat),
                expected,
                "begins_with_ignore_case({s:?}, {pat:?})"
            );
        }
    }
}
// ANCHOR_END: exercise
