//! The collector: once a second it harvests every worker's shard, adds the interval to the
//! run's totals and prints the progress line; at the end it takes the last harvest.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

use super::ClosedModel;
use crate::host::RunContext;
use crate::report::progress_line;
use crate::stats::Snapshot;
use crate::vu::UserGauge;

pub async fn collect(
    run: Arc<RunContext>,
    gauge: Arc<UserGauge>,
    model: ClosedModel,
    started: std::time::Instant,
    quiet: bool,
    done: CancellationToken,
) -> Snapshot {
    let mut totals = Snapshot::default();
    let mut interval = Snapshot::default();
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
        interval.reset();
        run.stats.harvest_into(&mut interval);
        totals.merge(&interval);
        let now = Instant::now();
        if !quiet {
            let line = progress_line(
                started.elapsed(),
                gauge.live.load(Ordering::Relaxed),
                model.users,
                &interval.aggregated(),
                (now - last).as_secs_f64(),
                &totals,
            );
            eprintln!("{line}");
        }
        last = now;
    }
    interval.reset();
    run.stats.harvest_into(&mut interval);
    totals.merge(&interval);
    totals
}
