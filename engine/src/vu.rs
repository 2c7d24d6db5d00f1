//! One VU's life: instantiate, `on-start`, pick a task, run it, think, repeat; `on-stop` at the
//! end. In the open model a VU waits for the dispatcher's go instead of thinking. A trap or a
//! task past its deadline ends this instance only: the error is counted and the VU starts
//! again as a fresh instance.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::SmallRng;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::host::{Phase, RunContext, ScenarioRuntime, VuState, trap_message};
use crate::scenario::{TaskPicker, ThinkTime};
use crate::stats::VuErrorKind;

/// How long a VU that failed to start waits before it tries again, so a scenario whose
/// `on-start` always fails does not spin.
const RESTART_BACKOFF: Duration = Duration::from_millis(250);

/// What every VU of a run follows.
pub struct VuPlan {
    pub think_time: ThinkTime,
    pub task_timeout: Duration,
    pub stop_timeout: Duration,
    pub picker: TaskPicker,
    pub task_names: Vec<String>,
    /// How many tasks the VUs may run, if the run is bounded by iterations.
    pub iterations: Option<Iterations>,
}

impl VuPlan {
    /// Iterations not yet claimed under a shared bound (`--iterations`); None without one.
    pub fn iterations_left(&self) -> Option<u64> {
        match &self.iterations {
            Some(Iterations::Shared(left)) => Some(left.load(Ordering::Relaxed)),
            _ => None,
        }
    }
}

/// A bound on iterations (one iteration is one task run): shared by all VUs (`--iterations`)
/// or per VU (`--iterations-per-vu`). A VU with none left runs `on-stop` and ends.
pub enum Iterations {
    Shared(AtomicU64),
    PerVu(u64),
}

impl Iterations {
    /// Claims the next iteration for a VU that has run `done` so far; false when none is left.
    fn claim(&self, done: u64) -> bool {
        match self {
            Iterations::Shared(left) => left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                .is_ok(),
            Iterations::PerVu(per_vu) => done < *per_vu,
        }
    }
}

/// Live VU counts for the progress line and the summary.
#[derive(Default)]
pub struct UserGauge {
    pub live: AtomicU32,
    pub peak: AtomicU32,
}

impl UserGauge {
    fn enter(&self) {
        let now = self.live.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    fn leave(&self) {
        self.live.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How a VU is told to end. `retire`: finish the current task, then run `on-stop` and end
/// (a ramp-down, or the start of a graceful stop). `stop`: end now; sends and sleeps in tasks
/// return at once and a computing guest is interrupted. Stopping implies retiring.
#[derive(Clone)]
pub struct VuControl {
    pub retire: CancellationToken,
    pub stop: CancellationToken,
}

impl VuControl {
    fn retiring(&self) -> bool {
        self.retire.is_cancelled() || self.stop.is_cancelled()
    }

    async fn retired(&self) {
        tokio::select! {
            _ = self.retire.cancelled() => {}
            _ = self.stop.cancelled() => {}
        }
    }
}

/// The go for one iteration of an open-model VU, with the time the arrival schedule gave it.
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    pub due: Instant,
}

/// An open-model VU's place in the pool: it tells the dispatcher when it is free and waits
/// for a ticket. Kept across restarts, so a fresh instance takes the same place.
pub struct Seat {
    pub slot: u32,
    pub free: mpsc::UnboundedSender<u32>,
    pub go: mpsc::Receiver<Ticket>,
}

impl Seat {
    /// Says this VU is free and waits for its next ticket; None when it is retired first.
    async fn next_ticket(&mut self, control: &VuControl) -> Option<Ticket> {
        if self.free.send(self.slot).is_err() {
            return None;
        }
        // A ticket already sent wins over a retirement that came after it: the dispatcher
        // counted that iteration as started, so it runs.
        tokio::select! {
            biased;
            ticket = self.go.recv() => ticket,
            _ = control.retired() => None,
        }
    }
}

/// How early a paced VU asks to be woken: tokio's timer wakes up to a millisecond after the
/// deadline, so aiming half a millisecond early centres the error on the schedule instead of
/// adding a millisecond of horde's own lateness to every request timed from it.
pub const TIMER_LEAD: Duration = Duration::from_micros(1000);

/// The schedule of a VU with `constant_pacing` or `constant_throughput`: task k is due at
/// `first + k × pace`. A task that overruns makes the next ones start at once until the VU is
/// back on schedule, and each one's lateness is recorded (coordinated omission).
struct Pacer {
    pace: Option<Duration>,
    next_due: Option<Instant>,
}

impl Pacer {
    fn new(think_time: ThinkTime) -> Self {
        let pace = match think_time {
            ThinkTime::ConstantPacing { ms } => Some(Duration::from_millis(ms)),
            ThinkTime::ConstantThroughput { per_second } => {
                Some(Duration::from_secs_f64(1.0 / per_second))
            }
            _ => None,
        };
        Self {
            pace,
            next_due: None,
        }
    }

    /// When the next task was due, for a paced VU past its first task.
    fn due(&self) -> Option<Instant> {
        self.pace?;
        self.next_due
    }

    /// For a paced VU's first task, starting at `now`: the schedule starts there.
    fn first_due(&mut self, now: Instant) -> Option<Instant> {
        self.pace?;
        Some(*self.next_due.get_or_insert(now))
    }

    /// After a task of a paced VU: how long to wait before the next one is due.
    fn wait(&mut self, now: Instant) -> Duration {
        let pace = self.pace.expect("only paced VUs wait for their schedule");
        let next = self.next_due.map_or(now, |due| due + pace);
        self.next_due = Some(next);
        next.saturating_duration_since(now + TIMER_LEAD)
    }
}

/// How one pass (one instance) of a VU ended.
enum PassEnd {
    /// The run is stopping; the VU is done.
    Stopped,
    /// The instance is unusable (trap, timeout, failed start): start a fresh one.
    Restart,
}

/// Runs VU `vu_id` until it is retired or stopped.
pub async fn run_vu(
    runtime: Arc<ScenarioRuntime>,
    run: Arc<RunContext>,
    plan: Arc<VuPlan>,
    gauge: Arc<UserGauge>,
    vu_id: u32,
    control: VuControl,
    seat: Option<Seat>,
) {
    gauge.enter();
    let mut vu = VuLife {
        vu_id,
        rng: SmallRng::seed_from_u64(run.seed.wrapping_add(u64::from(vu_id))),
        iteration: 0,
        control,
        seat,
    };
    let control = vu.control.clone();
    let mut first = true;
    while !control.retiring() {
        if !first {
            tokio::select! {
                _ = tokio::time::sleep(RESTART_BACKOFF) => {}
                _ = control.retired() => break,
            }
            run.stats.record_restart();
        }
        first = false;
        match one_pass(&runtime, &run, &plan, &mut vu).await {
            PassEnd::Stopped => break,
            PassEnd::Restart => continue,
        }
    }
    gauge.leave();
}

/// What a VU keeps from one instance to the next.
struct VuLife {
    vu_id: u32,
    rng: SmallRng,
    /// Iterations run so far, by every instance of this VU.
    iteration: u64,
    control: VuControl,
    seat: Option<Seat>,
}

async fn one_pass(
    runtime: &ScenarioRuntime,
    run: &Arc<RunContext>,
    plan: &VuPlan,
    vu: &mut VuLife,
) -> PassEnd {
    let VuLife {
        vu_id,
        rng,
        iteration,
        control,
        seat,
    } = vu;
    let vu_id = *vu_id;
    let stopping = || control.stop.is_cancelled();
    let (mut store, scenario) = match runtime
        .instantiate(VuState::new(
            run.clone(),
            vu_id,
            *iteration,
            control.stop.clone(),
        ))
        .await
    {
        Ok(pair) => pair,
        Err(e) => {
            run.stats
                .record_vu_error(VuErrorKind::Trap, "instantiate", &trap_message(&e));
            return PassEnd::Restart;
        }
    };

    store.data_mut().enter(Phase::Start, plan.task_timeout);
    match scenario.call_on_start(&mut store).await {
        Ok(Ok(())) => {}
        Err(_) if store.data().timed_out => {
            let message = format!(
                "on-start ran longer than --task-timeout {:?}",
                plan.task_timeout
            );
            run.stats
                .record_vu_error(VuErrorKind::TaskTimeout, "on-start", &message);
            return PassEnd::Restart;
        }
        _ if stopping() => return PassEnd::Stopped,
        // A unique data set ran out under `--data-exhausted stop`: this VU ends, uncounted.
        _ if store.data().retire_self => return PassEnd::Stopped,
        Ok(Err(message)) => {
            run.stats
                .record_vu_error(VuErrorKind::StartError, "on-start", &message);
            return PassEnd::Restart;
        }
        Err(trap) => {
            run.stats
                .record_vu_error(VuErrorKind::Trap, "on-start", &trap_message(&trap));
            return PassEnd::Restart;
        }
    }

    let mut pacer = Pacer::new(plan.think_time);
    while !control.retiring() && !store.data().retire_self {
        let due = match seat.as_mut() {
            Some(seat) => match seat.next_ticket(control).await {
                Some(ticket) => Some(ticket.due),
                None => break,
            },
            None => {
                if let Some(iterations) = &plan.iterations
                    && !iterations.claim(*iteration)
                {
                    break;
                }
                pacer.due()
            }
        };
        let index = plan.picker.pick(rng);
        let task = &plan.task_names[index as usize];
        // One clock read for the iteration's schedule, deadline and lag.
        let task_started = Instant::now();
        let due = due.or_else(|| pacer.first_due(task_started));
        store
            .data_mut()
            .enter_at(Phase::Task, plan.task_timeout, task_started);
        store.data_mut().iteration = *iteration;
        *iteration += 1;
        store.data_mut().lag = due.map(|due| task_started.saturating_duration_since(due));
        let outcome = scenario.call_run_task(&mut store, index).await;
        // An iteration the run's stop cut short (its send cancelled, its guest interrupted)
        // is not counted, as k6 does not count interrupted iterations; one that returned
        // normally is, even if the stop came just after.
        if matches!(outcome, Ok(Ok(()))) || !stopping() {
            run.stats.record_iteration();
        }
        if store.data().timed_out {
            // Past its deadline: the epoch callback interrupted the guest (which cannot be
            // entered again, so a fresh instance starts), or its last send was refused.
            let message = format!(
                "task ran longer than --task-timeout {:?} and was stopped",
                plan.task_timeout
            );
            run.stats
                .record_vu_error(VuErrorKind::TaskTimeout, task, &message);
            if outcome.is_err() {
                return PassEnd::Restart;
            }
            continue;
        }
        match outcome {
            Ok(Ok(())) => {}
            // Errors caused by the stop itself (a cancelled send, an interrupted loop) are not
            // the scenario's fault and are not counted. A task that returned leaves a usable
            // instance, so `on-stop` still runs; a trapped one does not.
            Ok(Err(_)) if stopping() || store.data().retire_self => break,
            Err(_) if stopping() || store.data().retire_self => return PassEnd::Stopped,
            Ok(Err(message)) => {
                run.stats
                    .record_vu_error(VuErrorKind::TaskError, task, &message);
            }
            Err(trap) => {
                run.stats
                    .record_vu_error(VuErrorKind::Trap, task, &trap_message(&trap));
                return PassEnd::Restart;
            }
        }
        if seat.is_some() {
            // The dispatcher decides when this VU runs again.
            continue;
        }
        let wait = match pacer.pace {
            Some(_) => pacer.wait(Instant::now()),
            None => plan.think_time.wait_after(rng, || task_started.elapsed()),
        };
        if !wait.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = control.retired() => {}
            }
        } else {
            // With no think time a VU must still let others run now and then; this yields
            // only when the task's scheduling budget is spent, not after every task.
            tokio::task::consume_budget().await;
        }
    }

    store.data_mut().enter(Phase::Stop, plan.stop_timeout);
    match scenario.call_on_stop(&mut store).await {
        Ok(Ok(())) => {}
        Err(_) if store.data().timed_out => {
            let message = format!(
                "on-stop ran longer than --stop-timeout {:?}",
                plan.stop_timeout
            );
            run.stats
                .record_vu_error(VuErrorKind::StopError, "on-stop", &message);
        }
        Ok(Err(message)) => run
            .stats
            .record_vu_error(VuErrorKind::StopError, "on-stop", &message),
        Err(trap) => {
            run.stats
                .record_vu_error(VuErrorKind::StopError, "on-stop", &trap_message(&trap))
        }
    }
    PassEnd::Stopped
}
