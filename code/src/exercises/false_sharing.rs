//! The False sharing chapter's exercise (`src/memory/false-sharing.md`): write
//! `WorkerCounters` below, then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::false_sharing`. The book's solution is in
//! `solutions/false_sharing.rs`; open it after you have tried.

// The parameters are unused until you write the bodies.
#![allow(unused_variables)]

use std::sync::atomic::AtomicU64;

// ANCHOR: exercise
/// One counter per worker thread: worker `w` adds to `slot(w)` as it goes, and `total` sums
/// them all at the end. No two workers' counters may share a cache line.
pub struct WorkerCounters {
    // Your fields.
}

impl WorkerCounters {
    pub fn new(workers: usize) -> Self {
        todo!("one counter per worker, each in its own cache line")
    }

    pub fn slot(&self, worker: usize) -> &AtomicU64 {
        todo!()
    }

    pub fn total(&self) -> u64 {
        todo!()
    }
}

#[cfg(test)]
mod tests {
    use super::WorkerCounters;

    #[test]
    #[ignore = "remove this line once WorkerCounters is written"]
    fn each_worker_counts_in_its_own_line() {
        workshop::false_sharing::check_worker_counters(
            WorkerCounters::new,
            WorkerCounters::slot,
            WorkerCounters::total,
        );
    }
}
// ANCHOR_END: exercise
