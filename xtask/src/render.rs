//! `src/generated/<chapter>.md`: one table per group, rendered from `results/<chapter>.json` and
//! nothing else, so that every number in the book comes from a measurement.

use std::fs;

use crate::bench::{CaseResult, GroupResult, Machine, Mode, Results, Throughput};
use crate::profile::Build;
use crate::{Repo, Result, fail};

/// `render`: re-renders the tables of every `results/*.json`.
pub fn render_all(repo: &Repo) -> Result {
    let dir = repo.root.join("results");
    let mut files: Vec<_> = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect(),
        Err(e) => return Err(fail(format!("cannot list {}: {e}", repo.show(&dir)))),
    };
    files.sort();
    if files.is_empty() {
        println!("render: no results/*.json yet; run `cargo xtask bench` first");
    }
    for file in files {
        let text = fs::read_to_string(&file)
            .map_err(|e| fail(format!("cannot read {}: {e}", repo.show(&file))))?;
        // Coverage, not timings: written by `cargo xtask coverage`, in its own shape.
        if file.file_stem().is_some_and(|s| s == "coverage") {
            let results: crate::coverage::CoverageResults =
                serde_json::from_str(&text)
                    .map_err(|e| fail(format!("{}: {e}", repo.show(&file))))?;
            crate::coverage::render_file(repo, &results)?;
            continue;
        }
        let results: Results = serde_json::from_str(&text)
            .map_err(|e| fail(format!("{}: {e}", repo.show(&file))))?;
        render_chapter_file(repo, &results)?;
    }
    render_index(repo)
}

/// Writes `src/generated/all.md`: every chapter's tables, for the "All results" appendix, which
/// includes it. Built from the files in `src/generated/`, so a chapter measured for the first
/// time appears there without anyone editing the appendix.
pub fn render_index(repo: &Repo) -> Result {
    let dir = repo.root.join("src/generated");
    let mut chapters: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| fail(format!("cannot list {}: {e}", repo.show(&dir))))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .filter(|stem| stem != "all" && stem != "patterns")
        .collect();
    let pages = chapter_pages(&repo.root.join("src"));
    // The book's order; chapters not (yet) in SUMMARY.md last, by name.
    chapters.sort_by_key(|c| {
        let position = pages.iter().position(|(module, _, _)| module == c);
        (position.unwrap_or(usize::MAX), c.clone())
    });
    let mut text = render_index_text(&chapters, &pages);
    text.push_str(&render_figures_index(&dir.join("figures")));
    write_generated(repo, &dir.join("all.md"), &text)?;
    crate::figures::claim_spread::rerender(repo)?;
    crate::figures::caches::rerender(repo)?;
    crate::patterns::render(repo)
}

/// The tables of `cargo xtask figures` (whole-program runs, profiles, traces), one section per
/// figure set, after the chapters' benchmark tables.
fn render_figures_index(dir: &std::path::Path) -> String {
    let mut sets: Vec<String> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    if sets.is_empty() {
        return String::new();
    }
    sets.sort();
    let mut out = String::from(
        "\n## Whole-program runs, profiles and traces\n\nMeasured by `cargo xtask figures`, \
         not by criterion: each set runs a program of the workshop crate and keeps what it \
         measured in `results/figures/<set>.json`.\n",
    );
    for set in sets {
        out.push_str(&format!(
            "\n### Figure set `{set}`\n\n{{{{#include figures/{set}.md}}}}\n"
        ));
    }
    out
}

/// `(module name, path of its chapter relative to src/)` for the chapters in SUMMARY.md:
/// `tools/stack-and-heap.md` belongs to the module `stack_and_heap`.
pub(crate) fn chapter_pages(src: &std::path::Path) -> Vec<(String, String, String)> {
    let summary = fs::read_to_string(src.join("SUMMARY.md")).unwrap_or_default();
    summary
        .lines()
        .filter_map(|line| {
            let (title, rest) =
                line.trim_start().strip_prefix("- [")?.split_once("](")?;
            let path = rest.strip_suffix(')')?;
            let stem = std::path::Path::new(path).file_stem()?.to_string_lossy();
            Some((stem.replace('-', "_"), path.to_owned(), title.to_owned()))
        })
        .filter(|(_, path, _)| !path.is_empty())
        .collect()
}

fn render_index_text(chapters: &[String], pages: &[(String, String, String)]) -> String {
    let mut out = String::from(
        "<!-- Generated by `cargo xtask render` (and `cargo xtask bench`) from src/generated/. \
         Do not edit. -->\n",
    );
    for chapter in chapters {
        match pages.iter().find(|(module, _, _)| module == chapter) {
            // The appendix that includes this file lives in src/appendix/.
            Some((_, path, title)) => {
                out.push_str(&format!("\n## {title}\n\nFrom [{title}](../{path}).\n"))
            }
            None => out.push_str(&format!("\n## {chapter}\n")),
        }
        out.push_str(&format!("\n{{{{#include {chapter}.md}}}}\n"));
    }
    out
}

/// Writes `src/generated/<chapter>.md`, only if it changed (`mdbook serve` rebuilds on every
/// write).
pub fn render_chapter_file(repo: &Repo, results: &Results) -> Result {
    let dir = repo.root.join("src/generated");
    fs::create_dir_all(&dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", repo.show(&dir))))?;
    let path = dir.join(format!("{}.md", results.chapter));
    write_generated(repo, &path, &render_chapter(results))
}

/// Writes a generated file only if its text changed: `mdbook serve` rebuilds on every write.
pub(crate) fn write_generated(repo: &Repo, path: &std::path::Path, text: &str) -> Result {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        println!("{} is up to date", repo.show(path));
        return Ok(());
    }
    fs::write(path, text)
        .map_err(|e| fail(format!("cannot write {}: {e}", repo.show(path))))?;
    println!("wrote {}", repo.show(path));
    Ok(())
}

/// A chapter's tables as a terminal shows them: without the HTML comments (the generated-file
/// header and the anchors), which only mdBook needs.
pub fn for_terminal(tables: &str) -> String {
    tables
        .lines()
        .filter(|line| !line.trim_start().starts_with("<!--"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn render_chapter(results: &Results) -> String {
    let mut out = format!(
        "<!-- Generated by `cargo xtask bench {chapter}` (or `cargo xtask render`) from \
         results/{chapter}.json. Do not edit: edit the cases in code/src/{chapter}.rs and re-measure. -->\n\
         <!-- A chapter includes one group's table by its anchor: `generated/{chapter}.md:<group>`. -->\n",
        chapter = results.chapter
    );
    let stamp = stamp(results);
    for group in &results.groups {
        let anchor = anchor_name(&group.name);
        out.push_str(&format!(
            "\n### `{}`\n\n<!-- ANCHOR: {anchor} -->\n",
            group.name
        ));
        out.push_str(&table(group, results));
        if let Some(note) = floor_note(group, results) {
            out.push_str(&format!("\n{note}\n"));
        }
        out.push_str(&format!("\n{stamp}\n<!-- ANCHOR_END: {anchor} -->\n"));
    }
    out
}

/// What "at the measurement floor" means, under a table that has such a row.
fn floor_note(group: &GroupResult, results: &Results) -> Option<String> {
    let floor = results.floor_ns?;
    let any = group
        .cases
        .iter()
        .any(|c| c.time_ns.is_some_and(|t| results.at_floor(t.estimate)));
    any.then(|| {
        format!(
            "*{FLOOR_MARK}: within {}× of the empty loop ({} in this run), so criterion's loop \
             is a large share of what the row times; no claim or pattern may rest on it.*",
            crate::bench::FLOOR_FACTOR,
            time(floor.estimate)
        )
    })
}

/// Appended to the time of a row at the measurement floor.
pub const FLOOR_MARK: &str = "at the measurement floor";

/// The group name as an mdBook anchor, which may only hold word characters and `-`.
pub fn anchor_name(group: &str) -> String {
    group
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The italic line under every table: where, when and from what the numbers come.
fn stamp(r: &Results) -> String {
    let what = match r.mode {
        Mode::Full => "Measured",
        Mode::Quick => "Measured in a quick run (short measurement, wider intervals)",
    };
    let what = match r.floor_ns {
        Some(floor) => format!("{what} (empty loop: {})", time(floor.estimate)),
        None => what.to_string(),
    };
    let command = format!("cargo xtask bench {}", r.chapter);
    stamp_line(
        &what,
        &r.machine,
        r.build.as_ref(),
        &r.date,
        &r.commit,
        r.dirty,
        &command,
    )
}

/// `AMD EPYC, 2 physical cores, 1 thread per core`; the older `…, 2 cores` when the results
/// predate the topology fields.
fn machine_text(m: &Machine) -> String {
    let cores = cores_text(m);
    // The model name alone does not tell one generation from another ("AMD EPYC"): the cache
    // sizes do.
    match &m.caches {
        Some(levels) => {
            let sizes: Vec<String> = levels
                .iter()
                .filter(|l| l.kind != "Instruction")
                .map(|l| format!("{} {}", l.name(), crate::bench::kib_text(l.size_bytes)))
                .collect();
            format!("{cores}, {}", sizes.join(" / "))
        }
        None => cores,
    }
}

fn cores_text(m: &Machine) -> String {
    match (m.physical_cores, m.threads_per_core) {
        (Some(physical), Some(threads)) => {
            let available = if m.cores == physical * threads {
                String::new()
            } else {
                format!(" ({} available)", m.cores)
            };
            format!(
                "{}, {physical} physical core{}, {threads} thread{} per core{available}",
                escape(&m.cpu),
                if physical == 1 { "" } else { "s" },
                if threads == 1 { "" } else { "s" },
            )
        }
        _ => format!("{}, {} cores", escape(&m.cpu), m.cores),
    }
}

/// One stamp line for every generated table (benches, coverage, figure sets): `what` ("Measured
/// …") on which machine, the day of `date` (ISO 8601), the commit, and the command that
/// regenerates the table.
pub(crate) fn stamp_line(
    what: &str,
    m: &Machine,
    build: Option<&Build>,
    date: &str,
    commit: &str,
    dirty: bool,
    command: &str,
) -> String {
    let day = date.split('T').next().unwrap_or(date);
    let dirty = if dirty { " (uncommitted changes)" } else { "" };
    let build = build.map_or(String::new(), |b| format!("{}, ", escape(&b.describe())));
    format!(
        "*{what} on {}, {}, {}, {build}{day}, commit {}{dirty} — regenerate with \
         `{command}`*",
        machine_text(m),
        escape(&m.os),
        escape(&m.rustc),
        escape(commit),
    )
}

fn table(group: &GroupResult, results: &Results) -> String {
    let has_param = group.cases.iter().any(|c| c.param.is_some());
    let has_throughput = group.cases.iter().any(|c| c.throughput.is_some());
    let compares = group.cases.iter().any(|c| c.case != group.baseline);

    let mut header = vec!["case"];
    let mut align = vec![":--"];
    if has_param {
        header.push("input");
        align.push(":--");
    }
    header.push("time per call (95% interval)");
    align.push("--:");
    if has_throughput {
        header.push("throughput");
        align.push("--:");
    }
    header.extend(["allocs/call", "bytes/call"]);
    align.extend(["--:", "--:"]);
    if compares {
        header.push("vs baseline");
        align.push(":--");
    }
    let mut out = row(&header);
    out.push_str(&row(&align));

    for case in &group.cases {
        let mut cells = vec![format!("`{}`", case.case)];
        if has_param {
            cells.push(case.param.as_deref().map_or(DASH.to_string(), escape));
        }
        cells.push(case.time_ns.map_or(DASH.to_string(), |t| {
            let shown = time_with_interval(t.estimate, t.lower, t.upper);
            if results.at_floor(t.estimate) {
                format!("{shown} ({FLOOR_MARK})")
            } else {
                shown
            }
        }));
        if has_throughput {
            cells.push(match (case.throughput, case.time_ns) {
                (Some(tp), Some(t)) => throughput(tp, t.estimate),
                _ => DASH.to_string(),
            });
        }
        cells.push(case.allocs_per_op.map_or(DASH.to_string(), count));
        cells.push(case.bytes_per_op.map_or(DASH.to_string(), count));
        if compares {
            cells.push(versus_baseline(group, case));
        }
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        out.push_str(&row(&cells));
    }
    out
}

pub(crate) const DASH: &str = "—";

fn row(cells: &[&str]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

/// Text from the machine or the case list, made inert in a Markdown table cell.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\|*_`[]<>".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn versus_baseline(group: &GroupResult, case: &CaseResult) -> String {
    if case.case == group.baseline {
        return "1.00× (baseline)".to_string();
    }
    // With parameters, each input is compared with the baseline case on the same input.
    let baseline = group
        .cases
        .iter()
        .find(|c| c.case == group.baseline && c.param == case.param);
    match (baseline.and_then(|b| b.time_ns), case.time_ns) {
        (Some(b), Some(t)) => ratio_wording(b.estimate / t.estimate),
        _ => DASH.to_string(),
    }
}

/// `baseline time / this time` in words: `12.3× faster`, `0.45× (2.22× slower)`.
pub(crate) fn ratio_wording(ratio: f64) -> String {
    if !ratio.is_finite() || ratio <= 0.0 {
        return DASH.to_string();
    }
    if (ratio - 1.0).abs() < 0.005 {
        // Shown as 1.00 either way: neither "faster" nor "slower" would be true.
        "1.00× (same)".to_string()
    } else if ratio > 1.0 {
        format!("{}× faster", significant(ratio, 3))
    } else {
        format!(
            "{}× ({}× slower)",
            significant(ratio, 2),
            significant(1.0 / ratio, 3)
        )
    }
}

/// `x` with `digits` significant digits, in plain notation: 2.41, 24.1, 241, 2410.
pub(crate) fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    // Round first, then choose the decimals from the rounded value, so that 9.996 becomes
    // "10.0", not "10.00".
    let magnitude = x.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits - 1 - magnitude);
    let rounded = (x * scale).round() / scale;
    // The epsilon keeps 99.99999999 (a rounded 100 seen through binary floating point) from
    // counting as magnitude 1.
    let magnitude = (rounded.abs().log10() + 1e-9).floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    format!("{rounded:.decimals$}")
}

const TIME_UNITS: [(&str, f64); 4] = [("ns", 1.0), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)];

/// The unit for a time in ns: the largest that keeps the value, rounded to 3 significant
/// digits, at 1 or more (999.7 ns is shown as 1.00 µs).
fn time_unit(ns: f64) -> (&'static str, f64) {
    let rounded: f64 = significant(ns, 3).parse().unwrap_or(ns);
    TIME_UNITS
        .iter()
        .rev()
        .find(|(_, scale)| rounded >= *scale)
        .copied()
        .unwrap_or(TIME_UNITS[0])
}

/// `2.41 ns`.
pub fn time(ns: f64) -> String {
    let (unit, scale) = time_unit(ns);
    format!("{} {unit}", significant(ns / scale, 3))
}

/// `2.41 ns \[2.39, 2.43\]` (shown as `2.41 ns [2.39, 2.43]`): the bounds in the estimate's unit, with as many decimals as it shows.
fn time_with_interval(estimate: f64, lower: f64, upper: f64) -> String {
    let (unit, scale) = time_unit(estimate);
    let shown = significant(estimate / scale, 3);
    let decimals = shown.split_once('.').map_or(0, |(_, d)| d.len());
    format!(
        // Escaped: a bare `[2.39, 2.43]` reads to Markdown as a reference link without a
        // target, which link checkers (mdbook-linkcheck) report on every row.
        "{shown} {unit} \\[{:.decimals$}, {:.decimals$}\\]",
        lower / scale,
        upper / scale
    )
}

/// Work per second: GiB/s, MiB/s or KiB/s for bytes, Gelem/s … for elements.
fn throughput(tp: Throughput, ns: f64) -> String {
    if ns <= 0.0 || !ns.is_finite() {
        return DASH.to_string();
    }
    let (amount, units): (u64, [(&str, f64); 4]) = match tp {
        Throughput::Bytes(n) => (
            n,
            [
                ("GiB/s", 1024.0 * 1024.0 * 1024.0),
                ("MiB/s", 1024.0 * 1024.0),
                ("KiB/s", 1024.0),
                ("B/s", 1.0),
            ],
        ),
        Throughput::Elements(n) => (
            n,
            [
                ("Gelem/s", 1e9),
                ("Melem/s", 1e6),
                ("Kelem/s", 1e3),
                ("elem/s", 1.0),
            ],
        ),
    };
    let per_second = amount as f64 / (ns * 1e-9);
    let (unit, scale) = units
        .iter()
        .find(|(_, scale)| per_second >= *scale * 0.9995)
        .copied()
        .unwrap_or(units[3]);
    format!("{} {unit}", significant(per_second / scale, 3))
}

/// Allocations or bytes per call: exact when whole (they usually are: the same code allocates
/// the same way on every call), else 3 significant digits (amortized growth: 0.00391).
pub(crate) fn count(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 || x.abs() >= 100.0 {
        thousands(x.round() as i64)
    } else {
        significant(x, 3)
    }
}

/// `1498480` → `1,498,480`: large counts are read at a glance. Hand-written: four lines,
/// against a formatting crate for one function.
pub(crate) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod index_tests {
    use super::*;

    #[test]
    fn index_includes_every_chapter_under_its_title() {
        let pages = vec![(
            "stack_and_heap".to_owned(),
            "tools/stack-and-heap.md".to_owned(),
            "Stack and heap".to_owned(),
        )];
        let text = render_index_text(&["orphan".into(), "stack_and_heap".into()], &pages);
        assert!(text.contains(
            "## Stack and heap\n\nFrom [Stack and heap](../tools/stack-and-heap.md)."
        ));
        assert!(text.contains("{{#include stack_and_heap.md}}"));
        assert!(text.contains("## orphan\n\n{{#include orphan.md}}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::{Machine, TimeNs};

    #[test]
    fn significant_digits() {
        assert_eq!(significant(2.4149, 3), "2.41");
        assert_eq!(significant(24.15, 3), "24.2");
        assert_eq!(significant(241.4, 3), "241");
        assert_eq!(significant(2414.0, 3), "2410");
        assert_eq!(significant(9.996, 3), "10.0");
        assert_eq!(significant(99.96, 3), "100");
        assert_eq!(significant(0.004567, 3), "0.00457");
    }

    #[test]
    fn times_pick_their_unit() {
        assert_eq!(time(2.41), "2.41 ns");
        assert_eq!(time(0.352), "0.352 ns");
        assert_eq!(time(999.4), "999 ns");
        assert_eq!(time(999.7), "1.00 µs");
        assert_eq!(time(12_345.0), "12.3 µs");
        assert_eq!(time(4.5e6), "4.50 ms");
        assert_eq!(time(2.5e9), "2.50 s");
        assert_eq!(time(75e9), "75.0 s");
    }

    #[test]
    fn intervals_use_the_estimates_unit_and_precision() {
        assert_eq!(
            time_with_interval(2.41, 2.39, 2.43),
            "2.41 ns \\[2.39, 2.43\\]"
        );
        assert_eq!(
            time_with_interval(1_234.0, 998.0, 1_490.0),
            "1.23 µs \\[1.00, 1.49\\]"
        );
        assert_eq!(
            time_with_interval(512.3, 498.7, 530.2),
            "512 ns \\[499, 530\\]"
        );
    }

    #[test]
    fn ratio_words() {
        assert_eq!(ratio_wording(12.34), "12.3× faster");
        assert_eq!(ratio_wording(1.5), "1.50× faster");
        assert_eq!(ratio_wording(0.45), "0.45× (2.22× slower)");
        assert_eq!(ratio_wording(1.0 / 69.6), "0.014× (69.6× slower)");
        assert_eq!(ratio_wording(0.96), "0.96× (1.04× slower)");
        assert_eq!(ratio_wording(0.999), "1.00× (same)");
        assert_eq!(ratio_wording(1.004), "1.00× (same)");
        assert_eq!(ratio_wording(f64::INFINITY), DASH);
    }

    #[test]
    fn throughputs() {
        // 1 KiB in 1 µs is 1,024,000,000 B/s = 0.954 GiB/s: shown in MiB/s.
        assert_eq!(throughput(Throughput::Bytes(1024), 1000.0), "977 MiB/s");
        assert_eq!(throughput(Throughput::Bytes(1 << 30), 1e9), "1.00 GiB/s");
        assert_eq!(throughput(Throughput::Bytes(16), 2.0), "7.45 GiB/s");
        assert_eq!(
            throughput(Throughput::Elements(1000), 1000.0),
            "1.00 Gelem/s"
        );
        assert_eq!(throughput(Throughput::Elements(3), 1000.0), "3.00 Melem/s");
    }

    #[test]
    fn counts() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(2.0), "2");
        assert_eq!(count(1026.0), "1,026");
        assert_eq!(count(1_498_480.0), "1,498,480");
        assert_eq!(thousands(-12_345), "-12,345");
        assert_eq!(thousands(999), "999");
        assert_eq!(count(0.003_906), "0.00391");
        assert_eq!(count(1.5), "1.50");
        assert_eq!(count(1033.4), "1,033");
    }

    fn case(name: &str, param: Option<&str>, ns: Option<f64>) -> CaseResult {
        CaseResult {
            id: format!("ch/g/{name}"),
            case: name.into(),
            param: param.map(Into::into),
            time_ns: ns.map(|ns| TimeNs {
                estimate: ns,
                lower: ns * 0.99,
                upper: ns * 1.01,
                median: ns,
            }),
            throughput: None,
            allocs_per_op: Some(2.0),
            bytes_per_op: Some(64.0),
        }
    }

    fn results(groups: Vec<GroupResult>, mode: Mode, dirty: bool) -> Results {
        Results {
            chapter: "ch".into(),
            mode,
            command: "cargo xtask bench ch".into(),
            machine: Machine {
                cpu: "Some CPU @ 2.20GHz".into(),
                cores: 2,
                rustc: "rustc 1.95.0".into(),
                os: "Debian GNU/Linux 12 (bookworm), Linux 6.1.0".into(),
                ..Machine::default()
            },
            date: "2026-11-27T21:39:51Z".into(),
            commit: "061f459".into(),
            dirty,
            build: None,
            floor_ns: None,
            groups,
        }
    }

    #[test]
    fn baseline_per_input() {
        let group = GroupResult {
            name: "g".into(),
            baseline: "slow".into(),
            cases: vec![
                case("slow", Some("short"), Some(10.0)),
                case("fast", Some("short"), Some(5.0)),
                case("slow", Some("long"), Some(1000.0)),
                case("fast", Some("long"), Some(10.0)),
                case("fast", Some("huge"), Some(10.0)),
            ],
        };
        let words: Vec<String> = group
            .cases
            .iter()
            .map(|c| versus_baseline(&group, c))
            .collect();
        assert_eq!(
            words,
            [
                "1.00× (baseline)",
                "2.00× faster",
                "1.00× (baseline)",
                "100× faster",
                DASH
            ]
        );
    }

    #[test]
    fn rows_near_the_empty_loop_are_marked() {
        let group = GroupResult {
            name: "g".into(),
            baseline: "slow".into(),
            cases: vec![
                case("slow", None, Some(10.0)),
                case("fast", None, Some(2.0)),
            ],
        };
        let mut r = results(vec![group], Mode::Full, false);
        assert!(
            !render_chapter(&r).contains(FLOOR_MARK),
            "no floor measured: no mark"
        );
        r.floor_ns = Some(TimeNs {
            estimate: 0.5,
            lower: 0.49,
            upper: 0.51,
            median: 0.5,
        });
        let text = render_chapter(&r);
        assert!(
            text.contains(
                "| `fast` | 2.00 ns \\[1.98, 2.02\\] (at the measurement floor) |"
            ),
            "{text}"
        );
        assert!(
            text.contains("| `slow` | 10.0 ns \\[9.9, 10.1\\] |"),
            "{text}"
        );
        assert!(text.contains("within 5× of the empty loop (0.500 ns in this run)"));
        assert!(text.contains("(empty loop: 0.500 ns)"), "{text}");
        r.machine.physical_cores = Some(2);
        r.machine.threads_per_core = Some(1);
        r.build = Some(Build {
            profile: "bench".into(),
            opt_level: "3".into(),
            lto: "false".into(),
            codegen_units: "16".into(),
            debug: "true".into(),
            target_cpu: "x86-64 (default)".into(),
        });
        let line = stamp(&r);
        assert!(
            line.contains(
                "Some CPU @ 2.20GHz, 2 physical cores, 1 thread per core, Debian"
            ),
            "{line}"
        );
        assert!(
            line.contains(
                "bench profile: opt-level 3, lto false, codegen-units 16, debug true, \
                 target-cpu x86-64 (default), 2026-11-27"
            ),
            "{line}"
        );
    }

    #[test]
    fn whole_file() {
        let groups = vec![
            GroupResult {
                name: "g".into(),
                baseline: "slow".into(),
                cases: vec![
                    case("slow", Some("short"), Some(10.0)),
                    case("fast", Some("short"), Some(2.5)),
                ],
            },
            GroupResult {
                name: "single".into(),
                baseline: "only".into(),
                cases: vec![case("only", None, Some(1500.0))],
            },
        ];
        let text = render_chapter(&results(groups, Mode::Full, true));
        assert!(text.starts_with("<!-- Generated by `cargo xtask bench ch`"));
        let expected_g = "\
<!-- ANCHOR: g -->
| case | input | time per call (95% interval) | allocs/call | bytes/call | vs baseline |
| :-- | :-- | --: | --: | --: | :-- |
| `slow` | short | 10.0 ns \\[9.9, 10.1\\] | 2 | 64 | 1.00× (baseline) |
| `fast` | short | 2.50 ns \\[2.48, 2.52\\] | 2 | 64 | 4.00× faster |

*Measured on Some CPU @ 2.20GHz, 2 cores, Debian GNU/Linux 12 (bookworm), Linux 6.1.0, \
rustc 1.95.0, 2026-11-27, commit 061f459 (uncommitted changes) — regenerate with \
`cargo xtask bench ch`*
<!-- ANCHOR_END: g -->
";
        assert!(text.contains(expected_g), "{text}");
        // One case name, no input: neither an input nor a comparison column.
        assert!(text.contains(
            "<!-- ANCHOR: single -->\n\
             | case | time per call (95% interval) | allocs/call | bytes/call |\n\
             | :-- | --: | --: | --: |\n\
             | `only` | 1.50 µs \\[1.49, 1.51\\] | 2 | 64 |\n"
        ));

        assert_eq!(anchor_name("seed/begins_with"), "seed_begins_with");
        let terminal = for_terminal(
            "<!-- header -->\n<!-- ANCHOR: g -->\n| a |\n<!-- ANCHOR_END: g -->",
        );
        assert_eq!(terminal, "| a |");
        let quick = render_chapter(&results(Vec::new(), Mode::Quick, false));
        assert_eq!(quick.matches("ANCHOR").count(), 0);
        let stamp = stamp(&results(Vec::new(), Mode::Quick, false));
        assert!(stamp.contains("quick run"), "{stamp}");
        assert!(!stamp.contains("uncommitted"), "{stamp}");
    }
}
