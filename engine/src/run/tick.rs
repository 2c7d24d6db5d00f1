//! One second of a run as its consumers see it: the live view and progress line, the time
//! series, and later a dashboard or a shard coordinator all read the same [`Tick`].

use std::sync::Arc;
use std::time::Duration;

use crate::stats::{SeriesRow, Snapshot};

use super::RunStatus;

/// What the run looked like at the end of one interval (about a second).
#[derive(Clone)]
pub struct Tick {
    /// Since the run's clock started (after loading, before `setup`).
    pub elapsed: Duration,
    /// The interval's length in seconds.
    pub interval_s: f64,
    pub status: RunStatus,
    /// VUs alive at the end of the interval.
    pub users: u32,
    /// The users asked for now (the model's, or the last change).
    pub target_users: u32,
    /// The arrival rate asked for now, for an open model at a constant rate.
    pub rate: Option<f64>,
    /// How long the run is planned to last, if it has an end in time.
    pub planned: Option<Duration>,
    /// The interval as a row of the time series (with the run's totals so far).
    pub row: SeriesRow,
    /// The interval's statistics: every name's histogram, errors, checks and metrics.
    pub interval: Arc<Snapshot>,
    /// The run's statistics from its start to the end of this interval.
    pub totals: Arc<Snapshot>,
    /// The last tick of the run: a partial interval, sent once the VUs and `teardown` are done.
    pub last: bool,
}

impl Tick {
    /// The share of the planned duration done, when there is a plan.
    pub fn progress(&self) -> Option<f64> {
        self.planned
            .map(|p| self.elapsed.as_secs_f64() / p.as_secs_f64().max(1e-9))
    }
}
