//! The Type layout chapter's exercise, checked by dhat: remove the `#[ignore]` line once
//! `workshop::exercises::type_layout`'s `CompactLine`, `compact` and `expand` are written. One
//! test in this file: dhat allows one profiler per process.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

// ANCHOR: exercise_test
#[test]
#[ignore = "remove this line once CompactLine, compact and expand are written"]
fn compact_lines_are_small_and_lose_nothing() {
    let _profiler = dhat::Profiler::builder().testing().build();
    use workshop::exercises::type_layout::{compact, expand};
    workshop::type_layout::check_compact_line(compact, expand);
}
// ANCHOR_END: exercise_test
