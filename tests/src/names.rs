//! The names a chapter's prose gives for this repository's code, checked against the code: a
//! renamed function or a moved file must not leave the text pointing at nothing.
//!
//! Only what can be checked without guessing is checked, in inline code spans outside code
//! blocks (admonitions are prose too):
//!
//! - a repository path with an extension (`code/src/locks.rs`, `code/benches/locks.claims.toml`)
//!   names a file that exists;
//! - `NAME in `FILE`` and `NAME (`FILE`)` name an item that FILE defines (`check_memo` in
//!   `code/src/locks.rs`; for `Type::method`, both parts);
//! - `workshop::module::NAME` names an item of that module's file;
//! - the commands a reader is told to run name a module, test, bench or example that exists:
//!   `--lib exercises::X`, `-p workshop --test X`, `--bench X`, `--example X`,
//!   `cargo xtask bench [--quick] X`.
//!
//! Pure, like `expand.rs`: files are read through the same callback, and `build.rs` includes
//! this file with `#[path]`.

use std::path::Path;

use crate::expand::ReadFile;

/// Where the repository's paths start: what a chapter's prose may name as a file.
const ROOTS: [&str; 5] = ["code/", "src/", "tests/", "xtask/", "results/"];

/// Every name in the chapter `text` that the code does not have: `(line, message)`, lines
/// 1-based. `root` is the repository's root.
pub fn missing(text: &str, root: &Path, read: &mut ReadFile) -> Vec<(usize, String)> {
    let mut problems = Vec::new();
    for (n, line) in prose_lines(text) {
        let spans = code_spans(line);
        for (i, span) in spans.iter().enumerate() {
            let mut problem = |message: String| problems.push((n, message));
            if let Some(path) = repository_path(span) {
                if read(&root.join(path)).is_err() {
                    problem(format!("`{span}` names a file that does not exist"));
                }
            }
            if let Some((file, names)) = workshop_item(span) {
                check_defined(root, &file, &names, span, read, &mut problem);
            }
            // `NAME` in `FILE` / `NAME` (`FILE`): the text between the two spans says so.
            if let (Some(next), Some(between)) = (spans.get(i + 1), between(line, i)) {
                let joined = matches!(between.trim(), "in" | "(" | "in the file");
                if joined && repository_path(next).is_some_and(|p| p.ends_with(".rs")) {
                    let names: Vec<&str> = span.split("::").collect();
                    if names.iter().all(|name| identifier(name)) {
                        check_defined(root, next, &names, span, read, &mut problem);
                    }
                }
            }
            for path in command_targets(span) {
                if read(&root.join(&path)).is_err() {
                    problem(format!("`{span}` needs `{path}`, which does not exist"));
                }
            }
        }
    }
    problems
}

/// The lines of `text` that are prose, with their 1-based numbers: outside every fenced block
/// but mdbook-admonish's, whose body is markdown.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    // The fence that opened the code block we are in: its character and length.
    let mut code_fence: Option<(char, usize)> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|&c| c == '`' || c == '~');
        let fence_len =
            marker.map_or(0, |c| trimmed.len() - trimmed.trim_start_matches(c).len());
        match (code_fence, marker) {
            (Some((c, len)), Some(m)) if m == c && fence_len >= len => {
                if trimmed.trim_start_matches(c).trim().is_empty() {
                    code_fence = None;
                }
            }
            (Some(_), _) => {}
            (None, Some(m)) if fence_len >= 3 => {
                let info = trimmed.trim_start_matches(m).trim();
                // An admonition's opening and closing fences are neither code nor prose.
                if !info.is_empty() && !info.starts_with("admonish") {
                    code_fence = Some((m, fence_len));
                }
            }
            (None, _) => lines.push((i + 1, line)),
        }
    }
    lines
}

/// The contents of a line's inline code spans (single backticks), in order.
fn code_spans(line: &str) -> Vec<&str> {
    line.split('`').skip(1).step_by(2).collect()
}

/// The text between code span `i` of `line` and the next one.
fn between(line: &str, i: usize) -> Option<&str> {
    line.split('`').nth(2 * i + 2)
}

/// A repository path with an extension, as the prose writes it (no placeholders, no globs).
fn repository_path(span: &str) -> Option<&str> {
    let path = span.split_once(':').map_or(span, |(path, _)| path);
    let plain = !path.contains(['<', '*', ' ', '{']);
    let name = path.rsplit('/').next().unwrap_or(path);
    let (_, extension) = name.rsplit_once('.')?;
    // The book's own `src/` holds chapters and figures: a `src/x.rs` or `src/x.c` is another
    // project's source (tracing-chrome's `src/lib.rs`, mimalloc's `src/free.c`).
    let elsewhere =
        path.starts_with("src/") && matches!(extension, "rs" | "c" | "h" | "go");
    (plain && !elsewhere && ROOTS.iter().any(|root| path.starts_with(root)))
        .then_some(path)
}

/// `workshop::a::b::NAME`: the file of module `a::b` and the item's name.
fn workshop_item(span: &str) -> Option<(String, Vec<&str>)> {
    let rest = span.strip_prefix("workshop::")?;
    let parts: Vec<&str> = rest.split("::").collect();
    if parts.len() < 2 || !parts.iter().all(|part| identifier(part)) {
        return None;
    }
    let (name, modules) = parts.split_last()?;
    Some((format!("code/src/{}.rs", modules.join("/")), vec![*name]))
}

/// The files a command needs, for the commands the chapters tell readers to run.
fn command_targets(span: &str) -> Vec<String> {
    let words: Vec<&str> = span.split_whitespace().collect();
    if words.first() != Some(&"cargo") {
        return Vec::new();
    }
    let after = |flag: &str| {
        let at = words.iter().position(|w| *w == flag)?;
        words.get(at + 1).filter(|w| identifier(w)).copied()
    };
    let mut needed = Vec::new();
    if let Some(filter) = words
        .iter()
        .position(|w| *w == "--lib")
        .and_then(|at| words.get(at + 1))
    {
        if let Some(module) = filter.strip_prefix("exercises::").filter(|m| identifier(m))
        {
            needed.push(format!("code/src/exercises/{module}.rs"));
        }
    }
    let workshop = words.windows(2).any(|w| w == ["-p", "workshop"]);
    if workshop {
        if let Some(test) = after("--test") {
            needed.push(format!("code/tests/{test}.rs"));
        }
    }
    if let Some(bench) = after("--bench") {
        needed.push(format!("code/benches/{bench}.rs"));
    }
    if let Some(example) = after("--example") {
        needed.push(format!("code/examples/{example}.rs"));
    }
    if words.get(1..3) == Some(&["xtask", "bench"]) {
        let chapter = words[3..].iter().find(|w| !w.starts_with('-'));
        if let Some(chapter) = chapter.filter(|c| identifier(c)) {
            needed.push(format!("code/benches/{chapter}.rs"));
        }
    }
    needed
}

fn check_defined(
    root: &Path,
    file: &str,
    names: &[&str],
    span: &str,
    read: &mut ReadFile,
    problem: &mut impl FnMut(String),
) {
    let Ok(code) = read(&root.join(file)) else {
        problem(format!("`{span}`: `{file}` does not exist"));
        return;
    };
    for name in names {
        if !defines(&code, name) {
            problem(format!("`{span}`: `{file}` defines no `{name}`"));
        }
    }
}

/// Whether `code` declares `name`: as an item (`fn`, `struct`, `const`, …, with any
/// visibility and qualifiers), a field or variant, or by re-exporting it with `use`.
pub fn defines(code: &str, name: &str) -> bool {
    const KINDS: [&str; 10] = [
        "fn ",
        "struct ",
        "enum ",
        "trait ",
        "type ",
        "const ",
        "static ",
        "mod ",
        "union ",
        "macro_rules! ",
    ];
    code.lines().any(|line| {
        let line = line.trim_start();
        let mut rest = line;
        loop {
            let before = rest;
            for q in [
                "pub(crate) ",
                "pub(super) ",
                "pub ",
                "async ",
                "unsafe ",
                "const ",
            ] {
                if let Some(after) = rest.strip_prefix(q) {
                    // `const NAME` is an item itself, not only a qualifier of `const fn`.
                    if q == "const " && after.starts_with(name) {
                        break;
                    }
                    rest = after;
                }
            }
            if rest == before {
                break;
            }
        }
        let item = KINDS.iter().any(|kind| {
            rest.strip_prefix(kind)
                .and_then(|after| after.strip_prefix(name))
                .is_some_and(ends_identifier)
        });
        // A field, or a unit or tuple variant: `name: T,` / `Name,` / `Name(T),`.
        let variant = name.starts_with(|c: char| c.is_uppercase());
        let member = rest.strip_prefix(name).is_some_and(|after| {
            after.starts_with(": ")
                || (variant && (after == "," || after.starts_with('(')))
        }) && !line.starts_with("//");
        let reexport = rest.starts_with("use ")
            && rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .any(|word| word == name);
        item || member || reexport
    })
}

/// Whether the text after a name ends it (the name is not the start of a longer one).
fn ends_identifier(after: &str) -> bool {
    !after.starts_with(|c: char| c.is_alphanumeric() || c == '_')
}

fn identifier(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}
