//! Chapter "Profiling": `src/tools/profiling.md`. Bench: `benches/profiling.rs` (with a
//! flamegraph per benchmark under `--profile-time`). Programs: `examples/profile_is_gopher.rs`
//! (the chapter's flamegraphs) and `examples/profiling_endpoint.rs` (a live profiling
//! endpoint, Go's `net/http/pprof`). Test: `tests/profiling_endpoint.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::hint::black_box;
use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::thread;
use std::time::{Duration, Instant};

use ::regex::Regex;
use pprof::protos::Message as _;
use pprof::{ProfilerGuard, ProfilerGuardBuilder, Report};
use workshop::measure::{Group, Runner, Throughput};

pub const CHAPTER: &str = "profiling";

// ANCHOR: frequency
/// Samples per second of CPU time. pprof-rs samples on `SIGPROF` from `setitimer`, which the
/// kernel fires at most once per scheduler tick; on these machines asking for 1000 delivers
/// far fewer a second, each still counted as 1/1000 s, so the profile under-reports. 99 (or
/// 199) is within reach, and being just off a round number it does not fall into step with
/// work that repeats a hundred times a second. (Whatever the rate, samples that land in a
/// library of the [`BLOCKLIST`] are dropped too.)
pub const FREQUENCY: i32 = 99;
// ANCHOR_END: frequency

// ANCHOR: is_gopher_compile_per_call
/// The seed's `isGopher`, translated word for word: the regular expression is compiled
/// on every call, then used once and dropped.
pub fn is_gopher_compile_per_call(email: &str) -> Option<&str> {
    let re = Regex::new(r"^([[:alpha:]]+)@golang\.org$").unwrap();
    let caps = re.captures(email)?;
    caps.get(1).map(|name| name.as_str())
}
// ANCHOR_END: is_gopher_compile_per_call

// ANCHOR: is_gopher_compiled_once
/// Compiled on first use, then shared by every call and every thread.
static GOPHER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([[:alpha:]]+)@golang\.org$").unwrap());

pub fn is_gopher_compiled_once(email: &str) -> Option<&str> {
    let caps = GOPHER.captures(email)?;
    caps.get(1).map(|name| name.as_str())
}
// ANCHOR_END: is_gopher_compiled_once

/// The addresses the profiled loop checks: gophers and others, long and short.
pub const EMAILS: [&str; 4] = [
    "a@golang.org",
    "rob@golang.org",
    "someone.else@example.com",
    "gopher@golang.org.evil.example",
];

/// Which `is_gopher` to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    CompilePerCall,
    CompiledOnce,
}

impl Variant {
    pub const ALL: [Variant; 2] = [Variant::CompilePerCall, Variant::CompiledOnce];

    pub fn name(self) -> &'static str {
        match self {
            Variant::CompilePerCall => "compile_per_call",
            Variant::CompiledOnce => "compiled_once",
        }
    }

    pub fn parse(name: &str) -> Option<Variant> {
        Variant::ALL.into_iter().find(|v| v.name() == name)
    }

    pub fn check(self, email: &str) -> Option<&str> {
        match self {
            Variant::CompilePerCall => is_gopher_compile_per_call(email),
            Variant::CompiledOnce => is_gopher_compiled_once(email),
        }
    }
}

/// Calls `variant` over [`EMAILS`] until `duration` has passed; returns the number of calls.
pub fn check_emails_for(variant: Variant, duration: Duration) -> u64 {
    let start = Instant::now();
    let mut calls = 0;
    while start.elapsed() < duration {
        for email in EMAILS {
            black_box(variant.check(black_box(email)));
        }
        calls += EMAILS.len() as u64;
    }
    calls
}

// ANCHOR: profile
/// Libraries the signal handler must not unwind from: their code can hold locks the
/// unwinder needs (pprof-rs's own advice). pprof-rs *drops* a sample whose interrupted
/// instruction is in one of them, so time spent in `malloc`, `free`, `memcpy` (libc) or
/// `clock_gettime` (the vDSO) is missing from the profile.
pub const BLOCKLIST: &[&str] = &["libc", "libgcc", "pthread", "vdso"];

/// Runs `work` under pprof-rs's sampling profiler and returns its result with the profile.
pub fn profile<T>(
    frequency: i32,
    work: impl FnOnce() -> T,
) -> pprof::Result<(T, Report)> {
    profile_with_blocklist(frequency, BLOCKLIST, work)
}

pub fn profile_with_blocklist<T>(
    frequency: i32,
    blocklist: &[&str],
    work: impl FnOnce() -> T,
) -> pprof::Result<(T, Report)> {
    let guard = ProfilerGuardBuilder::default()
        .frequency(frequency)
        .blocklist(blocklist)
        .build()?;
    let result = work();
    let report = guard.report().build()?;
    Ok((result, report))
    // `guard` is dropped here: the timer stops and the profiler is free for the next user.
}
// ANCHOR_END: profile

// ANCHOR: write_profile
/// Writes the two outputs the chapter uses: a flamegraph (SVG, for people) and a pprof
/// protobuf (for `pprof -http=: file.pb` or `go tool pprof`).
pub fn write_profile(report: &Report, svg: &Path, pb: &Path) -> io::Result<()> {
    fs::write(svg, flamegraph_svg(report, "")?)?;
    fs::write(pb, pprof_protobuf(report)?)?;
    Ok(())
}

pub fn flamegraph_svg(report: &Report, title: &str) -> io::Result<Vec<u8>> {
    let mut options = pprof::flamegraph::Options::default();
    if !title.is_empty() {
        options.title = title.to_string();
    }
    // Leave out frames narrower than 0.2% of the width: they cannot be read anyway,
    // and they are most of a flamegraph's bytes.
    options.min_width = 0.2;
    let mut svg = Vec::new();
    report
        .flamegraph_with_options(&mut svg, &mut options)
        .map_err(io::Error::other)?;
    Ok(svg)
}

pub fn pprof_protobuf(report: &Report) -> io::Result<Vec<u8>> {
    let profile = report.pprof().map_err(io::Error::other)?;
    Ok(profile.encode_to_vec())
}
// ANCHOR_END: write_profile

// ANCHOR: samples_under
/// Counts the samples of a profile, and those with a frame whose name contains one of
/// `needles` somewhere on the stack (the function or anything it called).
pub fn samples_under(report: &Report, needles: &[&str]) -> (u64, u64) {
    let (mut all, mut under) = (0, 0);
    for (stack, &count) in &report.data {
        let count = count.max(0) as u64;
        all += count;
        let hit = stack
            .frames
            .iter()
            .flatten()
            .any(|symbol| needles.iter().any(|n| symbol.name().contains(n)));
        if hit {
            under += count;
        }
    }
    (all, under)
}

/// The frames of regular expression compilation: `Regex::new` and the builders and
/// parsers it calls.
pub const COMPILING_A_REGEX: &[&str] = &[
    "Regex::new",
    "regex::builders::",
    "regex_automata::meta::regex::Builder",
    "regex_syntax::",
];

/// The frames of the first search with a new `Regex`: it builds the search cache (the
/// lazy DFA's state tables) that a regex used many times builds once.
pub const CREATING_A_SEARCH_CACHE: &[&str] = &["create_cache"];
// ANCHOR_END: samples_under

// ---------------------------------------------------------------------------------------
// Attributing samples to a phase: the seed's `profiler-labels` example.

// ANCHOR: patterns
/// The five patterns of the seed's `profiler-labels` example, each with a name that fits a
/// Linux thread name (15 bytes at most; longer ones are cut).
pub const PATTERNS: [(&str, &str); 5] = [
    ("bracketed_index", r"^[a-z]+\[[0-9]+\]$"),
    ("foo_star", "foo.*"),
    ("foo_group", "foo(.?)"),
    ("foo_optional", "foo.?"),
    ("two_groups", "a(x*)b(y|z)c"),
];

/// One phase of the seed's shape: compile `pattern` (and drop it) `n` times.
pub fn compile_times(pattern: &str, n: u32) {
    for _ in 0..n {
        drop(black_box(
            Regex::new(black_box(pattern)).expect("a valid pattern"),
        ));
    }
}
// ANCHOR_END: patterns

/// Two parts of compiling a pattern that its profile shows: setting up the compiler of
/// Unicode classes (such as `.`) into UTF-8 byte sequences, and choosing a prefilter (a
/// fast literal search, here Teddy from aho-corasick) for the literals a match must contain.
pub const BUILDING_A_UTF8_COMPILER: &[&str] = &["Utf8Compiler::new"];
pub const CHOOSING_A_PREFILTER: &[&str] = &["prefilter::Choice::new"];

// ANCHOR: profile_each
/// One profile per phase. pprof-rs has one profiler per process and no labels, but phases
/// that run one after another can each have their own guard: every sample of a report is
/// then its phase's.
pub fn profile_each<P: Copy, T>(
    frequency: i32,
    blocklist: &[&str],
    phases: &[P],
    mut work: impl FnMut(P) -> T,
) -> pprof::Result<Vec<(T, Report)>> {
    phases
        .iter()
        .map(|&phase| profile_with_blocklist(frequency, blocklist, || work(phase)))
        .collect()
}
// ANCHOR_END: profile_each

// ANCHOR: on_named_threads
/// Runs each job on a thread of its own, named after its label, and returns their results
/// in order. pprof-rs reads the interrupted thread's name with every sample: a profile of
/// this run has each label at the root of its flamegraph tower and as the `thread` label
/// of its samples in the protobuf.
pub fn on_named_threads<T: Send>(
    jobs: impl IntoIterator<Item = (&'static str, impl FnOnce() -> T + Send)>,
) -> io::Result<Vec<T>> {
    thread::scope(|s| {
        let handles = jobs
            .into_iter()
            .map(|(label, job)| {
                thread::Builder::new()
                    .name(label.to_string())
                    .spawn_scoped(s, job)
            })
            .collect::<io::Result<Vec<_>>>()?;
        Ok(handles
            .into_iter()
            .map(|h| h.join().expect("a labelled job panicked"))
            .collect())
    })
}

/// Samples per thread name: the label view of a report (`go tool pprof -tags`).
pub fn samples_by_thread(report: &Report) -> BTreeMap<String, u64> {
    let mut by_thread = BTreeMap::new();
    for (stack, &count) in &report.data {
        *by_thread.entry(stack.thread_name_or_id()).or_default() += count.max(0) as u64;
    }
    by_thread
}
// ANCHOR_END: on_named_threads

/// CPU time this thread has used, from Linux's `/proc/thread-self/schedstat` (nanoseconds
/// on the CPU, its first field); 0 where that file does not exist.
pub fn thread_cpu_seconds() -> f64 {
    fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0.0, |ns| ns as f64 / 1e9)
}

// ---------------------------------------------------------------------------------------
// Criterion: a flamegraph per benchmark under `--profile-time`.

// ANCHOR: flamegraph_profiler
/// Criterion calls this around each benchmark when it runs with `--profile-time N`
/// (and never while it measures). pprof-rs ships an adapter of its own behind its
/// `criterion` feature, but for criterion 0.5; this is the same thing for criterion 0.8.
pub struct FlamegraphProfiler {
    frequency: i32,
    active: Option<ProfilerGuard<'static>>,
}

impl FlamegraphProfiler {
    pub fn new(frequency: i32) -> Self {
        FlamegraphProfiler {
            frequency,
            active: None,
        }
    }
}

impl criterion::profiler::Profiler for FlamegraphProfiler {
    fn start_profiling(&mut self, _benchmark_id: &str, _benchmark_dir: &Path) {
        match ProfilerGuard::new(self.frequency) {
            Ok(guard) => self.active = Some(guard),
            Err(e) => eprintln!("profiling: cannot start pprof: {e}"),
        }
    }

    /// `benchmark_dir` is `target/criterion/<benchmark id>/profile`.
    fn stop_profiling(&mut self, benchmark_id: &str, benchmark_dir: &Path) {
        let Some(guard) = self.active.take() else {
            return;
        };
        let written =
            guard
                .report()
                .build()
                .map_err(io::Error::other)
                .and_then(|report| {
                    fs::create_dir_all(benchmark_dir)?;
                    let svg = flamegraph_svg(&report, benchmark_id)?;
                    fs::write(benchmark_dir.join("flamegraph.svg"), svg)?;
                    fs::write(benchmark_dir.join("profile.pb"), pprof_protobuf(&report)?)
                });
        match written {
            Ok(()) => eprintln!("profiling: wrote {}", benchmark_dir.display()),
            Err(e) => eprintln!("profiling: {benchmark_id}: {e}"),
        }
    }
}
// ANCHOR_END: flamegraph_profiler

// ---------------------------------------------------------------------------------------
// The live endpoint: Go's net/http/pprof.

/// The longest profile the endpoint takes: a request holds a connection and the one
/// profiler for this long.
pub const MAX_SECONDS: u64 = 60;

pub const ENDPOINT_USAGE: &str = "usage: profiling_endpoint [--addr IP:PORT] [--allow-remote] [--no-workload] \
     (default --addr 127.0.0.1:6060)";

/// What the example program was asked to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointOptions {
    pub addr: SocketAddr,
    pub allow_remote: bool,
    pub workload: bool,
}

// ANCHOR: parse_endpoint_args
/// Reads the command line; an error is one line for stderr (the caller exits with 2).
pub fn parse_endpoint_args(
    args: impl IntoIterator<Item = String>,
) -> Result<EndpointOptions, String> {
    let mut options = EndpointOptions {
        addr: SocketAddr::from(([127, 0, 0, 1], 6060)),
        allow_remote: false,
        workload: true,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => {
                let value = args
                    .next()
                    .ok_or("--addr needs a value, e.g. 127.0.0.1:6060")?;
                options.addr = value.parse().map_err(|_| {
                    format!("--addr: {value:?} is not an IP:PORT address")
                })?;
            }
            "--allow-remote" => options.allow_remote = true,
            "--no-workload" => options.workload = false,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    // A profile shows a program's internals (function names, call structure, what it is
    // busy with), and each request makes the process sample itself for up to a minute:
    // nothing for strangers. Listening beyond this machine must be asked for by name.
    if !options.addr.ip().is_loopback() && !options.allow_remote {
        return Err(format!(
            "{} is not a loopback address; add --allow-remote to listen on it anyway",
            options.addr.ip()
        ));
    }
    Ok(options)
}
// ANCHOR_END: parse_endpoint_args

// ANCHOR: parse_seconds
/// `seconds=N` from the query string: a whole number from 1 to [`MAX_SECONDS`].
pub fn parse_seconds(query: &str) -> Result<u64, String> {
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("seconds="))
        .ok_or_else(|| {
            format!(
                "missing query parameter seconds (a whole number from 1 to {MAX_SECONDS})"
            )
        })?;
    match value.parse::<i64>() {
        Ok(n) if (1..=MAX_SECONDS as i64).contains(&n) => Ok(n as u64),
        Ok(n) => Err(format!("seconds must be from 1 to {MAX_SECONDS}, got {n}")),
        Err(_) => Err(format!(
            "seconds must be a whole number from 1 to {MAX_SECONDS}, got {value:?}"
        )),
    }
}
// ANCHOR_END: parse_seconds

/// A running endpoint: its address, and a way to stop it.
pub struct Endpoint {
    addr: SocketAddr,
    server: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
    threads: Vec<thread::JoinHandle<()>>,
}

impl Endpoint {
    /// Binds `addr` (port 0: any free port) and serves on a thread of its own; with
    /// `workload`, a second thread keeps checking e-mail addresses so that a profile has
    /// something to show. Does not check that `addr` is loopback: the caller decides.
    pub fn start(addr: SocketAddr, workload: bool) -> io::Result<Endpoint> {
        let server = tiny_http::Server::http(addr).map_err(io::Error::other)?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("not an IP listener"))?;
        let server = Arc::new(server);
        let stop = Arc::new(AtomicBool::new(false));
        let mut threads = Vec::new();
        let serving = Arc::clone(&server);
        threads.push(
            thread::Builder::new()
                .name("pprof-http".into())
                .spawn(move || serve(&serving))?,
        );
        if workload {
            let stop = Arc::clone(&stop);
            threads.push(
                thread::Builder::new()
                    .name("workload".into())
                    .spawn(move || run_workload(&stop))?,
            );
        }
        Ok(Endpoint {
            addr,
            server,
            stop,
            threads,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Blocks until the server stops (for the example program, that is forever).
    pub fn wait(self) {
        for t in self.threads {
            let _ = t.join();
        }
    }

    /// Stops accepting requests and ends the workload. A profile still being taken
    /// finishes on its own thread.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        self.server.unblock();
        self.wait();
    }
}

/// Half of one core, in bursts: a service that is busy but not saturated.
fn run_workload(stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        check_emails_for(Variant::CompilePerCall, Duration::from_millis(10));
        thread::sleep(Duration::from_millis(10));
    }
}

// ANCHOR: serve
fn serve(server: &tiny_http::Server) {
    // One profile at a time: pprof-rs has one profiler per process.
    let busy = Arc::new(AtomicBool::new(false));
    for request in server.incoming_requests() {
        let busy = Arc::clone(&busy);
        // A profile request takes seconds: answer each request on its own thread, so
        // that a second one is refused at once instead of waiting in line.
        let spawned = thread::Builder::new()
            .name("pprof-request".into())
            .spawn(move || handle(request, &busy));
        if let Err(e) = spawned {
            eprintln!("profiling_endpoint: cannot start a thread: {e}");
        }
    }
}

fn handle(request: tiny_http::Request, busy: &AtomicBool) {
    let url = request.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let kind = match path {
        "/debug/pprof/profile" => Kind::Protobuf,
        "/debug/pprof/flamegraph" => Kind::Flamegraph,
        "/debug/pprof" | "/debug/pprof/" => {
            return respond(request, 200, "text/plain", INDEX.as_bytes().to_vec());
        }
        _ => return respond(request, 404, "text/plain", b"not found\n".to_vec()),
    };
    if *request.method() != tiny_http::Method::Get {
        return respond(request, 405, "text/plain", b"use GET\n".to_vec());
    }
    let seconds = match parse_seconds(query) {
        Ok(s) => s,
        Err(message) => return respond(request, 400, "text/plain", line(message)),
    };
    // Take the profiler, or refuse: 409 Conflict, the resource is in use.
    if busy.swap(true, Ordering::AcqRel) {
        let message = "a profile is already being taken; try again when it finishes";
        return respond(request, 409, "text/plain", line(message.into()));
    }
    let result = take_profile(kind, Duration::from_secs(seconds));
    busy.store(false, Ordering::Release);
    match result {
        Ok((content_type, body)) => respond(request, 200, content_type, body),
        // Someone else in this process (not a request) holds the one profiler.
        Err(pprof::Error::Running) => {
            let message =
                "the profiler is in use elsewhere in this process; try again later";
            respond(request, 409, "text/plain", line(message.into()))
        }
        Err(e) => respond(request, 500, "text/plain", line(format!("profiling: {e}"))),
    }
}

fn take_profile(kind: Kind, seconds: Duration) -> pprof::Result<(&'static str, Vec<u8>)> {
    let ((), report) = profile(FREQUENCY, || thread::sleep(seconds))?;
    match kind {
        Kind::Protobuf => Ok(("application/octet-stream", pprof_protobuf(&report)?)),
        Kind::Flamegraph => {
            Ok(("image/svg+xml", flamegraph_svg(&report, "CPU profile")?))
        }
    }
}
// ANCHOR_END: serve

#[derive(Clone, Copy)]
enum Kind {
    Protobuf,
    Flamegraph,
}

const INDEX: &str = "\
/debug/pprof/profile?seconds=N     CPU profile, pprof protobuf (pprof -http=: file)
/debug/pprof/flamegraph?seconds=N  CPU profile, flamegraph SVG
N is a whole number from 1 to 60; one profile at a time.
";

fn line(mut message: String) -> Vec<u8> {
    message.push('\n');
    message.into_bytes()
}

fn respond(request: tiny_http::Request, status: u16, content_type: &str, body: Vec<u8>) {
    let header = tiny_http::Header::from_bytes("Content-Type", content_type)
        .expect("a valid header");
    let response = tiny_http::Response::from_data(body)
        .with_status_code(status)
        .with_header(header);
    // The client may have gone away; there is no one left to tell.
    let _ = request.respond(response);
}

// ---------------------------------------------------------------------------------------
// Exercise: find the hotspot.

// ANCHOR: distinct_words_vec
/// The exercise's starting point: the distinct words of a text, in order of first
/// appearance. Correct, and fine for a paragraph.
pub fn distinct_words_vec(text: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        let word = word.to_lowercase();
        if !seen.contains(&word) {
            seen.push(word);
        }
    }
    seen
}
// ANCHOR_END: distinct_words_vec

// ANCHOR: distinct_words_check
/// The exercise's test: `distinct` must agree with [`distinct_words_vec`] on the empty text,
/// one word, mixed case, extra spaces and a long generated text.
pub fn check_distinct_words(distinct: fn(&str) -> Vec<String>) {
    for text in [
        "",
        "one",
        "a b a B c",
        "  spaced   out  words out ",
        &word_text(500, 50),
    ] {
        assert_eq!(distinct(text), distinct_words_vec(text), "{text:?}");
    }
    assert_eq!(distinct("a b A c b"), ["a", "b", "c"]);
}
// ANCHOR_END: distinct_words_check

/// A text of `words` words with `distinct` different ones, deterministic.
pub fn word_text(words: usize, distinct: usize) -> String {
    let mut text = String::new();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..words {
        // A small xorshift: words repeat in no simple pattern.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if i > 0 {
            text.push(' ');
        }
        text.push_str(&format!("Word{}", x % distinct as u64));
    }
    text
}

// ANCHOR: cases
/// Everything the chapter measures.
pub fn cases<R: Runner>(r: &mut R) {
    let mut g = r.group("is_gopher");
    g.throughput(Throughput::Elements(1));
    for (param, email) in [("match", "rob@golang.org"), ("no_match", EMAILS[2])] {
        g.case("compile_per_call", Some(param), || {
            is_gopher_compile_per_call(black_box(email)).is_some()
        });
        g.case("compiled_once", Some(param), || {
            is_gopher_compiled_once(black_box(email)).is_some()
        });
    }
    g.finish();

    // The seed's profiler-labels shape, timed: which pattern costs most to compile.
    let mut g = r.group("compile_pattern");
    g.throughput(Throughput::Elements(1));
    for (name, pattern) in PATTERNS {
        g.case(name, None, || compile_times(black_box(pattern), 1));
    }
    g.finish();

    // The exercise's solution measures itself beside `distinct_words_vec`: its code lives in
    // its own file, so that this module (which the chapter shows whole, as hidden lines)
    // does not give it away.
    workshop::solutions::profiling::distinct_cases(r);
}
// ANCHOR_END: cases

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_is_gopher_agree() {
        for email in
            EMAILS
                .iter()
                .chain(&["", "@golang.org", "A@golang.org", "a@golangXorg"])
        {
            assert_eq!(
                is_gopher_compile_per_call(email),
                is_gopher_compiled_once(email),
                "{email:?}"
            );
        }
        assert_eq!(is_gopher_compiled_once("rob@golang.org"), Some("rob"));
        assert_eq!(is_gopher_compiled_once("a@golangXorg"), None);
    }

    #[test]
    fn pattern_names_fit_a_thread_name() {
        for (name, pattern) in PATTERNS {
            // Linux keeps 15 bytes of a thread's name; pprof-rs would show the cut one.
            assert!(name.len() <= 15, "{name}");
            assert!(Regex::new(pattern).is_ok(), "{pattern}");
        }
    }

    #[test]
    fn seconds_are_checked() {
        assert_eq!(parse_seconds("seconds=1"), Ok(1));
        assert_eq!(parse_seconds("x=2&seconds=60"), Ok(60));
        for bad in [
            "",
            "seconds=",
            "seconds=0",
            "seconds=-3",
            "seconds=61",
            "seconds=1.5",
        ] {
            assert!(parse_seconds(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn remote_addresses_need_the_flag() {
        let args = |a: &[&str]| parse_endpoint_args(a.iter().map(|s| s.to_string()));
        assert!(args(&[]).unwrap().addr.ip().is_loopback());
        assert!(args(&["--addr", "0.0.0.0:6060"]).is_err());
        assert!(args(&["--addr", "0.0.0.0:6060", "--allow-remote"]).is_ok());
        assert!(args(&["--addr", "[::1]:6060"]).is_ok());
        assert!(args(&["--addr"]).is_err());
        assert!(args(&["--addr", "localhost"]).is_err());
        assert!(args(&["--verbose"]).is_err());
    }
}
