//! Tables that chapters generate from code rather than from a bench run (sizes, limits): the
//! anchored regions a chapter includes, and the test that keeps a committed file current.

/// One anchored region of a generated Markdown file. mdBook treats every line that holds
/// the anchor marker as an anchor, even inside a string literal of an included file, so
/// the marker is put together here and no source line holds it.
pub fn anchored(name: &str, body: &str) -> String {
    let (start, end) = (["ANCHOR", ":"].concat(), ["ANCHOR_END", ":"].concat());
    format!("<!-- {start} {name} -->\n{body}<!-- {end} {name} -->\n")
}

/// Panics unless `file` (relative to `code/`) holds `expected`; with `UPDATE_GENERATED` set,
/// writes it first. `command` is what regenerates it, for the message.
pub fn assert_current(file: &str, expected: &str, command: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        std::fs::write(&path, expected).unwrap();
    }
    let found = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        found == expected,
        "{} is stale: run `{command}`",
        path.display()
    );
}
