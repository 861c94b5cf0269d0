//! `cargo bench -p workshop --bench type_layout`: the benches of the Type layout chapter.
//! `cargo xtask bench type_layout` runs this, adds allocations per call, and renders the
//! tables.

// ANCHOR: cases
use criterion::{Criterion, criterion_group, criterion_main};

/// Everything the chapter measures: the list of cases in `workshop::type_layout`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::type_layout::CHAPTER);
    workshop::type_layout::cases(&mut runner);
}

criterion_group! {
    name = type_layout;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(type_layout);
// ANCHOR_END: cases
