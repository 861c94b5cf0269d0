//! mdbook and mdbook-admonish at the versions the book is pinned to (see design.md: mdbook-admonish
//! 1.20.0 fails on mdBook 0.5, so "latest" is not good enough).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{Repo, Result, fail, run_status};

struct Tool {
    /// Binary name, also the crate name.
    name: &'static str,
    version: &'static str,
}

const MDBOOK: Tool = Tool {
    name: "mdbook",
    version: "0.4.52",
};
const ADMONISH: Tool = Tool {
    name: "mdbook-admonish",
    version: "1.20.0",
};

/// The two binaries, by full path.
pub struct Tools {
    mdbook: PathBuf,
    admonish: PathBuf,
}

impl Tools {
    /// `mdbook <args>` in the repository root. mdBook finds the preprocessor by name on PATH, so
    /// the directory of the right mdbook-admonish goes first on the child's PATH: a tool that was
    /// just installed into ~/.cargo/bin works even when that directory is not on the user's PATH.
    pub fn mdbook(&self, repo: &Repo) -> Command {
        let mut command = Command::new(&self.mdbook);
        command.current_dir(&repo.root);
        if let Some(dir) = self.admonish.parent() {
            let mut dirs = vec![dir.to_path_buf()];
            if let Some(path) = std::env::var_os("PATH") {
                dirs.extend(std::env::split_paths(&path));
            }
            if let Ok(path) = std::env::join_paths(dirs) {
                command.env("PATH", path);
            }
        }
        command
    }
}

/// Finds both tools at their pinned versions, installing whichever is missing or wrong.
pub fn ensure(repo: &Repo) -> Result<Tools> {
    let bin_dir = cargo_bin_dir();
    let mdbook = find(&MDBOOK, bin_dir.as_deref());
    let admonish = find(&ADMONISH, bin_dir.as_deref());
    let missing: Vec<(&Tool, &String)> = [(&MDBOOK, &mdbook), (&ADMONISH, &admonish)]
        .into_iter()
        .filter_map(|(tool, found)| found.as_ref().err().map(|why| (tool, why)))
        .collect();
    if !missing.is_empty() {
        let Some(bin_dir) = &bin_dir else {
            return Err(fail(
                "mdbook is needed and neither CARGO_HOME nor HOME is set to install it into",
            ));
        };
        for (tool, why) in &missing {
            println!("xtask: {} {} is needed: {why}.", tool.name, tool.version);
        }
        println!(
            "xtask: installing into {} with `cargo install --locked`. This happens once and takes \
             a few minutes (about 3.5 min for both tools on 2 cores).",
            bin_dir.display()
        );
        for (tool, _) in &missing {
            install(repo, tool, bin_dir)?;
        }
    }
    let installed = |tool: &Tool, found: std::result::Result<PathBuf, String>| {
        found.or_else(|_| {
            bin_dir
                .as_ref()
                .map(|d| d.join(exe(tool.name)))
                .ok_or_else(|| fail("no cargo bin directory"))
        })
    };
    Ok(Tools {
        mdbook: installed(&MDBOOK, mdbook)?,
        admonish: installed(&ADMONISH, admonish)?,
    })
}

/// The first `tool` at the pinned version on PATH or in the cargo bin directory, or what was
/// found instead.
fn find(tool: &Tool, bin_dir: Option<&Path>) -> std::result::Result<PathBuf, String> {
    let mut found = Vec::new();
    for path in candidates(tool.name, bin_dir) {
        match version_of(&path) {
            Some(v) if v == tool.version => return Ok(path),
            Some(v) => found.push(format!("{} is version {v}", path.display())),
            None => found.push(format!("{} does not run", path.display())),
        }
    }
    if found.is_empty() {
        let place = bin_dir.map_or(String::new(), |d| format!(" or in {}", d.display()));
        Err(format!("not found on PATH{place}"))
    } else {
        Err(found.join(", "))
    }
}

fn install(repo: &Repo, tool: &Tool, bin_dir: &Path) -> Result {
    println!(
        "xtask: cargo install --locked {} --version {}",
        tool.name, tool.version
    );
    run_status(
        repo.cargo()
            .args(["install", "--locked", tool.name, "--version", tool.version]),
        &format!("cargo install {} {}", tool.name, tool.version),
    )?;
    let installed = bin_dir.join(exe(tool.name));
    match version_of(&installed) {
        Some(v) if v == tool.version => Ok(()),
        other => Err(fail(format!(
            "after cargo install, {} reports version {other:?}, expected {}",
            installed.display(),
            tool.version
        ))),
    }
}

/// Where `cargo install` puts binaries: `$CARGO_HOME/bin`, by default `~/.cargo/bin`.
fn cargo_bin_dir() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(|h| Path::new(&h).join(".cargo"))
        })?;
    Some(home.join("bin"))
}

fn exe(name: &str) -> OsString {
    let mut file = OsString::from(name);
    file.push(std::env::consts::EXE_SUFFIX);
    file
}

/// Every `name` on PATH (in PATH order), then the one in the cargo bin directory.
fn candidates(name: &str, bin_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    dirs.extend(bin_dir.map(Path::to_path_buf));
    let mut paths: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        let path = dir.join(exe(name));
        if path.is_file() && !paths.contains(&path) {
            paths.push(path);
        }
    }
    paths
}

/// The version a tool reports, or None if it cannot be run.
fn version_of(path: &Path) -> Option<String> {
    let output = Command::new(path).arg("--version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    reported_version(&String::from_utf8_lossy(&output.stdout)).map(str::to_string)
}

/// `mdbook v0.4.52` → `0.4.52`; `mdbook-admonish 1.20.0` → `1.20.0`.
fn reported_version(output: &str) -> Option<&str> {
    let last = output.lines().next()?.split_whitespace().last()?;
    let version = last.strip_prefix('v').unwrap_or(last);
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_as_the_tools_print_them() {
        assert_eq!(reported_version("mdbook v0.4.52\n"), Some("0.4.52"));
        assert_eq!(reported_version("mdbook-admonish 1.20.0\n"), Some("1.20.0"));
        assert_eq!(
            reported_version("mdbook v0.5.0-beta.1"),
            Some("0.5.0-beta.1")
        );
        assert_eq!(reported_version(""), None);
        assert_eq!(reported_version("command not found"), None);
    }
}
