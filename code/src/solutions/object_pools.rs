//! The solution of the Object pools chapter's exercise (`src/techniques/object-pools.md`),
//! shown only in its collapsed Solution admonition. The exercise itself is
//! `exercises/object_pools.rs`.

use std::hint::black_box;

use workshop::measure::{Group, Runner};
use workshop::object_pools::{Book, book_json_fresh, sample_book};

// ANCHOR: book_reused
/// Write into a buffer the caller keeps. After the first book the buffer is large enough,
/// and no call allocates.
pub fn book_json_reused<'b>(buf: &'b mut Vec<u8>, book: &Book) -> &'b [u8] {
    buf.clear();
    workshop::serde_json::to_writer(&mut *buf, book).expect("a Book serializes");
    buf
}
// ANCHOR_END: book_reused

// ANCHOR: book_cases
/// The chapter's `book_json` group.
pub fn book_cases<R: Runner>(r: &mut R) {
    let book = sample_book();
    let mut g = r.group("book_json");
    // The fresh buffer is freed inside the timed call: allocating and freeing it is the
    // cost that reuse saves.
    g.case("fresh_buffer", None, || book_json_fresh(black_box(&book)));
    let mut buf = Vec::new();
    g.case("reused_buffer", None, || {
        book_json_reused(&mut buf, black_box(&book)).len()
    });
    g.finish();
}
// ANCHOR_END: book_cases

#[cfg(test)]
mod tests {
    #[test]
    fn both_book_versions_write_the_same_json() {
        workshop::object_pools::check_book_json(super::book_json_reused);
    }
}
