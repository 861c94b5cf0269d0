//! The seed's `profiler-labels` shape: five regular expressions compiled in turn, and which
//! one costs most. Profiles the same work two ways with pprof-rs:
//!
//! ```console
//! $ cargo run --release -p workshop --example profile_phases
//! $ cargo run --release -p workshop --example profile_phases -- --compiles 2000 \
//!       --frequency 199 --out target/profiles
//! $ cargo run --release -p workshop --example profile_phases -- \
//!       --blocklist none     # keep the samples that land in libc (malloc, free, memcpy)
//! ```
//!
//! 1. one profile per phase: the patterns one after another, each under its own guard;
//! 2. one profile of all five at once, each on a thread named after its pattern: pprof-rs
//!    labels every sample with its thread's name (the `thread` label of the protobuf,
//!    the root frame of the flamegraph), which is what Go's `pprof.Labels` are for.
//!
//! Writes `<out>/phases.svg` and `<out>/phases.pb` (the second profile) and prints what it
//! counted as one line of JSON. `cargo xtask figures profiling` runs it for the chapter.

use std::path::PathBuf;
use std::process::ExitCode;

use workshop::profiling::{
    BLOCKLIST, BUILDING_A_UTF8_COMPILER, CHOOSING_A_PREFILTER, COMPILING_A_REGEX,
    FREQUENCY, PATTERNS, compile_times, flamegraph_svg, on_named_threads, profile_each,
    profile_with_blocklist, samples_by_thread, samples_under, thread_cpu_seconds,
    write_profile,
};

const USAGE: &str = "usage: profile_phases [--compiles 1..=1000000] [--frequency 1..=1000] \
                     [--out DIR] [--blocklist default|none]";

struct Args {
    compiles: u32,
    frequency: i32,
    out: PathBuf,
    /// The libraries pprof-rs drops samples in: `BLOCKLIST`, or none.
    blocklist: &'static [&'static str],
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        compiles: 3_000,
        frequency: FREQUENCY,
        out: PathBuf::from("target/profiles"),
        blocklist: BLOCKLIST,
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = || format!("{flag}: bad value {value:?}");
        match flag.as_str() {
            "--compiles" => {
                parsed.compiles = value.parse().map_err(|_| bad())?;
                if !(1..=1_000_000).contains(&parsed.compiles) {
                    return Err(bad());
                }
            }
            "--frequency" => {
                parsed.frequency = value.parse().map_err(|_| bad())?;
                if !(1..=1_000).contains(&parsed.frequency) {
                    return Err(bad());
                }
            }
            "--out" => parsed.out = PathBuf::from(value),
            "--blocklist" => {
                parsed.blocklist = match value.as_str() {
                    "default" => BLOCKLIST,
                    "none" => &[],
                    _ => return Err(bad()),
                }
            }
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(parsed)
}

/// One phase's work, returning the CPU seconds its thread spent on it.
fn compile_timed(pattern: &str, compiles: u32) -> f64 {
    let start = thread_cpu_seconds();
    compile_times(pattern, compiles);
    thread_cpu_seconds() - start
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("profile_phases: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let n = args.compiles;

    // 1. One profile per phase.
    let each = profile_each(args.frequency, args.blocklist, &PATTERNS, |(_, pattern)| {
        compile_timed(pattern, n)
    });
    let each = match each {
        Ok(each) => each,
        Err(e) => {
            eprintln!("profile_phases: cannot profile: {e}");
            return ExitCode::FAILURE;
        }
    };

    // 2. One profile, the phases at once on threads named after them.
    let labelled = profile_with_blocklist(args.frequency, args.blocklist, || {
        on_named_threads(
            PATTERNS.map(|(name, pattern)| (name, move || compile_timed(pattern, n))),
        )
    });
    let (cpu_on_threads, report) = match labelled {
        Ok((Ok(cpu), report)) => (cpu, report),
        Ok((Err(e), _)) => {
            eprintln!("profile_phases: cannot start a thread: {e}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            eprintln!("profile_phases: cannot profile: {e}");
            return ExitCode::FAILURE;
        }
    };
    let by_thread = samples_by_thread(&report);

    let svg = args.out.join("phases.svg");
    let pb = args.out.join("phases.pb");
    let written = std::fs::create_dir_all(&args.out)
        .and_then(|()| write_profile(&report, &svg, &pb))
        .and_then(|()| {
            let title = "Five patterns compiled at once, one thread each: CPU samples";
            std::fs::write(&svg, flamegraph_svg(&report, title)?)
        });
    if let Err(e) = written {
        eprintln!("profile_phases: cannot write {}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }

    let phases: Vec<_> = PATTERNS
        .iter()
        .zip(&each)
        .zip(&cpu_on_threads)
        .map(|((&(name, pattern), (cpu, own)), &cpu_on_thread)| {
            let (samples, compiling) = samples_under(own, COMPILING_A_REGEX);
            let (_, utf8) = samples_under(own, BUILDING_A_UTF8_COMPILER);
            let (_, prefilter) = samples_under(own, CHOOSING_A_PREFILTER);
            serde_json::json!({
                "name": name,
                "pattern": pattern,
                "cpu_seconds": cpu,
                "samples": samples,
                "samples_compiling": compiling,
                "samples_utf8_compiler": utf8,
                "samples_prefilter": prefilter,
                "labelled_cpu_seconds": cpu_on_thread,
                "labelled_samples": by_thread.get(name).copied().unwrap_or(0),
            })
        })
        .collect();
    let labelled_samples: u64 = by_thread.values().sum();
    println!(
        "{}",
        serde_json::json!({
            "frequency": args.frequency,
            "compiles": n,
            "phases": phases,
            "labelled_samples_total": labelled_samples,
            "svg": svg,
            "pb": pb,
        })
    );
    ExitCode::SUCCESS
}
