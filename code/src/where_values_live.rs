//! Chapter "Where values live": `src/tools/where-values-live.md`. Bench:
//! `benches/where_values_live.rs`.

use std::collections::HashMap;
use std::hint::black_box;

use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "where_values_live";

// ANCHOR: box_escapes
/// The box leaves the function: whoever receives it frees it later, so the allocation
/// has to happen.
pub fn box_escapes(x: u64) -> Box<u64> {
    Box::new(x + 1)
}
// ANCHOR_END: box_escapes

// ANCHOR: box_stays_local
/// The box never leaves the function: it is allocated, read once and freed before the
/// function returns. The source asks for a heap allocation; whether one happens is up to
/// the optimizer.
pub fn box_stays_local(x: u64) -> u64 {
    let b = Box::new(x + 1);
    *b * 2
}
// ANCHOR_END: box_stays_local

// ANCHOR: vec_stays_local
/// The same with a small `Vec` that is built, summed and dropped in the function.
/// Clippy's `useless_vec` lint says an array would do, and it is right; the `Vec` is
/// here on purpose.
#[allow(clippy::useless_vec)]
pub fn vec_stays_local(x: u64) -> u64 {
    let v = vec![x, x + 1, x + 2, x + 3];
    v.iter().sum()
}
// ANCHOR_END: vec_stays_local

/// What `box_stays_local` computes, with no box at all.
pub fn plain_local(x: u64) -> u64 {
    (x + 1) * 2
}

// ANCHOR: big_values
/// 64 KiB: large enough that moving it is a real copy (`memcpy`), small enough for the
/// stack of any thread.
pub const BIG: usize = 64 * 1024;

/// One stage of a pipeline that takes a large value by value and gives it back. Every
/// hand-over moves the 64 KiB array: the optimizer cannot always build the value in
/// place, and behind `#[inline(never)]` it never can.
#[inline(never)]
pub fn stamp_array(mut a: [u8; BIG], i: usize) -> [u8; BIG] {
    a[i] = a[i].wrapping_add(1);
    a
}

/// The same stage, with the array behind a `Box`: a hand-over moves one pointer.
#[inline(never)]
pub fn stamp_boxed(mut a: Box<[u8; BIG]>, i: usize) -> Box<[u8; BIG]> {
    a[i] = a[i].wrapping_add(1);
    a
}

/// Builds a zeroed array and passes it through `stages` stages.
pub fn pipeline_by_value(stages: usize) -> u8 {
    let mut a = [0u8; BIG];
    for i in 0..stages {
        a = stamp_array(a, i);
    }
    a[..stages].iter().fold(0, |s, &b| s.wrapping_add(b))
}

/// The same with a boxed array: one allocation, then pointers move.
pub fn pipeline_boxed(stages: usize) -> u8 {
    // `vec!` of zeroes asks the allocator for zeroed memory; `Box::new([0; BIG])` would
    // build the array on the stack first (in a debug build at least) and copy it.
    let mut a: Box<[u8; BIG]> = vec![0u8; BIG]
        .into_boxed_slice()
        .try_into()
        .expect("BIG bytes");
    for i in 0..stages {
        a = stamp_boxed(a, i);
    }
    a[..stages].iter().fold(0, |s, &b| s.wrapping_add(b))
}
// ANCHOR_END: big_values

// ANCHOR: boxed_slice
/// Collects into a `Vec`: it grows as items arrive, so its capacity usually ends up
/// larger than its length.
pub fn collect_vec(n: u32) -> Vec<u32> {
    (0..n).filter(|x| x % 3 != 0).collect()
}

/// Collects into a `Box<[u32]>`: the same growth, then one more step to drop the spare
/// capacity (a shrinking reallocation), because a boxed slice has no capacity field.
pub fn collect_boxed_slice(n: u32) -> Box<[u32]> {
    (0..n).filter(|x| x % 3 != 0).collect()
}

/// Knows the length first: one allocation of exactly the right size, and
/// `into_boxed_slice` has nothing to shrink.
pub fn exact_into_boxed_slice(n: u32) -> Box<[u32]> {
    let len = (0..n).filter(|x| x % 3 != 0).count();
    let mut v = Vec::with_capacity(len);
    v.extend((0..n).filter(|x| x % 3 != 0));
    v.into_boxed_slice()
}
// ANCHOR_END: boxed_slice

// ANCHOR: exercise
/// One event of a log: almost all are ticks, a few carry a full snapshot. Every value of
/// an enum is as large as its largest variant, so every tick takes the snapshot's space.
/// (Clippy's `large_enum_variant` lint flags this type; the exercise is to fix it, in
/// `exercises/where_values_live.rs`.)
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub enum Event {
    Tick(u32),
    Snapshot([u8; 1024]),
}

/// A log of `n` events, one snapshot in every hundred.
pub fn log_inline(n: u32) -> Vec<Event> {
    (0..n)
        .map(|i| {
            if i % 100 == 0 {
                Event::Snapshot([i as u8; 1024])
            } else {
                Event::Tick(i)
            }
        })
        .collect()
}
// ANCHOR_END: exercise

/// Calls per iteration in the `elided_box` group: one call that allocates nothing takes
/// about as long as the bench's empty loop, so each case makes a thousand.
pub const CALLS: u64 = 1000;

/// Stages in the `big_values` pipeline.
pub const STAGES: usize = 8;
/// Items before filtering in the `boxed_slice` group.
pub const ITEMS: u32 = 1500;
/// Events in the exercise's log.
pub const EVENTS: u32 = 1000;

// ANCHOR: word_counts
/// Counts words, ignoring case: the version anyone writes first. Every word, seen before or
/// not, is lowercased into a new `String`; the map keeps the first one of each word and the
/// rest are freed at once.
pub fn word_counts(text: &str) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    counts
}
// ANCHOR_END: word_counts

// ANCHOR: word_counts_reused
/// The same counts. The lowercase word is written into one reused buffer and looked up by
/// `&str`; a key is allocated only the first time a word is seen.
pub fn word_counts_reused(text: &str) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut lower = String::new();
    for word in text.split_whitespace() {
        lower.clear();
        // ASCII words (nearly all of them) take the fast path that `to_lowercase` also has.
        if word.is_ascii() {
            lower.push_str(word);
            lower.make_ascii_lowercase();
        } else {
            lower.extend(word.chars().flat_map(char::to_lowercase));
        }
        match counts.get_mut(lower.as_str()) {
            Some(n) => *n += 1,
            None => {
                counts.insert(lower.clone(), 1);
            }
        }
    }
    counts
}
// ANCHOR_END: word_counts_reused

// ANCHOR: word_counts_reused_chars
/// A first draft of `word_counts_reused`: the same reused buffer, filled one `char` at a time
/// for every word, which skips the ASCII fast path that `str::to_lowercase` takes.
pub fn word_counts_reused_chars(text: &str) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut lower = String::new();
    for word in text.split_whitespace() {
        lower.clear();
        lower.extend(word.chars().flat_map(char::to_lowercase));
        match counts.get_mut(lower.as_str()) {
            Some(n) => *n += 1,
            None => {
                counts.insert(lower.clone(), 1);
            }
        }
    }
    counts
}
// ANCHOR_END: word_counts_reused_chars

/// Words of the sample text: a small vocabulary, as in real text, where most words repeat.
const VOCABULARY: [&str; 24] = [
    "the",
    "heap",
    "stack",
    "value",
    "moves",
    "into",
    "a",
    "box",
    "and",
    "out",
    "of",
    "its",
    "frame",
    "when",
    "function",
    "returns",
    "owner",
    "drops",
    "vec",
    "string",
    "slice",
    "pointer",
    "allocator",
    "copy",
];

/// `words` words from [`VOCABULARY`], some capitalised, from a fixed seed: the same text on
/// every run, so heap profiles of two runs can be compared.
pub fn sample_text(words: usize) -> String {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut text = String::new();
    for i in 0..words {
        if i > 0 {
            text.push(if i % 12 == 0 { '\n' } else { ' ' });
        }
        let word = VOCABULARY[rng.usize(..VOCABULARY.len())];
        if rng.u8(..4) == 0 {
            let mut chars = word.chars();
            text.extend(chars.next().map(|c| c.to_ascii_uppercase()));
            text.push_str(chars.as_str());
        } else {
            text.push_str(word);
        }
    }
    text
}

/// Words in the sample text of the benches.
pub const SAMPLE_WORDS: usize = 10_000;

// ANCHOR: cases
/// Every comparison the chapter shows. The criterion bench, the allocation pass and the
/// claims all read this one list.
pub fn cases<R: Runner>(r: &mut R) {
    // `black_box` on each returned box makes it escape, as it does to a real caller; the
    // other three return a plain number, summed.
    let mut g = r.group("elided_box");
    g.throughput(Throughput::Elements(CALLS));
    let calls = Some("1000_calls");
    g.case("box_escapes", calls, || {
        (0..CALLS)
            .map(|i| *black_box(box_escapes(black_box(i))))
            .sum::<u64>()
    });
    g.case("box_stays_local", calls, || {
        (0..CALLS)
            .map(|i| box_stays_local(black_box(i)))
            .sum::<u64>()
    });
    g.case("vec_stays_local", calls, || {
        (0..CALLS)
            .map(|i| vec_stays_local(black_box(i)))
            .sum::<u64>()
    });
    g.case("plain_local", calls, || {
        (0..CALLS).map(|i| plain_local(black_box(i))).sum::<u64>()
    });
    g.finish();

    let mut g = r.group("big_values");
    g.case("by_value", None, || pipeline_by_value(black_box(STAGES)));
    g.case("boxed", None, || pipeline_boxed(black_box(STAGES)));
    g.finish();

    let mut g = r.group("boxed_slice");
    g.case("collect_vec", None, || collect_vec(black_box(ITEMS)));
    g.case("collect_boxed_slice", None, || {
        collect_boxed_slice(black_box(ITEMS))
    });
    g.case("exact_into_boxed_slice", None, || {
        exact_into_boxed_slice(black_box(ITEMS))
    });
    g.finish();

    // The logs are freed inside the timed call: the boxed log's drop walks its thousand
    // events and frees ten boxes, a cost of boxing that the inline log does not have.
    // (`case_with_large_drop` would keep a batch of the 1 MB inline logs alive, so that each
    // call pays page faults for fresh memory instead.)
    let mut g = r.group("large_variant");
    g.case("inline_variant", None, || log_inline(black_box(EVENTS)));
    // The exercise's solution, in its own file so that this module (which the chapter shows
    // whole, as hidden lines) does not give it away.
    g.case("boxed_variant", None, || {
        workshop::solutions::where_values_live::log_boxed(black_box(EVENTS))
    });
    g.finish();

    let text = sample_text(SAMPLE_WORDS);
    let mut g = r.group("word_counts");
    g.slow();
    // Each returns a map of String keys: freeing it is not what the cases compare.
    g.case_with_large_drop("to_lowercase_each", Some("10000_words"), || {
        word_counts(black_box(&text))
    });
    g.case_with_large_drop("reused_buffer", Some("10000_words"), || {
        word_counts_reused(black_box(&text))
    });
    g.case_with_large_drop("reused_buffer_char_by_char", Some("10000_words"), || {
        word_counts_reused_chars(black_box(&text))
    });
    g.finish();
}
// ANCHOR_END: cases

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::size_of;

    #[test]
    fn both_word_counts_agree() {
        let text = sample_text(1000);
        let counts = word_counts(&text);
        assert_eq!(counts, word_counts_reused(&text));
        assert_eq!(counts, word_counts_reused_chars(&text));
        assert_eq!(counts.values().sum::<usize>(), 1000);
        // Capitalised words are counted with their lowercase forms.
        assert!(counts.keys().all(|k| k.chars().all(|c| c.is_lowercase())));
        assert_eq!(
            word_counts("Box box BOX"),
            HashMap::from([("box".to_string(), 3)])
        );
    }

    #[test]
    fn boxes_and_plain_values_agree() {
        assert_eq!(*box_escapes(5), 6);
        assert_eq!(box_stays_local(5), plain_local(5));
        assert_eq!(vec_stays_local(5), 5 + 6 + 7 + 8);
    }

    #[test]
    fn pipelines_agree() {
        assert_eq!(pipeline_by_value(STAGES), STAGES as u8);
        assert_eq!(pipeline_boxed(STAGES), STAGES as u8);
    }

    #[test]
    fn boxed_slices_hold_the_same_items() {
        let v = collect_vec(ITEMS);
        assert_eq!(&*collect_boxed_slice(ITEMS), v.as_slice());
        assert_eq!(&*exact_into_boxed_slice(ITEMS), v.as_slice());
        // A boxed slice is pointer and length; a Vec adds its capacity.
        assert_eq!(size_of::<Box<[u32]>>(), 2 * size_of::<usize>());
        assert_eq!(size_of::<Vec<u32>>(), 3 * size_of::<usize>());
    }
}
