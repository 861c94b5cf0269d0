//! The solution of the Regex chapter's exercise (`src/techniques/regex.md`), shown only in its
//! collapsed Solution admonition. The exercise itself is `exercises/regex.rs`.

use std::hint::black_box;

use ::regex::Regex;
use workshop::measure::{Group, Runner, Throughput};
use workshop::regex::{TIMEOUT_PATTERN, count_matching_compile_per_line, log_lines};

// ANCHOR: count_compiled_once
/// Compile once, before the loop, and hand a bad pattern back to the caller as an error
/// instead of panicking on it.
pub fn count_matching(lines: &[&str], pattern: &str) -> Result<usize, ::regex::Error> {
    let re = Regex::new(pattern)?;
    Ok(lines.iter().filter(|line| re.is_match(line)).count())
}
// ANCHOR_END: count_compiled_once

// ANCHOR: count_cases
/// The chapter's `count_matching` group: a hundred log lines, the pattern compiled for each
/// line and once.
pub fn count_cases<R: Runner>(r: &mut R) {
    let owned = log_lines(100);
    let lines: Vec<&str> = owned.iter().map(String::as_str).collect();
    let mut g = r.group("count_matching");
    g.slow();
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.case("compile_per_line", Some("100"), || {
        count_matching_compile_per_line(black_box(&lines), TIMEOUT_PATTERN)
    });
    g.case("compile_once", Some("100"), || {
        count_matching(black_box(&lines), TIMEOUT_PATTERN).expect("a valid pattern")
    });
    g.finish();
}
// ANCHOR_END: count_cases

#[cfg(test)]
mod tests {
    #[test]
    fn count_matching_agrees_and_reports_bad_patterns() {
        workshop::regex::check_count_matching(super::count_matching);
    }
}
