//! `cargo bench -p workshop --bench concurrent_io`: the benches of the chapter whose cases are
//! `workshop::concurrent_io::cases`. `cargo xtask bench concurrent_io` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::concurrent_io`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::concurrent_io::CHAPTER);
    workshop::concurrent_io::cases(&mut runner);
}

criterion_group! {
    name = concurrent_io;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(concurrent_io);
// ANCHOR_END: cases
