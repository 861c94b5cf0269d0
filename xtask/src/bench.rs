//! `bench`: time a chapter's cases with criterion, count their allocations with the dhat pass,
//! join both on the case id into `results/<chapter>.json`, and render its tables.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::profile::Build;
use crate::{Repo, Result, fail, render, run_status};

/// Criterion flags of a quick run: about 1.5 s per case. Not criterion's `--quick`, which stops
/// after two samples and reports no real confidence interval.
pub const QUICK_FLAGS: [&str; 4] = ["--warm-up-time", "0.5", "--measurement-time", "1"];

/// What a `bench` run measures and where it writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Run {
    /// Full measurements into `results/` and `src/generated/`: the book's numbers.
    Full,
    /// `--quick`: short measurements for trying things, printed and kept under
    /// `target/xtask/quick/`, so that a reader's experiment never rewrites the book.
    Trial,
    /// `--quick --write`: short measurements written into the book anyway, on purpose.
    QuickWritten,
}

impl Run {
    fn quick(self) -> bool {
        self != Run::Full
    }
}

/// Where a trial run (`--quick` without `--write`) keeps its results and tables.
pub fn trial_dir(target: &Path) -> PathBuf {
    target.join("xtask/quick")
}

/// The bench file that is not a chapter: the allocation pass over every chapter's cases.
pub const ALLOCATIONS_BENCH: &str = "allocations";

// ----------------------------------------------------------------------------------------------
// results/<chapter>.json

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Full,
    Quick,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Results {
    pub chapter: String,
    pub mode: Mode,
    /// What to run to measure this again.
    pub command: String,
    pub machine: Machine,
    /// UTC, ISO 8601, when the run started.
    pub date: String,
    /// `git rev-parse --short HEAD` when the run started.
    pub commit: String,
    /// Whether the working tree had uncommitted changes then: the numbers may not be those of
    /// `commit`.
    pub dirty: bool,
    /// How the bench binary was built (absent in results written before the stamp said so).
    #[serde(default)]
    pub build: Option<Build>,
    /// The empty case `<chapter>/floor/empty` of this run: criterion's loop with no work in
    /// it. A row within [`FLOOR_FACTOR`] times of it measures the loop, not its code.
    #[serde(default)]
    pub floor_ns: Option<TimeNs>,
    pub groups: Vec<GroupResult>,
}

/// How close to the empty loop a case may be before its time says nothing about its code. The
/// same value as `workshop::measure::FLOOR_FACTOR` (a test below keeps them equal).
pub const FLOOR_FACTOR: f64 = 5.0;

/// The group and case of the empty routine (`workshop::measure::floor`).
pub const FLOOR_GROUP: &str = "floor";
pub const FLOOR_CASE: &str = "empty";

impl Results {
    /// Whether a time is within [`FLOOR_FACTOR`] of this run's empty loop.
    pub fn at_floor(&self, ns: f64) -> bool {
        self.floor_ns
            .is_some_and(|floor| ns < FLOOR_FACTOR * floor.estimate)
    }

    /// The case with this id relative to the chapter (`group/case[/param]`).
    pub fn case(&self, id: &str) -> Option<&CaseResult> {
        let id = format!("{}/{id}", self.chapter);
        self.groups
            .iter()
            .flat_map(|g| &g.cases)
            .find(|c| c.id == id)
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Machine {
    /// The CPU's model name, as /proc/cpuinfo gives it.
    pub cpu: String,
    /// CPUs this process may run on (`available_parallelism`).
    pub cores: usize,
    /// Distinct (package, core) pairs in /proc/cpuinfo.
    #[serde(default)]
    pub physical_cores: Option<usize>,
    /// Logical CPUs per physical core (2 with SMT / Hyper-Threading).
    #[serde(default)]
    pub threads_per_core: Option<usize>,
    pub rustc: String,
    pub os: String,
    /// The data and unified caches of CPU 0, as Linux reports them (absent in results written
    /// before the stamp said so, and where sysfs has no cache directory).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caches: Option<Vec<CacheLevel>>,
}

/// One cache of CPU 0: `/sys/devices/system/cpu/cpu0/cache/index*/`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheLevel {
    pub level: u32,
    /// `Data`, `Instruction` or `Unified`.
    pub kind: String,
    pub size_bytes: u64,
    pub ways: u32,
    pub line_bytes: u32,
    /// The logical CPUs that share this cache (`shared_cpu_list`, e.g. `0-1`).
    pub shared_cpus: String,
}

impl CacheLevel {
    /// `L1d`, `L1i`, `L2`, `L3`.
    pub fn name(&self) -> String {
        match self.kind.as_str() {
            "Data" => format!("L{}d", self.level),
            "Instruction" => format!("L{}i", self.level),
            _ => format!("L{}", self.level),
        }
    }
}

/// The caches of CPU 0, read from sysfs: the kernel has already decoded the CPU's own
/// description (CPUID) into these files, for every architecture it runs on, which is why no crate
/// is needed. `None` where the directory is missing (not Linux, or a VM that hides it).
pub fn cache_levels() -> Option<Vec<CacheLevel>> {
    let dir = Path::new("/sys/devices/system/cpu/cpu0/cache");
    let mut levels = Vec::new();
    for index in 0.. {
        let d = dir.join(format!("index{index}"));
        if !d.is_dir() {
            break;
        }
        let read = |f: &str| {
            fs::read_to_string(d.join(f))
                .ok()
                .map(|s| s.trim().to_string())
        };
        let number = |f: &str| read(f)?.parse().ok();
        levels.push(CacheLevel {
            level: number("level")?,
            kind: read("type")?,
            size_bytes: parse_cache_size(&read("size")?)?,
            ways: number("ways_of_associativity")?,
            line_bytes: number("coherency_line_size")?,
            shared_cpus: read("shared_cpu_list")?,
        });
    }
    (!levels.is_empty()).then_some(levels)
}

/// sysfs writes cache sizes as `32K` or `32768K` (and, on some kernels, `1M`).
fn parse_cache_size(text: &str) -> Option<u64> {
    let (digits, unit) = match text.strip_suffix(['K', 'M', 'G']) {
        Some(d) => (d, &text[d.len()..]),
        None => (text, ""),
    };
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "K" => n << 10,
        "M" => n << 20,
        "G" => n << 30,
        _ => n,
    })
}

/// `32 KiB`, `512 KiB`, `32 MiB`.
pub fn kib_text(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{} KiB", bytes >> 10)
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct GroupResult {
    /// The group's name within the chapter (criterion's group id without `chapter/`); also the
    /// anchor of its table in src/generated/<chapter>.md.
    pub name: String,
    /// Name of the group's first case: the one the others are compared with.
    pub baseline: String,
    pub cases: Vec<CaseResult>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CaseResult {
    /// `chapter/group/case[/param]`: criterion's benchmark id.
    pub id: String,
    pub case: String,
    pub param: Option<String>,
    /// None if criterion reported nothing for this case.
    pub time_ns: Option<TimeNs>,
    pub throughput: Option<Throughput>,
    /// None if the chapter has no allocation pass.
    pub allocs_per_op: Option<f64>,
    pub bytes_per_op: Option<f64>,
}

/// Time per call in nanoseconds: criterion's mean, its 95% confidence interval, and the median.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeNs {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
    pub median: f64,
}

/// Work done by one call, as the workshop crate declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Throughput {
    Bytes(u64),
    Elements(u64),
}

/// One record of the allocation pass (`code/benches/allocations.rs`).
#[derive(Debug, Deserialize)]
pub struct AllocRecord {
    pub id: String,
    pub group: String,
    pub case: String,
    pub param: Option<String>,
    pub throughput: Option<Throughput>,
    pub allocs_per_op: f64,
    pub bytes_per_op: f64,
}

// ----------------------------------------------------------------------------------------------
// The command.

/// Chapters that can be benched: `code/benches/*.rs` but the allocation pass, sorted.
pub fn chapters(repo: &Repo) -> Result<Vec<String>> {
    let dir = repo.root.join("code/benches");
    let entries = fs::read_dir(&dir)
        .map_err(|e| fail(format!("cannot list {}: {e}", repo.show(&dir))))?;
    let mut names: Vec<String> = entries
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            if path.extension()? != "rs" {
                return None;
            }
            Some(path.file_stem()?.to_str()?.to_string())
        })
        .filter(|name| name != ALLOCATIONS_BENCH)
        .collect();
    names.sort();
    Ok(names)
}

pub fn run(repo: &Repo, run: Run, chapters: &[String]) -> Result {
    let quick = run.quick();
    let target = repo.target_dir()?;
    let criterion_dir = criterion_home(&target);
    // One stamp for the whole run, taken before anything is written (results/ would make the
    // tree dirty).
    let machine = machine(repo);
    let (commit, dirty) = git_state(repo);
    let mode = if quick { Mode::Quick } else { Mode::Full };
    let build = crate::profile::build(repo, "bench");
    for chapter in chapters {
        let date = iso8601_utc(SystemTime::now());
        let start = SystemTime::now();
        // The tables need criterion's estimates, not its plots. With plots, the Benchmarking
        // chapter alone took 3 min 20 s here; without, all eight chapters measured so far took
        // 9 min 30 s. `cargo bench` run by hand still draws them for the HTML report.
        let mut flags: Vec<&str> = vec!["--noplot"];
        if quick {
            flags.extend(QUICK_FLAGS);
        }
        println!("\n=== {chapter}: timing (cargo bench --bench {chapter}) ===");
        run_status(
            &mut criterion_bench(repo, chapter, &flags),
            &format!("cargo bench --bench {chapter}"),
        )?;

        println!("\n=== {chapter}: allocations (cargo bench --bench allocations) ===");
        let out = target.join(format!("xtask/allocs-{chapter}.json"));
        let allocs = allocation_pass(repo, chapter, &out)?;
        if allocs.is_none() {
            eprintln!(
                "warning: {chapter} is not in the allocation registry (workshop::CHAPTERS): \
                 its tables show no allocations"
            );
        }

        let timed = read_criterion(&criterion_dir, chapter, start)?;
        if timed.is_empty() {
            return Err(fail(format!(
                "no criterion results for {chapter} under {} written by this run",
                criterion_dir.display()
            )));
        }
        let (floor_ns, timed) = split_floor(timed);
        if floor_ns.is_none() {
            eprintln!(
                "warning: {chapter}: no {FLOOR_GROUP}/{FLOOR_CASE} case in this run (does its \
                 bench use workshop::measure::CriterionRunner?): no row can be checked against \
                 the floor"
            );
        }
        let groups = join(chapter, allocs.as_deref(), &timed);
        for group in &groups {
            for case in group.cases.iter().filter(|c| c.time_ns.is_none()) {
                eprintln!("warning: {}: no time from criterion", case.id);
            }
        }
        let results = Results {
            chapter: chapter.clone(),
            mode,
            command: format!(
                "cargo xtask bench {}{chapter}",
                if quick { "--quick " } else { "" }
            ),
            machine: machine.clone(),
            date,
            commit: commit.clone(),
            dirty,
            build: Some(build.clone()),
            floor_ns,
            groups,
        };
        if run == Run::Trial {
            let dir = trial_dir(&target);
            let path = dir.join(format!("{chapter}.json"));
            write_json(&path, &results)?;
            let tables = render::render_chapter(&results);
            let md = dir.join(format!("{chapter}.md"));
            fs::write(&md, &tables)
                .map_err(|e| fail(format!("cannot write {}: {e}", md.display())))?;
            println!("\n=== {chapter}: tables of this quick run ===\n");
            println!("{}", render::for_terminal(&tables));
            println!(
                "quick run: kept in {} and {}; results/ and src/generated/ are unchanged \
                 (`--quick --write` would update them, a full run does)",
                repo.show(&path),
                repo.show(&md)
            );
            continue;
        }
        let path = repo.root.join(format!("results/{chapter}.json"));
        write_json(&path, &results)?;
        println!("wrote {}", repo.show(&path));
        render::render_chapter_file(repo, &results)?;
    }
    if run == Run::Trial {
        return Ok(());
    }
    render::render_index(repo)
}

/// Where criterion writes: `$CRITERION_HOME`, else `<target>/criterion` (criterion's own rule).
pub fn criterion_home(target: &Path) -> PathBuf {
    std::env::var_os("CRITERION_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("criterion"))
}

/// `cargo bench -p workshop --bench <chapter> -- <flags>`.
pub fn criterion_bench(repo: &Repo, chapter: &str, flags: &[&str]) -> Command {
    let mut command = repo.cargo();
    command
        .args(["bench", "-p", "workshop", "--bench", chapter, "--"])
        .args(flags);
    command
}

/// `cargo bench --bench allocations --`: the allocation pass, to which arguments are added.
pub fn allocations_bench(repo: &Repo) -> Command {
    let mut command = repo.cargo();
    command.args([
        "bench",
        "-p",
        "workshop",
        "--bench",
        ALLOCATIONS_BENCH,
        "--",
    ]);
    command
}

/// Runs the allocation pass for one chapter; None if the chapter has no cases in the registry
/// (the pass exits 2 and says so).
pub fn allocation_pass(
    repo: &Repo,
    chapter: &str,
    out: &Path,
) -> Result<Option<Vec<AllocRecord>>> {
    if let Some(dir) = out.parent() {
        fs::create_dir_all(dir)
            .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    }
    let _ = fs::remove_file(out);
    let status = allocations_bench(repo)
        .arg("--chapter")
        .arg(chapter)
        .arg("--out")
        .arg(out)
        .status()
        .map_err(|e| fail(format!("cannot run the allocation pass: {e}")))?;
    match status.code() {
        Some(0) => {}
        Some(2) => return Ok(None),
        _ => {
            return Err(fail(format!(
                "the allocation pass for {chapter} failed ({status})"
            )));
        }
    }
    let text = fs::read_to_string(out)
        .map_err(|e| fail(format!("cannot read {}: {e}", out.display())))?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| fail(format!("{}: {e}", out.display())))
}

pub fn write_json(path: &Path, value: &impl Serialize) -> Result {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)
            .map_err(|e| fail(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut json = serde_json::to_string_pretty(value)
        .map_err(|e| fail(format!("cannot serialize {}: {e}", path.display())))?;
    json.push('\n');
    fs::write(path, json)
        .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))
}

// ----------------------------------------------------------------------------------------------
// Criterion's files.

/// One benchmark as criterion saved it.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    pub id: String,
    /// Group within the chapter.
    pub group: String,
    pub case: String,
    pub param: Option<String>,
    pub throughput: Option<Throughput>,
    pub time: TimeNs,
    pub written: SystemTime,
}

/// `new/benchmark.json`: who the benchmark is.
#[derive(Deserialize)]
struct BenchmarkJson {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
    full_id: String,
    throughput: Option<serde_json::Value>,
}

/// `new/estimates.json`: what it measured.
#[derive(Deserialize)]
struct EstimatesJson {
    mean: EstimateJson,
    median: EstimateJson,
    /// Present for linear sampling (the default), absent for `slow()` groups (flat sampling).
    slope: Option<EstimateJson>,
}

#[derive(Deserialize)]
struct EstimateJson {
    point_estimate: f64,
    confidence_interval: IntervalJson,
}

#[derive(Deserialize)]
struct IntervalJson {
    lower_bound: f64,
    upper_bound: f64,
}

/// Every benchmark of `chapter` that criterion saved under `dir` since `since` (older files are
/// results of earlier runs, maybe of cases that no longer exist), in the order they were written.
pub fn read_criterion(
    dir: &Path,
    chapter: &str,
    since: SystemTime,
) -> Result<Vec<Timed>> {
    let prefix = format!("{chapter}/");
    let mut found = Vec::new();
    if !dir.is_dir() {
        return Ok(found);
    }
    for file in crate::book::files_with_extension(dir, "json")? {
        let is_new = file
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|d| d == "new");
        if !is_new || file.file_name().is_none_or(|f| f != "benchmark.json") {
            continue;
        }
        let written = fs::metadata(&file)
            .and_then(|m| m.modified())
            .map_err(|e| fail(format!("{}: {e}", file.display())))?;
        if written < since {
            continue;
        }
        let benchmark: BenchmarkJson = read_json(&file)?;
        if !benchmark.full_id.starts_with(&prefix) {
            continue;
        }
        let estimates: EstimatesJson = read_json(&file.with_file_name("estimates.json"))?;
        found.push(timed(&prefix, benchmark, estimates, written));
    }
    found.sort_by_key(|t| t.written);
    Ok(found)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path)
        .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| fail(format!("{}: {e}", path.display())))
}

fn timed(prefix: &str, b: BenchmarkJson, e: EstimatesJson, written: SystemTime) -> Timed {
    // `BenchmarkId::from_parameter(name)` (a case without a parameter) has no function id: the
    // case name is the value. `BenchmarkId::new(name, param)` has both.
    // A plain `bench_function("chapter/group/case", …)` has neither: its whole id is the "group",
    // so split it as the workshop's ids are split.
    let group = b.group_id.strip_prefix(prefix).unwrap_or(&b.group_id);
    let (group, case, param) = match (b.function_id, b.value_str) {
        (Some(function), value) => (group.to_string(), function, value),
        (None, Some(value)) => (group.to_string(), value, None),
        (None, None) => match group.split_once('/') {
            Some((group, case)) => (group.to_string(), case.to_string(), None),
            None => (group.to_string(), group.to_string(), None),
        },
    };
    // Criterion's own `time:` line shows the slope of time against iterations when it has one, and
    // the mean otherwise: report the same figure, so that a reader's terminal matches the book.
    let main = e.slope.as_ref().unwrap_or(&e.mean);
    let time = TimeNs {
        estimate: main.point_estimate,
        lower: main.confidence_interval.lower_bound,
        upper: main.confidence_interval.upper_bound,
        median: e.median.point_estimate,
    };
    Timed {
        group,
        id: b.full_id,
        case,
        param,
        throughput: b.throughput.as_ref().and_then(criterion_throughput),
        time,
        written,
    }
}

/// Takes the empty case out of a run's benchmarks: it is the floor the others are read against,
/// not a row of any table.
pub fn split_floor(timed: Vec<Timed>) -> (Option<TimeNs>, Vec<Timed>) {
    let (floor, rest): (Vec<Timed>, Vec<Timed>) = timed
        .into_iter()
        .partition(|t| t.group == FLOOR_GROUP && t.case == FLOOR_CASE);
    (floor.last().map(|t| t.time), rest)
}

/// Criterion serializes its `Throughput` as `{"Bytes": n}` / `{"Elements": n}` (and a few others
/// the workshop crate never declares).
fn criterion_throughput(value: &serde_json::Value) -> Option<Throughput> {
    let object = value.as_object()?;
    if let Some(n) = object.get("Bytes").and_then(|v| v.as_u64()) {
        return Some(Throughput::Bytes(n));
    }
    object
        .get("Elements")
        .and_then(|v| v.as_u64())
        .map(Throughput::Elements)
}

/// Joins times and allocations on the case id. Order: the allocation pass's (the declaration
/// order of the chapter's `cases`), then cases only criterion knows, in the order it ran them.
pub fn join(
    chapter: &str,
    allocs: Option<&[AllocRecord]>,
    timed: &[Timed],
) -> Vec<GroupResult> {
    let prefix = format!("{chapter}/");
    let by_id: HashMap<&str, &Timed> = timed.iter().map(|t| (t.id.as_str(), t)).collect();
    let mut cases: Vec<(String, CaseResult)> = Vec::new();
    for record in allocs.unwrap_or_default() {
        let time = by_id.get(record.id.as_str());
        cases.push((
            record
                .group
                .strip_prefix(&prefix)
                .unwrap_or(&record.group)
                .to_string(),
            CaseResult {
                id: record.id.clone(),
                case: record.case.clone(),
                param: record.param.clone(),
                time_ns: time.map(|t| t.time),
                throughput: record.throughput.or(time.and_then(|t| t.throughput)),
                allocs_per_op: Some(record.allocs_per_op),
                bytes_per_op: Some(record.bytes_per_op),
            },
        ));
    }
    for t in timed {
        if cases.iter().any(|(_, c)| c.id == t.id) {
            continue;
        }
        cases.push((
            t.group.clone(),
            CaseResult {
                id: t.id.clone(),
                case: t.case.clone(),
                param: t.param.clone(),
                time_ns: Some(t.time),
                throughput: t.throughput,
                allocs_per_op: None,
                bytes_per_op: None,
            },
        ));
    }

    let mut groups: Vec<GroupResult> = Vec::new();
    for (group, case) in cases {
        match groups.iter_mut().find(|g| g.name == group) {
            Some(g) => g.cases.push(case),
            None => groups.push(GroupResult {
                name: group,
                baseline: case.case.clone(),
                cases: vec![case],
            }),
        }
    }
    groups
}

// ----------------------------------------------------------------------------------------------
// The stamp.

pub(crate) fn machine(repo: &Repo) -> Machine {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let (physical_cores, threads_per_core) = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| topology(&info))
        .unzip();
    let rustc = output_line(Command::new("rustc").arg("-V").current_dir(&repo.root))
        .unwrap_or_else(|| "rustc (unknown version)".to_string());
    let distro = fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| os_release_name(&text))
        .unwrap_or_else(|| std::env::consts::OS.to_string());
    let os = match fs::read_to_string("/proc/sys/kernel/osrelease") {
        Ok(kernel) => format!("{distro}, Linux {}", kernel.trim()),
        Err(_) => distro,
    };
    Machine {
        cpu,
        cores,
        physical_cores,
        threads_per_core,
        rustc,
        os,
        caches: cache_levels(),
    }
}

/// `(physical cores, threads per core)` from /proc/cpuinfo: logical CPUs are its `processor`
/// entries, physical cores its distinct (`physical id`, `core id`) pairs. None when the file
/// lacks core ids (some VMs and architectures).
fn topology(cpuinfo: &str) -> Option<(usize, usize)> {
    let mut logical = 0;
    let mut cores = std::collections::BTreeSet::new();
    for block in cpuinfo.split("\n\n").filter(|b| b.contains("processor")) {
        logical += 1;
        let field = |name: &str| {
            block
                .lines()
                .find(|l| l.split(':').next().is_some_and(|k| k.trim() == name))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        };
        cores.insert((field("physical id")?, field("core id")?));
    }
    (logical > 0 && !cores.is_empty()).then(|| (cores.len(), logical / cores.len()))
}

/// `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"` → `Debian GNU/Linux 12 (bookworm)`.
fn os_release_name(text: &str) -> Option<String> {
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))?
        .trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    (!value.is_empty()).then(|| value.to_string())
}

/// Short commit and whether the tree has uncommitted changes; "unknown" outside git.
pub(crate) fn git_state(repo: &Repo) -> (String, bool) {
    let commit = output_line(
        Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .current_dir(&repo.root),
    )
    .unwrap_or_else(|| "unknown".to_string());
    let dirty = Command::new("git")
        .args(["status", "--porcelain"])
        .current_dir(&repo.root)
        .output()
        .is_ok_and(|o| !o.status.success() || !o.stdout.is_empty());
    (commit, dirty)
}

fn output_line(command: &mut Command) -> Option<String> {
    let output = command.output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().next()?.trim();
    (!line.is_empty()).then(|| line.to_string())
}

/// `2026-11-27T21:39:51Z`, from the system clock, without a date crate.
pub fn iso8601_utc(time: SystemTime) -> String {
    let secs = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn dates() {
        let at = |secs| iso8601_utc(SystemTime::UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_709_251_199), "2024-02-29T23:59:59Z");
        assert_eq!(at(1_735_689_600), "2025-01-01T00:00:00Z");
        assert_eq!(at(4_107_542_400), "2100-03-01T00:00:00Z");
    }

    #[test]
    fn cpu_topology() {
        let cpu = |n: u32, core: u32| {
            format!(
                "processor\t: {n}\nmodel name\t: X\nphysical id\t: 0\ncore id\t\t: {core}\n"
            )
        };
        let smt = [cpu(0, 0), cpu(1, 0), cpu(2, 1), cpu(3, 1)].join("\n");
        assert_eq!(topology(&smt), Some((2, 2)));
        let plain = [cpu(0, 0), cpu(1, 1)].join("\n");
        assert_eq!(topology(&plain), Some((2, 1)));
        assert_eq!(topology("processor\t: 0\nmodel name\t: X\n"), None);
    }

    #[test]
    fn floor_factor_matches_the_workshop_crate() {
        let measure = include_str!("../../code/src/measure.rs");
        assert!(
            measure.contains(&format!("pub const FLOOR_FACTOR: f64 = {FLOOR_FACTOR:?};")),
            "code/src/measure.rs and xtask disagree on FLOOR_FACTOR"
        );
        assert!(
            measure
                .contains(&format!("pub const FLOOR_GROUP: &str = \"{FLOOR_GROUP}\";"))
        );
        assert!(
            measure.contains(&format!("pub const FLOOR_CASE: &str = \"{FLOOR_CASE}\";"))
        );
    }

    #[test]
    fn the_floor_is_not_a_row() {
        let timed = vec![
            time("floor", "empty", None, 0.3, 1),
            time("g", "a", None, 5.0, 2),
        ];
        let (floor, rest) = split_floor(timed);
        assert_eq!(floor.map(|f| f.estimate), Some(0.3));
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].case, "a");
    }

    #[test]
    fn os_name() {
        let text =
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n";
        assert_eq!(
            os_release_name(text).as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(os_release_name("NAME=x\n"), None);
    }

    fn benchmark(group: &str, function: Option<&str>, value: &str) -> BenchmarkJson {
        let full_id = match function {
            Some(f) => format!("{group}/{f}/{value}"),
            None => format!("{group}/{value}"),
        };
        BenchmarkJson {
            group_id: group.into(),
            function_id: function.map(Into::into),
            value_str: Some(value.into()),
            full_id,
            throughput: Some(serde_json::json!({"Bytes": 512})),
        }
    }

    fn estimates(mean: f64) -> EstimatesJson {
        let e = |v: f64| EstimateJson {
            point_estimate: v,
            confidence_interval: IntervalJson {
                lower_bound: v * 0.99,
                upper_bound: v * 1.01,
            },
        };
        EstimatesJson {
            mean: e(mean),
            median: e(mean * 0.98),
            slope: None,
        }
    }

    #[test]
    fn slope_is_reported_when_criterion_has_one() {
        let mut e = estimates(100.0);
        e.slope = Some(EstimateJson {
            point_estimate: 90.0,
            confidence_interval: IntervalJson {
                lower_bound: 89.0,
                upper_bound: 91.0,
            },
        });
        let t = timed(
            "benchmarking/",
            benchmark("benchmarking/ignore_case", Some("to_lowercase"), "short"),
            e,
            SystemTime::UNIX_EPOCH,
        );
        assert_eq!(
            (t.time.estimate, t.time.lower, t.time.upper),
            (90.0, 89.0, 91.0)
        );
        assert_eq!(t.time.median, 98.0);
    }

    #[test]
    fn criterion_ids_to_cases() {
        let p = "benchmarking/";
        let t = timed(
            p,
            benchmark("benchmarking/ignore_case", Some("to_lowercase"), "short"),
            estimates(100.0),
            SystemTime::UNIX_EPOCH,
        );
        assert_eq!(t.id, "benchmarking/ignore_case/to_lowercase/short");
        assert_eq!(
            (t.group.as_str(), t.case.as_str(), t.param.as_deref()),
            ("ignore_case", "to_lowercase", Some("short"))
        );
        assert_eq!(t.throughput, Some(Throughput::Bytes(512)));
        assert_eq!(t.time.estimate, 100.0);
        assert_eq!(t.time.median, 98.0);

        let t = timed(
            p,
            benchmark("benchmarking/black_box", None, "constant_inputs"),
            estimates(1.0),
            SystemTime::UNIX_EPOCH,
        );
        assert_eq!(t.id, "benchmarking/black_box/constant_inputs");
        assert_eq!((t.case.as_str(), t.param), ("constant_inputs", None));

        // `c.bench_function("benchmarking/seed/begins_with", …)`, outside the case list.
        let plain = BenchmarkJson {
            group_id: "benchmarking/seed/begins_with".into(),
            function_id: None,
            value_str: None,
            full_id: "benchmarking/seed/begins_with".into(),
            throughput: None,
        };
        let t = timed(p, plain, estimates(1.0), SystemTime::UNIX_EPOCH);
        assert_eq!(
            (t.group.as_str(), t.case.as_str(), t.param, t.throughput),
            ("seed", "begins_with", None, None)
        );
    }

    fn record(group: &str, case: &str, param: Option<&str>, allocs: f64) -> AllocRecord {
        let id = match param {
            Some(p) => format!("ch/{group}/{case}/{p}"),
            None => format!("ch/{group}/{case}"),
        };
        AllocRecord {
            id,
            group: format!("ch/{group}"),
            case: case.into(),
            param: param.map(Into::into),
            throughput: None,
            allocs_per_op: allocs,
            bytes_per_op: allocs * 8.0,
        }
    }

    fn time(group: &str, case: &str, param: Option<&str>, ns: f64, at: u64) -> Timed {
        let id = match param {
            Some(p) => format!("ch/{group}/{case}/{p}"),
            None => format!("ch/{group}/{case}"),
        };
        Timed {
            id,
            group: group.into(),
            case: case.into(),
            param: param.map(Into::into),
            throughput: Some(Throughput::Elements(3)),
            time: TimeNs {
                estimate: ns,
                lower: ns,
                upper: ns,
                median: ns,
            },
            written: SystemTime::UNIX_EPOCH + Duration::from_secs(at),
        }
    }

    #[test]
    fn joining_keeps_declaration_order() {
        let allocs = [
            record("g", "slow", Some("a"), 2.0),
            record("g", "fast", Some("a"), 0.0),
            record("h", "only", None, 1.0),
        ];
        // Criterion's order differs, and it knows a case the allocation pass does not.
        let timed = [
            time("h", "only", None, 5.0, 1),
            time("g", "fast", Some("a"), 1.0, 2),
            time("g", "slow", Some("a"), 9.0, 3),
            time("g", "extra", None, 7.0, 4),
        ];
        let groups = join("ch", Some(&allocs), &timed);
        let shape: Vec<(&str, &str, Vec<&str>)> = groups
            .iter()
            .map(|g| {
                (
                    g.name.as_str(),
                    g.baseline.as_str(),
                    g.cases.iter().map(|c| c.id.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (
                    "g",
                    "slow",
                    vec!["ch/g/slow/a", "ch/g/fast/a", "ch/g/extra"]
                ),
                ("h", "only", vec!["ch/h/only"]),
            ]
        );
        let slow = &groups[0].cases[0];
        assert_eq!(slow.time_ns.map(|t| t.estimate), Some(9.0));
        assert_eq!(slow.allocs_per_op, Some(2.0));
        assert_eq!(slow.throughput, Some(Throughput::Elements(3)));
        assert_eq!(groups[0].cases[2].allocs_per_op, None);

        // Without an allocation pass: criterion's order, no allocation figures.
        let groups = join("ch", None, &timed);
        assert_eq!(groups[0].name, "h");
        assert_eq!(groups[1].baseline, "fast");
        assert!(
            groups
                .iter()
                .flat_map(|g| &g.cases)
                .all(|c| c.bytes_per_op.is_none())
        );
    }
}
