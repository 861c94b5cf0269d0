//! `cargo bench -p workshop --bench stack_and_heap`: the benches of the Stack and heap chapter.
//! `cargo xtask bench stack_and_heap` runs this, adds allocations per call, and renders the
//! tables.

// ANCHOR: cases
use criterion::{Criterion, criterion_group, criterion_main};

/// Everything the chapter measures: the list of cases in `workshop::stack_and_heap`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::stack_and_heap::CHAPTER);
    workshop::stack_and_heap::cases(&mut runner);
}

criterion_group! {
    name = stack_and_heap;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(stack_and_heap);
// ANCHOR_END: cases
