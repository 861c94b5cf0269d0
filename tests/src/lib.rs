//! The `snippets` harness: `build.rs` turns every rust block of the book's chapters into a test
//! (see `tests/snippets.rs`). The library only exists so that the logic `build.rs` uses can be
//! unit-tested: `build.rs` includes the same files with `#[path]`.

pub mod compile_fail_check;
pub mod expand;
pub mod names;

#[cfg(test)]
mod expand_tests;
#[cfg(test)]
mod names_tests;
