//! The solution of the Where values live chapter's exercise (`src/tools/where-values-live.md`),
//! shown only in its collapsed Solution admonition. The exercise itself is
//! `exercises/where_values_live.rs`.

// ANCHOR: solution
/// The log's event with the large variant boxed: a tick is now a few bytes, and only the
/// rare snapshot pays for a heap allocation of its own.
#[derive(Clone)]
pub enum EventBoxed {
    Tick(u32),
    Snapshot(Box<[u8; 1024]>),
}

pub fn log_boxed(n: u32) -> Vec<EventBoxed> {
    (0..n)
        .map(|i| {
            if i % 100 == 0 {
                EventBoxed::Snapshot(Box::new([i as u8; 1024]))
            } else {
                EventBoxed::Tick(i)
            }
        })
        .collect()
}
// ANCHOR_END: solution

#[cfg(test)]
mod tests {
    use super::*;
    use workshop::where_values_live::{EVENTS, Event, log_inline};

    #[test]
    fn boxing_the_large_variant_shrinks_every_event() {
        assert!(size_of::<Event>() > 1024);
        assert!(size_of::<EventBoxed>() <= 2 * size_of::<usize>());
        let (inline, boxed) = (log_inline(EVENTS), log_boxed(EVENTS));
        assert_eq!(inline.len(), boxed.len());
        for (a, b) in inline.iter().zip(&boxed) {
            match (a, b) {
                (Event::Tick(x), EventBoxed::Tick(y)) => assert_eq!(x, y),
                (Event::Snapshot(x), EventBoxed::Snapshot(y)) => assert_eq!(x, &**y),
                _ => panic!("the logs differ"),
            }
        }
    }
}
