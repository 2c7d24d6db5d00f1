//! The VUs of a run: starting them, retiring the newest (a ramp-down), and the end of the run
//! (retire all, a graceful period, then stop).

use std::sync::Arc;
use std::time::Duration;

use tokio::task::{AbortHandle, JoinSet};
use tokio::time::sleep;
use tokio_util::sync::CancellationToken;

use super::StopSignals;
use crate::data::WhenExhausted;
use crate::host::{RunContext, ScenarioRuntime};
use crate::vu::{Seat, UserGauge, VuControl, VuPlan, run_vu};

/// A running VU: its task, to know whether it is still there, and its own retire token.
struct Member {
    task: AbortHandle,
    retire: CancellationToken,
}

/// The VUs of a run and how to start and retire them.
pub struct Crew {
    runtime: Arc<ScenarioRuntime>,
    run: Arc<RunContext>,
    plan: Arc<VuPlan>,
    gauge: Arc<UserGauge>,
    /// Cancelled at the end of the run: every VU finishes its task and ends.
    retire_all: CancellationToken,
    tasks: JoinSet<()>,
    /// VUs neither retired nor known to have ended, oldest first: a ramp-down retires the
    /// newest. Pruned of VUs that ended on their own before it is counted or retired from.
    active: Vec<Member>,
    /// VUs that ended on their own (out of iterations, or out of data under
    /// `--data-exhausted stop`) rather than by being retired.
    ended: u32,
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
            ended: 0,
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
        let task = self.tasks.spawn(run_vu(
            self.runtime.clone(),
            self.run.clone(),
            self.plan.clone(),
            self.gauge.clone(),
            self.next_id,
            control,
            seat,
        ));
        self.active.push(Member { task, retire });
        self.next_id += 1;
    }

    /// Forgets the VUs that ended on their own, so that they are neither counted as running
    /// nor "retired" by a ramp-down in place of a VU that is still there.
    fn prune(&mut self) {
        let before = self.active.len();
        self.active.retain(|m| !m.task.is_finished());
        self.ended += (before - self.active.len()) as u32;
    }

    /// VUs running plus those that ended on their own: the users model does not replace a VU
    /// whose iterations are done, so such a VU keeps its seat.
    pub fn seats(&mut self) -> u32 {
        self.prune();
        self.active.len() as u32 + self.ended
    }

    /// How many VUs ended on their own so far.
    pub fn ended_on_their_own(&mut self) -> u32 {
        self.prune();
        self.ended
    }

    /// True when a new VU would find no work: the shared iterations are all claimed, or a
    /// `unique` data set ran out under `--data-exhausted stop` (a new VU would end at once).
    pub fn out_of_work(&self) -> bool {
        let iterations_spent = self.plan.iterations_left() == Some(0);
        let data = self.run.data();
        let data_spent = data.when_exhausted == WhenExhausted::StopVu && data.unique_ran_out();
        iterations_spent || data_spent
    }

    /// Retires the newest running VUs until at most `target` run (pruning once, so a large
    /// ramp-down costs one pass over the crew, not one per VU retired).
    pub fn retire_down_to(&mut self, target: u32) {
        self.prune();
        while self.active.len() as u32 > target {
            let member = self.active.pop().expect("more than target VUs are active");
            member.retire.cancel();
        }
    }

    /// Starts or retires VUs until `target` are running, never starting one that would find
    /// no work (see `out_of_work`).
    pub fn follow(&mut self, target: u32) {
        self.retire_down_to(target);
        if self.out_of_work() {
            return;
        }
        while (self.active.len() as u32) < target {
            self.start_one(None);
        }
    }

    /// True when no VU task is left (all ended or were retired and finished).
    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// Waits for the next VU task to end; None when there is none.
    pub async fn join_next(&mut self) -> Option<()> {
        let joined = self.tasks.join_next().await;
        self.prune();
        joined.map(|_| ())
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
