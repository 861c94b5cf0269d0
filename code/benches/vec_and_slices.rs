//! `cargo bench -p workshop --bench vec_and_slices`: the benches of the chapter whose cases are
//! `workshop::vec_and_slices::cases`. `cargo xtask bench vec_and_slices` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::vec_and_slices`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::vec_and_slices::CHAPTER);
    workshop::vec_and_slices::cases(&mut runner);
}

criterion_group! {
    name = vec_and_slices;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(vec_and_slices);
// ANCHOR_END: cases
