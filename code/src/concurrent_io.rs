//! Companion code of the chapter `concurrent-io` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "concurrent_io";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
