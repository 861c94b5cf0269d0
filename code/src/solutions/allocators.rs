//! The solution of the Allocators chapter's exercise (`src/tools/allocators.md`), shown only in
//! its collapsed Solution admonition. The exercise itself is `exercises/allocators.rs`; dhat
//! checks this one in `tests/allocators_prediction.rs`.

// ANCHOR: predicted
/// How many allocations, and how many bytes in all, the seed's merge sort asks for on `len`
/// elements. Every split of two or more elements ends in one merge, and each merge copies
/// the slice it merges into a fresh `Vec<i64>`.
pub fn predicted_allocations(len: usize) -> (u64, u64) {
    if len <= 1 {
        return (0, 0);
    }
    let middle = len / 2;
    let (left_count, left_bytes) = predicted_allocations(middle);
    let (right_count, right_bytes) = predicted_allocations(len - middle);
    let bytes = (len * size_of::<i64>()) as u64;
    (
        left_count + right_count + 1,
        left_bytes + right_bytes + bytes,
    )
}
// ANCHOR_END: predicted

#[cfg(test)]
mod tests {
    use super::*;
    use workshop::allocators::LEN;

    // ANCHOR: predicted_test
    #[test]
    fn predictions_in_closed_form() {
        // A binary tree with `len` leaves has `len - 1` inner nodes: one merge each.
        for len in [2, 3, 1000, LEN] {
            assert_eq!(predicted_allocations(len).0, len as u64 - 1);
        }
        // For a power of two, every level of the recursion copies all `len` elements:
        // 8 bytes × len × log2(len).
        let levels = LEN.trailing_zeros() as u64;
        assert_eq!(predicted_allocations(LEN).1, 8 * LEN as u64 * levels);
    }
    // ANCHOR_END: predicted_test
}
