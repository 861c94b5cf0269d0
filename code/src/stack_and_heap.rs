//! Chapter "Stack and heap": `src/tools/stack-and-heap.md`. Bench:
//! `benches/stack_and_heap.rs`. The stack overflow is tested in a child process by
//! `tests/stack_overflow.rs`: it aborts the process, so no test can catch it in-process.

use std::hint::black_box;
use std::thread;

use workshop::measure::{Group, Runner};

pub const CHAPTER: &str = "stack_and_heap";

// ANCHOR: returns_box
/// The seed's `f_returns_ptr`: make a new value and hand back a pointer to it. In Rust the
/// pointer that owns a heap value is a `Box`, and the signature says so: every call
/// allocates, and the caller frees the value when it drops the box.
pub fn returns_box(start: i64) -> Box<i64> {
    let mut i = Box::new(start);
    *i += 1;
    i
}
// ANCHOR_END: returns_box

// ANCHOR: returns_value
/// The seed's `f_returns`: hand back the value itself. It travels in a register (or the
/// caller's frame); nothing is allocated and nothing needs freeing.
pub fn returns_value(start: i64) -> i64 {
    let mut i = start;
    i += 1;
    i
}
// ANCHOR_END: returns_value

// ANCHOR: counters
/// A value with some size to it: 32 counters, 256 bytes, too many for the registers a
/// value is returned in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counters {
    pub counts: [u64; 32],
}

impl Counters {
    /// The counters of the benches: each starts from `start`. Built wherever the caller
    /// puts the result: in a frame, or in a heap allocation.
    #[inline]
    pub fn new(start: u64) -> Counters {
        let mut counts = [0; 32];
        for (i, c) in counts.iter_mut().enumerate() {
            *c = start + i as u64;
        }
        Counters { counts }
    }
}

/// Returned by value: the caller reserves room for the result in its own frame and passes
/// its address as a hidden argument, and the 256 bytes are written there. Nothing is
/// allocated. `#[inline(never)]` keeps the call a real call, as it is for a larger
/// function or across a crate boundary.
#[inline(never)]
pub fn counters_value(start: u64) -> Counters {
    Counters::new(start)
}

/// The same counters in a `Box`: a call into the allocator, the same 256 bytes written
/// into the new block, and a call to free it when the caller drops the box.
#[inline(never)]
pub fn counters_boxed(start: u64) -> Box<Counters> {
    Box::new(Counters::new(start))
}
// ANCHOR_END: counters

// ANCHOR: deep
/// Bytes of stack each level of [`deep`] uses at least: its local buffer.
pub const FRAME_BYTES: usize = 1024;

/// Recursion that needs stack in proportion to `depth`: each level keeps a
/// [`FRAME_BYTES`] buffer in its frame. `black_box` makes the buffer real (the optimizer
/// may not drop it), and the work after the recursive call keeps the optimizer from
/// turning the recursion into a loop.
pub fn deep(depth: u32) -> u64 {
    let mut frame = [0u8; FRAME_BYTES];
    frame[0] = depth as u8;
    let frame = black_box(&mut frame);
    if depth == 0 {
        return u64::from(frame[0]);
    }
    let below = deep(depth - 1);
    below + u64::from(frame[0])
}
// ANCHOR_END: deep

// ANCHOR: with_stack
/// Runs `f` on a new thread whose stack is `stack_bytes` long, and returns its result.
/// Spawned threads get std's default stack size unless the builder (or the
/// `RUST_MIN_STACK` environment variable) says otherwise.
pub fn with_stack<T: Send + 'static>(
    stack_bytes: usize,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    thread::Builder::new()
        .name("big_stack".into())
        .stack_size(stack_bytes)
        .spawn(f)
        .expect("cannot spawn a thread")
        .join()
        .expect("the thread panicked")
}
// ANCHOR_END: with_stack

// ANCHOR: overflow
/// Recursion far deeper than a small stack holds. Rust puts a guard page below every
/// thread's stack; touching it kills the whole process with SIGABRT after printing
/// "thread 'deep_recursion' has overflowed its stack". No panic, no unwinding, nothing
/// to catch.
pub fn overflow_a_small_stack() -> u64 {
    thread::Builder::new()
        .name("deep_recursion".into())
        .stack_size(64 * 1024)
        .spawn(|| deep(1_000_000))
        .expect("cannot spawn a thread")
        .join()
        .expect("unreachable: the process aborts first")
}
// ANCHOR_END: overflow

// ANCHOR: exercise_check
/// What `deep(depth)` returns: each level adds its depth, truncated to a byte. The
/// exercise's test compares with it at a depth that overflows a default thread's stack.
pub fn expected_sum(depth: u32) -> u64 {
    (0..=depth).map(|d| u64::from(d as u8)).sum()
}
// ANCHOR_END: exercise_check

// ANCHOR: big_box
/// 16 MiB: eight times a spawned thread's default stack.
pub const BIG: usize = 16 << 20;

/// `Box::new` is an ordinary function that takes its argument by value: the array is built
/// first, as a temporary in this frame, and then copied into the allocation. A debug build
/// does exactly that, and overflows any stack smaller than the array; an optimized build
/// usually writes the zeros straight into the allocation, but nothing promises it.
pub fn big_box_built_on_the_stack() -> Box<[u8; BIG]> {
    Box::new([0; BIG])
}

/// The fix: `vec![0; n]` asks the allocator for zeroed memory and never builds the buffer
/// anywhere else. `into_boxed_slice` keeps that allocation (the capacity is exactly `n`),
/// and `try_into` turns the `Box<[u8]>` into the array type.
pub fn big_box_built_on_the_heap() -> Box<[u8; BIG]> {
    vec![0; BIG]
        .into_boxed_slice()
        .try_into()
        .expect("the length is BIG")
}
// ANCHOR_END: big_box

// ANCHOR: cases
/// Every comparison the chapter shows. The criterion bench, the allocation pass and the
/// claims all read this one list.
pub fn cases<R: Runner>(r: &mut R) {
    let mut g = r.group("new_value");
    // The runner passes what a case returns through `black_box`: the box escapes, so
    // its allocation must happen (see the next chapter for one that does not escape).
    g.case("returns_box", None, || returns_box(black_box(5)));
    // Returning an `i64` is one register: this row is at the measurement floor, and only
    // its allocation column says anything.
    g.case("returns_value", None, || returns_value(black_box(5)));
    g.finish();

    // A value whose making is work the bench can see: the caller reads it through
    // `black_box(&..)`, so all 256 bytes must really be written, in the frame or the box.
    let mut g = r.group("new_struct");
    g.case("returns_box", Some("256_bytes"), || {
        let counters = counters_boxed(black_box(5));
        black_box(&counters).counts[31]
    });
    g.case("returns_value", Some("256_bytes"), || {
        let counters = counters_value(black_box(5));
        black_box(&counters).counts[31]
    });
    g.finish();
}
// ANCHOR_END: cases

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_and_value_agree() {
        assert_eq!(*returns_box(5), 6);
        assert_eq!(returns_value(5), 6);
        assert_eq!(*counters_boxed(5), counters_value(5));
        assert_eq!(counters_value(5).counts[31], 36);
        assert_eq!(size_of::<Counters>(), 256);
    }

    #[test]
    fn deep_recursion_runs_on_a_big_stack() {
        // 10,000 levels of at least 1 KiB each: deeper than the default stack of a
        // spawned thread holds.
        assert_eq!(
            with_stack(64 * 1024 * 1024, || deep(10_000)),
            expected_sum(10_000)
        );
    }

    // ANCHOR: big_box_test
    #[test]
    fn a_big_box_from_vec_needs_no_stack() {
        // A 64 KiB stack, a 16 MiB buffer: the buffer never passes through the stack.
        let last = with_stack(64 * 1024, || big_box_built_on_the_heap()[BIG - 1]);
        assert_eq!(last, 0);
    }
    // ANCHOR_END: big_box_test
}
