//! Runtime half of the tests `build.rs` generates for ```` ```rust,compile_fail,EXXXX ```` blocks:
//! skeptic would try to run them, so the harness compiles each itself and checks that rustc
//! rejects it with the promised error code, not merely that it fails (a typo fails too).
//!
//! `build.rs` pastes this file into `OUT_DIR/compile_fail_tests.rs` as a module;
//! `tests/harness.rs` compiles it too, to unit-test it. Only `std`: the generated file cannot name
//! other crates.

use std::path::Path;
use std::process::Command;

/// One compile_fail block and where it comes from.
pub struct Snippet<'a> {
    /// The test's name, also a valid crate name for the block.
    pub name: &'a str,
    /// `src/chapter.md:LINE`, for messages.
    pub location: &'a str,
    /// Error codes that must all be reported.
    pub expected: &'a [&'a str],
    pub source: &'a str,
    /// Where to put the block and rustc's output.
    pub out_dir: &'a str,
    /// The rustc cargo built the harness with, used unless `RUSTC` is set.
    pub build_rustc: &'a str,
}

/// Compiles `snippet.source` as a library crate, edition 2024, against `std` only (the blocks
/// show what the compiler rejects, which needs no dependencies), and panics unless it fails with
/// every expected error code.
pub fn check(snippet: &Snippet) {
    let dir = Path::new(snippet.out_dir).join("compile_fail");
    std::fs::create_dir_all(&dir).expect("cannot create the compile_fail directory");
    let file = dir.join(format!("{}.rs", snippet.name));
    std::fs::write(&file, snippet.source).expect("cannot write the compile_fail snippet");

    let rustc = std::env::var("RUSTC")
        .ok()
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| snippet.build_rustc.to_owned());
    let output = Command::new(&rustc)
        .arg(&file)
        .args([
            "--edition=2024",
            "--crate-type=lib",
            "--emit=metadata",
            "--error-format=json",
            "--crate-name",
            snippet.name,
            "-o",
        ])
        .arg(dir.join(format!("lib{}.rmeta", snippet.name)))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {rustc}: {e}"));
    let diagnostics = String::from_utf8_lossy(&output.stderr);
    let expected = snippet.expected.join(", ");

    if output.status.success() {
        panic!(
            "{}: this compile_fail block compiles, but it should fail with {expected}",
            snippet.location
        );
    }
    let codes = error_codes(&diagnostics);
    let missing: Vec<&str> = snippet
        .expected
        .iter()
        .copied()
        .filter(|code| !codes.iter().any(|c| c == code))
        .collect();
    if !missing.is_empty() {
        let seen = if codes.is_empty() {
            "no error code".to_owned()
        } else {
            codes.join(", ")
        };
        let location = snippet.location;
        let messages = rendered(&diagnostics).join("");
        panic!(
            "{location}: this compile_fail block should fail with {expected}, \
             but rustc reported {seen}\n\n{messages}"
        );
    }
}

/// The distinct `EXXXX` codes in rustc's JSON diagnostics (one object per line; a diagnostic's
/// `"code"` is `{"code":"E0515","explanation":…}`, or a lint name for lints, which are skipped).
pub fn error_codes(json: &str) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for (i, marker) in json.match_indices("\"code\":\"") {
        let code = json[i + marker.len()..]
            .split('"')
            .next()
            .unwrap_or_default();
        let is_error_code = code.len() == 5
            && code.starts_with('E')
            && code[1..].bytes().all(|b| b.is_ascii_digit());
        if is_error_code && !codes.iter().any(|c| c == code) {
            codes.push(code.to_owned());
        }
    }
    codes
}

/// The human-readable form of each diagnostic (its `"rendered"` field).
pub fn rendered(json: &str) -> Vec<String> {
    json.match_indices("\"rendered\":\"")
        .map(|(i, m)| json_string(&json[i + m.len()..]))
        .collect()
}

/// The JSON string whose opening quote precedes `s`, unescaped.
fn json_string(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    // Surrogate pairs do not occur in rustc's ASCII-art output; show them as �.
                    let c = u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .unwrap_or(char::REPLACEMENT_CHARACTER);
                    out.push(c);
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    out
}
