//! `cargo xtask figures caches`: the Caches chapter's cases counted under cachegrind, beside the
//! times of its bench, and the latency curve drawn from that bench's results.
//!
//! Writes `results/figures/caches.json` and `src/generated/figures/caches.md` (anchors
//! `hierarchy` and one per counted group), and `src/figures/caches_latency.svg` (redrawn by
//! `cargo xtask render` too, from `results/caches.json`). The chapter is `src/memory/caches.md`.
//!
//! Cachegrind simulates a first-level data cache and one last level. This machine has three
//! levels, so every case is counted twice, once with the L2's geometry as the last level and
//! once with the L3's: the first run's last-level misses are the L2's, the second's the L3's
//! (both see the same stream of L1 misses, which is what an L2 and an L3 see). Geometries come
//! from sysfs ([`cache_levels`]). A count is the difference between a run that makes
//! [`CALLS`] calls and one that makes none (after a warm-up call in both) (`workshop::measure::CountRunner`), divided by
//! [`CALLS`].

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::{Deserialize, Serialize};

use super::svg::{LineChart, Series, line_chart};
use super::{
    Stamp, anchored, build_example, output, read, write_figure, write_generated,
};
use crate::bench::{
    CacheLevel, Results as BenchResults, Throughput, cache_levels, kib_text,
};
use crate::{Repo, Result, fail};

const NAME: &str = "caches";

/// The cases counted: ids relative to the chapter, or group prefixes (`traverse/`). The latency
/// walk is counted at one working set per level of the hierarchy.
const COUNTED: &[&str] = &[
    "latency/random/16KiB",
    "latency/random/256KiB",
    "latency/random/1MiB",
    "latency/random/64MiB",
    "latency/sequential/64MiB",
    "traverse/",
    "fields/",
    "pointers/",
    "small_map/",
];

/// Calls per counted run (after the warm-up call), one digit (see [`cachegrind`]).
const CALLS: u64 = 4;
const CALLS_ARG: &str = "4";

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Row {
    /// `chapter/group/case[/param]`.
    id: String,
    /// Elements per call (the group's throughput), when it declares them.
    elements: Option<u64>,
    /// Per call: instructions executed, and data accesses (reads and writes) that missed each
    /// simulated level.
    instructions: f64,
    l1d_misses: f64,
    l2_misses: f64,
    l3_misses: f64,
}

#[derive(Serialize, Deserialize)]
struct Results {
    stamp: Stamp,
    /// `valgrind --version`.
    valgrind: String,
    levels: Vec<CacheLevel>,
    /// The cachegrind options of the two simulations.
    simulated: Vec<String>,
    calls: u64,
    rows: Vec<Row>,
}

/// Cachegrind's totals of one run: instructions, and data misses at L1 and at the last level.
#[derive(Clone, Copy, Default)]
struct Totals {
    ir: u64,
    d1: u64,
    dl: u64,
}

pub fn run(repo: &Repo, stamp: &Stamp) -> Result {
    let valgrind = Command::new("valgrind")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .ok_or_else(|| {
            fail("figures caches: valgrind is not installed (apt-get install valgrind)")
        })?;
    let levels = cache_levels()
        .ok_or_else(|| fail("figures caches: no /sys/devices/system/cpu/cpu0/cache to read the caches from"))?;
    let find = |level: u32, kind: &str| {
        levels
            .iter()
            .find(|l| l.level == level && l.kind == kind)
            .ok_or_else(|| {
                fail(format!(
                    "figures caches: sysfs lists no level-{level} {kind} cache"
                ))
            })
    };
    let geometry =
        |l: &CacheLevel| format!("{},{},{}", l.size_bytes, l.ways, l.line_bytes);
    let (l1i, l1d) = (find(1, "Instruction")?, find(1, "Data")?);
    let first = format!("--I1={} --D1={}", geometry(l1i), geometry(l1d));
    let simulated = vec![
        format!("{first} --LL={}", geometry(find(2, "Unified")?)),
        format!("{first} --LL={}", geometry(find(3, "Unified")?)),
    ];

    let bin = build_example(repo, "counts", &[])?;
    let listed = output(
        Command::new(&bin).args(["--list", NAME]),
        "counts --list caches",
    )?;
    let ids: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|id| {
            let id = id.strip_prefix("caches/").unwrap_or(id);
            COUNTED.iter().any(|c| {
                if c.ends_with('/') {
                    id.starts_with(c)
                } else {
                    id == *c
                }
            })
        })
        .map(String::from)
        .collect();
    let dir = std::env::temp_dir().join(format!("xtask-caches-{}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    let rows = count_all(&bin, &dir, &ids, &simulated);
    let _ = std::fs::remove_dir_all(&dir);
    let results = Results {
        stamp: stamp.clone(),
        valgrind,
        levels,
        simulated,
        calls: CALLS,
        rows: rows?,
    };
    super::write_results(repo, NAME, &results)?;
    rerender(repo)
}

/// Every (case, simulation, baseline or not) run, two at a time: valgrind runs one thread of
/// the program on one core, and its counts do not depend on what else the machine does.
fn count_all(
    bin: &Path,
    dir: &Path,
    ids: &[String],
    simulated: &[String],
) -> Result<Vec<Row>> {
    let jobs: Vec<Job> = (0..ids.len())
        .flat_map(|i| {
            (0..simulated.len()).flat_map(move |s| [(i, s, true), (i, s, false)])
        })
        .collect();
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(Job, Result<Counted>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some(&job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (i, s, baseline) = job;
                    let out = dir.join(format!("{i}-{s}-{baseline}.out"));
                    let result = cachegrind(bin, &out, &ids[i], &simulated[s], baseline);
                    if !baseline {
                        println!("counted {} ({})", ids[i], simulated[s]);
                    }
                    done.lock().expect("no worker panics").push((job, result));
                }
            });
        }
    });
    let mut done = done.into_inner().expect("no worker panics");
    done.sort_by_key(|(job, _)| *job);
    let mut totals = std::collections::HashMap::new();
    let mut elements = std::collections::HashMap::new();
    for (job, result) in done {
        let (t, e) = result?;
        totals.insert(job, t);
        elements.insert(job.0, e);
    }
    let per_call = |a: u64, b: u64| a.saturating_sub(b) as f64 / CALLS as f64;
    Ok(ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (l2, l2_base) = (totals[&(i, 0, false)], totals[&(i, 0, true)]);
            let (l3, l3_base) = (totals[&(i, 1, false)], totals[&(i, 1, true)]);
            Row {
                id: id.clone(),
                elements: elements[&i],
                instructions: per_call(l2.ir, l2_base.ir),
                l1d_misses: per_call(l2.d1, l2_base.d1),
                l2_misses: per_call(l2.dl, l2_base.dl),
                l3_misses: per_call(l3.dl, l3_base.dl),
            }
        })
        .collect())
}

/// (case index, simulation index, baseline run).
type Job = (usize, usize, bool);
/// A run's totals and the elements per call its case declares.
type Counted = (Totals, Option<u64>);

fn cachegrind(
    bin: &Path,
    out: &Path,
    id: &str,
    simulated: &str,
    baseline: bool,
) -> Result<Counted> {
    let mut command = Command::new("valgrind");
    command
        .args(["--tool=cachegrind", "--cache-sim=yes"])
        .args(simulated.split_whitespace())
        .arg(format!("--cachegrind-out-file={}", out.display()))
        .arg(bin)
        // The same length of command line in both runs: `0` or one digit.
        .args([id, if baseline { "0" } else { CALLS_ARG }]);
    let ran = output(&mut command, &format!("cachegrind on {id}"))?;
    let printed = String::from_utf8_lossy(&ran.stdout);
    let elements = printed
        .lines()
        .find_map(|l| l.strip_prefix("elements "))
        .and_then(|n| n.trim().parse().ok());
    Ok((totals(&read(out)?)?, elements))
}

/// The `summary:` line of a cachegrind output file, by the names of its `events:` line.
fn totals(file: &str) -> Result<Totals> {
    let line = |prefix: &str| {
        file.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .ok_or_else(|| fail(format!("cachegrind output has no {prefix:?} line")))
    };
    let events: Vec<&str> = line("events:")?.split_whitespace().collect();
    let values: Vec<u64> = line("summary:")?
        .split_whitespace()
        .map(|v| {
            v.parse()
                .map_err(|_| fail(format!("cachegrind summary value {v:?}")))
        })
        .collect::<Result<_>>()?;
    let get = |name: &str| {
        events
            .iter()
            .position(|e| *e == name)
            .and_then(|i| values.get(i).copied())
            .ok_or_else(|| {
                fail(format!(
                    "cachegrind output has no {name} count (was --cache-sim=yes given?)"
                ))
            })
    };
    Ok(Totals {
        ir: get("Ir")?,
        d1: get("D1mr")? + get("D1mw")?,
        dl: get("DLmr")? + get("DLmw")?,
    })
}

/// Three significant digits, without exponent: `1.00`, `0.0625`, `16.8 M`.
fn count_text(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    if x >= 1e6 {
        return format!("{:.1} M", x / 1e6);
    }
    if x >= 1e4 {
        return format!("{:.0} k", x / 1e3);
    }
    crate::render::significant(x, 3)
}

fn render(r: &Results) -> String {
    let mut text = String::new();
    let mut hierarchy = String::from(
        "| cache | size | ways | line | shared by CPUs |\n| :-- | --: | --: | --: | :-- |\n",
    );
    for l in &r.levels {
        hierarchy.push_str(&format!(
            "| {} ({}) | {} | {} | {} B | {} |\n",
            l.name(),
            l.kind.to_lowercase(),
            kib_text(l.size_bytes),
            l.ways,
            l.line_bytes,
            l.shared_cpus
        ));
    }
    text.push_str(&anchored("hierarchy", &hierarchy, &r.stamp));
    let mut groups: Vec<&str> = Vec::new();
    for row in &r.rows {
        let group = row.id.split('/').nth(1).unwrap_or_default();
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    for group in groups {
        let mut table = String::from(
            "| case | per | instructions | L1d misses | L2 misses | L3 misses |\n\
             | :-- | :-- | --: | --: | --: | --: |\n",
        );
        for row in r
            .rows
            .iter()
            .filter(|row| row.id.split('/').nth(1) == Some(group))
        {
            let name = row.id.splitn(3, '/').nth(2).unwrap_or(&row.id);
            let (per, n) = match row.elements {
                Some(n) if n > 0 => ("element", n as f64),
                _ => ("call", 1.0),
            };
            table.push_str(&format!(
                "| `{name}` | {per} | {} | {} | {} | {} |\n",
                count_text(row.instructions / n),
                count_text(row.l1d_misses / n),
                count_text(row.l2_misses / n),
                count_text(row.l3_misses / n)
            ));
        }
        table.push_str(&format!(
            "\n*Counted with {}'s cachegrind, which simulates this machine's L1 caches and one \
             last level: once with the L2's geometry, once with the L3's (the table above). \
             Data reads and writes that miss; over {} calls after a warm-up call, the setup \
             subtracted.*\n",
            crate::render::escape(&r.valgrind),
            r.calls
        ));
        text.push_str(&anchored(group, &table, &r.stamp));
    }
    text
}

/// `16KiB` → 16384, `1MiB` → 1048576 (`workshop::caches::size_label`).
fn label_bytes(label: &str) -> Option<f64> {
    let (digits, unit) = if let Some(d) = label.strip_suffix("KiB") {
        (d, 1024.0)
    } else {
        (label.strip_suffix("MiB")?, 1024.0 * 1024.0)
    };
    Some(digits.parse::<f64>().ok()? * unit)
}

/// Renders the counts' tables again from `results/figures/caches.json`, and draws the latency
/// curve from `results/caches.json` (the bench's `latency` group); each only once its run has
/// been made.
pub fn rerender(repo: &Repo) -> Result {
    // The counts' tables, from the last counting run (the text of the tables may have changed).
    let counts = repo.root.join(format!("results/figures/{NAME}.json"));
    if counts.exists() {
        let results: Results = serde_json::from_str(&read(&counts)?)
            .map_err(|e| fail(format!("{}: {e}", repo.show(&counts))))?;
        write_generated(repo, NAME, &render(&results))?;
    }
    let path = repo.root.join("results/caches.json");
    if !path.exists() {
        return Ok(());
    }
    let results: BenchResults = serde_json::from_str(&read(&path)?)
        .map_err(|e| fail(format!("{}: {e}", repo.show(&path))))?;
    let Some(group) = results.groups.iter().find(|g| g.name == "latency") else {
        return Ok(());
    };
    let mut series: Vec<Series> = Vec::new();
    for case in &group.cases {
        let (Some(param), Some(time), Some(Throughput::Elements(steps))) =
            (&case.param, case.time_ns, case.throughput)
        else {
            continue;
        };
        let Some(bytes) = label_bytes(param) else {
            continue;
        };
        let point = (bytes, time.estimate / steps as f64);
        match series.iter_mut().find(|s| s.label == case.case) {
            Some(s) => s.points.push(point),
            None => series.push(Series {
                label: case.case.clone(),
                points: vec![point],
            }),
        }
    }
    for s in &mut series {
        s.label = match s.label.as_str() {
            "random" => "random order (every load waits for the one before)".into(),
            "sequential" => "address order (the same loads, prefetched)".into(),
            other => other.into(),
        };
    }
    let markers = results
        .machine
        .caches
        .iter()
        .flatten()
        .filter(|l| l.kind != "Instruction")
        .map(|l| {
            (
                l.size_bytes as f64,
                format!("{} {}", l.name(), kib_text(l.size_bytes)),
            )
        })
        .collect();
    let x_ticks = (14..=28)
        .step_by(2)
        .map(|p| {
            let bytes = 1u64 << p;
            (bytes as f64, kib_text(bytes).replace(' ', "\u{a0}"))
        })
        .collect();
    let y_ticks = [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
        .into_iter()
        .filter(|&y| {
            series
                .iter()
                .flat_map(|s| &s.points)
                .any(|p| p.1 <= y * 2.5 && p.1 >= y / 2.5)
        })
        .map(|y| (y, format!("{y} ns")))
        .collect();
    let chart = LineChart {
        id: "caches-latency".into(),
        title: "Time per load against the size of the data walked".into(),
        desc: "Nanoseconds per load of a chain of dependent loads, one per cache line, over \
               working sets from 16 KiB to 256 MiB, on logarithmic axes, with the sizes of the \
               L1 data cache, the L2 and the L3 marked. In random order the time per load rises \
               as the working set outgrows each cache and the reach of the TLB; in address order \
               it stays low until the working set outgrows the TLB, and far below the random \
               order after that."
            .into(),
        x_axis: "working set (bytes walked, log scale)".into(),
        y_axis: "ns per load (log scale)".into(),
        x_ticks,
        y_ticks,
        markers,
        series,
    };
    write_figure(repo, "caches_latency.svg", &line_chart(&chart))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cachegrind_totals_by_event_name() {
        let file = "desc: I1 cache: 32768 B, 64 B, 8-way associative\n\
                    cmd: counts caches/x 2\n\
                    events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw\n\
                    fl=foo\n\
                    summary: 100 1 1 40 10 5 20 2 1\n";
        let t = totals(file).unwrap();
        assert_eq!((t.ir, t.d1, t.dl), (100, 12, 6));
        assert!(
            totals("events: Ir\nsummary: 5\n").is_err(),
            "no cache events"
        );
    }

    #[test]
    fn counts_print_three_digits() {
        assert_eq!(count_text(1.0), "1.00");
        assert_eq!(count_text(0.0625), "0.0625");
        assert_eq!(count_text(16.78), "16.8");
        assert_eq!(count_text(0.0), "0");
        assert_eq!(count_text(0.9996), "1.00");
        assert_eq!(count_text(0.0000047), "0.00000470");
        assert_eq!(count_text(16_785_000.0), "16.8 M");
    }

    #[test]
    fn size_labels_read_back() {
        assert_eq!(label_bytes("16KiB"), Some(16384.0));
        assert_eq!(label_bytes("256MiB"), Some(268435456.0));
        assert_eq!(label_bytes("16"), None);
    }
}
