//! `cargo bench -p workshop --bench serialization`: the benches of the chapter whose cases are
//! `workshop::serialization::cases`. `cargo xtask bench serialization` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::serialization`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::serialization::CHAPTER);
    workshop::serialization::cases(&mut runner);
}

criterion_group! {
    name = serialization;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(serialization);
// ANCHOR_END: cases
