//! `horde compare A.json B.json`: two run summaries side by side per (method, name) and in
//! total, with the change from A to B and whether it is better or worse (session vs JWT,
//! before vs after a change).

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::datetime;
use crate::summary::SCHEMA_VERSION;

/// What compare reads of a summary: only these fields, so summaries that gained fields since
/// (same `schema_version`) still compare.
#[derive(Debug, Clone, Deserialize)]
pub struct RunSummary {
    /// Absent in summaries written before the field existed, which have version 1's shape.
    #[serde(default)]
    pub schema_version: Option<u32>,
    pub horde_version: String,
    pub run: RunHeader,
    pub stats: Vec<EndpointNumbers>,
    pub aggregated: EndpointNumbers,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunHeader {
    pub scenario: String,
    pub started_at_unix_ms: u64,
    pub duration_s: f64,
    pub peak_users: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EndpointNumbers {
    pub method: String,
    pub name: String,
    pub num_requests: u64,
    pub num_failures: u64,
    pub avg_response_time_ms: f64,
    pub percentiles_ms: Tails,
    pub requests_per_sec: f64,
    pub bytes_received: u64,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Tails {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// Reads a summary written by `horde run --json`, or says in one line what is wrong with the
/// file and what to give instead.
pub fn load(path: &Path) -> Result<RunSummary, String> {
    let value = read_value(path)?;
    serde_json::from_value(value).map_err(|e| {
        format!(
            "{} is a damaged horde summary ({e}); write it again with horde run --json FILE",
            path.display()
        )
    })
}

/// Reads a file written by `horde run --json` as JSON, checking that it is a horde summary of
/// the schema version this horde reads.
pub fn read_value(path: &Path) -> Result<serde_json::Value, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!("cannot read {shown}: {e}; give a summary written by horde run --json FILE")
    })?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!("{shown} is not JSON ({e}); give a summary written by horde run --json FILE")
    })?;
    let looks_like_summary = value.get("horde_version").is_some_and(|v| v.is_string())
        && value.get("stats").is_some_and(|v| v.is_array());
    if !looks_like_summary {
        return Err(format!(
            "{shown} is not a horde summary (no horde_version and stats); give a file written by horde run --json FILE"
        ));
    }
    if let Some(version) = value.get("schema_version")
        && version.as_u64() != Some(u64::from(SCHEMA_VERSION))
    {
        return Err(format!(
            "{shown} has summary schema_version {version}, this horde reads version {SCHEMA_VERSION}; \
             compare it with the horde that wrote it (horde_version {})",
            value["horde_version"]
        ));
    }
    Ok(value)
}

/// Which way is good for a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Good {
    Lower,
    Higher,
    /// A change is neither better nor worse (the size of responses).
    Neither,
}

/// The direction of a change from A to B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Better,
    Worse,
    Same,
    /// Different, but neither better nor worse.
    Changed,
}

/// One number compared.
struct Metric {
    key: &'static str,
    label: &'static str,
    good: Good,
    /// Decimals shown: µs for times, what matters for the rest.
    decimals: usize,
    value: fn(&EndpointNumbers) -> f64,
}

const METRICS: [Metric; 7] = [
    Metric {
        key: "requests_per_sec",
        label: "req/s",
        good: Good::Higher,
        decimals: 2,
        value: |e| e.requests_per_sec,
    },
    Metric {
        key: "failure_pct",
        label: "failures %",
        good: Good::Lower,
        decimals: 2,
        value: |e| {
            if e.num_requests == 0 {
                0.0
            } else {
                e.num_failures as f64 * 100.0 / e.num_requests as f64
            }
        },
    },
    Metric {
        key: "avg_ms",
        label: "avg ms",
        good: Good::Lower,
        decimals: 3,
        value: |e| e.avg_response_time_ms,
    },
    Metric {
        key: "p50_ms",
        label: "p50 ms",
        good: Good::Lower,
        decimals: 3,
        value: |e| e.percentiles_ms.p50,
    },
    Metric {
        key: "p95_ms",
        label: "p95 ms",
        good: Good::Lower,
        decimals: 3,
        value: |e| e.percentiles_ms.p95,
    },
    Metric {
        key: "p99_ms",
        label: "p99 ms",
        good: Good::Lower,
        decimals: 3,
        value: |e| e.percentiles_ms.p99,
    },
    Metric {
        key: "avg_size_bytes",
        label: "avg size B",
        good: Good::Neither,
        decimals: 1,
        value: |e| {
            if e.num_requests == 0 {
                0.0
            } else {
                e.bytes_received as f64 / e.num_requests as f64
            }
        },
    },
];

/// One number of one (method, name) in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricDiff {
    pub metric: &'static str,
    pub a: Option<f64>,
    pub b: Option<f64>,
    /// `b - a`, when both runs have the number.
    pub diff: Option<f64>,
    /// The difference as a percentage of `a`; none when `a` is 0.
    pub diff_pct: Option<f64>,
    pub verdict: Option<Verdict>,
}

/// In which runs a (method, name) appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Both,
    OnlyA,
    OnlyB,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EndpointDiff {
    pub method: String,
    pub name: String,
    pub presence: Presence,
    pub metrics: Vec<MetricDiff>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunLabel {
    pub file: String,
    pub scenario: String,
    pub horde_version: String,
    pub started_at_unix_ms: u64,
    pub duration_s: f64,
    pub peak_users: u32,
}

/// The whole comparison (`--json` prints it as is).
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: RunLabel,
    pub b: RunLabel,
    /// Every (method, name) of either run, sorted by name then method.
    pub endpoints: Vec<EndpointDiff>,
    pub aggregated: EndpointDiff,
}

/// Changes smaller than this share of the larger value are "same": the table shows changes
/// to two decimals of a percent, and a verdict on a change it prints as 0.00 % misleads.
const SAME_WITHIN: f64 = 1e-4;

fn verdict(good: Good, a: f64, b: f64) -> Verdict {
    if (b - a).abs() <= SAME_WITHIN * a.abs().max(b.abs()) {
        return Verdict::Same;
    }
    match good {
        Good::Neither => Verdict::Changed,
        Good::Lower if b < a => Verdict::Better,
        Good::Higher if b > a => Verdict::Better,
        _ => Verdict::Worse,
    }
}

fn diff_endpoint(
    method: &str,
    name: &str,
    a: Option<&EndpointNumbers>,
    b: Option<&EndpointNumbers>,
) -> EndpointDiff {
    let presence = match (a, b) {
        (Some(_), Some(_)) => Presence::Both,
        (Some(_), None) => Presence::OnlyA,
        (None, _) => Presence::OnlyB,
    };
    let metrics = METRICS
        .iter()
        .map(|m| {
            let va = a.map(m.value);
            let vb = b.map(m.value);
            let (diff, diff_pct, verdict) = match (va, vb) {
                (Some(x), Some(y)) => (
                    Some(y - x),
                    (x != 0.0).then(|| (y - x) / x * 100.0),
                    Some(verdict(m.good, x, y)),
                ),
                _ => (None, None, None),
            };
            MetricDiff {
                metric: m.key,
                a: va,
                b: vb,
                diff,
                diff_pct,
                verdict,
            }
        })
        .collect();
    EndpointDiff {
        method: method.to_string(),
        name: name.to_string(),
        presence,
        metrics,
    }
}

fn label(file: &Path, s: &RunSummary) -> RunLabel {
    RunLabel {
        file: file.display().to_string(),
        scenario: s.run.scenario.clone(),
        horde_version: s.horde_version.clone(),
        started_at_unix_ms: s.run.started_at_unix_ms,
        duration_s: s.run.duration_s,
        peak_users: s.run.peak_users,
    }
}

/// Compares run B against run A.
pub fn compare(a_file: &Path, a: &RunSummary, b_file: &Path, b: &RunSummary) -> Comparison {
    let mut keys: Vec<(&str, &str)> = a
        .stats
        .iter()
        .chain(&b.stats)
        .map(|e| (e.name.as_str(), e.method.as_str()))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    let find = |run: &'_ RunSummary, name: &str, method: &str| -> Option<EndpointNumbers> {
        run.stats
            .iter()
            .find(|e| e.name == name && e.method == method)
            .cloned()
    };
    let endpoints = keys
        .into_iter()
        .map(|(name, method)| {
            diff_endpoint(
                method,
                name,
                find(a, name, method).as_ref(),
                find(b, name, method).as_ref(),
            )
        })
        .collect();
    Comparison {
        a: label(a_file, a),
        b: label(b_file, b),
        endpoints,
        aggregated: diff_endpoint("", "Aggregated", Some(&a.aggregated), Some(&b.aggregated)),
    }
}

fn number(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.decimals$}"))
}

fn signed(v: Option<f64>, decimals: usize, suffix: &str) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:+.decimals$}{suffix}"))
}

/// The comparison for a person: a block per (method, name), then the aggregate.
pub fn render(c: &Comparison) -> String {
    let mut out = String::new();
    for (tag, run) in [("A", &c.a), ("B", &c.b)] {
        let _ = writeln!(
            out,
            "{tag}: {}  ({}, {}, {:.1} s, peak {} users, horde {})",
            run.file,
            run.scenario,
            datetime::utc(run.started_at_unix_ms),
            run.duration_s,
            run.peak_users,
            run.horde_version
        );
    }
    for e in c.endpoints.iter().chain([&c.aggregated]) {
        let title = if e.method.is_empty() {
            e.name.clone()
        } else {
            format!("{} {}", e.method, e.name)
        };
        let note = match e.presence {
            Presence::Both => "",
            Presence::OnlyA => "  (only in A)",
            Presence::OnlyB => "  (only in B)",
        };
        let _ = writeln!(out, "\n{title}{note}");
        let _ = writeln!(
            out,
            "  {:<12} {:>12} {:>12} {:>12} {:>10}",
            "", "A", "B", "B - A", "change"
        );
        for (m, d) in METRICS.iter().zip(&e.metrics) {
            let verdict = match d.verdict {
                Some(Verdict::Better) => "better",
                Some(Verdict::Worse) => "worse",
                Some(Verdict::Same) => "same",
                Some(Verdict::Changed) => "changed",
                None => "",
            };
            let line = format!(
                "  {:<12} {:>12} {:>12} {:>12} {:>10}  {verdict}",
                m.label,
                number(d.a, m.decimals),
                number(d.b, m.decimals),
                signed(d.diff, m.decimals, ""),
                signed(d.diff_pct, 2, "%"),
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(method: &str, name: &str, rps: f64, failures: u64, p95: f64) -> EndpointNumbers {
        EndpointNumbers {
            method: method.into(),
            name: name.into(),
            num_requests: 100,
            num_failures: failures,
            avg_response_time_ms: p95 / 2.0,
            percentiles_ms: Tails {
                p50: p95 / 2.0,
                p95,
                p99: p95 * 2.0,
            },
            requests_per_sec: rps,
            bytes_received: 100 * 400,
        }
    }

    fn run(stats: Vec<EndpointNumbers>) -> RunSummary {
        RunSummary {
            schema_version: Some(SCHEMA_VERSION),
            horde_version: "0.1.0".into(),
            run: RunHeader {
                scenario: "s".into(),
                started_at_unix_ms: 0,
                duration_s: 10.0,
                peak_users: 5,
            },
            aggregated: numbers("", "Aggregated", 20.0, 0, 10.0),
            stats,
        }
    }

    fn metric<'a>(e: &'a EndpointDiff, key: &str) -> &'a MetricDiff {
        e.metrics.iter().find(|m| m.metric == key).unwrap()
    }

    #[test]
    fn lower_latency_and_higher_rate_are_better() {
        let a = run(vec![numbers("GET", "/x", 10.0, 10, 8.0)]);
        let b = run(vec![numbers("GET", "/x", 12.5, 5, 10.0)]);
        let c = compare(Path::new("a.json"), &a, Path::new("b.json"), &b);
        let x = &c.endpoints[0];
        assert_eq!(x.presence, Presence::Both);
        let rps = metric(x, "requests_per_sec");
        assert_eq!((rps.diff, rps.diff_pct), (Some(2.5), Some(25.0)));
        assert_eq!(rps.verdict, Some(Verdict::Better));
        let fail = metric(x, "failure_pct");
        assert_eq!((fail.a, fail.b), (Some(10.0), Some(5.0)));
        assert_eq!(fail.verdict, Some(Verdict::Better));
        let p95 = metric(x, "p95_ms");
        assert_eq!((p95.diff, p95.diff_pct), (Some(2.0), Some(25.0)));
        assert_eq!(p95.verdict, Some(Verdict::Worse));
        let size = metric(x, "avg_size_bytes");
        assert_eq!((size.a, size.verdict), (Some(400.0), Some(Verdict::Same)));
        assert_eq!(metric(&c.aggregated, "p99_ms").verdict, Some(Verdict::Same));
    }

    #[test]
    fn a_change_too_small_to_print_is_the_same() {
        assert_eq!(verdict(Good::Higher, 1.6667, 1.66669), Verdict::Same);
        assert_eq!(verdict(Good::Higher, 1.6667, 1.6), Verdict::Worse);
        assert_eq!(verdict(Good::Lower, 0.0, 0.0), Verdict::Same);
    }

    #[test]
    fn a_change_of_size_is_neither_better_nor_worse() {
        assert_eq!(verdict(Good::Neither, 400.0, 500.0), Verdict::Changed);
        assert_eq!(verdict(Good::Lower, 5.0, 4.0), Verdict::Better);
        assert_eq!(verdict(Good::Higher, 5.0, 4.0), Verdict::Worse);
    }

    #[test]
    fn no_percentage_of_zero() {
        let a = run(vec![numbers("GET", "/x", 10.0, 0, 8.0)]);
        let b = run(vec![numbers("GET", "/x", 10.0, 3, 8.0)]);
        let c = compare(Path::new("a"), &a, Path::new("b"), &b);
        let fail = metric(&c.endpoints[0], "failure_pct");
        assert_eq!((fail.diff, fail.diff_pct), (Some(3.0), None));
        assert_eq!(fail.verdict, Some(Verdict::Worse));
        assert!(
            render(&c)
                .contains("failures %           0.00         3.00        +3.00          -  worse")
        );
    }

    #[test]
    fn names_in_one_run_only_are_marked() {
        let a = run(vec![
            numbers("GET", "/old", 1.0, 0, 1.0),
            numbers("GET", "/x", 1.0, 0, 1.0),
        ]);
        let b = run(vec![
            numbers("GET", "/x", 1.0, 0, 1.0),
            numbers("POST", "/new", 1.0, 0, 1.0),
        ]);
        let c = compare(Path::new("a"), &a, Path::new("b"), &b);
        let seen: Vec<(&str, Presence)> = c
            .endpoints
            .iter()
            .map(|e| (e.name.as_str(), e.presence))
            .collect();
        assert_eq!(
            seen,
            [
                ("/new", Presence::OnlyB),
                ("/old", Presence::OnlyA),
                ("/x", Presence::Both)
            ]
        );
        let new = metric(&c.endpoints[0], "p95_ms");
        assert_eq!((new.a, new.b, new.verdict), (None, Some(1.0), None));
        let text = render(&c);
        assert!(text.contains("POST /new  (only in B)"), "{text}");
        assert!(text.contains("GET /old  (only in A)"), "{text}");
    }

    #[test]
    fn bad_files_are_named_with_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.json");
        assert!(load(&missing).unwrap_err().starts_with("cannot read"));
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let text = write("notes.json", "hello");
        assert!(load(&text).unwrap_err().contains("is not JSON"));
        let other = write("other.json", r#"{"name": "x"}"#);
        assert!(load(&other).unwrap_err().contains("is not a horde summary"));
        let future = write(
            "future.json",
            r#"{"schema_version": 2, "horde_version": "9.0.0", "stats": []}"#,
        );
        let message = load(&future).unwrap_err();
        assert!(message.contains("schema_version 2"), "{message}");
        assert!(message.contains("reads version 1"), "{message}");
        let damaged = write(
            "damaged.json",
            r#"{"schema_version": 1, "horde_version": "0.1.0", "stats": []}"#,
        );
        assert!(load(&damaged).unwrap_err().contains("damaged"));
    }
}
