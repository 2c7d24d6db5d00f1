//! `setup` and `teardown`: the exports that run once per test, each on an instance of its own
//! (VU id 0, not a VU), bounded by `--setup-timeout`. Their requests are counted under names
//! starting with `[setup]` and `[teardown]`.

use std::sync::Arc;
use std::time::Duration;

use super::StopSignals;
use crate::host::{Phase, RunContext, ScenarioRuntime, VuState, trap_message};
use crate::shared::MAX_SETUP_VALUE_BYTES;
use crate::stats::VuErrorKind;

/// How setup ended when it did not fail.
pub enum SetupEnd {
    /// Its value is in the run's shared state; VUs may start.
    Done,
    /// The first signal came while it ran: no VU starts and teardown does not run.
    Interrupted,
}

/// Runs `setup` and stores its value for every VU; an error says why the run cannot start.
pub async fn run_setup(
    runtime: &ScenarioRuntime,
    run: &Arc<RunContext>,
    limit: Duration,
    signals: &StopSignals,
) -> Result<SetupEnd, String> {
    // The first signal stops setup's requests and sleeps, as it stops a VU's.
    let stop = signals.graceful.child_token();
    let (mut store, scenario) = runtime
        .instantiate(VuState::new(run.clone(), 0, 0, stop))
        .await
        .map_err(|e| {
            format!(
                "cannot instantiate the scenario for setup: {}",
                trap_message(&e)
            )
        })?;
    store.data_mut().enter(Phase::Setup, limit);
    let outcome = scenario.call_setup(&mut store).await;
    if signals.graceful.is_cancelled() {
        return Ok(SetupEnd::Interrupted);
    }
    let value = match outcome {
        Ok(Ok(value)) => value,
        Ok(Err(message)) => return Err(format!("setup returned an error: {message}")),
        Err(_) if store.data().timed_out => {
            return Err(format!("setup ran longer than --setup-timeout {limit:?}"));
        }
        Err(trap) => return Err(format!("setup failed: {}", trap_message(&trap))),
    };
    if value.len() > MAX_SETUP_VALUE_BYTES {
        return Err(format!(
            "setup returned {} bytes; its value is copied into every VU, so it may be at most {} MiB",
            value.len(),
            MAX_SETUP_VALUE_BYTES >> 20
        ));
    }
    run.shared
        .setup_value
        .set(value)
        .expect("setup runs once per run");
    Ok(SetupEnd::Done)
}

/// Runs `teardown` with setup's value. Its failure is counted (`stop_errors`, under
/// `teardown`) but does not change the run's outcome; a second signal cuts it short.
pub async fn run_teardown(
    runtime: &ScenarioRuntime,
    run: &Arc<RunContext>,
    limit: Duration,
    signals: &StopSignals,
) {
    // Not a child of the run's stop token: that one is cancelled by the time the VUs are done.
    let stop = signals.immediate.child_token();
    let failed = |message: &str| {
        run.stats
            .record_vu_error(VuErrorKind::StopError, "teardown", message)
    };
    let (mut store, scenario) = match runtime
        .instantiate(VuState::new(run.clone(), 0, 0, stop))
        .await
    {
        Ok(pair) => pair,
        Err(e) => return failed(&trap_message(&e)),
    };
    store.data_mut().enter(Phase::Teardown, limit);
    let value = run.shared.setup_value().to_vec();
    match scenario.call_teardown(&mut store, &value).await {
        Ok(Ok(())) => {}
        _ if signals.immediate.is_cancelled() => {}
        Ok(Err(message)) => failed(&message),
        Err(_) if store.data().timed_out => failed(&format!(
            "teardown ran longer than --setup-timeout {limit:?}"
        )),
        Err(trap) => failed(&trap_message(&trap)),
    }
}
