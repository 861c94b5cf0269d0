//! Companion code of the chapter `serialization` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "serialization";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
