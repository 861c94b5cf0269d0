//! The solution of the Tracing chapter's exercise (`src/tools/tracing.md`), shown only in its
//! collapsed Solution admonition. The exercise itself is `exercises/tracing.rs`.

use workshop::mergesort::merge;

// ANCHOR: sequential_traced
/// The sequential merge sort, tagged with a `sort` span (its length as a field) for every
/// piece of at least `min_len` elements and with none below, so that a trace shows the top
/// of the recursion and stays small.
pub fn sequential_traced(s: &mut [i64], min_len: usize) {
    if s.len() <= 1 {
        return;
    }
    let _span = (s.len() >= min_len)
        .then(|| ::tracing::info_span!("sort", len = s.len()).entered());
    let middle = s.len() / 2;
    let (left, right) = s.split_at_mut(middle);
    sequential_traced(left, min_len);
    sequential_traced(right, min_len);
    merge(s, middle);
}
// ANCHOR_END: sequential_traced

#[cfg(test)]
mod tests {
    #[test]
    fn opens_one_span_per_piece_above_min_len() {
        workshop::tracing::check_bounded_spans(super::sequential_traced);
    }
}
