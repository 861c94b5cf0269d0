//! Unit tests of the harness's own logic, the files `build.rs` includes with `#[path]`.
//!
//! An integration test rather than the package's library: skeptic links every snippet against
//! each library the running test depends on, and its binary cache keys a compiled snippet by
//! those libraries' dates. A library of this package would be rebuilt whenever `build.rs` runs,
//! that is after every edit of a chapter, and would make every cached snippet miss.

// Some of what `build.rs` uses is not called by these tests.
#[allow(dead_code)]
#[path = "../src/compile_fail_check.rs"]
mod compile_fail_check;
#[allow(dead_code)]
#[path = "../src/expand.rs"]
mod expand;
#[allow(dead_code)]
#[path = "../src/names.rs"]
mod names;

#[path = "../src/expand_tests.rs"]
mod expand_tests;
#[path = "../src/names_tests.rs"]
mod names_tests;
