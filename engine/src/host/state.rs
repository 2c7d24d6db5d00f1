//! What one VU's store holds, and what all VUs of a run share.

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Method;
use http::uri::{Authority, PathAndQuery, Scheme, Uri};
use rand::SeedableRng;
use rand::rngs::SmallRng;
use tokio_util::sync::CancellationToken;
use wasmtime::StoreLimits;

use crate::data::DataSets;
use crate::http::{ClientSettings, VuClient};
use crate::shared::SharedState;
use crate::stats::StatsHub;

use super::bindings::types::LogLevel;
use super::wasi::WasiSandbox;

/// The `--host` a path such as `/api/orders` is joined to.
#[derive(Debug, Clone)]
pub struct BaseUrl {
    scheme: Scheme,
    authority: Authority,
    /// The base's own path without a trailing slash ("" for `http://h:8080/`).
    prefix: String,
}

impl BaseUrl {
    /// Parses `--host`; the message says what is wrong and what is expected.
    pub fn parse(host: &str) -> Result<Self, String> {
        let uri: Uri = host.parse().map_err(|e| {
            format!("--host {host:?} is not a valid URL ({e}); expected e.g. http://127.0.0.1:8080")
        })?;
        let scheme = uri
            .scheme()
            .cloned()
            .ok_or_else(|| format!("--host {host:?} has no scheme; expected e.g. http://{host}"))?;
        if scheme != Scheme::HTTP && scheme != Scheme::HTTPS {
            return Err(format!(
                "--host {host:?} uses scheme {scheme}; horde speaks http:// and https://"
            ));
        }
        let authority = uri.authority().cloned().ok_or_else(|| {
            format!("--host {host:?} has no host name; expected e.g. http://127.0.0.1:8080")
        })?;
        if uri.query().is_some() {
            return Err(format!(
                "--host {host:?} has a query string; give only scheme, host, port and an optional path"
            ));
        }
        let prefix = uri.path().trim_end_matches('/').to_string();
        Ok(Self {
            scheme,
            authority,
            prefix,
        })
    }

    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// Joins a path (starting with `/`) to the base.
    pub fn join(&self, path: String) -> Result<Uri, String> {
        let path_and_query = if self.prefix.is_empty() {
            PathAndQuery::try_from(path)
        } else {
            PathAndQuery::try_from(format!("{}{}", self.prefix, path))
        }
        .map_err(|e| format!("invalid path: {e}"))?;
        Uri::builder()
            .scheme(self.scheme.clone())
            .authority(self.authority.clone())
            .path_and_query(path_and_query)
            .build()
            .map_err(|e| format!("invalid URL: {e}"))
    }
}

/// Where guest log lines go: stderr, tagged with the VU, filtered by level.
#[derive(Debug, Clone, Copy)]
pub struct LogSink {
    pub min_level: LogLevel,
}

fn level_rank(level: LogLevel) -> u8 {
    match level {
        LogLevel::Trace => 0,
        LogLevel::Debug => 1,
        LogLevel::Info => 2,
        LogLevel::Warn => 3,
        LogLevel::Error => 4,
    }
}

impl LogSink {
    pub fn write(&self, vu_id: u32, level: LogLevel, message: &str) {
        if level_rank(level) < level_rank(self.min_level) {
            return;
        }
        let tag = match level {
            LogLevel::Trace => "TRACE",
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO ",
            LogLevel::Warn => "WARN ",
            LogLevel::Error => "ERROR",
        };
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "[vu {vu_id}] {tag} {message}");
    }
}

/// What every VU of a run shares, read-only on the hot path.
pub struct RunContext {
    pub base: Option<BaseUrl>,
    pub env: HashMap<String, String>,
    pub started: Instant,
    /// Cancelled when the run ends; every VU's own `stop` token is a child of it.
    pub stopping: CancellationToken,
    pub stats: StatsHub,
    pub request_timeout: Duration,
    /// What every VU's HTTP client shares.
    pub http: ClientSettings,
    pub log: LogSink,
    pub seed: u64,
    pub vu_memory: usize,
    /// The `--data` sets, loaded before the run.
    pub data: Arc<DataSets>,
    /// Setup's value, counters and the key/value store.
    pub shared: SharedState,
}

/// Which export a VU is in, which decides what its host calls may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `metadata`: no requests allowed.
    Metadata,
    /// `setup`, on an instance of its own before any VU starts.
    Setup,
    Start,
    Task,
    Stop,
    /// `teardown`, on an instance of its own after the last VU.
    Teardown,
}

impl Phase {
    /// The prefix of the statistics names of this phase's requests, which keeps setup's and
    /// teardown's requests apart from the VUs'.
    pub fn stats_group(self) -> Option<&'static str> {
        match self {
            Phase::Setup => Some("[setup]"),
            Phase::Teardown => Some("[teardown]"),
            _ => None,
        }
    }
}

/// Identifies a recent response for `mark-failed` / `mark-passed`.
pub(super) struct RecentResponse {
    pub id: u64,
    pub method: Method,
    /// Reused between requests to keep the hot path free of allocation.
    pub name: String,
    pub failed: bool,
    /// The error-report message the failure was recorded under.
    pub reason: String,
}

/// How many responses back a verdict can reach.
pub(super) const RECENT_RESPONSES: usize = 8;

/// One VU's store data.
pub struct VuState {
    pub vu_id: u32,
    pub iteration: u64,
    pub phase: Phase,
    pub run: Arc<RunContext>,
    /// The VU's HTTP client. Taken out while a request is in flight on its own task.
    pub client: Option<VuClient>,
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
    /// Reused to build the series key of each check and custom metric sample.
    pub(super) metric_key: String,
    /// Set when a `unique` data read ran out under `--data-exhausted stop`: the VU ends after
    /// the current export instead of going on or restarting.
    pub retire_self: bool,
    pub(super) recent: Vec<RecentResponse>,
    pub(super) next_response_id: u64,
    /// Reused for each request's statistics name (see `host/http.rs`).
    pub(super) name_buf: String,
    /// The capability-less WASI of a scenario that imports it (set by
    /// `ScenarioRuntime::instantiate`); None for scenarios that import only horde's
    /// interfaces, which then pay nothing for it.
    pub(super) wasi: Option<Box<WasiSandbox>>,
}

impl VuState {
    /// Time left before the deadline, if one is set.
    pub fn time_left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
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

    pub fn new(run: Arc<RunContext>, vu_id: u32, iteration: u64, stop: CancellationToken) -> Self {
        let seed = run.seed ^ (u64::from(vu_id)).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ iteration;
        Self {
            vu_id,
            iteration,
            phase: Phase::Metadata,
            client: Some(run.http.client(vu_id)),
            deadline: None,
            timed_out: false,
            stop,
            lag: None,
            metric_key: String::new(),
            retire_self: false,
            rng: SmallRng::seed_from_u64(seed),
            // Sized for the scenario by `ScenarioRuntime::instantiate`.
            limits: StoreLimits::default(),
            run,
            recent: Vec::new(),
            next_response_id: 0,
            name_buf: String::new(),
            wasi: None,
        }
    }
}
