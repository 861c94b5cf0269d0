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

use minijinja::Value;
use workshop::lazy_init::{RENDERS, USAGE, book_context, parse_args, run};

fn main() -> ExitCode {
    let version = match parse_args(std::env::args().skip(1)) {
        Ok(version) => version,
        Err(message) => {
            eprintln!("lazy_init: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // The requests arrive with their values: made before the clock starts.
    let requests: Vec<Value> = (0..RENDERS).map(book_context).collect();
    let start = Instant::now();
    let bytes = run(version, &requests);
    println!(
        "{version:?}: {RENDERS} pages ({bytes} bytes) in {:?}",
        start.elapsed()
    );
    ExitCode::SUCCESS
}
