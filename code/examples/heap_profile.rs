//! A heap profile of a word count, for the Where values live chapter:
//!
//! ```text
//! cargo run --release -p workshop --example heap_profile -- [to-lowercase-each|reused-buffer]
//!     [--words N] [--out FILE]
//! ```
//!
//! dhat records every allocation with its call stack and writes `dhat-heap.json` (or FILE),
//! which DHAT's viewer (`dh_view.html`, shipped with valgrind) opens. `cargo xtask figures
//! dhat_view` runs both versions and draws the chapter's figure and tables from the files.

use std::process::ExitCode;

use workshop::where_values_live::{sample_text, word_counts, word_counts_reused};

// dhat's allocator records each allocation's stack; it slows the program down, which is why
// the book's timings never run under it.
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const USAGE: &str =
    "usage: heap_profile [to-lowercase-each|reused-buffer] [--words N] [--out FILE]";

struct Options {
    reused: bool,
    words: usize,
    out: String,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        reused: false,
        words: 100_000,
        out: "dhat-heap.json".to_string(),
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "to-lowercase-each" => options.reused = false,
            "reused-buffer" => options.reused = true,
            "--words" => {
                let value = args.next().ok_or("--words needs a number")?;
                options.words = value.parse().ok().filter(|&n| n > 0).ok_or(format!(
                    "--words: {value:?} is not a positive whole number"
                ))?;
            }
            "--out" => {
                options.out = args.next().ok_or("--out needs a file name")?.clone()
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("heap_profile: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Generated before profiling starts: the profile shows the counting, not the input.
    let text = sample_text(options.words);
    let profiler = dhat::Profiler::builder().file_name(&options.out).build();
    let counts = if options.reused {
        word_counts_reused(&text)
    } else {
        word_counts(&text)
    };
    println!("{} words, {} distinct", options.words, counts.len());
    drop(counts);
    // Dropping the profiler writes the file (and prints a summary on stderr).
    drop(profiler);
    ExitCode::SUCCESS
}
