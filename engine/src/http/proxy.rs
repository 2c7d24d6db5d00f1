//! Forward proxies (`--proxy`, `HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`): which route a target
//! takes, and the CONNECT that opens a tunnel to an `https://` target.
//!
//! An `http://` target goes through the proxy as curl and requests send it: the request in
//! absolute form (`GET http://host/path HTTP/1.1`) on a connection to the proxy. An
//! `https://` target gets a tunnel (`CONNECT host:443`, RFC 9110 §9.3.6) with TLS to the
//! target inside it, so the proxy sees neither the requests nor the certificates.

use base64::Engine;
use http::HeaderValue;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::counting::CountingStream;
use super::options::ProxySettings;
use super::outcome::SendError;

/// A proxy's address and the credentials of its URL.
#[derive(Debug)]
pub(super) struct Proxy {
    pub(super) host: String,
    pub(super) port: u16,
    /// `Proxy-Authorization: Basic …` from the URL's `user:password@`.
    pub(super) authorization: Option<HeaderValue>,
}

impl Proxy {
    fn new(url: &url::Url) -> Self {
        let host = url.host_str().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let decode = |text: &str| percent_decode(text).unwrap_or_else(|| text.as_bytes().to_vec());
        let authorization = (!url.username().is_empty()).then(|| {
            let mut credentials = decode(url.username());
            credentials.push(b':');
            credentials.extend(decode(url.password().unwrap_or_default()));
            let encoded = base64::engine::general_purpose::STANDARD.encode(credentials);
            HeaderValue::from_str(&format!("Basic {encoded}")).expect("base64 is a header value")
        });
        Self {
            host: host.to_string(),
            port: url.port_or_known_default().unwrap_or(80),
            authorization,
        }
    }
}

/// `%XX` escapes decoded (a URL's userinfo keeps them), or None when one is malformed.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = std::str::from_utf8(bytes.get(at + 1..at + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    Some(out)
}

/// How a connection to a target is made.
#[derive(Clone, Copy)]
pub(super) enum Route<'a> {
    Direct,
    /// An `http://` target: requests go to the proxy in absolute form.
    Forward(&'a Proxy),
    /// An `https://` target: a CONNECT tunnel through the proxy, TLS inside it.
    Tunnel(&'a Proxy),
}

/// The run's proxies.
#[derive(Debug, Default)]
pub(super) struct Proxies {
    http: Option<Proxy>,
    https: Option<Proxy>,
    /// `NO_PROXY`'s entries, lower case.
    no_proxy: Vec<String>,
}

impl Proxies {
    pub(super) fn new(settings: &ProxySettings) -> Self {
        Self {
            http: settings.http.as_ref().map(Proxy::new),
            https: settings.https.as_ref().map(Proxy::new),
            no_proxy: settings
                .no_proxy
                .iter()
                .map(|entry| entry.to_ascii_lowercase())
                .collect(),
        }
    }

    /// The route to `host` (a name or an address, without brackets) over TLS or not.
    pub(super) fn route(&self, tls: bool, host: &str) -> Route<'_> {
        let proxy = if tls { &self.https } else { &self.http };
        match proxy {
            Some(proxy) if !self.bypasses(host) => {
                if tls {
                    Route::Tunnel(proxy)
                } else {
                    Route::Forward(proxy)
                }
            }
            _ => Route::Direct,
        }
    }

    /// Whether `NO_PROXY` sends `host` direct, as curl reads it: `*` for every host; a name
    /// for itself and its subdomains (`example.com` and `.example.com` both match
    /// `api.example.com`); an address for itself (written bare or in brackets). A `:port`
    /// after an entry is ignored, as curl does; address ranges (CIDR) are not supported.
    fn bypasses(&self, host: &str) -> bool {
        self.no_proxy.iter().any(|entry| {
            let entry = entry.trim_start_matches('[');
            let entry = match entry.split_once(']') {
                Some((addr, _)) => addr,
                None if entry.matches(':').count() == 1 => entry.split(':').next().unwrap_or(""),
                None => entry,
            };
            if entry == "*" {
                return true;
            }
            let suffix = entry.trim_start_matches('.');
            !suffix.is_empty()
                && (host.eq_ignore_ascii_case(suffix)
                    || host.len() > suffix.len()
                        && host.as_bytes()[host.len() - suffix.len() - 1] == b'.'
                        && host[host.len() - suffix.len()..].eq_ignore_ascii_case(suffix))
        })
    }
}

/// The largest CONNECT answer head read from a proxy.
const MAX_CONNECT_HEAD: usize = 16 * 1024;

/// Asks `proxy` on `stream` for a tunnel to `authority` (`host:port`); Ok once it answers
/// 2xx, after which the stream is the target's.
pub(super) async fn tunnel(
    stream: &mut CountingStream,
    proxy: &Proxy,
    authority: &str,
) -> Result<(), SendError> {
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nhost: {authority}\r\n");
    if let Some(credentials) = &proxy.authorization {
        request.push_str("proxy-authorization: ");
        request.push_str(credentials.to_str().expect("built from base64"));
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let via = |why: String| {
        SendError::Connect(format!(
            "proxy {}:{} for {authority}: {why}",
            proxy.host, proxy.port
        ))
    };
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| via(e.to_string()))?;
    let mut head = Vec::with_capacity(512);
    loop {
        // The answer is read a byte past its end at most: the proxy sends nothing after its
        // head until the client speaks (TLS's client hello comes first).
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut answer = httparse::Response::new(&mut headers);
        match answer.parse(&head) {
            Ok(httparse::Status::Complete(end)) => {
                let status = answer.code.unwrap_or(0);
                if !(200..300).contains(&status) {
                    let reason = answer.reason.unwrap_or_default();
                    let hint = if status == 407 {
                        "; put the proxy's user and password in its URL (http://USER:PASS@HOST:PORT)"
                    } else {
                        ""
                    };
                    return Err(via(format!("CONNECT answered {status} {reason}{hint}")));
                }
                if end != head.len() {
                    return Err(via("bytes after the CONNECT answer, before TLS".into()));
                }
                return Ok(());
            }
            Ok(httparse::Status::Partial) => {}
            Err(e) => return Err(via(format!("malformed CONNECT answer: {e}"))),
        }
        if head.len() > MAX_CONNECT_HEAD {
            return Err(via("CONNECT answer head too large".into()));
        }
        let mut piece = [0u8; 512];
        let n = stream
            .read(&mut piece)
            .await
            .map_err(|e| via(e.to_string()))?;
        if n == 0 {
            return Err(via("closed before answering CONNECT".into()));
        }
        head.extend_from_slice(&piece[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn proxies(no_proxy: &[&str]) -> Proxies {
        let url: url::Url = "http://user:p%40ss@proxy.test:3128".parse().unwrap();
        Proxies::new(&ProxySettings {
            http: Some(url.clone()),
            https: Some(url),
            no_proxy: no_proxy.iter().map(|s| s.to_string()).collect(),
        })
    }

    #[test]
    fn no_proxy_takes_names_suffixes_addresses_and_a_star() {
        let p = proxies(&[
            "localhost",
            ".internal",
            "10.0.0.1",
            "[::1]",
            "db.test:5432",
        ]);
        let direct = |host| matches!(p.route(false, host), Route::Direct);
        assert!(direct("localhost") && direct("LOCALHOST"));
        assert!(direct("api.internal") && direct("internal"));
        assert!(direct("10.0.0.1") && direct("::1") && direct("db.test"));
        assert!(!direct("notinternal") && !direct("10.0.0.10") && !direct("example.com"));
        assert!(matches!(p.route(true, "example.com"), Route::Tunnel(_)));
        assert!(matches!(p.route(false, "example.com"), Route::Forward(_)));
        let all = proxies(&["*"]);
        assert!(matches!(all.route(true, "example.com"), Route::Direct));
        let none = Proxies::new(&ProxySettings::default());
        assert!(matches!(none.route(false, "example.com"), Route::Direct));
    }

    /// A proxy on 127.0.0.1 that reads one CONNECT and answers `reply`; returns the
    /// client's result and the request the proxy read.
    async fn connect_through(reply: &'static [u8]) -> (Result<(), SendError>, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = vec![0; 1024];
            let n = socket.read(&mut request).await.unwrap();
            socket.write_all(reply).await.unwrap();
            String::from_utf8_lossy(&request[..n]).into_owned()
        });
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let mut stream = CountingStream::new(tcp, Default::default());
        let p = proxies(&[]);
        let result = tunnel(&mut stream, p.https.as_ref().unwrap(), "api.test:443").await;
        (result, peer.await.unwrap())
    }

    #[tokio::test]
    async fn a_tunnel_is_asked_with_the_credentials_and_a_refusal_named() {
        let (opened, asked) = connect_through(b"HTTP/1.1 200 Connection established\r\n\r\n").await;
        opened.unwrap();
        assert_eq!(
            asked,
            "CONNECT api.test:443 HTTP/1.1\r\nhost: api.test:443\r\n\
             proxy-authorization: Basic dXNlcjpwQHNz\r\n\r\n"
        );
        let (refused, _) =
            connect_through(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n").await;
        let why = refused.unwrap_err().to_string();
        assert!(
            why.contains("proxy proxy.test:3128 for api.test:443: CONNECT answered 407")
                && why.contains("USER:PASS@"),
            "{why}"
        );
    }

    #[test]
    fn the_urls_user_and_password_become_basic_credentials() {
        let p = proxies(&[]);
        let proxy = p.http.as_ref().unwrap();
        assert_eq!((proxy.host.as_str(), proxy.port), ("proxy.test", 3128));
        // "user:p@ss" in base64.
        assert_eq!(proxy.authorization.as_ref().unwrap(), "Basic dXNlcjpwQHNz");
        assert_eq!(percent_decode("a%2"), None);
    }
}
