//! Threads and tasks chapter: what a thread's stack costs in memory, read from the
//! kernel's own account (`/proc/self/smaps`).

use workshop::threads_and_tasks::spawned_thread_stack_kib;

// ANCHOR: thread_memory_test
#[test]
fn a_thread_reserves_its_stack_but_touches_little_of_it() {
    let Some((reserved, idle)) = spawned_thread_stack_kib(0) else {
        return; // no /proc/self/smaps: not Linux
    };
    let (_, busy) = spawned_thread_stack_kib(256).expect("read the stack just now");
    println!(
        "stack: {reserved} KiB reserved; {idle} KiB resident idle, {busy} after 256 KiB"
    );
    // A spawned thread's stack is 2 MiB unless RUST_MIN_STACK (or Builder::stack_size)
    // says otherwise, less the guard page, a mapping of its own. All of it is reserved
    // when the thread starts...
    if std::env::var_os("RUST_MIN_STACK").is_none() {
        assert!(reserved >= 2 * 1024 - 64, "reserved {reserved} KiB");
    }
    // ...but only the pages the thread has touched are backed by memory.
    assert!(idle * 8 < reserved, "{idle} KiB of {reserved} KiB resident");
    assert!(
        (256..reserved).contains(&busy),
        "{busy} KiB of {reserved} KiB resident"
    );
}
// ANCHOR_END: thread_memory_test
