//! The run API (`horde::run`) used as a dashboard or a shard coordinator will use it: a run
//! started in-process, its per-second ticks read, and its control used while it goes on.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use horde::data::DataSets;
use horde::host::BaseUrl;
use horde::host::bindings::types::LogLevel;
use horde::load::{ArrivalSchedule, ClosedModel, IterationLimit, LoadModel, OpenModel, Stage};
use horde::run::{self, ControlError, RunPlan, RunStatus, ScenarioSource, Tick};
use horde::scenario::ThinkTime;
use horde::target::DemoTarget;
use tokio::sync::broadcast::error::RecvError;
use tokio::time::timeout;

use crate::common::{guest, served, target};

fn closed(users: u32, run_time: Option<Duration>) -> ClosedModel {
    ClosedModel {
        users,
        spawn_rate: 100.0,
        run_time,
        iterations: None,
        stages: None,
        graceful_stop: Duration::ZERO,
    }
}

/// A plan for the `think` guest (a health check every 250 ms per VU) against `target`.
fn plan(target: &DemoTarget, model: LoadModel) -> RunPlan {
    let url = target.base_url();
    RunPlan {
        scenario: ScenarioSource::File(guest("think")),
        host: Some(BaseUrl::parse(&url).unwrap()),
        host_text: Some(url),
        model,
        env: HashMap::new(),
        think_override: None,
        task_timeout: Duration::from_secs(10),
        stop_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(5),
        seed: 7,
        vu_memory: 64 << 20,
        log_level: LogLevel::Warn,
        http: horde::http::HttpOptions::default(),
        thresholds: Vec::new(),
        data: Arc::new(DataSets::default()),
        setup_timeout: Duration::from_secs(10),
    }
}

/// The next tick, failing the test if none comes within 5 s.
async fn next_tick(ticks: &mut tokio::sync::broadcast::Receiver<Arc<Tick>>) -> Arc<Tick> {
    loop {
        match timeout(Duration::from_secs(5), ticks.recv()).await {
            Ok(Ok(tick)) => return tick,
            Ok(Err(RecvError::Lagged(_))) => continue,
            Ok(Err(RecvError::Closed)) => panic!("the tick stream closed"),
            Err(_) => panic!("no tick within 5 s"),
        }
    }
}

/// Reads ticks until one shows `users` VUs alive (within `limit` ticks).
async fn wait_for_users(
    ticks: &mut tokio::sync::broadcast::Receiver<Arc<Tick>>,
    users: u32,
    limit: usize,
) -> Arc<Tick> {
    let mut seen = Vec::new();
    for _ in 0..limit {
        let tick = next_tick(ticks).await;
        if tick.users == users {
            return tick;
        }
        seen.push(tick.users);
    }
    panic!("no tick showed {users} users; the ticks showed {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticks_come_each_second_and_the_last_one_holds_the_summarys_totals() {
    let target = target().await;
    let handle = run::start(plan(
        &target,
        LoadModel::Closed(closed(4, Some(Duration::from_secs(3)))),
    ));
    let mut ticks = handle.ticks();
    let mut seen = Vec::new();
    loop {
        match timeout(Duration::from_secs(10), ticks.recv()).await {
            Ok(Ok(tick)) => seen.push(tick),
            Ok(Err(RecvError::Closed)) => break,
            Ok(Err(e)) => panic!("the tick stream failed: {e}"),
            Err(_) => panic!("no tick within 10 s"),
        }
    }
    let outcome = handle.outcome().await.expect("the run completes");
    let last = seen.last().expect("ticks came");
    assert!(last.last, "the stream ends with the last tick");
    assert_eq!(seen.iter().filter(|t| t.last).count(), 1);
    let every_second: Vec<_> = seen.iter().filter(|t| !t.last).collect();
    assert!(
        (2..=4).contains(&every_second.len()),
        "a 3 s run ticks 2 to 4 times before its last: {}",
        every_second.len()
    );
    for pair in every_second.windows(2) {
        let gap = pair[1].elapsed.saturating_sub(pair[0].elapsed);
        assert!(
            gap > Duration::from_millis(700) && gap < Duration::from_millis(1500),
            "ticks a second apart: {gap:?}"
        );
    }
    // The tick at the planned end may come as teardown begins.
    assert!(
        every_second
            .iter()
            .all(|t| matches!(t.status, RunStatus::Running | RunStatus::Teardown))
    );
    assert_eq!(every_second[0].status, RunStatus::Running);
    assert_eq!(every_second.last().unwrap().target_users, 4);
    assert_eq!(
        every_second.last().unwrap().planned,
        Some(Duration::from_secs(3))
    );
    // The intervals add up to the totals, and the last tick's totals are the summary's.
    let from_intervals: u64 = seen.iter().map(|t| t.interval.aggregated().requests).sum();
    let total = last.totals.aggregated().requests;
    assert_eq!(from_intervals, total);
    assert_eq!(total, outcome.summary.aggregated.num_requests);
    assert_eq!(total, served(&target.stats(), "GET /api/health"));
    assert!(total > 20, "4 VUs for 3 s at 4 requests/s each: {total}");
    assert!(!outcome.interrupted);
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_ends_an_endless_run_and_keeps_its_results() {
    let target = target().await;
    let handle = run::start(plan(&target, LoadModel::Closed(closed(3, None))));
    let control = handle.control();
    let mut ticks = handle.ticks();
    wait_for_users(&mut ticks, 3, 5).await;
    control.stop();
    let outcome = timeout(Duration::from_secs(10), handle.outcome())
        .await
        .expect("a stopped run ends within its stop timeout")
        .expect("the run completes");
    assert!(outcome.interrupted);
    let recorded = outcome.summary.aggregated.num_requests;
    assert!(recorded > 0);
    assert_eq!(recorded, served(&target.stats(), "GET /api/health"));
    assert_eq!(*control.status().borrow(), RunStatus::Done);
    assert_eq!(control.set_users(1), Err(ControlError::Finished));
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_now_ends_a_run_at_once() {
    let target = target().await;
    // Half of looper's tasks never end: with these limits a graceful stop would wait ten
    // minutes for them; stopping now interrupts them.
    let mut endless = plan(
        &target,
        LoadModel::Closed(ClosedModel {
            graceful_stop: Duration::from_secs(600),
            ..closed(2, None)
        }),
    );
    endless.scenario = ScenarioSource::File(guest("looper"));
    endless.task_timeout = Duration::from_secs(600);
    endless.stop_timeout = Duration::from_secs(600);
    let handle = run::start(endless);
    let control = handle.control();
    let mut ticks = handle.ticks();
    wait_for_users(&mut ticks, 2, 5).await;
    control.stop_now();
    let outcome = timeout(Duration::from_secs(5), handle.outcome())
        .await
        .expect("stop_now waits neither for --graceful-stop nor for --stop-timeout")
        .expect("the run completes");
    assert!(outcome.interrupted);
    assert_eq!(
        outcome.summary.aggregated.num_requests,
        served(&target.stats(), "GET /api/health")
    );
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_users_retires_and_restarts_vus_while_the_run_goes_on() {
    let target = target().await;
    let handle = run::start(plan(&target, LoadModel::Closed(closed(6, None))));
    let control = handle.control();
    let mut ticks = handle.ticks();
    wait_for_users(&mut ticks, 6, 5).await;
    control.set_users(2).unwrap();
    let tick = wait_for_users(&mut ticks, 2, 5).await;
    assert_eq!(tick.target_users, 2);
    control.set_users(5).unwrap();
    wait_for_users(&mut ticks, 5, 5).await;
    assert_eq!(
        control.set_users(7),
        Err(ControlError::AboveCapacity { asked: 7, max: 6 })
    );
    assert!(matches!(
        control.set_rate(10.0),
        Err(ControlError::NotSteerable(_))
    ));
    control.stop();
    let outcome = handle.outcome().await.expect("the run completes");
    assert_eq!(outcome.summary.run.peak_users, 6);
    target.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_rate_replans_the_arrivals_of_an_open_model() {
    let target = target().await;
    let open = LoadModel::Open(OpenModel {
        schedule: ArrivalSchedule::constant(40.0, None),
        pre_vus: 10,
        max_vus: 20,
        graceful_stop: Duration::ZERO,
    });
    let handle = run::start(plan(&target, open));
    let control = handle.control();
    let mut ticks = handle.ticks();
    assert!(matches!(
        control.set_users(3),
        Err(ControlError::NotSteerable(_))
    ));
    assert_eq!(control.set_rate(-1.0), Err(ControlError::BadRate(-1.0)));
    // Skip the first tick: it holds the pool's start-up.
    next_tick(&mut ticks).await;
    let at_40 = next_tick(&mut ticks).await;
    let per_second = |t: &Tick| t.interval.aggregated().requests as f64 / t.interval_s;
    assert!(
        (30.0..=50.0).contains(&per_second(&at_40)),
        "40/s: {}",
        per_second(&at_40)
    );
    control.set_rate(0.0).unwrap();
    next_tick(&mut ticks).await; // the interval the change fell in
    let paused = next_tick(&mut ticks).await;
    assert_eq!(paused.interval.aggregated().requests, 0, "rate 0 pauses");
    assert_eq!(paused.rate, Some(0.0));
    control.set_rate(100.0).unwrap();
    next_tick(&mut ticks).await;
    let at_100 = next_tick(&mut ticks).await;
    assert!(
        (80.0..=120.0).contains(&per_second(&at_100)),
        "100/s: {}",
        per_second(&at_100)
    );
    control.stop();
    let outcome = handle.outcome().await.expect("the run completes");
    assert_eq!(
        outcome.summary.aggregated.num_requests,
        served(&target.stats(), "GET /api/health")
    );
    target.stop().await;
}

/// Regression: the crew kept VUs that had ended on their own among its running ones, so a
/// staged run counted them as alive: it started none in their place, and a ramp-down
/// "retired" VUs that were already gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staged_run_does_not_count_vus_that_ended_on_their_own_as_running() {
    let target = target().await;
    let stage = |ms, target| Stage {
        duration: Duration::from_millis(ms),
        target,
    };
    let mut staged = plan(
        &target,
        LoadModel::Closed(ClosedModel {
            stages: Some(vec![
                stage(100, 4),
                stage(5_000, 4),
                stage(100, 2),
                stage(4_000, 2),
            ]),
            iterations: Some(IterationLimit::PerVu(1)),
            ..closed(1, None)
        }),
    );
    // Each VU runs one task, thinks 1.5 s and ends: without replacements, none would be
    // alive after about 2 s.
    staged.think_override = Some(ThinkTime::Constant { ms: 1_500 });
    let handle = run::start(staged);
    let mut ticks = handle.ticks();
    let mut users = Vec::new();
    loop {
        let tick = next_tick(&mut ticks).await;
        if tick.last {
            break;
        }
        users.push((tick.elapsed.as_secs_f64().round() as u32, tick.users));
    }
    let outcome = handle.outcome().await.expect("the run completes");
    let at = |second: u32| users.iter().find(|(t, _)| *t == second).map(|(_, u)| *u);
    // VUs started together end together, and their replacements start on the next stage
    // step: a tick may fall in that gap, so each check asks for most seconds, not all.
    let alive = |seconds: &[u32]| -> Vec<u32> {
        seconds
            .iter()
            .map(|&s| at(s).unwrap_or_else(|| panic!("no tick at {s} s: {users:?}")))
            .collect()
    };
    let hold = alive(&[3, 4, 5]);
    assert!(
        hold.iter().filter(|&&n| n >= 3).count() >= 2,
        "4 VUs asked at 3-5 s: {users:?}"
    );
    // The ramp-down is at 5.2 s and the end at 9.2 s of the stages' clock, which starts
    // after the ticks' (and a late tick reads later still): 7 and 8 s are inside the hold.
    let after = alive(&[7, 8]);
    assert!(
        after.iter().all(|&n| n <= 2),
        "2 VUs asked at 7-8 s: {users:?}"
    );
    assert!(
        after.iter().any(|&n| n >= 1),
        "2 VUs asked at 7-8 s: {users:?}"
    );
    assert!(
        outcome.summary.aggregated.num_requests > 8,
        "VUs that ended were replaced"
    );
    target.stop().await;
}
