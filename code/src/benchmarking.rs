//! Chapter "Benchmarking": `src/tools/benchmarking.md`. Bench: `benches/benchmarking.rs`.

use std::hint::black_box;

use workshop::measure::{Group, Runner, Throughput};
use workshop::testing::begins_with;

pub const CHAPTER: &str = "benchmarking";

// ANCHOR: begins_with_chars
/// `begins_with` written by hand, one `char` at a time: the kind of loop people write
/// before they measure it against the standard library.
pub fn begins_with_chars(s: &str, pat: &str) -> bool {
    let mut s_chars = s.chars();
    for p in pat.chars() {
        if s_chars.next() != Some(p) {
            return false;
        }
    }
    true
}
// ANCHOR_END: begins_with_chars

// ANCHOR: ignore_case_lowercase
/// The first version most of us write: lower-case both strings, then compare. Two new
/// `String`s per call, and `s` is lower-cased in full even when `pat` is two letters
/// long. `to_lowercase` is Unicode lower-casing: "Ä" becomes "ä" too, so on non-ASCII
/// text it answers a different question from `begins_with_ignore_case`.
pub fn begins_with_ignore_case_lowercase(s: &str, pat: &str) -> bool {
    s.to_lowercase().starts_with(&pat.to_lowercase())
}
// ANCHOR_END: ignore_case_lowercase

// ANCHOR: ignore_case_ascii_lowercase
/// The same two copies, lower-cased the ASCII way: the same answer as
/// `begins_with_ignore_case` on every input, so the difference between the two is the cost
/// of copying instead of comparing in place.
pub fn begins_with_ignore_case_ascii_lowercase(s: &str, pat: &str) -> bool {
    s.to_ascii_lowercase()
        .starts_with(&pat.to_ascii_lowercase())
}
// ANCHOR_END: ignore_case_ascii_lowercase

// ANCHOR: not_inlined
/// `str::starts_with` behind a call that is not inlined on purpose. Without the attribute
/// nothing promises that: rustc makes small functions without calls inlinable into other
/// crates on its own (since 1.75), and LTO makes every function visible. With it, the
/// bench crate sees only a declaration and must make the call.
#[inline(never)]
pub fn begins_with_not_inlined(s: &str, pat: &str) -> bool {
    s.starts_with(pat)
}
// ANCHOR_END: not_inlined

// ANCHOR: bytes_to_decide
/// How many bytes a prefix check must look at before it knows the answer: the bytes up to
/// and including the first difference, or the whole pattern when it matches. The
/// `begins_with` group reports this as its throughput, so that a pattern rejected at its
/// first byte is not credited with the 511 bytes nobody compared.
pub fn bytes_to_decide(s: &str, pat: &str) -> u64 {
    let compared = s
        .bytes()
        .zip(pat.bytes())
        .position(|(a, b)| a != b)
        .map_or(s.len().min(pat.len()), |i| i + 1);
    compared as u64
}
// ANCHOR_END: bytes_to_decide

/// One input of the `begins_with` benches.
pub struct Input {
    pub label: &'static str,
    pub s: String,
    pub pat: String,
}

// ANCHOR: inputs
/// The inputs the benches use: the seed's short case, and a 1 KiB text whose 512-byte
/// prefix either matches or differs in its first byte. Speed depends on the input, so
/// measure more than one.
pub fn inputs() -> Vec<Input> {
    let long: String = "GoLang is awesome. ".repeat(54); // 1,026 bytes
    vec![
        Input {
            label: "short",
            s: "GoLang".into(),
            pat: "Go".into(),
        },
        Input {
            label: "long_match",
            s: long.clone(),
            pat: long[..512].into(),
        },
        Input {
            label: "long_mismatch",
            s: long.clone(),
            pat: format!("X{}", &long[1..512]),
        },
    ]
}
// ANCHOR_END: inputs

// ANCHOR: cases
/// Every comparison the chapter shows. The criterion bench, the allocation pass and the
/// claims all read this one list.
pub fn cases<R: Runner>(r: &mut R) {
    let inputs = inputs();

    let mut g = r.group("begins_with");
    for i in &inputs {
        g.throughput(Throughput::Bytes(bytes_to_decide(&i.s, &i.pat)));
        g.case("starts_with", Some(i.label), || {
            begins_with(black_box(&i.s), black_box(&i.pat))
        });
        g.case("chars_loop", Some(i.label), || {
            begins_with_chars(black_box(&i.s), black_box(&i.pat))
        });
    }
    g.finish();
    // ANCHOR_END: cases

    // ANCHOR: black_box_cases
    // Each mistake, once where the optimizer can see the code (`str::starts_with` is
    // inlined into the benchmark loop) and once where it cannot (`begins_with_not_inlined`
    // is `#[inline(never)]` and lives in another crate: the loop must call it).
    let mut g = r.group("black_box");
    g.case("inputs_black_boxed", Some("inlined"), || {
        black_box("GoLang").starts_with(black_box("Go"))
    });
    // Two constants: the compiler can compute the answer before the program runs.
    g.case("constant_inputs", Some("inlined"), || {
        "GoLang".starts_with("Go")
    });
    // The answer is unused: the call is dead code if the compiler can see it has no side
    // effects.
    g.case("result_unused", Some("inlined"), || {
        let _ = black_box("GoLang").starts_with(black_box("Go"));
    });
    g.case("inputs_black_boxed", Some("inline_never"), || {
        begins_with_not_inlined(black_box("GoLang"), black_box("Go"))
    });
    g.case("constant_inputs", Some("inline_never"), || {
        begins_with_not_inlined("GoLang", "Go")
    });
    g.case("result_unused", Some("inline_never"), || {
        let _ = begins_with_not_inlined(black_box("GoLang"), black_box("Go"));
    });
    g.finish();
    // ANCHOR_END: black_box_cases

    // The exercise's solution: its code lives in its own file, so that this module (which
    // the chapter shows whole, as hidden lines) does not give it away.
    workshop::solutions::benchmarking::ignore_case_cases(r);
}

/// The exercise's check (`tests/exercise_benchmarking.rs`, which runs dhat): a group of three
/// cases on each of two inputs, in which exactly one case per input compares in place without
/// allocating and the two lower-casing ones copy both strings (two allocations or more) inside
/// the measured call.
pub fn check_ignore_case_cases(cases: fn(&mut workshop::measure::AllocRunner)) {
    let mut runner = workshop::measure::AllocRunner::new("exercises");
    runner.budget = std::time::Duration::from_millis(20);
    cases(&mut runner);
    let records = &runner.records;
    let summary: Vec<String> = records
        .iter()
        .map(|r| format!("{}: {} allocations per call", r.id, r.allocs_per_op))
        .collect();
    let summary = summary.join("\n");
    let mut inputs: Vec<Option<&str>> =
        records.iter().map(|r| r.param.as_deref()).collect();
    inputs.sort();
    inputs.dedup();
    assert!(
        records.len() == 6 && inputs.len() == 2,
        "expected three cases on each of two inputs (the input as the case's parameter), \
         found:\n{summary}"
    );
    for input in inputs {
        let row: Vec<f64> = records
            .iter()
            .filter(|r| r.param.as_deref() == input)
            .map(|r| r.allocs_per_op)
            .collect();
        let in_place = row.iter().filter(|&&n| n == 0.0).count();
        assert!(
            in_place == 1,
            "on each input exactly one case compares in place, allocating nothing:\n{summary}"
        );
        assert!(
            row.iter().all(|&n| n == 0.0 || n >= 2.0),
            "the lower-casing cases copy the text and the pattern inside the measured call \
             (two allocations each):\n{summary}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workshop::solutions::testing::begins_with_ignore_case;

    #[test]
    fn hand_written_versions_agree_with_std() {
        for i in inputs() {
            assert_eq!(
                begins_with_chars(&i.s, &i.pat),
                begins_with(&i.s, &i.pat),
                "{}",
                i.label
            );
        }
        for (s, pat) in [
            ("GoLang", "GOL"),
            ("GoLang", "java"),
            ("Go", "GoLang"),
            ("x", ""),
        ] {
            assert_eq!(
                begins_with_ignore_case_lowercase(s, pat),
                begins_with_ignore_case(s, pat),
                "{s:?} {pat:?}"
            );
            assert_eq!(
                begins_with_ignore_case_ascii_lowercase(s, pat),
                begins_with_ignore_case(s, pat),
                "{s:?} {pat:?}"
            );
        }
        for i in inputs() {
            assert_eq!(
                begins_with_not_inlined(&i.s, &i.pat),
                begins_with(&i.s, &i.pat)
            );
        }
    }

    #[test]
    fn only_the_ascii_versions_agree_on_non_ascii_text() {
        // Unicode lower-casing folds "Ä" to "ä"; the ASCII versions leave it alone.
        assert!(begins_with_ignore_case_lowercase("Ärger", "ä"));
        assert!(!begins_with_ignore_case_ascii_lowercase("Ärger", "ä"));
        assert!(!begins_with_ignore_case("Ärger", "ä"));
    }

    #[test]
    fn a_mismatch_is_decided_by_its_first_byte() {
        let inputs = inputs();
        let decided: Vec<u64> = inputs
            .iter()
            .map(|i| bytes_to_decide(&i.s, &i.pat))
            .collect();
        assert_eq!(decided, [2, 512, 1]);
        assert_eq!(bytes_to_decide("Go", "GoLang"), 2);
    }

    #[test]
    fn inputs_say_what_their_labels_say() {
        let inputs = inputs();
        assert!(begins_with(&inputs[1].s, &inputs[1].pat));
        assert!(!begins_with(&inputs[2].s, &inputs[2].pat));
        assert_eq!(inputs[1].pat.len(), 512);
    }
}
