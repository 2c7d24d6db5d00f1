//! Checks, custom metrics and thresholds, end to end: what the scenario recorded arrives
//! exactly in the summary, thresholds from the command line and the metadata decide the exit
//! code (99), `abortOnFail` stops a run early, and `--junit` writes them for CI.

use std::time::Duration;

use serde_json::Value;

use crate::common::*;

fn metric<'a>(summary: &'a Value, name: &str, tags: Value) -> &'a Value {
    summary["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name && m["tags"] == tags)
        .unwrap_or_else(|| panic!("no metric {name} {tags}: {:#}", summary["metrics"]))
}

fn check<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {:#}", summary["checks"]))
}

/// 100 iterations of `measures` (one VU): every count is known in advance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checks_and_metrics_are_counted_exactly_and_thresholds_decide_the_exit_code() {
    checks_and_metrics_are_counted_exactly("measures").await;
}

/// The same for the ports of `measures` to the SDKs of other languages (large components:
/// one at a time).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_checks_and_metrics_are_counted_like_rust() {
    let _alone = crate::common::EXCLUSIVE.lock().await;
    checks_and_metrics_are_counted_exactly("measures-python").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn javascript_checks_and_metrics_are_counted_like_rust() {
    let _alone = crate::common::EXCLUSIVE.lock().await;
    checks_and_metrics_are_counted_exactly("measures-js").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn c_checks_and_metrics_are_counted_like_rust() {
    let _alone = crate::common::EXCLUSIVE.lock().await;
    checks_and_metrics_are_counted_exactly("measures-c").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zig_checks_and_metrics_are_counted_like_rust() {
    let _alone = crate::common::EXCLUSIVE.lock().await;
    checks_and_metrics_are_counted_exactly("measures-zig").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_checks_and_metrics_are_counted_like_rust() {
    let _alone = crate::common::EXCLUSIVE.lock().await;
    checks_and_metrics_are_counted_exactly("measures-go").await;
}

async fn checks_and_metrics_are_counted_exactly(probe: &str) {
    let target = target().await;
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let RunResult { ran, summary } = run_against(
        &target,
        probe,
        &[
            "-u",
            "1",
            "--iterations",
            "100",
            "--threshold",
            "http_req_duration{name:/api/users/me}: p(95)<0.001",
            "--threshold",
            "even_iteration: rate>=0.5",
            "--junit",
            junit.to_str().unwrap(),
        ],
    )
    .await;
    let served = target.stats();
    target.stop().await;
    assert_eq!(ran.code, 99, "a threshold failed: {}", ran.stdout);
    assert_eq!(served_with(&served, "GET /api/users/me", 200), 100);

    let status = check(&summary, "profile status is 200");
    assert_eq!(
        (count(&status["passes"]), count(&status["fails"])),
        (100, 0)
    );
    let even = check(&summary, "iteration is even");
    assert_eq!((count(&even["passes"]), count(&even["fails"])), (50, 50));
    assert_eq!(even["tags"]["vu"], "1");

    let plain = metric(&summary, "profiles_read", serde_json::json!({}));
    assert_eq!(plain["kind"], "counter");
    assert_eq!(plain["values"]["count"], 100.0);
    let double = metric(
        &summary,
        "profiles_read",
        serde_json::json!({"kind": "double"}),
    );
    assert_eq!(double["values"]["count"], 200.0);
    let gauge = metric(&summary, "last_iteration", serde_json::json!({}));
    assert_eq!(gauge["values"]["value"], 99.0);
    assert_eq!(gauge["values"]["max"], 99.0);
    let rate = metric(&summary, "even_iteration", serde_json::json!({}));
    assert_eq!(rate["values"]["rate"], 0.5);
    let trend = metric(&summary, "iteration_value", serde_json::json!({}));
    assert_eq!(trend["values"]["count"], 100.0);
    assert_eq!(trend["values"]["avg"], 49.5);
    let median = trend["values"]["med"].as_f64().unwrap();
    assert!((median - 49.5).abs() <= 0.5, "median {median}");

    // The misused metric name shows in the error report, once per call.
    let misuse = summary["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["method"] == "METRIC")
        .expect("the invalid metric name is reported");
    assert_eq!(count(&misuse["occurrences"]), 100);

    // Two thresholds from the command line, two from the metadata.
    let verdicts: Vec<(String, bool)> = summary["thresholds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["threshold"].as_str().unwrap().to_string(),
                t["passed"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        verdicts,
        vec![
            (
                "http_req_duration{name:/api/users/me}: p(95)<0.001".to_string(),
                false
            ),
            ("even_iteration: rate>=0.5".to_string(), true),
            (
                "checks{check:profile status is 200}: rate==1".to_string(),
                true
            ),
            ("profiles_read: count>0".to_string(), true),
        ]
    );
    assert!(
        ran.stdout
            .contains("Thresholds: 3 of 4 passed (exit code 99)"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout
            .contains("✗ iteration is even {vu:1}: 50 of 100 passed")
    );

    let problems = schema_problems(&summary);
    assert!(problems.is_empty(), "{problems:#?}");

    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains(r#"<testsuite name="thresholds" tests="4" failures="1">"#),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<testsuite name="checks" tests="2" failures="1">"#),
        "{xml}"
    );
    assert_eq!(xml.matches("<failure ").count(), 2);
}

/// A threshold with `abortOnFail` stops the run within a few seconds of failing, exits 99,
/// and still writes the results.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abort_on_fail_stops_the_run() {
    let target = target().await;
    // `raw-get` asks for `/`, which the demo target answers with 404: every request fails.
    let RunResult { ran, summary } = run_against(
        &target,
        "raw-get",
        &[
            "-u",
            "2",
            "-t",
            "60s",
            "--threshold",
            "http_req_failed: rate<0.01, abortOnFail, delayAbortEval=1s",
        ],
    )
    .await;
    target.stop().await;
    assert_eq!(ran.code, 99, "stderr: {}", ran.stderr);
    assert!(ran.took < Duration::from_secs(15), "took {:?}", ran.took);
    assert_eq!(
        summary["run"]["aborted_by"],
        "http_req_failed: rate<0.01, abortOnFail, delayAbortEval=1s"
    );
    assert_eq!(summary["thresholds"][0]["aborted_run"], true);
    assert!(
        ran.stdout.contains("stopped the run (abortOnFail)"),
        "{}",
        ran.stdout
    );
}
