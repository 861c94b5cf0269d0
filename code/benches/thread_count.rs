//! `cargo bench -p workshop --bench thread_count`: the benches of the chapter whose cases are
//! `workshop::thread_count::cases`. `cargo xtask bench thread_count` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::thread_count`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::thread_count::CHAPTER);
    workshop::thread_count::cases(&mut runner);
}

criterion_group! {
    name = thread_count;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(thread_count);
// ANCHOR_END: cases
