//! The time series: one row per collector interval (a second) with users, rates and
//! percentiles, overall and per (method, name). Memory is bounded: past `MAX_ROWS` rows,
//! neighbouring rows are merged pairwise, halving the resolution of the whole series.

use serde::{Deserialize, Serialize};

use super::endpoint::EndpointStats;
use super::hub::Snapshot;
use super::percentiles::Percentiles;
use super::phases::Phase;

/// The most rows kept: an hour at one row a second, then two seconds a row, and so on.
pub const MAX_ROWS: usize = 3600;

/// One interval of the run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SeriesRow {
    /// Seconds since the run started, at the end of the interval.
    pub t_s: f64,
    /// The interval's length in seconds (longer after compaction).
    pub interval_s: f64,
    /// VUs alive at the end of the interval.
    pub users: u32,
    pub requests: u64,
    pub failures: u64,
    pub requests_per_sec: f64,
    pub failures_per_sec: f64,
    /// Percentiles of the interval's response times in ms. After compaction a merged row
    /// holds the larger of its two rows' values (an upper bound).
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// The interval's 95th percentile of the waiting phase (time to first byte), in ms; 0
    /// without responses. Compaction keeps the larger value.
    #[serde(default)]
    pub waiting_p95_ms: f64,
    /// The same per (method, name), for those with requests in the interval.
    pub endpoints: Vec<SeriesEndpoint>,
    /// All of Locust's percentiles of the interval (p50 … p100), for its CSV history.
    /// Compaction keeps the larger value, like the three above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentiles_ms: Option<Percentiles>,
    /// The whole run up to the end of this interval, for Locust's `Total …` history columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totals: Option<RunningTotals>,
}

/// The run's statistics from its start to the end of a row's interval.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct RunningTotals {
    pub requests: u64,
    pub failures: u64,
    pub median_ms: f64,
    pub avg_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    /// Decoded body bytes per request (Locust's content size).
    pub avg_size_bytes: f64,
}

impl RunningTotals {
    pub fn of(s: &EndpointStats) -> Self {
        let per_request = |n: f64| {
            if s.requests > 0 {
                n / s.requests as f64
            } else {
                0.0
            }
        };
        Self {
            requests: s.requests,
            failures: s.failures(),
            median_ms: ms(s.quantile_us(0.5)),
            avg_ms: per_request(s.total_us as f64) / 1000.0,
            min_ms: if s.requests > 0 { ms(s.min_us) } else { 0.0 },
            max_ms: ms(s.max_us),
            avg_size_bytes: per_request(s.body_bytes as f64),
        }
    }
}

/// One (method, name) in one interval.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SeriesEndpoint {
    pub method: String,
    pub name: String,
    pub requests: u64,
    pub failures: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    #[serde(default)]
    pub waiting_p95_ms: f64,
}

/// The 95th percentile of the waiting phase, in ms.
fn waiting_p95_ms(s: &EndpointStats) -> f64 {
    ms(s.phases.get(Phase::Waiting).quantile_us(0.95))
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

impl SeriesRow {
    /// The row for an interval that ended `t_s` seconds into the run and lasted `interval_s`.
    /// `totals` is the whole run so far, when the caller has it.
    pub fn from_interval(
        t_s: f64,
        interval_s: f64,
        users: u32,
        interval: &Snapshot,
        totals: Option<&Snapshot>,
    ) -> Self {
        let all = interval.aggregated();
        let per_sec = |n: u64| {
            if interval_s > 0.0 {
                n as f64 / interval_s
            } else {
                0.0
            }
        };
        let endpoints = interval
            .sorted_endpoints()
            .into_iter()
            .map(|(m, n, s)| SeriesEndpoint::from_stats(m.as_str(), n, s))
            .collect();
        Self {
            t_s,
            interval_s,
            users,
            requests: all.requests,
            failures: all.failures(),
            requests_per_sec: per_sec(all.requests),
            failures_per_sec: per_sec(all.failures()),
            p50_ms: ms(all.quantile_us(0.50)),
            p95_ms: ms(all.quantile_us(0.95)),
            p99_ms: ms(all.quantile_us(0.99)),
            waiting_p95_ms: waiting_p95_ms(&all),
            endpoints,
            percentiles_ms: Some(Percentiles::from_stats(&all)),
            totals: totals.map(|t| RunningTotals::of(&t.aggregated())),
        }
    }

    /// `self` followed by `next`, as one row.
    fn merge(&mut self, next: SeriesRow) {
        self.t_s = next.t_s;
        self.interval_s += next.interval_s;
        self.users = next.users;
        self.requests += next.requests;
        self.failures += next.failures;
        self.requests_per_sec = self.requests as f64 / self.interval_s;
        self.failures_per_sec = self.failures as f64 / self.interval_s;
        self.p50_ms = self.p50_ms.max(next.p50_ms);
        self.p95_ms = self.p95_ms.max(next.p95_ms);
        self.p99_ms = self.p99_ms.max(next.p99_ms);
        self.waiting_p95_ms = self.waiting_p95_ms.max(next.waiting_p95_ms);
        self.percentiles_ms = match (self.percentiles_ms, next.percentiles_ms) {
            (Some(a), Some(b)) => Some(a.max(&b)),
            (a, b) => a.or(b),
        };
        // Running totals: the later row's are the merged row's.
        self.totals = next.totals.or(self.totals);
        for e in next.endpoints {
            match self
                .endpoints
                .iter_mut()
                .find(|x| x.method == e.method && x.name == e.name)
            {
                Some(x) => {
                    x.requests += e.requests;
                    x.failures += e.failures;
                    x.p50_ms = x.p50_ms.max(e.p50_ms);
                    x.p95_ms = x.p95_ms.max(e.p95_ms);
                    x.p99_ms = x.p99_ms.max(e.p99_ms);
                    x.waiting_p95_ms = x.waiting_p95_ms.max(e.waiting_p95_ms);
                }
                None => self.endpoints.push(e),
            }
        }
    }
}

impl SeriesEndpoint {
    fn from_stats(method: &str, name: &str, s: &EndpointStats) -> Self {
        Self {
            method: method.to_string(),
            name: name.to_string(),
            requests: s.requests,
            failures: s.failures(),
            p50_ms: ms(s.quantile_us(0.50)),
            p95_ms: ms(s.quantile_us(0.95)),
            p99_ms: ms(s.quantile_us(0.99)),
            waiting_p95_ms: waiting_p95_ms(s),
        }
    }
}

/// The rows of a run, bounded by `max_rows`.
#[derive(Debug, Clone)]
pub struct TimeSeries {
    rows: Vec<SeriesRow>,
    max_rows: usize,
}

impl Default for TimeSeries {
    fn default() -> Self {
        Self::with_max_rows(MAX_ROWS)
    }
}

impl TimeSeries {
    pub fn with_max_rows(max_rows: usize) -> Self {
        assert!(max_rows >= 2, "compaction merges pairs");
        Self {
            rows: Vec::new(),
            max_rows,
        }
    }

    pub fn push(&mut self, row: SeriesRow) {
        self.rows.push(row);
        if self.rows.len() > self.max_rows {
            self.compact();
        }
    }

    /// Merges rows pairwise; an odd last row stays as it is.
    fn compact(&mut self) {
        let old = std::mem::take(&mut self.rows);
        let mut iter = old.into_iter();
        while let Some(mut first) = iter.next() {
            if let Some(second) = iter.next() {
                first.merge(second);
            }
            self.rows.push(first);
        }
    }

    pub fn rows(&self) -> &[SeriesRow] {
        &self.rows
    }

    pub fn into_rows(self) -> Vec<SeriesRow> {
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: f64, requests: u64, p95: f64) -> SeriesRow {
        SeriesRow {
            t_s: t,
            interval_s: 1.0,
            users: 3,
            requests,
            failures: 1,
            requests_per_sec: requests as f64,
            failures_per_sec: 1.0,
            p50_ms: 1.0,
            p95_ms: p95,
            p99_ms: p95,
            waiting_p95_ms: p95 / 2.0,
            endpoints: vec![SeriesEndpoint {
                method: "GET".into(),
                name: "/a".into(),
                requests,
                failures: 1,
                p50_ms: 1.0,
                p95_ms: p95,
                p99_ms: p95,
                waiting_p95_ms: p95 / 2.0,
            }],
            percentiles_ms: None,
            totals: None,
        }
    }

    #[test]
    fn compaction_keeps_totals_exact_and_memory_bounded() {
        let mut series = TimeSeries::with_max_rows(8);
        for i in 1..=100 {
            series.push(row(i as f64, i, i as f64));
        }
        assert!(series.rows().len() <= 8);
        let total: u64 = series.rows().iter().map(|r| r.requests).sum();
        assert_eq!(total, (1..=100).sum::<u64>());
        let span: f64 = series.rows().iter().map(|r| r.interval_s).sum();
        assert_eq!(span, 100.0);
        let last = series.rows().last().unwrap();
        assert_eq!(last.t_s, 100.0);
        assert_eq!(last.p95_ms, 100.0, "a merged row keeps the larger p95");
        assert_eq!(last.waiting_p95_ms, 50.0, "and the larger waiting p95");
        assert_eq!(last.endpoints[0].waiting_p95_ms, 50.0);
        let endpoint_total: u64 = series
            .rows()
            .iter()
            .flat_map(|r| &r.endpoints)
            .map(|e| e.requests)
            .sum();
        assert_eq!(endpoint_total, total);
    }
}
