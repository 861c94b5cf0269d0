//! `cargo bench -p workshop --bench exercises`: the exercises that are benchmarks
//! (`workshop::exercises`), measured as the chapters' cases are, under `exercises/…` ids.
//! A group not yet written panics with the message of its unfinished body.

use criterion::{Criterion, criterion_group, criterion_main};

fn exercise_cases(c: &mut Criterion) {
    let mut runner = workshop::measure::CriterionRunner::new(c, "exercises");
    workshop::exercises::benchmarking::ignore_case_cases(&mut runner);
}

criterion_group! {
    name = exercises;
    config = workshop::measure::criterion_config();
    targets = exercise_cases
}
criterion_main!(exercises);
