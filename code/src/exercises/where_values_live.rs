//! The Where values live chapter's exercise (`src/tools/where-values-live.md`): change the
//! type below so that a tick is small, write `log_small`, then remove the `#[ignore]` line of
//! its test and run `cargo test -p workshop --lib exercises::where_values_live`. The book's
//! solution is in `solutions/where_values_live.rs`; open it after you have tried.

// The parameter is unused until you write the body; and, until you change it, the type is
// the one the lint flags.
#![allow(unused_variables, clippy::large_enum_variant)]

// ANCHOR: exercise
/// The log's event, as `workshop::where_values_live::Event` has it: change it so that a tick
/// takes a few bytes, not a snapshot's.
#[derive(Clone)]
pub enum EventSmall {
    Tick(u32),
    Snapshot([u8; 1024]),
}

/// The log of `workshop::where_values_live::log_inline`, with your events.
pub fn log_small(n: u32) -> Vec<EventSmall> {
    todo!("the same events, one snapshot in every hundred")
}

#[cfg(test)]
mod tests {
    use super::*;
    use workshop::where_values_live::{EVENTS, Event, log_inline};

    #[test]
    #[ignore = "remove this line once EventSmall and log_small are done"]
    fn a_tick_is_small_and_the_logs_agree() {
        assert!(size_of::<EventSmall>() <= 2 * size_of::<usize>());
        let (inline, small) = (log_inline(EVENTS), log_small(EVENTS));
        assert_eq!(inline.len(), small.len());
        for (a, b) in inline.iter().zip(&small) {
            match (a, b) {
                (Event::Tick(x), EventSmall::Tick(y)) => assert_eq!(x, y),
                // Indexing sees through a Box or a Vec: this holds whatever you change it to.
                (Event::Snapshot(x), EventSmall::Snapshot(y)) => assert_eq!(x[..], y[..]),
                _ => panic!("the logs differ"),
            }
        }
    }
}
// ANCHOR_END: exercise
