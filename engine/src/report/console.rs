//! What a person reads: the progress line each second and, at the end, Locust's request
//! table, its percentile table, k6's request phases, bandwidth, redirects and re-sends, and
//! the error report, in milliseconds with µs precision.

use std::fmt::Write;
use std::time::Duration;

use crate::scenario::ScenarioMeta;
use crate::stats::{EndpointStats, Phase, Snapshot};
use crate::summary::{EndpointSummary, Percentiles, PhaseSummary, Summary};

/// `[ 12s] users 50/50 | 182.0 req/s | failures 0.00% | p95 4.21 ms (waiting 3.90) | total
/// 2,180 reqs, 0 fails`
pub fn progress_line(
    elapsed: Duration,
    live: u32,
    target: u32,
    interval: &EndpointStats,
    interval_s: f64,
    totals: &Snapshot,
) -> String {
    let rps = if interval_s > 0.0 {
        interval.requests as f64 / interval_s
    } else {
        0.0
    };
    let fail_pct = percent(interval.failures(), interval.requests);
    let all = totals.aggregated();
    let dropped = match totals.iterations.dropped {
        0 => String::new(),
        n => format!(", {n} dropped iterations"),
    };
    format!(
        "[{:>4}s] users {live}/{target} | {rps:.1} req/s | failures {fail_pct:.2}% | p95 {:.2} ms (waiting {:.2}) | total {} reqs, {} fails{dropped}",
        elapsed.as_secs(),
        interval.quantile_us(0.95) as f64 / 1000.0,
        interval.phases.get(Phase::Waiting).quantile_us(0.95) as f64 / 1000.0,
        all.requests,
        all.failures()
    )
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

fn name_width(summary: &Summary) -> usize {
    summary
        .stats
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(24, 72)
}

fn ms(v: f64) -> String {
    format!("{v:.2}")
}

/// The summary tables, as printed at the end of a run.
pub fn render_summary(summary: &Summary) -> String {
    let w = name_width(summary);
    let mut out = String::new();
    let rule = |out: &mut String| {
        let _ = writeln!(
            out,
            "--------|{}|--------|---------------|----------|----------|----------|----------|---------|-----------",
            "-".repeat(w + 2)
        );
    };
    let _ = writeln!(
        out,
        "{:<8} {:<w$}   {:>6} {:>15} | {:>8} {:>10} {:>10} {:>10} | {:>7} {:>11}",
        "Type", "Name", "# reqs", "# fails", "Avg", "Min", "Max", "Med", "req/s", "failures/s"
    );
    rule(&mut out);
    let row = |out: &mut String, s: &EndpointSummary| {
        let fails = format!(
            "{}({:.2}%)",
            s.num_failures,
            percent(s.num_failures, s.num_requests)
        );
        let _ = writeln!(
            out,
            "{:<8} {:<w$}   {:>6} {:>15} | {:>8} {:>10} {:>10} {:>10} | {:>7.2} {:>11.2}",
            s.method,
            s.name,
            s.num_requests,
            fails,
            ms(s.avg_response_time_ms),
            ms(s.min_response_time_ms),
            ms(s.max_response_time_ms),
            ms(s.median_response_time_ms),
            s.requests_per_sec,
            s.failures_per_sec
        );
    };
    for s in &summary.stats {
        row(&mut out, s);
    }
    rule(&mut out);
    row(&mut out, &summary.aggregated);
    let _ = writeln!(out, "(times in ms)");

    let _ = writeln!(out, "\nResponse time percentiles (ms, from HDR histograms)");
    let rows: Vec<_> = summary
        .stats
        .iter()
        .chain(std::iter::once(&summary.aggregated))
        .map(|s| (s, &s.percentiles_ms))
        .collect();
    percentile_table(&mut out, &rows, w);
    intended_table(&mut out, summary, w);
    render_phases(&mut out, summary);

    render_bandwidth(&mut out, summary, w);
    render_redirects(&mut out, summary, w);

    if !summary.errors.is_empty() || !summary.resends.is_empty() {
        let _ = writeln!(out, "\nError report");
        let _ = writeln!(
            out,
            "{:>13}  {:<8} {:<w$}  Error",
            "# occurrences", "Type", "Name"
        );
        let _ = writeln!(out, "{}|{}", "-".repeat(15), "-".repeat(w + 40));
        for e in summary.errors.iter().chain(&summary.resends) {
            let _ = writeln!(
                out,
                "{:>13}  {:<8} {:<w$}  {}",
                e.occurrences, e.method, e.name, e.error
            );
        }
        if !summary.resends.is_empty() {
            let _ = writeln!(
                out,
                "(re-sent: not failures; the request went out again on a fresh connection and \
                 its outcome is counted once, as any other)"
            );
        }
    }
    let v = &summary.vu_errors;
    if v.traps + v.task_timeouts + v.task_errors + v.start_errors + v.stop_errors > 0 {
        let _ = writeln!(
            out,
            "\nVU errors: {} traps, {} task timeouts, {} task errors, {} start errors, {} stop errors; {} VU restarts",
            v.traps, v.task_timeouts, v.task_errors, v.start_errors, v.stop_errors, v.restarts
        );
    }
    render_checks(&mut out, summary);
    render_metrics(&mut out, summary);
    render_thresholds(&mut out, summary);
    let r = &summary.run;
    let _ = writeln!(
        out,
        "\nLoad model {}; {} iterations{}",
        r.load_model,
        summary.iterations,
        if summary.dropped_iterations > 0 {
            format!(
                ", {} dropped (no VU was free; raise --max-vus)",
                summary.dropped_iterations
            )
        } else {
            String::new()
        }
    );
    let _ = writeln!(
        out,
        "{} against {} for {:.1} s, peak {} users{}; {} sent, {} received",
        r.scenario,
        r.host.as_deref().unwrap_or("(absolute URLs)"),
        r.duration_s,
        r.peak_users,
        if r.interrupted { " (interrupted)" } else { "" },
        bytes(summary.aggregated.bytes_sent),
        bytes(summary.aggregated.bytes_received),
    );
    for warning in &summary.warnings {
        let _ = writeln!(out, "WARNING: {warning}");
    }
    out
}

/// k6's request phases of all requests, and the duration they add up to.
fn render_phases(out: &mut String, summary: &Summary) {
    let all = &summary.aggregated;
    if all.num_requests == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "\nRequest phases, all requests (ms; the duration is sending + waiting + receiving)"
    );
    let mut header = format!("{:<26}", "Phase");
    for title in PhaseSummary::COLUMNS {
        let _ = write!(header, " {title:>9}");
    }
    let _ = writeln!(out, "{header} {:>7}", "# timed");
    let _ = writeln!(out, "{}", "-".repeat(26 + 10 * 7 + 8));
    let line = |out: &mut String, name: &str, values: [f64; 7], count: u64| {
        let mut line = format!("{name:<26}");
        for v in values {
            let _ = write!(line, " {:>9}", ms(v));
        }
        let _ = writeln!(out, "{line} {count:>7}");
    };
    for (name, phase) in all.phases_ms.named() {
        line(out, name, phase.values(), phase.count);
    }
    let p = &all.percentiles_ms;
    let duration = [
        all.avg_response_time_ms,
        all.min_response_time_ms,
        all.median_response_time_ms,
        p.p90,
        p.p95,
        p.p99,
        all.max_response_time_ms,
    ];
    line(out, "http_req_duration", duration, all.num_requests);
}

/// Redirects followed and re-sends per name, when the run had any.
fn render_redirects(out: &mut String, summary: &Summary, w: usize) {
    let all = &summary.aggregated;
    if all.redirects == 0 && all.retries == 0 {
        return;
    }
    let _ = writeln!(out, "\nRedirects and re-sends");
    let _ = writeln!(
        out,
        "{:<8} {:<w$}   {:>9} {:>9} | {:>9} {:>9}",
        "Type", "Name", "redirects", "per req", "re-sends", "per req"
    );
    let rule = format!(
        "--------|{}|---------------------|--------------------",
        "-".repeat(w + 2)
    );
    let _ = writeln!(out, "{rule}");
    let row = |out: &mut String, s: &EndpointSummary| {
        let _ = writeln!(
            out,
            "{:<8} {:<w$}   {:>9} {:>9.2} | {:>9} {:>9.4}",
            s.method,
            s.name,
            s.redirects,
            s.redirects_per_request,
            s.retries,
            if s.num_requests > 0 {
                s.retries as f64 / s.num_requests as f64
            } else {
                0.0
            }
        );
    };
    for s in &summary.stats {
        row(out, s);
    }
    let _ = writeln!(out, "{rule}");
    row(out, all);
}

/// A percentile table: a row per (method, name), the last one (the aggregate) under a rule.
fn percentile_table(out: &mut String, rows: &[(&EndpointSummary, &Percentiles)], w: usize) {
    let mut header = format!("{:<8} {:<w$}  ", "Type", "Name");
    for (title, _) in Percentiles::COLUMNS {
        let _ = write!(header, " {title:>8}");
    }
    let _ = writeln!(out, "{header} {:>7}", "# reqs");
    let rule = format!(
        "--------|{}|{}|--------",
        "-".repeat(w + 2),
        "-".repeat(9 * Percentiles::COLUMNS.len())
    );
    let _ = writeln!(out, "{rule}");
    for (i, (s, percentiles)) in rows.iter().enumerate() {
        if i + 1 == rows.len() {
            let _ = writeln!(out, "{rule}");
        }
        let mut line = format!("{:<8} {:<w$}  ", s.method, s.name);
        for v in percentiles.values() {
            let _ = write!(line, " {:>8}", ms(v));
        }
        let _ = writeln!(out, "{line} {:>7}", s.num_requests);
    }
}

/// Scheduled runs: the percentiles again, timed from each request's intended start, so the
/// requests a stall held back count its delay (coordinated omission corrected).
fn intended_table(out: &mut String, summary: &Summary, w: usize) {
    let rows: Vec<_> = summary
        .stats
        .iter()
        .chain(std::iter::once(&summary.aggregated))
        .filter_map(|s| Some((s, s.from_intended_start.as_ref()?)))
        .collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nResponse time percentiles (ms) from the intended start: what a user arriving on schedule \
         waited (corrected for coordinated omission; the table above times from the actual send)"
    );
    let rows: Vec<_> = rows
        .into_iter()
        .map(|(s, intended)| (s, &intended.percentiles_ms))
        .collect();
    percentile_table(out, &rows, w);
}

fn tags_text(tags: &std::collections::BTreeMap<String, String>) -> String {
    if tags.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = tags.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!(" {{{}}}", parts.join(","))
}

/// Checks, k6's way: a mark, the name, and passes out of runs.
fn render_checks(out: &mut String, summary: &Summary) {
    if summary.checks.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nChecks");
    for c in &summary.checks {
        let total = c.passes + c.fails;
        let _ = writeln!(
            out,
            "  {} {}{}: {} of {} passed ({:.2}%){}",
            if c.fails == 0 { "✓" } else { "✗" },
            c.name,
            tags_text(&c.tags),
            c.passes,
            total,
            c.pass_rate * 100.0,
            if c.fails > 0 {
                format!(", {} FAILED", c.fails)
            } else {
                String::new()
            }
        );
    }
}

/// Custom metrics, each with the values of its kind.
fn render_metrics(out: &mut String, summary: &Summary) {
    if summary.metrics.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nCustom metrics");
    for m in &summary.metrics {
        let order: &[&str] = match m.kind.as_str() {
            "counter" => &["count", "rate"],
            "gauge" => &["value", "min", "max"],
            "rate" => &["rate", "passes", "fails"],
            _ => &[
                "avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "count",
            ],
        };
        let values: Vec<String> = order
            .iter()
            .filter_map(|k| {
                let v = m.values.get(*k)?;
                Some(match *k {
                    "rate" if m.kind == "counter" => format!("rate={v:.2}/s"),
                    "rate" => format!("rate={:.2}%", v * 100.0),
                    _ => format!("{k}={}", trim_number(*v)),
                })
            })
            .collect();
        let _ = writeln!(
            out,
            "  {}{} ({}): {}",
            m.name,
            tags_text(&m.tags),
            m.kind,
            values.join(" ")
        );
    }
}

/// A number with at most three decimals and no trailing zeros.
fn trim_number(v: f64) -> String {
    let text = format!("{v:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// Each threshold with its measured values and verdict.
fn render_thresholds(out: &mut String, summary: &Summary) {
    if summary.thresholds.is_empty() {
        return;
    }
    let failed = summary.thresholds.iter().filter(|t| !t.passed).count();
    let _ = writeln!(
        out,
        "\nThresholds: {} of {} passed{}",
        summary.thresholds.len() - failed,
        summary.thresholds.len(),
        if failed > 0 { " (exit code 99)" } else { "" }
    );
    for t in &summary.thresholds {
        let measured: Vec<String> = t
            .conditions
            .iter()
            .map(|c| {
                let agg = c.condition.split(['<', '>', '=', '!']).next().unwrap_or("");
                match c.measured {
                    Some(v) => format!(
                        "{agg}={} {}",
                        trim_number(v),
                        if c.passed { "ok" } else { "FAILED" }
                    ),
                    None => format!("{agg}: no data FAILED"),
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "  {} {}  [{}]{}{}",
            if t.passed { "✓" } else { "✗" },
            t.threshold,
            measured.join(", "),
            t.note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            if t.aborted_run {
                " — stopped the run (abortOnFail)"
            } else {
                ""
            }
        );
    }
}

/// Bytes on the wire per (method, name): totals, rates, and the average response size, so
/// a change in payloads shows next to the change in latency.
fn render_bandwidth(out: &mut String, summary: &Summary, w: usize) {
    let _ = writeln!(
        out,
        "\nBandwidth (wire bytes; the body's size once decoded last; 1 kB = 1,000 bytes)"
    );
    let _ = writeln!(
        out,
        "{:<8} {:<w$}   {:>10} {:>10} | {:>10} {:>10} | {:>14} {:>14}",
        "Type",
        "Name",
        "kB sent",
        "kB recv",
        "kB/s sent",
        "kB/s recv",
        "B recv per req",
        "B body per req"
    );
    let rule = format!(
        "--------|{}|-----------------------|-----------------------|------------------------------",
        "-".repeat(w + 2)
    );
    let _ = writeln!(out, "{rule}");
    let row = |out: &mut String, s: &EndpointSummary| {
        let (avg, body) = if s.num_requests > 0 {
            (
                format!("{:.0}", s.bytes_received as f64 / s.num_requests as f64),
                format!("{:.0}", s.avg_content_size_bytes),
            )
        } else {
            ("-".to_string(), "-".to_string())
        };
        let _ = writeln!(
            out,
            "{:<8} {:<w$}   {:>10.2} {:>10.2} | {:>10.2} {:>10.2} | {:>14} {:>14}",
            s.method,
            s.name,
            s.bytes_sent as f64 / 1000.0,
            s.bytes_received as f64 / 1000.0,
            s.kb_per_sec_sent,
            s.kb_per_sec_received,
            avg,
            body
        );
    };
    for s in &summary.stats {
        row(out, s);
    }
    let _ = writeln!(out, "{rule}");
    row(out, &summary.aggregated);
}

fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// `horde inspect`: the metadata, for a person.
pub fn print_inspect(meta: &ScenarioMeta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario     {}", meta.name);
    let _ = writeln!(out, "description  {}", meta.description);
    let _ = writeln!(out, "built with   {} for {}", meta.sdk, meta.wit);
    let _ = writeln!(out, "think time   {}", meta.think_time.describe());
    let total: u64 = meta.tasks.iter().map(|t| u64::from(t.weight)).sum();
    let w = meta
        .tasks
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let _ = writeln!(out, "tasks        {:<w$}  weight   share", "name");
    for t in &meta.tasks {
        let _ = writeln!(
            out,
            "             {:<w$}  {:>6}  {:>5.1}%",
            t.name,
            t.weight,
            u64::from(t.weight) as f64 * 100.0 / total as f64
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bandwidth_table_has_a_row_per_name_and_the_total() {
        let text = render_summary(&crate::report::fixture::summary());
        let table: Vec<&str> = text
            .split("Bandwidth")
            .nth(1)
            .expect("a bandwidth table")
            .lines()
            .collect();
        // Orders: 4 × 100 B sent and 4 × 1,000 B received over 4 s.
        let orders = table.iter().find(|l| l.contains("/api/orders")).unwrap();
        let cells: Vec<&str> = orders.split_whitespace().collect();
        assert_eq!(
            cells[2..9],
            ["0.40", "4.00", "|", "0.10", "1.00", "|", "1000"]
        );
        assert_eq!(cells[9], "2500", "the decoded body beside the wire's bytes");
        let total = table.iter().find(|l| l.contains("Aggregated")).unwrap();
        let cells: Vec<&str> = total.split_whitespace().collect();
        assert_eq!(
            cells[1..],
            ["1.30", "5.50", "|", "0.33", "1.38", "|", "786", "1471"]
        );
    }

    fn section<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
        let start = text
            .find(title)
            .unwrap_or_else(|| panic!("no {title} in {text}"));
        text[start..]
            .lines()
            .take_while(|l| !l.is_empty())
            .collect()
    }

    #[test]
    fn the_phases_of_all_requests_add_up_to_the_duration() {
        let text = render_summary(&crate::report::fixture::summary());
        let table = section(&text, "Request phases");
        let cells = |name: &str| -> Vec<f64> {
            let line = table.iter().find(|l| l.starts_with(name)).unwrap();
            line.split_whitespace()
                .skip(1)
                .map(|c| c.parse().unwrap())
                .collect()
        };
        let avg = |name| cells(name)[0];
        let sum = avg("http_req_sending") + avg("http_req_waiting") + avg("http_req_receiving");
        assert!((sum - avg("http_req_duration")).abs() < 0.01, "{table:?}");
        assert_eq!(
            cells("http_req_connecting")[6],
            0.2,
            "the max: one new connection"
        );
        assert_eq!(cells("http_req_waiting")[7], 7.0, "seven requests timed");
    }

    #[test]
    fn redirects_and_re_sends_per_name_and_the_re_sends_cause() {
        let text = render_summary(&crate::report::fixture::summary());
        let table = section(&text, "Redirects and re-sends");
        let orders: Vec<&str> = table
            .iter()
            .find(|l| l.contains("/api/orders"))
            .unwrap()
            .split_whitespace()
            .collect();
        assert_eq!(orders[2..], ["4", "1.00", "|", "0", "0.0000"]);
        let login: Vec<&str> = table
            .iter()
            .find(|l| l.contains("/login"))
            .unwrap()
            .split_whitespace()
            .collect();
        assert_eq!(login[2..], ["0", "0.00", "|", "1", "0.3333"]);
        let errors = section(&text, "Error report");
        assert!(
            errors
                .iter()
                .any(|l| l.contains("/login")
                    && l.ends_with("re-sent after: connection reset by peer")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|l| l.starts_with("(re-sent: not failures"))
        );
        let mut quiet = crate::report::fixture::summary();
        quiet.resends.clear();
        for s in quiet.stats.iter_mut().chain([&mut quiet.aggregated]) {
            (s.redirects, s.retries) = (0, 0);
        }
        let text = render_summary(&quiet);
        assert!(!text.contains("Redirects and re-sends"));
        assert!(!text.contains("(re-sent"));
    }

    #[test]
    fn an_insecure_run_ends_with_its_warning() {
        let mut summary = crate::report::fixture::summary();
        assert!(!render_summary(&summary).contains("WARNING"));
        summary.warnings = vec!["--insecure: server certificates were not verified".into()];
        let text = render_summary(&summary);
        assert_eq!(
            text.lines().last(),
            Some("WARNING: --insecure: server certificates were not verified")
        );
    }

    #[test]
    fn bytes_are_human() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(2048), "2.0 KiB");
        assert_eq!(bytes(5 * 1024 * 1024), "5.0 MiB");
    }
}
