//! The solution of the Testing chapter's exercise (`src/tools/testing.md`), shown only in its
//! collapsed Solution admonition. The exercise itself is `exercises/testing.rs`; the
//! Benchmarking chapter measures this version.

// ANCHOR: solution
/// Reports whether `s` starts with `pat`, ignoring ASCII case: "GOLANG" begins with "go".
/// Non-ASCII letters must match exactly.
pub fn begins_with_ignore_case(s: &str, pat: &str) -> bool {
    // Compare bytes: `pat` may end inside a multi-byte character of `s`, and byte slices
    // never panic on a char boundary the way `&s[..n]` would.
    s.len() >= pat.len() && s.as_bytes()[..pat.len()].eq_ignore_ascii_case(pat.as_bytes())
}
// ANCHOR_END: solution

#[cfg(test)]
mod tests {
    use super::*;

    // ANCHOR: solution_tests
    #[test]
    fn begins_with_ignore_case_table() {
        let cases = [
            ("GoLang", "go", true),
            ("GOLANG", "golang", true),
            ("golang", "GoLang is awesome", false), // pattern longer than the text
            ("GoLang", "", true),
            ("Ärger", "ä", false), // only ASCII letters fold
            ("Ärger", "Är", true),
            ("é", "x", false), // byte 1 of "é" is not a char boundary: no panic
            ("Rust", "Java", false),
        ];
        for (s, pat, expected) in cases {
            assert_eq!(
                begins_with_ignore_case(s, pat),
                expected,
                "begins_with_ignore_case({s:?}, {pat:?})"
            );
        }
    }
    // ANCHOR_END: solution_tests
}
