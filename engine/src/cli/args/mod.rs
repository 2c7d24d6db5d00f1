//! The command line as the user types it: clap's flags and subcommands, before they are
//! validated into a plan (`cli/plan.rs`). The flags of a run are in `run.rs`.

mod http;
mod run;

pub use http::HttpArgs;
pub use run::{CommonArgs, RunArgs};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use super::exit::EXIT_CODES_HELP;
use super::parse;

/// A load-testing engine whose virtual users are sandboxed WebAssembly components.
#[derive(Debug, Parser)]
#[command(name = "horde", version, about, after_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
pub struct NewArgs {
    /// The scenario's language.
    #[arg(long, value_enum)]
    pub lang: crate::scaffold::Lang,
    /// The scenario's name, also the project's directory (lower case, digits, dashes).
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum CacheAction {
    /// Remove every compiled component from the cache.
    Clean,
    /// Print the cache directory.
    Dir,
}

#[derive(Debug, Args)]
pub struct TableArgs {
    /// Summaries written by `horde run --json`, in the order their rows are shown.
    #[arg(required = true)]
    pub summaries: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The baseline summary.
    pub a: PathBuf,
    /// The summary compared with it.
    pub b: PathBuf,
    /// Print the comparison as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The scenario component (.wasm).
    pub scenario: PathBuf,
    /// Print the metadata as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Number of users.
    #[arg(short = 'u', long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub users: u32,
    /// Users started per second.
    #[arg(short = 'r', long, default_value = "25", value_parser = parse::rate)]
    pub spawn_rate: f64,
    /// How long the demo runs.
    #[arg(short = 't', long, default_value = "15s", value_parser = parse::positive_duration)]
    pub run_time: Duration,
    /// Run the target as the seed-1 misconfigured gateway that accepts expired tokens.
    #[arg(long)]
    pub lax_expiry: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Accept expired tokens on the API routes (the seed-1 gateway that forgets to check
    /// expiry); introspection still reports them inactive.
    #[arg(long)]
    pub lax_expiry: bool,
    /// Lifetime of issued tokens.
    #[arg(long, default_value = "300s", value_parser = parse::positive_duration)]
    pub token_ttl: Duration,
    /// Hold every response for 1 s every 5 s (a stalling server, to see what stalls do to
    /// latency measured with and without coordinated omission).
    #[arg(long)]
    pub stall: bool,
    /// Also accept the accounts of this CSV file, whose header names `username` and
    /// `password` (the same file a scenario can read with --data users=FILE).
    #[arg(long, value_name = "FILE")]
    pub users_file: Option<PathBuf>,
}
