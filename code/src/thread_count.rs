//! Companion code of the chapter `thread-count` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "thread_count";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
