//! `horde new`: a scaffolded project builds with its one documented command (`./build`) and
//! runs against the demo target as it is. Rust (the slowest toolchain) and C are built here;
//! every language's scenario source is the seed 0 the conformance test checks.

use std::process::Command;
use std::time::Duration;

use crate::common::*;

/// Scaffolds `lang` as `name` in `dir`, builds it, and returns the component's path.
async fn scaffold_and_build(dir: &std::path::Path, lang: &str, name: &str) -> std::path::PathBuf {
    let mut new = Command::new(env!("CARGO_BIN_EXE_horde"));
    new.current_dir(dir);
    let made = run_command(
        new,
        args(&["new", "--lang", lang, name]),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(made.code, 0, "{}", made.stderr);
    assert!(made.stdout.contains("./build"), "{}", made.stdout);

    let project = dir.join(name);
    let mut build = Command::new(project.join("build"));
    // Rust: keep the compiled std and dependencies between test runs.
    build.env("CARGO_TARGET_DIR", repo_root().join("target/wasm-new"));
    let built = run_command(build, Vec::new(), Duration::from_secs(900)).await;
    assert_eq!(
        built.code, 0,
        "{lang} project did not build: {}",
        built.stderr
    );
    let component = project.join("target").join(format!("{name}.wasm"));
    assert!(component.exists(), "{} is missing", component.display());
    component
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaffolded_projects_build_and_run_against_the_demo_target() {
    let _alone = crate::common::EXCLUSIVE.lock().await;
    let dir = tempfile::tempdir().unwrap();
    for (lang, name) in [("c", "shop-c"), ("rust", "shop-rust")] {
        let component = scaffold_and_build(dir.path(), lang, name).await;
        let inspected = run_horde(
            args(&["inspect", component.to_str().unwrap(), "--json"]),
            Duration::from_secs(60),
        )
        .await;
        assert_eq!(inspected.code, 0, "{}", inspected.stderr);
        let meta: serde_json::Value = serde_json::from_str(&inspected.stdout).unwrap();
        assert_eq!(meta["name"], name, "the project is named after NAME");

        let target = target().await;
        let ran = run_horde(
            args(&[
                "run",
                component.to_str().unwrap(),
                "--host",
                &target.base_url(),
                "-u",
                "2",
                "--iterations-per-vu",
                "3",
                "--wait",
                "none",
                "-q",
            ]),
            Duration::from_secs(60),
        )
        .await;
        let stats = target.stats();
        target.stop().await;
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert_eq!(
            served_with(&stats, "POST /api/auth/login", 200),
            2,
            "{stats:?}"
        );
        assert_eq!(
            served_with(&stats, "GET /api/users/me", 200)
                + served_with(&stats, "GET /api/orders", 200),
            6,
            "{stats:?}"
        );
    }

    let mut again = Command::new(env!("CARGO_BIN_EXE_horde"));
    again.current_dir(dir.path());
    let refused = run_command(
        again,
        args(&["new", "--lang", "zig", "shop-c"]),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        refused.code, 2,
        "an existing directory is refused: {}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("already exists"),
        "{}",
        refused.stderr
    );
}
