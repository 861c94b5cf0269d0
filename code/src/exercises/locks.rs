//! The Locks chapter's exercise (`src/techniques/locks.md`): write `get_or_compute` below,
//! then remove the `#[ignore]` line of its test and run
//! `cargo test -p workshop --lib exercises::locks`. The book's solution is in
//! `solutions/locks.rs`; open it after you have tried.

// The parameters are unused until you write the body.
#![allow(unused_variables)]

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

// ANCHOR: exercise
/// `MemoInsideLock`'s table, whose `get_or_compute` holds the lock only to look up and to
/// insert, never while `compute` runs.
pub struct MemoOutsideLock<K, V> {
    map: Mutex<HashMap<K, V>>,
}

impl<K: Hash + Eq + Clone, V: Clone> MemoOutsideLock<K, V> {
    pub fn new() -> Self {
        MemoOutsideLock {
            map: Mutex::new(HashMap::new()),
        }
    }

    pub fn get_or_compute(&self, key: &K, compute: impl FnOnce(&K) -> V) -> V {
        todo!("look up under the lock, compute without it, insert under it")
    }

    /// Whether the lock is free right now (for the test).
    pub fn is_unlocked(&self) -> bool {
        self.map.try_lock().is_ok()
    }
}

impl<K: Hash + Eq + Clone, V: Clone> Default for MemoOutsideLock<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::MemoOutsideLock;

    #[test]
    #[ignore = "remove this line once get_or_compute is written"]
    fn computes_outside_its_lock() {
        workshop::locks::check_memo(
            &MemoOutsideLock::new(),
            |memo, key, compute| memo.get_or_compute(key, compute),
            MemoOutsideLock::is_unlocked,
        );
    }
}
// ANCHOR_END: exercise
