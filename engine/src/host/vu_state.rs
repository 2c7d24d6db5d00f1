//! What one VU's store holds: its identity and the facts of the export it is in, composed with
//! one state per interface; and the views each interface is given of it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::SmallRng;
use tokio_util::sync::CancellationToken;
use wasmtime::StoreLimits;
use wasmtime::component::Linker;
use wasmtime_wasi::{WasiCtxView, WasiView};

use super::context::{self, ContextView};
use super::data::{self, DataView};
use super::http::{self, HttpState, HttpView};
use super::metrics::{self, MetricsState, MetricsView};
use super::phase::Phase;
use super::run_context::RunContext;
use super::shared::{self, SharedView};
use super::wasi::WasiSandbox;

/// One VU's store data.
pub struct VuState {
    pub vu_id: u32,
    pub iteration: u64,
    pub phase: Phase,
    pub run: Arc<RunContext>,
    pub rng: SmallRng,
    pub limits: StoreLimits,
    /// When the current export must have returned (`--task-timeout`, `--stop-timeout`). The
    /// epoch callback interrupts a guest past it; `send` and `sleep` never wait beyond it.
    pub deadline: Option<Instant>,
    /// Set when the epoch callback interrupted the guest for passing `deadline`.
    pub timed_out: bool,
    /// Cancelled when this VU must stop at once (the run's end, or a ramp-down's graceful
    /// period running out): sends and sleeps in tasks return, a computing guest is interrupted.
    pub stop: CancellationToken,
    /// In scheduled runs (an arrival rate, or pacing), how late the current iteration started
    /// against its schedule; every request of the iteration is also timed from its intended
    /// start. None in unscheduled runs and outside tasks.
    pub lag: Option<Duration>,
    /// Set when a `unique` data read ran out under `--data-exhausted stop`: the VU ends after
    /// the current export instead of going on or restarting.
    pub retire_self: bool,
    http: HttpState,
    metrics: MetricsState,
    /// The capability-less WASI of a scenario that imports it (set by
    /// `ScenarioRuntime::instantiate`); None for scenarios that import only horde's
    /// interfaces, which then pay nothing for it.
    pub(super) wasi: Option<Box<WasiSandbox>>,
}

impl VuState {
    pub fn new(run: Arc<RunContext>, vu_id: u32, iteration: u64, stop: CancellationToken) -> Self {
        let seed = run.seed ^ (u64::from(vu_id)).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ iteration;
        Self {
            vu_id,
            iteration,
            phase: Phase::Metadata,
            http: HttpState::new(run.http.client(vu_id)),
            metrics: MetricsState::default(),
            deadline: None,
            timed_out: false,
            stop,
            lag: None,
            retire_self: false,
            rng: SmallRng::seed_from_u64(seed),
            // Sized for the scenario by `ScenarioRuntime::instantiate`.
            limits: StoreLimits::default(),
            run,
            wasi: None,
        }
    }

    /// Enters an export: sets the phase and the deadline it must return by.
    pub fn enter(&mut self, phase: Phase, limit: Duration) {
        self.enter_at(phase, limit, Instant::now());
    }

    /// `enter`, for a caller that has just read the clock.
    pub fn enter_at(&mut self, phase: Phase, limit: Duration, now: Instant) {
        self.phase = phase;
        self.deadline = Some(now + limit);
        self.timed_out = false;
        self.lag = None;
    }

    /// Links horde's interfaces, each on its own view of the VU.
    pub(super) fn add_to_linker(linker: &mut Linker<Self>) -> wasmtime::Result<()> {
        context::add_to_linker(linker, Self::context_view)?;
        http::add_to_linker(linker, Self::http_view)?;
        metrics::add_to_linker(linker, Self::metrics_view)?;
        data::add_to_linker(linker, Self::data_view)?;
        shared::add_to_linker(linker, Self::shared_view)
    }

    fn http_view(&mut self) -> HttpView<'_> {
        HttpView {
            state: &mut self.http,
            run: &self.run,
            vu_id: self.vu_id,
            phase: self.phase,
            deadline: self.deadline,
            lag: self.lag,
            stop: &self.stop,
            timed_out: &mut self.timed_out,
        }
    }

    fn metrics_view(&mut self) -> MetricsView<'_> {
        MetricsView {
            state: &mut self.metrics,
            run: &self.run,
            phase: self.phase,
        }
    }

    fn context_view(&mut self) -> ContextView<'_> {
        ContextView {
            run: &self.run,
            vu_id: self.vu_id,
            iteration: self.iteration,
            phase: self.phase,
            deadline: self.deadline,
            stop: &self.stop,
            rng: &mut self.rng,
        }
    }

    fn data_view(&mut self) -> DataView<'_> {
        DataView {
            run: &self.run,
            vu_id: self.vu_id,
            rng: &mut self.rng,
            retire_self: &mut self.retire_self,
        }
    }

    fn shared_view(&mut self) -> SharedView<'_> {
        SharedView {
            shared: &self.run.shared,
        }
    }
}

impl WasiView for VuState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        // The engine creates the sandbox for every VU of a scenario that imports WASI (see
        // `ScenarioRuntime::instantiate`), and only such a scenario can call these functions.
        self.wasi
            .as_deref_mut()
            .expect("a VU whose scenario imports WASI has a WASI sandbox")
            .view()
    }
}
