//! `cargo bench -p workshop --bench bounds_checks`: the benches of the Bounds checks and iterators chapter.
//! `cargo xtask bench bounds_checks` runs this, adds allocations per call, and renders the
//! tables.

// ANCHOR: cases
use criterion::{Criterion, criterion_group, criterion_main};

/// Everything the chapter measures: the list of cases in `workshop::bounds_checks`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::bounds_checks::CHAPTER);
    workshop::bounds_checks::cases(&mut runner);
}

criterion_group! {
    name = bounds_checks;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(bounds_checks);
// ANCHOR_END: cases
