//! A live profiling endpoint, the Rust counterpart of Go's `net/http/pprof`:
//!
//! ```console
//! $ cargo run --release -p workshop --example profiling_endpoint
//! $ curl -o cpu.pb 'http://127.0.0.1:6060/debug/pprof/profile?seconds=10'
//! $ curl -o cpu.svg 'http://127.0.0.1:6060/debug/pprof/flamegraph?seconds=10'
//! ```
//!
//! It listens on 127.0.0.1 unless told otherwise, and refuses an address other machines can
//! reach unless `--allow-remote` is given too. A background thread checks e-mail addresses
//! so that there is something to see (`--no-workload` turns it off).

use std::process::ExitCode;

use workshop::profiling::{ENDPOINT_USAGE, Endpoint, MAX_SECONDS, parse_endpoint_args};

fn main() -> ExitCode {
    let options = match parse_endpoint_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("profiling_endpoint: {message}\n{ENDPOINT_USAGE}");
            return ExitCode::from(2);
        }
    };
    let endpoint = match Endpoint::start(options.addr, options.workload) {
        Ok(endpoint) => endpoint,
        Err(e) => {
            eprintln!("profiling_endpoint: cannot listen on {}: {e}", options.addr);
            return ExitCode::FAILURE;
        }
    };
    let base = format!("http://{}/debug/pprof", endpoint.addr());
    eprintln!("profiling_endpoint: serving {base}/ (profiles of 1 to {MAX_SECONDS} s)");
    eprintln!("  curl -o cpu.pb '{base}/profile?seconds=10'");
    eprintln!("  curl -o cpu.svg '{base}/flamegraph?seconds=10'");
    endpoint.wait();
    ExitCode::SUCCESS
}
