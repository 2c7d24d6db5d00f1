//! `horde table A.json B.json …`: several runs in one table, a row per run and request name,
//! with the columns load-test reports share (the JMeter study of seed 1 among them): load,
//! name, average response time, error %, throughput, and kB/s received and sent; then the
//! bandwidth of each run and its checks.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::compare::read_value;

/// One run, read from its summary.
pub struct Run {
    /// What the run's load was: `100/s`, `500 users`, or the file's name.
    pub load: String,
    pub summary: Value,
}

/// The load of a run in a few characters, from its `run.load_model`.
fn load_label(summary: &Value, path: &Path) -> String {
    let model = summary["run"]["load_model"].as_str().unwrap_or("");
    let words: Vec<&str> = model.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    match words.as_slice() {
        ["open:", rate, ..] if rate.ends_with("/s") => rate.to_string(),
        ["closed:", n, "users", ..] => format!("{n} users"),
        _ => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

/// Reads the summaries, or says which file is wrong and why.
pub fn load_runs(paths: &[PathBuf]) -> Result<Vec<Run>, String> {
    paths
        .iter()
        .map(|path| {
            let summary = read_value(path)?;
            Ok(Run {
                load: load_label(&summary, path),
                summary,
            })
        })
        .collect()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

/// The table, as printed.
pub fn render(runs: &[Run]) -> String {
    let mut out = String::new();
    let name_width = runs
        .iter()
        .flat_map(|r| r.summary["stats"].as_array().into_iter().flatten())
        .filter_map(|s| s["name"].as_str())
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 60);
    let load_width = runs
        .iter()
        .map(|r| r.load.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(
        out,
        "{:<load_width$}  {:<name_width$}  {:>9}  {:>8}  {:>10}  {:>10}  {:>10}",
        "Load", "Scenario", "Avg (ms)", "Error %", "Throughput", "kB/s recv", "kB/s sent"
    );
    let _ = writeln!(
        out,
        "{}",
        "-".repeat(load_width + name_width + 9 + 8 + 10 * 3 + 12)
    );
    for run in runs {
        for s in run.summary["stats"].as_array().into_iter().flatten() {
            let requests = num(&s["num_requests"]);
            let error_pct = if requests > 0.0 {
                num(&s["num_failures"]) * 100.0 / requests
            } else {
                0.0
            };
            let _ = writeln!(
                out,
                "{:<load_width$}  {:<name_width$}  {:>9.2}  {:>7.2}%  {:>10.2}  {:>10.2}  {:>10.2}",
                run.load,
                s["name"].as_str().unwrap_or(""),
                num(&s["avg_response_time_ms"]),
                error_pct,
                num(&s["requests_per_sec"]),
                num(&s["kb_per_sec_received"]),
                num(&s["kb_per_sec_sent"]),
            );
        }
    }
    let _ = writeln!(out, "\nBandwidth (kB/s, 1 kB = 1,000 bytes)");
    let _ = writeln!(
        out,
        "{:<load_width$}  {:>10}  {:>10}  {:>10}",
        "Load", "Received", "Sent", "Total"
    );
    for run in runs {
        let all = &run.summary["aggregated"];
        let (recv, sent) = (
            num(&all["kb_per_sec_received"]),
            num(&all["kb_per_sec_sent"]),
        );
        let _ = writeln!(
            out,
            "{:<load_width$}  {recv:>10.2}  {sent:>10.2}  {:>10.2}",
            run.load,
            recv + sent
        );
    }
    let with_checks: Vec<&Run> = runs
        .iter()
        .filter(|r| {
            r.summary["checks"]
                .as_array()
                .is_some_and(|c| !c.is_empty())
        })
        .collect();
    if !with_checks.is_empty() {
        let _ = writeln!(out, "\nChecks");
        for run in with_checks {
            for c in run.summary["checks"].as_array().into_iter().flatten() {
                let fails = num(&c["fails"]);
                let _ = writeln!(
                    out,
                    "{:<load_width$}  {} {}: {:.2}% of {} passed",
                    run.load,
                    if fails == 0.0 { "✓" } else { "✗" },
                    c["name"].as_str().unwrap_or(""),
                    num(&c["pass_rate"]) * 100.0,
                    num(&c["passes"]) + fails,
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(model: &str) -> Run {
        let summary = serde_json::json!({
            "run": { "load_model": model },
            "stats": [
                { "name": "API Request with Expired JWT", "num_requests": 50, "num_failures": 50,
                  "avg_response_time_ms": 2.5, "requests_per_sec": 16.5,
                  "kb_per_sec_received": 3.25, "kb_per_sec_sent": 9.5 },
            ],
            "aggregated": { "kb_per_sec_received": 18.0, "kb_per_sec_sent": 67.0 },
            "checks": [ { "name": "expired JWT is rejected by the API", "passes": 0, "fails": 50,
                          "pass_rate": 0.0 } ],
        });
        Run {
            load: load_label(&summary, Path::new("x.json")),
            summary,
        }
    }

    #[test]
    fn a_row_per_run_and_name_with_the_seeds_columns() {
        let text = render(&[
            run("open: 100/s for 20s, 10 to 100 VUs"),
            run("closed: 500 users for 60s"),
        ]);
        assert!(text.contains("100/s      API Request with Expired JWT       2.50   100.00%       16.50        3.25        9.50"), "{text}");
        assert!(
            text.contains("500 users  API Request with Expired JWT"),
            "{text}"
        );
        assert!(
            text.contains("100/s           18.00       67.00       85.00"),
            "{text}"
        );
        assert!(text.contains("✗ expired JWT is rejected by the API: 0.00% of 50 passed"));
    }

    #[test]
    fn loads_are_named_from_the_model_or_the_file() {
        let label = |model: &str| {
            load_label(
                &serde_json::json!({"run": {"load_model": model}}),
                Path::new("dir/run-a.json"),
            )
        };
        assert_eq!(label("open: 1000/s for 20s, 10 to 100 VUs"), "1000/s");
        assert_eq!(label("closed: 100 users for 120s"), "100 users");
        assert_eq!(
            label("open: 3 rate stages up to 200/s for 6s, 10 to 100 VUs"),
            "run-a"
        );
    }
}
