//! The end-of-run summary: the data behind the console tables and the `--json` file, whose
//! schema is `docs/summary.schema.json`. Times are milliseconds with µs precision. It sits
//! above [`crate::stats`] and [`crate::thresholds`]: it reads the run's merged statistics
//! and the thresholds' verdicts, and neither of them knows it.

mod measured;

use serde::{Deserialize, Serialize};

pub use measured::{CheckSummary, MetricSummary};
use measured::{checks_of, kind_clashes, metrics_of};

pub use crate::stats::Percentiles;
use crate::stats::{EndpointStats, IntendedTiming, SeriesRow, Snapshot, VuCounts};
use crate::thresholds::ThresholdResult;

/// The version of the summary's shape (`docs/summary.schema.json`). It changes only when a
/// field is removed or changes meaning; added fields keep it, so readers such as `horde
/// compare` accept any summary of the same version.
pub const SCHEMA_VERSION: u32 = 1;

/// The whole summary of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    /// [`SCHEMA_VERSION`] of the horde that wrote it.
    pub schema_version: u32,
    pub horde_version: String,
    pub run: RunInfo,
    /// One entry per (method, name), sorted by name then method.
    pub stats: Vec<EndpointSummary>,
    /// All requests together (Locust's "Aggregated" row).
    pub aggregated: EndpointSummary,
    /// Failed requests and scenario errors grouped by what failed and how, most frequent first.
    pub errors: Vec<ErrorSummary>,
    /// Errors of the VUs themselves, outside any request.
    pub vu_errors: VuCounts,
    /// Iterations (task runs) that ran to their end, whatever their outcome.
    pub iterations: u64,
    /// Iterations an arrival-rate run could not start because no VU was free (always 0 in
    /// the closed model).
    pub dropped_iterations: u64,
    /// One row per second (coarser in runs over an hour), oldest first.
    pub time_series: Vec<SeriesRow>,
    /// Checks per name and tags.
    #[serde(default)]
    pub checks: Vec<CheckSummary>,
    /// Custom metrics per name, kind and tags.
    #[serde(default)]
    pub metrics: Vec<MetricSummary>,
    /// Each threshold with its measured values and verdict.
    #[serde(default)]
    pub thresholds: Vec<ThresholdResult>,
}

/// What was run, where and for how long.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunInfo {
    pub scenario: String,
    pub scenario_file: String,
    pub host: Option<String>,
    /// Unix time in milliseconds when the first VU started.
    pub started_at_unix_ms: u64,
    pub duration_s: f64,
    /// The load model as given, e.g. `closed: 50 users` or `open: 1000/s for 20s`.
    pub load_model: String,
    /// The number of VUs asked for with `--users` (the most VUs of the stages, or
    /// `--max-vus` in the open model).
    pub target_users: u32,
    /// The most VUs alive at once.
    pub peak_users: u32,
    /// True when the run was stopped before its end, by a signal or a threshold.
    pub interrupted: bool,
    /// The `abortOnFail` threshold that stopped the run, if one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aborted_by: Option<String>,
    /// The seed of the VUs' random generators; `--seed` with it repeats the task choices.
    pub seed: u64,
}

/// Statistics of one (method, name), or of all requests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndpointSummary {
    pub method: String,
    pub name: String,
    pub num_requests: u64,
    pub num_failures: u64,
    pub min_response_time_ms: f64,
    pub avg_response_time_ms: f64,
    pub median_response_time_ms: f64,
    pub max_response_time_ms: f64,
    pub percentiles_ms: Percentiles,
    pub requests_per_sec: f64,
    pub failures_per_sec: f64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// `bytes_sent` per second of the run, in kB (1 kB = 1,000 bytes, as k6 counts).
    pub kb_per_sec_sent: f64,
    /// `bytes_received` per second of the run, in kB.
    pub kb_per_sec_received: f64,
    /// Responses per HTTP status; "0" counts requests that got no response.
    pub status_codes: std::collections::BTreeMap<String, u64>,
    /// Scheduled runs only (an arrival rate, or constant pacing/throughput): response times
    /// measured from each request's intended start rather than its actual send, so a stall
    /// that delayed later requests counts against them (corrected for coordinated
    /// omission). The fields above are service times, measured from the actual send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_intended_start: Option<IntendedSummary>,
}

/// Response times from the intended start, in ms.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IntendedSummary {
    pub avg_response_time_ms: f64,
    pub median_response_time_ms: f64,
    pub max_response_time_ms: f64,
    pub percentiles_ms: Percentiles,
}

impl IntendedSummary {
    fn from_timing(timing: &IntendedTiming, requests: u64) -> Self {
        let q = |quantile| ms(timing.quantile_us(quantile));
        Self {
            avg_response_time_ms: if requests > 0 {
                timing.total_us as f64 / requests as f64 / 1000.0
            } else {
                0.0
            },
            median_response_time_ms: q(0.5),
            max_response_time_ms: ms(timing.max_us),
            percentiles_ms: Percentiles::from_quantiles(q),
        }
    }
}

/// One row of the error report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorSummary {
    /// The HTTP method, or `TASK` / `VU` for errors of the scenario itself.
    pub method: String,
    pub name: String,
    pub error: String,
    pub occurrences: u64,
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

impl EndpointSummary {
    pub fn from_stats(method: &str, name: &str, stats: &EndpointStats, duration_s: f64) -> Self {
        let per_sec = |n: u64| {
            if duration_s > 0.0 {
                n as f64 / duration_s
            } else {
                0.0
            }
        };
        let avg = if stats.requests > 0 {
            stats.total_us as f64 / stats.requests as f64 / 1000.0
        } else {
            0.0
        };
        Self {
            method: method.to_string(),
            name: name.to_string(),
            num_requests: stats.requests,
            num_failures: stats.failures(),
            min_response_time_ms: if stats.requests > 0 {
                ms(stats.min_us)
            } else {
                0.0
            },
            avg_response_time_ms: avg,
            median_response_time_ms: ms(stats.quantile_us(0.5)),
            max_response_time_ms: ms(stats.max_us),
            percentiles_ms: Percentiles::from_stats(stats),
            requests_per_sec: per_sec(stats.requests),
            failures_per_sec: per_sec(stats.failures()),
            bytes_sent: stats.bytes_sent,
            bytes_received: stats.bytes_received,
            kb_per_sec_sent: per_sec(stats.bytes_sent) / 1000.0,
            kb_per_sec_received: per_sec(stats.bytes_received) / 1000.0,
            status_codes: stats
                .statuses
                .iter()
                .map(|(s, n)| (s.to_string(), *n))
                .collect(),
            from_intended_start: stats
                .intended
                .as_deref()
                .map(|t| IntendedSummary::from_timing(t, stats.requests)),
        }
    }
}

impl Summary {
    /// Builds the summary of a run from its merged statistics.
    pub fn build(
        run: RunInfo,
        totals: &Snapshot,
        time_series: Vec<SeriesRow>,
        thresholds: Vec<ThresholdResult>,
    ) -> Self {
        let duration = run.duration_s;
        let metrics = metrics_of(&totals.custom, duration);
        let stats = totals
            .sorted_endpoints()
            .into_iter()
            .map(|(m, n, s)| EndpointSummary::from_stats(m.as_str(), n, s, duration))
            .collect();
        let aggregated =
            EndpointSummary::from_stats("", "Aggregated", &totals.aggregated(), duration);
        let mut errors: Vec<ErrorSummary> = totals
            .error_rows()
            .into_iter()
            .filter(|row| row.count > 0)
            .map(|row| ErrorSummary {
                method: row.method,
                name: row.name,
                error: row.message,
                occurrences: row.count as u64,
            })
            .collect();
        errors.extend(kind_clashes(&metrics));
        errors.sort_by(|a, b| {
            b.occurrences
                .cmp(&a.occurrences)
                .then_with(|| (&a.name, &a.method, &a.error).cmp(&(&b.name, &b.method, &b.error)))
        });
        Self {
            schema_version: SCHEMA_VERSION,
            horde_version: env!("CARGO_PKG_VERSION").to_string(),
            run,
            stats,
            aggregated,
            errors,
            vu_errors: totals.vu,
            iterations: totals.iterations.completed,
            dropped_iterations: totals.iterations.dropped,
            time_series,
            checks: checks_of(&totals.custom),
            metrics,
            thresholds,
        }
    }
}
