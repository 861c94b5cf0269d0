//! The solution of the Lazy initialization chapter's exercise (`src/techniques/lazy-init.md`),
//! shown only in its collapsed Solution admonition. The exercise itself is
//! `exercises/lazy_init.rs`.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use minijinja::{Environment, Value};
use workshop::lazy_init::{BOOK_PAGE, parse, render};

// ANCHOR: lazy_static_page
/// How many times the book page was parsed (the test reads it).
pub static BOOK_PAGE_PARSES: AtomicUsize = AtomicUsize::new(0);

/// The simplest lazy global: a `static` whose value is computed on first access, by
/// whichever thread gets there first, while the others wait.
static BOOK_PAGE_ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    BOOK_PAGE_PARSES.fetch_add(1, Ordering::Relaxed);
    parse(&[BOOK_PAGE])
});

pub fn render_book_page(ctx: &Value) -> String {
    render(&BOOK_PAGE_ENV, BOOK_PAGE, ctx)
}
// ANCHOR_END: lazy_static_page

#[cfg(test)]
mod tests {
    use super::*;
    use workshop::lazy_init::{book_context, start_v2};

    // ANCHOR: parses_once_test
    #[test]
    fn the_book_page_is_parsed_once_whatever_the_threads() {
        let pages: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|i| s.spawn(move || render_book_page(&book_context(i))))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(pages.len(), 8);
        assert_eq!(BOOK_PAGE_PARSES.load(Ordering::Relaxed), 1);
    }
    // ANCHOR_END: parses_once_test

    #[test]
    fn it_renders_what_the_other_versions_render() {
        let env = start_v2();
        let ctx = book_context(3);
        assert_eq!(render_book_page(&ctx), render(&env, BOOK_PAGE, &ctx));
    }
}
