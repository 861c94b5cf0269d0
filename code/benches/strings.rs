//! `cargo bench -p workshop --bench strings`: the benches of the chapter whose cases are
//! `workshop::strings::cases`. `cargo xtask bench strings` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::strings`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::strings::CHAPTER);
    workshop::strings::cases(&mut runner);
}

criterion_group! {
    name = strings;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(strings);
// ANCHOR_END: cases
