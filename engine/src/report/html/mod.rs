//! `--html FILE`: the run as one self-contained HTML page (inline CSS and SVG, no script, no
//! network when viewed): key figures, charts over time, the request, percentile, phase and
//! error tables.

mod chart;
mod phases;

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

use super::datetime;
use super::markup::escape;
use crate::summary::{EndpointSummary, Percentiles, Summary};
use chart::{LineChart, Series};

pub fn write_html(summary: &Summary, path: &Path) -> anyhow::Result<()> {
    std::fs::write(path, render(summary))
        .with_context(|| format!("cannot write the HTML report {}", path.display()))
}

/// One part of the page, listed in its navigation.
struct Section {
    id: &'static str,
    title: &'static str,
    body: String,
}

/// Builds a section, or None when the summary has nothing for it: the page never shows an
/// empty section.
type SectionBuilder = fn(&Summary) -> Option<Section>;

/// The page's sections, in order.
const SECTIONS: [SectionBuilder; 10] = [
    overview,
    thresholds,
    checks,
    charts,
    requests,
    percentiles,
    phases::section,
    metrics,
    errors,
    vu_errors,
];

const STYLE: &str = "
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1d2330;
  margin: 0; background: #f6f7f9; }
header { background: #1d2330; color: #fff; padding: 16px 32px; }
header h1 { margin: 0; font-size: 20px; }
header p { margin: 4px 0 0; color: #c4cad6; }
nav { padding: 8px 32px; background: #fff; border-bottom: 1px solid #dde1e8; }
nav a { margin-right: 16px; color: #2f5fd0; text-decoration: none; }
main { padding: 8px 32px 32px; max-width: 1200px; }
section { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: 12px 20px;
  margin: 16px 0; overflow-x: auto; }
h2 { font-size: 16px; margin: 4px 0 12px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; }
.figure { border: 1px solid #dde1e8; border-radius: 6px; padding: 8px 14px; min-width: 120px; }
.figure b { display: block; font-size: 20px; }
.figure span { color: #5b6475; font-size: 12px; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0 0; }
dl.run dt { color: #5b6475; }
dl.run dd { margin: 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e8ebf0; text-align: right; white-space: nowrap; }
th { background: #f0f2f5; font-weight: 600; }
td.text, th.text { text-align: left; }
tr.total td { font-weight: 600; border-top: 2px solid #c4cad6; }
td.error { white-space: normal; text-align: left; }
figure { margin: 0 0 16px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
figcaption small { font-weight: 400; color: #5b6475; }
.key { font-weight: 400; font-size: 12px; margin-left: 14px; }
.key::before { content: ''; display: inline-block; width: 14px; height: 3px; margin: 0 5px 3px 0;
  background: currentColor; }
svg.chart { width: 100%; max-width: 880px; height: auto; display: block; }
svg .grid { stroke: #e8ebf0; }
svg .axis { stroke: #9aa3b2; }
svg .tick { font-size: 11px; fill: #5b6475; }
svg .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke: currentColor; }
svg .dot { fill: currentColor; }
.rps { color: #2f5fd0; }
.fps { color: #d0452f; }
.users { color: #6b3fd0; }
.p50 { color: #2f9e5a; }
.p95 { color: #d08a2f; }
.p99 { color: #d0452f; }
.wait { color: #2f8fd0; }
.warning { background: #fff4e0; border: 1px solid #e8b04a; border-radius: 6px; padding: 8px 14px;
  margin: 16px 0 0; }
";

/// The page.
pub fn render(summary: &Summary) -> String {
    let sections: Vec<Section> = SECTIONS.iter().filter_map(|build| build(summary)).collect();
    let run = &summary.run;
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>horde: {}</title><style>{STYLE}{}</style></head><body>",
        escape(&run.scenario),
        phases::STYLE
    );
    let _ = write!(
        page,
        "<header><h1>{}</h1><p>{} against {} — {}, {:.1} s{}</p></header><nav>",
        escape(&run.scenario),
        escape(&run.scenario_file),
        escape(run.host.as_deref().unwrap_or("absolute URLs")),
        datetime::utc(run.started_at_unix_ms),
        run.duration_s,
        if run.interrupted { ", interrupted" } else { "" }
    );
    for s in &sections {
        let _ = write!(page, "<a href=\"#{}\">{}</a>", s.id, s.title);
    }
    page.push_str("</nav><main>");
    for warning in &summary.warnings {
        let _ = write!(
            page,
            "<p class=\"warning\"><b>Warning:</b> {}</p>",
            escape(warning)
        );
    }
    for s in &sections {
        let _ = write!(
            page,
            "<section id=\"{}\"><h2>{}</h2>{}</section>",
            s.id, s.title, s.body
        );
    }
    let _ = writeln!(
        page,
        "</main><footer><p style=\"padding: 0 32px; color: #5b6475\">horde {} · times in ms · \
         1 kB = 1,000 bytes · numbers explained in docs/results.md</p></footer></body></html>",
        escape(&summary.horde_version)
    );
    page
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

fn overview(summary: &Summary) -> Option<Section> {
    let all = &summary.aggregated;
    let run = &summary.run;
    let figures = [
        (all.num_requests.to_string(), "requests"),
        (
            format!(
                "{} ({:.2}%)",
                all.num_failures,
                percent(all.num_failures, all.num_requests)
            ),
            "failures",
        ),
        (format!("{:.1}", all.requests_per_sec), "requests/s"),
        (format!("{:.2} ms", all.percentiles_ms.p95), "p95"),
        (format!("{:.2} ms", all.percentiles_ms.p99), "p99"),
        (
            format!("{:.2} ms", all.phases_ms.waiting.p95),
            "waiting p95 (time to first byte)",
        ),
        (run.peak_users.to_string(), "peak users"),
        (format!("{:.1} kB/s", all.kb_per_sec_sent), "sent"),
        (format!("{:.1} kB/s", all.kb_per_sec_received), "received"),
        (all.redirects.to_string(), "redirects followed"),
        (all.retries.to_string(), "re-sends (not failures)"),
    ];
    let mut body = String::from("<div class=\"figures\">");
    for (value, caption) in figures {
        let _ = write!(
            body,
            "<div class=\"figure\"><b>{}</b><span>{caption}</span></div>",
            escape(&value)
        );
    }
    body.push_str("</div><dl class=\"run\">");
    let rows = [
        (
            "scenario",
            format!("{} ({})", run.scenario, run.scenario_file),
        ),
        (
            "host",
            run.host.clone().unwrap_or_else(|| "absolute URLs".into()),
        ),
        ("started", datetime::utc(run.started_at_unix_ms)),
        ("duration", format!("{:.1} s", run.duration_s)),
        (
            "users",
            format!("{} asked, {} at most", run.target_users, run.peak_users),
        ),
        (
            "bytes",
            format!(
                "{} sent, {} received on the wire; {} of bodies once decoded",
                all.bytes_sent, all.bytes_received, all.body_bytes_received
            ),
        ),
        ("seed", run.seed.to_string()),
    ];
    for (term, value) in rows {
        let _ = write!(body, "<dt>{term}</dt><dd>{}</dd>", escape(&value));
    }
    body.push_str("</dl>");
    Some(Section {
        id: "overview",
        title: "Overview",
        body,
    })
}

fn charts(summary: &Summary) -> Option<Section> {
    let rows = &summary.time_series;
    if rows.is_empty() {
        return None;
    }
    let series = |key, label, value: fn(&crate::stats::SeriesRow) -> f64| Series {
        key,
        label,
        points: rows.iter().map(|r| (r.t_s, value(r))).collect(),
    };
    let charts = [
        LineChart {
            key: "requests",
            title: "Requests per second",
            unit: "req/s",
            series: vec![series("rps", "requests/s", |r| r.requests_per_sec)],
        },
        LineChart {
            key: "latency",
            title: "Response time percentiles",
            unit: "ms, per second",
            series: vec![
                series("p50", "p50", |r| r.p50_ms),
                series("p95", "p95", |r| r.p95_ms),
                series("p99", "p99", |r| r.p99_ms),
                series("wait", "waiting p95", |r| r.waiting_p95_ms),
            ],
        },
        LineChart {
            key: "users",
            title: "Users",
            unit: "VUs alive",
            series: vec![series("users", "users", |r| f64::from(r.users))],
        },
        LineChart {
            key: "failures",
            title: "Failures per second",
            unit: "failures/s",
            series: vec![series("fps", "failures/s", |r| r.failures_per_sec)],
        },
    ];
    let body = charts.iter().map(LineChart::to_svg).collect();
    Some(Section {
        id: "charts",
        title: "Over time",
        body,
    })
}

/// A table: header cells (a leading `text:` marks a left-aligned column) and rows of cells.
fn table(key: &str, header: &[&str], rows: &[(bool, Vec<String>)]) -> String {
    let mut out = format!("<table data-table=\"{key}\"><thead><tr>");
    let text_columns: Vec<bool> = header.iter().map(|h| h.starts_with("text:")).collect();
    for h in header {
        match h.strip_prefix("text:") {
            Some(h) => {
                let _ = write!(out, "<th class=\"text\">{}</th>", escape(h));
            }
            None => {
                let _ = write!(out, "<th>{}</th>", escape(h));
            }
        }
    }
    out.push_str("</tr></thead><tbody>");
    for (total, cells) in rows {
        out.push_str(if *total {
            "<tr class=\"total\">"
        } else {
            "<tr>"
        });
        for (cell, text) in cells.iter().zip(&text_columns) {
            let class = if *text { " class=\"text\"" } else { "" };
            let _ = write!(out, "<td{class}>{}</td>", escape(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The endpoints, then the aggregate marked as the total row.
fn with_total(summary: &Summary) -> impl Iterator<Item = (bool, &EndpointSummary)> {
    summary
        .stats
        .iter()
        .map(|s| (false, s))
        .chain([(true, &summary.aggregated)])
}

fn requests(summary: &Summary) -> Option<Section> {
    let header = [
        "text:Type",
        "text:Name",
        "# reqs",
        "# fails",
        "fail %",
        "Avg",
        "Min",
        "Max",
        "Med",
        "req/s",
        "failures/s",
        "kB sent",
        "kB received",
        "kB/s sent",
        "kB/s received",
        "B body per req",
        "redirects",
        "redirects per req",
        "re-sends",
    ];
    let rows: Vec<(bool, Vec<String>)> = with_total(summary)
        .map(|(total, s)| {
            (
                total,
                vec![
                    s.method.clone(),
                    s.name.clone(),
                    s.num_requests.to_string(),
                    s.num_failures.to_string(),
                    format!("{:.2}", percent(s.num_failures, s.num_requests)),
                    format!("{:.2}", s.avg_response_time_ms),
                    format!("{:.2}", s.min_response_time_ms),
                    format!("{:.2}", s.max_response_time_ms),
                    format!("{:.2}", s.median_response_time_ms),
                    format!("{:.2}", s.requests_per_sec),
                    format!("{:.2}", s.failures_per_sec),
                    format!("{:.2}", s.bytes_sent as f64 / 1000.0),
                    format!("{:.2}", s.bytes_received as f64 / 1000.0),
                    format!("{:.2}", s.kb_per_sec_sent),
                    format!("{:.2}", s.kb_per_sec_received),
                    format!("{:.0}", s.avg_content_size_bytes),
                    s.redirects.to_string(),
                    format!("{:.2}", s.redirects_per_request),
                    s.retries.to_string(),
                ],
            )
        })
        .collect();
    Some(Section {
        id: "requests",
        title: "Requests",
        body: table("requests", &header, &rows),
    })
}

fn percentiles(summary: &Summary) -> Option<Section> {
    let mut header = vec!["text:Type", "text:Name"];
    header.extend(Percentiles::COLUMNS.iter().map(|(title, _)| *title));
    header.push("# reqs");
    let rows: Vec<(bool, Vec<String>)> = with_total(summary)
        .map(|(total, s)| {
            let mut cells = vec![s.method.clone(), s.name.clone()];
            cells.extend(s.percentiles_ms.values().iter().map(|v| format!("{v:.2}")));
            cells.push(s.num_requests.to_string());
            (total, cells)
        })
        .collect();
    Some(Section {
        id: "percentiles",
        title: "Response time percentiles",
        body: table("percentiles", &header, &rows),
    })
}

fn errors(summary: &Summary) -> Option<Section> {
    if summary.errors.is_empty() && summary.resends.is_empty() {
        return None;
    }
    let rows: Vec<(bool, Vec<String>)> = summary
        .errors
        .iter()
        .chain(&summary.resends)
        .map(|e| {
            (
                false,
                vec![
                    e.occurrences.to_string(),
                    e.method.clone(),
                    e.name.clone(),
                    e.error.clone(),
                ],
            )
        })
        .collect();
    Some(Section {
        id: "errors",
        title: "Errors",
        body: table(
            "errors",
            &["# occurrences", "text:Type", "text:Name", "text:Error"],
            &rows,
        ) + if summary.resends.is_empty() {
            ""
        } else {
            "<p>Rows that read “re-sent after” are not failures: the request went out again \
             on a fresh connection, and its outcome is counted once, as any other.</p>"
        },
    })
}

fn tags_text(tags: &std::collections::BTreeMap<String, String>) -> String {
    tags.iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each threshold, its measured values and verdict, failed ones first.
fn thresholds(summary: &Summary) -> Option<Section> {
    if summary.thresholds.is_empty() {
        return None;
    }
    let mut rows: Vec<(bool, Vec<String>)> = summary
        .thresholds
        .iter()
        .map(|t| {
            let measured: Vec<String> = t
                .conditions
                .iter()
                .map(|c| match c.measured {
                    Some(v) => format!("{}: {v}", c.condition),
                    None => format!("{}: no data", c.condition),
                })
                .collect();
            let mut verdict = if t.passed { "passed" } else { "FAILED" }.to_string();
            if t.aborted_run {
                verdict.push_str(" (stopped the run)");
            }
            (
                false,
                vec![
                    verdict,
                    t.threshold.clone(),
                    measured.join("; "),
                    t.note.clone().unwrap_or_default(),
                ],
            )
        })
        .collect();
    rows.sort_by_key(|(_, cells)| cells[0] != "FAILED" && !cells[0].starts_with("FAILED"));
    Some(Section {
        id: "thresholds",
        title: "Thresholds",
        body: table(
            "thresholds",
            &[
                "text:Verdict",
                "text:Threshold",
                "text:Measured",
                "text:Note",
            ],
            &rows,
        ),
    })
}

fn checks(summary: &Summary) -> Option<Section> {
    if summary.checks.is_empty() {
        return None;
    }
    let rows: Vec<(bool, Vec<String>)> = summary
        .checks
        .iter()
        .map(|c| {
            (
                false,
                vec![
                    if c.fails == 0 { "passed" } else { "FAILED" }.to_string(),
                    c.name.clone(),
                    tags_text(&c.tags),
                    c.passes.to_string(),
                    c.fails.to_string(),
                    format!("{:.2}%", c.pass_rate * 100.0),
                ],
            )
        })
        .collect();
    Some(Section {
        id: "checks",
        title: "Checks",
        body: table(
            "checks",
            &[
                "text:Verdict",
                "text:Check",
                "text:Tags",
                "passes",
                "fails",
                "pass rate",
            ],
            &rows,
        ),
    })
}

fn metrics(summary: &Summary) -> Option<Section> {
    if summary.metrics.is_empty() {
        return None;
    }
    let rows: Vec<(bool, Vec<String>)> = summary
        .metrics
        .iter()
        .map(|m| {
            let values: Vec<String> = m.values.iter().map(|(k, v)| format!("{k}={v}")).collect();
            (
                false,
                vec![
                    m.name.clone(),
                    m.kind.clone(),
                    tags_text(&m.tags),
                    values.join(" "),
                ],
            )
        })
        .collect();
    Some(Section {
        id: "metrics",
        title: "Custom metrics",
        body: table(
            "metrics",
            &["text:Metric", "text:Kind", "text:Tags", "text:Values"],
            &rows,
        ),
    })
}

fn vu_errors(summary: &Summary) -> Option<Section> {
    let v = &summary.vu_errors;
    if v.traps + v.task_timeouts + v.task_errors + v.start_errors + v.stop_errors + v.restarts == 0
    {
        return None;
    }
    let row = vec![
        v.traps.to_string(),
        v.task_timeouts.to_string(),
        v.task_errors.to_string(),
        v.start_errors.to_string(),
        v.stop_errors.to_string(),
        v.restarts.to_string(),
    ];
    Some(Section {
        id: "vu-errors",
        title: "VU errors",
        body: table(
            "vu-errors",
            &[
                "traps",
                "task timeouts",
                "task errors",
                "start errors",
                "stop errors",
                "restarts",
            ],
            &[(false, row)],
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn rows_of(page: &str, table: &str) -> usize {
        let start = page
            .find(&format!("data-table=\"{table}\""))
            .unwrap_or_else(|| panic!("no {table} table"));
        let body = &page[start..];
        let body = &body[..body.find("</table>").unwrap()];
        body.matches("<tr").count() - 1
    }

    #[test]
    fn the_page_has_every_part_and_nothing_from_the_network() {
        let summary = fixture::summary();
        let page = render(&summary);
        assert_eq!(page.matches("<svg class=\"chart\"").count(), 4);
        assert_eq!(
            page.matches("<polyline").count(),
            7,
            "rps, 3 percentiles, waiting p95, users, failures"
        );
        assert_eq!(rows_of(&page, "requests"), 3);
        assert_eq!(rows_of(&page, "percentiles"), 3);
        assert_eq!(
            rows_of(&page, "phases"),
            3 * 6,
            "six phases per name and in all"
        );
        assert_eq!(rows_of(&page, "errors"), 3, "two failures and a re-send");
        assert!(page.contains("re-sent after: connection reset by peer"));
        assert_eq!(rows_of(&page, "vu-errors"), 1);
        assert!(page.contains("task returned an error: &quot;no orders, retry&quot;"));
        assert!(!page.contains("<script"));
        assert!(!page.contains("src="), "nothing is loaded");
        assert!(!page.contains("<link"), "nothing is loaded");
    }

    #[test]
    fn sections_without_data_are_left_out() {
        let mut summary = fixture::summary();
        summary.errors.clear();
        summary.resends.clear();
        summary.vu_errors = Default::default();
        summary.time_series.clear();
        let page = render(&summary);
        assert!(!page.contains("id=\"errors\""));
        assert!(!page.contains("id=\"vu-errors\""));
        assert!(!page.contains("id=\"charts\""));
        assert!(!page.contains("href=\"#charts\""));
        assert!(page.contains("id=\"requests\""));
        assert!(!page.contains("id=\"thresholds\""));
        assert!(!page.contains("id=\"checks\""));
        assert!(!page.contains("id=\"metrics\""));
        assert!(!page.contains("class=\"warning\""));
    }

    #[test]
    fn phases_show_as_bars_and_a_table_and_warnings_on_top() {
        let mut summary = fixture::summary();
        summary.warnings = vec!["--insecure: server certificates were not verified".into()];
        let page = render(&summary);
        let warning = page.find("class=\"warning\"").expect("a warning");
        assert!(
            warning < page.find("id=\"overview\"").unwrap(),
            "above everything"
        );
        let bars = &page[page.find("svg class=\"phases\"").expect("the bars")..];
        let bars = &bars[..bars.find("</svg>").unwrap()];
        // Three bars (two names and all) of connecting, sending, waiting and receiving: the
        // fixture has no blocked or TLS time.
        assert_eq!(bars.matches("data-phase=\"waiting\"").count(), 3);
        assert_eq!(bars.matches("data-phase=\"tls\"").count(), 0);
        assert_eq!(bars.matches("<rect class=").count(), 3 * 4);
        // Orders wait 0.3, 0.4, 2.9 and 250.3 ms: 63.475 on average.
        assert!(page.contains("<td class=\"text\">http_req_waiting</td><td>63.475</td>"));
        summary.stats[0].name = format!("/api/{}", "x".repeat(60));
        let page = render(&summary);
        let label = format!("GET /api/{}…", "x".repeat(34));
        assert!(
            page.contains(&format!(">{label}</text>")),
            "a long name is cut at 44"
        );
        summary
            .stats
            .iter_mut()
            .for_each(|s| s.phases_ms = Default::default());
        summary.aggregated.phases_ms = Default::default();
        assert!(
            !render(&summary).contains("id=\"phases\""),
            "no responses, no phases"
        );
    }

    #[test]
    fn thresholds_checks_and_metrics_have_their_sections() {
        use crate::summary::{CheckSummary, MetricSummary};
        use crate::thresholds::{ConditionResult, ThresholdResult};
        let mut summary = fixture::summary();
        summary.thresholds = vec![ThresholdResult {
            threshold: "http_req_failed: rate<0.01".into(),
            passed: false,
            abort_on_fail: true,
            aborted_run: true,
            conditions: vec![ConditionResult {
                condition: "rate<0.01".into(),
                measured: Some(0.25),
                passed: false,
            }],
            note: None,
        }];
        summary.checks = vec![CheckSummary {
            name: "expired token is rejected".into(),
            tags: Default::default(),
            passes: 0,
            fails: 3,
            pass_rate: 0.0,
        }];
        summary.metrics = vec![MetricSummary {
            name: "orders_created".into(),
            kind: "counter".into(),
            tags: Default::default(),
            values: [("count".to_string(), 4.0)].into(),
        }];
        let page = render(&summary);
        assert_eq!(rows_of(&page, "thresholds"), 1);
        assert!(page.contains("FAILED (stopped the run)"));
        assert!(page.contains("rate&lt;0.01: 0.25"));
        assert_eq!(rows_of(&page, "checks"), 1);
        assert_eq!(rows_of(&page, "metrics"), 1);
        assert!(page.contains("href=\"#thresholds\""));
    }
}
