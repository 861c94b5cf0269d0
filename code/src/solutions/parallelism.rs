//! The solution of the Parallelize CPU work chapter's exercise
//! (`src/techniques/parallelism.md`), shown only in its collapsed Solution admonition. The
//! exercise itself is `exercises/parallelism.rs`.

use std::hint::black_box;

use rayon::ThreadPool;
use rayon::prelude::*;
use workshop::measure::{Group, Runner};
use workshop::parallelism::{JOB_SIZE, SEED, STRING_LEN, generate_rayon, job};

// ANCHOR: no_serial_part
/// The same text with no serial part. Every line has the same length, so its place in the
/// text is known in advance: allocate the text once, and let each thread write its lines
/// straight into their places. No `String` per line, no copying, nothing to free but the
/// text.
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

// ANCHOR: exercise_cases
/// The chapter's `no_serial_part` group, both on the chapter's pool of two threads.
pub fn no_serial_part_cases<R: Runner>(r: &mut R, two: &ThreadPool) {
    let n = JOB_SIZE;
    let mut g = r.group("no_serial_part");
    g.slow();
    g.case("strings_then_text", None, || {
        two.install(|| job(|| generate_rayon(black_box(SEED), n)))
    });
    g.case("text_parallel", None, || {
        two.install(|| text_parallel(black_box(SEED), n))
    });
    g.finish();
}
// ANCHOR_END: exercise_cases

#[cfg(test)]
mod tests {
    #[test]
    fn writes_the_text_of_the_sequential_job() {
        workshop::parallelism::check_text_parallel(super::text_parallel);
    }
}
