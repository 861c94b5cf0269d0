//! `cargo bench -p workshop --bench caches`: the benches of the Caches and access patterns chapter.
//! `cargo xtask bench caches` runs this, adds allocations per call, and renders the
//! tables.

// ANCHOR: cases
use criterion::{Criterion, criterion_group, criterion_main};

/// Everything the chapter measures: the list of cases in `workshop::caches`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::caches::CHAPTER);
    workshop::caches::cases(&mut runner);
}

criterion_group! {
    name = caches;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(caches);
// ANCHOR_END: cases
