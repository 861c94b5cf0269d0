//! `coverage`: line, region and function coverage of the Coverage chapter's module
//! (`code/src/coverage.rs`), measured with cargo-llvm-cov for four sets of tests, into
//! `results/coverage.json` and `src/generated/coverage.md`.
//!
//! Not part of `check` or CI: it needs LLVM 19 and an instrumented build of the crate.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::bench::{Machine, git_state, iso8601_utc, machine, write_json};
use crate::render::escape;
use crate::{Repo, Result, fail};

/// The file the chapter is about, as it ends in llvm-cov's absolute file names.
const MODULE: &str = "code/src/coverage.rs";

/// The LLVM whose tools read rustc's profiles here; Debian's default LLVM 14 cannot.
const LLVM_COV: &str = "llvm-cov-19";
const LLVM_PROFDATA: &str = "llvm-profdata-19";

const INSTALL: &str = "cargo xtask coverage needs cargo-llvm-cov and LLVM 19: \
    `apt-get install llvm-19` and `cargo install --locked cargo-llvm-cov`";

/// The runs: which tests, and the cargo-llvm-cov flags that select them.
/// Flags after `--` go to the test binaries.
const RUNS: [(&str, &str, &[&str]); 4] = [
    ("before", "the crate's unit tests (--lib)", &["--lib"]),
    (
        "unasserted",
        "+ the ignored test that asserts nothing",
        &["--lib", "--", "--include-ignored"],
    ),
    (
        "after",
        "+ tests/coverage_branch.rs",
        &["--lib", "--test", "coverage_branch"],
    ),
    (
        "exercise",
        "+ tests/coverage_exercise.rs",
        &[
            "--lib",
            "--test",
            "coverage_branch",
            "--test",
            "coverage_exercise",
        ],
    ),
];

#[derive(Debug, Serialize, Deserialize)]
pub struct CoverageResults {
    pub chapter: String,
    pub command: String,
    pub machine: Machine,
    pub date: String,
    pub commit: String,
    pub dirty: bool,
    pub runs: Vec<Run>,
    /// The module's source as llvm-cov reported it, line 1 first: the figure draws the lines
    /// that were measured, not whatever the file holds today.
    #[serde(default)]
    pub source: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Run {
    pub name: String,
    pub tests: String,
    /// `code/src/coverage.rs` alone.
    pub module: Summary,
    /// The whole workshop crate, for the same tests.
    pub crate_total: Summary,
    /// Lines of `code/src/coverage.rs` that llvm-cov counts as executable and never ran.
    pub missed_lines: Vec<u32>,
    /// Every line of `code/src/coverage.rs` that holds code, with its execution count as
    /// llvm-cov prints it ("12", "1.02k").
    #[serde(default)]
    pub line_counts: Vec<(u32, String)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub lines: Count,
    pub regions: Count,
    pub functions: Count,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub covered: u64,
    pub count: u64,
}

pub fn run(repo: &Repo) -> Result {
    check_tools(repo)?;
    // Stamp before anything is written, as `bench` does.
    let machine = machine(repo);
    let (commit, dirty) = git_state(repo);
    let date = iso8601_utc(SystemTime::now());
    let out_dir = repo.target_dir()?.join("xtask");
    fs::create_dir_all(&out_dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", out_dir.display())))?;
    let mut runs = Vec::new();
    let mut source = Vec::new();
    for (name, tests, flags) in RUNS {
        println!("\n=== coverage: {name} ({tests}) ===");
        let json_path = out_dir.join(format!("coverage-{name}.json"));
        let mut command = llvm_cov(repo);
        command
            .args(["-p", "workshop", "--json", "--output-path"])
            .arg(&json_path)
            .args(flags);
        crate::run_status(&mut command, &format!("cargo llvm-cov ({name})"))?;
        let json = read(&json_path)?;
        // The line-by-line report of the same profile, without running the tests again.
        let text_path = out_dir.join(format!("coverage-{name}.txt"));
        let mut report = llvm_cov(repo);
        report
            .args(["report", "-p", "workshop", "--text", "--output-path"])
            .arg(&text_path);
        crate::run_status(&mut report, &format!("cargo llvm-cov report ({name})"))?;
        let text = read(&text_path)?;
        let (module_lines, crate_lines, missed_lines) = lines(&text)?;
        let (module_source, line_counts) = module_lines_view(&text);
        source = module_source;
        let (regions, functions) = regions_and_functions(&json, |f| f.ends_with(MODULE))?;
        let (crate_regions, crate_functions) = regions_and_functions(&json, |_| true)?;
        let module = Summary {
            lines: module_lines,
            regions,
            functions,
        };
        let crate_total = Summary {
            lines: crate_lines,
            regions: crate_regions,
            functions: crate_functions,
        };
        runs.push(Run {
            name: name.to_string(),
            tests: tests.to_string(),
            module,
            crate_total,
            missed_lines,
            line_counts,
        });
    }
    let results = CoverageResults {
        chapter: "coverage".to_string(),
        command: "cargo xtask coverage".to_string(),
        machine,
        date,
        commit,
        dirty,
        runs,
        source,
    };
    let path = repo.root.join("results/coverage.json");
    write_json(&path, &results)?;
    println!("wrote {}", repo.show(&path));
    render_file(repo, &results)?;
    crate::figures::coverage::draw(repo, &results)
}

/// The module's section of the text report: its source lines, and `(line, count)` for the
/// lines that hold code.
fn module_lines_view(text: &str) -> (Vec<String>, Vec<(u32, String)>) {
    let mut source = Vec::new();
    let mut counts = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let Some((number, rest)) = line.split_once('|') else {
            if !line.starts_with(char::is_whitespace) && line.ends_with(':') {
                inside = line.trim_end_matches(':').ends_with(MODULE);
            }
            continue;
        };
        let Ok(number) = number.trim().parse::<u32>() else {
            continue;
        };
        // Instantiation sub-reports repeat lines; keep the merged view's first entry.
        if !inside || number as usize <= source.len() {
            continue;
        }
        let (count, code) = rest.split_once('|').unwrap_or(("", rest));
        source.push(code.to_string());
        if !count.trim().is_empty() {
            counts.push((number, count.trim().to_string()));
        }
    }
    (source, counts)
}

/// `cargo llvm-cov` pointed at LLVM 19 (unless the caller chose other tools).
fn llvm_cov(repo: &Repo) -> Command {
    let mut command = repo.cargo();
    command.arg("llvm-cov");
    for (var, tool) in [("LLVM_COV", LLVM_COV), ("LLVM_PROFDATA", LLVM_PROFDATA)] {
        if std::env::var_os(var).is_none() {
            command.env(var, tool);
        }
    }
    command
}

fn check_tools(repo: &Repo) -> Result {
    let works =
        |command: &mut Command| command.output().is_ok_and(|o| o.status.success());
    let llvm = std::env::var_os("LLVM_COV").unwrap_or_else(|| LLVM_COV.into());
    if works(repo.cargo().args(["llvm-cov", "--version"]))
        && works(Command::new(llvm).arg("--version"))
    {
        Ok(())
    } else {
        Err(fail(INSTALL))
    }
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path)
        .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))
}

/// Line coverage per file from llvm-cov's text report, whose sections start with the file's
/// name and whose lines read `  line|  count|source` (count empty where the line holds no code).
/// The report merges every copy of a function: the one compiled into the unit-test binary and
/// the one in each integration-test binary.
fn line_counts(text: &str) -> Vec<(String, Vec<(u32, bool)>)> {
    let mut files: Vec<(String, Vec<(u32, bool)>)> = Vec::new();
    for line in text.lines() {
        let Some((number, rest)) = line.split_once('|') else {
            // A file name starts a section; indented lines without `|` mark sub-expressions
            // (`^6`) and instantiations (`-----`).
            if !line.starts_with(char::is_whitespace) && line.ends_with(':') {
                files.push((line.trim_end_matches(':').to_string(), Vec::new()));
            }
            continue;
        };
        let Some((_, lines)) = files.last_mut() else {
            continue;
        };
        let count = rest.split('|').next().unwrap_or("").trim();
        if let (Ok(number), false) = (number.trim().parse::<u32>(), count.is_empty()) {
            lines.push((number, count != "0"));
        }
    }
    files
}

/// Lines of the module and of every file, and the module's missed lines.
fn lines(text: &str) -> Result<(Count, Count, Vec<u32>)> {
    let files = line_counts(text);
    let count = |lines: &[(u32, bool)]| Count {
        covered: lines.iter().filter(|(_, ran)| *ran).count() as u64,
        count: lines.len() as u64,
    };
    let (_, module) = files
        .iter()
        .find(|(name, _)| name.ends_with(MODULE))
        .ok_or_else(|| fail(format!("no {MODULE} in cargo llvm-cov's text report")))?;
    let all: Vec<(u32, bool)> =
        files.iter().flat_map(|(_, l)| l.iter().copied()).collect();
    let missed = module
        .iter()
        .filter(|(_, ran)| !ran)
        .map(|(n, _)| *n)
        .collect();
    Ok((count(module), count(&all), missed))
}

/// Regions and functions from llvm-cov's JSON export (`data[0].functions[]`), for the files
/// whose name `wanted` accepts. A region or function compiled into several test binaries
/// counts once, as covered if any copy ran: llvm-cov's own summary takes the best-covered copy
/// instead, which hides what an integration test adds to a function the unit tests also run.
fn regions_and_functions(
    json: &str,
    wanted: impl Fn(&str) -> bool,
) -> Result<(Count, Count)> {
    use std::collections::BTreeMap;
    let value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| fail(format!("cargo llvm-cov printed invalid JSON: {e}")))?;
    let functions = value["data"][0]["functions"]
        .as_array()
        .ok_or_else(|| fail("cargo llvm-cov's JSON export has no data[0].functions"))?;
    // (file, start line, start column, end line, end column) → ran.
    let mut regions: BTreeMap<(String, [u64; 4]), bool> = BTreeMap::new();
    let mut starts: BTreeMap<(String, [u64; 4]), bool> = BTreeMap::new();
    for function in functions {
        let names = function["filenames"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut first = None;
        for region in function["regions"].as_array().into_iter().flatten() {
            let field = |i: usize| region[i].as_u64().unwrap_or(0);
            // [line, column, end line, end column, count, file id, expanded file id, kind];
            // kind 0 is a code region (not a skipped, gap or expansion one).
            let file = names
                .get(field(5) as usize)
                .and_then(|n| n.as_str())
                .unwrap_or("");
            if field(7) != 0 || !wanted(file) {
                continue;
            }
            let key = (file.to_string(), [field(0), field(1), field(2), field(3)]);
            first.get_or_insert_with(|| key.clone());
            *regions.entry(key).or_default() |= field(4) > 0;
        }
        if let Some(key) = first {
            *starts.entry(key).or_default() |=
                function["count"].as_u64().unwrap_or(0) > 0;
        }
    }
    let count = |map: &BTreeMap<_, bool>| Count {
        covered: map.values().filter(|ran| **ran).count() as u64,
        count: map.len() as u64,
    };
    Ok((count(&regions), count(&starts)))
}

pub fn render_file(repo: &Repo, results: &CoverageResults) -> Result {
    let path = repo.root.join("src/generated/coverage.md");
    crate::render::write_generated(repo, &path, &render(results))
}

/// `src/generated/coverage.md`: one anchor per run with its table and missed lines, and one
/// with all runs side by side.
pub fn render(r: &CoverageResults) -> String {
    let mut out = String::from(
        "<!-- Generated by `cargo xtask coverage` (or `cargo xtask render`) from \
         results/coverage.json. Do not edit: edit code/src/coverage.rs or its tests and \
         regenerate. -->\n",
    );
    let stamp = stamp(r);
    out.push_str("\n### All runs\n\n<!-- ANCHOR: coverage -->\n");
    out.push_str(&table(r.runs.iter()));
    out.push_str(&format!("\n{stamp}\n<!-- ANCHOR_END: coverage -->\n"));
    for run in &r.runs {
        let anchor = &run.name;
        out.push_str(&format!(
            "\n### `{anchor}`\n\n<!-- ANCHOR: {anchor} -->\n{}",
            table(std::iter::once(run))
        ));
        let missed = if run.missed_lines.is_empty() {
            "none".to_string()
        } else {
            run.missed_lines
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push_str(&format!(
            "\nLines of `{MODULE}` never run: {missed}.\n\n{stamp}\n\
             <!-- ANCHOR_END: {anchor} -->\n"
        ));
    }
    out
}

fn table<'a>(runs: impl Iterator<Item = &'a Run>) -> String {
    let mut out = String::from(
        "| run | tests | lines of coverage.rs | regions | functions | lines of the crate |\n\
         |---|---|--:|--:|--:|--:|\n",
    );
    for run in runs {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            run.name,
            escape(&run.tests),
            fraction(run.module.lines),
            fraction(run.module.regions),
            fraction(run.module.functions),
            fraction(run.crate_total.lines),
        ));
    }
    out
}

/// `17/20 (85.0%)`.
fn fraction(c: Count) -> String {
    if c.count == 0 {
        return format!("{}/0", c.covered);
    }
    format!(
        "{}/{} ({:.1}%)",
        c.covered,
        c.count,
        100.0 * c.covered as f64 / c.count as f64
    )
}

fn stamp(r: &CoverageResults) -> String {
    crate::render::stamp_line(
        "Measured with cargo-llvm-cov and LLVM 19",
        &r.machine,
        None,
        &r.date,
        &r.commit,
        r.dirty,
        "cargo xtask coverage",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_view_of_the_module_keeps_source_and_counts() {
        let text = "/w/code/src/other.rs:\n    1|      3|fn other() {}\n\
                    /w/code/src/coverage.rs:\n    1|       |//! doc\n    2|      5|fn f() {\n\
                    \x20   3|      0|    g();\n  ------------------\n    2|      5|fn f() {\n";
        let (source, counts) = module_lines_view(text);
        assert_eq!(source, ["//! doc", "fn f() {", "    g();"]);
        assert_eq!(counts, [(2, "5".to_string()), (3, "0".to_string())]);
    }

    /// Two copies of one function (unit-test binary and integration-test binary), each
    /// running a different arm, and a function in another file.
    const EXPORT: &str = r#"{"type":"llvm.coverage.json.export","data":[{"functions":[
        {"name":"parse_size_unit","count":6,"filenames":["/w/code/src/coverage.rs"],
         "regions":[[21,1,40,2,6,0,0,0],[31,17,31,18,6,0,0,0],[35,18,35,70,0,0,0,0],
                    [36,1,36,9,0,0,0,1]]},
        {"name":"parse_size_integration","count":3,"filenames":["/w/code/src/coverage.rs"],
         "regions":[[21,1,40,2,3,0,0,0],[31,17,31,18,0,0,0,0],[35,18,35,70,3,0,0,0]]},
        {"name":"untested","count":0,"filenames":["/w/code/src/coverage.rs"],
         "regions":[[50,1,52,2,0,0,0,0]]},
        {"name":"other","count":1,"filenames":["/w/code/src/testing.rs"],
         "regions":[[1,1,3,2,1,0,0,0]]}]}]}"#;

    #[test]
    fn counts_regions_and_functions_over_every_copy() {
        let module = regions_and_functions(EXPORT, |f| f.ends_with(MODULE)).unwrap();
        // The gap region (kind 1) does not count; the arm at line 35 ran in one copy only.
        assert_eq!(
            module.0,
            Count {
                covered: 3,
                count: 4
            }
        );
        assert_eq!(
            module.1,
            Count {
                covered: 1,
                count: 2
            }
        );
        let all = regions_and_functions(EXPORT, |_| true).unwrap();
        assert_eq!(
            all.0,
            Count {
                covered: 4,
                count: 5
            }
        );
        assert_eq!(
            all.1,
            Count {
                covered: 2,
                count: 3
            }
        );
        assert!(regions_and_functions("not json", |_| true).is_err());
    }

    const TEXT: &str = "\
/w/code/src/testing.rs:
    1|       |// a comment
    2|      0|fn untested() {}

/w/code/src/coverage.rs:
    1|       |//! Chapter
   20|      3|pub fn parse_size(text: &str) {
   21|     15|        .find(|c: char| !c.is_ascii_digit())
                       ^6
   31|      0|        other => return Err(x),
   32|  1.20k|    let n = 1;
  ------------------
  | _RNvCs_parse_size:
  |   20|      3|pub fn parse_size(text: &str) {
  ------------------
   33|      0|}
";

    #[test]
    fn counts_lines_and_finds_missed_ones() {
        let (module, all, missed) = lines(TEXT).unwrap();
        assert_eq!(
            module,
            Count {
                covered: 3,
                count: 5
            }
        );
        assert_eq!(
            all,
            Count {
                covered: 3,
                count: 6
            }
        );
        assert_eq!(missed, [31, 33]);
        assert!(lines("/w/code/src/testing.rs:\n    2|      0|x\n").is_err());
    }

    #[test]
    fn renders_anchored_tables() {
        let count = |covered, count| Count { covered, count };
        let module = Summary {
            lines: count(17, 20),
            regions: count(9, 12),
            functions: count(3, 4),
        };
        let crate_total = Summary {
            lines: count(400, 900),
            ..module
        };
        let results = CoverageResults {
            chapter: "coverage".into(),
            command: "cargo xtask coverage".into(),
            machine: Machine {
                cpu: "cpu".into(),
                cores: 2,
                rustc: "rustc 1.95.0".into(),
                os: "Debian".into(),
                ..Machine::default()
            },
            date: "2026-11-27T23:00:00Z".into(),
            commit: "abc1234".into(),
            dirty: false,
            runs: vec![Run {
                name: "before".into(),
                tests: "unit tests".into(),
                module,
                crate_total,
                missed_lines: vec![31, 33],
                line_counts: vec![(30, "4".into()), (31, "0".into()), (33, "0".into())],
            }],
            source: Vec::new(),
        };
        let text = render(&results);
        assert!(text.contains("<!-- ANCHOR: coverage -->"));
        assert!(text.contains("<!-- ANCHOR_END: before -->"));
        assert!(text.contains("| before | unit tests | 17/20 (85.0%) | 9/12"));
        assert!(text.contains("never run: 31, 33."));
        assert!(text.contains("regenerate with `cargo xtask coverage`"));
    }
}
