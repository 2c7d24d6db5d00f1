//! The collector: once a second it harvests every worker's shard, adds the interval to the
//! run's totals and time series, checks the `abortOnFail` thresholds and sends the [`Tick`]
//! to the run's subscribers; at the end it takes the last harvest.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::broadcast;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::{RunControl, Tick};
use crate::host::RunContext;
use crate::stats::{SeriesRow, Snapshot, TimeSeries};
use crate::thresholds::{Measures, Threshold, VusView, evaluate};
use crate::vu::UserGauge;

/// Thresholds with `abortOnFail`, checked on the totals each second, and how to stop the run
/// when one fails.
pub struct AbortWatch {
    pub thresholds: Vec<Threshold>,
    pub stop: CancellationToken,
}

impl AbortWatch {
    /// The first abortOnFail threshold that fails on the totals so far, past its delay.
    fn failing(
        &self,
        totals: &Snapshot,
        elapsed: Duration,
        users: u32,
        peak: u32,
    ) -> Option<String> {
        let measures = Measures {
            totals,
            duration_s: elapsed.as_secs_f64(),
            vus: VusView {
                value: f64::from(users),
                min: 0.0,
                max: f64::from(peak),
            },
        };
        self.thresholds
            .iter()
            .filter(|t| elapsed >= t.delay_abort_eval)
            .find(|t| !evaluate(t, &measures).passed)
            .map(|t| t.source.clone())
    }
}

/// What the collector gathered: the run's totals, its time series, and the threshold that
/// aborted it, if one did.
pub struct Collected {
    pub totals: Snapshot,
    pub series: TimeSeries,
    pub aborted_by: Option<String>,
}

/// What the collector reads and where its ticks go.
pub struct Collector {
    pub run: Arc<RunContext>,
    pub gauge: Arc<UserGauge>,
    pub control: RunControl,
    pub planned: Option<Duration>,
    pub started: std::time::Instant,
    pub abort: AbortWatch,
    pub ticks: broadcast::Sender<Arc<Tick>>,
}

impl Collector {
    /// Harvests once a second until `done`, then once more for the last, partial interval.
    pub async fn collect(self, done: CancellationToken) -> Collected {
        let mut aborted_by = None;
        let mut totals = Arc::new(Snapshot::default());
        let mut series = TimeSeries::default();
        let mut ticker = tokio::time::interval_at(
            Instant::now() + Duration::from_secs(1),
            Duration::from_secs(1),
        );
        ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last = Instant::now();
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                _ = done.cancelled() => break,
            }
            let now = Instant::now();
            let tick = self.harvest(&mut totals, (now - last).as_secs_f64(), false);
            last = now;
            series.push(tick.row.clone());
            let users = tick.users;
            // No subscriber is fine: the run does not need anyone to watch it.
            let _ = self.ticks.send(Arc::new(tick));
            if aborted_by.is_none()
                && let Some(failed) = self.abort.failing(
                    &totals,
                    self.started.elapsed(),
                    users,
                    self.gauge.peak.load(Ordering::Relaxed),
                )
            {
                aborted_by = Some(failed);
                self.abort.stop.cancel();
            }
        }
        // The last, partial interval: what was recorded since the last tick.
        let now = Instant::now();
        let tick = self.harvest(&mut totals, (now - last).as_secs_f64(), true);
        if !tick.interval.aggregated().is_empty() {
            series.push(tick.row.clone());
        }
        let _ = self.ticks.send(Arc::new(tick));
        Collected {
            totals: Arc::unwrap_or_clone(totals),
            series,
            aborted_by,
        }
    }

    /// Takes every shard's statistics since the last harvest into a tick, and adds them to
    /// the totals (copied only if a subscriber still holds the previous totals).
    fn harvest(&self, totals: &mut Arc<Snapshot>, interval_s: f64, last: bool) -> Tick {
        let mut interval = Snapshot::default();
        self.run.stats.harvest_into(&mut interval);
        Arc::make_mut(totals).merge(&interval);
        let elapsed = self.started.elapsed();
        let users = self.gauge.live.load(Ordering::Relaxed);
        let row = SeriesRow::from_interval(
            elapsed.as_secs_f64(),
            interval_s,
            users,
            &interval,
            Some(totals),
        );
        Tick {
            elapsed,
            interval_s,
            status: *self.control.status().borrow(),
            users,
            target_users: self.control.target_users(),
            rate: self.control.rate(),
            planned: self.planned,
            row,
            interval: Arc::new(interval),
            totals: totals.clone(),
            last,
        }
    }
}
