//! Generates the snippet tests: every ```` ```rust ```` block of the book's chapters (`../src`).
//!
//! Skeptic tests markdown, but not mdBook's: it cannot expand `{{#include}}`, find blocks inside
//! admonitions, run `#[test]` functions or check `compile_fail` blocks. So this script writes, for
//! each chapter, a copy under `OUT_DIR/chapters/` that holds only its rust blocks, includes
//! expanded and blocks rewritten to be runnable (see `src/expand.rs`), and hands the copies to
//! skeptic. It also writes `OUT_DIR/compile_fail_tests.rs` (the harness's own compile_fail tests)
//! and `OUT_DIR/snippet-report.txt` (blocks per chapter, printed by `tests/report.rs`).
//!
//! Broken includes, missing anchors, unexplained `ignore`/`no_run` and compile_fail blocks without
//! an error code fail the build, naming the chapter and line: mdBook would render them quietly.
//! So do names in the prose that the code does not have (`src/names.rs`): a file, an item said to
//! be in a file, a command's exercise module, test, bench or example.

use std::collections::BTreeSet;
use std::env;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

#[path = "src/expand.rs"]
mod expand;
#[path = "src/names.rs"]
mod names;

/// Shared skeptic templates (`fragment`, `in_main`), merged into every copy's `.skt.md`.
const SHARED_TEMPLATES: &str = "templates.skt.md";

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("run by cargo"));
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("run by cargo"));
    let book_src = expand::normalize(&manifest_dir.join("../src"));

    // Its subdirectories and top-level files catch chapters being added (a chapter at the top
    // level is added to SUMMARY.md too); chapters and included files are listed as well, because
    // included files live outside (`code/src/*.rs`). Not the directory itself: `cargo xtask
    // serve` writes a fresh `src/runner.json` (gitignored) every time it starts, and watching
    // the directory would rebuild this harness for it.
    for entry in fs::read_dir(&book_src)
        .expect("cannot list the book's src/")
        .flatten()
    {
        let path = entry.path();
        if path.file_name().is_some_and(|name| name != "runner.json") {
            rerun_if_changed(&path);
        }
    }
    let shared_templates_path = book_src.join(SHARED_TEMPLATES);
    let shared_templates = read_optional(&shared_templates_path);

    let mut chapters = Vec::new();
    find_chapters(&book_src, &book_src, &mut chapters)
        .expect("cannot list the book's chapters");
    chapters.sort();

    let copies_dir = out_dir.join("chapters");
    fs::create_dir_all(&copies_dir).expect("cannot create OUT_DIR/chapters");
    let mut included = BTreeSet::new();
    let mut errors = Vec::new();
    let mut copies = Vec::new();
    let mut compile_fail_tests = Vec::new();
    let mut report_rows = Vec::new();
    let mut stems = BTreeSet::new();

    for relative in &chapters {
        let path = book_src.join(relative);
        rerun_if_changed(&path);
        let display = format!("src/{}", relative.to_string_lossy().replace('\\', "/"));
        let stem = expand::copy_stem(relative);
        if !stems.insert(expand::sanitize_test_name(&stem)) {
            errors.push(format!(
                "{display}: another chapter has the same test name prefix `{stem}`: rename one"
            ));
            continue;
        }

        // The chapter's own templates, `<chapter>.md.skt.md` beside it, after the shared ones so
        // that a chapter can redefine one.
        let own_templates_path = path.with_file_name(format!(
            "{}.skt.md",
            path.file_name().unwrap_or_default().to_string_lossy()
        ));
        let templates =
            format!("{shared_templates}\n{}", read_optional(&own_templates_path));
        let template_names = expand::template_names(&templates);

        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => {
                errors.push(format!("{display}: cannot read: {e}"));
                continue;
            }
        };
        let dir = path.parent().unwrap_or(&book_src);
        let mut read_files = Vec::new();
        let mut read = |file: &Path| -> io::Result<String> {
            let text = fs::read_to_string(file)?;
            read_files.push(expand::normalize(file));
            Ok(text)
        };
        let processed = expand::process_chapter(
            &display,
            &stem,
            &text,
            dir,
            &template_names,
            &mut read,
        );
        let root = book_src.parent().unwrap_or(&book_src);
        for (line, message) in names::missing(&text, root, &mut read) {
            errors.push(format!("{display}:{line}: {message}"));
        }
        included.extend(read_files.iter().cloned());
        match processed {
            Ok(chapter) => {
                let copy = copies_dir.join(format!("{stem}.md"));
                read_files.extend([
                    path.clone(),
                    shared_templates_path.clone(),
                    own_templates_path,
                ]);
                let newest_input = newest_mtime(&read_files);
                write_derived(&copy, &chapter.copy, newest_input);
                write_derived(
                    &copies_dir.join(format!("{stem}.md.skt.md")),
                    &templates,
                    newest_input,
                );
                copies.push(copy);
                compile_fail_tests.extend(chapter.compile_fail_tests);
                report_rows.push((display, chapter.counts));
            }
            Err(chapter_errors) => errors.extend(chapter_errors),
        }
    }
    // Listed before failing, so that fixing an included file (restoring an anchor) re-runs this.
    for file in &included {
        rerun_if_changed(file);
    }
    if !errors.is_empty() {
        panic!(
            "\n\nthe book's rust blocks cannot be tested:\n  {}\n",
            errors.join("\n  ")
        );
    }

    remove_stale_copies(&copies_dir, &copies);
    write_if_changed(
        &out_dir.join("compile_fail_tests.rs"),
        &compile_fail_file(&compile_fail_tests),
    );
    write_if_changed(
        &out_dir.join("snippet-report.txt"),
        &expand::render_report(&report_rows),
    );
    if copies.is_empty() {
        // Skeptic writes nothing for no documents, but tests/snippets.rs includes its file.
        write_if_changed(
            &out_dir.join("skeptic-tests.rs"),
            "// No chapters with rust blocks.\n",
        );
    } else {
        skeptic::generate_doc_tests(&copies);
        // Its tests call `skeptic::rt::run_test`; `tests/snippets.rs` has a `run_test` that
        // calls it and tries again when the system says the snippet's binary is busy.
        let generated = out_dir.join("skeptic-tests.rs");
        let text = fs::read_to_string(&generated).expect("skeptic wrote no tests");
        write_if_changed(
            &generated,
            &text.replace("skeptic::rt::run_test(", "run_test("),
        );
    }
}

fn rerun_if_changed(path: &Path) {
    println!("cargo:rerun-if-changed={}", path.display());
}

/// A file's content, or "" if it does not exist; watched only if it exists, since cargo would
/// re-run the script on every build for a missing one.
fn read_optional(path: &Path) -> String {
    match fs::read_to_string(path) {
        Ok(text) => {
            rerun_if_changed(path);
            text
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}

/// Chapters under `dir`, relative to `root`: `*.md` except `SUMMARY.md`, skeptic templates
/// (`*.skt.md`), files generated into `src/generated/`, and hidden files (editor backups).
fn find_chapters(root: &Path, dir: &Path, chapters: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if path != root.join("generated") {
                find_chapters(root, &path, chapters)?;
            }
        } else if name.ends_with(".md")
            && !name.ends_with(".skt.md")
            && name != "SUMMARY.md"
        {
            chapters.push(path.strip_prefix(root).unwrap_or(&path).to_path_buf());
        }
    }
    Ok(())
}

/// Writes only if the content differs: cargo compares modification times, and skeptic watches
/// the copies, so rewriting them unchanged would rebuild the tests every time.
fn write_if_changed(path: &Path, content: &str) -> bool {
    if fs::read_to_string(path).is_ok_and(|old| old == content) {
        return false;
    }
    fs::write(path, content)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    true
}

/// Writes a chapter's copy if it changed, dated like its newest input rather than now. Skeptic
/// prints `rerun-if-changed` for each copy, and cargo re-runs a build script when a watched file
/// is newer than the script's last start: a copy written (so dated) during the run would make the
/// next `cargo test` run this script and rebuild the tests once more for nothing. A copy only
/// changes when one of its inputs did, and those are watched themselves.
fn write_derived(path: &Path, content: &str, newest_input: Option<SystemTime>) {
    if !write_if_changed(path, content) {
        return;
    }
    if let Some(time) = newest_input {
        fs::File::options()
            .write(true)
            .open(path)
            .and_then(|file| file.set_modified(time))
            .unwrap_or_else(|e| panic!("cannot set the date of {}: {e}", path.display()));
    }
}

fn newest_mtime(files: &[PathBuf]) -> Option<SystemTime> {
    files
        .iter()
        .filter_map(|file| fs::metadata(file).and_then(|m| m.modified()).ok())
        .max()
}

/// Copies of chapters that no longer exist would otherwise linger (harmlessly, but confusingly).
fn remove_stale_copies(copies_dir: &Path, copies: &[PathBuf]) {
    let keep: BTreeSet<PathBuf> = copies
        .iter()
        .flat_map(|copy| {
            let skt = PathBuf::from(format!("{}.skt.md", copy.display()));
            [copy.clone(), skt]
        })
        .collect();
    for entry in fs::read_dir(copies_dir).into_iter().flatten().flatten() {
        if !keep.contains(&entry.path()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// `OUT_DIR/compile_fail_tests.rs`: the checker module (only if there are tests, or it would be
/// dead code) and one `#[test]` per compile_fail block.
fn compile_fail_file(tests: &[String]) -> String {
    let mut file = String::from(
        "// Generated by tests/build.rs: one test per ```rust,compile_fail,EXXXX block.\n",
    );
    if tests.is_empty() {
        file.push_str("// The book has no compile_fail blocks.\n");
        return file;
    }
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    file.push_str("\nmod compile_fail_check {\n");
    file.push_str(include_str!("src/compile_fail_check.rs"));
    file.push_str("}\n\n/// The compiler cargo built the harness with.\n");
    file.push_str(&format!(
        "const BUILD_RUSTC: &str = {};\n\n",
        expand::raw_string(&rustc)
    ));
    for test in tests {
        file.push_str(test);
    }
    file
}
