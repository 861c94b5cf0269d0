//! The Allocators chapter's exercise: the predicted allocations of the seed's merge sort
//! (`workshop::allocators::predicted_allocations`) against what dhat counts. One test in
//! this file: dhat allows one profiler per process.

use workshop::allocators::{predicted_allocations, sequential_one_buffer};
use workshop::mergesort::{input, sequential};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

// ANCHOR: dhat_check
/// Runs `sort` on a copy of `data` (made before counting) and returns the allocations and
/// bytes it asked for: the lowest of three runs. dhat counts every thread's allocations, so
/// the test harness's main thread, the only other thread here, adds whatever it allocates
/// during a count (on a loaded CI machine the first count once came out 4 blocks over). The
/// sort's own allocations recur in every run; a stray one does not.
fn counted(data: &[i64], sort: fn(&mut [i64])) -> (u64, u64) {
    (0..3)
        .map(|_| {
            let mut copy = data.to_vec();
            let before = dhat::HeapStats::get();
            sort(&mut copy);
            let after = dhat::HeapStats::get();
            (
                after.total_blocks - before.total_blocks,
                after.total_bytes - before.total_bytes,
            )
        })
        .min()
        .expect("three runs")
}

#[test]
fn merge_sort_allocates_as_predicted() {
    let _profiler = dhat::Profiler::builder().testing().build();
    // A power of two, an odd length, and the chapter's bench length.
    for len in [1024, 3001, workshop::allocators::LEN] {
        let data = input(len, 7);
        assert_eq!(
            counted(&data, sequential),
            predicted_allocations(len),
            "len {len}"
        );
        // The fix: one allocation of len × 8 bytes, whatever the length.
        assert_eq!(counted(&data, sequential_one_buffer), (1, 8 * len as u64));
    }
}
// ANCHOR_END: dhat_check
