//! Chapter "Object pools and buffer reuse": `src/techniques/object-pools.md`. Bench:
//! `benches/object_pools.rs`.

use std::cell::RefCell;
use std::hint::black_box;
use std::sync::Mutex;

use lockfree_object_pool::LinearObjectPool;
use workshop::measure::{Group, Runner};
use workshop::serde::Serialize;

pub const CHAPTER: &str = "object_pools";

/// What the seed's `f1` and `f2` write.
pub const DIRTY: &[u8] = b"dirty";

// ANCHOR: fresh_vec
/// The seed's `f1`: a new buffer on every call. `Vec::new()` does not allocate; the first
/// write does, and dropping the `Vec` frees it again.
pub fn write_dirty_fresh() -> Vec<u8> {
    let mut buf = Vec::new();
    buf.extend_from_slice(black_box(DIRTY));
    buf
}
// ANCHOR_END: fresh_vec

// ANCHOR: reused_vec
/// The caller keeps one buffer and passes it in. `clear()` sets the length to zero and
/// keeps the capacity, so from the second call on nothing is allocated.
pub fn write_dirty_reused(buf: &mut Vec<u8>) -> usize {
    buf.clear();
    buf.extend_from_slice(black_box(DIRTY));
    buf.len()
}
// ANCHOR_END: reused_vec

// ANCHOR: thread_local_vec
thread_local! {
    /// One buffer per thread, for code that cannot be handed a buffer by its caller.
    static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Reuse without threading a buffer through every signature. `with_borrow_mut` panics if
/// the buffer is already borrowed: what runs inside must not call back into this function.
pub fn write_dirty_thread_local() -> usize {
    BUF.with_borrow_mut(write_dirty_reused)
}
// ANCHOR_END: thread_local_vec

// ANCHOR: pool_crate
/// A pool shared by every thread: `pull` hands out a buffer (a new one if the pool is
/// empty) and the guard puts it back when it is dropped, after the reset function has
/// cleared it.
pub fn buffer_pool() -> LinearObjectPool<Vec<u8>> {
    LinearObjectPool::new(Vec::new, |buf: &mut Vec<u8>| buf.clear())
}

pub fn write_dirty_pooled(pool: &LinearObjectPool<Vec<u8>>) -> usize {
    let mut buf = pool.pull();
    buf.extend_from_slice(black_box(DIRTY));
    buf.len()
}
// ANCHOR_END: pool_crate

// ANCHOR: mutex_pool
/// The pool everybody writes first: a `Vec` of free buffers behind a `Mutex`.
#[derive(Default)]
pub struct MutexPool {
    free: Mutex<Vec<Vec<u8>>>,
}

impl MutexPool {
    /// Buffers that grew past this are dropped instead of kept: one huge message must not
    /// pin its memory in the pool for the rest of the program (Go's `fmt` drops its
    /// pooled buffers above 64 KiB for the same reason).
    pub const MAX_KEPT_CAPACITY: usize = 64 * 1024;

    pub fn get(&self) -> Vec<u8> {
        self.free.lock().unwrap().pop().unwrap_or_default()
    }

    pub fn put(&self, mut buf: Vec<u8>) {
        if buf.capacity() > Self::MAX_KEPT_CAPACITY {
            return;
        }
        buf.clear();
        self.free.lock().unwrap().push(buf);
    }

    /// Bytes of buffer capacity the pool keeps alive.
    pub fn kept_capacity(&self) -> usize {
        self.free.lock().unwrap().iter().map(Vec::capacity).sum()
    }
}

pub fn write_dirty_mutex_pool(pool: &MutexPool) -> usize {
    let mut buf = pool.get();
    buf.extend_from_slice(black_box(DIRTY));
    let len = buf.len();
    pool.put(buf);
    len
}
// ANCHOR_END: mutex_pool

// ANCHOR: book
/// The seed's exercise: a book, with the ISBN it was given, written out as JSON.
#[derive(Debug, Clone, Serialize)]
#[serde(crate = "workshop::serde")]
pub struct Book {
    pub author: String,
    pub title: String,
    pub isbn: String,
}

pub fn sample_book() -> Book {
    Book {
        author: "Alan A. A. Donovan and Brian W. Kernighan".into(),
        title: "The Go Programming Language".into(),
        isbn: "978-0134190440".into(),
    }
}
// ANCHOR_END: book

// ANCHOR: book_fresh
/// A new `Vec` for every book: `to_vec` starts with a small buffer and grows it as the
/// JSON is written.
pub fn book_json_fresh(book: &Book) -> Vec<u8> {
    // Serializing strings into memory cannot fail.
    workshop::serde_json::to_vec(book).expect("a Book serializes")
}
// ANCHOR_END: book_fresh

// ANCHOR: book_reused
/// The exercise's solution: write into a buffer the caller keeps. After the first book
/// the buffer is large enough, and no call allocates.
pub fn book_json_reused<'b>(buf: &'b mut Vec<u8>, book: &Book) -> &'b [u8] {
    buf.clear();
    workshop::serde_json::to_writer(&mut *buf, book).expect("a Book serializes");
    buf
}
// ANCHOR_END: book_reused

// ANCHOR: cases
pub fn cases<R: Runner>(r: &mut R) {
    // The seed's f1 and f2, and three more ways to reuse the buffer.
    let mut g = r.group("write_dirty");
    g.case("fresh_vec", None, write_dirty_fresh);
    let mut buf = Vec::new();
    g.case("reused_vec", None, || write_dirty_reused(&mut buf));
    g.case("thread_local_vec", None, write_dirty_thread_local);
    let pool = buffer_pool();
    g.case("pool_crate", None, || write_dirty_pooled(&pool));
    let mutex_pool = MutexPool::default();
    g.case("mutex_pool", None, || write_dirty_mutex_pool(&mutex_pool));
    g.finish();
    // ANCHOR_END: cases

    // ANCHOR: book_cases
    let book = sample_book();
    let mut g = r.group("book_json");
    g.case("fresh_buffer", None, || book_json_fresh(black_box(&book)));
    let mut buf = Vec::new();
    g.case("reused_buffer", None, || {
        book_json_reused(&mut buf, black_box(&book)).len()
    });
    g.finish();
    // ANCHOR_END: book_cases
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_way_writes_the_same_bytes() {
        assert_eq!(write_dirty_fresh(), DIRTY);
        let mut buf = b"old contents".to_vec();
        assert_eq!(write_dirty_reused(&mut buf), DIRTY.len());
        assert_eq!(buf, DIRTY);
        assert_eq!(write_dirty_thread_local(), DIRTY.len());
        let pool = buffer_pool();
        for _ in 0..3 {
            assert_eq!(write_dirty_pooled(&pool), DIRTY.len());
        }
        let mutex_pool = MutexPool::default();
        for _ in 0..3 {
            assert_eq!(write_dirty_mutex_pool(&mutex_pool), DIRTY.len());
        }
    }

    #[test]
    fn both_book_versions_write_the_same_json() {
        let book = sample_book();
        let fresh = book_json_fresh(&book);
        let mut buf = b"leftover".to_vec();
        assert_eq!(book_json_reused(&mut buf, &book), &fresh[..]);
        // Twice: the second call must not see the first one's bytes.
        assert_eq!(book_json_reused(&mut buf, &book), &fresh[..]);
        let value: workshop::serde_json::Value =
            workshop::serde_json::from_slice(&fresh).unwrap();
        assert_eq!(value["isbn"], "978-0134190440");
    }

    // ANCHOR: retained
    #[test]
    fn a_reused_buffer_keeps_its_largest_capacity() {
        let mut buf = Vec::new();
        buf.resize(1 << 20, b'x'); // one large message: 1 MiB
        buf.clear();
        write_dirty_reused(&mut buf);
        // Five bytes in use, a mebibyte kept alive.
        assert_eq!(buf.len(), 5);
        assert!(buf.capacity() >= 1 << 20);
        // `shrink_to` gives the memory back when you decide it is too much.
        buf.shrink_to(4096);
        assert!(buf.capacity() < 1 << 20);
    }

    #[test]
    fn the_mutex_pool_drops_oversized_buffers() {
        let pool = MutexPool::default();
        pool.put(Vec::with_capacity(1 << 20));
        assert_eq!(pool.kept_capacity(), 0);
        pool.put(Vec::with_capacity(1024));
        assert_eq!(pool.kept_capacity(), 1024);
    }
    // ANCHOR_END: retained
}
