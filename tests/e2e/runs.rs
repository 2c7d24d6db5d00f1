//! Runs that must produce exact, checkable results.

use std::time::Duration;

use crate::common::*;

/// horde's JSON counts equal what the target served, route by route, and task weights 3:1
/// hold within ±5 % over thousands of iterations. The JSON follows its published schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_match_the_target_and_weights_hold() {
    let target = target().await;
    let RunResult { ran, summary } = run_against(
        &target,
        "weighted",
        &["-u", "10", "-t", "4s", "--seed", "42"],
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let stats = target.stats();
    target.stop().await;

    let profile = count(&entry(&summary, "GET", "/api/users/me")["num_requests"]);
    let orders = count(&entry(&summary, "GET", "/api/orders")["num_requests"]);
    let logins = count(&entry(&summary, "POST", "/api/auth/login")["num_requests"]);
    assert_eq!(profile, served(&stats, "GET /api/users/me"));
    assert_eq!(orders, served(&stats, "GET /api/orders"));
    assert_eq!(logins, served(&stats, "POST /api/auth/login"));
    assert_eq!(count(&summary["aggregated"]["num_requests"]), stats.total);
    assert_eq!(
        count(&summary["aggregated"]["num_failures"]),
        0,
        "{summary:#}"
    );
    assert_eq!(served_with(&stats, "GET /api/users/me", 200), profile);

    // The time series accounts for every request, second by second.
    let rows = summary["time_series"].as_array().expect("a time series");
    assert!(rows.len() >= 4, "{} rows for a 4 s run", rows.len());
    let in_rows: u64 = rows.iter().map(|r| count(&r["requests"])).sum();
    assert_eq!(in_rows, stats.total);
    let times: Vec<f64> = rows.iter().map(|r| r["t_s"].as_f64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    assert!(
        rows.iter()
            .skip(1)
            .take(2)
            .all(|r| count(&r["users"]) == 10)
    );

    assert!(
        profile + orders >= 2_000,
        "only {} iterations",
        profile + orders
    );
    let ratio = profile as f64 / orders as f64;
    assert!(
        (ratio - 3.0).abs() <= 0.15,
        "weights 3:1 gave {profile}:{orders} = {ratio:.3}"
    );

    let schema_text =
        std::fs::read_to_string(repo_root().join("docs/summary.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&schema_text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    let problems: Vec<String> = validator
        .iter_errors(&summary)
        .map(|e| e.to_string())
        .collect();
    assert!(
        problems.is_empty(),
        "summary breaks its schema: {problems:#?}"
    );
    let bytes_received = count(&summary["aggregated"]["bytes_received"]);
    assert!(
        bytes_received > 100 * stats.total,
        "bytes received {bytes_received} for {} responses",
        stats.total
    );
}

/// A constant 250 ms think time caps each VU at one task per 250 ms.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn think_time_holds() {
    let target = target().await;
    let RunResult { ran, .. } = run_against(&target, "think", &["-u", "4", "-t", "3s"]).await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let served = served(&target.stats(), "GET /api/health");
    target.stop().await;
    // 4 VUs × 3 s / 250 ms = 48 tasks at most (one more per VU for the first, unwaited task).
    assert!(
        (38..=52).contains(&served),
        "4 VUs with 250 ms think time for 3 s made {served} requests"
    );
}

/// `--wait` overrides the scenario's think time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_overrides_the_think_time() {
    let target = target().await;
    let RunResult { ran, .. } = run_against(
        &target,
        "think",
        &["-u", "4", "-t", "3s", "--wait", "constant(500ms)"],
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let served = served(&target.stats(), "GET /api/health");
    target.stop().await;
    // 4 VUs × 3 s / 500 ms = 24 tasks at most (one more per VU for the first).
    assert!(
        (18..=28).contains(&served),
        "4 VUs with 500 ms think time for 3 s made {served} requests"
    );
}

/// Each VU keeps its own session cookie: no VU ever sees another's session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_persist_per_vu() {
    let target = target().await;
    let RunResult { ran, summary } =
        run_against(&target, "cookies", &["-u", "8", "-t", "2s"]).await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let stats = target.stats();
    target.stop().await;
    let me = entry(&summary, "GET", "/api/session/me");
    assert!(count(&me["num_requests"]) > 50, "{me:#}");
    assert_eq!(count(&me["num_failures"]), 0, "{summary:#}");
    assert_eq!(served_with(&stats, "GET /api/session/me", 401), 0);
    assert_eq!(
        served_with(&stats, "GET /api/session/me", 200),
        count(&me["num_requests"])
    );
    assert_eq!(served(&stats, "POST /api/session/login"), 8);
}

/// A task that never returns is stopped at --task-timeout, counted, and its VU restarted;
/// the run still ends on time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_looping_vu_does_not_delay_the_end() {
    let target = target().await;
    let RunResult { ran, summary } = run_against(
        &target,
        "looper",
        &["-u", "3", "-t", "3s", "--task-timeout", "500ms"],
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    target.stop().await;
    assert!(
        ran.took < Duration::from_millis(5_500),
        "took {:?}",
        ran.took
    );
    let vu = &summary["vu_errors"];
    assert!(count(&vu["task_timeouts"]) >= 1, "{summary:#}");
    assert!(count(&vu["restarts"]) >= 1, "{summary:#}");
    let health = count(&entry(&summary, "GET", "/api/health")["num_requests"]);
    assert!(health >= 3, "VUs kept working between loops: {health}");
}

/// A trapping task is counted as a trap and the VU starts again (on-start runs again).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trapping_vu_is_counted_and_restarted() {
    let target = target().await;
    let RunResult { ran, summary } =
        run_against(&target, "trapper", &["-u", "2", "-t", "2s"]).await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let stats = target.stats();
    target.stop().await;
    let vu = &summary["vu_errors"];
    let traps = count(&vu["traps"]);
    let restarts = count(&vu["restarts"]);
    assert!(traps >= 2, "{summary:#}");
    assert!(restarts >= 1 && restarts <= traps, "{summary:#}");
    // Every instance runs on-start once: the first one per VU, then one per restart (the
    // last restart's may meet the stop and not be sent).
    let starts = served_with(&stats, "GET /api/orders", 401);
    assert!(
        (1 + restarts..=2 + restarts).contains(&starts),
        "{starts} starts, {restarts} restarts"
    );
    assert!(
        ran.stderr.contains("boom"),
        "the panic message reaches the log: {}",
        ran.stderr
    );
    let errors = summary["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["method"] == "TASK" && e["name"] == "work"),
        "{errors:#?}"
    );
}

/// The first SIGINT stops the run gracefully and the results are still written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_run_still_writes_its_results() {
    let target = target().await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("summary.json");
    let base = target.base_url();
    let scenario = guest("weighted");
    let json_arg = json.clone();
    let (code, took) = tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_horde"))
            .args([
                "run",
                scenario.to_str().unwrap(),
                "--host",
                &base,
                "-u",
                "4",
                "-r",
                "100",
            ])
            .args(["-t", "60s", "-q", "--json", json_arg.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
        let status = child.wait().unwrap();
        (status.code(), started.elapsed())
    })
    .await
    .unwrap();
    let stats = target.stats();
    target.stop().await;
    assert_eq!(code, Some(130));
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let summary = read_json(&json);
    assert_eq!(summary["run"]["interrupted"], true);
    assert_eq!(count(&summary["aggregated"]["num_requests"]), stats.total);
}

/// `horde inspect` shows tasks and weights without making a request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_prints_metadata() {
    let ran = run_horde(
        args(&["inspect", guest("weighted").to_str().unwrap(), "--json"]),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let meta: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
    assert_eq!(meta["wit"], "horde:scenario@0.2.0");
    assert_eq!(meta["tasks"][0]["name"], "profile");
    assert_eq!(meta["tasks"][0]["weight"], 3);
    assert_eq!(meta["tasks"][1]["weight"], 1);
    assert_eq!(meta["think_time"]["kind"], "none");

    let ran = run_horde(
        args(&["inspect", guest("authenticated-user").to_str().unwrap()]),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    assert!(ran.stdout.contains("between(1s, 5s)"), "{}", ran.stdout);
    assert!(ran.stdout.contains("get_user_orders"), "{}", ran.stdout);
}

/// `horde demo` runs the bundled scenario against the embedded target with no failures.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("demo.json");
    let ran = run_horde(
        args(&[
            "demo",
            "-u",
            "10",
            "-r",
            "100",
            "-t",
            "3s",
            "-q",
            "--json",
            json.to_str().unwrap(),
        ]),
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let summary = read_json(&json);
    assert_eq!(
        count(&entry(&summary, "POST", "/api/auth/login")["num_requests"]),
        10
    );
    assert_eq!(
        count(&summary["aggregated"]["num_failures"]),
        0,
        "{summary:#}"
    );
    assert!(ran.stdout.contains("the same"), "{}", ran.stdout);
    assert!(
        ran.stdout.contains("Response time percentiles"),
        "{}",
        ran.stdout
    );
}

/// The README's seed-0 snippet is the scenario's code as it is (without its opening comment).
#[test]
fn the_readme_shows_the_seed_0_scenario_as_it_is() {
    let read = |path: &str| std::fs::read_to_string(repo_root().join(path)).unwrap();
    let readme = read("README.md");
    let source = read("scripts/authenticated-user/src/lib.rs");
    let code = &source[source
        .find("use horde_sdk::prelude::*;")
        .expect("the scenario's code")..];
    let shown = readme
        .split("```rust\n")
        .filter_map(|block| block.split("```\n").next())
        .find(|block| block.contains("struct AuthenticatedUser"))
        .expect("the README shows the seed-0 scenario");
    assert_eq!(
        shown, code,
        "README.md's seed-0 snippet differs from scripts/authenticated-user/src/lib.rs: copy the file's code into it"
    );
}

/// The demo's embedded component was built from the sources as they are now.
#[test]
fn the_embedded_demo_scenario_is_current() {
    let out = std::process::Command::new("bash")
        .arg(repo_root().join("scripts/build"))
        .arg("--check-embedded")
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "engine/assets/authenticated-user.wasm is stale: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let embedded = horde::cli::DEMO_SCENARIO;
    assert_eq!(&embedded[..4], b"\0asm");
}

/// A VU that grows past --vu-memory traps and restarts; the run and the other VUs go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_vu_past_its_memory_limit_traps_and_restarts() {
    let target = target().await;
    let RunResult { ran, summary } = run_against(
        &target,
        "hog",
        &["-u", "2", "-t", "2s", "--vu-memory", "32MiB"],
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    target.stop().await;
    let vu = &summary["vu_errors"];
    assert!(count(&vu["traps"]) >= 2, "{summary:#}");
    assert!(count(&vu["restarts"]) >= 2, "{summary:#}");
    // Each instance fits three 8 MiB blocks in 32 MiB at most before it traps.
    let health = count(&entry(&summary, "GET", "/api/health")["num_requests"]);
    assert!(
        health <= 4 * (count(&vu["restarts"]) + 2),
        "{health} requests: {summary:#}"
    );
}

/// `--http2` speaks HTTP/2 (h2c) to a plain http:// target, and the counts still match.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_is_spoken_when_asked() {
    let target = target().await;
    let RunResult { ran, summary } =
        run_against(&target, "weighted", &["-u", "4", "-t", "2s", "--http2"]).await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let stats = target.stats();
    target.stop().await;
    assert_eq!(count(&summary["aggregated"]["num_requests"]), stats.total);
    assert_eq!(
        count(&summary["aggregated"]["num_failures"]),
        0,
        "{summary:#}"
    );
    assert_eq!(
        stats.versions.get("HTTP/2"),
        Some(&stats.total),
        "{stats:?}"
    );
}

/// `--iterations N` makes exactly N task runs across all VUs, then the run ends by itself;
/// `--iterations-per-vu N` makes exactly N per VU.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iterations_end_the_run_exactly() {
    let target = target().await;
    let RunResult { ran, summary } =
        run_against(&target, "weighted", &["-u", "10", "--iterations", "500"]).await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let stats = target.stats();
    let tasks = served(&stats, "GET /api/users/me") + served(&stats, "GET /api/orders");
    assert_eq!(tasks, 500, "{stats:?}");
    assert_eq!(count(&summary["aggregated"]["num_requests"]), stats.total);
    assert!(ran.took < Duration::from_secs(20), "took {:?}", ran.took);

    target.stop().await;
    let target = crate::common::target().await;
    let RunResult { ran, .. } = run_against(
        &target,
        "weighted",
        &["-u", "5", "--iterations-per-vu", "20"],
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let stats = target.stats();
    target.stop().await;
    let tasks = served(&stats, "GET /api/users/me") + served(&stats, "GET /api/orders");
    assert_eq!(tasks, 100, "{stats:?}");
    assert_eq!(served(&stats, "POST /api/auth/login"), 5);
}

/// `--stages` ramps VUs up and down; each removed VU runs `on-stop` (it logs out), and the
/// run ends after the last stage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stages_ramp_users_up_and_down() {
    let target = target().await;
    let RunResult { ran, summary } = run_against(
        &target,
        "weighted",
        &["--stages", "1s:4,1s:4,1s:0", "--graceful-stop", "1s"],
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let stats = target.stats();
    target.stop().await;
    assert!(ran.took < Duration::from_secs(10), "took {:?}", ran.took);
    assert_eq!(
        count(&summary["run"]["peak_users"]),
        4,
        "{:#}",
        summary["run"]
    );
    // Every VU started logged in once and, removed, logged out once.
    let logins = served(&stats, "POST /api/auth/login");
    assert_eq!(logins, 4);
    assert_eq!(served_with(&stats, "POST /api/auth/logout", 204), logins);
    let users: Vec<u64> = summary["time_series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| count(&r["users"]))
        .collect();
    assert!(users.contains(&4), "{users:?}");
    assert!(users.last() < Some(&4), "ramped down: {users:?}");
    assert_eq!(count(&summary["aggregated"]["num_requests"]), stats.total);
}

/// On a terminal the live view redraws a table in place and erases it before the summary;
/// `script` gives horde a pseudo-terminal.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_view_redraws_in_place_on_a_terminal() {
    let target = target().await;
    let command = format!(
        "{} run {} --host {} -u 3 -r 100 -t 2500ms",
        env!("CARGO_BIN_EXE_horde"),
        guest("weighted").display(),
        target.base_url()
    );
    let ran = run_horde_via(
        "script",
        args(&["-qfec", &command, "/dev/null"]),
        Duration::from_secs(30),
    )
    .await;
    target.stop().await;
    assert_eq!(ran.code, 0, "{}{}", ran.stdout, ran.stderr);
    let screen = ran.stdout;
    assert!(screen.contains("p95 ms"), "the live table: {screen}");
    assert!(screen.contains("GET /api/users/me"), "{screen}");
    // Each redraw and the final erase move the cursor up over the block and clear it.
    let erase = "\u{1b}[J";
    assert!(screen.matches(erase).count() >= 2, "{screen:?}");
    let after_last_erase = &screen[screen.rfind(erase).unwrap() + erase.len()..];
    assert!(
        after_last_erase.starts_with("Type"),
        "the summary starts on a clean screen: {after_last_erase:?}"
    );
}

/// `--local-addr` spreads the VUs' connections over several source addresses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_addresses_spread_the_connections() {
    let target = target().await;
    let RunResult { ran, summary } = run_against(
        &target,
        "weighted",
        &["-u", "4", "-t", "1s", "--local-addr", "127.0.0.2,127.0.0.3"],
    )
    .await;
    assert_eq!(ran.code, 0, "stderr: {}", ran.stderr);
    let stats = target.stats();
    target.stop().await;
    assert_eq!(
        count(&summary["aggregated"]["num_failures"]),
        0,
        "{summary:#}"
    );
    let from = |ip: &str| stats.connections.get(ip).copied().unwrap_or(0);
    assert_eq!(from("127.0.0.2"), 2, "{:?}", stats.connections);
    assert_eq!(from("127.0.0.3"), 2, "{:?}", stats.connections);
    // Only the reachability check before the run connects from the default address.
    assert!(from("127.0.0.1") <= 1, "{:?}", stats.connections);
}
