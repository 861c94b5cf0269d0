//! What a stack overflow does to a Rust program (chapter "Stack and heap"): it is not a
//! panic that a test could catch, it aborts the whole process. So this test runs the
//! overflow in a child process — this same test binary, started again with an
//! environment variable that tells it to overflow — and checks how the child died.

use std::process::Command;

/// Set in the child: overflow instead of starting a child.
const CHILD_ENV: &str = "WORKSHOP_STACK_OVERFLOW_CHILD";

#[test]
fn stack_overflow_aborts_the_process() {
    if std::env::var_os(CHILD_ENV).is_some() {
        workshop::stack_and_heap::overflow_a_small_stack();
        unreachable!("the recursion should have overflowed its stack");
    }

    let this_test_binary = std::env::current_exe().expect("current_exe");
    let child = Command::new(this_test_binary)
        .args([
            "--exact",
            "stack_overflow_aborts_the_process",
            "--nocapture",
        ])
        .env(CHILD_ENV, "1")
        .output()
        .expect("cannot start the child process");
    let stderr = String::from_utf8_lossy(&child.stderr);

    assert!(
        !child.status.success(),
        "the child should have died: {stderr}"
    );
    // std's message names the thread (recent versions add its id in parentheses):
    // "thread 'deep_recursion' (1234) has overflowed its stack".
    let message = stderr
        .lines()
        .find(|line| line.contains("has overflowed its stack"))
        .unwrap_or_else(|| panic!("no overflow message in the child's stderr: {stderr}"));
    assert!(message.starts_with("thread 'deep_recursion'"), "{message}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        // SIGABRT: std aborts after printing the message; no destructor runs.
        assert_eq!(
            child.status.signal(),
            Some(6),
            "{:?}: {stderr}",
            child.status
        );
    }
}

/// Set in the child of the next test: box a large array on a small stack.
const BIG_BOX_CHILD_ENV: &str = "WORKSHOP_BIG_BOX_CHILD";

/// `Box::new([0; BIG])` builds the array on the stack before it copies it into the heap, so
/// on a stack smaller than the array it overflows. Only a debug build is sure to do that
/// copy (an optimized one usually writes the zeros straight into the allocation), hence the
/// `cfg`: this checks what a debug build does, not a promise about release builds.
#[cfg(debug_assertions)]
#[test]
fn box_new_of_a_big_array_overflows_a_small_stack() {
    if std::env::var_os(BIG_BOX_CHILD_ENV).is_some() {
        let first = std::thread::Builder::new()
            .name("big_box".into())
            .stack_size(1024 * 1024)
            .spawn(|| workshop::stack_and_heap::big_box_built_on_the_stack()[0])
            .expect("cannot spawn a thread")
            .join();
        unreachable!("the array should have overflowed the stack: {first:?}");
    }

    let child = Command::new(std::env::current_exe().expect("current_exe"))
        .args([
            "--exact",
            "box_new_of_a_big_array_overflows_a_small_stack",
            "--nocapture",
        ])
        .env(BIG_BOX_CHILD_ENV, "1")
        .output()
        .expect("cannot start the child process");
    let stderr = String::from_utf8_lossy(&child.stderr);
    assert!(
        stderr
            .lines()
            .any(|line| line.starts_with("thread 'big_box'")
                && line.contains("has overflowed its stack")),
        "no overflow of the big_box thread in the child's stderr: {stderr}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            child.status.signal(),
            Some(6),
            "{:?}: {stderr}",
            child.status
        );
    }
}
