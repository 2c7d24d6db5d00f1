//! The command line: flags parsed by clap into a validated [`RunPlan`], the subcommands, signal
//! handling, and the exit codes (documented in README.md and `horde --help`).

mod parse;

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::data::{DataSet, DataSets, Format, WhenExhausted};
use crate::host::BaseUrl;
use crate::host::bindings::types::LogLevel;
use crate::load::{
    self, ArrivalSchedule, ClosedModel, IterationLimit, LoadModel, OpenModel, RunError, RunOutcome,
    RunPlan, ScenarioSource, StopSignals,
};
use crate::report;
use crate::scenario::ThinkTime;
use crate::thresholds::Threshold;

/// `--threshold`: the parse error quotes the bad part.
fn parse_threshold(text: &str) -> Result<Threshold, String> {
    crate::thresholds::parse(text).map_err(|e| e.to_string())
}
use crate::target::{DemoTarget, Stall, TargetConfig, demo_users, read_users_file};

/// Exit codes. Failed requests do not change the exit code; a run that completes exits 0.
pub mod exit {
    /// The command did what was asked.
    pub const OK: u8 = 0;
    /// Something went wrong that is not the input's fault (an output file could not be written).
    pub const ERROR: u8 = 1;
    /// A flag or argument is wrong: a bad value, a malformed --host URL, a file given to
    /// `compare` that is not a horde summary.
    pub const USAGE: u8 = 2;
    /// The scenario file cannot be used: not Wasm, not a component, another world, a missing
    /// export, another WIT version, invalid metadata.
    pub const SCENARIO: u8 = 3;
    /// The target named by --host does not accept connections.
    pub const UNREACHABLE: u8 = 4;
    /// A threshold failed (k6's code); its results were written.
    pub const THRESHOLD_FAILED: u8 = 99;
    /// The scenario's `setup` failed (an error, a trap, its time limit): no VU was started.
    pub const SETUP: u8 = 5;
    /// The run was stopped by SIGINT or SIGTERM; its results were still written.
    pub const INTERRUPTED: u8 = 130;
}

const EXIT_CODES_HELP: &str = "Exit codes: 0 done; 1 error (e.g. an output file could not be written); \
2 bad flag or argument (also a malformed --data file, or a file given to compare that is not a horde summary); \
3 the scenario file cannot be used; 4 the target is unreachable; 5 setup failed; 99 a threshold failed; \
130 interrupted by a signal (results still written).";

/// A load-testing engine whose virtual users are sandboxed WebAssembly components.
#[derive(Debug, Parser)]
#[command(name = "horde", version, about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario against a target: N users looping over their tasks (closed model), or
    /// iterations started at a rate (open model, --rate / --rate-stages).
    Run(RunArgs),
    /// Print a scenario's metadata (tasks, weights, think time) without running it.
    Inspect(InspectArgs),
    /// Start the demo target on a free loopback port and run the bundled seed-0 scenario
    /// (log in, then read profile and orders) against it.
    Demo(DemoArgs),
    /// Serve the demo auth API (JWT login, introspection, sessions) until interrupted.
    DemoTarget(TargetArgs),
    /// Compare two runs' JSON summaries (horde run --json): B against A, per name and in total.
    Compare(CompareArgs),
    /// Write a new scenario project (seed 0 in LANG, its SDK, the WIT contract and a `build`
    /// script) in the directory NAME; `cd NAME && ./build` makes target/NAME.wasm.
    New(NewArgs),
    /// Several runs' JSON summaries in one table: a row per run and request name with load,
    /// average time, error %, throughput and kB/s received and sent; then bandwidth and checks.
    Table(TableArgs),
    /// The compiled-component cache: scenarios compiled to native code once, kept by hash
    /// (in $HORDE_CACHE_DIR, else $XDG_CACHE_HOME/horde/components or ~/.cache/horde/components).
    Cache {
        #[command(subcommand)]
        action: CacheAction,
    },
}

#[derive(Debug, Args)]
struct NewArgs {
    /// The scenario's language.
    #[arg(long, value_enum)]
    lang: crate::scaffold::Lang,
    /// The scenario's name, also the project's directory (lower case, digits, dashes).
    name: String,
}

#[derive(Debug, Subcommand)]
enum CacheAction {
    /// Remove every compiled component from the cache.
    Clean,
    /// Print the cache directory.
    Dir,
}

#[derive(Debug, Args)]
struct TableArgs {
    /// Summaries written by `horde run --json`, in the order their rows are shown.
    #[arg(required = true)]
    summaries: Vec<PathBuf>,
}

#[derive(Debug, Args)]
struct CompareArgs {
    /// The baseline summary.
    a: PathBuf,
    /// The summary compared with it.
    b: PathBuf,
    /// Print the comparison as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("open").args(["rate", "rate_stages"]).multiple(true)))]
struct RunArgs {
    /// The scenario component (.wasm).
    scenario: PathBuf,
    /// Base URL that request paths are joined to, e.g. http://127.0.0.1:8080.
    #[arg(short = 'H', long)]
    host: Option<String>,
    /// Number of concurrent users (VUs).
    #[arg(short = 'u', long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    users: u32,
    /// Users started per second.
    #[arg(short = 'r', long, default_value = "1", value_parser = parse::rate)]
    spawn_rate: f64,
    /// Stop after this long (e.g. 30s, 5m, 1h30m); without it, run until Ctrl-C (or until
    /// the iterations are done).
    #[arg(short = 't', long, value_parser = parse::positive_duration)]
    run_time: Option<Duration>,
    /// End after this many iterations (task runs) in all, shared by the VUs.
    #[arg(long, value_name = "N", conflicts_with = "iterations_per_vu", value_parser = clap::value_parser!(u64).range(1..))]
    iterations: Option<u64>,
    /// End after each VU has run this many iterations (task runs).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    iterations_per_vu: Option<u64>,
    /// Ramp the number of VUs linearly through stages, e.g. 30s:100,1m:100,10s:0, instead of
    /// --users and --run-time (the ramps set the spawn rate); the run ends after the last stage.
    #[arg(long, value_name = "STAGES", value_parser = parse::stages, conflicts_with_all = ["users", "run_time"])]
    stages: Option<parse::StageList>,
    /// How long a VU being removed (a ramp-down, the end of the run) may finish its current
    /// task before it is stopped; on-stop runs after it either way.
    #[arg(long, default_value = "0s", value_parser = parse::duration)]
    graceful_stop: Duration,
    /// Open model: start this many iterations (task runs) per second, e.g. 1000/s or 600/m,
    /// for --run-time or until Ctrl-C, each on a free VU; with --rate-stages, the rate to
    /// start from.
    #[arg(long, value_name = "RATE", value_parser = parse::arrival_rate,
          conflicts_with_all = ["users", "spawn_rate", "stages", "iterations", "iterations_per_vu"])]
    rate: Option<f64>,
    /// Open model: ramp the arrival rate linearly through stages, e.g.
    /// 30s:100/s,1m:1000/s,10s:0/s (from 0, or from --rate); the run ends after the last.
    #[arg(long, value_name = "STAGES", value_parser = parse::rate_stages,
          conflicts_with_all = ["users", "spawn_rate", "stages", "iterations", "iterations_per_vu", "run_time"])]
    rate_stages: Option<parse::RateStageList>,
    /// Open model: VUs started (through on-start) before the first iteration [default: 10,
    /// at most --max-vus].
    #[arg(long, value_name = "N", requires = "open", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pre_vus: Option<u32>,
    /// Open model: the most VUs the pool grows to when no VU is free for an iteration (that
    /// iteration is dropped and counted).
    #[arg(long, value_name = "N", requires = "open", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_vus: u32,
    #[command(flatten)]
    common: CommonArgs,
}

/// Flags shared by `run` and `demo`.
#[derive(Debug, Args)]
struct CommonArgs {
    /// A value for the scenario's context.env(KEY); repeatable.
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse::key_value)]
    env: Vec<(String, String)>,
    /// A data set the scenario reads rows from: a .csv file with a header row, or a .jsonl
    /// file with one JSON value per line; loaded and checked before the run; repeatable.
    #[arg(long = "data", value_name = "NAME=FILE", value_parser = parse::data_set)]
    data: Vec<(String, PathBuf)>,
    /// What a unique read does once its data set has handed out every row: error (the read
    /// fails and is counted) or stop (the read fails and the VU ends).
    #[arg(long, value_enum, default_value_t = Exhausted::Error)]
    data_exhausted: Exhausted,
    /// How long the scenario's setup, and then its teardown, may each run.
    #[arg(long, default_value = "60s", value_parser = parse::positive_duration)]
    setup_timeout: Duration,
    /// Write the summary as JSON to FILE (schema: docs/summary.schema.json).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write Locust's CSV files: PREFIX_stats.csv, PREFIX_stats_history.csv,
    /// PREFIX_failures.csv and PREFIX_exceptions.csv (see docs/results.md).
    #[arg(long, value_name = "PREFIX")]
    csv: Option<PathBuf>,
    /// Write the run as one self-contained HTML page with charts and tables.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Write thresholds and checks as JUnit XML test cases, for CI systems.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// A pass/fail criterion in k6's syntax, e.g. 'http_req_duration{name:/api/orders}:
    /// p(95)<200' or 'http_req_failed: rate<0.01, abortOnFail'; repeatable. A failed one
    /// makes horde exit with 99.
    #[arg(long = "threshold", value_name = "EXPR", value_parser = parse_threshold)]
    thresholds: Vec<Threshold>,
    /// With --csv, add a row per (method, name) to each second of PREFIX_stats_history.csv,
    /// not only the Aggregated one (Locust's --csv-full-history).
    #[arg(long, requires = "csv")]
    csv_full_history: bool,
    /// A task (or on-start) running longer is stopped and counted as an error; the VU restarts.
    #[arg(long, default_value = "60s", value_parser = parse::positive_duration)]
    task_timeout: Duration,
    /// At the end, how long VUs get to finish their request and run on-stop.
    #[arg(long, default_value = "5s", value_parser = parse::duration)]
    stop_timeout: Duration,
    /// Default timeout of one request (a request may set its own).
    #[arg(long, default_value = "30s", value_parser = parse::positive_duration)]
    request_timeout: Duration,
    /// Think time between tasks, overriding the scenario's: between(1, 5), constant(2),
    /// constant_pacing(1), constant_throughput(10) or none (durations in s, or 500ms).
    #[arg(long, value_name = "THINK", value_parser = parse::think_time)]
    wait: Option<ThinkTime>,
    /// Seed of the VUs' random generators (task choice, think time); random by default.
    #[arg(long)]
    seed: Option<u64>,
    /// Linear memory each VU may use; a VU going past it traps and restarts.
    #[arg(long, default_value = "64MiB", value_parser = parse::size)]
    vu_memory: usize,
    /// Lowest level of scenario log lines shown.
    #[arg(long, value_enum, default_value_t = Level::Info)]
    log_level: Level,
    /// No live view (a table redrawn each second on a terminal, else a progress line).
    #[arg(short, long)]
    quiet: bool,
    /// Speak HTTP/2 to plain http:// targets too (h2c, prior knowledge). Over https:// HTTP/2
    /// is used whenever the server offers it.
    #[arg(long)]
    http2: bool,
    /// Connect from these local addresses, spread over the VUs (comma-separated, e.g.
    /// 127.0.0.2,127.0.0.3), to open more connections than one address's ports allow.
    #[arg(long, value_name = "ADDRS", value_delimiter = ',')]
    local_addr: Vec<std::net::IpAddr>,
    /// Also trust the certificate authorities in this PEM file for https:// targets (a test
    /// or company CA); the public web's roots stay trusted. Repeatable.
    #[arg(long, value_name = "FILE")]
    ca_cert: Vec<std::path::PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Exhausted {
    Error,
    Stop,
}

impl From<Exhausted> for WhenExhausted {
    fn from(e: Exhausted) -> Self {
        match e {
            Exhausted::Error => WhenExhausted::Error,
            Exhausted::Stop => WhenExhausted::StopVu,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl From<Level> for LogLevel {
    fn from(l: Level) -> Self {
        match l {
            Level::Trace => LogLevel::Trace,
            Level::Debug => LogLevel::Debug,
            Level::Info => LogLevel::Info,
            Level::Warn => LogLevel::Warn,
            Level::Error => LogLevel::Error,
        }
    }
}

#[derive(Debug, Args)]
struct InspectArgs {
    /// The scenario component (.wasm).
    scenario: PathBuf,
    /// Print the metadata as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Number of users.
    #[arg(short = 'u', long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    users: u32,
    /// Users started per second.
    #[arg(short = 'r', long, default_value = "25", value_parser = parse::rate)]
    spawn_rate: f64,
    /// How long the demo runs.
    #[arg(short = 't', long, default_value = "15s", value_parser = parse::positive_duration)]
    run_time: Duration,
    /// Run the target as the seed-1 misconfigured gateway that accepts expired tokens.
    #[arg(long)]
    lax_expiry: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
struct TargetArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Accept expired tokens on the API routes (the seed-1 gateway that forgets to check
    /// expiry); introspection still reports them inactive.
    #[arg(long)]
    lax_expiry: bool,
    /// Lifetime of issued tokens.
    #[arg(long, default_value = "300s", value_parser = parse::positive_duration)]
    token_ttl: Duration,
    /// Hold every response for 1 s every 5 s (a stalling server, to see what stalls do to
    /// latency measured with and without coordinated omission).
    #[arg(long)]
    stall: bool,
    /// Also accept the accounts of this CSV file, whose header names `username` and
    /// `password` (the same file a scenario can read with --data users=FILE).
    #[arg(long, value_name = "FILE")]
    users_file: Option<PathBuf>,
}

/// The built seed-0 scenario, so `horde demo` needs no wasm toolchain. `scripts/build`
/// refreshes it; a test fails when it is older than its sources.
pub const DEMO_SCENARIO: &[u8] = include_bytes!("../../assets/authenticated-user.wasm");

/// A failure with its exit code and a one-line message.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        let code = match e {
            RunError::Scenario(_) => exit::SCENARIO,
            RunError::Unreachable { .. } => exit::UNREACHABLE,
            RunError::Setup(_) => exit::SETUP,
        };
        Failure::new(code, e.to_string())
    }
}

/// Parses the command line, runs it, and returns the process exit code.
pub async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return ExitCode::from(
                    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                        exit::USAGE
                    } else {
                        exit::OK
                    },
                );
            }
            // One line naming the problem, instead of clap's usage block.
            let rendered = e.render().to_string();
            let mut lines = rendered.lines().filter(|l| !l.trim().is_empty());
            let mut first = lines
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ")
                .to_string();
            // "the following required arguments were not provided:" names them on the next line.
            if first.ends_with(':')
                && let Some(next) = lines.next()
            {
                first = format!("{first} {}", next.trim());
            }
            eprintln!("error: {first} (see horde --help)");
            return ExitCode::from(exit::USAGE);
        }
    };
    match run(cli).await {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

async fn run(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Run(args) => {
            let (host, host_text) = match &args.host {
                Some(h) => (
                    Some(BaseUrl::parse(h).map_err(|m| Failure::new(exit::USAGE, m))?),
                    Some(h.clone()),
                ),
                None => (None, None),
            };
            let model = load_model(&args)?;
            let plan = plan(
                ScenarioSource::File(args.scenario),
                host,
                host_text,
                model,
                &args.common,
            )?;
            let outcome = load::execute(plan, install_signals()).await?;
            finish(outcome, &args.common)
        }
        Command::Inspect(args) => {
            let runtime = ScenarioSource::File(args.scenario)
                .load(
                    crate::host::Sandbox {
                        max_vus: 1,
                        vu_memory: 64 << 20,
                    },
                    load::describe_context(64 << 20),
                )
                .await
                .map_err(|e| Failure::new(exit::SCENARIO, e.to_string()))?;
            if args.json {
                let text = serde_json::to_string_pretty(&runtime.meta)
                    .map_err(|e| Failure::new(exit::ERROR, e.to_string()))?;
                println!("{text}");
            } else {
                print!("{}", report::print_inspect(&runtime.meta));
            }
            Ok(exit::OK)
        }
        Command::Demo(args) => demo(args).await,
        Command::Compare(args) => compare(args),
        Command::Table(args) => {
            let runs = report::table::load_runs(&args.summaries)
                .map_err(|m| Failure::new(exit::USAGE, m))?;
            let text = report::table::render(&runs);
            let mut stdout = std::io::stdout().lock();
            let _ = stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush());
            Ok(exit::OK)
        }
        Command::Cache { action } => cache(action),
        Command::New(args) => {
            let dir = crate::scaffold::create(Path::new("."), args.lang, &args.name).map_err(
                |e| match e {
                    crate::scaffold::ScaffoldError::Write { .. } => {
                        Failure::new(exit::ERROR, e.to_string())
                    }
                    _ => Failure::new(exit::USAGE, e.to_string()),
                },
            )?;
            println!(
                "wrote {} ({} scenario): cd {} && ./build, then horde run target/{}.wasm --host URL",
                dir.display(),
                args.lang,
                args.name,
                args.name
            );
            Ok(exit::OK)
        }
        Command::DemoTarget(args) => {
            let users = match &args.users_file {
                Some(path) => read_users_file(path).map_err(|m| Failure::new(exit::USAGE, m))?,
                None => Vec::new(),
            };
            let config = TargetConfig {
                lax_expiry: args.lax_expiry,
                token_ttl: args.token_ttl,
                stall: args.stall.then(Stall::default),
                users,
            };
            let target = DemoTarget::start(args.listen, config).await.map_err(|e| {
                Failure::new(
                    exit::ERROR,
                    format!("cannot start the demo target on {}: {e:#}", args.listen),
                )
            })?;
            println!("demo target listening on {}", target.base_url());
            let _ = std::io::stdout().flush();
            let signals = install_signals();
            signals.graceful.cancelled().await;
            target.stop().await;
            Ok(exit::OK)
        }
    }
}

/// The load model the `run` flags describe.
fn load_model(args: &RunArgs) -> Result<LoadModel, Failure> {
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
        return Err(Failure::new(
            exit::USAGE,
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
        return Err(Failure::new(
            exit::USAGE,
            format!(
                "--pre-vus {} is above --max-vus {}; raise --max-vus or lower --pre-vus",
                args.pre_vus.unwrap_or_default(),
                args.max_vus
            ),
        ));
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
fn plan(
    scenario: ScenarioSource,
    host: Option<BaseUrl>,
    host_text: Option<String>,
    model: LoadModel,
    common: &CommonArgs,
) -> Result<RunPlan, Failure> {
    let data = DataSets::load(&common.data, common.data_exhausted.into())
        .map_err(|e| Failure::new(exit::USAGE, e.to_string()))?;
    let mut ca_certs = Vec::new();
    for path in &common.ca_cert {
        ca_certs.extend(crate::http::read_ca_certs(path).map_err(|why| {
            Failure::new(exit::USAGE, format!("--ca-cert {}: {why}", path.display()))
        })?);
    }
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
        quiet: common.quiet,
        http2: common.http2,
        local_addrs: common.local_addr.clone(),
        ca_certs,
        thresholds: common.thresholds.clone(),
        data: std::sync::Arc::new(data),
        setup_timeout: common.setup_timeout,
    })
}

/// Prints the summary, writes the requested files, and picks the exit code.
fn finish(outcome: RunOutcome, common: &CommonArgs) -> Result<u8, Failure> {
    let text = report::render_summary(&outcome.summary);
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`horde run … | head`) is not an error of the run.
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
    if let Some(path) = &common.json {
        report::write_json(&outcome.summary, path)
            .map_err(|e| Failure::new(exit::ERROR, format!("{e:#}")))?;
    }
    if let Some(prefix) = &common.csv {
        report::write_csv(&outcome.summary, prefix, common.csv_full_history)
            .map_err(|e| Failure::new(exit::ERROR, format!("{e:#}")))?;
    }
    if let Some(path) = &common.html {
        report::write_html(&outcome.summary, path)
            .map_err(|e| Failure::new(exit::ERROR, format!("{e:#}")))?;
    }
    if let Some(path) = &common.junit {
        report::write_junit(&outcome.summary, path)
            .map_err(|e| Failure::new(exit::ERROR, format!("{e:#}")))?;
    }
    Ok(if outcome.summary.thresholds.iter().any(|t| !t.passed) {
        exit::THRESHOLD_FAILED
    } else if outcome.interrupted {
        exit::INTERRUPTED
    } else {
        exit::OK
    })
}

/// `horde compare`: a file that is not a horde summary is bad input (exit 2), like a bad flag.
fn cache(action: CacheAction) -> Result<u8, Failure> {
    use crate::host::cache;
    let dir = cache::cache_dir().ok_or_else(|| {
        Failure::new(
            exit::ERROR,
            format!(
                "no cache directory: set {} (or HOME or XDG_CACHE_HOME)",
                cache::CACHE_DIR_ENV
            ),
        )
    })?;
    match action {
        CacheAction::Dir => println!("{}", dir.display()),
        CacheAction::Clean => {
            let cleaned = cache::clean(&dir).map_err(|e| {
                Failure::new(
                    exit::ERROR,
                    format!("cannot clean the cache {}: {e}", dir.display()),
                )
            })?;
            println!(
                "removed {} compiled component(s), {:.1} MB, from {}",
                cleaned.files,
                cleaned.bytes as f64 / 1e6,
                dir.display()
            );
        }
    }
    Ok(exit::OK)
}

fn compare(args: CompareArgs) -> Result<u8, Failure> {
    use report::compare;
    let a = compare::load(&args.a).map_err(|m| Failure::new(exit::USAGE, m))?;
    let b = compare::load(&args.b).map_err(|m| Failure::new(exit::USAGE, m))?;
    let comparison = compare::compare(&args.a, &a, &args.b, &b);
    let text = if args.json {
        let mut text = serde_json::to_string_pretty(&comparison)
            .map_err(|e| Failure::new(exit::ERROR, e.to_string()))?;
        text.push('\n');
        text
    } else {
        compare::render(&comparison)
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush());
    Ok(exit::OK)
}

/// The bundled scenario logs in with accounts from the data set `users` (unique rows): the
/// demo makes one account per user, gives them to the target and to the run.
async fn demo(args: DemoArgs) -> Result<u8, Failure> {
    let accounts = demo_users(args.users);
    let config = TargetConfig {
        lax_expiry: args.lax_expiry,
        users: accounts.clone(),
        ..TargetConfig::default()
    };
    let target = DemoTarget::start(SocketAddr::from(([127, 0, 0, 1], 0)), config)
        .await
        .map_err(|e| Failure::new(exit::ERROR, format!("cannot start the demo target: {e:#}")))?;
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
    let host = BaseUrl::parse(&url).map_err(|m| Failure::new(exit::ERROR, m))?;
    let mut plan = plan(scenario, Some(host), Some(url), model, &args.common)?;
    let mut csv = String::from("username,password\n");
    for (user, password) in &accounts {
        csv.push_str(&format!("{user},{password}\n"));
    }
    let users = DataSet::parse("users", "(demo accounts)", Format::Csv, &csv)
        .map_err(|e| Failure::new(exit::ERROR, e.to_string()))?;
    std::sync::Arc::get_mut(&mut plan.data)
        .expect("the plan's data sets are not shared yet")
        .add_if_missing(users);
    let outcome = load::execute(plan, install_signals()).await;
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

/// First SIGINT/SIGTERM: stop gracefully; second: stop at once. Results are written either way.
fn install_signals() -> StopSignals {
    let signals = StopSignals::default();
    let s = signals.clone();
    tokio::spawn(async move {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => return,
            };
        let next = async {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        };
        next.await;
        eprintln!(
            "stopping: finishing requests and writing results (signal again to stop at once)"
        );
        s.graceful.cancel();
        let again = async {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        };
        again.await;
        s.immediate.cancel();
    });
    signals
}
