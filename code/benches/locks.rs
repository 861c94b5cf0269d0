//! `cargo bench -p workshop --bench locks`: the benches of the chapter whose cases are
//! `workshop::locks::cases`. `cargo xtask bench locks` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::locks`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner = workshop::measure::CriterionRunner::new(c, workshop::locks::CHAPTER);
    workshop::locks::cases(&mut runner);
}

criterion_group! {
    name = locks;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(locks);
// ANCHOR_END: cases
