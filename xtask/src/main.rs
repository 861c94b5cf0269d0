//! `cargo xtask <command>`: building, measuring and checking the book.
//!
//! The alias in `.cargo/config.toml` runs this crate; every command works from any directory of
//! the repository because paths are taken from where this crate lives, not from the shell.

mod bench;
mod book;
mod browser;
mod claims;
mod coverage;
mod figures;
mod patterns;
mod profile;
mod render;
mod runner;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [--port N] [--open] [--no-run]
                                serve the book at http://127.0.0.1:N (default 3000), with live
                                reload, and a local runner on 127.0.0.1 behind the Run buttons
                                of the book's tested blocks (--no-run: no runner, no Run buttons)
  build                         build the book into book/; fail on mdBook errors and warnings,
                                missing chapters, and includes whose file or anchor is missing
  bench [--quick [--write]] [CHAPTER...]
                                measure chapters (default: all) into results/<chapter>.json and
                                render src/generated/<chapter>.md; --quick: short measurements,
                                printed and kept under target/xtask/quick/ (the book's results
                                are not touched unless --write)
  render                        re-render src/generated/*.md from results/*.json, without measuring
  check [--skip-bench] [--browser]
                                build, check every link of the HTML book, check the claims of
                                code/benches/*.claims.toml (--skip-bench: not the speed claims;
                                --browser: also load every page in headless /usr/bin/chromium
                                and check resources, scripts, admonitions, images, solutions,
                                search, print page, offline; screenshots in target/browser/)
  coverage                      measure the line coverage of code/src/coverage.rs with
                                cargo-llvm-cov and LLVM 19 (before/after the covering tests)
                                into results/coverage.json and src/generated/coverage.md
  figures [NAME...]             run the programs behind the figures (profiles, traces, whole-program
                                runs) into results/<name>.json, src/figures/*.svg and
                                src/generated/<name>.md (default: all sets)
  tools                         install the pinned mdbook and mdbook-admonish if missing
  help                          print this text

mdbook and mdbook-admonish are installed with `cargo install` on first use if they are missing.
";

const COMMANDS: &str =
    "serve, build, bench, render, check, coverage, figures, tools, help";

/// Why a command did not succeed.
#[derive(Debug)]
pub enum Error {
    /// The user asked for something that does not exist: one line, exit status 2.
    Usage(String),
    /// The command ran and something failed: exit status 1.
    Failed(String),
}

pub type Result<T = ()> = std::result::Result<T, Error>;

/// Shorthand for the many "this went wrong, here is what" errors.
pub fn fail(message: impl Into<String>) -> Error {
    Error::Failed(message.into())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::Usage(line)) => {
            eprintln!("cargo xtask: {line}");
            ExitCode::from(2)
        }
        Err(Error::Failed(message)) => {
            eprintln!("cargo xtask: error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result {
    let Some((command, rest)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(());
    };
    let repo = Repo::new();
    match command.as_str() {
        "help" | "-h" | "--help" => {
            no_arguments("help", rest)?;
            print!("{USAGE}");
            Ok(())
        }
        "serve" => {
            let options = parse_serve(rest)?;
            book::serve(&repo, &options)
        }
        "build" => {
            no_arguments("build", rest)?;
            book::build(&repo)
        }
        "bench" => {
            let (run, chapters) = parse_bench(&repo, rest)?;
            bench::run(&repo, run, &chapters)
        }
        "coverage" => {
            no_arguments("coverage", rest)?;
            coverage::run(&repo)
        }
        "figures" => {
            let sets = figures::parse(rest)?;
            figures::run(&repo, &sets)
        }
        "tools" => {
            no_arguments("tools", rest)?;
            tools::ensure(&repo).map(|_| ())
        }
        "render" => {
            no_arguments("render", rest)?;
            render::render_all(&repo)
        }
        "check" => {
            let options = parse_check(rest)?;
            check(&repo, options)
        }
        other => Err(Error::Usage(format!(
            "unknown command {other:?}; valid commands: {COMMANDS}"
        ))),
    }
}

fn no_arguments(command: &str, rest: &[String]) -> Result {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(Error::Usage(format!(
            "{command}: unexpected argument {arg:?}; `{command}` takes no arguments"
        ))),
    }
}

/// `serve`'s options.
#[derive(Debug, PartialEq, Eq)]
pub struct ServeOptions {
    pub port: u16,
    pub open: bool,
    /// Start the local runner behind the pages' Run buttons (off with `--no-run`).
    pub run: bool,
}

fn parse_serve(rest: &[String]) -> Result<ServeOptions> {
    const VALID: &str = "valid: --port N (1-65535), --open, --no-run";
    let mut port = 3000;
    let mut open = false;
    let mut run = true;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "--open" => {
                open = true;
                continue;
            }
            "--no-run" => {
                run = false;
                continue;
            }
            "--port" => args.next().map(String::as_str),
            a => match a.strip_prefix("--port=") {
                Some(v) => Some(v),
                None => {
                    return Err(Error::Usage(format!(
                        "serve: unknown argument {a:?}; {VALID}"
                    )));
                }
            },
        };
        port = match value.map(str::parse::<u16>) {
            Some(Ok(p)) if p > 0 => p,
            Some(_) => {
                return Err(Error::Usage(format!(
                    "serve: --port needs a number from 1 to 65535, not {:?}; {VALID}",
                    value.unwrap_or_default()
                )));
            }
            None => {
                return Err(Error::Usage(format!(
                    "serve: --port needs a value; {VALID}"
                )));
            }
        };
    }
    Ok(ServeOptions { port, open, run })
}

fn parse_bench(repo: &Repo, rest: &[String]) -> Result<(bench::Run, Vec<String>)> {
    let known = bench::chapters(repo)?;
    let (mut quick, mut write) = (false, false);
    let mut chapters = Vec::new();
    for arg in rest {
        if arg == "--quick" {
            quick = true;
        } else if arg == "--write" {
            write = true;
        } else if arg.starts_with('-') {
            return Err(Error::Usage(format!(
                "bench: unknown flag {arg:?}; valid: --quick, --write, and chapter names: {}",
                known.join(", ")
            )));
        } else if !known.contains(arg) {
            return Err(Error::Usage(format!(
                "bench: unknown chapter {arg:?}; chapters (code/benches/*.rs): {}",
                known.join(", ")
            )));
        } else if !chapters.contains(arg) {
            chapters.push(arg.clone());
        }
    }
    let run = match (quick, write) {
        (false, false) => bench::Run::Full,
        (true, false) => bench::Run::Trial,
        (true, true) => bench::Run::QuickWritten,
        (false, true) => {
            return Err(Error::Usage(
                "bench: --write goes with --quick (a full run always writes results/)"
                    .into(),
            ));
        }
    };
    if chapters.is_empty() {
        chapters = known;
    }
    Ok((run, chapters))
}

/// What `check` runs besides the build and the link check.
#[derive(Debug, Default, PartialEq)]
struct CheckOptions {
    skip_bench: bool,
    browser: bool,
}

fn parse_check(rest: &[String]) -> Result<CheckOptions> {
    let mut options = CheckOptions::default();
    for arg in rest {
        match arg.as_str() {
            "--skip-bench" => options.skip_bench = true,
            "--browser" => options.browser = true,
            other => {
                return Err(Error::Usage(format!(
                    "check: unknown argument {other:?}; valid: --skip-bench, --browser"
                )));
            }
        }
    }
    Ok(options)
}

/// `check`: every step runs even when an earlier one failed, so that one run lists every problem.
fn check(repo: &Repo, options: CheckOptions) -> Result {
    let mut failed = Vec::new();
    let built = match book::build(repo) {
        Ok(()) => true,
        Err(Error::Failed(message)) => {
            eprintln!("cargo xtask: error: {message}");
            failed.push("build");
            // The HTML is still worth checking if mdBook wrote it.
            repo.root.join("book/index.html").is_file()
        }
        Err(usage) => return Err(usage),
    };
    if built {
        println!("checking links in book/ …");
        match book::check_links(&repo.root.join("book")) {
            Ok(pages) => println!("links: ok ({pages} pages)"),
            Err(Error::Failed(message)) => {
                eprintln!("cargo xtask: error: {message}");
                failed.push("links");
            }
            Err(usage) => return Err(usage),
        }
        if options.browser {
            match browser::check(repo) {
                Ok(()) => {}
                Err(Error::Failed(message)) => {
                    eprintln!("cargo xtask: error: {message}");
                    failed.push("browser");
                }
                Err(usage) => return Err(usage),
            }
        }
    }
    match claims::check(repo, options.skip_bench) {
        Ok(()) => {}
        Err(Error::Failed(message)) => {
            eprintln!("cargo xtask: error: {message}");
            failed.push("claims");
        }
        Err(usage) => return Err(usage),
    }
    match patterns::check(repo) {
        Ok(()) => {}
        Err(Error::Failed(message)) => {
            eprintln!("cargo xtask: error: {message}");
            failed.push("patterns");
        }
        Err(usage) => return Err(usage),
    }
    if failed.is_empty() {
        println!("check: ok");
        Ok(())
    } else {
        Err(fail(format!("check failed: {}", failed.join(", "))))
    }
}

/// The repository: where it is, and how to run cargo in it.
pub struct Repo {
    pub root: PathBuf,
}

impl Repo {
    fn new() -> Repo {
        // Compiled in, so the commands work from any directory of the checkout.
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        Repo {
            root: manifest.parent().unwrap_or(manifest).to_path_buf(),
        }
    }

    /// A `cargo` command in the repository root. `$CARGO` is the cargo that runs us (right
    /// toolchain even under rustup overrides).
    pub fn cargo(&self) -> Command {
        let mut command =
            Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        command.current_dir(&self.root);
        // What `cargo run` set for this program, not for the builds it starts: ring's build
        // script reads CARGO_MANIFEST_DIR, so an inner `cargo test` that inherits xtask's would
        // rebuild ring, rustls and headless_chrome, and the reader's next one rebuild them back.
        for (name, _) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if name.starts_with("CARGO_PKG_")
                || [
                    "CARGO_MANIFEST_DIR",
                    "CARGO_MANIFEST_PATH",
                    "CARGO_CRATE_NAME",
                    "CARGO_BIN_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                ]
                .contains(&name.as_ref())
            {
                command.env_remove(name.as_ref());
            }
        }
        command
    }

    /// Cargo's target directory: `target/` unless CARGO_TARGET_DIR or a config says otherwise;
    /// cargo metadata knows which.
    pub fn target_dir(&self) -> Result<PathBuf> {
        let output = self
            .cargo()
            .args(["metadata", "--format-version", "1", "--no-deps"])
            .output()
            .map_err(|e| fail(format!("cannot run cargo metadata: {e}")))?;
        if !output.status.success() {
            return Err(fail(format!(
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| fail(format!("cargo metadata printed invalid JSON: {e}")))?;
        metadata["target_directory"]
            .as_str()
            .map(PathBuf::from)
            .ok_or_else(|| fail("cargo metadata has no target_directory"))
    }

    /// `path` relative to the repository root, for messages.
    pub fn show(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}

/// Runs `command` with inherited stdio; fails unless it exits 0.
pub fn run_status(command: &mut Command, what: &str) -> Result {
    let status = command
        .status()
        .map_err(|e| fail(format!("cannot run {what}: {e}")))?;
    if status.success() {
        Ok(())
    } else {
        Err(fail(format!("{what} failed ({status})")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn serve_arguments() {
        let serve = |port, open, run| ServeOptions { port, open, run };
        assert_eq!(parse_serve(&args(&[])).unwrap(), serve(3000, false, true));
        assert_eq!(
            parse_serve(&args(&["--port", "8080", "--open"])).unwrap(),
            serve(8080, true, true)
        );
        assert_eq!(
            parse_serve(&args(&["--port=4000", "--no-run"])).unwrap(),
            serve(4000, false, false)
        );
        for bad in [
            &["--port"][..],
            &["--port", "x"],
            &["--port", "0"],
            &["--port", "70000"],
            &["--verbose"],
        ] {
            assert!(
                matches!(parse_serve(&args(bad)), Err(Error::Usage(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn bench_flags() {
        let repo = Repo::new();
        let run = |list: &[&str]| parse_bench(&repo, &args(list)).map(|(run, _)| run);
        assert_eq!(run(&["strings"]).unwrap(), bench::Run::Full);
        // A quick run is a trial unless the reader asks for it to be written into the book.
        assert_eq!(run(&["--quick", "strings"]).unwrap(), bench::Run::Trial);
        assert_eq!(
            run(&["--quick", "--write", "strings"]).unwrap(),
            bench::Run::QuickWritten
        );
        for bad in [
            &["--write", "strings"][..],
            &["--verbose"],
            &["no_such_chapter"],
        ] {
            assert!(matches!(run(bad), Err(Error::Usage(_))), "{bad:?}");
        }
        let (_, all) = parse_bench(&repo, &args(&["--quick"])).unwrap();
        assert!(all.contains(&"strings".to_string()), "{all:?}");
    }

    #[test]
    fn check_and_unknown_commands() {
        assert_eq!(parse_check(&args(&[])).unwrap(), CheckOptions::default());
        assert_eq!(
            parse_check(&args(&["--browser", "--skip-bench"])).unwrap(),
            CheckOptions {
                skip_bench: true,
                browser: true
            }
        );
        assert!(matches!(
            parse_check(&args(&["--quick"])),
            Err(Error::Usage(_))
        ));
        assert!(matches!(run(&args(&["frobnicate"])), Err(Error::Usage(_))));
        assert!(matches!(
            run(&args(&["render", "extra"])),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            run(&args(&["coverage", "--html"])),
            Err(Error::Usage(_))
        ));
    }
}
