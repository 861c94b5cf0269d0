//! `serve`, `build` and the link check of `check`.
//!
//! mdBook 0.4.52 is lenient where this book must not be: it exits 0 when an included file is
//! missing (it only logs an ERROR) and renders an empty block, without any log line, when an
//! anchor is missing. `build` therefore reads mdBook's log and checks every include itself.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::{Repo, Result, ServeOptions, fail, run_status, runner, tools};

pub fn serve(repo: &Repo, options: &ServeOptions) -> Result {
    let tools = tools::ensure(repo)?;
    let src = repo.root.join("src");
    let port = options.port.to_string();
    remove_runner_config(&src)?;
    if options.run {
        let token = runner::new_token()?;
        let rustc_args = Arc::new(Mutex::new(None));
        let config = runner::Config {
            src: src.clone(),
            book_port: options.port,
            token: token.clone(),
            scratch: repo.target_dir()?.join("xtask/runs"),
            limits: runner::Limits::default(),
            rustc_args: Arc::clone(&rustc_args),
        };
        let runner = runner::start(config, 0)?;
        runner::write_page_config(&src, runner.port, &token)?;
        println!(
            "runner: 127.0.0.1:{} compiles and runs the blocks you Run, on this machine, as you \
             (--no-run turns it off)",
            runner.port
        );
        // In the background, so that the book is served at once; a Run before this ends is
        // answered "try again in a minute".
        let repo_root = repo.root.clone();
        thread::spawn(move || {
            let prepared = runner::rustc_args(&Repo { root: repo_root });
            match &prepared {
                Ok(_) => println!("runner: ready"),
                Err(e) => eprintln!("runner: cannot prepare: {e}"),
            }
            *rustc_args.lock().unwrap_or_else(|e| e.into_inner()) = Some(prepared);
        });
    }
    let mut command = tools.mdbook(repo);
    command.args(["serve", "--hostname", "127.0.0.1", "--port", &port]);
    if options.open {
        command.arg("--open");
    }
    println!("serving the book at http://127.0.0.1:{port} (Ctrl-C to stop)");
    run_status(&mut command, "mdbook serve")
}

/// A `src/runner.json` left by a serve: the pages of a static build must not point at a runner.
fn remove_runner_config(src: &Path) -> Result {
    match fs::remove_file(src.join(runner::RUNNER_JSON)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(fail(format!(
            "cannot remove src/{}: {e}",
            runner::RUNNER_JSON
        ))),
        _ => Ok(()),
    }
}

pub fn build(repo: &Repo) -> Result {
    let tools = tools::ensure(repo)?;
    remove_runner_config(&repo.root.join("src"))?;
    println!("mdbook build …");
    let output = tools
        .mdbook(repo)
        .arg("build")
        .output()
        .map_err(|e| fail(format!("cannot run mdbook: {e}")))?;
    // mdBook logs to stderr; show the log as mdBook would have.
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    eprint!("{log}");

    let mut problems: Vec<String> = log_problems(&log)
        .into_iter()
        .map(|line| format!("mdbook: {line}"))
        .collect();
    if !output.status.success() {
        problems.push(format!("mdbook build exited with {}", output.status));
    }
    problems.extend(check_summary(repo)?);
    problems.extend(check_includes(repo)?);

    // The pages look for a runner here; a static book has none (no port), and says so without
    // a failed request.
    let static_config = repo.root.join("book").join(runner::RUNNER_JSON);
    if let Err(e) = fs::write(&static_config, r#"{"port":null,"token":null}"#) {
        problems.push(format!("cannot write {}: {e}", static_config.display()));
    }
    if problems.is_empty() {
        println!("build: ok ({})", repo.show(&repo.root.join("book")));
        Ok(())
    } else {
        for problem in &problems {
            eprintln!("{problem}");
        }
        Err(fail(format!("build: {} problem(s)", problems.len())))
    }
}

// ----------------------------------------------------------------------------------------------
// mdBook's log.

/// Lines of mdBook's log that report an error or a warning, except the one known to be harmless.
///
/// Words are matched case-insensitively: mdBook's own logger prints `[ERROR]`/`[WARN]`, the
/// preprocessor's prints `ERROR mdbook_admonish` and plain `Warning:` lines.
fn log_problems(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|line| {
            line.split(|c: char| !c.is_alphanumeric()).any(|word| {
                ["error", "errors", "warn", "warning", "warnings"]
                    .iter()
                    .any(|w| word.eq_ignore_ascii_case(w))
            })
        })
        .filter(|line| !is_known_benign(line))
        .collect()
}

/// mdbook-admonish 1.20.0 was compiled against mdBook 0.4.51 and says so on every build; the two
/// work together (design.md). Matched narrowly so that any other version mismatch still fails.
fn is_known_benign(line: &str) -> bool {
    line.contains("mdbook-admonish")
        && line.contains("built against version 0.4.51")
        && line.contains("called from version 0.4.52")
}

// ----------------------------------------------------------------------------------------------
// SUMMARY.md.

/// Every chapter SUMMARY.md links to must exist (draft chapters, `[Title]()`, have no file).
fn check_summary(repo: &Repo) -> Result<Vec<String>> {
    let path = repo.root.join("src/SUMMARY.md");
    let text = fs::read_to_string(&path)
        .map_err(|e| fail(format!("cannot read {}: {e}", repo.show(&path))))?;
    Ok(summary_links(&text)
        .into_iter()
        .filter(|(_, target)| !repo.root.join("src").join(target).is_file())
        .map(|(line, target)| {
            format!("src/SUMMARY.md:{line}: chapter src/{target} does not exist")
        })
        .collect())
}

/// `(line, path)` of every local `[text](path)` link in SUMMARY.md, without its #fragment.
pub(crate) fn summary_links(text: &str) -> Vec<(usize, String)> {
    let mut links = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let Some(end) = rest.find(')') else { break };
            let target = rest[..end].trim();
            let target = target.split('#').next().unwrap_or_default();
            if !target.is_empty() && !is_external(target) {
                links.push((n + 1, target.to_string()));
            }
            rest = &rest[end..];
        }
    }
    links
}

// ----------------------------------------------------------------------------------------------
// Includes.

/// One `{{#include …}}` or `{{#rustdoc_include …}}` link.
#[derive(Debug, PartialEq)]
pub(crate) struct Include {
    line: usize,
    pub(crate) path: String,
    part: Part,
}

/// Which part of the file a link includes, as mdBook parses it.
#[derive(Debug, PartialEq)]
enum Part {
    /// `file`, `file:10`, `file:10:20`, `file::20`, `file:10:`: 1-based first line (if any) and
    /// end bound (as mdBook reads it: `file:10` is line 10 alone).
    Lines {
        start: Option<usize>,
        end: Option<usize>,
    },
    Anchor(String),
}

/// Finds the include links of a Markdown text, as mdBook's link preprocessor does: `{{#type
/// target}}`, not preceded by a backslash (`\{{#include …}}` is how a chapter shows the syntax).
pub(crate) fn scan_includes(text: &str) -> Vec<Include> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("{{") {
        let start = from + at;
        from = start + 2;
        if text[..start].ends_with('\\') {
            // mdBook consumes an escaped link up to the last `}}` of the line.
            let line_end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            if let Some(close) = text[start..line_end].rfind("}}") {
                from = start + close + 2;
            }
            continue;
        }
        let rest = text[from..].trim_start();
        let Some(rest) = rest.strip_prefix('#') else {
            continue;
        };
        let kind_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (kind, rest) = rest.split_at(kind_len);
        if kind != "include" && kind != "rustdoc_include" {
            continue;
        }
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let Some(close) = rest.find('}') else {
            continue;
        };
        if !rest[close..].starts_with("}}") {
            continue;
        }
        let Some(target) = rest[..close].split_whitespace().next() else {
            continue;
        };
        let (path, spec) = match target.split_once(':') {
            Some((path, spec)) => (path, Some(spec)),
            None => (target, None),
        };
        found.push(Include {
            line: text[..start].matches('\n').count() + 1,
            path: path.to_string(),
            part: parse_part(spec),
        });
    }
    found
}

/// mdBook's `parse_range_or_anchor`.
fn parse_part(spec: Option<&str>) -> Part {
    let mut parts = spec.unwrap_or("").splitn(3, ':');
    let first = parts.next().unwrap_or("");
    let start = match first.parse::<usize>() {
        Ok(n) => Some(n),
        Err(_) if first.is_empty() => None,
        Err(_) => return Part::Anchor(first.to_string()),
    };
    let end = match parts.next() {
        // `file:10` is line 10 alone.
        None => start,
        Some(end) => end.parse::<usize>().ok(),
    };
    Part::Lines { start, end }
}

/// Whether a line opens (`ANCHOR: name`) or closes (`ANCHOR_END: name`) an anchor, as mdBook's
/// regexes `ANCHOR:\s*([\w_-]+)` and `ANCHOR_END:\s*([\w_-]+)` see it.
fn anchor_name<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let at = line.find(marker)?;
    let rest = line[at + marker.len()..].trim_start();
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    (len > 0).then(|| &rest[..len])
}

/// The text an include selects, or why it selects nothing.
fn select(text: &str, part: &Part) -> std::result::Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    match part {
        Part::Lines { start, end } => {
            let first = start.unwrap_or(1).max(1);
            if first > lines.len() {
                return Err(format!(
                    "starts at line {first}, after the end of the file ({} lines)",
                    lines.len()
                ));
            }
            let last = end.unwrap_or(lines.len()).min(lines.len());
            if last < first {
                return Err(format!("line range {first}..{last} is empty"));
            }
            Ok(lines[first - 1..last].join("\n"))
        }
        Part::Anchor(name) => {
            let Some(open) = lines
                .iter()
                .position(|l| anchor_name(l, "ANCHOR:") == Some(name))
            else {
                return Err(format!("anchor {name:?} not found"));
            };
            let Some(close) = lines[open..]
                .iter()
                .position(|l| anchor_name(l, "ANCHOR_END:") == Some(name))
            else {
                return Err(format!("anchor {name:?} has no ANCHOR_END"));
            };
            // Nested anchors' own marker lines are not part of what mdBook renders.
            let body: Vec<&str> = lines[open + 1..open + close]
                .iter()
                .filter(|l| anchor_name(l, "ANCHOR:").is_none())
                .filter(|l| anchor_name(l, "ANCHOR_END:").is_none())
                .copied()
                .collect();
            if body.iter().all(|l| l.trim().is_empty()) {
                return Err(format!("anchor {name:?} is empty"));
            }
            Ok(body.join("\n"))
        }
    }
}

/// Checks every include of every `.md` under src/ (and, as mdBook does, the includes of the
/// included text, relative to the included file).
fn check_includes(repo: &Repo) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    for chapter in files_with_extension(&repo.root.join("src"), "md")? {
        let text = fs::read_to_string(&chapter)
            .map_err(|e| fail(format!("cannot read {}: {e}", repo.show(&chapter))))?;
        check_includes_of(repo, &chapter, &text, 0, &mut problems);
    }
    Ok(problems)
}

/// mdBook stops expanding after 10 levels; so do we (it also stops include cycles).
const MAX_INCLUDE_DEPTH: usize = 10;

fn check_includes_of(
    repo: &Repo,
    file: &Path,
    text: &str,
    depth: usize,
    problems: &mut Vec<String>,
) {
    let dir = file.parent().unwrap_or(Path::new("."));
    for include in scan_includes(text) {
        let at = format!("{}:{}", repo.show(file), include.line);
        let target = dir.join(&include.path);
        let content = match fs::read_to_string(&target) {
            Ok(content) => content,
            Err(e) => {
                problems.push(format!("{at}: cannot read {}: {e}", include.path));
                continue;
            }
        };
        match select(&content, &include.part) {
            Ok(selected) if depth < MAX_INCLUDE_DEPTH => {
                check_includes_of(repo, &target, &selected, depth + 1, problems)
            }
            Ok(_) => {}
            Err(why) => problems.push(format!("{at}: {why} in {}", include.path)),
        }
    }
}

/// Files under `dir` (recursively) whose name ends with `.ext`, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = fs::read_dir(&dir)
            .map_err(|e| fail(format!("cannot list {}: {e}", dir.display())))?;
        for entry in entries {
            let path = entry
                .map_err(|e| fail(format!("cannot list {}: {e}", dir.display())))?
                .path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

// ----------------------------------------------------------------------------------------------
// Links of the rendered book.

/// One start tag: lower-cased name and attributes, values with entities decoded.
#[derive(Debug, PartialEq)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The start tags of an HTML page. A small scanner rather than a parser: it skips comments,
/// doctype and end tags, and the bodies of `<script>` and `<style>` (whose text may contain
/// strings that look like tags); that is all mdBook's output needs.
fn start_tags(html: &str) -> Vec<Tag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(at) = html[i..].find('<') {
        i += at;
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |n| n + 3);
            continue;
        }
        if !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            // End tag, doctype, or a `<` in text.
            i += rest.find('>').map_or(rest.len(), |n| n + 1);
            continue;
        }
        let (tag, len) = parse_tag(rest);
        i += len;
        if tag.name == "script" || tag.name == "style" {
            let close = format!("</{}", tag.name);
            let lower = html[i..].to_ascii_lowercase();
            i += lower.find(&close).unwrap_or(lower.len());
        }
        tags.push(tag);
    }
    tags
}

/// Parses the tag at the start of `s` (which starts with `<` and a letter); returns the tag and
/// the number of bytes it spans.
fn parse_tag(s: &str) -> (Tag, usize) {
    let b = s.as_bytes();
    let mut i = 1;
    let word_end = |from: usize| {
        from + s[from..]
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/' || c == '=')
            .unwrap_or(s.len() - from)
    };
    let end = word_end(i);
    let name = s[i..end].to_ascii_lowercase();
    i = end;
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            i = (i + 1).min(b.len());
            break;
        }
        let end = word_end(i).max(i + 1);
        let attr = s[i..end].to_ascii_lowercase();
        i = end;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i] as char;
                let close = s[i + 1..].find(quote).map_or(s.len(), |n| i + 1 + n);
                value = decode_entities(&s[i + 1..close]);
                i = (close + 1).min(s.len());
            } else {
                let close = i + s[i..]
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(s.len() - i);
                value = decode_entities(&s[i..close]);
                i = close;
            }
        }
        attrs.push((attr, value));
    }
    (Tag { name, attrs }, i)
}

/// Character references in attribute values: the named ones HTML writers emit, and numeric ones.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|semi| {
            let entity = &rest[1..semi];
            let c = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity.strip_prefix('#').and_then(|n| {
                    match n.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => n.parse().ok(),
                    }
                    .and_then(char::from_u32)
                }),
            }?;
            Some((c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `%20` and friends; invalid escapes are kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |at: usize| b.get(at).and_then(|&c| (c as char).to_digit(16));
        if b[i] == b'%' {
            if let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `http:`, `mailto:`, `javascript:`, `data:` … and protocol-relative `//host` URLs leave the book.
fn is_external(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    let scheme_end = url.find(':');
    let path_start = url.find(['/', '?', '#']);
    match scheme_end {
        Some(colon) if colon > 0 && path_start.is_none_or(|p| colon < p) => {
            let scheme = &url[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
        _ => false,
    }
}

/// A link found in a page: which attribute, and its value.
#[derive(Debug, PartialEq)]
struct Link {
    attr: &'static str,
    url: String,
}

/// What a page links to (href, src, object data; not `<base href>`) and what it can be linked to
/// (every `id`, and `<a name>`), and its `<base href>` if it has one (mdBook's 404 page does).
#[derive(Debug, Default)]
struct Page {
    links: Vec<Link>,
    ids: HashSet<String>,
    base: Option<String>,
}

fn parse_page(html: &str) -> Page {
    let mut page = Page::default();
    for tag in start_tags(html) {
        if let Some(id) = tag.attr("id") {
            page.ids.insert(id.to_string());
        }
        if let ("a", Some(name)) = (tag.name.as_str(), tag.attr("name")) {
            page.ids.insert(name.to_string());
        }
        if tag.name == "base" {
            page.base = tag.attr("href").map(str::to_string);
            continue;
        }
        for attr in ["href", "src"] {
            if let Some(url) = tag.attr(attr) {
                page.links.push(Link {
                    attr,
                    url: url.to_string(),
                });
            }
        }
        if let ("object", Some(url)) = (tag.name.as_str(), tag.attr("data")) {
            page.links.push(Link {
                attr: "data",
                url: url.to_string(),
            });
        }
    }
    page
}

/// Resolves a local link of page `page` (under `root`) to a file, lexically (`..` cannot leave
/// the book), and its fragment. None for external links.
fn resolve(
    root: &Path,
    page: &Path,
    base: Option<&str>,
    url: &str,
) -> Option<(std::result::Result<PathBuf, String>, Option<String>)> {
    if is_external(url) {
        return None;
    }
    let (rest, fragment) = match url.split_once('#') {
        Some((rest, fragment)) => (rest, Some(percent_decode(fragment))),
        None => (url, None),
    };
    let path = percent_decode(rest.split('?').next().unwrap_or_default());
    let page_dir = page.parent().unwrap_or(root).to_path_buf();
    // With `<base href="/">`, relative links resolve against the book's root (mdBook serves the
    // book at the site root).
    let (dir, here) = match base {
        Some(base) if !is_external(base) => {
            let base_path = root.join(base.trim_start_matches('/'));
            if base.ends_with('/') || base.is_empty() {
                (base_path.clone(), base_path)
            } else {
                (base_path.parent().unwrap_or(root).to_path_buf(), base_path)
            }
        }
        _ => (page_dir, page.to_path_buf()),
    };
    let joined = if path.is_empty() && rest.is_empty() {
        // `#id` alone: the page itself. (Under `<base href="/">` a browser would go to the
        // root page; mdBook's 404 page has such heading links, and they are not ours to fix.)
        page.to_path_buf()
    } else if path.is_empty() {
        here
    } else if let Some(absolute) = path.strip_prefix('/') {
        root.join(absolute)
    } else {
        dir.join(&path)
    };
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                if !normal.pop() || !normal.starts_with(root) {
                    return Some((Err("leaves book/".to_string()), fragment));
                }
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    if !normal.starts_with(root) {
        return Some((Err("leaves book/".to_string()), fragment));
    }
    if normal.is_dir() {
        normal.push("index.html");
    }
    Some((Ok(normal), fragment))
}

/// Checks every local link of every page under `book`; returns the number of pages.
pub fn check_links(book: &Path) -> Result<usize> {
    let (pages, broken) = broken_links(book)?;
    if broken.is_empty() {
        Ok(pages)
    } else {
        for line in &broken {
            eprintln!("{line}");
        }
        Err(fail(format!("{} broken link(s) in book/", broken.len())))
    }
}

/// The number of pages under `book`, and a line for each broken link.
fn broken_links(book: &Path) -> Result<(usize, Vec<String>)> {
    let root = book
        .canonicalize()
        .map_err(|e| fail(format!("cannot open {}: {e}", book.display())))?;
    let show = |p: &Path| {
        let rel = p.strip_prefix(&root).unwrap_or(p);
        format!("book/{}", rel.display())
    };
    let pages_files = files_with_extension(&root, "html")?;
    let mut pages: HashMap<PathBuf, Page> = HashMap::new();
    for file in &pages_files {
        let html = fs::read_to_string(file)
            .map_err(|e| fail(format!("cannot read {}: {e}", show(file))))?;
        pages.insert(file.clone(), parse_page(&html));
    }

    let mut broken = Vec::new();
    for file in &pages_files {
        let page = &pages[file];
        // One report per distinct link and page: the sidebar repeats links on every page.
        let mut seen = BTreeSet::new();
        for link in &page.links {
            if !seen.insert(&link.url) {
                continue;
            }
            let Some((target, fragment)) =
                resolve(&root, file, page.base.as_deref(), &link.url)
            else {
                continue;
            };
            let problem = match target {
                Err(why) => Some(why),
                Ok(target) if !target.is_file() => {
                    Some(format!("{} does not exist", show(&target)))
                }
                Ok(target) => match (fragment.as_deref(), pages.get(&target)) {
                    (Some(id), Some(target_page)) if !id.is_empty() => {
                        (!target_page.ids.contains(id))
                            .then(|| format!("no id {id:?} in {}", show(&target)))
                    }
                    _ => None,
                },
            };
            if let Some(why) = problem {
                broken.push(format!(
                    "{}: broken link {} ({}: {why})",
                    show(file),
                    link.url,
                    link.attr
                ));
            }
        }
    }
    Ok((pages_files.len(), broken))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_that_fail_the_build() {
        let log = "\
2026-11-27 21:39:51 [INFO] (mdbook::book): Book building has started
Warning: The mdbook-admonish preprocessor was built against version 0.4.51 of mdbook, but we're being called from version 0.4.52
2026-11-27 21:39:51 [ERROR] (mdbook::preprocess::links): Error updating \"{{#include x.rs}}\", Could not read file for link
2026-11-27 21:39:51 [WARN] (mdbook::preprocess::links): Caused By: No such file or directory (os error 2)
Warning: The mdbook-admonish preprocessor was built against version 0.4.50 of mdbook, but we're being called from version 0.4.52
[2026-11-27T21:39:52Z ERROR mdbook_admonish] Fatal error: ERROR:
2026-11-27 21:39:51 [INFO] (mdbook::book): Running the html backend";
        let problems = log_problems(log);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].contains("[ERROR]"));
        assert!(problems[1].contains("[WARN]"));
        assert!(problems[2].contains("0.4.50"), "only 0.4.51 is benign");
        assert!(problems[3].contains("mdbook_admonish"));
        // A file whose name merely contains the letters is not a problem.
        assert!(log_problems("[INFO] writing book/terrors.html").is_empty());
    }

    #[test]
    fn summary_chapters_and_drafts() {
        let summary = "# Summary\n\n[Intro](introduction.md)\n\n- [Testing](tools/testing.md)\n\
                       - [Draft]()\n- [Site](https://example.com)\n- [Part](a.md#x) [B](b.md)\n";
        assert_eq!(
            summary_links(summary),
            vec![
                (3, "introduction.md".to_string()),
                (5, "tools/testing.md".to_string()),
                (8, "a.md".to_string()),
                (8, "b.md".to_string()),
            ]
        );
    }

    #[test]
    fn include_links_as_mdbook_parses_them() {
        let text = "# T\n\n```rust\n{{#include ../../code/src/testing.rs:table}}\n```\n\
                    {{ #rustdoc_include ../x.rs:10:20 }}\n\
                    Write \\{{#include file.rs:name}} to include a part.\n\
                    {{#include a.md}} {{#include b.rs:3}} {{#include c.rs::4}} {{#include d.rs:5:}}\n\
                    {{#title Not an include}} {{#include}}\n";
        let found = scan_includes(text);
        let summary: Vec<(usize, &str, &Part)> = found
            .iter()
            .map(|i| (i.line, i.path.as_str(), &i.part))
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    4,
                    "../../code/src/testing.rs",
                    &Part::Anchor("table".into())
                ),
                (
                    6,
                    "../x.rs",
                    &Part::Lines {
                        start: Some(10),
                        end: Some(20)
                    }
                ),
                (
                    8,
                    "a.md",
                    &Part::Lines {
                        start: None,
                        end: None
                    }
                ),
                (
                    8,
                    "b.rs",
                    &Part::Lines {
                        start: Some(3),
                        end: Some(3)
                    }
                ),
                (
                    8,
                    "c.rs",
                    &Part::Lines {
                        start: None,
                        end: Some(4)
                    }
                ),
                (
                    8,
                    "d.rs",
                    &Part::Lines {
                        start: Some(5),
                        end: None
                    }
                ),
            ]
        );
    }

    #[test]
    fn anchors_as_mdbook_finds_them() {
        let file = "\
// ANCHOR: outer
fn a() {}
// ANCHOR: inner
fn b() {}
// ANCHOR_END: inner
// ANCHOR_END: outer
<!-- ANCHOR: ignore_case -->
| a | b |
<!-- ANCHOR_END: ignore_case -->
// ANCHOR: empty
// ANCHOR_END: empty
// ANCHOR: open
never closed
";
        let anchor = |name: &str| select(file, &Part::Anchor(name.into()));
        assert_eq!(anchor("outer").unwrap(), "fn a() {}\nfn b() {}");
        assert_eq!(anchor("inner").unwrap(), "fn b() {}");
        assert_eq!(anchor("ignore_case").unwrap(), "| a | b |");
        assert_eq!(anchor("x").unwrap_err(), "anchor \"x\" not found");
        // `ignore` is a prefix of `ignore_case`, not the same anchor.
        assert!(anchor("ignore").is_err());
        assert!(anchor("empty").unwrap_err().contains("empty"));
        assert!(anchor("open").unwrap_err().contains("no ANCHOR_END"));

        let lines = |start, end| select("1\n2\n3\n", &Part::Lines { start, end });
        assert_eq!(lines(Some(2), Some(3)).unwrap(), "2\n3");
        assert_eq!(lines(None, None).unwrap(), "1\n2\n3");
        assert_eq!(lines(Some(3), Some(3)).unwrap(), "3");
        assert!(lines(Some(4), None).is_err());
    }

    #[test]
    fn tags_attributes_and_entities() {
        let html = r##"<!DOCTYPE html><html><head>
<!-- <a href="commented.html"> -->
<link rel="stylesheet" href="css/general.css">
<script>var s = '<a href="in-script.html">';</script>
<base href="/">
</head><body><a class=x href='a.html#frag&amp;more' id=top>A</a>
<img SRC="images/x%20y.png" alt="a > b"><object data="figures/f.svg"></object>
<h2 id="b&#233;nchmarks"><a class="header" href="#b%C3%A9nchmarks">é</a></h2><a name="old"></a>
<br/></body></html>"##;
        let page = parse_page(html);
        let urls: Vec<(&str, &str)> = page
            .links
            .iter()
            .map(|l| (l.attr, l.url.as_str()))
            .collect();
        assert_eq!(
            urls,
            vec![
                ("href", "css/general.css"),
                ("href", "a.html#frag&more"),
                ("src", "images/x%20y.png"),
                ("data", "figures/f.svg"),
                ("href", "#b%C3%A9nchmarks"),
            ]
        );
        let ids: BTreeSet<&str> = page.ids.iter().map(String::as_str).collect();
        assert_eq!(ids, BTreeSet::from(["top", "bénchmarks", "old"]));
        assert_eq!(page.base.as_deref(), Some("/"));
    }

    #[test]
    fn which_links_leave_the_book() {
        for url in [
            "https://crates.io",
            "http://x",
            "mailto:a@b",
            "javascript:void(0)",
            "data:image/png;base64,xx",
            "//cdn.example.com/x.js",
        ] {
            assert!(is_external(url), "{url}");
        }
        for url in [
            "a.html",
            "../b.html#c",
            "#x",
            "dir/a:b.html",
            "x.html?a=b:c",
            "",
        ] {
            assert!(!is_external(url), "{url}");
        }
    }

    #[test]
    fn resolving_links() {
        let dir =
            std::env::temp_dir().join(format!("xtask-links-{}", std::process::id()));
        let root = dir.join("book");
        fs::create_dir_all(root.join("tools")).unwrap();
        fs::write(root.join("index.html"), "").unwrap();
        let page = root.join("tools/testing.html");
        let resolved =
            |base, url| resolve(&root, &page, base, url).map(|(p, f)| (p.ok(), f));
        assert_eq!(
            resolved(None, "../index.html#top"),
            Some((Some(root.join("index.html")), Some("top".to_string())))
        );
        assert_eq!(
            resolved(None, "x%20y.html"),
            Some((Some(root.join("tools/x y.html")), None))
        );
        assert_eq!(
            resolved(None, "#here"),
            Some((Some(page.clone()), Some("here".to_string())))
        );
        assert_eq!(
            resolved(None, "../"),
            Some((Some(root.join("index.html")), None))
        );
        assert_eq!(resolved(None, "../../etc/passwd"), Some((None, None)));
        assert_eq!(resolved(None, "https://example.com"), None);
        // mdBook's 404 page: `<base href="/">` makes links relative to the book's root.
        assert_eq!(
            resolved(Some("/"), "tools/testing.html"),
            Some((Some(page.clone()), None))
        );
        assert_eq!(
            resolved(Some("/"), "#heading"),
            Some((Some(page.clone()), Some("heading".to_string())))
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn broken_links_of_a_small_book() {
        let dir = std::env::temp_dir().join(format!("xtask-book-{}", std::process::id()));
        let book = dir.join("book");
        fs::create_dir_all(book.join("tools")).unwrap();
        fs::create_dir_all(book.join("css")).unwrap();
        fs::write(book.join("css/general.css"), "").unwrap();
        fs::write(
            book.join("index.html"),
            r##"<link href="css/general.css"><h1 id="intro">I</h1>
<a href="tools/testing.html#tables">ok</a> <a href="https://example.com/x#y">external</a>"##,
        )
        .unwrap();
        fs::write(
            book.join("tools/testing.html"),
            r##"<h2 id="tables">T</h2><a href="#tables">self</a>
<a href="../index.html#intro">ok</a><a href="../index.html#gone">bad fragment</a>
<a href="missing.html">bad file</a><img src="../images/none.svg">
<a href="../index.html#intro">repeated, reported once if broken</a>"##,
        )
        .unwrap();
        let (pages, broken) = broken_links(&book).unwrap();
        assert_eq!(pages, 2);
        assert_eq!(
            broken,
            [
                "book/tools/testing.html: broken link ../index.html#gone \
                 (href: no id \"gone\" in book/index.html)",
                "book/tools/testing.html: broken link missing.html \
                 (href: book/tools/missing.html does not exist)",
                "book/tools/testing.html: broken link ../images/none.svg \
                 (src: book/images/none.svg does not exist)",
            ]
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn decoding() {
        assert_eq!(
            decode_entities("a&amp;b&lt;&#x41;&#66;&bogus;&"),
            "a&b<AB&bogus;&"
        );
        assert_eq!(percent_decode("x%20y%C3%A9%zz"), "x yé%zz");
    }
}
