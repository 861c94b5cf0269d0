//! `cargo bench -p workshop --bench benchmarking`: the benches of the Benchmarking
//! chapter. `cargo xtask bench benchmarking` runs this, adds allocations per call, and
//! renders the tables.

// ANCHOR: plain
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use workshop::testing::begins_with;

/// The seed's `Benchmark_BeginsWith`, in criterion: criterion picks the number of
/// iterations (Go's `b.N`) and runs the closure that many times per sample.
fn begins_with_seed(c: &mut Criterion) {
    c.bench_function("benchmarking/seed/begins_with", |b| {
        b.iter(|| begins_with(black_box("GoLang"), black_box("Go")))
    });
}
// ANCHOR_END: plain

// ANCHOR: cases
/// Everything else the chapter measures: the list of cases in `workshop::benchmarking`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::benchmarking::CHAPTER);
    workshop::benchmarking::cases(&mut runner);
}

criterion_group! {
    name = benchmarking;
    config = workshop::measure::criterion_config();
    targets = begins_with_seed, chapter_cases
}
criterion_main!(benchmarking);
// ANCHOR_END: cases
