//! `cargo bench -p workshop --bench false_sharing`: the benches of the False sharing and contention chapter.
//! `cargo xtask bench false_sharing` runs this, adds allocations per call, and renders the
//! tables.

// ANCHOR: cases
use criterion::{Criterion, criterion_group, criterion_main};

/// Everything the chapter measures: the list of cases in `workshop::false_sharing`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::false_sharing::CHAPTER);
    workshop::false_sharing::cases(&mut runner);
}

criterion_group! {
    name = false_sharing;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(false_sharing);
// ANCHOR_END: cases
