//! A run's steps, in order: compile the scenario and read its metadata, check that the
//! target is reachable, run `setup`, let the load model drive the VUs, run `teardown`, then
//! build the summary and evaluate the thresholds.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::{RunControl, RunError, RunOutcome, RunPlan, RunStatus, Tick, collector};
use crate::host::{BaseUrl, RunContext, RunSettings, Sandbox, ScenarioError};
use crate::http::ClientSettings;
use crate::load::{IterationLimit, SetupEnd, run_setup, run_teardown};
use crate::scenario::TaskPicker;
use crate::summary::{RunInfo, Summary};
use crate::thresholds::{Measures, VusView, evaluate};
use crate::vu::{Iterations, UserGauge, VuPlan};

/// A run context for describing a scenario (`metadata`) outside any run.
pub fn describe_context(vu_memory: usize) -> Arc<RunContext> {
    RunContext::for_describing(vu_memory)
}

/// Opens (and closes) one TCP connection to the target, so that a wrong `--host` fails in a
/// second with one clear line instead of a run full of connection errors.
async fn check_reachable(base: &BaseUrl, shown: &str) -> Result<(), RunError> {
    let port =
        base.authority()
            .port_u16()
            .unwrap_or(if base.scheme() == &http::uri::Scheme::HTTPS {
                443
            } else {
                80
            });
    let host = base
        .authority()
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let unreachable = |reason: String| RunError::Unreachable {
        host: shown.to_string(),
        reason,
    };
    let connect = tokio::net::TcpStream::connect((host, port));
    match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(unreachable(e.to_string())),
        Err(_) => Err(unreachable("no answer within 5 s".into())),
    }
}

/// Runs a test from start to summary; the status reads `Done` at the end, whatever happened.
pub(super) async fn execute(
    plan: RunPlan,
    control: RunControl,
    ticks: broadcast::Sender<Arc<Tick>>,
) -> Result<RunOutcome, RunError> {
    let outcome = execute_steps(plan, &control, ticks).await;
    control.set_status(RunStatus::Done);
    outcome
}

async fn execute_steps(
    plan: RunPlan,
    control: &RunControl,
    ticks: broadcast::Sender<Arc<Tick>>,
) -> Result<RunOutcome, RunError> {
    let signals = control.signals().clone();
    let run = RunContext::new(RunSettings {
        base: plan.host.clone(),
        env: plan.env.clone(),
        request_timeout: plan.request_timeout,
        http: ClientSettings::new(plan.http.clone()),
        log_level: plan.log_level,
        seed: plan.seed,
        vu_memory: plan.vu_memory,
        data: plan.data.clone(),
    });
    let sandbox = Sandbox {
        max_vus: plan.model.max_vus(),
        vu_memory: plan.vu_memory,
    };
    let runtime = Arc::new(
        plan.scenario
            .load(sandbox, describe_context(plan.vu_memory))
            .await?,
    );
    if let (Some(base), Some(shown)) = (&plan.host, &plan.host_text) {
        check_reachable(base, shown).await?;
    }
    let meta = runtime.meta.clone();
    let vu_plan = Arc::new(VuPlan {
        think_time: plan.think_override.unwrap_or(meta.think_time),
        task_timeout: plan.task_timeout,
        stop_timeout: plan.stop_timeout,
        picker: TaskPicker::new(&meta.tasks),
        task_names: meta.tasks.iter().map(|t| t.name.clone()).collect(),
        iterations: plan.model.iterations().map(|limit| match limit {
            IterationLimit::Shared(n) => Iterations::Shared(AtomicU64::new(n)),
            IterationLimit::PerVu(n) => Iterations::PerVu(n),
        }),
    });
    let gauge = Arc::new(UserGauge::default());
    let started_at_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let started = Instant::now();

    let mut thresholds = plan.thresholds.clone();
    for text in &meta.thresholds {
        // Checked when the metadata was read.
        thresholds.push(
            crate::thresholds::parse(text).map_err(|e| ScenarioError::Invalid {
                path: plan.scenario.display(),
                reason: e.to_string(),
            })?,
        );
    }
    let collector = collector::Collector {
        run: run.clone(),
        gauge: gauge.clone(),
        control: control.clone(),
        planned: plan.model.planned_duration(),
        started,
        abort: collector::AbortWatch {
            thresholds: thresholds
                .iter()
                .filter(|t| t.abort_on_fail)
                .cloned()
                .collect(),
            stop: signals.graceful.clone(),
        },
        ticks,
    };
    let collector_done = CancellationToken::new();
    let collector = tokio::spawn(collector.collect(collector_done.clone()));

    control.set_status(RunStatus::Setup);
    let interrupted = match run_setup(&runtime, &run, plan.setup_timeout, &signals).await {
        Ok(SetupEnd::Done) => {
            control.set_status(RunStatus::Running);
            let interrupted = plan
                .model
                .drive(
                    runtime.clone(),
                    run.clone(),
                    vu_plan,
                    gauge.clone(),
                    &signals,
                    control.changes(),
                )
                .await;
            // Also after an interrupted run: what setup created is cleaned up either way.
            control.set_status(RunStatus::Teardown);
            run_teardown(&runtime, &run, plan.setup_timeout, &signals).await;
            interrupted
        }
        Ok(SetupEnd::Interrupted) => true,
        Err(why) => {
            collector_done.cancel();
            let _ = collector.await;
            return Err(RunError::Setup(why));
        }
    };

    collector_done.cancel();
    let collector::Collected {
        totals,
        series,
        aborted_by,
    } = collector.await.expect("the collector does not panic");
    let duration_s = started.elapsed().as_secs_f64();
    let rows = series.into_rows();
    let users = rows.iter().map(|r| f64::from(r.users));
    let measures = Measures {
        totals: &totals,
        duration_s,
        vus: VusView {
            value: rows.last().map_or(0.0, |r| f64::from(r.users)),
            min: users.clone().reduce(f64::min).unwrap_or(0.0),
            max: users.fold(f64::from(gauge.peak.load(Ordering::Relaxed)), f64::max),
        },
    };
    let verdicts = thresholds
        .iter()
        .map(|t| {
            let mut verdict = evaluate(t, &measures);
            verdict.aborted_run = aborted_by.as_deref() == Some(t.source.as_str());
            verdict
        })
        .collect();
    let info = RunInfo {
        scenario: meta.name.clone(),
        scenario_file: plan.scenario.display(),
        host: plan.host_text.clone(),
        started_at_unix_ms,
        duration_s,
        load_model: plan.model.describe(),
        target_users: plan.model.max_vus_asked(),
        peak_users: gauge.peak.load(Ordering::Relaxed),
        interrupted,
        aborted_by,
        seed: plan.seed,
    };
    Ok(RunOutcome {
        summary: Summary::build(info, &totals, rows, verdicts).with_warnings_of(&plan.http),
        meta,
        interrupted,
    })
}
