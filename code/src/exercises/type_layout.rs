//! The Type layout chapter's exercise (`src/memory/type-layout.md`): give `CompactLine` its
//! fields and write the two functions below, then remove the `#[ignore]` line of the test and
//! run `cargo test -p workshop --lib exercises::type_layout`. The book's solution is in
//! `solutions/type_layout.rs`; open it after you have tried.

// The parameters are unused until you write the bodies.
#![allow(unused_variables)]

use workshop::type_layout::OrderLine;

// ANCHOR: exercise
/// An `OrderLine` in at most 24 bytes, holding the same information.
#[derive(Clone, Debug)]
pub struct CompactLine {
    // Your fields.
}

/// The compact form of `line`. Every `OrderLine` that keeps the data's rules (a quantity
/// below 10,000, coupon ids from 1) must come back unchanged from `expand`.
pub fn compact(line: &OrderLine) -> CompactLine {
    todo!("which field types hold the same information in fewer bytes?")
}

pub fn expand(line: &CompactLine) -> OrderLine {
    todo!()
}

#[cfg(test)]
mod tests {
    use std::mem::size_of;

    use workshop::type_layout::sample_lines;

    #[test]
    #[ignore = "remove this line once CompactLine, compact and expand are written"]
    fn compact_lines_are_small_and_lose_nothing() {
        assert!(
            size_of::<super::CompactLine>() <= 24,
            "CompactLine is {} bytes: the target is 24",
            size_of::<super::CompactLine>()
        );
        for line in sample_lines() {
            assert_eq!(super::expand(&super::compact(&line)), line);
        }
    }
}
// ANCHOR_END: exercise
