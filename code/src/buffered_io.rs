//! Companion code of the chapter `buffered-io` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "buffered_io";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
