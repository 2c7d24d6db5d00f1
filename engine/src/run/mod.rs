//! The run API: [`start`] a [`RunPlan`] and get a [`RunHandle`], which gives the run's
//! per-second [`Tick`]s, its control ([`RunControl`]: stop, stop now, change users or rate)
//! and, at the end, its [`RunOutcome`]. It prints nothing: the CLI's live view, a dashboard
//! or a shard coordinator are consumers of its ticks.
//!
//! A run, in order: compile the scenario and read its metadata, check that the target is
//! reachable, run `setup`, let the load model drive the VUs, run `teardown`, then build the
//! summary and evaluate the thresholds (`execute.rs`).

mod collector;
mod control;
mod execute;
mod plan;
mod tick;

use std::sync::Arc;

use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use crate::host::ScenarioError;
use crate::scenario::ScenarioMeta;
use crate::summary::Summary;

pub use control::{ControlError, RunControl, RunStatus};
pub use execute::describe_context;
pub use plan::{RunPlan, ScenarioSource};
pub use tick::Tick;

/// How many ticks a subscriber may fall behind before it misses some (it is told how many).
const TICK_BACKLOG: usize = 64;

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
    /// Stopped before its time (a signal, `RunControl::stop`, an `abortOnFail` threshold).
    pub interrupted: bool,
}

/// A run under way.
pub struct RunHandle {
    control: RunControl,
    ticks: broadcast::Receiver<Arc<Tick>>,
    task: JoinHandle<Result<RunOutcome, RunError>>,
}

impl RunHandle {
    /// The run's control; clones steer the same run.
    pub fn control(&self) -> RunControl {
        self.control.clone()
    }

    /// A stream of the run's ticks from now on: one a second while it runs and a last one
    /// (`Tick::last`) at its end, after which the stream closes. A subscriber that falls
    /// more than 64 ticks behind is told how many it missed (`RecvError::Lagged`).
    pub fn ticks(&self) -> broadcast::Receiver<Arc<Tick>> {
        self.ticks.resubscribe()
    }

    /// Waits for the run to end.
    pub async fn outcome(self) -> Result<RunOutcome, RunError> {
        drop(self.ticks);
        self.task.await.expect("a run does not panic")
    }
}

/// Starts a run on the current tokio runtime and returns at once. The first tick comes a
/// second after the scenario is compiled: take [`RunHandle::ticks`] right away to see them
/// all.
pub fn start(plan: RunPlan) -> RunHandle {
    let control = RunControl::new(&plan.model);
    let (sender, ticks) = broadcast::channel(TICK_BACKLOG);
    let task = tokio::spawn(execute::execute(plan, control.clone(), sender));
    RunHandle {
        control,
        ticks,
        task,
    }
}
