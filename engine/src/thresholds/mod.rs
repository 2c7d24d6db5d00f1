//! Thresholds: pass/fail criteria of a run in k6's syntax, from `--threshold` and from the
//! scenario's metadata, evaluated on the run's totals at the end (and each second for those
//! with `abortOnFail`). Metric names follow k6: `http_req_duration`, its phases
//! (`http_req_blocked`, `http_req_connecting`, `http_req_tls_handshaking`, `http_req_sending`,
//! `http_req_waiting`, `http_req_receiving`), `http_req_failed`, `http_reqs`, `iterations`, `dropped_iterations`, `checks`, `data_sent`, `data_received`,
//! `vus`, and the scenario's own custom metrics.

mod eval;
mod parse;

use std::fmt;
use std::time::Duration;

use crate::metric::MetricKind;

pub use eval::{ConditionResult, Measures, ThresholdResult, VusView, evaluate};
pub use parse::{ParseError, parse};

/// The aggregations a threshold may use on a metric of `kind`, in words.
pub fn aggregations_of(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Counter => "count and rate",
        MetricKind::Gauge => "value, min and max",
        MetricKind::Rate => "rate",
        MetricKind::Trend => "avg, min, max, med and p(N)",
    }
}

/// What a condition measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Aggregation {
    Avg,
    Min,
    Max,
    Med,
    /// `p(95)`: the percentile, 0 to 100.
    Percentile(f64),
    /// Rates: the share of true samples; counters: per second.
    Rate,
    Count,
    /// Gauges: the last value.
    Value,
}

impl Aggregation {
    /// Whether a threshold may use this aggregation on a metric of `kind`.
    pub fn applies_to(&self, kind: MetricKind) -> bool {
        use Aggregation::*;
        matches!(
            (kind, self),
            (MetricKind::Counter, Count | Rate)
                | (MetricKind::Gauge, Value | Min | Max)
                | (MetricKind::Rate, Rate)
                | (MetricKind::Trend, Avg | Min | Max | Med | Percentile(_))
        )
    }
}

impl fmt::Display for Aggregation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Aggregation::Avg => f.write_str("avg"),
            Aggregation::Min => f.write_str("min"),
            Aggregation::Max => f.write_str("max"),
            Aggregation::Med => f.write_str("med"),
            Aggregation::Percentile(p) => write!(f, "p({p})"),
            Aggregation::Rate => f.write_str("rate"),
            Aggregation::Count => f.write_str("count"),
            Aggregation::Value => f.write_str("value"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}

impl Comparison {
    fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Comparison::Less => left < right,
            Comparison::LessOrEqual => left <= right,
            Comparison::Greater => left > right,
            Comparison::GreaterOrEqual => left >= right,
            Comparison::Equal => left == right,
            Comparison::NotEqual => left != right,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Equal => "==",
            Comparison::NotEqual => "!=",
        }
    }
}

/// One condition of a threshold: `p(95)<200`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub aggregation: Aggregation,
    pub comparison: Comparison,
    pub value: f64,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}{}",
            self.aggregation,
            self.comparison.symbol(),
            self.value
        )
    }
}

/// A threshold: a metric (with a tag filter) and conditions that must all hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The expression as written.
    pub source: String,
    pub metric: String,
    /// Only series with all these tags count (`{name:/api/orders}`).
    pub tags: Vec<(String, String)>,
    pub conditions: Vec<Condition>,
    /// Stop the run as soon as the threshold fails (checked each second).
    pub abort_on_fail: bool,
    /// How long into the run before `abort_on_fail` is checked.
    pub delay_abort_eval: Duration,
}
