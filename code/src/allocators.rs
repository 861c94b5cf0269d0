//! Companion code of the chapter `allocators` (stub: being written).

use workshop::measure::Runner;

pub const CHAPTER: &str = "allocators";

/// Everything the chapter measures.
pub fn cases<R: Runner>(_r: &mut R) {}
