//! The connection layer against real servers the tests start: nginx with mutual TLS, HTTP/2
//! by ALPN and per-origin keep-alive logged; tinyproxy for http:// and (CONNECT) https://
//! targets; raw servers that reset connections or ask for a client certificate in the TLS
//! handshake itself.
//!
//! The client certificates in engine/src/http/testdata were made once with OpenSSL 3 (P-256
//! keys, valid to 2126; the client CA's key was not kept):
//! ```text
//! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client-ca.key \
//!   -out client-ca.pem -days 36500 -subj "/CN=horde test client CA" \
//!   -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
//! openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key \
//!   -out client.csr -subj "/CN=horde test client"
//! printf "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n" > ext
//! openssl x509 -req -in client.csr -CA client-ca.pem -CAkey client-ca.key -out client.pem \
//!   -days 36500 -extfile ext
//! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout stranger.key \
//!   -out stranger.pem -days 36500 -subj "/CN=horde test stranger" \
//!   -addext basicConstraints=critical,CA:FALSE -addext extendedKeyUsage=clientAuth
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use horde::http::{
    ClientIdentity, ClientSettings, HttpOptions, HttpVersions, Outgoing, ProxySettings, SendError,
    read_ca_certs,
};
use http::{HeaderMap, Method};
use rustls::pki_types::PrivateKeyDer;
use rustls::pki_types::pem::PemObject;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::servers::{Nginx, Tinyproxy, testdata};

fn get(url: &str) -> Outgoing {
    Outgoing {
        method: Method::GET,
        uri: url.parse().unwrap(),
        headers: HeaderMap::new(),
        body: Bytes::new(),
        timeout: Duration::from_secs(5),
        want_headers: false,
        want_body: true,
        max_redirects: None,
        compression: None,
    }
}

fn body(received: &horde::http::Received) -> String {
    String::from_utf8_lossy(received.body.as_deref().unwrap_or_default()).into_owned()
}

fn trusting() -> HttpOptions {
    HttpOptions {
        ca_certs: read_ca_certs(&testdata("ca.pem")).unwrap(),
        ..HttpOptions::default()
    }
}

fn identity(host: Option<&str>, name: &str) -> ClientIdentity {
    ClientIdentity {
        host: host.map(str::to_string),
        chain: read_ca_certs_chain(&format!("{name}.pem")),
        key: PrivateKeyDer::from_pem_file(testdata(&format!("{name}.key"))).unwrap(),
    }
}

fn read_ca_certs_chain(file: &str) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    rustls::pki_types::CertificateDer::pem_file_iter(testdata(file))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

const TLS: &str =
    "ssl_certificate {testdata}/server.pem; ssl_certificate_key {testdata}/server.key;";

/// nginx with `ssl_verify_client on` answers with the client certificate's subject when the
/// certificate is signed by the CA it trusts. nginx does not end the handshake over a
/// missing or unknown certificate: it answers 400 on the established connection (its
/// documented behaviour), which is what horde reports. A per-host identity goes to its
/// host only.
#[tokio::test]
async fn nginx_accepts_a_client_certificate_signed_by_its_ca() {
    let nginx = Nginx::start(&format!(
        "server {{ listen 127.0.0.1:{{port}}; listen 127.0.0.1:{{port2}} ssl; {TLS}
           ssl_client_certificate {{testdata}}/client-ca.pem; ssl_verify_client on;
           location / {{ return 200 \"$ssl_client_verify $ssl_client_s_dn\"; }} }}"
    ));
    let at = |host: &str| format!("https://{host}:{}/", nginx.port2);
    let mut options = trusting();
    options.identities = vec![identity(None, "client")];
    let mut client = ClientSettings::new(options).client(1);
    let accepted = client.send(get(&at("127.0.0.1"))).await.unwrap();
    assert_eq!(accepted.status, 200);
    assert_eq!(body(&accepted), "SUCCESS CN=horde test client");

    let mut anonymous = ClientSettings::new(trusting()).client(1);
    let none = anonymous.send(get(&at("127.0.0.1"))).await.unwrap();
    assert_eq!(none.status, 400, "{}", body(&none));
    assert!(
        body(&none).contains("No required SSL certificate"),
        "{}",
        body(&none)
    );

    // The stranger's certificate for every host, the CA-signed one for localhost only.
    let mut options = trusting();
    options.identities = vec![
        identity(None, "stranger"),
        identity(Some("localhost"), "client"),
    ];
    let mut client = ClientSettings::new(options).client(1);
    let wrong = client.send(get(&at("127.0.0.1"))).await.unwrap();
    assert_eq!(wrong.status, 400, "{}", body(&wrong));
    let right = client.send(get(&at("localhost"))).await.unwrap();
    assert_eq!(body(&right), "SUCCESS CN=horde test client");
}

/// A server that checks the client certificate in the handshake (rustls's, as Envoy and Go
/// servers do) rejects a missing or unknown one with an alert; with TLS 1.3 it reaches the
/// client on its first read, after the request went out. Both are TLS failures, not broken
/// connections.
#[tokio::test]
async fn a_certificate_refused_in_the_handshake_is_a_tls_failure() {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(read_ca_certs_chain("client-ca.pem"));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            read_ca_certs_chain("server.pem"),
            PrivateKeyDer::from_pem_file(testdata("server.key")).unwrap(),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut request = [0; 1024];
                while matches!(tls.read(&mut request).await, Ok(n) if n > 0) {
                    let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                    if tls.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let mut options = trusting();
    options.identities = vec![identity(None, "client")];
    let ok = ClientSettings::new(options).client(1).send(get(&url)).await;
    assert_eq!(ok.unwrap().status, 200);
    for identities in [vec![], vec![identity(None, "stranger")]] {
        let mut options = trusting();
        options.identities = identities;
        let refused = ClientSettings::new(options).client(1).send(get(&url)).await;
        assert!(
            matches!(&refused, Err(SendError::Tls(why)) if why.contains("alert")),
            "{:?}",
            refused.as_ref().err()
        );
    }
}

/// `--insecure` accepts a certificate from a CA nobody trusts; without it, that certificate
/// is a TLS failure naming the unknown issuer.
#[tokio::test]
async fn insecure_accepts_a_certificate_from_an_unknown_ca() {
    let nginx = Nginx::start(&format!(
        "server {{ listen 127.0.0.1:{{port}}; listen 127.0.0.1:{{port2}} ssl; {TLS}
           location / {{ return 200 \"secure enough\"; }} }}"
    ));
    let url = format!("https://127.0.0.1:{}/", nginx.port2);
    let strict = ClientSettings::new(HttpOptions::default())
        .client(1)
        .send(get(&url))
        .await;
    assert!(
        matches!(&strict, Err(SendError::Tls(why)) if why.contains("UnknownIssuer")),
        "{:?}",
        strict.as_ref().err()
    );
    let options = HttpOptions {
        insecure: true,
        ..HttpOptions::default()
    };
    let lax = ClientSettings::new(options)
        .client(1)
        .send(get(&url))
        .await
        .unwrap();
    assert_eq!(body(&lax), "secure enough");
}

/// Over TLS, ALPN decides: HTTP/2 where nginx offers it, HTTP/1.1 with `--http1`, and
/// `--http2` (h2c for http://) does not force HTTP/2 on a TLS server that only speaks 1.1.
#[tokio::test]
async fn alpn_chooses_http2_and_http1_can_be_forced() {
    let h2 = Nginx::start(&format!(
        "server {{ listen 127.0.0.1:{{port}}; listen 127.0.0.1:{{port2}} ssl http2; {TLS}
           location / {{ return 200 \"$server_protocol\"; }} }}"
    ));
    let h1 = Nginx::start(&format!(
        "server {{ listen 127.0.0.1:{{port}}; listen 127.0.0.1:{{port2}} ssl; {TLS}
           location / {{ return 200 \"$server_protocol\"; }} }}"
    ));
    let protocol = |versions, port: u16| async move {
        let options = HttpOptions {
            versions,
            ..trusting()
        };
        let mut client = ClientSettings::new(options).client(1);
        let got = client
            .send(get(&format!("https://127.0.0.1:{port}/")))
            .await;
        body(&got.unwrap())
    };
    assert_eq!(
        protocol(HttpVersions::Negotiated, h2.port2).await,
        "HTTP/2.0"
    );
    assert_eq!(
        protocol(HttpVersions::Http1Only, h2.port2).await,
        "HTTP/1.1"
    );
    assert_eq!(protocol(HttpVersions::H2cToo, h2.port2).await, "HTTP/2.0");
    assert_eq!(protocol(HttpVersions::H2cToo, h1.port2).await, "HTTP/1.1");

    // HTTP/2's connection is kept, and its phases add up to the exchange.
    let mut client = ClientSettings::new(trusting()).client(1);
    let url = format!("https://127.0.0.1:{}/", h2.port2);
    let first = client.send(get(&url)).await.unwrap();
    assert!(
        first.timings.tls_handshaking > Duration::ZERO,
        "{:?}",
        first.timings
    );
    let second = client.send(get(&url)).await.unwrap();
    let t = second.timings;
    assert_eq!(t.connecting + t.tls_handshaking, Duration::ZERO, "{t:?}");
    assert!(t.waiting > Duration::ZERO, "{t:?}");
    let phases = t.blocked + t.sending + t.waiting + t.receiving;
    assert!(phases <= second.elapsed, "{t:?} vs {:?}", second.elapsed);
}

/// `--max-body`: a larger body fails the request on HTTP/1.1 and HTTP/2 alike, and the VU
/// goes on with its next request.
#[tokio::test]
async fn a_body_over_max_body_fails_and_the_vu_goes_on() {
    let nginx = Nginx::start(&format!(
        "server {{ listen 127.0.0.1:{{port}}; listen 127.0.0.1:{{port2}} ssl http2; {TLS}
           root {{dir}}/www; }}"
    ));
    nginx.serve_file("big", &vec![b'x'; 100 * 1024]);
    nginx.serve_file("small", b"small");
    let options = HttpOptions {
        max_body: 64 * 1024,
        ..trusting()
    };
    let mut client = ClientSettings::new(options).client(1);
    for base in [nginx.url(), format!("https://127.0.0.1:{}", nginx.port2)] {
        for _ in 0..2 {
            let big = client.send(get(&format!("{base}/big"))).await;
            assert!(
                matches!(big, Err(SendError::BodyTooLarge(65536))),
                "{base}: {:?}",
                big.as_ref().err()
            );
            let small = client.send(get(&format!("{base}/small"))).await.unwrap();
            assert_eq!(body(&small), "small");
        }
    }
}

/// The lines of a log nginx writes with a custom format, once it holds `n`.
fn log_lines(nginx: &Nginx, file: &str, n: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = std::fs::read_to_string(nginx.dir.path().join(file)).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_string).collect();
        if lines.len() >= n || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A VU alternating two origins keeps a connection to each: nginx logs two connections,
/// each carrying half the requests.
#[tokio::test]
async fn alternating_two_origins_keeps_two_connections() {
    let nginx = Nginx::start(
        "log_format conn '$server_port $connection $connection_requests';
         server { listen 127.0.0.1:{port}; listen 127.0.0.1:{port2};
           access_log {dir}/conn.log conn; location / { return 200 ok; } }",
    );
    let mut client = ClientSettings::new(HttpOptions::default()).client(1);
    for _ in 0..5 {
        for port in [nginx.port, nginx.port2] {
            let got = client
                .send(get(&format!("http://127.0.0.1:{port}/")))
                .await
                .unwrap();
            assert_eq!(got.status, 200);
        }
    }
    let lines = log_lines(&nginx, "conn.log", 10);
    assert_eq!(lines.len(), 10, "{lines:?}");
    let mut connections: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            let mut f = l.split(' ');
            (f.next().unwrap(), f.next().unwrap())
        })
        .collect();
    connections.sort();
    connections.dedup();
    assert_eq!(connections.len(), 2, "{lines:?}");
    assert!(
        lines[8].ends_with(" 5") && lines[9].ends_with(" 5"),
        "{lines:?}"
    );
}

/// tinyproxy carries an http:// request (absolute form) and an https:// one (CONNECT, TLS to
/// nginx inside the tunnel); the tunnel is connecting time, not waiting. `NO_PROXY` sends a
/// host around the proxy.
#[tokio::test]
async fn tinyproxy_carries_http_and_https_and_no_proxy_bypasses_it() {
    let nginx = Nginx::start(&format!(
        "server {{ listen 127.0.0.1:{{port}}; listen 127.0.0.1:{{port2}} ssl; {TLS}
           location / {{ return 200 \"$scheme $request\"; }} }}"
    ));
    let proxy = Tinyproxy::start();
    let proxy_url: url::Url = proxy.url().parse().unwrap();
    let through = |no_proxy: Vec<String>| HttpOptions {
        proxy: ProxySettings {
            http: Some(proxy_url.clone()),
            https: Some(proxy_url.clone()),
            no_proxy,
        },
        ..trusting()
    };
    let mut client = ClientSettings::new(through(Vec::new())).client(1);
    let plain = client
        .send(get(&format!("{}/plain", nginx.url())))
        .await
        .unwrap();
    assert_eq!(body(&plain), "http GET /plain HTTP/1.1");
    let secure_url = format!("https://127.0.0.1:{}/secure", nginx.port2);
    let secure = client.send(get(&secure_url)).await.unwrap();
    assert_eq!(body(&secure), "https GET /secure HTTP/1.1");
    assert!(
        secure.timings.connecting > Duration::ZERO
            && secure.timings.tls_handshaking > Duration::ZERO
    );
    let log = proxy.log();
    assert!(log.contains(&format!("GET {}/plain", nginx.url())), "{log}");
    assert!(
        log.contains(&format!("CONNECT 127.0.0.1:{}", nginx.port2)),
        "{log}"
    );
    // The tunnel is kept: a second https request opens nothing new.
    let again = client.send(get(&secure_url)).await.unwrap();
    assert_eq!(again.timings.connecting, Duration::ZERO);

    let before = proxy.log().len();
    let mut direct = ClientSettings::new(through(vec!["127.0.0.1".into()])).client(1);
    direct
        .send(get(&format!("{}/direct", nginx.url())))
        .await
        .unwrap();
    direct.send(get(&secure_url)).await.unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(proxy.log().len(), before, "{}", &proxy.log()[before..]);
}

/// A target that resets connections: every third connection is reset at its first request
/// (a fresh connection: the request fails), every other one after serving two requests (a
/// kept connection: the GET is sent again on a new one, and the re-send is counted). Either
/// way each reset shows, as a failure or a counted re-send; with `--no-retry` each is a
/// failure.
#[tokio::test]
async fn every_reset_is_a_failure_or_a_counted_resend() {
    for retry in [true, false] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let resets = Arc::new(AtomicUsize::new(0));
        let made = resets.clone();
        tokio::spawn(async move {
            for n in 0.. {
                let (mut socket, _) = listener.accept().await.unwrap();
                let made = made.clone();
                tokio::spawn(async move {
                    let serve = if n % 3 == 0 { 0 } else { 2 };
                    let mut request = [0; 1024];
                    for served in 0.. {
                        if !matches!(socket.read(&mut request).await, Ok(k) if k > 0) {
                            return;
                        }
                        if served == serve {
                            made.fetch_add(1, Ordering::SeqCst);
                            // SO_LINGER 0: close with a reset, not a FIN.
                            let socket = socket.into_std().unwrap();
                            socket2::SockRef::from(&socket)
                                .set_linger(Some(Duration::ZERO))
                                .unwrap();
                            return;
                        }
                        let reply = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";
                        socket.write_all(reply).await.unwrap();
                    }
                });
            }
        });
        let options = HttpOptions {
            retry,
            ..HttpOptions::default()
        };
        let mut client = ClientSettings::new(options).client(1);
        let (mut failures, mut resent, mut ok) = (0, 0, 0);
        for _ in 0..60 {
            match client.send(get(&url)).await {
                Ok(_) => ok += 1,
                Err(SendError::Protocol(why)) => {
                    assert!(why.contains("reset") || why.contains("closed"), "{why}");
                    failures += 1;
                }
                Err(other) => panic!("{other}"),
            }
            for why in client.resent() {
                assert!(why.contains("reset"), "{why}");
            }
            resent += client.resent().len();
        }
        // Let the server count the last reset.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let resets = resets.load(Ordering::SeqCst);
        assert!(resets >= 10 && ok > 0, "{resets} resets, {ok} answered");
        assert_eq!(
            failures + resent,
            resets,
            "retry {retry}: {failures} failures, {resent} re-sent"
        );
        if retry {
            assert!(resent > 0 && failures > 0);
        } else {
            assert_eq!(resent, 0);
        }
    }
}
