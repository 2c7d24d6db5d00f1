//! The `http` host functions on an [`HttpView`]: a guest request becomes a request on the
//! VU's own client, and its outcome is recorded in the run's statistics before the response
//! goes back.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method};

use super::HttpView;
use crate::host::bindings::http::{Error, Host, Method as WitMethod, Request, Response};
use crate::host::phase::Phase;
use crate::host::run_context::RunContext;
use crate::http::{Outgoing, SendError, Timings, VuClient};
use crate::stats::{ErrorKind, Phases, Sample};

fn method_of(m: WitMethod) -> Method {
    match m {
        WitMethod::Get => Method::GET,
        WitMethod::Head => Method::HEAD,
        WitMethod::Post => Method::POST,
        WitMethod::Put => Method::PUT,
        WitMethod::Patch => Method::PATCH,
        WitMethod::Delete => Method::DELETE,
        WitMethod::Options => Method::OPTIONS,
    }
}

fn is_expected(status: u16, expect: &[u16]) -> bool {
    if expect.is_empty() {
        status < 400
    } else {
        expect.contains(&status)
    }
}

/// What a request's outcome is recorded under in the error report, if it failed: the kind,
/// and the detail text the guest also receives (so naming the failure allocates nothing).
fn failure_of(result: &Result<Response, Error>) -> Option<(ErrorKind, &str)> {
    match result {
        Ok(response) if response.ok => None,
        Ok(response) => Some((ErrorKind::Status(response.status), "")),
        Err(Error::InvalidRequest(why)) => Some((ErrorKind::InvalidRequest, why)),
        Err(Error::Timeout) => Some((ErrorKind::Timeout, "")),
        Err(Error::Connect(why)) => Some((ErrorKind::Connect, why)),
        Err(Error::Tls(why)) => Some((ErrorKind::Tls, why)),
        Err(Error::Protocol(why)) => Some((ErrorKind::Protocol, why)),
        // Not sent, so not recorded (see `send`).
        Err(Error::Cancelled) => None,
    }
}

/// The phases as the statistics keep them.
fn phases_of(t: &Timings) -> Phases {
    let us = |d: Duration| d.as_micros() as u64;
    Phases {
        blocked_us: us(t.blocked),
        connecting_us: us(t.connecting),
        tls_handshaking_us: us(t.tls_handshaking),
        sending_us: us(t.sending),
        waiting_us: us(t.waiting),
        receiving_us: us(t.receiving),
    }
}

/// Everything a request needs once it leaves the guest's fiber.
struct Job {
    run: Arc<RunContext>,
    client: VuClient,
    req: Request,
    /// Time left before the task's deadline, if it has one.
    time_left: Option<Duration>,
    /// How late the iteration started against its schedule (scheduled runs only).
    lag_us: Option<u64>,
    /// The prefix of setup's and teardown's statistics names.
    group: Option<&'static str>,
    /// The VU's buffer for the statistics name, handed back in `Done` and reused.
    name_buf: String,
}

/// What came back to the fiber: the response to lower into the guest, or the error, plus what
/// a later verdict needs to find the recorded request again.
struct Done {
    client: VuClient,
    method: Method,
    stat_name: String,
    result: Result<Response, Error>,
}

/// A statistics name in its group (`[setup] /api/auth/login`), written into the VU's reused
/// buffer so that naming a request allocates nothing once the buffer has grown.
fn stat_name(mut buf: String, group: Option<&'static str>, name: &str) -> String {
    buf.clear();
    if let Some(group) = group {
        buf.push_str(group);
        buf.push(' ');
    }
    buf.push_str(name);
    buf
}

/// Builds the outgoing request, or says why the guest's request is invalid.
fn prepare(job: &mut Job, method: Method) -> Result<Outgoing, String> {
    let req = &mut job.req;
    let url = std::mem::take(&mut req.url);
    let uri = if url.starts_with("http://") || url.starts_with("https://") {
        url.parse()
            .map_err(|e| format!("malformed URL {url:?}: {e}"))?
    } else if url.starts_with('/') {
        let base = job.run.base.as_ref().ok_or_else(|| {
            format!(
                "relative URL {url:?} but the run has no --host; pass --host or use an absolute URL"
            )
        })?;
        base.join(url)?
    } else {
        return Err(format!(
            "URL {url:?} is neither absolute (http://…) nor a path starting with '/'"
        ));
    };
    let mut headers = HeaderMap::with_capacity(req.headers.len());
    for (name, value) in req.headers.drain(..) {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("invalid header name {name:?}"))?;
        let value = HeaderValue::try_from(value)
            .map_err(|_| format!("invalid value for header {name:?}"))?;
        headers.append(header, value);
    }
    let wanted = req
        .timeout_ms
        .map(|ms| Duration::from_millis(u64::from(ms)))
        .unwrap_or(job.run.request_timeout);
    // A request never outlives its task's deadline.
    let timeout = job.time_left.map_or(wanted, |left| wanted.min(left));
    Ok(Outgoing {
        method,
        uri,
        headers,
        body: req.body.take().map(Bytes::from).unwrap_or_default(),
        timeout,
        want_headers: req.want_headers,
        want_body: req.want_body,
        max_redirects: None,
        compression: None,
    })
}

/// Sends one request and records it. Runs on a task of its own rather than on the guest's
/// fiber: the client's and the recorder's call stacks would otherwise touch (and keep
/// resident, since a store keeps its fiber stack) tens of KiB of stack per VU.
async fn perform(mut job: Job) -> Done {
    let method = method_of(job.req.method);
    let name = job.req.name.take();
    let expect = std::mem::take(&mut job.req.expect_status);
    let lag_us = job.lag_us;
    let failed = |elapsed_us| Sample {
        elapsed_us,
        status: None,
        failed: true,
        bytes_sent: 0,
        bytes_received: 0,
        lag_us,
        ..Sample::default()
    };
    let (stat_name, sample, result) = match prepare(&mut job, method.clone()) {
        Err(why) => {
            let stat_name = stat_name(
                std::mem::take(&mut job.name_buf),
                job.group,
                name.as_deref().unwrap_or("(invalid request)"),
            );
            (stat_name, failed(0), Err(Error::InvalidRequest(why)))
        }
        Ok(outgoing) => {
            // Statistics group by the given name, else by the URL's path.
            let stat_name = stat_name(
                std::mem::take(&mut job.name_buf),
                job.group,
                name.as_deref().unwrap_or(outgoing.uri.path()),
            );
            let want_headers = outgoing.want_headers;
            // Boxed so that `perform`'s own future stays small: it is built on the guest's
            // fiber stack before the spawn moves it away, and a large one would touch pages
            // there.
            match Box::pin(job.client.send(outgoing)).await {
                Ok(received) => {
                    let ok = is_expected(received.status, &expect);
                    let sample = Sample {
                        elapsed_us: received.elapsed.as_micros() as u64,
                        status: Some(received.status),
                        failed: !ok,
                        bytes_sent: received.bytes_sent,
                        bytes_received: received.bytes_received,
                        lag_us: job.lag_us,
                        phases: phases_of(&received.timings),
                        body_size: received.body_size,
                        redirects: received.redirects,
                        retries: job.client.resent().len() as u32,
                    };
                    let headers = want_headers.then(|| {
                        received
                            .headers
                            .iter()
                            .map(|(k, v)| {
                                (
                                    k.as_str().to_string(),
                                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                )
                            })
                            .collect()
                    });
                    let response = Response {
                        id: 0,
                        status: received.status,
                        headers,
                        body: received.body.map(Vec::from),
                        elapsed_us: sample.elapsed_us,
                        ok,
                    };
                    (stat_name, sample, Ok(response))
                }
                Err(error) => {
                    let sample = Sample {
                        retries: job.client.resent().len() as u32,
                        ..failed(job.client.last_started().elapsed().as_micros() as u64)
                    };
                    let error = match error {
                        SendError::Timeout => Error::Timeout,
                        SendError::Connect(why) => Error::Connect(why),
                        SendError::Tls(why) => Error::Tls(why),
                        SendError::Protocol(why) => Error::Protocol(why),
                        // Until the WIT has variants of their own.
                        other @ (SendError::BodyTooLarge(_) | SendError::Redirect(_)) => {
                            Error::Protocol(other.to_string())
                        }
                    };
                    (stat_name, sample, Err(error))
                }
            }
        }
    };
    job.run
        .stats
        .record(&method, &stat_name, &sample, failure_of(&result));
    job.run
        .stats
        .record_resends(&method, &stat_name, job.client.resent());
    Done {
        client: job.client,
        method,
        stat_name,
        result,
    }
}

impl HttpView<'_> {
    /// Time left before the deadline, if one is set.
    fn time_left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }
}

impl Host for HttpView<'_> {
    async fn send(&mut self, req: Request) -> Result<Response, Error> {
        match self.phase {
            Phase::Metadata => {
                return Err(Error::InvalidRequest(
                    "requests are not allowed while describing the scenario (metadata)".into(),
                ));
            }
            Phase::Setup | Phase::Start | Phase::Task | Phase::Teardown
                if self.stop.is_cancelled() =>
            {
                return Err(Error::Cancelled);
            }
            _ => {}
        }
        let time_left = self.time_left();
        if time_left.is_some_and(|left| left.is_zero()) {
            // Past the task's deadline: nothing more is sent; the epoch callback is about to
            // interrupt the guest and the VU counts a task timeout.
            *self.timed_out = true;
            return Err(Error::Cancelled);
        }
        let state = &mut *self.state;
        let client = state
            .client
            .take()
            .expect("a VU sends one request at a time, so its client is home");
        let job = Box::new(Job {
            run: self.run.clone(),
            client,
            req,
            time_left,
            lag_us: self.lag.map(|lag| lag.as_micros() as u64),
            group: self.phase.stats_group(),
            name_buf: std::mem::take(&mut state.name_buf),
        });
        // What is spawned from the fiber is a few bytes (a box); `perform`'s own future is
        // built and polled on the worker's stack. Moving a large future through tokio's spawn
        // path would touch KiB of the fiber stack, which the store keeps resident.
        let exchange = tokio::spawn(async move { Box::pin(perform(*job)).await });
        let done = match exchange.await {
            Ok(done) => done,
            Err(e) => {
                // The exchange panicked: give the VU a fresh client and report it.
                state.client = Some(self.run.http.client(self.vu_id));
                return Err(Error::Protocol(format!("HTTP client failed: {e}")));
            }
        };
        state.client = Some(done.client);
        let id = state.next_response_id;
        state.next_response_id += 1;
        state.remember(id, &done.method, &done.stat_name, failure_of(&done.result));
        state.name_buf = done.stat_name;
        done.result.map(|mut response| {
            response.id = id;
            response
        })
    }

    async fn mark_failed(&mut self, response_id: u64, reason: String) {
        let stats = &self.run.stats;
        if let Some(r) = self.state.recent.iter_mut().find(|r| r.id == response_id)
            && r.failure.is_none()
        {
            r.failure = Some(ErrorKind::Verdict);
            r.detail.clear();
            r.detail.push_str(&reason);
            stats.change_verdict(&r.method, &r.name, ErrorKind::Verdict, &reason, 1);
        }
    }

    async fn mark_passed(&mut self, response_id: u64) {
        let stats = &self.run.stats;
        if let Some(r) = self.state.recent.iter_mut().find(|r| r.id == response_id)
            && let Some(kind) = r.failure.take()
        {
            stats.change_verdict(&r.method, &r.name, kind, &r.detail, -1);
        }
    }
}
