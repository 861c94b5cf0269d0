//! What happens to a short input in each version of the Bounds checks chapter's loops
//! (`code/src/bounds_checks.rs`). These tests panic on purpose, so they live here rather than in
//! the module, whose tests the chapter's first Run button runs and compares.

use std::panic::catch_unwind;

use workshop::bounds_checks::{
    ELEMENTS, Kernel, add_asserted, add_indexed, add_resliced, add_unchecked, add_zip,
    lookup_converted, lookup_inputs, lookup_slice, operands,
};

#[test]
fn a_short_input_panics_where_a_check_remains_and_not_with_zip() {
    let (a, b) = operands();
    let (short, b) = (&a[..ELEMENTS - 1], &b[..]);
    let kernels: [Kernel; 3] = [add_indexed, add_asserted, add_resliced];
    for kernel in kernels {
        let mut out = vec![0; ELEMENTS];
        assert!(catch_unwind(move || kernel(short, b, &mut out)).is_err());
    }
    // zip stops at the shortest input: the last element is silently left as it was.
    let mut out = vec![9; ELEMENTS];
    add_zip(short, b, &mut out);
    assert_eq!(out[ELEMENTS - 1], 9);
}

#[test]
fn a_short_table_panics() {
    let (table, keys) = lookup_inputs();
    assert!(catch_unwind(|| lookup_slice(&table[..100], &keys)).is_err());
    assert!(catch_unwind(|| lookup_converted(&table[..255], &keys)).is_err());
}

// ANCHOR: unchecked_test
// The test that catches a wrong length passed to `add_unchecked`: in debug builds, which is how
// `cargo test` builds, its `debug_assert!` panics. (std's own check in `get_unchecked`, also
// active in debug builds, would abort the whole test process instead, so the function states
// its promise itself.)
#[test]
#[cfg(debug_assertions)]
#[should_panic(expected = "a.len() >= out.len()")]
fn unchecked_add_catches_a_short_input_in_debug_builds() {
    let (a, b) = operands();
    let mut out = vec![0; ELEMENTS];
    // SAFETY: not met on purpose, in a debug build only, where the debug_assert! panics before
    // any access.
    unsafe { add_unchecked(&a[..10], &b, &mut out) };
}
// ANCHOR_END: unchecked_test
