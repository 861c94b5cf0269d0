//! The parallel merge sort that runs through Threads and tasks, Tracing, Thread count and
//! Allocators (stub: being written).
