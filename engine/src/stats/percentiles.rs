//! Response-time percentiles: Locust's columns, read from the HDR histograms of
//! [`EndpointStats`]. The time series and the summary both report them.

use serde::{Deserialize, Serialize};

use super::endpoint::EndpointStats;

/// Response-time percentiles in ms: Locust's columns, from exact HDR histograms (3
/// significant digits) rather than rounded buckets.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Percentiles {
    pub p50: f64,
    pub p66: f64,
    pub p75: f64,
    pub p80: f64,
    pub p90: f64,
    pub p95: f64,
    pub p98: f64,
    pub p99: f64,
    pub p99_9: f64,
    pub p99_99: f64,
    pub p100: f64,
}

impl Percentiles {
    /// The quantiles of Locust's percentile table, with their column titles.
    pub const COLUMNS: [(&'static str, f64); 11] = [
        ("50%", 0.50),
        ("66%", 0.66),
        ("75%", 0.75),
        ("80%", 0.80),
        ("90%", 0.90),
        ("95%", 0.95),
        ("98%", 0.98),
        ("99%", 0.99),
        ("99.9%", 0.999),
        ("99.99%", 0.9999),
        ("100%", 1.0),
    ];

    pub(crate) fn from_stats(stats: &EndpointStats) -> Self {
        Self::from_quantiles(|quantile| ms(stats.quantile_us(quantile)))
    }

    /// The percentiles from `q`, the value in ms at a quantile (0..=1).
    pub fn from_quantiles(q: impl Fn(f64) -> f64) -> Self {
        Self {
            p50: q(0.50),
            p66: q(0.66),
            p75: q(0.75),
            p80: q(0.80),
            p90: q(0.90),
            p95: q(0.95),
            p98: q(0.98),
            p99: q(0.99),
            p99_9: q(0.999),
            p99_99: q(0.9999),
            p100: q(1.0),
        }
    }

    /// Each percentile the larger of the two: a bound for a merged interval.
    pub fn max(&self, other: &Percentiles) -> Percentiles {
        let (a, b) = (self.values(), other.values());
        let m = |i: usize| a[i].max(b[i]);
        Percentiles {
            p50: m(0),
            p66: m(1),
            p75: m(2),
            p80: m(3),
            p90: m(4),
            p95: m(5),
            p98: m(6),
            p99: m(7),
            p99_9: m(8),
            p99_99: m(9),
            p100: m(10),
        }
    }

    /// The values in the order of [`Self::COLUMNS`].
    pub fn values(&self) -> [f64; 11] {
        [
            self.p50,
            self.p66,
            self.p75,
            self.p80,
            self.p90,
            self.p95,
            self.p98,
            self.p99,
            self.p99_9,
            self.p99_99,
            self.p100,
        ]
    }
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}
