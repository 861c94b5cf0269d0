//! `cargo xtask figures profiling`: the Profiling chapter's flamegraphs and the numbers behind
//! its claims. Runs `examples/profile_is_gopher.rs` (pprof-rs in-process) for each version of
//! the seed's `isGopher`, keeps the two flamegraphs, counts the samples under regular
//! expression compilation, and measures how many samples a second pprof-rs delivers when asked
//! for 99, 199 and 1000.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{
    Stamp, anchored, build_example, output, read, write_figure, write_generated,
    write_results,
};
use crate::{Repo, Result, fail};

const EXAMPLE: &str = "profile_is_gopher";
/// The seed's `profiler-labels` shape: five patterns, a profile per phase and one labelled
/// profile (`examples/profile_phases.rs`).
const PHASES_EXAMPLE: &str = "profile_phases";
/// Compiles per pattern: about a second of CPU for the costlier patterns at this rate.
const PHASE_COMPILES: u32 = 20_000;

/// The sampling rate of the flamegraphs: 199 a second is within what pprof-rs delivers here.
const FREQUENCY: u32 = 199;
const SECONDS: u32 = 3;

/// Rates asked for in the sampling-rate table; 1000 is what people try first.
const RATES: [u32; 3] = [99, 199, 1000];
const RATE_SECONDS: u32 = 2;

/// One run of the example, as it prints it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Run {
    pub variant: String,
    pub frequency: u32,
    pub seconds: f64,
    pub cpu_seconds: f64,
    pub calls: u64,
    pub samples: u64,
    pub samples_compiling: u64,
    pub samples_creating_cache: u64,
    /// What "under compilation" means: a frame whose name contains one of these
    /// (`workshop::profiling::COMPILING_A_REGEX`).
    pub compiling_frames: Vec<String>,
}

impl Run {
    fn share(&self, part: u64) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            part as f64 / self.samples as f64
        }
    }

    fn samples_per_cpu_second(&self) -> f64 {
        if self.cpu_seconds > 0.0 {
            self.samples as f64 / self.cpu_seconds
        } else {
            0.0
        }
    }
}

/// One pattern of the phases run, as `profile_phases` prints it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Phase {
    pub name: String,
    pub pattern: String,
    /// Its own phase: CPU seconds, samples of its own profile, and those under two frames.
    pub cpu_seconds: f64,
    pub samples: u64,
    pub samples_compiling: u64,
    pub samples_utf8_compiler: u64,
    pub samples_prefilter: u64,
    /// The five at once on threads named after them, in one profile.
    pub labelled_cpu_seconds: f64,
    pub labelled_samples: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Phases {
    pub frequency: u32,
    pub compiles: u32,
    pub phases: Vec<Phase>,
    pub labelled_samples_total: u64,
}

#[derive(Serialize, Deserialize)]
struct Results {
    stamp: Stamp,
    /// The two flamegraphs' runs.
    is_gopher: Vec<Run>,
    /// The same loop (compiled_once) at each asked-for rate.
    sampling_rate: Vec<Run>,
    /// The seed's five patterns: a profile per phase, and one labelled by thread.
    phases: Phases,
}

fn run_example(
    binary: &Path,
    variant: &str,
    frequency: u32,
    seconds: u32,
    out: &Path,
) -> Result<Run> {
    let mut command = std::process::Command::new(binary);
    command.args([
        variant,
        "--frequency",
        &frequency.to_string(),
        "--seconds",
        &seconds.to_string(),
        "--out",
    ]);
    command.arg(out);
    let out = output(&mut command, &format!("{EXAMPLE} {variant}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let run: Run = serde_json::from_str(text.trim())
        .map_err(|e| fail(format!("{EXAMPLE} printed {text:?}: {e}")))?;
    println!(
        "{variant} at {frequency} Hz: {} calls, {} samples ({} under Regex::new) in {:.2} s \
         of CPU",
        run.calls, run.samples, run.samples_compiling, run.cpu_seconds
    );
    Ok(run)
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

pub fn run(repo: &Repo, stamp: &Stamp) -> Result {
    let binary = build_example(repo, EXAMPLE, &[])?;
    let out = repo.target_dir()?.join("profiling-figures");

    let mut is_gopher = Vec::new();
    for variant in ["compile_per_call", "compiled_once"] {
        let run = run_example(&binary, variant, FREQUENCY, SECONDS, &out)?;
        let svg = read(&out.join(format!("{variant}.svg")))?;
        if !svg.contains("<svg") {
            return Err(fail(format!("{variant}.svg is not an SVG (no samples?)")));
        }
        write_figure(
            repo,
            &format!("profiling-{}.svg", variant.replace('_', "-")),
            &svg,
        )?;
        is_gopher.push(run);
    }
    let rate_dir = out.join("rates");
    let mut sampling_rate = Vec::new();
    for frequency in RATES {
        sampling_rate.push(run_example(
            &binary,
            "compiled_once",
            frequency,
            RATE_SECONDS,
            &rate_dir,
        )?);
    }

    let phases = run_phases(repo, &out)?;

    let mut md = String::from(
        "<!-- Generated by `cargo xtask figures profiling` from results/figures/profiling.json. Do \
         not edit. -->\n\n### `is_gopher_profile`\n\n",
    );
    let mut table = String::from(
        "| version | calls per CPU second | samples | under `Regex::new` | under the first \
         search's cache setup | elsewhere |\n| :-- | --: | --: | --: | --: | --: |\n",
    );
    for r in &is_gopher {
        let rest = r
            .samples
            .saturating_sub(r.samples_compiling + r.samples_creating_cache);
        let _ = writeln!(
            table,
            "| `{}` | {:.0} | {} | {} ({}) | {} ({}) | {} ({}) |",
            r.variant,
            r.calls as f64 / r.cpu_seconds.max(1e-9),
            r.samples,
            r.samples_compiling,
            percent(r.share(r.samples_compiling)),
            r.samples_creating_cache,
            percent(r.share(r.samples_creating_cache)),
            rest,
            percent(r.share(rest)),
        );
    }
    let _ = write!(
        table,
        "\n*{SECONDS} s of the loop over four addresses per version, sampled {FREQUENCY} times \
         a second of CPU time.*"
    );
    md.push_str(&anchored("is_gopher_profile", &table, stamp));

    md.push_str("\n### `sampling_rate`\n\n");
    let mut table = String::from(
        "| asked for (Hz) | samples | CPU seconds | samples per CPU second | CPU seconds the \
         profile reports |\n| --: | --: | --: | --: | --: |\n",
    );
    for r in &sampling_rate {
        let _ = writeln!(
            table,
            "| {} | {} | {:.2} | {:.0} | {:.2} |",
            r.frequency,
            r.samples,
            r.cpu_seconds,
            r.samples_per_cpu_second(),
            r.samples as f64 / r.frequency as f64,
        );
    }
    let _ = write!(
        table,
        "\n*The `compiled_once` loop for {RATE_SECONDS} s at each rate. A profile counts \
         every sample as 1/frequency of a second, so where fewer samples arrive than asked \
         for, the CPU time it reports falls short of the CPU time used.*"
    );
    md.push_str(&anchored("sampling_rate", &table, stamp));
    md.push_str("\n### `phases`\n\n");
    md.push_str(&anchored("phases", &phases_table(&phases), stamp));
    write_generated(repo, "profiling", &md)?;

    write_results(
        repo,
        "profiling",
        &Results {
            stamp: stamp.clone(),
            is_gopher,
            sampling_rate,
            phases,
        },
    )
}

fn run_phases(repo: &Repo, out: &Path) -> Result<Phases> {
    let binary = build_example(repo, PHASES_EXAMPLE, &[])?;
    let dir = out.join("phases");
    let mut command = std::process::Command::new(binary);
    command.args([
        "--compiles",
        &PHASE_COMPILES.to_string(),
        "--frequency",
        &FREQUENCY.to_string(),
        "--out",
    ]);
    command.arg(&dir);
    let output = output(&mut command, PHASES_EXAMPLE)?;
    let text = String::from_utf8_lossy(&output.stdout);
    let phases: Phases = serde_json::from_str(text.trim())
        .map_err(|e| fail(format!("{PHASES_EXAMPLE} printed {text:?}: {e}")))?;
    let svg = read(&dir.join("phases.svg"))?;
    if !svg.contains("<svg") {
        return Err(fail("phases.svg is not an SVG (no samples?)"));
    }
    write_figure(repo, "profiling-phases.svg", &svg)?;
    for p in &phases.phases {
        println!(
            "{}: {:.2} s of CPU, {} samples; labelled: {:.2} s, {} samples",
            p.name, p.cpu_seconds, p.samples, p.labelled_cpu_seconds, p.labelled_samples
        );
    }
    Ok(phases)
}

fn phases_table(phases: &Phases) -> String {
    let cpu: f64 = phases.phases.iter().map(|p| p.cpu_seconds).sum();
    let samples: u64 = phases.phases.iter().map(|p| p.samples).sum();
    let labelled_cpu: f64 = phases.phases.iter().map(|p| p.labelled_cpu_seconds).sum();
    let labelled = phases.labelled_samples_total.max(1) as f64;
    let share = |part: u64, all: u64| percent(part as f64 / all.max(1) as f64);
    let mut table = String::from(
        "| pattern | CPU µs per compile | samples | % of samples | % of CPU | in \
         `Utf8Compiler` | in `prefilter` | labelled: % of samples | labelled: % of CPU |\n\
         | :-- | --: | --: | --: | --: | --: | --: | --: | --: |\n",
    );
    for p in &phases.phases {
        let _ = writeln!(
            table,
            "| `{}` (`{}`) | {:.1} | {} | {} | {} | {} ({}) | {} ({}) | {} | {} |",
            p.pattern.replace('|', "\\|"),
            p.name,
            p.cpu_seconds * 1e6 / f64::from(phases.compiles),
            p.samples,
            share(p.samples, samples),
            percent(p.cpu_seconds / cpu),
            p.samples_utf8_compiler,
            share(p.samples_utf8_compiler, p.samples),
            p.samples_prefilter,
            share(p.samples_prefilter, p.samples),
            percent(p.labelled_samples as f64 / labelled),
            percent(p.labelled_cpu_seconds / labelled_cpu),
        );
    }
    let _ = write!(
        table,
        "\n*{} compiles of each pattern, sampled {} times a second of CPU time. The first \
         columns come from the patterns' own profiles, one after another, each under its own \
         `ProfilerGuard`; `in Utf8Compiler` and `in prefilter` count the samples of that profile \
         under `Utf8Compiler::new` and `prefilter::Choice::new`. Labelled: the five \
         at once, each on a thread named after it, in one profile of {} samples for {:.2} s of \
         CPU ({:.0} samples per CPU second). CPU time is each thread's own, from \
         `/proc/thread-self/schedstat`.*",
        phases.compiles,
        phases.frequency,
        phases.labelled_samples_total,
        labelled_cpu,
        labelled / labelled_cpu.max(1e-9),
    );
    table
}
