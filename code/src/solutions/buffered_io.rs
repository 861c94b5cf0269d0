//! The solution of the Buffered I/O chapter's exercise (`src/techniques/buffered-io.md`), shown
//! only in its collapsed Solution admonition. The exercise itself is
//! `exercises/buffered_io.rs`.

use std::io::{self, BufWriter, Write};

use workshop::buffered_io::write_records;

// ANCHOR: save_records
/// The same buffering as `save_dropping_errors`, and the last write's error reaches the
/// caller: `into_inner` flushes and hands back the inner writer, or the error.
pub fn save_records<W: Write>(inner: W, n: usize) -> io::Result<W> {
    let mut out = BufWriter::new(inner);
    write_records(&mut out, n)?;
    out.into_inner().map_err(io::IntoInnerError::into_error)
}
// ANCHOR_END: save_records

#[cfg(test)]
mod tests {
    use super::save_records;

    #[test]
    fn save_records_buffers_and_reports() {
        workshop::buffered_io::check_save_records(save_records, save_records);
    }
}
