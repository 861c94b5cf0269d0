//! Chapter "Allocators": `src/tools/allocators.md`. Bench: `benches/allocators.rs`. The
//! whole-program measurements under each allocator are made by
//! `cargo xtask figures allocators`, which runs `examples/mergesort.rs` and
//! `examples/cross_thread_free.rs` built with `--features jemalloc`, `--features mimalloc`
//! or neither. The second program's workload (blocks allocated on one thread and freed on
//! another, [`cross_thread_free`]) is defined here.

use std::collections::VecDeque;
use std::hint::black_box;
use std::sync::Barrier;
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use workshop::measure::{Group, Runner, Throughput};
use workshop::mergesort::{input, sequential, sequential_with};

pub const CHAPTER: &str = "allocators";

/// Elements sorted per call in the criterion group: 2^16, large enough that the merges
/// dominate, small enough for many samples.
pub const LEN: usize = 1 << 16;

// ANCHOR: one_buffer
/// The same merge sort as `mergesort::sequential`, with the allocation hoisted out: one
/// scratch buffer as long as the input, split alongside it, so that no merge allocates.
pub fn sequential_one_buffer(s: &mut [i64]) {
    let mut scratch = vec![0; s.len()];
    sequential_with(s, &mut scratch);
}
// ANCHOR_END: one_buffer

// ANCHOR: cases
/// The allocation-heavy workload against the same sort with one buffer, on one thread,
/// under whatever global allocator the bench runs with (the system's).
pub fn cases<R: Runner>(r: &mut R) {
    let data = input(LEN, 1);
    let mut g = r.group("merge_buffers");
    g.throughput(Throughput::Elements(LEN as u64));
    g.slow();
    let param = LEN.to_string();
    g.case_batched(
        "buffer_per_merge",
        Some(param.as_str()),
        || data.clone(),
        |mut s| {
            sequential(black_box(&mut s));
            s
        },
    );
    g.case_batched(
        "one_buffer",
        Some(param.as_str()),
        || data.clone(),
        |mut s| {
            sequential_one_buffer(black_box(&mut s));
            s
        },
    );
    g.finish();
}
// ANCHOR_END: cases

// ANCHOR: dhat_check
/// The exercise's check: `predict` must give the blocks and bytes that dhat counts while the
/// seed's merge sort sorts a power of two, an odd length and the chapter's bench length; and
/// the fix must make one allocation of `len × 8` bytes, whatever the length. Call it from a
/// test binary whose global allocator is `dhat::Alloc`, with a `dhat::Profiler` running
/// (dhat allows one per process).
pub fn check_predicted_allocations(predict: fn(usize) -> (u64, u64)) {
    for len in [1024, 3001, LEN] {
        let data = input(len, 7);
        assert_eq!(counted(&data, sequential), predict(len), "len {len}");
        assert_eq!(counted(&data, sequential_one_buffer), (1, 8 * len as u64));
    }
}

/// Runs `sort` on a copy of `data` (made before counting) and returns the allocations and
/// bytes it asked for: the lowest of three runs. dhat counts every thread's allocations, so
/// the test harness's main thread, the only other thread there, adds whatever it allocates
/// during a count (on a loaded CI machine the first count once came out 4 blocks over). The
/// sort's own allocations recur in every run; a stray one does not.
fn counted(data: &[i64], sort: fn(&mut [i64])) -> (u64, u64) {
    (0..3)
        .map(|_| {
            let mut copy = data.to_vec();
            let before = dhat::HeapStats::get();
            sort(&mut copy);
            let after = dhat::HeapStats::get();
            (
                after.total_blocks - before.total_blocks,
                after.total_bytes - before.total_bytes,
            )
        })
        .min()
        .expect("three runs")
}
// ANCHOR_END: dhat_check

// ---------------------------------------------------------------------------------------
// The second whole-program workload: blocks allocated on one thread and freed on another
// (`examples/cross_thread_free.rs`). The merge sort never does that: each merge frees its
// buffer on the thread that allocated it, a moment later.

/// Which thread frees the blocks the producer allocates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FreeOn {
    /// The control: the consumer reads each batch and hands it back, and the producer frees
    /// the blocks itself, so that every free is on the thread that allocated the block.
    SameThread,
    /// The consumer reads each batch and frees the blocks: every free is on a thread that
    /// did not allocate the block (a *remote* free).
    CrossThread,
}

impl FreeOn {
    pub fn name(self) -> &'static str {
        match self {
            FreeOn::SameThread => "same-thread",
            FreeOn::CrossThread => "cross-thread",
        }
    }

    pub fn from_name(name: &str) -> Option<FreeOn> {
        [FreeOn::SameThread, FreeOn::CrossThread]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

pub const CROSS_THREAD_USAGE: &str = "usage: cross_thread_free <same-thread|cross-thread> \
    [--blocks N] [--batch N] [--in-flight N] [--max-size BYTES] [--seed N] [--json]";

/// The smallest block, in bytes.
pub const MIN_BLOCK: usize = 16;
/// Defaults of the program: from a fraction of a second to a few seconds of work on the
/// book's 2-core machine, depending on the allocator.
pub const DEFAULT_BLOCKS: usize = 4_000_000;
pub const DEFAULT_BATCH: usize = 1000;
pub const DEFAULT_IN_FLIGHT: usize = 4;
/// 32 KiB: the largest block jemalloc's thread cache keeps (`tcache_max`), and within
/// mimalloc's small and medium pages, but well beyond glibc's tcache (blocks up to 1,032
/// bytes) — and below glibc's mmap threshold (128 KiB to start with), so that no block gets a
/// mapping of its own: every allocator's ordinary path.
pub const DEFAULT_MAX_SIZE: usize = 32 * 1024;
/// Limits above which an argument is a typo, not an experiment.
pub const MAX_BLOCKS: usize = 1 << 30;
pub const MAX_BATCH: usize = 1 << 20;
pub const MAX_IN_FLIGHT: usize = 1024;
pub const MAX_MAX_SIZE: usize = 1 << 20;

/// The program's command line, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrossThreadOptions {
    pub free_on: FreeOn,
    /// Blocks allocated in all.
    pub blocks: usize,
    /// Blocks per message from the producer to the consumer.
    pub batch: usize,
    /// Batches in circulation at once: the producer fills one while the consumer reads
    /// another; it bounds the live data at `in_flight × batch` blocks.
    pub in_flight: usize,
    /// The largest block; sizes are spread evenly over the doublings from [`MIN_BLOCK`].
    pub max_size: usize,
    pub seed: u64,
    pub json: bool,
}

fn cli_number(
    flag: &str,
    value: Option<String>,
    min: usize,
    max: usize,
) -> Result<usize, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a number"))?;
    let n: usize = value
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a valid number"))?;
    if n < min || n > max {
        return Err(format!("{flag} must be between {min} and {max}, not {n}"));
    }
    Ok(n)
}

/// Parses the arguments after the program name, as `--flag N` or `--flag=N`, in any order.
pub fn parse_cross_thread_args(args: &[String]) -> Result<CrossThreadOptions, String> {
    let mut free_on = None;
    let mut options = CrossThreadOptions {
        free_on: FreeOn::CrossThread,
        blocks: DEFAULT_BLOCKS,
        batch: DEFAULT_BATCH,
        in_flight: DEFAULT_IN_FLIGHT,
        max_size: DEFAULT_MAX_SIZE,
        seed: workshop::mergesort::DEFAULT_SEED,
        json: false,
    };
    let mut args = args.iter().cloned();
    while let Some(arg) = args.next() {
        let (flag, mut inline) = match arg.split_once('=') {
            Some((f, v)) if arg.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.take().or_else(|| args.next());
        match flag.as_str() {
            "--blocks" => {
                options.blocks = cli_number("--blocks", value(), 1, MAX_BLOCKS)?
            }
            "--batch" => options.batch = cli_number("--batch", value(), 1, MAX_BATCH)?,
            "--in-flight" => {
                options.in_flight = cli_number("--in-flight", value(), 1, MAX_IN_FLIGHT)?
            }
            "--max-size" => {
                options.max_size =
                    cli_number("--max-size", value(), MIN_BLOCK, MAX_MAX_SIZE)?
            }
            "--seed" => {
                let v = value().ok_or("--seed needs a number")?;
                options.seed = v
                    .parse()
                    .map_err(|_| format!("--seed: {v:?} is not a valid number"))?;
            }
            "--json" => {
                if inline.is_some() {
                    return Err("--json takes no value".into());
                }
                options.json = true;
            }
            f if f.starts_with('-') => return Err(format!("unknown flag {f:?}")),
            name => {
                if free_on.is_some() {
                    return Err(format!("unexpected argument {name:?}"));
                }
                free_on = Some(FreeOn::from_name(name).ok_or_else(|| {
                    format!("unknown mode {name:?}: same-thread or cross-thread")
                })?);
            }
        }
    }
    options.free_on = free_on.ok_or("which mode? same-thread or cross-thread")?;
    Ok(options)
}

/// `count` block sizes from [`MIN_BLOCK`] to `max_size`, spread evenly over the doublings
/// (as many between 16 and 32 bytes as between 16 and 32 KiB), the same for the same seed.
/// Made before the timed loop, which cycles through them.
pub fn block_sizes(count: usize, max_size: usize, seed: u64) -> Vec<usize> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (low, high) = ((MIN_BLOCK as f64).log2(), (max_size as f64).log2());
    (0..count)
        .map(|_| {
            let size = (low + rng.f64() * (high - low)).exp2() as usize;
            size.clamp(MIN_BLOCK, max_size)
        })
        .collect()
}

/// The page size the blocks are touched at.
const PAGE: usize = 4096;

// ANCHOR: block
/// One block of `size` bytes, its first byte `tag`, and one byte written in every further
/// 4 KiB page: a page never written is never resident, so without these writes peak RSS
/// would miss most of a large block; a full `memset` would instead cost more than the
/// allocation it stands next to.
fn block(size: usize, tag: u8) -> Vec<u8> {
    let mut block = Vec::with_capacity(size);
    block.push(tag);
    // Writing through `MaybeUninit` is safe; the bytes stay outside `len`.
    for byte in block
        .spare_capacity_mut()
        .iter_mut()
        .skip(PAGE - 1)
        .step_by(PAGE)
    {
        byte.write(tag);
    }
    block
}
// ANCHOR_END: block

/// What one run of [`cross_thread_free`] measured.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossThreadOutcome {
    /// The allocation and free loop alone: from both threads leaving a start barrier to both
    /// reaching a finish barrier (threads, channels, sizes and containers are made before).
    pub elapsed: Duration,
    /// Bytes requested in all.
    pub bytes: u64,
    /// The most bytes allocated and not yet known to be freed at any moment (an upper bound
    /// of the live data: the producer counts a batch freed when its container comes back).
    pub live_peak_bytes: u64,
    /// Blocks the consumer received, and the sum of their first bytes, against what the
    /// producer sent: a check that every block arrived.
    pub received: u64,
    pub checksum: u64,
    pub expected_checksum: u64,
}

// ANCHOR: cross_thread_free
/// The producer allocates `options.blocks` blocks of mixed sizes in batches and sends each
/// batch over a bounded channel to the consumer, which reads the first byte of every block.
/// `CrossThread`: the consumer drops the blocks and sends the empty container back.
/// `SameThread`: it sends the full batch back and the producer drops the blocks. The same
/// messages cross the same channels in both modes; only the thread that frees differs.
pub fn cross_thread_free(options: &CrossThreadOptions) -> CrossThreadOutcome {
    let sizes = block_sizes(options.blocks.min(1 << 16), options.max_size, options.seed);
    let (full_tx, full_rx) = sync_channel::<Vec<Vec<u8>>>(options.in_flight);
    let (back_tx, back_rx) = sync_channel::<Vec<Vec<u8>>>(options.in_flight);
    // The containers the batches travel in, made here and reused: the channels carry them
    // without allocating.
    for _ in 0..options.in_flight {
        back_tx
            .send(Vec::with_capacity(options.batch))
            .expect("the receiver is alive");
    }
    let (start, finish) = (&Barrier::new(3), &Barrier::new(3));
    let (sizes, free_on) = (&sizes, options.free_on);

    std::thread::scope(|s| {
        let producer = s.spawn(move || {
            let mut outstanding = VecDeque::with_capacity(options.in_flight);
            let (mut live, mut live_peak, mut bytes, mut expected) =
                (0u64, 0u64, 0u64, 0u64);
            let mut received = 0;
            start.wait();
            let mut sent = 0;
            while sent < options.blocks {
                let mut batch = back_rx.recv().expect("the consumer is alive");
                received += 1;
                if received > options.in_flight {
                    // This container carried a batch: freed by now (cross-thread) or just
                    // below (same-thread).
                    live -= outstanding.pop_front().expect("one batch per container");
                }
                batch.clear(); // Same-thread: frees the blocks, here where they were made.
                let n = options.batch.min(options.blocks - sent);
                let mut batch_bytes = 0;
                for i in sent..sent + n {
                    let size = sizes[i % sizes.len()];
                    let tag = i as u8;
                    batch.push(block(size, tag));
                    batch_bytes += size as u64;
                    expected += u64::from(tag);
                }
                sent += n;
                bytes += batch_bytes;
                live += batch_bytes;
                live_peak = live_peak.max(live);
                outstanding.push_back(batch_bytes);
                full_tx.send(batch).expect("the consumer is alive");
            }
            drop(full_tx);
            // Every container comes back; same-thread frees the last batches here.
            for _ in 0..options.in_flight {
                back_rx.recv().expect("the consumer is alive").clear();
            }
            finish.wait();
            (bytes, live_peak, expected)
        });
        let consumer = s.spawn(move || {
            let (mut received, mut checksum) = (0u64, 0u64);
            start.wait();
            for mut batch in full_rx {
                for block in &batch {
                    checksum += u64::from(block[0]);
                }
                received += batch.len() as u64;
                if free_on == FreeOn::CrossThread {
                    batch.clear(); // Frees the blocks on a thread that did not allocate them.
                }
                back_tx.send(batch).expect("the producer is alive");
            }
            finish.wait();
            (received, checksum)
        });
        start.wait();
        let began = Instant::now();
        finish.wait();
        let elapsed = began.elapsed();
        let (bytes, live_peak_bytes, expected_checksum) =
            producer.join().expect("the producer panicked");
        let (received, checksum) = consumer.join().expect("the consumer panicked");
        CrossThreadOutcome {
            elapsed,
            bytes,
            live_peak_bytes,
            received,
            checksum,
            expected_checksum,
        }
    })
}
// ANCHOR_END: cross_thread_free

/// The program's `--json` line.
pub fn cross_thread_json_line(
    options: &CrossThreadOptions,
    outcome: &CrossThreadOutcome,
    peak_rss_kib: Option<u64>,
) -> String {
    serde_json::json!({
        "free_on": options.free_on.name(),
        "blocks": options.blocks,
        "batch": options.batch,
        "in_flight": options.in_flight,
        "max_size": options.max_size,
        "bytes": outcome.bytes,
        "live_peak_bytes": outcome.live_peak_bytes,
        "seconds": outcome.elapsed.as_secs_f64(),
        "peak_rss_kib": peak_rss_kib,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_buffer_sorts_like_the_original() {
        for len in [0, 1, 2, 3, 100, 4097, 10_000] {
            let data = input(len, len as u64);
            let mut expected = data.clone();
            sequential(&mut expected);
            let mut got = data;
            sequential_one_buffer(&mut got);
            assert_eq!(got, expected, "len {len}");
            assert!(got.is_sorted());
        }
    }

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn cross_thread_args_parse_with_defaults_and_flags() {
        let o = parse_cross_thread_args(&args("cross-thread")).unwrap();
        assert_eq!(o.free_on, FreeOn::CrossThread);
        assert_eq!(
            (o.blocks, o.batch, o.in_flight),
            (DEFAULT_BLOCKS, DEFAULT_BATCH, 4)
        );
        assert!(!o.json);
        let o = parse_cross_thread_args(&args(
            "--blocks=10 same-thread --batch 3 --in-flight 2 --max-size 64 --seed 9 --json",
        ))
        .unwrap();
        assert_eq!(o.free_on, FreeOn::SameThread);
        assert_eq!((o.blocks, o.batch, o.in_flight, o.max_size), (10, 3, 2, 64));
        assert_eq!(o.seed, 9);
        assert!(o.json);
    }

    #[test]
    fn cross_thread_args_reject_bad_input_with_a_message() {
        for (line, message) in [
            ("", "which mode"),
            ("both", "unknown mode"),
            ("same-thread cross-thread", "unexpected argument"),
            ("cross-thread --blocks", "needs a number"),
            ("cross-thread --blocks 0", "between 1 and"),
            ("cross-thread --blocks ten", "not a valid number"),
            ("cross-thread --batch -3", "not a valid number"),
            ("cross-thread --in-flight 0", "between 1 and"),
            ("cross-thread --max-size 8", "between 16 and"),
            ("cross-thread --max-size 99999999", "between 16 and"),
            ("cross-thread --seed x", "not a valid number"),
            ("cross-thread --json=yes", "takes no value"),
            ("cross-thread --frobnicate", "unknown flag"),
        ] {
            let err = parse_cross_thread_args(&args(line)).unwrap_err();
            assert!(err.contains(message), "{line:?}: {err}");
        }
    }

    #[test]
    fn block_sizes_cover_the_range_and_repeat_for_a_seed() {
        let sizes = block_sizes(10_000, 32 * 1024, 1);
        assert_eq!(sizes, block_sizes(10_000, 32 * 1024, 1));
        assert!(sizes.iter().all(|&s| (MIN_BLOCK..=32 * 1024).contains(&s)));
        // Evenly over the doublings: 2 of the 11 from 16 bytes to 32 KiB are below 64 bytes.
        let small = sizes.iter().filter(|&&s| s < 64).count();
        assert!((1500..2200).contains(&small), "{small}");
        assert!(sizes.iter().any(|&s| s > 16 * 1024));
    }

    #[test]
    fn every_block_arrives_in_both_modes() {
        // An odd last batch, fewer batches than containers, one container.
        for (blocks, batch, in_flight) in [(10_001, 100, 4), (5, 100, 4), (1000, 7, 1)] {
            for free_on in [FreeOn::SameThread, FreeOn::CrossThread] {
                let options = CrossThreadOptions {
                    free_on,
                    blocks,
                    batch,
                    in_flight,
                    max_size: 8192,
                    seed: 3,
                    json: false,
                };
                let out = cross_thread_free(&options);
                assert_eq!(out.received, blocks as u64);
                assert_eq!(out.checksum, out.expected_checksum);
                let sizes = block_sizes(blocks.min(1 << 16), 8192, 3);
                let bytes: u64 = (0..blocks).map(|i| sizes[i % sizes.len()] as u64).sum();
                assert_eq!(out.bytes, bytes);
                assert!(out.live_peak_bytes <= bytes);
                assert!(out.live_peak_bytes <= (in_flight * batch * 8192) as u64);
            }
        }
    }

    #[test]
    fn a_block_has_its_size_and_tag() {
        for size in [16, 4095, 4096, 4097, 20_000] {
            let b = block(size, 7);
            assert_eq!(b.capacity(), size);
            assert_eq!(b, [7]);
        }
    }
}
