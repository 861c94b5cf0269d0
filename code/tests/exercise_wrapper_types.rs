//! The Wrapper types chapter's exercise, checked by dhat: remove the `#[ignore]` line once
//! `workshop::exercises::wrapper_types::normalize_newlines` is written. One test in this file:
//! dhat allows one profiler per process.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

// ANCHOR: exercise_test
#[test]
#[ignore = "remove this line once normalize_newlines is written"]
fn normalize_newlines_borrows_unless_it_must_change_the_text() {
    let _profiler = dhat::Profiler::builder().testing().build();
    workshop::wrapper_types::check_normalize_newlines(
        workshop::exercises::wrapper_types::normalize_newlines,
    );
}
// ANCHOR_END: exercise_test
