//! The solution of the Concurrent I/O chapter's exercise (`src/techniques/concurrent-io.md`),
//! shown only in its collapsed Solution admonition. The exercise itself is
//! `exercises/concurrent_io.rs`.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use workshop::concurrent_io::request;

// ANCHOR: semaphore
/// A `JoinSet` whose tasks must each hold one of `limit` permits (`limit` at least 1: with
/// none, nothing would ever run). The permit is acquired *before* the spawn, so there are
/// never more than `limit` tasks (and sockets), and moved into the task, which releases it as
/// soon as its request is done.
pub async fn fetch_join_set_bounded(
    addr: SocketAddr,
    n: usize,
    limit: usize,
) -> io::Result<Vec<String>> {
    assert!(limit > 0, "a limit of 0 requests at a time never finishes");
    let permits = Arc::new(Semaphore::new(limit));
    let mut tasks = JoinSet::new();
    for id in 0..n {
        let permit = Arc::clone(&permits)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        tasks.spawn(async move {
            let answer = request(addr, id).await;
            drop(permit);
            (id, answer)
        });
    }
    let mut answers = vec![String::new(); n];
    while let Some(finished) = tasks.join_next().await {
        let (id, answer) = finished.expect("a request task panicked");
        answers[id] = answer?;
    }
    Ok(answers)
}
// ANCHOR_END: semaphore

#[cfg(test)]
mod tests {
    #[test]
    fn never_holds_more_connections_than_its_limit() {
        workshop::concurrent_io::check_bounded(super::fetch_join_set_bounded);
    }
}
