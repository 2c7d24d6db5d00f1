//! One VU's HTTP client: its own connection pool and cookie jar over hyper-util, a TLS config
//! shared by all VUs, wire bytes counted per request.

use std::error::Error as StdError;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cookie_store::CookieStore;
use http::header::{COOKIE, HOST, HeaderValue, SET_COOKIE};
use http::uri::{Authority, PathAndQuery, Scheme};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::{http1, http2};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::{Connection, HttpConnector};
use hyper_util::rt::TokioExecutor;
use tower_service::Service;

use super::counting::{ByteCounters, CountingConnector};

/// A request ready to go on the wire.
pub struct Outgoing {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub timeout: Duration,
    pub want_body: bool,
}

/// What came back, with the cost of the exchange.
pub struct Received {
    pub status: u16,
    pub headers: HeaderMap,
    /// The body, when the request wanted it.
    pub body: Option<Bytes>,
    pub elapsed: Duration,
    pub bytes_sent: u64,
    pub bytes_received: u64,
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    Timeout,
    Connect(String),
    Tls(String),
    Protocol(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Timeout => f.write_str("timeout"),
            SendError::Connect(why) => write!(f, "connection failed: {why}"),
            SendError::Tls(why) => write!(f, "TLS failed: {why}"),
            SendError::Protocol(why) => write!(f, "connection broken: {why}"),
        }
    }
}

/// What every VU's client shares: TCP settings, the TLS config (webpki roots; HTTP/2 and
/// HTTP/1.1 offered by ALPN) and whether to speak h2c. Cloning a client from it costs a few
/// reference counts, not a copy of the settings.
#[derive(Clone)]
pub struct ClientSettings {
    tcp: HttpConnector,
    tls: Arc<rustls::ClientConfig>,
    /// Speak HTTP/2 to plain http:// origins (h2c, prior knowledge).
    http2: bool,
    /// Local addresses to connect from, spread over the VUs (`--local-addr`), so that one
    /// machine can open more connections than one source address's ports allow.
    local_addrs: Vec<IpAddr>,
}

impl ClientSettings {
    /// `http2` speaks HTTP/2 to plain `http://` targets too (h2c with prior knowledge); over
    /// `https://` HTTP/2 is used whenever the server offers it by ALPN.
    pub fn new(http2: bool, local_addrs: Vec<IpAddr>) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("ring supports the default TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Self {
            tcp,
            tls: Arc::new(tls),
            http2,
            local_addrs,
        }
    }

    /// A new client for VU `vu_id`, connecting from its share of the local addresses.
    pub fn client(&self, vu_id: u32) -> VuClient {
        let local = (!self.local_addrs.is_empty())
            .then(|| self.local_addrs[vu_id as usize % self.local_addrs.len()]);
        VuClient::new(self, local)
    }
}

/// The connection a VU keeps open, to the origin of its last request.
enum Sender {
    H1(http1::SendRequest<Full<Bytes>>),
    H2(http2::SendRequest<Full<Bytes>>),
}

struct Conn {
    scheme: Scheme,
    authority: Authority,
    sender: Sender,
}

impl Conn {
    fn serves(&self, uri: &Uri) -> bool {
        uri.scheme() == Some(&self.scheme) && uri.authority() == Some(&self.authority)
    }

    fn is_usable(&self) -> bool {
        match &self.sender {
            Sender::H1(s) => s.is_ready(),
            Sender::H2(s) => !s.is_closed(),
        }
    }
}

/// One VU's client: the VU's own keep-alive connection (as a browser tab has) on hyper's
/// connection API, its cookie jar, and wire-byte counters. A VU sends one request at a time,
/// so it needs one connection, not a pool: no pool lock, no per-request pool bookkeeping.
/// Requests from one VU are sequential, so the counters' movement during a request is that
/// request's traffic.
pub struct VuClient {
    connector: HttpsConnector<CountingConnector>,
    counters: Arc<ByteCounters>,
    conn: Option<Conn>,
    /// Speak HTTP/2 to plain http:// origins (h2c, prior knowledge).
    http2: bool,
    jar: CookieStore,
    jar_empty: bool,
}

impl VuClient {
    fn new(settings: &ClientSettings, local: Option<IpAddr>) -> Self {
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
            jar: CookieStore::default(),
            jar_empty: true,
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
            let (sender, conn) = http1::handshake(stream)
                .await
                .map_err(|e| SendError::Protocol(root_cause(&e)))?;
            tokio::spawn(conn);
            Sender::H1(sender)
        };
        Ok(Conn {
            scheme: scheme.clone(),
            authority: authority.clone(),
            sender,
        })
    }

    /// Sends on the VU's connection, opening one when there is none to this origin (or the
    /// server closed it). A request the old connection could not even start sending is
    /// retried once on a fresh one; anything already sent is never sent again.
    /// `uri` is the request's absolute URL; the request's own URI is set from it here, in the
    /// form the protocol sends.
    async fn round_trip(
        &mut self,
        uri: &Uri,
        mut request: Request<Full<Bytes>>,
    ) -> Result<http::Response<Incoming>, SendError> {
        for attempt in 0..2 {
            let reuse = self
                .conn
                .as_ref()
                .is_some_and(|c| c.serves(uri) && c.is_usable());
            if !reuse {
                // Boxed: connecting (TCP, TLS, handshake) is a large future that most requests
                // never poll; inline, it would make every request's future that much larger
                // to build and move.
                self.conn = Some(Box::pin(self.connect(uri)).await?);
            }
            let conn = self.conn.as_mut().expect("connected above");
            let sent = match &mut conn.sender {
                Sender::H1(sender) => {
                    // HTTP/1.1 sends the origin form (`/path?query`) on the request line and
                    // names the origin in `Host` (HTTP/2 carries it as `:authority`).
                    if !request.headers().contains_key(HOST)
                        && let Ok(host) = HeaderValue::from_str(conn.authority.as_str())
                    {
                        request.headers_mut().insert(HOST, host);
                    }
                    let origin_form = uri
                        .path_and_query()
                        .cloned()
                        .unwrap_or_else(|| PathAndQuery::from_static("/"));
                    *request.uri_mut() = Uri::from(origin_form);
                    sender.try_send_request(request).await
                }
                Sender::H2(sender) => {
                    *request.uri_mut() = uri.clone();
                    sender.try_send_request(request).await
                }
            };
            match sent {
                Ok(response) => return Ok(response),
                Err(mut failed) => {
                    self.conn = None;
                    match failed.take_message() {
                        Some(unsent) if attempt == 0 => request = unsent,
                        _ => return Err(SendError::Protocol(root_cause(failed.error()))),
                    }
                }
            }
        }
        unreachable!("the second attempt returns")
    }

    /// Sends one request and reads the whole response within `req.timeout`.
    pub async fn send(&mut self, req: Outgoing) -> Result<Received, SendError> {
        let Outgoing {
            method,
            uri,
            mut headers,
            body,
            timeout,
            want_body,
        } = req;
        // The cookie jar needs a parsed `Url`; only pay for one when cookies are in play.
        let cookie_url = if self.jar_empty {
            None
        } else {
            url::Url::parse(&uri.to_string()).ok()
        };
        if let Some(url) = &cookie_url {
            let mut cookie = String::new();
            for (name, value) in self.jar.get_request_values(url) {
                if !cookie.is_empty() {
                    cookie.push_str("; ");
                }
                cookie.push_str(name);
                cookie.push('=');
                cookie.push_str(value);
            }
            if !cookie.is_empty()
                && let Ok(value) = HeaderValue::from_str(&cookie)
            {
                headers.append(COOKIE, value);
            }
        }
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.headers_mut() = headers;

        let (sent_before, received_before) = self.counters.snapshot();
        let started = Instant::now();
        let exchange = async {
            let response = self.round_trip(&uri, request).await?;
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|e| SendError::Protocol(root_cause(&e)))?
                .to_bytes();
            Ok::<_, SendError>((parts, body))
        };
        let (parts, body) = match tokio::time::timeout(timeout, exchange).await {
            Ok(result) => result?,
            Err(_) => {
                // The connection may be mid-response; never reuse it.
                self.conn = None;
                return Err(SendError::Timeout);
            }
        };
        let elapsed = started.elapsed();
        let (sent_after, received_after) = self.counters.snapshot();

        if parts.headers.contains_key(SET_COOKIE) {
            let url = match cookie_url {
                Some(url) => Some(url),
                None => url::Url::parse(&uri.to_string()).ok(),
            };
            if let Some(url) = url {
                for value in parts.headers.get_all(SET_COOKIE) {
                    if let Ok(value) = value.to_str() {
                        // A cookie the jar rejects (bad domain, malformed) is ignored, as a
                        // browser would.
                        let _ = self.jar.parse(value, &url);
                    }
                }
                self.jar_empty = self.jar.iter_any().next().is_none();
            }
        }

        Ok(Received {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: want_body.then_some(body),
            elapsed,
            bytes_sent: sent_after - sent_before,
            bytes_received: received_after - received_before,
        })
    }
}

/// Sorts a connector error into what the guest sees: TLS or connect.
fn classify_connect(error: Box<dyn StdError + Send + Sync>) -> SendError {
    let mut source: Option<&(dyn StdError + 'static)> = Some(&*error);
    while let Some(cause) = source {
        if cause.downcast_ref::<rustls::Error>().is_some() {
            return SendError::Tls(cause.to_string());
        }
        source = cause.source();
    }
    SendError::Connect(root_cause(&*error))
}

/// The innermost error's message: "Connection refused (os error 111)" rather than hyper's
/// "client error (Connect)".
fn root_cause(error: &(dyn StdError + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
