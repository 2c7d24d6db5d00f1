//! The closed model (Locust's users, k6's constant-vus and ramping-vus): VUs loop over their
//! tasks. Either `users` VUs started at `spawn_rate` per second until the run time is up, or
//! stages that ramp the number of VUs up and down linearly (`--stages 30s:100,1m:100,10s:0`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::{Instant, MissedTickBehavior, sleep_until};

use super::crew::Crew;
use super::{LoadChange, StopSignals};
use crate::host::{RunContext, ScenarioRuntime};
use crate::vu::{UserGauge, VuPlan};

/// How often a staged run adjusts its number of VUs.
const STAGE_TICK: Duration = Duration::from_millis(100);

/// One stage: reach `target` VUs, linearly, over `duration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stage {
    pub duration: Duration,
    pub target: u32,
}

/// `--users`, `--spawn-rate`, `--run-time`, `--stages`, the iteration bounds and
/// `--graceful-stop`.
#[derive(Debug, Clone)]
pub struct ClosedModel {
    pub users: u32,
    /// VUs started per second.
    pub spawn_rate: f64,
    /// None runs until interrupted (or until the iterations are done).
    pub run_time: Option<Duration>,
    /// `--iterations N` (shared) or `--iterations-per-vu N`.
    pub iterations: Option<IterationLimit>,
    /// When set, these drive the number of VUs instead of `users`/`spawn_rate`/`run_time`.
    pub stages: Option<Vec<Stage>>,
    /// How long a VU that is being removed may finish its current task before it is stopped.
    pub graceful_stop: Duration,
}

/// How many iterations (task runs) the run makes before it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IterationLimit {
    Shared(u64),
    PerVu(u64),
}

/// The number of VUs the stages ask for `elapsed` into the run, or None after the last.
pub fn stage_target(stages: &[Stage], elapsed: Duration) -> Option<u32> {
    let mut from = 0u32;
    let mut start = Duration::ZERO;
    for stage in stages {
        let end = start + stage.duration;
        if elapsed < end {
            let progress = (elapsed - start).as_secs_f64() / stage.duration.as_secs_f64();
            let users = f64::from(from) + (f64::from(stage.target) - f64::from(from)) * progress;
            return Some(users.round() as u32);
        }
        from = stage.target;
        start = end;
    }
    None
}

impl ClosedModel {
    /// The most VUs alive at once, to size the sandbox. A ramp-down's VUs may still be
    /// finishing while a following ramp-up starts new ones, hence the doubling.
    pub fn max_vus(&self) -> u32 {
        match &self.stages {
            Some(stages) => stages
                .iter()
                .map(|s| s.target)
                .max()
                .unwrap_or(0)
                .saturating_mul(2)
                .max(1),
            None => self.users,
        }
    }

    /// How long the run is planned to last: the stages' total, or `--run-time`.
    pub fn planned_duration(&self) -> Option<Duration> {
        match &self.stages {
            Some(stages) => Some(stages.iter().map(|s| s.duration).sum()),
            None => self.run_time,
        }
    }

    /// The most VUs asked for: `--users`, or the highest stage target.
    pub fn max_vus_asked(&self) -> u32 {
        match &self.stages {
            Some(stages) => stages.iter().map(|s| s.target).max().unwrap_or(0),
            None => self.users,
        }
    }

    /// Runs the model; returns true when a stop ended the run before its time.
    pub async fn drive(
        &self,
        runtime: Arc<ScenarioRuntime>,
        run: Arc<RunContext>,
        plan: Arc<VuPlan>,
        gauge: Arc<UserGauge>,
        signals: &StopSignals,
        changes: watch::Receiver<Option<LoadChange>>,
    ) -> bool {
        let mut crew = Crew::new(runtime, run, plan, gauge);
        let interrupted = match &self.stages {
            Some(stages) => self.drive_stages(stages, &mut crew, signals).await,
            None => self.drive_users(&mut crew, signals, changes).await,
        };
        crew.finish(self.graceful_stop, signals).await;
        interrupted
    }

    /// `--users` VUs started at `--spawn-rate`, for `--run-time`. A VU that ends on its own
    /// (its iterations done) is not replaced, and the run ends when the last one has. A new
    /// number of users (`changes`) starts more at the spawn rate, or retires the newest.
    async fn drive_users(
        &self,
        crew: &mut Crew,
        signals: &StopSignals,
        mut changes: watch::Receiver<Option<LoadChange>>,
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
        let mut target = self.users;
        let mut next_spawn = start;
        let mut steerable = true;
        loop {
            crew.retire_down_to(target);
            let spawning = crew.seats() < target;
            tokio::select! {
                _ = sleep_until(next_spawn), if spawning => {
                    // Start every VU whose time has come (a high rate starts several per tick).
                    while crew.seats() < target && next_spawn <= Instant::now() {
                        crew.start_one(None);
                        next_spawn += spawn_interval;
                    }
                }
                _ = &mut end => return false,
                _ = signals.graceful.cancelled() => return true,
                changed = changes.changed(), if steerable => match changed {
                    Ok(()) => {
                        if let Some(LoadChange::Users(users)) = *changes.borrow_and_update() {
                            target = users;
                            // A ramp-up after a pause starts at the spawn rate from now.
                            next_spawn = next_spawn.max(Instant::now());
                        }
                    }
                    Err(_) => steerable = false,
                },
                // With an iteration bound, VUs end by themselves; the run ends with them.
                joined = crew.join_next(), if !spawning && !crew.is_empty() => {
                    if joined.is_some() && crew.is_empty() && crew.ended_on_their_own() > 0 {
                        return false;
                    }
                }
            }
        }
    }

    /// The stages set how many VUs run at each moment. A VU that ends on its own is replaced
    /// while a new one would find work (see `Crew::out_of_work`); once the shared iterations
    /// are all done, the run ends with its last VU.
    async fn drive_stages(&self, stages: &[Stage], crew: &mut Crew, signals: &StopSignals) -> bool {
        let start = Instant::now();
        let mut tick = tokio::time::interval(STAGE_TICK);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = signals.graceful.cancelled() => return true,
                // Reap VUs that ended (retired ones, or ones out of iterations).
                Some(_) = crew.join_next(), if !crew.is_empty() => continue,
            }
            let Some(target) = stage_target(stages, start.elapsed()) else {
                return false;
            };
            crew.follow(target);
            if crew.is_empty() && crew.out_of_work() {
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_ramp_linearly() {
        let s = |secs, target| Stage {
            duration: Duration::from_secs(secs),
            target,
        };
        let stages = [s(10, 100), s(10, 100), s(5, 0)];
        let at = |secs: f64| stage_target(&stages, Duration::from_secs_f64(secs));
        assert_eq!(at(0.0), Some(0));
        assert_eq!(at(5.0), Some(50));
        assert_eq!(at(9.99), Some(100));
        assert_eq!(at(15.0), Some(100));
        assert_eq!(at(22.5), Some(50));
        assert_eq!(at(25.0), None);
    }
}
