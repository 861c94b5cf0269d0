//! The book's answer to the False sharing chapter's exercise (`exercises/false_sharing.rs`).

use std::sync::atomic::{AtomicU64, Ordering};

use crossbeam_utils::CachePadded;

// ANCHOR: solution
/// Each counter in a `CachePadded`: a boxed slice of them keeps each counter at the start of
/// its own 128 bytes, whatever the number of workers.
pub struct WorkerCounters {
    slots: Box<[CachePadded<AtomicU64>]>,
}

impl WorkerCounters {
    pub fn new(workers: usize) -> Self {
        WorkerCounters {
            slots: (0..workers)
                .map(|_| CachePadded::new(AtomicU64::new(0)))
                .collect(),
        }
    }

    pub fn slot(&self, worker: usize) -> &AtomicU64 {
        &self.slots[worker]
    }

    /// Read once the workers are done (a scope's end, a join): `Relaxed` loads see every add,
    /// since joining a thread orders everything it did before what follows the join.
    pub fn total(&self) -> u64 {
        self.slots.iter().map(|s| s.load(Ordering::Relaxed)).sum()
    }
}
// ANCHOR_END: solution
