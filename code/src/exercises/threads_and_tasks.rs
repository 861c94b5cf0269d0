//! The Threads and tasks chapter's exercise (`src/tools/threads-and-tasks.md`): write the
//! function below, then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::threads_and_tasks`. The book's solution is in
//! `solutions/threads_and_tasks.rs`; open it after you have tried.

// The parameters are unused until you write the body.
#![allow(unused_variables)]

// ANCHOR: exercise
/// `workshop::threads_and_tasks::checksum(&data, rounds)`, computed on the rayon pool while
/// the task waits for the result without holding its worker thread.
pub async fn checksum_on_rayon(data: Vec<u8>, rounds: u32) -> u64 {
    todo!("rayon::spawn the work, and await a tokio::sync::oneshot channel")
}

#[cfg(test)]
mod tests {
    #[test]
    #[ignore = "remove this line once checksum_on_rayon is written"]
    fn offloading_keeps_the_worker_responsive() {
        workshop::threads_and_tasks::check_offloaded(super::checksum_on_rayon);
    }
}
// ANCHOR_END: exercise
