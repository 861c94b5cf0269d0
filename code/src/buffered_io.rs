//! Chapter "Buffered I/O": `src/techniques/buffered-io.md`. Bench: `benches/buffered_io.rs`.
//! Program: `examples/buffered_io.rs` (what `cargo xtask figures buffered_io_syscalls` runs
//! under `strace -c` to count system calls).

use std::fs::File;
use std::hint::black_box;
use std::io::{self, BufRead, BufReader, BufWriter, LineWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "buffered_io";

/// The seed's file I/O benchmark shape: this many small writes.
pub const RECORDS: usize = 100_000;

/// Bytes in one record: nine digits and a newline.
pub const RECORD_LEN: usize = 10;

/// Record `i`: its number as nine decimal digits and a newline, built on the stack so that
/// making a record costs no allocation and no formatting machinery.
pub fn record(i: usize) -> [u8; RECORD_LEN] {
    let mut r = *b"000000000\n";
    let mut n = i;
    for digit in r[..RECORD_LEN - 1].iter_mut().rev() {
        *digit = b'0' + (n % 10) as u8;
        n /= 10;
    }
    r
}

// ANCHOR: write_records
/// Writes `n` records, one `write_all` each, to whatever `out` is. Given a `File`, every
/// call is a `write(2)` system call; given a `BufWriter`, it is a copy into memory.
pub fn write_records(out: &mut impl Write, n: usize) -> io::Result<()> {
    for i in 0..n {
        out.write_all(&record(i))?;
    }
    Ok(())
}
// ANCHOR_END: write_records

// ANCHOR: write_file_unbuffered
/// Straight into the `File`: one system call per record.
pub fn write_unbuffered(file: &mut File, n: usize) -> io::Result<()> {
    write_records(file, n)
}
// ANCHOR_END: write_file_unbuffered

// ANCHOR: write_file_buffered
/// Through a `BufWriter` (8 KiB by default): records are copied into its buffer, and the
/// buffer goes to the file in one system call whenever it is full. The final `flush`
/// writes what is left and, unlike dropping the writer, reports if that fails.
pub fn write_buffered(file: &mut File, n: usize) -> io::Result<()> {
    let mut out = BufWriter::new(file);
    write_records(&mut out, n)?;
    out.flush()
}
// ANCHOR_END: write_file_buffered

/// [`write_unbuffered`] into a new file at `path`: what the chapter's program runs.
pub fn write_file_unbuffered(path: &Path, n: usize) -> io::Result<()> {
    write_unbuffered(&mut File::create(path)?, n)
}

/// [`write_buffered`] into a new file at `path`.
pub fn write_file_buffered(path: &Path, n: usize) -> io::Result<()> {
    write_buffered(&mut File::create(path)?, n)
}

// ANCHOR: writeln_unbuffered
/// `writeln!` into an unbuffered `File`: the formatting machinery hands each piece of the
/// template (the literal text, the number, the newline) to `write_all` separately, so one
/// line costs several system calls.
pub fn writeln_file_unbuffered(path: &Path, n: usize) -> io::Result<()> {
    let mut file = File::create(path)?;
    for i in 0..n {
        writeln!(file, "record {i}")?;
    }
    Ok(())
}
// ANCHOR_END: writeln_unbuffered

// ANCHOR: read_10_bytes
/// Reads `input` 10 bytes at a time and counts the lines. Given a `File`, every `read`
/// is a `read(2)` system call; given a `BufReader`, most are copies out of its buffer.
pub fn count_lines_10_bytes(mut input: impl Read) -> io::Result<usize> {
    let mut chunk = [0u8; 10];
    let mut lines = 0;
    loop {
        let got = input.read(&mut chunk)?;
        if got == 0 {
            return Ok(lines);
        }
        lines += chunk[..got].iter().filter(|&&b| b == b'\n').count();
    }
}
// ANCHOR_END: read_10_bytes

// ANCHOR: read_lines
/// `BufReader::lines`: convenient, and a new `String` for every line.
pub fn count_lines_lines(input: impl BufRead) -> io::Result<usize> {
    let mut lines = 0;
    for line in input.lines() {
        line?;
        lines += 1;
    }
    Ok(lines)
}

/// `read_line` into one `String` the loop clears and reuses: no allocation per line.
pub fn count_lines_read_line(mut input: impl BufRead) -> io::Result<usize> {
    let mut line = String::new();
    let mut lines = 0;
    loop {
        line.clear();
        if input.read_line(&mut line)? == 0 {
            return Ok(lines);
        }
        lines += 1;
    }
}
// ANCHOR_END: read_lines

// ANCHOR: counting_writer
/// Counts the calls that reach the writer it wraps. Wrapped around a `File`, that is the
/// number of `write(2)` system calls, because `File::write` makes exactly one.
pub struct CountingWriter<W> {
    pub inner: W,
    pub writes: usize,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writes += 1;
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
// ANCHOR_END: counting_writer

/// Counts the calls that reach the reader it wraps (`read(2)` calls, around a `File`).
pub struct CountingReader<R> {
    pub inner: R,
    pub reads: usize,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reads += 1;
        self.inner.read(buf)
    }
}

// ANCHOR: stdout_lines
/// Writes `n` lines to `out` with `writeln!`. Standard output is a `LineWriter`: it
/// flushes at every newline, whatever `out` is connected to.
pub fn write_lines(out: &mut impl Write, n: usize) -> io::Result<()> {
    for i in 0..n {
        writeln!(out, "line {i}")?;
    }
    Ok(())
}

/// `println!` for every line: locks standard output, formats, flushes at the newline.
pub fn print_lines_println(n: usize) {
    for i in 0..n {
        println!("line {i}");
    }
}

/// One lock for the whole loop and a `BufWriter` in front of it: the `LineWriter` inside
/// standard output sees a few large writes instead of one per line.
pub fn print_lines_locked_buffered(n: usize) -> io::Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    write_lines(&mut out, n)?;
    out.flush()
}
// ANCHOR_END: stdout_lines

/// One lock, no extra buffer: fewer lock operations than `println!`, the same flush at
/// every newline.
pub fn print_lines_locked(n: usize) -> io::Result<()> {
    write_lines(&mut io::stdout().lock(), n)
}

// ANCHOR: failing_writer
/// A writer whose every write fails, as a full disk does (`/dev/full` on Linux is a real
/// one).
pub struct FailingWriter;

impl Write for FailingWriter {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"))
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
// ANCHOR_END: failing_writer

// ANCHOR: save_dropping_errors
/// Buffers the records and lets the `BufWriter` go out of scope. Its `Drop` writes what
/// is still buffered, and ignores any error: the caller gets `Ok` for data that never
/// arrived.
pub fn save_dropping_errors(inner: impl Write, n: usize) -> io::Result<()> {
    let mut out = BufWriter::new(inner);
    write_records(&mut out, n)?;
    Ok(()) // `out` is dropped here: a failed final write is silently lost
}
// ANCHOR_END: save_dropping_errors

// ANCHOR: save_records_check
/// The exercise's test: through a `CountingWriter`, the bytes must be those of
/// `write_records` and the writes that reach it at most one per 8 KiB buffer; into a
/// `FailingWriter`, a few records (which fit in the buffer) and many (which do not) must
/// both come back as an error.
pub fn check_save_records(
    counting: fn(Counted, usize) -> io::Result<Counted>,
    failing: fn(FailingWriter, usize) -> io::Result<FailingWriter>,
) {
    let counted = CountingWriter {
        inner: Vec::new(),
        writes: 0,
    };
    let counted = counting(counted, RECORDS).unwrap();
    let expected: Vec<u8> = (0..RECORDS).flat_map(record).collect();
    assert_eq!(counted.inner, expected);
    assert!(counted.writes <= expected.len() / (8192 - RECORD_LEN) + 1);

    assert!(failing(FailingWriter, 3).is_err());
    assert!(failing(FailingWriter, RECORDS).is_err());
}

/// A `CountingWriter` that keeps what it is given.
pub type Counted = CountingWriter<Vec<u8>>;
// ANCHOR_END: save_records_check

/// A file in the system's temporary directory, with a name no other process or call uses,
/// removed when this value is dropped (benches must not leave files behind).
pub struct TempPath(pub PathBuf);

impl TempPath {
    pub fn new(what: &str) -> TempPath {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("workshop-{what}-{}-{n}", std::process::id());
        TempPath(std::env::temp_dir().join(name))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        // Nothing to do if it was never created.
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A real file descriptor that discards what is written to it, so that write benches
/// measure system calls, not a disk.
pub fn null_sink() -> io::Result<File> {
    File::options()
        .write(true)
        .open(if cfg!(windows) { "NUL" } else { "/dev/null" })
}

// ANCHOR: cases
/// Every comparison the chapter shows: the criterion bench, the allocation pass and the
/// claims all read this one list.
pub fn cases<R: Runner>(r: &mut R) {
    let bytes = (RECORDS * RECORD_LEN) as u64;
    let n = RECORDS.to_string();

    // The seed's benchmark: 100,000 small writes to a file, unbuffered and buffered. Each
    // call gets the file freshly created (emptied) and returns it, so that creating and
    // closing it happen outside the timed region: emptying the megabyte the previous call
    // wrote is file-system work that is not what the rows compare (the `truncate` group
    // times it on its own).
    let path = TempPath::new("write");
    let create = || File::create(&path.0).expect("create temp file");
    let mut g = r.group("write");
    g.slow();
    g.throughput(Throughput::Bytes(bytes));
    g.case_batched("file_unbuffered", Some(&n), create, |mut file| {
        write_unbuffered(&mut file, black_box(RECORDS)).expect("write temp file");
        file
    });
    g.case_batched("bufwriter", Some(&n), create, |mut file| {
        write_buffered(&mut file, black_box(RECORDS)).expect("write temp file");
        file
    });
    g.finish();

    let mut g = r.group("truncate");
    g.slow();
    g.case_batched(
        "file_create",
        Some(&n),
        || write_file_buffered(&path.0, RECORDS).expect("write temp file"),
        |()| create(),
    );
    g.finish();

    // Reading the same file back: 10-byte reads, then lines. The file is opened before,
    // and closed after, each timed call.
    write_file_buffered(&path.0, RECORDS).expect("write temp file");
    let open = || File::open(&path.0).expect("open temp file");
    let mut g = r.group("read");
    g.slow();
    g.throughput(Throughput::Bytes(bytes));
    g.case_batched("file_read_10_bytes", Some(&n), open, |mut file| {
        let lines = count_lines_10_bytes(&mut file).expect("read");
        (lines, file)
    });
    g.case_batched("bufreader_read_10_bytes", Some(&n), open, |mut file| {
        let lines = count_lines_10_bytes(BufReader::new(&mut file)).expect("read");
        (lines, file)
    });
    g.case_batched("bufreader_lines", Some(&n), open, |mut file| {
        let lines = count_lines_lines(BufReader::new(&mut file)).expect("read");
        (lines, file)
    });
    g.case_batched("bufreader_read_line", Some(&n), open, |mut file| {
        let lines = count_lines_read_line(BufReader::new(&mut file)).expect("read");
        (lines, file)
    });
    g.finish();
    drop(path);

    // What standard output does (a LineWriter: a flush per newline) against a BufWriter,
    // both over /dev/null, so that the difference is system calls and nothing else.
    let sink = || null_sink().expect("open /dev/null");
    let mut g = r.group("line_buffered");
    g.slow();
    g.throughput(Throughput::Elements(RECORDS as u64));
    g.case_batched("line_writer", Some(&n), sink, |file| {
        let mut out = LineWriter::new(file);
        write_lines(&mut out, black_box(RECORDS)).expect("write");
        out.flush().expect("flush");
        out
    });
    g.case_batched("buf_writer", Some(&n), sink, |file| {
        let mut out = BufWriter::new(file);
        write_lines(&mut out, black_box(RECORDS)).expect("write");
        out.flush().expect("flush");
        out
    });
    g.finish();
}
// ANCHOR_END: cases

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_ten_bytes_of_digits() {
        assert_eq!(&record(0), b"000000000\n");
        assert_eq!(&record(42), b"000000042\n");
        assert_eq!(&record(99_999), b"000099999\n");
    }

    #[test]
    fn buffered_and_unbuffered_files_are_identical() {
        let (a, b) = (TempPath::new("test-a"), TempPath::new("test-b"));
        write_file_unbuffered(&a.0, 1234).unwrap();
        write_file_buffered(&b.0, 1234).unwrap();
        let (a_bytes, b_bytes) =
            (std::fs::read(&a.0).unwrap(), std::fs::read(&b.0).unwrap());
        assert_eq!(a_bytes.len(), 1234 * RECORD_LEN);
        assert_eq!(a_bytes, b_bytes);
        for count in [
            count_lines_10_bytes(File::open(&a.0).unwrap()).unwrap(),
            count_lines_10_bytes(BufReader::new(File::open(&a.0).unwrap())).unwrap(),
            count_lines_lines(BufReader::new(File::open(&a.0).unwrap())).unwrap(),
            count_lines_read_line(BufReader::new(File::open(&a.0).unwrap())).unwrap(),
        ] {
            assert_eq!(count, 1234);
        }
        let path = a.0.clone();
        drop(a);
        assert!(!path.exists(), "TempPath removes its file");
    }

    // ANCHOR: counting_test
    #[test]
    fn bufwriter_turns_100_000_writes_into_one_per_buffer_full() {
        let mut unbuffered = CountingWriter {
            inner: io::sink(),
            writes: 0,
        };
        write_records(&mut unbuffered, RECORDS).unwrap();
        assert_eq!(unbuffered.writes, RECORDS);

        let mut counted = CountingWriter {
            inner: io::sink(),
            writes: 0,
        };
        let mut buffered = BufWriter::new(&mut counted);
        write_records(&mut buffered, RECORDS).unwrap();
        buffered.flush().unwrap();
        drop(buffered);
        // 8 KiB buffer, 10-byte records: a write whenever the next record does not fit.
        let bytes = RECORDS * RECORD_LEN;
        assert!(
            counted.writes <= bytes / (8192 - RECORD_LEN) + 1,
            "{}",
            counted.writes
        );
        assert!(counted.writes >= bytes / 8192, "{}", counted.writes);
    }
    // ANCHOR_END: counting_test

    #[test]
    fn bufreader_turns_100_000_reads_into_one_per_buffer_full() {
        let data: Vec<u8> = (0..RECORDS).flat_map(record).collect();
        let mut direct = CountingReader {
            inner: &data[..],
            reads: 0,
        };
        assert_eq!(count_lines_10_bytes(&mut direct).unwrap(), RECORDS);
        assert_eq!(direct.reads, RECORDS + 1, "one more read sees the end");

        let mut counted = CountingReader {
            inner: &data[..],
            reads: 0,
        };
        assert_eq!(
            count_lines_10_bytes(BufReader::new(&mut counted)).unwrap(),
            RECORDS
        );
        assert!(counted.reads <= data.len() / 8192 + 2, "{}", counted.reads);
    }

    #[test]
    fn writeln_makes_several_writes_per_line() {
        let mut counted = CountingWriter {
            inner: io::sink(),
            writes: 0,
        };
        // A number known only at run time: format_args! folds literal arguments into the
        // template, and a template with nothing to format is written with one call.
        writeln!(counted, "record {}", black_box(7)).unwrap();
        assert!(counted.writes >= 3, "{}", counted.writes);
    }

    #[test]
    fn line_writer_writes_once_per_line() {
        let mut counted = CountingWriter {
            inner: io::sink(),
            writes: 0,
        };
        let mut out = LineWriter::new(&mut counted);
        write_lines(&mut out, 1000).unwrap();
        drop(out);
        assert_eq!(counted.writes, 1000);
    }

    /// Passes every write on, and records whether the bytes it passed ended a line.
    struct LineEnds<W> {
        inner: W,
        ends_line: Vec<bool>,
    }

    impl<W: Write> Write for LineEnds<W> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = self.inner.write(buf)?;
            self.ends_line.push(buf[..n].ends_with(b"\n"));
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            self.inner.flush()
        }
    }

    // ANCHOR: line_writer_blocks_test
    #[test]
    fn a_line_writer_sends_each_block_up_to_its_last_newline() {
        // `print_lines_locked_buffered`'s stack — a BufWriter in front of standard
        // output's LineWriter — with a recorder on each side of the LineWriter.
        let below = LineEnds {
            inner: io::sink(),
            ends_line: Vec::new(),
        };
        let above = LineEnds {
            inner: LineWriter::new(below),
            ends_line: Vec::new(),
        };
        let mut out = BufWriter::new(above);
        write_lines(&mut out, 100_000).unwrap();
        let above = out.into_inner().map_err(|e| e.into_error()).unwrap();
        let below = above
            .inner
            .into_inner()
            .map_err(|e| e.into_error())
            .unwrap();
        let blocks = above.ends_line.len();
        let blocks_cut_mid_line = above.ends_line.iter().filter(|&&ends| !ends).count();
        // Each block the BufWriter hands on goes out in one write, up to its last newline...
        let whole_lines = below.ends_line.iter().filter(|&&ends| ends).count();
        assert_eq!(whole_lines, blocks);
        // ...preceded by one more for the partial line the block before it left behind.
        let partial_lines = below.ends_line.len() - whole_lines;
        assert_eq!(partial_lines, blocks_cut_mid_line);
        assert!(
            0 < partial_lines && partial_lines < blocks,
            "{partial_lines} of {blocks}"
        );
    }
    // ANCHOR_END: line_writer_blocks_test

    // ANCHOR: dropped_error_test
    #[test]
    fn a_dropped_bufwriter_swallows_the_error_and_into_inner_returns_it() {
        // The records fit in the buffer, so no write happens before the end.
        assert!(save_dropping_errors(FailingWriter, 100).is_ok());
        // The exercise's solution (`solutions/buffered_io.rs`) returns it.
        let err = workshop::solutions::buffered_io::save_records(FailingWriter, 100)
            .err()
            .expect("the error comes back");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
    }
    // ANCHOR_END: dropped_error_test

    #[cfg(target_os = "linux")]
    #[test]
    fn dev_full_shows_the_same_on_a_real_file() {
        let full = || File::options().write(true).open("/dev/full").unwrap();
        assert!(save_dropping_errors(full(), 100).is_ok());
        let err = workshop::solutions::buffered_io::save_records(full(), 100)
            .err()
            .unwrap();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
    }
}
