//! Chapter "Thread count": `src/tools/thread-count.md`. Program:
//! `examples/thread_count.rs`. The merge sort it measures is [`workshop::mergesort`]; its
//! timings are whole-program runs made by `cargo xtask figures thread_count`, so this
//! chapter has no criterion bench.

use std::num::NonZeroUsize;
use std::thread;

pub const CHAPTER: &str = "thread_count";

// ANCHOR: available_threads
/// How many threads can run at once, as the standard library sees it: the CPUs this
/// process may run on (its affinity mask, `taskset`), reduced by a cgroup CPU quota when
/// there is one (`docker --cpus`, Kubernetes CPU limits, systemd `CPUQuota=`). It can fail
/// (an unusual platform, a `/proc` that cannot be read), so a program needs a fallback.
pub fn available_threads() -> usize {
    thread::available_parallelism()
        .map(NonZeroUsize::get)
        .unwrap_or(1)
}
// ANCHOR_END: available_threads

// ANCHOR: rayon_pool
/// A rayon pool of exactly `threads` workers, whatever the machine or `RAYON_NUM_THREADS`
/// says. Work started with `pool.install(|| ...)` runs on it; rayon's global pool (used
/// by `par_iter` outside any `install`) is sized once, on first use, from
/// `RAYON_NUM_THREADS` or else [`thread::available_parallelism`].
pub fn rayon_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("sort-worker-{i}"))
        .build()
        .expect("a thread pool of a few threads can be built")
}
// ANCHOR_END: rayon_pool

// ANCHOR: tokio_runtime
/// A tokio runtime of exactly `workers` worker threads. Without `worker_threads`, tokio
/// reads `TOKIO_WORKER_THREADS`, or else asks [`thread::available_parallelism`]. Blocking
/// work (`spawn_blocking`) runs on a separate pool that grows up to `max_blocking_threads`
/// (512 by default): the worker count limits CPU-bound tasks, not threads.
pub fn tokio_runtime(workers: usize) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
}
// ANCHOR_END: tokio_runtime

// ANCHOR: report
/// What each layer decided, for the example program to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadCounts {
    /// `std::thread::available_parallelism()`.
    pub available_parallelism: usize,
    /// Threads in rayon's global pool (`RAYON_NUM_THREADS`, else the line above).
    pub rayon_global: usize,
    /// Workers of a tokio runtime built with defaults (`TOKIO_WORKER_THREADS`, else the
    /// first line).
    pub tokio_default: usize,
}

pub fn thread_counts() -> std::io::Result<ThreadCounts> {
    let runtime = tokio::runtime::Builder::new_multi_thread().build()?;
    Ok(ThreadCounts {
        available_parallelism: available_threads(),
        rayon_global: rayon::current_num_threads(),
        tokio_default: runtime.metrics().num_workers(),
    })
}
// ANCHOR_END: report

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn available_threads_is_at_least_one() {
        assert!(available_threads() >= 1);
    }

    #[test]
    fn pools_have_the_size_asked_for_not_the_machines() {
        // More threads than this machine has cores: the builders do not cap the number.
        for threads in [1, 3, 18] {
            let pool = rayon_pool(threads);
            assert_eq!(pool.current_num_threads(), threads);
            // Inside `install`, rayon's free functions see this pool, not the global one.
            assert_eq!(pool.install(rayon::current_num_threads), threads);
            let runtime = tokio_runtime(threads).unwrap();
            assert_eq!(runtime.metrics().num_workers(), threads);
        }
    }

    #[test]
    fn defaults_follow_available_parallelism_unless_the_environment_says_otherwise() {
        let counts = thread_counts().unwrap();
        let available = available_threads();
        match std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        {
            Some(n) if n > 0 => assert_eq!(counts.rayon_global, n),
            _ => assert_eq!(counts.rayon_global, available),
        }
        match std::env::var("TOKIO_WORKER_THREADS")
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        {
            Some(n) => assert_eq!(counts.tokio_default, n),
            None => assert_eq!(counts.tokio_default, available),
        }
    }
}
