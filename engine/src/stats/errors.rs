//! What a failure is recorded as: a small kind and interned texts, so that recording a failure
//! seen before allocates nothing; the error report's words are written only when it is read.

use std::sync::Arc;

use http::Method;
use rustc_hash::FxHashMap as HashMap;

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

/// How a request or a VU failed: the part of an error report row that is not free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The guest's request could not be sent as given; the detail says why.
    InvalidRequest,
    /// No answer within the request's timeout.
    Timeout,
    /// The connection could not be opened (refused, unreachable, DNS); the detail says how.
    Connect,
    /// The TLS handshake failed.
    Tls,
    /// The connection broke while sending or receiving (a reset, an early close, bad HTTP).
    Protocol,
    /// An answer with a status the request did not expect.
    Status(u16),
    /// The guest marked the response failed (`mark-failed`); the detail is its reason.
    Verdict,
    /// A failure named only by its message.
    Message,
    /// An error of the VU itself, outside any request; the detail is its message.
    Vu(VuErrorKind),
    /// A misuse of the metrics API, which has no error to return; the detail says what.
    MetricMisuse,
    /// Not a failure: the request went out again on a fresh connection after the kept-alive
    /// one broke (the detail says how); it may well have succeeded on that second try.
    Resent,
}

impl ErrorKind {
    /// The error report's message for this kind and detail, as the user reads it.
    pub(super) fn message(self, detail: &str) -> String {
        match self {
            ErrorKind::InvalidRequest => format!("invalid request: {detail}"),
            ErrorKind::Timeout => "timeout".to_string(),
            ErrorKind::Connect => format!("connection failed: {detail}"),
            ErrorKind::Tls => format!("TLS failed: {detail}"),
            ErrorKind::Protocol => format!("connection broken: {detail}"),
            ErrorKind::Status(status) => format!("unexpected status {status}"),
            ErrorKind::Resent => format!("re-sent after: {detail}"),
            ErrorKind::Verdict
            | ErrorKind::Message
            | ErrorKind::Vu(_)
            | ErrorKind::MetricMisuse => detail.to_string(),
        }
    }
}

/// The error report's first column: a request's method, or what else failed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum ErrorOrigin {
    Request(Method),
    /// A task (or `instantiate`) of the scenario.
    Task,
    /// `on-start`, `on-stop` or `teardown`.
    Vu,
    Metric,
}

impl ErrorOrigin {
    pub(super) fn as_str(&self) -> &str {
        match self {
            ErrorOrigin::Request(method) => method.as_str(),
            ErrorOrigin::Task => "TASK",
            ErrorOrigin::Vu => "VU",
            ErrorOrigin::Metric => "METRIC",
        }
    }
}

/// A text's number in one snapshot's [`Interner`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Sym(u32);

/// The names and details of a snapshot's error rows, each kept once, so that recording an
/// error seen before looks its texts up and allocates nothing.
#[derive(Default, Clone)]
pub(super) struct Interner {
    ids: HashMap<Arc<str>, Sym>,
    texts: Vec<Arc<str>>,
}

/// Past this many texts a shard forgets them at its next harvest, so a scenario failing with
/// ever new messages cannot grow a shard without bound.
pub(super) const MAX_KEPT_TEXTS: usize = 4096;

impl Interner {
    pub(super) fn intern(&mut self, text: &str) -> Sym {
        if let Some(&sym) = self.ids.get(text) {
            return sym;
        }
        let sym = Sym(self.texts.len() as u32);
        let text: Arc<str> = text.into();
        self.texts.push(text.clone());
        self.ids.insert(text, sym);
        sym
    }

    pub(super) fn text(&self, sym: Sym) -> &str {
        &self.texts[sym.0 as usize]
    }

    pub(super) fn len(&self) -> usize {
        self.texts.len()
    }

    pub(super) fn clear(&mut self) {
        self.ids.clear();
        self.texts.clear();
    }
}

/// Identifies a row of the error report: what failed and how. Its texts are numbers in the
/// snapshot's interner, so it is only meaningful with its snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct ErrorKey {
    pub origin: ErrorOrigin,
    pub name: Sym,
    pub kind: ErrorKind,
    pub detail: Sym,
}

/// One row of the error report, as the user reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRow {
    /// The HTTP method, or `TASK` / `VU` / `METRIC` for errors of the scenario itself.
    pub method: String,
    pub name: String,
    pub message: String,
    /// Signed for the same reason as `EndpointStats::failures`.
    pub count: i64,
    /// A re-send, not a failure: the row counts requests that went out again.
    pub resend: bool,
}
