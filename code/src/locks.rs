//! Companion code of the chapter `locks` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "locks";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
