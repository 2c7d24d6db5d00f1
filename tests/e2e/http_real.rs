//! horde's HTTP client against real servers the test starts (tests/e2e/servers.rs): Debian's
//! nginx, plain and over TLS, and tinyproxy as a forward proxy.

use std::io::{Read, Write};
use std::time::Duration;

use bytes::Bytes;
use horde::http::{ClientSettings, HttpOptions, Outgoing, read_ca_certs};
use http::{HeaderMap, Method};

use crate::servers::{Nginx, Tinyproxy, testdata};

fn get(url: &str) -> Outgoing {
    Outgoing {
        method: Method::GET,
        uri: url.parse().unwrap(),
        headers: HeaderMap::new(),
        body: Bytes::new(),
        timeout: Duration::from_secs(5),
        want_headers: true,
        want_body: true,
        max_redirects: None,
        compression: None,
    }
}

/// nginx serves a file over plain HTTP and over TLS (trusting the test CA), and sees every
/// request horde sent.
#[tokio::test]
async fn nginx_answers_over_http_and_https() {
    let nginx = Nginx::start(
        "server { listen 127.0.0.1:{port}; listen 127.0.0.1:{port2} ssl;
           ssl_certificate {testdata}/server.pem; ssl_certificate_key {testdata}/server.key;
           root {dir}/www; }",
    );
    nginx.serve_file("hello.txt", b"hello from nginx\n");
    assert!(nginx.access_log().is_empty());
    let options = HttpOptions {
        ca_certs: read_ca_certs(&testdata("ca.pem")).unwrap(),
        ..HttpOptions::default()
    };
    let mut client = ClientSettings::new(options).client(1);
    let plain = client
        .send(get(&format!("{}/hello.txt", nginx.url())))
        .await
        .unwrap();
    assert_eq!(plain.status, 200);
    assert_eq!(plain.body.as_deref(), Some(&b"hello from nginx\n"[..]));
    let secure = client
        .send(get(&format!("https://127.0.0.1:{}/hello.txt", nginx.port2)))
        .await
        .unwrap();
    assert_eq!(secure.status, 200);
    let missing = client
        .send(get(&format!("{}/missing", nginx.url())))
        .await
        .unwrap();
    assert_eq!(missing.status, 404);
    let log = nginx.access_log_of(3);
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(
        log[2].contains("\"GET /missing HTTP/1.1\" 404"),
        "{}",
        log[2]
    );
}

/// tinyproxy relays a plain request in absolute form to nginx.
#[tokio::test]
async fn tinyproxy_relays_to_nginx() {
    let nginx = Nginx::start("server { listen 127.0.0.1:{port}; root {dir}/www; }");
    nginx.serve_file("via.txt", b"relayed");
    let proxy = Tinyproxy::start();
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", proxy.port)).unwrap();
    write!(
        socket,
        "GET {}/via.txt HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        nginx.url(),
        nginx.port
    )
    .unwrap();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.") && answer.contains(" 200 "),
        "{answer}"
    );
    assert!(answer.ends_with("relayed"), "{answer}");
    assert_eq!(nginx.access_log_of(1).len(), 1);
    assert!(proxy.url().starts_with("http://127.0.0.1:"));
    assert!(!proxy.log().is_empty());
}
