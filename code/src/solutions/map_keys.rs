//! The solution of the Map keys chapter's exercise (`src/techniques/map-keys.md`), shown only
//! in its collapsed Solution admonition. The exercise itself is `exercises/map_keys.rs`.

use std::collections::HashMap;
use std::hint::black_box;

use workshop::map_keys::{ENTRIES, FoldState, count_words_entry, words};
use workshop::measure::{Group, Runner, Throughput};

// ANCHOR: count_get_mut
/// Looks up by `&str` first and allocates a `String` only for a word not seen before. Two
/// lookups for a new word, one for every other.
pub fn count_words_get_mut(words: &[&str]) -> HashMap<String, u64> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    for word in words {
        match counts.get_mut(*word) {
            Some(count) => *count += 1,
            None => {
                counts.insert(word.to_string(), 1);
            }
        }
    }
    counts
}

/// The same with foldhash, for input that does not come from an adversary.
pub fn count_words_get_mut_foldhash(words: &[&str]) -> HashMap<String, u64, FoldState> {
    let mut counts: HashMap<String, u64, FoldState> = HashMap::default();
    for word in words {
        match counts.get_mut(*word) {
            Some(count) => *count += 1,
            None => {
                counts.insert(word.to_string(), 1);
            }
        }
    }
    counts
}
// ANCHOR_END: count_get_mut

// ANCHOR: count_cases
/// The chapter's `count_words` group: 100,000 words, 1,000 of them distinct, counted the
/// original way and the two ways above.
pub fn count_cases<R: Runner>(r: &mut R) {
    let n = ENTRIES;
    let label = n.to_string();
    let p = Some(label.as_str());
    let text = words(n, 1_000);
    let words: Vec<&str> = text.iter().map(String::as_str).collect();
    let mut g = r.group("count_words");
    g.slow();
    g.throughput(Throughput::Elements(n as u64));
    g.case_with_large_drop("entry_to_string", p, || {
        count_words_entry(black_box(&words))
    });
    g.case_with_large_drop("get_mut_then_insert", p, || {
        count_words_get_mut(black_box(&words))
    });
    g.case_with_large_drop("get_mut_foldhash", p, || {
        count_words_get_mut_foldhash(black_box(&words))
    });
    g.finish();
}
// ANCHOR_END: count_cases

#[cfg(test)]
mod tests {
    use super::*;
    use workshop::map_keys::check_word_counts;

    #[test]
    fn word_counts_agree() {
        check_word_counts(count_words_get_mut);
        // foldhash's map has another type: compare its entries.
        let text = words(10_000, 1_000);
        let words: Vec<&str> = text.iter().map(String::as_str).collect();
        let expected = count_words_entry(&words);
        let fold = count_words_get_mut_foldhash(&words);
        assert_eq!(fold.len(), expected.len());
        assert!(fold.iter().all(|(w, c)| expected[w] == *c));
    }
}
