//! Chapter "Parallelize CPU work": `src/techniques/parallelism.md`. Bench:
//! `benches/parallelism.rs`.

use std::hint::black_box;
use std::sync::Mutex;
use std::thread;

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
/// The seed's shape made legal: every thread pushes each string into one shared `Vec`,
/// behind a `Mutex`. Correct, but every push takes the lock, so the threads queue on it,
/// and the cache line holding the lock and the `Vec`'s length moves from core to core on
/// every push. The order of the strings is whatever the scheduler made it.
pub fn generate_mutex_vec(seed: u64, n: usize, threads: usize) -> Vec<String> {
    let out = Mutex::new(Vec::with_capacity(n));
    thread::scope(|s| {
        for t in 0..threads {
            let out = &out;
            s.spawn(move || {
                for i in (t..n).step_by(threads) {
                    let string = random_string(seed, i);
                    out.lock().unwrap().push(string);
                }
            });
        }
    });
    out.into_inner().unwrap()
}
// ANCHOR_END: mutex_vec

// ANCHOR: per_thread_vecs
/// Each thread fills a `Vec` of its own, with no lock at all; joining the threads hands
/// their results back, and one `extend` per thread puts them together, in order.
pub fn generate_per_thread_vecs(seed: u64, n: usize, threads: usize) -> Vec<String> {
    let chunk = n.div_ceil(threads);
    thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let range = (t * chunk).min(n)..((t + 1) * chunk).min(n);
                s.spawn(move || range.map(|i| random_string(seed, i)).collect::<Vec<_>>())
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        for handle in handles {
            out.extend(handle.join().unwrap());
        }
        out
    })
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

// ANCHOR: no_serial_part
/// Exercise solution: the same text with no serial part. Every line has the same length,
/// so its place in the text is known in advance: allocate the text once, and let each
/// thread write its lines straight into their places. No `String` per line, no copying,
/// nothing to free but the text.
pub fn text_parallel(seed: u64, n: usize) -> Vec<u8> {
    let mut text = vec![b'\n'; n * (STRING_LEN + 1)];
    text.par_chunks_mut(STRING_LEN + 1)
        .enumerate()
        .for_each(|(i, line)| {
            let mut rng = fastrand::Rng::with_seed(seed.wrapping_add(i as u64));
            for byte in &mut line[..STRING_LEN] {
                *byte = rng.alphanumeric() as u8; // ASCII: one byte per char
            }
        });
    text
}
// ANCHOR_END: no_serial_part

// ANCHOR: pool
/// A rayon pool of exactly `threads` threads. Built once, outside the timed code: starting
/// threads is not what the cases measure.
pub fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("cannot start a rayon thread pool")
}
// ANCHOR_END: pool

// ANCHOR: cases
pub fn cases<R: Runner>(r: &mut R) {
    let n = JOB_SIZE;

    // Single-thread cases run on a one-thread pool, not on the main thread: here the same
    // code measured faster on a pool thread than on the main thread, and a comparison should
    // differ only in what it compares.
    let one = pool(1);

    // How the results of the threads are put together, on as many threads as cores.
    let mut g = r.group("collect");
    g.slow();
    g.case("sequential", None, || {
        one.install(|| generate_sequential(black_box(SEED), n))
    });
    g.case("mutex_vec", None, || {
        generate_mutex_vec(black_box(SEED), n, THREADS)
    });
    g.case("per_thread_vecs", None, || {
        generate_per_thread_vecs(black_box(SEED), n, THREADS)
    });
    let two = pool(THREADS);
    g.case("rayon_collect", None, || {
        two.install(|| generate_rayon(black_box(SEED), n))
    });
    g.finish();
    // ANCHOR_END: cases

    // ANCHOR: parts_cases
    // The job, and its serial part alone (sorting the strings and freeing them), both on
    // one thread: the serial fraction is serial_part / whole_job.
    let mut g = r.group("parts");
    g.slow();
    g.case("whole_job", None, || {
        one.install(|| job(|| generate_sequential(black_box(SEED), n)))
    });
    g.case_batched(
        "serial_part",
        None,
        || generate_sequential(SEED, n),
        |strings| one.install(|| job(|| strings)),
    );
    g.finish();
    // ANCHOR_END: parts_cases

    // ANCHOR: speedup_cases
    // The whole job on rayon pools of 1 to 8 threads, and for 2 threads and more, Amdahl's
    // limit for that many threads, measured as `amdahl_limit_job`.
    let mut g = r.group("speedup");
    g.slow();
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
                || generate_sequential(SEED.wrapping_add(n as u64), n - n / threads),
                |prepared| {
                    one.install(|| {
                        amdahl_limit_job(prepared, black_box(SEED), n, threads)
                    })
                },
            );
        }
    }
    g.finish();
    // ANCHOR_END: speedup_cases

    // ANCHOR: exercise_cases
    let mut g = r.group("no_serial_part");
    g.slow();
    g.case("strings_then_text", None, || {
        two.install(|| job(|| generate_rayon(black_box(SEED), n)))
    });
    g.case("text_parallel", None, || {
        two.install(|| text_parallel(black_box(SEED), n))
    });
    g.finish();
    // ANCHOR_END: exercise_cases
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
        assert_eq!(generate_per_thread_vecs(SEED, n, 3), expected);
        assert_eq!(pool(3).install(|| generate_rayon(SEED, n)), expected);
        // The mutex version loses the order: compare sorted.
        let mut from_mutex = generate_mutex_vec(SEED, n, 3);
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
        // The exercise's solution writes the very same text.
        let parallel = pool(2).install(|| text_parallel(SEED, n));
        assert_eq!(String::from_utf8(parallel).unwrap(), text);
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
