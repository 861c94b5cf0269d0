//! The Tracing chapter's exercise (`src/tools/tracing.md`): write the function below, then
//! remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::tracing`. The book's solution is in
//! `solutions/tracing.rs`; open it after you have tried.

// The parameters are unused until you write the body.
#![allow(unused_variables)]

// ANCHOR: exercise
/// Sorts as `workshop::mergesort::sequential` does (split in the middle, sort both halves,
/// `workshop::mergesort::merge`), and opens a `sort` span with a `len` field for every
/// piece of at least `min_len` elements, and none for smaller pieces.
pub fn sequential_traced(s: &mut [i64], min_len: usize) {
    todo!("the merge sort, with a span for the pieces of min_len elements or more")
}

#[cfg(test)]
mod tests {
    #[test]
    #[ignore = "remove this line once sequential_traced is written"]
    fn opens_one_span_per_piece_above_min_len() {
        workshop::tracing::check_bounded_spans(super::sequential_traced);
    }
}
// ANCHOR_END: exercise
