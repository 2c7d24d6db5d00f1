//! Reading a threshold in k6's syntax: `METRIC{TAG:VALUE,…}: CONDITION[, CONDITION…]`, where
//! a condition is `AGGREGATION OPERATOR NUMBER` (`p(95)<200`, `rate<0.01`) or one of the
//! options `abortOnFail` and `delayAbortEval=DURATION`. Errors quote the part that is wrong.

use std::fmt;
use std::time::Duration;

use super::{Aggregation, Comparison, Condition, Threshold, aggregations_of};
use crate::metric::{HTTP_PHASES, MetricKind, builtin_kind, valid_name};
use crate::units::parse_duration;

/// Why a threshold expression could not be read; the message quotes the bad part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParseError {}

const EXAMPLE: &str = "expected e.g. 'http_req_duration{name:/api/orders}: p(95)<200'";

/// Reads one threshold expression.
pub fn parse(text: &str) -> Result<Threshold, ParseError> {
    let err = |why: String| ParseError(format!("threshold {text:?}: {why}"));
    let t = text.trim();
    // The metric name runs to the first '{' or ':'.
    let name_end = t
        .find(['{', ':'])
        .ok_or_else(|| err(format!("no ':' after the metric name; {EXAMPLE}")))?;
    let metric = t[..name_end].trim();
    check_metric_name(metric).map_err(err)?;
    let mut rest = &t[name_end..];
    let mut tags = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        let close = after
            .find('}')
            .ok_or_else(|| err(format!("the tag filter {rest:?} has no closing '}}'")))?;
        for pair in after[..close].split(',').map(str::trim) {
            let (key, value) = pair.split_once(':').ok_or_else(|| {
                err(format!(
                    "the tag filter {pair:?} is not TAG:VALUE, as in {{name:/api/orders}}"
                ))
            })?;
            let (key, value) = (key.trim(), value.trim());
            if key.is_empty() || value.is_empty() {
                return Err(err(format!(
                    "the tag filter {pair:?} needs a tag and a value, as in {{name:/api/orders}}"
                )));
            }
            tags.push((key.to_string(), value.to_string()));
        }
        rest = after[close + 1..].trim_start();
    }
    let conditions_text = rest.strip_prefix(':').ok_or_else(|| {
        err(format!(
            "expected ':' and a condition after {:?}; {EXAMPLE}",
            &t[..t.len() - rest.len()]
        ))
    })?;
    let kind = builtin_kind(metric);
    if let Some(kind) = kind {
        check_filter(metric, kind, &tags).map_err(err)?;
    }
    let mut threshold = Threshold {
        source: t.to_string(),
        metric: metric.to_string(),
        tags,
        conditions: Vec::new(),
        abort_on_fail: false,
        delay_abort_eval: Duration::ZERO,
    };
    for part in conditions_text.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(err(format!("an empty condition; {EXAMPLE}")));
        }
        if part == "abortOnFail" {
            threshold.abort_on_fail = true;
            continue;
        }
        if let Some(value) = part.strip_prefix("delayAbortEval=") {
            threshold.delay_abort_eval = parse_duration(value).map_err(|_| {
                err(format!(
                    "{part:?}: {value:?} is not a duration; expected e.g. delayAbortEval=10s"
                ))
            })?;
            continue;
        }
        let condition = parse_condition(part).map_err(err)?;
        if let Some(kind) = kind
            && !condition.aggregation.applies_to(kind)
        {
            return Err(err(format!(
                "{part:?}: {metric} is a {} metric, which has {}",
                kind.name(),
                aggregations_of(kind)
            )));
        }
        threshold.conditions.push(condition);
    }
    if threshold.conditions.is_empty() {
        return Err(err(format!("no condition; {EXAMPLE}")));
    }
    Ok(threshold)
}

fn check_metric_name(name: &str) -> Result<(), String> {
    if valid_name(name) {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a metric name (letters, digits and '_'); {EXAMPLE}"
        ))
    }
}

/// The tags each built-in metric can be filtered by.
fn check_filter(metric: &str, kind: MetricKind, tags: &[(String, String)]) -> Result<(), String> {
    let allowed: &[&str] = match metric {
        "http_req_duration" | "http_req_failed" | "http_reqs" | "data_sent" | "data_received" => {
            &["name", "method"]
        }
        phase if HTTP_PHASES.contains(&phase) => &["name", "method"],
        // Checks carry their name as `check` and the tags the scenario gave them.
        "checks" => return Ok(()),
        _ => &[],
    };
    let _ = kind;
    for (key, _) in tags {
        if !allowed.contains(&key.as_str()) {
            return Err(if allowed.is_empty() {
                format!("{metric} has no tags to filter by; drop {{{key}:…}}")
            } else {
                format!(
                    "{metric} can be filtered by {}, not by {key:?}",
                    allowed.join(" and ")
                )
            });
        }
    }
    Ok(())
}

/// `p(95)<200`, `rate < 0.01`, `count>=10`.
fn parse_condition(text: &str) -> Result<Condition, String> {
    let op_at = text
        .find(['<', '>', '=', '!'])
        .ok_or_else(|| format!("{text:?} has no comparison (<, <=, >, >=, ==, !=); {EXAMPLE}"))?;
    let (agg_text, rest) = text.split_at(op_at);
    let (comparison, value_text) = [
        ("<=", Comparison::LessOrEqual),
        (">=", Comparison::GreaterOrEqual),
        ("==", Comparison::Equal),
        ("!=", Comparison::NotEqual),
        ("<", Comparison::Less),
        (">", Comparison::Greater),
    ]
    .into_iter()
    .find_map(|(op, cmp)| rest.strip_prefix(op).map(|v| (cmp, v)))
    .ok_or_else(|| format!("{text:?}: {rest:?} is not a comparison (<, <=, >, >=, ==, !=)"))?;
    let aggregation =
        parse_aggregation(agg_text.trim()).map_err(|why| format!("{text:?}: {why}"))?;
    let value_text = value_text.trim();
    let value = value_text
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{text:?}: {value_text:?} is not a number"))?;
    Ok(Condition {
        aggregation,
        comparison,
        value,
    })
}

fn parse_aggregation(text: &str) -> Result<Aggregation, String> {
    Ok(match text {
        "avg" => Aggregation::Avg,
        "min" => Aggregation::Min,
        "max" => Aggregation::Max,
        "med" => Aggregation::Med,
        "rate" => Aggregation::Rate,
        "count" => Aggregation::Count,
        "value" => Aggregation::Value,
        _ => {
            let inner = text
                .strip_prefix("p(")
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| {
                    format!(
                        "{text:?} is not an aggregation; expected avg, min, max, med, p(N), rate, count or value"
                    )
                })?;
            match inner.trim().parse::<f64>() {
                Ok(p) if (0.0..=100.0).contains(&p) => Aggregation::Percentile(p),
                _ => return Err(format!("{text:?}: the percentile must be from 0 to 100")),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k6_expressions_read() {
        let t = parse("http_req_duration{name:/api/orders}: p(95)<200").unwrap();
        assert_eq!(t.metric, "http_req_duration");
        assert_eq!(t.tags, vec![("name".into(), "/api/orders".into())]);
        assert_eq!(
            t.conditions,
            vec![Condition {
                aggregation: Aggregation::Percentile(95.0),
                comparison: Comparison::Less,
                value: 200.0
            }]
        );
        let t = parse("http_req_failed: rate<0.01, abortOnFail, delayAbortEval=10s").unwrap();
        assert!(t.abort_on_fail);
        assert_eq!(t.delay_abort_eval, Duration::from_secs(10));
        let t = parse("checks{check:expired token is rejected}: rate == 1").unwrap();
        assert_eq!(t.conditions[0].comparison, Comparison::Equal);
        let t = parse("http_req_duration: avg<100, p(99.9) <= 1500").unwrap();
        assert_eq!(t.conditions.len(), 2);
        let t = parse("orders_created: count>=10").unwrap();
        assert_eq!(t.metric, "orders_created");
        // A URL as a tag value keeps its colons.
        let t = parse("http_reqs{name:http://x/y}: count>0").unwrap();
        assert_eq!(t.tags[0].1, "http://x/y");
        let t = parse("http_req_waiting{name:/api/orders,method:GET}: p(95)<100").unwrap();
        assert_eq!(t.metric, "http_req_waiting");
        assert_eq!(t.tags.len(), 2);
    }

    #[test]
    fn errors_point_at_the_bad_part() {
        let e = |text| parse(text).unwrap_err().0;
        assert!(e("http_req_duration p(95)<200").contains("no ':'"));
        assert!(e("http_req_duration: p(95)<abc").contains("\"abc\" is not a number"));
        assert!(e("http_req_duration: p(95)200").contains("no comparison"));
        assert!(e("http_req_duration: p(101)<2").contains("from 0 to 100"));
        assert!(e("http_req_duration: pct(95)<2").contains("not an aggregation"));
        assert!(e("http_req_duration: rate<2").contains("trend metric"));
        assert!(e("http_req_failed: avg<2").contains("rate metric"));
        assert!(e("http_req_duration{status:200}: avg<2").contains("filtered by name and method"));
        assert!(e("iterations{name:x}: count<2").contains("no tags"));
        assert!(e("http_req_connecting: rate<2").contains("trend metric"));
        assert!(e("http_req_waiting{status:200}: avg<2").contains("filtered by name and method"));
        assert!(e("http_req_duration{name:/x: avg<2").contains("no closing"));
        assert!(e("http_req_duration{name}: avg<2").contains("TAG:VALUE"));
        assert!(e("bad-name: count<2").contains("not a metric name"));
        assert!(e("http_reqs: abortOnFail").contains("no condition"));
        assert!(e("http_reqs: count>1, delayAbortEval=soon").contains("not a duration"));
        assert!(e("http_reqs: count>1,").contains("empty condition"));
    }
}
