//! The seed's merge sort program, in Rust (the code is in `workshop::mergesort`):
//!
//! ```console
//! $ cargo run --release -p workshop --example mergesort -- \
//!     <v1|v1-threads|v2|v3|rayon|par-sort|par-sort-unstable|std|std-unstable> \
//!     [--len N] [--threads N] [--trace FILE] [--json] [--seed N]
//! ```
//!
//! Sorts `--len` pseudo-random `i64`s (default 1,000,000, seed `--seed`) in a rayon pool
//! of `--threads` threads (default: the available parallelism), checks the result is
//! sorted, and prints how long the sort took — or, with `--json`, one line such as
//! `{"version":"v3","len":10000000,"threads":2,"seconds":1.234,"peak_rss_kib":123456}`.
//! `--trace FILE` writes a Chrome/Perfetto trace of the run's spans (open it at
//! <https://ui.perfetto.dev> or `chrome://tracing`).

// ---- Allocators chapter: the global allocator, chosen by cargo feature ----------------
// ANCHOR: global_allocator
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(all(feature = "mimalloc", not(feature = "jemalloc")))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
// ANCHOR_END: global_allocator
// ---- end of the Allocators chapter's lines --------------------------------------------

use std::process::ExitCode;

use workshop::mergesort::{USAGE, input, json_line, parse_args, peak_rss_kib, run};
use workshop::tracing::chrome_trace;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("mergesort: {message}; {USAGE}");
            return ExitCode::from(2);
        }
    };

    // The trace subscriber (Tracing chapter): installed before the sort, flushed after
    // it.
    let guard = match &options.trace {
        None => None,
        Some(path) => match chrome_trace(path) {
            Ok(guard) => Some(guard),
            Err(message) => {
                eprintln!("mergesort: {message}");
                return ExitCode::from(2);
            }
        },
    };

    let mut data = input(options.len, options.seed);
    let outcome = match run(options.version, &mut data, options.threads) {
        Ok(outcome) => outcome,
        Err(message) => {
            eprintln!("mergesort: {message}");
            return ExitCode::FAILURE;
        }
    };
    // Dropping the guard flushes the trace and waits for its writer thread.
    drop(guard);

    if !data.is_sorted() {
        eprintln!(
            "mergesort: {} did not sort its input",
            options.version.name()
        );
        return ExitCode::FAILURE;
    }
    if options.json {
        println!("{}", json_line(&options, &outcome, peak_rss_kib()));
    } else {
        let started = if outcome.threads_started > 0 {
            format!(", {} OS threads started", outcome.threads_started)
        } else {
            String::new()
        };
        println!(
            "{}: {} numbers on {} threads in {:?}{started}",
            options.version.name(),
            options.len,
            options.threads,
            outcome.elapsed
        );
    }
    ExitCode::SUCCESS
}
