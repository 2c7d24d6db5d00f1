//! A small, fully known summary for the reports' unit tests: two endpoints, one of them
//! failing and redirected, the other re-sent once, an error, and a three-second time series.

use crate::stats::{EndpointStats, Phases, Sample, SeriesEndpoint, SeriesRow, VuCounts};
use crate::summary::{EndpointSummary, ErrorSummary, RunInfo, SCHEMA_VERSION, Summary};

/// What the samples of one endpoint share besides their times.
struct Shared {
    sent: u64,
    received: u64,
    body: u64,
    redirects: u32,
}

/// Each sample's 100 µs go to sending and receiving (50 each), the rest to waiting; the
/// first request of each endpoint also connected, for 200 µs.
fn stats(samples: &[(u64, u16, bool)], shared: Shared) -> EndpointStats {
    let mut s = EndpointStats::default();
    for (i, &(us, status, failed)) in samples.iter().enumerate() {
        s.record(&Sample {
            elapsed_us: us,
            status: Some(status),
            failed,
            bytes_sent: shared.sent,
            bytes_received: shared.received,
            lag_us: None,
            phases: Phases {
                connecting_us: if i == 0 { 200 } else { 0 },
                sending_us: 50,
                waiting_us: us - 100,
                receiving_us: 50,
                ..Phases::default()
            },
            body_size: shared.body,
            redirects: shared.redirects,
            retries: 0,
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
        waiting_p95_ms: p50 * 1.5,
        endpoints: vec![
            SeriesEndpoint {
                method: "GET".into(),
                name: "/api/orders".into(),
                requests: orders,
                failures,
                p50_ms: p50,
                p95_ms: p50 * 2.0,
                p99_ms: p50 * 3.0,
                waiting_p95_ms: p50 * 1.5,
            },
            SeriesEndpoint {
                method: "POST".into(),
                name: "/login".into(),
                requests: 1,
                failures: 0,
                p50_ms: 1.5,
                p95_ms: 1.5,
                p99_ms: 1.5,
                waiting_p95_ms: 1.4,
            },
        ],
        percentiles_ms: None,
        totals: None,
    }
}

/// Orders: 4 requests (0.4, 0.5, 3.0 and 250.4 ms, the last one a 500), each redirected
/// once, 1,000 B on the wire for a 2,500 B body; login: 3 requests of 1.5 ms, 500 B for a
/// 100 B body, one of them re-sent after a reset; a 4 s run started at 1,700,000,000.250 s.
pub fn summary() -> Summary {
    let duration = 4.0;
    let orders = stats(
        &[
            (400, 200, false),
            (500, 200, false),
            (3_000, 200, false),
            (250_400, 500, true),
        ],
        Shared {
            sent: 100,
            received: 1_000,
            body: 2_500,
            redirects: 1,
        },
    );
    let mut login = stats(
        &[(1_500, 200, false); 3],
        Shared {
            sent: 300,
            received: 500,
            body: 100,
            redirects: 0,
        },
    );
    login.retries = 1;
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
        resends: vec![ErrorSummary {
            method: "POST".into(),
            name: "/login".into(),
            error: "re-sent after: connection reset by peer".into(),
            occurrences: 1,
        }],
        warnings: Vec::new(),
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
