//! The flags of `horde run` and those it shares with `horde demo`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::HttpArgs;
use crate::cli::parse;
use crate::data::WhenExhausted;
use crate::host::bindings::types::LogLevel;
use crate::scenario::ThinkTime;
use crate::thresholds::Threshold;

/// `--threshold`: the parse error quotes the bad part.
fn parse_threshold(text: &str) -> Result<Threshold, String> {
    crate::thresholds::parse(text).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("open").args(["rate", "rate_stages"]).multiple(true)))]
pub struct RunArgs {
    /// The scenario component (.wasm).
    pub scenario: PathBuf,
    /// Base URL that request paths are joined to, e.g. http://127.0.0.1:8080.
    #[arg(short = 'H', long)]
    pub host: Option<String>,
    /// Number of concurrent users (VUs).
    #[arg(short = 'u', long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub users: u32,
    /// Users started per second.
    #[arg(short = 'r', long, default_value = "1", value_parser = parse::rate)]
    pub spawn_rate: f64,
    /// Stop after this long (e.g. 30s, 5m, 1h30m); without it, run until Ctrl-C (or until
    /// the iterations are done).
    #[arg(short = 't', long, value_parser = parse::positive_duration)]
    pub run_time: Option<Duration>,
    /// End after this many iterations (task runs) in all, shared by the VUs.
    #[arg(long, value_name = "N", conflicts_with = "iterations_per_vu", value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations: Option<u64>,
    /// End after each VU has run this many iterations (task runs).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub iterations_per_vu: Option<u64>,
    /// Ramp the number of VUs linearly through stages, e.g. 30s:100,1m:100,10s:0, instead of
    /// --users and --run-time (the ramps set the spawn rate); the run ends after the last stage.
    #[arg(long, value_name = "STAGES", value_parser = parse::stages, conflicts_with_all = ["users", "run_time"])]
    pub stages: Option<parse::StageList>,
    /// How long a VU being removed (a ramp-down, the end of the run) may finish its current
    /// task before it is stopped; on-stop runs after it either way.
    #[arg(long, default_value = "0s", value_parser = parse::duration)]
    pub graceful_stop: Duration,
    /// Open model: start this many iterations (task runs) per second, e.g. 1000/s or 600/m,
    /// for --run-time or until Ctrl-C, each on a free VU; with --rate-stages, the rate to
    /// start from.
    #[arg(long, value_name = "RATE", value_parser = parse::arrival_rate,
          conflicts_with_all = ["users", "spawn_rate", "stages", "iterations", "iterations_per_vu"])]
    pub rate: Option<f64>,
    /// Open model: ramp the arrival rate linearly through stages, e.g.
    /// 30s:100/s,1m:1000/s,10s:0/s (from 0, or from --rate); the run ends after the last.
    #[arg(long, value_name = "STAGES", value_parser = parse::rate_stages,
          conflicts_with_all = ["users", "spawn_rate", "stages", "iterations", "iterations_per_vu", "run_time"])]
    pub rate_stages: Option<parse::RateStageList>,
    /// Open model: VUs started (through on-start) before the first iteration [default: 10,
    /// at most --max-vus].
    #[arg(long, value_name = "N", requires = "open", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub pre_vus: Option<u32>,
    /// Open model: the most VUs the pool grows to when no VU is free for an iteration (that
    /// iteration is dropped and counted).
    #[arg(long, value_name = "N", requires = "open", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_vus: u32,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Flags shared by `run` and `demo`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// A value for the scenario's context.env(KEY); repeatable.
    #[arg(long = "env", value_name = "KEY=VALUE", value_parser = parse::key_value)]
    pub env: Vec<(String, String)>,
    /// A data set the scenario reads rows from: a .csv file with a header row, or a .jsonl
    /// file with one JSON value per line; loaded and checked before the run; repeatable.
    #[arg(long = "data", value_name = "NAME=FILE", value_parser = parse::data_set)]
    pub data: Vec<(String, PathBuf)>,
    /// What a unique read does once its data set has handed out every row: error (the read
    /// fails and is counted) or stop (the read fails and the VU ends).
    #[arg(long, value_enum, default_value_t = Exhausted::Error)]
    pub data_exhausted: Exhausted,
    /// How long the scenario's setup, and then its teardown, may each run.
    #[arg(long, default_value = "60s", value_parser = parse::positive_duration)]
    pub setup_timeout: Duration,
    /// Write the summary as JSON to FILE (schema: docs/summary.schema.json).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write Locust's CSV files: PREFIX_stats.csv, PREFIX_stats_history.csv,
    /// PREFIX_failures.csv and PREFIX_exceptions.csv (see docs/results.md).
    #[arg(long, value_name = "PREFIX")]
    pub csv: Option<PathBuf>,
    /// Write the run as one self-contained HTML page with charts and tables.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write thresholds and checks as JUnit XML test cases, for CI systems.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// A pass/fail criterion in k6's syntax, e.g. 'http_req_duration{name:/api/orders}:
    /// p(95)<200' or 'http_req_failed: rate<0.01, abortOnFail'; repeatable. A failed one
    /// makes horde exit with 99.
    #[arg(long = "threshold", value_name = "EXPR", value_parser = parse_threshold)]
    pub thresholds: Vec<Threshold>,
    /// With --csv, add a row per (method, name) to each second of PREFIX_stats_history.csv,
    /// not only the Aggregated one (Locust's --csv-full-history).
    #[arg(long, requires = "csv")]
    pub csv_full_history: bool,
    /// A task (or on-start) running longer is stopped and counted as an error; the VU restarts.
    #[arg(long, default_value = "60s", value_parser = parse::positive_duration)]
    pub task_timeout: Duration,
    /// At the end, how long VUs get to finish their request and run on-stop.
    #[arg(long, default_value = "5s", value_parser = parse::duration)]
    pub stop_timeout: Duration,
    /// Default timeout of one request (a request may set its own).
    #[arg(long, default_value = "30s", value_parser = parse::positive_duration)]
    pub request_timeout: Duration,
    /// Think time between tasks, overriding the scenario's: between(1, 5), constant(2),
    /// constant_pacing(1), constant_throughput(10) or none (durations in s, or 500ms).
    #[arg(long, value_name = "THINK", value_parser = parse::think_time)]
    pub wait: Option<ThinkTime>,
    /// Seed of the VUs' random generators (task choice, think time); random by default.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Linear memory each VU may use; a VU going past it traps and restarts.
    #[arg(long, default_value = "64MiB", value_parser = parse::size)]
    pub vu_memory: usize,
    /// Lowest level of scenario log lines shown.
    #[arg(long, value_enum, default_value_t = Level::Info)]
    pub log_level: Level,
    /// No live view (a table redrawn each second on a terminal, else a progress line).
    #[arg(short, long)]
    pub quiet: bool,
    #[command(flatten)]
    pub http: HttpArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Exhausted {
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
pub enum Level {
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
