//! What a scenario measures besides requests: checks (passes and fails per name and tags) and
//! custom metrics (counters, gauges, rates and trends per name and tags).
//!
//! A series is keyed by one string, `name`, then for each tag (sorted by key) `\0key\0value`,
//! so the recorder looks it up with a borrowed `&str` built in a reused buffer: nothing is
//! allocated per call once a series exists.

use hdrhistogram::Histogram;
use rustc_hash::FxHashMap as HashMap;

use crate::metric::MetricKind;

/// Builds the key of a series into `buf`: the name, then the tags sorted by key.
pub fn series_key(buf: &mut String, name: &str, tags: &mut [(String, String)]) {
    tags.sort_unstable();
    buf.clear();
    buf.push_str(name);
    for (k, v) in tags.iter() {
        buf.push('\0');
        buf.push_str(k);
        buf.push('\0');
        buf.push_str(v);
    }
}

/// Splits a series key back into its name and tags.
pub fn split_key(key: &str) -> (&str, Vec<(&str, &str)>) {
    let mut parts = key.split('\0');
    let name = parts.next().unwrap_or_default();
    let mut tags = Vec::new();
    while let (Some(k), Some(v)) = (parts.next(), parts.next()) {
        tags.push((k, v));
    }
    (name, tags)
}

/// Passes and fails of one check series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckCounts {
    pub passes: u64,
    pub fails: u64,
}

/// Trend values are kept in thousandths, to three significant digits, up to 1e9.
const TREND_SCALE: f64 = 1000.0;
const TREND_MAX: f64 = 1e9;

/// The distribution of a trend.
#[derive(Clone)]
pub struct TrendStats {
    /// Values × 1000; the histogram grows to the largest value seen.
    histogram: Histogram<u64>,
    pub count: u64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl TrendStats {
    fn new() -> Self {
        Self {
            histogram: Histogram::new(3).expect("3 significant digits is valid"),
            count: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    fn record(&mut self, value: f64) {
        let v = if value.is_nan() {
            0.0
        } else {
            value.clamp(0.0, TREND_MAX)
        };
        // An auto-resizing histogram grows to any value below u64::MAX / 2, so this only
        // fails on values the clamp above already rules out.
        let _ = self.histogram.record((v * TREND_SCALE).round() as u64);
        self.count += 1;
        self.sum += v;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    pub fn merge(&mut self, other: &TrendStats) {
        self.histogram
            .add(&other.histogram)
            .expect("auto-resizing histograms merge");
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The value at `quantile` (0..=1); exact at 0 and 1.
    pub fn quantile(&self, quantile: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        if quantile >= 1.0 {
            return self.max;
        }
        if quantile <= 0.0 {
            return self.min;
        }
        (self.histogram.value_at_quantile(quantile) as f64 / TREND_SCALE).clamp(self.min, self.max)
    }

    pub fn avg(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.sum / self.count as f64
        }
    }
}

/// The value of one custom metric series.
#[derive(Clone)]
pub enum MetricValue {
    Counter {
        sum: f64,
    },
    /// `at` orders the sets across worker threads: the last one wins.
    Gauge {
        last: f64,
        at: u64,
        min: f64,
        max: f64,
    },
    Rate {
        trues: u64,
        total: u64,
    },
    Trend(Box<TrendStats>),
}

impl MetricValue {
    fn new(kind: MetricKind) -> Self {
        match kind {
            MetricKind::Counter => MetricValue::Counter { sum: 0.0 },
            MetricKind::Gauge => MetricValue::Gauge {
                last: 0.0,
                at: 0,
                min: f64::INFINITY,
                max: f64::NEG_INFINITY,
            },
            MetricKind::Rate => MetricValue::Rate { trues: 0, total: 0 },
            MetricKind::Trend => MetricValue::Trend(Box::new(TrendStats::new())),
        }
    }

    pub fn kind(&self) -> MetricKind {
        match self {
            MetricValue::Counter { .. } => MetricKind::Counter,
            MetricValue::Gauge { .. } => MetricKind::Gauge,
            MetricValue::Rate { .. } => MetricKind::Rate,
            MetricValue::Trend(_) => MetricKind::Trend,
        }
    }

    fn merge(&mut self, other: &MetricValue) {
        match (self, other) {
            (MetricValue::Counter { sum }, MetricValue::Counter { sum: theirs }) => *sum += theirs,
            (
                MetricValue::Gauge { last, at, min, max },
                MetricValue::Gauge {
                    last: their_last,
                    at: their_at,
                    min: their_min,
                    max: their_max,
                },
            ) => {
                if their_at >= at {
                    *last = *their_last;
                    *at = *their_at;
                }
                *min = min.min(*their_min);
                *max = max.max(*their_max);
            }
            (MetricValue::Rate { trues, total }, MetricValue::Rate { trues: t, total: n }) => {
                *trues += t;
                *total += n;
            }
            (MetricValue::Trend(mine), MetricValue::Trend(theirs)) => mine.merge(theirs),
            // Series are keyed by kind too, so two kinds never meet.
            _ => {}
        }
    }
}

/// One recorded sample of a custom metric.
#[derive(Debug, Clone, Copy)]
pub enum MetricSample {
    Counter(f64),
    /// A value and the time it was set (µs since the run started).
    Gauge(f64, u64),
    Rate(bool),
    Trend(f64),
}

impl MetricSample {
    pub fn kind(self) -> MetricKind {
        match self {
            MetricSample::Counter(_) => MetricKind::Counter,
            MetricSample::Gauge(..) => MetricKind::Gauge,
            MetricSample::Rate(_) => MetricKind::Rate,
            MetricSample::Trend(_) => MetricKind::Trend,
        }
    }
}

/// The series of one name and tags, one slot per kind: a name used as two kinds stays two
/// series (the summary reports the clash).
#[derive(Clone, Default)]
pub struct KindSlots(pub [Option<MetricValue>; 4]);

fn slot(kind: MetricKind) -> usize {
    match kind {
        MetricKind::Counter => 0,
        MetricKind::Gauge => 1,
        MetricKind::Rate => 2,
        MetricKind::Trend => 3,
    }
}

/// Checks and custom metrics of one span (a shard's, or the run's totals).
#[derive(Clone, Default)]
pub struct CustomStats {
    pub checks: HashMap<Box<str>, CheckCounts>,
    pub metrics: HashMap<Box<str>, KindSlots>,
}

impl CustomStats {
    pub fn record_check(&mut self, key: &str, ok: bool) {
        let counts = match self.checks.get_mut(key) {
            Some(c) => c,
            None => self.checks.entry(key.into()).or_default(),
        };
        if ok {
            counts.passes += 1;
        } else {
            counts.fails += 1;
        }
    }

    pub fn record_metric(&mut self, key: &str, sample: MetricSample) {
        let kind = sample.kind();
        let slots = match self.metrics.get_mut(key) {
            Some(slots) => slots,
            None => self.metrics.entry(key.into()).or_default(),
        };
        let value = slots.0[slot(kind)].get_or_insert_with(|| MetricValue::new(kind));
        match (value, sample) {
            (MetricValue::Counter { sum }, MetricSample::Counter(v)) => *sum += v,
            (MetricValue::Gauge { last, at, min, max }, MetricSample::Gauge(v, when)) => {
                if when >= *at {
                    *last = v;
                    *at = when;
                }
                *min = min.min(v);
                *max = max.max(v);
            }
            (MetricValue::Rate { trues, total }, MetricSample::Rate(v)) => {
                *trues += u64::from(v);
                *total += 1;
            }
            (MetricValue::Trend(t), MetricSample::Trend(v)) => t.record(v),
            _ => unreachable!("a slot holds the kind it is for"),
        }
    }

    pub fn merge(&mut self, other: &CustomStats) {
        for (key, counts) in &other.checks {
            let mine = self.checks.entry(key.clone()).or_default();
            mine.passes += counts.passes;
            mine.fails += counts.fails;
        }
        for (key, theirs) in &other.metrics {
            let mine = self.metrics.entry(key.clone()).or_default();
            for (m, t) in mine.0.iter_mut().zip(&theirs.0) {
                match (m.as_mut(), t) {
                    (Some(m), Some(t)) => m.merge(t),
                    (None, Some(t)) => *m = Some(t.clone()),
                    (_, None) => {}
                }
            }
        }
    }

    /// Every series: (key, value), in no particular order.
    pub fn series(&self) -> impl Iterator<Item = (&str, &MetricValue)> {
        self.metrics
            .iter()
            .flat_map(|(k, slots)| slots.0.iter().flatten().map(move |v| (&**k, v)))
    }

    pub fn clear(&mut self) {
        self.checks.clear();
        self.metrics.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, tags: &[(&str, &str)]) -> String {
        let mut owned: Vec<(String, String)> = tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut buf = String::new();
        series_key(&mut buf, name, &mut owned);
        buf
    }

    #[test]
    fn keys_sort_tags_and_split_back() {
        let k = key("orders", &[("z", "1"), ("a", "2")]);
        assert_eq!(k, key("orders", &[("a", "2"), ("z", "1")]));
        assert_eq!(split_key(&k), ("orders", vec![("a", "2"), ("z", "1")]));
        assert_eq!(split_key("plain"), ("plain", vec![]));
    }

    #[test]
    fn shards_merge_exactly() {
        let mut a = CustomStats::default();
        let mut b = CustomStats::default();
        a.record_check("status ok", true);
        b.record_check("status ok", false);
        b.record_check("status ok", true);
        a.record_metric("orders", MetricSample::Counter(2.0));
        b.record_metric("orders", MetricSample::Counter(3.5));
        a.record_metric("queue", MetricSample::Gauge(7.0, 10));
        b.record_metric("queue", MetricSample::Gauge(3.0, 20));
        for v in 1..=100 {
            a.record_metric("ttfb", MetricSample::Trend(f64::from(v)));
            b.record_metric("hit", MetricSample::Rate(v % 4 == 0));
        }
        // The same name as another kind stays apart.
        b.record_metric("orders", MetricSample::Trend(1.0));
        let mut total = CustomStats::default();
        total.merge(&a);
        total.merge(&b);
        assert_eq!(
            total.checks["status ok"],
            CheckCounts {
                passes: 2,
                fails: 1
            }
        );
        let get = |kind, name: &str| total.metrics[name].0[slot(kind)].clone().unwrap();
        assert!(
            matches!(get(MetricKind::Counter, "orders"), MetricValue::Counter { sum } if sum == 5.5)
        );
        assert!(matches!(
            get(MetricKind::Gauge, "queue"),
            MetricValue::Gauge { last, min, max, .. } if last == 3.0 && min == 3.0 && max == 7.0
        ));
        assert!(matches!(
            get(MetricKind::Rate, "hit"),
            MetricValue::Rate {
                trues: 25,
                total: 100
            }
        ));
        let MetricValue::Trend(t) = get(MetricKind::Trend, "ttfb") else {
            panic!("a trend")
        };
        assert_eq!((t.count, t.min, t.max), (100, 1.0, 100.0));
        assert!(
            (t.quantile(0.95) - 95.0).abs() < 0.1,
            "{}",
            t.quantile(0.95)
        );
        assert!((t.avg() - 50.5).abs() < 1e-9);
        assert_eq!(total.series().count(), 5);
    }
}
