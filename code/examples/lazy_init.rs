//! The seed's sync.Once program, in three versions:
//!
//! ```console
//! $ cargo run --release -p workshop --example lazy_init -- v1|v2|v3
//! ```
//!
//! Each serves 10,000 renders of the book page and says how long that took, start-up
//! included (the seed timed its programs with `time go run`).

use std::process::ExitCode;
use std::time::Instant;

use workshop::lazy_init::{RENDERS, USAGE, parse_args, run};

fn main() -> ExitCode {
    let version = match parse_args(std::env::args().skip(1)) {
        Ok(version) => version,
        Err(message) => {
            eprintln!("lazy_init: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let bytes = run(version, RENDERS);
    println!(
        "{version:?}: {RENDERS} pages ({bytes} bytes) in {:?}",
        start.elapsed()
    );
    ExitCode::SUCCESS
}
