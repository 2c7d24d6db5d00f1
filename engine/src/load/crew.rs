//! The VUs of a run: starting them, retiring the newest (a ramp-down), and the end of the run
//! (retire all, a graceful period, then stop).

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

use super::StopSignals;
use crate::host::{RunContext, ScenarioRuntime};
use crate::vu::{Seat, UserGauge, VuControl, VuPlan, run_vu};

/// The VUs of a run and how to start and retire them.
pub struct Crew {
    runtime: Arc<ScenarioRuntime>,
    run: Arc<RunContext>,
    plan: Arc<VuPlan>,
    gauge: Arc<UserGauge>,
    /// Cancelled at the end of the run: every VU finishes its task and ends.
    retire_all: CancellationToken,
    pub tasks: JoinSet<()>,
    /// Running VUs, oldest first, with their own retire token: a ramp-down retires the newest.
    pub active: Vec<CancellationToken>,
    pub next_id: u32,
}

impl Crew {
    pub fn new(
        runtime: Arc<ScenarioRuntime>,
        run: Arc<RunContext>,
        plan: Arc<VuPlan>,
        gauge: Arc<UserGauge>,
    ) -> Self {
        Self {
            runtime,
            run,
            plan,
            gauge,
            retire_all: CancellationToken::new(),
            tasks: JoinSet::new(),
            active: Vec::new(),
            next_id: 1,
        }
    }

    /// Starts the next VU; `seat` places it in an open model's pool.
    pub fn start_one(&mut self, seat: Option<Seat>) {
        let retire = self.retire_all.child_token();
        let control = VuControl {
            retire: retire.clone(),
            stop: self.run.stopping.child_token(),
        };
        self.tasks.spawn(run_vu(
            self.runtime.clone(),
            self.run.clone(),
            self.plan.clone(),
            self.gauge.clone(),
            self.next_id,
            control,
            seat,
        ));
        self.active.push(retire);
        self.next_id += 1;
    }

    pub fn retire_newest(&mut self) {
        if let Some(retire) = self.active.pop() {
            retire.cancel();
        }
    }

    /// Ends the run: retire every VU, give them `graceful_stop` to finish their task, then
    /// stop them (in-flight requests complete, `on-stop` runs) within `stop_timeout`, then drop
    /// whatever is left.
    pub async fn finish(mut self, graceful_stop: Duration, signals: &StopSignals) {
        self.retire_all.cancel();
        let graceful = sleep(graceful_stop);
        tokio::pin!(graceful);
        loop {
            tokio::select! {
                joined = self.tasks.join_next() => if joined.is_none() { return },
                _ = &mut graceful => break,
                _ = signals.immediate.cancelled() => break,
            }
        }
        self.run.stopping.cancel();
        let hard_stop = sleep(self.plan.stop_timeout);
        tokio::pin!(hard_stop);
        loop {
            tokio::select! {
                joined = self.tasks.join_next() => if joined.is_none() { break },
                _ = &mut hard_stop => { self.tasks.abort_all(); break }
                _ = signals.immediate.cancelled() => { self.tasks.abort_all(); break }
            }
        }
        while self.tasks.join_next().await.is_some() {}
    }
}
