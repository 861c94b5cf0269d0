//! Companion code of the chapter `map-keys` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "map_keys";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
