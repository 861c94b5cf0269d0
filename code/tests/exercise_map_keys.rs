//! The Map keys chapter's exercise, checked by dhat: remove the `#[ignore]` line once
//! `workshop::exercises::map_keys::count_words_get_mut` is written. One test in this file:
//! dhat allows one profiler per process.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

// ANCHOR: exercise_test
#[test]
#[ignore = "remove this line once count_words_get_mut is written"]
fn counts_right_with_a_string_per_new_word_only() {
    let _profiler = dhat::Profiler::builder().testing().build();
    workshop::map_keys::check_word_count_allocations(
        workshop::exercises::map_keys::count_words_get_mut,
    );
}
// ANCHOR_END: exercise_test
