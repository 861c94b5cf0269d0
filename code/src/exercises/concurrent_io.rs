//! The Concurrent I/O chapter's exercise (`src/techniques/concurrent-io.md`): write the
//! function below, then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::concurrent_io`. The book's solution is in
//! `solutions/concurrent_io.rs`; open it after you have tried.

// The parameters are unused until you write the body.
#![allow(unused_variables)]

use std::io;
use std::net::SocketAddr;

// ANCHOR: exercise
/// `n` requests (`workshop::concurrent_io::request`), each spawned into a `JoinSet`, never
/// more than `limit` of them running; the answers in request order.
pub async fn fetch_join_set_bounded(
    addr: SocketAddr,
    n: usize,
    limit: usize,
) -> io::Result<Vec<String>> {
    todo!("a JoinSet, and a tokio::sync::Semaphore with limit permits")
}

#[cfg(test)]
mod tests {
    #[test]
    #[ignore = "remove this line once fetch_join_set_bounded is written"]
    fn never_holds_more_connections_than_its_limit() {
        workshop::concurrent_io::check_bounded(super::fetch_join_set_bounded);
    }
}
// ANCHOR_END: exercise
