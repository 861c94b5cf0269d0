//! The solution of the Threads and tasks chapter's exercise
//! (`src/tools/threads-and-tasks.md`), shown only in its collapsed Solution admonition. The
//! exercise itself is `exercises/threads_and_tasks.rs`.

use workshop::threads_and_tasks::checksum;

// ANCHOR: checksum_on_rayon
/// The work runs on the rayon pool, and the task waits for its result.
pub async fn checksum_on_rayon(data: Vec<u8>, rounds: u32) -> u64 {
    on_rayon(move || checksum(&data, rounds)).await
}

/// Runs `work` on rayon's global pool; the task waits on a oneshot channel, which holds no
/// thread while it waits. `rayon::spawn` has no caller to hand a panic back to, and with
/// no `panic_handler` set rayon aborts the process: so the job catches its own panic and
/// sends it over, and the waiting task panics with it (its `JoinHandle` reports it).
pub async fn on_rayon<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        // AssertUnwindSafe: the panic is not swallowed, it is raised again in the task.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        // The receiver is gone only if the task was cancelled: nothing to report to.
        let _ = send.send(result);
    });
    let result = receive
        .await
        .expect("the job always sends: it catches its panic");
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
// ANCHOR_END: checksum_on_rayon

#[cfg(test)]
mod tests {
    use super::*;
    use workshop::threads_and_tasks::{check_offloaded, tokio_runtime};

    #[test]
    fn offloading_keeps_the_worker_responsive() {
        check_offloaded(checksum_on_rayon);
    }

    // ANCHOR: rayon_panic_test
    #[test]
    fn a_panic_on_rayon_reaches_the_waiting_task() {
        let rt = tokio_runtime(1);
        let joined =
            rt.block_on(rt.spawn(on_rayon(|| -> u64 { panic!("the job failed") })));
        // The process is still alive, and the task that waited got the panic.
        let error = joined.expect_err("the task should have panicked");
        assert!(error.is_panic(), "{error:?}");
    }
    // ANCHOR_END: rayon_panic_test
}
