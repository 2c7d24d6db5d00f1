//! One VU's connections: one kept alive per origin for the next request to it (a few origins
//! at most, the least recently used closed first), and the exchange of a request on them
//! (with the single re-send a connection closed under it earns), timed in k6's phases.
//!
//! A VU sends one request at a time, so one connection per origin is all it can use. The
//! connections sit in a small array, most recently used first: a request to the origin of
//! the last one finds its connection at the first comparison, and nothing on the way
//! allocates or locks.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_LENGTH, SET_COOKIE};
use http::uri::{Authority, Scheme};
use http::{HeaderMap, HeaderValue, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2;
use hyper_util::rt::{TokioExecutor, TokioIo};

use super::connect::{ClientSettings, Stream};
use super::counting::ByteCounters;
use super::h1::{ExchangeError, H1Conn, H1Request, Response, origin_form};
use super::outcome::{SendError, Timings, find_tls_error, root_cause};

/// A connection idle this long is checked for a close by the server before it is reused (a
/// busy connection is not: the check costs a system call per request).
pub(super) const IDLE_CHECK_AFTER: Duration = Duration::from_millis(50);

/// The most origins a VU keeps a connection to. A flow that alternates an identity provider
/// and an API (and perhaps a CDN) keeps all of them; a VU that visits many hosts does not
/// hold a socket per host for the rest of the run.
pub(super) const MAX_ORIGINS: usize = 4;

/// A kept connection: HTTP/1.1 on the lean exchange (`h1.rs`), HTTP/2 on hyper.
enum Sender {
    H1(Box<H1Conn<Stream>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

/// Requests of a connection to a forward proxy: absolute form, with its credentials.
struct Forward {
    /// `http://host:port`, written before each request's origin-form target.
    prefix: Box<str>,
    authorization: Option<HeaderValue>,
}

struct Conn {
    scheme: Scheme,
    authority: Authority,
    sender: Sender,
    /// When the last exchange on it ended.
    idle_since: Instant,
    /// Boxed: most connections go straight to their origin.
    forward: Option<Box<Forward>>,
}

impl Conn {
    fn serves(&self, scheme: &Scheme, authority: &Authority) -> bool {
        self.authority == *authority && self.scheme == *scheme
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
    settings: ClientSettings,
    /// The local address this VU connects from (`--local-addr`).
    local: Option<IpAddr>,
    /// This VU's share of a name's addresses (its pool's number).
    spread: usize,
    pub(super) counters: Arc<ByteCounters>,
    /// At most [`MAX_ORIGINS`], the most recently used first.
    conns: Vec<Conn>,
    /// Whether the first connection is in the middle of an exchange (a request cut short by
    /// its timeout leaves it so: it must not be reused).
    busy: bool,
    /// Re-send an idempotent request once on a fresh connection (`--no-retry` turns it off).
    retry: bool,
    max_body: u64,
    /// Why the current request was sent again, once per re-send (the client clears it
    /// before each request).
    pub(super) resent: Vec<String>,
}

impl Pool {
    pub(super) fn new(settings: &ClientSettings, local: Option<IpAddr>) -> Self {
        Self {
            settings: settings.clone(),
            local,
            spread: settings.next_pool(),
            counters: Arc::new(ByteCounters::default()),
            // Allocated at the first connection (for four: a Vec's first growth), so a VU
            // that never sends keeps nothing.
            conns: Vec::new(),
            busy: false,
            retry: settings.options.retry,
            max_body: settings.options.max_body,
            resent: Vec::new(),
        }
    }

    /// Forgets the connection of a request that did not end cleanly (a timeout mid-response).
    pub(super) fn discard(&mut self) {
        if self.busy {
            self.conns.remove(0);
            self.busy = false;
        }
    }

    /// Marks the connection just used idle from `at`.
    pub(super) fn idle_from(&mut self, at: Instant) {
        if let Some(conn) = self.conns.first_mut() {
            conn.idle_since = at;
        }
    }

    /// Opens a connection to `scheme://authority` and starts driving it. Its set-up goes to
    /// `timings` (resolution as blocked; TCP, a proxy's tunnel and the HTTP/2 handshake as
    /// connecting; TLS), and `mark` moves to when it is ready.
    async fn connect(
        &mut self,
        scheme: &Scheme,
        authority: &Authority,
        timings: &mut Timings,
        mark: &mut Instant,
    ) -> Result<Conn, SendError> {
        let opened = self
            .settings
            .open(scheme, authority, self.local, self.spread, &self.counters)
            .await?;
        timings.blocked += opened.resolved - *mark;
        timings.connecting += opened.connected - opened.resolved;
        timings.tls_handshaking += opened.secured - opened.connected;
        let sender = if opened.h2 {
            let (sender, conn) =
                http2::handshake(TokioExecutor::new(), TokioIo::new(opened.stream))
                    .await
                    .map_err(|e| classify_h2(&e))?;
            tokio::spawn(conn);
            Sender::H2(sender)
        } else {
            Sender::H1(Box::new(H1Conn::new(opened.stream)))
        };
        let ready = Instant::now();
        timings.connecting += ready - opened.secured;
        *mark = ready;
        Ok(Conn {
            scheme: scheme.clone(),
            authority: authority.clone(),
            sender,
            idle_since: ready,
            forward: opened.forward.map(|authorization| {
                Box::new(Forward {
                    prefix: format!("{scheme}://{authority}").into(),
                    authorization,
                })
            }),
        })
    }

    /// Puts the VU's connection to `uri`'s origin first: the kept one when it is still
    /// usable, else a new one (closing the least recently used when all places are taken).
    /// Says whether it was reused.
    async fn conn_for(
        &mut self,
        uri: &Uri,
        now: Instant,
        timings: &mut Timings,
        mark: &mut Instant,
    ) -> Result<bool, SendError> {
        let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority()) else {
            return Err(SendError::Protocol(format!("{uri} is not an absolute URL")));
        };
        if let Some(at) = self.conns.iter().position(|c| c.serves(scheme, authority)) {
            if self.conns[at].is_usable(now) {
                self.conns[..=at].rotate_right(1);
                return Ok(true);
            }
            self.conns.remove(at);
        }
        // Boxed: connecting (resolution, TCP, TLS, handshake) is a large future that most
        // requests never poll; inline, it would make every request's future that much larger.
        let conn = Box::pin(self.connect(scheme, authority, timings, mark)).await?;
        if self.conns.len() == MAX_ORIGINS {
            self.conns.pop();
        }
        self.conns.insert(0, conn);
        Ok(false)
    }

    /// One exchange on the VU's connection to the request's origin, opened when there is
    /// none (or the server closed it). On HTTP/1.1, a request that found a reused connection
    /// closed before any byte of the response came back is sent once more on a fresh
    /// connection when its method is idempotent (as browsers and Go's client do); on HTTP/2,
    /// one that the old connection could not even start sending. Nothing else is ever sent
    /// twice, and each re-send's cause is kept in `resent`.
    ///
    /// The phases, from `started`, add up to the whole exchange: blocked (resolution, and a
    /// first attempt that had to be sent again), connecting, TLS, then sending, waiting and
    /// receiving on the connection that answered. On HTTP/1.1 sending ends when the request
    /// is flushed and waiting when the first read returns bytes. On HTTP/2 hyper's
    /// connection task writes the request, so sending ends when the request is handed to it
    /// (queued on its stream), waiting when the response's headers are in, and receiving
    /// when the body's last frame is read.
    pub(super) async fn exchange(
        &mut self,
        uri: &Uri,
        req: Exchange,
        started: Instant,
        timings: &mut Timings,
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
        let (retry, max_body) = (self.retry, self.max_body);
        let mut h2_request = None;
        let mut mark = started;
        for attempt in 0..2 {
            let reused = self.conn_for(uri, started, timings, &mut mark).await?;
            self.busy = true;
            let conn = &mut self.conns[0];
            let result = match &mut conn.sender {
                Sender::H1(h1) => {
                    let (target_prefix, proxy_authorization) = match &conn.forward {
                        Some(forward) => (&*forward.prefix, forward.authorization.as_ref()),
                        None => ("", None),
                    };
                    let sent = h1
                        .exchange(H1Request {
                            method: &method,
                            target: origin_form(uri),
                            host: conn.authority.as_str(),
                            headers: &headers,
                            body: &body,
                            want_headers,
                            want_body,
                            target_prefix,
                            proxy_authorization,
                            max_body,
                        })
                        .await;
                    match sent {
                        Ok(response) => {
                            let end = Instant::now();
                            timings.sending += h1.sent_at - mark;
                            timings.waiting += h1.first_byte_at - h1.sent_at;
                            timings.receiving += end - h1.first_byte_at;
                            Ok(response)
                        }
                        Err(ExchangeError::Stale(why))
                            if attempt == 0 && reused && idempotent && retry =>
                        {
                            self.resent.push(why);
                            self.again(timings, &mut mark);
                            continue;
                        }
                        Err(ExchangeError::Stale(why) | ExchangeError::Broken(why)) => {
                            Err(SendError::Protocol(why))
                        }
                        Err(ExchangeError::Tls(why)) => Err(SendError::Tls(why)),
                        Err(ExchangeError::TooLarge(limit)) => Err(SendError::BodyTooLarge(limit)),
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
                    match Box::pin(h2_round_trip(sender, request, want_body, max_body)).await {
                        Ok((answer, marks)) => {
                            let end = Instant::now();
                            timings.sending += marks.queued - mark;
                            timings.waiting += marks.headers - marks.queued;
                            timings.receiving += end - marks.headers;
                            Ok(answer)
                        }
                        Err((Some(unsent), error)) if attempt == 0 && retry => {
                            self.resent.push(error.to_string());
                            self.again(timings, &mut mark);
                            h2_request = Some(unsent);
                            continue;
                        }
                        Err((_, error)) => Err(error),
                    }
                }
            };
            if result.is_err() {
                self.conns.remove(0);
            }
            self.busy = false;
            return result;
        }
        unreachable!("the second attempt returns")
    }

    /// Drops the connection that failed a first attempt; the attempt's time counts as
    /// blocked (waiting for a connection that works).
    fn again(&mut self, timings: &mut Timings, mark: &mut Instant) {
        self.conns.remove(0);
        self.busy = false;
        let now = Instant::now();
        timings.blocked += now - *mark;
        *mark = now;
    }
}

/// When an HTTP/2 request was handed to the connection and when its response's headers came.
struct H2Marks {
    queued: Instant,
    headers: Instant,
}

/// One HTTP/2 request and its whole response, the body read frame by frame (and dropped
/// unless wanted) up to `max_body`. On failure, the request comes back if it was never sent.
async fn h2_round_trip(
    sender: &mut http2::SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
    want_body: bool,
    max_body: u64,
) -> Result<(Response, H2Marks), (Option<Request<Full<Bytes>>>, SendError)> {
    let mut sending = std::pin::pin!(sender.try_send_request(request));
    let mut queued = None;
    let answer = std::future::poll_fn(|cx| {
        let poll = sending.as_mut().poll(cx);
        // Pending once the request sits on its stream, waiting for the answer.
        if poll.is_pending() && queued.is_none() {
            queued = Some(Instant::now());
        }
        poll
    })
    .await;
    let headers = Instant::now();
    let marks = H2Marks {
        queued: queued.unwrap_or(headers),
        headers,
    };
    let response = match answer {
        Ok(response) => response,
        Err(mut failed) => {
            let unsent = failed.take_message();
            return Err((unsent, classify_h2(failed.error())));
        }
    };
    let (parts, mut incoming) = response.into_parts();
    let announced = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if announced.is_some_and(|length| length > max_body) {
        // Dropping the body resets the stream; the caller closes the connection.
        return Err((None, SendError::BodyTooLarge(max_body)));
    }
    let mut read = 0u64;
    // A body in one frame is kept as it came; only a longer one is copied together.
    let mut first: Option<Bytes> = None;
    let mut joined = BytesMut::new();
    while let Some(frame) = incoming.frame().await {
        let frame = frame.map_err(|e| (None, classify_h2(&e)))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        read += data.len() as u64;
        if read > max_body {
            return Err((None, SendError::BodyTooLarge(max_body)));
        }
        if want_body {
            match first.take() {
                None if joined.is_empty() => first = Some(data),
                earlier => {
                    if let Some(earlier) = earlier {
                        joined.extend_from_slice(&earlier);
                    }
                    joined.extend_from_slice(&data);
                }
            }
        }
    }
    let body = want_body.then(|| first.unwrap_or_else(|| joined.freeze()));
    let sets_cookie = parts.headers.contains_key(SET_COOKIE);
    Ok((
        Response {
            status: parts.status.as_u16(),
            headers: parts.headers,
            sets_cookie,
            body,
        },
        marks,
    ))
}

/// An HTTP/2 failure as the guest sees it: TLS when rustls is under it (an alert, such as a
/// refused client certificate), else the connection broken.
fn classify_h2(error: &hyper::Error) -> SendError {
    match find_tls_error(error) {
        Some(tls) => SendError::Tls(tls.to_string()),
        None => SendError::Protocol(root_cause(error)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::client::Outgoing;
    use crate::http::options::HttpOptions;
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A keep-alive server on `bind` answering every request with `ok` after `delay`;
    /// returns its address and how many connections it accepted.
    async fn server(bind: &str, delay: Duration) -> (SocketAddr, Arc<AtomicUsize>) {
        let listener = TcpListener::bind(bind).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut request = [0; 4096];
                    while matches!(socket.read(&mut request).await, Ok(n) if n > 0) {
                        tokio::time::sleep(delay).await;
                        let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                        if socket.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (addr, accepted)
    }

    fn get(url: String, timeout: Duration) -> Outgoing {
        Outgoing {
            method: Method::GET,
            uri: url.parse().unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            timeout,
            want_headers: false,
            want_body: true,
            max_redirects: None,
            compression: None,
        }
    }

    /// Alternating origins keeps a connection to each; a fifth origin closes the least
    /// recently used one, which then needs a new connection.
    #[tokio::test]
    async fn one_connection_per_origin_and_the_least_recently_used_closed_first() {
        let mut servers = Vec::new();
        for _ in 0..=MAX_ORIGINS {
            servers.push(server("127.0.0.1:0", Duration::ZERO).await);
        }
        let mut client = ClientSettings::new(HttpOptions::default()).client(1);
        let url = |n: usize| format!("http://{}/", servers[n].0);
        for _ in 0..3 {
            for n in 0..MAX_ORIGINS {
                let got = client
                    .send(get(url(n), Duration::from_secs(5)))
                    .await
                    .unwrap();
                assert_eq!(got.body.as_deref(), Some(&b"ok"[..]));
            }
        }
        let accepted = |n: usize| servers[n].1.load(Ordering::SeqCst);
        assert!((0..MAX_ORIGINS).all(|n| accepted(n) == 1));
        // Origin 0 is now the least recently used: the fifth origin takes its place.
        client
            .send(get(url(MAX_ORIGINS), Duration::from_secs(5)))
            .await
            .unwrap();
        client
            .send(get(url(1), Duration::from_secs(5)))
            .await
            .unwrap();
        assert_eq!(accepted(1), 1, "still kept");
        client
            .send(get(url(0), Duration::from_secs(5)))
            .await
            .unwrap();
        assert_eq!(accepted(0), 2, "closed when the fifth origin came");
    }

    /// A request that times out leaves its connection mid-response: it is closed, and the
    /// other origins' connections are kept.
    #[tokio::test]
    async fn a_timeout_closes_its_connection_only() {
        let (slow, slow_accepted) = server("127.0.0.1:0", Duration::from_millis(300)).await;
        let (fast, fast_accepted) = server("127.0.0.1:0", Duration::ZERO).await;
        let mut client = ClientSettings::new(HttpOptions::default()).client(1);
        client
            .send(get(format!("http://{fast}/"), Duration::from_secs(5)))
            .await
            .unwrap();
        let late = client
            .send(get(format!("http://{slow}/"), Duration::from_millis(50)))
            .await;
        assert!(matches!(late, Err(SendError::Timeout)));
        client
            .send(get(format!("http://{fast}/"), Duration::from_secs(5)))
            .await
            .unwrap();
        client
            .send(get(format!("http://{slow}/"), Duration::from_secs(5)))
            .await
            .unwrap();
        assert_eq!(fast_accepted.load(Ordering::SeqCst), 1);
        assert_eq!(slow_accepted.load(Ordering::SeqCst), 2);
    }

    /// IPv6 loopback: a bracketed address in the URL, connected to and named in `Host`.
    #[tokio::test]
    async fn an_ipv6_loopback_origin() {
        let (addr, accepted) = server("[::1]:0", Duration::ZERO).await;
        let mut client = ClientSettings::new(HttpOptions::default()).client(1);
        for _ in 0..2 {
            let got = client
                .send(get(format!("http://{addr}/"), Duration::from_secs(5)))
                .await;
            assert_eq!(got.unwrap().status, 200);
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
    }

    /// The phases add up to the exchange: a new connection spends time connecting, a kept
    /// one none; waiting holds the server's delay to the first byte.
    #[tokio::test]
    async fn the_phases_add_up_and_a_kept_connection_spends_nothing_connecting() {
        let delay = Duration::from_millis(40);
        let (addr, _) = server("127.0.0.1:0", delay).await;
        let mut client = ClientSettings::new(HttpOptions::default()).client(1);
        for round in 0..2 {
            let got = client
                .send(get(format!("http://{addr}/"), Duration::from_secs(5)))
                .await;
            let got = got.unwrap();
            let t = got.timings;
            assert!(t.waiting >= delay, "{t:?}");
            let total =
                t.blocked + t.connecting + t.tls_handshaking + t.sending + t.waiting + t.receiving;
            // The client's own clock starts a moment before the pool's and stops after it.
            assert!(total <= got.elapsed, "{t:?} vs {:?}", got.elapsed);
            assert!(
                got.elapsed - total < Duration::from_millis(20),
                "{t:?} vs {:?}",
                got.elapsed
            );
            if round == 0 {
                assert!(t.connecting > Duration::ZERO, "{t:?}");
            } else {
                assert_eq!(
                    t.connecting + t.tls_handshaking + t.blocked,
                    Duration::ZERO,
                    "{t:?}"
                );
            }
        }
    }

    /// `--resolve` sends a name to a fixed address; a name that does not resolve is a
    /// connect failure naming it.
    #[tokio::test]
    async fn resolve_overrides_and_unknown_names() {
        let (addr, accepted) = server("127.0.0.1:0", Duration::ZERO).await;
        let options = HttpOptions {
            resolve: vec![crate::http::ResolveOverride {
                host: "api.horde.test".into(),
                port: addr.port(),
                addr: addr.ip(),
            }],
            ..HttpOptions::default()
        };
        let mut client = ClientSettings::new(options).client(1);
        let url = format!("http://api.horde.test:{}/", addr.port());
        assert_eq!(
            client
                .send(get(url, Duration::from_secs(5)))
                .await
                .unwrap()
                .status,
            200
        );
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
        let unknown = client
            .send(get(
                "http://no-such-host.invalid/".into(),
                Duration::from_secs(5),
            ))
            .await;
        assert!(
            matches!(&unknown, Err(SendError::Connect(why)) if why.contains("cannot resolve no-such-host.invalid")),
            "{:?}",
            unknown.err()
        );
    }

    /// A refused connection says "refused", not "reset".
    #[tokio::test]
    async fn a_refused_connection_says_so() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut client = ClientSettings::new(HttpOptions::default()).client(1);
        let refused = client
            .send(get(
                format!("http://127.0.0.1:{port}/"),
                Duration::from_secs(5),
            ))
            .await;
        let why = refused.err().unwrap().to_string();
        assert!(
            why.starts_with("connection failed:") && why.contains("refused"),
            "{why}"
        );
    }
}
