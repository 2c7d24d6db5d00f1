//! The summary's view of checks and custom metrics: one entry per name and tags, with the
//! values k6 reports for each kind (`count`/`rate` for counters, `value`/`min`/`max` for
//! gauges, `rate` for rates, `avg`/`min`/`med`/`max`/`p(90)`/`p(95)`/`p(99)` for trends).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ErrorSummary;
use crate::stats::custom::{CustomStats, MetricValue, split_key};

/// Passes and fails of one check (per name and tags).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CheckSummary {
    pub name: String,
    pub tags: BTreeMap<String, String>,
    pub passes: u64,
    pub fails: u64,
    /// passes / (passes + fails).
    pub pass_rate: f64,
}

/// One custom metric series.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetricSummary {
    pub name: String,
    /// counter, gauge, rate or trend.
    pub kind: String,
    pub tags: BTreeMap<String, String>,
    /// k6's names: count, rate; value, min, max; rate, passes, fails; avg, min, med, max,
    /// p(90), p(95), p(99), count.
    pub values: BTreeMap<String, f64>,
}

fn tag_map(tags: Vec<(&str, &str)>) -> BTreeMap<String, String> {
    tags.into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Checks sorted by name, then tags.
pub fn checks_of(custom: &CustomStats) -> Vec<CheckSummary> {
    let mut checks: Vec<CheckSummary> = custom
        .checks
        .iter()
        .map(|(key, c)| {
            let (name, tags) = split_key(key);
            let total = c.passes + c.fails;
            CheckSummary {
                name: name.to_string(),
                tags: tag_map(tags),
                passes: c.passes,
                fails: c.fails,
                pass_rate: if total > 0 {
                    c.passes as f64 / total as f64
                } else {
                    0.0
                },
            }
        })
        .collect();
    checks.sort_by(|a, b| (&a.name, &a.tags).cmp(&(&b.name, &b.tags)));
    checks
}

/// Custom metric series sorted by name, kind, then tags.
pub fn metrics_of(custom: &CustomStats, duration_s: f64) -> Vec<MetricSummary> {
    let mut metrics: Vec<MetricSummary> = custom
        .series()
        .map(|(key, value)| {
            let (name, tags) = split_key(key);
            let mut values = BTreeMap::new();
            let mut put = |k: &str, v: f64| {
                values.insert(k.to_string(), v);
            };
            match value {
                MetricValue::Counter { sum } => {
                    put("count", *sum);
                    put(
                        "rate",
                        if duration_s > 0.0 {
                            sum / duration_s
                        } else {
                            0.0
                        },
                    );
                }
                MetricValue::Gauge { last, min, max, .. } => {
                    put("value", *last);
                    put("min", *min);
                    put("max", *max);
                }
                MetricValue::Rate { trues, total } => {
                    put(
                        "rate",
                        if *total > 0 {
                            *trues as f64 / *total as f64
                        } else {
                            0.0
                        },
                    );
                    put("passes", *trues as f64);
                    put("fails", (total - trues) as f64);
                }
                MetricValue::Trend(t) => {
                    put("count", t.count as f64);
                    put("avg", t.avg());
                    put("min", t.quantile(0.0));
                    put("med", t.quantile(0.5));
                    put("max", t.quantile(1.0));
                    put("p(90)", t.quantile(0.90));
                    put("p(95)", t.quantile(0.95));
                    put("p(99)", t.quantile(0.99));
                }
            }
            MetricSummary {
                name: name.to_string(),
                kind: value.kind().name().to_string(),
                tags: tag_map(tags),
                values,
            }
        })
        .collect();
    metrics.sort_by(|a, b| (&a.name, &a.kind, &a.tags).cmp(&(&b.name, &b.kind, &b.tags)));
    metrics
}

/// An error entry for each name recorded as more than one kind: thresholds and readers of
/// the summary would otherwise see two metrics under one name.
pub fn kind_clashes(metrics: &[MetricSummary]) -> Vec<ErrorSummary> {
    let mut kinds: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for m in metrics {
        let entry = kinds.entry(&m.name).or_default();
        if !entry.contains(&m.kind.as_str()) {
            entry.push(&m.kind);
        }
    }
    kinds
        .into_iter()
        .filter(|(_, k)| k.len() > 1)
        .map(|(name, k)| ErrorSummary {
            method: "METRIC".into(),
            name: name.to_string(),
            error: format!(
                "recorded as {}; give each kind its own metric name",
                k.join(" and ")
            ),
            occurrences: 1,
        })
        .collect()
}
