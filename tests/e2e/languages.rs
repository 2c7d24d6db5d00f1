//! Conformance of the language SDKs: every language's build of the seed-0 scenario
//! (scripts/authenticated-user*, built by scripts/build) describes itself like the Rust one,
//! and, run with the same seed, users, iterations and data set against the demo target, sends
//! the same requests: the same routes, statuses and deciding headers, in the same counts.
//! (tests/e2e/state.rs runs every language's data and shared-state probes.)

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use crate::common::*;

/// Each language's build of seed 0, the reference (Rust) first.
const SEED0: [(&str, &str); 6] = [
    ("Rust", "authenticated-user"),
    ("C", "authenticated-user-c"),
    ("Zig", "authenticated-user-zig"),
    ("Python", "authenticated-user-python"),
    ("JavaScript", "authenticated-user-js"),
    ("Go", "authenticated-user-go"),
];

const USERS: u64 = 4;
const ITERATIONS_PER_VU: u64 = 10;

async fn inspect(scenario: &str) -> Value {
    let ran = run_horde(
        args(&["inspect", guest(scenario).to_str().unwrap(), "--json"]),
        Duration::from_secs(120),
    )
    .await;
    assert_eq!(ran.code, 0, "{scenario}: {}", ran.stderr);
    serde_json::from_str(&ran.stdout).expect("inspect --json prints JSON")
}

/// Every language describes seed 0 like Rust (same name, description, tasks, weights and
/// think time; its own SDK), then sends the same requests. One test, so that each large
/// component is compiled once (by `inspect`) and the run reads it from the cache.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_language_behaves_like_rust() {
    let _alone = crate::common::EXCLUSIVE.lock().await;
    describes_seed0_like_rust().await;
    sends_the_same_requests_as_rust().await;
}

async fn describes_seed0_like_rust() {
    let mut reference = inspect(SEED0[0].1).await;
    let rust_sdk = reference["sdk"].take();
    let mut sdks = vec![rust_sdk];
    for (language, scenario) in &SEED0[1..] {
        let mut meta = inspect(scenario).await;
        let sdk = meta["sdk"].take();
        assert_eq!(meta, reference, "{language} describes seed 0 differently");
        assert!(
            !sdks.contains(&sdk),
            "{language} reports the SDK of another language: {sdk}"
        );
        sdks.push(sdk);
    }
}

/// What the target saw from one language's run: requests per route and status, and
/// deciding headers per route.
#[derive(Debug, PartialEq)]
struct Seen {
    routes: BTreeMap<String, BTreeMap<u16, u64>>,
    headers: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The seed-0 scenarios' accounts (scripts/authenticated-user/users.csv): every language's
/// build logs in with a `unique` row of it, as the Rust one does.
fn users_csv() -> std::path::PathBuf {
    repo_root().join("scripts/authenticated-user/users.csv")
}

async fn run_seed0(language: &str, scenario: &str) -> Seen {
    let users = horde::target::read_users_file(&users_csv()).unwrap();
    let target = target_with(horde::target::TargetConfig {
        users,
        ..Default::default()
    })
    .await;
    let data = format!("users={}", users_csv().display());
    let RunResult { ran, summary } = run_against(
        &target,
        scenario,
        &[
            "--data",
            &data,
            "-u",
            &USERS.to_string(),
            "--iterations-per-vu",
            &ITERATIONS_PER_VU.to_string(),
            "--wait",
            "none",
            "--seed",
            "11",
        ],
    )
    .await;
    let stats = target.stats();
    target.stop().await;
    assert_eq!(ran.code, 0, "{language}: {}", ran.stderr);
    let vu = &summary["vu_errors"];
    for kind in ["traps", "start_errors", "task_errors", "stop_errors"] {
        assert_eq!(count(&vu[kind]), 0, "{language}: {kind} in {summary:#}");
    }
    assert_eq!(
        count(&summary["aggregated"]["num_requests"]),
        stats.total,
        "{language}: horde and the target disagree"
    );
    assert_eq!(
        count(&summary["aggregated"]["num_failures"]),
        0,
        "{language}"
    );
    Seen {
        routes: stats.routes,
        headers: stats.headers,
    }
}

async fn sends_the_same_requests_as_rust() {
    let reference = run_seed0(SEED0[0].0, SEED0[0].1).await;
    // The reference itself: one login per VU, then one request per iteration, all with the
    // headers the API needs.
    let logins = served_in(&reference, "POST /api/auth/login", 200);
    let profile = served_in(&reference, "GET /api/users/me", 200);
    let orders = served_in(&reference, "GET /api/orders", 200);
    assert_eq!(logins, USERS, "{reference:#?}");
    assert_eq!(
        profile + orders,
        USERS * ITERATIONS_PER_VU,
        "{reference:#?}"
    );
    assert!(profile > 0 && orders > 0, "{reference:#?}");
    assert_eq!(
        reference.headers["POST /api/auth/login"]["content-type: application/json"],
        logins
    );
    assert_eq!(
        reference.headers["GET /api/users/me"]["authorization: Bearer"],
        profile
    );
    assert_eq!(
        reference.headers["GET /api/orders"]["authorization: Bearer"],
        orders
    );
    for (language, scenario) in &SEED0[1..] {
        let seen = run_seed0(language, scenario).await;
        assert_eq!(seen, reference, "{language} sent other requests than Rust");
    }
}

fn served_in(seen: &Seen, route: &str, status: u16) -> u64 {
    seen.routes
        .get(route)
        .and_then(|s| s.get(&status))
        .copied()
        .unwrap_or(0)
}
