//! `check --browser`: the built book, as a reader's browser shows it.
//!
//! A copy of `book/` is served by a small static file server on 127.0.0.1 (a free port, a
//! thread), and Debian's `/usr/bin/chromium` is driven headless over the DevTools protocol
//! (the `headless_chrome` crate, built without its browser-downloading `fetch` feature). Every
//! page of SUMMARY.md, plus `index.html` and `print.html`, is loaded and checked:
//!
//! - the page answers 200, and no request it makes fails (status >= 400 or a network error);
//! - no request leaves 127.0.0.1 (fonts and scripts are the book's own);
//! - no JavaScript error (console `error`, uncaught exception, or a browser log error);
//! - admonitions carry mdbook-admonish's style, every image and figure has a rendered size, and
//!   every collapsible solution is closed on load and opens when its summary is clicked.
//!
//! Then the search box is asked for a word found only in the last chapter and its result link
//! followed, `print.html` is checked to contain every chapter's title, and three pages are
//! photographed in a light and a dark theme into `target/browser/`. Every failure names the page
//! and the resource or message; all are reported before the command fails.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use headless_chrome::browser::tab::point::Point;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Log, Network, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;

use crate::{Repo, Result, book, fail, runner};

/// Debian's package; `.ci/run` installs it when missing.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";

/// Without the networking flags Chromium phones home (component updates, sync, QUIC probes) and,
/// on a machine without a route out, fills the log with refused connections.
pub(crate) const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// The pages photographed in both themes (the third is chosen at run time).
const SCREENSHOT_PAGES: &[&str] = &["introduction.html", "tools/benchmarking.html"];
/// mdBook's light theme and one dark one.
const THEMES: &[&str] = &["light", "navy"];
/// What a reader's laptop shows; small enough for a README image.
const WINDOW: (u32, u32) = (1280, 800);
/// How long one page may take to load, or a search to answer. The print page holds the whole
/// book: on a busy 2-core machine it took just over 15 s to settle, so allow a generous minute
/// (a page that hangs still fails, only later).
const TIMEOUT: Duration = Duration::from_secs(60);
/// A page has loaded when its `load` event has fired, every request is answered, and then
/// nothing happens for this long.
const QUIET: Duration = Duration::from_millis(250);

/// One problem: the page it was found on and what is wrong.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Failure {
    page: String,
    message: String,
}

impl Failure {
    fn new(page: &str, message: impl Into<String>) -> Failure {
        Failure {
            page: page.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "browser: {}: {}", self.page, self.message)
    }
}

/// A chapter of SUMMARY.md that has a file.
#[derive(Debug, Clone, PartialEq)]
struct Chapter {
    /// `tools/benchmarking.md`, relative to src/.
    source: String,
    /// `tools/benchmarking.html`, relative to book/.
    html: String,
}

/// Runs the walk over the book already built into `book/`.
pub fn check(repo: &Repo) -> Result {
    let started = Instant::now();
    let chromium = Path::new(CHROMIUM);
    if !chromium.is_file() {
        return Err(fail(format!(
            "browser: {CHROMIUM} not found; install Debian's chromium \
             (`apt-get install -y chromium`; .ci/run does it)"
        )));
    }
    let book_dir = repo.root.join("book");
    let chapters = chapters(repo)?;
    let shots_dir = repo.target_dir()?.join("browser");
    fs::create_dir_all(&shots_dir)
        .map_err(|e| fail(format!("cannot create {}: {e}", shots_dir.display())))?;

    // Screenshots of earlier runs (of pages since renamed, say) would pass for this run's.
    for old in book::files_with_extension(&shots_dir, "png")? {
        let _ = fs::remove_file(old);
    }
    // Served from a snapshot: other work in the same checkout may rebuild book/ mid-walk (every
    // `cargo xtask build` empties it first), and a page half-rebuilt is not what was checked.
    let site = shots_dir.join("site");
    let _ = fs::remove_dir_all(&site);
    copy_dir(&book_dir, &site)?;
    let addr = serve_dir(site.clone())?;
    let origin = format!("http://{addr}");
    // The runner behind the Run buttons, as `cargo xtask serve` starts it, for the copy's port.
    println!("browser: preparing the runner (cargo test --workspace --no-run) …");
    let rustc_args =
        runner::rustc_args(repo).map_err(|e| fail(format!("browser: runner: {e}")))?;
    let token = runner::new_token()?;
    let runner = runner::start(
        runner::Config {
            src: repo.root.join("src"),
            book_port: addr.port(),
            token: token.clone(),
            scratch: shots_dir.join("runs"),
            limits: runner::Limits::default(),
            rustc_args: Arc::new(Mutex::new(Some(Ok(rustc_args)))),
        },
        0,
    )?;
    runner::write_page_config(&site, runner.port, &token)?;
    let harness = Harness::new(repo, &chapters)?;
    println!(
        "browser: serving a copy of book/ ({}) at {origin}/, walking {} page(s) in {CHROMIUM} …",
        repo.show(&site),
        chapters.len() + 2
    );

    let profile =
        std::env::temp_dir().join(format!("xtask-chromium-{}", std::process::id()));
    let _ = fs::remove_dir_all(&profile);
    fs::create_dir_all(&profile)
        .map_err(|e| fail(format!("cannot create {}: {e}", profile.display())))?;
    let result = Walk::start(&origin, &profile).and_then(|mut walk| {
        walk.site = Some(site.clone());
        walk.harness = Some(harness);
        walk.run(repo, &chapters, &shots_dir)?;
        Ok(walk.finish())
    });
    // Chromium has exited (dropping the walk kills and waits for it): its profile can go.
    let _ = fs::remove_dir_all(&profile);
    let walk = result?;
    // Every click ran once, and nothing else reached the runner.
    let mut failures = walk.failures;
    if runner.runs() != walk.clicks as u64 {
        failures.push(Failure::new(
            "runner",
            format!(
                "{} runs started for {} Run clicks",
                runner.runs(),
                walk.clicks
            ),
        ));
    }

    let elapsed = started.elapsed().as_secs_f64();
    failures.sort();
    failures.dedup();
    if failures.is_empty() {
        println!(
            "browser: ok ({} pages in {} loads, {} resources, {} solutions, {} images, \
             {} blocks run from their Run button; screenshots in {}; {elapsed:.1} s)",
            chapters.len() + 2,
            walk.loads,
            walk.resources.len(),
            walk.details,
            walk.images,
            walk.runs,
            repo.show(&shots_dir)
        );
        Ok(())
    } else {
        for failure in &failures {
            eprintln!("{failure}");
        }
        Err(fail(format!(
            "browser: {} failure(s) in {} page loads ({elapsed:.1} s)",
            failures.len(),
            walk.loads
        )))
    }
}

/// The chapters of SUMMARY.md that exist, in reading order, once each.
fn chapters(repo: &Repo) -> Result<Vec<Chapter>> {
    let path = repo.root.join("src/SUMMARY.md");
    let text = fs::read_to_string(&path)
        .map_err(|e| fail(format!("cannot read {}: {e}", repo.show(&path))))?;
    let mut seen = BTreeSet::new();
    Ok(book::summary_links(&text)
        .into_iter()
        .map(|(_, source)| source)
        .filter(|source| repo.root.join("src").join(source).is_file())
        .filter(|source| seen.insert(source.clone()))
        .map(|source| Chapter {
            html: html_of(&source),
            source,
        })
        .collect())
}

/// Copies the directory tree `from` to `to`.
fn copy_dir(from: &Path, to: &Path) -> Result {
    let entries = fs::read_dir(from)
        .map_err(|e| fail(format!("cannot list {}: {e}", from.display())))?;
    fs::create_dir_all(to)
        .map_err(|e| fail(format!("cannot create {}: {e}", to.display())))?;
    for entry in entries {
        let path = entry
            .map_err(|e| fail(format!("cannot list {}: {e}", from.display())))?
            .path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            fs::copy(&path, &target)
                .map_err(|e| fail(format!("cannot copy {}: {e}", path.display())))?;
        }
    }
    Ok(())
}

/// Where mdBook writes a chapter: `x.md` → `x.html`, `README.md` → `index.html`.
fn html_of(source: &str) -> String {
    let stem = source.strip_suffix(".md").unwrap_or(source);
    match stem.rsplit_once('/') {
        Some((dir, "README")) => format!("{dir}/index.html"),
        None if stem == "README" => "index.html".to_string(),
        _ => format!("{stem}.html"),
    }
}

// ----------------------------------------------------------------------------------------------
// The static file server.

/// Serves `root` on 127.0.0.1 at a free port, from a thread that lives as long as the process.
fn serve_dir(root: PathBuf) -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| fail(format!("browser: cannot listen on 127.0.0.1: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| fail(format!("browser: no local address: {e}")))?;
    let root = Arc::new(root);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = Arc::clone(&root);
            // One thread per connection: Chromium opens several at once.
            thread::spawn(move || {
                let _ = respond(&root, stream);
            });
        }
    });
    Ok(addr)
}

/// Answers one request (GET or HEAD) and closes the connection.
fn respond(root: &Path, mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut words = request.split_whitespace();
    let method = words.next().unwrap_or_default();
    let target = words.next().unwrap_or("/");
    let (status, content_type, body) = if method != "GET" && method != "HEAD" {
        (
            "405 Method Not Allowed",
            "text/plain",
            b"GET only\n".to_vec(),
        )
    } else {
        match file_for(root, target)
            .and_then(|path| fs::read(&path).ok().map(|b| (path, b)))
        {
            Some((path, body)) => ("200 OK", content_type(&path), body),
            None => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
        }
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// The file under `root` a request target names; `None` if it leaves `root` or does not exist.
fn file_for(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let path = book::percent_decode(path);
    let mut file = root.to_path_buf();
    for component in Path::new(path.trim_start_matches('/')).components() {
        match component {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "eot" => "application/vnd.ms-fontobject",
        "txt" | "md" | "rs" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

// ----------------------------------------------------------------------------------------------
// What a page load produced.

/// Where a requested URL goes.
#[derive(Debug, PartialEq)]
enum Host {
    /// The book's server, 127.0.0.1.
    Local,
    /// No network: `data:`, `blob:`, `about:`, `javascript:`.
    Inline,
    /// Anywhere else (the host, or the whole URL when it has none).
    External(String),
}

fn classify(url: &str) -> Host {
    let lower = url.to_ascii_lowercase();
    if ["data:", "blob:", "about:", "javascript:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
    {
        return Host::Inline;
    }
    let Some((_, rest)) = lower.split_once("://") else {
        return Host::External(url.to_string());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("ws://");
    if host == "127.0.0.1" && scheme_ok {
        Host::Local
    } else if host.is_empty() {
        Host::External(url.to_string())
    } else {
        Host::External(host.to_string())
    }
}

/// `url` without the book server's origin, for messages: `/css/chrome.css`.
fn show_url<'a>(url: &'a str, origin: &str) -> &'a str {
    match url.strip_prefix(origin) {
        Some("") => "/",
        Some(path) => path,
        None => url,
    }
}

/// The DevTools events the walk listens to, as their JSON parameters.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Request(Value),
    Response(Value),
    LoadingFailed(Value),
    Console(Value),
    Exception(Value),
    Log(Value),
    /// `Network.loadingFinished`: a request was answered in full.
    Finished(Value),
    /// `Page.loadEventFired`: the page's `load` event.
    Loaded,
}

impl Seen {
    fn from_event(event: &Event) -> Option<Seen> {
        fn json(params: &impl serde::Serialize) -> Value {
            serde_json::to_value(params).unwrap_or(Value::Null)
        }
        Some(match event {
            Event::NetworkRequestWillBeSent(e) => Seen::Request(json(&e.params)),
            Event::NetworkResponseReceived(e) => Seen::Response(json(&e.params)),
            Event::NetworkLoadingFailed(e) => Seen::LoadingFailed(json(&e.params)),
            Event::RuntimeConsoleAPICalled(e) => Seen::Console(json(&e.params)),
            Event::RuntimeExceptionThrown(e) => Seen::Exception(json(&e.params)),
            Event::LogEntryAdded(e) => Seen::Log(json(&e.params)),
            Event::NetworkLoadingFinished(e) => Seen::Finished(json(&e.params)),
            Event::PageLoadEventFired(_) => Seen::Loaded,
            _ => return None,
        })
    }
}

/// Whether a page load is over: its `load` event has fired and every network request it made
/// has been answered or has failed. (`data:` and other inline URLs are not network requests.)
fn settled(events: &[Seen]) -> bool {
    let mut pending = BTreeSet::new();
    let mut loaded = false;
    for event in events {
        match event {
            Seen::Request(p) => {
                let url = p["request"]["url"].as_str().unwrap_or_default();
                if classify(url) != Host::Inline {
                    pending
                        .insert(p["requestId"].as_str().unwrap_or_default().to_string());
                }
            }
            Seen::Finished(p) | Seen::LoadingFailed(p) => {
                pending.remove(p["requestId"].as_str().unwrap_or_default());
            }
            Seen::Loaded => loaded = true,
            _ => {}
        }
    }
    loaded && pending.is_empty()
}

/// What one page load's events say: the failures, and the URLs of the resources it requested.
fn judge_events(
    page: &str,
    page_url: &str,
    origin: &str,
    events: &[Seen],
) -> (Vec<Failure>, Vec<String>) {
    let mut failures = Vec::new();
    let mut urls: HashMap<&str, &str> = HashMap::new();
    let mut requested = Vec::new();
    let mut document_status = None;
    let text = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_string();
    for event in events {
        match event {
            Seen::Request(p) => {
                let url = p["request"]["url"].as_str().unwrap_or_default();
                urls.insert(p["requestId"].as_str().unwrap_or_default(), url);
                requested.push(url.to_string());
                if let Host::External(host) = classify(url) {
                    failures.push(Failure::new(
                        page,
                        format!("request leaves 127.0.0.1: {url} (host {host})"),
                    ));
                }
            }
            Seen::Response(p) => {
                let url = p["response"]["url"].as_str().unwrap_or_default();
                let status = p["response"]["status"].as_u64().unwrap_or_default();
                // The document's URL has no #fragment.
                let page_url = page_url.split('#').next().unwrap_or_default();
                if url == page_url && p["type"] == "Document" {
                    document_status = Some(status);
                } else if status >= 400 {
                    failures.push(Failure::new(
                        page,
                        format!(
                            "failed request {} ({} {}, {})",
                            show_url(url, origin),
                            status,
                            text(&p["response"], "statusText"),
                            text(p, "type")
                        ),
                    ));
                }
            }
            Seen::LoadingFailed(p) => {
                if p["canceled"] == true {
                    continue;
                }
                let id = p["requestId"].as_str().unwrap_or_default();
                let url = urls.get(id).copied().unwrap_or("(unknown URL)");
                failures.push(Failure::new(
                    page,
                    format!(
                        "failed request {} ({}, {})",
                        show_url(url, origin),
                        text(p, "errorText"),
                        text(p, "type")
                    ),
                ));
            }
            Seen::Console(p) if p["type"] == "error" || p["type"] == "assert" => {
                let args: Vec<String> = p["args"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|arg| match &arg["value"] {
                        Value::String(s) => s.clone(),
                        Value::Null => text(arg, "description"),
                        other => other.to_string(),
                    })
                    .collect();
                failures.push(Failure::new(
                    page,
                    format!("console error: {}", args.join(" ")),
                ));
            }
            Seen::Console(_) => {}
            Seen::Exception(p) => {
                let details = &p["exceptionDetails"];
                let description = details["exception"]["description"]
                    .as_str()
                    .unwrap_or_else(|| details["text"].as_str().unwrap_or_default());
                let at = details["url"].as_str().map(|u| show_url(u, origin));
                failures.push(Failure::new(
                    page,
                    format!(
                        "JavaScript exception: {}{}",
                        description.lines().next().unwrap_or_default(),
                        at.map(|u| format!(" ({u}:{})", details["lineNumber"]))
                            .unwrap_or_default()
                    ),
                ));
            }
            Seen::Log(p) if p["entry"]["level"] == "error" => {
                let entry = &p["entry"];
                let at = entry["url"]
                    .as_str()
                    .map(|u| format!(" ({})", show_url(u, origin)))
                    .unwrap_or_default();
                failures.push(Failure::new(
                    page,
                    format!("browser log error: {}{at}", text(entry, "text")),
                ));
            }
            Seen::Log(_) | Seen::Finished(_) | Seen::Loaded => {}
        }
    }
    match document_status {
        Some(200) => {}
        Some(status) => failures.push(Failure::new(page, format!("HTTP {status}"))),
        None => failures.push(Failure::new(page, "no HTTP response for the page")),
    }
    (failures, requested)
}

// ----------------------------------------------------------------------------------------------
// The search word.

/// A word of `last`'s prose (outside code blocks, inline code and link targets) that occurs in
/// none of `earlier` — nor do its first letters (all but four, at least five), which the
/// search's stemmer and prefix matching would find. The first such word of 7 letters or more, in reading order.
fn unique_word(last: &str, earlier: &[String]) -> Option<String> {
    let earlier: Vec<String> = earlier.iter().map(|t| t.to_lowercase()).collect();
    let seen_before = |s: &str| -> bool { earlier.iter().any(|text| text.contains(s)) };
    prose_words(last).into_iter().find(|word| {
        // "grouped" is searched as "group": a stem of 6 letters let it through.
        let stem = &word[..word.len().saturating_sub(4).max(5)];
        !seen_before(word) && !seen_before(stem)
    })
}

/// The lower-cased ASCII words of 7 to 20 letters in a chapter's prose, in order, once each.
fn prose_words(markdown: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut fence: Option<&str> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        if ["{{#", "<", "|"].iter().any(|p| trimmed.starts_with(p)) {
            continue;
        }
        // Inline code spans are the odd-numbered pieces between backticks.
        let prose: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let prose = strip_link_targets(&prose);
        for word in prose.split(|c: char| !c.is_ascii_alphabetic()) {
            let word = word.to_ascii_lowercase();
            if (7..=20).contains(&word.len()) && !words.contains(&word) {
                words.push(word);
            }
        }
    }
    words
}

/// The last chapter (by index into `texts`, in reading order) with a word no earlier chapter
/// has, and the word. Appendices made only of tables or includes have none; the chapter before
/// them is taken instead.
fn search_target(texts: &[String]) -> Option<(usize, String)> {
    (1..texts.len())
        .rev()
        .find_map(|i| unique_word(&texts[i], &texts[..i]).map(|word| (i, word)))
}

/// `[text](target)` → `[text]`.
fn strip_link_targets(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..at + 1]);
        rest = &rest[at + 2..];
        rest = rest.find(')').map_or("", |end| &rest[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// A chapter's Markdown and the files it includes (whole), as the search index sees them.
fn chapter_text(repo: &Repo, chapter: &Chapter) -> Result<String> {
    let path = repo.root.join("src").join(&chapter.source);
    let mut text = fs::read_to_string(&path)
        .map_err(|e| fail(format!("cannot read {}: {e}", repo.show(&path))))?;
    let dir = path.parent().unwrap_or(&repo.root).to_path_buf();
    let includes = book::scan_includes(&text);
    for include in includes {
        if let Ok(included) = fs::read_to_string(dir.join(&include.path)) {
            text.push('\n');
            text.push_str(&included);
        }
    }
    Ok(text)
}

// ----------------------------------------------------------------------------------------------
// The walk.

/// In the page, after load: the first `main h1`, the admonitions' style, the collapsible
/// admonitions' state, and the images' and figures' sizes. A JSON string.
const PAGE_STATE_JS: &str = r#"JSON.stringify((() => {
  const size = el => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
  const h1 = document.querySelector('main h1');
  return {
    h1: h1 ? h1.textContent.trim() : null,
    h1s: Array.from(document.querySelectorAll('main h1')).map(h => h.textContent.trim()),
    admonitions: Array.from(document.querySelectorAll('.admonition')).map(el => {
      const cs = getComputedStyle(el);
      return { id: el.id, border: cs.borderLeftWidth, shadow: cs.boxShadow };
    }),
    details: Array.from(document.querySelectorAll('details.admonition'))
      .map(el => ({ id: el.id, open: el.open })),
    images: Array.from(document.querySelectorAll('img, object, main svg'))
      .filter(el => !(el.tagName.toLowerCase() === 'svg' && el.parentElement.closest('svg')))
      .map(el => ({
        tag: el.tagName.toLowerCase(),
        src: el.getAttribute('src') || el.getAttribute('data') || el.id || '',
        loaded: el.tagName.toLowerCase() !== 'img' || (el.complete && el.naturalWidth > 0),
        size: size(el),
      })),
    theme: document.documentElement.className,
    background: getComputedStyle(document.documentElement).backgroundColor,
    column: document.querySelector('main') ? document.querySelector('main').clientWidth : 0,
    tables: Array.from(document.querySelectorAll('main table')).map(t => ({
      head: (t.rows[0] ? t.rows[0].textContent : '').replace(/\s+/g, ' ').trim().slice(0, 60),
      width: t.getBoundingClientRect().width,
    })),
  };
})())"#;

/// What theme/run.js made of the page: its rust blocks, the runner's state, the Run buttons.
const RUN_STATE_JS: &str = r#"JSON.stringify({
  blocks: document.querySelectorAll('main pre > code.language-rust').length,
  runner: document.body.dataset.runner || null,
  mismatch: document.body.dataset.runnerMismatch || null,
  buttons: document.body.dataset.runButtons || '0',
})"#;

/// What a page shows when it finds no runner.
const NO_RUNNER_JS: &str = r#"JSON.stringify({
  notices: document.querySelectorAll('.runner-notice').length,
  buttons: document.querySelectorAll('.runner-button').length,
})"#;

/// Clicks the page's first Run button.
const CLICK_RUN_JS: &str = r#"(() => {
  const b = document.querySelector('.runner-bar .runner-button');
  b.scrollIntoView({ block: 'center', behavior: 'instant' });
  b.click();
  return true;
})()"#;

/// The first run's output once it is over, else null.
const RUN_OUTPUT_JS: &str = r#"(() => {
  const bar = document.querySelector('.runner-bar');
  return bar && bar.dataset.state === 'done' ? bar.nextElementSibling.textContent : null;
})()"#;

/// What a page looked like, from [`PAGE_STATE_JS`].
#[derive(Debug, Default, serde::Deserialize)]
struct PageState {
    h1: Option<String>,
    h1s: Vec<String>,
    admonitions: Vec<Admonition>,
    details: Vec<Details>,
    images: Vec<Image>,
    theme: String,
    background: String,
    /// The width of the text column (`main`), in CSS pixels.
    #[serde(default)]
    column: f64,
    #[serde(default)]
    tables: Vec<Table>,
}

#[derive(Debug, serde::Deserialize)]
struct Table {
    /// The header row's text, to name the table by.
    head: String,
    width: f64,
}

#[derive(Debug, serde::Deserialize)]
struct Admonition {
    id: String,
    border: String,
    shadow: String,
}

#[derive(Debug, serde::Deserialize)]
struct Details {
    id: String,
    open: bool,
}

#[derive(Debug, serde::Deserialize)]
struct Image {
    tag: String,
    src: String,
    loaded: bool,
    size: (f64, f64),
}

/// mdbook-admonish's CSS gives an admonition a left border; without it a `div` or `details`
/// has none.
fn admonition_failures(page: &str, state: &PageState) -> Vec<Failure> {
    state
        .admonitions
        .iter()
        .filter(|a| {
            a.border
                .trim_end_matches("px")
                .parse::<f64>()
                .unwrap_or(0.0)
                <= 0.0
        })
        .map(|a| {
            Failure::new(
                page,
                format!(
                    "admonition #{} is unstyled (border-left-width {}, box-shadow {}): \
                     is mdbook-admonish.css loaded?",
                    a.id, a.border, a.shadow
                ),
            )
        })
        .collect()
}

fn image_failures(page: &str, state: &PageState) -> Vec<Failure> {
    let mut failures = Vec::new();
    for image in &state.images {
        if !image.loaded {
            failures.push(Failure::new(
                page,
                format!("<{}> {} did not load", image.tag, image.src),
            ));
        } else if image.size.0 <= 0.0 || image.size.1 <= 0.0 {
            failures.push(Failure::new(
                page,
                format!(
                    "<{}> {} has no rendered size ({}×{})",
                    image.tag, image.src, image.size.0, image.size.1
                ),
            ));
        }
    }
    failures
}

/// Tables wider than the text column, which a reader would have to scroll sideways (the walk's
/// window is a 1280-pixel-wide laptop screen).
fn table_failures(page: &str, state: &PageState) -> Vec<Failure> {
    state
        .tables
        .iter()
        .filter(|table| table.width > state.column + 1.0)
        .map(|table| {
            Failure::new(
                page,
                format!(
                    "a table is wider than the text column ({:.0} px > {:.0} px): {}",
                    table.width, state.column, table.head
                ),
            )
        })
        .collect()
}

/// What the walk found, once the browser is gone.
struct Summary {
    failures: Vec<Failure>,
    /// Every URL requested, once.
    resources: BTreeSet<String>,
    loads: usize,
    details: usize,
    images: usize,
    runs: usize,
    clicks: usize,
}

struct Walk {
    /// Kept alive for the tab's sake.
    browser: Browser,
    tab: Arc<Tab>,
    seen: Arc<Mutex<Vec<Seen>>>,
    origin: String,
    failures: Vec<Failure>,
    resources: BTreeSet<String>,
    loads: usize,
    details: usize,
    images: usize,
    /// Blocks run from their page's Run button, and clicks on Run (the runs that failed too).
    runs: usize,
    clicks: usize,
    /// Where to photograph the first finished run.
    run_shot: Option<PathBuf>,
    /// The served copy of book/.
    site: Option<PathBuf>,
    /// What a Run's output is compared with.
    harness: Option<Harness>,
}

/// The snippet harness's tests, to compare a Run's output with what the harness's test of the
/// same block prints.
struct Harness {
    /// The test of each page's first runnable block, by page (`tools/testing.html`), or why
    /// there is none.
    tests: HashMap<String, std::result::Result<String, String>>,
    /// One run of all those tests, started in the background when the walk starts (the harness
    /// compiles each block again: side by side with the walk, on the machine's other core),
    /// joined when the first page needs it.
    running: Option<thread::JoinHandle<std::result::Result<Printed, String>>>,
    printed: Option<std::result::Result<Printed, String>>,
}

/// What each test of a harness run printed (libtest's `--show-output`), and the tests that
/// failed.
#[derive(Debug, Default, PartialEq)]
struct Printed {
    output: HashMap<String, String>,
    failed: BTreeSet<String>,
}

impl Harness {
    fn new(repo: &Repo, chapters: &[Chapter]) -> Result<Harness> {
        let executable = runner::harness_executable(repo)
            .map_err(|e| fail(format!("browser: the snippet harness: {e}")))?;
        let listed = Command::new(&executable)
            .arg("--list")
            .output()
            .map_err(|e| {
                fail(format!("browser: cannot list the harness's tests: {e}"))
            })?;
        let listed: Vec<String> = String::from_utf8_lossy(&listed.stdout)
            .lines()
            .filter_map(|line| line.strip_suffix(": test"))
            .map(str::to_owned)
            .collect();
        let src = repo.root.join("src");
        let mut tests = HashMap::new();
        for chapter in chapters {
            if let Some(test) = first_run_test(&src, &chapter.html, &listed) {
                tests.insert(chapter.html.clone(), test);
            }
        }
        let mut wanted: Vec<String> = tests.values().flatten().cloned().collect();
        wanted.sort();
        let running = (!wanted.is_empty()).then(|| {
            thread::spawn(move || {
                let ran = Command::new(&executable)
                    .args(["--exact", "--show-output"])
                    .args(&wanted)
                    .stdin(Stdio::null())
                    .output()
                    .map_err(|e| format!("cannot run the harness's tests: {e}"))?;
                Ok(parse_printed(&String::from_utf8_lossy(&ran.stdout)))
            })
        });
        Ok(Harness {
            tests,
            running,
            printed: None,
        })
    }

    /// Compares the output of a page's first Run with the harness's test of that block: every
    /// line the program printed must be among what the test printed, numbers and source paths
    /// aside. Returns what is wrong.
    fn differs(&mut self, html: &str, run_output: &str) -> Option<String> {
        let test = match self.tests.get(html)? {
            Ok(test) => test.clone(),
            Err(why) => return Some(why.clone()),
        };
        if self.printed.is_none() {
            let joined = self.running.take()?.join();
            self.printed =
                Some(joined.unwrap_or_else(|_| Err("the harness run panicked".into())));
        }
        let printed = match self.printed.as_ref()? {
            Ok(printed) => printed,
            Err(why) => return Some(why.clone()),
        };
        if printed.failed.contains(&test) {
            return Some(format!("the harness's test {test} fails"));
        }
        let Some(output) = printed.output.get(&test) else {
            return Some(format!("the harness's run printed nothing for {test}"));
        };
        // Numbers differ from run to run (times, thread ids), and so do source paths in panic
        // messages (the harness compiles /tmp/rust-skeptic…/test.rs, the runner test.rs).
        let shape = |line: &str| -> String {
            line.split_whitespace()
                .map(|word| {
                    if word.contains(".rs:") {
                        "<source>".to_owned()
                    } else {
                        // A run of digits is one `#`: a thread id has 4 digits in one
                        // process and 5 in the next.
                        let mut shaped = String::new();
                        for c in word.chars() {
                            if !c.is_ascii_digit() {
                                shaped.push(c);
                            } else if !shaped.ends_with('#') {
                                shaped.push('#');
                            }
                        }
                        shaped
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        // The block's stderr comes after all of its stdout in the capture, so lines are
        // matched, not their order.
        let seen: std::collections::HashSet<String> = output.lines().map(shape).collect();
        run_output
            .lines()
            .filter(|line| !line.starts_with("[runner]") && !line.trim().is_empty())
            .map(shape)
            .find(|line| !seen.contains(line))
            .map(|line| {
                // What the test printed, for the reader of the failure.
                let kept = std::env::temp_dir().join(format!("harness-{test}.txt"));
                let _ = fs::write(&kept, output);
                format!(
                    "printed {line:?}, which the harness's test {test} did not (its output: {})",
                    kept.display()
                )
            })
    }
}

/// The harness test of a page's first runnable block, or why there is none; None for a page
/// with no runnable block.
fn first_run_test(
    src: &Path,
    html: &str,
    listed: &[String],
) -> Option<std::result::Result<String, String>> {
    let chapter = runner::chapter_of_page(src, html)?;
    let blocks = runner::plan_chapter(src, &chapter).ok()?;
    let line = blocks.iter().find(|b| b.kind == "run")?.line();
    let name_start = format!(
        "{}_sect_line_{line}_line_",
        runner::harness_test_prefix(src, &chapter)
    );
    Some(
        listed
            .iter()
            .find(|t| t.starts_with(&name_start))
            .cloned()
            .ok_or_else(|| {
                format!("the harness has no test for the block at line {line}")
            }),
    )
}

/// Reads libtest's output with `--show-output`: `test NAME ... FAILED` lines, and for each
/// test that printed something a `---- NAME stdout ----` header followed by what it printed
/// (print! and eprint! alike), up to the next header or the `successes:`/`failures:` list.
fn parse_printed(stdout: &str) -> Printed {
    let mut printed = Printed::default();
    let mut current: Option<(String, String)> = None;
    for line in stdout.lines() {
        if let Some(name) = line
            .strip_prefix("test ")
            .and_then(|rest| rest.strip_suffix(" ... FAILED"))
        {
            printed.failed.insert(name.to_owned());
        }
        let header = line
            .strip_prefix("---- ")
            .and_then(|rest| rest.strip_suffix(" stdout ----"));
        if header.is_some() || line == "successes:" || line == "failures:" {
            if let Some((name, text)) = current.take() {
                printed.output.insert(name, text);
            }
            current = header.map(|name| (name.to_owned(), String::new()));
        } else if let Some((_, text)) = current.as_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    if let Some((name, text)) = current {
        printed.output.insert(name, text);
    }
    printed
}

/// A DevTools call that must work for the walk to go on.
fn cdp<T, E: fmt::Display>(what: &str, result: std::result::Result<T, E>) -> Result<T> {
    result.map_err(|e| fail(format!("browser: {what}: {e}")))
}

impl Walk {
    fn start(origin: &str, profile: &Path) -> Result<Walk> {
        let args: Vec<&std::ffi::OsStr> =
            CHROMIUM_FLAGS.iter().map(std::ffi::OsStr::new).collect();
        let options = LaunchOptions {
            headless: true,
            sandbox: false,
            enable_gpu: false,
            window_size: Some(WINDOW),
            path: Some(PathBuf::from(CHROMIUM)),
            user_data_dir: Some(profile.to_path_buf()),
            args,
            idle_browser_timeout: Duration::from_secs(120),
            ..LaunchOptions::default()
        };
        let browser = Browser::new(options)
            .map_err(|e| fail(format!("browser: cannot start {CHROMIUM}: {e}")))?;
        let tab = browser
            .new_tab()
            .map_err(|e| fail(format!("browser: cannot open a tab: {e}")))?;
        tab.set_default_timeout(TIMEOUT);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        tab.add_event_listener(Arc::new(move |event: &Event| {
            if let Some(seen) = Seen::from_event(event) {
                sink.lock().unwrap_or_else(|p| p.into_inner()).push(seen);
            }
        }))
        .map_err(|e| fail(format!("browser: cannot listen to events: {e}")))?;
        cdp(
            "enabling Network events",
            tab.call_method(Network::Enable {
                max_total_buffer_size: None,
                max_resource_buffer_size: None,
                max_post_data_size: None,
                report_direct_socket_traffic: None,
                enable_durable_messages: None,
            }),
        )?;
        cdp(
            "enabling Runtime events",
            tab.call_method(Runtime::Enable(None)),
        )?;
        cdp("enabling Log events", tab.call_method(Log::Enable(None)))?;
        Ok(Walk {
            browser,
            tab,
            seen,
            origin: origin.to_string(),
            failures: Vec::new(),
            resources: BTreeSet::new(),
            loads: 0,
            details: 0,
            images: 0,
            runs: 0,
            clicks: 0,
            run_shot: None,
            site: None,
            harness: None,
        })
    }

    /// Closes the browser (the tab first, then the process) and keeps what was found.
    fn finish(self) -> Summary {
        let Walk {
            browser,
            tab,
            failures,
            resources,
            loads,
            details,
            images,
            runs,
            clicks,
            ..
        } = self;
        drop(tab);
        drop(browser);
        Summary {
            failures,
            resources,
            loads,
            details,
            images,
            runs,
            clicks,
        }
    }

    fn run(&mut self, repo: &Repo, chapters: &[Chapter], shots_dir: &Path) -> Result {
        self.run_shot = Some(shots_dir.join("run-button.png"));
        let mut pages: Vec<String> = vec!["index.html".to_string()];
        pages.extend(chapters.iter().map(|c| c.html.clone()));
        let mut h1_of: HashMap<String, Option<String>> = HashMap::new();
        for page in &pages {
            let state = self.check_page(page)?;
            h1_of.insert(page.clone(), state.h1);
        }

        // print.html: every chapter, each with its title.
        let print = self.check_page("print.html")?;
        for chapter in chapters {
            match h1_of.get(&chapter.html).cloned().flatten() {
                None => self.failures.push(Failure::new(
                    &format!("book/{}", chapter.html),
                    "no <h1> title in <main>",
                )),
                Some(h1) if !print.h1s.contains(&h1) => self.failures.push(Failure::new(
                    "book/print.html",
                    format!("chapter {} (title {h1:?}) is missing", chapter.html),
                )),
                Some(_) => {}
            }
        }

        self.check_search(repo, chapters, &h1_of)?;
        self.check_without_runner(chapters)?;

        let mut shots: Vec<&str> = SCREENSHOT_PAGES.to_vec();
        if let Some(third) = chapters
            .iter()
            .rev()
            .map(|c| c.html.as_str())
            .find(|p| !shots.contains(p))
        {
            shots.push(third);
        }
        shots.retain(|p| pages.iter().any(|q| q == p));
        for page in shots {
            self.screenshots(page, shots_dir)?;
        }
        Ok(())
    }

    /// Loads `page`: returns once its `load` event has fired, every request it made has been
    /// answered, and nothing new has happened for [`QUIET`]. (Faster than headless_chrome's
    /// `wait_until_navigated`, which waits for half a second of network silence.)
    fn load(&mut self, page: &str, url: &str) -> Result {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.loads += 1;
        if let Err(e) = self.tab.navigate_to(url) {
            self.failures
                .push(Failure::new(page, format!("did not load: {e}")));
            return Ok(());
        }
        let deadline = Instant::now() + TIMEOUT;
        let mut quiet: Option<(usize, Instant)> = None;
        loop {
            let (done, count) = {
                let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
                (settled(&seen), seen.len())
            };
            match quiet {
                Some((n, since)) if done && n == count => {
                    if since.elapsed() >= QUIET {
                        return Ok(());
                    }
                }
                _ if done => quiet = Some((count, Instant::now())),
                _ => quiet = None,
            }
            if Instant::now() > deadline {
                self.failures.push(Failure::new(
                    page,
                    format!("did not finish loading in {} s", TIMEOUT.as_secs()),
                ));
                return Ok(());
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Judges the events since the last `load`.
    fn judge(&mut self, page: &str, url: &str) {
        let events =
            std::mem::take(&mut *self.seen.lock().unwrap_or_else(|p| p.into_inner()));
        let (failures, requested) = judge_events(page, url, &self.origin, &events);
        self.failures.extend(failures);
        self.resources.extend(requested);
    }

    fn state(&self, page: &str) -> Result<PageState> {
        let value = self
            .tab
            .evaluate(PAGE_STATE_JS, false)
            .map_err(|e| fail(format!("browser: {page}: cannot read the page: {e}")))?
            .value;
        let json = value.as_ref().and_then(Value::as_str).unwrap_or("{}");
        serde_json::from_str(json)
            .map_err(|e| fail(format!("browser: {page}: unexpected page state: {e}")))
    }

    /// The middle of the `index`th collapsible admonition's summary, scrolled into view.
    fn summary_midpoint(&self, index: usize) -> std::result::Result<Point, String> {
        let js = format!(
            "JSON.stringify((() => {{
               const s = document.querySelectorAll('details.admonition > summary')[{index}];
               if (!s) return null;
               s.scrollIntoView({{ block: 'center', behavior: 'instant' }});
               const r = s.getBoundingClientRect();
               return [r.x + r.width / 2, r.y + r.height / 2];
             }})())"
        );
        let value = self
            .tab
            .evaluate(&js, false)
            .map_err(|e| e.to_string())?
            .value;
        match value
            .as_ref()
            .and_then(Value::as_str)
            .and_then(|s| serde_json::from_str::<Option<(f64, f64)>>(s).ok())
        {
            Some(Some((x, y))) if x > 0.0 && y > 0.0 => Ok(Point { x, y }),
            _ => Err("it has no <summary> on screen".to_string()),
        }
    }

    /// Everything checked on one page; returns its state after the solutions were opened.
    fn check_page(&mut self, html: &str) -> Result<PageState> {
        let page = format!("book/{html}");
        let url = format!("{}/{html}", self.origin);
        let started = Instant::now();
        self.load(&page, &url)?;
        let loaded = started.elapsed();
        let before = self.state(&page)?;
        self.failures.extend(admonition_failures(&page, &before));
        for details in before.details.iter().filter(|d| d.open) {
            self.failures.push(Failure::new(
                &page,
                format!("solution #{} is open before it is clicked", details.id),
            ));
        }
        // Click every collapsed solution's summary with the mouse, as a reader would: scrolled
        // into view, at its middle. (headless_chrome's `Element::click` polls the box model and
        // takes about a second per element.)
        for (index, details) in before.details.iter().enumerate() {
            let clicked = self.summary_midpoint(index).and_then(|point| {
                self.tab
                    .click_point(point)
                    .map(drop)
                    .map_err(|e| e.to_string())
            });
            if let Err(e) = clicked {
                self.failures.push(Failure::new(
                    &page,
                    format!("cannot click solution #{}: {e}", details.id),
                ));
            }
        }
        let after = self.state(&page)?;
        for details in after.details.iter().filter(|d| !d.open) {
            self.failures.push(Failure::new(
                &page,
                format!(
                    "solution #{} does not open when its summary is clicked",
                    details.id
                ),
            ));
        }
        self.details += after.details.len();
        // Measured with the solutions open: an image inside one has no size while closed.
        self.failures.extend(image_failures(&page, &after));
        if html != "print.html" {
            self.failures.extend(table_failures(&page, &after));
        }
        self.images += after.images.len();
        if html != "print.html" {
            self.check_run(&page)?;
        }
        self.judge(&page, &url);
        println!(
            "browser: {page}: loaded in {:.1} s, checked in {:.1} s",
            loaded.as_secs_f64(),
            (started.elapsed() - loaded).as_secs_f64()
        );
        Ok(after)
    }

    /// The page's Run buttons: every rust block is the one the harness plans (theme/run.js
    /// says so in `data-runner`), and the first block with a Run button runs and exits 0.
    fn check_run(&mut self, page: &str) -> Result {
        let deadline = Instant::now() + TIMEOUT;
        let state = loop {
            let value = self
                .tab
                .evaluate(RUN_STATE_JS, false)
                .map_err(|e| fail(format!("browser: {page}: cannot read the page: {e}")))?
                .value;
            let state: Value = value
                .as_ref()
                .and_then(Value::as_str)
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default();
            let settled = state["blocks"] == 0 || !state["runner"].is_null();
            if settled || Instant::now() > deadline {
                break state;
            }
            thread::sleep(Duration::from_millis(50));
        };
        if state["blocks"] == 0 {
            return Ok(());
        }
        if state["runner"] != "ready" {
            self.failures.push(Failure::new(
                page,
                format!(
                    "the Run buttons are not ready: runner {}, {}",
                    state["runner"], state["mismatch"]
                ),
            ));
            return Ok(());
        }
        if state["buttons"] == "0" {
            return Ok(());
        }
        let started = Instant::now();
        cdp("clicking Run", self.tab.evaluate(CLICK_RUN_JS, false))?;
        self.clicks += 1;
        // Compiling against the workshop crate takes a few seconds; the run's own limit is
        // the runner's.
        let deadline = Instant::now() + Duration::from_secs(180);
        let output = loop {
            let value = self
                .tab
                .evaluate(RUN_OUTPUT_JS, false)
                .ok()
                .and_then(|v| v.value);
            if let Some(output) = value.as_ref().and_then(Value::as_str) {
                break Some(output.to_owned());
            }
            if Instant::now() > deadline {
                break None;
            }
            thread::sleep(Duration::from_millis(100));
        };
        match output {
            None => self
                .failures
                .push(Failure::new(page, "Run did not finish in 180 s")),
            Some(output)
                if !output.contains("[runner] the program exited with status 0") =>
            {
                let tail: String =
                    output.lines().rev().take(8).collect::<Vec<_>>().join(" / ");
                self.failures.push(Failure::new(
                    page,
                    format!("the first Run did not exit 0: {tail}"),
                ));
            }
            Some(output) => {
                let html = page.strip_prefix("book/").unwrap_or(page);
                if let Some(wrong) =
                    self.harness.as_mut().and_then(|h| h.differs(html, &output))
                {
                    self.failures
                        .push(Failure::new(page, format!("the first Run {wrong}")));
                }
                self.runs += 1;
                if let Some(path) = self.run_shot.take() {
                    self.save_screenshot(&path)?;
                }
                println!(
                    "browser: {page}: ran its first runnable block in {:.1} s",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        Ok(())
    }

    /// A page read without a runner, as `cargo xtask build` leaves the book (its runner.json has
    /// no port) and as a file opened from disk: no Run buttons, one notice, no failed request.
    fn check_without_runner(&mut self, chapters: &[Chapter]) -> Result {
        let Some(site) = self.site.clone() else {
            return Ok(());
        };
        let Some(chapter) = chapters
            .iter()
            .find(|c| c.html == "tools/benchmarking.html")
        else {
            self.failures.push(Failure::new(
                "book/tools/benchmarking.html",
                "missing: the check of a page without a runner needs it",
            ));
            return Ok(());
        };
        let config = site.join(runner::RUNNER_JSON);
        let served = fs::read_to_string(&config).unwrap_or_default();
        let write = |text: &str| {
            fs::write(&config, text)
                .map_err(|e| fail(format!("cannot write {}: {e}", config.display())))
        };
        write(r#"{"port":null,"token":null}"#)?;
        let file_url = format!("file://{}", site.join(&chapter.html).display());
        for (page, url) in [
            (
                format!("book/{} (static)", chapter.html),
                format!("{}/{}", self.origin, chapter.html),
            ),
            (format!("book/{} (from disk)", chapter.html), file_url),
        ] {
            self.load(&page, &url)?;
            let value = self
                .tab
                .evaluate(NO_RUNNER_JS, false)
                .map_err(|e| fail(format!("browser: {page}: cannot read the page: {e}")))?
                .value;
            let state = value.as_ref().and_then(Value::as_str).unwrap_or_default();
            if state != r#"{"notices":1,"buttons":0}"# {
                self.failures.push(Failure::new(
                    &page,
                    format!("without a runner the page should show one notice and no Run button: {state}"),
                ));
            }
            if url.starts_with("http") {
                self.judge(&page, &url);
            } else {
                // file:// requests are the disk's, not the network's: not judged.
                self.seen.lock().unwrap_or_else(|p| p.into_inner()).clear();
            }
        }
        write(&served)
    }

    /// Photographs the tab's viewport into `path` (PNG).
    fn save_screenshot(&self, path: &Path) -> Result {
        let png = cdp(
            "screenshot",
            self.tab.capture_screenshot(
                Page::CaptureScreenshotFormatOption::Png,
                None,
                None,
                true,
            ),
        )?;
        fs::write(path, png)
            .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))
    }

    /// Types a word found only in the last chapter into the search box and follows the result.
    fn check_search(
        &mut self,
        repo: &Repo,
        chapters: &[Chapter],
        h1_of: &HashMap<String, Option<String>>,
    ) -> Result {
        let page = "search (book/index.html)";
        let texts = chapters
            .iter()
            .map(|c| chapter_text(repo, c))
            .collect::<Result<Vec<_>>>()?;
        let Some((index, word)) = search_target(&texts) else {
            if chapters.len() > 1 {
                self.failures.push(Failure::new(
                    page,
                    "no chapter after the first has a word that no earlier chapter has",
                ));
            }
            return Ok(());
        };
        let last = &chapters[index];
        let url = format!("{}/index.html", self.origin);
        self.load(page, &url)?;
        let typed = self
            .tab
            .press_key("s")
            .and_then(|tab| tab.wait_until_visible("#searchbar"))
            .and_then(|bar| bar.click().map(drop))
            .and_then(|()| self.tab.type_str(&word).map(drop))
            .and_then(|()| {
                self.tab
                    .wait_for_element_with_custom_timeout("#searchresults a", TIMEOUT)
                    .map(drop)
            });
        if let Err(e) = typed {
            self.failures.push(Failure::new(
                page,
                format!(
                    "searching for {word:?} (only in {}) found nothing: {e}",
                    last.html
                ),
            ));
            self.judge(page, &url);
            return Ok(());
        }
        let links: Vec<String> = self
            .tab
            .evaluate(
                "JSON.stringify(Array.from(document.querySelectorAll('#searchresults a'))\
                 .map(a => a.href))",
                false,
            )
            .ok()
            .and_then(|o| o.value)
            .and_then(|v| v.as_str().and_then(|s| serde_json::from_str(s).ok()))
            .unwrap_or_default();
        self.judge(page, &url);
        let target = format!("{}/{}", self.origin, last.html);
        let Some(link) = links
            .iter()
            .find(|l| l.split(['?', '#']).next() == Some(target.as_str()))
        else {
            let shown: Vec<&str> =
                links.iter().map(|l| show_url(l, &self.origin)).collect();
            self.failures.push(Failure::new(
                page,
                format!(
                    "searching for {word:?} gave no link to {} (results: {})",
                    last.html,
                    shown.join(", ")
                ),
            ));
            return Ok(());
        };
        let result_page = format!("search result book/{}", last.html);
        self.load(&result_page, link)?;
        let state = self.state(&result_page)?;
        let opened = self.tab.get_url();
        if opened.split(['?', '#']).next() != Some(target.as_str())
            || state.h1 != h1_of.get(&last.html).cloned().flatten()
        {
            self.failures.push(Failure::new(
                page,
                format!(
                    "the result for {word:?} opened {} (title {:?}), not {}",
                    show_url(&opened, &self.origin),
                    state.h1,
                    last.html
                ),
            ));
        } else {
            println!(
                "browser: search for {word:?} (only in {}) found it and opened it",
                last.html
            );
        }
        // The page a search link opens is a page load like the others.
        self.judge(&result_page, link);
        Ok(())
    }

    /// `page` in each of [`THEMES`], saved as `target/browser/<page>-<theme>.png`.
    fn screenshots(&mut self, html: &str, dir: &Path) -> Result {
        let page = format!("book/{html}");
        let url = format!("{}/{html}", self.origin);
        let mut backgrounds = Vec::new();
        for theme in THEMES {
            let set = format!("localStorage.setItem('mdbook-theme', '{theme}')");
            cdp("setting the theme", self.tab.evaluate(&set, false))?;
            self.load(&page, &url)?;
            let state = self.state(&page)?;
            if !state.theme.split_whitespace().any(|c| c == *theme) {
                self.failures.push(Failure::new(
                    &page,
                    format!("theme {theme} not applied (html class {:?})", state.theme),
                ));
            }
            backgrounds.push(state.background);
            let name = format!(
                "{}-{theme}.png",
                html.trim_end_matches(".html").replace('/', "-")
            );
            self.save_screenshot(&dir.join(name))?;
            self.judge(&page, &url);
        }
        if backgrounds.windows(2).any(|w| w[0] == w[1]) {
            self.failures.push(Failure::new(
                &page,
                format!(
                    "themes {THEMES:?} have the same background {:?}",
                    backgrounds[0]
                ),
            ));
        }
        // Leave the reader's default for whatever comes next.
        let _ = self
            .tab
            .evaluate("localStorage.removeItem('mdbook-theme')", false);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn harness_output_is_read_per_test() {
        let stdout = "\nrunning 3 tests\ntest a ... ok\ntest b ... FAILED\ntest c ... ok\n\n\
                      successes:\n\n---- a stdout ----\nhello\nworld\n\n\
                      ---- c stdout ----\nthread 'main' panicked at test.rs:3:5:\n\n\
                      successes:\n    a\n    c\n\nfailures:\n\n---- b stdout ----\nwrong\n\n\
                      failures:\n    b\n\ntest result: FAILED. 2 passed; 1 failed\n";
        let printed = parse_printed(stdout);
        assert_eq!(printed.failed, BTreeSet::from(["b".to_owned()]));
        assert_eq!(printed.output["a"], "hello\nworld\n\n");
        assert_eq!(
            printed.output["c"],
            "thread 'main' panicked at test.rs:3:5:\n\n"
        );
        assert_eq!(printed.output["b"], "wrong\n\n");
    }

    #[test]
    fn hosts() {
        for url in [
            "http://127.0.0.1:4321/css/chrome.css",
            "http://127.0.0.1/",
            "ws://127.0.0.1:9/x",
            "http://user@127.0.0.1:80/a",
        ] {
            assert_eq!(classify(url), Host::Local, "{url}");
        }
        for url in [
            "data:font/woff2;base64,AAAA",
            "blob:http://127.0.0.1:1/uuid",
            "about:blank",
        ] {
            assert_eq!(classify(url), Host::Inline, "{url}");
        }
        let external = |url| match classify(url) {
            Host::External(host) => host,
            other => panic!("{url}: {other:?}"),
        };
        assert_eq!(
            external("https://fonts.googleapis.com/css?x"),
            "fonts.googleapis.com"
        );
        assert_eq!(external("http://localhost:3000/"), "localhost");
        assert_eq!(external("http://127.0.0.1.evil.com/"), "127.0.0.1.evil.com");
        assert_eq!(
            external("https://127.0.0.1/"),
            "127.0.0.1",
            "https is not our server"
        );
        assert_eq!(external("http://[::1]:80/"), "::1");
        assert_eq!(external("chrome://newtab/"), "newtab");
        assert_eq!(external("mystery"), "mystery");
        assert_eq!(
            show_url("http://127.0.0.1:9/css/a.css", "http://127.0.0.1:9"),
            "/css/a.css"
        );
        assert_eq!(show_url("http://127.0.0.1:9", "http://127.0.0.1:9"), "/");
        assert_eq!(
            show_url("https://x.org/a", "http://127.0.0.1:9"),
            "https://x.org/a"
        );
    }

    #[test]
    fn chapter_files() {
        assert_eq!(html_of("introduction.md"), "introduction.html");
        assert_eq!(html_of("tools/benchmarking.md"), "tools/benchmarking.html");
        assert_eq!(html_of("README.md"), "index.html");
        assert_eq!(html_of("part/README.md"), "part/index.html");
    }

    #[test]
    fn unique_words() {
        let earlier = vec![
            "# Testing\nA benchmark measures things. `criterion` is shown.".to_string(),
            "Included code: fn measurement_loop() {}".to_string(),
        ];
        let last = "\
# Profiling

```rust
fn flamegraphs_in_code() {}
```
{{#include ../generated/profiling.md}}
| sampling | table |
Use `inferno_tool` and [criterion](https://example.com/samplingrates) with benchmarks.
Measurements: sampling frequency matters.
";
        // `benchmarks` and `measurements` share their stems with earlier words, code and link
        // targets are not prose, `criterion` occurs earlier, `sampling` is in a table row
        // first, then in prose.
        assert_eq!(unique_word(last, &earlier).as_deref(), Some("profiling"));
        let without_title = last.replace("# Profiling", "");
        assert_eq!(
            unique_word(&without_title, &earlier).as_deref(),
            Some("sampling")
        );
        assert_eq!(unique_word("short words only", &earlier), None);
        // The index stems "grouped" to "group", which an earlier page has.
        let grouped = vec!["a benchmark group".to_string()];
        assert_eq!(
            unique_word("Grouped entries, alphabetically", &grouped).as_deref(),
            Some("entries")
        );
        let texts = [
            "# Introduction\nworkshop chapters".to_string(),
            "# Benchmarking\ncriterion measures".to_string(),
            "# Tables\n{{#include ../generated/benchmarking.md}}\n| workshop | criterion |"
                .to_string(),
        ];
        assert_eq!(search_target(&texts), Some((1, "benchmarking".to_string())));
        assert_eq!(search_target(&texts[..1]), None);
        assert_eq!(strip_link_targets("a [b](c) d [e](f)"), "a [b] d [e]");
    }

    #[test]
    fn events_to_failures() {
        let origin = "http://127.0.0.1:9";
        let page_url = "http://127.0.0.1:9/tools/benchmarking.html";
        let request = |id: &str, url: &str| {
            Seen::Request(json!({"requestId": id, "request": {"url": url}}))
        };
        let response = |url: &str, status: u64, kind: &str| {
            Seen::Response(json!({
                "response": {"url": url, "status": status, "statusText": "Not Found"},
                "type": kind
            }))
        };
        let events = vec![
            request("1", page_url),
            response(page_url, 200, "Document"),
            request("2", "http://127.0.0.1:9/theme/missing.css"),
            response("http://127.0.0.1:9/theme/missing.css", 404, "Stylesheet"),
            request("3", "https://fonts.example.com/f.woff2"),
            Seen::LoadingFailed(json!({
                "requestId": "3", "errorText": "net::ERR_CONNECTION_REFUSED", "type": "Font"
            })),
            Seen::LoadingFailed(json!({"requestId": "2", "canceled": true})),
            Seen::Console(json!({"type": "log", "args": [{"value": "fine"}]})),
            Seen::Console(json!({
                "type": "error",
                "args": [{"type": "string", "value": "oops"}, {"type": "number", "value": 3}]
            })),
            Seen::Exception(json!({"exceptionDetails": {
                "text": "Uncaught", "url": "http://127.0.0.1:9/book.js", "lineNumber": 7,
                "exception": {"description": "TypeError: x is null\n    at f (book.js:8)"}
            }})),
            Seen::Log(json!({"entry": {"level": "warning", "text": "meh"}})),
            Seen::Log(json!({"entry": {
                "level": "error", "text": "Failed to load resource",
                "url": "http://127.0.0.1:9/theme/missing.css"
            }})),
        ];
        let (failures, requested) =
            judge_events("book/tools/benchmarking.html", page_url, origin, &events);
        let lines: Vec<String> = failures.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "browser: book/tools/benchmarking.html: failed request /theme/missing.css \
                 (404 Not Found, Stylesheet)",
                "browser: book/tools/benchmarking.html: request leaves 127.0.0.1: \
                 https://fonts.example.com/f.woff2 (host fonts.example.com)",
                "browser: book/tools/benchmarking.html: failed request \
                 https://fonts.example.com/f.woff2 (net::ERR_CONNECTION_REFUSED, Font)",
                "browser: book/tools/benchmarking.html: console error: oops 3",
                "browser: book/tools/benchmarking.html: JavaScript exception: \
                 TypeError: x is null (/book.js:7)",
                "browser: book/tools/benchmarking.html: browser log error: \
                 Failed to load resource (/theme/missing.css)",
            ]
        );
        assert_eq!(requested.len(), 3);

        // The page itself failing, or never answering.
        let (failures, _) = judge_events(
            "book/x.html",
            "http://127.0.0.1:9/x.html",
            origin,
            &[response("http://127.0.0.1:9/x.html", 404, "Document")],
        );
        assert_eq!(failures, [Failure::new("book/x.html", "HTTP 404")]);
        // A search result link carries a #fragment; the document's URL does not.
        let (failures, _) = judge_events(
            "search",
            "http://127.0.0.1:9/x.html?highlight=word#heading",
            origin,
            &[response(
                "http://127.0.0.1:9/x.html?highlight=word",
                200,
                "Document",
            )],
        );
        assert_eq!(failures, []);
        let (failures, _) =
            judge_events("book/x.html", "http://127.0.0.1:9/x.html", origin, &[]);
        assert_eq!(
            failures[0].to_string(),
            "browser: book/x.html: no HTTP response for the page"
        );
    }

    #[test]
    fn when_a_load_is_over() {
        let request = |id: &str, url: &str| {
            Seen::Request(json!({"requestId": id, "request": {"url": url}}))
        };
        let finished = |id: &str| Seen::Finished(json!({"requestId": id}));
        let mut events = vec![
            request("1", "http://127.0.0.1:9/a.html"),
            request("2", "http://127.0.0.1:9/a.css"),
            request("3", "data:image/svg+xml,<svg/>"),
            finished("1"),
        ];
        assert!(!settled(&events), "a.css and the load event are pending");
        events.push(Seen::LoadingFailed(json!({"requestId": "2"})));
        assert!(!settled(&events), "no load event yet");
        events.push(Seen::Loaded);
        assert!(settled(&events), "data: URLs are not waited for");
        events.push(request("4", "http://127.0.0.1:9/searchindex.js"));
        assert!(!settled(&events), "a request after the load event");
        events.push(finished("4"));
        assert!(settled(&events));
    }

    #[test]
    fn page_state_failures() {
        let state = PageState {
            admonitions: vec![
                Admonition {
                    id: "admonition-tip".into(),
                    border: "6.4px".into(),
                    shadow: "x".into(),
                },
                Admonition {
                    id: "admonition-solution".into(),
                    border: "0px".into(),
                    shadow: "none".into(),
                },
            ],
            images: vec![
                Image {
                    tag: "img".into(),
                    src: "../figures/ok.svg".into(),
                    loaded: true,
                    size: (300.0, 200.0),
                },
                Image {
                    tag: "img".into(),
                    src: "../figures/gone.svg".into(),
                    loaded: false,
                    size: (16.0, 16.0),
                },
                Image {
                    tag: "object".into(),
                    src: "../figures/flat.svg".into(),
                    loaded: true,
                    size: (300.0, 0.0),
                },
            ],
            ..PageState::default()
        };
        let lines: Vec<String> = admonition_failures("book/a.html", &state)
            .into_iter()
            .chain(image_failures("book/a.html", &state))
            .map(|f| f.to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "browser: book/a.html: admonition #admonition-solution is unstyled \
                 (border-left-width 0px, box-shadow none): is mdbook-admonish.css loaded?",
                "browser: book/a.html: <img> ../figures/gone.svg did not load",
                "browser: book/a.html: <object> ../figures/flat.svg has no rendered size (300×0)",
            ]
        );
    }

    #[test]
    fn static_files() {
        let dir =
            std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        fs::create_dir_all(dir.join("tools")).unwrap();
        fs::write(dir.join("index.html"), "i").unwrap();
        fs::write(dir.join("tools/a b.html"), "a").unwrap();
        assert_eq!(file_for(&dir, "/"), Some(dir.join("index.html")));
        assert_eq!(
            file_for(&dir, "/tools/a%20b.html?highlight=x#y"),
            Some(dir.join("tools/a b.html"))
        );
        assert_eq!(file_for(&dir, "/tools/../index.html"), None);
        assert_eq!(file_for(&dir, "/missing.css"), None);
        assert_eq!(content_type(Path::new("x.woff2")), "font/woff2");
        fs::remove_dir_all(&dir).unwrap();
    }
}
