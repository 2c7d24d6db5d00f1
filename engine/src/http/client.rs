//! One VU's HTTP client: its own connection pool and cookie jar over hyper-util, a TLS config
//! shared by all VUs, wire bytes counted per request.

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cookie_store::CookieStore;
use http::header::{COOKIE, HeaderValue, SET_COOKIE};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

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

/// The TLS settings every VU shares: webpki roots, HTTP/2 and HTTP/1.1 offered by ALPN.
pub fn shared_tls_config() -> Arc<rustls::ClientConfig> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

/// One VU's client. Requests from one VU are sequential, so the byte counters' movement during
/// a request is that request's traffic.
pub struct VuClient {
    client: Client<HttpsConnector<CountingConnector>, Full<Bytes>>,
    counters: Arc<ByteCounters>,
    jar: CookieStore,
    jar_empty: bool,
}

impl VuClient {
    /// `http2` speaks HTTP/2 to plain `http://` targets too (h2c with prior knowledge); over
    /// `https://` HTTP/2 is used whenever the server offers it by ALPN.
    pub fn new(tls: Arc<rustls::ClientConfig>, http2: bool) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        let counters = Arc::new(ByteCounters::default());
        let https = HttpsConnector::from((CountingConnector::new(tcp, counters.clone()), tls));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .http2_only(http2)
            .build(https);
        Self {
            client,
            counters,
            jar: CookieStore::default(),
            jar_empty: true,
        }
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
            if !cookie.is_empty() {
                if let Ok(value) = HeaderValue::from_str(&cookie) {
                    headers.append(COOKIE, value);
                }
            }
        }
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri;
        *request.headers_mut() = headers;
        let uri_for_cookies = if cookie_url.is_none() {
            Some(request.uri().clone())
        } else {
            None
        };

        let (sent_before, received_before) = self.counters.snapshot();
        let started = Instant::now();
        let exchange = async {
            let response = self.client.request(request).await.map_err(classify)?;
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
            Err(_) => return Err(SendError::Timeout),
        };
        let elapsed = started.elapsed();
        let (sent_after, received_after) = self.counters.snapshot();

        if parts.headers.contains_key(SET_COOKIE) {
            let url = match cookie_url {
                Some(url) => Some(url),
                None => uri_for_cookies.and_then(|u| url::Url::parse(&u.to_string()).ok()),
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

/// Sorts a client error into what the guest sees: TLS, connect or protocol.
fn classify(error: hyper_util::client::legacy::Error) -> SendError {
    let mut source: Option<&(dyn StdError + 'static)> = error.source();
    while let Some(cause) = source {
        if cause.downcast_ref::<rustls::Error>().is_some() {
            return SendError::Tls(cause.to_string());
        }
        source = cause.source();
    }
    if error.is_connect() {
        SendError::Connect(root_cause(&error))
    } else {
        SendError::Protocol(root_cause(&error))
    }
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
