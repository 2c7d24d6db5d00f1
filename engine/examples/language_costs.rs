//! What a VU costs in each language: the numbers in docs/languages/README.md.
//!
//! You can execute this example with (after scripts/build):
//!
//!     cargo run --example language_costs [SCENARIO.wasm ...]
//!
//! Without arguments it measures every seed-0 build in target/scenarios. For each component:
//! its size; compiling it (no cache) and loading it from the compiled cache; instantiating
//! it (mean of 200, pooling allocator); one `metadata` call (a guest call with no host call);
//! one task with its request against an in-process demo target; resident memory per live VU
//! (200 VUs after `on-start` and a task); and the load one core drives: 50 VUs running tasks
//! without think time on one thread for 3 s, the demo target on another thread, as tasks per
//! second of that thread's CPU time. A benchmark, not a test: numbers vary ±20 % on a VM.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use horde::host::bindings::types::LogLevel;
use horde::host::{BaseUrl, Phase, RunContext, RunSettings, Sandbox, ScenarioRuntime, VuState};
use horde::http::ClientSettings;
use horde::target::{DemoTarget, TargetConfig};
use tokio_util::sync::CancellationToken;

const SEED0: [(&str, &str); 6] = [
    ("Rust", "authenticated-user"),
    ("C", "authenticated-user-c"),
    ("Zig", "authenticated-user-zig"),
    ("JavaScript", "authenticated-user-js"),
    ("Python", "authenticated-user-python"),
    ("Go", "authenticated-user-go"),
];
const LIVE_VUS: u32 = 200;
const LOAD_VUS: u32 = 50;
const LOAD_TIME: Duration = Duration::from_secs(3);
const VU_MEMORY: usize = 64 << 20;

fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn run_context(base: &str) -> Arc<RunContext> {
    RunContext::new(RunSettings {
        base: Some(BaseUrl::parse(base).expect("the target's URL")),
        env: Default::default(),
        request_timeout: Duration::from_secs(5),
        http: ClientSettings::new(horde::http::HttpOptions::default()),
        log_level: LogLevel::Error,
        seed: 1,
        vu_memory: VU_MEMORY,
        data: Arc::new(horde::data::DataSets::default()),
    })
}

async fn load(bytes: &[u8], max_vus: u32, run: &Arc<RunContext>) -> ScenarioRuntime {
    let sandbox = Sandbox {
        max_vus,
        vu_memory: VU_MEMORY,
    };
    ScenarioRuntime::from_bytes(bytes, "scenario", sandbox, run.clone())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn vu(run: &Arc<RunContext>, id: u32) -> VuState {
    VuState::new(run.clone(), id, 0, CancellationToken::new())
}

struct Costs {
    size: u64,
    compile: Duration,
    cached_load: Duration,
    instantiate: Duration,
    metadata_call: Duration,
    task_call: Duration,
    bytes_per_vu: f64,
    tasks_per_core_second: f64,
}

async fn measure(bytes: &[u8], base: &str) -> Costs {
    let run = run_context(base);
    let cache = tempfile::tempdir().expect("a temporary cache");
    // SAFETY (of the environment): set before any other thread of this example reads it.
    unsafe { std::env::set_var("HORDE_CACHE_DIR", cache.path()) };
    let started = Instant::now();
    drop(load(bytes, LIVE_VUS, &run).await);
    let compile = started.elapsed();
    let started = Instant::now();
    let runtime = load(bytes, LIVE_VUS, &run).await;
    let cached_load = started.elapsed();

    let started = Instant::now();
    for i in 0..LIVE_VUS {
        drop(
            runtime
                .instantiate(vu(&run, i + 1))
                .await
                .expect("instantiates"),
        );
    }
    let instantiate = started.elapsed() / LIVE_VUS;

    let (mut store, scenario) = runtime.instantiate(vu(&run, 1)).await.unwrap();
    store
        .data_mut()
        .enter(Phase::Metadata, Duration::from_secs(10));
    scenario.call_metadata(&mut store).await.unwrap();
    let started = Instant::now();
    for _ in 0..100 {
        scenario.call_metadata(&mut store).await.unwrap();
    }
    let metadata_call = started.elapsed() / 100;
    store
        .data_mut()
        .enter(Phase::Start, Duration::from_secs(10));
    scenario.call_on_start(&mut store).await.unwrap().unwrap();
    store.data_mut().enter(Phase::Task, Duration::from_secs(10));
    scenario
        .call_run_task(&mut store, 0)
        .await
        .unwrap()
        .unwrap();
    let started = Instant::now();
    for _ in 0..200 {
        store.data_mut().enter(Phase::Task, Duration::from_secs(10));
        scenario
            .call_run_task(&mut store, 0)
            .await
            .unwrap()
            .unwrap();
    }
    let task_call = started.elapsed() / 200;
    drop((store, scenario));

    let before = resident_bytes();
    let mut live = Vec::new();
    for i in 0..LIVE_VUS {
        let (mut store, scenario) = runtime.instantiate(vu(&run, i + 1)).await.unwrap();
        store
            .data_mut()
            .enter(Phase::Start, Duration::from_secs(10));
        scenario.call_on_start(&mut store).await.unwrap().unwrap();
        store.data_mut().enter(Phase::Task, Duration::from_secs(10));
        scenario
            .call_run_task(&mut store, 1)
            .await
            .unwrap()
            .unwrap();
        live.push((store, scenario));
    }
    let bytes_per_vu = (resident_bytes().saturating_sub(before)) as f64 / f64::from(LIVE_VUS);
    drop(live);
    drop(runtime);

    let tasks_per_core_second = one_core_load(bytes, base).await;
    Costs {
        size: bytes.len() as u64,
        compile,
        cached_load,
        instantiate,
        metadata_call,
        task_call,
        bytes_per_vu,
        tasks_per_core_second,
    }
}

/// Tasks per second of one thread's CPU: LOAD_VUS VUs looping over task 0 on a
/// current-thread runtime (the requests' own tasks run there too).
async fn one_core_load(bytes: &[u8], base: &str) -> f64 {
    let bytes = bytes.to_vec();
    let base = base.to_string();
    tokio::task::spawn_blocking(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let run = run_context(&base);
            let runtime = Arc::new(load(&bytes, LOAD_VUS, &run).await);
            let local = tokio::task::LocalSet::new();
            let deadline = Instant::now() + LOAD_TIME;
            let cpu_before = thread_cpu();
            let done = local
                .run_until(async {
                    let mut handles = Vec::new();
                    for i in 0..LOAD_VUS {
                        let runtime = runtime.clone();
                        let run = run.clone();
                        handles.push(tokio::task::spawn_local(async move {
                            let (mut store, scenario) =
                                runtime.instantiate(vu(&run, i + 1)).await.unwrap();
                            store
                                .data_mut()
                                .enter(Phase::Start, Duration::from_secs(10));
                            scenario.call_on_start(&mut store).await.unwrap().unwrap();
                            let mut tasks = 0u64;
                            while Instant::now() < deadline {
                                store.data_mut().enter(Phase::Task, Duration::from_secs(10));
                                scenario
                                    .call_run_task(&mut store, 0)
                                    .await
                                    .unwrap()
                                    .unwrap();
                                tasks += 1;
                            }
                            tasks
                        }));
                    }
                    let mut total = 0;
                    for h in handles {
                        total += h.await.unwrap();
                    }
                    total
                })
                .await;
            let cpu = thread_cpu() - cpu_before;
            done as f64 / cpu.as_secs_f64()
        })
    })
    .await
    .unwrap()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/scenarios");
    let list: Vec<(String, PathBuf)> = if args.is_empty() {
        SEED0
            .iter()
            .map(|(lang, name)| (lang.to_string(), root.join(format!("{name}.wasm"))))
            .collect()
    } else {
        args.iter()
            .map(|p| (p.display().to_string(), p.clone()))
            .collect()
    };
    let target = DemoTarget::start("127.0.0.1:0".parse().unwrap(), TargetConfig::default())
        .await
        .expect("the demo target starts");
    println!(
        "| language | component | compile (no cache) | load from cache | instantiate | metadata call | task call (1 request) | memory per idle VU | tasks/s on one core |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (lang, path) in list {
        let bytes = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/build first)", path.display()));
        let c = measure(&bytes, &target.base_url()).await;
        println!(
            "| {lang} | {:.2} MB | {:.0} ms | {:.1} ms | {:.0} µs | {:.1} µs | {:.0} µs | {:.0} KiB | {:.0} |",
            c.size as f64 / 1e6,
            c.compile.as_secs_f64() * 1e3,
            c.cached_load.as_secs_f64() * 1e3,
            c.instantiate.as_secs_f64() * 1e6,
            c.metadata_call.as_secs_f64() * 1e6,
            c.task_call.as_secs_f64() * 1e6,
            c.bytes_per_vu / 1024.0,
            c.tasks_per_core_second,
        );
    }
    target.stop().await;
}
