//! Helpers for the end-to-end tests: the built binary, the built guest components, a demo
//! target per test, and running horde with a deadline.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use horde::target::{DemoTarget, TargetConfig, TargetStats};
use serde_json::Value;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("engine/ has a parent")
        .to_path_buf()
}

/// A component built by `scripts/build` from `tests/guests/NAME` or `scripts/NAME`.
pub fn guest(name: &str) -> PathBuf {
    let path = repo_root()
        .join("target/scenarios")
        .join(format!("{name}.wasm"));
    assert!(
        path.exists(),
        "{} is missing: build the guest components first with scripts/build (scripts/test does)",
        path.display()
    );
    path
}

pub async fn target() -> DemoTarget {
    target_with(TargetConfig::default()).await
}

pub async fn target_with(config: TargetConfig) -> DemoTarget {
    DemoTarget::start("127.0.0.1:0".parse().unwrap(), config)
        .await
        .expect("demo target starts")
}

/// What a finished horde process left.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
}

fn horde() -> Command {
    Command::new(env!("CARGO_BIN_EXE_horde"))
}

/// Runs horde with `args`, killing it (and failing the test) after `limit`.
pub async fn run_horde(args: Vec<String>, limit: Duration) -> Ran {
    run_command(horde(), args, limit).await
}

/// Runs `program` (which runs horde itself, like `script`) the same way.
pub async fn run_horde_via(program: &str, args: Vec<String>, limit: Duration) -> Ran {
    run_command(Command::new(program), args, limit).await
}

/// Runs `command` with `args` the same way (for a horde with its own environment).
pub async fn run_command(mut command: Command, args: Vec<String>, limit: Duration) -> Ran {
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let mut child = command
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("horde starts");
        loop {
            if child.try_wait().expect("wait works").is_some() {
                break;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                panic!("{command:?} did not finish within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let Output {
            status,
            stdout,
            stderr,
        } = child.wait_with_output().expect("output is readable");
        Ran {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            took: started.elapsed(),
        }
    })
    .await
    .expect("the runner thread does not panic")
}

pub fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("the summary is JSON")
}

/// Requests the target served for "METHOD /path", all statuses.
pub fn served(stats: &TargetStats, route: &str) -> u64 {
    stats
        .routes
        .get(route)
        .map(|s| s.values().sum())
        .unwrap_or(0)
}

/// Requests the target served for "METHOD /path" with `status`.
pub fn served_with(stats: &TargetStats, route: &str, status: u16) -> u64 {
    stats
        .routes
        .get(route)
        .and_then(|s| s.get(&status))
        .copied()
        .unwrap_or(0)
}

/// The stats entry for (method, name) in a summary.
pub fn entry<'a>(summary: &'a Value, method: &str, name: &str) -> &'a Value {
    summary["stats"]
        .as_array()
        .expect("stats is an array")
        .iter()
        .find(|e| e["method"] == method && e["name"] == name)
        .unwrap_or_else(|| panic!("no stats entry for {method} {name}: {summary:#}"))
}

pub fn count(v: &Value) -> u64 {
    v.as_u64().expect("a count")
}

/// What a `horde run` left: the process and its JSON summary (Null if it wrote none).
pub struct RunResult {
    pub ran: Ran,
    pub summary: Value,
}

/// Runs `horde run GUEST --host TARGET -r 1000 -q --json FILE EXTRA…`, within a minute.
pub async fn run_against(target: &DemoTarget, guest_name: &str, extra: &[&str]) -> RunResult {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("summary.json");
    let mut list = vec![
        "run".to_string(),
        guest(guest_name).to_str().unwrap().to_string(),
        "--host".to_string(),
        target.base_url(),
        "-r".to_string(),
        "1000".to_string(),
        "-q".to_string(),
        "--json".to_string(),
        json.to_str().unwrap().to_string(),
    ];
    list.extend(extra.iter().map(|s| s.to_string()));
    let ran = run_horde(list, Duration::from_secs(60)).await;
    let summary = if json.exists() {
        read_json(&json)
    } else {
        Value::Null
    };
    RunResult { ran, summary }
}

/// What in `summary` breaks `docs/summary.schema.json`; empty when it follows it.
pub fn schema_problems(summary: &Value) -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join("docs/summary.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    validator
        .iter_errors(summary)
        .map(|e| e.to_string())
        .collect()
}

/// Held by the tests that load the machine hard (building projects, many language runtimes)
/// and by those that measure rates and timing, so that none of the latter runs beside one of
/// the former on a 2-core CI machine.
pub static EXCLUSIVE: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
