//! State all VUs of a run share: setup's value, atomic counters and a small key/value store
//! with expiry. Off the request path; each call takes at most one shard's lock for a map
//! lookup.

mod counters;
mod kv;

use std::sync::OnceLock;

pub use counters::Counters;
pub use kv::Store;

/// Longest counter name or key, in bytes.
pub const MAX_KEY_BYTES: usize = 256;
/// Largest value in the key/value store, in bytes.
pub const MAX_VALUE_BYTES: usize = 64 * 1024;
/// Most distinct counters in a run.
pub const MAX_COUNTERS: usize = 10_000;
/// Most live (unexpired) keys in the store.
pub const MAX_ENTRIES: usize = 100_000;
/// Largest value `setup` may return: every VU copies it into its memory.
pub const MAX_SETUP_VALUE_BYTES: usize = 16 << 20;

/// Why a call changed nothing: a limit, named in the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LimitError(pub String);

/// Checks a counter name or key against [`MAX_KEY_BYTES`].
fn check_key(what: &str, key: &str) -> Result<(), LimitError> {
    if key.len() > MAX_KEY_BYTES {
        return Err(LimitError(format!(
            "{what} is {} bytes; the limit is {MAX_KEY_BYTES}",
            key.len()
        )));
    }
    Ok(())
}

/// Everything shared by the VUs of one run.
#[derive(Default)]
pub struct SharedState {
    /// Set once, after `setup` returns and before any VU starts.
    pub setup_value: OnceLock<Vec<u8>>,
    pub counters: Counters,
    pub store: Store,
}

impl SharedState {
    /// Setup's value, or empty before setup ran (or without one).
    pub fn setup_value(&self) -> &[u8] {
        self.setup_value.get().map_or(&[], Vec::as_slice)
    }
}
