//! State shared by all VUs of a run: the value `setup` returned, atomic counters, and a small
//! key/value store with expiry. It lives in the engine for the length of the run.
//!
//! Limits: names and keys up to 256 bytes, values up to 64 KiB, 10,000 counters, 100,000 live
//! keys. A call past one fails with a [`LimitError`] naming it and changes nothing.
//!
//! ```no_run
//! use horde_sdk::prelude::*;
//!
//! fn place_order() -> Result {
//!     http::post("/api/orders").json(&json!({ "item": 1 })).send()?;
//!     let placed = shared::counter_add("orders", 1)?;
//!     if placed % 1000 == 0 {
//!         info!("{placed} orders placed so far");
//!     }
//!     Ok(())
//! }
//! # let _ = place_order;
//! ```

use std::fmt;
use std::time::Duration;

use crate::wit::horde::scenario::shared as host;

/// A shared-state call went past a limit; the message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitError(pub String);

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitError {}

fn limit(e: host::SharedError) -> LimitError {
    match e {
        host::SharedError::Limit(m) => LimitError(m),
    }
}

fn ttl_ms(ttl: Option<Duration>) -> Option<u64> {
    ttl.map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX))
}

/// The bytes `setup` returned (empty without a setup). Every VU gets the same value.
///
/// ```no_run
/// let value = horde_sdk::shared::setup_value();
/// ```
pub fn setup_value() -> Vec<u8> {
    host::setup_value()
}

/// Setup's value as text (setup returned a `String`, say a token); invalid UTF-8 is replaced.
///
/// ```no_run
/// let token = horde_sdk::shared::setup_text();
/// horde_sdk::http::get("/api/users/me").bearer(&token).send()?;
/// # Ok::<(), horde_sdk::Error>(())
/// ```
pub fn setup_text() -> String {
    String::from_utf8_lossy(&host::setup_value()).into_owned()
}

/// Adds `delta` to the counter `name` (0 before its first use) and returns the new value.
/// Exact under contention: N VUs adding 1 M times make N x M.
///
/// ```no_run
/// let placed = horde_sdk::shared::counter_add("orders", 1)?;
/// # Ok::<(), horde_sdk::shared::LimitError>(())
/// ```
pub fn counter_add(name: &str, delta: i64) -> Result<i64, LimitError> {
    host::counter_add(name, delta).map_err(limit)
}

/// The current value of the counter `name` (0 if never added to).
///
/// ```no_run
/// let placed = horde_sdk::shared::counter_get("orders");
/// ```
pub fn counter_get(name: &str) -> i64 {
    host::counter_get(name)
}

/// The value under `key`, unless it is absent or expired.
///
/// ```no_run
/// if let Some(token) = horde_sdk::shared::get("admin-token") {
///     horde_sdk::info!("{} byte token", token.len());
/// }
/// ```
pub fn get(key: &str) -> Option<Vec<u8>> {
    host::get(key)
}

/// Stores `value` under `key`, replacing any value; it expires after `ttl` if given.
///
/// ```no_run
/// use std::time::Duration;
/// horde_sdk::shared::set("last-order", b"17", Some(Duration::from_secs(60)))?;
/// # Ok::<(), horde_sdk::shared::LimitError>(())
/// ```
pub fn set(key: &str, value: impl AsRef<[u8]>, ttl: Option<Duration>) -> Result<(), LimitError> {
    host::set(key, value.as_ref(), ttl_ms(ttl)).map_err(limit)
}

/// Stores `value` only if the current value equals `expected` (None: only if the key is
/// absent or expired); returns whether it stored. One VU wins a race to fill a key:
///
/// ```no_run
/// use horde_sdk::shared;
/// let mine = format!("vu-{}", horde_sdk::ctx::vu_id());
/// if shared::compare_and_swap("leader", None, &mine, None)? {
///     horde_sdk::info!("this VU leads");
/// }
/// # Ok::<(), shared::LimitError>(())
/// ```
pub fn compare_and_swap(
    key: &str,
    expected: Option<&[u8]>,
    value: impl AsRef<[u8]>,
    ttl: Option<Duration>,
) -> Result<bool, LimitError> {
    host::compare_and_swap(key, expected, value.as_ref(), ttl_ms(ttl)).map_err(limit)
}

/// Removes `key`; returns whether it held a live value.
///
/// ```no_run
/// horde_sdk::shared::delete("leader");
/// ```
pub fn delete(key: &str) -> bool {
    host::delete(key)
}
