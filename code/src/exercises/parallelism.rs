//! The Parallelize CPU work chapter's exercise (`src/techniques/parallelism.md`): write the
//! function below, then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::parallelism`. The book's solution is in
//! `solutions/parallelism.rs`; open it after you have tried.

// The parameters are unused until you write the body.
#![allow(unused_variables)]

// ANCHOR: exercise
/// The text of `write_lines(&generate_sequential(seed, n))` (`workshop::parallelism`), with
/// the threads writing the lines straight into one buffer: no `String` per line, no serial
/// copy at the end.
pub fn text_parallel(seed: u64, n: usize) -> Vec<u8> {
    todo!("the same text as write_lines(&generate_sequential(seed, n)), in parallel")
}

#[cfg(test)]
mod tests {
    #[test]
    #[ignore = "remove this line once text_parallel is written"]
    fn writes_the_text_of_the_sequential_job() {
        workshop::parallelism::check_text_parallel(super::text_parallel);
    }
}
// ANCHOR_END: exercise
