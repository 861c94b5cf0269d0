//! `cargo bench -p workshop --bench benchmarking`: the cases of the Benchmarking chapter.
//! `cargo xtask bench benchmarking` runs this, adds allocations per op, and renders the tables.

use criterion::{Criterion, criterion_group, criterion_main};
use workshop::benchmarking::{CHAPTER, cases};
use workshop::measure::CriterionRunner;

fn benches(c: &mut Criterion) {
    cases(&mut CriterionRunner::new(c, CHAPTER));
}

criterion_group!(benchmarking, benches);
criterion_main!(benchmarking);
