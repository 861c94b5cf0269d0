//! Chapter "Parallelize CPU work": `src/techniques/parallelism.md`. Bench:
//! `benches/parallelism.rs`.

use std::hint::black_box;
use std::sync::Mutex;

use rayon::ThreadPool;
use rayon::prelude::*;
use workshop::measure::{Group, Runner};

pub const CHAPTER: &str = "parallelism";

/// Length of every generated string, as in the seed.
pub const STRING_LEN: usize = 100;

/// Strings per job: a few milliseconds of work, so that handing it to threads costs little
/// next to the work itself.
pub const JOB_SIZE: usize = 10_000;

/// The seed of every job: the same strings on every run.
pub const SEED: u64 = 42;

/// Threads of the `collect` comparison: the cores of the machine the book is measured on.
pub const THREADS: usize = 2;

// ANCHOR: random_string
/// String number `i` of a job: 100 random ASCII letters and digits.
///
/// Each string gets its own small generator, seeded from the job's seed and its index.
/// Nothing is shared between threads (no lock, no cache line bouncing between cores), and
/// a string does not depend on which thread made it, or when: every version below returns
/// the same strings, which is what lets the tests compare them.
///
/// Not inlined, so that every version runs this same machine code for a string. Inlined,
/// the compiler made a different loop of it in each caller (callgrind counted more
/// instructions per string in the plain loop than inside rayon's), and the rows would
/// compare two inlining decisions instead of two ways of sharing the work.
#[inline(never)]
pub fn random_string(seed: u64, i: usize) -> String {
    let mut rng = fastrand::Rng::with_seed(seed.wrapping_add(i as u64));
    (0..STRING_LEN).map(|_| rng.alphanumeric()).collect()
}
// ANCHOR_END: random_string

// ANCHOR: sequential
/// One thread makes every string.
pub fn generate_sequential(seed: u64, n: usize) -> Vec<String> {
    (0..n).map(|i| random_string(seed, i)).collect()
}
// ANCHOR_END: sequential

// ANCHOR: mutex_vec
/// The seed's shape made legal: every thread of `workers` pushes each string into one
/// shared `Vec`, behind a `Mutex`. Correct, but every push takes the lock, so the threads
/// queue on it, and the cache line holding the lock and the `Vec`'s length moves from core
/// to core on every push. The order of the strings is whatever the scheduler made it.
///
/// `broadcast` runs the closure once on each thread of the pool, with its index: the
/// threads were started when the pool was built, not by this call.
pub fn generate_mutex_vec(workers: &ThreadPool, seed: u64, n: usize) -> Vec<String> {
    let out = Mutex::new(Vec::with_capacity(n));
    workers.broadcast(|thread| {
        for i in (thread.index()..n).step_by(thread.num_threads()) {
            let string = random_string(seed, i);
            out.lock().unwrap().push(string);
        }
    });
    out.into_inner().unwrap()
}
// ANCHOR_END: mutex_vec

// ANCHOR: per_thread_vecs
/// Each thread fills a `Vec` of its own, with no lock at all; `broadcast` hands their
/// results back in the order of the threads, and one `extend` per thread puts them
/// together, in order.
pub fn generate_per_thread_vecs(
    workers: &ThreadPool,
    seed: u64,
    n: usize,
) -> Vec<String> {
    let parts = workers.broadcast(|thread| {
        let chunk = n.div_ceil(thread.num_threads());
        let t = thread.index();
        let range = (t * chunk).min(n)..((t + 1) * chunk).min(n);
        range.map(|i| random_string(seed, i)).collect::<Vec<_>>()
    });
    let mut out = Vec::with_capacity(n);
    for part in parts {
        out.extend(part);
    }
    out
}
// ANCHOR_END: per_thread_vecs

// ANCHOR: rayon_collect
/// The same with rayon: a parallel iterator splits the range among the threads of the
/// current pool, and `collect` writes each result straight into its place in the output.
pub fn generate_rayon(seed: u64, n: usize) -> Vec<String> {
    (0..n)
        .into_par_iter()
        .map(|i| random_string(seed, i))
        .collect()
}
// ANCHOR_END: rayon_collect

// ANCHOR: job
/// The job the speed-up is measured on: make the strings, then write them out as one
/// text, a line each. Making them is the parallel part. Writing them is the serial part:
/// one text, in order, by one thread (and freeing the strings afterwards is serial too).
pub fn job(generate: impl FnOnce() -> Vec<String>) -> usize {
    let strings = generate();
    write_lines(&strings).len()
}

/// The serial part of [`job`]: one text, the strings in order, a line each.
pub fn write_lines(strings: &[String]) -> String {
    let mut text = String::with_capacity(strings.len() * (STRING_LEN + 1));
    for s in strings {
        text.push_str(s);
        text.push('\n');
    }
    text
}
// ANCHOR_END: job

// ANCHOR: amdahl
/// Amdahl's law: the speed-up of a job whose `serial_fraction` (of its time on one thread)
/// cannot be parallelized, run on `threads` threads that share the rest perfectly.
pub fn amdahl_speedup(serial_fraction: f64, threads: usize) -> f64 {
    1.0 / (serial_fraction + (1.0 - serial_fraction) / threads as f64)
}
// ANCHOR_END: amdahl

// ANCHOR: amdahl_limit
/// Amdahl's limit for `threads` threads, measured instead of computed: on one thread, do
/// the serial part in full and a `threads`-th of the parallel part. That is the time
/// `threads` perfect threads would need, T × (s + (1 − s) / n); the job's sequential time
/// divided by it is `amdahl_speedup(s, n)` for the serial fraction s of this job on this
/// machine. `prepared` holds the strings the other threads would have made.
pub fn amdahl_limit_job(
    mut prepared: Vec<String>,
    seed: u64,
    n: usize,
    threads: usize,
) -> usize {
    let own = n / threads;
    prepared.extend((0..own).map(|i| random_string(seed, i)));
    job(|| prepared)
}
// ANCHOR_END: amdahl_limit

// ANCHOR: exercise_check
/// The exercise's test: `text` must write the very text of the sequential job, on a pool of
/// two threads, for a number of lines that two threads cannot split evenly and for none.
pub fn check_text_parallel(text: fn(u64, usize) -> Vec<u8>) {
    for n in [0, 501] {
        let expected = write_lines(&generate_sequential(SEED, n));
        let parallel = pool(2).install(|| text(SEED, n));
        assert_eq!(String::from_utf8(parallel).unwrap(), expected, "{n} lines");
    }
}
// ANCHOR_END: exercise_check

// ANCHOR: pool
/// A rayon pool of exactly `threads` threads. Built once, outside the timed code: starting
/// threads is not what the cases measure.
pub fn pool(threads: usize) -> ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("cannot start a rayon thread pool")
}
// ANCHOR_END: pool

// ANCHOR: keep_freed_memory
/// Makes glibc's `malloc` keep the memory a job frees for the next job, instead of giving
/// it back to the kernel and taking a page fault per 4 KiB page to get it back.
///
/// glibc gives the free top of a heap back once it is larger than the trim threshold:
/// 128 KiB at first, then twice the largest block (of at most 32 MiB) that it has served
/// with `mmap` and seen freed (`mallopt(3)`, `M_MMAP_THRESHOLD`). Here that block is a
/// job's text, and a job on one thread frees more than twice as much (the strings, their
/// `Vec`, the text): every single-thread job gave its memory back, and the next one
/// faulted it in again. On two threads the strings are split over two arenas (glibc's
/// heaps, one per thread), which gave back less: part of the two-thread speed-up was page
/// faults not taken. Freeing one 16 MiB block once raises the threshold to 32 MiB for the
/// whole process, so that no case pays for page faults the others do not.
pub fn keep_freed_memory() {
    drop(black_box(vec![0u8; 16 << 20]));
}
// ANCHOR_END: keep_freed_memory

// ANCHOR: cases
pub fn cases<R: Runner>(r: &mut R) {
    let n = JOB_SIZE;
    keep_freed_memory();

    // Every thread a case uses is started here, before any timing: one pool for the
    // single-thread cases and one of as many threads as cores. Single-thread cases run on
    // the one-thread pool, not on the main thread, so that which thread (and which malloc
    // arena) a case runs on is not one of the differences between two rows.
    let one = pool(1);
    let two = pool(THREADS);

    // How the results of the threads are put together, on as many threads as cores. Each
    // case returns its ten thousand strings; they are freed outside the timed region,
    // because freeing them is not what this group compares.
    let mut g = r.group("collect");
    g.slow();
    g.case_with_large_drop("sequential", None, || {
        one.install(|| generate_sequential(black_box(SEED), n))
    });
    g.case_with_large_drop("mutex_vec", None, || {
        generate_mutex_vec(&two, black_box(SEED), n)
    });
    g.case_with_large_drop("per_thread_vecs", None, || {
        generate_per_thread_vecs(&two, black_box(SEED), n)
    });
    g.case_with_large_drop("rayon_collect", None, || {
        two.install(|| generate_rayon(black_box(SEED), n))
    });
    g.finish();
    // ANCHOR_END: cases

    // ANCHOR: parts_cases
    // The job, and its serial part alone (writing the text and freeing the strings), both
    // on one thread: the serial fraction is serial_part / whole_job. The strings the
    // serial part starts from are made on the same pool thread, outside the timing.
    let mut g = r.group("parts");
    g.slow();
    g.case("whole_job", None, || {
        one.install(|| job(|| generate_sequential(black_box(SEED), n)))
    });
    g.case_batched(
        "serial_part",
        None,
        || one.install(|| generate_sequential(SEED, n)),
        |strings| one.install(|| job(|| strings)),
    );
    g.finish();
    // ANCHOR_END: parts_cases

    // ANCHOR: speedup_cases
    // The whole job on rayon pools of 1 to 8 threads, and for 2 threads and more, Amdahl's
    // limit for that many threads, measured as `amdahl_limit_job`. Every pool is built
    // before the group runs. Not `slow()`: a hundred samples per case rather than ten, because
    // on a VM whose speed drifts, ten samples of a few ms let one slow second decide a row.
    let mut g = r.group("speedup");
    g.case("sequential", None, || {
        one.install(|| job(|| generate_sequential(black_box(SEED), n)))
    });
    for threads in [1, 2, 4, 8] {
        let pool = pool(threads);
        let plural = if threads == 1 { "thread" } else { "threads" };
        g.case(&format!("rayon_{threads}_{plural}"), None, || {
            pool.install(|| job(|| generate_rayon(black_box(SEED), n)))
        });
        if threads > 1 {
            g.case_batched(
                &format!("amdahl_limit_{threads}_threads"),
                None,
                || {
                    one.install(|| {
                        generate_sequential(SEED.wrapping_add(n as u64), n - n / threads)
                    })
                },
                |prepared| {
                    one.install(|| {
                        amdahl_limit_job(prepared, black_box(SEED), n, threads)
                    })
                },
            );
        }
    }
    // The baseline once more, last: how far the machine drifted while the group ran.
    g.case("sequential_again", None, || {
        one.install(|| job(|| generate_sequential(black_box(SEED), n)))
    });
    g.finish();
    // ANCHOR_END: speedup_cases

    // The exercise's solution, on the same pool: its code lives in its own file, so that
    // this module (which the chapter shows whole, as hidden lines) does not give it away.
    workshop::solutions::parallelism::no_serial_part_cases(r, &two);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_100_letters_or_digits_and_reproducible() {
        let s = random_string(SEED, 7);
        assert_eq!(s.len(), STRING_LEN);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()), "{s}");
        assert_eq!(s, random_string(SEED, 7));
        assert_ne!(s, random_string(SEED, 8));
    }

    #[test]
    fn every_version_makes_the_same_strings() {
        let n = 1001; // not a multiple of the thread count
        let expected = generate_sequential(SEED, n);
        let three = pool(3);
        assert_eq!(generate_per_thread_vecs(&three, SEED, n), expected);
        assert_eq!(three.install(|| generate_rayon(SEED, n)), expected);
        // The mutex version loses the order: compare sorted.
        let mut from_mutex = generate_mutex_vec(&three, SEED, n);
        let mut sorted = expected.clone();
        from_mutex.sort_unstable();
        sorted.sort_unstable();
        assert_eq!(from_mutex, sorted);
    }

    #[test]
    fn jobs_write_every_string() {
        let n = 500;
        let text = write_lines(&generate_sequential(SEED, n));
        assert_eq!(text.len(), n * (STRING_LEN + 1));
        assert_eq!(job(|| generate_sequential(SEED, n)), text.len());
        let prepared = generate_sequential(SEED, n - n / 4);
        assert_eq!(amdahl_limit_job(prepared, SEED, n, 4), text.len());
    }

    #[test]
    fn amdahl() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        // Nothing serial: n threads, n times faster.
        assert!(close(amdahl_speedup(0.0, 8), 8.0));
        // Everything serial: no speed-up at all.
        assert!(close(amdahl_speedup(1.0, 8), 1.0));
        // A tenth serial on two threads: 1 / (0.1 + 0.45).
        assert!(close(amdahl_speedup(0.1, 2), 1.0 / 0.55));
        // However many threads, never more than 1 / serial_fraction.
        assert!(amdahl_speedup(0.25, 1_000_000) < 4.0);
    }
}
