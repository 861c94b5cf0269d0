//! The allocation pass: allocations and bytes per call of every case, counted by dhat.
//!
//! `cargo bench -p workshop --bench allocations -- [--chapter NAME [--group NAME]] [--out FILE]
//! [--list]`
//!
//! With `--list` it calls no case: it prints the id of every case (one per line), which is
//! how `cargo xtask check` learns which cases exist without running them.
//!
//! It runs apart from the criterion benches because dhat's allocator slows every
//! allocation (about 30% on a whole bench here): never time under it. `cargo xtask bench`
//! runs both and joins them.

use std::process::ExitCode;

use workshop::CHAPTERS;
use workshop::measure::{AllocRunner, ListRunner};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() -> ExitCode {
    let mut chapter = None;
    let mut group: Option<String> = None;
    let mut out = None;
    let mut list = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--chapter" => chapter = args.next(),
            "--group" => group = args.next(),
            "--out" => out = args.next(),
            "--list" => list = true,
            // cargo bench passes --bench; criterion-style filters are not supported here.
            "--bench" => {}
            other => {
                eprintln!(
                    "allocations: unknown argument {other:?}; usage: [--chapter NAME [--group NAME]] \
                     [--out FILE] [--list]"
                );
                return ExitCode::from(2);
            }
        }
    }
    let names: Vec<&str> = CHAPTERS.iter().map(|c| c.name).collect();
    let selected: Vec<_> = match &chapter {
        Some(name) => match CHAPTERS.iter().find(|c| c.name == name) {
            Some(c) => vec![c],
            None => {
                eprintln!(
                    "allocations: unknown chapter {name:?}; chapters with cases: {}",
                    names.join(", ")
                );
                return ExitCode::from(2);
            }
        },
        None => CHAPTERS.iter().collect(),
    };
    if group.is_some() && chapter.is_none() {
        eprintln!("allocations: --group needs --chapter");
        return ExitCode::from(2);
    }

    if list {
        for c in selected {
            let mut runner = ListRunner {
                chapter: c.name,
                ids: Vec::new(),
            };
            (c.list_cases)(&mut runner);
            for id in runner.ids {
                println!("{id}");
            }
        }
        return ExitCode::SUCCESS;
    }

    // Testing mode: no dhat-heap.json is written, and HeapStats are available.
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut records = Vec::new();
    for c in selected {
        let mut runner = AllocRunner::new(c.name);
        if let Some(group) = &group {
            // One group of the chapter: its ids start with `chapter/group/`.
            let prefix = format!("{}/{group}/", c.name);
            runner = runner.only(move |id| id.starts_with(&prefix));
        }
        (c.alloc_cases)(&mut runner);
        records.extend(runner.records);
    }
    if records.is_empty() {
        eprintln!("allocations: no case matched");
        return ExitCode::FAILURE;
    }

    let json = serde_json::to_string_pretty(&records).expect("records serialize");
    match out {
        Some(path) => {
            if let Err(e) = std::fs::write(&path, json) {
                eprintln!("allocations: cannot write {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
        None => {
            for r in &records {
                println!(
                    "{:<60} {:>10.2} allocs/op {:>12.1} B/op",
                    r.id, r.allocs_per_op, r.bytes_per_op
                );
            }
        }
    }
    ExitCode::SUCCESS
}
