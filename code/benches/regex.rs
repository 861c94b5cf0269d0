//! `cargo bench -p workshop --bench regex`: the benches of the chapter whose cases are
//! `workshop::regex::cases`. `cargo xtask bench regex` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::regex`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner = workshop::measure::CriterionRunner::new(c, workshop::regex::CHAPTER);
    workshop::regex::cases(&mut runner);
}

criterion_group! {
    name = regex;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(regex);
// ANCHOR_END: cases
