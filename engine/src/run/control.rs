//! The control side of a run: stop it (gracefully or at once), change its users or its rate
//! while it goes on, and follow its status. Cloned freely; every clone steers the same run.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use tokio::sync::watch;

use crate::load::{LoadChange, LoadModel, StopSignals};

/// Where a run is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Compiling the scenario, reading its metadata, checking the target.
    Starting,
    /// The scenario's `setup` runs.
    Setup,
    /// The load model drives the VUs.
    Running,
    /// The VUs are done; the scenario's `teardown` runs.
    Teardown,
    /// The run has ended; its outcome is ready.
    Done,
}

/// Why a control request was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlError {
    #[error("the run has ended; start a new one")]
    Finished,
    #[error("{0}")]
    NotSteerable(&'static str),
    #[error(
        "{asked} users is more than the {max} VUs this run's sandbox was sized for at its start; \
         start the run with more users"
    )]
    AboveCapacity { asked: u32, max: u32 },
    #[error("a rate is a number of iterations per second, 0 or more; got {0}")]
    BadRate(f64),
}

/// What the load of a run may change to while it goes on.
#[derive(Debug, Clone, Copy)]
enum Steering {
    /// A closed model without stages: its number of users, up to the sandbox's size.
    Users { max: u32 },
    /// An open model without rate stages: its arrival rate.
    Rate,
    /// Nothing, for this reason.
    Fixed(&'static str),
}

struct Inner {
    signals: StopSignals,
    changes: watch::Sender<Option<LoadChange>>,
    status: watch::Sender<RunStatus>,
    steering: Steering,
    /// The users asked for now: the model's, or the last `set_users`.
    target_users: AtomicU32,
    /// The arrival rate asked for now (f64 bits), for an open model.
    rate: AtomicU64,
}

/// Steers one run: see [`crate::run::start`].
#[derive(Clone)]
pub struct RunControl {
    inner: Arc<Inner>,
}

impl RunControl {
    pub(super) fn new(model: &LoadModel) -> Self {
        let (steering, rate) = match model {
            // A closed model's sandbox holds `max_vus` instances: more users would not fit.
            LoadModel::Closed(m) if m.stages.is_some() => (
                Steering::Fixed(
                    "this run follows --stages: its users cannot be changed while it runs",
                ),
                None,
            ),
            LoadModel::Closed(m) => (Steering::Users { max: m.max_vus() }, None),
            LoadModel::Open(m)
                if m.schedule
                    .stages
                    .iter()
                    .any(|s| s.target != m.schedule.start_rate) =>
            {
                (
                    Steering::Fixed(
                        "this run follows --rate-stages: its rate cannot be changed while it runs",
                    ),
                    Some(m.schedule.start_rate),
                )
            }
            LoadModel::Open(m) => (Steering::Rate, Some(m.schedule.start_rate)),
        };
        Self {
            inner: Arc::new(Inner {
                signals: StopSignals::default(),
                changes: watch::channel(None).0,
                status: watch::channel(RunStatus::Starting).0,
                steering,
                target_users: AtomicU32::new(model.max_vus_asked()),
                rate: AtomicU64::new(rate.unwrap_or(0.0).to_bits()),
            }),
        }
    }

    /// Stops the run as the first Ctrl-C does: VUs finish their task and run `on-stop`,
    /// `teardown` runs, and every result is kept.
    pub fn stop(&self) {
        self.inner.signals.graceful.cancel();
    }

    /// Stops the run as a second Ctrl-C does: sends and sleeps return at once, VUs still
    /// running are dropped; what was recorded is kept.
    pub fn stop_now(&self) {
        self.inner.signals.graceful.cancel();
        self.inner.signals.immediate.cancel();
    }

    /// Changes the number of users of a closed model without stages: more start at the
    /// spawn rate, or the newest are retired (they finish their task and run `on-stop`).
    pub fn set_users(&self, users: u32) -> Result<(), ControlError> {
        self.check_running()?;
        match self.inner.steering {
            Steering::Users { max } if users > max => {
                Err(ControlError::AboveCapacity { asked: users, max })
            }
            Steering::Users { .. } => {
                self.inner.target_users.store(users, Ordering::Relaxed);
                self.inner
                    .changes
                    .send_replace(Some(LoadChange::Users(users)));
                Ok(())
            }
            Steering::Rate => Err(ControlError::NotSteerable(
                "this run starts iterations at a rate (open model): change its rate, not its users",
            )),
            Steering::Fixed(why) => Err(ControlError::NotSteerable(why)),
        }
    }

    /// Changes the arrival rate of an open model without rate stages, from now to its
    /// planned end; 0 pauses arrivals.
    pub fn set_rate(&self, per_second: f64) -> Result<(), ControlError> {
        self.check_running()?;
        if !per_second.is_finite() || per_second < 0.0 {
            return Err(ControlError::BadRate(per_second));
        }
        match self.inner.steering {
            Steering::Rate => {
                self.inner
                    .rate
                    .store(per_second.to_bits(), Ordering::Relaxed);
                self.inner
                    .changes
                    .send_replace(Some(LoadChange::Rate(per_second)));
                Ok(())
            }
            Steering::Users { .. } => Err(ControlError::NotSteerable(
                "this run has users looping over their tasks (closed model): change its users, not its rate",
            )),
            Steering::Fixed(why) => Err(ControlError::NotSteerable(why)),
        }
    }

    /// The run's status now, and each change of it.
    pub fn status(&self) -> watch::Receiver<RunStatus> {
        self.inner.status.subscribe()
    }

    /// The users asked for now.
    pub fn target_users(&self) -> u32 {
        self.inner.target_users.load(Ordering::Relaxed)
    }

    /// The arrival rate asked for now, for an open model at a constant rate (one following
    /// `--rate-stages` has no single rate).
    pub fn rate(&self) -> Option<f64> {
        matches!(self.inner.steering, Steering::Rate)
            .then(|| f64::from_bits(self.inner.rate.load(Ordering::Relaxed)))
    }

    fn check_running(&self) -> Result<(), ControlError> {
        match *self.inner.status.borrow() {
            RunStatus::Done => Err(ControlError::Finished),
            _ => Ok(()),
        }
    }

    pub(super) fn signals(&self) -> &StopSignals {
        &self.inner.signals
    }

    pub(super) fn changes(&self) -> watch::Receiver<Option<LoadChange>> {
        self.inner.changes.subscribe()
    }

    pub(super) fn set_status(&self, status: RunStatus) {
        self.inner.status.send_replace(status);
    }
}
