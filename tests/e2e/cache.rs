//! The compiled-component cache: the first load of a scenario compiles and stores it, the
//! next reads it, and `horde cache clean` empties the cache.

use std::process::Command;
use std::time::Duration;

use crate::common::*;

fn horde_with_cache(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_horde"));
    command.env("HORDE_CACHE_DIR", dir);
    command
}

fn cached_files(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_is_compiled_once_and_cache_clean_removes_it() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("components");
    let scenario = guest("weighted");
    let inspect = args(&["inspect", scenario.to_str().unwrap(), "--json"]);

    let first = run_command(
        horde_with_cache(&cache),
        inspect.clone(),
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let files = cached_files(&cache);
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with(".cwasm"), "{files:?}");
    let written = std::fs::metadata(cache.join(&files[0]))
        .unwrap()
        .modified()
        .unwrap();

    let second = run_command(horde_with_cache(&cache), inspect, Duration::from_secs(60)).await;
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(
        first.stdout, second.stdout,
        "the cached scenario describes itself the same"
    );
    assert_eq!(
        std::fs::metadata(cache.join(&files[0]))
            .unwrap()
            .modified()
            .unwrap(),
        written,
        "the second run read the compiled file instead of compiling again"
    );

    let clean = run_command(
        horde_with_cache(&cache),
        args(&["cache", "clean"]),
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert!(
        clean.stdout.starts_with("removed 1 compiled component(s)"),
        "{}",
        clean.stdout
    );
    assert!(cached_files(&cache).is_empty());
}
