//! One VU's HTTP client: its connections (`pool.rs`), its cookie jar, and what one request
//! means above the wire: the cookies it carries and sets, and its cost.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cookie_store::CookieStore;
use http::header::{COOKIE, HeaderValue, SET_COOKIE};
use http::{HeaderMap, Method, Uri};

use super::connect::ClientSettings;
use super::outcome::{SendError, Timings};
use super::pool::{Exchange, Pool};

/// A request ready to go on the wire.
pub struct Outgoing {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub timeout: Duration,
    pub want_headers: bool,
    pub want_body: bool,
    /// Redirects to follow for this request; None follows the run's `--max-redirects`.
    pub max_redirects: Option<u32>,
    /// Whether to ask for a compressed body and decode it; None follows the run's setting.
    pub compression: Option<bool>,
}

/// What came back, with the cost of the exchange.
pub struct Received {
    pub status: u16,
    /// The response's headers when the request wanted them (else possibly empty).
    pub headers: HeaderMap,
    /// The body, when the request wanted it.
    pub body: Option<Bytes>,
    /// k6's `http_req_duration`: sending + waiting + receiving, over every hop of a redirect
    /// chain (connection set-up is in `timings`, not here).
    pub elapsed: Duration,
    /// Where the time went, summed over every hop.
    pub timings: Timings,
    /// Bytes on the wire (TLS and HTTP framing included), both ways, over every hop.
    pub bytes_sent: u64,
    pub bytes_received: u64,
    /// The body's size after decoding (Locust's content size), whether or not it was wanted.
    pub body_size: u64,
    /// How many redirects were followed to get this response.
    pub redirects: u32,
    /// The URL that answered, when redirects led away from the one asked for.
    pub final_url: Option<Uri>,
}

/// One VU's client: its connections, its cookie jar, and the run's HTTP options. A VU sends
/// one request at a time.
pub struct VuClient {
    pool: Pool,
    jar: CookieStore,
    jar_empty: bool,
    /// When the last request started (for the elapsed time of one that failed).
    last_started: Instant,
}

impl ClientSettings {
    /// A new client for VU `vu_id`, connecting from its share of the local addresses.
    pub fn client(&self, vu_id: u32) -> VuClient {
        let local = (!self.local_addrs.is_empty())
            .then(|| self.local_addrs[vu_id as usize % self.local_addrs.len()]);
        VuClient::new(self, local)
    }
}

impl VuClient {
    pub(super) fn new(settings: &ClientSettings, local: Option<IpAddr>) -> Self {
        Self {
            pool: Pool::new(settings, local),
            jar: CookieStore::default(),
            jar_empty: true,
            last_started: Instant::now(),
        }
    }

    /// Why the last request was sent more than once, one entry per re-send (empty when it
    /// went out once).
    pub fn resent(&self) -> &[String] {
        &self.pool.resent
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
            max_redirects: _,
            compression: _,
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
        self.pool.resent.clear();
        let mut timings = Timings::default();

        // Let every VU that is ready run first, so that their requests go out together and
        // the target wakes once for the lot rather than once per request: on the benchmark
        // this costs a little scheduling and saves a quarter of the kernel's time. The clock
        // starts after it: the wait is the generator's, not the target's.
        tokio::task::yield_now().await;
        let (sent_before, received_before) = self.pool.counters.snapshot();
        // Two clock reads per request: here, and when the response is in.
        let started = Instant::now();
        self.last_started = started;
        let deadline = tokio::time::Instant::from_std(started + timeout);
        let exchange = self.pool.exchange(&uri, exchange, started, &mut timings);
        let answer = match tokio::time::timeout_at(deadline, exchange).await {
            Ok(result) => result?,
            Err(_) => {
                // The connection may be mid-response; never reuse it.
                self.pool.discard();
                return Err(SendError::Timeout);
            }
        };
        let finished = Instant::now();
        let elapsed = finished - started;
        self.pool.idle_from(finished);
        let (sent_after, received_after) = self.pool.counters.snapshot();

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

        let body_size = answer.body.as_ref().map_or(0, |b| b.len() as u64);
        Ok(Received {
            status: answer.status,
            headers: answer.headers,
            body: answer.body,
            elapsed,
            timings,
            bytes_sent: sent_after - sent_before,
            bytes_received: received_after - received_before,
            body_size,
            redirects: 0,
            final_url: None,
        })
    }

    /// The cookies the jar would send to `url`, as `(name, value)` pairs.
    pub fn cookies_for(&self, url: &url::Url) -> Vec<(String, String)> {
        self.jar
            .get_request_values(url)
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    /// Stores a cookie as if `url` had set it with this `Set-Cookie` value; says why not
    /// when the jar refuses it (malformed, or for another domain).
    pub fn set_cookie(&mut self, url: &url::Url, set_cookie: &str) -> Result<(), String> {
        self.jar
            .parse(set_cookie, url)
            .map_err(|e| format!("cookie {set_cookie:?} refused for {url}: {e}"))?;
        self.jar_empty = false;
        Ok(())
    }

    /// Empties the jar.
    pub fn clear_cookies(&mut self) {
        self.jar.clear();
        self.jar_empty = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::connect::read_ca_certs;
    use crate::http::options::HttpOptions;
    use crate::http::pool::IDLE_CHECK_AFTER;
    use std::sync::Arc;
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
            max_redirects: None,
            compression: None,
        }
    }

    /// A GET that finds its reused connection closed before any byte of the answer is sent
    /// again on a fresh one; a POST is not (it may have been acted on), and fails.
    #[tokio::test]
    async fn only_idempotent_requests_are_retried_on_a_stale_connection() {
        let (addr, accepted) = one_shot_server().await;
        let mut client = ClientSettings::new(HttpOptions::default()).client(1);
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
        let mut client = ClientSettings::new(HttpOptions {
            ca_certs: ca,
            ..HttpOptions::default()
        })
        .client(1);
        for _ in 0..3 {
            let got = client.send(https_get(addr)).await.unwrap();
            assert_eq!(got.status, 200);
            assert_eq!(got.body.as_deref(), Some(&b"hello"[..]));
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 1);
        // Without the CA the server's certificate is refused.
        let mut untrusting = ClientSettings::new(HttpOptions::default()).client(1);
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
        let mut client = ClientSettings::new(HttpOptions::default()).client(1);
        client.send(request(Method::GET, addr)).await.unwrap();
        tokio::time::sleep(IDLE_CHECK_AFTER * 2).await;
        let got = client.send(request(Method::POST, addr)).await.unwrap();
        assert_eq!(got.status, 200);
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }
}
