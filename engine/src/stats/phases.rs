//! Where requests' time went, per (method, name): one small histogram per k6 phase (blocked,
//! connecting, TLS handshaking, sending, waiting, receiving), each with its exact sum, min
//! and max, so thresholds and the summary read them as they read the duration.
//!
//! The histograms keep two significant digits (1 % of the value, exact below 128 µs) and grow
//! only to the largest value seen: 2 KiB for a phase that stays at zero (`connecting` on
//! kept-alive connections), 4 KiB up to 1 ms, 8 KiB to 10 ms, 14 KiB to a second, 26 KiB at
//! the one-hour cap; about 40 KiB for the six phases of a typical (method, name), against the
//! 184 KiB of the duration's histogram, which keeps three digits over a fixed hour because
//! that is where precision matters most.

use hdrhistogram::Histogram;

use crate::metric::HTTP_PHASES;

/// Longest phase tracked: one hour, in µs, as for the duration; longer ones count as an hour.
const MAX_TRACKED_US: u64 = 3_600_000_000;

/// Where a request's time went, in k6's phases, in µs (summed over a redirect chain's hops).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Phases {
    pub blocked_us: u64,
    pub connecting_us: u64,
    pub tls_handshaking_us: u64,
    pub sending_us: u64,
    pub waiting_us: u64,
    pub receiving_us: u64,
}

impl Phases {
    /// The six values in the order of [`Phase::ALL`].
    pub fn values(&self) -> [u64; 6] {
        [
            self.blocked_us,
            self.connecting_us,
            self.tls_handshaking_us,
            self.sending_us,
            self.waiting_us,
            self.receiving_us,
        ]
    }
}

/// One of k6's request phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Blocked,
    Connecting,
    TlsHandshaking,
    Sending,
    Waiting,
    Receiving,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Blocked,
        Phase::Connecting,
        Phase::TlsHandshaking,
        Phase::Sending,
        Phase::Waiting,
        Phase::Receiving,
    ];

    fn index(self) -> usize {
        self as usize
    }

    /// k6's metric name: `http_req_waiting`.
    pub fn metric(self) -> &'static str {
        HTTP_PHASES[self.index()]
    }

    /// The name without its `http_req_` prefix, as the summary's keys have it: `waiting`.
    pub fn key(self) -> &'static str {
        &self.metric()["http_req_".len()..]
    }

    /// The phase a metric name names, if it names one.
    pub fn of_metric(metric: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.metric() == metric)
    }
}

/// The distribution of one phase.
#[derive(Clone)]
pub struct PhaseStats {
    histogram: Histogram<u64>,
    pub count: u64,
    pub total_us: u64,
    pub min_us: u64,
    pub max_us: u64,
}

impl Default for PhaseStats {
    fn default() -> Self {
        Self {
            histogram: Histogram::new(2).expect("2 significant digits is valid"),
            count: 0,
            total_us: 0,
            min_us: u64::MAX,
            max_us: 0,
        }
    }
}

impl PhaseStats {
    fn record(&mut self, us: u64) {
        let us = us.min(MAX_TRACKED_US);
        // The histogram resizes itself up to the cap above, so recording cannot fail.
        let _ = self.histogram.record(us);
        self.count += 1;
        self.total_us += us;
        self.min_us = self.min_us.min(us);
        self.max_us = self.max_us.max(us);
    }

    fn merge(&mut self, other: &PhaseStats) {
        if other.count == 0 {
            return;
        }
        self.histogram
            .add(&other.histogram)
            .expect("auto-resizing histograms merge");
        self.count += other.count;
        self.total_us += other.total_us;
        self.min_us = self.min_us.min(other.min_us);
        self.max_us = self.max_us.max(other.max_us);
    }

    fn reset(&mut self) {
        self.histogram.reset();
        self.count = 0;
        self.total_us = 0;
        self.min_us = u64::MAX;
        self.max_us = 0;
    }

    /// The value at `quantile` (0..=1) in µs, within the exact min and max; 0 when empty.
    pub fn quantile_us(&self, quantile: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        if quantile >= 1.0 {
            return self.max_us;
        }
        if quantile <= 0.0 {
            return self.min_us;
        }
        self.histogram
            .value_at_quantile(quantile)
            .clamp(self.min_us, self.max_us)
    }

    /// The mean in µs; 0 when empty.
    pub fn avg_us(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.total_us as f64 / self.count as f64
        }
    }

    /// The smallest value in µs; 0 when empty.
    pub fn min(&self) -> u64 {
        if self.count == 0 { 0 } else { self.min_us }
    }

    /// Bytes the histogram's counters take now.
    pub fn heap_bytes(&self) -> usize {
        self.histogram.distinct_values() * std::mem::size_of::<u64>()
    }
}

/// The six phases of one (method, name), recorded for each request that got a response (a
/// request with none, a timeout or a refused connection, has no waiting or receiving).
#[derive(Clone, Default)]
pub struct PhaseTimes {
    phases: [PhaseStats; 6],
}

impl PhaseTimes {
    pub fn record(&mut self, phases: &Phases) {
        for (stats, us) in self.phases.iter_mut().zip(phases.values()) {
            stats.record(us);
        }
    }

    pub fn merge(&mut self, other: &PhaseTimes) {
        for (mine, theirs) in self.phases.iter_mut().zip(&other.phases) {
            mine.merge(theirs);
        }
    }

    /// Zeroes the counts, keeping the histograms' allocations.
    pub fn reset(&mut self) {
        for stats in &mut self.phases {
            stats.reset();
        }
    }

    pub fn get(&self, phase: Phase) -> &PhaseStats {
        &self.phases[phase.index()]
    }

    /// Bytes the six histograms' counters take now.
    pub fn heap_bytes(&self) -> usize {
        self.phases.iter().map(PhaseStats::heap_bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phases(waiting_us: u64, connecting_us: u64) -> Phases {
        Phases {
            blocked_us: 2,
            connecting_us,
            tls_handshaking_us: 0,
            sending_us: 15,
            waiting_us,
            receiving_us: 40,
        }
    }

    #[test]
    fn names_are_k6s() {
        let names: Vec<&str> = Phase::ALL.iter().map(|p| p.metric()).collect();
        assert_eq!(
            names,
            [
                "http_req_blocked",
                "http_req_connecting",
                "http_req_tls_handshaking",
                "http_req_sending",
                "http_req_waiting",
                "http_req_receiving"
            ]
        );
        assert_eq!(Phase::TlsHandshaking.key(), "tls_handshaking");
        assert_eq!(Phase::of_metric("http_req_waiting"), Some(Phase::Waiting));
        assert_eq!(Phase::of_metric("http_req_duration"), None);
    }

    #[test]
    fn each_phase_keeps_its_own_distribution_within_one_percent() {
        let mut times = PhaseTimes::default();
        for ms in 1..=1_000 {
            // One new connection in ten, as a pool that mostly reuses them.
            let connecting = if ms % 10 == 0 { 3_000 } else { 0 };
            times.record(&phases(ms * 1_000, connecting));
        }
        let waiting = times.get(Phase::Waiting);
        assert_eq!(waiting.count, 1_000);
        assert_eq!((waiting.min(), waiting.max_us), (1_000, 1_000_000));
        assert_eq!(waiting.avg_us(), 500_500.0);
        let p95 = waiting.quantile_us(0.95) as f64;
        assert!((p95 - 950_000.0).abs() / 950_000.0 < 0.01, "p95 {p95}");
        let connecting = times.get(Phase::Connecting);
        assert_eq!(connecting.quantile_us(0.5), 0, "most requests reuse");
        assert_eq!(connecting.quantile_us(0.95), 3_000);
        assert_eq!(
            times.get(Phase::Sending).quantile_us(0.99),
            15,
            "exact below 128 µs"
        );
    }

    #[test]
    fn merge_is_exact_and_reset_keeps_nothing() {
        let (mut a, mut b) = (PhaseTimes::default(), PhaseTimes::default());
        a.record(&phases(100, 0));
        b.record(&phases(90_000, 5_000));
        b.record(&phases(7, 0));
        a.merge(&b);
        let waiting = a.get(Phase::Waiting);
        assert_eq!((waiting.count, waiting.total_us), (3, 90_107));
        assert_eq!((waiting.min(), waiting.max_us), (7, 90_000));
        assert_eq!(a.get(Phase::Connecting).max_us, 5_000);
        a.merge(&PhaseTimes::default());
        assert_eq!(
            a.get(Phase::Waiting).min(),
            7,
            "an empty side changes nothing"
        );
        a.reset();
        assert_eq!(a.get(Phase::Waiting).count, 0);
        assert_eq!(a.get(Phase::Waiting).quantile_us(0.5), 0);
        assert_eq!(a.get(Phase::Waiting).min(), 0);
    }

    #[test]
    fn memory_stays_small_and_grows_only_with_the_largest_value() {
        let mut times = PhaseTimes::default();
        times.record(&phases(500, 0));
        let small = times.heap_bytes();
        assert!(small <= 6 * 4 * 1024, "{small} bytes for sub-ms phases");
        times.record(&phases(MAX_TRACKED_US * 10, MAX_TRACKED_US));
        let large = times.heap_bytes();
        assert!(large <= 6 * 28 * 1024, "{large} bytes at the one-hour cap");
        assert_eq!(times.get(Phase::Waiting).max_us, MAX_TRACKED_US, "capped");
    }
}
