//! One case of a chapter, run a given number of times and nothing else, for a tool that counts
//! what a whole process does: `cargo xtask figures caches` runs it under cachegrind.
//!
//! `counts CASE_ID CALLS` runs the case `CASE_ID` (`chapter/group/case[/param]`) once to warm
//! up, then `CALLS` more times; the difference between a run with `CALLS` 0 and one with a
//! single-digit `CALLS` is what those calls cost (see `workshop::measure::CountRunner`). It
//! prints the group's throughput.
//! `counts --list CHAPTER` prints the ids of a chapter's cases.

use std::process::ExitCode;

use workshop::CHAPTERS;
use workshop::measure::{CountRunner, ListRunner, Throughput};

const USAGE: &str = "usage: counts CASE_ID CALLS | counts --list CHAPTER";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let chapter_named = |name: &str| CHAPTERS.iter().find(|c| c.name == name);
    let known = || {
        CHAPTERS
            .iter()
            .map(|c| c.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    match args.as_slice() {
        ["--list", name] => {
            let Some(chapter) = chapter_named(name) else {
                eprintln!(
                    "counts: unknown chapter {name:?}; chapters with cases: {}",
                    known()
                );
                return ExitCode::from(2);
            };
            let mut runner = ListRunner {
                chapter: chapter.name,
                ids: Vec::new(),
            };
            (chapter.list_cases)(&mut runner);
            runner.ids.iter().for_each(|id| println!("{id}"));
            ExitCode::SUCCESS
        }
        [id, calls] => {
            let Ok(calls) = calls.parse::<u64>() else {
                eprintln!("counts: CALLS must be a whole number, not {calls:?}; {USAGE}");
                return ExitCode::from(2);
            };
            let name = id.split('/').next().unwrap_or_default();
            let Some(chapter) = chapter_named(name) else {
                eprintln!(
                    "counts: no chapter {name:?} in {id:?}; chapters with cases: {}",
                    known()
                );
                return ExitCode::from(2);
            };
            let mut runner = CountRunner {
                chapter: chapter.name,
                id: id.to_string(),
                calls,
                found: None,
            };
            (chapter.count_cases)(&mut runner);
            match runner.found {
                None => {
                    eprintln!("counts: no case {id:?} (counts --list {name} lists them)");
                    ExitCode::from(2)
                }
                Some(throughput) => {
                    match throughput {
                        Some(Throughput::Elements(n)) => println!("elements {n}"),
                        Some(Throughput::Bytes(n)) => println!("bytes {n}"),
                        None => println!("none"),
                    }
                    ExitCode::SUCCESS
                }
            }
        }
        _ => {
            eprintln!("counts: {USAGE}");
            ExitCode::from(2)
        }
    }
}
