//! `cargo xtask figures buffered_io`: the Buffered I/O chapter's program
//! (`code/examples/buffered_io.rs`) in each of its modes, counted under `strace -c -f` and
//! timed without it. Writes `results/figures/buffered_io.json` and
//! `src/generated/figures/buffered_io.md` (anchors `write`, `read`, `stdout`). The chapter is
//! `src/techniques/buffered-io.md`.
//!
//! strace stops the program at every system call, which makes a program that makes many of
//! them several times slower: the counts come from the traced run, the times from separate
//! untraced runs.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{
    Stamp, anchored, build_example, output, read, write_generated, write_results,
};
use crate::{Repo, Result, fail};

const NAME: &str = "buffered_io";

/// Untraced runs per mode; the table shows the fastest (the least disturbed by others).
const REPEATS: usize = 3;

/// (table, mode of the example, what the mode does). Modes of the `write` and `read` tables
/// take a file; `stdout` modes write 100,000 lines to standard output, sent to /dev/null.
const MODES: &[(&str, &str, &str)] = &[
    (
        "write",
        "write-unbuffered",
        "`write_all` per record into the `File`",
    ),
    (
        "write",
        "write-bufwriter",
        "`write_all` per record into a `BufWriter<File>`",
    ),
    (
        "write",
        "writeln-unbuffered",
        "`writeln!` per record into the `File`",
    ),
    ("read", "read-10-bytes", "10-byte `read`s from the `File`"),
    (
        "read",
        "bufreader-10-bytes",
        "10-byte `read`s from a `BufReader<File>`",
    ),
    ("read", "bufreader-lines", "`BufReader::lines`"),
    (
        "read",
        "bufreader-read-line",
        "`read_line` into a reused `String`",
    ),
    ("stdout", "println", "`println!` per line"),
    (
        "stdout",
        "stdout-lock",
        "`writeln!` per line into `stdout().lock()`",
    ),
    (
        "stdout",
        "stdout-lock-bufwriter",
        "`writeln!` per line into a `BufWriter` around `stdout().lock()`",
    ),
];

#[derive(Serialize, Deserialize)]
struct Row {
    table: String,
    mode: String,
    what: String,
    /// `write(2)` calls, from `strace -c`.
    write_calls: u64,
    /// `read(2)` calls (the dynamic loader's few included).
    read_calls: u64,
    /// Every system call of the run, start-up and exit included.
    all_calls: u64,
    /// Fastest of [`REPEATS`] untraced runs of the whole program.
    seconds: f64,
}

#[derive(Serialize, Deserialize)]
struct Results {
    stamp: Stamp,
    records: usize,
    rows: Vec<Row>,
}

pub fn run(repo: &Repo, stamp: &Stamp) -> Result {
    if Command::new("strace").arg("-V").output().is_err() {
        return Err(fail(
            "figures buffered_io: strace is not installed (apt-get install strace)",
        ));
    }
    let bin = build_example(repo, "buffered_io", &[])?;
    let dir =
        std::env::temp_dir().join(format!("xtask-buffered-io-{}", std::process::id()));
    fs::create_dir_all(&dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    let result = measure(&bin, &dir);
    let _ = fs::remove_dir_all(&dir);
    let rows = result?;

    let results = Results {
        stamp: stamp.clone(),
        records: 100_000,
        rows,
    };
    write_results(repo, NAME, &results)?;
    write_generated(repo, NAME, &render(&results))
}

fn measure(bin: &Path, dir: &Path) -> Result<Vec<Row>> {
    // The read modes read the file the buffered writer writes.
    let records = dir.join("records");
    let written = dir.join("written");
    output(
        Command::new(bin).arg("write-bufwriter").arg(&records),
        "buffered_io write-bufwriter",
    )?;
    let mut rows = Vec::new();
    for &(table, mode, what) in MODES {
        let file = match table {
            "write" => Some(&written),
            "read" => Some(&records),
            _ => None,
        };
        let command = |program: &Path| {
            let mut c = Command::new(program);
            c.arg(mode).args(file).stdout(Stdio::null());
            c
        };
        let mut best = Duration::MAX;
        for _ in 0..REPEATS {
            let start = Instant::now();
            output(&mut command(bin), &format!("buffered_io {mode}"))?;
            best = best.min(start.elapsed());
        }
        let trace = dir.join(format!("{mode}.strace"));
        let mut traced = Command::new("strace");
        traced
            .args(["-f", "-c", "-o"])
            .arg(&trace)
            .arg(bin)
            .arg(mode);
        traced.args(file).stdout(Stdio::null());
        output(&mut traced, &format!("strace buffered_io {mode}"))?;
        let counts = parse_strace_summary(&read(&trace)?)
            .ok_or_else(|| fail(format!("{}: no strace summary", trace.display())))?;
        let calls = |name: &str| {
            counts
                .iter()
                .find(|(n, _)| n == name)
                .map_or(0, |&(_, c)| c)
        };
        println!(
            "{mode}: {} writes, {} reads, {} system calls; {best:?} untraced",
            calls("write"),
            calls("read"),
            calls("total")
        );
        rows.push(Row {
            table: table.to_string(),
            mode: mode.to_string(),
            what: what.to_string(),
            write_calls: calls("write"),
            read_calls: calls("read"),
            all_calls: calls("total"),
            seconds: best.as_secs_f64(),
        });
    }
    Ok(rows)
}

/// `(syscall, calls)` for every row of `strace -c` output, `total` included:
///
/// ```text
/// % time     seconds  usecs/call     calls    errors syscall
/// ------ ----------- ----------- --------- --------- ----------------
///  99.61    0.270573           2    100000           write
/// 100.00    0.271630           2    100063         2 total
/// ```
fn parse_strace_summary(text: &str) -> Option<Vec<(String, u64)>> {
    let rows: Vec<(String, u64)> = text
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let calls = fields.get(3)?.parse().ok()?;
            let name = fields.last()?;
            fields[0].parse::<f64>().ok()?;
            Some((name.to_string(), calls))
        })
        .collect();
    rows.iter().any(|(n, _)| n == "total").then_some(rows)
}

fn human_time(seconds: f64) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else {
        format!("{:.1} ms", seconds * 1e3)
    }
}

fn render(results: &Results) -> String {
    let mut text = format!(
        "<!-- Generated by `cargo xtask figures {NAME}` from results/figures/{NAME}.json. Do \
         not edit: edit code/examples/buffered_io.rs or xtask/src/figures/buffered_io.rs and \
         re-measure. -->\n"
    );
    for table in ["write", "read", "stdout"] {
        let mut body = String::from(
            "| program (`buffered_io` mode) | what it does | `write` calls | `read` calls | \
             all system calls | whole run, untraced |\n| :-- | :-- | --: | --: | --: | --: |\n",
        );
        for row in results.rows.iter().filter(|r| r.table == table) {
            body.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} |\n",
                row.mode,
                row.what,
                row.write_calls,
                row.read_calls,
                row.all_calls,
                human_time(row.seconds)
            ));
        }
        body.push_str(&format!(
            "\n*{} records; counts from `strace -c -f`, times from the fastest of {REPEATS} \
             runs without strace, process start included.*\n",
            results.records
        ));
        text.push_str(&format!("\n### `{table}`\n\n"));
        text.push_str(&anchored(table, &body, &results.stamp));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_strace_summary() {
        let text = "% time     seconds  usecs/call     calls    errors syscall\n\
                    ------ ----------- ----------- --------- --------- ----------------\n \
                    99.61    0.270573           2    100000           write\n  \
                    0.10    0.000271          13        20         1 openat\n\
                    ------ ----------- ----------- --------- --------- ----------------\n\
                    100.00    0.271630           2    100063         2 total\n";
        let rows = parse_strace_summary(text).unwrap();
        assert_eq!(
            rows,
            vec![
                ("write".to_string(), 100000),
                ("openat".to_string(), 20),
                ("total".to_string(), 100063)
            ]
        );
        assert!(parse_strace_summary("no summary here").is_none());
    }
}
