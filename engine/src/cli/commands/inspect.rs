//! `horde inspect`: a scenario's metadata (tasks, weights, think time), without running it.

use super::print_out;
use crate::cli::args::InspectArgs;
use crate::cli::exit::{self, Failure};
use crate::host::Sandbox;
use crate::report;
use crate::run::{ScenarioSource, describe_context};

/// The memory a scenario gets while its metadata is read.
const INSPECT_MEMORY: usize = 64 << 20;

pub async fn inspect(args: InspectArgs) -> Result<u8, Failure> {
    let sandbox = Sandbox {
        max_vus: 1,
        vu_memory: INSPECT_MEMORY,
    };
    let runtime = ScenarioSource::File(args.scenario)
        .load(sandbox, describe_context(INSPECT_MEMORY))
        .await
        .map_err(|e| Failure::new(exit::SCENARIO, e.to_string()))?;
    if args.json {
        let mut text = serde_json::to_string_pretty(&runtime.meta)
            .map_err(|e| Failure::error(e.to_string()))?;
        text.push('\n');
        print_out(&text);
    } else {
        print_out(&report::print_inspect(&runtime.meta));
    }
    Ok(exit::OK)
}
