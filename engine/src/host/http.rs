//! `horde:scenario/http`: a guest request becomes a hyper request on the VU's own client, and
//! its outcome is recorded in the run's statistics before the response goes back.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method};

use super::bindings::http::{Error, Host, Method as WitMethod, Request, Response};
use super::state::{Phase, RECENT_RESPONSES, RecentResponse, VuState};
use crate::http::{Outgoing, Received, SendError, VuClient};
use crate::stats::Sample;

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

impl VuState {
    /// Builds the hyper request, or says why the guest's request is invalid.
    fn prepare(&self, req: &mut Request, method: Method) -> Result<Outgoing, String> {
        let url = std::mem::take(&mut req.url);
        let uri = if url.starts_with("http://") || url.starts_with("https://") {
            url.parse()
                .map_err(|e| format!("malformed URL {url:?}: {e}"))?
        } else if url.starts_with('/') {
            let base = self.run.base.as_ref().ok_or_else(|| {
                format!("relative URL {url:?} but the run has no --host; pass --host or use an absolute URL")
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
            .unwrap_or(self.run.request_timeout);
        // A request never outlives its task's deadline.
        let timeout = self.time_left().map_or(wanted, |left| wanted.min(left));
        Ok(Outgoing {
            method,
            uri,
            headers,
            body: req.body.take().map(Bytes::from).unwrap_or_default(),
            timeout,
            want_body: req.want_body,
        })
    }

    /// Runs the exchange on a task of its own rather than on the guest's fiber: hyper's and
    /// rustls's deep call stacks would otherwise touch (and keep resident, since a store keeps
    /// its fiber stack) tens of KiB of stack per VU.
    async fn exchange(&mut self, outgoing: Outgoing) -> Result<Received, SendError> {
        let mut client = self
            .client
            .take()
            .expect("a VU sends one request at a time, so its client is home");
        let exchange = tokio::spawn(async move {
            let result = client.send(outgoing).await;
            (client, result)
        });
        match exchange.await {
            Ok((client, result)) => {
                self.client = Some(client);
                result
            }
            Err(e) => {
                // The exchange panicked; give the VU a fresh client and report it.
                self.client = Some(VuClient::new(self.run.tls.clone(), self.run.http2));
                Err(SendError::Protocol(format!("HTTP client failed: {e}")))
            }
        }
    }

    /// Remembers a response for a later verdict, reusing the oldest slot's buffers.
    fn remember(&mut self, id: u64, method: &Method, name: &str, failed: bool, reason: &str) {
        let slot = if self.recent.len() < RECENT_RESPONSES {
            self.recent.push(RecentResponse {
                id,
                method: method.clone(),
                name: String::new(),
                failed,
                reason: String::new(),
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
        slot.failed = failed;
        slot.reason.clear();
        slot.reason.push_str(reason);
    }

    fn record_invalid(&mut self, method: &Method, name: &str, why: &str) {
        let sample = Sample {
            elapsed_us: 0,
            status: None,
            failed: true,
            bytes_sent: 0,
            bytes_received: 0,
        };
        let message = format!("invalid request: {why}");
        self.run
            .stats
            .record_request(method, name, &sample, Some(&message));
    }
}

impl Host for VuState {
    async fn send(&mut self, mut req: Request) -> Result<Response, Error> {
        match self.phase {
            Phase::Metadata => {
                return Err(Error::InvalidRequest(
                    "requests are not allowed while describing the scenario (metadata)".into(),
                ));
            }
            Phase::Start | Phase::Task if self.run.stopping.is_cancelled() => {
                return Err(Error::Cancelled);
            }
            _ => {}
        }
        if self.time_left().is_some_and(|left| left.is_zero()) {
            // Past the task's deadline: nothing more is sent; the epoch callback is about to
            // interrupt the guest and the VU counts a task timeout.
            self.timed_out = true;
            return Err(Error::Cancelled);
        }
        let method = method_of(req.method);
        let name = req.name.take();
        let expect = std::mem::take(&mut req.expect_status);
        let want_headers = req.want_headers;
        let outgoing = match self.prepare(&mut req, method.clone()) {
            Ok(outgoing) => outgoing,
            Err(why) => {
                let name = name.as_deref().unwrap_or("(invalid request)");
                self.record_invalid(&method, name, &why);
                return Err(Error::InvalidRequest(why));
            }
        };
        // Statistics group by the given name, else by the URL's path.
        let path = match name {
            Some(_) => String::new(),
            None => outgoing.uri.path().to_string(),
        };
        let stat_name: &str = name.as_deref().unwrap_or(&path);

        let started = Instant::now();
        let result = self.exchange(outgoing).await;
        let id = self.next_response_id;
        self.next_response_id += 1;
        match result {
            Ok(received) => {
                let ok = is_expected(received.status, &expect);
                let sample = Sample {
                    elapsed_us: received.elapsed.as_micros() as u64,
                    status: Some(received.status),
                    failed: !ok,
                    bytes_sent: received.bytes_sent,
                    bytes_received: received.bytes_received,
                };
                let reason = if ok {
                    String::new()
                } else {
                    format!("unexpected status {}", received.status)
                };
                let error = (!ok).then_some(reason.as_str());
                self.run
                    .stats
                    .record_request(&method, stat_name, &sample, error);
                self.remember(id, &method, stat_name, !ok, &reason);
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
                Ok(Response {
                    id,
                    status: received.status,
                    headers,
                    body: received.body.map(Vec::from),
                    elapsed_us: sample.elapsed_us,
                    ok,
                })
            }
            Err(error) => {
                let sample = Sample {
                    elapsed_us: started.elapsed().as_micros() as u64,
                    status: None,
                    failed: true,
                    bytes_sent: 0,
                    bytes_received: 0,
                };
                let message = error.to_string();
                self.run
                    .stats
                    .record_request(&method, stat_name, &sample, Some(&message));
                self.remember(id, &method, stat_name, true, &message);
                Err(match error {
                    SendError::Timeout => Error::Timeout,
                    SendError::Connect(why) => Error::Connect(why),
                    SendError::Tls(why) => Error::Tls(why),
                    SendError::Protocol(why) => Error::Protocol(why),
                })
            }
        }
    }

    async fn mark_failed(&mut self, response_id: u64, reason: String) {
        let run = self.run.clone();
        if let Some(r) = self.recent.iter_mut().find(|r| r.id == response_id)
            && !r.failed
        {
            r.failed = true;
            r.reason.clear();
            r.reason.push_str(&reason);
            run.stats.change_verdict(&r.method, &r.name, &reason, 1);
        }
    }

    async fn mark_passed(&mut self, response_id: u64) {
        let run = self.run.clone();
        if let Some(r) = self.recent.iter_mut().find(|r| r.id == response_id)
            && r.failed
        {
            r.failed = false;
            run.stats.change_verdict(&r.method, &r.name, &r.reason, -1);
        }
    }
}
