//! Unit tests of what `build.rs` does to a chapter before skeptic sees it. Files are served from
//! memory, so these tests pin the behaviour without touching the book.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::compile_fail_check;
use crate::expand::*;

/// A file system of `(path, content)` pairs, which records what was read.
struct Files {
    files: HashMap<PathBuf, String>,
    read: Vec<PathBuf>,
}

impl Files {
    fn new(files: &[(&str, &str)]) -> Files {
        Files {
            files: files
                .iter()
                .map(|(path, text)| (PathBuf::from(path), text.to_string()))
                .collect(),
            read: Vec::new(),
        }
    }

    fn read(&mut self, path: &Path) -> io::Result<String> {
        let path = normalize(path);
        self.read.push(path.clone());
        self.files
            .get(&path)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))
    }

    /// Expands `text` as a chapter in `book/src/ch`.
    fn expand(&mut self, text: &str) -> Result<Expanded, Error> {
        expand_includes(text, Path::new("book/src/ch"), &mut |p| self.read(p))
    }
}

const CODE: &str = "\
// ANCHOR: all
use std::fmt;
// ANCHOR: inner
fn inner() {}
// ANCHOR_END: inner
fn outer() {}
// ANCHOR_END: all
fn after() {}";

fn code_files() -> Files {
    Files::new(&[("book/code/lib.rs", CODE), ("book/code/lib.txt", CODE)])
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_owned).collect()
}

#[test]
fn anchor_takes_its_lines_and_drops_nested_anchor_markers() {
    let out = code_files()
        .expand("{{#include ../../code/lib.txt:all}}")
        .unwrap();
    assert_eq!(out.text, "use std::fmt;\nfn inner() {}\nfn outer() {}");
    let out = code_files()
        .expand("{{#include ../../code/lib.txt:inner}}")
        .unwrap();
    assert_eq!(out.text, "fn inner() {}");
}

#[test]
fn anchor_markers_follow_mdbook_regex() {
    // `ANCHOR:\s*([\w_-]+)` anywhere in the line, any comment style.
    let text =
        "x /* ANCHOR:  my-anchor_1 */\nshown\n<!-- ANCHOR_END: my-anchor_1 -->\nnot";
    assert_eq!(take_anchored_lines(text, "my-anchor_1").unwrap(), "shown");
    // Only the first section of a name is taken by #include.
    let twice = "ANCHOR: a\none\nANCHOR_END: a\nANCHOR: a\ntwo\nANCHOR_END: a";
    assert_eq!(take_anchored_lines(twice, "a").unwrap(), "one");
}

#[test]
fn missing_or_unclosed_anchor_is_an_error_with_the_chapter_line() {
    let error = code_files()
        .expand("intro\n\n```rust\n{{#include ../../code/lib.txt:table_test}}\n```\n")
        .unwrap_err();
    assert_eq!(error.line, 4);
    assert_eq!(
        error.message,
        "anchor \"table_test\" not found in ../../code/lib.txt"
    );

    let mut files = Files::new(&[("book/code/open.rs", "// ANCHOR: open\nfn f() {}\n")]);
    let error = files
        .expand("{{#rustdoc_include ../../code/open.rs:open}}")
        .unwrap_err();
    assert_eq!(error.line, 1);
    assert!(error.message.contains("no matching \"ANCHOR_END: open\""));
    assert_eq!(
        take_anchored_lines("ANCHOR: x\nline", "x"),
        Err(AnchorError::NotClosed)
    );
    assert_eq!(take_anchored_lines("line", "x"), Err(AnchorError::NotFound));
}

#[test]
fn missing_file_is_an_error_with_the_chapter_line() {
    let error = code_files()
        .expand("a\nb {{#include nope.rs}}\n")
        .unwrap_err();
    assert_eq!(error.line, 2);
    assert!(
        error.message.starts_with("cannot include nope.rs:"),
        "{}",
        error.message
    );
}

#[test]
fn line_range_forms_parse_as_mdbook_does() {
    use Selection::*;
    assert_eq!(
        parse_selection(None),
        Lines {
            start: 0,
            end: None
        }
    );
    assert_eq!(
        parse_selection(Some("2:3")),
        Lines {
            start: 1,
            end: Some(3)
        }
    );
    assert_eq!(
        parse_selection(Some("2:")),
        Lines {
            start: 1,
            end: None
        }
    );
    assert_eq!(
        parse_selection(Some(":2")),
        Lines {
            start: 0,
            end: Some(2)
        }
    );
    assert_eq!(
        parse_selection(Some("2")),
        Lines {
            start: 1,
            end: Some(2)
        }
    );
    assert_eq!(
        parse_selection(Some("2:x")),
        Lines {
            start: 1,
            end: None
        }
    );
    assert_eq!(parse_selection(Some("name")), Anchor("name".into()));
}

#[test]
fn each_line_range_form_includes_the_right_lines() {
    let mut files = Files::new(&[("book/src/ch/five.txt", "1\n2\n3\n4\n5\n")]);
    let mut take = |spec: &str| {
        files
            .expand(&format!("{{{{#include {spec}}}}}"))
            .unwrap()
            .text
    };
    assert_eq!(take("five.txt"), "1\n2\n3\n4\n5");
    assert_eq!(take("five.txt:2:4"), "2\n3\n4");
    assert_eq!(take("five.txt:4:"), "4\n5");
    assert_eq!(take("five.txt::2"), "1\n2");
    assert_eq!(take("five.txt:3"), "3");
    assert_eq!(take("five.txt:9"), "");
}

#[test]
fn include_of_rust_is_tested_in_its_whole_file() {
    // The page shows the excerpt alone (mdBook's `include`); the test sees what a
    // `rustdoc_include` would have shown, so that the excerpt compiles with its file.
    let mut files = code_files();
    let include = files
        .expand("{{#include ../../code/lib.rs:inner}}")
        .unwrap();
    let rustdoc = files
        .expand("{{#rustdoc_include ../../code/lib.rs:inner}}")
        .unwrap();
    assert_eq!(include.text, rustdoc.text);
    assert_eq!(include.origin, rustdoc.origin);
    // ...but only the excerpt is on the page: what the Run button compares with the page.
    assert_eq!(include.off_page, [true, false, true, true]);
    assert!(!rustdoc.off_page.contains(&true));
    assert_eq!(
        files
            .expand("{{#include ../../code/lib.rs:2:3}}")
            .unwrap()
            .text,
        files
            .expand("{{#rustdoc_include ../../code/lib.rs:2:3}}")
            .unwrap()
            .text
    );
    // In a block, the flags follow the body's lines.
    let chapter = "x\n\n```rust\n{{#include ../../code/lib.rs:inner}}\n```\n";
    let blocks = rust_blocks(&files.expand(chapter).unwrap()).unwrap();
    assert_eq!(blocks[0].off_page, [true, false, true, true]);
    // Other files are included as mdBook includes them.
    let mut files = Files::new(&[(
        "book/code/a.toml",
        "# ANCHOR: x\nk = 1\n# ANCHOR_END: x\nj = 2\n",
    )]);
    assert_eq!(
        files
            .expand("{{#include ../../code/a.toml:x}}")
            .unwrap()
            .text,
        "k = 1"
    );
}

#[test]
fn rustdoc_include_hides_the_other_lines() {
    let mut files = code_files();
    let out = files
        .expand("{{#rustdoc_include ../../code/lib.rs:inner}}")
        .unwrap();
    assert_eq!(
        out.text,
        "# use std::fmt;\nfn inner() {}\n# fn outer() {}\n# fn after() {}"
    );
    let out = files
        .expand("{{#rustdoc_include ../../code/lib.rs:2:3}}")
        .unwrap();
    // mdBook keeps anchor marker lines in the range form.
    assert_eq!(
        out.text,
        "# // ANCHOR: all\nuse std::fmt;\n// ANCHOR: inner\n# fn inner() {}\n\
         # // ANCHOR_END: inner\n# fn outer() {}\n# // ANCHOR_END: all\n# fn after() {}"
    );
}

#[test]
fn escaped_link_is_left_as_text() {
    let mut files = code_files();
    let out = files
        .expand("write \\{{#include ../../code/lib.txt:nope}} to include")
        .unwrap();
    assert_eq!(
        out.text,
        "write {{#include ../../code/lib.txt:nope}} to include"
    );
    assert!(files.read.is_empty(), "an escaped link reads no file");
}

#[test]
fn unknown_links_and_titles_are_handled_like_mdbook() {
    let mut files = code_files();
    assert_eq!(
        files.expand("{{#unknown x}} {{#title T}}!").unwrap().text,
        "{{#unknown x}} !"
    );
    assert_eq!(
        files
            .expand("{{ #include ../../code/lib.txt:inner }}")
            .unwrap()
            .text,
        "fn inner() {}"
    );
    // `{{#include}}` without a path is not a link.
    assert_eq!(files.expand("{{#include }}").unwrap().text, "{{#include }}");
}

#[test]
fn playground_becomes_a_rust_block() {
    let mut files = Files::new(&[("book/src/ch/p.rs", "fn main() {}")]);
    assert_eq!(
        files.expand("{{#playground p.rs editable}}").unwrap().text,
        "```rust,editable\nfn main() {}\n```\n"
    );
}

#[test]
fn includes_nest_relative_to_the_included_file() {
    let mut files = Files::new(&[
        (
            "book/src/parts/a.md",
            "A:\n{{#include ../../code/lib.txt:inner}}",
        ),
        ("book/code/lib.txt", CODE),
    ]);
    let out = files.expand("{{#include ../parts/a.md}}").unwrap();
    assert_eq!(out.text, "A:\nfn inner() {}");
    let mut files = Files::new(&[
        (
            "book/src/parts/a.md",
            "{{#include ../../code/lib.txt:nope}}",
        ),
        ("book/code/lib.txt", CODE),
    ]);
    let error = files.expand("x\n{{#include ../parts/a.md}}").unwrap_err();
    assert_eq!(error.line, 2);
    assert_eq!(
        error.message,
        "in ../parts/a.md, line 1: anchor \"nope\" not found in ../../code/lib.txt"
    );
}

#[test]
fn a_file_including_itself_is_an_error() {
    let mut files = Files::new(&[("book/src/ch/self.md", "{{#include self.md}}")]);
    let error = files.expand("{{#include self.md}}").unwrap_err();
    assert!(
        error.message.contains("nested more than 10 deep"),
        "{}",
        error.message
    );
}

#[test]
fn lines_after_an_include_keep_their_chapter_line() {
    let mut files = Files::new(&[("book/src/ch/three.md", "1\n2\n3")]);
    let chapter = "{{#include three.md}}\n\n```rust\nfn f() {}\n```\n";
    let out = files.expand(chapter).unwrap();
    let blocks = rust_blocks(&out).unwrap();
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].line, 3);
}

#[test]
fn nested_fences_in_admonitions_are_extracted() {
    let chapter = "\
# Title

````admonish success title=\"Solution\" collapsible=true
Some text.

```rust
fn solution() {}
```
````

````markdown
```rust
this is shown as text, never compiled
```
````

~~~rust,no_run
// Needs a server that this machine does not run.
~~~

```text
not rust
```

   ```rust ignore
   fn indented() {}
   ```
";
    let blocks = rust_blocks(&unexpanded(chapter)).unwrap();
    let found: Vec<(usize, &str, &str)> = blocks
        .iter()
        .map(|b| (b.line, b.fence.as_str(), b.info.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (6, "```", "rust"),
            (17, "~~~", "rust,no_run"),
            (25, "```", "rust ignore")
        ]
    );
    assert_eq!(blocks[0].body, ["fn solution() {}"]);
    assert_eq!(
        blocks[2].body,
        ["fn indented() {}"],
        "fence indentation is removed"
    );
}

#[test]
fn unclosed_fence_is_an_error() {
    let expanded = Expanded {
        text: "a\n```rust\nfn f() {}\n".to_owned(),
        origin: vec![1, 2, 3, 4],
        off_page: Vec::new(),
    };
    let error = rust_blocks(&expanded).unwrap_err();
    assert_eq!(error.line, 2);
}

/// A chapter with no includes: each line is its own origin.
fn unexpanded(chapter: &str) -> Expanded {
    Expanded {
        text: chapter.to_owned(),
        origin: (1..=chapter.lines().count() + 1).collect(),
        off_page: Vec::new(),
    }
}

fn block(info: &str, body: &str) -> Block {
    Block {
        line: 7,
        fence: "```".into(),
        info: info.into(),
        body: lines(body),
        off_page: Vec::new(),
        solution: false,
        exercise: false,
    }
}

fn templates() -> Vec<String> {
    vec!["fragment".into(), "in_main".into(), "custom".into()]
}

fn skeptic_plan(info: &str, body: &str) -> SkepticBlock {
    match plan_block(&block(info, body), &templates()) {
        Ok(Plan::Skeptic(block)) => block,
        other => panic!("expected a skeptic block, got {other:?}"),
    }
}

#[test]
fn test_functions_are_called_from_a_generated_main() {
    let body = "\
use std::fmt;
# #[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first() {
        assert!(true);
    }

    mod inner {
        #[test]
        #[should_panic(expected = \"boom\")]
        fn panics() {
            panic!(\"boom\");
        }
    }

    #[test]
    #[ignore]
    fn slow() {}

    #[test]
    pub(crate) fn fallible() -> Result<(), String> {
        Ok(())
    }
}

#[test]
fn top() {}";
    let planned = skeptic_plan("rust", body);
    assert_eq!(
        planned.info, "rust",
        "no template: the block now has a main"
    );
    let code = planned.body.join("\n");
    assert!(planned.body[0] == "# #![allow(dead_code)]");
    for gone in ["#[test]", "#[cfg(test)]", "#[should_panic", "#[ignore]"] {
        assert!(
            !planned
                .body
                .iter()
                .any(|l| unhide(l).trim().starts_with(gone)),
            "{gone} left in:\n{code}"
        );
    }
    assert!(code.contains("\npub mod tests {"), "{code}");
    assert!(code.contains("\n    pub mod inner {"), "{code}");
    assert!(code.contains("\n    pub fn first() {"), "{code}");
    assert!(code.contains("\n    pub(crate) fn fallible()"), "{code}");
    assert!(code.contains("\npub fn top() {}"), "{code}");

    let main: Vec<&str> = planned
        .body
        .iter()
        .skip_while(|l| !l.starts_with("# fn main()"))
        .map(|l| l.strip_prefix("# ").expect("the generated main is hidden"))
        .collect();
    let main = main.join("\n");
    assert!(main.contains("    tests::first();"), "{main}");
    assert!(
        main.contains(
            "__snippet_should_panic(\"tests::inner::panics\", Some(\"boom\"), || {\n        \
             tests::inner::panics();"
        ),
        "{main}"
    );
    assert!(
        !main.contains("tests::slow()"),
        "ignored tests are not run:\n{main}"
    );
    assert!(main.contains("    tests::fallible().unwrap();"), "{main}");
    assert!(main.contains("    top();"), "{main}");
    assert!(main.contains("fn __snippet_should_panic("), "{main}");
}

#[test]
fn test_rewrite_keeps_a_leading_inner_attribute_first() {
    let planned = skeptic_plan("rust", "#![allow(unused)]\n#[test]\nfn t() {}");
    assert_eq!(planned.body[0], "#![allow(unused)]");
    assert!(planned.body.iter().any(|l| l == "# fn main() {"));
}

#[test]
fn blocks_with_main_or_a_template_are_left_alone() {
    let with_main = "#[test]\nfn t() {}\nfn main() {}";
    assert_eq!(skeptic_plan("rust", with_main).body, lines(with_main));
    let criterion = "fn bench(c: &mut Criterion) {}\n\
                     criterion_group!(benches, bench);\n\
                     criterion_main!(benches);";
    assert_eq!(
        skeptic_plan("rust", criterion).info,
        "rust",
        "criterion_main! is a main"
    );
    let templated = "#[test]\nfn t() {}";
    let planned = skeptic_plan("rust,skt-custom", templated);
    assert_eq!(planned.body, lines(templated));
    assert_eq!(planned.info, "rust,skt-custom");
}

#[test]
fn fragments_get_a_template() {
    assert_eq!(
        skeptic_plan(
            "rust",
            "struct S;\nimpl S {\n    fn f(&self) {\n        let x = 1;\n    }\n}"
        )
        .info,
        "rust,skt-fragment"
    );
    assert_eq!(
        skeptic_plan("rust,editable", "let v = vec![1];\nassert_eq!(v.len(), 1);").info,
        "rust,editable,skt-in_main"
    );
    assert_eq!(
        skeptic_plan("rust", "# use std::fmt;\n# let x = 1;\nprintln!(\"{x}\");").info,
        "rust,skt-in_main"
    );
}

#[test]
fn not_run_blocks_must_say_why() {
    let error =
        plan_block(&block("rust,no_run", "fn main() {}"), &templates()).unwrap_err();
    assert!(
        error.starts_with("a rust block that is not run must say why"),
        "{error}"
    );
    let error = plan_block(&block("rust,ignore", "// todo\nfn main() {}"), &templates());
    assert!(error.is_err(), "one word is not a reason");
    let planned = skeptic_plan(
        "rust,no_run",
        "fn main() {\n    // Serves forever: run it yourself.\n}",
    );
    assert_eq!(planned.kind, Kind::CompileOnly);
    let planned = skeptic_plan("rust,ignore", "// Needs the GPU driver.\nfn main() {}");
    assert_eq!(planned.kind, Kind::Ignored);
    assert_eq!(
        skeptic_plan("rust,should_panic,noplayground", "fn main() {}").kind,
        Kind::Run
    );
}

#[test]
fn unknown_template_is_an_error() {
    let error = plan_block(&block("rust,skt-nope", "x"), &templates()).unwrap_err();
    assert!(error.contains("skt-nope"), "{error}");
}

#[test]
fn compile_fail_tags_parse() {
    let plan = plan_block(
        &block(
            "rust,compile_fail,E0515",
            "# fn f() -> &'static str {\nlet s = String::new(); &s\n# }",
        ),
        &templates(),
    )
    .unwrap();
    let Plan::CompileFail(cf) = plan else {
        panic!("expected compile_fail, got {plan:?}")
    };
    assert_eq!(cf.codes, ["E0515"]);
    assert_eq!(cf.line, 7);
    assert_eq!(
        cf.source,
        "fn f() -> &'static str {\nlet s = String::new(); &s\n}\n"
    );
    assert!(!cf.ignore);

    let Ok(Plan::CompileFail(cf)) = plan_block(
        &block(
            "rust compile_fail E0382 E0505",
            "let s = String::new();\ndrop(s);\ndrop(s);",
        ),
        &templates(),
    ) else {
        panic!("expected compile_fail")
    };
    assert_eq!(cf.codes, ["E0382", "E0505"]);
    assert!(
        cf.source.starts_with("fn main() {\n"),
        "statements are wrapped"
    );

    let error =
        plan_block(&block("rust,compile_fail", "fn f() {}"), &templates()).unwrap_err();
    assert!(error.contains("must name the error"), "{error}");
    let error = plan_block(&block("rust,E0515", "fn f() {}"), &templates()).unwrap_err();
    assert!(error.contains("without compile_fail"), "{error}");
    assert!(is_error_code("E0515"));
    assert!(
        !is_error_code("E515") && !is_error_code("e0515") && !is_error_code("E05150")
    );
}

#[test]
fn chapter_copy_names_the_chapter_line_and_leaves_out_compile_fail() {
    let chapter = "\
# Testing

```rust
assert_eq!(1 + 1, 2);
```

```rust,compile_fail,E0382
let s = String::new();
drop(s);
drop(s);
```
";
    let mut files = Files::new(&[]);
    let out = process_chapter(
        "src/tools/testing.md",
        "tools_testing",
        chapter,
        Path::new("book/src/tools"),
        &templates(),
        &mut |p| files.read(p),
    )
    .unwrap();
    assert!(
        out.copy
            .contains("\n## line 3\n\n```rust,skt-in_main\nassert_eq!(1 + 1, 2);\n```\n"),
        "{}",
        out.copy
    );
    assert!(!out.copy.contains("compile_fail"), "{}", out.copy);
    assert_eq!(out.compile_fail_tests.len(), 1);
    let test = &out.compile_fail_tests[0];
    assert!(
        test.contains("fn compile_fail_tools_testing_line_7()"),
        "{test}"
    );
    assert!(
        test.contains("location: \"src/tools/testing.md:7\""),
        "{test}"
    );
    assert!(test.contains("expected: &[\"E0382\"]"), "{test}");
    assert_eq!(
        out.counts,
        Counts {
            run: 1,
            compile_only: 0,
            ignored: 0,
            compile_fail: 1,
            shared: 0,
        }
    );
}

#[test]
fn chapter_errors_are_all_reported_with_chapter_and_line() {
    let chapter = "```rust,ignore\nx\n```\n\n```rust,compile_fail\ny\n```\n";
    let errors = process_chapter(
        "src/a.md",
        "a",
        chapter,
        Path::new("src"),
        &templates(),
        &mut |_| Err(io::Error::other("no files")),
    )
    .unwrap_err();
    assert_eq!(errors.len(), 2);
    assert!(
        errors[0].starts_with("src/a.md:1: a rust block that is not run must say why")
    );
    assert!(errors[1].starts_with("src/a.md:5: a compile_fail block must name"));
}

#[test]
fn names_match_skeptic() {
    assert_eq!(
        copy_stem(Path::new("tools/stack-and-heap.md")),
        "tools_stack-and-heap"
    );
    assert_eq!(
        sanitize_test_name("tools_stack-and-heap"),
        "tools_stack_and_heap"
    );
    assert_eq!(sanitize_test_name("Line 42"), "line_42");
    assert_eq!(
        template_names("```rust,skt-a\n{}\n```\n\n```rust\nx\n```\n"),
        ["a"]
    );
}

#[test]
fn raw_string_survives_hashes() {
    assert_eq!(raw_string("a\"b"), "r#\"a\"b\"#");
    assert_eq!(raw_string("\"#"), "r##\"\"#\"##");
}

#[test]
fn report_has_a_row_per_chapter_and_totals() {
    let counts = Counts {
        run: 2,
        compile_only: 1,
        ignored: 0,
        compile_fail: 1,
        shared: 3,
    };
    let report =
        render_report(&[("src/a.md".into(), counts), ("src/b.md".into(), counts)]);
    let total = report.lines().find(|l| l.starts_with("total")).unwrap();
    assert_eq!(
        total.split_whitespace().collect::<Vec<_>>(),
        ["total", "4", "2", "0", "2", "6", "14"]
    );
    assert_eq!(report.lines().count(), 6);
}

#[test]
fn error_codes_are_read_from_rustc_json() {
    // Two diagnostics as rustc prints them, one per line (a lint, then an error whose
    // explanation quotes something that looks like a code).
    let json = [
        r#"{"$message_type":"diagnostic","message":"unused","#,
        r#""code":{"code":"dead_code","explanation":null},"level":"warning","#,
        r#""rendered":"warning: unused\n"}"#,
        "\n",
        r#"{"$message_type":"diagnostic","message":"borrowed","#,
        r#""code":{"code":"E0515","explanation":"A \"code\":\"E9999\" inside text"},"#,
        r#""level":"error","rendered":"error[E0515]: cannot return \u001b \"x\"\n"}"#,
    ]
    .concat();
    let json = json.as_str();
    assert_eq!(compile_fail_check::error_codes(json), ["E0515"]);
    assert_eq!(
        compile_fail_check::rendered(json),
        [
            "warning: unused\n",
            "error[E0515]: cannot return \u{1b} \"x\"\n"
        ]
    );
}

fn check(name: &str, expected: &[&str], source: &str) {
    compile_fail_check::check(&compile_fail_check::Snippet {
        name,
        location: "src/x.md:3",
        expected,
        source,
        out_dir: env!("OUT_DIR"),
        build_rustc: "rustc",
    });
}

#[test]
fn compile_fail_check_accepts_the_expected_code() {
    check(
        "unit_compile_fail_ok",
        &["E0308"],
        "pub fn f() -> u8 { \"no\" }\n",
    );
}

#[test]
#[should_panic(
    expected = "src/x.md:3: this compile_fail block should fail with E0515, \
                but rustc reported E0308"
)]
fn compile_fail_check_rejects_another_code() {
    check(
        "unit_compile_fail_other",
        &["E0515"],
        "pub fn f() -> u8 { \"no\" }\n",
    );
}

#[test]
#[should_panic(
    expected = "src/x.md:3: this compile_fail block compiles, but it should fail with E0515"
)]
fn compile_fail_check_rejects_code_that_compiles() {
    check("unit_compile_fail_compiles", &["E0515"], "pub fn f() {}\n");
}

#[test]
fn blocks_using_crates_the_playground_lacks_must_say_noplayground() {
    let lines = |text: &str| text.lines().map(str::to_owned).collect::<Vec<_>>();
    assert_eq!(
        off_playground_crate(&lines("# use workshop::testing::begins_with;\nfn f() {}")),
        Some("workshop")
    );
    assert_eq!(
        off_playground_crate(&lines("let c = criterion::Criterion::default();")),
        Some("criterion")
    );
    // Mentions in comments, other crates with a name inside, and std are fine.
    assert_eq!(
        off_playground_crate(&lines(
            "/// use workshop::x;\nuse my_workshop::y;\nuse std::hint;"
        )),
        None
    );
}

#[test]
fn blocks_that_are_one_program_are_tested_once() {
    // Two anchors of one file, both with rustdoc_include: the same program once unhidden.
    let file = "// ANCHOR: a\nfn a() {}\n// ANCHOR_END: a\n// ANCHOR: b\nfn b() {}\n// ANCHOR_END: b\nfn main() { a(); b(); }\n";
    let chapter = "```rust\n{{#rustdoc_include m.rs:a}}\n```\n\n```rust\n{{#rustdoc_include m.rs:b}}\n```\n";
    let mut files = Files::new(&[("/book/src/m.rs", file)]);
    let mut read = |p: &Path| files.read(p);
    let out = process_chapter(
        "src/c.md",
        "c",
        chapter,
        Path::new("/book/src"),
        &["fragment".to_owned(), "in_main".to_owned()],
        &mut read,
    )
    .unwrap();
    assert_eq!((out.counts.run, out.counts.shared), (1, 1));
    assert_eq!(out.copy.matches("## line").count(), 1);
}

#[test]
fn solutions_shown_outside_their_admonition_are_found() {
    let chapter = "\
```rust
# pub fn helper() -> u32 { 1 }
# pub fn solved(words: &[&str]) -> usize {
#     let total = words.iter().map(|w| w.len()).sum::<usize>();
#     total + helper() as usize
# }
fn main() {}
```

````admonish success title=\"Solution\" collapsible=true
```rust
pub fn solved(words: &[&str]) -> usize {
    let total = words.iter().map(|w| w.len()).sum::<usize>();
    total + helper() as usize
}
```
````
";
    let blocks = rust_blocks(&unexpanded(chapter)).unwrap();
    assert_eq!(
        blocks.iter().map(|b| b.solution).collect::<Vec<_>>(),
        [false, true]
    );
    // Hidden lines count: mdBook's eye button shows them.
    assert_eq!(leaked_solutions(&blocks), [(1, 11)]);
    // Once the first block no longer carries it, nothing leaks.
    let mut fixed = blocks.clone();
    fixed[0].body.retain(|line| !line.contains("total"));
    assert!(leaked_solutions(&fixed).is_empty());
    assert!(!is_solution_admonition(
        "admonish question title=\"Exercise\""
    ));
}

#[test]
fn lines_an_exercise_gives_are_not_its_solution() {
    // The exercise gives the type and the test; the solution changes one line of the type.
    let chapter = "\
````admonish question title=\"Exercise: borrow\"
```rust
pub struct Order<'a> {
    pub customer_name: Cow<'a, str>,
    pub customer_note: Cow<'a, str>,
}
fn check() { assert!(matches!(order.customer_name, Cow::Borrowed(_))); }
```
````

```rust
# pub struct Order<'a> {
#     pub customer_name: Cow<'a, str>,
#     pub customer_note: Cow<'a, str>,
# }
# fn check() { assert!(matches!(order.customer_name, Cow::Borrowed(_))); }
fn main() {}
```

````admonish success title=\"Solution\" collapsible=true
```rust
pub struct Order<'a> {
    #[serde(borrow)] // borrows when it can
    pub customer_name: Cow<'a, str>,
    pub customer_note: Cow<'a, str>,
}
fn check() { assert!(matches!(order.customer_name, Cow::Borrowed(_))); }
```
````
";
    let blocks = rust_blocks(&unexpanded(chapter)).unwrap();
    assert_eq!(
        blocks
            .iter()
            .map(|b| (b.exercise, b.solution))
            .collect::<Vec<_>>(),
        [(true, false), (false, false), (false, true)]
    );
    // The second block repeats what the exercise gives, not what the solution adds.
    assert!(leaked_solutions(&blocks).is_empty());
    // A block that also shows the added line shows the solution.
    let mut leaking = blocks.clone();
    leaking[1]
        .body
        .insert(1, "#     #[serde(borrow)] // borrows when it can".into());
    assert_eq!(leaked_solutions(&leaking), [(11, 21)]);
}
