//! Per-thread recording and the harvest that merges it.
//!
//! Every worker thread records into its own shard, found through a thread-local, so the hot
//! path takes only its own shard's lock, which nobody else holds except the collector for the
//! moment of a harvest (once a second). There is no global lock and no channel per request.

use rustc_hash::FxHashMap as HashMap;
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::Method;
use parking_lot::Mutex;

use super::custom::{CustomStats, MetricSample};
use super::endpoint::{EndpointStats, Sample};

/// Errors reported by the guest's VUs themselves rather than by a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VuErrorKind {
    /// The guest trapped (a panic, an out-of-bounds access, its memory limit).
    Trap,
    /// A task ran past `--task-timeout` and was stopped.
    TaskTimeout,
    /// A task returned an error.
    TaskError,
    /// `on-start` returned an error.
    StartError,
    /// `on-stop` (or the run's `teardown`) returned an error or ran out of time.
    StopError,
}

/// Counts of VU-level events (the summary's `vu_errors`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VuCounts {
    pub traps: u64,
    pub task_timeouts: u64,
    pub task_errors: u64,
    pub start_errors: u64,
    pub stop_errors: u64,
    /// VUs started again after a trap, a timeout or a failed `on-start`.
    pub restarts: u64,
}

impl VuCounts {
    fn add(&mut self, other: &VuCounts) {
        self.traps += other.traps;
        self.task_timeouts += other.task_timeouts;
        self.task_errors += other.task_errors;
        self.start_errors += other.start_errors;
        self.stop_errors += other.stop_errors;
        self.restarts += other.restarts;
    }
}

/// Iterations (task runs) done, and those an arrival-rate run had to drop because no VU was
/// free (k6's `iterations` and `dropped_iterations`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IterationCounts {
    pub completed: u64,
    pub dropped: u64,
}

/// Identifies a row of the error report: what failed and how.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorKey {
    /// The HTTP method, or `TASK` / `VU` for errors of the scenario itself.
    pub method: Box<str>,
    pub name: Box<str>,
    pub message: Box<str>,
}

/// Statistics gathered over some span: one shard's since the last harvest, one interval, or
/// the whole run.
#[derive(Default, Clone)]
pub struct Snapshot {
    pub endpoints: HashMap<Method, HashMap<Box<str>, EndpointStats>>,
    /// Signed for the same reason as `EndpointStats::failures`.
    pub errors: HashMap<ErrorKey, i64>,
    pub vu: VuCounts,
    pub iterations: IterationCounts,
    /// Checks and custom metrics.
    pub custom: CustomStats,
}

impl Snapshot {
    fn endpoint(&mut self, method: &Method, name: &str) -> &mut EndpointStats {
        if !self.endpoints.contains_key(method) {
            self.endpoints.insert(method.clone(), HashMap::default());
        }
        let by_name = self.endpoints.get_mut(method).expect("inserted above");
        if !by_name.contains_key(name) {
            by_name.insert(name.into(), EndpointStats::default());
        }
        by_name.get_mut(name).expect("inserted above")
    }

    fn error(&mut self, method: &str, name: &str, message: &str, delta: i64) {
        let key = ErrorKey {
            method: method.into(),
            name: name.into(),
            message: message.into(),
        };
        *self.errors.entry(key).or_default() += delta;
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: &Snapshot) {
        for (method, by_name) in &other.endpoints {
            for (name, stats) in by_name {
                if !stats.is_empty() {
                    self.endpoint(method, name).merge(stats);
                }
            }
        }
        for (key, n) in &other.errors {
            *self.errors.entry(key.clone()).or_default() += n;
        }
        self.vu.add(&other.vu);
        self.iterations.completed += other.iterations.completed;
        self.iterations.dropped += other.iterations.dropped;
        self.custom.merge(&other.custom);
    }

    /// Zeroes everything, keeping allocations.
    pub fn reset(&mut self) {
        for by_name in self.endpoints.values_mut() {
            for stats in by_name.values_mut() {
                stats.reset();
            }
        }
        self.errors.clear();
        self.vu = VuCounts::default();
        self.iterations = IterationCounts::default();
        self.custom.clear();
    }

    /// Every endpoint's statistics merged into one (Locust's "Aggregated" row).
    pub fn aggregated(&self) -> EndpointStats {
        let mut all = EndpointStats::default();
        for stats in self.endpoints.values().flat_map(|m| m.values()) {
            all.merge(stats);
        }
        all
    }

    /// Endpoints sorted by name then method, skipping empty ones.
    pub fn sorted_endpoints(&self) -> Vec<(&Method, &str, &EndpointStats)> {
        let mut rows: Vec<_> = self
            .endpoints
            .iter()
            .flat_map(|(m, by_name)| by_name.iter().map(move |(n, s)| (m, &**n, s)))
            .filter(|(_, _, s)| !s.is_empty())
            .collect();
        rows.sort_by(|a, b| a.1.cmp(b.1).then_with(|| a.0.as_str().cmp(b.0.as_str())));
        rows
    }
}

/// The recording side of a run's statistics.
pub struct StatsHub {
    id: usize,
    shards: Mutex<Vec<Arc<Mutex<Snapshot>>>>,
}

static NEXT_HUB_ID: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// This thread's shard of the hub it last recorded into. Runs are rare, so a thread only
    /// re-registers when a new hub (a new run in the same process, as tests do) appears.
    static LOCAL_SHARD: RefCell<Option<(usize, Arc<Mutex<Snapshot>>)>> = const { RefCell::new(None) };
}

impl Default for StatsHub {
    fn default() -> Self {
        Self::new()
    }
}

impl StatsHub {
    pub fn new() -> Self {
        Self {
            id: NEXT_HUB_ID.fetch_add(1, Ordering::Relaxed),
            shards: Mutex::new(Vec::new()),
        }
    }

    fn with_shard<R>(&self, f: impl FnOnce(&mut Snapshot) -> R) -> R {
        LOCAL_SHARD.with(|local| {
            let mut local = local.borrow_mut();
            if !matches!(&*local, Some((id, _)) if *id == self.id) {
                let shard = Arc::new(Mutex::new(Snapshot::default()));
                self.shards.lock().push(shard.clone());
                *local = Some((self.id, shard));
            }
            let (_, shard) = local.as_ref().expect("registered above");
            let mut guard = shard.lock();
            f(&mut guard)
        })
    }

    /// Records one request. `error` names the failure for the error report when the request
    /// failed.
    pub fn record_request(
        &self,
        method: &Method,
        name: &str,
        sample: &Sample,
        error: Option<&str>,
    ) {
        self.with_shard(|shard| {
            shard.endpoint(method, name).record(sample);
            if let Some(message) = error {
                shard.error(method.as_str(), name, message, 1);
            }
        });
    }

    /// Turns a recorded success into a failure (`delta` 1) or back (`delta` -1), after the
    /// guest inspected the response.
    pub fn change_verdict(&self, method: &Method, name: &str, message: &str, delta: i64) {
        self.with_shard(|shard| {
            shard.endpoint(method, name).failures += delta;
            shard.error(method.as_str(), name, message, delta);
        });
    }

    /// Records an error of the scenario itself (a trap, a timeout, a task error).
    pub fn record_vu_error(&self, kind: VuErrorKind, task: &str, message: &str) {
        self.with_shard(|shard| {
            match kind {
                VuErrorKind::Trap => shard.vu.traps += 1,
                VuErrorKind::TaskTimeout => shard.vu.task_timeouts += 1,
                VuErrorKind::TaskError => shard.vu.task_errors += 1,
                VuErrorKind::StartError => shard.vu.start_errors += 1,
                VuErrorKind::StopError => shard.vu.stop_errors += 1,
            }
            let method = match kind {
                VuErrorKind::StartError | VuErrorKind::StopError => "VU",
                _ => "TASK",
            };
            shard.error(method, task, message, 1);
        });
    }

    /// Counts one iteration (task run) that ran to its end, whatever its outcome.
    pub fn record_iteration(&self) {
        self.with_shard(|shard| shard.iterations.completed += 1);
    }

    /// Counts iterations an arrival-rate run dropped because no VU was free.
    pub fn record_dropped(&self, n: u64) {
        self.with_shard(|shard| shard.iterations.dropped += n);
    }

    /// Counts one check of the series `key` (see `stats::custom::series_key`).
    pub fn record_check(&self, key: &str, ok: bool) {
        self.with_shard(|shard| shard.custom.record_check(key, ok));
    }

    /// Records one sample of a custom metric series.
    pub fn record_metric(&self, key: &str, sample: MetricSample) {
        self.with_shard(|shard| shard.custom.record_metric(key, sample));
    }

    /// Counts a scenario's misuse of an API that has no error to return (an invalid metric
    /// name), so it shows in the error report.
    pub fn record_misuse(&self, what: &str, message: &str) {
        self.with_shard(|shard| shard.error("METRIC", what, message, 1));
    }

    pub fn record_restart(&self) {
        self.with_shard(|shard| shard.vu.restarts += 1);
    }

    /// Moves everything recorded since the last harvest into `into`.
    pub fn harvest_into(&self, into: &mut Snapshot) {
        let shards = self.shards.lock().clone();
        for shard in shards {
            let mut shard = shard.lock();
            into.merge(&shard);
            shard.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(us: u64) -> Sample {
        Sample {
            elapsed_us: us,
            status: Some(200),
            failed: false,
            bytes_sent: 1,
            bytes_received: 2,
            lag_us: None,
        }
    }

    #[test]
    fn shards_from_many_threads_merge_exactly() {
        let hub = Arc::new(StatsHub::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let hub = hub.clone();
                std::thread::spawn(move || {
                    for i in 0..1_000 {
                        hub.record_request(&Method::GET, "/a", &ok(100 + i), None);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let mut total = Snapshot::default();
        hub.harvest_into(&mut total);
        let a = &total.endpoints[&Method::GET]["/a"];
        assert_eq!(a.requests, 4_000);
        let mut again = Snapshot::default();
        hub.harvest_into(&mut again);
        assert!(
            again.aggregated().is_empty(),
            "a harvest takes everything once"
        );
    }

    #[test]
    fn a_verdict_after_harvest_nets_out() {
        let hub = StatsHub::new();
        let failed = Sample {
            failed: true,
            status: Some(500),
            ..ok(10)
        };
        hub.record_request(&Method::POST, "/x", &failed, Some("HTTP 500"));
        let mut total = Snapshot::default();
        hub.harvest_into(&mut total);
        hub.change_verdict(&Method::POST, "/x", "HTTP 500", -1);
        hub.harvest_into(&mut total);
        let x = &total.endpoints[&Method::POST]["/x"];
        assert_eq!((x.requests, x.failures()), (1, 0));
        assert_eq!(total.errors.values().sum::<i64>(), 0);
    }
}
