//! The closed model (Locust's and k6's ramping VUs): `users` VUs started at `spawn_rate` per
//! second, each looping over its tasks until the run time is up.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{Instant, sleep, sleep_until};

use super::StopSignals;
use crate::host::{RunContext, ScenarioRuntime};
use crate::vu::{UserGauge, VuPlan, run_vu};

/// `--users`, `--spawn-rate`, `--run-time`.
#[derive(Debug, Clone)]
pub struct ClosedModel {
    pub users: u32,
    /// VUs started per second.
    pub spawn_rate: f64,
    /// None runs until interrupted (or until the iterations are done).
    pub run_time: Option<Duration>,
    /// `--iterations N` (shared) or `--iterations-per-vu N`.
    pub iterations: Option<IterationLimit>,
}

/// How many iterations (task runs) the run makes before it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IterationLimit {
    Shared(u64),
    PerVu(u64),
}

impl ClosedModel {
    /// Runs the model; returns true when a signal ended the run before its time.
    pub async fn drive(
        &self,
        runtime: Arc<ScenarioRuntime>,
        run: Arc<RunContext>,
        plan: Arc<VuPlan>,
        gauge: Arc<UserGauge>,
        signals: &StopSignals,
    ) -> bool {
        let start = Instant::now();
        let spawn_interval = Duration::from_secs_f64(1.0 / self.spawn_rate);
        let end = async {
            match self.run_time {
                Some(run_time) => sleep_until(start + run_time).await,
                None => std::future::pending().await,
            }
        };
        tokio::pin!(end);

        let mut vus = JoinSet::new();
        let mut next_id = 1u32;
        let mut next_spawn = start;
        let interrupted = loop {
            if next_id <= self.users {
                tokio::select! {
                    _ = sleep_until(next_spawn) => {
                        // Start every VU whose time has come (a high rate starts several per tick).
                        while next_id <= self.users && next_spawn <= Instant::now() {
                            vus.spawn(run_vu(runtime.clone(), run.clone(), plan.clone(), gauge.clone(), next_id));
                            next_id += 1;
                            next_spawn += spawn_interval;
                        }
                    }
                    _ = &mut end => break false,
                    _ = signals.graceful.cancelled() => break true,
                }
            } else {
                tokio::select! {
                    _ = &mut end => break false,
                    _ = signals.graceful.cancelled() => break true,
                    // With an iteration bound, VUs end by themselves; the run ends with them.
                    joined = vus.join_next(), if !vus.is_empty() => {
                        if joined.is_some() && vus.is_empty() {
                            break false;
                        }
                    }
                }
            }
        };

        // Stop: tasks end, in-flight requests complete, `on-stop` runs; all within
        // --stop-timeout, after which whatever is left is dropped.
        run.stopping.cancel();
        let hard_stop = sleep(plan.stop_timeout);
        tokio::pin!(hard_stop);
        loop {
            tokio::select! {
                joined = vus.join_next() => if joined.is_none() { break },
                _ = &mut hard_stop => { vus.abort_all(); break }
                _ = signals.immediate.cancelled() => { vus.abort_all(); break }
            }
        }
        while vus.join_next().await.is_some() {}
        interrupted
    }
}
