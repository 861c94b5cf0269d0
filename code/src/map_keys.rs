//! Chapter "Map keys and hashers": `src/techniques/map-keys.md`. Bench:
//! `benches/map_keys.rs`.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hash};
use std::hint::black_box;

use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "map_keys";

/// Entries of the maps the benches build and query. The seed used 1,000,000; a tenth of
/// that keeps every case of this chapter in milliseconds, and the maps are still larger
/// than a core's own caches (L1 and L2), though not than a large server CPU's shared L3.
pub const ENTRIES: usize = 100_000;

// ANCHOR: keys
/// A long string key, as an id arriving in text (a URL path, a JSON field, a log line)
/// looks: 51 bytes.
pub fn string_key(i: u64) -> String {
    format!("customer-account-{i:012}-region-eu-west-1-live")
}

/// The same entity as an integer id. Ids are scattered over the `u64` range (no hasher
/// gets to exploit consecutive numbers).
pub fn int_key(i: u64) -> u64 {
    i.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}
// ANCHOR_END: keys

// ANCHOR: hashers
/// The standard library's default: SipHash 1-3 with random keys per map.
pub type SipState = std::collections::hash_map::RandomState;
/// rustc-hash: the Fx hash the Rust compiler uses for its own tables. Unkeyed: every map
/// builds the same hasher (rustc-hash 2 also names this type `FxBuildHasher`).
pub type FxState = std::hash::BuildHasherDefault<rustc_hash::FxHasher>;
/// foldhash's fast variant: hashbrown's default hasher, seeded per map.
pub type FoldState = foldhash::fast::RandomState;
/// aHash: a keyed hash, AES-based where the build enables AES instructions.
pub type AState = ahash::RandomState;
// ANCHOR_END: hashers

// ANCHOR: build_hash
/// Builds a map from borrowed keys. The map owns its keys, so a `String` key is cloned —
/// one allocation per entry — while a `u64` is copied. The table is sized up front, so
/// what differs between cases is the key and the hash.
pub fn build_hash<K, S>(keys: &[K]) -> HashMap<K, u64, S>
where
    K: Hash + Eq + Clone,
    S: BuildHasher + Default,
{
    let mut map = HashMap::with_capacity_and_hasher(keys.len(), S::default());
    for (i, key) in keys.iter().enumerate() {
        map.insert(key.clone(), i as u64);
    }
    map
}

/// The same, in a `BTreeMap`: ordered, no hashing, a comparison per level.
pub fn build_btree<K: Ord + Clone>(keys: &[K]) -> BTreeMap<K, u64> {
    keys.iter()
        .enumerate()
        .map(|(i, key)| (key.clone(), i as u64))
        .collect()
}
// ANCHOR_END: build_hash

// ANCHOR: lookup
/// Looks every query up by `&str`: a `HashMap<String, _>` accepts a borrowed `str`
/// (`String: Borrow<str>`), so no `String` is made per lookup. The whole key is hashed,
/// then compared byte by byte with the entry found.
pub fn lookup_str<S: BuildHasher>(
    map: &HashMap<String, u64, S>,
    queries: &[&str],
) -> u64 {
    queries.iter().map(|q| map[*q]).fold(0, u64::wrapping_add)
}

/// Looks every query up by integer: one 8-byte hash and one 8-byte comparison.
pub fn lookup_u64<S: BuildHasher>(map: &HashMap<u64, u64, S>, queries: &[u64]) -> u64 {
    queries.iter().map(|q| map[q]).fold(0, u64::wrapping_add)
}
// ANCHOR_END: lookup

pub fn lookup_btree_u64(map: &BTreeMap<u64, u64>, queries: &[u64]) -> u64 {
    queries.iter().map(|q| map[q]).fold(0, u64::wrapping_add)
}

// ANCHOR: interner
/// Gives each distinct string a small integer id, once; afterwards the program works with
/// ids. Each distinct string is stored twice (as the key that finds its id and in the list
/// that turns an id back into a string), and hashed once per `intern` call.
#[derive(Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Interner {
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 names");
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// With dense ids, the "map" from id to value can be a `Vec`: a lookup is an index.
pub fn lookup_interned(values: &[u64], queries: &[u32]) -> u64 {
    queries
        .iter()
        .map(|&q| values[q as usize])
        .fold(0, u64::wrapping_add)
}
// ANCHOR_END: interner

// ---------------------------------------------------------------------------------------
// The exercise: counting words.

// ANCHOR: count_entry
/// Counts how often each word occurs. `entry` wants an owned key, so `to_string` makes a
/// `String` for every word — also for the words already counted, where it is thrown away.
pub fn count_words_entry(words: &[&str]) -> HashMap<String, u64> {
    let mut counts = HashMap::new();
    for word in words {
        *counts.entry(word.to_string()).or_insert(0) += 1;
    }
    counts
}
// ANCHOR_END: count_entry

// ANCHOR: count_check
/// The counts half of the exercise's check: `count` must agree with [`count_words_entry`] on
/// no words, one word, a few and many (`words(10_000, 1_000)`).
pub fn check_word_counts(count: fn(&[&str]) -> HashMap<String, u64>) {
    for (n, distinct) in [(0, 1), (1, 1), (10, 3), (10_000, 1_000)] {
        let text = words(n, distinct);
        let words: Vec<&str> = text.iter().map(String::as_str).collect();
        let expected = count_words_entry(&words);
        assert_eq!(expected.values().sum::<u64>(), n as u64);
        assert_eq!(count(&words), expected, "{n} words, {distinct} distinct");
    }
    let counts = count(&["b", "a", "b"]);
    assert_eq!((counts["a"], counts["b"]), (1, 2));
}
// ANCHOR_END: count_check

// ANCHOR: count_allocations_check
/// The exercise's whole check (`tests/exercise_map_keys.rs`, which runs dhat): the counts of
/// [`check_word_counts`], and then the allocations of one call on 10,000 words of which 1,000
/// are distinct — a `String` for each distinct word and the map's own growth, not one per word.
pub fn check_word_count_allocations(count: fn(&[&str]) -> HashMap<String, u64>) {
    check_word_counts(count);
    let text = words(10_000, 1_000);
    let words: Vec<&str> = text.iter().map(String::as_str).collect();
    let before = dhat::HeapStats::get().total_blocks;
    let counts = black_box(count(&words));
    let made = dhat::HeapStats::get().total_blocks - before;
    drop(counts);
    // The table doubles as it grows: from 1,000 keys, about ten allocations.
    let allowed = 1_000 + 20;
    assert!(
        made <= allowed,
        "{made} allocations for 10,000 words of which 1,000 are distinct (at most {allowed}): \
         is a String made for words already counted?"
    );
}
// ANCHOR_END: count_allocations_check

/// `n` words drawn from `distinct` different long words.
pub fn words(n: usize, distinct: u64) -> Vec<String> {
    (0..n as u64)
        .map(|i| string_key(int_key(i) % distinct))
        .collect()
}

/// Queries: every key once, in a scattered order (not the order of insertion, which would
/// walk some tables in memory order).
pub fn query_order(n: usize) -> Vec<usize> {
    // 7919 is prime and does not divide ENTRIES: i * 7919 % n visits every index once.
    (0..n).map(|i| i * 7919 % n).collect()
}

// ANCHOR: cases
/// Every comparison the chapter shows: the criterion bench, the allocation pass and the
/// claims all read this one list.
pub fn cases<R: Runner>(r: &mut R) {
    let n = ENTRIES;
    let label = n.to_string();
    let p = Some(label.as_str());
    let strings: Vec<String> = (0..n as u64).map(string_key).collect();
    let ints: Vec<u64> = (0..n as u64).map(int_key).collect();

    // The maps are returned and dropped outside the timed region: freeing 100,000 keys is
    // measured on its own, in `drop` below.
    let mut g = r.group("build");
    g.slow();
    g.throughput(Throughput::Elements(n as u64));
    g.case_with_large_drop("string_siphash", p, || {
        build_hash::<_, SipState>(black_box(&strings))
    });
    g.case_with_large_drop("string_fxhash", p, || {
        build_hash::<_, FxState>(black_box(&strings))
    });
    g.case_with_large_drop("u64_siphash", p, || {
        build_hash::<_, SipState>(black_box(&ints))
    });
    g.case_with_large_drop("u64_fxhash", p, || {
        build_hash::<_, FxState>(black_box(&ints))
    });
    g.case_with_large_drop("btree_string", p, || build_btree(black_box(&strings)));
    g.case_with_large_drop("btree_u64", p, || build_btree(black_box(&ints)));
    g.finish();

    // Teardown alone: each call is handed a freshly built value (not timed) and drops it.
    // The same 100,000 `String`s freed from a map (in the table's order) and from a `Vec`
    // (in the order they were allocated), and a map with integer keys.
    let mut g = r.group("drop");
    g.slow();
    g.throughput(Throughput::Elements(n as u64));
    g.case_batched(
        "string_keys",
        p,
        || build_hash::<_, FxState>(&strings),
        drop,
    );
    g.case_batched("string_vec", p, || strings.clone(), drop);
    g.case_batched("u64_keys", p, || build_hash::<_, FxState>(&ints), drop);
    g.finish();

    // The same maps, built once, each queried for every key.
    let order = query_order(n);
    let str_queries: Vec<&str> = order.iter().map(|&i| strings[i].as_str()).collect();
    let int_queries: Vec<u64> = order.iter().map(|&i| ints[i]).collect();
    let mut g = r.group("lookup");
    g.slow();
    g.throughput(Throughput::Elements(n as u64));
    let m = build_hash::<_, SipState>(&strings);
    g.case("string_siphash", p, || {
        lookup_str(&m, black_box(&str_queries))
    });
    let m = build_hash::<_, FxState>(&strings);
    g.case("string_fxhash", p, || {
        lookup_str(&m, black_box(&str_queries))
    });
    let m = build_hash::<_, FoldState>(&strings);
    g.case("string_foldhash", p, || {
        lookup_str(&m, black_box(&str_queries))
    });
    let m = build_hash::<_, AState>(&strings);
    g.case("string_ahash", p, || {
        lookup_str(&m, black_box(&str_queries))
    });
    let m = build_hash::<_, SipState>(&ints);
    g.case("u64_siphash", p, || lookup_u64(&m, black_box(&int_queries)));
    let m = build_hash::<_, FxState>(&ints);
    g.case("u64_fxhash", p, || lookup_u64(&m, black_box(&int_queries)));
    let m = build_hash::<_, FoldState>(&ints);
    g.case("u64_foldhash", p, || {
        lookup_u64(&m, black_box(&int_queries))
    });
    let m = build_hash::<_, AState>(&ints);
    g.case("u64_ahash", p, || lookup_u64(&m, black_box(&int_queries)));
    let m = build_btree(&ints);
    g.case("btree_u64", p, || {
        lookup_btree_u64(&m, black_box(&int_queries))
    });
    // Interned: the strings were given ids 0..n once, up front; the values sit in a Vec.
    let mut interner = Interner::default();
    let ids: Vec<u32> = strings.iter().map(|s| interner.intern(s)).collect();
    let values: Vec<u64> = (0..n as u64).collect();
    let id_queries: Vec<u32> = order.iter().map(|&i| ids[i]).collect();
    g.case("interned_vec", p, || {
        lookup_interned(black_box(&values), black_box(&id_queries))
    });
    g.finish();
    // ANCHOR_END: cases

    // The exercise's solution measures itself beside `count_words_entry`: its code lives in
    // its own file, so that this module (which the chapter shows whole, as hidden lines) does
    // not give it away.
    workshop::solutions::map_keys::count_cases(r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_long_and_distinct() {
        assert_eq!(string_key(7).len(), 51);
        let n = 10_000;
        let ints: std::collections::HashSet<u64> = (0..n).map(int_key).collect();
        assert_eq!(ints.len(), n as usize);
        let mut order = query_order(ENTRIES);
        order.sort_unstable();
        assert_eq!(order, (0..ENTRIES).collect::<Vec<_>>());
    }

    #[test]
    fn every_map_finds_every_key() {
        let strings: Vec<String> = (0..1000).map(string_key).collect();
        let ints: Vec<u64> = (0..1000).map(int_key).collect();
        let queries: Vec<&str> = strings.iter().map(String::as_str).collect();
        let expected: u64 = (0..1000).sum();
        assert_eq!(
            lookup_str(&build_hash::<_, SipState>(&strings), &queries),
            expected
        );
        assert_eq!(
            lookup_str(&build_hash::<_, FxState>(&strings), &queries),
            expected
        );
        assert_eq!(
            lookup_str(&build_hash::<_, FoldState>(&strings), &queries),
            expected
        );
        assert_eq!(
            lookup_str(&build_hash::<_, AState>(&strings), &queries),
            expected
        );
        assert_eq!(
            lookup_u64(&build_hash::<_, SipState>(&ints), &ints),
            expected
        );
        assert_eq!(
            lookup_u64(&build_hash::<_, FxState>(&ints), &ints),
            expected
        );
        assert_eq!(
            lookup_u64(&build_hash::<_, FoldState>(&ints), &ints),
            expected
        );
        assert_eq!(lookup_u64(&build_hash::<_, AState>(&ints), &ints), expected);
        assert_eq!(lookup_btree_u64(&build_btree(&ints), &ints), expected);
        assert_eq!(build_btree(&strings)[&string_key(5)], 5);
    }

    #[test]
    fn interner_gives_dense_stable_ids() {
        let mut interner = Interner::default();
        assert!(interner.is_empty());
        let a = interner.intern("alpha");
        let b = interner.intern("beta");
        assert_eq!((a, b), (0, 1));
        assert_eq!(interner.intern("alpha"), a);
        assert_eq!(interner.name(b), "beta");
        assert_eq!(interner.len(), 2);
        assert_eq!(lookup_interned(&[10, 20], &[b, a, b]), 50);
    }
}
