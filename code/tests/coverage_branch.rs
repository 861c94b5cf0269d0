//! The test that covers the branch `coverage`'s unit tests miss: an unknown unit.
//! `cargo xtask coverage` measures the crate with and without this file.

// ANCHOR: covering_test
use workshop::coverage::{SizeError, parse_size};

#[test]
fn rejects_unknown_units() {
    // Decimal "KB" is the classic mix-up with binary "KiB": it must be an error, not 64 bytes.
    for (text, unit) in [("64KB", "KB"), ("2 TiB", "TiB"), ("1.5MiB", ".5MiB")] {
        assert_eq!(
            parse_size(text),
            Err(SizeError::UnknownUnit(unit.to_string())),
            "parse_size({text:?})"
        );
    }
}
// ANCHOR_END: covering_test
