//! What a VU knows about its run, and the run's services: its id, time, randomness, `--env`
//! values, sleeping and logging.
//!
//! For logging, the macros [`trace!`](crate::trace), [`debug!`](crate::debug),
//! [`info!`](crate::info), [`warn!`](crate::warn) and [`error!`](crate::error) format like
//! `println!` and call [`log`].

use crate::wit::horde::scenario::context as host;
use crate::wit::horde::scenario::types::LogLevel;
use std::time::Duration;

/// This VU's number, from 1 to the number of VUs started so far. A VU restarted after a trap
/// keeps its number.
///
/// ```no_run
/// let user = format!("user{}", horde_sdk::ctx::vu_id());
/// ```
pub fn vu_id() -> u32 {
    host::vu_id()
}

/// How many tasks this VU started before the current one (0 in `on_start` and in its first
/// task).
///
/// ```no_run
/// if horde_sdk::ctx::iteration() % 100 == 0 {
///     horde_sdk::info!("100 more tasks done");
/// }
/// ```
pub fn iteration() -> u64 {
    host::iteration()
}

/// The value given on the command line with `--env KEY=VALUE`, if any.
///
/// ```no_run
/// let user = horde_sdk::ctx::env("USERNAME").unwrap_or_else(|| "testuser".into());
/// ```
pub fn env(key: &str) -> Option<String> {
    host::env(key)
}

/// Time since the run started.
///
/// ```no_run
/// if horde_sdk::ctx::elapsed() > std::time::Duration::from_secs(60) {
///     horde_sdk::info!("past the first minute");
/// }
/// ```
pub fn elapsed() -> Duration {
    Duration::from_micros(host::elapsed_us())
}

/// Wall-clock time in milliseconds since the Unix epoch (to check a token's expiry, say).
///
/// ```no_run
/// let expires_at_ms = horde_sdk::ctx::unix_time_ms() + 15 * 60 * 1000;
/// ```
pub fn unix_time_ms() -> u64 {
    host::unix_time_ms()
}

/// A random number from this VU's own generator, seeded from the run's `--seed`: a run with
/// the same seed draws the same numbers.
///
/// ```no_run
/// let coin = horde_sdk::ctx::random_u64() % 2 == 0;
/// ```
pub fn random_u64() -> u64 {
    host::random_u64()
}

/// A random number in `lo..hi` (`hi` excluded), from this VU's generator; `lo` if the range is
/// empty.
///
/// ```no_run
/// let order_id = horde_sdk::ctx::random_range(1, 1001); // 1 to 1000
/// let url = format!("/api/orders/{order_id}");
/// ```
pub fn random_range(lo: u64, hi: u64) -> u64 {
    if hi <= lo {
        return lo;
    }
    // Multiply-shift maps the 64 random bits onto the range with negligible bias.
    let span = u128::from(hi - lo);
    lo + ((u128::from(random_u64()) * span) >> 64) as u64
}

/// Pauses this VU (never the engine). Returns early when the run is stopping.
///
/// ```no_run
/// horde_sdk::ctx::sleep(std::time::Duration::from_millis(500));
/// ```
pub fn sleep(duration: Duration) {
    host::sleep(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX));
}

/// The severity of a log line.
///
/// ```no_run
/// horde_sdk::ctx::log(horde_sdk::ctx::Level::Warn, "slow login");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Very detailed tracing.
    Trace,
    /// Details for debugging a scenario.
    Debug,
    /// Normal progress.
    Info,
    /// Something unexpected that the VU survives.
    Warn,
    /// Something failed.
    Error,
}

/// Writes a line to the run's log, tagged with the VU id. The macros [`info!`](crate::info)
/// and friends call this with a formatted message.
///
/// ```no_run
/// use horde_sdk::ctx::{Level, log};
/// log(Level::Info, "Login successful, token acquired.");
/// ```
pub fn log(level: Level, message: &str) {
    let level = match level {
        Level::Trace => LogLevel::Trace,
        Level::Debug => LogLevel::Debug,
        Level::Info => LogLevel::Info,
        Level::Warn => LogLevel::Warn,
        Level::Error => LogLevel::Error,
    };
    host::log(level, message);
}

/// Logs pre-formatted arguments, without allocating when they are a plain string literal.
#[doc(hidden)]
pub fn log_fmt(level: Level, args: std::fmt::Arguments<'_>) {
    match args.as_str() {
        Some(s) => log(level, s),
        None => log(level, &std::fmt::format(args)),
    }
}
