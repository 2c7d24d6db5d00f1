//! What a scenario says about itself (its metadata), checked, plus the two decisions the
//! metadata drives on every iteration: which task runs next and how long to think after it.

use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// A scenario's metadata, validated.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScenarioMeta {
    pub name: String,
    pub description: String,
    /// The SDK that built it, as the scenario reports it.
    pub sdk: String,
    /// The WIT package and version it was built against, such as `horde:scenario@0.2.0`.
    pub wit: String,
    pub tasks: Vec<TaskMeta>,
    pub think_time: ThinkTime,
    /// Thresholds in k6's syntax, checked when the metadata is read.
    #[serde(default)]
    pub thresholds: Vec<String>,
}

/// One task and its weight.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TaskMeta {
    pub name: String,
    pub weight: u32,
}

/// The wait after each task. Milliseconds throughout.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ThinkTime {
    None,
    Between { min_ms: u64, max_ms: u64 },
    Constant { ms: u64 },
    ConstantPacing { ms: u64 },
    ConstantThroughput { per_second: f64 },
}

impl ThinkTime {
    /// The think time as given, or why it cannot be used.
    pub fn checked(self) -> Result<Self, String> {
        match self {
            ThinkTime::Between { min_ms, max_ms } if min_ms > max_ms => Err(format!(
                "think time between({min_ms} ms, {max_ms} ms) has min above max"
            )),
            ThinkTime::ConstantThroughput { per_second }
                if !(per_second.is_finite() && per_second > 0.0) =>
            {
                Err(format!(
                    "think time constant-throughput({per_second}) must be a positive number of tasks per second"
                ))
            }
            t => Ok(t),
        }
    }

    /// How long to wait after a task that took `task_took`.
    pub fn wait_after(&self, rng: &mut impl Rng, task_took: impl FnOnce() -> Duration) -> Duration {
        match *self {
            ThinkTime::None => Duration::ZERO,
            ThinkTime::Between { min_ms, max_ms } => {
                let us = rng.random_range(min_ms * 1000..=max_ms * 1000);
                Duration::from_micros(us)
            }
            ThinkTime::Constant { ms } => Duration::from_millis(ms),
            ThinkTime::ConstantPacing { ms } => {
                Duration::from_millis(ms).saturating_sub(task_took())
            }
            ThinkTime::ConstantThroughput { per_second } => {
                Duration::from_secs_f64(1.0 / per_second).saturating_sub(task_took())
            }
        }
    }

    /// Reads like the scenario author wrote it: `between(1s, 5s)`.
    pub fn describe(&self) -> String {
        let secs = |ms: u64| {
            if ms.is_multiple_of(1000) {
                format!("{}s", ms / 1000)
            } else {
                format!("{ms}ms")
            }
        };
        match *self {
            ThinkTime::None => "none".to_string(),
            ThinkTime::Between { min_ms, max_ms } => {
                format!("between({}, {})", secs(min_ms), secs(max_ms))
            }
            ThinkTime::Constant { ms } => format!("constant({})", secs(ms)),
            ThinkTime::ConstantPacing { ms } => format!("constant_pacing({})", secs(ms)),
            ThinkTime::ConstantThroughput { per_second } => {
                format!("constant_throughput({per_second}/s)")
            }
        }
    }
}

impl ScenarioMeta {
    /// The metadata as the scenario reported it (by `host`, from the WIT `scenario-info`), or
    /// why it cannot be used: at least one task, unique non-empty names, weights of at least
    /// 1, a sane think time, thresholds that parse.
    pub fn checked(self) -> Result<Self, String> {
        if self.tasks.is_empty() {
            return Err("it declares no tasks; a scenario needs at least one".into());
        }
        for (i, t) in self.tasks.iter().enumerate() {
            if t.name.trim().is_empty() {
                return Err(format!("task {i} has an empty name"));
            }
            if t.weight == 0 {
                return Err(format!(
                    "task {:?} has weight 0; weights must be at least 1",
                    t.name
                ));
            }
            if self.tasks[..i].iter().any(|x| x.name == t.name) {
                return Err(format!(
                    "two tasks are named {:?}; names must be unique",
                    t.name
                ));
            }
        }
        for t in &self.thresholds {
            crate::thresholds::parse(t).map_err(|e| e.to_string())?;
        }
        Ok(Self {
            think_time: self.think_time.checked()?,
            ..self
        })
    }
}

/// Picks tasks at random in proportion to their weights.
#[derive(Debug, Clone)]
pub struct TaskPicker {
    /// Running sums of the weights.
    cumulative: Vec<u64>,
}

impl TaskPicker {
    pub fn new(tasks: &[TaskMeta]) -> Self {
        let mut sum = 0u64;
        let cumulative = tasks
            .iter()
            .map(|t| {
                sum += u64::from(t.weight);
                sum
            })
            .collect();
        Self { cumulative }
    }

    pub fn pick(&self, rng: &mut impl Rng) -> u32 {
        let total = *self.cumulative.last().expect("at least one task");
        let x = rng.random_range(0..total);
        self.cumulative.partition_point(|&c| c <= x) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    #[test]
    fn picker_follows_weights() {
        let tasks = [
            TaskMeta {
                name: "a".into(),
                weight: 3,
            },
            TaskMeta {
                name: "b".into(),
                weight: 1,
            },
        ];
        let picker = TaskPicker::new(&tasks);
        let mut rng = SmallRng::seed_from_u64(7);
        let mut counts = [0u32; 2];
        for _ in 0..40_000 {
            counts[picker.pick(&mut rng) as usize] += 1;
        }
        let ratio = f64::from(counts[0]) / f64::from(counts[1]);
        assert!((ratio - 3.0).abs() < 0.1, "ratio {ratio}");
    }

    #[test]
    fn pacing_subtracts_the_task_time() {
        let mut rng = SmallRng::seed_from_u64(1);
        let pacing = ThinkTime::ConstantPacing { ms: 1000 };
        assert_eq!(
            pacing.wait_after(&mut rng, || Duration::from_millis(300)),
            Duration::from_millis(700)
        );
        assert_eq!(
            pacing.wait_after(&mut rng, || Duration::from_millis(1300)),
            Duration::ZERO
        );
        let between = ThinkTime::Between {
            min_ms: 1000,
            max_ms: 5000,
        };
        for _ in 0..1000 {
            let w = between.wait_after(&mut rng, || Duration::ZERO);
            assert!(w >= Duration::from_secs(1) && w <= Duration::from_secs(5));
        }
    }
}
