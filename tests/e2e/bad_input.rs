//! Bad input: each gives one line naming the problem and a documented, non-zero exit code.

use std::time::Duration;

use crate::common::*;

/// Runs horde, expects `code` and a single stderr line containing `needle`.
async fn refused(list: &[&str], code: i32, needle: &str) {
    let ran = run_horde(args(list), Duration::from_secs(60)).await;
    assert_eq!(ran.code, code, "horde {list:?}: stderr {}", ran.stderr);
    let lines: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "horde {list:?} should explain in one line: {}",
        ran.stderr
    );
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    assert!(
        lines[0].contains(needle),
        "expected {needle:?} in {:?}",
        lines[0]
    );
}

fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_are_not_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let text = write(dir.path(), "notes.wasm", b"this is not wasm");
    refused(
        &["run", &text, "-t", "1s"],
        3,
        "is not a WebAssembly component",
    )
    .await;

    let core = write(
        dir.path(),
        "core.wasm",
        &wat::parse_str("(module)").unwrap(),
    );
    refused(
        &["inspect", &core],
        3,
        "core WebAssembly module, not a component",
    )
    .await;

    let other_world = wat::parse_str(
        r#"(component
             (import "wasi:http/outgoing-handler@0.2.0" (instance
               (export "ping" (func (result u32)))))
           )"#,
    )
    .unwrap();
    let other = write(dir.path(), "other.wasm", &other_world);
    refused(
        &["inspect", &other],
        3,
        "imports `wasi:http/outgoing-handler@0.2.0`",
    )
    .await;

    let future = wat::parse_str(
        r#"(component
             (import "horde:scenario/context@0.3.0" (instance
               (export "vu-id" (func (result u32)))))
           )"#,
    )
    .unwrap();
    let future = write(dir.path(), "future.wasm", &future);
    refused(&["inspect", &future], 3, "built for horde:scenario@0.3.0").await;

    let no_exports = wat::parse_str(
        r#"(component
             (core module $m (func (export "f")))
             (core instance $i (instantiate $m))
             (func (export "hello") (canon lift (core func $i "f")))
           )"#,
    )
    .unwrap();
    let missing = write(dir.path(), "missing.wasm", &no_exports);
    refused(&["inspect", &missing], 3, "does not export `metadata`").await;

    refused(
        &["inspect", "/nonexistent/x.wasm"],
        3,
        "cannot read scenario",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_hosts_and_flags() {
    let scenario = guest("weighted");
    let s = scenario.to_str().unwrap();
    refused(
        &["run", s, "--host", "http://127.0.0.1:1", "-t", "1s"],
        4,
        "cannot reach the target http://127.0.0.1:1",
    )
    .await;
    refused(&["run", s, "--host", "ht tp://x", "-t", "1s"], 2, "--host").await;
    refused(
        &["run", s, "--host", "127.0.0.1:8080", "-t", "1s"],
        2,
        "no scheme",
    )
    .await;
    refused(&["run", s, "-u", "many"], 2, "--users").await;
    refused(&["run", s, "-t", "soon"], 2, "not a duration").await;
    refused(&["run", s, "--env", "NOEQUALS"], 2, "KEY=VALUE").await;
    refused(&["run", s, "--spawn-rate", "0"], 2, "positive number").await;
    refused(
        &[
            "run",
            s,
            "--host",
            "https://127.0.0.1:1",
            "--ca-cert",
            "/nonexistent/ca.pem",
        ],
        2,
        "--ca-cert /nonexistent/ca.pem: cannot read it",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_load_model_flags() {
    let scenario = guest("weighted");
    let s = scenario.to_str().unwrap();
    refused(&["run", s, "--rate", "fast"], 2, "expected e.g. 1000/s").await;
    refused(&["run", s, "--rate", "10/d"], 2, "unknown time unit").await;
    refused(&["run", s, "--rate", "10/s", "-u", "5"], 2, "--users").await;
    refused(
        &["run", s, "--rate", "10/s", "--iterations", "5"],
        2,
        "--iterations",
    )
    .await;
    refused(&["run", s, "--max-vus", "5"], 2, "--rate").await;
    refused(&["run", s, "--rate-stages", "10s"], 2, "DURATION:RATE").await;
    refused(
        &["run", s, "--threshold", "http_req_duration: p(95)<abc"],
        2,
        "\"abc\" is not a number",
    )
    .await;
    refused(
        &["run", s, "--threshold", "http_req_failed: avg<1"],
        2,
        "http_req_failed is a rate metric, which has rate",
    )
    .await;
    refused(
        &["run", s, "--rate", "10/s", "--wait", "constant(1)"],
        2,
        "drop --wait",
    )
    .await;
    refused(
        &[
            "run",
            s,
            "--rate",
            "10/s",
            "--pre-vus",
            "50",
            "--max-vus",
            "10",
        ],
        2,
        "--pre-vus 50 is above --max-vus 10",
    )
    .await;
}

/// `horde compare` given something other than two horde summaries says which file and what
/// to give instead, with the usage exit code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_refuses_files_that_are_not_summaries() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.json",
        br#"{"schema_version": 1, "horde_version": "0.1.0", "run": {"scenario": "s",
            "started_at_unix_ms": 0, "duration_s": 1.0, "peak_users": 1}, "stats": [],
            "aggregated": {"method": "", "name": "Aggregated", "num_requests": 0,
            "num_failures": 0, "avg_response_time_ms": 0.0, "requests_per_sec": 0.0,
            "bytes_received": 0, "percentiles_ms": {"p50": 0.0, "p95": 0.0, "p99": 0.0}}}"#,
    );
    let missing = dir.path().join("missing.json");
    let missing = missing.to_str().unwrap();
    refused(&["compare", missing, &good], 2, "cannot read").await;
    let csv = write(dir.path(), "run_stats.csv", b"Type,Name\r\n");
    refused(&["compare", &good, &csv], 2, "run_stats.csv is not JSON").await;
    let other = write(dir.path(), "other.json", br#"{"stats": []}"#);
    refused(&["compare", &other, &good], 2, "is not a horde summary").await;
    let future = write(
        dir.path(),
        "future.json",
        br#"{"schema_version": 2, "horde_version": "2.0.0", "stats": []}"#,
    );
    refused(&["compare", &good, &future], 2, "schema_version 2").await;
}
