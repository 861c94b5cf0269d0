//! Chapter "Testing": `src/tools/testing.md`.

// ANCHOR: begins_with
/// Reports whether `s` starts with `pat`.
///
/// ```
/// use workshop::testing::begins_with;
///
/// assert!(begins_with("GoLang", "Go"));
/// assert!(!begins_with("GoLang", "Java"));
/// ```
pub fn begins_with(s: &str, pat: &str) -> bool {
    s.starts_with(pat)
}
// ANCHOR_END: begins_with

// ANCHOR: exercise
/// Reports whether `s` starts with `pat`, ignoring ASCII case: "GOLANG" begins with "go".
/// Non-ASCII letters must match exactly.
pub fn begins_with_ignore_case(s: &str, pat: &str) -> bool {
    // ANCHOR_END: exercise
    // ANCHOR: solution
    // Compare bytes: `pat` may end inside a multi-byte character of `s`, and byte
    // slices never panic on a char boundary the way `&s[..n]` would.
    s.len() >= pat.len() && s.as_bytes()[..pat.len()].eq_ignore_ascii_case(pat.as_bytes())
    // ANCHOR_END: solution
}

#[cfg(test)]
mod tests {
    use super::*;

    // ANCHOR: first_test
    #[test]
    fn golang_begins_with_go() {
        assert!(
            begins_with("GoLang", "Go"),
            "\"GoLang\" should begin with \"Go\""
        );
    }
    // ANCHOR_END: first_test

    // ANCHOR: table_test
    #[test]
    fn begins_with_table() {
        // (s, pat, expected): the seed workshop's four cases, plus the edges.
        let cases = [
            ("GoLang", "Go", true),
            ("GoLang", "Java", false),
            ("GoLang is awesome", "awe", false),
            ("awesome is GoLang. - Yoda", "awe", true),
            ("GoLang", "", true),
            ("Go", "GoLang", false),
        ];
        for (s, pat, expected) in cases {
            assert_eq!(begins_with(s, pat), expected, "begins_with({s:?}, {pat:?})");
        }
    }
    // ANCHOR_END: table_test

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
