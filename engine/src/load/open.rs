//! The open model (k6's constant-arrival-rate and ramping-arrival-rate): iterations start on a
//! schedule, whatever the target's speed. Each goes to a free VU of a pool whose `on-start` is
//! done; when no VU is free the iteration is dropped and counted, never delayed, and the pool
//! grows by one VU (up to `--max-vus`) for the next ones.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep_until};

use super::crew::Crew;
use super::{LoadChange, StopSignals};
use crate::host::{RunContext, ScenarioRuntime};
use crate::vu::{Seat, TIMER_LEAD, Ticket, UserGauge, VuPlan};

/// One stage of a ramping rate: reach `target` arrivals per second, linearly, over `duration`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateStage {
    pub duration: Duration,
    pub target: f64,
}

/// When each iteration is due: a start rate, stages that ramp it linearly, and whether the
/// last rate goes on after the stages (a `--rate` without `--run-time`).
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivalSchedule {
    pub start_rate: f64,
    pub stages: Vec<RateStage>,
    pub endless: bool,
}

impl ArrivalSchedule {
    /// A constant rate, for `run_time` or (None) until interrupted.
    pub fn constant(per_second: f64, run_time: Option<Duration>) -> Self {
        Self {
            start_rate: per_second,
            stages: run_time
                .map(|duration| RateStage {
                    duration,
                    target: per_second,
                })
                .into_iter()
                .collect(),
            endless: run_time.is_none(),
        }
    }

    /// How long the schedule lasts; None when it is endless.
    pub fn duration(&self) -> Option<Duration> {
        (!self.endless).then(|| self.stages.iter().map(|s| s.duration).sum())
    }

    /// The highest rate the schedule reaches.
    pub fn peak_rate(&self) -> f64 {
        self.stages
            .iter()
            .map(|s| s.target)
            .fold(self.start_rate, f64::max)
    }

    /// When arrival `k` (from 0) is due, from the start of the schedule; None when the
    /// schedule ends before it. The number of arrivals by time t is the integral of the rate,
    /// which is piecewise linear, so each stage inverts a quadratic.
    pub fn time_of(&self, k: u64) -> Option<Duration> {
        let k = k as f64;
        let mut before = 0.0; // arrivals due before this stage
        let mut start = 0.0; // the stage's start, in seconds
        let mut rate = self.start_rate;
        for stage in &self.stages {
            let span = stage.duration.as_secs_f64();
            let in_stage = (rate + stage.target) / 2.0 * span;
            if k < before + in_stage {
                let n = k - before;
                let slope = (stage.target - rate) / span;
                // Solves rate·t + slope·t²/2 = n in the form that is stable when slope is 0
                // or rate is 0.
                let t = if n == 0.0 {
                    0.0
                } else {
                    2.0 * n / (rate + (rate * rate + 2.0 * slope * n).max(0.0).sqrt())
                };
                return Some(Duration::from_secs_f64(start + t.min(span)));
            }
            before += in_stage;
            start += span;
            rate = stage.target;
        }
        if self.endless && rate > 0.0 {
            return Some(Duration::from_secs_f64(start + (k - before) / rate));
        }
        None
    }
}

/// `--rate`, `--rate-stages`, `--pre-vus`, `--max-vus` and `--graceful-stop`.
#[derive(Debug, Clone)]
pub struct OpenModel {
    pub schedule: ArrivalSchedule,
    /// VUs started (and through `on-start`) before the first arrival.
    pub pre_vus: u32,
    /// The most VUs the pool grows to.
    pub max_vus: u32,
    /// How long iterations still running at the end may take before their VUs are stopped.
    pub graceful_stop: Duration,
}

/// The dispatcher's view of the pool: each VU's ticket channel, and which VUs are free.
struct Pool {
    crew: Crew,
    free_tx: mpsc::UnboundedSender<u32>,
    free_rx: mpsc::UnboundedReceiver<u32>,
    goes: Vec<mpsc::Sender<Ticket>>,
    free: Vec<u32>,
}

impl Pool {
    fn grow(&mut self) {
        // One ticket at a time: a VU asks for the next only once it is free again.
        let (go_tx, go_rx) = mpsc::channel(1);
        let slot = self.goes.len() as u32;
        self.goes.push(go_tx);
        self.crew.start_one(Some(Seat {
            slot,
            free: self.free_tx.clone(),
            go: go_rx,
        }));
    }

    /// Takes the free announcements that already arrived.
    fn collect_free(&mut self) {
        while let Ok(slot) = self.free_rx.try_recv() {
            self.free.push(slot);
        }
    }

    /// Gives the iteration due at `due` to a free VU; false when none is free.
    fn dispatch(&mut self, due: Instant) -> bool {
        self.collect_free();
        // The most recently freed VU first: its connection is the warmest.
        while let Some(slot) = self.free.pop() {
            if self.goes[slot as usize]
                .try_send(Ticket {
                    due: due.into_std(),
                })
                .is_ok()
            {
                return true;
            }
        }
        false
    }
}

impl OpenModel {
    /// Runs the model; returns true when a signal ended the run before its time.
    pub async fn drive(
        &self,
        runtime: Arc<ScenarioRuntime>,
        run: Arc<RunContext>,
        plan: Arc<VuPlan>,
        gauge: Arc<UserGauge>,
        signals: &StopSignals,
        changes: watch::Receiver<Option<LoadChange>>,
    ) -> bool {
        let (free_tx, free_rx) = mpsc::unbounded_channel();
        let task_timeout = plan.task_timeout;
        let mut pool = Pool {
            crew: Crew::new(runtime, run.clone(), plan, gauge),
            free_tx,
            free_rx,
            goes: Vec::new(),
            free: Vec::new(),
        };
        for _ in 0..self.pre_vus.min(self.max_vus) {
            pool.grow();
        }
        let interrupted = self.wait_for_pool(&mut pool, task_timeout, signals).await
            || self.dispatch_all(&mut pool, &run, signals, changes).await;
        pool.crew.finish(self.graceful_stop, signals).await;
        interrupted
    }

    /// The clock starts once the pre-started VUs are through `on-start` (or `--task-timeout`
    /// passed, for a scenario whose `on-start` keeps failing). Returns true on a signal.
    async fn wait_for_pool(
        &self,
        pool: &mut Pool,
        task_timeout: Duration,
        signals: &StopSignals,
    ) -> bool {
        let ready_by = Instant::now() + task_timeout;
        while pool.free.len() < pool.goes.len() {
            tokio::select! {
                Some(slot) = pool.free_rx.recv() => pool.free.push(slot),
                _ = sleep_until(ready_by) => break,
                _ = signals.graceful.cancelled() => return true,
            }
        }
        false
    }

    /// Hands out every arrival of the schedule. Returns true when a signal ended it early. A
    /// new rate (`changes`) replaces the schedule from that moment to its planned end: the
    /// first arrival at the new rate is one interval after the change, and 0 pauses arrivals.
    async fn dispatch_all(
        &self,
        pool: &mut Pool,
        run: &RunContext,
        signals: &StopSignals,
        mut changes: watch::Receiver<Option<LoadChange>>,
    ) -> bool {
        let begun = Instant::now();
        let end = self.schedule.duration().map(|d| begun + d);
        let mut schedule = self.schedule.clone();
        let mut start = begun;
        let mut k = 0u64;
        let mut steerable = true;
        loop {
            // Past the schedule's end (a paused rate has no next arrival): wait for the
            // planned end, or for a new rate.
            let due = schedule.time_of(k).map(|at| start + at);
            if due.is_none() && !(steerable && end.is_none_or(|end| Instant::now() < end)) {
                return false;
            }
            let wake = due.map(|due| due.checked_sub(TIMER_LEAD).unwrap_or(due));
            let run_out = async {
                match (due, end) {
                    (None, Some(end)) => sleep_until(end).await,
                    _ => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                _ = signals.graceful.cancelled() => return true,
                Some(slot) = pool.free_rx.recv() => {
                    pool.free.push(slot);
                    continue;
                }
                changed = changes.changed(), if steerable => {
                    match changed {
                        Ok(()) => if let Some(LoadChange::Rate(rate)) = *changes.borrow_and_update() {
                            start = Instant::now();
                            let left = end.map(|end| end.saturating_duration_since(start));
                            schedule = ArrivalSchedule::constant(rate, left);
                            k = 1;
                        },
                        Err(_) => steerable = false,
                    }
                    continue;
                }
                _ = run_out => return false,
                _ = sleep_until(wake.unwrap_or(start)), if wake.is_some() => {}
            }
            let due = due.expect("woken for an arrival");
            if !pool.dispatch(due) {
                run.stats.record_dropped(1);
                if (pool.goes.len() as u32) < self.max_vus {
                    pool.grow();
                }
            }
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count_before(schedule: &ArrivalSchedule, secs: f64) -> u64 {
        let limit = Duration::from_secs_f64(secs);
        (0..)
            .take_while(|&k| schedule.time_of(k).is_some_and(|t| t < limit))
            .count() as u64
    }

    #[test]
    fn a_constant_rate_is_exact() {
        let s = ArrivalSchedule::constant(1000.0, Some(Duration::from_secs(20)));
        assert_eq!(s.time_of(0), Some(Duration::ZERO));
        assert_eq!(s.time_of(1), Some(Duration::from_millis(1)));
        assert_eq!(count_before(&s, 20.0), 20_000);
        assert_eq!(s.time_of(20_000), None);
        assert_eq!(s.duration(), Some(Duration::from_secs(20)));
    }

    #[test]
    fn a_ramp_follows_the_integral_of_the_rate() {
        // 0 → 100/s over 10 s (500 arrivals), then 100/s for 10 s (1000), then down to 0 over
        // 10 s (500).
        let stage = |secs, target| RateStage {
            duration: Duration::from_secs(secs),
            target,
        };
        let s = ArrivalSchedule {
            start_rate: 0.0,
            stages: vec![stage(10, 100.0), stage(10, 100.0), stage(10, 0.0)],
            endless: false,
        };
        assert_eq!(count_before(&s, 5.0), 125); // ∫0..5 of 10·t dt
        assert_eq!(count_before(&s, 10.0), 500);
        assert_eq!(count_before(&s, 20.0), 1500);
        assert_eq!(count_before(&s, 25.0), 1875); // 1500 + 500 − ∫0..5 of 10·t dt
        assert_eq!(count_before(&s, 30.0), 2000);
        assert!(s.time_of(2000).is_none());
        assert_eq!(s.peak_rate(), 100.0);
        // Arrivals are in order.
        let times: Vec<_> = (0..2000).map(|k| s.time_of(k).unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn an_endless_rate_goes_on() {
        let s = ArrivalSchedule::constant(10.0, None);
        assert_eq!(s.time_of(1_000_000), Some(Duration::from_secs(100_000)));
        assert_eq!(s.duration(), None);
    }
}
