//! Chapter "Caches and access patterns": `src/memory/caches.md`. Bench: `benches/caches.rs`.
//! Cache-miss counts of the same cases: `cargo xtask figures caches`, which runs
//! `examples/counts.rs` under cachegrind.

use std::cell::LazyCell;
use std::collections::{BTreeMap, HashMap, LinkedList};
use std::hint::black_box;
use std::mem::size_of;

use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "caches";

// ANCHOR: chain
/// `usize`s per 64-byte cache line. The chain keeps one node per line, so that every step of
/// a walk loads a line that the step before did not.
const LINE_WORDS: usize = 64 / size_of::<usize>();

/// A cycle through every cache line of a buffer: `next[i]` is the index of the node after the
/// one at `i`. Walking it is a chain of dependent loads: the address of each load is the value
/// of the one before, so the processor cannot start a load before the previous one is done.
pub struct Chain {
    next: Vec<usize>,
}

impl Chain {
    /// The lines of a `bytes`-long buffer visited in a random order: no prefetcher can guess
    /// the next address, so each step costs the latency of wherever that line is.
    pub fn random(bytes: usize) -> Chain {
        let mut order: Vec<usize> = (0..bytes / 64).collect();
        // Line 0 stays first, where every walk starts.
        fastrand::Rng::with_seed(11).shuffle(&mut order[1..]);
        Chain::through(bytes, &order)
    }

    /// The same lines in address order: the same dependent loads, at addresses a prefetcher
    /// predicts.
    pub fn sequential(bytes: usize) -> Chain {
        let order: Vec<usize> = (0..bytes / 64).collect();
        Chain::through(bytes, &order)
    }

    fn through(bytes: usize, order: &[usize]) -> Chain {
        let mut next = vec![0; bytes / size_of::<usize>()];
        for (i, &line) in order.iter().enumerate() {
            let after = order[(i + 1) % order.len()];
            next[line * LINE_WORDS] = after * LINE_WORDS;
        }
        Chain { next }
    }
}

/// Follows the chain for `steps` loads from node `at` and returns the node it stopped at, where
/// the next call goes on: one call makes fewer loads than a large chain has lines, so each call
/// must start where the last one stopped for the walk to cover the whole working set.
pub fn chase(chain: &Chain, mut at: usize, steps: usize) -> usize {
    for _ in 0..steps {
        at = chain.next[at];
    }
    at
}
// ANCHOR_END: chain

/// Loads per call of a walk: enough that the call's own overhead vanishes, few enough that a
/// call from memory takes milliseconds.
pub const STEPS: usize = 1 << 16;

/// Working sets of the latency curve, in KiB: 16 KiB to 256 MiB, doubling.
pub fn working_sets_kib() -> impl Iterator<Item = usize> {
    (4..=18).map(|p| 1 << p)
}

/// `16KiB`, `1MiB`: the working set as the tables and case ids name it.
pub fn size_label(kib: usize) -> String {
    if kib >= 1024 {
        format!("{}MiB", kib / 1024)
    } else {
        format!("{kib}KiB")
    }
}

// ANCHOR: matrix
/// A square matrix stored row after row (row-major): element (row, col) is at
/// `row * n + col`, so the elements of one row are neighbours in memory and those of one column
/// are `n` elements apart.
pub struct Matrix<T> {
    n: usize,
    data: Vec<T>,
}

impl<T: Copy> Matrix<T> {
    pub fn from_fn(n: usize, mut f: impl FnMut(usize, usize) -> T) -> Matrix<T> {
        let data = (0..n * n).map(|i| f(i / n, i % n)).collect();
        Matrix { n, data }
    }

    pub fn n(&self) -> usize {
        self.n
    }

    pub fn get(&self, row: usize, col: usize) -> T {
        self.data[row * self.n + col]
    }

    /// One row, as a slice.
    pub fn row(&self, row: usize) -> &[T] {
        &self.data[row * self.n..][..self.n]
    }
}

/// Row by row: consecutive addresses, every byte of a cache line used before the next.
pub fn sum_row_major(m: &Matrix<u32>) -> u64 {
    let mut total = 0;
    for row in 0..m.n() {
        for col in 0..m.n() {
            total += u64::from(m.get(row, col));
        }
    }
    total
}

/// Column by column: the same additions, each load `n * 4` bytes after the one before.
pub fn sum_column_major(m: &Matrix<u32>) -> u64 {
    let mut total = 0;
    for col in 0..m.n() {
        for row in 0..m.n() {
            total += u64::from(m.get(row, col));
        }
    }
    total
}

/// Row by row through slices, the way the loop is usually written: no index arithmetic and
/// no bounds check per element.
pub fn sum_rows_iter(m: &Matrix<u32>) -> u64 {
    (0..m.n())
        .map(|row| m.row(row).iter().map(|&x| u64::from(x)).sum::<u64>())
        .sum()
}
// ANCHOR_END: matrix

/// A matrix of `n * n` values, the same for every order.
pub fn matrix(n: usize) -> Matrix<u32> {
    let mut rng = fastrand::Rng::with_seed(5);
    Matrix::from_fn(n, |_, _| rng.u32(..1000))
}

// ANCHOR: particles
/// An array of structs: each particle's fields side by side, 32 bytes per particle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Particle {
    pub position: [f32; 3],
    pub velocity: [f32; 3],
    pub charge: i32,
    pub id: u32,
}

/// A struct of arrays: the same particles, each field in a `Vec` of its own.
#[derive(Default)]
pub struct Particles {
    pub position: Vec<[f32; 3]>,
    pub velocity: Vec<[f32; 3]>,
    pub charge: Vec<i32>,
    pub id: Vec<u32>,
}

impl Particles {
    pub fn push(&mut self, p: Particle) {
        self.position.push(p.position);
        self.velocity.push(p.velocity);
        self.charge.push(p.charge);
        self.id.push(p.id);
    }
}

/// Reads one field of every particle: a 4-byte field out of each 32-byte struct.
pub fn total_charge_aos(particles: &[Particle]) -> i64 {
    particles.iter().map(|p| i64::from(p.charge)).sum()
}

/// The same sum over the `charge` column alone.
pub fn total_charge_soa(particles: &Particles) -> i64 {
    particles.charge.iter().map(|&c| i64::from(c)).sum()
}
// ANCHOR_END: particles

pub fn particles(n: usize) -> Vec<Particle> {
    let mut rng = fastrand::Rng::with_seed(3);
    (0..n)
        .map(|i| Particle {
            position: [rng.f32(), rng.f32(), rng.f32()],
            velocity: [rng.f32(), rng.f32(), rng.f32()],
            charge: rng.i32(-8..=8),
            id: i as u32,
        })
        .collect()
}

// ANCHOR: list
/// A singly linked list whose links can follow any order, not only the order in which its
/// nodes were allocated. Written by hand because `std::collections::LinkedList` links nodes
/// only as they are pushed, and this case needs a list whose order and addresses disagree, as
/// they do in a long-lived program that inserts in the middle.
pub struct List {
    head: Option<Box<Node>>,
}

struct Node {
    value: u64,
    next: Option<Box<Node>>,
}

impl List {
    /// Allocates one node per value, in order (so the allocator places them side by side),
    /// then links them in a random order.
    pub fn shuffled(values: &[u64]) -> List {
        let mut nodes: Vec<Box<Node>> = values
            .iter()
            .map(|&value| Box::new(Node { value, next: None }))
            .collect();
        fastrand::Rng::with_seed(13).shuffle(&mut nodes);
        let mut head = None;
        // Moving a `Box` moves the pointer, not the node: addresses stay where they were.
        for mut node in nodes.into_iter().rev() {
            node.next = head;
            head = Some(node);
        }
        List { head }
    }

    pub fn sum(&self) -> u64 {
        let mut total = 0;
        let mut node = self.head.as_deref();
        while let Some(n) = node {
            total += n.value;
            node = n.next.as_deref();
        }
        total
    }
}

impl Drop for List {
    // The derived drop would recurse once per node and overflow the stack on a long list.
    fn drop(&mut self) {
        let mut node = self.head.take();
        while let Some(mut n) = node {
            node = n.next.take();
        }
    }
}
// ANCHOR_END: list

/// The values every traversal sums.
pub fn values(n: usize) -> Vec<u64> {
    let mut rng = fastrand::Rng::with_seed(17);
    (0..n).map(|_| rng.u64(..1000)).collect()
}

/// Lookups per call of the small-map cases: more keys than a branch predictor can learn the
/// outcomes of, so that a branchy search is not flattered by the same keys coming round again.
pub const LOOKUPS: usize = 1 << 16;

/// `n` keys spread over the `u32` range, and the `LOOKUPS` keys (all present, in random order)
/// that every map is asked for.
pub fn map_keys(n: usize) -> (Vec<u32>, Vec<u32>) {
    let mut rng = fastrand::Rng::with_seed(19);
    let mut keys: Vec<u32> = (0..n).map(|_| rng.u32(..)).collect();
    keys.sort_unstable();
    keys.dedup();
    let wanted = (0..LOOKUPS)
        .map(|_| keys[rng.usize(..keys.len())])
        .collect();
    (keys, wanted)
}

// ANCHOR: small_maps
/// A sorted `Vec` of pairs searched by halving: `log2(n)` comparisons, in one allocation.
pub fn lookup_sorted(map: &[(u32, u32)], wanted: &[u32]) -> u64 {
    wanted
        .iter()
        .map(|k| match map.binary_search_by_key(k, |&(key, _)| key) {
            Ok(i) => u64::from(map[i].1),
            Err(_) => 0,
        })
        .sum()
}

/// Every pair compared in turn until the key is found.
pub fn lookup_linear(map: &[(u32, u32)], wanted: &[u32]) -> u64 {
    wanted
        .iter()
        .map(|k| {
            map.iter()
                .find(|(key, _)| key == k)
                .map_or(0, |&(_, v)| u64::from(v))
        })
        .sum()
}

pub fn lookup_hash<S: std::hash::BuildHasher>(
    map: &HashMap<u32, u32, S>,
    wanted: &[u32],
) -> u64 {
    wanted
        .iter()
        .map(|k| map.get(k).map_or(0, |&v| u64::from(v)))
        .sum()
}

pub fn lookup_btree(map: &BTreeMap<u32, u32>, wanted: &[u32]) -> u64 {
    wanted
        .iter()
        .map(|k| map.get(k).map_or(0, |&v| u64::from(v)))
        .sum()
}
// ANCHOR_END: small_maps

/// Sizes of the traversal cases: one whose data fits in a core's L2 cache in every form, and one
/// far beyond every cache.
pub const TRAVERSAL_SIZES: [usize; 2] = [10_000, 1_000_000];
/// Matrix sides: 256 × 256 `u32`s (256 KiB, within L2) and 4096 × 4096 (64 MiB).
pub const MATRIX_SIDES: [usize; 2] = [256, 4096];
/// Particle counts: 10,000 (320 KB of structs, within L2) and 2,000,000 (64 MB).
pub const PARTICLE_COUNTS: [usize; 2] = [10_000, 2_000_000];
/// Entries of the small maps.
pub const MAP_SIZES: [usize; 3] = [16, 256, 4096];

// ANCHOR: cases
/// Every comparison the chapter shows: the criterion bench, the allocation pass, the
/// cache-miss counts and the claims all read this one list. Inputs are built on a case's first
/// call (`LazyCell`), so a pass that runs only some cases builds only their inputs; the first
/// call is a warm-up in every pass, never timed or counted.
pub fn cases<R: Runner>(r: &mut R) {
    let mut g = r.group("latency");
    g.slow();
    g.throughput(Throughput::Elements(STEPS as u64));
    for kib in working_sets_kib() {
        let label = size_label(kib);
        let p = Some(label.as_str());
        let random = LazyCell::new(|| Chain::random(kib * 1024));
        let mut at = 0;
        g.case("random", p, || {
            at = chase(black_box(&random), at, STEPS);
            at
        });
        drop(random);
        let sequential = LazyCell::new(|| Chain::sequential(kib * 1024));
        let mut at = 0;
        g.case("sequential", p, || {
            at = chase(black_box(&sequential), at, STEPS);
            at
        });
    }
    g.finish();

    let mut g = r.group("traverse");
    g.slow();
    for n in MATRIX_SIDES {
        let label = n.to_string();
        let p = Some(label.as_str());
        let m = LazyCell::new(|| matrix(n));
        g.throughput(Throughput::Elements((n * n) as u64));
        g.case("row_major", p, || sum_row_major(black_box(&m)));
        g.case("column_major", p, || sum_column_major(black_box(&m)));
        g.case("rows_iter", p, || sum_rows_iter(black_box(&m)));
    }
    g.finish();

    let mut g = r.group("fields");
    g.slow();
    for n in PARTICLE_COUNTS {
        let label = n.to_string();
        let p = Some(label.as_str());
        let aos = LazyCell::new(|| particles(n));
        let soa = LazyCell::new(|| {
            let mut soa = Particles::default();
            particles(n).into_iter().for_each(|p| soa.push(p));
            soa
        });
        g.throughput(Throughput::Elements(n as u64));
        g.case("aos", p, || total_charge_aos(black_box(&aos)));
        g.case("soa", p, || total_charge_soa(black_box(&soa)));
    }
    g.finish();

    let mut g = r.group("pointers");
    g.slow();
    for n in TRAVERSAL_SIZES {
        let label = n.to_string();
        let p = Some(label.as_str());
        g.throughput(Throughput::Elements(n as u64));
        let vec = LazyCell::new(|| values(n));
        g.case("vec", p, || black_box(&*vec).iter().sum::<u64>());
        drop(vec);
        let boxes =
            LazyCell::new(|| values(n).into_iter().map(Box::new).collect::<Vec<_>>());
        g.case("boxes", p, || {
            black_box(&*boxes).iter().map(|b| **b).sum::<u64>()
        });
        let shuffled = LazyCell::new(|| {
            let mut boxes: Vec<Box<u64>> = values(n).into_iter().map(Box::new).collect();
            fastrand::Rng::with_seed(13).shuffle(&mut boxes);
            boxes
        });
        g.case("boxes_shuffled", p, || {
            black_box(&*shuffled).iter().map(|b| **b).sum::<u64>()
        });
        drop(shuffled);
        drop(boxes);
        let list = LazyCell::new(|| values(n).into_iter().collect::<LinkedList<u64>>());
        g.case("linked_list", p, || black_box(&*list).iter().sum::<u64>());
        drop(list);
        let shuffled_list = LazyCell::new(|| List::shuffled(&values(n)));
        g.case("list_shuffled", p, || black_box(&*shuffled_list).sum());
    }
    g.finish();

    let mut g = r.group("small_map");
    g.throughput(Throughput::Elements(LOOKUPS as u64));
    for n in MAP_SIZES {
        let label = n.to_string();
        let p = Some(label.as_str());
        let input = LazyCell::new(|| map_keys(n));
        let pairs =
            LazyCell::new(|| input.0.iter().map(|&k| (k, k ^ 1)).collect::<Vec<_>>());
        g.case("sorted_vec", p, || {
            lookup_sorted(black_box(&pairs), &input.1)
        });
        if n <= 256 {
            g.case("linear", p, || lookup_linear(black_box(&pairs), &input.1));
        }
        let sip = LazyCell::new(|| pairs.iter().copied().collect::<HashMap<_, _>>());
        g.case("hashmap", p, || lookup_hash(black_box(&sip), &input.1));
        drop(sip);
        let fx = LazyCell::new(|| {
            pairs
                .iter()
                .copied()
                .collect::<rustc_hash::FxHashMap<_, _>>()
        });
        g.case("fx_hashmap", p, || lookup_hash(black_box(&fx), &input.1));
        drop(fx);
        let btree = LazyCell::new(|| pairs.iter().copied().collect::<BTreeMap<_, _>>());
        g.case("btreemap", p, || lookup_btree(black_box(&btree), &input.1));
    }
    g.finish();
}
// ANCHOR_END: cases

// ANCHOR: column_sums
/// The sum of each column of `m`, one column after another: the exercise's starting point.
pub fn column_sums_by_column<T: Copy + Into<u64>>(m: &Matrix<T>) -> Vec<u64> {
    (0..m.n())
        .map(|col| (0..m.n()).map(|row| m.get(row, col).into()).sum())
        .collect()
}
// ANCHOR_END: column_sums

// ANCHOR: column_check
/// An element that records its visit: converting one to `u64` (the only way to add it up) logs
/// its value, and the check's matrix holds each element's own position, `row * n + col`.
#[derive(Clone, Copy)]
pub struct Visit(u32);

thread_local! {
    static VISITS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl From<Visit> for u64 {
    fn from(v: Visit) -> u64 {
        VISITS.with(|log| log.borrow_mut().push(v.0));
        u64::from(v.0)
    }
}

/// The exercise's check (`tests/exercise_caches.rs`, which runs dhat): the sums are right, every
/// element was added up once, in the order the matrix stores them, and the answer allocated no
/// more than its own sums (so that copying the matrix and walking the copy by columns does not
/// pass).
pub fn check_column_sums(column_sums: fn(&Matrix<Visit>) -> Vec<u64>) {
    for n in [1, 3, 64] {
        let m = Matrix::from_fn(n, |row, col| Visit((row * n + col) as u32));
        VISITS.with(|log| log.borrow_mut().clear());
        VISITS.with(|log| log.borrow_mut().reserve(n * n));
        let before = dhat::HeapStats::get();
        let sums = column_sums(&m);
        let after = dhat::HeapStats::get();
        let visits = VISITS.with(|log| log.take());
        let bytes = after.total_bytes - before.total_bytes;
        assert!(
            bytes <= (n * size_of::<u64>()) as u64,
            "the column sums of a {n} × {n} matrix allocated {bytes} bytes: the sums need {}",
            n * size_of::<u64>()
        );
        let expected: Vec<u64> = (0..n)
            .map(|col| (0..n).map(|row| (row * n + col) as u64).sum())
            .collect();
        assert_eq!(sums, expected, "the column sums of a {n} × {n} matrix");
        let in_order: Vec<u32> = (0..(n * n) as u32).collect();
        assert!(
            visits == in_order,
            "a {n} × {n} matrix was read in the order {:?}…: each element once, row after row, \
             is the order it is stored in",
            &visits[..visits.len().min(8)]
        );
    }
}
// ANCHOR_END: column_check

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_visits_every_line_once_per_cycle() {
        for chain in [Chain::random(64 * 100), Chain::sequential(64 * 100)] {
            let mut seen = std::collections::HashSet::new();
            let mut at = 0;
            for _ in 0..100 {
                assert!(seen.insert(at), "line {} visited twice", at / LINE_WORDS);
                at = chain.next[at];
            }
            assert_eq!(at, 0, "after 100 steps the walk is back at the start");
            assert_eq!(chase(&chain, 0, 100), 0);
            let half = chase(&chain, 0, 50);
            assert_ne!(half, 0);
            assert_eq!(
                chase(&chain, half, 50),
                0,
                "a walk goes on where the last one stopped"
            );
        }
    }

    #[test]
    fn every_traversal_computes_the_same_total() {
        let m = matrix(37);
        let expected: u64 = m.data.iter().map(|&x| u64::from(x)).sum();
        assert_eq!(sum_row_major(&m), expected);
        assert_eq!(sum_column_major(&m), expected);
        assert_eq!(sum_rows_iter(&m), expected);

        let ps = particles(1000);
        let mut soa = Particles::default();
        ps.iter().for_each(|&p| soa.push(p));
        assert_eq!(total_charge_aos(&ps), total_charge_soa(&soa));
        assert_eq!(size_of::<Particle>(), 32, "the chapter says 32 bytes");

        let v = values(1000);
        let expected: u64 = v.iter().sum();
        assert_eq!(List::shuffled(&v).sum(), expected);
    }

    #[test]
    fn every_small_map_finds_the_same_values() {
        for n in MAP_SIZES {
            let (keys, wanted) = map_keys(n);
            let pairs: Vec<(u32, u32)> = keys.iter().map(|&k| (k, k ^ 1)).collect();
            let expected = lookup_linear(&pairs, &wanted);
            assert!(expected > 0);
            assert_eq!(lookup_sorted(&pairs, &wanted), expected);
            let sip: HashMap<u32, u32> = pairs.iter().copied().collect();
            assert_eq!(lookup_hash(&sip, &wanted), expected);
            let btree: BTreeMap<u32, u32> = pairs.iter().copied().collect();
            assert_eq!(lookup_btree(&btree, &wanted), expected);
        }
    }
}
