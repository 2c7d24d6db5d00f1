//! Checks and custom metrics: what a scenario measures besides its requests.
//!
//! A [`check`] records whether a condition about the system under test held; checks are
//! counted per name (passes, fails, rate) and form k6's `checks` metric, which thresholds can
//! use (`checks{check:token is rejected}: rate==1`). A failed check does not fail the request
//! or the task.
//!
//! Custom metrics are declared once, as constants, and recorded anywhere:
//!
//! ```no_run
//! use horde_sdk::metrics::{Counter, Trend};
//!
//! const ORDERS_CREATED: Counter = Counter::new("orders_created");
//! const CART_SIZE: Trend = Trend::new("cart_size");
//!
//! fn checkout(items: usize) {
//!     ORDERS_CREATED.add(1.0);
//!     CART_SIZE.add_tagged(items as f64, &[("shop", "eu")]);
//! }
//! # checkout(3);
//! ```
//!
//! Names are ASCII letters, digits and `_` (at most 128, not starting with a digit) and not one
//! of k6's built-in names; tags are at most 8 `(key, value)` pairs per call. A misuse records
//! nothing and shows in the run's error report under `METRIC`.

use crate::wit::horde::scenario::metrics as host;

fn owned(tags: &[(&str, &str)]) -> Vec<(String, String)> {
    tags.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Records a check named `name` that passed when `ok`, and returns `ok`.
///
/// ```no_run
/// use horde_sdk::prelude::*;
///
/// fn expired_token(token: &str) -> Result {
///     let r = http::get("/api/users/me").bearer(token).expect(&[200, 401]).send()?;
///     check("expired token is rejected", r.status() == 401);
///     Ok(())
/// }
/// # let _ = expired_token;
/// ```
pub fn check(name: &str, ok: bool) -> bool {
    host::check(name, ok, &[])
}

/// [`check`] with tags, such as `&[("token", "expired")]`.
///
/// ```no_run
/// let status = 401;
/// horde_sdk::metrics::check_tagged("rejected", status == 401, &[("token", "expired")]);
/// ```
pub fn check_tagged(name: &str, ok: bool, tags: &[(&str, &str)]) -> bool {
    host::check(name, ok, &owned(tags))
}

/// A sum, reported with its rate per second (k6's `Counter`).
///
/// ```no_run
/// const LOGINS: horde_sdk::metrics::Counter = horde_sdk::metrics::Counter::new("logins");
/// LOGINS.add(1.0);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Counter {
    name: &'static str,
}

impl Counter {
    /// Names a counter; nothing is recorded until [`Counter::add`].
    ///
    /// ```
    /// const ERRORS: horde_sdk::metrics::Counter = horde_sdk::metrics::Counter::new("app_errors");
    /// assert_eq!(ERRORS.name(), "app_errors");
    /// ```
    pub const fn new(name: &'static str) -> Self {
        Self { name }
    }

    /// The counter's name.
    ///
    /// ```
    /// assert_eq!(horde_sdk::metrics::Counter::new("n").name(), "n");
    /// ```
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Adds `value` to the counter.
    ///
    /// ```no_run
    /// horde_sdk::metrics::Counter::new("bytes_uploaded").add(512.0);
    /// ```
    pub fn add(&self, value: f64) {
        host::counter_add(self.name, value, &[]);
    }

    /// Adds `value` to the counter's series with these tags.
    ///
    /// ```no_run
    /// horde_sdk::metrics::Counter::new("orders").add_tagged(1.0, &[("kind", "express")]);
    /// ```
    pub fn add_tagged(&self, value: f64, tags: &[(&str, &str)]) {
        host::counter_add(self.name, value, &owned(tags));
    }
}

/// The last value set, with the smallest and largest (k6's `Gauge`).
///
/// ```no_run
/// const QUEUE: horde_sdk::metrics::Gauge = horde_sdk::metrics::Gauge::new("queue_depth");
/// QUEUE.set(12.0);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Gauge {
    name: &'static str,
}

impl Gauge {
    /// Names a gauge.
    ///
    /// ```
    /// const G: horde_sdk::metrics::Gauge = horde_sdk::metrics::Gauge::new("pool_size");
    /// assert_eq!(G.name(), "pool_size");
    /// ```
    pub const fn new(name: &'static str) -> Self {
        Self { name }
    }

    /// The gauge's name.
    ///
    /// ```
    /// assert_eq!(horde_sdk::metrics::Gauge::new("g").name(), "g");
    /// ```
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Sets the gauge to `value`.
    ///
    /// ```no_run
    /// horde_sdk::metrics::Gauge::new("items_in_cart").set(3.0);
    /// ```
    pub fn set(&self, value: f64) {
        host::gauge_set(self.name, value, &[]);
    }

    /// Sets the gauge's series with these tags.
    ///
    /// ```no_run
    /// horde_sdk::metrics::Gauge::new("stock").set_tagged(40.0, &[("sku", "A-1")]);
    /// ```
    pub fn set_tagged(&self, value: f64, tags: &[(&str, &str)]) {
        host::gauge_set(self.name, value, &owned(tags));
    }
}

/// The share of samples that were true (k6's `Rate`).
///
/// ```no_run
/// const CACHE_HIT: horde_sdk::metrics::Rate = horde_sdk::metrics::Rate::new("cache_hit");
/// CACHE_HIT.add(true);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    name: &'static str,
}

impl Rate {
    /// Names a rate.
    ///
    /// ```
    /// const R: horde_sdk::metrics::Rate = horde_sdk::metrics::Rate::new("retries");
    /// assert_eq!(R.name(), "retries");
    /// ```
    pub const fn new(name: &'static str) -> Self {
        Self { name }
    }

    /// The rate's name.
    ///
    /// ```
    /// assert_eq!(horde_sdk::metrics::Rate::new("r").name(), "r");
    /// ```
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Adds one sample.
    ///
    /// ```no_run
    /// horde_sdk::metrics::Rate::new("token_reused").add(false);
    /// ```
    pub fn add(&self, value: bool) {
        host::rate_add(self.name, value, &[]);
    }

    /// Adds one sample to the series with these tags.
    ///
    /// ```no_run
    /// horde_sdk::metrics::Rate::new("hit").add_tagged(true, &[("tier", "edge")]);
    /// ```
    pub fn add_tagged(&self, value: bool, tags: &[(&str, &str)]) {
        host::rate_add(self.name, value, &owned(tags));
    }
}

/// A distribution (min, average, median, percentiles, max), like response times (k6's
/// `Trend`). Values from 0 to 1e9, kept to 3 significant digits.
///
/// ```no_run
/// const TTFB: horde_sdk::metrics::Trend = horde_sdk::metrics::Trend::new("ttfb_ms");
/// TTFB.add(12.5);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Trend {
    name: &'static str,
}

impl Trend {
    /// Names a trend.
    ///
    /// ```
    /// const T: horde_sdk::metrics::Trend = horde_sdk::metrics::Trend::new("payload_kb");
    /// assert_eq!(T.name(), "payload_kb");
    /// ```
    pub const fn new(name: &'static str) -> Self {
        Self { name }
    }

    /// The trend's name.
    ///
    /// ```
    /// assert_eq!(horde_sdk::metrics::Trend::new("t").name(), "t");
    /// ```
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Adds one sample.
    ///
    /// ```no_run
    /// horde_sdk::metrics::Trend::new("queue_wait_ms").add(3.2);
    /// ```
    pub fn add(&self, value: f64) {
        host::trend_add(self.name, value, &[]);
    }

    /// Adds one sample to the series with these tags.
    ///
    /// ```no_run
    /// horde_sdk::metrics::Trend::new("render_ms").add_tagged(80.0, &[("page", "home")]);
    /// ```
    pub fn add_tagged(&self, value: f64, tags: &[(&str, &str)]) {
        host::trend_add(self.name, value, &owned(tags));
    }
}
