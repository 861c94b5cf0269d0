//! `cargo xtask figures thread_count`: the merge sort example run as whole programs, every
//! version at 1, 2, 8 and 18 threads on one large input, best of [`REPEATS`] per cell; and
//! the `thread_count` example's output, plain, with environment variables, and under a CPU
//! quota (a cgroup made for the purpose, when this process may make one: root, Linux).
//! Writes `results/figures/thread_count.json`, `src/generated/figures/thread_count.md`
//! (anchors `times`, `small`, `env` and `quota`) and `src/figures/thread-count-times.svg`.
//! The chapter is `src/tools/thread-count.md`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use super::svg::{Bar, BarChart, bar_chart};
use super::{
    Stamp, anchored, build_example, output, write_figure, write_generated, write_results,
};
use crate::{Repo, Result, fail};

/// Elements sorted on the large input: large enough that the parallel versions split the work
/// many times over (the seed's 909 numbers sit below its 2^11 cutoff and never go parallel),
/// small enough that one run takes about a second on 2 cores.
pub const LEN: usize = 10_000_000;
/// Runs per cell; the table shows the fastest (the run least disturbed by anything else).
pub const REPEATS: usize = 3;
pub const THREADS: [usize; 4] = [1, 2, 8, 18];
/// `v1-threads` starts two OS threads at every split, down to single elements (the seed's v1
/// with threads for goroutines); the example refuses inputs longer than 2^14, where the
/// process runs out of memory mappings. It is measured on this small input only, beside `v1`
/// (the same recursion as rayon tasks, on 2 threads) and `std`.
pub const SMALL_LEN: usize = 1 << 14;

/// The versions, as the example names them, and whether `--threads` means anything to them
/// (`std` and `std-unstable` sort on the calling thread whatever the pool).
const VERSIONS: [(&str, bool); 8] = [
    ("v1", true),
    ("v2", true),
    ("v3", true),
    ("rayon", true),
    ("par-sort", true),
    ("par-sort-unstable", true),
    ("std", false),
    ("std-unstable", false),
];

/// One line of `mergesort --json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SortRun {
    pub version: String,
    pub len: usize,
    pub threads: usize,
    /// Sort time only, not input generation or start-up.
    pub seconds: f64,
    /// VmHWM: the most memory the process ever had resident.
    pub peak_rss_kib: u64,
}

/// The runs of one cell (version × threads) and the one shown.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Cell {
    pub version: String,
    pub threads: Option<usize>,
    pub len: usize,
    pub runs: Vec<SortRun>,
    pub best_seconds: f64,
}

#[derive(Serialize, Deserialize)]
struct Results {
    stamp: Stamp,
    large: Vec<Cell>,
    small: Vec<Cell>,
    env_transcript: String,
    /// The transcript, or why there is none.
    quota_transcript: std::result::Result<String, String>,
}

/// Builds the merge sort example and copies it under `target/figures/<set>/`, so that a later
/// build with other features (the Allocators set) or another helper's build cannot replace the
/// binary between runs.
pub fn mergesort_binary(repo: &Repo, set: &str, features: &[&str]) -> Result<PathBuf> {
    let built = build_example(repo, "mergesort", features)?;
    let dir = repo.target_dir()?.join("figures").join(set);
    std::fs::create_dir_all(&dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    let name = if features.is_empty() {
        "mergesort".to_string()
    } else {
        format!("mergesort-{}", features.join("-"))
    };
    let copy = dir.join(name);
    std::fs::copy(&built, &copy)
        .map_err(|e| fail(format!("cannot copy {}: {e}", built.display())))?;
    Ok(copy)
}

/// Runs the example once with `--json` (and `env`), returning its line and its stderr.
pub fn run_sort(
    binary: &Path,
    args: &[String],
    env: &[(&str, &str)],
) -> Result<(SortRun, String)> {
    let mut command = Command::new(binary);
    command.args(args).arg("--json");
    // The environment a reader's shell might carry must not change what is measured.
    for var in [
        "RAYON_NUM_THREADS",
        "MALLOC_ARENA_MAX",
        "MALLOC_CONF",
        "_RJEM_MALLOC_CONF",
        "MIMALLOC_VERBOSE",
    ] {
        command.env_remove(var);
    }
    command.envs(env.iter().copied());
    let what = format!("mergesort {}", args.join(" "));
    let out = output(&mut command, &what)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| fail(format!("{what} printed no JSON line: {stdout}")))?;
    let run: SortRun = serde_json::from_str(line)
        .map_err(|e| fail(format!("{what}: cannot parse {line:?}: {e}")))?;
    Ok((run, String::from_utf8_lossy(&out.stderr).into_owned()))
}

fn args(version: &str, len: usize, threads: Option<usize>) -> Vec<String> {
    let mut a = vec![version.to_string(), "--len".into(), len.to_string()];
    if let Some(t) = threads {
        a.extend(["--threads".into(), t.to_string()]);
    }
    a
}

/// Measures every cell [`REPEATS`] times, round-robin: each pass runs every cell once, so a
/// burst of load from elsewhere spreads over all cells instead of spoiling one.
fn measure(binary: &Path, plan: &[(&str, Option<usize>, usize)]) -> Result<Vec<Cell>> {
    let mut cells: Vec<Cell> = plan
        .iter()
        .map(|&(version, threads, len)| Cell {
            version: version.to_string(),
            threads,
            len,
            runs: Vec::new(),
            best_seconds: f64::INFINITY,
        })
        .collect();
    for pass in 1..=REPEATS {
        println!("pass {pass}/{REPEATS}");
        for cell in &mut cells {
            let (run, _) =
                run_sort(binary, &args(&cell.version, cell.len, cell.threads), &[])?;
            println!(
                "  {:>9} threads={:<4} {:.3} s",
                cell.version,
                cell.threads.map_or("-".to_string(), |t| t.to_string()),
                run.seconds
            );
            cell.best_seconds = cell.best_seconds.min(run.seconds);
            cell.runs.push(run);
        }
    }
    Ok(cells)
}

fn find<'a>(
    cells: &'a [Cell],
    version: &str,
    threads: Option<usize>,
) -> Option<&'a Cell> {
    cells
        .iter()
        .find(|c| c.version == version && (c.threads == threads || c.threads.is_none()))
}

/// The `thread_count` example's output with `env` set, as a console transcript.
fn counts_transcript(binary: &Path, env: &[(&str, &str)]) -> Result<String> {
    let mut command = Command::new(binary);
    command
        .env_remove("RAYON_NUM_THREADS")
        .env_remove("TOKIO_WORKER_THREADS");
    command.envs(env.iter().copied());
    let out = output(&mut command, "thread_count")?;
    let prefix: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    Ok(format!(
        "$ {prefix}cargo run --release -p workshop --example thread_count\n{}",
        String::from_utf8_lossy(&out.stdout)
    ))
}

/// Where a CPU quota of one CPU can be set: a new cgroup directory and what to write in it.
struct QuotaCgroup {
    dir: PathBuf,
    /// (file, content) pairs that set the quota, in order.
    files: Vec<(&'static str, &'static str)>,
}

fn quota_cgroup() -> std::result::Result<QuotaCgroup, String> {
    let name = "xtask-thread-count";
    let v2 = Path::new("/sys/fs/cgroup");
    let controllers =
        std::fs::read_to_string(v2.join("cgroup.controllers")).unwrap_or_default();
    if controllers.split_whitespace().any(|c| c == "cpu") {
        // cgroup v2: the parent must hand the cpu controller down to its children.
        std::fs::write(v2.join("cgroup.subtree_control"), "+cpu")
            .map_err(|e| format!("cannot enable the cpu controller (cgroup v2): {e}"))?;
        return Ok(QuotaCgroup {
            dir: v2.join(name),
            files: vec![("cpu.max", "100000 100000")],
        });
    }
    let v1 = Path::new("/sys/fs/cgroup/cpu");
    if v1.join("cpu.cfs_quota_us").is_file() {
        return Ok(QuotaCgroup {
            dir: v1.join(name),
            files: vec![
                ("cpu.cfs_period_us", "100000"),
                ("cpu.cfs_quota_us", "100000"),
            ],
        });
    }
    Err(
        "no cgroup cpu controller is mounted here (neither cgroup v2 with `cpu` in \
         /sys/fs/cgroup/cgroup.controllers nor cgroup v1 /sys/fs/cgroup/cpu)"
            .into(),
    )
}

/// Runs the `thread_count` example and `nproc` inside a cgroup limited to one CPU's worth of
/// time; returns a console transcript, or why it could not.
fn quota_transcript(binary: &Path) -> std::result::Result<String, String> {
    let cgroup = quota_cgroup()?;
    std::fs::create_dir_all(&cgroup.dir)
        .map_err(|e| format!("cannot create {}: {e}", cgroup.dir.display()))?;
    let result = (|| {
        let mut text = String::new();
        for (file, content) in &cgroup.files {
            let path = cgroup.dir.join(file);
            std::fs::write(&path, content)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            text.push_str(&format!("$ echo {content} > {}\n", path.display()));
        }
        let procs = cgroup.dir.join("cgroup.procs");
        text.push_str(&format!(
            "$ echo $$ > {}    # this shell and what it starts\n",
            procs.display()
        ));
        let inside = |program: &str| -> std::result::Result<String, String> {
            // The shell moves itself into the cgroup, then becomes the program.
            let script = format!("echo $$ > '{}' && exec \"$0\"", procs.display());
            let out = Command::new("sh")
                .args(["-c", &script, program])
                .env_remove("RAYON_NUM_THREADS")
                .env_remove("TOKIO_WORKER_THREADS")
                .output()
                .map_err(|e| format!("cannot run {program}: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "{program} in the cgroup failed ({}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        };
        text.push_str(&format!("$ nproc\n{}", inside("nproc")?));
        text.push_str(&format!(
            "$ cargo run --release -p workshop --example thread_count\n{}",
            inside(&binary.display().to_string())?
        ));
        Ok(text)
    })();
    // The cgroup is empty again once its processes have exited; remove it either way.
    let _ = std::fs::remove_dir(&cgroup.dir);
    result
}

pub fn run(repo: &Repo, stamp: &Stamp) -> Result {
    let counts = build_example(repo, "thread_count", &[])?;
    let env_text = format!(
        "{}{}",
        counts_transcript(&counts, &[])?,
        counts_transcript(
            &counts,
            &[("RAYON_NUM_THREADS", "8"), ("TOKIO_WORKER_THREADS", "3")]
        )?
    );
    let quota = quota_transcript(&counts);
    if let Err(why) = &quota {
        println!("no CPU quota demonstration: {why}");
    }
    let binary = mergesort_binary(repo, "thread_count", &[])?;
    let mut plan = Vec::new();
    for (version, threaded) in VERSIONS {
        if threaded {
            plan.extend(THREADS.iter().map(|&t| (version, Some(t), LEN)));
        } else {
            plan.push((version, None, LEN));
        }
    }
    let large = measure(&binary, &plan)?;
    let small = measure(
        &binary,
        &[
            ("v1-threads", None, SMALL_LEN),
            ("v1", Some(2), SMALL_LEN),
            ("std", None, SMALL_LEN),
        ],
    )?;
    write_results(
        repo,
        "thread_count",
        &Results {
            stamp: stamp.clone(),
            large: large.clone(),
            small: small.clone(),
            env_transcript: env_text.clone(),
            quota_transcript: quota.clone(),
        },
    )?;

    let std_time = find(&large, "std", None)
        .ok_or_else(|| fail("no std cell"))?
        .best_seconds;
    let unstable_time = find(&large, "std-unstable", None)
        .ok_or_else(|| fail("no std-unstable cell"))?
        .best_seconds;
    let mut times = format!(
        "| version | {} |\n|---|{}\n",
        THREADS
            .map(|t| format!("{t} thread{}", if t == 1 { "" } else { "s" }))
            .join(" | "),
        "---:|".repeat(THREADS.len())
    );
    for (version, threaded) in VERSIONS {
        let mut row = format!("| `{version}` |");
        for t in THREADS {
            let cell = find(&large, version, threaded.then_some(t))
                .ok_or_else(|| fail(format!("no cell {version} {t}")))?;
            if threaded || t == THREADS[0] {
                row.push_str(&format!(
                    " {:.3} s ({:.2}× · {:.2}×) |",
                    cell.best_seconds,
                    std_time / cell.best_seconds,
                    unstable_time / cell.best_seconds
                ));
            } else {
                row.push_str(" (one thread) |");
            }
        }
        times.push_str(&row);
        times.push('\n');
    }
    times.push_str(&format!(
        "\nSort time of {LEN} random `i64`s, best of {REPEATS} whole-program runs per cell; in \
         parentheses, `std`'s time divided by this one, then `std-unstable`'s (above 1: faster \
         than `slice::sort`, then than `slice::sort_unstable`).\n"
    ));

    let small_std = find(&small, "std", None)
        .ok_or_else(|| fail("no small std cell"))?
        .best_seconds;
    let mut small_table =
        "| version | time | time ÷ `std`'s |\n|---|---:|---:|\n".to_string();
    for cell in &small {
        small_table.push_str(&format!(
            "| `{}` | {:.2} ms | {:.1}× |\n",
            cell.version,
            cell.best_seconds * 1e3,
            cell.best_seconds / small_std
        ));
    }
    small_table.push_str(&format!(
        "\nSort time of {SMALL_LEN} random `i64`s, best of {REPEATS} runs; the last column says \
         how many times longer than `slice::sort` each took.\n"
    ));

    write_generated(
        repo,
        "thread_count",
        &format!(
            "{}\n{}\n{}\n{}",
            anchored("times", &times, stamp),
            anchored("small", &small_table, stamp),
            anchored("env", &format!("```console\n{env_text}```\n"), stamp),
            anchored(
                "quota",
                &match &quota {
                    Ok(text) => format!("```console\n{text}```\n"),
                    Err(why) =>
                        format!("No CPU quota could be set on this machine: {why}.\n"),
                },
                stamp
            )
        ),
    )?;

    let mut groups = Vec::new();
    for (version, threaded) in VERSIONS {
        let bars = if threaded {
            THREADS
                .iter()
                .filter_map(|&t| find(&large, version, Some(t)).map(|c| (t, c)))
                .map(|(t, c)| Bar {
                    label: format!("{t} thread{}", if t == 1 { "" } else { "s" }),
                    value: c.best_seconds,
                    value_label: format!("{:.2} s", c.best_seconds),
                })
                .collect()
        } else {
            let c = find(&large, version, None).ok_or_else(|| fail("missing cell"))?;
            vec![Bar {
                label: "one thread".into(),
                value: c.best_seconds,
                value_label: format!("{:.2} s", c.best_seconds),
            }]
        };
        groups.push((version.to_string(), bars));
    }
    let svg = bar_chart(&BarChart {
        id: "thread-count-times".into(),
        title: "Merge sort time by version and thread count".into(),
        desc: format!(
            "Horizontal bars: the time to sort {LEN} numbers for each merge sort version at \
             1, 2, 8 and 18 threads, and for std (slice::sort) and std-unstable \
             (slice::sort_unstable), one thread each. The same numbers are in the table \
             above."
        ),
        axis: format!("sort time (s), best of {REPEATS}; shorter is better"),
        groups,
    });
    write_figure(repo, "thread-count-times.svg", &svg)
}
