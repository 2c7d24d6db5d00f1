//! The collector: once a second it harvests every worker's shard, adds the interval to the
//! run's totals and time series and prints the progress line; at the end it takes the last
//! harvest.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::LoadModel;
use crate::host::RunContext;
use crate::report::{LiveView, progress_line};
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

pub async fn collect(
    run: Arc<RunContext>,
    gauge: Arc<UserGauge>,
    model: LoadModel,
    started: std::time::Instant,
    quiet: bool,
    abort: AbortWatch,
    done: CancellationToken,
) -> Collected {
    let mut aborted_by = None;
    let mut totals = Snapshot::default();
    let mut series = TimeSeries::default();
    let mut interval = Snapshot::default();
    let mut ticker = tokio::time::interval_at(
        Instant::now() + Duration::from_secs(1),
        Duration::from_secs(1),
    );
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last = Instant::now();
    let mut live = (!quiet).then(LiveView::new);
    let planned = model.planned_duration();
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = done.cancelled() => break,
        }
        interval.reset();
        run.stats.harvest_into(&mut interval);
        totals.merge(&interval);
        let now = Instant::now();
        let users = gauge.live.load(Ordering::Relaxed);
        let row = SeriesRow::from_interval(
            started.elapsed().as_secs_f64(),
            (now - last).as_secs_f64(),
            users,
            &interval,
            Some(&totals),
        );
        if let Some(live) = &mut live {
            let line = progress_line(
                started.elapsed(),
                users,
                model.max_vus_asked(),
                &interval.aggregated(),
                (now - last).as_secs_f64(),
                &totals,
            );
            let progress = planned.map(|p| started.elapsed().as_secs_f64() / p.as_secs_f64());
            live.update(&line, &row, progress);
        }
        series.push(row);
        last = now;
        if aborted_by.is_none()
            && let Some(failed) = abort.failing(
                &totals,
                started.elapsed(),
                users,
                gauge.peak.load(Ordering::Relaxed),
            )
        {
            aborted_by = Some(failed);
            abort.stop.cancel();
        }
    }
    if let Some(live) = &mut live {
        live.clear();
    }
    // The last, partial interval: what was recorded since the last tick.
    interval.reset();
    run.stats.harvest_into(&mut interval);
    totals.merge(&interval);
    let now = Instant::now();
    if !interval.aggregated().is_empty() {
        series.push(SeriesRow::from_interval(
            started.elapsed().as_secs_f64(),
            (now - last).as_secs_f64(),
            gauge.live.load(Ordering::Relaxed),
            &interval,
            Some(&totals),
        ));
    }
    Collected {
        totals,
        series,
        aborted_by,
    }
}
