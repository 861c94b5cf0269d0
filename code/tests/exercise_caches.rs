//! The Caches chapter's exercise: remove the `#[ignore]` line once
//! `workshop::exercises::caches::column_sums` is written.

// ANCHOR: exercise_test
#[test]
#[ignore = "remove this line once column_sums is written"]
fn column_sums_read_the_matrix_in_order() {
    workshop::caches::check_column_sums(workshop::exercises::caches::column_sums);
}
// ANCHOR_END: exercise_test
