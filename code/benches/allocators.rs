//! `cargo bench -p workshop --bench allocators`: the benches of the chapter whose cases are
//! `workshop::allocators::cases`. `cargo xtask bench allocators` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::allocators`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::allocators::CHAPTER);
    workshop::allocators::cases(&mut runner);
}

criterion_group! {
    name = allocators;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(allocators);
// ANCHOR_END: cases
