//! Companion code of the chapter `regex` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "regex";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
