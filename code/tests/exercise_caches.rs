//! The Caches chapter's exercise, checked by dhat: remove the `#[ignore]` line once
//! `workshop::exercises::caches::column_sums` is written. One test in this file: dhat allows one
//! profiler per process.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

// ANCHOR: exercise_test
#[test]
#[ignore = "remove this line once column_sums is written"]
fn column_sums_read_the_matrix_in_order() {
    let _profiler = dhat::Profiler::builder().testing().build();
    workshop::caches::check_column_sums(workshop::exercises::caches::column_sums);
}
// ANCHOR_END: exercise_test
