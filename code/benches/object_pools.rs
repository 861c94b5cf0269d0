//! `cargo bench -p workshop --bench object_pools`: the benches of the chapter in
//! `code/src/object_pools.rs`. `cargo xtask bench object_pools` runs this, adds allocations per call, and
//! renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};

/// Everything the chapter measures: the list of cases in `workshop::object_pools`.
fn chapter_cases(c: &mut Criterion) {
    let mut runner =
        workshop::measure::CriterionRunner::new(c, workshop::object_pools::CHAPTER);
    workshop::object_pools::cases(&mut runner);
}

criterion_group! {
    name = object_pools;
    config = workshop::measure::criterion_config();
    targets = chapter_cases
}
criterion_main!(object_pools);
