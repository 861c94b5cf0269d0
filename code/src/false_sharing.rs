//! Chapter "False sharing and contention": `src/memory/false-sharing.md`. Bench:
//! `benches/false_sharing.rs`.
//!
//! Every case is one round of work done by worker threads started before the case is timed
//! (the Locks chapter's [`Crew`], one worker per core), and each crew is started lazily, at
//! the case's first call (criterion's warm-up), so that a pass running one case starts only
//! that case's threads and builds only its input.

use std::cell::LazyCell;
use std::hash::{BuildHasher, BuildHasherDefault, Hash};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_utils::CachePadded;
use dashmap::DashMap;
use rustc_hash::{FxHashMap, FxHasher};

use workshop::locks::Crew;
use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "false_sharing";

/// Worker threads of a round: one per core of the measuring machine.
pub const THREADS: usize = 2;

/// The hasher of every map here (see Map keys and hashers), spelled so that it also names
/// rustc-hash 1's, which the snippet harness may find first.
type FxBuild = BuildHasherDefault<FxHasher>;

// ---------------------------------------------------------------------------------------
// What moving a line costs: a turn passed back and forth.

/// Round trips in one round of the `handoff` group.
pub const HANDOFFS: usize = 10_000;

// ANCHOR: handoff
/// Worker `t`'s part of a round of ping-pong: [`HANDOFFS`] times, wait until the turn is
/// its own (the value's parity), then pass it on. Each pass is one write to a line the
/// other core reads next, so one round trip is the line going from core to core twice.
pub fn pass_the_turn(turn: &AtomicU64, t: u64) -> u64 {
    for _ in 0..HANDOFFS {
        let mut spins = 0u32;
        let v = loop {
            let v = turn.load(Ordering::Acquire);
            if v % 2 == t {
                break v;
            }
            spins += 1;
            if spins < 1 << 16 {
                std::hint::spin_loop();
            } else {
                // The other worker is not running (the machine is busy): let it.
                std::thread::yield_now();
            }
        };
        turn.store(v + 1, Ordering::Release);
    }
    0
}
// ANCHOR_END: handoff

// ---------------------------------------------------------------------------------------
// Counters.

/// The values each worker of the `counters` group adds up: 2,048 of them (16 KiB, in its
/// L1 cache), gone through [`PASSES`] times, so that every load hits the cache, what a
/// round costs is the counting, and releasing the workers is a small part of it.
pub const INPUT_LEN: usize = 2048;
pub const PASSES: usize = 500;

/// A worker's input for the counters: small values, different for each worker.
pub fn input(worker: usize) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(31 + worker as u64);
    (0..INPUT_LEN).map(|_| rng.u64(1..1500)).collect()
}

// ANCHOR: count_into
/// What a worker does in the `counters` group: adds every value of its input to a counter
/// (think of bytes received, per request), one atomic add per value, as statistics code
/// does when every thread updates its counter as it goes.
pub fn count_into(counter: &AtomicU64, input: &[u64]) {
    for _ in 0..PASSES {
        for &v in input {
            counter.fetch_add(v, Ordering::Relaxed);
        }
    }
}
// ANCHOR_END: count_into

// ANCHOR: layouts
/// One counter per worker, side by side: 8 bytes apart, and the alignment puts both in one
/// 64-byte cache line.
#[repr(C, align(64))]
pub struct Adjacent {
    pub slots: [AtomicU64; THREADS],
}

/// One counter per worker, each alone in its own 64-byte line.
#[repr(align(64))]
pub struct OwnLine(pub AtomicU64);

/// One counter per worker, each in `crossbeam_utils::CachePadded`: 128 bytes apart on
/// x86-64, where crossbeam assumes Intel's spatial prefetcher, which fetches lines in pairs.
pub type Padded = [CachePadded<AtomicU64>; THREADS];
// ANCHOR_END: layouts

// ANCHOR: count_local
/// The same work, counted in a local variable and added to the shared counter once, at the
/// end: the loop touches no shared memory, and the compiler is free to vectorize it.
pub fn count_local(total: &AtomicU64, input: &[u64]) {
    let mut sum = 0u64;
    for _ in 0..PASSES {
        sum += input.iter().sum::<u64>();
    }
    total.fetch_add(sum, Ordering::Relaxed);
}
// ANCHOR_END: count_local

/// The inputs of the workers of one crew.
struct Inputs([Vec<u64>; THREADS]);

impl Inputs {
    fn new() -> Inputs {
        Inputs(std::array::from_fn(input))
    }
}

/// Workers counting their inputs into `counters`, worker `t` through `count(&counters, t, input)`.
fn counting_crew<C, F>(counters: C, count: F) -> Crew
where
    C: Send + Sync + 'static,
    F: Fn(&C, usize, &[u64]) + Send + Sync + 'static,
{
    let state = Arc::new((counters, Inputs::new()));
    Crew::sharing(&state, THREADS, move |(counters, inputs), t| {
        count(counters, t, &inputs.0[t]);
        0
    })
}

// ---------------------------------------------------------------------------------------
// Counting keys into a map.

/// Increments each worker makes in one round of the `map_counts` group, and how many
/// distinct keys there are: most increments find the key already there, and the counting,
/// not the merge of [`count_per_thread`], is most of a round.
pub const MAP_OPS: usize = 500_000;
pub const KEYS: usize = 4096;

/// A worker's keys for the map: [`MAP_OPS`] draws from the same [`KEYS`] keys.
pub fn keys(worker: usize) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(41 + worker as u64);
    let distinct: Vec<u64> = {
        let mut shared = fastrand::Rng::with_seed(40);
        (0..KEYS).map(|_| shared.u64(..)).collect()
    };
    (0..MAP_OPS).map(|_| distinct[rng.usize(..KEYS)]).collect()
}

// ANCHOR: sharded
/// Counts kept in `SHARDS` maps, each behind its own lock and in its own cache lines: a
/// key's hash picks its shard, so that two threads collide only when their keys fall in the
/// same shard.
pub struct Sharded<const SHARDS: usize> {
    shards: [CachePadded<Mutex<FxHashMap<u64, u64>>>; SHARDS],
}

impl<const SHARDS: usize> Sharded<SHARDS> {
    pub fn new() -> Self {
        Sharded {
            shards: std::array::from_fn(|_| CachePadded::new(Mutex::default())),
        }
    }

    pub fn increment(&self, key: u64) {
        // Bits 32 and up of the hash pick the shard: the map inside uses the low bits (its
        // buckets) and the top seven (its control bytes) of its own hash of the key.
        let hash = FxBuild::default().hash_one(key);
        let shard = (hash >> 32) as usize % SHARDS;
        *self.shards[shard].lock().unwrap().entry(key).or_insert(0) += 1;
    }
}
// ANCHOR_END: sharded

impl<const SHARDS: usize> Default for Sharded<SHARDS> {
    fn default() -> Self {
        Self::new()
    }
}

// ANCHOR: per_thread_map
/// Each worker counts into a map of its own and adds its counts to the shared map under one
/// lock, once per round. The local map keeps its keys from round to round (their counts go
/// back to zero), as every map here does, so that in every row an increment finds its key.
pub fn count_per_thread(
    shared: &Mutex<FxHashMap<u64, u64>>,
    local: &Mutex<FxHashMap<u64, u64>>,
    keys: &[u64],
) {
    // `local` is this worker's alone: its lock is never contended and costs two atomic
    // operations per round (the crew's jobs share their state, hence the lock).
    let mut local = local.lock().unwrap();
    for &k in keys {
        *local.entry(k).or_insert(0) += 1;
    }
    let mut shared = shared.lock().unwrap();
    for (&k, n) in local.iter_mut() {
        *shared.entry(k).or_insert(0) += std::mem::take(n);
    }
}
// ANCHOR_END: per_thread_map

// ANCHOR: rayon_fold
/// The same count as a rayon job: `fold` gives each piece of the work a map of its own,
/// `reduce` merges them. No state outlives the call: every map starts empty. `min_piece`
/// is the fewest keys rayon may give a piece (1: as it sees fit).
pub fn count_rayon(keys: &[u64], min_piece: usize) -> FxHashMap<u64, u64> {
    use rayon::prelude::*;
    keys.par_iter()
        .with_min_len(min_piece)
        .fold(FxHashMap::default, |mut counts, &k| {
            *counts.entry(k).or_insert(0) += 1;
            counts
        })
        .reduce(FxHashMap::default, merge_counts)
}

/// Adds the smaller map's counts into the larger.
pub fn merge_counts(
    a: FxHashMap<u64, u64>,
    b: FxHashMap<u64, u64>,
) -> FxHashMap<u64, u64> {
    let (mut a, b) = if a.len() < b.len() { (b, a) } else { (a, b) };
    for (k, n) in b {
        *a.entry(k).or_insert(0) += n;
    }
    a
}
// ANCHOR_END: rayon_fold

// ANCHOR: rayon_chunks
/// The same job with one piece per thread, each counted by a plain loop into a map that
/// stays in place: `fold` hands its map to the closure and takes it back for every key.
pub fn count_rayon_chunks(keys: &[u64], pieces: usize) -> FxHashMap<u64, u64> {
    use rayon::prelude::*;
    keys.par_chunks(keys.len().div_ceil(pieces).max(1))
        .map(count_keys_loop)
        .reduce(FxHashMap::default, merge_counts)
}

#[inline(never)]
pub fn count_keys_loop(keys: &[u64]) -> FxHashMap<u64, u64> {
    let mut counts = FxHashMap::default();
    for &k in keys {
        *counts.entry(k).or_insert(0) += 1;
    }
    counts
}

/// `count_keys_loop` written with `Iterator::fold`, as the rayon version is: for the machine code
/// (`cargo asm -p workshop --lib --profile asm workshop::false_sharing::count_keys_fold`).
#[inline(never)]
pub fn count_keys_fold(keys: &[u64]) -> FxHashMap<u64, u64> {
    keys.iter().fold(FxHashMap::default(), |mut counts, &k| {
        *counts.entry(k).or_insert(0) += 1;
        counts
    })
}
// ANCHOR_END: rayon_chunks

/// The keys of the workers of one crew.
struct Keys([Vec<u64>; THREADS]);

fn map_crew<M, F>(map: M, count: F) -> Crew
where
    M: Send + Sync + 'static,
    F: Fn(&M, usize, &[u64]) + Send + Sync + 'static,
{
    let state = Arc::new((map, Keys(std::array::from_fn(keys))));
    Crew::sharing(&state, THREADS, move |(map, keys), t| {
        count(map, t, &keys.0[t]);
        0
    })
}

// ---------------------------------------------------------------------------------------
// Scaling: the same sum from memory, from cache, and a computation, at one and two threads.

/// Values summed in one round of the `scaling` group, whatever their source: 16 Mi `u64`,
/// 128 MiB.
pub const SCALING_VALUES: usize = 16 << 20;
/// The buffer each worker sums again and again for the `cache` rows, and mixes for the
/// `compute` rows: 128 KiB, in the L2 cache of each core (not the L1).
pub const CACHED_VALUES: usize = 16 << 10;
/// Values each round of the `compute` rows mixes: a sixteenth as many, each through
/// [`MIX_ROUNDS`] rounds of arithmetic.
pub const COMPUTE_VALUES: usize = SCALING_VALUES / 16;
pub const MIX_ROUNDS: usize = 8;

// ANCHOR: sum_part
/// A worker's part of a sum over `values`: the `part`-th of `parts` equal slices.
pub fn sum_part(values: &[u64], part: usize, parts: usize) -> u64 {
    let len = values.len() / parts;
    values[part * len..(part + 1) * len].iter().sum()
}
// ANCHOR_END: sum_part

// ANCHOR: mix
/// The computation of the `compute` rows: every value goes through rounds of multiply and
/// xor-shift (splitmix64's finalizer), which depend on each other, so that the work is
/// arithmetic (the compiler vectorizes it over the values), not memory.
pub fn mix(mut v: u64) -> u64 {
    for _ in 0..MIX_ROUNDS {
        v ^= v >> 30;
        v = v.wrapping_mul(0xbf58_476d_1ce4_e5b9);
        v ^= v >> 27;
        v = v.wrapping_mul(0x94d0_49bb_1331_11eb);
        v ^= v >> 31;
    }
    v
}
// ANCHOR_END: mix

/// `passes` passes of `mix` over `values`, summed.
fn mix_passes(values: &[u64], passes: usize) -> u64 {
    (0..passes).fold(0u64, |acc, _| {
        values.iter().fold(acc, |acc, &v| acc.wrapping_add(mix(v)))
    })
}

/// A crew of `workers` threads dividing one round of `kind` between them.
fn scaling_crew(kind: Scaling, workers: usize, big: Option<Arc<Vec<u64>>>) -> Crew {
    Crew::start((0..workers).map(move |w| {
        let big = big.clone();
        let small = workshop::caches::values(CACHED_VALUES);
        move || match kind {
            Scaling::Memory => {
                let big = big.as_deref().expect("the memory rows sum the large array");
                sum_part(black_box(big), w, workers)
            }
            Scaling::Cache => {
                let passes = SCALING_VALUES / CACHED_VALUES / workers;
                (0..passes).fold(0u64, |acc, _| {
                    acc.wrapping_add(black_box(&small[..]).iter().sum::<u64>())
                })
            }
            Scaling::Compute => {
                mix_passes(black_box(&small), COMPUTE_VALUES / CACHED_VALUES / workers)
            }
        }
    }))
}

/// How a case's crew is started, at its first call.
type StartCrew = Box<dyn Fn() -> Crew>;

#[derive(Clone, Copy, PartialEq)]
enum Scaling {
    Memory,
    Cache,
    Compute,
}

// ---------------------------------------------------------------------------------------

/// Everything the chapter measures.
pub fn cases<R: Runner>(r: &mut R) {
    // What a round costs with no work in it: releasing the workers and waiting for them.
    let mut g = r.group("round");
    let idle = LazyCell::new(|| Crew::start((0..THREADS).map(|_| || 0)));
    g.case("empty", None, || idle.round());
    drop(idle);
    let alone = LazyCell::new(|| Crew::start([|| 0]));
    g.case("empty_one_worker", None, || alone.round());
    g.finish();
    drop(alone);

    // The latency of a cache line moving between the two cores.
    let mut g = r.group("handoff");
    g.slow();
    g.throughput(Throughput::Elements(HANDOFFS as u64));
    let crew = LazyCell::new(|| {
        let turn = Arc::new(CachePadded::new(AtomicU64::new(0)));
        Crew::sharing(&turn, THREADS, |turn, t| pass_the_turn(turn, t as u64))
    });
    g.case("ping_pong", None, || crew.round());
    g.finish();
    drop(crew);

    let mut g = r.group("counters");
    g.slow();
    g.throughput(Throughput::Elements((THREADS * PASSES * INPUT_LEN) as u64));
    {
        // ANCHOR: counter_crews
        let crews: [(&str, StartCrew); 6] = [
            (
                "shared",
                Box::new(|| {
                    counting_crew(AtomicU64::new(0), |c, _, input| count_into(c, input))
                }),
            ),
            (
                "adjacent",
                Box::new(|| {
                    let counters = Adjacent {
                        slots: std::array::from_fn(|_| AtomicU64::new(0)),
                    };
                    counting_crew(counters, |c, t, input| count_into(&c.slots[t], input))
                }),
            ),
            (
                "own_line",
                Box::new(|| {
                    let counters: [OwnLine; THREADS] =
                        std::array::from_fn(|_| OwnLine(AtomicU64::new(0)));
                    counting_crew(counters, |c, t, input| count_into(&c[t].0, input))
                }),
            ),
            (
                "cache_padded",
                Box::new(|| {
                    let counters: Padded =
                        std::array::from_fn(|_| CachePadded::default());
                    counting_crew(counters, |c, t, input| count_into(&c[t], input))
                }),
            ),
            (
                "local",
                Box::new(|| {
                    counting_crew(AtomicU64::new(0), |c, _, input| count_local(c, input))
                }),
            ),
            (
                "one_worker",
                Box::new(|| {
                    // Both inputs, one after the other, into one counter no one else touches.
                    let state = Arc::new((AtomicU64::new(0), Inputs::new()));
                    Crew::sharing(&state, 1, |(c, inputs), _| {
                        inputs.0.iter().for_each(|input| count_into(c, input));
                        0
                    })
                }),
            ),
        ];
        // ANCHOR_END: counter_crews
        for (name, start) in crews {
            let crew = LazyCell::new(start);
            g.case(name, None, || crew.round());
        }
    }
    g.finish();

    let mut g = r.group("map_counts");
    g.slow();
    g.throughput(Throughput::Elements((THREADS * MAP_OPS) as u64));
    {
        type Map = Mutex<FxHashMap<u64, u64>>;
        let crews: [(&str, StartCrew); 5] = [
            (
                "one_mutex",
                Box::new(|| {
                    map_crew(Map::default(), |m, _, keys| {
                        for &k in keys {
                            *m.lock().unwrap().entry(k).or_insert(0) += 1;
                        }
                    })
                }),
            ),
            (
                "sharded_16",
                Box::new(|| {
                    map_crew(Sharded::<16>::new(), |m, _, keys| {
                        keys.iter().for_each(|&k| m.increment(k))
                    })
                }),
            ),
            (
                "dashmap",
                Box::new(|| {
                    // As many shards as `sharded_16` (by default, four per CPU rounded up to
                    // a power of two: eight here).
                    let map: DashMap<u64, u64, FxBuild> =
                        DashMap::with_hasher_and_shard_amount(FxBuild::default(), 16);
                    map_crew(map, |m, _, keys| {
                        for &k in keys {
                            *m.entry(k).or_insert(0) += 1;
                        }
                    })
                }),
            ),
            (
                "per_thread",
                Box::new(|| {
                    // Each worker's map in lines of its own.
                    let locals: [CachePadded<Map>; THREADS] = Default::default();
                    map_crew((Map::default(), locals), |(shared, locals), t, keys| {
                        count_per_thread(shared, &locals[t], keys)
                    })
                }),
            ),
            (
                "one_worker",
                Box::new(|| {
                    let state = Arc::new((
                        Mutex::new(FxHashMap::default()),
                        Keys(std::array::from_fn(keys)),
                    ));
                    Crew::sharing(&state, 1, |(map, keys), _| {
                        let mut map = map.lock().unwrap();
                        for &k in keys.0.iter().flatten() {
                            *map.entry(k).or_insert(0) += 1;
                        }
                        0
                    })
                }),
            ),
        ];
        for (name, start) in crews {
            let crew = LazyCell::new(start);
            g.case(name, None, || crew.round());
        }
    }
    // The job done by rayon, on a pool of two threads started outside the timed calls; the
    // result map is freed outside them too.
    let rayon_input = LazyCell::new(|| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(THREADS)
            .build()
            .expect("a rayon pool");
        (pool, (0..THREADS).flat_map(keys).collect::<Vec<u64>>())
    });
    g.case_with_large_drop("rayon_fold", None, || {
        let (pool, keys) = &*rayon_input;
        pool.install(|| count_rayon(black_box(keys), 1))
    });
    // The same with one piece per thread: one map per thread, one merge.
    g.case_with_large_drop("rayon_fold_halves", None, || {
        let (pool, keys) = &*rayon_input;
        pool.install(|| count_rayon(black_box(keys), keys.len() / THREADS))
    });
    g.case_with_large_drop("rayon_chunks", None, || {
        let (pool, keys) = &*rayon_input;
        pool.install(|| count_rayon_chunks(black_box(keys), THREADS))
    });
    g.finish();
    drop(rayon_input);

    let mut g = r.group("scaling");
    g.slow();
    // One array for both memory rows, built at the first call of either.
    let big = LazyCell::new(|| Arc::new(workshop::caches::values(SCALING_VALUES)));
    for (label, kind) in [
        ("memory", Scaling::Memory),
        ("cache", Scaling::Cache),
        ("compute", Scaling::Compute),
    ] {
        let values = if kind == Scaling::Compute {
            COMPUTE_VALUES
        } else {
            SCALING_VALUES
        };
        g.throughput(Throughput::Elements(values as u64));
        for (name, workers) in [("one_thread", 1), ("two_threads", THREADS)] {
            let crew = LazyCell::new(|| {
                let big = (kind == Scaling::Memory).then(|| Arc::clone(&big));
                scaling_crew(kind, workers, big)
            });
            g.case(name, Some(label), || crew.round());
        }
    }
    g.finish();
}

// ---------------------------------------------------------------------------------------
// The exercise's check.

// ANCHOR: worker_counters_check
/// The exercise's check (`exercises/false_sharing.rs`): every worker's counter is in a cache
/// line of its own (no two slots in one 64-byte line), and the counts add up when the workers
/// count at the same time.
pub fn check_worker_counters<C: Sync>(
    new: fn(usize) -> C,
    slot: for<'a> fn(&'a C, usize) -> &'a AtomicU64,
    total: fn(&C) -> u64,
) {
    for workers in [1, 2, 3, 8, 17] {
        let counters = new(workers);
        let lines: Vec<usize> = (0..workers)
            .map(|w| std::ptr::from_ref(slot(&counters, w)).addr() / 64)
            .collect();
        for (a, line_a) in lines.iter().enumerate() {
            for (b, line_b) in lines.iter().enumerate().skip(a + 1) {
                assert_ne!(
                    line_a, line_b,
                    "with {workers} workers, the counters of workers {a} and {b} share a \
                     64-byte cache line"
                );
            }
        }
        std::thread::scope(|s| {
            for w in 0..workers {
                let counters = &counters;
                s.spawn(move || {
                    for n in 1..=1000 {
                        slot(counters, w).fetch_add(n, Ordering::Relaxed);
                    }
                });
            }
        });
        assert_eq!(
            total(&counters),
            workers as u64 * 500_500,
            "the total of {workers} workers that each added 1 to 1,000"
        );
    }
}
// ANCHOR_END: worker_counters_check

/// Counts by key, for the tests: the same for every way of counting.
pub fn expected_counts<K: Hash + Eq + Copy>(keys: &[K]) -> FxHashMap<K, u64> {
    let mut counts = FxHashMap::default();
    for &k in keys {
        *counts.entry(k).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::catch_unwind;

    #[test]
    fn the_layouts_are_what_the_chapter_says() {
        let adjacent = Adjacent {
            slots: [AtomicU64::new(0), AtomicU64::new(0)],
        };
        let addr = |a: &AtomicU64| std::ptr::from_ref(a).addr();
        assert_eq!(addr(&adjacent.slots[0]) / 64, addr(&adjacent.slots[1]) / 64);
        let own: [OwnLine; 2] = std::array::from_fn(|_| OwnLine(AtomicU64::new(0)));
        assert_eq!(addr(&own[1].0) - addr(&own[0].0), 64);
        let padded: Padded = Default::default();
        assert_eq!(addr(&padded[1]) - addr(&padded[0]), 128);
    }

    #[test]
    fn every_way_of_counting_counts_the_same() {
        let inputs = Inputs::new();
        let expected: u64 = inputs.0.iter().flatten().sum::<u64>() * PASSES as u64;
        let (a, b) = (AtomicU64::new(0), AtomicU64::new(0));
        inputs.0.iter().for_each(|i| count_into(&a, i));
        inputs.0.iter().for_each(|i| count_local(&b, i));
        assert_eq!(a.into_inner(), expected);
        assert_eq!(b.into_inner(), expected);

        let keys: Vec<Vec<u64>> = (0..THREADS).map(keys).collect();
        let expected = expected_counts(&keys.concat());
        let sharded = Sharded::<16>::new();
        let (shared, local) = (Mutex::default(), Mutex::default());
        for k in &keys {
            k.iter().for_each(|&k| sharded.increment(k));
            count_per_thread(&shared, &local, k);
        }
        let mut from_shards = FxHashMap::default();
        for shard in &sharded.shards {
            from_shards.extend(shard.lock().unwrap().drain());
        }
        assert_eq!(from_shards, expected);
        assert_eq!(shared.into_inner().unwrap(), expected);
        assert_eq!(count_rayon(&keys.concat(), 1), expected);
        assert_eq!(count_rayon(&keys.concat(), MAP_OPS), expected);
        assert_eq!(count_rayon_chunks(&keys.concat(), THREADS), expected);
        assert_eq!(count_keys_fold(&keys.concat()), expected);
    }

    #[test]
    fn two_workers_pass_the_turn_back_and_forth() {
        let turn = AtomicU64::new(0);
        std::thread::scope(|s| {
            s.spawn(|| pass_the_turn(&turn, 1));
            pass_the_turn(&turn, 0);
        });
        assert_eq!(turn.into_inner(), 2 * HANDOFFS as u64);
    }

    #[test]
    fn the_scaling_parts_cover_the_work() {
        let values: Vec<u64> = (0..1024).collect();
        let whole: u64 = values.iter().sum();
        assert_eq!(sum_part(&values, 0, 1), whole);
        assert_eq!(sum_part(&values, 0, 2) + sum_part(&values, 1, 2), whole);
        assert_eq!(SCALING_VALUES % (CACHED_VALUES * THREADS), 0);
        assert_eq!(COMPUTE_VALUES % (CACHED_VALUES * THREADS), 0);
    }

    /// A wrong answer: one counter per worker, side by side in a Vec.
    fn side_by_side(workers: usize) -> Vec<AtomicU64> {
        (0..workers).map(|_| AtomicU64::new(0)).collect()
    }

    fn side_by_side_slot(c: &[AtomicU64], w: usize) -> &AtomicU64 {
        &c[w]
    }

    fn total_of(c: &[AtomicU64]) -> u64 {
        c.iter().map(|a| a.load(Ordering::Relaxed)).sum()
    }

    /// Another: a single counter for every worker (the total is right, the line shared).
    fn one_counter(_: usize) -> AtomicU64 {
        AtomicU64::new(0)
    }

    fn the_one(c: &AtomicU64, _: usize) -> &AtomicU64 {
        c
    }

    #[test]
    fn the_exercise_check_passes_the_solution_and_fails_wrong_answers() {
        use workshop::solutions::false_sharing::WorkerCounters;
        check_worker_counters(
            WorkerCounters::new,
            WorkerCounters::slot,
            WorkerCounters::total,
        );
        assert!(
            catch_unwind(|| {
                check_worker_counters(
                    side_by_side,
                    |c, w| side_by_side_slot(c, w),
                    |c| total_of(c),
                )
            })
            .is_err(),
            "the check passed counters side by side in one line"
        );
        assert!(
            catch_unwind(|| check_worker_counters(one_counter, the_one, |c| c
                .load(Ordering::Relaxed)))
            .is_err(),
            "the check passed one counter shared by every worker"
        );
    }
}
