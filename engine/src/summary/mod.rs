//! The end-of-run summary: the data behind the console tables and the `--json` file, whose
//! schema is `docs/summary.schema.json`. Times are milliseconds with µs precision. It sits
//! above [`crate::stats`] and [`crate::thresholds`]: it reads the run's merged statistics
//! and the thresholds' verdicts, and neither of them knows it.

mod measured;
mod phases;

use serde::{Deserialize, Serialize};

pub use measured::{CheckSummary, MetricSummary};
use measured::{checks_of, kind_clashes, metrics_of};
pub use phases::{PhaseSummary, PhasesSummary};

use crate::http::HttpOptions;

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
    /// Requests sent again on a fresh connection, grouped by (method, name, cause), most
    /// frequent first. Not failures: a re-sent request may have succeeded on its second try;
    /// each name's `retries` counts them.
    #[serde(default)]
    pub resends: Vec<ErrorSummary>,
    /// What makes the run's numbers or its safety differ from a plain run, such as
    /// `--insecure`; empty when nothing does.
    #[serde(default)]
    pub warnings: Vec<String>,
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
    /// The bodies' size after decoding (gzip, deflate, br, zstd); `bytes_received` counts the
    /// wire's bytes, headers and compression included.
    #[serde(default)]
    pub body_bytes_received: u64,
    /// `body_bytes_received` per request: Locust's "Average Content Size".
    #[serde(default)]
    pub avg_content_size_bytes: f64,
    /// Redirects followed, all requests together.
    #[serde(default)]
    pub redirects: u64,
    /// `redirects` per request.
    #[serde(default)]
    pub redirects_per_request: f64,
    /// Re-sends on a fresh connection after a kept-alive one broke (not failures; the causes
    /// are in the summary's `resends`).
    #[serde(default)]
    pub retries: u64,
    /// Where the time went, in k6's phases, for the requests that got a response.
    /// `*_response_time_ms` is sending + waiting + receiving (k6's `http_req_duration`).
    #[serde(default)]
    pub phases_ms: PhasesSummary,
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
        let per_request = |n: u64| {
            if stats.requests > 0 {
                n as f64 / stats.requests as f64
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
            body_bytes_received: stats.body_bytes,
            avg_content_size_bytes: per_request(stats.body_bytes),
            redirects: stats.redirects,
            redirects_per_request: per_request(stats.redirects),
            retries: stats.retries,
            phases_ms: PhasesSummary::of(&stats.phases),
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
        let (resends, rows): (Vec<_>, Vec<_>) = totals
            .error_rows()
            .into_iter()
            .filter(|row| row.count > 0)
            .partition(|row| row.resend);
        let entry = |row: crate::stats::ErrorRow| ErrorSummary {
            method: row.method,
            name: row.name,
            error: row.message,
            occurrences: row.count as u64,
        };
        let mut errors: Vec<ErrorSummary> = rows.into_iter().map(entry).collect();
        errors.extend(kind_clashes(&metrics));
        let most_first = |a: &ErrorSummary, b: &ErrorSummary| {
            b.occurrences
                .cmp(&a.occurrences)
                .then_with(|| (&a.name, &a.method, &a.error).cmp(&(&b.name, &b.method, &b.error)))
        };
        errors.sort_by(most_first);
        let mut resends: Vec<ErrorSummary> = resends.into_iter().map(entry).collect();
        resends.sort_by(most_first);
        Self {
            schema_version: SCHEMA_VERSION,
            horde_version: env!("CARGO_PKG_VERSION").to_string(),
            run,
            stats,
            aggregated,
            errors,
            resends,
            warnings: Vec::new(),
            vu_errors: totals.vu,
            iterations: totals.iterations.completed,
            dropped_iterations: totals.iterations.dropped,
            time_series,
            checks: checks_of(&totals.custom),
            metrics,
            thresholds,
        }
    }

    /// The summary with the warnings the run's HTTP options call for.
    pub fn with_warnings_of(mut self, http: &HttpOptions) -> Self {
        self.warnings = warnings_of(http);
        self
    }
}

/// What the options make the reader of the summary need to know.
pub fn warnings_of(http: &HttpOptions) -> Vec<String> {
    let mut warnings = Vec::new();
    if http.insecure {
        warnings.push(
            "--insecure: server certificates were not verified; a TLS interception or a wrong \
             server would have gone unnoticed"
                .to_string(),
        );
    }
    warnings
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;
    use crate::stats::{Phases, Sample, StatsHub};

    fn run_info() -> RunInfo {
        RunInfo {
            scenario: "s".into(),
            scenario_file: "s.wasm".into(),
            host: None,
            started_at_unix_ms: 0,
            duration_s: 2.0,
            load_model: "closed: 1 users".into(),
            target_users: 1,
            peak_users: 1,
            interrupted: false,
            aborted_by: None,
            seed: 1,
        }
    }

    #[test]
    fn sizes_redirects_re_sends_and_phases_per_name_and_in_all() {
        let hub = StatsHub::new();
        let sample = |redirects, retries, waiting_ms: u64| Sample {
            elapsed_us: waiting_ms * 1000 + 100,
            status: Some(200),
            bytes_received: 300,
            body_size: 2_000,
            redirects,
            retries,
            phases: Phases {
                waiting_us: waiting_ms * 1000,
                receiving_us: 100,
                ..Phases::default()
            },
            ..Sample::default()
        };
        hub.record_request(&Method::GET, "/a", &sample(2, 0, 10), None);
        hub.record_request(&Method::GET, "/a", &sample(0, 1, 30), None);
        hub.record_resends(&Method::GET, "/a", &["connection reset by peer".into()]);
        hub.record_request(&Method::GET, "/b", &sample(1, 0, 1), None);
        let mut totals = Snapshot::default();
        hub.harvest_into(&mut totals);
        let summary = Summary::build(run_info(), &totals, Vec::new(), Vec::new());
        let a = &summary.stats[0];
        assert_eq!(
            (a.redirects, a.redirects_per_request, a.retries),
            (2, 1.0, 1)
        );
        assert_eq!((a.body_bytes_received, a.bytes_received), (4_000, 600));
        assert_eq!(a.avg_content_size_bytes, 2_000.0);
        assert_eq!(a.phases_ms.waiting.count, 2);
        assert_eq!(
            (a.phases_ms.waiting.min, a.phases_ms.waiting.max),
            (10.0, 30.0)
        );
        assert_eq!(a.phases_ms.receiving.avg, 0.1);
        let all = &summary.aggregated;
        assert_eq!((all.redirects, all.retries, all.num_requests), (3, 1, 3));
        assert_eq!(all.phases_ms.waiting.min, 1.0);
        assert!(summary.errors.is_empty(), "a re-send is not a failure");
        assert_eq!(summary.resends.len(), 1);
        assert_eq!(
            summary.resends[0].error,
            "re-sent after: connection reset by peer"
        );
        assert_eq!(summary.resends[0].occurrences, 1);
        assert!(summary.warnings.is_empty());
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["stats"][0]["phases_ms"]["waiting"]["max"], 30.0);
    }

    #[test]
    fn insecure_runs_say_so() {
        let totals = Snapshot::default();
        let summary = Summary::build(run_info(), &totals, Vec::new(), Vec::new());
        let mut http = HttpOptions::default();
        let plain = summary.clone().with_warnings_of(&http);
        assert!(plain.warnings.is_empty());
        http.insecure = true;
        let insecure = summary.with_warnings_of(&http);
        assert_eq!(insecure.warnings.len(), 1);
        assert!(
            insecure.warnings[0].contains("not verified"),
            "{:?}",
            insecure.warnings
        );
    }
}
