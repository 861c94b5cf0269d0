//! Chapter "Wrapper types": `src/memory/wrapper-types.md`. Bench: `benches/wrapper_types.rs`.
//!
//! What `Rc`, `Arc`, `RefCell`, `Cell`, `Mutex` and `Cow` cost per operation, next to the
//! code a professional writes instead. The cases that need two threads run on the Locks
//! chapter's [`Crew`] (workers started once, one per core, released per round), each crew
//! started lazily at its case's first call.

use std::borrow::Cow;
use std::cell::{Cell, LazyCell, RefCell};
use std::hint::black_box;
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use crossbeam_utils::CachePadded;

use workshop::locks::Crew;
use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "wrapper_types";

/// Worker threads of a round in the `shared_arc` group: one per core of the measuring machine.
pub const THREADS: usize = 2;

// ---------------------------------------------------------------------------------------
// Sharing a value: clone it, count it, or borrow it.

/// Clones in one call of the `clone` group.
pub const CLONES: usize = 1000;

/// The value the `clone` group hands out: a 64-byte string, say a name or a key.
pub fn name() -> String {
    "customer-00042/orders/2026-12/invoice-report-final-v2.pdf#page=7".to_owned()
}

// ANCHOR: hand_out
/// What each case of the `clone` group does: hands out [`CLONES`] copies of `value`, each
/// passed to code the optimizer cannot see into (`black_box`) and dropped, as a function
/// that takes its argument by value and keeps it for a while would.
pub fn hand_out<T: Clone>(value: &T) {
    for _ in 0..CLONES {
        black_box(value.clone());
    }
}

/// The same, lending `&str` instead: nothing is counted, copied or freed.
pub fn lend(value: &str) {
    for _ in 0..CLONES {
        black_box(value);
    }
}
// ANCHOR_END: hand_out

/// Clones each worker of the `shared_arc` group makes in one round: enough that the round's
/// own cost (releasing the workers, tens of microseconds) is a small part of it.
pub const THREAD_CLONES: usize = 200_000;

/// The value the workers share: padded, so that its `Arc`'s counts fill a cache line of their
/// own and two `Arc`s allocated one after the other never share a line.
pub type SharedName = CachePadded<String>;

// ANCHOR: clone_per_request
/// A worker's part of a round: [`THREAD_CLONES`] requests, each of which clones the shared
/// value, as a handler that takes an `Arc<Config>` by value does.
pub fn clone_per_request(shared: &Arc<SharedName>) -> u64 {
    for _ in 0..THREAD_CLONES {
        black_box(Arc::clone(shared));
    }
    0
}

/// The same requests, each given `&SharedName`: the worker holds one clone (the crew's) and
/// lends it.
pub fn borrow_per_request(shared: &SharedName) -> u64 {
    for _ in 0..THREAD_CLONES {
        black_box(shared);
    }
    0
}
// ANCHOR_END: clone_per_request

// ---------------------------------------------------------------------------------------
// Interior mutability in a loop.

/// Elements the `cells` group updates per call: 16 KiB of `u64`, inside any L1 data cache of
/// these machines, so that the loop, not where the vector sits, is what a row measures.
pub const ELEMENTS: usize = 2_048;

// ANCHOR: cells
// Each function is compiled once, on its own (`inline(never)`), so that every row calls its
// loop the same way and `cargo xtask figures asm` shows the code that was measured.

/// Adds `x` to every element, borrowing the `RefCell` again for each one: a flag check and
/// two flag writes per element, and a bounds check.
#[inline(never)]
pub fn add_refcell_each(values: &RefCell<Vec<u64>>, x: u64) {
    let len = values.borrow().len();
    for i in 0..len {
        values.borrow_mut()[i] += x;
    }
}

/// Borrowed once, for the whole loop.
#[inline(never)]
pub fn add_refcell_once(values: &RefCell<Vec<u64>>, x: u64) {
    for v in values.borrow_mut().iter_mut() {
        *v += x;
    }
}

/// Through `&[Cell<u64>]`: shared and mutable, no flag, no check.
#[inline(never)]
pub fn add_cells(values: &[Cell<u64>], x: u64) {
    for v in values {
        v.set(v.get() + x);
    }
}

/// Locking a `Mutex` for each element: an atomic instruction to lock and another to unlock.
#[inline(never)]
pub fn add_mutex_each(values: &Mutex<Vec<u64>>, x: u64) {
    let len = values.lock().unwrap().len();
    for i in 0..len {
        values.lock().unwrap()[i] += x;
    }
}

/// Locked once, for the whole loop.
#[inline(never)]
pub fn add_mutex_once(values: &Mutex<Vec<u64>>, x: u64) {
    for v in values.lock().unwrap().iter_mut() {
        *v += x;
    }
}

/// No wrapper: the caller lends `&mut`.
#[inline(never)]
pub fn add_plain(values: &mut [u64], x: u64) {
    for v in values {
        *v += x;
    }
}
// ANCHOR_END: cells

// ---------------------------------------------------------------------------------------
// Copy only when the value changes: Cow.

/// Strings escaped in one call of the `escape` group, and how many of them contain a
/// character to escape (one in a hundred: most text needs nothing).
pub const STRINGS: usize = 1000;
pub const NEEDING_ESCAPE: usize = 10;

/// The inputs of the `escape` group: words of 20 to 80 bytes, [`NEEDING_ESCAPE`] of them with
/// an `&` or a `<` in the middle.
pub fn texts() -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(7);
    (0..STRINGS)
        .map(|i| {
            let len = rng.usize(20..=80);
            let mut s: String = (0..len)
                .map(|_| {
                    if rng.u8(..8) == 0 {
                        ' '
                    } else {
                        rng.lowercase()
                    }
                })
                .collect();
            if i % (STRINGS / NEEDING_ESCAPE) == 0 {
                s.insert_str(len / 2, if i % 2 == 0 { " & " } else { " < " });
            }
            s
        })
        .collect()
}

fn entity(byte: u8) -> &'static str {
    match byte {
        b'&' => "&amp;",
        b'<' => "&lt;",
        _ => "&gt;",
    }
}

// ANCHOR: escape
/// Appends `s` to `out` with `&`, `<` and `>` replaced by their HTML entities. `memchr3`
/// finds the next of the three bytes, 16 or 32 bytes at a time; the runs between them are
/// copied whole.
pub fn escape_into(out: &mut String, s: &str) {
    let mut start = 0;
    for i in memchr::memchr3_iter(b'&', b'<', b'>', s.as_bytes()) {
        out.push_str(&s[start..i]);
        out.push_str(entity(s.as_bytes()[i]));
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// Always a new `String`: one allocation and a copy per call, changed or not. (Sized as
/// `escape_cow` sizes its own, so that the two differ only in what they skip.)
pub fn escape_owned(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(&mut out, s);
    out
}

/// Borrows `s` when there is nothing to escape, and allocates only when there is.
pub fn escape_cow(s: &str) -> Cow<'_, str> {
    match memchr::memchr3(b'&', b'<', b'>', s.as_bytes()) {
        None => Cow::Borrowed(s),
        Some(first) => {
            let mut out = String::with_capacity(s.len() + 8);
            out.push_str(&s[..first]);
            escape_into(&mut out, &s[first..]);
            Cow::Owned(out)
        }
    }
}
// ANCHOR_END: escape

/// What is often written first: three passes, three new `String`s per call.
pub fn escape_replace(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// How a case of the `shared_arc` group starts its crew, at its first call.
type StartCrew = Box<dyn Fn() -> Crew>;

// ANCHOR: cases
pub fn cases<R: Runner>(r: &mut R) {
    let mut g = r.group("clone");
    g.throughput(Throughput::Elements(CLONES as u64));
    let owned = name();
    let rc: Rc<str> = Rc::from(owned.as_str());
    let arc: Arc<str> = Arc::from(owned.as_str());
    g.case("string", None, || hand_out(&owned));
    g.case("rc_str", None, || hand_out(&rc));
    g.case("arc_str", None, || hand_out(&arc));
    g.case("borrow", None, || lend(&owned));
    g.finish();

    let mut g = r.group("shared_arc");
    g.slow();
    g.throughput(Throughput::Elements((THREADS * THREAD_CLONES) as u64));
    {
        let shared = || Arc::new(CachePadded::new(name()));
        let crews: [(&str, StartCrew); 4] = [
            (
                "one_arc",
                Box::new(move || {
                    let one = Arc::new(shared());
                    Crew::sharing(&one, THREADS, |arc, _| clone_per_request(arc))
                }),
            ),
            (
                "arc_each",
                Box::new(move || {
                    let each = Arc::new([shared(), shared()]);
                    Crew::sharing(&each, THREADS, |arcs, t| clone_per_request(&arcs[t]))
                }),
            ),
            (
                "one_arc_one_worker",
                Box::new(move || {
                    let one = Arc::new(shared());
                    Crew::sharing(&one, 1, |arc, _| {
                        (0..THREADS).map(|_| clone_per_request(arc)).sum()
                    })
                }),
            ),
            (
                "borrow",
                Box::new(move || {
                    let one = Arc::new(shared());
                    Crew::sharing(&one, THREADS, |arc, _| borrow_per_request(arc))
                }),
            ),
        ];
        for (name, start) in crews {
            let crew = LazyCell::new(start);
            g.case(name, None, || crew.round());
        }
    }
    g.finish();

    let mut g = r.group("cells");
    g.throughput(Throughput::Elements(ELEMENTS as u64));
    let refcell = RefCell::new(vec![1u64; ELEMENTS]);
    let mutex = Mutex::new(vec![1u64; ELEMENTS]);
    let cells: Vec<Cell<u64>> = (0..ELEMENTS).map(|_| Cell::new(1)).collect();
    let mut plain = vec![1u64; ELEMENTS];
    g.case("refcell_each", None, || {
        add_refcell_each(&refcell, black_box(3))
    });
    g.case("refcell_once", None, || {
        add_refcell_once(&refcell, black_box(3))
    });
    g.case("cell", None, || add_cells(&cells, black_box(3)));
    g.case("mutex_each", None, || add_mutex_each(&mutex, black_box(3)));
    g.case("mutex_once", None, || add_mutex_once(&mutex, black_box(3)));
    g.case("plain", None, || add_plain(&mut plain, black_box(3)));
    g.finish();

    let mut g = r.group("escape");
    g.throughput(Throughput::Elements(STRINGS as u64));
    let texts = texts();
    g.case("replace", None, || {
        texts
            .iter()
            .map(|s| black_box(escape_replace(s)).len())
            .sum::<usize>()
    });
    g.case("owned", None, || {
        texts
            .iter()
            .map(|s| black_box(escape_owned(s)).len())
            .sum::<usize>()
    });
    g.case("cow", None, || {
        texts
            .iter()
            .map(|s| black_box(escape_cow(s)).len())
            .sum::<usize>()
    });
    let mut out = String::new();
    g.case("into_buffer", None, || {
        texts
            .iter()
            .map(|s| {
                out.clear();
                escape_into(&mut out, s);
                black_box(&out).len()
            })
            .sum::<usize>()
    });
    g.finish();
}
// ANCHOR_END: cases

// ---------------------------------------------------------------------------------------
// The exercise's check.

// ANCHOR: newlines_check
/// The exercise's check (`tests/exercise_wrapper_types.rs`, which runs dhat): every `\r\n`
/// becomes `\n` and nothing else changes, text without a `\r\n` comes back borrowed and
/// without an allocation, and text with one costs exactly one allocation.
pub fn check_normalize_newlines(normalize: fn(&str) -> Cow<'_, str>) {
    let cases = [
        ("", ""),
        ("one line", "one line"),
        ("a\nb\n", "a\nb\n"),
        ("a\r\nb\r\n", "a\nb\n"),
        ("\r\n\r\n", "\n\n"),
        ("a lone \r stays", "a lone \r stays"),
        ("\r\r\n\n", "\r\n\n"),
        ("ends in \r", "ends in \r"),
        ("a\r\nb", "a\nb"),
        ("x\r\ny\r", "x\ny\r"),
    ];
    // A long text, so that a String grown by pushes needs more than its first allocation.
    let long = ("line\r\n".repeat(50), "line\n".repeat(50));
    let cases = cases
        .into_iter()
        .chain([(long.0.as_str(), long.1.as_str())]);
    for (input, expected) in cases {
        let before = dhat::HeapStats::get();
        let got = normalize(input);
        let after = dhat::HeapStats::get();
        assert_eq!(got, expected, "normalizing {input:?}");
        let allocations = after.total_blocks - before.total_blocks;
        if input.contains("\r\n") {
            assert_eq!(
                allocations, 1,
                "{input:?} needs one new string, and one allocation is enough"
            );
        } else {
            assert!(
                matches!(got, Cow::Borrowed(_)) && allocations == 0,
                "{input:?} has no \\r\\n: it should come back borrowed, without allocating \
                 (it made {allocations} allocations)"
            );
        }
    }
}
// ANCHOR_END: newlines_check

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_escape_gives_the_same_text() {
        for s in texts()
            .iter()
            .map(String::as_str)
            .chain(["", "&", "<>&", "a > b"])
        {
            let expected = escape_replace(s);
            assert_eq!(escape_owned(s), expected);
            assert_eq!(escape_cow(s), expected);
            let mut out = String::from("kept ");
            escape_into(&mut out, s);
            assert_eq!(out, format!("kept {expected}"));
        }
    }

    #[test]
    fn a_tenth_of_a_percent_of_the_texts_need_escaping_and_cow_borrows_the_rest() {
        let texts = texts();
        let owned = texts
            .iter()
            .filter(|s| matches!(escape_cow(s), Cow::Owned(_)))
            .count();
        assert_eq!(owned, NEEDING_ESCAPE);
    }

    #[test]
    fn every_cells_variant_adds_the_same() {
        let refcell = RefCell::new(vec![1u64; 100]);
        let mutex = Mutex::new(vec![1u64; 100]);
        let cells: Vec<Cell<u64>> = (0..100).map(|_| Cell::new(1)).collect();
        let mut plain = vec![1u64; 100];
        add_refcell_each(&refcell, 3);
        add_refcell_once(&refcell, 3);
        add_mutex_each(&mutex, 3);
        add_mutex_once(&mutex, 3);
        add_cells(&cells, 3);
        add_cells(&cells, 3);
        add_plain(&mut plain, 3);
        add_plain(&mut plain, 3);
        let cells: Vec<u64> = cells.iter().map(Cell::get).collect();
        for v in [
            refcell.into_inner(),
            mutex.into_inner().unwrap(),
            cells,
            plain,
        ] {
            assert_eq!(v, vec![7; 100]);
        }
    }

    #[test]
    fn the_shared_values_counts_sit_in_lines_of_their_own() {
        let a = Arc::new(CachePadded::new(name()));
        let b = Arc::new(CachePadded::new(name()));
        // The counts are at the start of the allocation, 128 bytes before the value.
        let line = |arc: &Arc<SharedName>| (Arc::as_ptr(arc) as usize - 128) / 64;
        assert_ne!(line(&a), line(&b));
        assert_eq!(Arc::as_ptr(&a) as usize % 128, 0);
        assert_eq!(name().len(), 64);
    }
}
