//! The Coverage chapter's report view: the lines of the function with the untested branch, as
//! cargo-llvm-cov's line report showed them before and after the covering test. Drawn from
//! `results/coverage.json` (measured by `cargo xtask coverage`, which also redraws it), so the
//! figure shows the source and counts that were measured.

use super::svg;
use crate::coverage::{CoverageResults, Run};
use crate::{Repo, Result, fail};

/// The runs the figure shows, side by side in the chapter's story.
const PANELS: [&str; 2] = ["before", "after"];

pub fn run(repo: &Repo, _stamp: &super::Stamp) -> Result {
    let path = repo.root.join("results/coverage.json");
    let results: CoverageResults = serde_json::from_str(&super::read(&path)?)
        .map_err(|e| fail(format!("{}: {e}", repo.show(&path))))?;
    draw(repo, &results)
}

pub fn draw(repo: &Repo, results: &CoverageResults) -> Result {
    if results.source.is_empty() {
        return Err(fail(
            "results/coverage.json has no source lines (measured by an older xtask): run \
             `cargo xtask coverage`",
        ));
    }
    let runs: Vec<&Run> = PANELS
        .iter()
        .map(|name| {
            results
                .runs
                .iter()
                .find(|r| r.name == *name)
                .ok_or_else(|| fail(format!("results/coverage.json has no run {name:?}")))
        })
        .collect::<Result<_>>()?;
    let (first, last) = function_around(&results.source, &runs[0].missed_lines)
        .ok_or_else(|| fail("no missed line inside a function in the \"before\" run"))?;
    super::write_figure(
        repo,
        "coverage-report.svg",
        &svg_text(results, &runs, first, last),
    )
}

/// The enclosing function of the first missed line: from its `fn` line to the closing brace at
/// the same indentation, 1-based and inclusive.
fn function_around(source: &[String], missed: &[u32]) -> Option<(usize, usize)> {
    let line = *missed.first()? as usize;
    let start = (1..=line)
        .rev()
        .find(|&n| source[n - 1].trim_start().contains("fn "))?;
    let indent = source[start - 1].len() - source[start - 1].trim_start().len();
    let closing = format!("{}}}", " ".repeat(indent));
    let end = (line..=source.len()).find(|&n| source[n - 1] == closing)?;
    Some((start, end))
}

fn svg_text(
    results: &CoverageResults,
    runs: &[&Run],
    first: usize,
    last: usize,
) -> String {
    const ROW: f64 = 16.0;
    const TOP: f64 = 34.0;
    const WIDTH: f64 = 680.0;
    const CHAR: f64 = 6.6;
    let rows = last - first + 1;
    let panel_height = TOP + rows as f64 * ROW + 14.0;
    let height = panel_height * runs.len() as f64 + 24.0;
    let missed_words = |run: &Run| {
        let missed: Vec<String> = run
            .missed_lines
            .iter()
            .filter(|&&n| (first..=last).contains(&(n as usize)))
            .map(u32::to_string)
            .collect();
        if missed.is_empty() {
            "every line ran".to_string()
        } else {
            format!("line {} never ran", missed.join(", "))
        }
    };
    let desc = format!(
        "cargo-llvm-cov's line report of code/src/coverage.rs, lines {first} to {last}, with \
         each line's execution count. {} In the run {:?} ({}): {}. In the run {:?} ({}): {}.",
        "Lines that never ran are highlighted in red, lines that ran in green.",
        runs[0].name,
        runs[0].tests,
        missed_words(runs[0]),
        runs[1].name,
        runs[1].tests,
        missed_words(runs[1]),
    );
    let mut out = svg::open(
        "coverage-report",
        WIDTH,
        height,
        "Line coverage of parse_size before and after the covering test",
        &desc,
    );
    for (i, run) in runs.iter().enumerate() {
        let y0 = i as f64 * panel_height;
        out.push_str(&format!(
            "<text x=\"0\" y=\"{}\" font-weight=\"bold\">{} — {}</text>\n",
            y0 + 18.0,
            svg::text(&run.name),
            svg::text(&run.tests)
        ));
        for (row, n) in (first..=last).enumerate() {
            let y = y0 + TOP + row as f64 * ROW;
            let count = run.line_counts.iter().find(|(l, _)| *l as usize == n);
            if let Some((_, c)) = count {
                let colour = if c == "0" { "#e15759" } else { "#59a14f" };
                out.push_str(&format!(
                    "<rect x=\"0\" y=\"{:.1}\" width=\"{WIDTH}\" height=\"{ROW}\" fill=\"{colour}\" \
                     fill-opacity=\"{}\"/>\n",
                    y - 12.0,
                    if c == "0" { 0.45 } else { 0.18 }
                ));
            }
            let code: String = results.source[n - 1]
                .chars()
                .take(((WIDTH - 90.0) / CHAR) as usize)
                .collect();
            out.push_str(&format!(
                "<text x=\"30\" y=\"{y:.1}\" text-anchor=\"end\" opacity=\"0.7\" \
                 font-family=\"monospace\">{n}</text>\n\
                 <text x=\"78\" y=\"{y:.1}\" text-anchor=\"end\" font-family=\"monospace\">{}</text>\n\
                 <text x=\"88\" y=\"{y:.1}\" font-family=\"monospace\" xml:space=\"preserve\">{}</text>\n",
                svg::text(count.map_or("", |(_, c)| c.as_str())),
                svg::text(&code)
            ));
        }
    }
    out.push_str(&format!(
        "<text x=\"0\" y=\"{:.1}\" opacity=\"0.8\">columns: line, times run, source</text>\n</svg>\n",
        height - 6.0
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_enclosing_function() {
        let source: Vec<String> = [
            "/// doc",
            "pub fn f(x: u8) -> u8 {",
            "    match x {",
            "        0 => 1,",
            "        _ => 2,",
            "    }",
            "}",
            "",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(function_around(&source, &[5]), Some((2, 7)));
        assert_eq!(function_around(&source, &[]), None);
    }
}
