//! The sandbox policy of docs/sandbox.md, one test per rule: the `escaper` guest imports WASI
//! and tries to leave through it (`--env PROBE=NAME`); a probe that gets through ends its
//! `on-start` with an error naming what leaked, which fails the test as a start error.

use std::time::Duration;

use serde_json::Value;

use crate::common::*;

/// What one probe left: the run's log (stderr) and its JSON summary.
struct Probed {
    log: String,
    summary: Value,
}

/// Runs the escaper once with `PROBE=probe` (one VU, one iteration), the process environment
/// extended by `host_env`, and checks that the probe ran and broke nothing.
async fn probe(probe: &str, extra: &[&str], host_env: &[(&str, &str)]) -> Probed {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("summary.json");
    let mut list = args(&[
        "run",
        guest("escaper").to_str().unwrap(),
        "--iterations",
        "1",
        "-q",
        "--json",
        json.to_str().unwrap(),
        "--env",
        &format!("PROBE={probe}"),
    ]);
    list.extend(extra.iter().map(|s| s.to_string()));
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_horde"));
    for (k, v) in host_env {
        command.env(k, v);
    }
    let ran = run_command(command, list, Duration::from_secs(60)).await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let summary = read_json(&json);
    let vu = &summary["vu_errors"];
    assert_eq!(
        count(&vu["start_errors"]) + count(&vu["traps"]),
        0,
        "probe {probe} got through: {}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains(&format!("[vu 1] INFO  probe {probe}: ")),
        "probe {probe} did not report: {}",
        ran.stderr
    );
    Probed {
        log: ran.stderr,
        summary,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_cannot_open_a_file() {
    let probed = probe("open-file", &[], &[]).await;
    assert!(
        probed.log.contains("no preopened directory"),
        "{}",
        probed.log
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_cannot_read_the_host_environment() {
    let secret = "horde-sandbox-secret-4711";
    let probed = probe(
        "read-environment",
        &["--env", "VISIBLE=only-through-context"],
        &[("HORDE_TEST_SECRET", secret)],
    )
    .await;
    assert!(
        probed.log.contains("empty environment, no arguments"),
        "{}",
        probed.log
    );
    assert!(!probed.log.contains(secret));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_cannot_open_a_socket() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let probed = probe("open-socket", &["--env", &format!("PORT={port}")], &[]).await;
    assert!(probed.log.contains("denied"), "{}", probed.log);
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        other => panic!("the guest reached the listener: {other:?}"),
    }
    // Only requests made through horde's `http` are counted; the probe made none.
    assert_eq!(count(&probed.summary["aggregated"]["num_requests"]), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdin_is_empty() {
    let probed = probe("read-stdin", &[], &[]).await;
    assert!(probed.log.contains("stdin is closed"), "{}", probed.log);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clocks_are_no_finer_than_context() {
    let probed = probe("clocks", &[], &[]).await;
    assert!(
        probed
            .log
            .contains("wall clock in steps of 1000000 ns, monotonic in steps of 1000 ns"),
        "{}",
        probed.log
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stdout_and_stderr_go_to_the_log_with_the_vu_id() {
    let probed = probe("print", &[], &[]).await;
    for line in [
        "[vu 1] INFO  hello from stdout",
        "[vu 1] INFO  second line",
        "[vu 1] WARN  hello from stderr",
    ] {
        assert!(
            probed.log.lines().any(|l| l == line),
            "no {line:?} in {}",
            probed.log
        );
    }
}

/// WASI's random numbers come from the VU's generator: the same `--seed` gives the same bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wasi_random_follows_the_seed() {
    let bytes = |log: &str| {
        log.lines()
            .find_map(|l| {
                l.split_once("probe random: random ")
                    .map(|(_, hex)| hex.to_string())
            })
            .unwrap_or_else(|| panic!("no random bytes in {log}"))
    };
    let first = bytes(&probe("random", &["--seed", "1"], &[]).await.log);
    let again = bytes(&probe("random", &["--seed", "1"], &[]).await.log);
    let other = bytes(&probe("random", &["--seed", "2"], &[]).await.log);
    assert_eq!(first, again);
    assert_ne!(first, other);
    assert_eq!(first.len(), 32);
}
