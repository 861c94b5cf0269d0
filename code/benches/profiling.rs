//! `cargo bench -p workshop --bench profiling`: the benches of the chapter whose cases are
//! `workshop::profiling::cases`. `cargo xtask bench profiling` runs this, adds allocations per
//! call, and renders the tables.
//!
//! With `-- --profile-time 5` criterion does not measure: it runs each benchmark for five
//! seconds under the profiler below, which writes
//! `target/criterion/<benchmark id>/profile/flamegraph.svg` (and `profile.pb`).

use criterion::{Criterion, criterion_group, criterion_main};
use workshop::profiling::{FREQUENCY, FlamegraphProfiler};

/// Everything the chapter measures: the list of cases in `workshop::profiling`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::profiling::CHAPTER);
    workshop::profiling::cases(&mut runner);
}

// ANCHOR: cases
criterion_group! {
    name = profiling;
    // The book's settings, plus a profiler that only runs under --profile-time.
    config = workshop::measure::criterion_config()
        .with_profiler(FlamegraphProfiler::new(FREQUENCY));
    targets = chapter_cases
}
criterion_main!(profiling);
// ANCHOR_END: cases
