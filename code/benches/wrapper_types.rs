//! `cargo bench -p workshop --bench wrapper_types`: the benches of the Wrapper types chapter.
//! `cargo xtask bench wrapper_types` runs this, adds allocations per call, and renders the
//! tables.

// ANCHOR: cases
use criterion::{Criterion, criterion_group, criterion_main};

/// Everything the chapter measures: the list of cases in `workshop::wrapper_types`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::wrapper_types::CHAPTER);
    workshop::wrapper_types::cases(&mut runner);
}

criterion_group! {
    name = wrapper_types;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(wrapper_types);
// ANCHOR_END: cases
