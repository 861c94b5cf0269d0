//! The Allocators chapter's exercise: the solution's predicted allocations of the seed's merge
//! sort (`workshop::solutions::allocators::predicted_allocations`) against what dhat counts.
//! One test in this file: dhat allows one profiler per process.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[test]
fn merge_sort_allocates_as_predicted() {
    let _profiler = dhat::Profiler::builder().testing().build();
    workshop::allocators::check_predicted_allocations(
        workshop::solutions::allocators::predicted_allocations,
    );
}
