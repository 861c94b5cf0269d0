//! Companion code of the chapter `profiling` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "profiling";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
