use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};

use crate::names::{defines, missing};

fn repo() -> HashMap<PathBuf, String> {
    [
        (
            "code/src/locks.rs",
            "pub struct Crew {\n    workers: usize,\n}\npub fn check_memo() {}\nimpl Crew {\n    pub const fn start() {}\n}\n",
        ),
        ("code/src/exercises/locks.rs", "pub fn get_or_compute() {}\n"),
        ("code/benches/locks.rs", ""),
    ]
    .into_iter()
    .map(|(path, text)| (Path::new("/r").join(path), text.to_owned()))
    .collect()
}

fn problems(chapter: &str) -> Vec<(usize, String)> {
    let files = repo();
    let mut read = |path: &Path| -> io::Result<String> {
        files
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    };
    missing(chapter, Path::new("/r"), &mut read)
}

#[test]
fn names_the_code_has_pass() {
    let chapter = "\
The test (`check_memo` in `code/src/locks.rs`) uses `Crew::start` (`code/src/locks.rs`), \
`workshop::locks::check_memo` and `workshop::locks::Crew`.
Run `cargo test -p workshop --lib exercises::locks` and `cargo xtask bench --quick locks`;
`code/benches/<chapter>.rs` is a placeholder and `std::sync::Mutex` is not ours.
";
    assert_eq!(problems(chapter), []);
}

#[test]
fn names_the_code_lacks_are_reported_with_their_line() {
    let chapter = "\
Intro.

```rust
// Code blocks are not prose: `code/src/gone.rs` here is not checked.
```

````admonish question title=\"Exercise\"
The test (`check_lock` in `code/src/locks.rs`) and `code/src/gone.rs`.
Run `cargo test -p workshop --lib exercises::maps`, `cargo bench -p workshop --bench maps`.
````
`workshop::locks::Nothing`, `Crew::stop` in `code/src/locks.rs`.
";
    let found = problems(chapter);
    let lines: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
    assert_eq!(lines, [8, 8, 9, 9, 11, 11], "{found:#?}");
    assert!(
        found[0].1.contains("defines no `check_lock`"),
        "{}",
        found[0].1
    );
    assert!(found[1].1.contains("does not exist"), "{}", found[1].1);
    assert!(
        found[2].1.contains("code/src/exercises/maps.rs"),
        "{}",
        found[2].1
    );
    assert!(
        found[3].1.contains("code/benches/maps.rs"),
        "{}",
        found[3].1
    );
    assert!(found[5].1.contains("defines no `stop`"), "{}", found[5].1);
}

#[test]
fn definitions_are_found_with_any_qualifiers_and_calls_are_not_definitions() {
    let code = "pub(crate) async fn fetch() {}\n    pub const LIMIT: usize = 3;\nconst fn small() {}\n\
                pub enum Mode {\n    Fast,\n    Slow(u8),\n}\nstruct S {\n    pub field: u8,\n}\n\
                pub use other::{Reexported, more};\nfn main() { called(1); }\n";
    for name in [
        "fetch",
        "LIMIT",
        "small",
        "Mode",
        "Fast",
        "Slow",
        "field",
        "Reexported",
    ] {
        assert!(defines(code, name), "{name}");
    }
    for name in ["called", "fetc", "other_name", "main_"] {
        assert!(!defines(code, name), "{name}");
    }
}
