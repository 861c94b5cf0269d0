//! The solution of the Profiling chapter's exercise (`src/tools/profiling.md`), shown only in
//! its collapsed Solution admonition. The exercise itself is `exercises/profiling.rs`.

use std::collections::HashSet;
use std::hint::black_box;

use workshop::measure::{Group, Runner, Throughput};
use workshop::profiling::{distinct_words_vec, word_text};

// ANCHOR: distinct_words_set
/// The profile shows `contains` (a linear scan of everything seen so far, for every word)
/// under almost every sample. A hash set answers "seen before?" in constant time; the `Vec`
/// keeps the order of first appearance. Asking `contains` first means a repeated word (most
/// of them) costs one hash and no copy; only a new word is hashed twice, once to ask and
/// once to insert.
pub fn distinct_words_set(text: &str) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut order = Vec::new();
    for word in text.split_whitespace() {
        let word = word.to_lowercase();
        if !seen.contains(&word) {
            seen.insert(word.clone());
            order.push(word);
        }
    }
    order
}
// ANCHOR_END: distinct_words_set

// ANCHOR: distinct_words_set_insert
/// One hash per word instead of two for a new word: `insert` says whether the word was
/// new. But `insert` takes an owned `String`, and the `Vec` needs one too, so the word is
/// cloned before the set has said whether it needs it: an allocation for every word read,
/// repeats included.
pub fn distinct_words_set_insert(text: &str) -> Vec<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut order = Vec::new();
    for word in text.split_whitespace() {
        let word = word.to_lowercase();
        if seen.insert(word.clone()) {
            order.push(word);
        }
    }
    order
}
// ANCHOR_END: distinct_words_set_insert

// ANCHOR: distinct_cases
/// The chapter's `distinct_words` group: 20,000 words, 2,000 of them distinct.
pub fn distinct_cases<R: Runner>(r: &mut R) {
    let text = word_text(20_000, 2_000);
    let mut g = r.group("distinct_words");
    g.throughput(Throughput::Elements(20_000));
    g.slow();
    // The 2,000 words each returns are dropped outside the timed region.
    g.case_with_large_drop("vec_contains", Some("20000_words"), || {
        distinct_words_vec(black_box(&text))
    });
    g.case_with_large_drop("hash_set", Some("20000_words"), || {
        distinct_words_set(black_box(&text))
    });
    g.case_with_large_drop("hash_set_insert", Some("20000_words"), || {
        distinct_words_set_insert(black_box(&text))
    });
    g.finish();
}
// ANCHOR_END: distinct_cases

#[cfg(test)]
mod tests {
    use workshop::profiling::check_distinct_words;

    #[test]
    fn distinct_words_agree() {
        check_distinct_words(super::distinct_words_set);
        check_distinct_words(super::distinct_words_set_insert);
    }
}
