//! `cargo xtask figures tracing`: the merge sort example run with `--trace` for v1, v2, v3
//! and rayon at 1, 2 and 8 threads; each Chrome trace drawn as a timeline, one lane per
//! thread (the Rust counterpart of the seed's GOMAXPROCS screenshots of `go tool trace`).
//! Writes `src/figures/tracing-<version>-<threads>.svg`, `results/figures/tracing.json` and
//! `src/generated/figures/tracing.md` (anchor `timelines`). The traces themselves stay under
//! `target/figures/tracing/` for Perfetto. The chapter is `src/tools/tracing.md`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::svg::{PALETTE, open, text};
use super::{
    Stamp, anchored, build_example, output, write_figure, write_generated, write_results,
};
use crate::{Repo, Result, fail};

/// A moderate input: large enough to split below the cutoff hundreds of times, small
/// enough that a trace holds about 1,500 spans and a few hundred kilobytes.
pub const LEN: usize = 1_000_000;
pub const THREADS: [usize; 3] = [1, 2, 8];
pub const VERSIONS: [&str; 4] = ["v1", "v2", "v3", "rayon"];
/// Spans that are work (sorting a piece, merging), not waiting: what a lane is busy with.
const WORK: [&str; 3] = ["sequential", "subtree", "merge"];

/// One span, paired from its B and E events.
#[derive(Clone, Debug)]
struct Slice {
    name: String,
    /// Microseconds since the trace started.
    start: f64,
    end: f64,
    len: Option<u64>,
}

/// One thread of a trace.
#[derive(Clone, Debug)]
struct Lane {
    name: String,
    slices: Vec<Slice>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LaneSummary {
    pub name: String,
    pub spans: usize,
    /// Time inside work spans (union, so nested spans count once), ms.
    pub busy_ms: f64,
    /// `busy_ms` over the run's window.
    pub busy_share: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceSummary {
    pub version: String,
    pub threads: usize,
    /// Sort time the example reported (with the trace being written).
    pub seconds: f64,
    pub peak_rss_kib: Option<u64>,
    pub trace_bytes: u64,
    pub spans: usize,
    /// Lanes (threads) with at least one span.
    pub threads_used: usize,
    /// The root span `mergesort`, ms.
    pub window_ms: f64,
    /// The last merge (the whole input), ms: a part no second thread can help with.
    pub top_merge_ms: f64,
    pub lanes: Vec<LaneSummary>,
}

#[derive(Serialize, Deserialize)]
struct Results {
    stamp: Stamp,
    len: usize,
    runs: Vec<TraceSummary>,
}

pub fn run(repo: &Repo, stamp: &Stamp) -> Result {
    let built = build_example(repo, "mergesort", &[])?;
    let dir = repo.target_dir()?.join("figures/tracing");
    std::fs::create_dir_all(&dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    // A copy, so that another build of the example cannot replace it between runs.
    let binary = dir.join("mergesort");
    std::fs::copy(&built, &binary)
        .map_err(|e| fail(format!("cannot copy {}: {e}", built.display())))?;

    let mut runs = Vec::new();
    for version in VERSIONS {
        for threads in THREADS {
            let trace = dir.join(format!("{version}-{threads}.json"));
            let line = run_traced(&binary, version, threads, &trace)?;
            let lanes = parse_trace(&super::read(&trace)?)
                .map_err(|e| fail(format!("{}: {e}", trace.display())))?;
            let trace_bytes = std::fs::metadata(&trace).map(|m| m.len()).unwrap_or(0);
            let summary = summarize(version, threads, &line, trace_bytes, &lanes)?;
            println!(
                "  {version:>5} threads={threads}: {:.3} s, {} spans on {} threads, busy {}",
                summary.seconds,
                summary.spans,
                summary.threads_used,
                busy_list(&summary)
            );
            let svg = draw(&summary, &lanes);
            write_figure(repo, &format!("tracing-{version}-{threads}.svg"), &svg)?;
            runs.push(summary);
        }
    }
    write_results(
        repo,
        "tracing",
        &Results {
            stamp: stamp.clone(),
            len: LEN,
            runs: runs.clone(),
        },
    )?;
    write_generated(repo, "tracing", &table(&runs, stamp))
}

/// Runs the example with `--trace` and `--json`; returns its JSON line.
fn run_traced(
    binary: &Path,
    version: &str,
    threads: usize,
    trace: &PathBuf,
) -> Result<Value> {
    let mut command = Command::new(binary);
    command
        .args([
            version,
            "--len",
            &LEN.to_string(),
            "--threads",
            &threads.to_string(),
        ])
        .arg("--trace")
        .arg(trace)
        .arg("--json")
        .env_remove("RAYON_NUM_THREADS");
    let what = format!("mergesort {version} --threads {threads} --trace");
    let out = output(&mut command, &what)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with('{'))
        .ok_or_else(|| fail(format!("{what} printed no JSON line: {stdout}")))?;
    serde_json::from_str(line).map_err(|e| fail(format!("{what}: {line:?}: {e}")))
}

/// Pairs tracing-chrome's B/E events per thread (they carry no durations) into slices,
/// one lane per thread, named by its `thread_name` metadata event.
fn parse_trace(json: &str) -> std::result::Result<Vec<Lane>, String> {
    let events: Vec<Value> = serde_json::from_str(json)
        .map_err(|e| format!("not a JSON array of events: {e}"))?;
    let mut names: BTreeMap<u64, String> = BTreeMap::new();
    let mut open: BTreeMap<u64, Vec<Slice>> = BTreeMap::new();
    let mut done: BTreeMap<u64, Vec<Slice>> = BTreeMap::new();
    for event in &events {
        let tid = event["tid"].as_u64().ok_or("an event without a tid")?;
        let name = event["name"].as_str().unwrap_or_default().to_string();
        match event["ph"].as_str() {
            Some("M") => {
                let thread = event["args"]["name"].as_str().unwrap_or_default();
                names.insert(tid, thread.to_string());
            }
            Some("B") => {
                let ts = event["ts"].as_f64().ok_or("a B event without ts")?;
                // Fields are recorded as their Debug text: "1000000".
                let len = event["args"]["len"]
                    .as_str()
                    .and_then(|s| s.trim_matches('"').parse().ok());
                open.entry(tid).or_default().push(Slice {
                    name,
                    start: ts,
                    end: ts,
                    len,
                });
            }
            Some("E") => {
                let ts = event["ts"].as_f64().ok_or("an E event without ts")?;
                let mut slice =
                    open.get_mut(&tid).and_then(Vec::pop).ok_or_else(|| {
                        format!("an E event for {name} with no B on tid {tid}")
                    })?;
                if slice.name != name {
                    return Err(format!("E {name} closes B {} on tid {tid}", slice.name));
                }
                slice.end = ts;
                done.entry(tid).or_default().push(slice);
            }
            _ => {}
        }
    }
    if let Some((tid, stack)) = open.iter().find(|(_, s)| !s.is_empty()) {
        return Err(format!("{} spans never closed on tid {tid}", stack.len()));
    }
    Ok(done
        .into_iter()
        .map(|(tid, mut slices)| {
            slices.sort_by(|a, b| a.start.total_cmp(&b.start));
            Lane {
                name: names
                    .remove(&tid)
                    .unwrap_or_else(|| format!("thread {tid}")),
                slices,
            }
        })
        .collect())
}

/// The run's window: the root span `mergesort` (opened by the example around the sort).
fn window(lanes: &[Lane]) -> (f64, f64) {
    let all = || lanes.iter().flat_map(|l| &l.slices);
    all()
        .find(|s| s.name == "mergesort")
        .map(|s| (s.start, s.end))
        .unwrap_or_else(|| {
            let start = all().map(|s| s.start).fold(f64::INFINITY, f64::min);
            let end = all().map(|s| s.end).fold(0.0, f64::max);
            (start, end)
        })
}

/// Total length of the union of the lane's work slices, in µs.
fn busy_us(lane: &Lane) -> f64 {
    let mut work: Vec<(f64, f64)> = lane
        .slices
        .iter()
        .filter(|s| WORK.contains(&s.name.as_str()))
        .map(|s| (s.start, s.end))
        .collect();
    work.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut total, mut reach) = (0.0, f64::NEG_INFINITY);
    for (start, end) in work {
        let start = start.max(reach);
        if end > start {
            total += end - start;
        }
        reach = reach.max(end);
    }
    total
}

/// Lanes in worker order (`rayon-worker-0`, `-1`, …), with an empty lane for each worker
/// that never opened a span.
fn ordered_lanes(threads: usize, lanes: &[Lane]) -> Vec<Lane> {
    let mut out: Vec<Lane> = (0..threads)
        .map(|i| {
            let name = format!("rayon-worker-{i}");
            lanes
                .iter()
                .find(|l| l.name == name)
                .cloned()
                .unwrap_or(Lane {
                    name,
                    slices: Vec::new(),
                })
        })
        .collect();
    out.extend(
        lanes
            .iter()
            .filter(|l| !l.name.starts_with("rayon-worker-"))
            .cloned(),
    );
    out
}

fn summarize(
    version: &str,
    threads: usize,
    line: &Value,
    trace_bytes: u64,
    lanes: &[Lane],
) -> Result<TraceSummary> {
    let seconds = line["seconds"]
        .as_f64()
        .ok_or_else(|| fail(format!("no seconds in {line}")))?;
    let (start, end) = window(lanes);
    let window_us = (end - start).max(1.0);
    let lanes = ordered_lanes(threads, lanes);
    let top_merge_ms = lanes
        .iter()
        .flat_map(|l| &l.slices)
        .filter(|s| s.name == "merge" && s.len == Some(LEN as u64))
        .map(|s| (s.end - s.start) / 1000.0)
        .next()
        .unwrap_or(0.0);
    let lane_summaries: Vec<LaneSummary> = lanes
        .iter()
        .map(|l| {
            let busy = busy_us(l);
            LaneSummary {
                name: l.name.clone(),
                spans: l.slices.len(),
                busy_ms: busy / 1000.0,
                busy_share: busy / window_us,
            }
        })
        .collect();
    Ok(TraceSummary {
        version: version.to_string(),
        threads,
        seconds,
        peak_rss_kib: line["peak_rss_kib"].as_u64(),
        trace_bytes,
        spans: lanes.iter().map(|l| l.slices.len()).sum(),
        threads_used: lanes.iter().filter(|l| !l.slices.is_empty()).count(),
        window_ms: window_us / 1000.0,
        top_merge_ms,
        lanes: lane_summaries,
    })
}

fn busy_list(s: &TraceSummary) -> String {
    s.lanes
        .iter()
        .map(|l| format!("{:.0}%", l.busy_share * 100.0))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn table(runs: &[TraceSummary], stamp: &Stamp) -> String {
    let mut t = String::from(
        "| version | threads | sort time (traced) | spans | threads with spans | busy share per \
         thread | last merge alone |\n| :-- | --: | --: | --: | --: | :-- | --: |\n",
    );
    for r in runs {
        t.push_str(&format!(
            "| `{}` | {} | {:.0} ms | {} | {} | {} | {:.0}% |\n",
            r.version,
            r.threads,
            r.seconds * 1000.0,
            r.spans,
            r.threads_used,
            busy_list(r),
            100.0 * r.top_merge_ms / r.window_ms.max(f64::MIN_POSITIVE)
        ));
    }
    t.push_str(&format!(
        "\n{} numbers per run, one run per row. *Busy*: time inside a `sequential`, `subtree` or \
         `merge` span over the time of the whole sort; *last merge alone*: the final merge of \
         the whole input over the same time.\n",
        fmt_thousands(LEN)
    ));
    format!(
        "<!-- Generated by `cargo xtask figures tracing` from results/figures/tracing.json. Do \
         not edit. -->\n\n{}",
        anchored("timelines", &t, stamp)
    )
}

fn fmt_thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A tick step of 1, 2 or 5 × 10^k giving about six ticks over `span` (ms).
fn tick_step(span: f64) -> f64 {
    let raw = span / 6.0;
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= raw)
        .unwrap_or(10.0 * power)
}

/// The timeline: one lane per thread, work spans as filled bars (pieces below the cutoff in
/// one colour, merges in another), gaps are time the thread spent in no work span.
fn draw(summary: &TraceSummary, lanes: &[Lane]) -> String {
    const WIDTH: f64 = 680.0;
    const LABEL: f64 = 120.0;
    const RIGHT: f64 = 48.0;
    const LANE: f64 = 18.0;
    const GAP: f64 = 6.0;
    const TOP: f64 = 40.0;
    let plot = WIDTH - LABEL - RIGHT;
    let (start, end) = window(lanes);
    let window_us = (end - start).max(1.0);
    let x = |ts: f64| LABEL + (ts - start).clamp(0.0, window_us) / window_us * plot;
    let lanes = ordered_lanes(summary.threads, lanes);
    let id = format!("tracing-{}-{}", summary.version, summary.threads);
    let title = format!(
        "Trace of merge sort {} on {} thread{}",
        summary.version,
        summary.threads,
        if summary.threads == 1 { "" } else { "s" }
    );
    let desc = format!(
        "Timeline drawn from a tracing-chrome trace: one lane per rayon worker thread, time \
         from left to right over the whole sort ({:.0} ms). Blue bars are pieces sorted below \
         the cutoff, orange bars are merges above it, empty stretches are time a thread spent \
         outside any work span. Busy share per thread: {}.",
        summary.window_ms,
        summary
            .lanes
            .iter()
            .map(|l| format!("{} {:.0}%", l.name, l.busy_share * 100.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let height = TOP + lanes.len() as f64 * (LANE + GAP) + 44.0;
    let mut svg = open(&id, WIDTH, height, &title, &desc);
    svg.push_str(&format!(
        "<text x=\"0\" y=\"14\" font-weight=\"bold\">{} — {} thread{}, {} numbers</text>\n",
        text(&summary.version),
        summary.threads,
        if summary.threads == 1 { "" } else { "s" },
        fmt_thousands(LEN)
    ));
    // Legend.
    let legend = [
        (PALETTE[0], "piece below the cutoff (sequential / subtree)"),
        (PALETTE[1], "merge above the cutoff"),
    ];
    let mut lx = LABEL;
    for (colour, label) in legend {
        svg.push_str(&format!(
            "<rect x=\"{lx}\" y=\"22\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\n<text \
             x=\"{}\" y=\"31\" font-size=\"11\">{}</text>\n",
            lx + 14.0,
            text(label)
        ));
        lx += 14.0 + 6.5 * label.len() as f64 + 16.0;
    }
    svg.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">busy</text>\n",
        WIDTH,
        TOP - 2.0
    ));
    for (i, (lane, lane_summary)) in lanes.iter().zip(&summary.lanes).enumerate() {
        let y = TOP + i as f64 * (LANE + GAP);
        let short = lane.name.replace("rayon-worker-", "worker ");
        svg.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n<rect x=\"{LABEL}\" \
             y=\"{y}\" width=\"{plot}\" height=\"{LANE}\" fill=\"currentColor\" \
             fill-opacity=\"0.08\"/>\n",
            LABEL - 6.0,
            y + LANE - 5.0,
            text(&short)
        ));
        // Pieces first, merges on top; neighbours closer than half a pixel become one bar.
        for (kind, colour) in [
            (&["sequential", "subtree"][..], PALETTE[0]),
            (&["merge"][..], PALETTE[1]),
        ] {
            let mut bars: Vec<(f64, f64)> = Vec::new();
            for s in lane
                .slices
                .iter()
                .filter(|s| kind.contains(&s.name.as_str()))
            {
                let (x0, x1) = (x(s.start), x(s.end));
                match bars.last_mut() {
                    Some(last) if x0 <= last.1 + 0.5 => last.1 = last.1.max(x1),
                    _ => bars.push((x0, x1)),
                }
            }
            for (x0, x1) in bars {
                svg.push_str(&format!(
                    "<rect x=\"{x0:.1}\" y=\"{y}\" width=\"{:.1}\" height=\"{LANE}\" \
                     fill=\"{colour}\"/>\n",
                    (x1 - x0).max(0.6)
                ));
            }
        }
        svg.push_str(&format!(
            "<text x=\"{WIDTH}\" y=\"{}\" text-anchor=\"end\">{:.0}%</text>\n",
            y + LANE - 5.0,
            lane_summary.busy_share * 100.0
        ));
    }
    // Time axis, in ms.
    let axis_y = TOP + lanes.len() as f64 * (LANE + GAP) + 2.0;
    svg.push_str(&format!(
        "<line x1=\"{LABEL}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"currentColor\"/>\n",
        LABEL + plot
    ));
    let step = tick_step(summary.window_ms);
    let mut t = 0.0;
    while t <= summary.window_ms + 1e-9 {
        let tx = LABEL + t / summary.window_ms.max(f64::MIN_POSITIVE) * plot;
        svg.push_str(&format!(
            "<line x1=\"{tx:.1}\" y1=\"{axis_y}\" x2=\"{tx:.1}\" y2=\"{}\" \
             stroke=\"currentColor\"/>\n<text x=\"{tx:.1}\" y=\"{}\" text-anchor=\"middle\" \
             font-size=\"11\">{}</text>\n",
            axis_y + 4.0,
            axis_y + 16.0,
            format_ms(t)
        ));
        t += step;
    }
    svg.push_str(&format!(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" opacity=\"0.8\">time \
         since the sort started (ms)</text>\n</svg>\n",
        LABEL + plot / 2.0,
        axis_y + 32.0
    ));
    svg
}

fn format_ms(t: f64) -> String {
    if t.fract().abs() < 1e-9 {
        format!("{t:.0}")
    } else {
        format!("{t:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = r#"[
{"args":{"name":"rayon-worker-1"},"name":"thread_name","ph":"M","pid":1,"tid":0},
{"args":{"version":"\"v3\""},"name":"mergesort","ph":"B","pid":1,"tid":0,"ts":10.0},
{"args":{"len":"2000"},"name":"sequential","ph":"B","pid":1,"tid":0,"ts":10.0},
{"args":{"name":"rayon-worker-0"},"name":"thread_name","ph":"M","pid":1,"tid":1},
{"args":{"len":"2000"},"name":"sequential","ph":"B","pid":1,"tid":1,"ts":20.0},
{"args":{"len":"2000"},"name":"sequential","ph":"E","pid":1,"tid":0,"ts":50.0},
{"args":{"len":"2000"},"name":"sequential","ph":"E","pid":1,"tid":1,"ts":60.0},
{"args":{"len":"1000000"},"name":"merge","ph":"B","pid":1,"tid":0,"ts":60.0},
{"args":{"len":"1000000"},"name":"merge","ph":"E","pid":1,"tid":0,"ts":110.0},
{"args":{"version":"\"v3\""},"name":"mergesort","ph":"E","pid":1,"tid":0,"ts":110.0}
]"#;

    #[test]
    fn pairs_begin_and_end_per_thread_and_measures_busy_share() {
        let lanes = parse_trace(TRACE).unwrap();
        assert_eq!(lanes.len(), 2);
        let line: Value = serde_json::json!({"seconds": 0.0001, "peak_rss_kib": 10});
        let s = summarize("v3", 2, &line, 100, &lanes).unwrap();
        assert_eq!(s.spans, 4);
        assert_eq!(s.threads_used, 2);
        assert_eq!(s.lanes[0].name, "rayon-worker-0");
        assert!((s.window_ms - 0.1).abs() < 1e-9);
        // worker 1: 40 µs sorting + 50 µs merging of 100; worker 0: 40 of 100.
        assert!((s.lanes[1].busy_share - 0.9).abs() < 1e-9);
        assert!((s.lanes[0].busy_share - 0.4).abs() < 1e-9);
        assert!((s.top_merge_ms - 0.05).abs() < 1e-9);
        let svg = draw(&s, &lanes);
        assert!(svg.contains("<title") && svg.contains("<desc"));
        assert!(!svg.contains("\n\n"));
    }

    #[test]
    fn rejects_unbalanced_traces() {
        let bad = r#"[{"name":"merge","ph":"E","pid":1,"tid":0,"ts":1.0}]"#;
        assert!(parse_trace(bad).is_err());
        let open = r#"[{"name":"merge","ph":"B","pid":1,"tid":0,"ts":1.0}]"#;
        assert!(parse_trace(open).is_err());
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(120.0), 20.0);
        assert_eq!(tick_step(600.0), 100.0);
        assert_eq!(fmt_thousands(1_000_000), "1,000,000");
    }
}
