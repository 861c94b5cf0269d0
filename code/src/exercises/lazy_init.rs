//! The Lazy initialization chapter's exercise (`src/techniques/lazy-init.md`): write the
//! function below, then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::lazy_init`. The book's solution is in
//! `solutions/lazy_init.rs`; open it after you have tried.

// The parameter is unused until you write the body.
#![allow(unused_variables)]

use std::sync::atomic::AtomicUsize;

use minijinja::Value;

// ANCHOR: exercise
/// How many times the book page was parsed: make the parse add one to it.
pub static PARSES: AtomicUsize = AtomicUsize::new(0);

/// The book page (`workshop::lazy_init::BOOK_PAGE`) rendered for `ctx`, from a template kept
/// in a `static`, parsed (with `workshop::lazy_init::parse`) the first time any thread calls
/// this and never again.
pub fn render_book_page(ctx: &Value) -> String {
    todo!("a static, initialized on first use; then workshop::lazy_init::render")
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;

    #[test]
    #[ignore = "remove this line once render_book_page is written"]
    fn the_book_page_is_parsed_once_whatever_the_threads() {
        let pages: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    s.spawn(move || {
                        render_book_page(&workshop::lazy_init::book_context(i))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        // Every page is the one the chapter's other versions render.
        let env = workshop::lazy_init::start_v2();
        for (i, page) in pages.iter().enumerate() {
            let ctx = workshop::lazy_init::book_context(i);
            let expected =
                workshop::lazy_init::render(&env, workshop::lazy_init::BOOK_PAGE, &ctx);
            assert_eq!(page, &expected);
        }
        assert_eq!(PARSES.load(Ordering::Relaxed), 1);
    }
}
// ANCHOR_END: exercise
