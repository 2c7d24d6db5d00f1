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
use super::errors::{
    ErrorKey, ErrorKind, ErrorOrigin, ErrorRow, Interner, MAX_KEPT_TEXTS, VuErrorKind,
};

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

/// Statistics gathered over some span: one shard's since the last harvest, one interval, or
/// the whole run.
#[derive(Default, Clone)]
pub struct Snapshot {
    pub endpoints: HashMap<Method, HashMap<Box<str>, EndpointStats>>,
    /// Signed for the same reason as `EndpointStats::failures`.
    errors: HashMap<ErrorKey, i64>,
    /// The texts `errors` refers to.
    texts: Interner,
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

    fn error(
        &mut self,
        origin: ErrorOrigin,
        name: &str,
        kind: ErrorKind,
        detail: &str,
        delta: i64,
    ) {
        let key = ErrorKey {
            origin,
            name: self.texts.intern(name),
            kind,
            detail: self.texts.intern(detail),
        };
        *self.errors.entry(key).or_default() += delta;
    }

    /// The error report: one row per method, name and message, counts summed over the kinds
    /// that read the same (a verdict's reason may repeat a status failure's words).
    pub fn error_rows(&self) -> Vec<ErrorRow> {
        let mut rows: std::collections::HashMap<(&str, &str, String, bool), i64> =
            std::collections::HashMap::new();
        for (key, n) in &self.errors {
            let message = key.kind.message(self.texts.text(key.detail));
            let resend = key.kind == ErrorKind::Resent;
            *rows
                .entry((
                    key.origin.as_str(),
                    self.texts.text(key.name),
                    message,
                    resend,
                ))
                .or_default() += n;
        }
        rows.into_iter()
            .map(|((method, name, message, resend), count)| ErrorRow {
                method: method.to_string(),
                name: name.to_string(),
                message,
                count,
                resend,
            })
            .collect()
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
            let name = other.texts.text(key.name);
            let detail = other.texts.text(key.detail);
            self.error(key.origin.clone(), name, key.kind, detail, *n);
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
        // Kept, so that the errors seen again next interval intern without allocating.
        if self.texts.len() > MAX_KEPT_TEXTS {
            self.texts.clear();
        }
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
    /// failed (see [`Self::record`] for a failure of a known kind).
    pub fn record_request(
        &self,
        method: &Method,
        name: &str,
        sample: &Sample,
        error: Option<&str>,
    ) {
        self.record(method, name, sample, error.map(|m| (ErrorKind::Message, m)));
    }

    /// Records one request, and when it failed, its kind and detail for the error report.
    pub fn record(
        &self,
        method: &Method,
        name: &str,
        sample: &Sample,
        failure: Option<(ErrorKind, &str)>,
    ) {
        self.with_shard(|shard| {
            shard.endpoint(method, name).record(sample);
            if let Some((kind, detail)) = failure {
                shard.error(ErrorOrigin::Request(method.clone()), name, kind, detail, 1);
            }
        });
    }

    /// Records why a request went out more than once, one cause per re-send, as rows of the
    /// error report of their own kind (not failures). Free when there was no re-send.
    pub fn record_resends(&self, method: &Method, name: &str, causes: &[String]) {
        if causes.is_empty() {
            return;
        }
        self.with_shard(|shard| {
            for cause in causes {
                let origin = ErrorOrigin::Request(method.clone());
                shard.error(origin, name, ErrorKind::Resent, cause, 1);
            }
        });
    }

    /// Turns a recorded success into a failure (`delta` 1) or back (`delta` -1), after the
    /// guest inspected the response; `kind` and `detail` name the error report row it moves.
    pub fn change_verdict(
        &self,
        method: &Method,
        name: &str,
        kind: ErrorKind,
        detail: &str,
        delta: i64,
    ) {
        self.with_shard(|shard| {
            shard.endpoint(method, name).failures += delta;
            shard.error(
                ErrorOrigin::Request(method.clone()),
                name,
                kind,
                detail,
                delta,
            );
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
            let origin = match kind {
                VuErrorKind::StartError | VuErrorKind::StopError => ErrorOrigin::Vu,
                _ => ErrorOrigin::Task,
            };
            shard.error(origin, task, ErrorKind::Vu(kind), message, 1);
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
        self.with_shard(|shard| {
            shard.error(
                ErrorOrigin::Metric,
                what,
                ErrorKind::MetricMisuse,
                message,
                1,
            )
        });
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
            ..Sample::default()
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
        hub.change_verdict(&Method::POST, "/x", ErrorKind::Message, "HTTP 500", -1);
        hub.harvest_into(&mut total);
        let x = &total.endpoints[&Method::POST]["/x"];
        assert_eq!((x.requests, x.failures()), (1, 0));
        assert_eq!(total.errors.values().sum::<i64>(), 0);
        assert!(total.error_rows().iter().all(|row| row.count == 0));
    }

    fn failed() -> Sample {
        Sample {
            failed: true,
            status: None,
            ..ok(10)
        }
    }

    #[test]
    fn a_failure_seen_before_is_recorded_without_a_new_text() {
        let hub = StatsHub::new();
        let refused = Some((ErrorKind::Connect, "Connection refused (os error 111)"));
        hub.record(&Method::GET, "/a", &failed(), refused);
        let texts = hub.with_shard(|shard| shard.texts.len());
        hub.record(&Method::GET, "/a", &failed(), refused);
        hub.with_shard(|shard| {
            assert_eq!(shard.texts.len(), texts, "no text interned twice");
            assert_eq!(shard.errors.len(), 1);
        });
        hub.record(
            &Method::GET,
            "/a",
            &failed(),
            Some((ErrorKind::Status(503), "")),
        );
        hub.record(
            &Method::GET,
            "/a",
            &failed(),
            Some((ErrorKind::Timeout, "")),
        );
        hub.with_shard(|shard| assert_eq!(shard.texts.len(), texts + 1, "only the empty detail"));
    }

    #[test]
    fn the_merged_error_report_reads_as_recorded() {
        let hub = Arc::new(StatsHub::new());
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let hub = hub.clone();
                std::thread::spawn(move || {
                    for _ in 0..10 {
                        let broken = Some((ErrorKind::Protocol, "reset"));
                        hub.record(&Method::POST, "/login", &failed(), broken);
                        let status = Some((ErrorKind::Status(500), ""));
                        hub.record(&Method::GET, "/x", &failed(), status);
                    }
                    hub.record_vu_error(VuErrorKind::StartError, "on-start", "no token");
                    hub.record_misuse("bad name", "not a metric name");
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        // A verdict whose reason repeats a status failure's words joins its row.
        hub.record(&Method::GET, "/x", &ok(5), None);
        hub.change_verdict(
            &Method::GET,
            "/x",
            ErrorKind::Verdict,
            "unexpected status 500",
            1,
        );
        let mut total = Snapshot::default();
        hub.harvest_into(&mut total);
        // A second harvest into the same totals adds up exactly, too.
        hub.record(
            &Method::GET,
            "/x",
            &failed(),
            Some((ErrorKind::Status(500), "")),
        );
        hub.harvest_into(&mut total);
        let mut rows: Vec<_> = total
            .error_rows()
            .into_iter()
            .map(|r| (r.method, r.name, r.message, r.count))
            .collect();
        rows.sort();
        let row = |m: &str, n: &str, e: &str, c| (m.to_string(), n.to_string(), e.to_string(), c);
        assert_eq!(
            rows,
            vec![
                row("GET", "/x", "unexpected status 500", 32),
                row("METRIC", "bad name", "not a metric name", 3),
                row("POST", "/login", "connection broken: reset", 30),
                row("VU", "on-start", "no token", 3),
            ]
        );
        assert_eq!(total.vu.start_errors, 3);
    }

    #[test]
    fn re_sends_are_rows_of_their_own_not_failures() {
        let hub = StatsHub::new();
        let resent = Sample {
            retries: 2,
            ..ok(10)
        };
        let causes = ["connection reset by peer".to_string(), "closed".to_string()];
        hub.record(&Method::GET, "/a", &resent, None);
        hub.record_resends(&Method::GET, "/a", &causes);
        hub.record(&Method::GET, "/a", &ok(10), None);
        hub.record_resends(&Method::GET, "/a", &[]);
        // A broken connection whose words read like a cause stays a failure.
        let refused = Some((ErrorKind::Protocol, "connection reset by peer"));
        let failed_again = Sample {
            retries: 1,
            ..failed()
        };
        hub.record(&Method::GET, "/a", &failed_again, refused);
        hub.record_resends(&Method::GET, "/a", &causes[..1]);
        let mut total = Snapshot::default();
        hub.harvest_into(&mut total);
        let a = &total.endpoints[&Method::GET]["/a"];
        assert_eq!((a.requests, a.failures(), a.retries), (3, 1, 3));
        let mut rows: Vec<_> = total
            .error_rows()
            .into_iter()
            .map(|r| (r.message, r.count, r.resend))
            .collect();
        rows.sort();
        assert_eq!(
            rows,
            vec![
                (
                    "connection broken: connection reset by peer".into(),
                    1,
                    false
                ),
                ("re-sent after: closed".into(), 1, true),
                ("re-sent after: connection reset by peer".into(), 2, true),
            ]
        );
    }
}
