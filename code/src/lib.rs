//! Companion crate of *Optimizing Rust Programs*.
//!
//! One module per chapter: `src/tools/testing.md` ↔ [`testing`] ↔ `benches/testing.rs`
//! (when the chapter measures something). The book shows this code by `{{#include}}`, so
//! what you read is what is compiled, tested and benchmarked here.

// Chapters include whole module files, and the snippet harness compiles each as a program
// that uses this crate from outside, as `workshop`. Naming the crate `workshop` inside it
// too lets a module write `use workshop::measure::Runner` and compile the same way in
// both places.
extern crate self as workshop;

// Snippets compile whole chapter modules against this crate, and the target directory may hold
// several builds of serde: a module that derives serde traits and calls serde_json names both
// through this crate, so that the derive and serde_json agree on which serde they mean.
#[doc(hidden)]
pub use serde;
#[doc(hidden)]
pub use serde_json;

pub mod allocators;
pub mod benchmarking;
pub mod bounds_checks;
pub mod buffered_io;
pub mod caches;
pub mod concurrent_io;
pub mod coverage;
pub mod exercises;
pub mod false_sharing;
pub mod generated;
pub mod lazy_init;
pub mod locks;
pub mod map_keys;
pub mod measure;
pub mod mergesort;
pub mod object_pools;
pub mod parallelism;
pub mod profiling;
pub mod regex;
pub mod serialization;
pub mod solutions;
pub mod stack_and_heap;
pub mod strings;
pub mod testing;
pub mod thread_count;
pub mod threads_and_tasks;
pub mod tracing;
pub mod type_layout;
pub mod vec_and_slices;
pub mod where_values_live;
pub mod wrapper_types;

/// A chapter that measures something: its name (that of its bench file,
/// `benches/<name>.rs`, and of its results, `results/<name>.json`) and its list of cases.
pub struct Chapter {
    pub name: &'static str,
    pub alloc_cases: fn(&mut measure::AllocRunner),
    pub list_cases: fn(&mut measure::ListRunner),
    pub count_cases: fn(&mut measure::CountRunner),
}

/// Every chapter with cases. The allocation pass and the claim tests walk this list; a
/// bench file that is not listed here has no allocation column, and `cargo xtask bench`
/// says so.
pub const CHAPTERS: &[Chapter] = &[
    Chapter {
        name: benchmarking::CHAPTER,
        alloc_cases: benchmarking::cases,
        list_cases: benchmarking::cases,
        count_cases: benchmarking::cases,
    },
    Chapter {
        name: vec_and_slices::CHAPTER,
        alloc_cases: vec_and_slices::cases,
        list_cases: vec_and_slices::cases,
        count_cases: vec_and_slices::cases,
    },
    Chapter {
        name: strings::CHAPTER,
        alloc_cases: strings::cases,
        list_cases: strings::cases,
        count_cases: strings::cases,
    },
    Chapter {
        name: stack_and_heap::CHAPTER,
        alloc_cases: stack_and_heap::cases,
        list_cases: stack_and_heap::cases,
        count_cases: stack_and_heap::cases,
    },
    Chapter {
        name: where_values_live::CHAPTER,
        alloc_cases: where_values_live::cases,
        list_cases: where_values_live::cases,
        count_cases: where_values_live::cases,
    },
    Chapter {
        name: parallelism::CHAPTER,
        alloc_cases: parallelism::cases,
        list_cases: parallelism::cases,
        count_cases: parallelism::cases,
    },
    Chapter {
        name: object_pools::CHAPTER,
        alloc_cases: object_pools::cases,
        list_cases: object_pools::cases,
        count_cases: object_pools::cases,
    },
    Chapter {
        name: lazy_init::CHAPTER,
        alloc_cases: lazy_init::cases,
        list_cases: lazy_init::cases,
        count_cases: lazy_init::cases,
    },
    Chapter {
        name: profiling::CHAPTER,
        alloc_cases: profiling::cases,
        list_cases: profiling::cases,
        count_cases: profiling::cases,
    },
    Chapter {
        name: threads_and_tasks::CHAPTER,
        alloc_cases: threads_and_tasks::cases,
        list_cases: threads_and_tasks::cases,
        count_cases: threads_and_tasks::cases,
    },
    Chapter {
        name: tracing::CHAPTER,
        alloc_cases: tracing::cases,
        list_cases: tracing::cases,
        count_cases: tracing::cases,
    },
    Chapter {
        name: allocators::CHAPTER,
        alloc_cases: allocators::cases,
        list_cases: allocators::cases,
        count_cases: allocators::cases,
    },
    Chapter {
        name: locks::CHAPTER,
        alloc_cases: locks::cases,
        list_cases: locks::cases,
        count_cases: locks::cases,
    },
    Chapter {
        name: buffered_io::CHAPTER,
        alloc_cases: buffered_io::cases,
        list_cases: buffered_io::cases,
        count_cases: buffered_io::cases,
    },
    Chapter {
        name: map_keys::CHAPTER,
        alloc_cases: map_keys::cases,
        list_cases: map_keys::cases,
        count_cases: map_keys::cases,
    },
    Chapter {
        name: serialization::CHAPTER,
        alloc_cases: serialization::cases,
        list_cases: serialization::cases,
        count_cases: serialization::cases,
    },
    Chapter {
        name: regex::CHAPTER,
        alloc_cases: regex::cases,
        list_cases: regex::cases,
        count_cases: regex::cases,
    },
    Chapter {
        name: concurrent_io::CHAPTER,
        alloc_cases: concurrent_io::cases,
        list_cases: concurrent_io::cases,
        count_cases: concurrent_io::cases,
    },
    Chapter {
        name: type_layout::CHAPTER,
        alloc_cases: type_layout::cases,
        list_cases: type_layout::cases,
        count_cases: type_layout::cases,
    },
    Chapter {
        name: caches::CHAPTER,
        alloc_cases: caches::cases,
        list_cases: caches::cases,
        count_cases: caches::cases,
    },
    Chapter {
        name: false_sharing::CHAPTER,
        alloc_cases: false_sharing::cases,
        list_cases: false_sharing::cases,
        count_cases: false_sharing::cases,
    },
    Chapter {
        name: wrapper_types::CHAPTER,
        alloc_cases: wrapper_types::cases,
        list_cases: wrapper_types::cases,
        count_cases: wrapper_types::cases,
    },
    Chapter {
        name: bounds_checks::CHAPTER,
        alloc_cases: bounds_checks::cases,
        list_cases: bounds_checks::cases,
        count_cases: bounds_checks::cases,
    },
];
