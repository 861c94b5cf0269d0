//! Chapter "Concurrent I/O": `src/techniques/concurrent-io.md`. Bench:
//! `benches/concurrent_io.rs`.

use std::io::{self, BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use futures::stream::{self, StreamExt, TryStreamExt};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
use tokio::sync::oneshot;
use tokio::task::JoinSet;
use workshop::generated::anchored;
use workshop::measure::{Group, Runner};

pub const CHAPTER: &str = "concurrent_io";

/// How long the server waits before it answers a request: a stand-in for a database
/// query or a call to another service.
pub const LATENCY: Duration = Duration::from_millis(10);

/// How many independent requests each case makes.
pub const REQUESTS: usize = 16;

// ANCHOR: slow_server
/// A line server on 127.0.0.1 that answers every line after a fixed latency. It runs on
/// its own thread with a single-threaded tokio runtime: waiting costs it nothing, so it
/// serves any number of requests at once, and the only thing a client can change is
/// whether its own requests wait one after another.
pub struct SlowServer {
    addr: SocketAddr,
    stats: Arc<ConnectionStats>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// Requests the server is answering now (a line read, its answer not yet written), and the most
/// it ever answered at once. Counted per request rather than per open socket: a client that has
/// its answer closes the connection, but the server notices the close only when it next reads,
/// and by then a bounded client may have opened its next connection, so that a count of open
/// sockets could show one more than the client ever had waiting.
#[derive(Default)]
pub struct ConnectionStats {
    open: AtomicUsize,
    most: AtomicUsize,
}

impl SlowServer {
    /// Binds a free port (port 0: the kernel picks one) and starts serving.
    pub fn start(latency: Duration) -> io::Result<SlowServer> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let stats = Arc::new(ConnectionStats::default());
        let (stop, mut stopped) = oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let server_stats = Arc::clone(&stats);
        let thread = std::thread::Builder::new()
            .name("slow-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("a non-blocking listener, inside a runtime");
                    loop {
                        tokio::select! {
                            _ = &mut stopped => break,
                            accepted = listener.accept() => match accepted {
                                Ok((stream, _)) => {
                                    let stats = Arc::clone(&server_stats);
                                    tokio::spawn(answer(stream, latency, stats));
                                }
                                // Out of file descriptors, for example: back off
                                // instead of spinning on the error.
                                Err(_) => tokio::time::sleep(LATENCY).await,
                            },
                        }
                    }
                });
                // Dropping the runtime here cancels the connections still open.
            })?;
        Ok(SlowServer {
            addr,
            stats,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The most connections the server has been answering at the same time (each of the
    /// chapter's connections carries one request; see [`ConnectionStats`]).
    pub fn most_connections_at_once(&self) -> usize {
        self.stats.most.load(Ordering::SeqCst)
    }
}

/// Stopping is part of the server: a bench group or a test that drops it leaves no
/// thread and no listening port behind.
impl Drop for SlowServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn answer(
    stream: tokio::net::TcpStream,
    latency: Duration,
    stats: Arc<ConnectionStats>,
) {
    let (read, mut write) = stream.into_split();
    let mut lines = tokio::io::BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let open = stats.open.fetch_add(1, Ordering::SeqCst) + 1;
        stats.most.fetch_max(open, Ordering::SeqCst);
        tokio::time::sleep(latency).await;
        // Before the answer is written: the client can start its next request only after it.
        stats.open.fetch_sub(1, Ordering::SeqCst);
        if write
            .write_all(format!("{line}: done\n").as_bytes())
            .await
            .is_err()
        {
            break;
        }
    }
}
// ANCHOR_END: slow_server

// ANCHOR: request
/// One request: connect, send a line, wait for the answer. Almost all of its time is
/// spent waiting for the server, with nothing for this thread to do.
pub async fn request(addr: SocketAddr, id: usize) -> io::Result<String> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    write
        .write_all(format!("request {id}\n").as_bytes())
        .await?;
    let mut answer = String::new();
    tokio::io::BufReader::new(read)
        .read_line(&mut answer)
        .await?;
    answer.truncate(answer.trim_end().len());
    Ok(answer)
}
// ANCHOR_END: request

// ANCHOR: sequential
/// Each request starts when the previous one has finished: `n` latencies in a row.
pub async fn fetch_sequential(addr: SocketAddr, n: usize) -> io::Result<Vec<String>> {
    let mut answers = Vec::with_capacity(n);
    for id in 0..n {
        answers.push(request(addr, id).await?);
    }
    Ok(answers)
}
// ANCHOR_END: sequential

// ANCHOR: join_all
/// All requests at once, on the current task: `join_all` polls every future in turn, so
/// all of them wait for their answers at the same time. No thread, no spawn.
pub async fn fetch_join_all(addr: SocketAddr, n: usize) -> io::Result<Vec<String>> {
    let requests = (0..n).map(|id| request(addr, id));
    futures::future::join_all(requests)
        .await
        .into_iter()
        .collect()
}
// ANCHOR_END: join_all

// ANCHOR: join_set
/// All requests at once, each spawned as its own task: on a multi-threaded runtime they
/// may run on several threads, and a task that panics does not take the others down.
/// Answers arrive in the order they finish, so each task returns its id with its answer.
pub async fn fetch_join_set(addr: SocketAddr, n: usize) -> io::Result<Vec<String>> {
    let mut tasks = JoinSet::new();
    for id in 0..n {
        tasks.spawn(async move { (id, request(addr, id).await) });
    }
    let mut answers = vec![String::new(); n];
    while let Some(finished) = tasks.join_next().await {
        let (id, answer) = finished.expect("a request task panicked");
        answers[id] = answer?;
    }
    Ok(answers)
}
// ANCHOR_END: join_set

// ANCHOR: buffer_unordered
/// At most `limit` requests in flight: `buffer_unordered` starts the next one only when
/// one has finished. `n` requests take about `n / limit` latencies.
pub async fn fetch_bounded(
    addr: SocketAddr,
    n: usize,
    limit: usize,
) -> io::Result<Vec<String>> {
    let mut answers: Vec<(usize, String)> = stream::iter(0..n)
        .map(|id| async move { Ok::<_, io::Error>((id, request(addr, id).await?)) })
        .buffer_unordered(limit)
        .try_collect()
        .await?;
    answers.sort_unstable_by_key(|&(id, _)| id);
    Ok(answers.into_iter().map(|(_, answer)| answer).collect())
}
// ANCHOR_END: buffer_unordered

// ANCHOR: bound_check
/// The exercise's check, for any strategy with `fetch_bounded`'s signature: every answer
/// arrives, in order; the server never holds more than `limit` connections at once; and the
/// runtime never has more than `limit` tasks alive besides the one that watches it (a strategy
/// that spawns every request at once and bounds only the sockets does not pass).
pub fn check_bounded<F, Fut>(fetch: F)
where
    F: Fn(SocketAddr, usize, usize) -> Fut,
    Fut: std::future::Future<Output = io::Result<Vec<String>>>,
{
    let rt = client_runtime();
    for (n, limit) in [(0, 2), (1, 2), (12, 1), (12, 3)] {
        let server = SlowServer::start(Duration::from_millis(5)).expect("a server");
        let (answers, most_tasks) = rt.block_on(async {
            // Polled between the fetch's own steps (one thread): yields, and notes the count.
            let most = Arc::new(AtomicUsize::new(0));
            let watcher = tokio::spawn({
                let most = Arc::clone(&most);
                async move {
                    loop {
                        let alive = tokio::runtime::Handle::current()
                            .metrics()
                            .num_alive_tasks();
                        most.fetch_max(alive, Ordering::Relaxed);
                        tokio::task::yield_now().await;
                    }
                }
            });
            let answers = fetch(server.addr(), n, limit).await;
            watcher.abort();
            (answers, most.load(Ordering::Relaxed))
        });
        let expected: Vec<String> =
            (0..n).map(|id| format!("request {id}: done")).collect();
        let answers = answers.expect("answers");
        assert_eq!(answers, expected, "{n} requests, at most {limit} at a time");
        let most = server.most_connections_at_once();
        assert!(most <= limit, "{most} connections at once, limit {limit}");
        let tasks = most_tasks.saturating_sub(1);
        assert!(tasks <= limit, "{tasks} tasks alive at once, limit {limit}");
    }
}
// ANCHOR_END: bound_check

// ANCHOR: blocking
/// The same request with blocking std sockets: the calling thread sleeps in `read` until
/// the answer arrives.
pub fn request_blocking(addr: SocketAddr, id: usize) -> io::Result<String> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    writeln!(stream, "request {id}")?;
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer)?;
    answer.truncate(answer.trim_end().len());
    Ok(answer)
}

pub fn fetch_blocking_sequential(addr: SocketAddr, n: usize) -> io::Result<Vec<String>> {
    (0..n).map(|id| request_blocking(addr, id)).collect()
}

/// One thread per request. Scoped threads may borrow from the caller and are all joined
/// before `scope` returns; a thread costs a stack and a system call or two to start,
/// which is small next to a network round trip but adds up for thousands of requests.
pub fn fetch_scoped_threads(addr: SocketAddr, n: usize) -> io::Result<Vec<String>> {
    std::thread::scope(|scope| {
        let threads: Vec<_> = (0..n)
            .map(|id| scope.spawn(move || request_blocking(addr, id)))
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().expect("a request thread panicked"))
            .collect()
    })
}
// ANCHOR_END: blocking

// ANCHOR: open_files_limit
/// The soft limit on open file descriptors of this process (`ulimit -n`), read from
/// `/proc/self/limits` (Linux). Every socket in flight holds one; past the limit,
/// `connect` fails with "Too many open files" (EMFILE).
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
// ANCHOR_END: open_files_limit

/// A single-threaded tokio runtime for the clients: concurrency without parallelism, so
/// that what the cases show is overlapped waiting, not extra cores.
pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

// ANCHOR: cases
/// Every comparison the chapter shows: `REQUESTS` requests to a server that answers each
/// after `LATENCY`. The server is started here and stopped when `server` is dropped, at
/// the end of this function.
pub fn cases<R: Runner>(r: &mut R) {
    let server = SlowServer::start(LATENCY).expect("a server on 127.0.0.1");
    let addr = server.addr();
    let rt = client_runtime();
    let n = REQUESTS;
    let label = n.to_string();
    let label = Some(label.as_str());

    let mut g = r.group("requests");
    g.slow();
    g.case("sequential", label, || {
        rt.block_on(fetch_sequential(addr, n))
    });
    g.case("join_all", label, || rt.block_on(fetch_join_all(addr, n)));
    g.case("join_set", label, || rt.block_on(fetch_join_set(addr, n)));
    g.case("blocking_sequential", label, || {
        fetch_blocking_sequential(addr, n)
    });
    g.case("scoped_threads", label, || fetch_scoped_threads(addr, n));
    g.finish();

    // The same requests, at most `limit` at a time.
    let mut g = r.group("bounded");
    g.slow();
    for limit in [2, 4, 8, 16] {
        let name = format!("buffer_unordered_{limit}");
        g.case(&name, label, || rt.block_on(fetch_bounded(addr, n, limit)));
    }
    g.case("semaphore_join_set_4", label, || {
        rt.block_on(workshop::solutions::concurrent_io::fetch_join_set_bounded(
            addr, n, 4,
        ))
    });
    g.finish();
}
// ANCHOR_END: cases

/// Where the generated table of limits lives, relative to `code/`.
pub const LIMITS_FILE: &str = "../src/generated/concurrent_io_limits.md";

/// The generated table: this machine's `ulimit -n`, and the most connections the server
/// held at once for each strategy (with a latency long enough that every request of an
/// unbounded strategy is certainly open at the same time).
pub fn limits_file() -> io::Result<String> {
    let rt = client_runtime();
    let n = 32;
    let mut rows = String::new();
    let strategies = [
        "sequential",
        "join_all",
        "buffer_unordered(8)",
        "semaphore_join_set(8)",
    ];
    for name in strategies {
        let server = SlowServer::start(Duration::from_millis(50))?;
        let addr = server.addr();
        let answers = match name {
            "sequential" => rt.block_on(fetch_sequential(addr, n))?,
            "join_all" => rt.block_on(fetch_join_all(addr, n))?,
            "buffer_unordered(8)" => rt.block_on(fetch_bounded(addr, n, 8))?,
            _ => rt.block_on(
                workshop::solutions::concurrent_io::fetch_join_set_bounded(addr, n, 8),
            )?,
        };
        assert_eq!(answers.len(), n);
        rows.push_str(&format!(
            "| `{name}` | {n} | {} |\n",
            server.most_connections_at_once()
        ));
    }
    let limit = open_files_limit().map_or("unknown".to_string(), |l| l.to_string());
    let connections = format!(
        "| strategy | requests | most connections open at the server at once |\n\
         | :-- | --: | --: |\n{rows}\n\
         *Counted by the server (`SlowServer::most_connections_at_once`), 50 ms latency.*\n"
    );
    let ulimit = format!(
        "| open file descriptors allowed per process (`ulimit -n`, soft limit) |\n\
         | --: |\n| {limit} |\n\n\
         *Read by `open_files_limit()` on the machine that ran the tables of this chapter.*\n"
    );
    Ok(format!(
        "<!-- Generated by `UPDATE_GENERATED=1 cargo test -p workshop --lib concurrent_io` \
         from code/src/concurrent_io.rs (limits_file). Do not edit. -->\n\n{}\n{}",
        anchored("connections", &connections),
        anchored("ulimit", &ulimit)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(n: usize) -> Vec<String> {
        (0..n).map(|id| format!("request {id}: done")).collect()
    }

    // ANCHOR: same_answers
    #[test]
    fn every_strategy_gets_every_answer_in_order() {
        let server = SlowServer::start(Duration::from_millis(1)).unwrap();
        let addr = server.addr();
        let rt = client_runtime();
        for n in [0, 1, 5] {
            assert_eq!(rt.block_on(fetch_sequential(addr, n)).unwrap(), expected(n));
            assert_eq!(rt.block_on(fetch_join_all(addr, n)).unwrap(), expected(n));
            assert_eq!(rt.block_on(fetch_join_set(addr, n)).unwrap(), expected(n));
            assert_eq!(rt.block_on(fetch_bounded(addr, n, 2)).unwrap(), expected(n));
            assert_eq!(fetch_blocking_sequential(addr, n).unwrap(), expected(n));
            assert_eq!(fetch_scoped_threads(addr, n).unwrap(), expected(n));
        }
    }
    // ANCHOR_END: same_answers

    #[test]
    fn buffer_unordered_never_holds_more_connections_than_its_limit() {
        check_bounded(fetch_bounded);
    }

    #[test]
    fn dropping_the_server_frees_its_port() {
        let server = SlowServer::start(LATENCY).unwrap();
        let addr = server.addr();
        drop(server);
        assert!(std::net::TcpStream::connect(addr).is_err());
        assert!(open_files_limit().is_some_and(|l| l > 0));
    }

    /// The table of limits in the book is this code's output on the measuring machine;
    /// `UPDATE_GENERATED=1` rewrites it. It depends on the machine, so otherwise the test
    /// only checks that it exists.
    #[test]
    fn generated_limits_table_exists() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(LIMITS_FILE);
        if std::env::var_os("UPDATE_GENERATED").is_some() {
            std::fs::write(&path, limits_file().unwrap()).unwrap();
        }
        let found = std::fs::read_to_string(&path).unwrap_or_default();
        let region = anchored("ulimit", "");
        let start = region.lines().next().unwrap_or_default();
        assert!(found.contains(start), "{} is missing", path.display());
    }
}
