//! Server-side sessions for the demo target's cookie login, and the revoked-token set.
//!
//! Sessions are read on every cookie-authenticated request, so the map is split into shards
//! with their own lock; revocations are rare writes checked on every bearer request, so a
//! counter lets the common "nothing revoked" case skip the lock entirely.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::{Mutex, RwLock};

const SHARDS: usize = 16;

/// Live sessions: random 128-bit id -> username.
pub struct Sessions {
    shards: [RwLock<HashMap<u128, Arc<str>>>; SHARDS],
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions {
            shards: std::array::from_fn(|_| RwLock::default()),
        }
    }
}

impl Sessions {
    /// Starts a session and returns its cookie value (32 hex digits).
    pub fn create(&self, username: &str) -> String {
        let id = rand::random::<u128>();
        self.shard(id).write().insert(id, Arc::from(username));
        format!("{id:032x}")
    }

    /// The username behind a cookie value, if the session is live.
    pub fn get(&self, session_id: &str) -> Option<Arc<str>> {
        let id = parse_id(session_id)?;
        self.shard(id).read().get(&id).cloned()
    }

    /// Ends a session; false when it was not live.
    pub fn remove(&self, session_id: &str) -> bool {
        parse_id(session_id).is_some_and(|id| self.shard(id).write().remove(&id).is_some())
    }

    fn shard(&self, id: u128) -> &RwLock<HashMap<u128, Arc<str>>> {
        // The ids are uniformly random, so their low bits spread evenly.
        &self.shards[id as usize % SHARDS]
    }
}

fn parse_id(s: &str) -> Option<u128> {
    if s.len() != 32 {
        return None;
    }
    u128::from_str_radix(s, 16).ok()
}

/// Revoked token ids (`jti`), with each token's `exp` so expired entries can be dropped.
pub struct Revocations {
    /// Number of revoked ids; written under the lock, read without it.
    len: AtomicUsize,
    inner: Mutex<RevokedSet>,
    /// A lax gateway accepts expired tokens, so there an expired revocation still matters.
    keep_expired: bool,
}

#[derive(Default)]
struct RevokedSet {
    by_jti: HashMap<u128, i64>,
    /// Size at which expired entries are next swept; doubling keeps sweeps amortised O(1).
    sweep_at: usize,
}

const FIRST_SWEEP: usize = 1024;

impl Revocations {
    pub fn new(keep_expired: bool) -> Self {
        Revocations {
            len: AtomicUsize::new(0),
            inner: Mutex::new(RevokedSet {
                by_jti: HashMap::new(),
                sweep_at: FIRST_SWEEP,
            }),
            keep_expired,
        }
    }

    /// Revokes `jti` (which expires at `exp`); false if it was already revoked.
    pub fn revoke(&self, jti: u128, exp: i64, now: i64) -> bool {
        let mut set = self.inner.lock();
        let fresh = set.by_jti.insert(jti, exp).is_none();
        if !self.keep_expired && set.by_jti.len() >= set.sweep_at {
            set.by_jti.retain(|_, exp| *exp > now);
            set.sweep_at = (set.by_jti.len() * 2).max(FIRST_SWEEP);
        }
        // Release pairs with the Acquire in is_revoked: whoever sees the count sees the entry.
        self.len.store(set.by_jti.len(), Ordering::Release);
        fresh
    }

    pub fn is_revoked(&self, jti: u128) -> bool {
        if self.len.load(Ordering::Acquire) == 0 {
            return false;
        }
        self.inner.lock().by_jti.contains_key(&jti)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_live_until_removed() {
        let sessions = Sessions::default();
        let id = sessions.create("user7");
        assert_eq!(id.len(), 32);
        assert_eq!(sessions.get(&id).as_deref(), Some("user7"));
        assert!(sessions.remove(&id));
        assert!(!sessions.remove(&id));
        assert_eq!(sessions.get(&id), None);
        assert_eq!(sessions.get("not-a-session"), None);
    }

    #[test]
    fn revocations_sweep_only_expired_and_only_when_strict() {
        let strict = Revocations::new(false);
        assert!(!strict.is_revoked(1));
        assert!(strict.revoke(1, 100, 50));
        assert!(!strict.revoke(1, 100, 50));
        assert!(strict.is_revoked(1));
        for jti in 2..FIRST_SWEEP as u128 + 1 {
            strict.revoke(jti, 10, 50);
        }
        // The sweep at 1024 entries dropped everything expired at t=50 and kept jti 1.
        assert!(strict.is_revoked(1));
        assert!(!strict.is_revoked(2));

        let lax = Revocations::new(true);
        for jti in 1..FIRST_SWEEP as u128 + 1 {
            lax.revoke(jti, 10, 50);
        }
        assert!(lax.is_revoked(2));
    }
}
