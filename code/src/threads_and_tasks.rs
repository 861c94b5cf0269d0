//! Chapter "Threads and tasks": `src/tools/threads-and-tasks.md`. Bench:
//! `benches/threads_and_tasks.rs`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "threads_and_tasks";

// ANCHOR: runtimes
/// A tokio runtime with the multi-threaded, work-stealing scheduler and `workers` worker
/// threads (tokio's default is one per core). Built once, outside the timed code.
pub fn tokio_runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("cannot start a tokio runtime")
}

/// A rayon pool of `threads` threads, also built once.
pub fn rayon_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("cannot start a rayon thread pool")
}
// ANCHOR_END: runtimes

// ANCHOR: spawn_join
/// Starts an OS thread and waits for it to finish: a stack is mapped for it (by the C
/// library's pthreads, under `std`), the kernel creates the thread, which runs, exits,
/// and is reaped.
pub fn spawn_join_thread(x: u64) -> u64 {
    std::thread::spawn(move || black_box(x) + 1)
        .join()
        .expect("the thread panicked")
}

/// Spawns a tokio task and waits for it from outside the runtime: the task is allocated,
/// queued, run by a worker thread, and its output handed back through the `JoinHandle`.
pub fn spawn_join_tokio_task(rt: &tokio::runtime::Runtime, x: u64) -> u64 {
    let handle = rt.spawn(async move { black_box(x) + 1 });
    rt.block_on(handle).expect("the task panicked")
}

/// Hands a closure to a rayon pool and waits for it: `install` runs it on a pool thread.
pub fn install_rayon_job(pool: &rayon::ThreadPool, x: u64) -> u64 {
    pool.install(move || black_box(x) + 1)
}

/// `rayon::join` of two closures, entered from outside the pool: the second closure is
/// pushed on the worker's own deque, where an idle worker may steal it; if nobody does,
/// the worker pops it back and runs it itself.
pub fn join_rayon_pair(pool: &rayon::ThreadPool, x: u64) -> u64 {
    pool.install(move || {
        let (a, b) = rayon::join(|| black_box(x) + 1, || black_box(x) + 2);
        a + b
    })
}
// ANCHOR_END: spawn_join

// ANCHOR: spawn_join_inside
/// `n` tasks, each spawned and awaited in turn by a task already on a worker: the way
/// async code starts tasks. The new task goes into the worker's own queue, not through
/// the runtime's shared one.
pub fn spawn_join_tasks_in_task(rt: &tokio::runtime::Runtime, n: u64) -> u64 {
    rt.block_on(async move {
        tokio::spawn(async move {
            let mut sum = 0;
            for i in 0..n {
                sum += tokio::spawn(async move { black_box(i) + 1 })
                    .await
                    .expect("the task panicked");
            }
            sum
        })
        .await
        .expect("the task panicked")
    })
}

/// `n` `rayon::join`s in turn, on a pool thread.
pub fn join_rayon_pairs_in_pool(pool: &rayon::ThreadPool, n: u64) -> u64 {
    pool.install(move || {
        let mut sum = 0;
        for i in 0..n {
            let (a, b) = rayon::join(|| black_box(i) + 1, || black_box(i) + 2);
            sum += a + b;
        }
        sum
    })
}

/// `n` OS threads, each started and joined in turn.
pub fn spawn_join_threads(n: u64) -> u64 {
    (0..n).map(spawn_join_thread).sum()
}
// ANCHOR_END: spawn_join_inside

// ANCHOR: idle_units
/// `n` threads that each sleep for `wait`, all at once: `n` stacks, `n` kernel threads.
pub fn sleep_in_threads(n: usize, wait: Duration) {
    let threads: Vec<_> = (0..n)
        .map(|_| std::thread::spawn(move || std::thread::sleep(wait)))
        .collect();
    for t in threads {
        t.join().expect("the thread panicked");
    }
}

/// `n` tokio tasks that each wait for a timer of `wait`, all at once: `n` small heap
/// objects on the runtime's few worker threads.
pub fn sleep_in_tasks(rt: &tokio::runtime::Runtime, n: usize, wait: Duration) {
    rt.block_on(async move {
        let tasks: Vec<_> = (0..n)
            .map(|_| tokio::spawn(tokio::time::sleep(wait)))
            .collect();
        for t in tasks {
            t.await.expect("the task panicked");
        }
    })
}
// ANCHOR_END: idle_units

// ANCHOR: futures
/// An async fn that never waits: its future holds only its argument and a state tag.
pub async fn add_one(x: u64) -> u64 {
    x + 1
}

/// Holds a 1 KiB buffer across an `.await`: the buffer becomes part of the future.
pub async fn buffer_across_await(fill: u8) -> u8 {
    let buffer = [fill; 1024];
    tokio::task::yield_now().await;
    buffer.iter().fold(0, |acc, b| acc ^ b)
}

/// Awaits two other async fns in turn: the caller's future contains theirs, but only one
/// at a time, so it is as large as the larger one, not their sum.
pub async fn awaits_two(fill: u8) -> u64 {
    let a = add_one(u64::from(fill)).await;
    let b = buffer_across_await(fill).await;
    a + u64::from(b)
}

/// The same 1 KiB buffer, but in a block that ends before the `.await`: it lives on the
/// stack of whichever thread polls the future, not in the future.
pub async fn buffer_scoped_before_await(fill: u8) -> u8 {
    let x = {
        let buffer = [fill; 1024];
        buffer.iter().fold(0, |acc, b| acc ^ b)
    };
    tokio::task::yield_now().await;
    x
}

/// The buffer is last *used* before the `.await`, but `iter()` borrowed it, and the
/// compiler cannot see when a borrow ends: a local that was borrowed is kept in the future
/// for as long as its storage lives, here to the end of the function.
pub async fn buffer_used_before_await(fill: u8) -> u8 {
    let buffer = [fill; 1024];
    let x = buffer.iter().fold(0, |acc, b| acc ^ b);
    tokio::task::yield_now().await;
    x
}

/// The same buffer, in scope across the `.await` too, but only read by index, never
/// borrowed: nothing uses it after the `.await`, so it is not kept in the future.
pub async fn buffer_indexed_before_await(fill: u8) -> u8 {
    let buffer = [fill; 1024];
    let x = buffer[0] ^ buffer[1023];
    tokio::task::yield_now().await;
    x
}
// ANCHOR_END: futures

// ANCHOR: future_sizes
/// The size in bytes of the future each async fn returns, computed by the compiler:
/// creating a future runs none of its code, so this only measures.
pub fn future_sizes() -> Vec<(&'static str, usize)> {
    vec![
        ("add_one", std::mem::size_of_val(&add_one(1))),
        (
            "buffer_across_await",
            std::mem::size_of_val(&buffer_across_await(1)),
        ),
        ("awaits_two", std::mem::size_of_val(&awaits_two(1))),
        (
            "buffer_used_before_await",
            std::mem::size_of_val(&buffer_used_before_await(1)),
        ),
        (
            "buffer_scoped_before_await",
            std::mem::size_of_val(&buffer_scoped_before_await(1)),
        ),
        (
            "buffer_indexed_before_await",
            std::mem::size_of_val(&buffer_indexed_before_await(1)),
        ),
    ]
}
// ANCHOR_END: future_sizes

// ANCHOR: thread_memory
/// The stack of the calling thread, from `/proc/self/smaps` (Linux): the size of the
/// memory mapping that holds it and how much of that is resident, in KiB.
pub fn current_stack_kib() -> Option<(u64, u64)> {
    let marker = 0_u8;
    // An address inside this thread's stack: the mapping that contains it is the stack.
    let here = std::hint::black_box(&marker) as *const u8 as usize;
    let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let mut lines = smaps.lines();
    while let Some(line) = lines.next() {
        let Some((start, end)) = mapping_range(line) else {
            continue;
        };
        if !(start..end).contains(&here) {
            continue;
        }
        // The fields of this mapping follow its header line.
        let (mut size, mut rss) = (None, None);
        for field in lines.by_ref().take_while(|l| mapping_range(l).is_none()) {
            let value = || field.split_whitespace().nth(1)?.parse::<u64>().ok();
            if field.starts_with("Size:") {
                size = value();
            } else if field.starts_with("Rss:") {
                rss = value();
            }
        }
        return Some((size?, rss?));
    }
    None
}

/// `7f12a000-7f12c000 rw-p ...` → the range, for a mapping's header line.
fn mapping_range(line: &str) -> Option<(usize, usize)> {
    let (start, end) = line.split_whitespace().next()?.split_once('-')?;
    Some((
        usize::from_str_radix(start, 16).ok()?,
        usize::from_str_radix(end, 16).ok()?,
    ))
}

/// Spawns a thread with the default stack that first uses `touch_kib` KiB of it, then
/// reports its stack: (reserved, resident) in KiB.
pub fn spawned_thread_stack_kib(touch_kib: usize) -> Option<(u64, u64)> {
    std::thread::spawn(move || {
        touch_stack(touch_kib);
        current_stack_kib()
    })
    .join()
    .expect("the thread panicked")
}

/// Uses `kib` KiB of stack, one KiB per call, so that those pages are written.
fn touch_stack(kib: usize) -> u8 {
    let frame = std::hint::black_box([kib as u8; 1024]);
    if kib == 0 {
        return frame[0];
    }
    frame[1] ^ touch_stack(kib - 1)
}
// ANCHOR_END: thread_memory

// ANCHOR: blocking
/// What the second task on a one-thread runtime does for `BLOCK` while the first waits
/// on a short timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Neighbour {
    /// `std::thread::sleep` inside the task: blocks the runtime's only thread.
    BlocksThread,
    /// The same sleep moved to tokio's blocking pool with `spawn_blocking`.
    SpawnBlocking,
    /// `tokio::time::sleep`: the task waits without holding the thread.
    AsyncSleep,
}

pub const TIMER: Duration = Duration::from_millis(10);
pub const BLOCK: Duration = Duration::from_millis(200);

/// How long a task asking for a `TIMER` sleep actually waits, while a neighbour task on
/// the same single-threaded runtime waits for `BLOCK` in the way given.
pub fn timer_wait_next_to(neighbour: Neighbour) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("cannot start a tokio runtime");
    rt.block_on(async move {
        // Spawned first, so it runs first: it starts its timer, then yields the thread.
        let timer = tokio::spawn(async {
            let start = Instant::now();
            tokio::time::sleep(TIMER).await;
            start.elapsed()
        });
        let neighbour = tokio::spawn(async move {
            match neighbour {
                Neighbour::BlocksThread => std::thread::sleep(BLOCK),
                Neighbour::SpawnBlocking => {
                    tokio::task::spawn_blocking(|| std::thread::sleep(BLOCK))
                        .await
                        .expect("the blocking task panicked")
                }
                Neighbour::AsyncSleep => tokio::time::sleep(BLOCK).await,
            }
        });
        let waited = timer.await.expect("the timer task panicked");
        neighbour.await.expect("the neighbour panicked");
        waited
    })
}
// ANCHOR_END: blocking

// ANCHOR: checksum_inline
/// The exercise's starting point: CPU-bound work (`rounds` passes of a hash over `data`)
/// done inside an async fn. While it runs, the worker thread polls nothing else.
pub async fn checksum_inline(data: Vec<u8>, rounds: u32) -> u64 {
    checksum(&data, rounds)
}
// ANCHOR_END: checksum_inline

/// FNV-1a over `data`, `rounds` times: a deterministic, CPU-bound stand-in for real work.
pub fn checksum(data: &[u8], rounds: u32) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for _ in 0..rounds {
        for &b in data {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

// ANCHOR: offload_check
/// The exercise's check, for any async fn with `checksum_inline`'s signature: it returns the
/// same hash, and the heartbeat's longest gap is less than half of `checksum_inline`'s.
pub fn check_offloaded<F, Fut>(checksum_async: F)
where
    F: FnOnce(Vec<u8>, u32) -> Fut,
    Fut: std::future::Future<Output = u64> + Send + 'static,
{
    // About 20–100 ms of hashing, depending on the machine and the build.
    let data = vec![7_u8; 1 << 20];
    let rounds = 20;
    let expected = checksum(&data, rounds);

    let (inline, inline_gap) =
        longest_heartbeat_gap(checksum_inline(data.clone(), rounds));
    let (offloaded, offloaded_gap) = longest_heartbeat_gap(checksum_async(data, rounds));
    assert_eq!(inline, expected);
    assert_eq!(offloaded, expected);
    // Inline, the heartbeat misses every tick while the hash runs; offloaded, it keeps
    // ticking (a ratio, with room for a noisy machine).
    assert!(
        inline_gap > offloaded_gap * 2,
        "{inline_gap:?} inline vs {offloaded_gap:?}"
    );
}
// ANCHOR_END: offload_check

// ANCHOR: longest_gap
/// Runs `work` on a one-worker runtime next to a heartbeat task that ticks every
/// millisecond, and returns the work's result and the longest gap between two ticks:
/// how long the worker thread was unavailable.
pub fn longest_heartbeat_gap<F>(work: F) -> (u64, Duration)
where
    F: std::future::Future<Output = u64> + Send + 'static,
{
    let rt = tokio_runtime(1);
    rt.block_on(async move {
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let heartbeat = tokio::spawn(async move {
            let mut longest = Duration::ZERO;
            let mut last = Instant::now();
            loop {
                let stop = tokio::select! {
                    _ = &mut stopped => true,
                    _ = tokio::time::sleep(Duration::from_millis(1)) => false,
                };
                // Counted on every wake-up, the last one included: that gap may be the
                // one the work caused.
                longest = longest.max(last.elapsed());
                last = Instant::now();
                if stop {
                    return longest;
                }
            }
        });
        // Let the heartbeat start before the work does.
        tokio::time::sleep(Duration::from_millis(5)).await;
        let result = tokio::spawn(work).await.expect("the work panicked");
        let _ = stop.send(());
        (result, heartbeat.await.expect("the heartbeat panicked"))
    })
}
// ANCHOR_END: longest_gap

// ANCHOR: cases
/// Every comparison the chapter shows: the criterion bench, the allocation pass and the
/// claims all read this one list.
pub fn cases<R: Runner>(r: &mut R) {
    // Two workers each: this machine's core count, and the same for both libraries.
    let rt = tokio_runtime(2);
    let pool = rayon_pool(2);
    // Let every worker start (and make its own start-up allocations) before any case is
    // measured: the allocation pass counts the allocations of every thread.
    pool.broadcast(|_| ());
    rt.block_on(async {
        for _ in 0..4 {
            tokio::spawn(tokio::time::sleep(Duration::from_millis(1)))
                .await
                .ok();
        }
    });

    // One unit of work started on another thread and waited for, from outside.
    let mut g = r.group("spawn_join");
    g.case("os_thread", None, || spawn_join_thread(black_box(1)));
    g.case("tokio_task", None, || {
        spawn_join_tokio_task(&rt, black_box(1))
    });
    g.case("rayon_install", None, || {
        install_rayon_job(&pool, black_box(1))
    });
    g.case("rayon_join", None, || join_rayon_pair(&pool, black_box(1)));
    g.finish();

    // A hundred units in turn, started from where such code runs: tasks from a task,
    // joins on a pool thread.
    let n = 100;
    let mut g = r.group("spawn_join_100");
    g.throughput(Throughput::Elements(n));
    g.case("os_threads", Some("100"), || {
        spawn_join_threads(black_box(n))
    });
    g.case("tokio_tasks_in_task", Some("100"), || {
        spawn_join_tasks_in_task(&rt, black_box(n))
    });
    g.case("rayon_joins_in_pool", Some("100"), || {
        join_rayon_pairs_in_pool(&pool, black_box(n))
    });
    g.finish();

    // What a task costs in memory: one allocation holding the task's header and its
    // future. The input column is the future's size in bytes (`size_of_val`), computed
    // here.
    let mut g = r.group("task_memory");
    let sizes: std::collections::HashMap<_, _> = future_sizes().into_iter().collect();
    let label = |name: &str| sizes[name].to_string();
    g.case("add_one", Some(&label("add_one")), || {
        rt.block_on(rt.spawn(add_one(black_box(1)))).ok()
    });
    g.case(
        "buffer_used_before_await",
        Some(&label("buffer_used_before_await")),
        || {
            rt.block_on(rt.spawn(buffer_used_before_await(black_box(1))))
                .ok()
        },
    );
    g.case(
        "buffer_scoped_before_await",
        Some(&label("buffer_scoped_before_await")),
        || {
            rt.block_on(rt.spawn(buffer_scoped_before_await(black_box(1))))
                .ok()
        },
    );
    g.case(
        "buffer_indexed_before_await",
        Some(&label("buffer_indexed_before_await")),
        || {
            rt.block_on(rt.spawn(buffer_indexed_before_await(black_box(1))))
                .ok()
        },
    );
    g.case(
        "buffer_across_await",
        Some(&label("buffer_across_await")),
        || {
            rt.block_on(rt.spawn(buffer_across_await(black_box(1))))
                .ok()
        },
    );
    g.case("awaits_two", Some(&label("awaits_two")), || {
        rt.block_on(rt.spawn(awaits_two(black_box(1)))).ok()
    });
    g.finish();

    // A thousand units that wait, all at once.
    let (units, wait) = (1_000, Duration::from_millis(1));
    let mut g = r.group("idle_1000");
    g.slow();
    g.throughput(Throughput::Elements(units as u64));
    g.case("threads_sleep", Some("1ms"), || {
        sleep_in_threads(units, wait)
    });
    g.case("tasks_sleep", Some("1ms"), || {
        sleep_in_tasks(&rt, units, wait)
    });
    g.finish();
}
// ANCHOR_END: cases

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_computes_the_same() {
        let rt = tokio_runtime(2);
        let pool = rayon_pool(2);
        assert_eq!(spawn_join_thread(1), 2);
        assert_eq!(spawn_join_tokio_task(&rt, 1), 2);
        assert_eq!(install_rayon_job(&pool, 1), 2);
        assert_eq!(join_rayon_pair(&pool, 1), 5);
        assert_eq!(spawn_join_threads(10), 55);
        assert_eq!(spawn_join_tasks_in_task(&rt, 10), 55);
        assert_eq!(join_rayon_pairs_in_pool(&pool, 10), 2 * 45 + 30);
        sleep_in_threads(10, Duration::from_millis(1));
        sleep_in_tasks(&rt, 10, Duration::from_millis(1));
    }

    // ANCHOR: future_sizes_test
    #[test]
    fn a_future_holds_what_lives_across_its_awaits() {
        let sizes: std::collections::HashMap<_, _> = future_sizes().into_iter().collect();
        // No await: the argument, the result slot and a state tag.
        assert!(sizes["add_one"] <= 32, "{sizes:?}");
        // The buffer is alive across the await, so it is stored in the future.
        assert!(sizes["buffer_across_await"] >= 1024, "{sizes:?}");
        // Nested futures are stored one at a time: the largest, not the sum.
        assert!(
            sizes["awaits_two"] >= sizes["buffer_across_await"],
            "{sizes:?}"
        );
        assert!(
            sizes["awaits_two"] < sizes["buffer_across_await"] + sizes["add_one"] + 64,
            "{sizes:?}"
        );
        // Unused after the await but borrowed before it, and still in scope: in the future.
        assert!(sizes["buffer_used_before_await"] >= 1024, "{sizes:?}");
        // Out of scope before the await: not in the future.
        assert!(sizes["buffer_scoped_before_await"] < 64, "{sizes:?}");
        // In scope across the await but never borrowed nor used after it: not in it either.
        assert!(sizes["buffer_indexed_before_await"] < 64, "{sizes:?}");
    }
    // ANCHOR_END: future_sizes_test

    #[test]
    fn the_futures_compute() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(rt.block_on(add_one(1)), 2);
        assert_eq!(rt.block_on(buffer_across_await(3)), 0);
        assert_eq!(rt.block_on(buffer_used_before_await(3)), 0);
        assert_eq!(rt.block_on(buffer_scoped_before_await(3)), 0);
        assert_eq!(rt.block_on(buffer_indexed_before_await(3)), 0);
        assert_eq!(rt.block_on(awaits_two(3)), 4);
    }

    // ANCHOR: blocking_test
    #[test]
    fn a_blocking_task_delays_its_neighbours() {
        let blocked = timer_wait_next_to(Neighbour::BlocksThread);
        let offloaded = timer_wait_next_to(Neighbour::SpawnBlocking);
        let awaited = timer_wait_next_to(Neighbour::AsyncSleep);
        // The timer cannot fire until the thread is given back.
        assert!(blocked >= BLOCK, "{blocked:?}");
        // Generous margins: a busy machine delays timers, but not by the whole block.
        assert!(offloaded < BLOCK / 2, "{offloaded:?}");
        assert!(awaited < BLOCK / 2, "{awaited:?}");
    }
    // ANCHOR_END: blocking_test
}
