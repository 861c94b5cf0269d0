//! `cargo bench -p workshop --bench buffered_io`: the benches of the chapter whose cases are
//! `workshop::buffered_io::cases`. `cargo xtask bench buffered_io` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::buffered_io`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::buffered_io::CHAPTER);
    workshop::buffered_io::cases(&mut runner);
}

criterion_group! {
    name = buffered_io;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(buffered_io);
// ANCHOR_END: cases
