//! The solution of the Locks chapter's exercise (`src/techniques/locks.md`), shown only in its
//! collapsed Solution admonition. The exercise itself is `exercises/locks.rs`.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

// ANCHOR: memo_outside_lock
/// Looks up under the lock, releases it, computes, then locks again to insert. Two threads
/// that miss the same key at once may both compute it; the first value inserted wins, so
/// every caller sees the same value.
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
        if let Some(v) = self.map.lock().unwrap().get(key) {
            return v.clone();
        } // the guard is a temporary of the `if let`: released here
        let v = compute(key); // no lock held
        self.map
            .lock()
            .unwrap()
            .entry(key.clone())
            .or_insert(v)
            .clone()
    }

    /// Whether the lock is free right now (for the test).
    pub fn is_unlocked(&self) -> bool {
        self.map.try_lock().is_ok()
    }
}
// ANCHOR_END: memo_outside_lock

impl<K: Hash + Eq + Clone, V: Clone> Default for MemoOutsideLock<K, V> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::MemoOutsideLock;

    #[test]
    fn computes_outside_its_lock() {
        workshop::locks::check_memo(
            &MemoOutsideLock::new(),
            |memo, key, compute| memo.get_or_compute(key, compute),
            MemoOutsideLock::is_unlocked,
        );
    }
}
