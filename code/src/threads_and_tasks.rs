//! Companion code of the chapter `threads-and-tasks` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "threads_and_tasks";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
