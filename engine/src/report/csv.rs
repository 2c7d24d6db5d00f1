//! `--csv PREFIX`: the run in Locust 2.x's CSV files (`PREFIX_stats.csv`,
//! `PREFIX_stats_history.csv`, `PREFIX_failures.csv`, `PREFIX_exceptions.csv`) with Locust's
//! columns, header names, row order and number formats, so whatever reads Locust's files reads
//! these. Where horde's numbers differ from Locust's (finer percentiles, history columns the
//! time series does not hold) is listed in docs/results.md. `_stats.csv` has one column more at
//! its end, `Retry Count` (re-sends on a fresh connection, which Locust has no place for);
//! readers that go by header names or leading positions read it as Locust's.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::stats::{RunningTotals, SeriesEndpoint, SeriesRow};
use crate::summary::{EndpointSummary, Percentiles, Summary};

/// Locust writes "N/A" where a number does not exist (percentiles of an entry with no
/// requests); horde also writes it for history columns its time series does not keep.
const NA: &str = "N/A";

const STATS_LEADING: [&str; 11] = [
    "Type",
    "Name",
    "Request Count",
    "Failure Count",
    "Median Response Time",
    "Average Response Time",
    "Min Response Time",
    "Max Response Time",
    "Average Content Size",
    "Requests/s",
    "Failures/s",
];

/// After Locust's columns: what horde counts that Locust has no column for.
const STATS_TRAILING: [&str; 1] = ["Retry Count"];

const HISTORY_LEADING: [&str; 6] = [
    "Timestamp",
    "User Count",
    "Type",
    "Name",
    "Requests/s",
    "Failures/s",
];

const HISTORY_TRAILING: [&str; 7] = [
    "Total Request Count",
    "Total Failure Count",
    "Total Median Response Time",
    "Total Average Response Time",
    "Total Min Response Time",
    "Total Max Response Time",
    "Total Average Content Size",
];

const FAILURES_COLUMNS: [&str; 4] = ["Method", "Name", "Error", "Occurrences"];

const EXCEPTIONS_COLUMNS: [&str; 4] = ["Count", "Message", "Traceback", "Nodes"];

/// Error rows of these types are errors of the scenario, not of a request: Locust reports
/// those in `_exceptions.csv`, so `_failures.csv` sums to the failure count.
const SCENARIO_ERROR_TYPES: [&str; 2] = ["TASK", "VU"];

fn percentile_titles() -> impl Iterator<Item = &'static str> {
    Percentiles::COLUMNS.iter().map(|(title, _)| *title)
}

pub fn stats_header() -> Vec<&'static str> {
    STATS_LEADING
        .into_iter()
        .chain(percentile_titles())
        .chain(STATS_TRAILING)
        .collect()
}

pub fn history_header() -> Vec<&'static str> {
    HISTORY_LEADING
        .into_iter()
        .chain(percentile_titles())
        .chain(HISTORY_TRAILING)
        .collect()
}

/// Writes the four files next to `prefix` and returns their paths.
pub fn write_csv(
    summary: &Summary,
    prefix: &Path,
    full_history: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    let files = [
        ("_stats.csv", stats_csv(summary)),
        ("_stats_history.csv", history_csv(summary, full_history)),
        ("_failures.csv", failures_csv(summary)),
        ("_exceptions.csv", exceptions_csv(summary)),
    ];
    let mut written = Vec::new();
    for (suffix, text) in files {
        let mut name = prefix.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write the CSV file {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `_stats.csv`: one row per (method, name) sorted by name then method, as Locust sorts its
/// entries, then the `Aggregated` row with an empty type.
pub fn stats_csv(summary: &Summary) -> String {
    let mut out = String::new();
    push_row(&mut out, stats_header());
    for s in summary.stats.iter().chain([&summary.aggregated]) {
        let mut row = vec![
            s.method.clone(),
            s.name.clone(),
            s.num_requests.to_string(),
            s.num_failures.to_string(),
        ];
        row.extend(totals(s));
        row.push(py_float(s.requests_per_sec));
        row.push(py_float(s.failures_per_sec));
        row.extend(percentile_fields(s));
        row.push(s.retries.to_string());
        push_row(&mut out, row);
    }
    out
}

/// Median, average, min, max and average size as Locust writes them: a float, except the
/// integer 0 where Locust has nothing (`min_response_time or 0`, a median of no requests,
/// the content size of none). The size is the body's once decoded, as Locust's
/// `len(response.content)`; the wire's bytes are in the JSON summary.
fn totals(s: &EndpointSummary) -> [String; 5] {
    if s.num_requests == 0 {
        return ["0".into(), "0.0".into(), "0".into(), "0".into(), "0".into()];
    }
    [
        py_float(s.median_response_time_ms),
        py_float(s.avg_response_time_ms),
        zero_or_float(s.min_response_time_ms),
        zero_or_float(s.max_response_time_ms),
        py_float(s.avg_content_size_bytes),
    ]
}

/// The `Total …` columns from the running totals, formatted as [`totals`] formats the run's.
fn running_fields(t: &RunningTotals) -> [String; 5] {
    if t.requests == 0 {
        return ["0".into(), "0.0".into(), "0".into(), "0".into(), "0".into()];
    }
    [
        py_float(t.median_ms),
        py_float(t.avg_ms),
        zero_or_float(t.min_ms),
        zero_or_float(t.max_ms),
        py_float(t.avg_size_bytes),
    ]
}

/// Locust's percentile columns are whole milliseconds, or N/A for an entry with no requests.
fn percentile_fields(s: &EndpointSummary) -> Vec<String> {
    if s.num_requests == 0 {
        return vec![NA.to_string(); Percentiles::COLUMNS.len()];
    }
    s.percentiles_ms
        .values()
        .into_iter()
        .map(whole_ms)
        .collect()
}

/// Whole milliseconds, rounding half to even as Python's `round` does for Locust's keys.
fn whole_ms(ms: f64) -> String {
    format!("{}", ms.round_ties_even() as u64)
}

fn zero_or_float(v: f64) -> String {
    if v == 0.0 { "0".into() } else { py_float(v) }
}

/// A running (method, name) in the history: cumulative counts up to the current row.
#[derive(Default)]
struct Running {
    requests: u64,
    failures: u64,
}

/// `_stats_history.csv`: one `Aggregated` row per time-series row (a second), preceded, with
/// `full_history` (Locust's `--csv-full-history`), by a row per (method, name) seen so far.
///
/// The `Aggregated` rows have every column: the interval's rates and percentiles, the users,
/// and the run's running totals (counts, median, average, min, max, size) from the time
/// series. The per-name rows of `full_history` have the interval's p50/p95/p99 and running
/// counts; their other percentiles are N/A, and so are their running median, average, min,
/// max and size except on the row where the counts reach the run's totals.
pub fn history_csv(summary: &Summary, full_history: bool) -> String {
    let mut out = String::new();
    push_row(&mut out, history_header());
    let mut all = Running::default();
    // Sorted by name then method, as the summary's stats are and as Locust sorts entries.
    let mut seen: Vec<((String, String), Running)> = Vec::new();
    for row in &summary.time_series {
        all.requests += row.requests;
        all.failures += row.failures;
        for e in &row.endpoints {
            let key = (e.name.clone(), e.method.clone());
            match seen.binary_search_by(|(k, _)| k.cmp(&key)) {
                Ok(i) => {
                    seen[i].1.requests += e.requests;
                    seen[i].1.failures += e.failures;
                }
                Err(i) => seen.insert(
                    i,
                    (
                        key,
                        Running {
                            requests: e.requests,
                            failures: e.failures,
                        },
                    ),
                ),
            }
        }
        let timestamp = (summary.run.started_at_unix_ms + (row.t_s * 1000.0).round() as u64) / 1000;
        if full_history {
            for ((name, method), running) in &seen {
                let interval = row
                    .endpoints
                    .iter()
                    .find(|e| &e.name == name && &e.method == method);
                let total = summary
                    .stats
                    .iter()
                    .find(|s| &s.name == name && &s.method == method);
                let fields = HistoryFields {
                    timestamp,
                    users: row.users,
                    method,
                    name,
                    interval: interval.map(|e| Interval::of_endpoint(e, row.interval_s)),
                    running,
                    running_totals: None,
                    total,
                };
                push_row(&mut out, fields.row());
            }
        }
        let fields = HistoryFields {
            timestamp,
            users: row.users,
            method: "",
            name: "Aggregated",
            interval: Some(Interval::of_row(row)),
            running: &all,
            running_totals: row.totals,
            total: Some(&summary.aggregated),
        };
        push_row(&mut out, fields.row());
    }
    out
}

/// What one interval holds for a history row.
struct Interval {
    requests: u64,
    requests_per_sec: f64,
    failures_per_sec: f64,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    /// Every percentile column, when the time series has them.
    all: Option<Percentiles>,
}

impl Interval {
    fn of_row(row: &SeriesRow) -> Self {
        Self {
            requests: row.requests,
            requests_per_sec: row.requests_per_sec,
            failures_per_sec: row.failures_per_sec,
            p50_ms: row.p50_ms,
            p95_ms: row.p95_ms,
            p99_ms: row.p99_ms,
            all: row.percentiles_ms,
        }
    }

    fn of_endpoint(e: &SeriesEndpoint, interval_s: f64) -> Self {
        let per_sec = |n: u64| {
            if interval_s > 0.0 {
                n as f64 / interval_s
            } else {
                0.0
            }
        };
        Self {
            requests: e.requests,
            requests_per_sec: per_sec(e.requests),
            failures_per_sec: per_sec(e.failures),
            p50_ms: e.p50_ms,
            p95_ms: e.p95_ms,
            p99_ms: e.p99_ms,
            all: None,
        }
    }
}

struct HistoryFields<'a> {
    timestamp: u64,
    users: u32,
    method: &'a str,
    name: &'a str,
    /// None when this (method, name) had no request in the interval.
    interval: Option<Interval>,
    running: &'a Running,
    /// The run's running totals at this row, when the time series has them.
    running_totals: Option<RunningTotals>,
    /// The run's totals for this (method, name).
    total: Option<&'a EndpointSummary>,
}

impl HistoryFields<'_> {
    fn row(&self) -> Vec<String> {
        let mut row = vec![
            self.timestamp.to_string(),
            self.users.to_string(),
            self.method.to_string(),
            self.name.to_string(),
        ];
        // Locust formats the two rates with `:2f`: six decimals.
        let (rps, fps) = self
            .interval
            .as_ref()
            .map_or((0.0, 0.0), |i| (i.requests_per_sec, i.failures_per_sec));
        row.push(format!("{rps:.6}"));
        row.push(format!("{fps:.6}"));
        for (index, (title, _)) in Percentiles::COLUMNS.iter().enumerate() {
            let value = match (&self.interval, *title) {
                (Some(i), _) if i.requests > 0 && i.all.is_some() => {
                    whole_ms(i.all.expect("checked").values()[index])
                }
                (Some(i), "50%") if i.requests > 0 => whole_ms(i.p50_ms),
                (Some(i), "95%") if i.requests > 0 => whole_ms(i.p95_ms),
                (Some(i), "99%") if i.requests > 0 => whole_ms(i.p99_ms),
                _ => NA.to_string(),
            };
            row.push(value);
        }
        row.push(self.running.requests.to_string());
        row.push(self.running.failures.to_string());
        if let Some(t) = self.running_totals {
            row.extend(running_fields(&t));
            return row;
        }
        match self.total {
            Some(t) if t.num_requests == self.running.requests => row.extend(totals(t)),
            _ => row.extend(std::iter::repeat_n(NA.to_string(), 5)),
        }
        row
    }
}

/// `_failures.csv`: failed requests grouped by (method, name, error), most frequent first.
pub fn failures_csv(summary: &Summary) -> String {
    let mut out = String::new();
    push_row(&mut out, FAILURES_COLUMNS);
    for e in summary
        .errors
        .iter()
        .filter(|e| !SCENARIO_ERROR_TYPES.contains(&e.method.as_str()))
    {
        push_row(
            &mut out,
            [
                e.method.clone(),
                e.name.clone(),
                e.error.clone(),
                e.occurrences.to_string(),
            ],
        );
    }
    out
}

/// `_exceptions.csv`: errors of tasks and VUs (Locust's exceptions in user code). There is
/// no traceback to give, and one node, `local`, as Locust names a run without workers.
pub fn exceptions_csv(summary: &Summary) -> String {
    let mut out = String::new();
    push_row(&mut out, EXCEPTIONS_COLUMNS);
    for e in summary
        .errors
        .iter()
        .filter(|e| SCENARIO_ERROR_TYPES.contains(&e.method.as_str()))
    {
        push_row(
            &mut out,
            [
                e.occurrences.to_string(),
                format!("{} {}: {}", e.method, e.name, e.error),
                String::new(),
                "local".to_string(),
            ],
        );
    }
    out
}

/// One record as Python's `csv.writer` writes it (Locust's writer): comma-separated, a field
/// quoted only when it holds a comma, a quote or a line break (quotes doubled), CRLF after.
fn push_row<I, S>(out: &mut String, fields: I)
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let field = field.as_ref();
        if field.contains([',', '"', '\r', '\n']) {
            let _ = write!(out, "\"{}\"", field.replace('"', "\"\""));
        } else {
            out.push_str(field);
        }
    }
    out.push_str("\r\n");
}

/// A float as Python's `repr` writes it, which is how Locust's CSV writer formats floats:
/// the shortest digits that read back the same, always with a decimal point (`2.0`), and
/// exponent notation below 1e-4 and from 1e16 (`1e-05`, `1.5e+16`).
fn py_float(v: f64) -> String {
    if v.is_nan() {
        return "nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.into();
    }
    let magnitude = v.abs();
    if magnitude != 0.0 && !(1e-4..1e16).contains(&magnitude) {
        let text = format!("{v:e}");
        let (mantissa, exponent) = text.split_once('e').expect("{:e} has an exponent");
        let exponent: i32 = exponent.parse().expect("{:e} has an integer exponent");
        let sign = if exponent < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exponent.abs());
    }
    let text = format!("{v}");
    if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixture;

    fn lines(text: &str) -> Vec<&str> {
        assert!(text.ends_with("\r\n"), "records end with CRLF: {text:?}");
        text.strip_suffix("\r\n").unwrap().split("\r\n").collect()
    }

    #[test]
    fn floats_read_like_python() {
        assert_eq!(py_float(2.0), "2.0");
        assert_eq!(py_float(0.0), "0.0");
        assert_eq!(py_float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(py_float(12.5), "12.5");
        assert_eq!(py_float(0.0001), "0.0001");
        assert_eq!(py_float(0.00001), "1e-05");
        assert_eq!(py_float(0.000015), "1.5e-05");
        assert_eq!(py_float(1e16), "1e+16");
        assert_eq!(py_float(123456789012345.6), "123456789012345.6");
    }

    #[test]
    fn fields_are_quoted_like_pythons_csv_writer() {
        let mut out = String::new();
        push_row(&mut out, ["a,b", "q\"x", "", "sp ace", "n\nl", "tab\t"]);
        assert_eq!(out, "\"a,b\",\"q\"\"x\",,sp ace,\"n\nl\",tab\t\r\n");
    }

    #[test]
    fn headers_are_locusts() {
        assert_eq!(
            stats_header().join(","),
            "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,\
             Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,\
             50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Retry Count"
        );
        assert_eq!(
            history_header().join(","),
            "Timestamp,User Count,Type,Name,Requests/s,Failures/s,\
             50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,\
             Total Request Count,Total Failure Count,Total Median Response Time,\
             Total Average Response Time,Total Min Response Time,Total Max Response Time,\
             Total Average Content Size"
        );
    }

    #[test]
    fn stats_rows_follow_locusts_formats() {
        let summary = fixture::summary();
        let text = stats_csv(&summary);
        let rows = lines(&text);
        assert_eq!(rows.len(), 4, "{text}");
        // Orders: 0.4, 0.5, 3.0, 250.4 ms; one failure; 2,500 B bodies; 4 s run.
        let orders: Vec<&str> = rows[1].split(',').collect();
        assert_eq!(orders[..4], ["GET", "/api/orders", "4", "1"]);
        assert_eq!(orders[4], "0.5", "median, ms with µs precision");
        assert_eq!(orders[5], "63.575", "average");
        assert_eq!(orders[6..11], ["0.4", "250.4", "2500.0", "1.0", "0.25"]);
        assert_eq!(orders[11], "0", "p50 of 0.5 ms rounds half to even");
        assert_eq!(orders[21], "250", "p100 is the max in whole ms");
        assert_eq!(orders[22], "0", "no re-sends");
        let login: Vec<&str> = rows[2].split(',').collect();
        assert_eq!(login[..4], ["POST", "/login", "3", "0"]);
        assert_eq!(login[10], "0.0", "no failures per second is a float zero");
        assert_eq!(login[22], "1", "the re-send, in the trailing column");
        let total: Vec<&str> = rows[3].split(',').collect();
        assert_eq!(total[..4], ["", "Aggregated", "7", "1"]);
        assert_eq!(
            total[8], "1471.4285714285713",
            "10,300 body bytes / 7 responses"
        );
        assert_eq!(total[22], "1");
    }

    #[test]
    fn an_entry_without_requests_has_locusts_zeros_and_na() {
        let mut summary = fixture::summary();
        summary.stats.truncate(0);
        summary.aggregated = crate::summary::EndpointSummary::from_stats(
            "",
            "Aggregated",
            &crate::stats::EndpointStats::default(),
            4.0,
        );
        let text = stats_csv(&summary);
        let rows = lines(&text);
        assert_eq!(
            rows[1],
            ",Aggregated,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,0"
        );
    }

    #[test]
    fn history_rows_with_every_percentile_and_running_totals_fill_every_column() {
        use crate::stats::RunningTotals;
        let mut summary = fixture::summary();
        let row = &mut summary.time_series[0];
        row.percentiles_ms = Some(Percentiles {
            p50: 1.2,
            p66: 1.6,
            p75: 2.5,
            p80: 2.5,
            p90: 3.0,
            p95: 3.4,
            p98: 3.5,
            p99: 3.6,
            p99_9: 3.6,
            p99_99: 3.6,
            p100: 3.6,
        });
        row.totals = Some(RunningTotals {
            requests: 2,
            failures: 0,
            median_ms: 1.2,
            avg_ms: 1.5,
            min_ms: 0.4,
            max_ms: 3.6,
            avg_size_bytes: 250.0,
        });
        let text = history_csv(&summary, false);
        let first: Vec<&str> = lines(&text)[1].split(',').collect();
        assert_eq!(
            first[6..17],
            ["1", "2", "2", "2", "3", "3", "4", "4", "4", "4", "4"],
            "every percentile, whole ms rounded half to even"
        );
        assert_eq!(first[17..], ["2", "0", "1.2", "1.5", "0.4", "3.6", "250.0"]);
        assert!(!text.lines().nth(1).unwrap().contains(NA));
    }

    #[test]
    fn history_accumulates_and_fills_totals_on_the_last_row() {
        let summary = fixture::summary();
        let text = history_csv(&summary, false);
        let rows = lines(&text);
        assert_eq!(rows.len(), 4, "a header and one row per second: {text}");
        let first: Vec<&str> = rows[1].split(',').collect();
        // Started at 1,700,000,000.250 s; the first interval ends 1 s later.
        assert_eq!(
            first[..6],
            ["1700000001", "1", "", "Aggregated", "2.000000", "0.000000"]
        );
        assert_eq!(first[6], "1", "p50 of the interval");
        assert_eq!(first[7], "N/A", "66% is not in the time series");
        assert_eq!(first[11], "2", "p95");
        assert_eq!(first[13], "4", "p99");
        assert_eq!(first[17..19], ["2", "0"]);
        assert_eq!(first[19..], ["N/A"; 5]);
        let last: Vec<&str> = rows[3].split(',').collect();
        assert_eq!(last[17..19], ["7", "1"]);
        let stats_text = stats_csv(&summary);
        let aggregated: Vec<&str> = lines(&stats_text)[3].split(',').collect();
        assert_eq!(last[19..], aggregated[4..9]);
    }

    #[test]
    fn full_history_adds_a_row_per_name_before_the_aggregate() {
        let summary = fixture::summary();
        let text = history_csv(&summary, true);
        let rows = lines(&text);
        assert_eq!(rows.len(), 1 + 3 * 3, "{text}");
        let names: Vec<&str> = rows[1..4]
            .iter()
            .map(|r| r.split(',').nth(3).unwrap())
            .collect();
        assert_eq!(names, ["/api/orders", "/login", "Aggregated"]);
        let orders_last: Vec<&str> = rows[7].split(',').collect();
        assert_eq!(orders_last[17..19], ["4", "1"]);
        assert_eq!(
            orders_last[19], "0.5",
            "the run's median on the row that completes it"
        );
    }

    #[test]
    fn request_failures_and_scenario_errors_go_to_their_own_files() {
        // The fixture's re-send is in neither: the failures add up to the failure count.
        let summary = fixture::summary();
        assert_eq!(
            failures_csv(&summary),
            "Method,Name,Error,Occurrences\r\nGET,/api/orders,unexpected status 500,1\r\n"
        );
        assert_eq!(
            exceptions_csv(&summary),
            "Count,Message,Traceback,Nodes\r\n\
             2,\"TASK browse: task returned an error: \"\"no orders, retry\"\"\",,local\r\n"
        );
    }
}
