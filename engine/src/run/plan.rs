//! What a run is asked to do, validated before it starts: the scenario, the target, the load
//! model and every setting the VUs follow. The CLI builds it from flags (`cli/plan.rs`); a
//! dashboard or a shard coordinator builds the same thing.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::data::DataSets;
use crate::host::bindings::types::LogLevel;
use crate::host::{BaseUrl, RunContext, Sandbox, ScenarioError, ScenarioRuntime};
use crate::load::LoadModel;
use crate::scenario::ThinkTime;
use crate::thresholds::Threshold;

/// Where the scenario comes from.
#[derive(Debug, Clone)]
pub enum ScenarioSource {
    File(PathBuf),
    /// A scenario built into the binary (the demo's), with a name for messages.
    Embedded {
        name: String,
        bytes: &'static [u8],
    },
}

impl ScenarioSource {
    pub fn display(&self) -> String {
        match self {
            ScenarioSource::File(path) => path.display().to_string(),
            ScenarioSource::Embedded { name, .. } => name.clone(),
        }
    }

    /// Compiles the scenario in a sandbox sized for `max_vus` and reads its metadata.
    pub async fn load(
        &self,
        sandbox: Sandbox,
        describe: Arc<RunContext>,
    ) -> Result<ScenarioRuntime, ScenarioError> {
        match self {
            ScenarioSource::File(path) => ScenarioRuntime::load(path, sandbox, describe).await,
            ScenarioSource::Embedded { name, bytes } => {
                ScenarioRuntime::from_bytes(bytes, name, sandbox, describe).await
            }
        }
    }
}

/// Everything a run needs, validated before it starts.
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub scenario: ScenarioSource,
    pub host: Option<BaseUrl>,
    pub host_text: Option<String>,
    pub model: LoadModel,
    pub env: HashMap<String, String>,
    pub think_override: Option<ThinkTime>,
    pub task_timeout: Duration,
    pub stop_timeout: Duration,
    pub request_timeout: Duration,
    pub seed: u64,
    pub vu_memory: usize,
    pub log_level: LogLevel,
    /// Every VU's HTTP: versions, TLS, proxy, redirects, compression, limits.
    pub http: crate::http::HttpOptions,
    /// `--threshold`s; the scenario's own are added to them.
    pub thresholds: Vec<Threshold>,
    /// The `--data` sets, loaded and checked before anything runs.
    pub data: Arc<DataSets>,
    /// The time `setup` and `teardown` each get.
    pub setup_timeout: Duration,
}
