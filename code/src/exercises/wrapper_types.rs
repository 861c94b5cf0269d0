//! The Wrapper types chapter's exercise (`src/memory/wrapper-types.md`): write
//! `normalize_newlines` below, then remove the `#[ignore]` line of its test in
//! `tests/exercise_wrapper_types.rs` and run
//! `cargo test -p workshop --test exercise_wrapper_types`. The book's solution is in
//! `solutions/wrapper_types.rs`; open it after you have tried.

// The parameter is unused until you write the body.
#![allow(unused_variables)]

use std::borrow::Cow;

// ANCHOR: exercise
/// `text` with every Windows line ending (`\r\n`) turned into `\n`. A lone `\r` stays as it
/// is. Most text has no `\r\n`: give it back without copying or allocating.
pub fn normalize_newlines(text: &str) -> Cow<'_, str> {
    todo!("borrow when there is nothing to change, allocate once when there is")
}
// ANCHOR_END: exercise
