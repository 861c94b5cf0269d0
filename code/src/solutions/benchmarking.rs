//! The solution of the Benchmarking chapter's exercise (`src/tools/benchmarking.md`), shown
//! only in its collapsed Solution admonition. The exercise itself is
//! `exercises/benchmarking.rs`.

use std::hint::black_box;

use workshop::benchmarking::{
    begins_with_ignore_case_ascii_lowercase, begins_with_ignore_case_lowercase, inputs,
};
use workshop::measure::{Group, Runner};
use workshop::solutions::testing::begins_with_ignore_case;

// ANCHOR: ignore_case_cases
/// The chapter's `ignore_case` group: the three versions on the `short` and `long_match`
/// inputs, with the pattern cut to 16 bytes and upper-cased so that case really differs.
pub fn ignore_case_cases<R: Runner>(r: &mut R) {
    let inputs = inputs();
    let mut g = r.group("ignore_case");
    for i in &inputs[..2] {
        let pat = i.pat[..i.pat.len().min(16)].to_uppercase();
        g.case("to_ascii_lowercase", Some(i.label), || {
            begins_with_ignore_case_ascii_lowercase(black_box(&i.s), black_box(&pat))
        });
        g.case("eq_ignore_ascii_case", Some(i.label), || {
            begins_with_ignore_case(black_box(&i.s), black_box(&pat))
        });
        g.case("to_lowercase", Some(i.label), || {
            begins_with_ignore_case_lowercase(black_box(&i.s), black_box(&pat))
        });
    }
    g.finish();
}
// ANCHOR_END: ignore_case_cases
