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
