//! A small, fully known summary for the reports' unit tests: two endpoints, one of them
//! failing, an error, and a three-second time series.

use crate::stats::{EndpointStats, Sample, SeriesEndpoint, SeriesRow, VuCounts};
use crate::summary::{EndpointSummary, ErrorSummary, RunInfo, SCHEMA_VERSION, Summary};

fn stats(samples: &[(u64, u16, bool)], sent: u64, received: u64) -> EndpointStats {
    let mut s = EndpointStats::default();
    for &(us, status, failed) in samples {
        s.record(&Sample {
            elapsed_us: us,
            status: Some(status),
            failed,
            bytes_sent: sent,
            bytes_received: received,
            lag_us: None,
            ..Sample::default()
        });
    }
    s
}

fn row(t: f64, users: u32, orders: u64, failures: u64, p50: f64) -> SeriesRow {
    SeriesRow {
        t_s: t,
        interval_s: 1.0,
        users,
        requests: orders + 1,
        failures,
        requests_per_sec: (orders + 1) as f64,
        failures_per_sec: failures as f64,
        p50_ms: p50,
        p95_ms: p50 * 2.0,
        p99_ms: p50 * 3.0,
        endpoints: vec![
            SeriesEndpoint {
                method: "GET".into(),
                name: "/api/orders".into(),
                requests: orders,
                failures,
                p50_ms: p50,
                p95_ms: p50 * 2.0,
                p99_ms: p50 * 3.0,
            },
            SeriesEndpoint {
                method: "POST".into(),
                name: "/login".into(),
                requests: 1,
                failures: 0,
                p50_ms: 1.5,
                p95_ms: 1.5,
                p99_ms: 1.5,
            },
        ],
        percentiles_ms: None,
        totals: None,
    }
}

/// Orders: 4 requests (0.4, 0.5, 3.0 and 250.4 ms, the last one a 500); login: 3 requests
/// of 1.5 ms; a 4 s run started at 1,700,000,000.250 s.
pub fn summary() -> Summary {
    let duration = 4.0;
    let orders = stats(
        &[
            (400, 200, false),
            (500, 200, false),
            (3_000, 200, false),
            (250_400, 500, true),
        ],
        100,
        1_000,
    );
    let login = stats(&[(1_500, 200, false); 3], 300, 500);
    let mut all = orders.clone();
    all.merge(&login);
    Summary {
        schema_version: SCHEMA_VERSION,
        horde_version: "0.1.0".into(),
        run: RunInfo {
            scenario: "fixture".into(),
            scenario_file: "fixture.wasm".into(),
            host: Some("http://127.0.0.1:8080".into()),
            started_at_unix_ms: 1_700_000_000_250,
            duration_s: duration,
            target_users: 2,
            peak_users: 2,
            interrupted: false,
            seed: 7,
            load_model: "closed: 2 users for 4s".into(),
            aborted_by: None,
        },
        stats: vec![
            EndpointSummary::from_stats("GET", "/api/orders", &orders, duration),
            EndpointSummary::from_stats("POST", "/login", &login, duration),
        ],
        aggregated: EndpointSummary::from_stats("", "Aggregated", &all, duration),
        errors: vec![
            ErrorSummary {
                method: "GET".into(),
                name: "/api/orders".into(),
                error: "unexpected status 500".into(),
                occurrences: 1,
            },
            ErrorSummary {
                method: "TASK".into(),
                name: "browse".into(),
                error: "task returned an error: \"no orders, retry\"".into(),
                occurrences: 2,
            },
        ],
        vu_errors: VuCounts {
            task_errors: 2,
            ..VuCounts::default()
        },
        time_series: vec![
            row(1.0, 1, 1, 0, 1.2),
            row(2.0, 2, 2, 0, 2.5),
            row(3.0, 2, 1, 1, 250.0),
        ],
        iterations: 7,
        dropped_iterations: 0,
        checks: Vec::new(),
        metrics: Vec::new(),
        thresholds: Vec::new(),
    }
}
