//! A small key/value store with optional expiry, in 16 shards each behind its own lock. Expired
//! entries are dropped when touched, and swept from every shard when the store is full.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::{LimitError, MAX_ENTRIES, MAX_VALUE_BYTES, check_key};

const SHARDS: usize = 16;

struct Entry {
    value: Vec<u8>,
    expires: Option<Instant>,
}

impl Entry {
    fn live(&self, now: Instant) -> bool {
        self.expires.is_none_or(|at| now < at)
    }
}

#[derive(Default)]
pub struct Store {
    shards: [Mutex<HashMap<String, Entry>>; SHARDS],
    /// Entries held, live or expired but not yet dropped.
    count: AtomicUsize,
}

fn shard_of(key: &str) -> usize {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(key) as usize % SHARDS
}

fn check_value(value: &[u8]) -> Result<(), LimitError> {
    if value.len() > MAX_VALUE_BYTES {
        return Err(LimitError(format!(
            "the value is {} bytes; the limit is {MAX_VALUE_BYTES}",
            value.len()
        )));
    }
    Ok(())
}

impl Store {
    /// The live value under `key`.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let now = Instant::now();
        let mut map = self.shards[shard_of(key)].lock();
        match map.get(key) {
            Some(entry) if entry.live(now) => Some(entry.value.clone()),
            Some(_) => {
                map.remove(key);
                self.count.fetch_sub(1, Ordering::Relaxed);
                None
            }
            None => None,
        }
    }

    /// Stores `value` under `key`, replacing any value.
    pub fn set(&self, key: &str, value: Vec<u8>, ttl: Option<Duration>) -> Result<(), LimitError> {
        self.compare_and_swap_with(key, |_| true, value, ttl)
            .map(|_| ())
    }

    /// Stores `value` only if the live value equals `expected` (None: absent).
    pub fn compare_and_swap(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, LimitError> {
        self.compare_and_swap_with(key, |current| current == expected, value, ttl)
    }

    /// Removes `key`; whether it held a live value.
    pub fn delete(&self, key: &str) -> bool {
        let removed = self.shards[shard_of(key)].lock().remove(key);
        match removed {
            Some(entry) => {
                self.count.fetch_sub(1, Ordering::Relaxed);
                entry.live(Instant::now())
            }
            None => false,
        }
    }

    fn compare_and_swap_with(
        &self,
        key: &str,
        matches: impl Fn(Option<&[u8]>) -> bool,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, LimitError> {
        check_key("the key", key)?;
        check_value(&value)?;
        let now = Instant::now();
        let expires = ttl.map(|ttl| now + ttl);
        let shard = shard_of(key);
        let mut map = self.shards[shard].lock();
        let current = map
            .get(key)
            .filter(|e| e.live(now))
            .map(|e| e.value.as_slice());
        if !matches(current) {
            return Ok(false);
        }
        if let Some(entry) = map.get_mut(key) {
            entry.value = value;
            entry.expires = expires;
            return Ok(true);
        }
        if self.count.load(Ordering::Relaxed) >= MAX_ENTRIES {
            drop(map);
            self.sweep(now);
            map = self.shards[shard].lock();
            if self.count.load(Ordering::Relaxed) >= MAX_ENTRIES {
                return Err(LimitError(format!(
                    "the store holds {MAX_ENTRIES} live keys, its limit; delete keys or give them a TTL"
                )));
            }
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        map.insert(key.to_string(), Entry { value, expires });
        Ok(true)
    }

    /// Drops expired entries from every shard, one lock at a time.
    fn sweep(&self, now: Instant) {
        for shard in &self.shards {
            let mut map = shard.lock();
            let before = map.len();
            map.retain(|_, e| e.live(now));
            self.count.fetch_sub(before - map.len(), Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_cas_delete_and_expiry() {
        let store = Store::default();
        assert_eq!(store.get("token"), None);
        assert_eq!(
            store.compare_and_swap("token", None, b"a".to_vec(), None),
            Ok(true)
        );
        assert_eq!(
            store.compare_and_swap("token", None, b"b".to_vec(), None),
            Ok(false)
        );
        assert_eq!(
            store.compare_and_swap("token", Some(b"x"), b"b".to_vec(), None),
            Ok(false)
        );
        assert_eq!(
            store.compare_and_swap("token", Some(b"a"), b"b".to_vec(), None),
            Ok(true)
        );
        assert_eq!(store.get("token").as_deref(), Some(&b"b"[..]));
        store
            .set("short", b"v".to_vec(), Some(Duration::from_millis(20)))
            .unwrap();
        assert!(store.get("short").is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(store.get("short"), None);
        // An expired key counts as absent for compare-and-swap.
        store
            .set("short", b"v".to_vec(), Some(Duration::ZERO))
            .unwrap();
        assert_eq!(
            store.compare_and_swap("short", None, b"w".to_vec(), None),
            Ok(true)
        );
        assert!(store.delete("token"));
        assert!(!store.delete("token"));
    }

    #[test]
    fn limits_are_enforced_and_expired_keys_make_room() {
        let store = Store::default();
        let too_long = "k".repeat(257);
        assert!(
            store
                .set(&too_long, vec![], None)
                .unwrap_err()
                .0
                .contains("the key is 257 bytes")
        );
        let too_big = vec![0; MAX_VALUE_BYTES + 1];
        assert!(
            store
                .set("k", too_big, None)
                .unwrap_err()
                .0
                .contains("65537 bytes")
        );
        for i in 0..MAX_ENTRIES {
            let ttl = (i < 10).then_some(Duration::ZERO);
            store.set(&i.to_string(), vec![], ttl).unwrap();
        }
        // Ten of them have expired: room for ten more, then the store is full.
        for i in 0..10 {
            store.set(&format!("new{i}"), vec![], None).unwrap();
        }
        let full = store.set("one-more", vec![], None).unwrap_err();
        assert!(full.0.contains("100000 live keys"), "{}", full.0);
        store.set("5000", b"replaced".to_vec(), None).unwrap();
    }
}
