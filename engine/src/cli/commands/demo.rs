//! `horde demo` (the demo target on a free loopback port, and the bundled seed-0 scenario run
//! against it) and `horde demo-target` (the demo target alone, until a signal).

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use super::run::{finish, watch};
use crate::cli::args::{DemoArgs, TargetArgs};
use crate::cli::exit::{self, Failure};
use crate::cli::{plan, signals};
use crate::data::{DataSet, Format};
use crate::load::{ClosedModel, LoadModel};
use crate::run::ScenarioSource;
use crate::target::{DemoTarget, Stall, TargetConfig, demo_users, read_users_file};

/// The built seed-0 scenario, so `horde demo` needs no wasm toolchain. `scripts/build`
/// refreshes it; a test fails when it is older than its sources.
pub const DEMO_SCENARIO: &[u8] = include_bytes!("../../../assets/authenticated-user.wasm");

/// The bundled scenario logs in with accounts from the data set `users` (unique rows): the
/// demo makes one account per user, gives them to the target and to the run.
pub async fn demo(args: DemoArgs) -> Result<u8, Failure> {
    let accounts = demo_users(args.users);
    let config = TargetConfig {
        lax_expiry: args.lax_expiry,
        users: accounts.clone(),
        ..TargetConfig::default()
    };
    let target = DemoTarget::start(SocketAddr::from(([127, 0, 0, 1], 0)), config)
        .await
        .map_err(|e| Failure::error(format!("cannot start the demo target: {e:#}")))?;
    let url = target.base_url();
    eprintln!(
        "demo target on {url}; running the bundled seed-0 scenario with {} users for {:?}",
        args.users, args.run_time
    );
    let model = LoadModel::Closed(ClosedModel {
        users: args.users,
        spawn_rate: args.spawn_rate,
        run_time: Some(args.run_time),
        iterations: None,
        stages: None,
        graceful_stop: Duration::ZERO,
    });
    let scenario = ScenarioSource::Embedded {
        name: "authenticated-user (bundled)".into(),
        bytes: DEMO_SCENARIO,
    };
    let host = plan::host(Some(&url)).map_err(|f| Failure::error(f.message))?;
    let mut plan = plan::plan(scenario, host, model, &args.common)?;
    let mut csv = String::from("username,password\n");
    for (user, password) in &accounts {
        csv.push_str(&format!("{user},{password}\n"));
    }
    let users = DataSet::parse("users", "(demo accounts)", Format::Csv, &csv)
        .map_err(|e| Failure::error(e.to_string()))?;
    Arc::get_mut(&mut plan.data)
        .expect("the plan's data sets are not shared yet")
        .add_if_missing(users);
    let outcome = watch(plan, args.common.quiet).await;
    let served = target.stats();
    target.stop().await;
    let outcome = outcome?;
    let counted = outcome.summary.aggregated.num_requests;
    let code = finish(outcome, &args.common)?;
    println!(
        "The target counted {} requests; horde recorded {counted}{}.",
        served.total,
        if served.total == counted {
            ", the same"
        } else {
            ""
        }
    );
    Ok(code)
}

pub async fn demo_target(args: TargetArgs) -> Result<u8, Failure> {
    let users = match &args.users_file {
        Some(path) => read_users_file(path).map_err(Failure::usage)?,
        None => Vec::new(),
    };
    let config = TargetConfig {
        lax_expiry: args.lax_expiry,
        token_ttl: args.token_ttl,
        stall: args.stall.then(Stall::default),
        users,
    };
    let target = DemoTarget::start(args.listen, config).await.map_err(|e| {
        Failure::error(format!(
            "cannot start the demo target on {}: {e:#}",
            args.listen
        ))
    })?;
    println!("demo target listening on {}", target.base_url());
    let _ = std::io::stdout().flush();
    signals::next().await;
    target.stop().await;
    Ok(exit::OK)
}
