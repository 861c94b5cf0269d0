//! Turns one mdBook chapter into the markdown that skeptic tests.
//!
//! Skeptic does not know mdBook: it would test `{{#include}}` lines as Rust, miss blocks nested in
//! admonitions, name tests after the last heading, and try to compile `compile_fail` blocks. So
//! the build script hands skeptic a rewritten copy of each chapter instead, made here:
//!
//! 1. [`expand_includes`] expands `{{#include}}`, `{{#rustdoc_include}}`, `{{#playground}}` and
//!    `{{#title}}` exactly as mdBook 0.4.52's `links` preprocessor does (same link syntax, same
//!    line ranges, same anchor rules), except that a missing file or anchor is an error: mdBook
//!    logs it and renders an empty block, which would leave a chapter silently untested; and
//!    that part of a `.rs` file included with `{{#include}}` is tested in its whole file, as
//!    `{{#rustdoc_include}}` would show it (the page shows the excerpt alone);
//! 2. [`rust_blocks`] finds every fenced block whose first info token is `rust`, also inside
//!    mdbook-admonish fences, remembering the line of the chapter it starts on;
//! 3. [`plan_block`] checks its tags and decides how it is tested: skeptic runs it (with a
//!    `fn main` calling its `#[test]` functions, or a template that supplies `fn main`), or the
//!    harness's own compile_fail test checks that rustc rejects it with the promised error code;
//! 4. [`process_chapter`] puts it together: the copy for skeptic, the compile_fail tests, counts.
//!
//! Everything here is pure (files are read through a callback) so that `tests/harness.rs` can
//! unit-test it; `build.rs` includes this file with `#[path]`, so it may use only `std`.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io;
use std::path::{Component, Path, PathBuf};

/// mdBook's `MAX_LINK_NESTED_DEPTH`: includes nested this deep are treated as a cycle.
pub const MAX_INCLUDE_DEPTH: usize = 10;

/// Words a `// comment` must have to count as the reason an `ignore`/`no_run` block is not run.
pub const MIN_REASON_WORDS: usize = 3;

/// Template wrapped around item-only fragments (a fn, a struct): they compile but nothing runs.
pub const FRAGMENT_TEMPLATE: &str = "fragment";

/// Template that puts statement-only fragments (`let x = …;`) inside `fn main`.
pub const IN_MAIN_TEMPLATE: &str = "in_main";

/// A problem found in some text, with the 1-based line of that text it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub line: usize,
    pub message: String,
}

/// Reads an included file; `build.rs` passes one that also records the path for
/// `cargo:rerun-if-changed`, the unit tests one that serves files from memory.
pub type ReadFile<'r> = dyn FnMut(&Path) -> io::Result<String> + 'r;

// ---------------------------------------------------------------------------------------------
// {{#include}}: mdBook's link syntax and line selection
// ---------------------------------------------------------------------------------------------

/// Which lines of a file a link takes: mdBook's `RangeOrAnchor`, with its `LineRange` reduced to
/// a 0-based start and an exclusive end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Lines { start: usize, end: Option<usize> },
    Anchor(String),
}

/// mdBook's `parse_range_or_anchor`, given what follows the first `:` of a link's path:
/// `10:20` is lines 10 to 20 inclusive, `10:` from line 10 on, `:20` the first 20 lines, `10`
/// line 10 alone, anything that is not a number an anchor name, nothing the whole file.
pub fn parse_selection(spec: Option<&str>) -> Selection {
    let mut parts = spec.unwrap_or("").splitn(3, ':');
    let first = parts.next();
    let start = match first.map(|s| (s, s.parse::<usize>())) {
        // Line numbers in links count from 1.
        Some((_, Ok(n))) => Some(n.saturating_sub(1)),
        Some(("", Err(_))) | None => None,
        Some((anchor, Err(_))) => return Selection::Anchor(anchor.to_owned()),
    };
    // An end that does not parse (or is empty) means "to the end of the file"; no end at all
    // means the start line alone.
    let end = parts.next().map(str::parse::<usize>);
    match (start, end) {
        (Some(start), Some(Ok(end))) => Selection::Lines {
            start,
            end: Some(end),
        },
        (Some(start), Some(Err(_))) => Selection::Lines { start, end: None },
        (Some(start), None) => Selection::Lines {
            start,
            end: Some(start + 1),
        },
        (None, Some(Ok(end))) => Selection::Lines {
            start: 0,
            end: Some(end),
        },
        (None, _) => Selection::Lines {
            start: 0,
            end: None,
        },
    }
}

/// mdBook's `take_lines`: the selected lines, joined without a trailing newline.
pub fn take_lines(s: &str, start: usize, end: Option<usize>) -> String {
    let lines = s.lines().skip(start);
    let taken: Vec<&str> = match end {
        Some(end) => lines.take(end.saturating_sub(start)).collect(),
        None => lines.collect(),
    };
    taken.join("\n")
}

/// Why an anchor could not be taken from a file. mdBook renders nothing (or everything up to the
/// end of the file) in these cases; the harness refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnchorError {
    NotFound,
    NotClosed,
}

const ANCHOR_START: &str = "ANCHOR:";
const ANCHOR_END: &str = "ANCHOR_END:";

/// The name in the leftmost `MARKER\s*([\w_-]+)` match of `line`, as mdBook's anchor regexes
/// capture it (`ANCHOR_END:` never matches `ANCHOR:`, so one marker cannot be taken for the other).
fn marker_name<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(pos) = line[from..].find(marker) {
        let after = from + pos + marker.len();
        let rest = line[after..].trim_start();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        if len > 0 {
            return Some(&rest[..len]);
        }
        from = after;
    }
    None
}

/// mdBook's `take_anchored_lines`: the lines between `ANCHOR: name` and the first
/// `ANCHOR_END: name`, without any line that holds an anchor marker (nested anchors vanish).
pub fn take_anchored_lines(s: &str, anchor: &str) -> Result<String, AnchorError> {
    let mut retained = Vec::new();
    let mut found = false;
    for line in s.lines() {
        if found {
            match marker_name(line, ANCHOR_END) {
                Some(name) if name == anchor => return Ok(retained.join("\n")),
                // The end of some other anchor: dropped.
                Some(_) => {}
                None if marker_name(line, ANCHOR_START).is_none() => retained.push(line),
                None => {}
            }
        } else if marker_name(line, ANCHOR_START) == Some(anchor) {
            found = true;
        }
    }
    Err(if found {
        AnchorError::NotClosed
    } else {
        AnchorError::NotFound
    })
}

/// mdBook's `take_rustdoc_include_lines`: the whole file, lines outside the range hidden behind
/// `# `. (mdBook keeps anchor marker lines in this form, and so does this.)
pub fn take_rustdoc_include_lines(s: &str, start: usize, end: Option<usize>) -> String {
    let mut output = String::with_capacity(s.len());
    for (index, line) in s.lines().enumerate() {
        let shown = index >= start && end.is_none_or(|end| index < end);
        if !shown {
            output.push_str("# ");
        }
        output.push_str(line);
        output.push('\n');
    }
    output.pop();
    output
}

/// mdBook's `take_rustdoc_include_anchored_lines`: the whole file, the anchored lines shown and
/// the others hidden behind `# `, every anchor marker line dropped.
pub fn take_rustdoc_include_anchored_lines(
    s: &str,
    anchor: &str,
) -> Result<String, AnchorError> {
    let mut output = String::with_capacity(s.len());
    let mut within = false;
    let mut found = false;
    for line in s.lines() {
        if within {
            match marker_name(line, ANCHOR_END) {
                Some(name) if name == anchor => within = false,
                Some(_) => {}
                None if marker_name(line, ANCHOR_START).is_none() => {
                    output.push_str(line);
                    output.push('\n');
                }
                None => {}
            }
        } else if let Some(name) = marker_name(line, ANCHOR_START) {
            if name == anchor {
                within = true;
                found = true;
            }
        } else if marker_name(line, ANCHOR_END).is_none() {
            output.push_str("# ");
            output.push_str(line);
            output.push('\n');
        }
    }
    output.pop();
    match (found, within) {
        (false, _) => Err(AnchorError::NotFound),
        (true, true) => Err(AnchorError::NotClosed),
        (true, false) => Ok(output),
    }
}

/// What a `{{#...}}` link asks for: mdBook's `LinkType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKind<'a> {
    /// `\{{#include x}}`: written out without the backslash, not expanded.
    Escaped,
    Include(&'a str, Selection),
    RustdocInclude(&'a str, Selection),
    Playground(&'a str, Vec<&'a str>),
    Title,
}

impl LinkKind<'_> {
    /// The file a link reads, if it reads one: its content is expanded relative to that file.
    fn path(&self) -> Option<&str> {
        match self {
            LinkKind::Include(path, _)
            | LinkKind::RustdocInclude(path, _)
            | LinkKind::Playground(path, _) => Some(path),
            LinkKind::Escaped | LinkKind::Title => None,
        }
    }
}

/// One match of mdBook's link regex. `kind` is `None` for text the regex matches but mdBook does
/// not treat as a link (`{{#unknown x}}`): it stays as it is, and the search goes on after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link<'a> {
    pub start: usize,
    pub end: usize,
    pub text: &'a str,
    pub kind: Option<LinkKind<'a>>,
}

/// The next match at or after byte `from` of mdBook's `find_links` regex:
///
/// ```text
/// \\\{\{\#.*\}\}  |  \{\{\s*\#([a-zA-Z0-9_]+)\s+([^}]+)\}\}
/// ```
///
/// written out by hand because a build script should not need the regex crate.
pub fn next_link(s: &str, from: usize) -> Option<Link<'_>> {
    let bytes = s.as_bytes();
    (from..s.len())
        .filter(|&i| matches!(bytes[i], b'\\' | b'{'))
        .find_map(|i| escaped_link_at(s, i).or_else(|| link_at(s, i)))
}

/// `\\\{\{\#.*\}\}` at `i`: `.` stops at a newline and `.*` is greedy, so the link runs to the
/// last `}}` of the line.
fn escaped_link_at(s: &str, i: usize) -> Option<Link<'_>> {
    if !s[i..].starts_with("\\{{#") {
        return None;
    }
    let line_end = s[i..].find('\n').map_or(s.len(), |n| i + n);
    let close = s[i + 4..line_end].rfind("}}")? + i + 4;
    let end = close + 2;
    Some(Link {
        start: i,
        end,
        text: &s[i..end],
        kind: Some(LinkKind::Escaped),
    })
}

/// `\{\{\s*\#([a-zA-Z0-9_]+)\s+([^}]+)\}\}` at `i`, turned into a link as mdBook's
/// `Link::from_capture` does.
fn link_at(s: &str, i: usize) -> Option<Link<'_>> {
    let rest = s[i..].strip_prefix("{{")?;
    let rest = rest.trim_start().strip_prefix('#')?;
    let type_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    if type_len == 0 {
        return None;
    }
    let link_type = &rest[..type_len];
    let args_and_close = &rest[type_len..];
    // `\s+([^}]+)` is everything up to the first `}`: at least one whitespace character, then at
    // least one more character of any kind; and that `}` must be the start of `}}`.
    let brace = args_and_close.find('}')?;
    let args = &args_and_close[..brace];
    if !args_and_close[brace..].starts_with("}}")
        || !args.starts_with(char::is_whitespace)
        || args.chars().count() < 2
    {
        return None;
    }
    let end = s.len() - args_and_close.len() + brace + 2;
    let kind = if link_type == "title" {
        Some(LinkKind::Title)
    } else {
        let mut words = args.split_whitespace();
        match (link_type, words.next()) {
            ("include", Some(path)) => {
                let (path, selection) = split_path(path);
                Some(LinkKind::Include(path, selection))
            }
            ("rustdoc_include", Some(path)) => {
                let (path, selection) = split_path(path);
                Some(LinkKind::RustdocInclude(path, selection))
            }
            ("playground" | "playpen", Some(path)) => {
                Some(LinkKind::Playground(path, words.collect()))
            }
            _ => None,
        }
    };
    Some(Link {
        start: i,
        end,
        text: &s[i..end],
        kind,
    })
}

/// `file.rs:anchor` → (`file.rs`, anchor): mdBook splits at the first `:`.
fn split_path(path: &str) -> (&str, Selection) {
    let mut parts = path.splitn(2, ':');
    let file = parts.next().unwrap_or_default();
    (file, parse_selection(parts.next()))
}

/// A chapter with its links expanded, and where each of its lines came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    pub text: String,
    /// `origin[i]` is the 1-based line of the original chapter that line `i` (0-based) of `text`
    /// comes from; every line of an included file maps to the line of its `{{#include}}`.
    pub origin: Vec<usize>,
    /// `off_page[i]`: line `i` is compiled but not on the page (the rest of a Rust file whose
    /// excerpt a `{{#include}}` shows). Lines past the end are on the page.
    pub off_page: Vec<bool>,
}

/// Expands every link of `text` (a chapter in directory `dir`) as mdBook's `replace_all` does,
/// recursively, reading files through `read`. Errors carry the chapter line of the link.
pub fn expand_includes(
    text: &str,
    dir: &Path,
    read: &mut ReadFile,
) -> Result<Expanded, Error> {
    replace_all(text, dir, 0, read)
}

fn replace_all(
    s: &str,
    dir: &Path,
    depth: usize,
    read: &mut ReadFile,
) -> Result<Expanded, Error> {
    let mut out = Expanded {
        text: String::with_capacity(s.len()),
        origin: vec![1],
        off_page: vec![false],
    };
    let mut line = 1;
    let mut copied_to = 0;
    let mut search_from = 0;
    let push_literal = |out: &mut Expanded, line: &mut usize, literal: &str| {
        for c in literal.chars() {
            out.text.push(c);
            if c == '\n' {
                *line += 1;
                out.origin.push(*line);
                out.off_page.push(false);
            }
        }
    };
    while let Some(link) = next_link(s, search_from) {
        search_from = link.end;
        let Some(kind) = &link.kind else {
            continue;
        };
        push_literal(&mut out, &mut line, &s[copied_to..link.start]);
        let at = line;
        let content = render_link(&link, kind, dir, read)
            .map_err(|message| Error { line: at, message })?;
        let content = match kind.path() {
            Some(path) if depth < MAX_INCLUDE_DEPTH => {
                let included = dir.join(path);
                let included_dir = included.parent().unwrap_or(dir);
                replace_all(&content, included_dir, depth + 1, read).map_err(|e| {
                    Error {
                        line: at,
                        message: format!("in {path}, line {}: {}", e.line, e.message),
                    }
                })?
            }
            Some(path) => {
                return Err(Error {
                    line: at,
                    message: format!(
                        "includes nested more than {MAX_INCLUDE_DEPTH} deep at {path}: \
                         is a file including itself?"
                    ),
                });
            }
            None => Expanded {
                off_page: vec![false; content.matches('\n').count() + 1],
                origin: Vec::new(),
                text: content,
            },
        };
        // The lines that `render_link` hid behind `# ` to test a Rust excerpt in its file are
        // not on the page (mdBook's `include` shows the excerpt alone).
        let hides = matches!(kind, LinkKind::Include(path, _) if is_rust(path));
        let starts_line = out.text.is_empty() || out.text.ends_with('\n');
        for (i, piece) in content.text.split('\n').enumerate() {
            if i > 0 {
                out.text.push('\n');
                out.origin.push(at);
                out.off_page.push(false);
            }
            out.text.push_str(piece);
            let off = content.off_page.get(i).copied().unwrap_or(false)
                || (hides && piece.starts_with("# "));
            if let Some(last) = out.off_page.last_mut() {
                // The first piece continues the current line: off the page only if it is all
                // of that line.
                if i > 0 || starts_line {
                    *last = off;
                }
            }
        }
        line += link.text.matches('\n').count();
        copied_to = link.end;
    }
    push_literal(&mut out, &mut line, &s[copied_to..]);
    Ok(out)
}

/// Whether an included file is Rust source, tested in its whole file (see [`render_link`]).
fn is_rust(path: &str) -> bool {
    path.ends_with(".rs")
}

/// mdBook's `Link::render_with_path`, with anchor problems turned into errors.
fn render_link(
    link: &Link,
    kind: &LinkKind,
    dir: &Path,
    read: &mut ReadFile,
) -> Result<String, String> {
    let mut read_file = |path: &str| {
        read(&dir.join(path)).map_err(|e| format!("cannot include {path}: {e}"))
    };
    let anchor_error = |path: &str, anchor: &str, error: AnchorError| match error {
        AnchorError::NotFound => format!("anchor \"{anchor}\" not found in {path}"),
        AnchorError::NotClosed => {
            format!(
                "anchor \"{anchor}\" in {path} has no matching \"ANCHOR_END: {anchor}\""
            )
        }
    };
    match kind {
        // The link without its backslash.
        LinkKind::Escaped => Ok(link.text[1..].to_owned()),
        LinkKind::Title => Ok(String::new()),
        // This book's one departure from mdBook: part of a Rust file, included with
        // `{{#include}}`, is tested the way `{{#rustdoc_include}}` would show it, the selected
        // lines in their whole file, so that it compiles with the file's imports and helpers.
        // The page shows only the excerpt: a `rustdoc_include` carries the whole file as hidden
        // lines into the page, once per block, and into the search index with it.
        LinkKind::Include(path, Selection::Lines { start, end }) if is_rust(path) => {
            Ok(take_rustdoc_include_lines(&read_file(path)?, *start, *end))
        }
        LinkKind::Include(path, Selection::Anchor(anchor)) if is_rust(path) => {
            take_rustdoc_include_anchored_lines(&read_file(path)?, anchor)
                .map_err(|e| anchor_error(path, anchor, e))
        }
        LinkKind::Include(path, Selection::Lines { start, end }) => {
            Ok(take_lines(&read_file(path)?, *start, *end))
        }
        LinkKind::Include(path, Selection::Anchor(anchor)) => {
            take_anchored_lines(&read_file(path)?, anchor)
                .map_err(|e| anchor_error(path, anchor, e))
        }
        LinkKind::RustdocInclude(path, Selection::Lines { start, end }) => {
            Ok(take_rustdoc_include_lines(&read_file(path)?, *start, *end))
        }
        LinkKind::RustdocInclude(path, Selection::Anchor(anchor)) => {
            take_rustdoc_include_anchored_lines(&read_file(path)?, anchor)
                .map_err(|e| anchor_error(path, anchor, e))
        }
        LinkKind::Playground(path, attrs) => {
            let mut contents = read_file(path)?;
            if !contents.ends_with('\n') {
                contents.push('\n');
            }
            let ftype = if attrs.is_empty() { "rust" } else { "rust," };
            Ok(format!("```{ftype}{}\n{contents}```\n", attrs.join(",")))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fenced code blocks
// ---------------------------------------------------------------------------------------------

/// A fenced block whose info string starts with `rust`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Line of the original chapter the opening fence is on (1-based).
    pub line: usize,
    /// The opening fence's backticks or tildes: reused for the copy, so that the body (which
    /// cannot close it) cannot close the copy's fence either.
    pub fence: String,
    pub info: String,
    pub body: Vec<String>,
    /// `off_page[i]`: line `i` of the body is compiled but not shown (see [`Expanded`]).
    pub off_page: Vec<bool>,
    /// Inside a collapsed Solution admonition (`admonish success title="Solution"`).
    pub solution: bool,
    /// Inside an Exercise admonition (`admonish question title="Exercise…"`): the code the
    /// exercise gives the reader.
    pub exercise: bool,
}

struct Fence {
    indent: usize,
    marker: char,
    len: usize,
    info: String,
}

/// A CommonMark opening fence: three or more backticks or tildes, and for backticks an info string
/// without backticks. Any indentation is accepted, as fences inside list items are indented.
fn opening_fence(line: &str) -> Option<Fence> {
    let rest = line.trim_start_matches(' ');
    let marker = rest.chars().next().filter(|&c| c == '`' || c == '~')?;
    let len = rest.len() - rest.trim_start_matches(marker).len();
    let info = rest[len..].trim();
    if len < 3 || (marker == '`' && info.contains('`')) {
        return None;
    }
    Some(Fence {
        indent: line.len() - rest.len(),
        marker,
        len,
        info: info.to_owned(),
    })
}

/// A closing fence: at least as many of the same character, nothing after but spaces.
fn closes(line: &str, fence: &Fence) -> bool {
    let rest = line.trim_start_matches(' ');
    let len = rest.len() - rest.trim_start_matches(fence.marker).len();
    len >= fence.len && rest[len..].trim().is_empty()
}

/// Tags of a block: its info string split at commas and whitespace.
pub fn info_tokens(info: &str) -> Vec<&str> {
    info.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|token| !token.is_empty())
        .collect()
}

/// Every `rust` block of an expanded chapter, in order, including those inside mdbook-admonish
/// fences (`````admonish …` around a ```` ```rust ```` block), whose body mdbook-admonish renders
/// as markdown. Other fences are opaque: a ```` ```rust ```` line inside a ```` ````markdown ````
/// block is shown to the reader as text, not run.
pub fn rust_blocks(expanded: &Expanded) -> Result<Vec<Block>, Error> {
    let lines: Vec<Line> = expanded
        .text
        .split('\n')
        .enumerate()
        .map(|(i, line)| Line {
            origin: expanded.origin.get(i).copied().unwrap_or(0),
            text: line.strip_suffix('\r').unwrap_or(line).to_owned(),
            off_page: expanded.off_page.get(i).copied().unwrap_or(false),
        })
        .collect();
    let mut blocks = Vec::new();
    scan_fences(&lines, Inside::default(), &mut blocks)?;
    Ok(blocks)
}

/// An admonition that holds an exercise's solution.
pub fn is_solution_admonition(info: &str) -> bool {
    let tokens = info_tokens(info);
    tokens.first() == Some(&"admonish")
        && tokens.contains(&"success")
        && info.contains("title=\"Solution")
}

/// An admonition that sets an exercise.
pub fn is_exercise_admonition(info: &str) -> bool {
    let tokens = info_tokens(info);
    tokens.first() == Some(&"admonish")
        && tokens.contains(&"question")
        && info.contains("title=\"Exercise")
}

/// Which admonition a block sits in, as far as the leak check cares.
#[derive(Clone, Copy, Default)]
struct Inside {
    solution: bool,
    exercise: bool,
}

/// A line of an expanded chapter: where it came from, and whether the page shows it.
struct Line {
    origin: usize,
    text: String,
    off_page: bool,
}

fn scan_fences(
    lines: &[Line],
    inside: Inside,
    blocks: &mut Vec<Block>,
) -> Result<(), Error> {
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i].origin;
        let Some(fence) = opening_fence(&lines[i].text) else {
            i += 1;
            continue;
        };
        let close = lines[i + 1..]
            .iter()
            .position(|l| closes(&l.text, &fence))
            .map(|n| i + 1 + n)
            .ok_or_else(|| Error {
                line: *line,
                message: format!(
                    "the {} fence opened here is never closed",
                    fence.marker.to_string().repeat(fence.len)
                ),
            })?;
        // CommonMark removes the fence's own indentation from each line of the body.
        let body: Vec<Line> = lines[i + 1..close]
            .iter()
            .map(|l| {
                let strip = l.text.len() - l.text.trim_start_matches(' ').len();
                Line {
                    text: l.text[strip.min(fence.indent)..].to_owned(),
                    ..*l
                }
            })
            .collect();
        match info_tokens(&fence.info).first().copied() {
            Some("rust") => blocks.push(Block {
                line: *line,
                fence: fence.marker.to_string().repeat(fence.len),
                info: fence.info.clone(),
                off_page: body.iter().map(|l| l.off_page).collect(),
                body: body.into_iter().map(|l| l.text).collect(),
                solution: inside.solution,
                exercise: inside.exercise,
            }),
            Some("admonish") => scan_fences(
                &body,
                Inside {
                    solution: inside.solution || is_solution_admonition(&fence.info),
                    exercise: inside.exercise || is_exercise_admonition(&fence.info),
                },
                blocks,
            )?,
            _ => {}
        }
        i = close + 1;
    }
    Ok(())
}

/// The lines that identify code: unhidden, trimmed, long enough not to be a brace or a
/// one-word statement that any code may share, and neither comments nor `fn` signatures,
/// which an exercise shares with its solution on purpose.
fn telling_lines(lines: &[String], visible_only: bool) -> Vec<&str> {
    lines
        .iter()
        .filter(|line| !visible_only || unhide(line) == line.as_str())
        .map(|line| unhide(line).trim())
        .filter(|line| {
            line.len() >= 16 && !line.starts_with("//") && fn_name(line).is_none()
        })
        .collect()
}

/// Solution code that a page shows outside its Solution admonitions, visible or as hidden lines
/// (which mdBook's eye button reveals): for each such block, its line and the Solution's. What
/// a Solution reveals is its telling visible lines less those the Exercise admonitions give the
/// reader (the signature, the type to change, the test): a block shows a Solution if it holds at
/// least half of those (and at least three, or all of them if there are fewer). Set-up lines a
/// solution shares with the chapter's other code (`let n = ENTRIES;`) are not enough.
pub fn leaked_solutions(blocks: &[Block]) -> Vec<(usize, usize)> {
    let given: HashSet<&str> = blocks
        .iter()
        .filter(|b| b.exercise && !b.solution)
        .flat_map(|b| telling_lines(&b.body, false))
        .collect();
    let mut leaks = Vec::new();
    for solution in blocks.iter().filter(|b| b.solution) {
        let lines: HashSet<&str> = telling_lines(&solution.body, true)
            .into_iter()
            .filter(|line| !given.contains(line))
            .collect();
        if lines.is_empty() {
            continue;
        }
        for other in blocks.iter().filter(|b| !b.solution) {
            let shown: HashSet<&str> =
                telling_lines(&other.body, false).into_iter().collect();
            let common = lines.intersection(&shown).count();
            if common * 2 >= lines.len() && common >= lines.len().min(3) {
                leaks.push((other.line, solution.line));
            }
        }
    }
    leaks
}

// ---------------------------------------------------------------------------------------------
// Reading Rust lines roughly (the book's code is rustfmt-formatted)
// ---------------------------------------------------------------------------------------------

/// A line as compiled: skeptic's (and rustdoc's) `clean_omitted_line` drops a leading `# ` of
/// hidden lines, and their indentation before it.
pub fn unhide(line: &str) -> &str {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("# ") {
        rest
    } else if trimmed.trim_end() == "#" {
        &trimmed[1..]
    } else {
        line
    }
}

/// Strips a visibility and the qualifiers that may precede `fn`/`mod`.
fn strip_qualifiers(mut rest: &str) -> &str {
    loop {
        let before = rest;
        if let Some(after) = rest.strip_prefix("pub(") {
            rest = after.split_once(')').map_or(after, |(_, after)| after);
        } else if let Some(after) = ["pub ", "const ", "async ", "unsafe ", "extern "]
            .iter()
            .find_map(|q| rest.strip_prefix(q))
        {
            rest = after;
        } else if rest.starts_with('"') {
            // The ABI of `extern "C" fn`.
            rest = rest[1..].split_once('"').map_or("", |(_, after)| after);
        }
        rest = rest.trim_start();
        if rest == before {
            return rest;
        }
    }
}

fn identifier(s: &str) -> Option<&str> {
    let s = s.strip_prefix("r#").unwrap_or(s);
    let len = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    (len > 0).then(|| &s[..len])
}

/// The name a line declares a function with, if it does (`pub async fn name<T>(…`).
pub fn fn_name(line: &str) -> Option<&str> {
    identifier(
        strip_qualifiers(unhide(line).trim())
            .strip_prefix("fn ")?
            .trim_start(),
    )
}

/// The name of an inline module a line opens (`mod tests {`), not of a `mod x;` declaration.
fn mod_name(line: &str) -> Option<&str> {
    let rest = strip_qualifiers(unhide(line).trim()).strip_prefix("mod ")?;
    let name = identifier(rest.trim_start())?;
    let after = rest.trim_start()[name.len()..].trim_start();
    after.starts_with('{').then_some(name)
}

/// Whether a block has its own `fn main`, written out or generated by a macro such as
/// `criterion_main!(benches);`.
pub fn has_main(body: &[String]) -> bool {
    body.iter().any(|line| {
        let code = unhide(line).trim_start();
        let macro_name = code.split_once("!(").map(|(name, _)| name);
        fn_name(line) == Some("main")
            || macro_name.is_some_and(|name| {
                name.ends_with("_main")
                    && identifier(name.rsplit("::").next().unwrap_or(name)).is_some()
            })
    })
}

/// Counts braces line by line, skipping string and char literals and `//` comments; good enough
/// for formatted code.
#[derive(Default)]
struct BraceDepth {
    depth: usize,
    in_string: bool,
}

impl BraceDepth {
    fn feed(&mut self, line: &str) {
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if self.in_string {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '"' => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => self.in_string = true,
                '/' if chars.peek() == Some(&'/') => return,
                // A char literal: '{', '}', '"', '\''; a lifetime `'a` is left alone.
                '\'' => {
                    let mut ahead = chars.clone();
                    let skip = match (ahead.next(), ahead.next(), ahead.next()) {
                        (Some('\\'), Some(_), Some('\'')) => 3,
                        (Some(_), Some('\''), _) => 2,
                        _ => 0,
                    };
                    for _ in 0..skip {
                        chars.next();
                    }
                }
                '{' => self.depth += 1,
                '}' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
    }
}

/// Statements that can only be the start of a statement, never of an item: a block whose
/// outermost lines start with one of these goes inside `fn main`.
const STATEMENT_STARTS: &[&str] = &[
    "let ",
    "for ",
    "while ",
    "loop ",
    "loop{",
    "if ",
    "match ",
    "println!",
    "print!",
    "eprintln!",
    "eprint!",
    "assert!",
    "assert_eq!",
    "assert_ne!",
    "debug_assert",
    "dbg!",
    "panic!",
];

/// Whether a block is statements (`let v = vec![1]; assert_eq!(…)`) rather than items. Only
/// lines at brace depth 0 that cannot start an item count, so item-only code never matches.
pub fn looks_like_statements(body: &[String]) -> bool {
    let mut depth = BraceDepth::default();
    body.iter().any(|line| {
        let code = unhide(line);
        let at_top = depth.depth == 0 && !depth.in_string;
        depth.feed(code);
        let code = code.trim_start();
        at_top && STATEMENT_STARTS.iter().any(|start| code.starts_with(start))
    })
}

// ---------------------------------------------------------------------------------------------
// Making #[test] functions run
// ---------------------------------------------------------------------------------------------

/// A `#[test]` function found in a block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFn {
    /// `tests::name`, relative to the crate root of the snippet.
    pub path: String,
    /// `Some(expected)` for `#[should_panic]`, with `expected` the literal given as
    /// `expected = "…"`, if any.
    pub should_panic: Option<Option<String>>,
    /// `#[ignore]`: not called.
    pub ignored: bool,
    /// `fn name() -> Result<…>`: the result is unwrapped.
    pub returns_result: bool,
}

#[derive(Default)]
struct PendingTest {
    should_panic: Option<Option<String>>,
    ignored: bool,
}

/// The string literal of `#[should_panic(expected = "…")]`, kept as Rust source.
fn expected_literal(attribute: &str) -> Option<String> {
    let (_, rest) = attribute.split_once("expected")?;
    let rest = rest.trim_start().strip_prefix('=')?;
    let close = rest.rfind(')')?;
    Some(rest[..close].trim().to_owned())
}

/// `fn name` → `pub fn name`, and `mod m {` → `pub mod m {`, so that `fn main` at the crate root
/// can call test functions inside (possibly nested) test modules.
fn make_pub(line: &str) -> String {
    let code = unhide(line).trim_start();
    if code.starts_with("pub ") || code.starts_with("pub(") {
        return line.to_owned();
    }
    let at = line.len() - code.len();
    format!("{}pub {}", &line[..at], &line[at..])
}

/// Skeptic compiles a snippet as a binary, where `#[test]` functions are compiled out and
/// `#[cfg(test)]` modules vanish. So for a block that has `#[test]` functions (and no `fn main`):
/// drop `#[test]`, `#[cfg(test)]`, `#[should_panic]` and `#[ignore]` lines (hidden ones too), make
/// the test functions and the modules holding them reachable from the crate root, and append a
/// hidden `fn main` that calls each test; `#[should_panic]` ones under `catch_unwind`. Returns
/// `None` if the block has no `#[test]`.
pub fn rewrite_tests(body: &[String]) -> Option<Vec<String>> {
    let mut lines = Vec::with_capacity(body.len());
    let mut tests = Vec::new();
    let mut modules: Vec<(String, usize)> = Vec::new();
    let mut depth = BraceDepth::default();
    let mut pending: Option<PendingTest> = None;
    for line in body {
        let code = unhide(line);
        let trimmed = code.trim();
        match trimmed {
            "#[test]" => {
                pending = Some(PendingTest::default());
                continue;
            }
            "#[cfg(test)]" => continue,
            _ => {}
        }
        let mut line = line.clone();
        if let Some(test) = pending.as_mut() {
            if trimmed.starts_with("#[should_panic") {
                test.should_panic = Some(expected_literal(trimmed));
                continue;
            }
            if trimmed == "#[ignore]" || trimmed.starts_with("#[ignore ") {
                test.ignored = true;
                continue;
            }
            if let Some(name) = fn_name(trimmed) {
                let mut path: Vec<&str> =
                    modules.iter().map(|(m, _)| m.as_str()).collect();
                path.push(name);
                let test = pending.take().unwrap_or_default();
                tests.push(TestFn {
                    path: path.join("::"),
                    should_panic: test.should_panic,
                    ignored: test.ignored,
                    returns_result: trimmed.contains("->"),
                });
                line = make_pub(&line);
            }
        }
        let depth_before = depth.depth;
        if let Some(name) = mod_name(trimmed) {
            modules.push((name.to_owned(), depth_before));
            line = make_pub(&line);
        }
        depth.feed(code);
        while modules.last().is_some_and(|(_, d)| depth.depth <= *d) {
            modules.pop();
        }
        lines.push(line);
    }
    if tests.is_empty() {
        return None;
    }
    // Every test fn is called, but helpers of the snippet may not be.
    let starts_with_inner_attribute = lines
        .iter()
        .map(|line| unhide(line).trim())
        .find(|line| !line.is_empty())
        .is_some_and(|line| line.starts_with("#!["));
    if !starts_with_inner_attribute {
        lines.insert(0, "# #![allow(dead_code)]".to_owned());
    }
    lines.extend(test_main(&tests).lines().map(|line| format!("# {line}")));
    Some(lines)
}

/// The `fn main` that runs a block's tests, as skeptic's test binary would not.
fn test_main(tests: &[TestFn]) -> String {
    let mut main = String::from("fn main() {\n");
    main.push_str(
        "    // Generated by tests/build.rs: call each #[test] function of the snippet.\n",
    );
    let mut any_should_panic = false;
    for test in tests {
        let call = if test.returns_result {
            format!("{}().unwrap()", test.path)
        } else {
            format!("{}()", test.path)
        };
        let path = &test.path;
        if test.ignored {
            let _ = writeln!(main, "    // {path} is #[ignore]d.");
            continue;
        }
        let _ = writeln!(main, "    println!(\"test {path}\");");
        match &test.should_panic {
            None => {
                let _ = writeln!(main, "    {call};");
            }
            Some(expected) => {
                any_should_panic = true;
                let expected = expected
                    .as_ref()
                    .map_or_else(|| "None".to_owned(), |e| format!("Some({e})"));
                let _ = writeln!(
                    main,
                    "    __snippet_should_panic(\"{path}\", {expected}, || {{"
                );
                let _ = writeln!(main, "        {call};");
                let _ = writeln!(main, "    }});");
            }
        }
    }
    main.push_str("}\n");
    if any_should_panic {
        main.push_str(SHOULD_PANIC_HELPER);
    }
    main
}

const SHOULD_PANIC_HELPER: &str = r#"fn __snippet_should_panic(
    name: &str,
    expected: Option<&str>,
    test: impl FnOnce() + std::panic::UnwindSafe,
) {
    let Err(payload) = std::panic::catch_unwind(test) else {
        panic!("test {name} should have panicked");
    };
    if let Some(expected) = expected {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(
            message.contains(expected),
            "test {name} panicked with {message:?}, not with a message containing {expected:?}"
        );
    }
}
"#;

// ---------------------------------------------------------------------------------------------
// Tags, and how each block is tested
// ---------------------------------------------------------------------------------------------

/// How a block counts in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Run,
    CompileOnly,
    Ignored,
    CompileFail,
}

/// A block as skeptic should see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkepticBlock {
    pub line: usize,
    pub fence: String,
    pub info: String,
    pub body: Vec<String>,
    pub kind: Kind,
}

/// A `rust,compile_fail,EXXXX` block, which the harness tests itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileFailBlock {
    pub line: usize,
    pub codes: Vec<String>,
    /// The block with hidden lines shown, as rustc should see it.
    pub source: String,
    pub ignore: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    Skeptic(SkepticBlock),
    CompileFail(CompileFailBlock),
}

/// `E0515`: what rustdoc accepts as an error code tag.
pub fn is_error_code(token: &str) -> bool {
    token.len() == 5
        && token.starts_with('E')
        && token[1..].bytes().all(|b| b.is_ascii_digit())
}

/// Whether a block explains itself: some `//` comment with a few words in it.
pub fn has_reason(body: &[String]) -> bool {
    body.iter().any(|line| {
        line.split_once("//").is_some_and(|(_, comment)| {
            comment
                .trim_start_matches(['/', '!'])
                .split_whitespace()
                .filter(|word| word.chars().any(char::is_alphabetic))
                .count()
                >= MIN_REASON_WORDS
        })
    })
}

/// Crates this book's snippets use that the Rust Playground does not have: a block that uses one
/// must be tagged `noplayground`, or mdBook shows a Run button that can only fail.
pub const OFF_PLAYGROUND: &[&str] =
    &["workshop", "criterion", "dhat", "pprof", "skeptic"];

/// The first crate of [`OFF_PLAYGROUND`] the block's code (hidden lines included, comments
/// not) refers to as `name::` or `extern crate name`.
pub fn off_playground_crate(body: &[String]) -> Option<&'static str> {
    body.iter().find_map(|line| {
        let code = unhide(line);
        let code = code.split("//").next().unwrap_or_default();
        OFF_PLAYGROUND.iter().copied().find(|name| {
            code.match_indices(name).any(|(at, _)| {
                let before = code[..at].chars().next_back();
                let after = &code[at + name.len()..];
                !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                    && (after.starts_with("::")
                        || code[..at].trim_end().ends_with("extern crate"))
            })
        })
    })
}

/// Checks a block's tags and decides how it is tested. `templates` are the skeptic template names
/// the chapter can use. The error is a message for the block's line.
pub fn plan_block(block: &Block, templates: &[String]) -> Result<Plan, String> {
    let tokens = info_tokens(&block.info);
    let has = |tag: &str| tokens.contains(&tag);
    let ignore = has("ignore");
    let no_run = has("no_run");
    let codes: Vec<String> = tokens
        .iter()
        .filter(|t| is_error_code(t))
        .map(|t| t.to_string())
        .collect();
    let template = tokens.iter().find_map(|t| t.strip_prefix("skt-"));

    for tag in ["ignore", "no_run"] {
        if has(tag) && !has_reason(&block.body) {
            return Err(format!(
                "a rust block that is not run must say why: `{tag}` needs a `// comment` of a \
                 few words inside the block giving the reason"
            ));
        }
    }
    if !has("noplayground") {
        if let Some(name) = off_playground_crate(&block.body) {
            return Err(format!(
                "this block uses `{name}`, which the Rust Playground does not have: tag it \
                 `noplayground` (```rust,noplayground)"
            ));
        }
    }
    if let Some(name) = template {
        if !templates.iter().any(|t| t == name) {
            return Err(format!(
                "template `skt-{name}` is not defined in src/templates.skt.md nor in the \
                 chapter's own <chapter>.md.skt.md (known: {})",
                templates.join(", ")
            ));
        }
    }
    if has("compile_fail") {
        if codes.is_empty() {
            return Err("a compile_fail block must name the error it expects, \
                        e.g. ```rust,compile_fail,E0515"
                .to_owned());
        }
        let mut source: String = block
            .body
            .iter()
            .map(|line| format!("{}\n", unhide(line)))
            .collect();
        if looks_like_statements(&block.body) {
            source = format!("fn main() {{\n{source}}}\n");
        }
        return Ok(Plan::CompileFail(CompileFailBlock {
            line: block.line,
            codes,
            source,
            ignore,
        }));
    }
    if let Some(code) = codes.first() {
        return Err(format!("error code {code} given without compile_fail"));
    }

    let mut tags: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
    let mut body = block.body.clone();
    if template.is_none() && !has_main(&body) {
        if let Some(rewritten) = rewrite_tests(&body) {
            body = rewritten;
        } else if looks_like_statements(&body) {
            tags.push(format!("skt-{IN_MAIN_TEMPLATE}"));
        } else {
            tags.push(format!("skt-{FRAGMENT_TEMPLATE}"));
        }
    }
    let kind = if ignore {
        Kind::Ignored
    } else if no_run {
        Kind::CompileOnly
    } else {
        Kind::Run
    };
    Ok(Plan::Skeptic(SkepticBlock {
        line: block.line,
        fence: block.fence.clone(),
        info: tags.join(","),
        body,
        kind,
    }))
}

/// Names of the skeptic templates a `*.skt.md` file defines (```` ```rust,skt-NAME ```` blocks).
pub fn template_names(markdown: &str) -> Vec<String> {
    let expanded = Expanded {
        text: markdown.to_owned(),
        origin: Vec::new(),
        off_page: Vec::new(),
    };
    rust_blocks(&expanded)
        .unwrap_or_default()
        .iter()
        .flat_map(|block| {
            info_tokens(&block.info)
                .into_iter()
                .filter_map(|t| t.strip_prefix("skt-").map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Names, generated files, report
// ---------------------------------------------------------------------------------------------

/// `tools/testing.md` → `tools_testing`: the copy's file stem, which skeptic puts first in test
/// names, so that they say which chapter a block is in.
pub fn copy_stem(relative: &Path) -> String {
    let parts: Vec<String> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let joined = parts.join("_");
    joined.strip_suffix(".md").unwrap_or(&joined).to_owned()
}

/// Skeptic's `sanitize_test_name`: lowercase ASCII alphanumerics separated by single `_`.
pub fn sanitize_test_name(s: &str) -> String {
    s.to_ascii_lowercase()
        .split(|c: char| !(c.is_ascii_alphanumeric()))
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// `a/b/../c` → `a/c`, for tidier paths in messages and `rerun-if-changed`.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A Rust raw string literal holding `s`, with enough `#`s.
pub fn raw_string(s: &str) -> String {
    let mut hashes = 1;
    while s.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let hashes = "#".repeat(hashes);
    format!("r{hashes}\"{s}\"{hashes}")
}

/// The source of one compile_fail test; `compile_fail_check` and `BUILD_RUSTC` are defined at the
/// top of the generated file (see `build.rs`).
pub fn compile_fail_test(name: &str, chapter: &str, block: &CompileFailBlock) -> String {
    let ignore = if block.ignore { "#[ignore]\n" } else { "" };
    let codes: Vec<String> = block.codes.iter().map(|c| format!("{c:?}")).collect();
    let location = format!("{chapter}:{}", block.line);
    let mut test = format!("#[test]\n{ignore}fn {name}() {{\n");
    test.push_str("    compile_fail_check::check(&compile_fail_check::Snippet {\n");
    let _ = writeln!(test, "        name: {name:?},");
    let _ = writeln!(test, "        location: {location:?},");
    let _ = writeln!(test, "        expected: &[{}],", codes.join(", "));
    let _ = writeln!(test, "        source: {},", raw_string(&block.source));
    test.push_str("        out_dir: env!(\"OUT_DIR\"),\n");
    test.push_str("        build_rustc: BUILD_RUSTC,\n");
    test.push_str("    });\n}\n\n");
    test
}

/// Blocks of one chapter, by how they are tested.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub run: usize,
    pub compile_only: usize,
    pub ignored: usize,
    pub compile_fail: usize,
    /// Blocks whose program is identical to an earlier block of the chapter (two anchors of one
    /// module included with `rustdoc_include` are the same program once hidden lines count):
    /// that program is compiled and run once, under the earlier block's test.
    pub shared: usize,
}

impl Counts {
    fn add(&mut self, kind: Kind) {
        match kind {
            Kind::Run => self.run += 1,
            Kind::CompileOnly => self.compile_only += 1,
            Kind::Ignored => self.ignored += 1,
            Kind::CompileFail => self.compile_fail += 1,
        }
    }

    fn total(&self) -> usize {
        self.run + self.compile_only + self.ignored + self.compile_fail + self.shared
    }
}

/// The report `cargo test` prints: a row per chapter, then the totals.
pub fn render_report(rows: &[(String, Counts)]) -> String {
    let width = rows
        .iter()
        .map(|(chapter, _)| chapter.len())
        .chain([7])
        .max()
        .unwrap_or(7);
    let mut report =
        String::from("Rust blocks of the book tested by the `snippets` crate\n");
    let _ = writeln!(
        report,
        "{:width$}  {:>5}  {:>6}  {:>7}  {:>12}  {:>6}  {:>5}",
        "chapter", "run", "no_run", "ignored", "compile_fail", "shared", "total"
    );
    let mut total = Counts::default();
    let line = |report: &mut String, name: &str, c: &Counts| {
        let _ = writeln!(
            report,
            "{name:width$}  {:>5}  {:>6}  {:>7}  {:>12}  {:>6}  {:>5}",
            c.run,
            c.compile_only,
            c.ignored,
            c.compile_fail,
            c.shared,
            c.total()
        );
    };
    for (chapter, counts) in rows {
        line(&mut report, chapter, counts);
        total.run += counts.run;
        total.compile_only += counts.compile_only;
        total.ignored += counts.ignored;
        total.compile_fail += counts.compile_fail;
        total.shared += counts.shared;
    }
    line(&mut report, "total", &total);
    report.push_str(
        "shared: the same program as an earlier block of the chapter (hidden lines included); \
         compiled and run once, by that block's test\n",
    );
    report
}

/// What the build script writes for one chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chapter {
    /// The markdown skeptic reads: each block under a `## line N` heading.
    pub copy: String,
    /// Sources of the chapter's compile_fail tests.
    pub compile_fail_tests: Vec<String>,
    pub counts: Counts,
}

/// Expands, extracts and plans every block of a chapter. `display` is the chapter's path as
/// messages show it (`src/tools/testing.md`), `stem` its copy's file stem, `dir` its directory.
/// Errors are complete messages, `display:line: what`, all of them rather than the first.
pub fn process_chapter(
    display: &str,
    stem: &str,
    text: &str,
    dir: &Path,
    templates: &[String],
    read: &mut ReadFile,
) -> Result<Chapter, Vec<String>> {
    let at = |line: usize, message: &str| format!("{display}:{line}: {message}");
    let expanded =
        expand_includes(text, dir, read).map_err(|e| vec![at(e.line, &e.message)])?;
    let blocks = rust_blocks(&expanded).map_err(|e| vec![at(e.line, &e.message)])?;

    let mut copy = format!(
        "<!-- Generated by tests/build.rs from {display}: its rust blocks, includes expanded, each \
         under a heading with the line it starts on, which skeptic puts in the test name. -->\n"
    );
    let mut errors = Vec::new();
    for (line, solution) in leaked_solutions(&blocks) {
        errors.push(at(
            line,
            &format!(
                "this block shows the Solution at line {solution} (hidden lines count: mdBook's \
                 eye button shows them); give the solution a file of its own that only the \
                 Solution admonition includes"
            ),
        ));
    }
    let mut chapter = Chapter {
        copy: String::new(),
        compile_fail_tests: Vec::new(),
        counts: Counts::default(),
    };
    let mut names = HashSet::new();
    let mut programs = HashSet::new();
    for block in &blocks {
        match plan_block(block, templates) {
            Err(message) => errors.push(at(block.line, &message)),
            Ok(Plan::Skeptic(block)) => {
                // Skeptic unhides `# ` lines, so blocks that differ only in what is hidden are
                // one program: test it once.
                let program: Vec<&str> = block.body.iter().map(|l| unhide(l)).collect();
                if !programs.insert((block.info.clone(), program.join("\n"))) {
                    chapter.counts.shared += 1;
                    continue;
                }
                chapter.counts.add(block.kind);
                let _ = write!(
                    copy,
                    "\n## line {}\n\n{}{}\n{}{}\n",
                    block.line,
                    block.fence,
                    block.info,
                    block
                        .body
                        .iter()
                        .map(|l| format!("{l}\n"))
                        .collect::<String>(),
                    block.fence,
                );
            }
            Ok(Plan::CompileFail(block)) => {
                chapter.counts.add(if block.ignore {
                    Kind::Ignored
                } else {
                    Kind::CompileFail
                });
                // Two blocks from one included markdown file share a line: number the second.
                let base = format!(
                    "compile_fail_{}_line_{}",
                    sanitize_test_name(stem),
                    block.line
                );
                let mut name = base.clone();
                let mut n = 1;
                while !names.insert(name.clone()) {
                    n += 1;
                    name = format!("{base}_{n}");
                }
                chapter
                    .compile_fail_tests
                    .push(compile_fail_test(&name, display, &block));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    chapter.copy = copy;
    Ok(chapter)
}
