//! `cargo bench -p workshop --bench threads_and_tasks`: the benches of the chapter whose cases are
//! `workshop::threads_and_tasks::cases`. `cargo xtask bench threads_and_tasks` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::threads_and_tasks`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::threads_and_tasks::CHAPTER);
    workshop::threads_and_tasks::cases(&mut runner);
}

criterion_group! {
    name = threads_and_tasks;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(threads_and_tasks);
// ANCHOR_END: cases
