//! Loading a scenario: the sandboxed wasmtime engine, the checks that turn a wrong file into a
//! one-line explanation, and per-VU instantiation.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use wasmtime::component::Linker;
use wasmtime::component::types::ComponentItem;
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store, StoreLimitsBuilder,
    UpdateDeadline,
};

use super::bindings::{Scenario, ScenarioPre};
use super::cache;
use super::footprint::Footprint;
use super::phase::Phase;
use super::run_context::RunContext;
use super::vu_state::VuState;
use super::wasi::{self, WasiSandbox};
use crate::scenario::ScenarioMeta;

/// The WIT package this engine implements.
pub const WIT_PACKAGE: &str = "horde:scenario";
/// Its version; a scenario built for another is refused with both versions named.
pub const WIT_VERSION: &str = "0.2.0";

/// The exports of the `scenario` world.
const EXPORTS: [&str; 6] = [
    "metadata", "setup", "teardown", "on-start", "run-task", "on-stop",
];

/// How often the epoch ticks: a guest computing without host calls yields to other VUs at
/// least this often, and a stopping run interrupts it within this time.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Resource limits of the sandbox.
#[derive(Debug, Clone, Copy)]
pub struct Sandbox {
    /// The most VUs alive at once; sizes the pooling allocator.
    pub max_vus: u32,
    /// Linear memory one VU may use, in bytes.
    pub vu_memory: usize,
}

/// Why a file cannot be run as a scenario. Each message names the problem and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a WebAssembly component (it does not start with the Wasm magic bytes); pass a .wasm file built by scripts/build or `cargo build --target wasm32-unknown-unknown` + `wasm-tools component new`"
    )]
    NotWasm { path: String },
    #[error(
        "{path} is a core WebAssembly module, not a component; turn it into one with `wasm-tools component new {path} -o scenario.wasm` (scripts/build does this)"
    )]
    CoreModule { path: String },
    #[error("{path} is not a valid WebAssembly component: {reason}")]
    Invalid { path: String, reason: String },
    #[error(
        "{path} was built for {found}, but this horde implements {WIT_PACKAGE}@{WIT_VERSION}; rebuild it with an SDK for {WIT_PACKAGE}@{WIT_VERSION}"
    )]
    Version { path: String, found: String },
    #[error(
        "{path} imports `{import}`, which horde does not provide: a scenario may import only the {WIT_PACKAGE}@{WIT_VERSION} interfaces and the sandboxed WASI 0.2 ones in docs/sandbox.md (build it for the world {WIT_PACKAGE}/scenario)"
    )]
    ForeignImport { path: String, import: String },
    #[error(
        "{path} does not export `{export}`, so it is not a horde scenario: the world {WIT_PACKAGE}/scenario@{WIT_VERSION} exports metadata, setup, teardown, on-start, run-task and on-stop (use the horde-sdk `scenario!` macro)"
    )]
    MissingExport { path: String, export: String },
    #[error("{path} does not match the world {WIT_PACKAGE}/scenario@{WIT_VERSION}: {reason}")]
    WrongWorld { path: String, reason: String },
    #[error("{path}: its metadata is invalid: {reason}")]
    Metadata { path: String, reason: String },
    #[error("{path} failed while describing itself (metadata): {reason}")]
    MetadataTrap { path: String, reason: String },
}

/// A compiled scenario ready to instantiate VUs, with its metadata.
pub struct ScenarioRuntime {
    engine: Engine,
    pre: ScenarioPre<VuState>,
    /// What one instance needs from the pool and the store limiter.
    footprint: Footprint,
    /// Whether the scenario imports WASI, so each VU needs a [`WasiSandbox`].
    wasi: bool,
    pub meta: ScenarioMeta,
    ticker_stop: Arc<AtomicBool>,
}

impl Drop for ScenarioRuntime {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

fn wasmtime_config(sandbox: &Sandbox, footprint: &Footprint) -> Config {
    let slots = sandbox.max_vus.saturating_add(4);
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(slots)
        .total_core_instances(slots.saturating_mul(footprint.core_instances))
        .total_memories(slots.saturating_mul(footprint.memories))
        .total_tables(slots.saturating_mul(footprint.tables))
        .total_stacks(slots)
        .max_memory_size(sandbox.vu_memory);
    let mut config = Config::new();
    config
        .epoch_interruption(true)
        .wasm_component_model(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
        // Reserve only what a VU may use (not 4 GiB + guard per memory), so that tens of
        // thousands of VUs fit in the address space; wasmtime adds bounds checks instead.
        .memory_reservation(sandbox.vu_memory as u64)
        .memory_reservation_for_growth(0)
        .memory_guard_size(64 * 1024)
        .async_stack_size(1024 * 1024)
        .max_wasm_stack(512 * 1024);
    config
}

/// Finds the `@version` of a `horde:scenario/...` import name.
fn horde_version(import: &str) -> Option<&str> {
    let rest = import.strip_prefix(WIT_PACKAGE)?.strip_prefix('/')?;
    Some(rest.split_once('@').map(|(_, v)| v).unwrap_or(""))
}

impl ScenarioRuntime {
    /// Reads, checks and compiles a scenario file, then asks it for its metadata.
    pub async fn load(
        path: &Path,
        sandbox: Sandbox,
        describe: Arc<RunContext>,
    ) -> Result<Self, ScenarioError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| ScenarioError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::from_bytes(&bytes, &shown, sandbox, describe).await
    }

    /// Like [`Self::load`], from bytes; `path` only names the scenario in messages.
    pub async fn from_bytes(
        bytes: &[u8],
        path: &str,
        sandbox: Sandbox,
        describe: Arc<RunContext>,
    ) -> Result<Self, ScenarioError> {
        let path = path.to_string();
        if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
            return Err(ScenarioError::NotWasm { path });
        }
        // Bytes 4..8: version 1 layer 0 is a core module; components are layer 1.
        if bytes[4..8] == [1, 0, 0, 0] {
            return Err(ScenarioError::CoreModule { path });
        }
        let footprint = Footprint::of(bytes).map_err(|reason| ScenarioError::Invalid {
            path: path.clone(),
            reason,
        })?;
        let engine = Engine::new(&wasmtime_config(&sandbox, &footprint)).map_err(|e| {
            ScenarioError::Invalid {
                path: path.clone(),
                reason: format!("{e:#}"),
            }
        })?;
        let component = cache::load_or_compile(&engine, bytes, cache::cache_dir().as_deref())
            .map_err(|e| ScenarioError::Invalid {
                path: path.clone(),
                reason: format!("{e:#}"),
            })?;

        let ty = component.component_type();
        let mut imports_wasi = false;
        for (name, _) in ty.imports(&engine) {
            match horde_version(name) {
                Some(v) if v == WIT_VERSION => {}
                None if wasi::is_linked_wasi(name) => imports_wasi = true,
                Some(v) => {
                    return Err(ScenarioError::Version {
                        path,
                        found: if v.is_empty() {
                            format!("an unversioned {WIT_PACKAGE}")
                        } else {
                            format!("{WIT_PACKAGE}@{v}")
                        },
                    });
                }
                None => {
                    return Err(ScenarioError::ForeignImport {
                        path,
                        import: name.to_string(),
                    });
                }
            }
        }
        let exports: Vec<(String, bool)> = ty
            .exports(&engine)
            .map(|(name, item)| {
                (
                    name.to_string(),
                    matches!(item.ty, ComponentItem::ComponentFunc(_)),
                )
            })
            .collect();
        for export in EXPORTS {
            if !exports
                .iter()
                .any(|(name, is_func)| name == export && *is_func)
            {
                return Err(ScenarioError::MissingExport {
                    path,
                    export: export.to_string(),
                });
            }
        }

        let mut linker: Linker<VuState> = Linker::new(&engine);
        VuState::add_to_linker(&mut linker).map_err(|e| ScenarioError::Invalid {
            path: path.clone(),
            reason: format!("{e:#}"),
        })?;
        if imports_wasi {
            wasi::add_to_linker(&mut linker).map_err(|e| ScenarioError::Invalid {
                path: path.clone(),
                reason: format!("{e:#}"),
            })?;
        }
        let instance_pre =
            linker
                .instantiate_pre(&component)
                .map_err(|e| ScenarioError::WrongWorld {
                    path: path.clone(),
                    reason: format!("{e:#}"),
                })?;
        let pre = ScenarioPre::new(instance_pre).map_err(|e| ScenarioError::WrongWorld {
            path: path.clone(),
            reason: format!("{e:#}"),
        })?;

        let ticker_stop = Arc::new(AtomicBool::new(false));
        {
            let engine = engine.clone();
            let stop = ticker_stop.clone();
            std::thread::Builder::new()
                .name("horde-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                })
                .map_err(|e| ScenarioError::Invalid {
                    path: path.clone(),
                    reason: format!("cannot start the epoch thread: {e}"),
                })?;
        }

        let mut runtime = Self {
            engine,
            pre,
            footprint,
            wasi: imports_wasi,
            meta: ScenarioMeta {
                name: String::new(),
                description: String::new(),
                sdk: String::new(),
                wit: String::new(),
                tasks: Vec::new(),
                think_time: crate::scenario::ThinkTime::None,
                thresholds: Vec::new(),
            },
            ticker_stop,
        };
        let wit = format!("{WIT_PACKAGE}@{WIT_VERSION}");
        let (mut store, scenario) = runtime
            .instantiate(VuState::new(describe, 0, 0, CancellationToken::new()))
            .await
            .map_err(|e| ScenarioError::MetadataTrap {
                path: path.clone(),
                reason: trap_message(&e),
            })?;
        store.data_mut().phase = Phase::Metadata;
        let info =
            tokio::time::timeout(Duration::from_secs(10), scenario.call_metadata(&mut store))
                .await
                .map_err(|_| ScenarioError::MetadataTrap {
                    path: path.clone(),
                    reason: "it did not return within 10 s".into(),
                })?
                .map_err(|e| ScenarioError::MetadataTrap {
                    path: path.clone(),
                    reason: trap_message(&e),
                })?;
        runtime.meta = super::metadata::scenario_meta(info, &wit).map_err(|reason| {
            ScenarioError::Metadata {
                path: path.clone(),
                reason,
            }
        })?;
        Ok(runtime)
    }

    /// A fresh instance for one VU, in its own store with the sandbox's limits.
    pub async fn instantiate(
        &self,
        mut state: VuState,
    ) -> wasmtime::Result<(Store<VuState>, Scenario)> {
        state.limits = StoreLimitsBuilder::new()
            .memory_size(state.run.vu_memory)
            .instances(self.footprint.core_instances as usize + 4)
            .memories(self.footprint.memories as usize)
            .tables(self.footprint.tables as usize)
            .trap_on_grow_failure(true)
            .build();
        if self.wasi {
            // Seeded from the VU's own generator, so WASI's random numbers follow `--seed`
            // like `context.random-u64`.
            let seed = rand::RngCore::next_u64(&mut state.rng.clone());
            state.wasi = Some(Box::new(WasiSandbox::new(
                state.vu_id,
                seed,
                state.run.started(),
                state.run.log,
            )));
        }
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        store.set_epoch_deadline(1);
        // Runs at most once per epoch tick while guest code executes: interrupt a guest
        // that passed its deadline or whose run is stopping, else let other VUs run.
        store.epoch_deadline_callback(|mut ctx| {
            let state = ctx.data_mut();
            let stopping = state.stop.is_cancelled();
            if stopping && !matches!(state.phase, Phase::Stop | Phase::Metadata) {
                return Ok(UpdateDeadline::Interrupt);
            }
            if state
                .deadline
                .is_some_and(|d| std::time::Instant::now() >= d)
            {
                state.timed_out = true;
                return Ok(UpdateDeadline::Interrupt);
            }
            Ok(UpdateDeadline::Yield(1))
        });
        let scenario = self.pre.instantiate_async(&mut store).await?;
        Ok((store, scenario))
    }
}

/// A one-line description of a trap or host failure: the trap code when there is one, else
/// the outermost message (wasm backtraces stay out of the error report).
pub fn trap_message(error: &wasmtime::Error) -> String {
    if let Some(trap) = error.downcast_ref::<wasmtime::Trap>() {
        return format!("trap: {trap}");
    }
    let text = format!("{error}");
    text.lines().next().unwrap_or("unknown error").to_string()
}
