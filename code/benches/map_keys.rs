//! `cargo bench -p workshop --bench map_keys`: the benches of the chapter whose cases are
//! `workshop::map_keys::cases`. `cargo xtask bench map_keys` runs this, adds allocations per
//! call, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

// ANCHOR: cases
/// Everything the chapter measures: the list of cases in `workshop::map_keys`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::map_keys::CHAPTER);
    workshop::map_keys::cases(&mut runner);
}

criterion_group! {
    name = map_keys;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(map_keys);
// ANCHOR_END: cases
