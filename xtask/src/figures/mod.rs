//! `cargo xtask figures [NAME...]`: measurements that are not criterion benches — whole-program
//! runs, profiles, traces — and the figures and tables drawn from them.
//!
//! Each figure set is one module here with a `run` function. It measures (usually by running an
//! example program of the workshop crate), stores what it measured in
//! `results/figures/<name>.json` stamped with the machine ([`Stamp`]), and writes
//! `src/figures/<name>*.svg` and/or `src/generated/figures/<name>.md` (anchored tables, each
//! followed by [`Stamp::line`]); a chapter includes them as `{{#include ../figures/<file>.svg}}`
//! and `{{#include ../generated/figures/<name>.md:<anchor>}}`. Nothing in them is typed by hand.
//! (A subdirectory of their own: a chapter may have both a figure set and criterion benches of
//! the same name, whose files are `results/<name>.json` and `src/generated/<name>.md`.)

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::bench::{Machine, git_state, iso8601_utc, machine};
use crate::{Repo, Result, fail};

pub mod allocators;
pub mod asm;
pub mod buffered_io;
pub mod caches;
pub mod claim_spread;
pub mod coverage;
pub mod dhat_view;
pub mod profiling;
pub mod svg;
pub mod thread_count;
pub mod tracing;

/// One set of figures: its name (that of its results file) and how to make it.
pub struct FigureSet {
    pub name: &'static str,
    pub about: &'static str,
    pub run: fn(&Repo, &Stamp) -> Result,
}

/// Every figure set, in the order `cargo xtask figures` makes them.
pub const FIGURE_SETS: &[FigureSet] = &[
    FigureSet {
        name: "profiling",
        about: "flamegraphs of is_gopher compiling its regex per call and once (pprof-rs)",
        run: profiling::run,
    },
    FigureSet {
        name: "dhat_view",
        about: "a dhat heap profile of the word count example, in DHAT's viewer",
        run: dhat_view::run,
    },
    FigureSet {
        name: "coverage",
        about: "the line report of parse_size before and after, from results/coverage.json",
        run: coverage::run,
    },
    FigureSet {
        name: "tracing",
        about: "Chrome traces of merge sort v1, v2, v3, rayon at 1, 2, 8 threads, as timelines",
        run: tracing::run,
    },
    FigureSet {
        name: "thread_count",
        about: "merge sort versions at 1, 2, 8 and 18 threads, whole-program runs",
        run: thread_count::run,
    },
    FigureSet {
        name: "allocators",
        about: "merge sort v3 under the system allocator, jemalloc and mimalloc",
        run: allocators::run,
    },
    FigureSet {
        name: "claim_spread",
        about: "every speed claim's ratio over quick runs, quiet and with a busy core (the check's tolerance)",
        run: claim_spread::run,
    },
    FigureSet {
        name: "buffered_io",
        about: "system calls of each way of writing and reading 100,000 records (strace -c)",
        run: buffered_io::run,
    },
    FigureSet {
        name: "asm",
        about: "machine code the chapters show, from the bench-profile build (cargo-show-asm)",
        run: asm::run,
    },
    FigureSet {
        name: "caches",
        about: "the Caches chapter's cases counted under cachegrind (L1d, L2, L3 misses), and its latency curve",
        run: caches::run,
    },
];

pub fn names() -> String {
    FIGURE_SETS
        .iter()
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks names before anything runs, so a typo costs nothing.
pub fn parse(rest: &[String]) -> Result<Vec<&'static FigureSet>> {
    if rest.is_empty() {
        return Ok(FIGURE_SETS.iter().collect());
    }
    rest.iter()
        .map(|name| {
            FIGURE_SETS.iter().find(|f| f.name == name).ok_or_else(|| {
                crate::Error::Usage(format!(
                    "figures: unknown figure set {name:?}; valid: {}",
                    names()
                ))
            })
        })
        .collect()
}

pub fn run(repo: &Repo, sets: &[&FigureSet]) -> Result {
    let stamp = Stamp::now(repo, "");
    for set in sets {
        println!("\n=== figures: {} ({}) ===", set.name, set.about);
        let stamp = Stamp {
            command: format!("cargo xtask figures {}", set.name),
            ..stamp.clone()
        };
        (set.run)(repo, &stamp)?;
    }
    Ok(())
}

/// Where, when and from what commit a figure was measured; stored in its results file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stamp {
    /// What to run to measure this again.
    pub command: String,
    pub machine: Machine,
    /// UTC, ISO 8601.
    pub date: String,
    pub commit: String,
    /// Uncommitted changes when measured: the numbers may not be those of `commit`.
    pub dirty: bool,
    /// How the programs were built: figure sets build the workshop's examples with
    /// `--release` (absent in results written before the stamp said so).
    #[serde(default)]
    pub build: Option<crate::profile::Build>,
}

impl Stamp {
    pub fn now(repo: &Repo, command: &str) -> Stamp {
        let (commit, dirty) = git_state(repo);
        Stamp {
            command: command.to_string(),
            machine: machine(repo),
            date: iso8601_utc(SystemTime::now()),
            commit,
            dirty,
            build: Some(crate::profile::build(repo, "release")),
        }
    }

    /// The italic line under every generated table or figure, in the style of the bench tables.
    pub fn line(&self) -> String {
        crate::render::stamp_line(
            "Measured",
            &self.machine,
            self.build.as_ref(),
            &self.date,
            &self.commit,
            self.dirty,
            &self.command,
        )
    }
}

/// `results/figures/<name>.json`.
pub fn write_results(repo: &Repo, name: &str, value: &impl Serialize) -> Result {
    let path = repo.root.join(format!("results/figures/{name}.json"));
    crate::bench::write_json(&path, value)?;
    println!("wrote {}", repo.show(&path));
    Ok(())
}

/// `src/generated/figures/<name>.md`, written only if it changed.
pub fn write_generated(repo: &Repo, name: &str, text: &str) -> Result {
    let dir = repo.root.join("src/generated/figures");
    fs::create_dir_all(&dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", repo.show(&dir))))?;
    crate::render::write_generated(repo, &dir.join(format!("{name}.md")), text)
}

/// `src/figures/<file>` (an SVG), written only if it changed.
pub fn write_figure(repo: &Repo, file: &str, text: &str) -> Result {
    let dir = repo.root.join("src/figures");
    fs::create_dir_all(&dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", repo.show(&dir))))?;
    crate::render::write_generated(repo, &dir.join(file), text)
}

/// Writes a binary figure (a screenshot) only if it changed.
pub fn write_bytes(path: &Path, data: &[u8]) -> Result {
    if fs::read(path).is_ok_and(|old| old == data) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)
            .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    }
    fs::write(path, data)
        .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))
}

/// One anchored region of a generated file: `{{#include ../generated/figures/<name>.md:<anchor>}}`.
pub fn anchored(anchor: &str, body: &str, stamp: &Stamp) -> String {
    format!(
        "<!-- ANCHOR: {anchor} -->\n{}\n\n{}\n<!-- ANCHOR_END: {anchor} -->\n",
        body.trim_end(),
        stamp.line()
    )
}

/// Builds an example of the workshop crate in release mode (with `features`) and returns the
/// path of its binary, so that runs can be timed without cargo in between.
pub fn build_example(repo: &Repo, example: &str, features: &[&str]) -> Result<PathBuf> {
    let mut cargo = repo.cargo();
    cargo.args(["build", "--release", "-p", "workshop", "--example", example]);
    if !features.is_empty() {
        cargo.args(["--features", &features.join(",")]);
    }
    crate::run_status(&mut cargo, &format!("cargo build --example {example}"))?;
    let path = repo.target_dir()?.join("release/examples").join(example);
    if path.is_file() {
        Ok(path)
    } else {
        Err(fail(format!("{} was not built", path.display())))
    }
}

/// Runs a program to completion; fails with its stderr unless it exits 0.
pub fn output(command: &mut Command, what: &str) -> Result<Output> {
    let out = command
        .output()
        .map_err(|e| fail(format!("cannot run {what}: {e}")))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(fail(format!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Reads a file a figure set wrote earlier (e.g. a trace), with the path in the error.
pub fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path)
        .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))
}
