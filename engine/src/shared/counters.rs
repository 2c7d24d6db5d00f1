//! Named atomic counters: created under a shard's lock on first use, then added to with one
//! atomic operation, so N VUs adding M times each always make exactly N x M.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

use parking_lot::RwLock;

use super::{LimitError, MAX_COUNTERS, check_key};

const SHARDS: usize = 16;

#[derive(Default)]
pub struct Counters {
    shards: [RwLock<HashMap<String, Arc<AtomicI64>>>; SHARDS],
    count: AtomicUsize,
}

fn shard_of(name: &str) -> usize {
    // FxHash is fast and good enough to spread names over 16 shards.
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(name) as usize % SHARDS
}

impl Counters {
    /// Adds `delta` (wrapping at the i64 bounds) and returns the new value.
    pub fn add(&self, name: &str, delta: i64) -> Result<i64, LimitError> {
        check_key("the counter name", name)?;
        let shard = &self.shards[shard_of(name)];
        if let Some(counter) = shard.read().get(name) {
            return Ok(counter
                .fetch_add(delta, Ordering::Relaxed)
                .wrapping_add(delta));
        }
        let mut map = shard.write();
        if let Some(counter) = map.get(name) {
            return Ok(counter
                .fetch_add(delta, Ordering::Relaxed)
                .wrapping_add(delta));
        }
        if self.count.load(Ordering::Relaxed) >= MAX_COUNTERS {
            return Err(LimitError(format!(
                "{MAX_COUNTERS} counters exist already, the most a run may have"
            )));
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        map.insert(name.to_string(), Arc::new(AtomicI64::new(delta)));
        Ok(delta)
    }

    /// The counter's value; 0 if it was never added to.
    pub fn get(&self, name: &str) -> i64 {
        self.shards[shard_of(name)]
            .read()
            .get(name)
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// N threads adding 1 M times each to the same counters make exactly N x M.
    #[test]
    fn exact_under_contention() {
        let counters = Arc::new(Counters::default());
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let counters = counters.clone();
                std::thread::spawn(move || {
                    for i in 0..20_000 {
                        counters.add("orders", 1).unwrap();
                        counters.add(&format!("c{}", i % 50), 2).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(counters.get("orders"), 8 * 20_000);
        assert_eq!(counters.get("c7"), 8 * 2 * 20_000 / 50);
        assert_eq!(counters.get("never"), 0);
        assert_eq!(counters.add("orders", -160_000), Ok(0));
    }

    #[test]
    fn limits_are_enforced() {
        let counters = Counters::default();
        let long = "x".repeat(257);
        assert!(
            counters
                .add(&long, 1)
                .unwrap_err()
                .0
                .contains("limit is 256")
        );
        for i in 0..MAX_COUNTERS {
            counters.add(&i.to_string(), 1).unwrap();
        }
        assert!(
            counters
                .add("one-more", 1)
                .unwrap_err()
                .0
                .contains("10000 counters")
        );
        assert_eq!(counters.add("0", 1), Ok(2), "existing counters still count");
    }
}
