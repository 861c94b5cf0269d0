//! The Buffered I/O chapter's program: one way of writing or reading 100,000 records per
//! run, so that `strace -c` can count the system calls of each.
//!
//! ```console
//! $ cargo run --release -p workshop --example buffered_io -- write-bufwriter /tmp/records
//! $ strace -c -f target/release/examples/buffered_io read-10-bytes /tmp/records
//! ```
//!
//! `cargo xtask figures buffered_io_syscalls` runs every mode this way and writes the
//! chapter's table.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;
use std::process::ExitCode;

use workshop::buffered_io::{
    RECORDS, count_lines_10_bytes, count_lines_lines, count_lines_read_line,
    print_lines_locked, print_lines_locked_buffered, print_lines_println,
    write_file_buffered, write_file_unbuffered, writeln_file_unbuffered,
};

const USAGE: &str = "usage: buffered_io MODE PATH, MODE one of write-unbuffered, \
                     write-bufwriter, writeln-unbuffered, read-10-bytes, bufreader-10-bytes, \
                     bufreader-lines, bufreader-read-line; or buffered_io MODE, MODE one of \
                     println, stdout-lock, stdout-lock-bufwriter";

/// The modes that take a file to write or read.
const PATH_MODES: [&str; 7] = [
    "write-unbuffered",
    "write-bufwriter",
    "writeln-unbuffered",
    "read-10-bytes",
    "bufreader-10-bytes",
    "bufreader-lines",
    "bufreader-read-line",
];

/// The modes that write to standard output and take no path.
const STDOUT_MODES: [&str; 3] = ["println", "stdout-lock", "stdout-lock-bufwriter"];

fn run(mode: &str, path: Option<&Path>) -> io::Result<()> {
    let open = || File::open(path.expect("checked in main"));
    let path = || path.expect("checked in main");
    // Read modes print the line count to stderr, so that stdout stays the measured stream.
    let report = |lines: usize| eprintln!("{mode}: {lines} lines");
    match mode {
        "write-unbuffered" => write_file_unbuffered(path(), RECORDS),
        "write-bufwriter" => write_file_buffered(path(), RECORDS),
        "writeln-unbuffered" => writeln_file_unbuffered(path(), RECORDS),
        "read-10-bytes" => count_lines_10_bytes(open()?).map(report),
        "bufreader-10-bytes" => count_lines_10_bytes(BufReader::new(open()?)).map(report),
        "bufreader-lines" => count_lines_lines(BufReader::new(open()?)).map(report),
        "bufreader-read-line" => {
            count_lines_read_line(BufReader::new(open()?)).map(report)
        }
        "println" => {
            print_lines_println(RECORDS);
            Ok(())
        }
        "stdout-lock" => print_lines_locked(RECORDS),
        "stdout-lock-bufwriter" => print_lines_locked_buffered(RECORDS),
        _ => unreachable!("checked in main"),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("");
    let known = match args.len() {
        1 => STDOUT_MODES.contains(&mode),
        2 => PATH_MODES.contains(&mode),
        _ => false,
    };
    if !known {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    match run(&args[0], args.get(1).map(Path::new)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("buffered_io: {}: {e}", args[0]);
            ExitCode::FAILURE
        }
    }
}
