//! From what the user typed to what a run does: the `run` and `demo` flags become a
//! validated [`RunPlan`] (the load model checked, the `--data` files and `--ca-cert`s read)
//! before anything runs.

use std::collections::HashMap;
use std::sync::Arc;

use super::args::{CommonArgs, RunArgs};
use super::exit::Failure;
use crate::data::DataSets;
use crate::host::BaseUrl;
use crate::load::{ArrivalSchedule, ClosedModel, IterationLimit, LoadModel, OpenModel};
use crate::run::{RunPlan, ScenarioSource};

/// `--host`, parsed, with the text as the user gave it (for messages and the summary).
pub fn host(text: Option<&str>) -> Result<(Option<BaseUrl>, Option<String>), Failure> {
    match text {
        Some(h) => Ok((
            Some(BaseUrl::parse(h).map_err(Failure::usage)?),
            Some(h.to_string()),
        )),
        None => Ok((None, None)),
    }
}

/// The load model the `run` flags describe.
pub fn load_model(args: &RunArgs) -> Result<LoadModel, Failure> {
    if args.rate.is_none() && args.rate_stages.is_none() {
        return Ok(LoadModel::Closed(ClosedModel {
            users: args.users,
            spawn_rate: args.spawn_rate,
            run_time: args.run_time,
            iterations: match (args.iterations, args.iterations_per_vu) {
                (Some(n), _) => Some(IterationLimit::Shared(n)),
                (None, Some(n)) => Some(IterationLimit::PerVu(n)),
                (None, None) => None,
            },
            stages: args.stages.as_ref().map(|s| s.0.clone()),
            graceful_stop: args.graceful_stop,
        }));
    }
    if args.common.wait.is_some() {
        return Err(Failure::usage(
            "--wait sets the think time between a VU's tasks, but with --rate/--rate-stages \
             iterations start at the arrival rate; drop --wait (or drop --rate for a closed model)",
        ));
    }
    let schedule = match &args.rate_stages {
        Some(stages) => ArrivalSchedule {
            start_rate: args.rate.unwrap_or(0.0),
            stages: stages.0.clone(),
            endless: false,
        },
        None => ArrivalSchedule::constant(args.rate.expect("checked above"), args.run_time),
    };
    let pre_vus = args.pre_vus.unwrap_or(10).min(args.max_vus);
    if args.pre_vus.is_some_and(|n| n > args.max_vus) {
        return Err(Failure::usage(format!(
            "--pre-vus {} is above --max-vus {}; raise --max-vus or lower --pre-vus",
            args.pre_vus.unwrap_or_default(),
            args.max_vus
        )));
    }
    Ok(LoadModel::Open(OpenModel {
        schedule,
        pre_vus,
        max_vus: args.max_vus,
        graceful_stop: args.graceful_stop,
    }))
}

/// The run's plan; loads and checks the `--data` files, so a malformed one stops the run
/// before any request.
pub fn plan(
    scenario: ScenarioSource,
    (host, host_text): (Option<BaseUrl>, Option<String>),
    model: LoadModel,
    common: &CommonArgs,
) -> Result<RunPlan, Failure> {
    let data = DataSets::load(&common.data, common.data_exhausted.into())
        .map_err(|e| Failure::usage(e.to_string()))?;
    let http = super::http_plan::http_options(&common.http, |name| std::env::var(name).ok())?;
    Ok(RunPlan {
        scenario,
        host,
        host_text,
        model,
        env: common.env.iter().cloned().collect::<HashMap<_, _>>(),
        think_override: common.wait,
        task_timeout: common.task_timeout,
        stop_timeout: common.stop_timeout,
        request_timeout: common.request_timeout,
        seed: common.seed.unwrap_or_else(rand::random),
        vu_memory: common.vu_memory,
        log_level: common.log_level.into(),
        http,
        thresholds: common.thresholds.clone(),
        data: Arc::new(data),
        setup_timeout: common.setup_timeout,
    })
}
