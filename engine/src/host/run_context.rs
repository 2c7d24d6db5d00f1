//! What every VU of a run shares, read-only on the hot path, and the one place it is built.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::base_url::BaseUrl;
use super::bindings::types::LogLevel;
use super::log::LogSink;
use crate::data::DataSets;
use crate::http::ClientSettings;
use crate::shared::SharedState;
use crate::stats::StatsHub;

/// What a run is configured with; the rest of a [`RunContext`] (its clock, stop token,
/// statistics and shared state) starts fresh with the run.
pub struct RunSettings {
    /// `--host`, which relative request paths are joined to.
    pub base: Option<BaseUrl>,
    /// What `context.env` answers.
    pub env: HashMap<String, String>,
    /// A request's timeout when the guest gives none.
    pub request_timeout: Duration,
    /// What every VU's HTTP client shares.
    pub http: ClientSettings,
    /// The least severe guest log line that is written.
    pub log_level: LogLevel,
    pub seed: u64,
    /// Linear memory one VU may use, in bytes.
    pub vu_memory: usize,
    /// The `--data` sets, loaded before the run.
    pub data: Arc<DataSets>,
}

/// What every VU of a run shares, read-only on the hot path. Built by [`RunContext::new`]
/// (or [`RunContext::for_describing`]); the fields only the host interfaces read stay inside
/// `host`.
pub struct RunContext {
    pub(super) base: Option<BaseUrl>,
    pub(super) env: HashMap<String, String>,
    pub(super) started: Instant,
    /// Cancelled when the run ends; every VU's own `stop` token is a child of it.
    pub stopping: CancellationToken,
    pub stats: StatsHub,
    pub(super) request_timeout: Duration,
    /// What every VU's HTTP client shares.
    pub(super) http: ClientSettings,
    pub(super) log: LogSink,
    pub seed: u64,
    pub(super) vu_memory: usize,
    /// The `--data` sets, loaded before the run.
    pub(super) data: Arc<DataSets>,
    /// Setup's value, counters and the key/value store.
    pub shared: SharedState,
}

impl RunContext {
    /// A run's context, its clock starting now.
    pub fn new(settings: RunSettings) -> Arc<Self> {
        let RunSettings {
            base,
            env,
            request_timeout,
            http,
            log_level,
            seed,
            vu_memory,
            data,
        } = settings;
        Arc::new(Self {
            base,
            env,
            started: Instant::now(),
            stopping: CancellationToken::new(),
            stats: StatsHub::new(),
            request_timeout,
            http,
            log: LogSink {
                min_level: log_level,
            },
            seed,
            vu_memory,
            data,
            shared: SharedState::default(),
        })
    }

    /// The context of an instance that only describes its scenario (`metadata`), outside any
    /// run: no target, no data, no environment; the scenario cannot send from there anyway.
    pub fn for_describing(vu_memory: usize) -> Arc<Self> {
        Self::new(RunSettings {
            base: None,
            env: HashMap::new(),
            request_timeout: Duration::from_secs(1),
            http: ClientSettings::new(crate::http::HttpOptions::default()),
            log_level: LogLevel::Warn,
            seed: 0,
            vu_memory,
            data: Arc::new(DataSets::default()),
        })
    }

    /// When the run started, which `context.elapsed-us` and gauges count from.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// The run's data sets (the load model asks whether a `unique` one ran out).
    pub fn data(&self) -> &DataSets {
        &self.data
    }
}
