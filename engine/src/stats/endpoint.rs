//! What is kept per (method, name): counts, an HDR histogram of response times in µs, exact
//! sum/min/max, the phases' histograms, bytes (wire and decoded), redirects, re-sends and
//! status codes, and for scheduled runs a second histogram of the time from each request's
//! intended start. Nothing is kept per request.

use hdrhistogram::Histogram;

use super::phases::{PhaseTimes, Phases};

/// Highest response time the histograms track exactly: one hour, in µs. Longer ones are
/// recorded as one hour (the request timeout is far below it).
const MAX_TRACKED_US: u64 = 3_600_000_000;

/// One request's outcome, as recorded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    pub elapsed_us: u64,
    /// None when no response came back (timeout, refused connection).
    pub status: Option<u16>,
    pub failed: bool,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// In scheduled runs (an arrival rate, or pacing), how late the request's iteration
    /// started against its schedule; the time from the intended start is `lag_us +
    /// elapsed_us`. None in unscheduled runs.
    pub lag_us: Option<u64>,
    /// The request's phases (`elapsed_us` is sending + waiting + receiving).
    pub phases: Phases,
    /// The body's size after decoding (Locust's content size).
    pub body_size: u64,
    /// Redirects followed to get the response.
    pub redirects: u32,
    /// Times the request went out again on a fresh connection.
    pub retries: u32,
}

/// Response times measured from the intended start (the schedule) instead of the actual send:
/// what a user arriving on schedule waited, coordinated omission corrected.
#[derive(Clone)]
pub struct IntendedTiming {
    pub histogram: Histogram<u64>,
    pub total_us: u64,
    pub max_us: u64,
}

impl IntendedTiming {
    fn new() -> Self {
        Self {
            histogram: new_histogram(),
            total_us: 0,
            max_us: 0,
        }
    }

    fn record(&mut self, us: u64) {
        self.histogram
            .saturating_record(us.clamp(1, MAX_TRACKED_US));
        self.total_us += us;
        self.max_us = self.max_us.max(us);
    }

    fn merge(&mut self, other: &IntendedTiming) {
        if !other.histogram.is_empty() {
            self.histogram
                .add(&other.histogram)
                .expect("histograms share bounds");
        }
        self.total_us += other.total_us;
        self.max_us = self.max_us.max(other.max_us);
    }

    /// The time from the intended start at `quantile` (0..=1) in µs.
    pub fn quantile_us(&self, quantile: f64) -> u64 {
        if self.histogram.is_empty() {
            return 0;
        }
        if quantile >= 1.0 {
            return self.max_us;
        }
        self.histogram.value_at_quantile(quantile).min(self.max_us)
    }
}

fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, MAX_TRACKED_US, 3).expect("static histogram bounds are valid")
}

/// Accumulated statistics of one (method, name).
#[derive(Clone)]
pub struct EndpointStats {
    pub requests: u64,
    /// Signed because a verdict given after a harvest (`mark-passed`) subtracts a failure that
    /// was already merged; the merged total never goes below zero.
    pub failures: i64,
    pub histogram: Histogram<u64>,
    pub total_us: u64,
    pub min_us: u64,
    pub max_us: u64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// Decoded body bytes (Locust's content size); `bytes_received` counts the wire's.
    pub body_bytes: u64,
    /// Redirects followed, summed over the requests.
    pub redirects: u64,
    /// Re-sends on a fresh connection, summed over the requests (not failures: the request
    /// may have succeeded on its second try).
    pub retries: u64,
    /// The phases of the requests that got a response.
    pub phases: PhaseTimes,
    /// (status, count); a handful of entries, so a vector beats a map. Status 0 counts
    /// requests that got no response.
    pub statuses: Vec<(u16, u64)>,
    /// Times from the intended start; only scheduled runs have them (boxed: most runs don't).
    pub intended: Option<Box<IntendedTiming>>,
}

impl Default for EndpointStats {
    fn default() -> Self {
        Self {
            requests: 0,
            failures: 0,
            histogram: new_histogram(),
            total_us: 0,
            min_us: u64::MAX,
            max_us: 0,
            bytes_sent: 0,
            bytes_received: 0,
            body_bytes: 0,
            redirects: 0,
            retries: 0,
            phases: PhaseTimes::default(),
            statuses: Vec::new(),
            intended: None,
        }
    }
}

impl EndpointStats {
    pub fn record(&mut self, sample: &Sample) {
        self.requests += 1;
        if sample.failed {
            self.failures += 1;
        }
        let us = sample.elapsed_us.clamp(1, MAX_TRACKED_US);
        self.histogram.saturating_record(us);
        self.total_us += sample.elapsed_us;
        self.min_us = self.min_us.min(sample.elapsed_us);
        self.max_us = self.max_us.max(sample.elapsed_us);
        self.bytes_sent += sample.bytes_sent;
        self.bytes_received += sample.bytes_received;
        self.body_bytes += sample.body_size;
        self.redirects += u64::from(sample.redirects);
        self.retries += u64::from(sample.retries);
        if sample.status.is_some() {
            self.phases.record(&sample.phases);
        }
        self.count_status(sample.status.unwrap_or(0), 1);
        if let Some(lag) = sample.lag_us {
            self.intended
                .get_or_insert_with(|| Box::new(IntendedTiming::new()))
                .record(lag + sample.elapsed_us);
        }
    }

    fn count_status(&mut self, status: u16, n: u64) {
        match self.statuses.iter_mut().find(|(s, _)| *s == status) {
            Some((_, count)) => *count += n,
            None => self.statuses.push((status, n)),
        }
    }

    pub fn merge(&mut self, other: &EndpointStats) {
        self.requests += other.requests;
        self.failures += other.failures;
        if !other.histogram.is_empty() {
            self.histogram
                .add(&other.histogram)
                .expect("histograms share bounds");
        }
        self.total_us += other.total_us;
        self.min_us = self.min_us.min(other.min_us);
        self.max_us = self.max_us.max(other.max_us);
        self.bytes_sent += other.bytes_sent;
        self.bytes_received += other.bytes_received;
        self.body_bytes += other.body_bytes;
        self.redirects += other.redirects;
        self.retries += other.retries;
        self.phases.merge(&other.phases);
        for &(status, n) in &other.statuses {
            self.count_status(status, n);
        }
        if let Some(theirs) = &other.intended {
            self.intended
                .get_or_insert_with(|| Box::new(IntendedTiming::new()))
                .merge(theirs);
        }
    }

    /// Zeroes the counts, keeping the histogram's allocation for the next interval.
    pub fn reset(&mut self) {
        self.requests = 0;
        self.failures = 0;
        self.histogram.reset();
        self.total_us = 0;
        self.min_us = u64::MAX;
        self.max_us = 0;
        self.bytes_sent = 0;
        self.bytes_received = 0;
        self.body_bytes = 0;
        self.redirects = 0;
        self.retries = 0;
        self.phases.reset();
        self.statuses.clear();
        if let Some(intended) = &mut self.intended {
            intended.histogram.reset();
            intended.total_us = 0;
            intended.max_us = 0;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.requests == 0 && self.failures == 0
    }

    /// Failures, never negative.
    pub fn failures(&self) -> u64 {
        self.failures.max(0) as u64
    }

    /// The response time at `quantile` (0..=1) in µs; 0 when nothing was recorded.
    pub fn quantile_us(&self, quantile: f64) -> u64 {
        if self.histogram.is_empty() {
            return 0;
        }
        if quantile >= 1.0 {
            return self.max_us;
        }
        self.histogram
            .value_at_quantile(quantile)
            .min(self.max_us)
            .max(self.min_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(us: u64, failed: bool) -> Sample {
        Sample {
            elapsed_us: us,
            status: Some(if failed { 500 } else { 200 }),
            failed,
            bytes_sent: 10,
            bytes_received: 20,
            lag_us: None,
            ..Sample::default()
        }
    }

    #[test]
    fn merge_adds_counts_and_keeps_extremes() {
        let mut a = EndpointStats::default();
        let mut b = EndpointStats::default();
        a.record(&sample(100, false));
        b.record(&sample(5_000, true));
        b.record(&sample(50, false));
        a.merge(&b);
        assert_eq!(a.requests, 3);
        assert_eq!(a.failures(), 1);
        assert_eq!((a.min_us, a.max_us), (50, 5_000));
        assert_eq!(a.total_us, 5_150);
        assert_eq!(a.bytes_received, 60);
        assert_eq!(a.statuses, vec![(200, 2), (500, 1)]);
        assert_eq!(a.quantile_us(1.0), 5_000);
    }

    #[test]
    fn quantiles_are_exact_to_three_digits() {
        let mut s = EndpointStats::default();
        for us in 1..=10_000 {
            s.record(&sample(us, false));
        }
        let p50 = s.quantile_us(0.5) as f64;
        let p99 = s.quantile_us(0.99) as f64;
        assert!((p50 - 5_000.0).abs() / 5_000.0 < 0.001, "p50 {p50}");
        assert!((p99 - 9_900.0).abs() / 9_900.0 < 0.001, "p99 {p99}");
    }

    #[test]
    fn intended_times_add_the_lag_and_only_scheduled_runs_have_them() {
        let mut s = EndpointStats::default();
        s.record(&sample(1_000, false));
        assert!(s.intended.is_none());
        for lag in [0, 0, 0, 1_000_000] {
            s.record(&Sample {
                lag_us: Some(lag),
                ..sample(1_000, false)
            });
        }
        let intended = s.intended.as_ref().expect("scheduled samples recorded");
        assert_eq!(intended.max_us, 1_001_000);
        assert_eq!(intended.total_us, 1_004_000);
        assert_eq!(s.max_us, 1_000, "service times do not include the lag");
        let mut merged = EndpointStats::default();
        merged.merge(&s);
        assert_eq!(merged.intended.as_ref().map(|i| i.max_us), Some(1_001_000));
    }

    #[test]
    fn sizes_redirects_re_sends_and_phases_add_up() {
        use crate::stats::Phase;
        let mut a = EndpointStats::default();
        let answered = |waiting_us| Sample {
            body_size: 4_000,
            redirects: 2,
            retries: 1,
            phases: Phases {
                connecting_us: 300,
                waiting_us,
                ..Phases::default()
            },
            ..sample(1_000, false)
        };
        a.record(&answered(800));
        let mut b = EndpointStats::default();
        b.record(&answered(200));
        // No response: counted as a request and its re-send, but it has no phases.
        b.record(&Sample {
            status: None,
            retries: 1,
            phases: Phases {
                connecting_us: 9_000_000,
                ..Phases::default()
            },
            ..sample(9_000, true)
        });
        a.merge(&b);
        assert_eq!((a.body_bytes, a.redirects, a.retries), (8_000, 4, 3));
        assert_eq!(
            a.bytes_received, 60,
            "wire bytes stay apart from decoded ones"
        );
        let waiting = a.phases.get(Phase::Waiting);
        assert_eq!(
            (waiting.count, waiting.min(), waiting.max_us),
            (2, 200, 800)
        );
        assert_eq!(a.phases.get(Phase::Connecting).max_us, 300);
        a.reset();
        assert_eq!((a.body_bytes, a.redirects, a.retries), (0, 0, 0));
        assert_eq!(a.phases.get(Phase::Waiting).count, 0);
    }

    #[test]
    fn reset_keeps_nothing() {
        let mut s = EndpointStats::default();
        s.record(&sample(7, true));
        s.reset();
        assert!(s.is_empty());
        assert_eq!(s.quantile_us(0.5), 0);
    }
}
