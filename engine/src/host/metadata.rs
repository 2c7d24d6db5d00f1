//! A scenario's `metadata` export, from the WIT `scenario-info` to the checked
//! [`ScenarioMeta`] the rest of the engine reads.

use super::bindings::types::{ScenarioInfo, ThinkTime as WitThinkTime};
use crate::scenario::{ScenarioMeta, TaskMeta, ThinkTime};

/// What the scenario reported about itself, checked (`ScenarioMeta::checked`).
pub fn scenario_meta(info: ScenarioInfo, wit: &str) -> Result<ScenarioMeta, String> {
    ScenarioMeta {
        name: info.name,
        description: info.description,
        sdk: info.sdk,
        wit: wit.to_string(),
        tasks: info
            .tasks
            .into_iter()
            .map(|t| TaskMeta {
                name: t.name,
                weight: t.weight,
            })
            .collect(),
        think_time: think_time(info.think_time),
        thresholds: info.thresholds,
    }
    .checked()
}

fn think_time(t: WitThinkTime) -> ThinkTime {
    match t {
        WitThinkTime::None => ThinkTime::None,
        WitThinkTime::Between(r) => ThinkTime::Between {
            min_ms: r.min_ms,
            max_ms: r.max_ms,
        },
        WitThinkTime::Constant(ms) => ThinkTime::Constant { ms },
        WitThinkTime::ConstantPacing(ms) => ThinkTime::ConstantPacing { ms },
        WitThinkTime::ConstantThroughput(per_second) => {
            ThinkTime::ConstantThroughput { per_second }
        }
    }
}
