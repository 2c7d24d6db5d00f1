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
use crate::vu::UserGauge;

pub async fn collect(
    run: Arc<RunContext>,
    gauge: Arc<UserGauge>,
    model: LoadModel,
    started: std::time::Instant,
    quiet: bool,
    done: CancellationToken,
) -> (Snapshot, TimeSeries) {
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
        ));
    }
    (totals, series)
}
