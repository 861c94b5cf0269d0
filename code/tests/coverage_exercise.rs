//! Solution of the Coverage chapter's exercise: the branch still uncovered after
//! `coverage_branch.rs` is the overflow, in both of its places.

// ANCHOR: solution
use workshop::coverage::{SizeError, parse_size};

#[test]
fn rejects_sizes_that_overflow() {
    // Too many digits for a u64: the parse itself fails.
    assert_eq!(parse_size("99999999999999999999"), Err(SizeError::TooLarge));
    // Fits as a number, overflows once multiplied by the unit.
    assert_eq!(
        parse_size("18446744073709551615KiB"),
        Err(SizeError::TooLarge)
    );
    // One GiB less than that fits, and parses.
    assert_eq!(parse_size("17179869183GiB"), Ok(17179869183 << 30));
    assert_eq!(parse_size("17179869184GiB"), Err(SizeError::TooLarge));
}
// ANCHOR_END: solution
