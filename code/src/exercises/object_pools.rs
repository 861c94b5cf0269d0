//! The Object pools chapter's exercise (`src/techniques/object-pools.md`): write the function
//! below, then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::object_pools`. The book's solution is in
//! `solutions/object_pools.rs`; open it after you have tried.

// The parameters are unused until you write the body, and clippy, seeing `buf` unused,
// would ask for `&mut [u8]`, which cannot grow.
#![allow(unused_variables, clippy::ptr_arg)]

use workshop::object_pools::Book;

// ANCHOR: exercise
/// The JSON of `book`, the same bytes as `serde_json::to_vec(book)`, written into `buf`: once
/// `buf` has served one book, no call allocates.
pub fn book_json_reused<'b>(buf: &'b mut Vec<u8>, book: &Book) -> &'b [u8] {
    todo!("the JSON of `book`, written into `buf`")
}

#[cfg(test)]
mod tests {
    #[test]
    #[ignore = "remove this line once book_json_reused is written"]
    fn writes_the_same_json_as_to_vec() {
        workshop::object_pools::check_book_json(super::book_json_reused);
    }
}
// ANCHOR_END: exercise
