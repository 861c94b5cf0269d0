//! The Run button's other half: a local HTTP runner that compiles and runs a book block.
//!
//! `cargo xtask serve` starts it on 127.0.0.1 beside `mdbook serve`; `theme/run.js` asks it which
//! blocks of a page run (`POST /plan`) and runs one (`POST /run`). Which blocks run, and how a
//! block becomes a program, is decided by the snippet harness's own code (`tests/src/expand.rs`,
//! included below as `tests/build.rs` includes it): the page cannot offer a block the harness
//! does not run, nor build it differently. A program is compiled with `rustc` against the rlibs
//! of the workshop crate and its dependencies that `cargo test --workspace` built, found from
//! cargo's own JSON messages, so a run takes seconds.
//!
//! The runner executes code on the reader's machine, so every request must:
//! - carry a `Host` of `127.0.0.1:<port>` or `localhost:<port>` (no DNS rebinding),
//! - come from the book's origin (`Origin: http://127.0.0.1:<book port>`), which a browser sets
//!   and a page cannot change,
//! - be a POST with a `Content-Length` of at most [`Limits::body`] bytes, arriving within
//!   [`REQUEST_TIME`],
//! - carry the per-serve token of the served book (`runner.json`, which the page fetches: a
//!   page of another origin cannot read it, as it is not a script; one that rebinds its DNS
//!   name to 127.0.0.1 can, but then its requests carry its own Origin and are refused),
//! - come from the user who started the runner (on Linux, the connecting socket's owner in
//!   `/proc/net/tcp`): another user's programs can read the served token and forge headers.
//!
//! Each run is queued behind the one before (one at a time: the machine this book is measured on
//! has 2 cores), compiled and executed in a scratch directory that is removed afterwards, in its
//! own process group that is killed when it ends, with a wall-time and an output limit.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{Repo, Result, fail};

// The harness's code, compiled in as `tests/build.rs` compiles it; xtask uses a part of it.
#[allow(dead_code)]
#[path = "../../tests/src/expand.rs"]
mod expand;

/// Limits of one request and one run.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body: a block of the book is a few KiB.
    pub body: usize,
    /// Wall time of compiling one block.
    pub compile: Duration,
    /// Wall time of running one block: the harness's blocks end in well under a second here.
    pub run: Duration,
    /// Output kept from compiling or running one block.
    pub output: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            body: 256 * 1024,
            compile: Duration::from_secs(120),
            run: Duration::from_secs(10),
            output: 256 * 1024,
        }
    }
}

/// Everything a runner needs; `rustc_args` come from [`rustc_args`] (or are empty for blocks
/// that use only std, as in the tests).
pub struct Config {
    /// The book's `src/`.
    pub src: PathBuf,
    /// The port of the served book: the only origin whose pages may use the runner.
    pub book_port: u16,
    pub token: String,
    /// Where each run gets its scratch directory.
    pub scratch: PathBuf,
    pub limits: Limits,
    /// `--edition`, `-L` and `--extern` arguments; `None` while they are being prepared.
    pub rustc_args: RustcArgs,
}

/// [`rustc_args`]' answer, shared with the thread that prepares it.
pub type RustcArgs = Arc<Mutex<Option<std::result::Result<Vec<OsString>, String>>>>;

/// A running runner: its port, and what it shares with its threads.
pub struct Runner {
    pub port: u16,
    shared: Arc<Shared>,
}

impl Runner {
    /// Runs started (compiled or not) since the runner started.
    pub fn runs(&self) -> u64 {
        self.shared.runs.load(Ordering::Relaxed)
    }
}

/// Connections served at once; more are answered 503 at once. A page makes one or two.
const MAX_CONNECTIONS: usize = 16;

/// Binds 127.0.0.1:`port` (0: any free port) and serves in background threads.
pub fn start(config: Config, port: u16) -> Result<Runner> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| fail(format!("runner: cannot listen on 127.0.0.1:{port}: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| fail(format!("runner: {e}")))?
        .port();
    fs::create_dir_all(&config.scratch).map_err(|e| {
        fail(format!(
            "runner: cannot create {}: {e}",
            config.scratch.display()
        ))
    })?;
    let shared = Arc::new(Shared {
        config,
        port,
        queue: Mutex::new(()),
        runs: AtomicU64::new(0),
        open: AtomicUsize::new(0),
    });
    let accepting = Arc::clone(&shared);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else {
                // Out of file descriptors, say: do not spin.
                thread::sleep(Duration::from_millis(50));
                continue;
            };
            if accepting.open.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                accepting.open.fetch_sub(1, Ordering::SeqCst);
                let _ = stream.write_all(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                continue;
            }
            let shared = Arc::clone(&accepting);
            thread::spawn(move || {
                shared.handle(stream);
                shared.open.fetch_sub(1, Ordering::SeqCst);
            });
        }
    });
    Ok(Runner { port, shared })
}

/// A fresh secret for one serve: 128 bits from the kernel's generator (read directly: one file,
/// where a crate would add a dependency to xtask for one call).
pub fn new_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| fail(format!("runner: cannot read /dev/urandom: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The file the served book's pages fetch to find the runner (`src/runner.json`, copied into
/// the book by mdBook like any file of `src/`; not in git).
pub fn write_page_config(src: &Path, port: u16, token: &str) -> Result {
    let text = json!({ "port": port, "token": token }).to_string();
    fs::write(src.join(RUNNER_JSON), text)
        .map_err(|e| fail(format!("runner: cannot write src/{RUNNER_JSON}: {e}")))
}

pub const RUNNER_JSON: &str = "runner.json";

/// Cargo's artifact messages for what the README's test command builds (fresh after it ran, so
/// this takes a second).
fn test_build(repo: &Repo) -> std::result::Result<Vec<Value>, String> {
    let output = repo
        .cargo()
        .args([
            "test",
            "--workspace",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo test --no-run: {e}"))?;
    if !output.status.success() {
        return Err(
            "cargo test --workspace --no-run failed (its errors are above)".into(),
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .collect())
}

/// The snippet harness's test executable (`tests/tests/snippets.rs`), as cargo built it.
pub fn harness_executable(repo: &Repo) -> std::result::Result<PathBuf, String> {
    test_build(repo)?
        .iter()
        .find(|m| m["target"]["name"] == "snippets" && m["executable"].is_string())
        .and_then(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo built no snippets test executable".into())
}

/// The start of the names of a chapter's harness tests: skeptic names a test after the copy
/// `tests/build.rs` made of the chapter and the `## line N` heading of its block, as
/// `<chapter>_sect_line_<N>_line_<line in the copy>`.
pub fn harness_test_prefix(src: &Path, chapter: &Path) -> String {
    let relative = chapter.strip_prefix(src).unwrap_or(chapter);
    expand::sanitize_test_name(&expand::copy_stem(relative))
}

/// The `rustc` arguments that let a block use the workshop crate and its dependencies, as the
/// snippet harness's blocks do: builds (or finds fresh) what `cargo test --workspace` builds,
/// and passes the workshop crate and each of its direct dependencies with `--extern`.
pub fn rustc_args(repo: &Repo) -> std::result::Result<Vec<OsString>, String> {
    let output = repo
        .cargo()
        .args(["metadata", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("cargo metadata printed invalid JSON: {e}"))?;
    let packages = metadata["packages"].as_array().cloned().unwrap_or_default();
    let workshop = packages
        .iter()
        .find(|p| p["name"] == "workshop")
        .ok_or("cargo metadata lists no workshop package")?;
    let workshop_id = workshop["id"].as_str().unwrap_or_default().to_owned();
    // The newest edition of the workspace, as skeptic chooses it.
    let edition = packages
        .iter()
        .filter(|p| p["source"].is_null())
        .filter_map(|p| p["edition"].as_str())
        .max()
        .unwrap_or("2021")
        .to_owned();
    // The names a block may use: the workshop crate and its direct dependencies.
    let mut wanted: Vec<(String, String)> =
        vec![("workshop".into(), workshop_id.clone())];
    let nodes = metadata["resolve"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if let Some(node) = nodes.iter().find(|n| n["id"] == workshop_id.as_str()) {
        for dep in node["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null());
            if normal {
                wanted.push((
                    dep["name"].as_str().unwrap_or_default().to_owned(),
                    dep["pkg"].as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
    }

    let mut libs: Vec<(String, PathBuf)> = Vec::new();
    let mut dirs = BTreeSet::new();
    for message in test_build(repo)? {
        let is_lib = message["target"]["kind"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|k| {
                k.as_str()
                    .is_some_and(|k| k.ends_with("lib") || k == "proc-macro")
            });
        if !is_lib {
            continue;
        }
        let id = message["package_id"].as_str().unwrap_or_default();
        for file in message["filenames"].as_array().into_iter().flatten() {
            let Some(file) = file.as_str().map(PathBuf::from) else {
                continue;
            };
            if let Some(dir) = file.parent() {
                dirs.insert(dir.to_path_buf());
            }
            let linkable = file
                .extension()
                .is_some_and(|e| e == "rlib" || e == "so" || e == "dylib");
            if linkable {
                libs.push((id.to_owned(), file));
            }
        }
    }
    let mut args: Vec<OsString> = vec![format!("--edition={edition}").into()];
    for dir in dirs {
        let mut arg = OsString::from("dependency=");
        arg.push(dir);
        args.extend(["-L".into(), arg]);
    }
    for (name, id) in wanted {
        let Some((_, file)) = libs.iter().find(|(lib_id, _)| *lib_id == id) else {
            return Err(format!("cargo built no library for {name} ({id})"));
        };
        let mut arg = OsString::from(format!("{name}="));
        arg.push(file);
        args.extend(["--extern".into(), arg]);
    }
    Ok(args)
}

// ----------------------------------------------------------------------------------------------
// Blocks: what the harness runs, and the program it builds from one.

/// How the harness treats a block, as the page needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageBlock {
    /// `run`, `compile_only`, `ignored` or `compile_fail`.
    pub kind: &'static str,
    /// The block as the page shows it (hidden lines included, without their `# `), so that the
    /// page can check that its n-th rust block is this one.
    pub text: String,
    /// The program's lines as the reader edits them: the block with the rest of its file, when
    /// it shows an excerpt of one (without their `# `).
    pub full: String,
    block: expand::Block,
}

impl PageBlock {
    /// The chapter line its fence is on.
    pub fn line(&self) -> usize {
        self.block.line
    }
}

/// The chapter a page shows: `tools/allocators.html` → `tools/allocators.md`; `index.html` is
/// mdBook's copy of the first chapter of SUMMARY.md.
pub fn chapter_of_page(src: &Path, page: &str) -> Option<PathBuf> {
    let page = page.trim_start_matches('/');
    let stem = page.strip_suffix(".html")?;
    let safe = !stem.is_empty()
        && stem
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if !safe {
        return None;
    }
    let chapter = src.join(format!("{stem}.md"));
    if chapter.is_file() {
        return Some(chapter);
    }
    if stem == "index" {
        let summary = fs::read_to_string(src.join("SUMMARY.md")).ok()?;
        let (_, first) = crate::book::summary_links(&summary).into_iter().next()?;
        return Some(src.join(first));
    }
    None
}

/// The chapter's rust blocks in page order, planned by the harness. Errors are the harness's.
pub fn plan_chapter(
    src: &Path,
    chapter: &Path,
) -> std::result::Result<Vec<PageBlock>, String> {
    let text =
        fs::read_to_string(chapter).map_err(|e| format!("cannot read chapter: {e}"))?;
    let dir = chapter.parent().unwrap_or(src);
    let mut read = |file: &Path| fs::read_to_string(file);
    let expanded =
        expand::expand_includes(&text, dir, &mut read).map_err(|e| e.message.clone())?;
    let blocks = expand::rust_blocks(&expanded).map_err(|e| e.message.clone())?;
    let names = expand::template_names(&templates_text(src, chapter));
    blocks
        .into_iter()
        .map(|block| {
            let kind = match expand::plan_block(&block, &names)? {
                expand::Plan::CompileFail(_) => "compile_fail",
                expand::Plan::Skeptic(planned) => match planned.kind {
                    expand::Kind::Run => "run",
                    expand::Kind::CompileOnly => "compile_only",
                    expand::Kind::Ignored => "ignored",
                    expand::Kind::CompileFail => "compile_fail",
                },
            };
            let on_page = |i: &usize| !block.off_page.get(*i).copied().unwrap_or(false);
            let text = (0..block.body.len())
                .filter(on_page)
                .map(|i| expand::unhide(&block.body[i]))
                .collect::<Vec<_>>()
                .join("\n");
            let full = block
                .body
                .iter()
                .map(|line| expand::unhide(line))
                .collect::<Vec<_>>()
                .join("\n");
            Ok(PageBlock {
                kind,
                text,
                full,
                block,
            })
        })
        .collect()
}

/// The templates a chapter's blocks may use, as `tests/build.rs` gives them to skeptic: the
/// shared ones, then the chapter's own.
fn templates_text(src: &Path, chapter: &Path) -> String {
    let shared = fs::read_to_string(src.join("templates.skt.md")).unwrap_or_default();
    let own_name = format!(
        "{}.skt.md",
        chapter.file_name().unwrap_or_default().to_string_lossy()
    );
    let own = fs::read_to_string(chapter.with_file_name(own_name)).unwrap_or_default();
    format!("{shared}\n{own}")
}

/// The program the harness compiles for `block`, or with its lines replaced by `code` (the
/// reader's edit): the harness's plan, then skeptic's template, whose `{}` is the block and
/// whose `{{`/`}}` are braces (skeptic passes it to `format!`).
pub fn program(
    src: &Path,
    chapter: &Path,
    block: &PageBlock,
    code: Option<&str>,
) -> std::result::Result<String, String> {
    let edited = match code {
        Some(code) => expand::Block {
            body: code.lines().map(str::to_owned).collect(),
            off_page: Vec::new(),
            ..block.block.clone()
        },
        None => block.block.clone(),
    };
    let templates = templates_text(src, chapter);
    let names = expand::template_names(&templates);
    let planned = match expand::plan_block(&edited, &names)? {
        expand::Plan::Skeptic(planned) if planned.kind == expand::Kind::Run => planned,
        _ => return Err("the harness does not run this block".into()),
    };
    let text: String = planned
        .body
        .iter()
        .map(|line| format!("{}\n", expand::unhide(line)))
        .collect();
    let template = expand::info_tokens(&planned.info)
        .into_iter()
        .find_map(|t| t.strip_prefix("skt-"))
        .map(|name| template_body(&templates, name))
        .transpose()?
        .unwrap_or_else(|| "{}".to_owned());
    // Skeptic's generated test starts the template on a new line; so do we, so that rustc's
    // line numbers are the harness's.
    Ok(format!("\n{}", fill_template(&template, &text)))
}

/// The body of the ```` ```rust,skt-NAME ```` block of the templates markdown.
fn template_body(templates: &str, name: &str) -> std::result::Result<String, String> {
    let expanded = expand::Expanded {
        text: templates.to_owned(),
        origin: vec![0; templates.lines().count() + 1],
        off_page: Vec::new(),
    };
    let blocks = expand::rust_blocks(&expanded).map_err(|e| e.message)?;
    blocks
        .iter()
        // The last of a name wins, as in skeptic's map of templates: a chapter's own templates
        // come after the shared ones, so that a chapter can redefine one.
        .rfind(|b| {
            expand::info_tokens(&b.info)
                .iter()
                .any(|t| t.strip_prefix("skt-") == Some(name))
        })
        .map(|b| b.body.iter().map(|l| format!("{l}\n")).collect())
        .ok_or_else(|| format!("template skt-{name} not found"))
}

/// `format!(template, text)` for a template known only at run time.
fn fill_template(template: &str, text: &str) -> String {
    let mut out = String::with_capacity(template.len() + text.len());
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('{', Some('{')) | ('}', Some('}')) => {
                out.push(c);
                chars.next();
            }
            ('{', Some('}')) => {
                out.push_str(text);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

// ----------------------------------------------------------------------------------------------
// HTTP.

struct Shared {
    config: Config,
    port: u16,
    /// Held by the run in progress: the next one waits for it.
    queue: Mutex<()>,
    runs: AtomicU64,
    /// Connections being served.
    open: AtomicUsize,
}

/// A request's head, as far as the runner reads it.
struct Head {
    method: String,
    path: String,
    host: Option<String>,
    origin: Option<String>,
    content_length: Option<usize>,
}

/// An answer given before any output was streamed.
struct Refusal {
    status: u16,
    message: String,
}

fn refuse(status: u16, message: impl Into<String>) -> Refusal {
    Refusal {
        status,
        message: message.into(),
    }
}

/// Longest request head read: the browser's are well under 2 KiB.
const HEAD_LIMIT: usize = 16 * 1024;
/// Longest wait for one read or write of a connection.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest time a request may take to arrive, head and body: a client that sends a byte now
/// and then must not hold a thread.
const REQUEST_TIME: Duration = Duration::from_secs(10);

impl Shared {
    fn handle(&self, stream: TcpStream) {
        let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
        // A page that stops reading must not hold a run past its limit, nor the queue.
        let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
        let Ok(read_half) = stream.try_clone() else {
            return;
        };
        let mut reader = BufReader::new(read_half);
        let mut writer = stream;
        // The origin is echoed to the browser only once checked, so that only the book's pages
        // can read an answer.
        let mut allowed_origin = None;
        if let Err(refusal) = self.respond(&mut reader, &mut writer, &mut allowed_origin)
        {
            let body = format!("{}\n", refusal.message);
            let _ = write!(
                writer,
                "HTTP/1.1 {} {}\r\n{}Content-Type: text/plain; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                refusal.status,
                reason(refusal.status),
                cors_headers(allowed_origin.as_deref()),
                body.len()
            );
        }
        let _ = writer.flush();
    }

    fn respond(
        &self,
        reader: &mut BufReader<TcpStream>,
        writer: &mut TcpStream,
        allowed_origin: &mut Option<String>,
    ) -> std::result::Result<(), Refusal> {
        // The token and the Origin keep out web pages; they do not keep out another user of
        // this machine, whose programs can read the served runner.json and forge any header.
        if !same_user(writer) {
            return Err(refuse(
                403,
                "the runner serves only the user who started it",
            ));
        }
        let deadline = Instant::now() + REQUEST_TIME;
        let head = read_head(reader, deadline)?;
        let port = self.port;
        // 127.0.0.1 only, as the page writes it: `localhost` may resolve to ::1, where another
        // program could listen.
        let host_ok = head.host.as_deref() == Some(&format!("127.0.0.1:{port}"));
        if !host_ok {
            return Err(refuse(
                403,
                format!(
                    "Host {:?} is not this runner (127.0.0.1:{port})",
                    head.host.unwrap_or_default()
                ),
            ));
        }
        let book = self.config.book_port;
        let origin_ok =
            head.origin.as_deref() == Some(&format!("http://127.0.0.1:{book}"));
        if !origin_ok {
            return Err(refuse(
                403,
                format!(
                    "Origin {:?} is not the served book (http://127.0.0.1:{book})",
                    head.origin.unwrap_or_default()
                ),
            ));
        }
        *allowed_origin = head.origin.clone();
        if head.method != "POST" {
            return Err(refuse(
                405,
                format!("{} is not accepted: POST", head.method),
            ));
        }
        let Some(length) = head.content_length else {
            return Err(refuse(411, "a Content-Length is required"));
        };
        if length > self.config.limits.body {
            return Err(refuse(
                413,
                format!(
                    "a body of {length} bytes is over the limit of {} bytes",
                    self.config.limits.body
                ),
            ));
        }
        let mut body = vec![0; length];
        let mut got = 0;
        while got < length {
            if Instant::now() > deadline {
                return Err(refuse(408, "the request took too long to arrive"));
            }
            match reader.read(&mut body[got..]) {
                Ok(0) => return Err(refuse(400, "the body ended early")),
                Ok(n) => got += n,
                Err(e) => return Err(refuse(400, format!("cannot read the body: {e}"))),
            }
        }
        let request: Value = serde_json::from_slice(&body)
            .map_err(|e| refuse(400, format!("the body is not JSON: {e}")))?;
        match request["token"].as_str() {
            None => return Err(refuse(403, "the request carries no token")),
            Some(token) if !same_secret(token, &self.config.token) => {
                return Err(refuse(
                    403,
                    "wrong token: reload the page served by cargo xtask serve",
                ));
            }
            Some(_) => {}
        }
        let page = request["page"].as_str().unwrap_or_default();
        let src = &self.config.src;
        let chapter = chapter_of_page(src, page)
            .ok_or_else(|| refuse(404, format!("no chapter for the page {page:?}")))?;
        let blocks = plan_chapter(src, &chapter).map_err(|e| refuse(500, e))?;
        let origin = allowed_origin.as_deref();
        match head.path.as_str() {
            "/plan" => {
                let list: Vec<Value> = blocks
                    .iter()
                    .map(|b| json!({ "kind": b.kind, "text": b.text, "full": b.full }))
                    .collect();
                let body = json!({
                    "blocks": list,
                    "run_seconds": self.config.limits.run.as_secs(),
                })
                .to_string();
                let _ = write!(
                    writer,
                    "HTTP/1.1 200 OK\r\n{}Content-Type: application/json\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    cors_headers(origin),
                    body.len()
                );
                Ok(())
            }
            "/run" => {
                let index = request["block"].as_u64().unwrap_or(u64::MAX) as usize;
                let block = blocks.get(index).ok_or_else(|| {
                    refuse(404, format!("the page has no rust block {index}"))
                })?;
                let code = request["code"].as_str();
                let program =
                    program(src, &chapter, block, code).map_err(|e| refuse(400, e))?;
                let args = match &*self
                    .config
                    .rustc_args
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                {
                    None => {
                        return Err(refuse(
                            503,
                            "the runner is still building the workshop crate \
                             (cargo test --workspace --no-run): try again in a minute",
                        ));
                    }
                    Some(Err(e)) => return Err(refuse(500, e.clone())),
                    Some(Ok(args)) => args.clone(),
                };
                let _ = write!(
                    writer,
                    "HTTP/1.1 200 OK\r\n{}Content-Type: text/plain; charset=utf-8\r\n\
                     Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\
                     Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                    cors_headers(origin)
                );
                let mut out = Chunked(writer);
                self.run(&program, &args, &mut out);
                let _ = out.0.write_all(b"0\r\n\r\n");
                Ok(())
            }
            other => Err(refuse(404, format!("no such endpoint {other:?}"))),
        }
    }

    /// Compiles and runs one program, streaming what happens to `out`. Errors writing to `out`
    /// (the reader closed the page) stop the run.
    fn run(&self, program: &str, rustc_args: &[OsString], out: &mut Chunked) {
        let _turn = match self.queue.try_lock() {
            Ok(turn) => turn,
            Err(_) => {
                if out
                    .send(b"[runner] waiting for the run before this one\n")
                    .is_err()
                {
                    return;
                }
                self.queue.lock().unwrap_or_else(|e| e.into_inner())
            }
        };
        let n = self.runs.fetch_add(1, Ordering::Relaxed);
        let dir = Scratch(
            self.config
                .scratch
                .join(format!("run-{}-{n}", std::process::id())),
        );
        if let Err(e) = fs::create_dir_all(&dir.0)
            .and_then(|()| fs::write(dir.0.join("test.rs"), program))
        {
            let _ = out.send(
                format!("[runner] cannot prepare {}: {e}\n", dir.0.display()).as_bytes(),
            );
            return;
        }
        let limits = &self.config.limits;
        let started = Instant::now();
        let mut compiler =
            Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()));
        compiler
            .current_dir(&dir.0)
            // `test.rs`, as skeptic names it: the crate is then `test` in both, and so are the
            // paths of panic messages and backtraces.
            .args(["test.rs", "--crate-type=bin", "-o", "main"])
            .args(rustc_args);
        // Compiler warnings are the harness's business, not the reader's: shown only on failure.
        let mut log = Vec::new();
        let compiled = limited(compiler, limits.compile, limits.output, &mut |bytes| {
            log.extend_from_slice(bytes);
            Ok(())
        });
        if compiled.status != Some(0) {
            let _ = out.send(&log);
            let _ = out.send(
                format!("[runner] {}\n", compiled.describe("rustc", limits.compile))
                    .as_bytes(),
            );
            return;
        }
        let compiled = format!(
            "[runner] compiled in {:.1} s\n",
            started.elapsed().as_secs_f64()
        );
        // The page has gone: do not run the program for nobody.
        if out.send(compiled.as_bytes()).is_err() {
            return;
        }
        let mut program = Command::new(dir.0.join("main"));
        program.current_dir(&dir.0);
        let started = Instant::now();
        let ran = limited(program, limits.run, limits.output, &mut |bytes| {
            out.send(bytes)
        });
        let _ = out.send(
            format!(
                "[runner] {} after {:.2} s\n",
                ran.describe("the program", limits.run),
                started.elapsed().as_secs_f64()
            )
            .as_bytes(),
        );
    }
}

/// A scratch directory, removed with everything in it when the run ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The body of a chunked HTTP response.
struct Chunked<'a>(&'a mut TcpStream);

impl Chunked<'_> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        write!(self.0, "{:x}\r\n", bytes.len())?;
        self.0.write_all(bytes)?;
        self.0.write_all(b"\r\n")?;
        self.0.flush()
    }
}

/// How a limited command ended.
struct Ended {
    /// The exit code, if it exited by itself.
    status: Option<i32>,
    /// Why the runner stopped it, if it did.
    stopped: Option<&'static str>,
}

impl Ended {
    fn describe(&self, what: &str, limit: Duration) -> String {
        match (self.stopped, self.status) {
            (Some("time"), _) => format!(
                "{what} was stopped: it ran into the time limit of {} s",
                limit.as_secs()
            ),
            (Some(why), _) => format!("{what} was stopped: {why}"),
            (None, Some(code)) => format!("{what} exited with status {code}"),
            (None, None) => format!("{what} was killed by a signal"),
        }
    }
}

/// Runs `command` in a process group of its own, stdin closed and stdout and stderr both
/// into `sink`, for at most `limit` and `max_output` bytes; then kills the whole group, so that
/// nothing the command started outlives it.
fn limited(
    mut command: Command,
    limit: Duration,
    max_output: usize,
    sink: &mut dyn FnMut(&[u8]) -> io::Result<()>,
) -> Ended {
    let failed = |_| Ended {
        status: None,
        stopped: Some("it could not be started"),
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child: Child = match command.spawn() {
        Ok(child) => child,
        Err(e) => return failed(e),
    };
    // stdout and stderr into one channel, in the order they arrive.
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let outputs: [Option<Box<dyn Read + Send>>; 2] = [
        child
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn Read + Send>),
    ];
    for mut output in outputs.into_iter().flatten() {
        let tx = tx.clone();
        thread::spawn(move || {
            let mut buf = vec![0; 16 * 1024];
            while let Ok(n @ 1..) = output.read(&mut buf) {
                if tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
    }
    drop(tx);
    let deadline = Instant::now() + limit;
    let mut written = 0;
    let mut stopped = None;
    let mut status = None;
    let mut exited_at: Option<Instant> = None;
    loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(bytes) => {
                let room = max_output - written;
                let keep = &bytes[..bytes.len().min(room)];
                written += keep.len();
                if sink(keep).is_err() {
                    stopped = Some("the page stopped listening");
                    break;
                }
                if bytes.len() > room {
                    stopped = Some("its output reached the limit");
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) if exited_at.is_some() => break,
            Err(_) => {}
        }
        if exited_at.is_none() {
            if let Ok(Some(exit)) = child.try_wait() {
                status = exit.code();
                exited_at = Some(Instant::now());
            }
        }
        // A process the command left behind may hold the pipe open: after the command exited,
        // wait a moment for the rest of its output, not for the pipe to close.
        if exited_at.is_some_and(|at| at.elapsed() > Duration::from_millis(200)) {
            break;
        }
        if exited_at.is_none() && Instant::now() > deadline {
            stopped = Some("time");
            break;
        }
    }
    kill_group(child.id());
    // The leader too, by std's SIGKILL, in case `kill(1)` could not be run: `wait` must not
    // wait for a program that was stopped but still runs.
    let _ = child.kill();
    let _ = child.wait();
    if stopped.is_some() {
        status = None;
    }
    Ended { status, stopped }
}

/// SIGKILL to the process group `id` leads (the command and whatever it forked). A group id
/// is not given to a new process while any member lives, so this cannot hit a stranger's group
/// once the leader has been reaped, unless the whole group is gone and the id reused at once.
/// `kill(1)` rather than `libc::kill`: no `unsafe` in xtask, and a run already takes seconds.
fn kill_group(id: u32) {
    let _ = Command::new("kill")
        .args(["-s", "KILL", "--", &format!("-{id}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Whether the connection's other end belongs to the user running this process: its socket,
/// whose local address is our peer's, is listed with its owner in `/proc/net/tcp`. Where there
/// is no such file (not Linux) nothing can be checked, and the answer is yes.
fn same_user(stream: &TcpStream) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Ok(peer), Ok(local)) = (stream.peer_addr(), stream.local_addr()) else {
        return false;
    };
    let (Ok(table), Ok(me)) = (
        fs::read_to_string("/proc/net/tcp"),
        fs::metadata("/proc/self"),
    ) else {
        return true;
    };
    socket_owner(&table, peer, local) == Some(me.uid())
}

/// The owner of the socket `from` → `to` in a `/proc/net/tcp` table.
fn socket_owner(table: &str, from: SocketAddr, to: SocketAddr) -> Option<u32> {
    // The kernel prints an IPv4 address as the 32-bit number in memory order, and the port in
    // hex: 127.0.0.1:3000 is `0100007F:0BB8` on a little-endian machine.
    let hex = |addr: SocketAddr| match addr {
        SocketAddr::V4(v4) => Some(format!(
            "{:08X}:{:04X}",
            u32::from_ne_bytes(v4.ip().octets()),
            v4.port()
        )),
        SocketAddr::V6(_) => None,
    };
    let (from, to) = (hex(from)?, hex(to)?);
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(1) == Some(&from.as_str()) && fields.get(2) == Some(&to.as_str()))
            .then(|| fields.get(7)?.parse().ok())
            .flatten()
    })
}

/// Compares the whole secret whatever the first difference, so that timing does not reveal a
/// prefix.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn cors_headers(origin: Option<&str>) -> String {
    origin
        .map(|o| format!("Access-Control-Allow-Origin: {o}\r\nVary: Origin\r\n"))
        .unwrap_or_default()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

fn read_head(
    reader: &mut BufReader<TcpStream>,
    deadline: Instant,
) -> std::result::Result<Head, Refusal> {
    let mut head = Head {
        method: String::new(),
        path: String::new(),
        host: None,
        origin: None,
        content_length: None,
    };
    let mut total = 0;
    let mut first = true;
    loop {
        if Instant::now() > deadline {
            return Err(refuse(408, "the request took too long to arrive"));
        }
        let mut line = String::new();
        let n = reader
            .by_ref()
            .take((HEAD_LIMIT - total) as u64 + 1)
            .read_line(&mut line)
            .map_err(|e| refuse(400, format!("cannot read the request: {e}")))?;
        total += n;
        if total > HEAD_LIMIT {
            return Err(refuse(431, "the request head is too large"));
        }
        if n == 0 {
            return Err(refuse(400, "the request ended early"));
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if first {
            let mut parts = line.split(' ');
            head.method = parts.next().unwrap_or_default().to_owned();
            head.path = parts.next().unwrap_or_default().to_owned();
            first = false;
            continue;
        }
        if line.is_empty() {
            return Ok(head);
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(refuse(400, "a malformed header line"));
        };
        let value = value.trim().to_owned();
        match name.trim().to_ascii_lowercase().as_str() {
            "host" => head.host = Some(value),
            "origin" => head.origin = Some(value),
            "content-length" => {
                head.content_length = Some(
                    value
                        .parse()
                        .map_err(|_| refuse(400, "Content-Length is not a number"))?,
                )
            }
            "transfer-encoding" => {
                return Err(refuse(411, "send a Content-Length, not a chunked body"));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    //! Every request the runner must refuse, and every run it must stop, over real HTTP.

    use super::*;

    const BOOK_PORT: u16 = 3000;
    const TOKEN: &str = "0123456789abcdef0123456789abcdef";
    const ORIGIN: &str = "http://127.0.0.1:3000";

    /// A one-chapter book whose blocks use only std, so that no cargo build is needed.
    const CHAPTER: &str = r#"# Runs

```rust
fn main() {
    println!("hello from a block");
}
```

```rust
let answer = 6 * 7;
assert_eq!(answer, 42);
println!("answer {answer}");
```

```rust
fn main() {
    // Prints its pid, then never ends: the time limit must stop it.
    println!("{}", std::process::id());
    loop {
        std::hint::spin_loop();
    }
}
```

```rust
fn main() {
    // A gigabyte of output: the output limit must stop it.
    println!("{}", std::process::id());
    let line = "x".repeat(1 << 20);
    for _ in 0..1024 {
        println!("{line}");
    }
}
```

```rust
fn main() {
    // Leaves a child behind: the group kill must take it too.
    let child = std::process::Command::new("sleep").arg("300").spawn().unwrap();
    println!("{}", child.id());
}
```

```rust,no_run
// A server: the harness only compiles it, so the page offers no Run.
fn main() {}
```

```rust
fn main() {
    // When it ran, in milliseconds since the epoch: runs one at a time do not overlap.
    let now = || {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        since.unwrap().as_millis()
    };
    let start = now();
    std::thread::sleep(std::time::Duration::from_secs(1));
    println!("slept {start} {}", now());
}
```
"#;

    struct Book {
        dir: PathBuf,
        port: u16,
        runner: Runner,
    }

    impl Drop for Book {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }

    impl Book {
        fn scratch_entries(&self) -> usize {
            fs::read_dir(self.dir.join("scratch"))
                .map(|d| d.count())
                .unwrap_or(0)
        }
    }

    fn book(name: &str) -> Book {
        let dir = std::env::temp_dir()
            .join(format!("xtask-runner-{name}-{}", std::process::id()));
        let src = dir.join("src");
        fs::create_dir_all(&src).unwrap();
        let templates = fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../src/templates.skt.md"),
        )
        .unwrap();
        fs::write(src.join("templates.skt.md"), templates).unwrap();
        fs::write(src.join("SUMMARY.md"), "# Summary\n\n[Runs](runs.md)\n").unwrap();
        fs::write(src.join("runs.md"), CHAPTER).unwrap();
        let config = Config {
            src,
            book_port: BOOK_PORT,
            token: TOKEN.into(),
            scratch: dir.join("scratch"),
            limits: Limits {
                body: 4096,
                compile: Duration::from_secs(60),
                run: Duration::from_secs(3),
                output: 64 * 1024,
            },
            rustc_args: Arc::new(Mutex::new(Some(Ok(vec!["--edition=2021".into()])))),
        };
        let runner = start(config, 0).unwrap();
        Book {
            dir,
            port: runner.port,
            runner,
        }
    }

    /// Sends a raw request and returns the status and the body (chunks joined).
    fn send(port: u16, request: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = if head.contains("Transfer-Encoding: chunked") {
            dechunk(body)
        } else {
            body.to_owned()
        };
        (status, body)
    }

    fn dechunk(mut body: &str) -> String {
        let mut out = String::new();
        while let Some((size, rest)) = body.split_once("\r\n") {
            let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if size == 0 || rest.len() < size {
                break;
            }
            out.push_str(&rest[..size]);
            body = rest[size..].trim_start_matches("\r\n");
        }
        out
    }

    fn post_as(
        port: u16,
        path: &str,
        host: &str,
        origin: Option<&str>,
        body: &Value,
    ) -> (u16, String) {
        let body = body.to_string();
        let origin = origin
            .map(|o| format!("Origin: {o}\r\n"))
            .unwrap_or_default();
        send(
            port,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: {host}\r\n{origin}Content-Type: text/plain\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            ),
        )
    }

    fn post(port: u16, path: &str, body: &Value) -> (u16, String) {
        post_as(port, path, &format!("127.0.0.1:{port}"), Some(ORIGIN), body)
    }

    fn run(port: u16, block: usize) -> (u16, String) {
        post(
            port,
            "/run",
            &json!({ "token": TOKEN, "page": "runs.html", "block": block }),
        )
    }

    /// Whether process `pid` is gone (or a zombie nobody reaped: it runs no more).
    fn gone(pid: u32) -> bool {
        for _ in 0..100 {
            match fs::read_to_string(format!("/proc/{pid}/stat")) {
                Err(_) => return true,
                Ok(stat)
                    if stat
                        .rsplit(')')
                        .next()
                        .is_some_and(|s| s.trim_start().starts_with('Z')) =>
                {
                    return true;
                }
                Ok(_) => thread::sleep(Duration::from_millis(20)),
            }
        }
        false
    }

    #[test]
    fn an_excerpt_is_planned_as_the_page_shows_it_and_edited_whole() {
        let dir = std::env::temp_dir()
            .join(format!("xtask-runner-excerpt-{}", std::process::id()));
        let (src, code) = (dir.join("src"), dir.join("code"));
        fs::create_dir_all(&src).unwrap();
        fs::create_dir_all(&code).unwrap();
        fs::write(
            code.join("m.rs"),
            "use std::fmt;\n// ANCHOR: shown\nfn shown() {}\n// ANCHOR_END: shown\nfn main() {}\n",
        )
        .unwrap();
        let chapter = src.join("ch.md");
        fs::write(&chapter, "```rust\n{{#include ../code/m.rs:shown}}\n```\n").unwrap();
        let blocks = plan_chapter(&src, &chapter).unwrap();
        fs::remove_dir_all(&dir).unwrap();
        assert_eq!(blocks.len(), 1);
        // What the page shows (mdBook's `include`): the excerpt alone...
        assert_eq!(blocks[0].text, "fn shown() {}");
        // ...and what the editor starts from: the program the harness compiles.
        assert_eq!(blocks[0].full, "use std::fmt;\nfn shown() {}\nfn main() {}");
    }

    #[test]
    fn plans_and_runs_blocks_as_the_harness_does() {
        let book = book("plan");
        let (status, body) = post(
            book.port,
            "/plan",
            &json!({ "token": TOKEN, "page": "runs.html" }),
        );
        assert_eq!(status, 200, "{body}");
        let plan: Value = serde_json::from_str(&body).unwrap();
        let kinds: Vec<&str> = plan["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["run", "run", "run", "run", "run", "compile_only", "run"]
        );
        // index.html is mdBook's copy of the first chapter.
        let (status, _) = post(
            book.port,
            "/plan",
            &json!({ "token": TOKEN, "page": "index.html" }),
        );
        assert_eq!(status, 200);

        let (status, out) = run(book.port, 0);
        assert_eq!(status, 200);
        assert!(out.contains("hello from a block\n"), "{out}");
        assert!(out.contains("exited with status 0"), "{out}");
        // Statements get the harness's `in_main` template.
        let (_, out) = run(book.port, 1);
        assert!(out.contains("answer 42\n"), "{out}");
        // An edit runs with the block's tags; a compile error is shown.
        let edited = |code: &str| {
            post(
                book.port,
                "/run",
                &json!({ "token": TOKEN, "page": "runs.html", "block": 1, "code": code }),
            )
        };
        let (_, out) = edited("let x = 1;\nprintln!(\"edited {}\", x + 1);");
        assert!(out.contains("edited 2\n"), "{out}");
        let (_, out) = edited("let x: u8 = \"no\";");
        assert!(
            out.contains("error[E0308]") && out.contains("rustc exited with status 1"),
            "{out}"
        );
        assert_eq!(book.scratch_entries(), 0, "scratch directories are removed");
    }

    #[test]
    fn refuses_requests_that_are_not_the_books() {
        let book = book("refuse");
        let port = book.port;
        let host = format!("127.0.0.1:{port}");
        let plan = json!({ "token": TOKEN, "page": "runs.html", "block": 0 });
        let cases: Vec<(&str, (u16, String), u16, &str)> = vec![
            (
                "no token",
                post(port, "/run", &json!({ "page": "runs.html", "block": 0 })),
                403,
                "no token",
            ),
            (
                "wrong token",
                post(
                    port,
                    "/run",
                    &json!({ "token": "f".repeat(32), "page": "runs.html", "block": 0 }),
                ),
                403,
                "wrong token",
            ),
            (
                "foreign Origin",
                post_as(port, "/run", &host, Some("http://evil.example"), &plan),
                403,
                "Origin",
            ),
            (
                "no Origin",
                post_as(port, "/run", &host, None, &plan),
                403,
                "Origin",
            ),
            (
                "Origin null (a file:// page, a sandboxed frame)",
                post_as(port, "/run", &host, Some("null"), &plan),
                403,
                "Origin",
            ),
            (
                "localhost, which may be ::1 and another program",
                post_as(port, "/run", &host, Some("http://localhost:3000"), &plan),
                403,
                "Origin",
            ),
            (
                "Host localhost",
                post_as(
                    port,
                    "/run",
                    &format!("localhost:{port}"),
                    Some(ORIGIN),
                    &plan,
                ),
                403,
                "Host",
            ),
            (
                "a head over 16 KiB",
                send(
                    port,
                    &format!(
                        "POST /run HTTP/1.1\r\nHost: {host}\r\nOrigin: {ORIGIN}\r\nX: {}\r\n\r\n",
                        "x".repeat(HEAD_LIMIT)
                    ),
                ),
                431,
                "too large",
            ),
            (
                "another port of 127.0.0.1",
                post_as(port, "/run", &host, Some("http://127.0.0.1:8080"), &plan),
                403,
                "Origin",
            ),
            (
                "foreign Host (DNS rebinding)",
                post_as(
                    port,
                    "/run",
                    &format!("evil.example:{port}"),
                    Some(ORIGIN),
                    &plan,
                ),
                403,
                "Host",
            ),
            (
                "oversized body",
                send(
                    port,
                    &format!(
                        "POST /run HTTP/1.1\r\nHost: {host}\r\nOrigin: {ORIGIN}\r\n\
                         Content-Length: 4097\r\n\r\n"
                    ),
                ),
                413,
                "over the limit",
            ),
            (
                "GET",
                send(
                    port,
                    &format!(
                        "GET /run HTTP/1.1\r\nHost: {host}\r\nOrigin: {ORIGIN}\r\n\r\n"
                    ),
                ),
                405,
                "POST",
            ),
            (
                "no Content-Length",
                send(
                    port,
                    &format!(
                        "POST /run HTTP/1.1\r\nHost: {host}\r\nOrigin: {ORIGIN}\r\n\r\n"
                    ),
                ),
                411,
                "Content-Length",
            ),
            (
                "a block the harness does not run",
                post(
                    port,
                    "/run",
                    &json!({ "token": TOKEN, "page": "runs.html", "block": 5 }),
                ),
                400,
                "does not run",
            ),
            (
                "a page outside the book",
                post(
                    port,
                    "/run",
                    &json!({ "token": TOKEN, "page": "../../etc/passwd.html", "block": 0 }),
                ),
                404,
                "no chapter",
            ),
        ];
        for (what, (status, body), want, says) in cases {
            assert_eq!(status, want, "{what}: {body}");
            assert!(body.contains(says), "{what}: {body}");
        }
        // Nothing was compiled or run for any of them.
        assert_eq!(book.runner.runs(), 0);
    }

    #[test]
    fn stops_runs_at_their_limits_and_leaves_nothing_running() {
        let book = book("limits");
        let started = Instant::now();
        let (status, out) = run(book.port, 2);
        assert_eq!(status, 200);
        assert!(out.contains("time limit of 3 s"), "{out}");
        assert!(started.elapsed() < Duration::from_secs(30));
        let pid: u32 = out.lines().nth(1).and_then(|l| l.parse().ok()).expect(&out);
        assert!(gone(pid), "the looping block {pid} still runs");

        let (_, out) = run(book.port, 3);
        assert!(
            out.contains("its output reached the limit"),
            "{}",
            &out[out.len() - 200..]
        );
        let pid: u32 = out
            .lines()
            .nth(1)
            .and_then(|l| l.parse().ok())
            .expect("a pid");
        assert!(gone(pid), "the printing block {pid} still runs");
        assert!(out.len() < 64 * 1024 + 1024, "{} bytes sent", out.len());

        let (_, out) = run(book.port, 4);
        let pid: u32 = out.lines().nth(1).and_then(|l| l.parse().ok()).expect(&out);
        assert!(gone(pid), "the block's child {pid} outlived the run");
        assert_eq!(book.scratch_entries(), 0, "scratch directories are removed");
    }

    #[test]
    fn runs_one_at_a_time() {
        let book = book("queue");
        let port = book.port;
        let started = Instant::now();
        let runs: Vec<_> = (0..2)
            .map(|_| thread::spawn(move || run(port, 6)))
            .collect();
        let outs: Vec<String> = runs.into_iter().map(|r| r.join().unwrap().1).collect();
        let mut spans: Vec<(u128, u128)> = outs
            .iter()
            .map(|out| {
                let line = out.lines().find(|l| l.starts_with("slept ")).expect(out);
                let times: Vec<u128> =
                    line[6..].split(' ').map(|t| t.parse().unwrap()).collect();
                (times[0], times[1])
            })
            .collect();
        spans.sort();
        assert!(spans[0].1 <= spans[1].0, "the runs overlapped: {spans:?}");
        assert!(started.elapsed() >= Duration::from_secs(2));
    }

    #[test]
    fn templates_are_filled_as_format_fills_them() {
        assert_eq!(
            fill_template("fn main() {{\n{}}}\n", "x();\n"),
            "fn main() {\nx();\n}\n"
        );
        assert!(chapter_of_page(Path::new("/nonexistent"), "../x.html").is_none());
        assert!(
            same_secret("abc", "abc")
                && !same_secret("abc", "abd")
                && !same_secret("ab", "abc")
        );
        // A line of /proc/net/tcp: the socket 127.0.0.1:48372 → 127.0.0.1:3000, owned by 1000.
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   \
            4: 0100007F:BCF4 0100007F:0BB8 01 00000000:00000000 00:00000000 00000000  1000        0 123 1\n";
        let addr = |port| SocketAddr::from(([127, 0, 0, 1], port));
        if cfg!(target_endian = "little") {
            assert_eq!(socket_owner(table, addr(48372), addr(3000)), Some(1000));
        }
        assert_eq!(socket_owner(table, addr(3000), addr(48372)), None);
    }
}
