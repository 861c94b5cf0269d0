//! The book's answer to the Bounds checks chapter's exercise (`exercises/bounds_checks.rs`).

// ANCHOR: solution
/// One assertion states the contract; `windows(2)` hands out pairs whose length (2) the
/// compiler knows, so `w[0]` and `w[1]` need no check, and `zip` needs none either.
#[inline(never)]
pub fn deltas(values: &[u32], out: &mut [u32]) {
    assert_eq!(
        values.len(),
        out.len() + 1,
        "deltas: values must be one longer than out"
    );
    for (o, w) in out.iter_mut().zip(values.windows(2)) {
        *o = w[1].wrapping_sub(w[0]);
    }
}
// ANCHOR_END: solution

#[cfg(test)]
mod tests {
    use std::panic::catch_unwind;

    use workshop::bounds_checks::check_deltas;

    /// A wrong answer: no assertion, so `zip` quietly stops at the shorter input.
    fn deltas_unchecked_lengths(values: &[u32], out: &mut [u32]) {
        for (o, w) in out.iter_mut().zip(values.windows(2)) {
            *o = w[1].wrapping_sub(w[0]);
        }
    }

    /// Another: the pairs taken the wrong way round.
    fn deltas_backwards(values: &[u32], out: &mut [u32]) {
        assert_eq!(values.len(), out.len() + 1);
        for (o, w) in out.iter_mut().zip(values.windows(2)) {
            *o = w[0].wrapping_sub(w[1]);
        }
    }

    #[test]
    fn the_exercise_check_passes_the_solution_and_fails_wrong_answers() {
        check_deltas(super::deltas);
        assert!(
            catch_unwind(|| check_deltas(deltas_unchecked_lengths)).is_err(),
            "the check passed a deltas that ignores a bad length"
        );
        assert!(
            catch_unwind(|| check_deltas(deltas_backwards)).is_err(),
            "the check passed deltas taken backwards"
        );
    }
}
