//! `cargo bench -p workshop --bench where_values_live`: the benches of the Where values live chapter.
//! `cargo xtask bench where_values_live` runs this, adds allocations per call, and renders the
//! tables.

// ANCHOR: cases
use criterion::{Criterion, criterion_group, criterion_main};

/// Everything the chapter measures: the list of cases in `workshop::where_values_live`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::where_values_live::CHAPTER);
    workshop::where_values_live::cases(&mut runner);
}

criterion_group! {
    name = where_values_live;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(where_values_live);
// ANCHOR_END: cases
