//! `--junit FILE`: thresholds and checks as JUnit XML test cases, the format CI systems
//! (Jenkins, GitLab, GitHub actions' test reporters) read. One suite per kind; a threshold
//! fails with its measured values, a check fails when any of its runs failed.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use super::markup::escape as xml;
use crate::summary::Summary;

fn measured(value: Option<f64>) -> String {
    value.map_or_else(|| "no data".to_string(), |v| format!("{v}"))
}

/// The JUnit document for a summary.
pub fn render_junit(summary: &Summary) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let threshold_failures = summary.thresholds.iter().filter(|t| !t.passed).count();
    let check_failures = summary.checks.iter().filter(|c| c.fails > 0).count();
    let _ = writeln!(
        out,
        "<testsuites name=\"horde {}\" tests=\"{}\" failures=\"{}\" time=\"{:.3}\">",
        xml(&summary.run.scenario),
        summary.thresholds.len() + summary.checks.len(),
        threshold_failures + check_failures,
        summary.run.duration_s
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"thresholds\" tests=\"{}\" failures=\"{threshold_failures}\">",
        summary.thresholds.len()
    );
    for t in &summary.thresholds {
        let values: Vec<String> = t
            .conditions
            .iter()
            .map(|c| {
                format!(
                    "{} ({}: {})",
                    c.condition,
                    if c.passed { "passed" } else { "failed" },
                    measured(c.measured)
                )
            })
            .collect();
        let _ = write!(
            out,
            "    <testcase classname=\"thresholds\" name=\"{}\"",
            xml(&t.threshold)
        );
        if t.passed {
            let _ = writeln!(out, "/>");
        } else {
            let mut message = values.join("; ");
            if let Some(note) = &t.note {
                let _ = write!(message, "; {note}");
            }
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"threshold\"/>\n    </testcase>",
                xml(&message)
            );
        }
    }
    let _ = writeln!(out, "  </testsuite>");
    let _ = writeln!(
        out,
        "  <testsuite name=\"checks\" tests=\"{}\" failures=\"{check_failures}\">",
        summary.checks.len()
    );
    for c in &summary.checks {
        let tags: Vec<String> = c.tags.iter().map(|(k, v)| format!("{k}:{v}")).collect();
        let name = if tags.is_empty() {
            c.name.clone()
        } else {
            format!("{} {{{}}}", c.name, tags.join(","))
        };
        let _ = write!(
            out,
            "    <testcase classname=\"checks\" name=\"{}\"",
            xml(&name)
        );
        if c.fails == 0 {
            let _ = writeln!(out, "/>");
        } else {
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"check\"/>\n    </testcase>",
                xml(&format!(
                    "{} of {} failed ({:.2}% passed)",
                    c.fails,
                    c.passes + c.fails,
                    c.pass_rate * 100.0
                ))
            );
        }
    }
    let _ = writeln!(out, "  </testsuite>");
    out.push_str("</testsuites>\n");
    out
}

pub fn write_junit(summary: &Summary, path: &Path) -> anyhow::Result<()> {
    std::fs::write(path, render_junit(summary))
        .with_context(|| format!("cannot write the JUnit report {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::CheckSummary;
    use crate::thresholds::{ConditionResult, ThresholdResult};

    #[test]
    fn failures_carry_their_measured_values() {
        let mut summary = crate::report::fixture::summary();
        summary.thresholds = vec![
            ThresholdResult {
                threshold: "http_req_duration: p(95)<200".into(),
                passed: true,
                abort_on_fail: false,
                aborted_run: false,
                conditions: vec![ConditionResult {
                    condition: "p(95)<200".into(),
                    measured: Some(12.5),
                    passed: true,
                }],
                note: None,
            },
            ThresholdResult {
                threshold: "http_req_failed: rate<0.01".into(),
                passed: false,
                abort_on_fail: false,
                aborted_run: false,
                conditions: vec![ConditionResult {
                    condition: "rate<0.01".into(),
                    measured: Some(0.25),
                    passed: false,
                }],
                note: None,
            },
        ];
        summary.checks = vec![CheckSummary {
            name: "expired token is <rejected>".into(),
            tags: [("token".to_string(), "expired".to_string())].into(),
            passes: 3,
            fails: 1,
            pass_rate: 0.75,
        }];
        let xml = render_junit(&summary);
        assert!(xml.contains(r#"<testsuites name="horde fixture" tests="3" failures="2""#));
        assert!(xml.contains(
            r#"<testcase classname="thresholds" name="http_req_duration: p(95)&lt;200"/>"#
        ));
        assert!(xml.contains(r#"message="rate&lt;0.01 (failed: 0.25)""#));
        assert!(xml.contains(r#"name="expired token is &lt;rejected&gt; {token:expired}""#));
        assert!(xml.contains(r#"message="1 of 4 failed (75.00% passed)""#));
        assert_eq!(xml.matches("<testcase").count(), 3);
        assert_eq!(xml.matches("</testsuite>").count(), 2);
    }
}
