//! Chapter "Tracing": `src/tools/tracing.md`. Bench: `benches/tracing.rs`. The traced
//! program is the merge sort (`workshop::mergesort`, `examples/mergesort.rs`); the
//! timelines are drawn by `cargo xtask figures tracing`.
//!
//! What a span costs: nothing worth measuring when no subscriber is installed, something
//! when one is — and how to keep the number of spans bounded.

use std::fs::File;
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use ::tracing::Dispatch;
use ::tracing::span::{Attributes, Id};
use ::tracing_chrome::{ChromeLayerBuilder, FlushGuard};
use ::tracing_subscriber::layer::{Context, Identity, Layer, SubscriberExt};
use ::tracing_subscriber::registry::{LookupSpan, Registry};
use ::tracing_subscriber::util::SubscriberInitExt;
use workshop::measure::{Group, Runner};
use workshop::mergesort::{input, v3};

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

// ANCHOR: traced_check
/// The exercise's check, for any sort with `sequential_traced`'s signature: it sorts, opens
/// exactly one `sort` span with a `len` field per piece of the recursion that has at least
/// `min_len` elements, and keeps each entered while its halves are sorted (so the spans nest
/// as deep as the recursion above `min_len` goes).
pub fn check_bounded_spans(sort: fn(&mut [i64], usize)) {
    for (len, min_len) in [(0, 64), (1, 64), (3, 2), (4097, 64), (1 << 16, 1 << 11)] {
        let mut data = input(len, 7);
        let mut expected = data.clone();
        expected.sort_unstable();
        let spans = SortSpans::default();
        let subscriber = Registry::default().with(spans.clone());
        ::tracing::subscriber::with_default(subscriber, || sort(&mut data, min_len));
        assert_eq!(data, expected, "{len} elements");
        let seen = *spans.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (pieces, levels) =
            (pieces_at_least(len, min_len), levels_at_least(len, min_len));
        assert_eq!(
            seen.created, pieces,
            "`sort` spans, {len} elements, from {min_len}"
        );
        assert_eq!(
            seen.deepest, levels,
            "nesting, {len} elements, from {min_len}"
        );
    }
}

/// Counts the `sort` spans that have a `len` field, and how deep the entered ones nest.
#[derive(Clone, Default)]
struct SortSpans(Arc<Mutex<SortStats>>);

#[derive(Clone, Copy, Default)]
struct SortStats {
    created: usize,
    depth: usize,
    deepest: usize,
}

impl<S> Layer<S> for SortSpans
where
    S: ::tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let meta = attrs.metadata();
        if meta.name() == "sort" && meta.fields().field("len").is_some() {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .created += 1;
        }
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if ctx.metadata(id).is_some_and(|meta| meta.name() == "sort") {
            let mut stats = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            stats.depth += 1;
            stats.deepest = stats.deepest.max(stats.depth);
        }
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, S>) {
        if ctx.metadata(id).is_some_and(|meta| meta.name() == "sort") {
            self.0.lock().unwrap_or_else(PoisonError::into_inner).depth -= 1;
        }
    }
}

/// How many pieces the merge sort's recursion cuts `len` elements into (`len` itself
/// included) that have at least `min_len` elements, and more than one.
fn pieces_at_least(len: usize, min_len: usize) -> usize {
    if len <= 1 || len < min_len {
        return 0;
    }
    let middle = len / 2;
    1 + pieces_at_least(middle, min_len) + pieces_at_least(len - middle, min_len)
}

/// How many levels of that recursion have such pieces.
fn levels_at_least(len: usize, min_len: usize) -> usize {
    if len <= 1 || len < min_len {
        return 0;
    }
    let middle = len / 2;
    1 + levels_at_least(middle, min_len).max(levels_at_least(len - middle, min_len))
}
// ANCHOR_END: traced_check

#[cfg(test)]
mod tests {
    use super::*;
    use ::tracing_subscriber::layer::SubscriberExt;

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
