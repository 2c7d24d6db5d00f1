//! The command line: what the user typed (`args.rs`) becomes a validated plan (`plan.rs`), a
//! subcommand runs it (`commands/`), and its outcome becomes an exit code (`exit.rs`).

mod args;
mod commands;
pub mod exit;
mod http_plan;
mod parse;
mod plan;
mod signals;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};
use commands::{cache, compare, demo, inspect, new, run};
use exit::Failure;

pub use commands::demo::DEMO_SCENARIO;

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
    match dispatch(cli).await {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

async fn dispatch(cli: Cli) -> Result<u8, Failure> {
    match cli.command {
        Command::Run(args) => run::run(args).await,
        Command::Inspect(args) => inspect::inspect(args).await,
        Command::Demo(args) => demo::demo(args).await,
        Command::DemoTarget(args) => demo::demo_target(args).await,
        Command::Compare(args) => compare::compare(args),
        Command::Table(args) => compare::table(args),
        Command::New(args) => new::new(args),
        Command::Cache { action } => cache::cache(action),
    }
}
