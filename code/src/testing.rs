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
}
