//! The seeds' studies in small: seed 1 (the JWT gateway with valid, expired and forged tokens)
//! catches the gateway that accepts expired tokens, and `horde table` prints the study's
//! columns; seed 2 (session cookies against JWTs) runs both sides and `horde compare` sets
//! them side by side. `scripts/seed-1` and `scripts/seed-2` run them at full size.

use std::time::Duration;

use horde::target::TargetConfig;
use serde_json::Value;

use crate::common::*;

fn check_passes(summary: &Value, name: &str) -> (u64, u64) {
    let c = summary["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name}: {:#}", summary["checks"]));
    (count(&c["passes"]), count(&c["fails"]))
}

async fn gateway_run(lax_expiry: bool, json: &std::path::Path) -> (Ran, Value) {
    let target = target_with(TargetConfig {
        lax_expiry,
        ..TargetConfig::default()
    })
    .await;
    let ran = run_horde(
        args(&[
            "run",
            guest("jwt-gateway").to_str().unwrap(),
            "--host",
            &target.base_url(),
            "--rate",
            "120/s",
            "-t",
            "3s",
            "-q",
            "--json",
            json.to_str().unwrap(),
        ]),
        Duration::from_secs(60),
    )
    .await;
    let stats = target.stats();
    target.stop().await;
    let summary = read_json(json);
    // Every request the target saw, horde counted.
    assert_eq!(count(&summary["aggregated"]["num_requests"]), stats.total);
    (ran, summary)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_1_catches_the_gateway_that_accepts_expired_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let lax_json = dir.path().join("lax.json");
    let strict_json = dir.path().join("strict.json");
    let (lax, lax_summary) = gateway_run(true, &lax_json).await;
    let (strict, strict_summary) = gateway_run(false, &strict_json).await;

    // The lax gateway answers 200 to the expired token: a failed request, a failed check, a
    // failed threshold, exit 99.
    assert_eq!(lax.code, 99, "stdout: {}", lax.stdout);
    let (passes, fails) = check_passes(&lax_summary, "expired JWT is rejected by the API");
    assert_eq!(passes, 0);
    assert!(fails > 0);
    let expired = entry(&lax_summary, "GET", "API Request with Expired JWT");
    assert_eq!(expired["num_failures"], expired["num_requests"]);
    assert!(lax.stdout.contains("✗ expired JWT is rejected by the API"));
    // Introspection still tells the truth: the expired token is inactive.
    assert_eq!(check_passes(&lax_summary, "expired JWT is inactive").1, 0);

    // The strict one rejects it: every check passes, exit 0.
    assert_eq!(strict.code, 0, "stdout: {}", strict.stdout);
    for c in strict_summary["checks"].as_array().unwrap() {
        assert_eq!(count(&c["fails"]), 0, "{c}");
    }
    assert_eq!(
        count(&strict_summary["aggregated"]["num_failures"]),
        0,
        "401s for bad tokens are expected answers, not failures"
    );

    let table = run_horde(
        args(&[
            "table",
            lax_json.to_str().unwrap(),
            strict_json.to_str().unwrap(),
        ]),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    for column in [
        "Load",
        "Scenario",
        "Avg (ms)",
        "Error %",
        "Throughput",
        "kB/s recv",
        "kB/s sent",
    ] {
        assert!(table.stdout.contains(column), "{}", table.stdout);
    }
    for name in [
        "Introspect Valid JWT",
        "API Request with Valid JWT",
        "Introspect Expired JWT",
        "API Request with Expired JWT",
        "Introspect Invalid JWT",
        "API Request with Invalid JWT",
        "Generate Token",
    ] {
        assert_eq!(
            table
                .stdout
                .lines()
                .filter(|l| l.starts_with("120/s") && l.contains(name))
                .count(),
            2,
            "{name} for both runs: {}",
            table.stdout
        );
    }
    assert!(
        table
            .stdout
            .contains("120/s  ✗ expired JWT is rejected by the API")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_2_compares_session_cookies_with_jwts() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for scenario in ["session-auth", "jwt-auth"] {
        let target = target().await;
        let json = dir.path().join(format!("{scenario}.json"));
        let ran = run_horde(
            args(&[
                "run",
                guest(scenario).to_str().unwrap(),
                "--host",
                &target.base_url(),
                "-u",
                "5",
                "-r",
                "50",
                "-t",
                "3s",
                "--wait",
                "constant(100ms)",
                // Each VU ends its task before on-stop logs it out, so none is cut short mid
                // request on a busy machine: every VU logs out.
                "--graceful-stop",
                "5s",
                "-q",
                "--json",
                json.to_str().unwrap(),
            ]),
            Duration::from_secs(60),
        )
        .await;
        let stats = target.stats();
        target.stop().await;
        assert_eq!(ran.code, 0, "{scenario}: {}", ran.stderr);
        let summary = read_json(&json);
        assert_eq!(
            count(&summary["aggregated"]["num_failures"]),
            0,
            "{scenario}"
        );
        // The same requests on both sides: 5 logins, profiles, 5 logouts.
        let (login, me, logout) = if scenario == "session-auth" {
            (
                "POST /api/session/login",
                "GET /api/session/me",
                "POST /api/session/logout",
            )
        } else {
            (
                "POST /api/auth/login",
                "GET /api/users/me",
                "POST /api/auth/logout",
            )
        };
        assert_eq!(served(&stats, login), 5, "{scenario}: {stats:?}");
        assert_eq!(served(&stats, logout), 5, "{scenario}: {stats:?}");
        assert_eq!(
            count(&entry(&summary, "GET", "profile")["num_requests"]),
            served(&stats, me)
        );
        files.push(json);
    }
    let compared = run_horde(
        args(&[
            "compare",
            files[0].to_str().unwrap(),
            files[1].to_str().unwrap(),
        ]),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(compared.code, 0, "{}", compared.stderr);
    for name in ["login", "profile", "logout"] {
        assert!(compared.stdout.contains(name), "{}", compared.stdout);
    }
}
