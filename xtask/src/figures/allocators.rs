//! `cargo xtask figures allocators`: the merge sort v3 (a fresh buffer for every merge) as a
//! whole program under each global allocator and a few of their settings, then `rayon` (one
//! buffer per sort) under each allocator: sort time and peak resident memory. Also checks which
//! environment variable the jemalloc build reads its options from, and runs a second program,
//! `cross_thread_free` (blocks allocated on one thread and freed on another, against the same
//! blocks freed by the thread that allocated them), under each allocator. Writes
//! `results/figures/allocators.json`, `src/generated/figures/allocators.md` (anchors
//! `allocators`, `conf_variable` and `cross_thread`) and `src/figures/allocators-time.svg`,
//! `allocators-rss.svg`, `allocators-cross-thread-time.svg`, `allocators-cross-thread-rss.svg`.
//! The chapter is `src/tools/allocators.md`.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use super::svg::{Bar, BarChart, bar_chart};
use super::thread_count::{SortRun, mergesort_binary, run_sort};
use super::{
    Stamp, anchored, build_example, output, write_figure, write_generated, write_results,
};
use crate::{Repo, Result, fail};

/// The workload: v3 on 2 threads (this machine's cores), 10M numbers.
const VERSION: &str = "v3";
/// The same sort with one scratch buffer for the whole sort (`mergesort::rayon_join`): the
/// fix, under the three allocators.
const FIXED: &str = "rayon";
const LEN: usize = 10_000_000;
const THREADS: usize = 2;
/// Five runs per row: whole programs on a 2-core machine vary by more than three runs can
/// show (the slowest-run column says how much).
const REPEATS: usize = 5;

/// What jemalloc prints at exit when it has read `stats_print:true`.
const JEMALLOC_STATS_BANNER: &str = "Begin jemalloc statistics";

/// One allocator setting: which build, which environment.
struct Setting {
    /// The merge sort version: `v3` (a buffer per merge) or `rayon` (one buffer per sort).
    version: &'static str,
    label: &'static str,
    /// For the charts, whose labels have little room.
    short: &'static str,
    /// `None`: the system allocator (glibc malloc).
    feature: Option<&'static str>,
    env: &'static [(&'static str, &'static str)],
}

const DECAY_0: &str = "dirty_decay_ms:0,muzzy_decay_ms:0";

const SETTINGS: &[Setting] = &[
    Setting {
        version: VERSION,
        label: "system (glibc)",
        short: "glibc",
        feature: None,
        env: &[],
    },
    Setting {
        version: VERSION,
        label: "system, MALLOC_ARENA_MAX=1",
        short: "glibc, arenas 1",
        feature: None,
        env: &[("MALLOC_ARENA_MAX", "1")],
    },
    Setting {
        version: VERSION,
        label: "jemalloc",
        short: "jemalloc",
        feature: Some("jemalloc"),
        env: &[],
    },
    Setting {
        version: VERSION,
        label: "jemalloc, _RJEM_MALLOC_CONF=decay 0",
        short: "jemalloc, decay 0",
        feature: Some("jemalloc"),
        env: &[("_RJEM_MALLOC_CONF", DECAY_0)],
    },
    Setting {
        version: VERSION,
        label: "jemalloc, MALLOC_CONF=decay 0",
        short: "jemalloc, MALLOC_CONF",
        feature: Some("jemalloc"),
        env: &[("MALLOC_CONF", DECAY_0)],
    },
    Setting {
        version: VERSION,
        label: "mimalloc",
        short: "mimalloc",
        feature: Some("mimalloc"),
        env: &[],
    },
    // mimalloc v3 asks for transparent huge pages on its arena (`madvise(MADV_HUGEPAGE)`):
    // this row turns that off, to show what the huge pages do to its time and memory.
    Setting {
        version: VERSION,
        label: "mimalloc, MIMALLOC_ALLOW_THP=0",
        short: "mimalloc, no THP",
        feature: Some("mimalloc"),
        env: &[("MIMALLOC_ALLOW_THP", "0")],
    },
    Setting {
        version: FIXED,
        label: "system (glibc)",
        short: "rayon: glibc",
        feature: None,
        env: &[],
    },
    Setting {
        version: FIXED,
        label: "jemalloc",
        short: "rayon: jemalloc",
        feature: Some("jemalloc"),
        env: &[],
    },
    Setting {
        version: FIXED,
        label: "mimalloc",
        short: "rayon: mimalloc",
        feature: Some("mimalloc"),
        env: &[],
    },
];

#[derive(Serialize, Deserialize)]
struct Measured {
    version: String,
    setting: String,
    short: String,
    feature: Option<String>,
    env: Vec<(String, String)>,
    runs: Vec<SortRun>,
    best_seconds: f64,
    /// The median of the runs' peak RSS (it varies little from run to run).
    median_peak_rss_kib: u64,
}

#[derive(Serialize, Deserialize)]
struct ConfCheck {
    variable: String,
    value: String,
    /// Whether jemalloc printed its statistics, i.e. read the variable.
    read_by_jemalloc: bool,
}

#[derive(Serialize, Deserialize)]
struct Results {
    stamp: Stamp,
    version: String,
    len: usize,
    threads: usize,
    settings: Vec<Measured>,
    conf_variable: Vec<ConfCheck>,
    cross_thread: CrossThread,
}

fn binary_for(repo: &Repo, feature: Option<&str>) -> Result<PathBuf> {
    verified(feature, &["v3", "--len", "1000"], || {
        mergesort_binary(repo, "allocators", feature.as_slice())
    })
}

/// What mimalloc prints at exit with `MIMALLOC_SHOW_STATS=1` (v3, then v2 and v1).
const MIMALLOC_STATS_MARKERS: [&str; 2] = ["subproc", "heap stats"];

/// Which allocator a built program runs on, asked of the program itself: jemalloc prints its
/// statistics for `_RJEM_MALLOC_CONF=stats_print:true`, mimalloc for `MIMALLOC_SHOW_STATS=1`,
/// glibc for neither.
fn allocator_of(binary: &Path, args: &[&str]) -> Result<Option<&'static str>> {
    let stderr = |var: &str, value: &str| -> Result<String> {
        let mut command = Command::new(binary);
        command.args(args).env(var, value);
        let out = output(
            &mut command,
            &format!("{} {}", binary.display(), args.join(" ")),
        )?;
        Ok(String::from_utf8_lossy(&out.stderr).into_owned())
    };
    if stderr("_RJEM_MALLOC_CONF", "stats_print:true")?.contains(JEMALLOC_STATS_BANNER) {
        return Ok(Some("jemalloc"));
    }
    let mi = stderr("MIMALLOC_SHOW_STATS", "1")?;
    if MIMALLOC_STATS_MARKERS.iter().any(|m| mi.contains(m)) {
        return Ok(Some("mimalloc"));
    }
    Ok(None)
}

/// Builds with `build` until the copy runs on the allocator `feature` names. Builds with
/// other features (another figure set, another engineer's `cargo build`) re-link the same
/// `target/release/examples/<name>` in milliseconds, and one that lands between a build and
/// its copy would silently measure the wrong allocator: this once measured glibc under the
/// jemalloc label.
fn verified(
    feature: Option<&str>,
    probe: &[&str],
    build: impl Fn() -> Result<PathBuf>,
) -> Result<PathBuf> {
    for attempt in 1..=3 {
        let binary = build()?;
        let found = allocator_of(&binary, probe)?;
        if found == feature {
            return Ok(binary);
        }
        println!(
            "{} runs on {} instead of {} (replaced by another build?); rebuilding, attempt {attempt}",
            binary.display(),
            found.unwrap_or("the system allocator"),
            feature.unwrap_or("the system allocator"),
        );
    }
    Err(fail(format!(
        "could not build a binary that runs on {}",
        feature.unwrap_or("the system allocator")
    )))
}

// ---- The second program: frees on another thread ---------------------------------------

/// The program and its runs: each allocator × mode, best of [`CROSS_REPEATS`], round-robin.
const CROSS_EXAMPLE: &str = "cross_thread_free";
const CROSS_REPEATS: usize = 5;
/// `same-thread` first: the control each `cross-thread` row is divided by.
const CROSS_MODES: [&str; 2] = ["same-thread", "cross-thread"];
/// (label, short label, feature): the three global allocators, the system's first.
const ALLOCATORS: [(&str, &str, Option<&str>); 3] = [
    ("system (glibc)", "glibc", None),
    ("jemalloc", "jemalloc", Some("jemalloc")),
    ("mimalloc", "mimalloc", Some("mimalloc")),
];

/// One `--json` line of the program.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct CrossRun {
    free_on: String,
    blocks: usize,
    batch: usize,
    in_flight: usize,
    max_size: usize,
    /// Bytes requested in all.
    bytes: u64,
    /// At most this many bytes were live at once.
    live_peak_bytes: u64,
    /// The allocation and free loop alone.
    seconds: f64,
    peak_rss_kib: u64,
}

#[derive(Serialize, Deserialize)]
struct CrossMeasured {
    allocator: String,
    short: String,
    feature: Option<String>,
    free_on: String,
    runs: Vec<CrossRun>,
    best_seconds: f64,
    median_seconds: f64,
    median_peak_rss_kib: u64,
}

#[derive(Serialize, Deserialize)]
struct CrossThread {
    repeats: usize,
    cells: Vec<CrossMeasured>,
}

/// Builds the example with `feature` and copies it under `target/figures/allocators/`, as
/// [`mergesort_binary`] does, so that a later build with other features cannot replace it.
fn cross_binary(repo: &Repo, feature: Option<&str>) -> Result<PathBuf> {
    verified(feature, &["cross-thread", "--blocks", "10"], || {
        copied_cross_binary(repo, feature)
    })
}

fn copied_cross_binary(repo: &Repo, feature: Option<&str>) -> Result<PathBuf> {
    let built = build_example(repo, CROSS_EXAMPLE, feature.as_slice())?;
    let dir = repo.target_dir()?.join("figures").join("allocators");
    std::fs::create_dir_all(&dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    let copy = dir.join(match feature {
        None => CROSS_EXAMPLE.to_string(),
        Some(f) => format!("{CROSS_EXAMPLE}-{f}"),
    });
    std::fs::copy(&built, &copy)
        .map_err(|e| fail(format!("cannot copy {}: {e}", built.display())))?;
    Ok(copy)
}

/// Runs the program once in `mode` with `--json` and the defaults, in a clean environment.
fn run_cross(binary: &Path, mode: &str) -> Result<CrossRun> {
    let mut command = Command::new(binary);
    command.args([mode, "--json"]);
    // No allocator option a reader's shell might carry may change what is measured.
    for (var, _) in std::env::vars_os() {
        let name = var.to_string_lossy();
        if name.starts_with("MALLOC_")
            || name.starts_with("_RJEM_")
            || name.starts_with("MIMALLOC_")
            || name.starts_with("GLIBC_TUNABLES")
        {
            command.env_remove(&var);
        }
    }
    let what = format!("{CROSS_EXAMPLE} {mode}");
    let out = output(&mut command, &what)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .ok_or_else(|| fail(format!("{what} printed no JSON line: {stdout}")))?;
    serde_json::from_str(line)
        .map_err(|e| fail(format!("{what}: cannot parse {line:?}: {e}")))
}

fn measure_cross(binaries: &[PathBuf; 3]) -> Result<CrossThread> {
    let plan: Vec<(usize, &str)> = (0..ALLOCATORS.len())
        .flat_map(|a| CROSS_MODES.map(|m| (a, m)))
        .collect();
    let mut runs: Vec<Vec<CrossRun>> = plan.iter().map(|_| Vec::new()).collect();
    // Round-robin, as for the merge sort: a burst of load spreads over every cell.
    for pass in 1..=CROSS_REPEATS {
        println!("{CROSS_EXAMPLE} pass {pass}/{CROSS_REPEATS}");
        for (&(a, mode), runs) in plan.iter().zip(&mut runs) {
            let run = run_cross(&binaries[a], mode)?;
            println!(
                "  {:<16} {:<13} {:.3} s  peak {} MiB",
                ALLOCATORS[a].0,
                mode,
                run.seconds,
                run.peak_rss_kib / 1024
            );
            runs.push(run);
        }
    }
    let cells = plan
        .iter()
        .zip(runs)
        .map(|(&(a, mode), runs)| {
            let (label, short, feature) = ALLOCATORS[a];
            let mut seconds: Vec<f64> = runs.iter().map(|r| r.seconds).collect();
            seconds.sort_by(f64::total_cmp);
            let mut rss: Vec<u64> = runs.iter().map(|r| r.peak_rss_kib).collect();
            rss.sort_unstable();
            CrossMeasured {
                allocator: label.into(),
                short: short.into(),
                feature: feature.map(String::from),
                free_on: mode.into(),
                best_seconds: seconds[0],
                median_seconds: seconds[seconds.len() / 2],
                median_peak_rss_kib: rss[rss.len() / 2],
                runs,
            }
        })
        .collect();
    Ok(CrossThread {
        repeats: CROSS_REPEATS,
        cells,
    })
}

/// The `cross_thread` table: one row per allocator and mode; `cross-thread` rows divided by
/// the same allocator's `same-thread` row, and every row by glibc's in the same mode.
fn cross_table(cross: &CrossThread) -> String {
    let cell = |allocator: &str, mode: &str| {
        cross
            .cells
            .iter()
            .find(|c| c.allocator == allocator && c.free_on == mode)
            .expect("every allocator × mode was measured")
    };
    let mut table = "| allocator | build | frees on | loop time | slowest run | \
                     vs same thread | vs glibc | peak RSS | vs glibc |\n\
                     |---|---|---|---:|---:|---:|---:|---:|---:|\n"
        .to_string();
    for c in &cross.cells {
        let same = cell(&c.allocator, CROSS_MODES[0]);
        let glibc = cell(ALLOCATORS[0].0, &c.free_on);
        let build = c
            .feature
            .as_ref()
            .map_or("default".to_string(), |f| format!("`--features {f}`"));
        let (frees_on, vs_same) = if c.free_on == CROSS_MODES[0] {
            ("the thread that allocated", "—".to_string())
        } else {
            (
                "another thread",
                format!("{:.2}×", c.best_seconds / same.best_seconds),
            )
        };
        table.push_str(&format!(
            "| {} | {build} | {frees_on} | {:.3} s | {:.3} s | {vs_same} | {:.2}× | \
             {:.0} MiB | {:.2}× |\n",
            c.allocator,
            c.best_seconds,
            c.runs.iter().map(|r| r.seconds).fold(0.0, f64::max),
            c.best_seconds / glibc.best_seconds,
            c.median_peak_rss_kib as f64 / 1024.0,
            c.median_peak_rss_kib as f64 / glibc.median_peak_rss_kib as f64,
        ));
    }
    let run = &cross.cells[0].runs[0];
    let live_max = cross
        .cells
        .iter()
        .flat_map(|c| c.runs.iter().map(|r| r.live_peak_bytes))
        .max()
        .unwrap_or(0);
    table.push_str(&format!(
        "\n`cross_thread_free`: a producer thread allocates {} blocks of 16 bytes to {} KiB \
         (sizes spread evenly over the doublings; {:.1} GiB requested in all) and sends them \
         to a consumer thread in batches of {}, at most {} batches in flight (at most {:.0} MiB \
         live at once). *Another thread*: the consumer frees the blocks; *the thread that \
         allocated*: the consumer hands each batch back and the producer frees it. The same \
         messages cross the same channels in both. Loop time: the allocation and free loop \
         alone (threads started before), the fastest of {} runs, round-robin (and the \
         slowest, for the spread); peak RSS (VmHWM): the median run. `vs same thread`: this \
         row divided by the same allocator's same-thread row; `vs glibc`: divided by the \
         system allocator's row of the same mode.\n",
        run.blocks,
        run.max_size / 1024,
        run.bytes as f64 / f64::from(1u32 << 30),
        run.batch,
        run.in_flight,
        live_max as f64 / f64::from(1u32 << 20),
        cross.repeats,
    ));
    table
}

fn cross_chart(
    cross: &CrossThread,
    id: &str,
    title: &str,
    axis: &str,
    rss: bool,
) -> String {
    let groups = CROSS_MODES
        .iter()
        .map(|&mode| {
            let bars = cross
                .cells
                .iter()
                .filter(|c| c.free_on == mode)
                .map(|c| {
                    let (value, value_label) = if rss {
                        let mib = c.median_peak_rss_kib as f64 / 1024.0;
                        (mib, format!("{mib:.0} MiB"))
                    } else {
                        (c.best_seconds, format!("{:.2} s", c.best_seconds))
                    };
                    Bar {
                        label: c.short.clone(),
                        value,
                        value_label,
                    }
                })
                .collect();
            let head = if mode == CROSS_MODES[0] {
                "freed by the thread that allocated"
            } else {
                "freed by another thread"
            };
            (head.to_string(), bars)
        })
        .collect();
    bar_chart(&BarChart {
        id: id.into(),
        title: title.into(),
        desc: format!(
            "Horizontal bars in two groups, blocks freed by the thread that allocated them              and blocks freed by another thread, one bar per allocator (glibc, jemalloc,              mimalloc): {axis}. The same numbers are in the table above."
        ),
        axis: axis.into(),
        groups,
    })
}

pub fn run(repo: &Repo, stamp: &Stamp) -> Result {
    // One feature set at a time, both programs: each switch of features rebuilds the crate.
    let system = binary_for(repo, None)?;
    let cross_system = cross_binary(repo, None)?;
    let jemalloc = binary_for(repo, Some("jemalloc"))?;
    let cross_jemalloc = cross_binary(repo, Some("jemalloc"))?;
    let mimalloc = binary_for(repo, Some("mimalloc"))?;
    let cross_mimalloc = cross_binary(repo, Some("mimalloc"))?;
    let binary = |feature: Option<&str>| match feature {
        None => &system,
        Some("jemalloc") => &jemalloc,
        Some(_) => &mimalloc,
    };
    let args = |version: &str| -> Vec<String> {
        [
            version.to_string(),
            "--len".into(),
            LEN.to_string(),
            "--threads".into(),
            THREADS.to_string(),
        ]
        .into()
    };

    // Which variable does jemalloc read? `stats_print:true` makes it print a report at exit.
    let small: Vec<String> = ["v3", "--len", "1000"].map(String::from).into();
    let mut conf_variable = Vec::new();
    for variable in ["MALLOC_CONF", "_RJEM_MALLOC_CONF"] {
        let (_, stderr) = run_sort(&jemalloc, &small, &[(variable, "stats_print:true")])?;
        conf_variable.push(ConfCheck {
            variable: variable.into(),
            value: "stats_print:true".into(),
            read_by_jemalloc: stderr.contains(JEMALLOC_STATS_BANNER),
        });
    }

    let mut runs: Vec<Vec<SortRun>> = SETTINGS.iter().map(|_| Vec::new()).collect();
    // Round-robin, as in the thread_count set: noise spreads over every setting.
    for pass in 1..=REPEATS {
        println!("pass {pass}/{REPEATS}");
        for (setting, runs) in SETTINGS.iter().zip(&mut runs) {
            let (run, _) =
                run_sort(binary(setting.feature), &args(setting.version), setting.env)?;
            println!(
                "  {:<6} {:<40} {:.3} s  peak {} MiB",
                setting.version,
                setting.label,
                run.seconds,
                run.peak_rss_kib / 1024
            );
            runs.push(run);
        }
    }
    let settings: Vec<Measured> = SETTINGS
        .iter()
        .zip(runs)
        .map(|(setting, runs)| {
            let mut rss: Vec<u64> = runs.iter().map(|r| r.peak_rss_kib).collect();
            rss.sort_unstable();
            Measured {
                version: setting.version.into(),
                setting: setting.label.into(),
                short: setting.short.into(),
                feature: setting.feature.map(String::from),
                env: setting
                    .env
                    .iter()
                    .map(|&(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                best_seconds: runs
                    .iter()
                    .map(|r| r.seconds)
                    .fold(f64::INFINITY, f64::min),
                median_peak_rss_kib: rss[rss.len() / 2],
                runs,
            }
        })
        .collect();

    let base = &settings[0];
    let mut table =
        "| version | allocator, setting | build | environment | sort time | slowest run | \
         vs first | peak RSS | vs first |\n|---|---|---|---|---:|---:|---:|---:|---:|\n"
            .to_string();
    for m in &settings {
        let env = if m.env.is_empty() {
            "—".to_string()
        } else {
            m.env
                .iter()
                .map(|(k, v)| format!("`{k}={v}`"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let build = m
            .feature
            .as_ref()
            .map_or("default".to_string(), |f| format!("`--features {f}`"));
        table.push_str(&format!(
            "| `{}` | {} | {build} | {env} | {:.3} s | {:.3} s | {:.2}× | {:.0} MiB | \
             {:.2}× |\n",
            m.version,
            m.setting,
            m.best_seconds,
            m.runs.iter().map(|r| r.seconds).fold(0.0, f64::max),
            m.best_seconds / base.best_seconds,
            m.median_peak_rss_kib as f64 / 1024.0,
            m.median_peak_rss_kib as f64 / base.median_peak_rss_kib as f64,
        ));
    }
    table.push_str(&format!(
        "\nSorting {LEN} random `i64`s on {THREADS} threads: `{VERSION}` allocates a buffer in \
         every merge, `{FIXED}` one buffer per sort. {REPEATS} whole-program runs per row, \
         round-robin. Sort time: the fastest run (and the slowest, for the spread); peak RSS (VmHWM, the most memory resident at \
         any moment): the median run. `vs first`: this row divided by the first (`{VERSION}` \
         under the system allocator; below 1: less time or memory).\n"
    ));

    let mut conf =
        "| variable | value | did jemalloc read it? |\n|---|---|---|\n".to_string();
    for c in &conf_variable {
        conf.push_str(&format!(
            "| `{}` | `{}` | {} |\n",
            c.variable,
            c.value,
            if c.read_by_jemalloc {
                "yes: it printed its statistics at exit"
            } else {
                "no: nothing printed"
            }
        ));
    }
    conf.push_str(
        "\nThe `--features jemalloc` build of the example, sorting 1000 numbers.\n",
    );

    let cross_thread = measure_cross(&[cross_system, cross_jemalloc, cross_mimalloc])?;
    let cross = cross_table(&cross_thread);

    let results = Results {
        stamp: stamp.clone(),
        version: VERSION.into(),
        len: LEN,
        threads: THREADS,
        settings,
        conf_variable,
        cross_thread,
    };
    write_results(repo, "allocators", &results)?;
    write_generated(
        repo,
        "allocators",
        &format!(
            "{}\n{}\n{}",
            anchored("allocators", &table, stamp),
            anchored("conf_variable", &conf, stamp),
            anchored("cross_thread", &cross, stamp)
        ),
    )?;
    write_figure(
        repo,
        "allocators-cross-thread-time.svg",
        &cross_chart(
            &results.cross_thread,
            "allocators-cross-thread-time",
            "Blocks freed on the same thread or another: loop time per allocator",
            "loop time (s), fastest run; shorter is better",
            false,
        ),
    )?;
    write_figure(
        repo,
        "allocators-cross-thread-rss.svg",
        &cross_chart(
            &results.cross_thread,
            "allocators-cross-thread-rss",
            "Blocks freed on the same thread or another: peak resident memory per allocator",
            "peak RSS (MiB), median run; shorter is better",
            true,
        ),
    )?;
    let chart = |id: &str,
                 title: &str,
                 axis: &str,
                 value: &dyn Fn(&Measured) -> (f64, String)| {
        bar_chart(&BarChart {
            id: id.into(),
            title: title.into(),
            desc: format!(
                "Horizontal bars, one per allocator setting, for the merge sort {VERSION} \
                 (a buffer per merge) and, in the last three, {FIXED} (one buffer), on {LEN} \
                 numbers and {THREADS} threads: {axis}. The same numbers are in the table \
                 above."
            ),
            axis: axis.into(),
            groups: vec![(
                String::new(),
                results
                    .settings
                    .iter()
                    .map(|m| {
                        let (value, value_label) = value(m);
                        Bar {
                            label: m.short.clone(),
                            value,
                            value_label,
                        }
                    })
                    .collect(),
            )],
        })
    };
    write_figure(
        repo,
        "allocators-time.svg",
        &chart(
            "allocators-time",
            "Merge sort: sort time per allocator setting",
            "sort time (s), fastest run; shorter is better",
            &|m| (m.best_seconds, format!("{:.2} s", m.best_seconds)),
        ),
    )?;
    write_figure(
        repo,
        "allocators-rss.svg",
        &chart(
            "allocators-rss",
            "Merge sort: peak resident memory per allocator setting",
            "peak RSS (MiB), median run; shorter is better",
            &|m| {
                let mib = m.median_peak_rss_kib as f64 / 1024.0;
                (mib, format!("{mib:.0} MiB"))
            },
        ),
    )
}
