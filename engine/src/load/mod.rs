//! Applying load: the load models (closed: users or stages; open: an arrival rate) start,
//! steer and retire the VUs of a run, and `setup`/`teardown` run around them. The run API
//! (`crate::run`) drives this module; it prints nothing.

mod closed;
mod crew;
mod open;
mod setup;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::host::{RunContext, ScenarioRuntime};
use crate::vu::{UserGauge, VuPlan};

pub use closed::{ClosedModel, IterationLimit, Stage, stage_target};
pub use open::{ArrivalSchedule, OpenModel, RateStage};
pub use setup::{SetupEnd, run_setup, run_teardown};

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

    /// Runs the model until its end, a stop, or the end of its iterations; returns true when
    /// a stop ended it before its time. `changes` carries the load changes asked while it
    /// runs (`RunControl::set_users`, `set_rate`), already checked against the model.
    pub async fn drive(
        &self,
        runtime: Arc<ScenarioRuntime>,
        run: Arc<RunContext>,
        plan: Arc<VuPlan>,
        gauge: Arc<UserGauge>,
        signals: &StopSignals,
        changes: watch::Receiver<Option<LoadChange>>,
    ) -> bool {
        match self {
            LoadModel::Closed(m) => m.drive(runtime, run, plan, gauge, signals, changes).await,
            LoadModel::Open(m) => m.drive(runtime, run, plan, gauge, signals, changes).await,
        }
    }

    /// The run's iteration bound, if it has one.
    pub fn iterations(&self) -> Option<IterationLimit> {
        match self {
            LoadModel::Closed(m) => m.iterations,
            LoadModel::Open(_) => None,
        }
    }
}

/// How a run can be stopped early: `graceful` retires the VUs (they finish their task and run
/// `on-stop`), `immediate` stops them at once. A signal, the run API's control and an
/// `abortOnFail` threshold all stop a run through these.
#[derive(Clone, Default)]
pub struct StopSignals {
    pub graceful: CancellationToken,
    pub immediate: CancellationToken,
}

/// A change of load asked while a run goes on (Locust's Edit): a new number of users for a
/// closed model without stages, a new arrival rate for an open model without rate stages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LoadChange {
    Users(u32),
    /// Iterations per second from now on; 0 pauses arrivals.
    Rate(f64),
}
