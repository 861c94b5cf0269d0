//! The Where values live chapter's heap profile: the word count example
//! (`code/examples/heap_profile.rs`) run under dhat in both versions; the files opened in DHAT's
//! viewer (valgrind's `dh_view.html`) in headless Chromium for the screenshot; totals and the
//! top allocation sites read from the same files for the tables.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use headless_chrome::protocol::cdp::Page;
use headless_chrome::{Browser, LaunchOptions};
use serde::{Deserialize, Serialize};

use super::Stamp;
use crate::browser::{CHROMIUM, CHROMIUM_FLAGS};
use crate::render::count;
use crate::{Repo, Result, fail};

const NAME: &str = "dhat_view";
const VERSIONS: [&str; 2] = ["to-lowercase-each", "reused-buffer"];
const WORDS: &str = "100000";
/// Debian's valgrind package ships the viewer here.
const DH_VIEW: &str = "/usr/libexec/valgrind/dh_view.html";

#[derive(Serialize)]
struct DhatResults {
    stamp: Stamp,
    words: u64,
    runs: Vec<RunSummary>,
}

#[derive(Serialize)]
struct RunSummary {
    version: String,
    total_bytes: u64,
    total_blocks: u64,
    peak_bytes: u64,
    peak_blocks: u64,
    /// Allocation sites by number of blocks, most first.
    sites: Vec<Site>,
}

#[derive(Serialize)]
struct Site {
    /// The allocating call (the frame just below the first frame in the workshop crate).
    call: String,
    /// The workshop function that made it.
    caller: String,
    bytes: u64,
    blocks: u64,
}

/// The parts of dhat's file format (`dhatFileVersion` 2) that the tables need.
#[derive(Deserialize)]
struct DhatFile {
    pps: Vec<ProgramPoint>,
    ftbl: Vec<String>,
}

#[derive(Deserialize)]
struct ProgramPoint {
    /// Total bytes and blocks allocated here.
    tb: u64,
    tbk: u64,
    /// Bytes and blocks live here at the global peak (t-gmax).
    gb: u64,
    gbk: u64,
    /// Call stack, innermost first, as indices into `ftbl`.
    fs: Vec<usize>,
}

pub fn run(repo: &Repo, stamp: &Stamp) -> Result {
    if !Path::new(DH_VIEW).is_file() {
        return Err(fail(format!(
            "{DH_VIEW} not found: install Debian's valgrind package (it ships DHAT's viewer)"
        )));
    }
    // The bench profile: optimized like release, with the debug info dhat needs to name
    // inlined frames and lines.
    let mut cargo = repo.cargo();
    cargo.args([
        "build",
        "--profile",
        "bench",
        "-p",
        "workshop",
        "--example",
        "heap_profile",
    ]);
    crate::run_status(&mut cargo, "cargo build --example heap_profile")?;
    let target = repo.target_dir()?;
    let program = target.join("release/examples/heap_profile");
    let out_dir = target.join("xtask");
    let mut runs = Vec::new();
    let mut files = Vec::new();
    for version in VERSIONS {
        let file = out_dir.join(format!("dhat-heap-{version}.json"));
        super::output(
            std::process::Command::new(&program)
                .args([version, "--words", WORDS, "--out"])
                .arg(&file),
            &format!("heap_profile {version}"),
        )?;
        let parsed: DhatFile = serde_json::from_str(&super::read(&file)?)
            .map_err(|e| fail(format!("{}: {e}", file.display())))?;
        runs.push(summary(version, &parsed));
        files.push(file);
    }
    screenshot(&files[0], &repo.root.join("src/figures/dhat-view.png"))?;
    println!("wrote src/figures/dhat-view.png");
    let results = DhatResults {
        stamp: stamp.clone(),
        words: WORDS.parse().unwrap_or(0),
        runs,
    };
    super::write_results(repo, NAME, &results)?;
    super::write_generated(repo, NAME, &render(&results))
}

fn summary(version: &str, file: &DhatFile) -> RunSummary {
    let mut sites: Vec<Site> = file
        .pps
        .iter()
        .map(|pp| {
            let frames: Vec<&str> =
                pp.fs.iter().map(|&i| frame_name(&file.ftbl[i])).collect();
            let ours = frames.iter().position(|f| {
                f.starts_with("workshop::") || f.starts_with("heap_profile::")
            });
            let (call, caller) = match ours {
                Some(0) => (frames[0].to_string(), frames[0].to_string()),
                Some(i) => (frames[i - 1].to_string(), frames[i].to_string()),
                // Allocations outside the workshop crate: the standard library's own
                // (stdout's buffer, for one).
                None => (
                    frames
                        .iter()
                        .rev()
                        .find(|f| f.starts_with('<') || f.contains("::"))
                        .map_or("(unknown)", |f| f)
                        .to_string(),
                    "(runtime)".to_string(),
                ),
            };
            Site {
                call,
                caller,
                bytes: pp.tb,
                blocks: pp.tbk,
            }
        })
        .collect();
    sites.sort_by(|a, b| b.blocks.cmp(&a.blocks).then(b.bytes.cmp(&a.bytes)));
    RunSummary {
        version: version.to_string(),
        total_bytes: file.pps.iter().map(|p| p.tb).sum(),
        total_blocks: file.pps.iter().map(|p| p.tbk).sum(),
        peak_bytes: file.pps.iter().map(|p| p.gb).sum(),
        peak_blocks: file.pps.iter().map(|p| p.gbk).sum(),
        sites,
    }
}

/// `0x55a4abd45cfa: <str>::to_lowercase (alloc/src/str.rs:381:29)` → `<str>::to_lowercase`.
fn frame_name(frame: &str) -> &str {
    let name = frame.split_once(": ").map_or(frame, |(_, rest)| rest);
    name.rsplit_once(" (").map_or(name, |(n, _)| n)
}

fn render(r: &DhatResults) -> String {
    let mut totals = String::from(
        "| version | allocations (blocks) | bytes allocated | live at the peak: blocks | bytes |\n\
         | :-- | --: | --: | --: | --: |\n",
    );
    for run in &r.runs {
        totals.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            run.version,
            count(run.total_blocks as f64),
            count(run.total_bytes as f64),
            count(run.peak_blocks as f64),
            count(run.peak_bytes as f64)
        ));
    }
    let mut sites = String::from(
        "| allocating call | called from | blocks | bytes |\n| :-- | :-- | --: | --: |\n",
    );
    for site in &r.runs[0].sites {
        sites.push_str(&format!(
            "| `{}` | `{}` | {} | {} |\n",
            site.call,
            site.caller,
            count(site.blocks as f64),
            count(site.bytes as f64)
        ));
    }
    format!(
        "<!-- Generated by `cargo xtask figures {NAME}` from dhat's files; stored in \
         results/figures/{NAME}.json. Do not edit. -->\n{}\n{}",
        super::anchored("totals", &totals, &r.stamp),
        super::anchored("sites", &sites, &r.stamp)
    )
}

/// Opens the viewer, loads the file through its (hidden) file input as a reader's "Load…"
/// button would, and photographs the result.
fn screenshot(file: &Path, png: &Path) -> Result {
    let profile = file.with_extension("chromium-profile");
    let options = LaunchOptions {
        headless: true,
        sandbox: false,
        enable_gpu: false,
        window_size: Some((1000, 960)),
        path: Some(PathBuf::from(CHROMIUM)),
        user_data_dir: Some(profile),
        args: CHROMIUM_FLAGS.iter().map(OsStr::new).collect(),
        ..LaunchOptions::default()
    };
    let browser = Browser::new(options)
        .map_err(|e| fail(format!("cannot start {CHROMIUM}: {e}")))?;
    let step =
        |what: &str, e: &dyn std::fmt::Display| fail(format!("dh_view: {what}: {e}"));
    let tab = browser.new_tab().map_err(|e| step("new tab", &e))?;
    tab.navigate_to(&format!("file://{DH_VIEW}"))
        .and_then(|t| t.wait_until_navigated())
        .map_err(|e| step("loading the viewer", &e))?;
    let path = file.to_string_lossy();
    tab.wait_for_element("input[type=file]")
        .and_then(|input| input.set_input_files(&[&path]).map(|_| ()))
        .map_err(|e| step("loading the file", &e))?;
    // The tree is drawn once the file is parsed: its nodes are spans, the innermost "leaf".
    tab.wait_for_element_with_custom_timeout("span.leaf", Duration::from_secs(20))
        .map_err(|e| step("waiting for the tree", &e))?;
    std::thread::sleep(Duration::from_millis(300));
    let data = tab
        .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
        .map_err(|e| step("screenshot", &e))?;
    super::write_bytes(png, &data)
}
