//! `horde:scenario/http`: the VU's HTTP state (its client, the buffers that keep a request
//! free of allocation, the recent responses a verdict can reach) and the narrow view the
//! interface is implemented on (`host.rs`).

mod host;

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::Method;
use tokio_util::sync::CancellationToken;
use wasmtime::component::{HasData, Linker};

use super::bindings;
use super::phase::Phase;
use super::run_context::RunContext;
use crate::http::VuClient;
use crate::stats::ErrorKind;

/// How many responses back a verdict can reach.
const RECENT_RESPONSES: usize = 8;

/// Identifies a recent response for `mark-failed` / `mark-passed`.
struct RecentResponse {
    id: u64,
    method: Method,
    /// Reused between requests to keep the hot path free of allocation.
    name: String,
    /// What the failure was recorded under, when the response counts as failed: a verdict
    /// must move exactly that error report row.
    failure: Option<ErrorKind>,
    /// The failure's detail text, reused like `name`.
    detail: String,
}

/// One VU's HTTP state.
pub struct HttpState {
    /// The VU's client. Taken out while a request is in flight on its own task.
    client: Option<VuClient>,
    recent: Vec<RecentResponse>,
    next_response_id: u64,
    /// Reused for each request's statistics name (see `host.rs`).
    name_buf: String,
}

impl HttpState {
    pub fn new(client: VuClient) -> Self {
        Self {
            client: Some(client),
            recent: Vec::new(),
            next_response_id: 0,
            name_buf: String::new(),
        }
    }

    /// Remembers a response for a later verdict, reusing the oldest slot's buffers.
    fn remember(
        &mut self,
        id: u64,
        method: &Method,
        name: &str,
        failure: Option<(ErrorKind, &str)>,
    ) {
        let slot = if self.recent.len() < RECENT_RESPONSES {
            self.recent.push(RecentResponse {
                id,
                method: method.clone(),
                name: String::new(),
                failure: None,
                detail: String::new(),
            });
            self.recent.last_mut().expect("just pushed")
        } else {
            let oldest = (id as usize) % RECENT_RESPONSES;
            &mut self.recent[oldest]
        };
        slot.id = id;
        slot.method = method.clone();
        slot.name.clear();
        slot.name.push_str(name);
        slot.failure = failure.map(|(kind, _)| kind);
        slot.detail.clear();
        slot.detail
            .push_str(failure.map_or("", |(_, detail)| detail));
    }
}

/// What `http` sees of a VU: its HTTP state, the run, and the facts of the current export
/// that bound a request (phase, deadline, lag, stop token).
pub struct HttpView<'a> {
    pub state: &'a mut HttpState,
    pub run: &'a Arc<RunContext>,
    pub vu_id: u32,
    pub phase: Phase,
    pub deadline: Option<Instant>,
    /// How late the current iteration started against its schedule (scheduled runs only).
    pub lag: Option<Duration>,
    pub stop: &'a CancellationToken,
    /// Set when a send finds the deadline passed, so the VU counts a task timeout.
    pub timed_out: &'a mut bool,
}

/// The `HasData` marker whose data is an [`HttpView`].
struct Http;

impl HasData for Http {
    type Data<'a> = HttpView<'a>;
}

/// Links `http` for a store whose data gives an [`HttpView`].
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    view: fn(&mut T) -> HttpView<'_>,
) -> wasmtime::Result<()> {
    bindings::http::add_to_linker::<T, Http>(linker, view)
}
