//! One VU's HTTP client: its own keep-alive connection (to the origin of its last request) and
//! cookie jar, a TLS config shared by all VUs, wire bytes counted per request.

use std::error::Error as StdError;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cookie_store::CookieStore;
use http::header::{COOKIE, HeaderValue, SET_COOKIE};
use http::uri::{Authority, Scheme};
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::{Connection, HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tower_service::Service;

use super::counting::{ByteCounters, CountingConnector, CountingStream};
use super::h1::{ExchangeError, H1Conn, H1Request, Response, origin_form};

/// A connection's byte stream as the lean HTTP/1.1 exchange reads and writes it: TCP (counted)
/// under optional TLS.
type Stream = TokioIo<MaybeHttpsStream<TokioIo<CountingStream>>>;

/// A connection idle this long is checked for a close by the server before it is reused (a
/// busy connection is not: the check costs a system call per request).
const IDLE_CHECK_AFTER: Duration = Duration::from_millis(50);

/// A request ready to go on the wire.
pub struct Outgoing {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub timeout: Duration,
    pub want_headers: bool,
    pub want_body: bool,
}

/// What came back, with the cost of the exchange.
pub struct Received {
    pub status: u16,
    /// The response's headers when the request wanted them (else possibly empty).
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
    /// `extra_roots` are trusted besides the public web's roots (`--ca-cert`).
    pub fn new(
        http2: bool,
        local_addrs: Vec<IpAddr>,
        extra_roots: &[rustls::pki_types::CertificateDer<'static>],
    ) -> Self {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        // Each was checked when read (`read_ca_certs`), so none is left out here.
        roots.add_parsable_certificates(extra_roots.iter().cloned());
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

/// The certificates of a PEM file, each checked to be usable as a trust anchor; an error
/// names what is wrong with the file.
pub fn read_ca_certs(
    path: &std::path::Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let pem = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a PEM certificate file: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate in it (expected -----BEGIN CERTIFICATE-----)".into());
    }
    let mut check = rustls::RootCertStore::empty();
    for (n, cert) in certs.iter().enumerate() {
        check
            .add(cert.clone())
            .map_err(|e| format!("certificate {} is not usable as a CA: {e}", n + 1))?;
    }
    Ok(certs)
}

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
    /// When the last request started (for the elapsed time of one that failed).
    last_started: Instant,
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
            last_started: Instant::now(),
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
    async fn exchange(
        &mut self,
        uri: &Uri,
        req: Exchange,
        started: Instant,
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
                        Err(ExchangeError::Stale(_)) if attempt == 0 && reused && idempotent => {
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
                        Err((Some(unsent), _)) if attempt == 0 => {
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

    /// When the last request started: a failed one's elapsed time runs from here.
    pub fn last_started(&self) -> Instant {
        self.last_started
    }

    /// Sends one request and reads the whole response within `req.timeout`.
    pub async fn send(&mut self, req: Outgoing) -> Result<Received, SendError> {
        let Outgoing {
            method,
            uri,
            mut headers,
            body,
            timeout,
            want_headers,
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
        let exchange = Exchange {
            method,
            headers,
            body,
            want_headers,
            want_body,
        };

        // Let every VU that is ready run first, so that their requests go out together and
        // the target wakes once for the lot rather than once per request: on the benchmark
        // this costs a little scheduling and saves a quarter of the kernel's time. The clock
        // starts after it: the wait is the generator's, not the target's.
        tokio::task::yield_now().await;
        let (sent_before, received_before) = self.counters.snapshot();
        // Two clock reads per request: here, and when the response is in.
        let started = Instant::now();
        self.last_started = started;
        let deadline = tokio::time::Instant::from_std(started + timeout);
        let exchange = self.exchange(&uri, exchange, started);
        let answer = match tokio::time::timeout_at(deadline, exchange).await {
            Ok(result) => result?,
            Err(_) => {
                // The connection may be mid-response; never reuse it.
                self.conn = None;
                return Err(SendError::Timeout);
            }
        };
        let finished = Instant::now();
        let elapsed = finished - started;
        if let Some(conn) = &mut self.conn {
            conn.idle_since = finished;
        }
        let (sent_after, received_after) = self.counters.snapshot();

        if answer.sets_cookie {
            let url = match cookie_url {
                Some(url) => Some(url),
                None => url::Url::parse(&uri.to_string()).ok(),
            };
            if let Some(url) = url {
                for value in answer.headers.get_all(SET_COOKIE) {
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
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
            elapsed,
            bytes_sent: sent_after - sent_before,
            bytes_received: received_after - received_before,
        })
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
struct Exchange {
    method: Method,
    headers: HeaderMap,
    body: Bytes,
    want_headers: bool,
    want_body: bool,
}

/// Sorts a connector error into what the guest sees: TLS or connect.
fn classify_connect(error: Box<dyn StdError + Send + Sync>) -> SendError {
    match find_tls_error(&*error) {
        Some(tls) => SendError::Tls(tls.to_string()),
        None => SendError::Connect(root_cause(&*error)),
    }
}

/// rustls's error anywhere in `error`'s chain. An `io::Error` wrapping another error does not
/// name it as its source (it skips to the inner error's own source), and TLS errors come
/// wrapped in two of them, so the search looks inside those too.
fn find_tls_error<'e>(error: &'e (dyn StdError + 'static)) -> Option<&'e rustls::Error> {
    if let Some(tls) = error.downcast_ref::<rustls::Error>() {
        return Some(tls);
    }
    if let Some(inner) = error
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        && let Some(tls) = find_tls_error(inner)
    {
        return Some(tls);
    }
    error.source().and_then(find_tls_error)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A server on 127.0.0.1 that hands each connection to `serve`; returns its address and
    /// how many connections it accepted.
    async fn server<F, Fut>(serve: F) -> (std::net::SocketAddr, Arc<AtomicUsize>)
    where
        F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                count.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(socket));
            }
        });
        (addr, accepted)
    }

    /// A server that answers one request per connection and then closes it without saying
    /// so (no `Connection: close`), as a server whose keep-alive timeout just ran out does.
    async fn one_shot_server() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
        server(|mut socket| async move {
            let mut request = [0; 1024];
            let _ = socket.read(&mut request).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                .await;
        })
        .await
    }

    fn request(method: Method, addr: std::net::SocketAddr) -> Outgoing {
        Outgoing {
            method,
            uri: format!("http://{addr}/").parse().unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            timeout: Duration::from_secs(5),
            want_headers: false,
            want_body: true,
        }
    }

    /// A GET that finds its reused connection closed before any byte of the answer is sent
    /// again on a fresh one; a POST is not (it may have been acted on), and fails.
    #[tokio::test]
    async fn only_idempotent_requests_are_retried_on_a_stale_connection() {
        let (addr, accepted) = one_shot_server().await;
        let mut client = ClientSettings::new(false, Vec::new(), &[]).client(1);
        for _ in 0..3 {
            let got = client.send(request(Method::GET, addr)).await.unwrap();
            assert_eq!(got.body.as_deref(), Some(&b"ok"[..]));
        }
        assert!(accepted.load(Ordering::SeqCst) >= 3);
        // Make the open connection stale again, then POST at once (no idle check).
        let sent = client.send(request(Method::POST, addr)).await;
        assert!(
            matches!(&sent, Err(SendError::Protocol(_))),
            "{:?}",
            sent.as_ref().map(|r| r.status)
        );
    }

    /// The test CA and a certificate it signed for 127.0.0.1 (valid to 2126), made with
    /// `openssl req -x509 … -addext basicConstraints=critical,CA:TRUE` and `openssl x509 -req`.
    fn testdata(name: &str) -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/http/testdata")
            .join(name)
    }

    /// An https server on 127.0.0.1 (HTTP/1.1 by ALPN) answering every request of a
    /// keep-alive connection with a chunked `hello`; counts its connections.
    async fn tls_server() -> (std::net::SocketAddr, Arc<AtomicUsize>) {
        use rustls::pki_types::PrivateKeyDer;
        use rustls::pki_types::pem::PemObject;
        let certs = read_ca_certs(&testdata("server.pem")).unwrap();
        let key = PrivateKeyDer::from_pem_file(testdata("server.key")).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        server(move |socket| {
            let acceptor = acceptor.clone();
            async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut request = [0; 1024];
                while matches!(tls.read(&mut request).await, Ok(n) if n > 0) {
                    let reply = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n";
                    if tls.write_all(reply).await.is_err() {
                        return;
                    }
                }
            }
        })
        .await
    }

    fn https_get(addr: std::net::SocketAddr) -> Outgoing {
        Outgoing {
            uri: format!("https://{addr}/").parse().unwrap(),
            ..request(Method::GET, addr)
        }
    }

    /// HTTP/1.1 over TLS on the lean exchange: a CA given with `--ca-cert` is trusted, and
    /// the connection is kept across requests.
    #[tokio::test]
    async fn https_with_an_extra_ca_keeps_its_connection() {
        let (addr, accepted) = tls_server().await;
        let ca = read_ca_certs(&testdata("ca.pem")).unwrap();
        let mut client = ClientSettings::new(false, Vec::new(), &ca).client(1);
        for _ in 0..3 {
            let got = client.send(https_get(addr)).await.unwrap();
            assert_eq!(got.status, 200);
            assert_eq!(got.body.as_deref(), Some(&b"hello"[..]));
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
        // Without the CA the server's certificate is refused.
        let mut untrusting = ClientSettings::new(false, Vec::new(), &[]).client(1);
        let refused = untrusting.send(https_get(addr)).await;
        assert!(
            matches!(&refused, Err(SendError::Tls(why)) if why.contains("UnknownIssuer")),
            "{:?}",
            refused.as_ref().err()
        );
    }

    #[test]
    fn a_ca_file_that_is_not_pem_is_named_as_such() {
        let dir = std::env::temp_dir().join(format!("horde-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let why = read_ca_certs(&empty).unwrap_err();
        assert!(why.contains("no certificate"), "{why}");
        let missing = read_ca_certs(&dir.join("missing.pem")).unwrap_err();
        assert!(missing.starts_with("cannot read it"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A connection the server closed while it sat idle is noticed before it is used: even a
    /// POST goes out on a fresh connection.
    #[tokio::test]
    async fn an_idle_connection_the_server_closed_is_not_reused() {
        let (addr, accepted) = one_shot_server().await;
        let mut client = ClientSettings::new(false, Vec::new(), &[]).client(1);
        client.send(request(Method::GET, addr)).await.unwrap();
        tokio::time::sleep(IDLE_CHECK_AFTER * 2).await;
        let got = client.send(request(Method::POST, addr)).await.unwrap();
        assert_eq!(got.status, 200);
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }
}
