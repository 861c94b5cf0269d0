//! Chapter "Strings and formatting": `src/techniques/strings.md`. Bench:
//! `benches/strings.rs`.

use std::fmt::Write as _;
use std::hint::black_box;

use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "strings";

/// `n` one-letter pieces, `a` to `z` over and over: 1,000 pieces make a 1,000-character
/// string.
pub fn pieces(n: usize) -> Vec<&'static str> {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyz";
    (0..n).map(|i| &LETTERS[i % 26..i % 26 + 1]).collect()
}

// ANCHOR: format_rebuild
/// Go's `s += piece` translated word for word: each step formats the old string and the
/// piece into a new `String` and drops the old one. Every step copies everything built so
/// far, so the work grows with the square of the length.
pub fn build_format_rebuild(pieces: &[&str]) -> String {
    let mut s = String::new();
    for piece in pieces {
        s = format!("{s}{piece}");
    }
    s
}
// ANCHOR_END: format_rebuild

// ANCHOR: plus_assign
/// `+=` on a `String` is `push_str`: it appends in place, and grows the buffer
/// geometrically when it is full, as `Vec::push` does.
pub fn build_plus_assign(pieces: &[&str]) -> String {
    let mut s = String::new();
    for piece in pieces {
        s += piece;
    }
    s
}
// ANCHOR_END: plus_assign

// ANCHOR: with_capacity
/// Measure first, then allocate once: no buffer ever grows.
pub fn build_with_capacity(pieces: &[&str]) -> String {
    let len = pieces.iter().map(|p| p.len()).sum();
    let mut s = String::with_capacity(len);
    for piece in pieces {
        s.push_str(piece);
    }
    s
}
// ANCHOR_END: with_capacity

// ANCHOR: append_styles
/// `push_str` into a `String` that starts empty.
pub fn build_push_str(pieces: &[&str]) -> String {
    let mut s = String::new();
    for piece in pieces {
        s.push_str(piece);
    }
    s
}

/// `write!` appends through the formatting machinery (`std::fmt::Write`): it also writes
/// in place, but every call goes through `fmt::Arguments` and a dynamic call.
pub fn build_write_macro(pieces: &[&str]) -> String {
    let mut s = String::new();
    for piece in pieces {
        // Writing to a String cannot fail; `fmt::Write` returns a Result for other sinks.
        let _ = write!(s, "{piece}");
    }
    s
}

/// `concat` (and `join`) add up the lengths first, then allocate once and copy.
pub fn build_concat(pieces: &[&str]) -> String {
    pieces.concat()
}
// ANCHOR_END: append_styles

// ANCHOR: int_to_string
/// A new `String` per number, through `Display`.
pub fn int_to_string(n: u64) -> String {
    n.to_string()
}

/// `format!` is `to_string` with a template: the same `Display` code, a new `String`.
pub fn int_format_macro(n: u64) -> String {
    format!("{n}")
}

/// A new `String` per number, through `itoa`: the same allocation as `to_string`, so
/// the difference between the two is the formatting alone.
pub fn int_itoa_to_string(n: u64) -> String {
    itoa::Buffer::new().format(n).to_owned()
}

/// Into a `String` the caller reuses, through `Display` (`write!`).
pub fn int_write_into(out: &mut String, n: u64) {
    out.clear();
    let _ = write!(out, "{n}");
}

/// Into a `String` the caller reuses, through `itoa`: digits are produced into a small
/// stack buffer by a routine made only for integers, then copied.
pub fn int_itoa_into(out: &mut String, n: u64) {
    out.clear();
    out.push_str(itoa::Buffer::new().format(n));
}
// ANCHOR_END: int_to_string

// ANCHOR: join_to_string
/// The exercise's starting point: one `String` per number, a `Vec` to hold them, then
/// `join`.
pub fn join_numbers_to_string(numbers: &[u64]) -> String {
    numbers
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(",")
}
// ANCHOR_END: join_to_string

// ANCHOR: join_check
/// The exercise's test: `join` must agree with [`join_numbers_to_string`] on no numbers, one,
/// a few, `u64::MAX` and a thousand.
pub fn check_join_numbers(join: fn(&[u64]) -> String) {
    for input in [
        vec![],
        vec![0],
        vec![1, 22, 333],
        vec![u64::MAX, 0],
        numbers(1000),
    ] {
        assert_eq!(join(&input), join_numbers_to_string(&input), "{input:?}");
    }
    assert_eq!(join(&[1, 22, 333]), "1,22,333");
}
// ANCHOR_END: join_check

/// The exercise's input: `n` numbers of up to six digits.
pub fn numbers(n: usize) -> Vec<u64> {
    (0..n as u64).map(|i| i * 7919 % 1_000_000).collect()
}

// ANCHOR: cases
/// Every comparison the chapter shows: the criterion bench, the allocation pass and the
/// claims all read this one list.
pub fn cases<R: Runner>(r: &mut R) {
    // The same string built three ways, at three lengths, to show how each one scales.
    let mut g = r.group("build");
    for n in [10, 100, 1_000] {
        let input = pieces(n);
        let label = n.to_string();
        g.throughput(Throughput::Elements(n as u64));
        g.case("format_rebuild", Some(&label), || {
            build_format_rebuild(black_box(&input))
        });
        g.case("plus_assign", Some(&label), || {
            build_plus_assign(black_box(&input))
        });
        g.case("with_capacity", Some(&label), || {
            build_with_capacity(black_box(&input))
        });
    }
    g.finish();

    // Ways of appending, at one length.
    let input = pieces(1_000);
    let mut g = r.group("append");
    g.throughput(Throughput::Elements(input.len() as u64));
    g.case("push_str", Some("1000"), || {
        build_push_str(black_box(&input))
    });
    g.case("write_macro", Some("1000"), || {
        build_write_macro(black_box(&input))
    });
    g.case("concat", Some("1000"), || build_concat(black_box(&input)));
    g.finish();

    let mut g = r.group("int_to_string");
    for (label, n) in [("one_digit", 7), ("twenty_digits", u64::MAX)] {
        g.case("to_string", Some(label), || int_to_string(black_box(n)));
        g.case("format_macro", Some(label), || {
            int_format_macro(black_box(n))
        });
        g.case("itoa_to_string", Some(label), || {
            int_itoa_to_string(black_box(n))
        });
        let mut out = String::new();
        g.case("write_reused", Some(label), || {
            int_write_into(&mut out, black_box(n));
            out.len()
        });
        let mut out = String::new();
        g.case("itoa_reused", Some(label), || {
            int_itoa_into(&mut out, black_box(n));
            out.len()
        });
    }
    g.finish();
    // ANCHOR_END: cases

    // The exercise's solution measures itself beside `join_numbers_to_string`: its code
    // lives in its own file, so that this module (which the chapter shows whole, as hidden
    // lines) does not give it away.
    workshop::solutions::strings::join_cases(r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builder_builds_the_same_string() {
        for n in [0, 1, 26, 27, 1000] {
            let input = pieces(n);
            let expected = build_concat(&input);
            assert_eq!(expected.len(), n);
            assert_eq!(build_format_rebuild(&input), expected, "n = {n}");
            assert_eq!(build_plus_assign(&input), expected, "n = {n}");
            assert_eq!(build_with_capacity(&input), expected, "n = {n}");
            assert_eq!(build_push_str(&input), expected, "n = {n}");
            assert_eq!(build_write_macro(&input), expected, "n = {n}");
        }
        assert!(build_concat(&pieces(30)).starts_with("abcdefghijklmnopqrstuvwxyzabcd"));
    }

    #[test]
    fn integers_format_the_same() {
        let (mut a, mut b) = (String::from("old"), String::new());
        for n in [0, 7, 10, 999, 1_000_000, u64::MAX] {
            int_write_into(&mut a, n);
            int_itoa_into(&mut b, n);
            assert_eq!(a, int_to_string(n));
            assert_eq!(int_format_macro(n), int_to_string(n));
            assert_eq!(int_itoa_to_string(n), int_to_string(n));
            assert_eq!(b, int_to_string(n));
        }
    }
}
