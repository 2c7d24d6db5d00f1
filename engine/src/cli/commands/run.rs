//! `horde run`: start the run, show its ticks (unless `--quiet`), stop it on signals, then
//! print the summary, write the requested files and pick the exit code.

use std::sync::Arc;

use tokio::sync::broadcast::{self, error::RecvError};

use super::print_out;
use crate::cli::args::{CommonArgs, RunArgs};
use crate::cli::exit::{self, Failure};
use crate::cli::{plan, signals};
use crate::report::{self, LiveView};
use crate::run::{self, RunError, RunOutcome, RunPlan, ScenarioSource, Tick};

pub async fn run(args: RunArgs) -> Result<u8, Failure> {
    let host = plan::host(args.host.as_deref())?;
    let model = plan::load_model(&args)?;
    let plan = plan::plan(
        ScenarioSource::File(args.scenario.clone()),
        host,
        model,
        &args.common,
    )?;
    let outcome = watch(plan, args.common.quiet).await?;
    finish(outcome, &args.common)
}

/// Runs `plan` to its end: signals steer it, and the live view shows its ticks unless
/// `quiet`; the view is gone from the terminal when this returns.
pub async fn watch(plan: RunPlan, quiet: bool) -> Result<RunOutcome, RunError> {
    let handle = run::start(plan);
    signals::steer(handle.control());
    let live = (!quiet).then(|| tokio::spawn(show_live(handle.ticks())));
    let outcome = handle.outcome().await;
    if let Some(live) = live {
        let _ = live.await;
    }
    outcome
}

/// Shows each tick until the run's last one, then erases the view.
async fn show_live(mut ticks: broadcast::Receiver<Arc<Tick>>) {
    let mut view = LiveView::new();
    loop {
        match ticks.recv().await {
            Ok(tick) if tick.last => break,
            Ok(tick) => view.show(&tick),
            // Behind by a few seconds (a stalled terminal): the next tick is the news.
            Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => break,
        }
    }
    view.clear();
}

/// Prints the summary, writes the requested files, and picks the exit code.
pub fn finish(outcome: RunOutcome, common: &CommonArgs) -> Result<u8, Failure> {
    print_out(&report::render_summary(&outcome.summary));
    let written = |result: anyhow::Result<()>| result.map_err(|e| Failure::error(format!("{e:#}")));
    if let Some(path) = &common.json {
        written(report::write_json(&outcome.summary, path))?;
    }
    if let Some(prefix) = &common.csv {
        written(report::write_csv(&outcome.summary, prefix, common.csv_full_history).map(drop))?;
    }
    if let Some(path) = &common.html {
        written(report::write_html(&outcome.summary, path))?;
    }
    if let Some(path) = &common.junit {
        written(report::write_junit(&outcome.summary, path))?;
    }
    Ok(if outcome.summary.thresholds.iter().any(|t| !t.passed) {
        exit::THRESHOLD_FAILED
    } else if outcome.interrupted {
        exit::INTERRUPTED
    } else {
        exit::OK
    })
}
