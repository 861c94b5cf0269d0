//! Chapter "Locks": `src/techniques/locks.md`. Bench: `benches/locks.rs`.
//!
//! Every case is one round of work done by worker threads that were started before the case
//! is timed ([`Crew`]): the machine this book is measured on has 2 cores, and one worker per
//! core is what makes the threads really run at the same time and contend.

use std::collections::HashMap;
use std::fs::File;
use std::hash::Hash;
use std::hint::black_box;
use std::io;
use std::os::unix::fs::FileExt;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Barrier, Mutex, PoisonError, RwLock};
use std::thread;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use arc_swap::cache::Cache;

use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "locks";

/// Worker threads of a round: one per core of the measuring machine, so that they run at
/// the same time rather than take turns on one core.
pub const THREADS: usize = 2;
/// Operations each worker performs in one round (except for the long reads): enough that a
/// round takes milliseconds, far longer than releasing and collecting the workers.
pub const OPS_PER_THREAD: usize = 100_000;
/// Entries of the shared table.
pub const SLOTS: usize = 1024;
/// Operations each worker performs in one round of the `long_reads` group.
pub const LONG_OPS: usize = 1_000;

// ---------------------------------------------------------------------------------------
// The harness: workers started once, released together for every round.

// ANCHOR: crew
/// Worker threads started once, before a case is timed, and released together for every
/// round. One call of a case is one round, so what a call costs is the work the threads do
/// at the same time on the shared structure, not the starting of threads.
pub struct Crew {
    shared: Arc<CrewShared>,
    handles: Vec<thread::JoinHandle<()>>,
}

struct CrewShared {
    /// The workers and the thread calling `round` meet here to start a round...
    start: Barrier,
    /// ...and here once every worker has done its part.
    done: Barrier,
    stop: AtomicBool,
    /// The starting line: how many workers have arrived, over all rounds so far.
    arrived: AtomicUsize,
    workers: usize,
    /// How many workers are pinned to their core.
    pinned: AtomicUsize,
    /// Each worker's result of the round; a panic is passed on to the caller of `round`.
    results: Mutex<Vec<thread::Result<u64>>>,
}

impl CrewShared {
    /// Waits until every worker has arrived for this round. The barrier wakes the workers
    /// one after another, and waking a thread takes microseconds: without this, the first
    /// worker would do a good part of its work alone, uncontended.
    fn starting_line(&self, round: usize) {
        self.arrived.fetch_add(1, Ordering::SeqCst);
        let mut spins = 0u32;
        while self.arrived.load(Ordering::SeqCst) < round * self.workers {
            spins += 1;
            if spins < 1 << 10 {
                std::hint::spin_loop();
            } else {
                // The other worker is not running (the machine is busy): let it.
                thread::yield_now();
            }
        }
    }
}

impl Crew {
    /// Starts one thread per job; in every round, every thread runs its job once.
    pub fn start<J>(jobs: impl IntoIterator<Item = J>) -> Crew
    where
        J: FnMut() -> u64 + Send + 'static,
    {
        let jobs: Vec<J> = jobs.into_iter().collect();
        let shared = Arc::new(CrewShared {
            start: Barrier::new(jobs.len() + 1),
            done: Barrier::new(jobs.len() + 1),
            stop: AtomicBool::new(false),
            arrived: AtomicUsize::new(0),
            workers: jobs.len(),
            pinned: AtomicUsize::new(0),
            results: Mutex::new(Vec::with_capacity(jobs.len())),
        });
        let cores = thread::available_parallelism().map_or(1, |n| n.get());
        let handles = jobs
            .into_iter()
            .enumerate()
            .map(|(i, mut job)| {
                let shared = Arc::clone(&shared);
                // ANCHOR: crew_worker
                thread::spawn(move || {
                    if pin_current_thread(i % cores) {
                        shared.pinned.fetch_add(1, Ordering::Relaxed);
                    }
                    for round in 1.. {
                        shared.start.wait();
                        // Set before the barrier by `drop`: the barrier's lock publishes it.
                        if shared.stop.load(Ordering::Relaxed) {
                            return;
                        }
                        shared.starting_line(round);
                        let result = panic::catch_unwind(AssertUnwindSafe(&mut job));
                        shared
                            .results
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push(result);
                        shared.done.wait();
                    }
                })
                // ANCHOR_END: crew_worker
            })
            .collect();
        Crew { shared, handles }
    }

    /// `threads` workers, worker `t` running `work(&state, t)` in every round.
    pub fn sharing<S, W>(state: &Arc<S>, threads: usize, work: W) -> Crew
    where
        S: Send + Sync + 'static,
        W: Fn(&S, usize) -> u64 + Send + Sync + 'static,
    {
        let work = Arc::new(work);
        Crew::start((0..threads).map(|t| {
            let (state, work) = (Arc::clone(state), Arc::clone(&work));
            move || work(&state, t)
        }))
    }

    /// Whether every worker is pinned to a core of its own (or shares one in turn, when there
    /// are more workers than cores). Known once the first round has started.
    pub fn pinned(&self) -> bool {
        self.shared.pinned.load(Ordering::Relaxed) == self.shared.workers
    }

    /// One round: releases every worker, waits until all of them have finished, and
    /// returns the sum of their results.
    pub fn round(&self) -> u64 {
        self.shared.start.wait();
        self.shared.done.wait();
        let mut results = self
            .shared
            .results
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (mut sum, mut panicked) = (0u64, None);
        for result in results.drain(..) {
            match result {
                Ok(v) => sum = sum.wrapping_add(v),
                Err(payload) => panicked = Some(payload),
            }
        }
        drop(results);
        if let Some(payload) = panicked {
            panic::resume_unwind(payload);
        }
        sum
    }
}

/// Pins the calling thread to one core, with `taskset` (util-linux): std has no API for it.
/// Why: workers that sleep between rounds are woken where the scheduler sees fit, and on a
/// busy machine it can leave both on one core for good, where they take turns instead of
/// contending. Best effort: without `taskset` the workers run unpinned.
fn pin_current_thread(core: usize) -> bool {
    // `/proc/thread-self` links to `<pid>/task/<tid>`.
    let Ok(link) = std::fs::read_link("/proc/thread-self") else {
        return false;
    };
    let Some(tid) = link.file_name() else {
        return false;
    };
    Command::new("taskset")
        .arg("-pc")
        .arg(core.to_string())
        .arg(tid)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

impl Drop for Crew {
    /// Releases the workers one last time, telling them to stop, and joins them.
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.start.wait();
        for handle in self.handles.drain(..) {
            let _ = handle.join();
        }
    }
}
// ANCHOR_END: crew

// ---------------------------------------------------------------------------------------
// Go's `defer mu.Unlock()`: the guard.

// ANCHOR: defer
/// The guard unlocks when it goes out of scope, as Go's `defer mu.Unlock()` does when the
/// function returns, and on every path out, a panic included.
#[inline(never)]
pub fn add_guard_scope(counter: &Mutex<u64>, n: u64) {
    let mut count = counter.lock().unwrap();
    *count += n;
} // `count` is dropped here: the unlock

/// The same, unlocked by hand where the work ends, as Go code without `defer` does.
#[inline(never)]
pub fn add_explicit_drop(counter: &Mutex<u64>, n: u64) {
    let mut count = counter.lock().unwrap();
    *count += n;
    drop(count);
}
// ANCHOR_END: defer

// ANCHOR: scopeguard
/// Cleanups that are not a guard of their own: `scopeguard::defer!` runs its block when the
/// scope ends, however it ends. Here, a scratch file is removed even if writing it fails
/// half-way.
pub fn with_scratch_file(name: &str, contents: &[u8]) -> io::Result<u64> {
    let path =
        std::env::temp_dir().join(format!("workshop-{}-{name}", std::process::id()));
    scopeguard::defer! {
        let _ = std::fs::remove_file(&path);
    }
    std::fs::write(&path, contents)?;
    Ok(std::fs::metadata(&path)?.len())
}
// ANCHOR_END: scopeguard

// ---------------------------------------------------------------------------------------
// Slow I/O under a lock.

// ANCHOR: slow_io
/// The slow part of an update: persisting it. Two stand-ins, both honest about what they
/// are: a real `pwrite` of a 64-byte record to a temporary file (a system call that lands
/// in the page cache, microseconds), and a fixed sleep standing for a device wait such as
/// an `fsync` or a network round trip (the kernel rounds the sleep up a little).
pub enum SlowIo {
    FileWrite(TempFile),
    Sleep(Duration),
}

impl SlowIo {
    pub fn persist(&self, slot: usize, value: u64) -> io::Result<()> {
        match self {
            SlowIo::FileWrite(file) => {
                let mut record = [b' '; 64];
                record[..8].copy_from_slice(&(slot as u64).to_le_bytes());
                record[8..16].copy_from_slice(&value.to_le_bytes());
                // Always at offset 0: the file stays one record long however long the
                // bench runs.
                file.file.write_all_at(&record, 0)
            }
            SlowIo::Sleep(d) => {
                thread::sleep(*d);
                Ok(())
            }
        }
    }
}
// ANCHOR_END: slow_io

/// A file in the temporary directory, removed when dropped.
pub struct TempFile {
    file: File,
    path: PathBuf,
}

impl TempFile {
    pub fn new(name: &str) -> io::Result<TempFile> {
        let path = std::env::temp_dir()
            .join(format!("workshop-locks-{}-{name}", std::process::id()));
        let file = File::create(&path)?;
        Ok(TempFile { file, path })
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

// ANCHOR: io_inside_lock
/// Updates one slot of the shared table and persists the update, holding the lock until
/// the I/O is done: every reader waits for the disk too.
pub fn update_io_inside_lock(
    table: &Mutex<Vec<u64>>,
    io: &SlowIo,
    slot: usize,
    value: u64,
) -> io::Result<()> {
    let mut slots = table.lock().unwrap();
    slots[slot] = value;
    // `slots`, the guard, lives to the end of the function: the lock is held during the I/O.
    io.persist(slot, value)
}
// ANCHOR_END: io_inside_lock

// ANCHOR: copy_then_io
/// The same update; what the I/O needs is copied out of the table (two integers here, a
/// clone of a record in general) and the lock is released before the I/O starts.
pub fn update_copy_then_io(
    table: &Mutex<Vec<u64>>,
    io: &SlowIo,
    slot: usize,
    value: u64,
) -> io::Result<()> {
    let record = {
        let mut slots = table.lock().unwrap();
        slots[slot] = value;
        (slot, slots[slot])
    }; // the guard is dropped here, before the I/O
    io.persist(record.0, record.1)
}
// ANCHOR_END: copy_then_io

/// What a reader does with each value it reads: a little computation, outside the lock.
pub fn use_value(mut v: u64) -> u64 {
    for _ in 0..256 {
        v ^= v << 13;
        v ^= v >> 7;
        v ^= v << 17;
    }
    black_box(v)
}

/// An update function: [`update_io_inside_lock`] or [`update_copy_then_io`].
pub type Update = fn(&Mutex<Vec<u64>>, &SlowIo, usize, u64) -> io::Result<()>;

// ANCHOR: readers_while_writing
/// A writer working in the background for as long as this value lives: it updates and
/// persists an entry of `table`, waits [`WRITER_GAP`] for the next update to arrive
/// (holding no lock), and again.
pub struct BackgroundWriter {
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<()>>,
}

impl BackgroundWriter {
    pub fn start(table: Arc<Mutex<Vec<u64>>>, io: Arc<SlowIo>, update: Update) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = thread::spawn(move || {
            let mut i = 0;
            while !flag.load(Ordering::Relaxed) {
                update(&table, &io, i % SLOTS, i as u64).expect("persisting an update");
                i += 1;
                thread::sleep(WRITER_GAP);
            }
        });
        BackgroundWriter {
            stop,
            handle: Some(handle),
        }
    }
}

impl Drop for BackgroundWriter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// One reader's part of a round: `reads` entries of the table, each used outside the lock.
/// A round is every reader doing its part while the background writer works; its time is
/// the time the readers need to get their work done.
pub fn read_entries(table: &Mutex<Vec<u64>>, reader: usize, reads: usize) -> u64 {
    let mut sum = 0u64;
    for i in 0..reads {
        let value = table.lock().unwrap()[(i * 7 + reader) % SLOTS];
        sum = sum.wrapping_add(use_value(value));
    }
    sum
}
// ANCHOR_END: readers_while_writing

// ---------------------------------------------------------------------------------------
// Mutex or RwLock: one table behind different locks.

// ANCHOR: table
/// What a long read computes over the table: a checksum in which every step depends on the
/// one before (a multiply, a rotate), so that it takes microseconds of arithmetic on data
/// that stays in the L1 cache, whatever the memory of the machine is doing.
pub fn checksum(values: impl Iterator<Item = u64>) -> u64 {
    values.fold(0, |h, v| {
        (h ^ v).wrapping_mul(0x0100_0000_01b3).rotate_left(5)
    })
}

/// A table of `u64` shared by threads, behind some kind of lock (or none).
pub trait SharedTable: Sync {
    fn with_len(len: usize) -> Self;
    /// A long read: a checksum of the whole table, under one lock.
    fn checksum(&self) -> u64;
    /// A short read: one entry.
    fn get(&self, i: usize) -> u64;
    /// A write: adds to one entry.
    fn add(&self, i: usize, v: u64);
}

impl SharedTable for Mutex<Vec<u64>> {
    fn with_len(len: usize) -> Self {
        Mutex::new(vec![1; len])
    }
    fn checksum(&self) -> u64 {
        checksum(self.lock().unwrap().iter().copied())
    }
    fn get(&self, i: usize) -> u64 {
        self.lock().unwrap()[i]
    }
    fn add(&self, i: usize, v: u64) {
        let mut t = self.lock().unwrap();
        t[i] = t[i].wrapping_add(v);
    }
}

impl SharedTable for RwLock<Vec<u64>> {
    fn with_len(len: usize) -> Self {
        RwLock::new(vec![1; len])
    }
    fn checksum(&self) -> u64 {
        checksum(self.read().unwrap().iter().copied())
    }
    fn get(&self, i: usize) -> u64 {
        self.read().unwrap()[i]
    }
    fn add(&self, i: usize, v: u64) {
        let mut t = self.write().unwrap();
        t[i] = t[i].wrapping_add(v);
    }
}
// ANCHOR_END: table

// parking_lot's locks do not poison: no `unwrap`.
impl SharedTable for parking_lot::Mutex<Vec<u64>> {
    fn with_len(len: usize) -> Self {
        parking_lot::Mutex::new(vec![1; len])
    }
    fn checksum(&self) -> u64 {
        checksum(self.lock().iter().copied())
    }
    fn get(&self, i: usize) -> u64 {
        self.lock()[i]
    }
    fn add(&self, i: usize, v: u64) {
        let mut t = self.lock();
        t[i] = t[i].wrapping_add(v);
    }
}

impl SharedTable for parking_lot::RwLock<Vec<u64>> {
    fn with_len(len: usize) -> Self {
        parking_lot::RwLock::new(vec![1; len])
    }
    fn checksum(&self) -> u64 {
        checksum(self.read().iter().copied())
    }
    fn get(&self, i: usize) -> u64 {
        self.read()[i]
    }
    fn add(&self, i: usize, v: u64) {
        let mut t = self.write();
        t[i] = t[i].wrapping_add(v);
    }
}

// ANCHOR: atomic_table
/// No lock at all: every entry is an atomic. A single entry is read or updated
/// atomically, but `checksum` is not of a snapshot — entries may change while it runs — so this
/// only replaces a lock whose critical sections touch one entry.
pub struct AtomicTable(Vec<AtomicU64>);

impl SharedTable for AtomicTable {
    fn with_len(len: usize) -> Self {
        AtomicTable((0..len).map(|_| AtomicU64::new(1)).collect())
    }
    fn checksum(&self) -> u64 {
        checksum(self.0.iter().map(|v| v.load(Ordering::Relaxed)))
    }
    fn get(&self, i: usize) -> u64 {
        // Relaxed: the entry is an independent counter, nothing else is published with it.
        self.0[i].load(Ordering::Relaxed)
    }
    fn add(&self, i: usize, v: u64) {
        self.0[i].fetch_add(v, Ordering::Relaxed);
    }
}
// ANCHOR_END: atomic_table

/// How long a reader holds the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadKind {
    /// A checksum of the whole table.
    Long,
    /// Read one entry.
    Short,
}

// ANCHOR: contend
/// One worker's part of a round: `ops` operations on the table; every `write_every`-th
/// operation is a write, the others are reads.
pub fn operate<T: SharedTable>(
    table: &T,
    worker: usize,
    ops: usize,
    write_every: usize,
    read: ReadKind,
) -> u64 {
    let mut acc = 0u64;
    for i in 0..ops {
        let slot = (i * 31 + worker * 17) % SLOTS;
        if i % write_every == write_every - 1 {
            table.add(slot, 1);
        } else {
            acc = acc.wrapping_add(match read {
                ReadKind::Long => table.checksum(),
                ReadKind::Short => table.get(slot),
            });
        }
    }
    acc
}
// ANCHOR_END: contend

// ---------------------------------------------------------------------------------------
// Read-mostly configuration.

// ANCHOR: config
/// Configuration that many threads read on every request and that is rarely replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub max_connections: u64,
    pub timeout_ms: u64,
    pub banner: String,
}

impl Config {
    pub fn version(n: u64) -> Config {
        Config {
            max_connections: 100 + n,
            timeout_ms: 30_000,
            banner: format!("configuration version {n}"),
        }
    }
}

/// Where the current configuration lives: readers get a snapshot (an `Arc<Config>` or a
/// guard of one); a writer swaps in a new one.
pub trait ConfigCell: Sync {
    fn with_config(config: Config) -> Self;
    /// Reads a field of the current configuration.
    fn max_connections(&self) -> u64;
    fn replace(&self, config: Config);
}

impl ConfigCell for Mutex<Arc<Config>> {
    fn with_config(config: Config) -> Self {
        Mutex::new(Arc::new(config))
    }
    fn max_connections(&self) -> u64 {
        self.lock().unwrap().max_connections
    }
    fn replace(&self, config: Config) {
        *self.lock().unwrap() = Arc::new(config);
    }
}

impl ConfigCell for RwLock<Arc<Config>> {
    fn with_config(config: Config) -> Self {
        RwLock::new(Arc::new(config))
    }
    fn max_connections(&self) -> u64 {
        self.read().unwrap().max_connections
    }
    fn replace(&self, config: Config) {
        *self.write().unwrap() = Arc::new(config);
    }
}

/// arc-swap: `load` takes no lock and writes no shared counter in the common case; `store`
/// swaps the pointer and frees the old configuration once no reader holds it.
impl ConfigCell for ArcSwap<Config> {
    fn with_config(config: Config) -> Self {
        ArcSwap::from_pointee(config)
    }
    fn max_connections(&self) -> u64 {
        self.load().max_connections
    }
    fn replace(&self, config: Config) {
        self.store(Arc::new(config));
    }
}
// ANCHOR_END: config

/// One worker's part of a round: `ops` reads of the configuration; worker 0 also replaces
/// it every `replace_every` operations.
pub fn read_config<C: ConfigCell>(
    cell: &C,
    worker: usize,
    ops: usize,
    replace_every: usize,
) -> u64 {
    let mut acc = 0u64;
    for i in 0..ops {
        if worker == 0 && i % replace_every == replace_every - 1 {
            cell.replace(Config::version(i as u64));
        }
        acc = acc.wrapping_add(cell.max_connections());
    }
    acc
}

// ANCHOR: config_cached
/// The same reads through arc-swap's `Cache`, which a worker owns: it keeps the last `Arc`
/// it loaded and, on each read, only checks (one atomic load of the shared pointer)
/// whether the configuration was replaced since.
pub fn read_config_cached(
    cache: &mut Cache<Arc<ArcSwap<Config>>, Arc<Config>>,
    worker: usize,
    ops: usize,
    replace_every: usize,
) -> u64 {
    let mut acc = 0u64;
    for i in 0..ops {
        if worker == 0 && i % replace_every == replace_every - 1 {
            cache.arc_swap().store(Arc::new(Config::version(i as u64)));
        }
        acc = acc.wrapping_add(cache.load().max_connections);
    }
    acc
}
// ANCHOR_END: config_cached

// ---------------------------------------------------------------------------------------
// Collecting events from several threads: a lock per event, a channel, or batches.

/// The `i`-th event of worker `worker`: every event of a round is a distinct number, so
/// that a test can check that each arrived exactly once.
pub fn event(worker: usize, i: usize, per_worker: usize) -> u64 {
    (worker * per_worker + i) as u64
}

// ANCHOR: collect_events
/// A worker's events pushed into the shared log one at a time: one lock per event.
pub fn push_each(log: &Mutex<Vec<u64>>, worker: usize, events: usize) {
    for i in 0..events {
        log.lock().unwrap().push(event(worker, i, events));
    }
}

/// A worker's events sent one at a time down a channel to a collecting thread, which owns
/// the log: no lock in user code, but every `send` synchronizes with the receiver.
pub fn send_each(tx: &mpsc::Sender<u64>, worker: usize, events: usize) {
    for i in 0..events {
        // The collector receives until every event of the round has arrived: it is alive.
        tx.send(event(worker, i, events)).unwrap();
    }
}

/// The collecting thread's part: receives `events` events into its log.
pub fn receive(rx: &mpsc::Receiver<u64>, log: &mut Vec<u64>, events: usize) {
    log.extend(rx.iter().take(events));
}

/// A worker collects its events in a buffer of its own (kept from round to round) and
/// takes the lock once, to move them all into the log.
pub fn push_batch(
    log: &Mutex<Vec<u64>>,
    batch: &mut Vec<u64>,
    worker: usize,
    events: usize,
) {
    batch.extend((0..events).map(|i| event(worker, i, events)));
    // `append` leaves `batch` empty with its capacity: no allocation next round.
    log.lock().unwrap().append(batch);
}
// ANCHOR_END: collect_events

/// A crew collecting `THREADS` × `events` events per round into one log, one of three
/// ways; a round returns how many events arrived.
pub struct Collector {
    crew: Crew,
    /// The shared log of the lock-based collectors (the channel's collector owns its own).
    log: Option<Arc<Mutex<Vec<u64>>>>,
}

impl Collector {
    fn shared_log(events: usize) -> Arc<Mutex<Vec<u64>>> {
        Arc::new(Mutex::new(Vec::with_capacity(THREADS * events)))
    }

    pub fn mutex_push(events: usize) -> Collector {
        let log = Collector::shared_log(events);
        let crew = Crew::sharing(&log, THREADS, move |log, t| {
            push_each(log, t, events);
            0
        });
        Collector {
            crew,
            log: Some(log),
        }
    }

    pub fn batched(events: usize) -> Collector {
        let log = Collector::shared_log(events);
        let crew = Crew::start((0..THREADS).map(|t| {
            let log = Arc::clone(&log);
            let mut batch = Vec::with_capacity(events);
            move || {
                push_batch(&log, &mut batch, t, events);
                0
            }
        }));
        Collector {
            crew,
            log: Some(log),
        }
    }

    /// `THREADS` senders and one more thread, the collector: the channel's design needs it.
    pub fn channel(events: usize) -> Collector {
        let (tx, rx) = mpsc::channel();
        let mut jobs: Vec<Box<dyn FnMut() -> u64 + Send>> = Vec::new();
        for t in 0..THREADS {
            let tx = tx.clone();
            jobs.push(Box::new(move || {
                send_each(&tx, t, events);
                0
            }));
        }
        let mut log = Vec::with_capacity(THREADS * events);
        jobs.push(Box::new(move || {
            receive(&rx, &mut log, THREADS * events);
            let n = log.len() as u64;
            log.clear();
            n
        }));
        Collector {
            crew: Crew::start(jobs),
            log: None,
        }
    }

    /// One round; the shared log is emptied (keeping its capacity) for the next one.
    pub fn round(&self) -> u64 {
        let mut n = self.crew.round();
        if let Some(log) = &self.log {
            let mut log = log.lock().unwrap();
            n += log.len() as u64;
            log.clear();
        }
        n
    }
}

// ---------------------------------------------------------------------------------------
// The exercise: a memoizing cache that computes under its lock.

// ANCHOR: memo_inside_lock
/// A memo table whose `get_or_compute` holds the lock while it computes a missing value:
/// while one thread computes, every other thread waits, even for keys that are cached.
pub struct MemoInsideLock<K, V> {
    map: Mutex<HashMap<K, V>>,
}

impl<K: Hash + Eq + Clone, V: Clone> MemoInsideLock<K, V> {
    pub fn new() -> Self {
        MemoInsideLock {
            map: Mutex::new(HashMap::new()),
        }
    }

    pub fn get_or_compute(&self, key: &K, compute: impl FnOnce(&K) -> V) -> V {
        let mut map = self.map.lock().unwrap();
        if let Some(v) = map.get(key) {
            return v.clone();
        }
        let v = compute(key); // slow, and the lock is held
        map.insert(key.clone(), v.clone());
        v
    }
}
// ANCHOR_END: memo_inside_lock

impl<K: Hash + Eq + Clone, V: Clone> Default for MemoInsideLock<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

// ANCHOR: memo_check
/// The exercise's check, for any memo table with `MemoInsideLock`'s `get_or_compute`: the
/// lock is free while `compute` runs (`is_unlocked`, asked from inside it), a hit does not
/// compute again, two threads that miss the same key at the same time get the same value,
/// and four threads using the table at once get the right values.
pub fn check_memo<M: Sync>(
    memo: &M,
    get_or_compute: impl Fn(&M, &u64, &dyn Fn(&u64) -> u64) -> u64 + Sync,
    is_unlocked: impl Fn(&M) -> bool,
) {
    let v = get_or_compute(memo, &3, &|k| {
        // Another thread could use the table right now: nobody holds its lock.
        assert!(is_unlocked(memo), "the lock is held while compute runs");
        k * 10
    });
    assert_eq!(v, 30);
    assert_eq!(
        get_or_compute(memo, &3, &|_| unreachable!("a hit computed")),
        30
    );

    // Two threads miss key 7 together: each computation returns a value of its own and waits
    // (a while, not forever: a table that makes the second caller wait for the first is
    // right too) until the other has started. Both callers must get the same value.
    let started = AtomicU64::new(0);
    let compute = |_: &u64| {
        let value = 100 + started.fetch_add(1, Ordering::SeqCst);
        let deadline = Instant::now() + Duration::from_millis(200);
        while started.load(Ordering::SeqCst) < 2 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
        value
    };
    let (a, b) = thread::scope(|s| {
        let get = || get_or_compute(memo, &7, &compute);
        let (a, b) = (s.spawn(get), s.spawn(get));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert_eq!(
        a, b,
        "two callers that missed key 7 together got different values"
    );
    assert_eq!(
        get_or_compute(memo, &7, &|_| unreachable!("a hit computed")),
        a
    );

    thread::scope(|s| {
        for t in 0..4u64 {
            let get_or_compute = &get_or_compute;
            s.spawn(move || {
                for k in 10..110u64 {
                    let key = 10 + (k + t) % 50;
                    assert_eq!(get_or_compute(memo, &key, &|k| k * 10), key * 10);
                }
            });
        }
    });
}
// ANCHOR_END: memo_check

// ---------------------------------------------------------------------------------------

/// How long the writer of the `io_under_lock` group waits between two updates. With a
/// writer that updates back to back, a reader woken when the lock is released usually finds
/// it taken again (std's mutex is not fair): readers starve, and the time of a round jumped
/// between milliseconds and a hundred times that from one sample to the next.
pub const WRITER_GAP: Duration = Duration::from_micros(50);
/// Reads per reader in a round of the `io_under_lock` group.
pub const READS: usize = 1_000;
/// Readers in a round of the `io_under_lock` group (plus the background writer).
pub const READERS: usize = 2;

/// The work of a round of the `long_reads` and `short_sections` groups.
#[derive(Clone, Copy, Debug)]
pub struct TableWork {
    /// Entries of the table.
    pub len: usize,
    /// Operations per worker, with [`THREADS`] workers.
    pub ops: usize,
    pub write_every: usize,
    pub read: ReadKind,
}

/// Checksums of the whole table, one write in 100 operations.
pub const LONG_READS: TableWork = TableWork {
    len: SLOTS,
    ops: LONG_OPS,
    write_every: 100,
    read: ReadKind::Long,
};
/// Single entries, one write in 10 operations.
pub const SHORT_SECTIONS: TableWork = TableWork {
    len: SLOTS,
    ops: OPS_PER_THREAD,
    write_every: 10,
    read: ReadKind::Short,
};

impl TableWork {
    /// [`THREADS`] workers sharing a table of type `T`, each doing its `ops` per round.
    pub fn crew<T: SharedTable + Send + 'static>(self) -> Crew {
        let table = Arc::new(T::with_len(self.len));
        Crew::sharing(&table, THREADS, move |table, w| {
            operate(table, w, self.ops, self.write_every, self.read)
        })
    }

    /// The same round done by one worker alone, with no one to contend with: what a lock
    /// that lets one thread in at a time could at best achieve.
    pub fn one_worker<T: SharedTable + Send + 'static>(self) -> Crew {
        let table = Arc::new(T::with_len(self.len));
        Crew::sharing(&table, 1, move |table, _| {
            operate(table, 0, THREADS * self.ops, self.write_every, self.read)
        })
    }
}

/// How often worker 0 of the `config` group replaces the configuration.
pub const REPLACE_EVERY: usize = 1_000;

/// [`THREADS`] workers reading a configuration that worker 0 replaces once every
/// [`REPLACE_EVERY`] operations.
pub fn config_crew<C: ConfigCell + Send + 'static>() -> Crew {
    let cell = Arc::new(C::with_config(Config::version(0)));
    Crew::sharing(&cell, THREADS, |cell, w| {
        read_config(cell, w, OPS_PER_THREAD, REPLACE_EVERY)
    })
}

/// The same reads and replacements done by one worker alone, behind a mutex nobody else
/// takes.
pub fn config_one_worker() -> Crew {
    let cell = Arc::new(<Mutex<Arc<Config>>>::with_config(Config::version(0)));
    Crew::sharing(&cell, 1, |cell, _| {
        read_config(cell, 0, THREADS * OPS_PER_THREAD, THREADS * REPLACE_EVERY)
    })
}

/// The same with arc-swap's [`Cache`]: each worker keeps its own.
pub fn config_cached_crew() -> Crew {
    let cell = Arc::new(ArcSwap::from_pointee(Config::version(0)));
    Crew::start((0..THREADS).map(|w| {
        let mut cache = Cache::new(Arc::clone(&cell));
        move || read_config_cached(&mut cache, w, OPS_PER_THREAD, REPLACE_EVERY)
    }))
}

type StdMutex = Mutex<Vec<u64>>;
type StdRwLock = RwLock<Vec<u64>>;
type PlMutex = parking_lot::Mutex<Vec<u64>>;
type PlRwLock = parking_lot::RwLock<Vec<u64>>;
/// How a case starts its crew.
type TableCrew = fn(TableWork) -> Crew;
type NewCrew = fn() -> Crew;
type NewCollector = fn(usize) -> Collector;

// ANCHOR: cases
/// Every comparison the chapter shows: the criterion bench, the allocation pass and the
/// claims all read this one list. Every crew is started before its case is timed and
/// stopped after it; a call is one round.
pub fn cases<R: Runner>(r: &mut R) {
    // What a round costs with no work in it: releasing the workers and waiting for them.
    let mut g = r.group("round");
    let idle = Crew::start((0..THREADS).map(|_| || 0));
    g.case("empty", None, || idle.round());
    g.finish();
    drop(idle);

    // How long one update's I/O takes, alone: how long `io_inside_lock` holds the lock.
    let file =
        SlowIo::FileWrite(TempFile::new("io_under_lock").expect("a temporary file"));
    let file = Arc::new(file);
    let sleep = Arc::new(SlowIo::Sleep(Duration::from_micros(500)));
    let mut g = r.group("persist");
    for (label, io) in [("file_write", &file), ("sleep_500us", &sleep)] {
        let mut i = 0;
        g.case(label, None, || {
            i += 1;
            io.persist(i % SLOTS, i as u64).expect("persisting")
        });
    }
    g.finish();

    // A writer persisting updates in the background; two readers; how long the readers need.
    let mut g = r.group("io_under_lock");
    g.slow();
    g.throughput(Throughput::Elements((READERS * READS) as u64));
    for (label, io) in [("file_write", &file), ("sleep_500us", &sleep)] {
        let updates: [(&str, Update); 2] = [
            ("io_inside_lock", update_io_inside_lock),
            ("copy_then_io", update_copy_then_io),
        ];
        for (name, update) in updates {
            let table = Arc::new(Mutex::new(vec![0u64; SLOTS]));
            let _writer =
                BackgroundWriter::start(Arc::clone(&table), Arc::clone(io), update);
            let readers =
                Crew::sharing(&table, READERS, |table, r| read_entries(table, r, READS));
            g.case(name, Some(label), || readers.round());
        } // the readers, then the writer, stop here
    }
    g.finish();

    // Read-mostly, long critical sections, then short ones with more writes; the same
    // round done by one worker alone last.
    for (group, work) in [
        ("long_reads", LONG_READS),
        ("short_sections", SHORT_SECTIONS),
    ] {
        let mut g = r.group(group);
        g.slow();
        g.throughput(Throughput::Elements((THREADS * work.ops) as u64));
        let crews: [(&str, TableCrew); 6] = [
            ("std_mutex", TableWork::crew::<StdMutex>),
            ("std_rwlock", TableWork::crew::<StdRwLock>),
            ("parking_lot_mutex", TableWork::crew::<PlMutex>),
            ("parking_lot_rwlock", TableWork::crew::<PlRwLock>),
            ("atomics", TableWork::crew::<AtomicTable>),
            ("one_worker", TableWork::one_worker::<StdMutex>),
        ];
        for (name, start) in crews {
            if name == "atomics" && work.read == ReadKind::Long {
                continue; // an atomic sum is no snapshot: no substitute for a locked one
            }
            let crew = start(work);
            g.case(name, None, || crew.round());
        }
        g.finish();
    }

    // Configuration read on every operation, replaced once in 1,000 by one worker.
    let mut g = r.group("config");
    g.slow();
    g.throughput(Throughput::Elements((THREADS * OPS_PER_THREAD) as u64));
    let crews: [(&str, NewCrew); 5] = [
        ("mutex_arc", config_crew::<Mutex<Arc<Config>>>),
        ("rwlock_arc", config_crew::<RwLock<Arc<Config>>>),
        ("arc_swap", config_crew::<ArcSwap<Config>>),
        ("arc_swap_cache", config_cached_crew),
        ("one_worker", config_one_worker),
    ];
    for (name, start) in crews {
        let crew = start();
        g.case(name, None, || crew.round());
    }
    g.finish();

    // One thread, no contention: what the guard's unlock costs against a `drop` by hand.
    let mut g = r.group("defer");
    let counter = Mutex::new(0u64);
    g.case("guard_scope", None, || {
        add_guard_scope(black_box(&counter), 1)
    });
    g.case("explicit_drop", None, || {
        add_explicit_drop(black_box(&counter), 1)
    });
    g.finish();

    // Events from every worker into one log.
    let mut g = r.group("collect_events");
    g.slow();
    g.throughput(Throughput::Elements((THREADS * OPS_PER_THREAD) as u64));
    let collectors: [(&str, NewCollector); 3] = [
        ("mutex_push", Collector::mutex_push),
        ("channel", Collector::channel),
        ("batched", Collector::batched),
    ];
    for (name, start) in collectors {
        let collector = start(OPS_PER_THREAD);
        g.case(name, None, || collector.round());
    }
    g.finish();
}
// ANCHOR_END: cases

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn the_guard_and_the_drop_unlock_alike_and_the_scratch_file_goes() {
        let counter = Mutex::new(0);
        add_guard_scope(&counter, 2);
        add_explicit_drop(&counter, 3);
        assert_eq!(*counter.try_lock().expect("unlocked after both"), 5);

        assert_eq!(with_scratch_file("defer-test", b"12345").unwrap(), 5);
        let path = std::env::temp_dir()
            .join(format!("workshop-{}-defer-test", std::process::id()));
        assert!(!path.exists(), "defer! removed the scratch file");
    }

    #[test]
    fn a_round_runs_every_worker_once_and_sums_their_results() {
        let crew = Crew::start((1..=3u64).map(|t| move || t * 10));
        assert_eq!(crew.round(), 60);
        assert_eq!(crew.round(), 60);
    }

    #[test]
    fn the_workers_of_a_round_run_at_the_same_time() {
        // Each worker arrives, then waits until the other has arrived too: a round can only
        // finish if both are running during it.
        let arrived = Arc::new(AtomicUsize::new(0));
        let crew = Crew::sharing(&arrived, 2, |arrived, _| {
            arrived.fetch_add(1, Ordering::SeqCst);
            let start = Instant::now();
            while arrived.load(Ordering::SeqCst) % 2 != 0 {
                assert!(
                    start.elapsed() < Duration::from_secs(30),
                    "alone in the round"
                );
                std::hint::spin_loop();
            }
            1
        });
        for _ in 0..10 {
            assert_eq!(crew.round(), 2);
        }
    }

    #[test]
    fn a_panic_in_a_worker_reaches_the_caller_and_the_crew_still_stops() {
        let crew = Crew::start(
            (0..2).map(|t| move || if t == 1 { panic!("worker 1") } else { 0 }),
        );
        let caught = panic::catch_unwind(AssertUnwindSafe(|| crew.round()));
        assert!(caught.is_err());
        drop(crew); // joins both workers: the test would hang if it did not
    }

    #[test]
    fn both_updates_leave_the_same_table_and_record() {
        let io = SlowIo::FileWrite(TempFile::new("test_updates").unwrap());
        let (a, b) = (Mutex::new(vec![0; 4]), Mutex::new(vec![0; 4]));
        update_io_inside_lock(&a, &io, 2, 7).unwrap();
        update_copy_then_io(&b, &io, 2, 7).unwrap();
        assert_eq!(*a.lock().unwrap(), vec![0, 0, 7, 0]);
        assert_eq!(*a.lock().unwrap(), *b.lock().unwrap());
        let SlowIo::FileWrite(f) = &io else {
            unreachable!()
        };
        let written = std::fs::read(&f.path).unwrap();
        assert_eq!(written.len(), 64);
        assert_eq!(written[8..16], 7u64.to_le_bytes());
    }

    #[test]
    fn readers_finish_with_either_update() {
        let io = Arc::new(SlowIo::Sleep(Duration::from_micros(10)));
        for update in [update_io_inside_lock as Update, update_copy_then_io] {
            let table = Arc::new(Mutex::new(vec![0u64; SLOTS]));
            let writer =
                BackgroundWriter::start(Arc::clone(&table), Arc::clone(&io), update);
            let readers = Crew::sharing(&table, 2, |table, r| read_entries(table, r, 20));
            readers.round();
            // The writer writes value i to slot i: wait (on a busy machine, for a while)
            // until its second update has landed.
            let start = Instant::now();
            while table.lock().unwrap()[1] == 0 {
                assert!(
                    start.elapsed() < Duration::from_secs(30),
                    "the writer is stuck"
                );
                thread::sleep(Duration::from_millis(1));
            }
            drop(readers);
            drop(writer);
        }
    }

    fn writes_land<T: SharedTable + Send + 'static>() {
        let table = Arc::new(T::with_len(SLOTS));
        let total = |t: &T| (0..SLOTS).map(|i| t.get(i)).sum::<u64>();
        let before = total(&table);
        let crew =
            Crew::sharing(&table, 2, |t, w| operate(t, w, 1000, 10, ReadKind::Short));
        crew.round();
        // 2 workers × 100 writes of 1 each.
        assert_eq!(total(&table), before + 200);
        crew.round();
        assert_eq!(total(&table), before + 400);
    }

    #[test]
    fn every_table_counts_every_write() {
        writes_land::<Mutex<Vec<u64>>>();
        writes_land::<RwLock<Vec<u64>>>();
        writes_land::<parking_lot::Mutex<Vec<u64>>>();
        writes_land::<parking_lot::RwLock<Vec<u64>>>();
        writes_land::<AtomicTable>();
    }

    fn config_replaced<C: ConfigCell + Send + 'static>() {
        let cell = Arc::new(C::with_config(Config::version(0)));
        assert_eq!(cell.max_connections(), 100);
        let crew = Crew::sharing(&cell, 2, |c, w| read_config(c, w, 100, 10));
        crew.round();
        assert_eq!(cell.max_connections(), 100 + 99);
    }

    #[test]
    fn every_config_cell_sees_the_last_replacement() {
        config_replaced::<Mutex<Arc<Config>>>();
        config_replaced::<RwLock<Arc<Config>>>();
        config_replaced::<ArcSwap<Config>>();
    }

    #[test]
    fn every_event_is_collected_once() {
        let (workers, events) = (3, 500);
        let expected: Vec<u64> = (0..(workers * events) as u64).collect();

        let log = Mutex::new(Vec::new());
        thread::scope(|s| {
            for w in 0..workers {
                let log = &log;
                s.spawn(move || push_each(log, w, events));
            }
        });
        let mut pushed = log.into_inner().unwrap();
        pushed.sort_unstable();
        assert_eq!(pushed, expected);

        let log = Mutex::new(Vec::new());
        thread::scope(|s| {
            for w in 0..workers {
                let log = &log;
                s.spawn(move || {
                    let mut batch = Vec::new();
                    push_batch(log, &mut batch, w, events);
                    assert!(batch.is_empty());
                });
            }
        });
        let mut batched = log.into_inner().unwrap();
        batched.sort_unstable();
        assert_eq!(batched, expected);

        let (tx, rx) = mpsc::channel();
        let mut received = Vec::new();
        thread::scope(|s| {
            for w in 0..workers {
                let tx = tx.clone();
                s.spawn(move || send_each(&tx, w, events));
            }
            receive(&rx, &mut received, workers * events);
        });
        received.sort_unstable();
        assert_eq!(received, expected);
    }

    #[test]
    fn every_collector_gathers_a_full_round_every_round() {
        for start in [
            Collector::mutex_push,
            Collector::channel,
            Collector::batched,
        ] {
            let collector = start(300);
            for _ in 0..3 {
                assert_eq!(collector.round(), (THREADS * 300) as u64);
            }
        }
    }
}
