//! The solution of the Strings chapter's exercise (`src/techniques/strings.md`), shown only in
//! its collapsed Solution admonition. The exercise itself is `exercises/strings.rs`.

use std::fmt::Write as _;
use std::hint::black_box;

use workshop::measure::{Group, Runner, Throughput};
use workshop::strings::{join_numbers_to_string, numbers};

// ANCHOR: join_itoa
/// One `String`, sized for the worst case (a `u64` has at most 20 digits, plus a comma), and
/// `itoa` to turn each number into digits without allocating.
pub fn join_numbers_itoa(numbers: &[u64]) -> String {
    let mut out = String::with_capacity(numbers.len() * 21);
    let mut digits = itoa::Buffer::new();
    for (i, &n) in numbers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(digits.format(n));
    }
    out
}
// ANCHOR_END: join_itoa

/// The middle way: the same single `String`, with `write!` instead of `itoa`.
pub fn join_numbers_write(numbers: &[u64]) -> String {
    let mut out = String::with_capacity(numbers.len() * 21);
    for (i, &n) in numbers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{n}");
    }
    out
}

// ANCHOR: join_cases
/// The chapter's `join_numbers` group: a thousand numbers joined the original way, with
/// `write!` into one `String`, and with `itoa`.
pub fn join_cases<R: Runner>(r: &mut R) {
    let input = numbers(1_000);
    let mut g = r.group("join_numbers");
    g.throughput(Throughput::Elements(input.len() as u64));
    g.case("to_string_join", Some("1000"), || {
        join_numbers_to_string(black_box(&input))
    });
    g.case("write_macro", Some("1000"), || {
        join_numbers_write(black_box(&input))
    });
    g.case("itoa_push_str", Some("1000"), || {
        join_numbers_itoa(black_box(&input))
    });
    g.finish();
}
// ANCHOR_END: join_cases

#[cfg(test)]
mod tests {
    use workshop::strings::check_join_numbers;

    #[test]
    fn join_numbers_agree() {
        check_join_numbers(super::join_numbers_itoa);
        check_join_numbers(super::join_numbers_write);
    }
}
