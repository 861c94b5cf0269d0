//! The Type layout chapter's exercise (`src/memory/type-layout.md`): give `CompactLine` its
//! fields and write the two functions below, then remove the `#[ignore]` line of the test in
//! `tests/exercise_type_layout.rs` and run `cargo test -p workshop --test
//! exercise_type_layout`. The book's solution is in `solutions/type_layout.rs`; open it after
//! you have tried.

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
// ANCHOR_END: exercise
