//! Evaluating thresholds on a run's statistics: select the series a threshold's metric and tag
//! filter name, merge them, and compare each condition's aggregation with its bound.

use serde::{Deserialize, Serialize};

use super::{Aggregation, Threshold};
use crate::metric::MetricKind;
use crate::stats::custom::{MetricValue, TrendStats, split_key};
use crate::stats::{EndpointStats, Phase, Snapshot};

/// The number of VUs over the run, for the `vus` gauge.
#[derive(Debug, Clone, Copy, Default)]
pub struct VusView {
    pub value: f64,
    pub min: f64,
    pub max: f64,
}

/// What thresholds are evaluated on: the statistics so far, the time they span, the VUs.
pub struct Measures<'a> {
    pub totals: &'a Snapshot,
    pub duration_s: f64,
    pub vus: VusView,
}

/// One condition's outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ConditionResult {
    /// As written: `p(95)<200`.
    pub condition: String,
    /// The measured value (ms for `http_req_duration` and the phases), or null when the metric
    /// has no data.
    pub measured: Option<f64>,
    pub passed: bool,
}

/// A threshold's outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThresholdResult {
    /// The expression as written.
    pub threshold: String,
    pub passed: bool,
    pub abort_on_fail: bool,
    /// True when this threshold stopped the run (`abortOnFail`).
    #[serde(default)]
    pub aborted_run: bool,
    pub conditions: Vec<ConditionResult>,
    /// Why a threshold without data failed, such as a metric the scenario never recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The series a threshold selected, merged.
enum Selected {
    /// Response times in µs.
    Durations(EndpointStats),
    /// One phase of the requests that got a response, in µs.
    Phase(EndpointStats, Phase),
    Trend(TrendStats),
    Rate {
        trues: u64,
        total: u64,
    },
    Counter(f64),
    Gauge {
        value: f64,
        min: f64,
        max: f64,
    },
}

impl Selected {
    fn value(&self, aggregation: &Aggregation, duration_s: f64) -> Option<f64> {
        use Aggregation::*;
        let per_second = |n: f64| (duration_s > 0.0).then(|| n / duration_s);
        match (self, aggregation) {
            (Selected::Durations(s), agg) => {
                if s.requests == 0 {
                    return None;
                }
                let ms = |us: u64| us as f64 / 1000.0;
                Some(match agg {
                    Avg => s.total_us as f64 / s.requests as f64 / 1000.0,
                    Min => ms(s.min_us),
                    Max => ms(s.max_us),
                    Med => ms(s.quantile_us(0.5)),
                    Percentile(p) => ms(s.quantile_us(p / 100.0)),
                    _ => return None,
                })
            }
            (Selected::Phase(s, phase), agg) => {
                let p = s.phases.get(*phase);
                if p.count == 0 {
                    return None;
                }
                let ms = |us: u64| us as f64 / 1000.0;
                Some(match agg {
                    Avg => p.avg_us() / 1000.0,
                    Min => ms(p.min()),
                    Max => ms(p.max_us),
                    Med => ms(p.quantile_us(0.5)),
                    Percentile(q) => ms(p.quantile_us(q / 100.0)),
                    _ => return None,
                })
            }
            (Selected::Trend(t), agg) => {
                if t.count == 0 {
                    return None;
                }
                Some(match agg {
                    Avg => t.avg(),
                    Min => t.min,
                    Max => t.max,
                    Med => t.quantile(0.5),
                    Percentile(p) => t.quantile(p / 100.0),
                    _ => return None,
                })
            }
            (Selected::Rate { trues, total }, Rate) => {
                (*total > 0).then(|| *trues as f64 / *total as f64)
            }
            (Selected::Counter(sum), Count) => Some(*sum),
            (Selected::Counter(sum), Rate) => per_second(*sum),
            (Selected::Gauge { value, .. }, Value) => Some(*value),
            (Selected::Gauge { min, .. }, Min) => Some(*min),
            (Selected::Gauge { max, .. }, Max) => Some(*max),
            _ => None,
        }
    }
}

fn tag<'a>(filter: &'a [(String, String)], key: &str) -> Option<&'a str> {
    filter
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The endpoints matching a `{name:…, method:…}` filter, merged.
fn endpoints(totals: &Snapshot, filter: &[(String, String)]) -> EndpointStats {
    let (name, method) = (tag(filter, "name"), tag(filter, "method"));
    let mut merged = EndpointStats::default();
    for (m, n, stats) in totals.sorted_endpoints() {
        if name.is_none_or(|want| want == n) && method.is_none_or(|want| want == m.as_str()) {
            merged.merge(stats);
        }
    }
    merged
}

/// Whether a series' tags include every tag of the filter.
fn has_tags(tags: &[(&str, &str)], filter: &[(String, String)]) -> bool {
    filter
        .iter()
        .all(|(k, v)| tags.iter().any(|(tk, tv)| tk == k && tv == v))
}

fn select(threshold: &Threshold, m: &Measures) -> Result<Selected, String> {
    let totals = m.totals;
    let filter = &threshold.tags;
    if let Some(phase) = Phase::of_metric(&threshold.metric) {
        return Ok(Selected::Phase(endpoints(totals, filter), phase));
    }
    Ok(match threshold.metric.as_str() {
        "http_req_duration" => Selected::Durations(endpoints(totals, filter)),
        "http_req_failed" => {
            let s = endpoints(totals, filter);
            Selected::Rate {
                trues: s.failures(),
                total: s.requests,
            }
        }
        "http_reqs" => Selected::Counter(endpoints(totals, filter).requests as f64),
        "data_sent" => Selected::Counter(endpoints(totals, filter).bytes_sent as f64),
        "data_received" => Selected::Counter(endpoints(totals, filter).bytes_received as f64),
        "iterations" => Selected::Counter(totals.iterations.completed as f64),
        "dropped_iterations" => Selected::Counter(totals.iterations.dropped as f64),
        "vus" => Selected::Gauge {
            value: m.vus.value,
            min: m.vus.min,
            max: m.vus.max,
        },
        "checks" => {
            let (mut trues, mut total) = (0, 0);
            let check = tag(filter, "check");
            let others: Vec<(String, String)> = filter
                .iter()
                .filter(|(k, _)| k != "check")
                .cloned()
                .collect();
            for (key, counts) in &totals.custom.checks {
                let (name, tags) = split_key(key);
                if check.is_none_or(|want| want == name) && has_tags(&tags, &others) {
                    trues += counts.passes;
                    total += counts.passes + counts.fails;
                }
            }
            Selected::Rate { trues, total }
        }
        custom => select_custom(threshold, custom, totals)?,
    })
}

/// A custom metric: the kind the conditions ask for, among the series of that name whose
/// tags match.
fn select_custom(threshold: &Threshold, name: &str, totals: &Snapshot) -> Result<Selected, String> {
    let kinds = [
        MetricKind::Trend,
        MetricKind::Counter,
        MetricKind::Rate,
        MetricKind::Gauge,
    ];
    let wanted = kinds
        .into_iter()
        .filter(|kind| {
            threshold
                .conditions
                .iter()
                .all(|c| c.aggregation.applies_to(*kind))
        })
        .collect::<Vec<_>>();
    let mut found_kinds = Vec::new();
    let mut selected: Option<Selected> = None;
    for (key, value) in totals.custom.series() {
        let (series_name, tags) = split_key(key);
        if series_name != name {
            continue;
        }
        found_kinds.push(value.kind());
        if !wanted.contains(&value.kind()) || !has_tags(&tags, &threshold.tags) {
            continue;
        }
        selected = Some(match (selected.take(), value) {
            (None, MetricValue::Counter { sum }) => Selected::Counter(*sum),
            (Some(Selected::Counter(a)), MetricValue::Counter { sum }) => {
                Selected::Counter(a + sum)
            }
            (None, MetricValue::Rate { trues, total }) => Selected::Rate {
                trues: *trues,
                total: *total,
            },
            (Some(Selected::Rate { trues: a, total: n }), MetricValue::Rate { trues, total }) => {
                Selected::Rate {
                    trues: a + trues,
                    total: n + total,
                }
            }
            (None, MetricValue::Trend(t)) => Selected::Trend((**t).clone()),
            (Some(Selected::Trend(mut a)), MetricValue::Trend(t)) => {
                a.merge(t);
                Selected::Trend(a)
            }
            (None, MetricValue::Gauge { last, min, max, .. }) => Selected::Gauge {
                value: *last,
                min: *min,
                max: *max,
            },
            (
                Some(Selected::Gauge {
                    value,
                    min: a_min,
                    max: a_max,
                }),
                MetricValue::Gauge { min, max, .. },
            ) => Selected::Gauge {
                value,
                min: a_min.min(*min),
                max: a_max.max(*max),
            },
            (other, _) => other.expect("series of one kind merge"),
        });
    }
    selected.ok_or_else(|| {
        if found_kinds.is_empty() {
            format!("the scenario recorded no metric named {name:?}")
        } else if threshold.tags.is_empty() {
            format!(
                "{name} is a {} metric, which has {}",
                found_kinds[0].name(),
                super::aggregations_of(found_kinds[0])
            )
        } else {
            format!("no {name} series has the tags of the filter")
        }
    })
}

/// Evaluates one threshold.
pub fn evaluate(threshold: &Threshold, measures: &Measures) -> ThresholdResult {
    let selected = select(threshold, measures);
    let mut note = selected.as_ref().err().cloned();
    let conditions: Vec<ConditionResult> = threshold
        .conditions
        .iter()
        .map(|c| {
            let measured = selected
                .as_ref()
                .ok()
                .and_then(|s| s.value(&c.aggregation, measures.duration_s));
            ConditionResult {
                condition: c.to_string(),
                measured,
                passed: measured.is_some_and(|v| c.comparison.holds(v, c.value)),
            }
        })
        .collect();
    if note.is_none() && conditions.iter().any(|c| c.measured.is_none()) {
        note = Some(format!("{} has no samples", threshold.metric));
    }
    ThresholdResult {
        threshold: threshold.source.clone(),
        passed: conditions.iter().all(|c| c.passed),
        abort_on_fail: threshold.abort_on_fail,
        aborted_run: false,
        conditions,
        note,
    }
}

#[cfg(test)]
mod tests {
    use http::Method;

    use super::*;
    use crate::stats::custom::{MetricSample, series_key};
    use crate::stats::{Sample, StatsHub};
    use crate::thresholds::parse;

    fn measures(hub: &StatsHub) -> Snapshot {
        let mut totals = Snapshot::default();
        hub.harvest_into(&mut totals);
        totals
    }

    fn check(totals: &Snapshot, expr: &str) -> ThresholdResult {
        let t = parse(expr).unwrap();
        evaluate(
            &t,
            &Measures {
                totals,
                duration_s: 10.0,
                vus: VusView {
                    value: 0.0,
                    min: 0.0,
                    max: 50.0,
                },
            },
        )
    }

    fn sample(ms: u64, failed: bool) -> Sample {
        Sample {
            elapsed_us: ms * 1000,
            status: Some(if failed { 500 } else { 200 }),
            failed,
            bytes_sent: 100,
            bytes_received: 1000,
            lag_us: None,
            ..Sample::default()
        }
    }

    #[test]
    fn built_in_metrics_by_name_and_method() {
        let hub = StatsHub::new();
        for ms in 1..=100 {
            hub.record_request(&Method::GET, "/api/orders", &sample(ms, false), None);
        }
        for _ in 0..10 {
            hub.record_request(&Method::POST, "/login", &sample(500, true), Some("x"));
        }
        hub.record_dropped(3);
        let totals = measures(&hub);
        let r = check(
            &totals,
            "http_req_duration{name:/api/orders}: p(95)<100, max<=100",
        );
        assert!(r.passed, "{r:?}");
        assert_eq!(r.conditions[1].measured, Some(100.0));
        let r = check(&totals, "http_req_duration: p(95)<100");
        assert!(!r.passed, "the logins are slow: {r:?}");
        let r = check(&totals, "http_req_failed: rate<0.1");
        assert_eq!(r.conditions[0].measured, Some(10.0 / 110.0));
        assert!(r.passed);
        assert!(!check(&totals, "http_req_failed{method:POST}: rate<0.5").passed);
        let r = check(&totals, "http_reqs: count==110, rate==11");
        assert!(r.passed, "{r:?}");
        assert!(check(&totals, "data_received{name:/login}: count==10000").passed);
        assert!(check(&totals, "dropped_iterations: count==3").passed);
        assert!(check(&totals, "vus: max==50").passed);
        let r = check(&totals, "http_req_duration{name:/nothing}: avg<1");
        assert!(!r.passed);
        assert!(r.note.unwrap().contains("no samples"));
    }

    #[test]
    fn phases_by_name_in_ms() {
        use crate::stats::Phases;
        let hub = StatsHub::new();
        for ms in 1..=100 {
            let sample = Sample {
                phases: Phases {
                    waiting_us: ms * 1000,
                    connecting_us: if ms == 100 { 40_000 } else { 0 },
                    ..Phases::default()
                },
                ..sample(ms, false)
            };
            hub.record_request(&Method::GET, "/api/orders", &sample, None);
        }
        let slow = Sample {
            phases: Phases {
                waiting_us: 900_000,
                ..Phases::default()
            },
            ..sample(900, false)
        };
        hub.record_request(&Method::GET, "/report", &slow, None);
        let totals = measures(&hub);
        let r = check(
            &totals,
            "http_req_waiting{name:/api/orders}: p(95)<100, max==100, avg==50.5",
        );
        assert!(r.passed, "{r:?}");
        let measured = r.conditions[0].measured.unwrap();
        assert!((measured - 95.0).abs() < 1.0, "p95 {measured}");
        assert!(!check(&totals, "http_req_waiting: max<100").passed);
        let r = check(
            &totals,
            "http_req_connecting{name:/api/orders}: med==0, max==40",
        );
        assert!(r.passed, "{r:?}");
        let r = check(&totals, "http_req_tls_handshaking{method:POST}: p(99)<1");
        assert!(!r.passed);
        assert!(r.note.unwrap().contains("no samples"));
    }

    #[test]
    fn checks_and_custom_metrics_with_tags() {
        let hub = StatsHub::new();
        let mut key = String::new();
        let mut tags = vec![("token".to_string(), "expired".to_string())];
        series_key(&mut key, "expired token is rejected", &mut tags);
        for i in 0..10 {
            hub.record_check(&key, i < 7);
        }
        series_key(&mut key, "status is 200", &mut Vec::new());
        hub.record_check(&key, true);
        series_key(&mut key, "orders_created", &mut tags);
        hub.record_metric(&key, MetricSample::Counter(4.0));
        series_key(&mut key, "ttfb", &mut Vec::new());
        hub.record_metric(&key, MetricSample::Trend(12.5));
        let totals = measures(&hub);
        assert_eq!(
            check(
                &totals,
                "checks{check:expired token is rejected}: rate>=0.7"
            )
            .conditions[0]
                .measured,
            Some(0.7)
        );
        assert_eq!(
            check(&totals, "checks: rate>0").conditions[0].measured,
            Some(8.0 / 11.0)
        );
        assert!(check(&totals, "checks{token:expired}: rate<0.71").passed);
        assert!(
            check(
                &totals,
                "orders_created{token:expired}: count==4, rate==0.4"
            )
            .passed
        );
        assert!(check(&totals, "ttfb: p(99)<13, avg==12.5").passed);
        let r = check(&totals, "ttfb: count>1");
        assert!(
            r.note.unwrap().contains("trend metric"),
            "the kind is named"
        );
        let r = check(&totals, "never_recorded: count>1");
        assert!(!r.passed);
        assert!(r.note.unwrap().contains("no metric named"));
    }
}
