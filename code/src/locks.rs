//! Chapter "Locks": `src/techniques/locks.md`. Bench: `benches/locks.rs`.
//!
//! Every case is one round of work done by a few scoped threads: the machine this book is
//! measured on has 2 cores, so 2 to 4 threads are enough to contend and more would only
//! measure the scheduler.

use std::collections::HashMap;
use std::fs::File;
use std::hash::Hash;
use std::hint::black_box;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use std::thread;
use std::time::Duration;

use arc_swap::ArcSwap;

use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "locks";

/// Threads of the contention rounds: twice the cores of the measuring machine.
pub const THREADS: usize = 4;
/// Operations each thread performs in one round.
pub const OPS_PER_THREAD: usize = 10_000;
/// Entries of the shared table.
pub const SLOTS: usize = 1024;

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

/// One round: `readers` threads each read `reads` entries of the table, and use each one
/// outside the lock, while the background writer works. The time of a round is the time
/// the readers need to get their work done.
pub fn readers(table: &Mutex<Vec<u64>>, readers: usize, reads: usize) -> u64 {
    thread::scope(|s| {
        let handles: Vec<_> = (0..readers)
            .map(|r| {
                s.spawn(move || {
                    let mut sum = 0u64;
                    for i in 0..reads {
                        let value = table.lock().unwrap()[(i * 7 + r) % SLOTS];
                        sum = sum.wrapping_add(use_value(value));
                    }
                    sum
                })
            })
            .collect();
        handles
            .into_iter()
            .fold(0u64, |acc, h| acc.wrapping_add(h.join().unwrap()))
    })
}
// ANCHOR_END: readers_while_writing

// ---------------------------------------------------------------------------------------
// Mutex or RwLock: one table behind different locks.

// ANCHOR: table
/// A table of `u64` shared by threads, behind some kind of lock (or none).
pub trait SharedTable: Sync {
    fn with_len(len: usize) -> Self;
    /// A long read: sums the whole table under one lock.
    fn sum(&self) -> u64;
    /// A short read: one entry.
    fn get(&self, i: usize) -> u64;
    /// A write: adds to one entry.
    fn add(&self, i: usize, v: u64);
}

impl SharedTable for Mutex<Vec<u64>> {
    fn with_len(len: usize) -> Self {
        Mutex::new(vec![1; len])
    }
    fn sum(&self) -> u64 {
        self.lock()
            .unwrap()
            .iter()
            .fold(0, |a, &b| a.wrapping_add(b))
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
    fn sum(&self) -> u64 {
        self.read()
            .unwrap()
            .iter()
            .fold(0, |a, &b| a.wrapping_add(b))
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
    fn sum(&self) -> u64 {
        self.lock().iter().fold(0, |a, &b| a.wrapping_add(b))
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
    fn sum(&self) -> u64 {
        self.read().iter().fold(0, |a, &b| a.wrapping_add(b))
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
/// atomically, but `sum` is not a snapshot — entries may change while it runs — so this
/// only replaces a lock whose critical sections touch one entry.
pub struct AtomicTable(Vec<AtomicU64>);

impl SharedTable for AtomicTable {
    fn with_len(len: usize) -> Self {
        AtomicTable((0..len).map(|_| AtomicU64::new(1)).collect())
    }
    fn sum(&self) -> u64 {
        self.0
            .iter()
            .fold(0, |a, b| a.wrapping_add(b.load(Ordering::Relaxed)))
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
    /// Sum the whole table.
    Long,
    /// Read one entry.
    Short,
}

// ANCHOR: contend
/// One round: `threads` threads each perform `ops` operations on the table; every
/// `write_every`-th operation of a thread is a write, the others are reads.
pub fn contend<T: SharedTable>(
    table: &T,
    threads: usize,
    ops: usize,
    write_every: usize,
    read: ReadKind,
) -> u64 {
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut acc = 0u64;
                    for i in 0..ops {
                        let slot = (i * 31 + t * 17) % SLOTS;
                        if i % write_every == write_every - 1 {
                            table.add(slot, 1);
                        } else {
                            acc = acc.wrapping_add(match read {
                                ReadKind::Long => table.sum(),
                                ReadKind::Short => table.get(slot),
                            });
                        }
                    }
                    acc
                })
            })
            .collect();
        handles
            .into_iter()
            .fold(0u64, |a, h| a.wrapping_add(h.join().unwrap()))
    })
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

/// One round: `threads` threads each read the configuration `ops` times; thread 0 also
/// replaces it every `replace_every` operations.
pub fn read_config<C: ConfigCell>(
    cell: &C,
    threads: usize,
    ops: usize,
    replace_every: usize,
) -> u64 {
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut acc = 0u64;
                    for i in 0..ops {
                        if t == 0 && i % replace_every == replace_every - 1 {
                            cell.replace(Config::version(i as u64));
                        }
                        acc = acc.wrapping_add(cell.max_connections());
                    }
                    acc
                })
            })
            .collect();
        handles
            .into_iter()
            .fold(0u64, |a, h| a.wrapping_add(h.join().unwrap()))
    })
}

// ---------------------------------------------------------------------------------------
// Collecting events from several threads: a lock per event, a channel, or batches.

// ANCHOR: collect_events
/// Every event pushed into one shared `Vec` under a mutex: one lock per event.
pub fn events_mutex_push(threads: usize, per_thread: usize) -> Vec<u64> {
    let log = Mutex::new(Vec::with_capacity(threads * per_thread));
    thread::scope(|s| {
        for t in 0..threads {
            let log = &log;
            s.spawn(move || {
                for i in 0..per_thread {
                    log.lock().unwrap().push((t * per_thread + i) as u64);
                }
            });
        }
    });
    log.into_inner().unwrap()
}

/// Every event sent down a channel to one collecting thread, which owns the `Vec`: no lock
/// in user code, but the channel synchronizes each send and allocates its own blocks.
pub fn events_channel(threads: usize, per_thread: usize) -> Vec<u64> {
    let (tx, rx) = mpsc::channel();
    thread::scope(|s| {
        for t in 0..threads {
            let tx = tx.clone();
            s.spawn(move || {
                for i in 0..per_thread {
                    // The receiver lives until every sender is gone: send cannot fail.
                    tx.send((t * per_thread + i) as u64).unwrap();
                }
            });
        }
        drop(tx);
        let mut log = Vec::with_capacity(threads * per_thread);
        log.extend(rx);
        log
    })
}

/// Each thread collects its events locally and takes the lock once, to append them all.
pub fn events_batched(threads: usize, per_thread: usize) -> Vec<u64> {
    let log = Mutex::new(Vec::with_capacity(threads * per_thread));
    thread::scope(|s| {
        for t in 0..threads {
            let log = &log;
            s.spawn(move || {
                let batch: Vec<u64> = (0..per_thread)
                    .map(|i| (t * per_thread + i) as u64)
                    .collect();
                log.lock().unwrap().extend_from_slice(&batch);
            });
        }
    });
    log.into_inner().unwrap()
}
// ANCHOR_END: collect_events

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

// ANCHOR: memo_outside_lock
/// The solution: look up under the lock, release it, compute, then lock again to insert.
/// Two threads that miss the same key at once may both compute it; the first value
/// inserted wins, so every caller sees the same value.
pub struct MemoOutsideLock<K, V> {
    map: Mutex<HashMap<K, V>>,
}

impl<K: Hash + Eq + Clone, V: Clone> MemoOutsideLock<K, V> {
    pub fn new() -> Self {
        MemoOutsideLock {
            map: Mutex::new(HashMap::new()),
        }
    }

    pub fn get_or_compute(&self, key: &K, compute: impl FnOnce(&K) -> V) -> V {
        if let Some(v) = self.map.lock().unwrap().get(key) {
            return v.clone();
        } // the guard is a temporary of the `if let`: released here
        let v = compute(key); // no lock held
        self.map
            .lock()
            .unwrap()
            .entry(key.clone())
            .or_insert(v)
            .clone()
    }

    /// Whether the lock is free right now (for the test).
    pub fn is_unlocked(&self) -> bool {
        self.map.try_lock().is_ok()
    }
}
// ANCHOR_END: memo_outside_lock

impl<K: Hash + Eq + Clone, V: Clone> Default for MemoOutsideLock<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

// ---------------------------------------------------------------------------------------

/// How long the writer of the `io_under_lock` group waits between two updates. With a
/// writer that updates back to back, a reader woken when the lock is released usually finds
/// it taken again (std's mutex is not fair): readers starve, and the time of a round jumped
/// between milliseconds and a hundred times that from one sample to the next.
pub const WRITER_GAP: Duration = Duration::from_micros(50);
/// Reads per reader thread in a round of the `io_under_lock` group.
pub const READS: usize = 1_000;
/// Reader threads in a round of the `io_under_lock` group (plus one writer).
pub const READERS: usize = 2;

// ANCHOR: cases
/// Every comparison the chapter shows: the criterion bench, the allocation pass and the
/// claims all read this one list.
pub fn cases<R: Runner>(r: &mut R) {
    // A writer persisting updates in the background; two readers; how long the readers need.
    let mut g = r.group("io_under_lock");
    g.slow();
    g.throughput(Throughput::Elements((READERS * READS) as u64));
    let file =
        SlowIo::FileWrite(TempFile::new("io_under_lock").expect("a temporary file"));
    let file = Arc::new(file);
    let sleep = Arc::new(SlowIo::Sleep(Duration::from_micros(500)));
    for (label, io) in [("file_write", &file), ("sleep_500us", &sleep)] {
        let updates: [(&str, Update); 2] = [
            ("io_inside_lock", update_io_inside_lock),
            ("copy_then_io", update_copy_then_io),
        ];
        for (name, update) in updates {
            let table = Arc::new(Mutex::new(vec![0u64; SLOTS]));
            let _writer =
                BackgroundWriter::start(Arc::clone(&table), Arc::clone(io), update);
            g.case(name, Some(label), || readers(&table, READERS, READS));
        } // the writer stops here
    }
    g.finish();
    // ANCHOR_END: cases

    // ANCHOR: rwlock_cases
    // Read-mostly, long critical sections: sum the table; one write in 100 operations.
    let (threads, ops) = (THREADS, OPS_PER_THREAD);
    let mut g = r.group("long_reads");
    g.slow();
    g.throughput(Throughput::Elements((threads * ops) as u64));
    let (long, write_every) = (ReadKind::Long, 100);
    let t = <Mutex<Vec<u64>>>::with_len(SLOTS);
    g.case("std_mutex", None, || {
        contend(&t, threads, ops, write_every, long)
    });
    let t = <RwLock<Vec<u64>>>::with_len(SLOTS);
    g.case("std_rwlock", None, || {
        contend(&t, threads, ops, write_every, long)
    });
    let t = <parking_lot::Mutex<Vec<u64>>>::with_len(SLOTS);
    g.case("parking_lot_mutex", None, || {
        contend(&t, threads, ops, write_every, long)
    });
    let t = <parking_lot::RwLock<Vec<u64>>>::with_len(SLOTS);
    g.case("parking_lot_rwlock", None, || {
        contend(&t, threads, ops, write_every, long)
    });
    g.finish();

    // Short critical sections, writer pressure: one entry per read; one write in 10.
    let mut g = r.group("short_sections");
    g.slow();
    g.throughput(Throughput::Elements((threads * ops) as u64));
    let (short, write_every) = (ReadKind::Short, 10);
    let t = <Mutex<Vec<u64>>>::with_len(SLOTS);
    g.case("std_mutex", None, || {
        contend(&t, threads, ops, write_every, short)
    });
    let t = <RwLock<Vec<u64>>>::with_len(SLOTS);
    g.case("std_rwlock", None, || {
        contend(&t, threads, ops, write_every, short)
    });
    let t = <parking_lot::Mutex<Vec<u64>>>::with_len(SLOTS);
    g.case("parking_lot_mutex", None, || {
        contend(&t, threads, ops, write_every, short)
    });
    let t = <parking_lot::RwLock<Vec<u64>>>::with_len(SLOTS);
    g.case("parking_lot_rwlock", None, || {
        contend(&t, threads, ops, write_every, short)
    });
    let t = AtomicTable::with_len(SLOTS);
    g.case("atomics", None, || {
        contend(&t, threads, ops, write_every, short)
    });
    g.finish();
    // ANCHOR_END: rwlock_cases

    // ANCHOR: config_cases
    // Configuration read on every operation, replaced once in 1,000 by one thread.
    let mut g = r.group("config");
    g.slow();
    g.throughput(Throughput::Elements((threads * ops) as u64));
    let replace_every = 1_000;
    let c = <Mutex<Arc<Config>>>::with_config(Config::version(0));
    g.case("mutex_arc", None, || {
        read_config(&c, threads, ops, replace_every)
    });
    let c = <RwLock<Arc<Config>>>::with_config(Config::version(0));
    g.case("rwlock_arc", None, || {
        read_config(&c, threads, ops, replace_every)
    });
    let c = <ArcSwap<Config>>::with_config(Config::version(0));
    g.case("arc_swap", None, || {
        read_config(&c, threads, ops, replace_every)
    });
    g.finish();
    // ANCHOR_END: config_cases

    // ANCHOR: event_cases
    let mut g = r.group("collect_events");
    g.slow();
    g.throughput(Throughput::Elements((threads * ops) as u64));
    g.case("mutex_push", None, || events_mutex_push(threads, ops));
    g.case("channel", None, || events_channel(threads, ops));
    g.case("batched", None, || events_batched(threads, ops));
    g.finish();
    // ANCHOR_END: event_cases
}

#[cfg(test)]
mod tests {
    use super::*;

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
            readers(&table, 2, 20);
            // The writer writes value i to slot i: wait (on a busy machine, for a while)
            // until its second update has landed.
            let start = std::time::Instant::now();
            while table.lock().unwrap()[1] == 0 {
                assert!(
                    start.elapsed() < Duration::from_secs(30),
                    "the writer is stuck"
                );
                thread::sleep(Duration::from_millis(1));
            }
            drop(writer);
        }
    }

    fn writes_land<T: SharedTable>() {
        let t = T::with_len(SLOTS);
        let before = t.sum();
        contend(&t, 4, 1000, 10, ReadKind::Short);
        // 4 threads × 100 writes of 1 each.
        assert_eq!(t.sum(), before + 400);
        assert_eq!(t.get(0), t.get(0));
    }

    #[test]
    fn every_table_counts_every_write() {
        writes_land::<Mutex<Vec<u64>>>();
        writes_land::<RwLock<Vec<u64>>>();
        writes_land::<parking_lot::Mutex<Vec<u64>>>();
        writes_land::<parking_lot::RwLock<Vec<u64>>>();
        writes_land::<AtomicTable>();
    }

    fn config_replaced<C: ConfigCell>() {
        let c = C::with_config(Config::version(0));
        assert_eq!(c.max_connections(), 100);
        read_config(&c, 2, 100, 10);
        assert_eq!(c.max_connections(), 100 + 99);
    }

    #[test]
    fn every_config_cell_sees_the_last_replacement() {
        config_replaced::<Mutex<Arc<Config>>>();
        config_replaced::<RwLock<Arc<Config>>>();
        config_replaced::<ArcSwap<Config>>();
    }

    #[test]
    fn every_event_is_collected_once() {
        for collect in [events_mutex_push, events_channel, events_batched] {
            let mut log = collect(3, 500);
            log.sort_unstable();
            assert_eq!(log, (0..1500).collect::<Vec<u64>>());
        }
    }

    // ANCHOR: memo_test
    #[test]
    fn memo_computes_outside_its_lock() {
        let memo = MemoOutsideLock::new();
        let v = memo.get_or_compute(&3u64, |k| {
            // Another thread could use the cache right now: nobody holds its lock.
            assert!(memo.is_unlocked());
            k * 10
        });
        assert_eq!(v, 30);
        // A hit does not compute again.
        assert_eq!(memo.get_or_compute(&3, |_| unreachable!()), 30);

        // Both versions agree, from several threads at once.
        let inside = MemoInsideLock::new();
        thread::scope(|s| {
            for t in 0..4u64 {
                let (memo, inside) = (&memo, &inside);
                s.spawn(move || {
                    for k in 0..100u64 {
                        let key = (k + t) % 50;
                        assert_eq!(memo.get_or_compute(&key, |k| k * 10), key * 10);
                        assert_eq!(inside.get_or_compute(&key, |k| k * 10), key * 10);
                    }
                });
            }
        });
    }
    // ANCHOR_END: memo_test
}
