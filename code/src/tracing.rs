//! Companion code of the chapter `tracing` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "tracing";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
