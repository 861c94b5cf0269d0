//! The Benchmarking chapter's exercise (`src/tools/benchmarking.md`): write the group below,
//! check it with `cargo test -p workshop --test exercise_benchmarking` (remove the test's
//! `#[ignore]` line first), then run it with `cargo bench -p workshop --bench exercises --
//! ignore_case`. The book's solution is in `solutions/benchmarking.rs`; open it after you have
//! tried.

// The parameters, and `Group` (the trait of `g.case`), are unused until you write the body.
#![allow(unused_variables, unused_imports)]

use workshop::measure::{Group, Runner};

// ANCHOR: exercise
/// A group `ignore_case` that measures `begins_with_ignore_case`
/// (`workshop::solutions::testing`, or your own from the Testing exercise) and the two
/// `workshop::benchmarking::begins_with_ignore_case_*lowercase` versions on the `short` and
/// `long_match` inputs of `workshop::benchmarking::inputs()`, each with its pattern cut to the
/// first 16 bytes (or fewer, if it is shorter) and upper-cased.
pub fn ignore_case_cases<R: Runner>(r: &mut R) {
    todo!("a group, three cases per input; see `cases` in code/src/benchmarking.rs")
}
// ANCHOR_END: exercise
