//! Locks chapter: how often the workers of a round go to sleep inside their work, counted by
//! the kernel (`voluntary_ctxt_switches` of `/proc/thread-self/status`: the times a thread
//! blocked). A count, not a time: it does not drift with a busy machine the way timings do.
//!
//! The timed rows of the chapter do not say *why* a lock is slow; these counts separate the
//! two costs a lock can have: sleeping and being woken (a system call each, and the wait for
//! the scheduler), and the traffic of its lock word between the cores, which never blocks.

use std::sync::{Arc, Mutex, RwLock};

use workshop::locks::{
    Config, ConfigCell, Crew, ReadKind, SLOTS, SharedTable, THREADS, operate, read_config,
};

// ANCHOR: blocked
/// How many times the calling thread has blocked so far.
fn times_blocked() -> u64 {
    let status = std::fs::read_to_string("/proc/thread-self/status").expect("procfs");
    status
        .lines()
        .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("a voluntary_ctxt_switches line")
}

/// [`THREADS`] workers each doing `work`; returns how often, over `rounds` rounds, the
/// workers blocked *during* their work (the barriers between rounds are not counted).
fn blocked_in_work<S: Send + Sync + 'static>(
    state: S,
    rounds: usize,
    work: impl Fn(&S, usize) -> u64 + Send + Sync + 'static,
) -> u64 {
    let crew = Crew::sharing(&Arc::new(state), THREADS, move |state, w| {
        let before = times_blocked();
        std::hint::black_box(work(state, w));
        times_blocked() - before
    });
    crew.round(); // warm-up: page faults, first use of the lock
    (0..rounds).map(|_| crew.round()).sum()
}
// ANCHOR_END: blocked

const ROUNDS: usize = 4;
/// Checksums per worker and round, of a table larger than the bench's: in an unoptimized
/// test, each takes far longer than any lock spins before it sleeps. Even on a loaded
/// machine, where each of `parking_lot`'s `sched_yield`s can last another thread's time
/// slice: with a table of `64 * SLOTS`, its waiter got through on yields alone in CI.
const CHECKSUMS: usize = 5;
const LEN: usize = 512 * SLOTS;
/// Each count is taken this many times. A busy machine can only hide waiting (a worker that
/// is not running does not wait for the lock) or add blocks that have nothing to do with
/// the lock (the kernel's own); it never hides a block that would otherwise be absent from
/// every attempt. So the test keeps, of the attempts, the one least disturbed.
const ATTEMPTS: usize = 3;

fn long_reads<T: SharedTable + Send + 'static>() -> impl Iterator<Item = u64> {
    (0..ATTEMPTS).map(|_| {
        blocked_in_work(T::with_len(LEN), ROUNDS, move |t, w| {
            // Reads only: whatever blocks here, it is not a reader waiting for a writer.
            operate(t, w, CHECKSUMS, usize::MAX, ReadKind::Long)
        })
    })
}

// ANCHOR: mutex_sleeps
#[test]
fn waiting_for_a_mutex_held_for_long_reads_means_sleeping() {
    // Two workers computing checksums of the table in turn: the one waiting spins for a
    // moment, then sleeps in the kernel until the other one unlocks, time after time. At
    // least once a round (we usually count several times as many): the worker that does
    // not get the lock first sleeps for it.
    let rounds = ROUNDS as u64;
    let std_mutex = long_reads::<Mutex<Vec<u64>>>().max().unwrap();
    assert!(std_mutex >= rounds, "std Mutex: blocked {std_mutex} times");
    let parking_lot_mutex = long_reads::<parking_lot::Mutex<Vec<u64>>>().max().unwrap();
    assert!(
        parking_lot_mutex >= rounds,
        "parking_lot Mutex: blocked {parking_lot_mutex} times"
    );

    // Readers of a read-write lock never wait for each other.
    let std_rwlock = long_reads::<RwLock<Vec<u64>>>().min().unwrap();
    assert_eq!(std_rwlock, 0, "std RwLock readers blocked");
    let parking_lot_rwlock = long_reads::<parking_lot::RwLock<Vec<u64>>>().min().unwrap();
    assert_eq!(parking_lot_rwlock, 0, "parking_lot RwLock readers blocked");
}
// ANCHOR_END: mutex_sleeps

// ANCHOR: rwlock_never_sleeps
#[test]
fn readers_of_a_read_write_lock_around_a_config_hardly_ever_sleep() {
    // The config group's round, smaller: reads of one field, one replacement in 1,000.
    let (ops, replace_every) = (20_000, 1_000);
    let reads = (ROUNDS * THREADS * ops) as u64;
    let blocked = (0..ATTEMPTS)
        .map(|_| {
            blocked_in_work(
                <RwLock<Arc<Config>>>::with_config(Config::version(0)),
                ROUNDS,
                move |c, w| read_config(c, w, ops, replace_every),
            )
        })
        .min()
        .unwrap();
    // A reader blocks only while a replacement is waiting or under way: whatever the
    // read-write lock costs on the `config` rows, it is not sleeping.
    assert!(
        blocked * 100 < reads,
        "blocked {blocked} times in {reads} reads"
    );
}
// ANCHOR_END: rwlock_never_sleeps
