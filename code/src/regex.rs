//! Chapter "Regex compilation": `src/techniques/regex.md`. Bench: `benches/regex.rs`.
//! (The Profiling chapter profiles the same `is_gopher` and shows where its time goes.)

use std::hint::black_box;
use std::sync::LazyLock;

// This module is called `regex` too: the leading `::` names the crate, not this module.
use ::regex::{CaptureLocations, Regex};
use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "regex";

/// The seed's pattern, `^([[:alpha:]]+)@golang.org$`, with its dot escaped: unescaped, `.`
/// matches any character, and `a@golangXorg` would count as a gopher.
pub const GOPHER_PATTERN: &str = r"^([[:alpha:]]+)@golang\.org$";

// ANCHOR: compile_every_call
/// The seed's `isGopher`, word for word: compile the pattern, use it once, drop it.
pub fn is_gopher_compile_every_call(email: &str) -> Option<&str> {
    let re = Regex::new(GOPHER_PATTERN).expect("the pattern is valid");
    let caps = re.captures(email)?;
    caps.get(1).map(|name| name.as_str())
}
// ANCHOR_END: compile_every_call

// ANCHOR: lazy_lock
/// Compiled the first time any thread uses it, then shared by every call and every thread.
static GOPHER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(GOPHER_PATTERN).expect("the pattern is valid"));

pub fn is_gopher_lazy_lock(email: &str) -> Option<&str> {
    let caps = GOPHER.captures(email)?;
    caps.get(1).map(|name| name.as_str())
}
// ANCHOR_END: lazy_lock

// ANCHOR: captures_read
/// The same groups, with no new `Captures` per call: the caller makes a
/// `CaptureLocations` once (`GOPHER.capture_locations()`) and every search writes the
/// group offsets into it. It holds offsets only, so the name is sliced out of `email`.
pub fn is_gopher_captures_read<'h>(
    locs: &mut CaptureLocations,
    email: &'h str,
) -> Option<&'h str> {
    GOPHER.captures_read(locs, email)?;
    let (start, end) = locs.get(1)?;
    Some(&email[start..end])
}
// ANCHOR_END: captures_read

// ANCHOR: ask_less
/// Only "does it match?": the cheapest question a `Regex` answers.
pub fn is_gopher_is_match(email: &str) -> bool {
    GOPHER.is_match(email)
}

/// Where the whole match is, without its groups. This pattern is anchored at both ends and
/// the name is everything before a fixed suffix, so the span is enough to recover it.
pub fn is_gopher_find(email: &str) -> Option<&str> {
    let m = GOPHER.find(email)?;
    m.as_str().strip_suffix("@golang.org")
}
// ANCHOR_END: ask_less

// ANCHOR: hand_written
/// The same check without a regex: a fixed suffix, and ASCII letters before it (what
/// `[[:alpha:]]` means in the `regex` crate).
pub fn is_gopher_hand_written(email: &str) -> Option<&str> {
    let name = email.strip_suffix("@golang.org")?;
    let letters = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic());
    letters.then_some(name)
}
// ANCHOR_END: hand_written

// ANCHOR: count_compile_per_line
/// The exercise's starting point: the pattern comes from the user (a command-line
/// argument, say), so it cannot be a `static`, and it is compiled again for every line.
// This is the slow version the chapter measures; clippy rightly flags it.
#[allow(clippy::regex_creation_in_loops)]
pub fn count_matching_compile_per_line(lines: &[&str], pattern: &str) -> usize {
    let mut count = 0;
    for line in lines {
        let re = Regex::new(pattern).expect("a valid pattern");
        if re.is_match(line) {
            count += 1;
        }
    }
    count
}
// ANCHOR_END: count_compile_per_line

// ANCHOR: count_check
/// The exercise's test: `count` must agree with [`count_matching_compile_per_line`] on a
/// hundred log lines and on none, and return an invalid pattern as an error.
pub fn check_count_matching(count: fn(&[&str], &str) -> Result<usize, ::regex::Error>) {
    let owned = log_lines(100);
    let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
    let slow = count_matching_compile_per_line(&lines, TIMEOUT_PATTERN);
    assert_eq!(count(&lines, TIMEOUT_PATTERN).unwrap(), slow);
    assert_eq!(count(&[], TIMEOUT_PATTERN).unwrap(), 0);
    assert!(count(&lines, "ERROR (unclosed").is_err());
}
// ANCHOR_END: count_check

/// Addresses per call in the `check` group.
pub const ADDRESSES: usize = 1000;

/// `n` addresses, all gophers (names of 3 to 10 ASCII letters) or all someone else's.
pub fn addresses(n: usize, gophers: bool) -> Vec<String> {
    (0..n)
        .map(|i| {
            if gophers {
                let name: String = (0..3 + i % 8)
                    .map(|k| char::from(b'a' + ((i * 7 + k * 3) % 26) as u8))
                    .collect();
                format!("{name}@golang.org")
            } else {
                format!("someone{i}@example.com")
            }
        })
        .collect()
}

/// How many of `emails` pass `check`: the loop every case of the `check` group runs, each
/// address passed through `black_box` so that no check can be hoisted or batched.
pub fn count_passing(emails: &[&str], mut check: impl FnMut(&str) -> bool) -> usize {
    emails
        .iter()
        .filter(|email| check(black_box(email)))
        .count()
}

/// The exercise's input: `n` log lines, one in five a timeout error.
pub fn log_lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match i % 5 {
            0 => format!(
                "2026-11-28T01:{:02}:00Z ERROR db{}: timeout after 30s",
                i % 60,
                i
            ),
            1 => format!("2026-11-28T01:{:02}:00Z WARN cache: miss rate high", i % 60),
            _ => format!("2026-11-28T01:{:02}:00Z INFO request {i} served", i % 60),
        })
        .collect()
}

/// The exercise's pattern: which errors were timeouts. (`[[:alnum:]]` is ASCII; `\w` would
/// be Unicode-aware, and compile to a much larger automaton.)
pub const TIMEOUT_PATTERN: &str = r"ERROR [[:alnum:]]+: timeout";

// ANCHOR: cases
/// Every comparison the chapter shows: the criterion bench, the allocation pass and the
/// claims all read this one list.
pub fn cases<R: Runner>(r: &mut R) {
    // The seed's benchmark: one address, the pattern compiled per call or once.
    let mut g = r.group("compile");
    g.case("compile_every_call", None, || {
        is_gopher_compile_every_call(black_box("gopher@golang.org")).is_some()
    });
    g.case("lazy_lock", None, || {
        is_gopher_lazy_lock(black_box("gopher@golang.org")).is_some()
    });
    g.finish();

    // With the regex compiled once: what each question costs, and a check by hand. Each
    // call checks 1,000 addresses, so that the cheapest check is still far above the
    // measurement floor; the throughput column gives the rate per address.
    let mut g = r.group("check");
    g.throughput(Throughput::Elements(ADDRESSES as u64));
    for (label, gophers) in [("1000_gophers", true), ("1000_others", false)] {
        let owned = addresses(ADDRESSES, gophers);
        let emails: Vec<&str> = owned.iter().map(String::as_str).collect();
        let emails = &emails;
        g.case("captures", Some(label), || {
            count_passing(emails, |email| is_gopher_lazy_lock(email).is_some())
        });
        let mut locs = GOPHER.capture_locations();
        g.case("captures_read", Some(label), || {
            count_passing(emails, |email| {
                is_gopher_captures_read(&mut locs, email).is_some()
            })
        });
        g.case("find", Some(label), || {
            count_passing(emails, |email| is_gopher_find(email).is_some())
        });
        g.case("is_match", Some(label), || {
            count_passing(emails, is_gopher_is_match)
        });
        g.case("hand_written", Some(label), || {
            count_passing(emails, |email| is_gopher_hand_written(email).is_some())
        });
    }
    g.finish();
    // ANCHOR_END: cases

    // The exercise's solution measures itself beside the per-line version: its code lives in
    // its own file, so that this module (which the chapter shows whole, as hidden lines)
    // does not give it away.
    workshop::solutions::regex::count_cases(r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_is_gopher_agrees() {
        let cases = [
            ("gopher@golang.org", Some("gopher")),
            ("a@golang.org", Some("a")),
            ("Rob@golang.org", Some("Rob")),
            ("@golang.org", None),
            ("rob.pike@golang.org", None),
            ("r0b@golang.org", None),
            ("rob@golangXorg", None),
            ("rob@golang.org.evil.example", None),
            ("someone@example.com", None),
            ("", None),
        ];
        for (email, expected) in cases {
            assert_eq!(is_gopher_compile_every_call(email), expected, "{email}");
            assert_eq!(is_gopher_lazy_lock(email), expected, "{email}");
            assert_eq!(is_gopher_find(email), expected, "{email}");
            let mut locs = GOPHER.capture_locations();
            assert_eq!(
                is_gopher_captures_read(&mut locs, email),
                expected,
                "{email}"
            );
            assert_eq!(is_gopher_is_match(email), expected.is_some(), "{email}");
            assert_eq!(is_gopher_hand_written(email), expected, "{email}");
        }
    }

    #[test]
    fn the_check_inputs_are_what_they_say() {
        for (gophers, expected) in [(true, ADDRESSES), (false, 0)] {
            let emails = addresses(ADDRESSES, gophers);
            assert_eq!(emails.len(), ADDRESSES);
            let found = emails.iter().filter(|e| GOPHER.is_match(e)).count();
            assert_eq!(found, expected);
        }
    }

    #[test]
    fn the_seeds_unescaped_dot_matches_too_much() {
        let seeds = Regex::new("^([[:alpha:]]+)@golang.org$").unwrap();
        assert!(seeds.is_match("rob@golangXorg"));
        assert!(!GOPHER.is_match("rob@golangXorg"));
    }

    #[test]
    fn the_per_line_version_counts_the_timeouts() {
        let owned = log_lines(100);
        let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
        assert_eq!(count_matching_compile_per_line(&lines, TIMEOUT_PATTERN), 20);
    }
}
