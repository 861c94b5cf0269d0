//! Blocks allocated on one thread and freed on another, for the Allocators chapter (the
//! workload is `workshop::allocators::cross_thread_free`):
//!
//! ```console
//! $ cargo run --release -p workshop --example cross_thread_free -- \
//!     <same-thread|cross-thread> [--blocks N] [--batch N] [--in-flight N] \
//!     [--max-size BYTES] [--seed N] [--json]
//! ```
//!
//! A producer thread allocates `--blocks` blocks (default 4,000,000) of 16 bytes to
//! `--max-size` (default 32 KiB), spread evenly over the doublings, and sends them to a
//! consumer thread in batches of `--batch` (default 1,000), at most `--in-flight` batches
//! (default 4) at a time. `cross-thread`: the consumer frees them. `same-thread`: it hands
//! them back and the producer frees them. Both threads are started before the clock starts;
//! the program times the allocation and free loop alone and prints how long it took — or,
//! with `--json`, one line such as
//! `{"free_on":"cross-thread","blocks":4000000,...,"seconds":0.5,"peak_rss_kib":40000}`.
//! Build it with `--features jemalloc` or `--features mimalloc` to change the allocator.

// The same three lines as in examples/mergesort.rs: the global allocator, chosen by feature.
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(all(feature = "mimalloc", not(feature = "jemalloc")))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use workshop::allocators::{
    CROSS_THREAD_USAGE, cross_thread_free, cross_thread_json_line,
    parse_cross_thread_args,
};
use workshop::mergesort::peak_rss_kib;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{CROSS_THREAD_USAGE}");
        return ExitCode::SUCCESS;
    }
    let options = match parse_cross_thread_args(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("cross_thread_free: {message}; {CROSS_THREAD_USAGE}");
            return ExitCode::from(2);
        }
    };
    let outcome = cross_thread_free(&options);
    if outcome.received != options.blocks as u64
        || outcome.checksum != outcome.expected_checksum
    {
        eprintln!(
            "cross_thread_free: the consumer received {} of {} blocks (checksum {} against {})",
            outcome.received, options.blocks, outcome.checksum, outcome.expected_checksum
        );
        return ExitCode::FAILURE;
    }
    if options.json {
        println!(
            "{}",
            cross_thread_json_line(&options, &outcome, peak_rss_kib())
        );
    } else {
        println!(
            "{}: {} blocks ({} MiB) in batches of {} in {:?}; at most {} MiB live",
            options.free_on.name(),
            options.blocks,
            outcome.bytes >> 20,
            options.batch,
            outcome.elapsed,
            outcome.live_peak_bytes >> 20,
        );
    }
    ExitCode::SUCCESS
}
