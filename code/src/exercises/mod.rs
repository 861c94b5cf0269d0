//! The exercises, one file per chapter: the signatures to fill in, with `todo!()` bodies, and
//! their tests `#[ignore]`d until you remove the `#[ignore]` line. The book's answers are in
//! [`crate::solutions`]; each chapter shows them only inside its collapsed Solution.

pub mod allocators;
pub mod benchmarking;
pub mod bounds_checks;
pub mod buffered_io;
pub mod caches;
pub mod concurrent_io;
pub mod false_sharing;
pub mod lazy_init;
pub mod locks;
pub mod map_keys;
pub mod object_pools;
pub mod parallelism;
pub mod profiling;
pub mod regex;
pub mod serialization;
pub mod stack_and_heap;
pub mod strings;
pub mod testing;
pub mod threads_and_tasks;
pub mod tracing;
pub mod type_layout;
pub mod vec_and_slices;
pub mod where_values_live;
pub mod wrapper_types;
