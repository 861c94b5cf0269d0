//! Prints how many threads each layer would use here:
//!
//! ```console
//! $ cargo run --release -p workshop --example thread_count
//! $ RAYON_NUM_THREADS=8 TOKIO_WORKER_THREADS=3 cargo run --release -p workshop --example thread_count
//! ```
//!
//! Run it under a CPU quota (a cgroup) to see `available_parallelism` follow the quota
//! while the number of CPUs does not: see the chapter `src/tools/thread-count.md`.

use std::process::ExitCode;

use workshop::thread_count::thread_counts;

fn main() -> ExitCode {
    if std::env::args().len() > 1 {
        eprintln!(
            "usage: thread_count (no arguments; set RAYON_NUM_THREADS / TOKIO_WORKER_THREADS)"
        );
        return ExitCode::from(2);
    }
    let counts = match thread_counts() {
        Ok(counts) => counts,
        Err(e) => {
            eprintln!("thread_count: cannot start a tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let env = |name: &str| std::env::var(name).unwrap_or_else(|_| "(unset)".to_string());
    println!(
        "std::thread::available_parallelism() = {}",
        counts.available_parallelism
    );
    println!("RAYON_NUM_THREADS    = {}", env("RAYON_NUM_THREADS"));
    println!("rayon global pool    = {} threads", counts.rayon_global);
    println!("TOKIO_WORKER_THREADS = {}", env("TOKIO_WORKER_THREADS"));
    println!("tokio runtime        = {} workers", counts.tokio_default);
    ExitCode::SUCCESS
}
