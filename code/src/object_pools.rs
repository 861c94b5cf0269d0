//! Chapter "Object pools and buffer reuse": `src/techniques/object-pools.md`. Bench:
//! `benches/object_pools.rs`.

use std::cell::RefCell;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, Scope};

use lockfree_object_pool::LinearObjectPool;
use workshop::measure::{Group, Runner, Throughput};
use workshop::serde::Serialize;

pub const CHAPTER: &str = "object_pools";

/// What the seed's `f1` and `f2` write.
pub const DIRTY: &[u8] = b"dirty";

// ANCHOR: fresh_vec
/// The seed's `f1`: a new buffer on every call. `Vec::new()` does not allocate; the first
/// write does, and dropping the `Vec` frees it again.
pub fn write_dirty_fresh() -> Vec<u8> {
    let mut buf = Vec::new();
    buf.extend_from_slice(black_box(DIRTY));
    buf
}
// ANCHOR_END: fresh_vec

// ANCHOR: reused_vec
/// The caller keeps one buffer and passes it in. `clear()` sets the length to zero and
/// keeps the capacity, so from the second call on nothing is allocated.
pub fn write_dirty_reused(buf: &mut Vec<u8>) -> usize {
    buf.clear();
    buf.extend_from_slice(black_box(DIRTY));
    buf.len()
}
// ANCHOR_END: reused_vec

// ANCHOR: thread_local_vec
thread_local! {
    /// One buffer per thread, for code that cannot be handed a buffer by its caller.
    static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Reuse without threading a buffer through every signature. `with_borrow_mut` panics if
/// the buffer is already borrowed: what runs inside must not call back into this function.
pub fn write_dirty_thread_local() -> usize {
    BUF.with_borrow_mut(write_dirty_reused)
}
// ANCHOR_END: thread_local_vec

// ANCHOR: pool_crate
/// A pool shared by every thread: `pull` hands out a buffer (a new one if the pool is
/// empty) and the guard puts it back when it is dropped, after the reset function has
/// cleared it.
pub fn buffer_pool() -> LinearObjectPool<Vec<u8>> {
    LinearObjectPool::new(Vec::new, |buf: &mut Vec<u8>| buf.clear())
}

pub fn write_dirty_pooled(pool: &LinearObjectPool<Vec<u8>>) -> usize {
    let mut buf = pool.pull();
    buf.extend_from_slice(black_box(DIRTY));
    buf.len()
}
// ANCHOR_END: pool_crate

// ANCHOR: mutex_pool
/// The pool everybody writes first: a `Vec` of free buffers behind a `Mutex`.
#[derive(Default)]
pub struct MutexPool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl MutexPool {
    /// Buffers that grew past this are dropped instead of kept: one huge message must not
    /// pin its memory in the pool for the rest of the program (Go's `fmt` drops its
    /// pooled buffers above 64 KiB for the same reason).
    pub const MAX_KEPT_CAPACITY: usize = 64 * 1024;

    pub fn get(&self) -> Vec<u8> {
        self.free.lock().unwrap().pop().unwrap_or_default()
    }

    pub fn put(&self, mut buf: Vec<u8>) {
        if buf.capacity() > Self::MAX_KEPT_CAPACITY {
            return;
        }
        buf.clear();
        self.free.lock().unwrap().push(buf);
    }

    /// Bytes of buffer capacity the pool keeps alive.
    pub fn kept_capacity(&self) -> usize {
        self.free.lock().unwrap().iter().map(Vec::capacity).sum()
    }
}

pub fn write_dirty_mutex_pool(pool: &MutexPool) -> usize {
    let mut buf = pool.get();
    buf.extend_from_slice(black_box(DIRTY));
    let len = buf.len();
    pool.put(buf);
    len
}
// ANCHOR_END: mutex_pool

/// Calls each thread makes in one round of the contended group.
pub const CALLS_PER_THREAD: usize = 2_000;

/// Threads that make the same calls at the same time as the thread criterion times.
///
/// `threads - 1` workers are started before the case is timed and live until it is done.
/// Each timed call of [`Contended::round`] releases them, makes [`CALLS_PER_THREAD`] calls
/// on every thread at once, and returns when the last thread has finished its share. The
/// release and the wait are a counter each, spun on rather than slept on, so that waking a
/// sleeping thread (microseconds) is not timed with calls that take nanoseconds.
pub struct Contended<F> {
    op: F,
    workers: usize,
    rounds: usize,
    state: Arc<RoundState>,
}

#[derive(Default)]
struct RoundState {
    /// Rounds started; a worker runs one round each time it sees this move.
    started: AtomicUsize,
    /// Worker rounds finished, summed over the workers.
    finished: AtomicUsize,
    stop: AtomicBool,
}

impl<F: FnMut() -> O, O> Contended<F> {
    /// Starts the workers in `scope`: each makes its own operation with `make_op` (its own
    /// thread-local buffer, or its own handle on a shared pool) and waits for a round.
    pub fn start<'scope, M>(
        scope: &'scope Scope<'scope, '_>,
        threads: usize,
        make_op: &'scope M,
    ) -> Self
    where
        M: Fn() -> F + Sync,
    {
        let state = Arc::new(RoundState::default());
        for _ in 1..threads {
            let state = Arc::clone(&state);
            // ANCHOR: contended_worker
            scope.spawn(move || {
                let mut op = make_op();
                let mut seen = 0;
                loop {
                    wait_until(|| {
                        state.stop.load(Ordering::Acquire)
                            || state.started.load(Ordering::Acquire) != seen
                    });
                    if state.stop.load(Ordering::Acquire) {
                        return;
                    }
                    seen += 1;
                    for _ in 0..CALLS_PER_THREAD {
                        black_box(op());
                    }
                    state.finished.fetch_add(1, Ordering::Release);
                }
            });
            // ANCHOR_END: contended_worker
        }
        Contended {
            op: make_op(),
            workers: threads - 1,
            rounds: 0,
            state,
        }
    }

    // ANCHOR: contended_round
    /// One round: every thread makes [`CALLS_PER_THREAD`] calls at the same time.
    pub fn round(&mut self) -> usize {
        self.rounds += 1;
        self.state.started.fetch_add(1, Ordering::Release);
        for _ in 0..CALLS_PER_THREAD {
            black_box((self.op)());
        }
        let all_done = self.rounds * self.workers;
        wait_until(|| self.state.finished.load(Ordering::Acquire) == all_done);
        (self.workers + 1) * CALLS_PER_THREAD
    }
    // ANCHOR_END: contended_round
}

impl<F> Drop for Contended<F> {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::Release);
    }
}

/// Spins while the other threads are expected within a few microseconds, then yields, so
/// that a worker waiting for the next case does not hold a core that someone else needs.
fn wait_until(ready: impl Fn() -> bool) {
    let mut spins = 0u32;
    while !ready() {
        if spins < 1 << 12 {
            spins += 1;
            std::hint::spin_loop();
        } else {
            thread::yield_now();
        }
    }
}

/// One contended case: the workers exist only while this case is measured.
fn contended_case<G: Group, F: FnMut() -> O, O>(
    g: &mut G,
    name: &str,
    threads: usize,
    make_op: impl Fn() -> F + Sync,
) {
    let label = match threads {
        1 => "1_thread".to_string(),
        n => format!("{n}_threads"),
    };
    thread::scope(|scope| {
        let mut contended = Contended::start(scope, threads, &make_op);
        g.case(name, Some(&label), || contended.round());
    });
}

/// Puts `n` buffers into a shared pool before it is measured: `n` threads hold at most `n`
/// at once, so after this no call allocates, however the threads' calls interleave.
fn warm_pool(pool: &LinearObjectPool<Vec<u8>>, n: usize) {
    let held: Vec<_> = (0..n).map(|_| pool.pull()).collect();
    for mut buf in held {
        buf.extend_from_slice(DIRTY);
    }
}

fn warm_mutex_pool(pool: &MutexPool, n: usize) {
    let held: Vec<_> = (0..n).map(|_| pool.get()).collect();
    for mut buf in held {
        buf.extend_from_slice(DIRTY);
        pool.put(buf);
    }
}

// ANCHOR: book
/// The seed's exercise: a book, with the ISBN it was given, written out as JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(crate = "workshop::serde")]
pub struct Book {
    pub author: String,
    pub title: String,
    pub isbn: String,
}

pub fn sample_book() -> Book {
    Book {
        author: "Alan A. A. Donovan and Brian W. Kernighan".into(),
        title: "The Go Programming Language".into(),
        isbn: "978-0134190440".into(),
    }
}
// ANCHOR_END: book

// ANCHOR: book_fresh
/// A new `Vec` for every book: `to_vec` starts with a small buffer and grows it as the
/// JSON is written.
pub fn book_json_fresh(book: &Book) -> Vec<u8> {
    // Serializing strings into memory cannot fail.
    workshop::serde_json::to_vec(book).expect("a Book serializes")
}
// ANCHOR_END: book_fresh

// ANCHOR: book_check
/// The exercise's test: `json` must write what [`book_json_fresh`] writes, into a buffer
/// that held something before, and again into the same buffer.
pub fn check_book_json(json: for<'b> fn(&'b mut Vec<u8>, &Book) -> &'b [u8]) {
    let book = sample_book();
    let fresh = book_json_fresh(&book);
    let mut buf = b"leftover".to_vec();
    assert_eq!(json(&mut buf, &book), &fresh[..]);
    // Twice: the second call must not see the first one's bytes.
    assert_eq!(json(&mut buf, &book), &fresh[..]);
}
// ANCHOR_END: book_check

// ANCHOR: cases
pub fn cases<R: Runner>(r: &mut R) {
    // The seed's f1 and f2, and three more ways to reuse the buffer.
    let mut g = r.group("write_dirty");
    g.case("fresh_vec", None, write_dirty_fresh);
    let mut buf = Vec::new();
    g.case("reused_vec", None, || write_dirty_reused(&mut buf));
    g.case("thread_local_vec", None, write_dirty_thread_local);
    let pool = buffer_pool();
    g.case("pool_crate", None, || write_dirty_pooled(&pool));
    let mutex_pool = MutexPool::default();
    g.case("mutex_pool", None, || write_dirty_mutex_pool(&mutex_pool));
    g.finish();
    // ANCHOR_END: cases

    // ANCHOR: contended_cases
    // The same calls from one thread and from two at once (this machine has two cores: more
    // threads than cores would time the scheduler, not the pool). Each timed call is a round
    // of CALLS_PER_THREAD calls on every thread; the throughput column counts all of them.
    let mut g = r.group("write_dirty_threads");
    for threads in [1, 2] {
        g.throughput(Throughput::Elements((threads * CALLS_PER_THREAD) as u64));
        contended_case(&mut g, "fresh_vec", threads, || write_dirty_fresh);
        // Every thread keeps its own buffer, the way a caller would.
        contended_case(&mut g, "reused_vec", threads, || {
            let mut buf = Vec::new();
            move || write_dirty_reused(&mut buf)
        });
        contended_case(&mut g, "thread_local_vec", threads, || {
            write_dirty_thread_local
        });
        // One pool, shared by every thread.
        let pool = buffer_pool();
        warm_pool(&pool, threads);
        let pool = &pool;
        contended_case(&mut g, "pool_crate", threads, || {
            move || write_dirty_pooled(pool)
        });
        let mutex_pool = MutexPool::default();
        warm_mutex_pool(&mutex_pool, threads);
        let mutex_pool = &mutex_pool;
        contended_case(&mut g, "mutex_pool", threads, || {
            move || write_dirty_mutex_pool(mutex_pool)
        });
        // No buffer at all: what a round costs the harness itself.
        contended_case(&mut g, "no_buffer", threads, || || black_box(DIRTY).len());
    }
    g.finish();
    // ANCHOR_END: contended_cases

    // The exercise's solution: its code lives in its own file, so that this module (which
    // the chapter shows whole, as hidden lines) does not give it away.
    workshop::solutions::object_pools::book_cases(r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_writes_the_same_bytes() {
        assert_eq!(write_dirty_fresh(), DIRTY);
        let mut buf = b"old contents".to_vec();
        assert_eq!(write_dirty_reused(&mut buf), DIRTY.len());
        assert_eq!(buf, DIRTY);
        assert_eq!(write_dirty_thread_local(), DIRTY.len());
        let pool = buffer_pool();
        for _ in 0..3 {
            assert_eq!(write_dirty_pooled(&pool), DIRTY.len());
        }
        let mutex_pool = MutexPool::default();
        for _ in 0..3 {
            assert_eq!(write_dirty_mutex_pool(&mutex_pool), DIRTY.len());
        }
    }

    #[test]
    fn a_contended_round_makes_every_call_on_every_thread() {
        let calls = AtomicUsize::new(0);
        let pool = buffer_pool();
        let make_op = || {
            || {
                calls.fetch_add(1, Ordering::Relaxed);
                write_dirty_pooled(&pool)
            }
        };
        thread::scope(|scope| {
            let mut contended = Contended::start(scope, 2, &make_op);
            assert_eq!(contended.round(), 2 * CALLS_PER_THREAD);
            assert_eq!(contended.round(), 2 * CALLS_PER_THREAD);
            // Both rounds are over when `round` returns: no call is still running.
            assert_eq!(calls.load(Ordering::Relaxed), 4 * CALLS_PER_THREAD);
        });
        // Two threads never held more than two of the pool's buffers at once.
        let held: Vec<_> = (0..3).map(|_| pool.pull()).collect();
        let used = held.iter().filter(|b| b.capacity() > 0).count();
        assert!((1..=2).contains(&used), "{used} buffers were used");
    }

    #[test]
    fn the_fresh_book_is_json() {
        let fresh = book_json_fresh(&sample_book());
        let value: workshop::serde_json::Value =
            workshop::serde_json::from_slice(&fresh).unwrap();
        assert_eq!(value["isbn"], "978-0134190440");
    }

    // ANCHOR: retained
    #[test]
    fn a_reused_buffer_keeps_its_largest_capacity() {
        let mut buf = Vec::new();
        buf.resize(1 << 20, b'x'); // one large message: 1 MiB
        buf.clear();
        write_dirty_reused(&mut buf);
        // Five bytes in use, a mebibyte kept alive.
        assert_eq!(buf.len(), 5);
        assert!(buf.capacity() >= 1 << 20);
        // `shrink_to` gives the memory back when you decide it is too much.
        buf.shrink_to(4096);
        assert!(buf.capacity() < 1 << 20);
    }

    #[test]
    fn the_mutex_pool_drops_oversized_buffers() {
        let pool = MutexPool::default();
        pool.put(Vec::with_capacity(1 << 20));
        assert_eq!(pool.kept_capacity(), 0);
        pool.put(Vec::with_capacity(1024));
        assert_eq!(pool.kept_capacity(), 1024);
    }
    // ANCHOR_END: retained
}
