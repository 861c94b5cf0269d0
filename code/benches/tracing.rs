//! `cargo bench -p workshop --bench tracing`: the benches of the chapter whose cases are
//! `workshop::tracing::cases`. `cargo xtask bench tracing` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::tracing`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::tracing::CHAPTER);
    workshop::tracing::cases(&mut runner);
}

criterion_group! {
    name = tracing;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(tracing);
// ANCHOR_END: cases
