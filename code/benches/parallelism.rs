//! `cargo bench -p workshop --bench parallelism`: the benches of the chapter in
//! `code/src/parallelism.rs`. `cargo xtask bench parallelism` runs this, adds allocations per call, and
//! renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

/// Everything the chapter measures: the list of cases in `workshop::parallelism`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::parallelism::CHAPTER);
    workshop::parallelism::cases(&mut runner);
}

criterion_group! {
    name = parallelism;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(parallelism);
