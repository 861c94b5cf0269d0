//! `cargo bench -p workshop --bench profiling`: the benches of the chapter whose cases are
//! `workshop::profiling::cases`. `cargo xtask bench profiling` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::profiling`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::profiling::CHAPTER);
    workshop::profiling::cases(&mut runner);
}

criterion_group! {
    name = profiling;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(profiling);
// ANCHOR_END: cases
