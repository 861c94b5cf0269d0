//! `cargo bench -p workshop --bench lazy_init`: the benches of the chapter in
//! `code/src/lazy_init.rs`. `cargo xtask bench lazy_init` runs this, adds allocations per call, and
//! renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

/// Everything the chapter measures: the list of cases in `workshop::lazy_init`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::lazy_init::CHAPTER);
    workshop::lazy_init::cases(&mut runner);
}

criterion_group! {
    name = lazy_init;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(lazy_init);
