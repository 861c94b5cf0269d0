//! One list of cases per chapter, three consumers.
//!
//! A chapter declares the alternatives it compares once, in a function generic over
//! [`Runner`]:
//!
//! ```
//! use std::hint::black_box;
//! use workshop::measure::{Group, Runner};
//!
//! pub fn cases<R: Runner>(r: &mut R) {
//!     let text = "GoLang is awesome".to_string();
//!     let mut g = r.group("prefix");
//!     g.case("starts_with", None, || black_box(&text).starts_with(black_box("Go")));
//!     g.case("owned", None, || black_box(&text).to_owned().starts_with("Go"));
//!     g.finish();
//! }
//! # cases(&mut workshop::measure::ListRunner::default());
//! ```
//!
//! The criterion bench times each case ([`CriterionRunner`]); the allocation pass counts
//! its allocations with dhat ([`AllocRunner`], in a separate binary so that dhat's
//! allocator never sits under the timing loop); the claim tests and `cargo xtask check`
//! find cases by the same ids. Renaming a case renames it everywhere; a claim naming a
//! case that no longer exists fails.
//!
//! A case's id is `chapter/group/case` or `chapter/group/case/param`: exactly criterion's
//! benchmark id, so results from both passes join on it.

use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};

/// How much work one call does, so that criterion can report bytes/s or elements/s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Throughput {
    Bytes(u64),
    Elements(u64),
}

/// Something that measures the cases of a chapter.
pub trait Runner {
    type Group<'a>: Group
    where
        Self: 'a;

    /// Opens a group: alternatives compared side by side, measured in one run. The first
    /// case added is the baseline the generated tables compare the others with.
    fn group(&mut self, name: &str) -> Self::Group<'_>;
}

/// A group of alternatives.
pub trait Group {
    /// The work one call of the following cases does.
    fn throughput(&mut self, throughput: Throughput);

    /// Marks the group's cases as slow (milliseconds per call or more): fewer samples, so
    /// that a full bench run stays within minutes on a 2-core machine.
    fn slow(&mut self);

    /// One alternative. `routine` performs one operation on inputs prepared outside it;
    /// its result is passed through `black_box` so that the work cannot be optimized
    /// away.
    fn case<O>(&mut self, name: &str, param: Option<&str>, routine: impl FnMut() -> O);

    /// One alternative that consumes its input: `setup` builds a fresh input for every
    /// call and is neither timed nor counted.
    fn case_batched<I, O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        setup: impl FnMut() -> I,
        routine: impl FnMut(I) -> O,
    );

    /// One alternative whose result is large (a map, a `Vec` of `String`s): the result is
    /// dropped outside the timed region, so that freeing it is not counted as the cost of
    /// building it. Use [`Group::case`] when freeing is the point.
    fn case_with_large_drop<O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        routine: impl FnMut() -> O,
    );

    fn finish(self);
}

/// The group and case of the empty routine every bench run times first
/// (`<chapter>/floor/empty`): the cost of criterion's loop and `black_box` with no work in
/// it. A case within [`FLOOR_FACTOR`] times of it measures the loop, not the code.
pub const FLOOR_GROUP: &str = "floor";
pub const FLOOR_CASE: &str = "empty";

/// How close to the empty loop a case may be before its time says nothing about its code:
/// the generated tables mark such rows, and `cargo xtask check` refuses a claim or a pattern
/// built on one.
pub const FLOOR_FACTOR: f64 = 5.0;

/// Times the empty routine through the runner, as every case is timed.
pub fn floor<R: Runner>(r: &mut R) {
    let mut g = r.group(FLOOR_GROUP);
    // ANCHOR: floor
    g.case(FLOOR_CASE, None, || std::hint::black_box(()));
    // ANCHOR_END: floor
    g.finish();
}

fn case_id(group: &str, name: &str, param: Option<&str>) -> String {
    match param {
        Some(p) => format!("{group}/{name}/{p}"),
        None => format!("{group}/{name}"),
    }
}

// ---------------------------------------------------------------------------------------
// Time: criterion.

/// The criterion settings of every bench in the workshop: criterion's defaults (3 s of
/// warm-up, 5 s of measurement per case) would make a full `cargo bench` take hours
/// across the book. One second and three are enough for the intervals the tables show;
/// options given on the command line (`-- --measurement-time 10`) still win.
pub fn criterion_config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

/// Times every case with criterion; used by the files in `code/benches/`.
pub struct CriterionRunner<'c> {
    criterion: &'c mut Criterion,
    chapter: &'static str,
}

impl<'c> CriterionRunner<'c> {
    /// Also times the empty routine ([`floor`]) first, so that every run of a chapter's
    /// bench stores the floor its rows are read against.
    pub fn new(criterion: &'c mut Criterion, chapter: &'static str) -> Self {
        let mut runner = CriterionRunner { criterion, chapter };
        floor(&mut runner);
        runner
    }
}

impl Runner for CriterionRunner<'_> {
    type Group<'a>
        = CriterionGroup<'a>
    where
        Self: 'a;

    fn group(&mut self, name: &str) -> CriterionGroup<'_> {
        CriterionGroup(
            self.criterion
                .benchmark_group(format!("{}/{name}", self.chapter)),
        )
    }
}

pub struct CriterionGroup<'a>(BenchmarkGroup<'a, WallTime>);

fn bench_id(name: &str, param: Option<&str>) -> BenchmarkId {
    match param {
        Some(p) => BenchmarkId::new(name, p),
        None => BenchmarkId::from_parameter(name),
    }
}

impl Group for CriterionGroup<'_> {
    fn throughput(&mut self, throughput: Throughput) {
        self.0.throughput(match throughput {
            Throughput::Bytes(n) => criterion::Throughput::Bytes(n),
            Throughput::Elements(n) => criterion::Throughput::Elements(n),
        });
    }

    fn slow(&mut self) {
        self.0
            .sample_size(10)
            .sampling_mode(criterion::SamplingMode::Flat);
    }

    // ANCHOR: criterion_case
    fn case<O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        mut routine: impl FnMut() -> O,
    ) {
        // `Bencher::iter` black-boxes the returned value.
        self.0
            .bench_function(bench_id(name, param), |b| b.iter(&mut routine));
    }
    // ANCHOR_END: criterion_case

    fn case_batched<I, O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        mut setup: impl FnMut() -> I,
        mut routine: impl FnMut(I) -> O,
    ) {
        self.0.bench_function(bench_id(name, param), |b| {
            b.iter_batched(&mut setup, &mut routine, criterion::BatchSize::LargeInput)
        });
    }

    fn case_with_large_drop<O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        mut routine: impl FnMut() -> O,
    ) {
        self.0.bench_function(bench_id(name, param), |b| {
            b.iter_with_large_drop(&mut routine)
        });
    }

    fn finish(self) {
        self.0.finish();
    }
}

// ---------------------------------------------------------------------------------------
// Allocations: dhat.

/// Allocations one case makes per call, measured by [`AllocRunner`].
#[derive(Clone, Debug, serde::Serialize)]
pub struct AllocRecord {
    /// `chapter/group/case[/param]`, criterion's id.
    pub id: String,
    pub group: String,
    pub case: String,
    pub param: Option<String>,
    pub throughput: Option<Throughput>,
    /// Mean over `iterations` calls, after one warm-up call.
    pub allocs_per_op: f64,
    pub bytes_per_op: f64,
    pub iterations: u64,
}

/// Counts the allocations of every case with dhat's heap statistics.
///
/// A dhat profiler must be running (testing mode is enough) and `dhat::Alloc` must be the
/// global allocator of the binary: see `code/benches/allocations.rs` and
/// `code/tests/allocation_claims.rs`. Each case is called once to warm up (a reused
/// buffer grows on its first call: the steady state is what we report), then repeatedly
/// for about [`AllocRunner::budget`].
pub struct AllocRunner {
    chapter: &'static str,
    /// Only cases whose id passes this filter are run.
    filter: Box<dyn Fn(&str) -> bool>,
    pub budget: Duration,
    pub max_iterations: u64,
    pub records: Vec<AllocRecord>,
}

impl AllocRunner {
    pub fn new(chapter: &'static str) -> Self {
        AllocRunner {
            chapter,
            filter: Box::new(|_| true),
            budget: Duration::from_millis(200),
            max_iterations: 1000,
            records: Vec::new(),
        }
    }

    pub fn only(mut self, filter: impl Fn(&str) -> bool + 'static) -> Self {
        self.filter = Box::new(filter);
        self
    }
}

impl Runner for AllocRunner {
    type Group<'a> = AllocGroup<'a>;

    fn group(&mut self, name: &str) -> AllocGroup<'_> {
        AllocGroup {
            id: format!("{}/{name}", self.chapter),
            throughput: None,
            runner: self,
        }
    }
}

pub struct AllocGroup<'a> {
    id: String,
    throughput: Option<Throughput>,
    runner: &'a mut AllocRunner,
}

fn heap_counts() -> (u64, u64) {
    let stats = dhat::HeapStats::get();
    (stats.total_blocks, stats.total_bytes)
}

impl AllocGroup<'_> {
    // ANCHOR: alloc_measure
    fn measure<I, O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        mut setup: impl FnMut() -> I,
        mut routine: impl FnMut(I) -> O,
    ) {
        let id = case_id(&self.id, name, param);
        if !(self.runner.filter)(&id) {
            return;
        }
        let warm_up = Instant::now();
        drop(std::hint::black_box(routine(setup())));
        let once = warm_up.elapsed().max(Duration::from_nanos(1));
        let iterations = (self.runner.budget.as_nanos() / once.as_nanos())
            .clamp(1, self.runner.max_iterations as u128) as u64;
        let (mut blocks, mut bytes) = (0, 0);
        for _ in 0..iterations {
            let input = setup();
            let before = heap_counts();
            let output = std::hint::black_box(routine(input));
            let after = heap_counts();
            drop(output);
            blocks += after.0 - before.0;
            bytes += after.1 - before.1;
        }
        self.runner.records.push(AllocRecord {
            id,
            group: self.id.clone(),
            case: name.to_string(),
            param: param.map(str::to_string),
            throughput: self.throughput,
            allocs_per_op: blocks as f64 / iterations as f64,
            bytes_per_op: bytes as f64 / iterations as f64,
            iterations,
        });
    }
    // ANCHOR_END: alloc_measure
}

impl Group for AllocGroup<'_> {
    fn throughput(&mut self, throughput: Throughput) {
        self.throughput = Some(throughput);
    }

    fn slow(&mut self) {}

    fn case<O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        mut routine: impl FnMut() -> O,
    ) {
        self.measure(name, param, || (), |()| routine());
    }

    fn case_batched<I, O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        setup: impl FnMut() -> I,
        routine: impl FnMut(I) -> O,
    ) {
        self.measure(name, param, setup, routine);
    }

    // The allocation pass drops every result after counting anyway.
    fn case_with_large_drop<O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        mut routine: impl FnMut() -> O,
    ) {
        self.measure(name, param, || (), |()| routine());
    }

    fn finish(self) {}
}

// ---------------------------------------------------------------------------------------
// Names only.

/// Lists the ids of the cases without running them (for doc examples, and to check that
/// the ids a claim names exist).
#[derive(Default)]
pub struct ListRunner {
    pub chapter: &'static str,
    pub ids: Vec<String>,
}

impl Runner for ListRunner {
    type Group<'a> = ListGroup<'a>;

    fn group(&mut self, name: &str) -> ListGroup<'_> {
        ListGroup {
            id: format!("{}/{name}", self.chapter),
            runner: self,
        }
    }
}

pub struct ListGroup<'a> {
    id: String,
    runner: &'a mut ListRunner,
}

impl Group for ListGroup<'_> {
    fn throughput(&mut self, _: Throughput) {}
    fn slow(&mut self) {}
    fn case<O>(&mut self, name: &str, param: Option<&str>, _: impl FnMut() -> O) {
        self.runner.ids.push(case_id(&self.id, name, param));
    }
    fn case_batched<I, O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        _: impl FnMut() -> I,
        _: impl FnMut(I) -> O,
    ) {
        self.runner.ids.push(case_id(&self.id, name, param));
    }
    fn case_with_large_drop<O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        _: impl FnMut() -> O,
    ) {
        self.runner.ids.push(case_id(&self.id, name, param));
    }
    fn finish(self) {}
}

// ---------------------------------------------------------------------------------------
// Counts: one case, run under a tool that counts (cachegrind).

/// Runs one case a given number of times and nothing else, for a tool that counts what the
/// whole process does (`valgrind --tool=cachegrind`, run by `cargo xtask figures caches` on
/// `examples/counts.rs`).
///
/// Such a tool cannot tell the case from the setup around it, so a count comes from two runs that
/// differ only in `calls`: both build the inputs and make one warm-up call, then one makes no more
/// calls and the other makes `calls`. Setup is deterministic, and the two runs' command lines are
/// the same length (`0` and a one-digit count), so that even the program's own arguments take the
/// same heap in both: the difference divided by `calls` is what one call costs, the warm-up
/// excluded as in the other passes. A batched case's setup runs once per call, so it is counted
/// with the call.
pub struct CountRunner {
    pub chapter: &'static str,
    /// The case to run: `chapter/group/case[/param]`.
    pub id: String,
    pub calls: u64,
    /// Set when the case was found (and run); its group's throughput, if it declared one.
    pub found: Option<Option<Throughput>>,
}

impl Runner for CountRunner {
    type Group<'a> = CountGroup<'a>;

    fn group(&mut self, name: &str) -> CountGroup<'_> {
        CountGroup {
            id: format!("{}/{name}", self.chapter),
            throughput: None,
            runner: self,
        }
    }
}

pub struct CountGroup<'a> {
    id: String,
    throughput: Option<Throughput>,
    runner: &'a mut CountRunner,
}

impl CountGroup<'_> {
    fn run<I, O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        mut setup: impl FnMut() -> I,
        mut routine: impl FnMut(I) -> O,
    ) {
        if case_id(&self.id, name, param) != self.runner.id {
            return;
        }
        drop(std::hint::black_box(routine(setup())));
        for _ in 0..self.runner.calls {
            drop(std::hint::black_box(routine(setup())));
        }
        self.runner.found = Some(self.throughput);
    }
}

impl Group for CountGroup<'_> {
    fn throughput(&mut self, throughput: Throughput) {
        self.throughput = Some(throughput);
    }
    fn slow(&mut self) {}
    fn case<O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        mut routine: impl FnMut() -> O,
    ) {
        self.run(name, param, || (), |()| routine());
    }
    fn case_batched<I, O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        setup: impl FnMut() -> I,
        routine: impl FnMut(I) -> O,
    ) {
        self.run(name, param, setup, routine);
    }
    // Counted with its drop: the counts pass has no untimed region to drop it in.
    fn case_with_large_drop<O>(
        &mut self,
        name: &str,
        param: Option<&str>,
        mut routine: impl FnMut() -> O,
    ) {
        self.run(name, param, || (), |()| routine());
    }
    fn finish(self) {}
}
