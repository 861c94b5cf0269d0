//! Chapter "Coverage": `src/tools/coverage.md`.
//!
//! No bench: this chapter measures which lines the tests run, not time. Its tables come from
//! `cargo xtask coverage`, which runs cargo-llvm-cov on the unit tests below ("before"), with
//! the ignored one ("unasserted"), with `tests/coverage_branch.rs` ("after"), and with
//! `tests/coverage_exercise.rs` too ("exercise").

// ANCHOR: parse_size
/// Why a size like "64KiB" could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum SizeError {
    /// No digits before the unit: "", "KiB".
    NoNumber,
    /// A unit this parser does not know: "64KB", "2 TiB".
    UnknownUnit(String),
    /// The number of bytes does not fit in a `u64`.
    TooLarge,
}

/// Parses a buffer size such as "512", "64KiB" or "2 MiB" into bytes. Units are binary
/// (1 KiB = 1024 bytes); a space between number and unit is allowed.
pub fn parse_size(text: &str) -> Result<u64, SizeError> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    if number.is_empty() {
        return Err(SizeError::NoNumber);
    }
    let multiplier: u64 = match unit.trim_start() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        other => return Err(SizeError::UnknownUnit(other.to_string())),
    };
    // Digits only, so the parse fails only when the number itself overflows.
    let number: u64 = number.parse().map_err(|_| SizeError::TooLarge)?;
    number.checked_mul(multiplier).ok_or(SizeError::TooLarge)
}
// ANCHOR_END: parse_size

#[cfg(test)]
mod tests {
    use super::*;

    // ANCHOR: unit_tests
    #[test]
    fn parses_sizes() {
        let cases = [
            ("512", 512),
            ("512B", 512),
            ("64KiB", 64 * 1024),
            ("2 MiB", 2 * 1024 * 1024),
            ("1GiB", 1024 * 1024 * 1024),
        ];
        for (text, bytes) in cases {
            assert_eq!(parse_size(text), Ok(bytes), "parse_size({text:?})");
        }
    }

    #[test]
    fn rejects_missing_number() {
        assert_eq!(parse_size("KiB"), Err(SizeError::NoNumber));
    }
    // ANCHOR_END: unit_tests

    // ANCHOR: covered_not_tested
    /// Runs the error path for a unit this parser does not know, and checks nothing: coverage
    /// counts that arm as covered, yet any result would pass. Ignored, so that it does not
    /// hide the untested branch from the "before" run; `--include-ignored` runs it.
    #[test]
    #[ignore = "the chapter's example of a test that asserts nothing"]
    fn runs_unknown_unit_but_checks_nothing() {
        let _ = parse_size("64KB");
    }
    // ANCHOR_END: covered_not_tested
}
