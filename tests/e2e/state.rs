//! State: per-run data sets (`--data`), shared counters and key/value store, and setup and
//! teardown, against the demo target.

use std::collections::HashMap;
use std::time::Duration;

use horde::target::{TargetConfig, read_users_file};

use crate::common::*;

/// The 200 accounts of the seed-0 scenario's data set.
fn users_csv() -> String {
    repo_root()
        .join("scripts/authenticated-user/users.csv")
        .to_str()
        .unwrap()
        .to_string()
}

/// `(vu, row)` for every "[vu V] INFO  row R user U" line the `unique-rows` guest logged.
fn rows_taken(stderr: &str) -> Vec<(u32, u64)> {
    stderr
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("[vu ")?;
            let (vu, rest) = rest.split_once("] INFO  row ")?;
            let row = rest.split_whitespace().next()?;
            Some((vu.parse().ok()?, row.parse().ok()?))
        })
        .collect()
}

/// The same state tests for the probes of every language: `unique-rows{suffix}` and
/// `lifecycle{suffix}` (tests/guests/), each a port of the Rust probe that must behave exactly
/// like it. The Rust probes run alongside the other tests; the others (large components, a
/// runtime per VU) run one at a time.
macro_rules! state_tests {
    ($language:ident, $suffix:literal, $alone:literal) => {
        mod $language {
            async fn alone() -> Option<tokio::sync::MutexGuard<'static, ()>> {
                if $alone {
                    Some(crate::common::EXCLUSIVE.lock().await)
                } else {
                    None
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn unique_rows_are_never_handed_out_twice() {
                let _alone = alone().await;
                super::unique_rows_are_never_handed_out_twice(concat!("unique-rows", $suffix))
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn running_out_of_unique_rows_is_a_clear_error() {
                let _alone = alone().await;
                super::running_out_of_unique_rows_is_a_clear_error(concat!("unique-rows", $suffix))
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn per_vu_and_sequential_modes() {
                let _alone = alone().await;
                super::per_vu_and_sequential_modes(concat!("unique-rows", $suffix)).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn setup_value_reaches_every_vu_and_counters_are_exact() {
                let _alone = alone().await;
                super::setup_value_reaches_every_vu_and_counters_are_exact(concat!(
                    "lifecycle",
                    $suffix
                ))
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn teardown_runs_when_the_run_is_interrupted() {
                let _alone = alone().await;
                super::teardown_runs_when_the_run_is_interrupted(concat!("lifecycle", $suffix))
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_failing_setup_starts_no_vu() {
                let _alone = alone().await;
                super::a_failing_setup_starts_no_vu(concat!("lifecycle", $suffix)).await;
            }
        }
    };
}

state_tests!(rust, "", false);
state_tests!(c, "-c", true);
state_tests!(zig, "-zig", true);
state_tests!(python, "-python", true);
state_tests!(javascript, "-js", true);
state_tests!(go, "-go", true);

/// 205 VUs read `unique` rows of a 200-row set: every row goes to exactly one VU, and with
/// `--data-exhausted stop` the five left without a row stop, uncounted, instead of failing.
async fn unique_rows_are_never_handed_out_twice(probe: &str) {
    let target = target().await;
    let data = format!("users={}", users_csv());
    let result = run_against(
        &target,
        probe,
        &[
            "-u",
            "205",
            "-t",
            "2s",
            "--data",
            &data,
            "--data-exhausted",
            "stop",
        ],
    )
    .await;
    target.stop().await;
    assert_eq!(result.ran.code, 0, "{probe}: stderr: {}", result.ran.stderr);
    let taken = rows_taken(&result.ran.stderr);
    let mut by_row: HashMap<u64, Vec<u32>> = HashMap::new();
    for (vu, row) in &taken {
        by_row.entry(*row).or_default().push(*vu);
    }
    assert_eq!(taken.len(), 200, "one row per VU until the rows ran out");
    assert_eq!(by_row.len(), 200, "{by_row:?}");
    assert!(by_row.values().all(|vus| vus.len() == 1));
    assert!(by_row.keys().all(|&row| row < 200));
    let vu_errors = &result.summary["vu_errors"];
    assert_eq!(count(&vu_errors["start_errors"]), 0, "{vu_errors}");
    assert_eq!(count(&vu_errors["restarts"]), 0, "{vu_errors}");
}

/// Without `--data-exhausted stop`, running out is an error the VU reports, naming the set.
async fn running_out_of_unique_rows_is_a_clear_error(probe: &str) {
    let target = target().await;
    let data = format!("users={}", users_csv());
    let result = run_against(&target, probe, &["-u", "203", "-t", "1s", "--data", &data]).await;
    target.stop().await;
    assert_eq!(result.ran.code, 0, "{probe}: stderr: {}", result.ran.stderr);
    assert_eq!(rows_taken(&result.ran.stderr).len(), 200);
    assert!(count(&result.summary["vu_errors"]["start_errors"]) >= 3);
    let errors = result.summary["errors"].as_array().unwrap();
    assert!(
        errors.iter().any(|e| e["name"] == "on-start"
            && e["error"].as_str().unwrap().contains("\"users\" (")
            && e["error"]
                .as_str()
                .unwrap()
                .contains("handed out all its 200 rows")),
        "{errors:?}"
    );
}

/// `per-vu` gives VU k row (k - 1) mod len; `sequential` goes round the rows across VUs.
async fn per_vu_and_sequential_modes(probe: &str) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("four.csv");
    std::fs::write(&file, "username\na\nb\nc\nd\n").unwrap();
    let data = format!("users={}", file.display());
    let target = target().await;
    let per_vu = run_against(
        &target,
        probe,
        &[
            "-u",
            "10",
            "-t",
            "1s",
            "--data",
            &data,
            "--env",
            "MODE=per-vu",
        ],
    )
    .await;
    let sequential = run_against(
        &target,
        probe,
        &[
            "-u",
            "10",
            "-t",
            "1s",
            "--data",
            &data,
            "--env",
            "MODE=sequential",
        ],
    )
    .await;
    target.stop().await;
    let per_vu = rows_taken(&per_vu.ran.stderr);
    assert_eq!(per_vu.len(), 10);
    for (vu, row) in per_vu {
        assert_eq!(row, u64::from(vu - 1) % 4, "VU {vu}");
    }
    let mut reads = [0; 4];
    for (_, row) in rows_taken(&sequential.ran.stderr) {
        reads[row as usize] += 1;
    }
    assert_eq!(reads, [3, 3, 2, 2], "10 reads round-robin over 4 rows");
}

/// Setup logs in once and its token reaches every VU's `on-start`; 20 VUs adding 50 times
/// each to a shared counter make exactly 1000; one VU of all wins a compare-and-swap;
/// teardown logs out with setup's token. Setup's and teardown's requests have their own names.
async fn setup_value_reaches_every_vu_and_counters_are_exact(probe: &str) {
    let target = target().await;
    let result = run_against(&target, probe, &["-u", "20", "--iterations-per-vu", "50"]).await;
    let stats = target.stats();
    target.stop().await;
    assert_eq!(result.ran.code, 0, "{probe}: stderr: {}", result.ran.stderr);
    assert_eq!(count(&result.summary["vu_errors"]["start_errors"]), 0);
    assert_eq!(
        served(&stats, "POST /api/auth/login"),
        1,
        "only setup logs in"
    );
    assert_eq!(served_with(&stats, "GET /api/users/me", 200), 1000);
    assert_eq!(served_with(&stats, "POST /api/auth/logout", 204), 1);
    assert!(
        result
            .ran
            .stderr
            .contains("[vu 0] INFO  teardown: orders=1000 leaders=1 leader=vu-"),
        "{}",
        result.ran.stderr
    );
    let summary = &result.summary;
    assert_eq!(
        count(&entry(summary, "POST", "[setup] /api/auth/login")["num_requests"]),
        1
    );
    assert_eq!(
        count(&entry(summary, "POST", "[teardown] /api/auth/logout")["num_requests"]),
        1
    );
    assert_eq!(
        count(&entry(summary, "GET", "/api/users/me")["num_requests"]),
        1000
    );
    assert!(schema_problems(summary).is_empty());
}

/// The first SIGINT ends the VUs, then teardown still runs (and is counted) before the exit.
async fn teardown_runs_when_the_run_is_interrupted(probe: &str) {
    let target = target().await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("summary.json");
    let base = target.base_url();
    let scenario = guest(probe);
    let json_arg = json.clone();
    let code = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_horde"))
            .args(["run", scenario.to_str().unwrap(), "--host", &base])
            .args([
                "-u",
                "4",
                "-r",
                "100",
                "--wait",
                "constant(0.1)",
                "-t",
                "60s",
                "-q",
            ])
            .args(["--json", json_arg.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code();
            }
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("horde did not end within 20 s of SIGINT");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    })
    .await
    .unwrap();
    let stats = target.stats();
    target.stop().await;
    assert_eq!(code, Some(130));
    assert_eq!(served_with(&stats, "POST /api/auth/logout", 204), 1);
    let summary = read_json(&json);
    assert_eq!(summary["run"]["interrupted"], true);
    assert_eq!(
        count(&entry(&summary, "POST", "[teardown] /api/auth/logout")["num_requests"]),
        1
    );
}

/// A failing setup ends the run before any VU starts, with exit code 5 and one line; teardown
/// does not run.
async fn a_failing_setup_starts_no_vu(probe: &str) {
    let target = target().await;
    let result = run_against(
        &target,
        probe,
        &["-u", "5", "-t", "5s", "--env", "FAIL_SETUP=1"],
    )
    .await;
    let stats = target.stats();
    target.stop().await;
    assert_eq!(result.ran.code, 5, "{probe}: stderr: {}", result.ran.stderr);
    assert_eq!(
        result.ran.stderr.trim(),
        "error: setup returned an error: asked to fail (FAIL_SETUP); no VU was started"
    );
    assert_eq!(
        served(&stats, "POST /api/auth/login"),
        1,
        "setup's own login"
    );
    assert_eq!(served(&stats, "GET /api/users/me"), 0);
    assert_eq!(served(&stats, "POST /api/auth/logout"), 0, "no teardown");
}

/// The seed-0 scenario logs in with the accounts of its `users.csv`, which the demo target
/// accepts with `--users-file`: every VU logs in as a different account, none fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_user_logs_in_with_accounts_from_a_data_set() {
    let users = read_users_file(std::path::Path::new(&users_csv())).unwrap();
    assert_eq!(users.len(), 200);
    let target = target_with(TargetConfig {
        users,
        ..TargetConfig::default()
    })
    .await;
    let data = format!("users={}", users_csv());
    let result = run_against(
        &target,
        "authenticated-user",
        &[
            "-u",
            "50",
            "-t",
            "2s",
            "--wait",
            "constant(0.2)",
            "--data",
            &data,
        ],
    )
    .await;
    let stats = target.stats();
    target.stop().await;
    assert_eq!(result.ran.code, 0, "stderr: {}", result.ran.stderr);
    assert_eq!(served_with(&stats, "POST /api/auth/login", 200), 50);
    assert_eq!(served_with(&stats, "POST /api/auth/login", 401), 0);
    assert_eq!(count(&result.summary["aggregated"]["num_failures"]), 0);
    assert!(served_with(&stats, "GET /api/users/me", 200) > 0);
}

/// A malformed data file is one line naming the file, line and column, before any request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_data_file_fails_before_the_load() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("users.csv");
    std::fs::write(&bad, "username,password\nalice,pw\nbob\n").unwrap();
    let target = target().await;
    let data = format!("users={}", bad.display());
    let result = run_against(
        &target,
        "authenticated-user",
        &["-u", "5", "-t", "2s", "--data", &data],
    )
    .await;
    let stats = target.stats();
    target.stop().await;
    assert_eq!(result.ran.code, 2, "stderr: {}", result.ran.stderr);
    assert_eq!(
        result.ran.stderr.trim(),
        format!(
            "error: --data users: {}, line 3, column 4: 1 field(s), but the header has 2 columns",
            bad.display()
        )
    );
    assert_eq!(stats.total, 0, "no request reached the target");
    assert!(result.summary.is_null(), "no summary is written");
}
