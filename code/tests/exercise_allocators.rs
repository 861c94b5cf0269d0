//! The Allocators chapter's exercise, checked by dhat: remove the `#[ignore]` line once
//! `workshop::exercises::allocators::predicted_allocations` is written. One test in this file:
//! dhat allows one profiler per process.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

// ANCHOR: exercise_test
#[test]
#[ignore = "remove this line once predicted_allocations is written"]
fn your_prediction_matches_dhat() {
    let _profiler = dhat::Profiler::builder().testing().build();
    workshop::allocators::check_predicted_allocations(
        workshop::exercises::allocators::predicted_allocations,
    );
}
// ANCHOR_END: exercise_test
