//! Profiles one version of the seed's `isGopher` with pprof-rs:
//!
//! ```console
//! $ cargo run --release -p workshop --example profile_is_gopher -- compile_per_call
//! $ cargo run --release -p workshop --example profile_is_gopher -- compiled_once \
//!       --seconds 3 --frequency 199 --out target/profiles
//! $ cargo run --release -p workshop --example profile_is_gopher -- compiled_once \
//!       --blocklist none     # keep the samples that land in libc and the vDSO
//! ```
//!
//! It checks e-mail addresses in a loop for `--seconds`, sampling `--frequency` times a
//! second, writes `<out>/<version>.svg` (flamegraph) and `<out>/<version>.pb` (pprof
//! protobuf: `pprof -http=: <file>`), and prints what it counted as one line of JSON.
//! `cargo xtask figures profiling` runs it for the chapter's figures.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use workshop::profiling::{
    BLOCKLIST, COMPILING_A_REGEX, CREATING_A_SEARCH_CACHE, FREQUENCY, Variant,
    check_emails_for, flamegraph_svg, profile_with_blocklist, samples_under,
    thread_cpu_seconds, write_profile,
};

const USAGE: &str = "usage: profile_is_gopher compile_per_call|compiled_once \
                     [--seconds 1..=60] [--frequency 1..=10000] [--out DIR] \
                     [--blocklist default|none]";

struct Args {
    variant: Variant,
    seconds: u64,
    frequency: i32,
    out: PathBuf,
    /// The libraries pprof-rs drops samples in: `BLOCKLIST`, or none.
    blocklist: &'static [&'static str],
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut args = args.into_iter();
    let variant = args.next().ok_or("which version?")?;
    let variant =
        Variant::parse(&variant).ok_or_else(|| format!("unknown version {variant:?}"))?;
    let mut parsed = Args {
        variant,
        seconds: 3,
        frequency: FREQUENCY,
        out: PathBuf::from("target/profiles"),
        blocklist: BLOCKLIST,
    };
    while let Some(flag) = args.next() {
        let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = || format!("{flag}: bad value {value:?}");
        match flag.as_str() {
            "--seconds" => {
                parsed.seconds = value.parse().map_err(|_| bad())?;
                if !(1..=60).contains(&parsed.seconds) {
                    return Err(bad());
                }
            }
            "--frequency" => {
                parsed.frequency = value.parse().map_err(|_| bad())?;
                if !(1..=10_000).contains(&parsed.frequency) {
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

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("profile_is_gopher: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let name = args.variant.name();
    // The profiling timer counts CPU time, not wall time: on a busy machine the loop gets
    // less than a whole core, so rates are per CPU second. Both clocks are read around the
    // loop alone, inside the profiled closure: starting the profiler and building its
    // report (symbolizing every stack) also take CPU time, which no sample covers.
    let profiled = profile_with_blocklist(args.frequency, args.blocklist, || {
        let start = Instant::now();
        let cpu_start = thread_cpu_seconds();
        let calls = check_emails_for(args.variant, Duration::from_secs(args.seconds));
        let cpu = thread_cpu_seconds() - cpu_start;
        (calls, start.elapsed().as_secs_f64(), cpu)
    });
    let ((calls, wall, cpu), report) = match profiled {
        Ok(done) => done,
        Err(e) => {
            eprintln!("profile_is_gopher: cannot profile: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (samples, compiling) = samples_under(&report, COMPILING_A_REGEX);
    let (_, cache) = samples_under(&report, CREATING_A_SEARCH_CACHE);
    let svg = args.out.join(format!("{name}.svg"));
    let pb = args.out.join(format!("{name}.pb"));
    let written = std::fs::create_dir_all(&args.out)
        .and_then(|()| write_profile(&report, &svg, &pb))
        .and_then(|()| {
            // The same flamegraph with a title, for the book.
            let title = format!("is_gopher_{name}: CPU samples");
            std::fs::write(&svg, flamegraph_svg(&report, &title)?)
        });
    if let Err(e) = written {
        eprintln!(
            "profile_is_gopher: cannot write {}: {e}",
            args.out.display()
        );
        return ExitCode::FAILURE;
    }
    println!(
        "{}",
        serde_json::json!({
            "variant": name,
            "frequency": args.frequency,
            "blocklist": args.blocklist,
            "seconds": wall,
            "cpu_seconds": cpu,
            "calls": calls,
            "samples": samples,
            "samples_compiling": compiling,
            "samples_creating_cache": cache,
            "compiling_frames": COMPILING_A_REGEX,
            "svg": svg,
            "pb": pb,
        })
    );
    ExitCode::SUCCESS
}
