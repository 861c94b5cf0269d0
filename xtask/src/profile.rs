//! How the measured code was built: the Cargo profile's settings that change generated code, and
//! the target CPU, resolved the way Cargo resolves them, for the stamp under every table. A reader
//! cannot compare a figure without knowing whether it came from `opt-level = 3` with 16 codegen
//! units or from a fat-LTO build for `target-cpu=native`.

use std::fs;

use serde::{Deserialize, Serialize};

use crate::Repo;

/// The settings of one Cargo profile that change the generated code, as Cargo resolves them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Build {
    /// `bench` for criterion runs (`cargo bench`), `release` for whole-program runs.
    pub profile: String,
    pub opt_level: String,
    pub lto: String,
    pub codegen_units: String,
    pub debug: String,
    /// `-C target-cpu`, or the target's default (`x86-64` on x86_64 Linux) when none is given.
    pub target_cpu: String,
}

impl Build {
    /// `bench profile: opt-level 3, lto false, codegen-units 16, target-cpu x86-64 (default)`.
    pub fn describe(&self) -> String {
        format!(
            "{} profile: opt-level {}, lto {}, codegen-units {}, debug {}, target-cpu {}",
            self.profile,
            self.opt_level,
            self.lto,
            self.codegen_units,
            self.debug,
            self.target_cpu
        )
    }
}

/// The default target CPU of the default target, as rustc picks it when no `-C target-cpu` is
/// given (`rustc --print target-cpus` marks it as "default").
fn default_target_cpu() -> String {
    match std::env::consts::ARCH {
        "x86_64" => "x86-64 (default)".to_string(),
        arch => format!("{arch} default"),
    }
}

/// The profile `profile` (`release` or `bench`) of this workspace, as Cargo would build it now.
///
/// Cargo's rules (The Cargo Book, "Profiles"): `release` starts from opt-level 3, debug false,
/// lto false, codegen-units 16; `bench` inherits `release`. Settings come from the workspace
/// manifest, then from `.cargo/config.toml`, then from `CARGO_PROFILE_<NAME>_<KEY>` variables,
/// each overriding the one before. The target CPU comes from the first of `CARGO_ENCODED_RUSTFLAGS`,
/// `RUSTFLAGS`, `CARGO_BUILD_RUSTFLAGS` and the config's `build.rustflags` that is set, as in Cargo.
pub fn build(repo: &Repo, profile: &str) -> Build {
    let manifest = read_toml(&repo.root.join("Cargo.toml"));
    let config = read_toml(&repo.root.join(".cargo/config.toml"));
    let mut build = Build {
        profile: profile.to_string(),
        opt_level: "3".into(),
        lto: "false".into(),
        codegen_units: "16".into(),
        debug: "false".into(),
        target_cpu: default_target_cpu(),
    };
    // `bench` inherits `release`; later layers override earlier ones.
    let chain: &[&str] = if profile == "release" {
        &["release"]
    } else {
        &["release", profile]
    };
    for name in chain {
        for source in [&manifest, &config] {
            if let Some(table) = source
                .as_ref()
                .and_then(|t| t.get("profile")?.get(*name)?.as_table().cloned())
            {
                apply_table(&mut build, &table);
            }
        }
        apply_env(&mut build, name, |key| std::env::var(key).ok());
    }
    if let Some(cpu) = target_cpu(&rustflags(config.as_ref())) {
        build.target_cpu = cpu;
    }
    build
}

fn read_toml(path: &std::path::Path) -> Option<toml::Table> {
    fs::read_to_string(path).ok()?.parse().ok()
}

fn value_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn apply_table(build: &mut Build, table: &toml::Table) {
    for (key, field) in [
        ("opt-level", &mut build.opt_level),
        ("lto", &mut build.lto),
        ("codegen-units", &mut build.codegen_units),
        ("debug", &mut build.debug),
    ] {
        if let Some(value) = table.get(key) {
            *field = value_text(value);
        }
    }
}

fn apply_env(build: &mut Build, profile: &str, var: impl Fn(&str) -> Option<String>) {
    let prefix = format!("CARGO_PROFILE_{}_", profile.to_uppercase());
    for (key, field) in [
        ("OPT_LEVEL", &mut build.opt_level),
        ("LTO", &mut build.lto),
        ("CODEGEN_UNITS", &mut build.codegen_units),
        ("DEBUG", &mut build.debug),
    ] {
        if let Some(value) = var(&format!("{prefix}{key}")) {
            *field = value;
        }
    }
}

/// The rustflags Cargo would pass, in its order of precedence.
fn rustflags(config: Option<&toml::Table>) -> Vec<String> {
    if let Ok(encoded) = std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        return encoded
            .split('\x1f')
            .filter(|f| !f.is_empty())
            .map(String::from)
            .collect();
    }
    for key in ["RUSTFLAGS", "CARGO_BUILD_RUSTFLAGS"] {
        if let Ok(flags) = std::env::var(key) {
            return flags.split_whitespace().map(String::from).collect();
        }
    }
    match config.and_then(|c| c.get("build")?.get("rustflags").cloned()) {
        Some(toml::Value::String(s)) => s.split_whitespace().map(String::from).collect(),
        Some(toml::Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// The value of the last `-C target-cpu=…` (also `-Ctarget-cpu=…`, `-C` `target-cpu=…`).
fn target_cpu(flags: &[String]) -> Option<String> {
    let mut found = None;
    let mut flags = flags.iter().peekable();
    while let Some(flag) = flags.next() {
        let option = match flag.as_str() {
            "-C" | "--codegen" => flags.next().map(String::as_str),
            f => f
                .strip_prefix("-C")
                .or_else(|| f.strip_prefix("--codegen=")),
        };
        if let Some(cpu) = option.and_then(|o| o.strip_prefix("target-cpu=")) {
            found = Some(cpu.to_string());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(text: &str) -> Vec<String> {
        text.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn target_cpu_forms() {
        assert_eq!(
            target_cpu(&flags("-C target-cpu=native")).as_deref(),
            Some("native")
        );
        assert_eq!(
            target_cpu(&flags("-Ctarget-cpu=znver3 -C opt-level=2")).as_deref(),
            Some("znver3")
        );
        assert_eq!(
            target_cpu(&flags("-C target-cpu=x86-64 -C target-cpu=native")).as_deref(),
            Some("native"),
            "the last one wins, as in rustc"
        );
        assert_eq!(target_cpu(&flags("-C force-frame-pointers=yes")), None);
    }

    #[test]
    fn layers_override_in_cargo_order() {
        let mut build = Build {
            profile: "bench".into(),
            opt_level: "3".into(),
            lto: "false".into(),
            codegen_units: "16".into(),
            debug: "false".into(),
            target_cpu: default_target_cpu(),
        };
        let release: toml::Table = "lto = \"fat\"\ncodegen-units = 1".parse().unwrap();
        let bench: toml::Table = "debug = true".parse().unwrap();
        apply_table(&mut build, &release);
        apply_table(&mut build, &bench);
        apply_env(&mut build, "bench", |key| {
            (key == "CARGO_PROFILE_BENCH_OPT_LEVEL").then(|| "2".to_string())
        });
        assert_eq!(
            (
                build.opt_level.as_str(),
                build.lto.as_str(),
                build.codegen_units.as_str(),
                build.debug.as_str()
            ),
            ("2", "fat", "1", "true")
        );
        assert!(
            build
                .describe()
                .starts_with("bench profile: opt-level 2, lto fat")
        );
    }
}
