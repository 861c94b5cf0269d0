//! The Buffered I/O chapter's exercise (`src/techniques/buffered-io.md`): write the function
//! below, then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::buffered_io`. The book's solution is in
//! `solutions/buffered_io.rs`; open it after you have tried.

// The parameters are unused until you write the body.
#![allow(unused_variables)]

use std::io::{self, Write};

// ANCHOR: exercise
/// Writes the `n` records (with `workshop::buffered_io::write_records`) through a
/// `BufWriter` around `inner`, returns any error, including that of the final write, and
/// gives the inner writer back.
pub fn save_records<W: Write>(inner: W, n: usize) -> io::Result<W> {
    todo!("buffer, write the records, and return the error of the last write too")
}

#[cfg(test)]
mod tests {
    use super::save_records;

    #[test]
    #[ignore = "remove this line once save_records is written"]
    fn buffers_and_reports_every_error() {
        workshop::buffered_io::check_save_records(save_records, save_records);
    }
}
// ANCHOR_END: exercise
