//! One VU's connections: opened on demand, kept alive for the next request, and the one
//! exchange of a request on them (with the single re-send a connection closed under it earns).

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::SET_COOKIE;
use http::uri::{Authority, Scheme};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::Connection;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tower_service::Service;

use super::connect::{ClientSettings, classify_connect, root_cause};
use super::counting::{ByteCounters, CountingConnector, CountingStream};
use super::h1::{ExchangeError, H1Conn, H1Request, Response, origin_form};
use super::outcome::{SendError, Timings};

/// A connection's byte stream as the lean HTTP/1.1 exchange reads and writes it: TCP (counted)
/// under optional TLS.
type Stream = TokioIo<MaybeHttpsStream<TokioIo<CountingStream>>>;

/// A connection idle this long is checked for a close by the server before it is reused (a
/// busy connection is not: the check costs a system call per request).
pub(super) const IDLE_CHECK_AFTER: Duration = Duration::from_millis(50);

/// The connection a VU keeps open, to the origin of its last request: HTTP/1.1 on the lean
/// exchange (`h1.rs`), HTTP/2 on hyper.
enum Sender {
    H1(Box<H1Conn<Stream>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

struct Conn {
    scheme: Scheme,
    authority: Authority,
    sender: Sender,
    /// When the last exchange on it ended.
    idle_since: Instant,
}

impl Conn {
    fn serves(&self, uri: &Uri) -> bool {
        uri.scheme() == Some(&self.scheme) && uri.authority() == Some(&self.authority)
    }

    fn is_usable(&mut self, now: Instant) -> bool {
        match &mut self.sender {
            Sender::H1(conn) => {
                conn.is_reusable()
                    && (now.saturating_duration_since(self.idle_since) < IDLE_CHECK_AFTER
                        || !conn.peer_closed())
            }
            Sender::H2(s) => !s.is_closed(),
        }
    }
}

/// One VU's connections and the wire-byte counters under them. Requests from one VU are
/// sequential, so the counters' movement during a request is that request's traffic.
pub(super) struct Pool {
    connector: HttpsConnector<CountingConnector>,
    pub(super) counters: Arc<ByteCounters>,
    conn: Option<Conn>,
    /// Speak HTTP/2 to plain http:// origins (h2c, prior knowledge).
    http2: bool,
    /// Re-send an idempotent request once on a fresh connection (`--no-retry` turns it off).
    retry: bool,
    /// Why the current request was sent again, once per re-send (cleared by `begin`).
    pub(super) resent: Vec<String>,
}

impl Pool {
    pub(super) fn new(settings: &ClientSettings, local: Option<std::net::IpAddr>) -> Self {
        let counters = Arc::new(ByteCounters::default());
        let mut tcp = settings.tcp.clone();
        if local.is_some() {
            tcp.set_local_address(local);
        }
        let tcp = CountingConnector::new(tcp, counters.clone());
        Self {
            connector: HttpsConnector::from((tcp, settings.tls.clone())),
            counters,
            conn: None,
            http2: settings.http2,
            retry: settings.options.retry,
            resent: Vec::new(),
        }
    }

    /// Forgets the connection of a request that did not end cleanly (a timeout mid-response).
    pub(super) fn discard(&mut self) {
        self.conn = None;
    }

    /// Marks the connection just used idle from `at`.
    pub(super) fn idle_from(&mut self, at: Instant) {
        if let Some(conn) = &mut self.conn {
            conn.idle_since = at;
        }
    }

    /// Opens a connection to the request's origin and starts driving it.
    async fn connect(&mut self, uri: &Uri) -> Result<Conn, SendError> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(SendError::Protocol(format!("{uri} is not an absolute URL")));
        };
        std::future::poll_fn(|cx| self.connector.poll_ready(cx))
            .await
            .map_err(|e| SendError::Connect(root_cause(&*e)))?;
        let stream = self
            .connector
            .call(uri.clone())
            .await
            .map_err(classify_connect)?;
        let h2 = self.http2 || stream.connected().is_negotiated_h2();
        let sender = if h2 {
            let (sender, conn) = http2::handshake(TokioExecutor::new(), stream)
                .await
                .map_err(|e| SendError::Protocol(root_cause(&e)))?;
            tokio::spawn(conn);
            Sender::H2(sender)
        } else {
            Sender::H1(Box::new(H1Conn::new(TokioIo::new(stream))))
        };
        Ok(Conn {
            scheme: scheme.clone(),
            authority: authority.clone(),
            sender,
            idle_since: Instant::now(),
        })
    }

    /// The VU's connection to `uri`'s origin: the open one when it serves that origin and is
    /// still usable, else a new one. Also says whether it was reused.
    async fn conn_for(&mut self, uri: &Uri, now: Instant) -> Result<(&mut Conn, bool), SendError> {
        let reuse = match &mut self.conn {
            Some(conn) => conn.serves(uri) && conn.is_usable(now),
            None => false,
        };
        if !reuse {
            self.conn = None;
            // Boxed: connecting (TCP, TLS, handshake) is a large future that most requests
            // never poll; inline, it would make every request's future that much larger.
            self.conn = Some(Box::pin(self.connect(uri)).await?);
        }
        Ok((self.conn.as_mut().expect("connected above"), reuse))
    }

    /// One exchange on the VU's connection, opened when there is none to this origin (or the
    /// server closed it). On HTTP/1.1, a request that found a reused connection closed
    /// before any byte of the response came back is sent once more on a fresh connection
    /// when its method is idempotent (as browsers and Go's client do); on HTTP/2, one that
    /// the old connection could not even start sending. Nothing else is ever sent twice.
    pub(super) async fn exchange(
        &mut self,
        uri: &Uri,
        req: Exchange,
        started: Instant,
        _timings: &mut Timings,
    ) -> Result<Response, SendError> {
        let Exchange {
            method,
            mut headers,
            mut body,
            want_headers,
            want_body,
        } = req;
        let idempotent = matches!(
            method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        let mut h2_request = None;
        for attempt in 0..2 {
            let (conn, reused) = self.conn_for(uri, started).await?;
            let result = match &mut conn.sender {
                Sender::H1(h1) => {
                    let sent = h1
                        .exchange(H1Request {
                            method: &method,
                            target: origin_form(uri),
                            host: conn.authority.as_str(),
                            headers: &headers,
                            body: &body,
                            want_headers,
                            want_body,
                        })
                        .await;
                    match sent {
                        Ok(response) => Ok(response),
                        Err(ExchangeError::Stale(why))
                            if attempt == 0 && reused && idempotent && self.retry =>
                        {
                            self.resent.push(why);
                            self.conn = None;
                            continue;
                        }
                        Err(ExchangeError::Stale(why) | ExchangeError::Broken(why)) => {
                            Err(SendError::Protocol(why))
                        }
                    }
                }
                Sender::H2(sender) => {
                    let mut request = match h2_request.take() {
                        Some(request) => request,
                        None => {
                            let mut request = Request::new(Full::new(std::mem::take(&mut body)));
                            *request.method_mut() = method.clone();
                            *request.headers_mut() = std::mem::take(&mut headers);
                            request
                        }
                    };
                    *request.uri_mut() = uri.clone();
                    // Boxed: HTTP/2's futures are large, and the HTTP/1.1 path should not
                    // carry their size in every request's future.
                    match Box::pin(h2_round_trip(sender, request, want_body)).await {
                        Ok(answer) => Ok(answer),
                        Err((Some(unsent), error)) if attempt == 0 && self.retry => {
                            self.resent.push(error.to_string());
                            self.conn = None;
                            h2_request = Some(unsent);
                            continue;
                        }
                        Err((_, error)) => Err(error),
                    }
                }
            };
            if result.is_err() {
                self.conn = None;
            }
            return result;
        }
        unreachable!("the second attempt returns")
    }
}

/// One HTTP/2 request and its whole response. On failure, the request comes back if it was
/// never sent.
async fn h2_round_trip(
    sender: &mut http2::SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
    want_body: bool,
) -> Result<Response, (Option<Request<Full<Bytes>>>, SendError)> {
    match sender.try_send_request(request).await {
        Ok(response) => {
            let (parts, incoming) = response.into_parts();
            let body = incoming
                .collect()
                .await
                .map_err(|e| (None, SendError::Protocol(root_cause(&e))))?
                .to_bytes();
            let sets_cookie = parts.headers.contains_key(SET_COOKIE);
            Ok(Response {
                status: parts.status.as_u16(),
                headers: parts.headers,
                sets_cookie,
                body: want_body.then_some(body),
            })
        }
        Err(mut failed) => {
            let unsent = failed.take_message();
            Err((unsent, SendError::Protocol(root_cause(failed.error()))))
        }
    }
}

/// A request as the exchange sends it (the URL apart, since a retry needs it again).
pub(super) struct Exchange {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub want_headers: bool,
    pub want_body: bool,
}
