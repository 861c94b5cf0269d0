//! The book's answer to the Caches chapter's exercise (`exercises/caches.rs`).

use workshop::caches::Matrix;

// ANCHOR: solution
/// Row after row, adding each element to its column's running sum: the sums (one `u64` per
/// column) stay in cache, and the matrix is read once, front to back.
pub fn column_sums<T: Copy + Into<u64>>(m: &Matrix<T>) -> Vec<u64> {
    let mut sums = vec![0u64; m.n()];
    for row in 0..m.n() {
        for (sum, &x) in sums.iter_mut().zip(m.row(row)) {
            *sum += x.into();
        }
    }
    sums
}
// ANCHOR_END: solution
