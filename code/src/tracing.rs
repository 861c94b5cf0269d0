//! Chapter "Tracing": `src/tools/tracing.md`. Bench: `benches/tracing.rs`. The traced
//! program is the merge sort (`workshop::mergesort`, `examples/mergesort.rs`); the
//! timelines are drawn by `cargo xtask figures tracing`.
//!
//! What a span costs: nothing worth measuring when no subscriber is installed, something
//! when one is — and how to keep the number of spans bounded.

use std::fs::File;
use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ::tracing::Dispatch;
use ::tracing::span::{Attributes, Id};
use ::tracing_chrome::{ChromeLayerBuilder, FlushGuard};
use ::tracing_subscriber::layer::{Context, Identity, Layer, SubscriberExt};
use ::tracing_subscriber::registry::Registry;
use ::tracing_subscriber::util::SubscriberInitExt;
use workshop::measure::{Group, Runner};
use workshop::mergesort::{input, merge, v3};

pub const CHAPTER: &str = "tracing";

// ANCHOR: span_in_merge
/// One span, as the merge sort opens one above its cutoff: a name, a field, entered and
/// left.
pub fn one_span(len: usize) {
    let span = ::tracing::info_span!("merge", len = len).entered();
    drop(black_box(span));
}
// ANCHOR_END: span_in_merge

// ANCHOR: chrome_trace
/// Installs, for the whole process, a subscriber that writes every span to `path` in
/// Chrome's trace event format (what Perfetto and `chrome://tracing` read). Keep the
/// guard until the work is done: dropping it flushes the file and stops its writer
/// thread.
pub fn chrome_trace(path: &Path) -> Result<FlushGuard, String> {
    // Opened here, not by tracing-chrome's `.file()`, which panics when it cannot.
    let file = File::create(path)
        .map_err(|e| format!("cannot write trace {}: {e}", path.display()))?;
    let (layer, guard) = ChromeLayerBuilder::new()
        .writer(file)
        .include_args(true) // record span fields (`len`) as the slices' args
        .build();
    Registry::default()
        .with(layer)
        .try_init()
        .map_err(|e| format!("cannot install the trace subscriber: {e}"))?;
    Ok(guard)
}
// ANCHOR_END: chrome_trace

// ANCHOR: chrome_dispatch
/// A subscriber that writes a Chrome trace, as `examples/mergesort.rs --trace` installs
/// one, but into `io::sink()`: what it costs to record, without the disk. Keep the guard:
/// dropping it stops the thread that writes the trace.
pub fn chrome_dispatch() -> (Dispatch, FlushGuard) {
    let (layer, guard) = ChromeLayerBuilder::new()
        .writer(std::io::sink())
        .include_args(true)
        .build();
    (Dispatch::new(Registry::default().with(layer)), guard)
}
// ANCHOR_END: chrome_dispatch

// ANCHOR: pool_with_subscriber
/// A rayon pool whose threads all report to `dispatch`.
/// `tracing::dispatcher::with_default` (and `tracing::subscriber::with_default`, which wraps
/// it) sets a subscriber for the current thread only, so
/// every worker thread must run inside it; the example installs a global default instead
/// (`.init()`), which a bench cannot do without tracing every other case in the process.
pub fn pool_with_subscriber(threads: usize, dispatch: Dispatch) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .spawn_handler(move |thread| {
            let dispatch = dispatch.clone();
            std::thread::Builder::new().spawn(move || {
                ::tracing::dispatcher::with_default(&dispatch, || thread.run())
            })?;
            Ok(())
        })
        .build()
        .expect("cannot start a rayon thread pool")
}
// ANCHOR_END: pool_with_subscriber

/// Elements sorted by the `sort` group: the size the timelines use.
pub const SORT_LEN: usize = 1_000_000;

// ANCHOR: cases
/// Everything the chapter measures. Subscribers are created only after the baseline of
/// each group has run: once any subscriber exists, `tracing` stops assuming that nobody
/// listens, and the baseline would no longer be "no subscriber installed".
pub fn cases<R: Runner>(r: &mut R) {
    // One span entered and left, with and without someone listening.
    ::tracing::callsite::rebuild_interest_cache();
    let mut g = r.group("one_span");
    g.case("no_subscriber", None, || one_span(black_box(4096)));
    // A registry with one layer that does nothing: the bookkeeping of every subscriber built
    // on a `Registry`. A `Registry` with no layer at all never frees a closed span's slot
    // (only the close guard that `Layered::try_close` opens removes it: tokio-rs/tracing#900), so its slab only grows.
    let registry = Dispatch::new(Registry::default().with(Identity::new()));
    g.case("registry", None, || {
        ::tracing::dispatcher::with_default(&registry, || one_span(black_box(4096)))
    });
    let (chrome, guard) = chrome_dispatch();
    g.case("chrome_layer", None, || {
        ::tracing::dispatcher::with_default(&chrome, || one_span(black_box(4096)))
    });
    g.finish();
    drop((registry, chrome, guard));

    // The whole merge sort (v3, a million numbers, 2 threads): about 1,500 spans per
    // sort.
    ::tracing::callsite::rebuild_interest_cache();
    let data = input(SORT_LEN, 42);
    let mut g = r.group("sort");
    g.slow();
    let plain = workshop::mergesort::pool(2).expect("cannot start a rayon thread pool");
    // Each call sorts a fresh copy and hands it back, so that it is freed outside the
    // timed region.
    g.case_batched(
        "v3_no_subscriber",
        Some("1000000"),
        || data.clone(),
        |mut v| {
            plain.install(|| v3(&mut v));
            v
        },
    );
    let (chrome, guard) = chrome_dispatch();
    let traced = pool_with_subscriber(2, chrome);
    g.case_batched(
        "v3_chrome_layer",
        Some("1000000"),
        || data.clone(),
        |mut v| {
            traced.install(|| v3(&mut v));
            v
        },
    );
    g.finish();
    drop((traced, guard));
}
// ANCHOR_END: cases

// ANCHOR: span_counter
/// A `Layer` that only counts the spans created: enough to test how many spans a
/// function opens, with `tracing::subscriber::with_default`.
#[derive(Clone, Default)]
pub struct SpanCounter(pub Arc<AtomicUsize>);

impl<S: ::tracing::Subscriber> Layer<S> for SpanCounter {
    fn on_new_span(&self, _: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}
// ANCHOR_END: span_counter

// ANCHOR: sequential_traced
/// The exercise's solution: the sequential merge sort, tagged with a `sort` span (its
/// length as a field) for every piece of at least `min_len` elements and with none
/// below, so that a trace shows the top of the recursion and stays small.
pub fn sequential_traced(s: &mut [i64], min_len: usize) {
    if s.len() <= 1 {
        return;
    }
    let _span = (s.len() >= min_len)
        .then(|| ::tracing::info_span!("sort", len = s.len()).entered());
    let middle = s.len() / 2;
    let (left, right) = s.split_at_mut(middle);
    sequential_traced(left, min_len);
    sequential_traced(right, min_len);
    merge(s, middle);
}
// ANCHOR_END: sequential_traced

#[cfg(test)]
mod tests {
    use super::*;
    use ::tracing_subscriber::layer::SubscriberExt;

    // ANCHOR: sequential_traced_test
    #[test]
    fn sequential_traced_sorts_and_opens_one_span_per_piece_above_min_len() {
        let counter = SpanCounter::default();
        let subscriber = Registry::default().with(counter.clone());
        ::tracing::subscriber::with_default(subscriber, || {
            // 2^16 elements, spans down to 2^11: pieces of 2^16, 2^15, ... 2^11 elements,
            // 1 + 2 + 4 + ... + 32 = 63 spans (a span per element would be 65,535).
            let mut data = input(1 << 16, 7);
            let mut expected = data.clone();
            expected.sort();
            sequential_traced(&mut data, 1 << 11);
            assert_eq!(data, expected);
        });
        assert_eq!(counter.0.load(Ordering::Relaxed), 63);
    }
    // ANCHOR_END: sequential_traced_test

    #[test]
    fn sequential_traced_handles_small_and_odd_inputs() {
        for len in [0, 1, 2, 3, 1000, 4097] {
            let mut data = input(len, 1);
            let mut expected = data.clone();
            expected.sort();
            sequential_traced(&mut data, 64);
            assert_eq!(data, expected, "len {len}");
        }
    }

    #[test]
    fn v3_opens_spans_only_above_the_cutoff() {
        let counter = SpanCounter::default();
        let dispatch = Dispatch::new(Registry::default().with(counter.clone()));
        let pool = pool_with_subscriber(2, dispatch);
        let mut data = input(1 << 16, 3);
        pool.install(|| v3(&mut data));
        assert!(data.is_sorted());
        // 2^16 / 2^11 = 32 sequential leaves, 31 sorts and 31 merges above them.
        assert_eq!(counter.0.load(Ordering::Relaxed), 32 + 31 + 31);
    }

    #[test]
    fn chrome_trace_reports_a_path_it_cannot_write() {
        let Err(err) = chrome_trace(Path::new("/nonexistent-dir/trace.json")) else {
            panic!("a trace in a directory that does not exist was installed");
        };
        assert!(err.contains("cannot write trace"), "{err}");
    }

    #[test]
    fn one_span_runs_with_every_subscriber() {
        one_span(1);
        let (chrome, guard) = chrome_dispatch();
        ::tracing::dispatcher::with_default(&chrome, || one_span(2));
        drop(guard);
    }
}
