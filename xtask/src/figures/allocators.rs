//! `cargo xtask figures allocators`: the merge sort v3 (a fresh buffer for every merge) as a
//! whole program under each global allocator and a few of their settings, then `rayon` (one
//! buffer per sort) under each allocator: sort time and peak resident memory. Also checks which
//! environment variable the jemalloc build reads its options from. Writes `results/figures/allocators.json`,
//! `src/generated/figures/allocators.md` (anchors `allocators` and `conf_variable`) and
//! `src/figures/allocators-time.svg`, `src/figures/allocators-rss.svg`.
//! The chapter is `src/tools/allocators.md`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::svg::{Bar, BarChart, bar_chart};
use super::thread_count::{SortRun, mergesort_binary, run_sort};
use super::{Stamp, anchored, write_figure, write_generated, write_results};
use crate::{Repo, Result};

/// The workload: v3 on 2 threads (this machine's cores), 10M numbers.
const VERSION: &str = "v3";
/// The same sort with one scratch buffer for the whole sort (`mergesort::rayon_join`): the
/// fix, under the three allocators.
const FIXED: &str = "rayon";
const LEN: usize = 10_000_000;
const THREADS: usize = 2;
const REPEATS: usize = 3;

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
}

fn binary_for(repo: &Repo, feature: Option<&str>) -> Result<PathBuf> {
    mergesort_binary(repo, "allocators", feature.as_slice())
}

pub fn run(repo: &Repo, stamp: &Stamp) -> Result {
    let system = binary_for(repo, None)?;
    let jemalloc = binary_for(repo, Some("jemalloc"))?;
    let mimalloc = binary_for(repo, Some("mimalloc"))?;
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
        "| version | allocator, setting | build | environment | sort time | vs first | \
         peak RSS | vs first |\n|---|---|---|---|---:|---:|---:|---:|\n"
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
            "| `{}` | {} | {build} | {env} | {:.3} s | {:.2}× | {:.0} MiB | {:.2}× |\n",
            m.version,
            m.setting,
            m.best_seconds,
            m.best_seconds / base.best_seconds,
            m.median_peak_rss_kib as f64 / 1024.0,
            m.median_peak_rss_kib as f64 / base.median_peak_rss_kib as f64,
        ));
    }
    table.push_str(&format!(
        "\nSorting {LEN} random `i64`s on {THREADS} threads: `{VERSION}` allocates a buffer in \
         every merge, `{FIXED}` one buffer per sort. {REPEATS} whole-program runs per row, \
         round-robin. Sort time: the fastest run; peak RSS (VmHWM, the most memory resident at \
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

    let results = Results {
        stamp: stamp.clone(),
        version: VERSION.into(),
        len: LEN,
        threads: THREADS,
        settings,
        conf_variable,
    };
    write_results(repo, "allocators", &results)?;
    write_generated(
        repo,
        "allocators",
        &format!(
            "{}\n{}",
            anchored("allocators", &table, stamp),
            anchored("conf_variable", &conf, stamp)
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
