//! The exercises' solutions, one file per chapter, apart from the chapter modules: a chapter
//! shows its module whole (as hidden lines the reader can reveal), so a solution kept there
//! would be one click away. Only a chapter's Solution admonition includes these files.

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
