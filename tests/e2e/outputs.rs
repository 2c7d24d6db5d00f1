//! The files a run writes besides the JSON summary: Locust's CSV files, the HTML report, and
//! `horde compare` over two real summaries.

use std::path::Path;

use crate::common::*;

/// Locust 2.x's headers, written out here rather than taken from horde's code so that a
/// change on either side fails this test.
const LOCUST_STATS_HEADER: &str = "Type,Name,Request Count,Failure Count,Median Response Time,\
Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,\
Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%";
/// horde's one column after Locust's, at the end so that Locust's positions hold.
const HORDE_STATS_TRAILER: &str = ",Retry Count";
const LOCUST_HISTORY_HEADER: &str = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,\
50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,\
Total Median Response Time,Total Average Response Time,Total Min Response Time,\
Total Max Response Time,Total Average Content Size";
const LOCUST_FAILURES_HEADER: &str = "Method,Name,Error,Occurrences";
const LOCUST_EXCEPTIONS_HEADER: &str = "Count,Message,Traceback,Nodes";

/// A CSV file as records of fields: comma-separated, CRLF-terminated, `"` quoting with
/// doubled quotes inside (what Python's csv module reads).
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert!(text.ends_with("\r\n"), "{} ends with CRLF", path.display());
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR is followed by LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    records
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn number(field: &str) -> f64 {
    field
        .parse()
        .unwrap_or_else(|_| panic!("{field:?} is not a number"))
}

/// `--csv` writes Locust's four files with Locust's headers; request counts per name equal
/// the JSON summary's and the target's, and the history's running total reaches them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_files_have_locusts_columns_and_the_runs_counts() {
    let target = target().await;
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("run");
    let RunResult { ran, summary } = run_against(
        &target,
        "weighted",
        &[
            "-u",
            "4",
            "-t",
            "3s",
            "--csv",
            prefix.to_str().unwrap(),
            "--csv-full-history",
        ],
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let served_stats = target.stats();
    target.stop().await;
    let file = |suffix: &str| dir.path().join(format!("run{suffix}"));

    let stats = read_csv(&file("_stats.csv"));
    assert_eq!(
        stats[0].join(","),
        format!("{LOCUST_STATS_HEADER}{HORDE_STATS_TRAILER}")
    );
    let requests = column(&stats[0], "Request Count");
    let rows = &stats[1..];
    assert_eq!(
        rows.len(),
        summary["stats"].as_array().unwrap().len() + 1,
        "a row per name and the aggregate: {rows:?}"
    );
    for (method, name, route) in [
        ("GET", "/api/users/me", "GET /api/users/me"),
        ("GET", "/api/orders", "GET /api/orders"),
        ("POST", "/api/auth/login", "POST /api/auth/login"),
    ] {
        let row = rows
            .iter()
            .find(|r| r[0] == method && r[1] == name)
            .unwrap_or_else(|| panic!("no row for {method} {name}: {rows:?}"));
        let n: u64 = row[requests].parse().unwrap();
        assert_eq!(n, count(&entry(&summary, method, name)["num_requests"]));
        assert_eq!(n, served(&served_stats, route), "{route}");
    }
    let total = rows.last().unwrap();
    assert_eq!((total[0].as_str(), total[1].as_str()), ("", "Aggregated"));
    assert_eq!(total[requests].parse::<u64>().unwrap(), served_stats.total);
    let size = number(&total[column(&stats[0], "Average Content Size")]);
    let expected =
        count(&summary["aggregated"]["body_bytes_received"]) as f64 / served_stats.total as f64;
    assert!((size - expected).abs() < 1e-9, "{size} vs {expected}");
    for p in ["50%", "95%", "100%"] {
        let field = &total[column(&stats[0], p)];
        assert!(field.parse::<u64>().is_ok(), "{p} is whole ms: {field:?}");
    }

    let history = read_csv(&file("_stats_history.csv"));
    assert_eq!(history[0].join(","), LOCUST_HISTORY_HEADER);
    let aggregate_rows: Vec<&Vec<String>> = history[1..]
        .iter()
        .filter(|r| r[3] == "Aggregated")
        .collect();
    assert_eq!(
        aggregate_rows.len(),
        summary["time_series"].as_array().unwrap().len(),
        "one Aggregated row per second"
    );
    assert!(
        history.len() - 1 > aggregate_rows.len(),
        "--csv-full-history adds rows per name"
    );
    let total_requests = column(&history[0], "Total Request Count");
    let running: Vec<u64> = aggregate_rows
        .iter()
        .map(|r| r[total_requests].parse().unwrap())
        .collect();
    assert!(running.windows(2).all(|w| w[0] <= w[1]), "{running:?}");
    assert_eq!(*running.last().unwrap(), served_stats.total);
    // Every second with requests has every column filled, as Locust's history has.
    for row in aggregate_rows.iter().filter(|r| r[total_requests] != "0") {
        assert!(
            !row.iter().any(|field| field == "N/A"),
            "an Aggregated history row with N/A: {row:?}"
        );
    }
    let started_s = count(&summary["run"]["started_at_unix_ms"]) / 1000;
    let stamps: Vec<u64> = aggregate_rows
        .iter()
        .map(|r| r[0].parse().unwrap())
        .collect();
    assert!(
        stamps
            .iter()
            .all(|t| (started_s..=started_s + 5).contains(t)),
        "unix seconds from {started_s}: {stamps:?}"
    );

    let failures = read_csv(&file("_failures.csv"));
    assert_eq!(failures[0].join(","), LOCUST_FAILURES_HEADER);
    assert_eq!(failures.len(), 1, "no failures in this run: {failures:?}");
    let exceptions = read_csv(&file("_exceptions.csv"));
    assert_eq!(exceptions[0].join(","), LOCUST_EXCEPTIONS_HEADER);
}

/// Failed requests land in `_failures.csv`, whose occurrences add up to the failure count,
/// with the same numbers as the summary and the target.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csv_failures_add_up_to_the_failed_requests() {
    let target = target().await;
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("fail");
    // The demo target has no route for `/`: every request is a 404.
    let RunResult { ran, summary } = run_against(
        &target,
        "raw-get",
        &["-u", "2", "-t", "1s", "--csv", prefix.to_str().unwrap()],
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let not_found = served_with(&target.stats(), "OTHER", 404);
    target.stop().await;
    assert!(not_found > 0);

    let failures = read_csv(&dir.path().join("fail_failures.csv"));
    assert_eq!(failures[0].join(","), LOCUST_FAILURES_HEADER);
    assert_eq!(
        failures[1..],
        [vec![
            "GET".to_string(),
            "/".to_string(),
            "unexpected status 404".to_string(),
            not_found.to_string()
        ]]
    );
    assert_eq!(count(&summary["aggregated"]["num_failures"]), not_found);
    let stats = read_csv(&dir.path().join("fail_stats.csv"));
    let fails = column(&stats[0], "Failure Count");
    assert_eq!(stats.last().unwrap()[fails], not_found.to_string());
}

/// `horde compare` over two real runs: every name of either run appears once, marked with the
/// runs it is in, with each run's own numbers; the text form names both files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_sets_two_real_runs_side_by_side() {
    let target = target().await;
    let a = run_against(&target, "weighted", &["-u", "2", "-t", "2s"]).await;
    let b = run_against(&target, "think", &["-u", "2", "-t", "2s"]).await;
    target.stop().await;
    assert_eq!(
        (a.ran.code, b.ran.code),
        (0, 0),
        "{} {}",
        a.ran.stderr,
        b.ran.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let a_file = dir.path().join("a.json");
    let b_file = dir.path().join("b.json");
    std::fs::write(&a_file, a.summary.to_string()).unwrap();
    std::fs::write(&b_file, b.summary.to_string()).unwrap();
    let paths = [a_file.to_str().unwrap(), b_file.to_str().unwrap()];

    let ran = run_horde(
        args(&["compare", paths[0], paths[1], "--json"]),
        std::time::Duration::from_secs(30),
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let c: serde_json::Value = serde_json::from_str(&ran.stdout).expect("--json prints JSON");
    let endpoints = c["endpoints"].as_array().unwrap();
    let names = |s: &serde_json::Value| -> Vec<(String, String)> {
        s["stats"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["method"].as_str().unwrap().into(),
                    e["name"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let (in_a, in_b) = (names(&a.summary), names(&b.summary));
    assert_eq!(endpoints.len(), {
        let mut all: Vec<_> = in_a.iter().chain(&in_b).collect();
        all.sort();
        all.dedup();
        all.len()
    });
    for e in endpoints {
        let key = (
            e["method"].as_str().unwrap().to_string(),
            e["name"].as_str().unwrap().to_string(),
        );
        let expected = match (in_a.contains(&key), in_b.contains(&key)) {
            (true, true) => "both",
            (true, false) => "only_a",
            (false, true) => "only_b",
            (false, false) => panic!("{key:?} is in neither run"),
        };
        assert_eq!(e["presence"], expected, "{key:?}");
    }
    let health = endpoints
        .iter()
        .find(|e| e["name"] == "/api/health")
        .expect("the think scenario's route");
    assert_eq!(health["presence"], "only_b");
    let rps = &health["metrics"][0];
    assert_eq!(rps["metric"], "requests_per_sec");
    assert!(rps["a"].is_null() && rps["diff"].is_null());
    assert_eq!(
        rps["b"],
        entry(&b.summary, "GET", "/api/health")["requests_per_sec"]
    );

    // The aggregate: each side is its run's, and the verdict follows the sign of the change.
    let total = &c["aggregated"]["metrics"];
    let (ra, rb) = (
        a.summary["aggregated"]["requests_per_sec"]
            .as_f64()
            .unwrap(),
        b.summary["aggregated"]["requests_per_sec"]
            .as_f64()
            .unwrap(),
    );
    assert_eq!(total[0]["a"].as_f64(), Some(ra));
    assert_eq!(total[0]["b"].as_f64(), Some(rb));
    let expected = if rb > ra { "better" } else { "worse" };
    assert_eq!(total[0]["verdict"], expected, "{ra} -> {rb} req/s");
    let p95 = total
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == "p95_ms")
        .unwrap();
    assert_eq!(p95["a"], a.summary["aggregated"]["percentiles_ms"]["p95"]);

    let text = run_horde(
        args(&["compare", paths[0], paths[1]]),
        std::time::Duration::from_secs(30),
    )
    .await;
    assert_eq!(text.code, 0, "stderr: {}", text.stderr);
    assert!(
        text.stdout.contains(&format!("A: {}", paths[0])),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("GET /api/health  (only in B)"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("\nAggregated\n"), "{}", text.stdout);
}

/// Chromium, which the HTML test opens the report in. Missing, the test fails rather than
/// skips: scripts/test installs it.
const CHROMIUM: &str = "/usr/bin/chromium";

/// The part of `dom` from the element carrying `marker` to the next `end`.
fn element<'a>(dom: &'a str, marker: &str, end: &str) -> &'a str {
    let start = dom
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the rendered page"));
    let rest = &dom[start..];
    &rest[..rest.find(end).expect("the element ends")]
}

/// `--html` writes one self-contained page; headless Chromium renders it, and the DOM it
/// builds holds the four charts with a point per second of the run and the tables with a row
/// per name and the aggregate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_renders_in_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install the Debian package chromium (scripts/test does)"
    );
    let target = target().await;
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    // The raw-get scenario's requests all fail (the target has no `/`): the page has errors.
    let RunResult { ran, summary } = run_against(
        &target,
        "raw-get",
        &["-u", "2", "-t", "3s", "--html", page.to_str().unwrap()],
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    target.stop().await;
    let html = std::fs::read_to_string(&page).unwrap();
    for fetch in ["<script", "<link", "src=", "url("] {
        assert!(!html.contains(fetch), "the page loads nothing ({fetch})");
    }

    let profile = tempfile::tempdir().unwrap();
    let chromium = run_horde_via(
        CHROMIUM,
        vec![
            "--headless".into(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom".into(),
            format!("file://{}", page.display()),
        ],
        std::time::Duration::from_secs(90),
    )
    .await;
    assert_eq!(chromium.code, 0, "chromium: {}", chromium.stderr);
    let dom = &chromium.stdout;
    assert!(dom.contains("<h1>raw-get</h1>"), "{dom}");

    let rows = summary["time_series"].as_array().unwrap().len();
    assert!(rows >= 3, "{rows} seconds in a 3 s run");
    for (chart, series) in [
        ("requests", vec!["rps"]),
        ("latency", vec!["p50", "p95", "p99", "wait"]),
        ("users", vec!["users"]),
        ("failures", vec!["fps"]),
    ] {
        let svg = element(dom, &format!("data-chart=\"{chart}\""), "</svg>");
        assert_eq!(svg.matches("<polyline").count(), series.len(), "{chart}");
        for key in series {
            // Chromium writes the element back as `<polyline …></polyline>`: read the
            // attribute's value up to its closing quote.
            let marker = format!("data-series=\"{key}\" points=\"");
            let points = &element(svg, &marker, "\">")[marker.len()..];
            assert_eq!(points.split(' ').count(), rows, "{chart}/{key}: {points}");
        }
    }
    let table_rows = |key: &str| {
        element(dom, &format!("data-table=\"{key}\""), "</table>")
            .matches("<tr")
            .count()
            - 1
    };
    assert_eq!(table_rows("requests"), 2, "GET / and the aggregate");
    assert_eq!(table_rows("percentiles"), 2);
    assert_eq!(
        table_rows("errors"),
        summary["errors"].as_array().unwrap().len() + summary["resends"].as_array().unwrap().len()
    );
    let requests = element(dom, "data-table=\"requests\"", "</table>");
    let total = count(&summary["aggregated"]["num_requests"]);
    assert!(
        requests.contains(&format!("<td>{total}</td>")),
        "{total} requests in {requests}"
    );
}
