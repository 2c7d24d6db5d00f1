//! Running a test: load the scenario, check the target, run `setup`, start VUs as the load
//! model says, collect statistics each second, stop on time or on a signal, run `teardown`,
//! and build the summary.

mod closed;
mod collector;
mod crew;
mod open;
mod setup;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio_util::sync::CancellationToken;

use crate::data::DataSets;
use crate::host::bindings::types::LogLevel;
use crate::host::{BaseUrl, RunContext, RunSettings, Sandbox, ScenarioError, ScenarioRuntime};
use crate::http::ClientSettings;
use crate::scenario::{ScenarioMeta, TaskPicker, ThinkTime};
use crate::stats::{RunInfo, Summary};
use crate::thresholds::{Measures, Threshold, VusView, evaluate};
use crate::vu::{Iterations, UserGauge, VuPlan};

pub use closed::{ClosedModel, IterationLimit, Stage, stage_target};
pub use open::{ArrivalSchedule, OpenModel, RateStage};

/// How load arrives: VUs looping over their tasks (closed), or iterations started at a rate
/// (open).
#[derive(Debug, Clone)]
pub enum LoadModel {
    Closed(ClosedModel),
    Open(OpenModel),
}

impl LoadModel {
    /// The most VUs alive at once, to size the sandbox.
    pub fn max_vus(&self) -> u32 {
        match self {
            LoadModel::Closed(m) => m.max_vus(),
            LoadModel::Open(m) => m.max_vus,
        }
    }

    /// The most VUs asked for, shown beside the live count.
    pub fn max_vus_asked(&self) -> u32 {
        match self {
            LoadModel::Closed(m) => m.max_vus_asked(),
            LoadModel::Open(m) => m.max_vus,
        }
    }

    /// How long the run is planned to last, if it has an end in time.
    pub fn planned_duration(&self) -> Option<Duration> {
        match self {
            LoadModel::Closed(m) => m.planned_duration(),
            LoadModel::Open(m) => m.schedule.duration(),
        }
    }

    /// The model in a few words, for the summary.
    pub fn describe(&self) -> String {
        let time = |d: Option<Duration>| match d {
            Some(d) => format!(" for {}s", (d.as_secs_f64() * 1000.0).round() / 1000.0),
            None => String::new(),
        };
        match self {
            LoadModel::Closed(m) => match &m.stages {
                Some(stages) => format!(
                    "closed: {} stages up to {} users{}",
                    stages.len(),
                    m.max_vus_asked(),
                    time(m.planned_duration())
                ),
                None => format!("closed: {} users{}", m.users, time(m.run_time)),
            },
            LoadModel::Open(m) => {
                let s = &m.schedule;
                let rates = if s.stages.iter().all(|st| st.target == s.start_rate) {
                    format!("{}/s", s.start_rate)
                } else {
                    format!("{} rate stages up to {}/s", s.stages.len(), s.peak_rate())
                };
                format!(
                    "open: {rates}{}, {} to {} VUs",
                    time(s.duration()),
                    m.pre_vus.min(m.max_vus),
                    m.max_vus
                )
            }
        }
    }

    async fn drive(
        &self,
        runtime: Arc<ScenarioRuntime>,
        run: Arc<RunContext>,
        plan: Arc<VuPlan>,
        gauge: Arc<UserGauge>,
        signals: &StopSignals,
    ) -> bool {
        match self {
            LoadModel::Closed(m) => m.drive(runtime, run, plan, gauge, signals).await,
            LoadModel::Open(m) => m.drive(runtime, run, plan, gauge, signals).await,
        }
    }

    fn iterations(&self) -> Option<IterationLimit> {
        match self {
            LoadModel::Closed(m) => m.iterations,
            LoadModel::Open(_) => None,
        }
    }
}

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

/// Everything a run needs, validated by the CLI.
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
    pub quiet: bool,
    /// Speak HTTP/2 to plain http:// targets (h2c); https negotiates it by ALPN.
    pub http2: bool,
    /// Local addresses to connect from, spread over the VUs.
    pub local_addrs: Vec<std::net::IpAddr>,
    /// Certificate authorities trusted besides the public roots (`--ca-cert`).
    pub ca_certs: Vec<rustls::pki_types::CertificateDer<'static>>,
    /// `--threshold`s; the scenario's own are added to them.
    pub thresholds: Vec<Threshold>,
    /// The `--data` sets, loaded and checked before anything runs.
    pub data: Arc<DataSets>,
    /// The time `setup` and `teardown` each get.
    pub setup_timeout: Duration,
}

/// How a run can be stopped early: the first signal stops gracefully, the second at once.
#[derive(Clone, Default)]
pub struct StopSignals {
    pub graceful: CancellationToken,
    pub immediate: CancellationToken,
}

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("cannot reach the target {host}: {reason}; is it running, and is --host right?")]
    Unreachable { host: String, reason: String },
    #[error("{0}; no VU was started")]
    Setup(String),
}

/// The result of a run.
pub struct RunOutcome {
    pub meta: ScenarioMeta,
    pub summary: Summary,
    pub interrupted: bool,
}

/// A run context for describing a scenario (`metadata`) outside any run.
pub fn describe_context(vu_memory: usize) -> Arc<RunContext> {
    RunContext::for_describing(vu_memory)
}

/// Opens (and closes) one TCP connection to the target, so that a wrong `--host` fails in a
/// second with one clear line instead of a run full of connection errors.
async fn check_reachable(base: &BaseUrl, shown: &str) -> Result<(), RunError> {
    let port =
        base.authority()
            .port_u16()
            .unwrap_or(if base.scheme() == &http::uri::Scheme::HTTPS {
                443
            } else {
                80
            });
    let host = base
        .authority()
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let unreachable = |reason: String| RunError::Unreachable {
        host: shown.to_string(),
        reason,
    };
    let connect = tokio::net::TcpStream::connect((host, port));
    match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(unreachable(e.to_string())),
        Err(_) => Err(unreachable("no answer within 5 s".into())),
    }
}

/// Runs a test from start to summary.
pub async fn execute(plan: RunPlan, signals: StopSignals) -> Result<RunOutcome, RunError> {
    let run = RunContext::new(RunSettings {
        base: plan.host.clone(),
        env: plan.env.clone(),
        request_timeout: plan.request_timeout,
        http: ClientSettings::new(plan.http2, plan.local_addrs.clone(), &plan.ca_certs),
        log_level: plan.log_level,
        seed: plan.seed,
        vu_memory: plan.vu_memory,
        data: plan.data.clone(),
    });
    let sandbox = Sandbox {
        max_vus: plan.model.max_vus(),
        vu_memory: plan.vu_memory,
    };
    let runtime = Arc::new(
        plan.scenario
            .load(sandbox, describe_context(plan.vu_memory))
            .await?,
    );
    if let (Some(base), Some(shown)) = (&plan.host, &plan.host_text) {
        check_reachable(base, shown).await?;
    }
    let meta = runtime.meta.clone();
    let vu_plan = Arc::new(VuPlan {
        think_time: plan.think_override.unwrap_or(meta.think_time),
        task_timeout: plan.task_timeout,
        stop_timeout: plan.stop_timeout,
        picker: TaskPicker::new(&meta.tasks),
        task_names: meta.tasks.iter().map(|t| t.name.clone()).collect(),
        iterations: plan.model.iterations().map(|limit| match limit {
            IterationLimit::Shared(n) => Iterations::Shared(AtomicU64::new(n)),
            IterationLimit::PerVu(n) => Iterations::PerVu(n),
        }),
    });
    let gauge = Arc::new(UserGauge::default());
    let started_at_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let started = Instant::now();

    let mut thresholds = plan.thresholds.clone();
    for text in &meta.thresholds {
        // Checked when the metadata was read.
        thresholds.push(
            crate::thresholds::parse(text).map_err(|e| ScenarioError::Invalid {
                path: plan.scenario.display(),
                reason: e.to_string(),
            })?,
        );
    }
    let abort = collector::AbortWatch {
        thresholds: thresholds
            .iter()
            .filter(|t| t.abort_on_fail)
            .cloned()
            .collect(),
        stop: signals.graceful.clone(),
    };
    let collector_done = CancellationToken::new();
    let collector = tokio::spawn(collector::collect(
        run.clone(),
        gauge.clone(),
        plan.model.clone(),
        started,
        plan.quiet,
        abort,
        collector_done.clone(),
    ));

    let interrupted = match setup::run_setup(&runtime, &run, plan.setup_timeout, &signals).await {
        Ok(setup::SetupEnd::Done) => {
            let interrupted = plan
                .model
                .drive(
                    runtime.clone(),
                    run.clone(),
                    vu_plan,
                    gauge.clone(),
                    &signals,
                )
                .await;
            // Also after an interrupted run: what setup created is cleaned up either way.
            setup::run_teardown(&runtime, &run, plan.setup_timeout, &signals).await;
            interrupted
        }
        Ok(setup::SetupEnd::Interrupted) => true,
        Err(why) => {
            collector_done.cancel();
            let _ = collector.await;
            return Err(RunError::Setup(why));
        }
    };

    collector_done.cancel();
    let collector::Collected {
        totals,
        series,
        aborted_by,
    } = collector.await.expect("the collector does not panic");
    let duration_s = started.elapsed().as_secs_f64();
    let rows = series.into_rows();
    let users = rows.iter().map(|r| f64::from(r.users));
    let measures = Measures {
        totals: &totals,
        duration_s,
        vus: VusView {
            value: rows.last().map_or(0.0, |r| f64::from(r.users)),
            min: users.clone().reduce(f64::min).unwrap_or(0.0),
            max: users.fold(f64::from(gauge.peak.load(Ordering::Relaxed)), f64::max),
        },
    };
    let verdicts = thresholds
        .iter()
        .map(|t| {
            let mut verdict = evaluate(t, &measures);
            verdict.aborted_run = aborted_by.as_deref() == Some(t.source.as_str());
            verdict
        })
        .collect();
    let info = RunInfo {
        scenario: meta.name.clone(),
        scenario_file: plan.scenario.display(),
        host: plan.host_text.clone(),
        started_at_unix_ms,
        duration_s,
        load_model: plan.model.describe(),
        target_users: plan.model.max_vus_asked(),
        peak_users: gauge.peak.load(Ordering::Relaxed),
        interrupted,
        aborted_by,
        seed: plan.seed,
    };
    Ok(RunOutcome {
        summary: Summary::build(info, &totals, rows, verdicts),
        meta,
        interrupted,
    })
}
