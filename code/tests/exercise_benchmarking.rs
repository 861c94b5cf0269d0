//! The Benchmarking chapter's exercise, checked by dhat: remove the `#[ignore]` line once
//! `workshop::exercises::benchmarking::ignore_case_cases` is written. One test in this file:
//! dhat allows one profiler per process.

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[test]
#[ignore = "remove this line once ignore_case_cases is written"]
fn your_group_measures_what_it_says() {
    let _profiler = dhat::Profiler::builder().testing().build();
    workshop::benchmarking::check_ignore_case_cases(
        workshop::exercises::benchmarking::ignore_case_cases,
    );
}
