//! The parallel merge sort that runs through four chapters: Threads and tasks, Tracing,
//! Thread count and Allocators. The program is `examples/mergesort.rs`:
//!
//! ```console
//! $ cargo run --release -p workshop --example mergesort -- v3 --threads 2 --len 10000000
//! ```
//!
//! The seed's Go program has three versions. `v1` starts two goroutines at every split,
//! down to single elements; `v2` sorts sequentially below a cutoff of 2^11 elements and
//! starts two goroutines per split above it; `v3` starts one goroutine per split and
//! sorts the other half itself. Its `merge` allocates a helper slice on every call; so do
//! the ports here, because the Allocators chapter measures allocators on exactly that
//! workload. Beside them sit what a Rust programmer would write: `rayon::join` with a
//! cutoff and one scratch buffer, rayon's `par_sort` and `par_sort_unstable`, and the
//! standard library's `slice::sort` and `slice::sort_unstable`.
//!
//! Above the cutoff each version opens `tracing` spans ("sort", "merge") with the length
//! as a field, so that a trace shows the shape of the recursion, and one span for each
//! piece at the cutoff ("sequential"; "subtree" in `v1`, which stays parallel below it).
//! Inside those no span is opened, which keeps a trace of a million elements small. With
//! no subscriber installed a span costs a check or two of cached state (the Tracing
//! chapter measures it).

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::slice::ParallelSliceMut;

/// Below this length `v2`, `v3` and `rayon_join` sort sequentially: the seed's `max`,
/// 2^11.
pub const CUTOFF: usize = 1 << 11;

/// `v1-threads` starts about two OS threads per element; the program refuses longer
/// inputs. Measured here: 2^14 elements start 32,766 threads and finish; at 2^15 the
/// process runs out of memory mappings (`vm.max_map_count`) and the runtime aborts —
/// an abort, not an error this code could catch.
pub const V1_THREADS_MAX_LEN: usize = 1 << 14;

/// The program's default input length.
pub const DEFAULT_LEN: usize = 1_000_000;

/// The longest input the program accepts (2 GiB of numbers, twice that while v1-v3
/// merge): above it a typo would end in an allocation failure, not a message.
pub const MAX_LEN: usize = 1 << 28;

/// More threads than this is a typo, not an experiment.
pub const MAX_THREADS: usize = 1024;

/// The program's default seed for the input.
pub const DEFAULT_SEED: u64 = 42;

/// `len` pseudo-random `i64`s, the same for the same seed.
pub fn input(len: usize, seed: u64) -> Vec<i64> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len).map(|_| rng.i64(..)).collect()
}

// ANCHOR: merge
/// The seed's merge: copy the whole slice into a fresh helper, then merge the two sorted
/// halves of the helper back into `s`. One allocation per call, as in Go.
pub fn merge(s: &mut [i64], middle: usize) {
    let helper = s.to_vec();
    merge_halves(&helper, middle, s);
}

/// Merges `helper[..middle]` and `helper[middle..]` (each sorted) into `out`. Like the
/// seed, it stops when the left half runs out: what is left of the right half is already
/// in place, because `out` held the same elements as `helper`.
fn merge_halves(helper: &[i64], middle: usize, out: &mut [i64]) {
    let (mut left, mut right, mut current) = (0, middle, 0);
    while left < middle && right < helper.len() {
        if helper[left] <= helper[right] {
            out[current] = helper[left];
            left += 1;
        } else {
            out[current] = helper[right];
            right += 1;
        }
        current += 1;
    }
    let rest = middle - left;
    out[current..current + rest].copy_from_slice(&helper[left..middle]);
}
// ANCHOR_END: merge

// ANCHOR: merge_with
/// The same merge into a scratch buffer the caller owns (as long as `s`): no allocation.
pub fn merge_with(s: &mut [i64], middle: usize, scratch: &mut [i64]) {
    scratch.copy_from_slice(s);
    merge_halves(scratch, middle, s);
}
// ANCHOR_END: merge_with

// ANCHOR: sequential
/// The seed's `sequentialMergesort`: split, sort both halves, merge (allocating).
pub fn sequential(s: &mut [i64]) {
    if s.len() > 1 {
        let middle = s.len() / 2;
        let (left, right) = s.split_at_mut(middle);
        sequential(left);
        sequential(right);
        merge(s, middle);
    }
}
// ANCHOR_END: sequential

/// The sequential sort with one scratch buffer as long as `s`.
pub fn sequential_with(s: &mut [i64], scratch: &mut [i64]) {
    if s.len() > 1 {
        let middle = s.len() / 2;
        {
            let (left, right) = s.split_at_mut(middle);
            let (scratch_left, scratch_right) = scratch.split_at_mut(middle);
            sequential_with(left, scratch_left);
            sequential_with(right, scratch_right);
        }
        merge_with(s, middle, scratch);
    }
}

/// A leaf below the cutoff: one span for the whole sequential sort, none inside it.
fn sequential_leaf(s: &mut [i64]) {
    let _span = ::tracing::info_span!("sequential", len = s.len()).entered();
    sequential(s);
}

/// The merge above the cutoff, in a span of its own.
fn merge_traced(s: &mut [i64], middle: usize) {
    let _span = ::tracing::info_span!("merge", len = s.len()).entered();
    merge(s, middle);
}

// ANCHOR: v1_threads
/// `v1` with OS threads: two new threads at every split, down to single elements, which
/// is what the seed's goroutines become if you translate them to threads. Counts the
/// threads it starts in `started`. Fails (instead of panicking) when the system refuses a
/// thread; only usable on small inputs.
pub fn v1_threads(s: &mut [i64], started: &AtomicUsize) -> io::Result<()> {
    if s.len() <= 1 {
        return Ok(());
    }
    let middle = s.len() / 2;
    let (left, right) = s.split_at_mut(middle);
    std::thread::scope(|scope| -> io::Result<()> {
        // A small stack: each thread only recurses once and merges on the heap.
        let builder = || std::thread::Builder::new().stack_size(64 * 1024);
        let l = builder().spawn_scoped(scope, || v1_threads(left, started))?;
        started.fetch_add(1, Ordering::Relaxed);
        let r = builder().spawn_scoped(scope, || v1_threads(right, started))?;
        started.fetch_add(1, Ordering::Relaxed);
        let joined = |h: std::thread::ScopedJoinHandle<'_, io::Result<()>>| {
            h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        };
        joined(l)?;
        joined(r)
    })?;
    merge(s, middle);
    Ok(())
}
// ANCHOR_END: v1_threads

// ANCHOR: v1
/// The seed's `v1` on rayon: both halves in parallel at every split, down to single
/// elements. `rayon::join` does not start threads; it offers the second half to the
/// pool's idle threads to steal, so this survives where `v1_threads` does not.
pub fn v1(s: &mut [i64]) {
    if s.len() <= CUTOFF {
        // Spans stop here: one per element would drown the trace. The recursion does not.
        let _span = ::tracing::info_span!("subtree", len = s.len()).entered();
        v1_untraced(s);
        return;
    }
    let _span = ::tracing::info_span!("sort", len = s.len()).entered();
    let middle = s.len() / 2;
    let (left, right) = s.split_at_mut(middle);
    rayon::join(|| v1(left), || v1(right));
    merge_traced(s, middle);
}

/// `v1` below the cutoff: the same recursion, parallel down to single elements, with no
/// spans.
fn v1_untraced(s: &mut [i64]) {
    if s.len() > 1 {
        let middle = s.len() / 2;
        let (left, right) = s.split_at_mut(middle);
        rayon::join(|| v1_untraced(left), || v1_untraced(right));
        merge(s, middle);
    }
}
// ANCHOR_END: v1

// ANCHOR: v2
/// The seed's `v2`: sequential below the cutoff; above it, both halves are spawned as
/// tasks and the caller waits for them (in rayon, the waiting thread runs tasks too).
pub fn v2(s: &mut [i64]) {
    if s.len() <= CUTOFF {
        sequential_leaf(s);
        return;
    }
    let _span = ::tracing::info_span!("sort", len = s.len()).entered();
    let middle = s.len() / 2;
    let (left, right) = s.split_at_mut(middle);
    rayon::scope(|scope| {
        scope.spawn(|_| v2(left));
        scope.spawn(|_| v2(right));
    });
    merge_traced(s, middle);
}
// ANCHOR_END: v2

// ANCHOR: v3
/// The seed's `v3`: sequential below the cutoff; above it, one half is offered to other
/// threads and the current thread sorts the other — exactly the shape of `rayon::join`.
pub fn v3(s: &mut [i64]) {
    if s.len() <= CUTOFF {
        sequential_leaf(s);
        return;
    }
    let _span = ::tracing::info_span!("sort", len = s.len()).entered();
    let middle = s.len() / 2;
    let (left, right) = s.split_at_mut(middle);
    rayon::join(|| v3(left), || v3(right));
    merge_traced(s, middle);
}
// ANCHOR_END: v3

// ANCHOR: rayon_join
/// What you would write in Rust: `v3`'s shape with one scratch buffer for the whole sort,
/// split alongside the data, so that no merge allocates.
pub fn rayon_join(s: &mut [i64]) {
    let mut scratch = vec![0; s.len()];
    rayon_join_with(s, &mut scratch);
}

fn rayon_join_with(s: &mut [i64], scratch: &mut [i64]) {
    if s.len() <= CUTOFF {
        let _span = ::tracing::info_span!("sequential", len = s.len()).entered();
        sequential_with(s, scratch);
        return;
    }
    let _span = ::tracing::info_span!("sort", len = s.len()).entered();
    let middle = s.len() / 2;
    {
        let (left, right) = s.split_at_mut(middle);
        let (scratch_left, scratch_right) = scratch.split_at_mut(middle);
        rayon::join(
            || rayon_join_with(left, scratch_left),
            || rayon_join_with(right, scratch_right),
        );
    }
    let _merge = ::tracing::info_span!("merge", len = s.len()).entered();
    merge_with(s, middle, scratch);
}
// ANCHOR_END: rayon_join

// ANCHOR: library_sorts
/// rayon's parallel stable sort (a merge sort, on the current pool).
pub fn par_sort(s: &mut [i64]) {
    s.par_sort();
}

/// rayon's parallel unstable sort (a parallel pattern-defeating quicksort).
pub fn par_sort_unstable(s: &mut [i64]) {
    s.par_sort_unstable();
}

/// The standard library's stable sort on one thread: the sequential baseline.
pub fn std_sort(s: &mut [i64]) {
    s.sort();
}

/// The standard library's unstable sort on one thread. Equal `i64`s cannot be told
/// apart, so for them stability buys nothing: this is the sequential sort to beat.
pub fn std_sort_unstable(s: &mut [i64]) {
    s.sort_unstable();
}
// ANCHOR_END: library_sorts

// ANCHOR: pool
/// The analogue of `GOMAXPROCS=n`: a rayon pool of exactly `threads` threads. The rayon
/// versions run inside it with `pool.install(..)`. Named threads show up by name in a
/// trace.
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("rayon-worker-{i}"))
        .build()
        .map_err(|e| format!("cannot start a pool of {threads} threads: {e}"))
}
// ANCHOR_END: pool

/// Which sort to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V1,
    V1Threads,
    V2,
    V3,
    Rayon,
    ParSort,
    ParSortUnstable,
    Std,
    StdUnstable,
}

impl Version {
    pub const ALL: [Version; 9] = [
        Version::V1,
        Version::V1Threads,
        Version::V2,
        Version::V3,
        Version::Rayon,
        Version::ParSort,
        Version::ParSortUnstable,
        Version::Std,
        Version::StdUnstable,
    ];

    /// The name on the command line and in the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Version::V1 => "v1",
            Version::V1Threads => "v1-threads",
            Version::V2 => "v2",
            Version::V3 => "v3",
            Version::Rayon => "rayon",
            Version::ParSort => "par-sort",
            Version::ParSortUnstable => "par-sort-unstable",
            Version::Std => "std",
            Version::StdUnstable => "std-unstable",
        }
    }

    pub fn from_name(name: &str) -> Option<Version> {
        Version::ALL.into_iter().find(|v| v.name() == name)
    }

    /// The sort itself, for every version but `v1-threads` (which needs a counter).
    pub fn sort_fn(self) -> Option<fn(&mut [i64])> {
        match self {
            Version::V1 => Some(v1),
            Version::V1Threads => None,
            Version::V2 => Some(v2),
            Version::V3 => Some(v3),
            Version::Rayon => Some(rayon_join),
            Version::ParSort => Some(par_sort),
            Version::ParSortUnstable => Some(par_sort_unstable),
            Version::Std => Some(std_sort),
            Version::StdUnstable => Some(std_sort_unstable),
        }
    }
}

pub const USAGE: &str = "usage: mergesort \
    <v1|v1-threads|v2|v3|rayon|par-sort|par-sort-unstable|std|std-unstable> \
    [--len N] [--threads N] [--trace FILE] [--json] [--seed N]";

/// The program's command line, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    pub version: Version,
    /// How many numbers to sort.
    pub len: usize,
    /// Threads of the rayon pool the sort runs in.
    pub threads: usize,
    /// Write a Chrome/Perfetto trace here.
    pub trace: Option<PathBuf>,
    /// One line of JSON instead of a sentence.
    pub json: bool,
    /// Seed of the pseudo-random input.
    pub seed: u64,
}

fn number<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a number"))?;
    value
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a valid number"))
}

/// Parses the arguments after the program name. Flags may come before or after the
/// version, as `--len N` or `--len=N`.
pub fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut version = None;
    let mut len = DEFAULT_LEN;
    let mut threads = None;
    let mut trace = None;
    let mut json = false;
    let mut seed = DEFAULT_SEED;
    let mut args = args.iter().cloned();
    while let Some(arg) = args.next() {
        let (flag, mut inline) = match arg.split_once('=') {
            Some((f, v)) if arg.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.take().or_else(|| args.next());
        match flag.as_str() {
            "--len" => len = number("--len", value())?,
            "--threads" => threads = Some(number::<usize>("--threads", value())?),
            "--seed" => seed = number("--seed", value())?,
            "--trace" => {
                let path = value().ok_or("--trace needs a file name")?;
                if path.is_empty() {
                    return Err("--trace needs a file name".into());
                }
                trace = Some(PathBuf::from(path));
            }
            "--json" => json = true,
            f if f.starts_with('-') => return Err(format!("unknown flag {f:?}")),
            name => {
                if version.is_some() {
                    return Err(format!("unexpected argument {name:?}"));
                }
                version = Some(
                    Version::from_name(name)
                        .ok_or_else(|| format!("unknown version {name:?}"))?,
                );
            }
        }
        if inline.is_some() && flag == "--json" {
            return Err("--json takes no value".into());
        }
    }
    let version = version.ok_or("which version? none given")?;
    if len > MAX_LEN {
        return Err(format!("--len {len} is more than {MAX_LEN}"));
    }
    let threads = match threads {
        Some(0) => return Err("--threads must be at least 1".into()),
        Some(n) if n > MAX_THREADS => {
            return Err(format!("--threads {n} is more than {MAX_THREADS}"));
        }
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if version == Version::V1Threads && len > V1_THREADS_MAX_LEN {
        return Err(format!(
            "v1-threads starts about two OS threads per element; refusing --len {len} \
             (at most {V1_THREADS_MAX_LEN}); use v1 for rayon tasks instead"
        ));
    }
    Ok(Options {
        version,
        len,
        threads,
        trace,
        json,
        seed,
    })
}

/// What one run measured.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The sort alone, not the input.
    pub elapsed: Duration,
    /// OS threads `v1-threads` started (0 for the others).
    pub threads_started: usize,
}

/// Sorts `data` with `version` inside a pool of `threads` threads (`v1-threads` ignores
/// the pool and starts its own).
pub fn run(
    version: Version,
    data: &mut [i64],
    threads: usize,
) -> Result<Outcome, String> {
    if version == Version::V1Threads {
        let started = AtomicUsize::new(0);
        let start = Instant::now();
        v1_threads(data, &started).map_err(|e| {
            format!(
                "v1-threads: the system refused a thread after {} threads: {e}",
                started.load(Ordering::Relaxed)
            )
        })?;
        return Ok(Outcome {
            elapsed: start.elapsed(),
            threads_started: started.load(Ordering::Relaxed),
        });
    }
    let sort = version
        .sort_fn()
        .expect("every other version has a sort fn");
    let pool = pool(threads)?;
    let elapsed = pool.install(|| {
        let _span =
            ::tracing::info_span!("mergesort", version = version.name()).entered();
        let start = Instant::now();
        sort(data);
        start.elapsed()
    });
    Ok(Outcome {
        elapsed,
        threads_started: 0,
    })
}

/// Peak resident set size of this process (`VmHWM` in `/proc/self/status`), in KiB;
/// `None` where there is no such file (not Linux).
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The program's `--json` line.
pub fn json_line(
    options: &Options,
    outcome: &Outcome,
    peak_rss_kib: Option<u64>,
) -> String {
    serde_json::json!({
        "version": options.version.name(),
        "len": options.len,
        "threads": options.threads,
        "seconds": outcome.elapsed.as_secs_f64(),
        "peak_rss_kib": peak_rss_kib,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    /// Lengths that matter: empty, one, small, around the cutoff and around twice it.
    fn lengths() -> Vec<usize> {
        let mut v = vec![0, 1, 2, 3, 7, 100];
        for base in [CUTOFF, 2 * CUTOFF] {
            v.extend([base - 1, base, base + 1]);
        }
        v.push(10_000);
        v
    }

    fn inputs() -> Vec<Vec<i64>> {
        let mut all = Vec::new();
        for (i, len) in lengths().into_iter().enumerate() {
            all.push(input(len, i as u64));
            all.push(vec![7; len]);
            all.push((0..len as i64).collect());
            all.push((0..len as i64).rev().collect());
            // Few distinct values: many equal keys across the halves.
            all.push(input(len, 99).into_iter().map(|x| x % 3).collect());
        }
        all
    }

    #[test]
    fn every_version_agrees_with_slice_sort() {
        let pool = pool(2).unwrap();
        type Sort = fn(&mut [i64]);
        let sorts: [(&str, Sort); 9] = [
            ("sequential", sequential),
            ("v1", v1),
            ("v2", v2),
            ("v3", v3),
            ("rayon_join", rayon_join),
            ("par_sort", par_sort),
            ("par_sort_unstable", par_sort_unstable),
            ("std_sort", std_sort),
            ("std_sort_unstable", std_sort_unstable),
        ];
        for data in inputs() {
            let mut expected = data.clone();
            expected.sort();
            for (name, sort) in sorts {
                let mut got = data.clone();
                pool.install(|| sort(&mut got));
                assert_eq!(got, expected, "{name} on {} elements", data.len());
            }
            let mut got = data.clone();
            let mut scratch = vec![0; got.len()];
            sequential_with(&mut got, &mut scratch);
            assert_eq!(got, expected, "sequential_with on {} elements", data.len());
        }
    }

    #[test]
    fn v1_threads_sorts_and_counts_its_threads() {
        for len in [0, 1, 2, 5, 64, 300] {
            let data = input(len, 3);
            let mut expected = data.clone();
            expected.sort();
            let mut got = data;
            let started = AtomicUsize::new(0);
            v1_threads(&mut got, &started).unwrap();
            assert_eq!(got, expected);
            // A split per internal node of the recursion, two threads per split.
            let splits = len.saturating_sub(1);
            assert_eq!(started.load(Ordering::Relaxed), 2 * splits, "len {len}");
        }
    }

    #[test]
    fn run_sorts_every_version_in_a_pool() {
        for version in Version::ALL {
            let mut data = input(5_000, 1);
            let outcome = run(version, &mut data, 2).unwrap();
            assert!(data.is_sorted(), "{version:?}");
            assert_eq!(outcome.threads_started > 0, version == Version::V1Threads);
        }
    }

    #[test]
    fn input_is_reproducible() {
        assert_eq!(input(100, 5), input(100, 5));
        assert_ne!(input(100, 5), input(100, 6));
    }

    #[test]
    fn parse_args_reads_the_contract() {
        let o =
            parse_args(&args("v3 --len 10000000 --threads 2 --json --seed 7")).unwrap();
        assert_eq!(o.version, Version::V3);
        assert_eq!((o.len, o.threads, o.json, o.seed), (10_000_000, 2, true, 7));
        assert_eq!(o.trace, None);
        let o = parse_args(&args("--threads=3 --trace t.json rayon")).unwrap();
        assert_eq!(o.version, Version::Rayon);
        assert_eq!(o.threads, 3);
        assert_eq!(o.trace, Some(PathBuf::from("t.json")));
        assert_eq!(o.len, DEFAULT_LEN);
        assert!(o.threads >= 1);
        for v in Version::ALL {
            let o = parse_args(&args(&format!("{} --len 100", v.name()))).unwrap();
            assert_eq!(o.version, v);
        }
        let defaults = parse_args(&args("std")).unwrap();
        assert_eq!(defaults.seed, DEFAULT_SEED);
        assert!(!defaults.json);
    }

    #[test]
    fn parse_args_rejects_bad_input() {
        for bad in [
            "",
            "v4",
            "v3 v2",
            "v3 --len",
            "v3 --len abc",
            "v3 --len -5",
            "v3 --threads 0",
            "v3 --threads 5000",
            "v3 --len 1000000000000",
            "v3 --threads",
            "v3 --seed x",
            "v3 --fast",
            "v3 -j",
            "v3 --trace",
            "v3 --trace=",
            "v3 --json=yes",
            "v1-threads --len 100000",
        ] {
            let err = parse_args(&args(bad)).unwrap_err();
            assert!(!err.is_empty(), "{bad:?}");
        }
        assert!(parse_args(&args("v1-threads --len 16384")).is_ok());
        assert!(parse_args(&args("v1-threads --len 16385")).is_err());
    }

    #[test]
    fn json_line_has_the_contract_fields() {
        let o = parse_args(&args("v3 --len 10 --threads 2")).unwrap();
        let outcome = Outcome {
            elapsed: Duration::from_millis(1500),
            threads_started: 0,
        };
        let line = json_line(&o, &outcome, Some(123));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["version"], "v3");
        assert_eq!(v["len"], 10);
        assert_eq!(v["threads"], 2);
        assert_eq!(v["seconds"], 1.5);
        assert_eq!(v["peak_rss_kib"], 123);
        assert!(!line.contains('\n'));
    }

    #[test]
    fn peak_rss_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_kib().unwrap() > 0);
        }
    }
}
