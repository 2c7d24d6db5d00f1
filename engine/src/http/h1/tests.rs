//! The lean HTTP/1.1 exchange against a raw peer: framing, reuse, limits and the phases'
//! instants.

use super::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt, duplex};

/// Runs one exchange against a peer that answers `reply` (in pieces of `piece` bytes),
/// returning the response and the request the peer read.
async fn exchange_with(
    method: Method,
    reply: &'static [u8],
    piece: usize,
) -> (Result<Response, ExchangeError>, bool, String) {
    let (client, mut server) = duplex(64 * 1024);
    let peer = tokio::spawn(async move {
        let mut request = vec![0; 4096];
        let n = server.read(&mut request).await.unwrap();
        for chunk in reply.chunks(piece) {
            server.write_all(chunk).await.unwrap();
            tokio::task::yield_now().await;
        }
        String::from_utf8_lossy(&request[..n]).into_owned()
    });
    let mut conn = H1Conn::new(client);
    let mut headers = HeaderMap::new();
    headers.insert("x-test", HeaderValue::from_static("1"));
    let response = conn
        .exchange(H1Request {
            method: &method,
            target: "/p?q=1",
            host: "example.test",
            headers: &headers,
            body: &Bytes::new(),
            want_headers: true,
            want_body: true,
            target_prefix: "",
            proxy_authorization: None,
            max_body: 1024,
        })
        .await;
    let request = peer.await.unwrap();
    (response, conn.is_reusable(), request)
}

#[tokio::test]
async fn writes_the_request_line_host_and_headers() {
    let (response, reusable, request) = exchange_with(
        Method::GET,
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        64,
    )
    .await;
    assert_eq!(
        request,
        "GET /p?q=1 HTTP/1.1\r\nhost: example.test\r\nx-test: 1\r\n\r\n"
    );
    let response = response.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body.as_deref(), Some(&b"ok"[..]));
    assert_eq!(response.headers["content-length"], "2");
    assert!(reusable);
}

#[tokio::test]
async fn reads_a_chunked_body_in_small_pieces() {
    let reply = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n\
        5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\ntrailer: x\r\n\r\n";
    let (response, reusable, _) = exchange_with(Method::GET, reply, 3).await;
    assert_eq!(response.unwrap().body.as_deref(), Some(&b"hello world"[..]));
    assert!(reusable);
}

#[tokio::test]
async fn skips_interim_responses_and_reads_no_body_where_there_is_none() {
    let reply = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
    let (response, reusable, _) = exchange_with(Method::POST, reply, 7).await;
    let response = response.unwrap();
    assert_eq!(response.status, 204);
    assert_eq!(response.body.as_deref(), Some(&b""[..]));
    assert!(reusable);
    let head = b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n";
    let (response, reusable, _) = exchange_with(Method::HEAD, head, 64).await;
    assert_eq!(response.unwrap().status, 200);
    assert!(reusable, "HEAD's Content-Length announces no body");
}

#[tokio::test]
async fn a_body_to_the_end_of_the_connection_and_close_end_reuse() {
    let reply = b"HTTP/1.1 200 OK\r\n\r\nuntil the end";
    let (response, reusable, _) = exchange_with(Method::GET, reply, 4).await;
    assert_eq!(
        response.unwrap().body.as_deref(),
        Some(&b"until the end"[..])
    );
    assert!(!reusable);
    let close = b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n";
    let (_, reusable, _) = exchange_with(Method::GET, close, 64).await;
    assert!(!reusable);
    let old = b"HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n";
    let (_, reusable, _) = exchange_with(Method::GET, old, 64).await;
    assert!(!reusable, "HTTP/1.0 closes unless it says keep-alive");
}

#[tokio::test]
async fn a_close_before_the_response_is_stale_and_after_it_broken() {
    let (response, _, _) = exchange_with(Method::GET, b"", 1).await;
    assert!(matches!(response, Err(ExchangeError::Stale(_))));
    let (response, _, _) = exchange_with(
        Method::GET,
        b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nhalf",
        64,
    )
    .await;
    assert!(matches!(response, Err(ExchangeError::Broken(m)) if m.contains("body")));
    let (response, _, _) = exchange_with(Method::GET, b"HTTP/1.1 20x\r\n\r\n", 64).await;
    assert!(matches!(response, Err(ExchangeError::Broken(m)) if m.contains("malformed")));
}

/// A request written to a peer that answers each request it reads with the next of
/// `replies`, on one connection; returns the client's results and what the peer read.
async fn conversation(
    requests: Vec<(Method, Bytes, bool)>,
    replies: Vec<&'static [u8]>,
    max_body: u64,
) -> (Vec<Result<Response, ExchangeError>>, bool, Vec<u8>) {
    let (client, mut server) = duplex(1024 * 1024);
    let peer = tokio::spawn(async move {
        let mut seen = Vec::new();
        for reply in replies {
            // Read until a whole request (head and its Content-Length body) is in.
            loop {
                let mut piece = vec![0; 64 * 1024];
                let n = server.read(&mut piece).await.unwrap();
                seen.extend_from_slice(&piece[..n]);
                let text = String::from_utf8_lossy(&seen).into_owned();
                let Some(end) = text.rfind("\r\n\r\n") else {
                    continue;
                };
                let length = text
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length: "))
                    .map_or(0, |l| l.trim().parse::<usize>().unwrap());
                if seen.len() >= end + 4 + length || n == 0 {
                    break;
                }
            }
            server.write_all(reply).await.unwrap();
        }
        let mut rest = Vec::new();
        let _ = tokio::time::timeout(
            std::time::Duration::from_millis(50),
            server.read_to_end(&mut rest),
        )
        .await;
        seen.extend(rest);
        seen
    });
    let mut conn = H1Conn::new(client);
    let mut results = Vec::new();
    for (method, body, want_body) in requests {
        results.push(
            conn.exchange(H1Request {
                method: &method,
                target: "/",
                host: "example.test",
                headers: &HeaderMap::new(),
                body: &body,
                want_headers: false,
                want_body,
                target_prefix: "",
                proxy_authorization: None,
                max_body,
            })
            .await,
        );
    }
    let reusable = conn.is_reusable();
    drop(conn);
    (results, reusable, peer.await.unwrap())
}

fn get(want_body: bool) -> (Method, Bytes, bool) {
    (Method::GET, Bytes::new(), want_body)
}

/// A chunked body nobody wants is read to its end and dropped, so the next response on
/// the connection is read from its own first byte.
#[tokio::test]
async fn an_unwanted_chunked_body_is_drained_and_the_connection_kept() {
    let chunked: &[u8] = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n\
        400\r\n" as &[u8];
    let mut first = chunked.to_vec();
    first.extend(std::iter::repeat_n(b'x', 0x400));
    first.extend_from_slice(b"\r\n0\r\n\r\n");
    let first: &'static [u8] = Box::leak(first.into_boxed_slice());
    let (results, reusable, _) = conversation(
        vec![get(false), get(true)],
        vec![
            first,
            b"HTTP/1.1 201 Created\r\ncontent-length: 4\r\n\r\nnext",
        ],
        1 << 20,
    )
    .await;
    let [a, b] = <[_; 2]>::try_from(results).ok().unwrap();
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.status, a.body), (200, None));
    assert_eq!((b.status, b.body.as_deref()), (201, Some(&b"next"[..])));
    assert!(reusable);
}

/// A body over the 4 KiB that go out with the head is written after it, whole, with its
/// length.
#[tokio::test]
async fn a_request_body_over_4_kib_goes_out_whole() {
    let body = Bytes::from(vec![b'b'; 10_000]);
    let (results, _, seen) = conversation(
        vec![(Method::POST, body.clone(), true)],
        vec![b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"],
        1024,
    )
    .await;
    assert_eq!(results[0].as_ref().unwrap().status, 200);
    let text = String::from_utf8_lossy(&seen);
    assert!(text.contains("content-length: 10000\r\n"), "{text}");
    assert!(seen.ends_with(&body), "the whole body after the head");
}

/// 304 has no body whatever its Content-Length says, and a 103 before the answer is
/// skipped.
#[tokio::test]
async fn not_modified_has_no_body_and_early_hints_are_skipped() {
    let (results, reusable, _) = conversation(
        vec![get(true), get(true)],
        vec![
            b"HTTP/1.1 304 Not Modified\r\ncontent-length: 1234\r\n\r\n",
            b"HTTP/1.1 103 Early Hints\r\nlink: </s.css>; rel=preload\r\n\r\n\
              HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
        ],
        1024,
    )
    .await;
    let not_modified = results[0].as_ref().unwrap();
    assert_eq!(
        (not_modified.status, not_modified.body.as_deref()),
        (304, Some(&b""[..]))
    );
    let ok = results[1].as_ref().unwrap();
    assert_eq!((ok.status, ok.body.as_deref()), (200, Some(&b"ok"[..])));
    assert!(reusable);
}

/// With both, Transfer-Encoding frames the body and Content-Length is ignored
/// (RFC 9112 §6.3): the chunks are read, not 100 bytes.
#[tokio::test]
async fn transfer_encoding_wins_over_content_length() {
    let (results, reusable, _) = conversation(
        vec![get(true), get(true)],
        vec![
            b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\ntransfer-encoding: chunked\r\n\r\n\
              3\r\nabc\r\n0\r\n\r\n",
            b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nz",
        ],
        1024,
    )
    .await;
    assert_eq!(
        results[0].as_ref().unwrap().body.as_deref(),
        Some(&b"abc"[..])
    );
    assert_eq!(
        results[1].as_ref().unwrap().body.as_deref(),
        Some(&b"z"[..])
    );
    assert!(reusable);
}

/// A body past `max_body` fails the exchange and closes the connection, whether its
/// length is announced (refused before reading it), chunked or until the close.
#[tokio::test]
async fn a_body_over_the_limit_fails_and_is_not_kept() {
    let replies: [&'static [u8]; 3] = [
        b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\nhello world",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n\r\nhello world",
    ];
    for reply in replies {
        let (results, reusable, _) = conversation(vec![get(false)], vec![reply], 10).await;
        assert!(
            matches!(results[0], Err(ExchangeError::TooLarge(10))),
            "{:?}",
            results[0].as_ref().err()
        );
        assert!(!reusable);
        let (results, _, _) = conversation(vec![get(true)], vec![reply], 11).await;
        assert_eq!(
            results[0].as_ref().unwrap().body.as_deref(),
            Some(&b"hello world"[..])
        );
    }
}

/// The instants of the phases: flushed before the first byte, the first byte when the
/// answer began to arrive (after the peer's delay).
#[tokio::test]
async fn the_flush_and_the_first_byte_are_noted() {
    let (client, mut server) = duplex(4096);
    tokio::spawn(async move {
        let mut request = [0; 1024];
        let _ = server.read(&mut request).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        server
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    });
    let mut conn = H1Conn::new(client);
    let before = std::time::Instant::now();
    conn.exchange(H1Request {
        method: &Method::GET,
        target: "/",
        host: "example.test",
        headers: &HeaderMap::new(),
        body: &Bytes::new(),
        want_headers: false,
        want_body: false,
        target_prefix: "",
        proxy_authorization: None,
        max_body: 0,
    })
    .await
    .unwrap();
    assert!(conn.sent_at >= before);
    assert!(conn.first_byte_at - conn.sent_at >= std::time::Duration::from_millis(30));
}

/// A forward proxy's request: absolute form and the proxy's credentials.
#[tokio::test]
async fn a_request_to_a_forward_proxy_is_in_absolute_form() {
    let (client, mut server) = duplex(4096);
    let peer = tokio::spawn(async move {
        let mut request = vec![0; 1024];
        let n = server.read(&mut request).await.unwrap();
        server
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .await
            .unwrap();
        String::from_utf8_lossy(&request[..n]).into_owned()
    });
    let credentials = HeaderValue::from_static("Basic dTpw");
    H1Conn::new(client)
        .exchange(H1Request {
            method: &Method::GET,
            target: "/a?b",
            host: "example.test:8080",
            headers: &HeaderMap::new(),
            body: &Bytes::new(),
            want_headers: false,
            want_body: false,
            target_prefix: "http://example.test:8080",
            proxy_authorization: Some(&credentials),
            max_body: 0,
        })
        .await
        .unwrap();
    assert_eq!(
        peer.await.unwrap(),
        "GET http://example.test:8080/a?b HTTP/1.1\r\nhost: example.test:8080\r\n\
         proxy-authorization: Basic dTpw\r\n\r\n"
    );
}

/// A header value with CR or LF cannot be built (the `http` crate refuses it), so no
/// request can smuggle a second header or request through a scenario's value; the
/// exchange only ever writes values of that type.
#[test]
fn a_header_value_with_cr_or_lf_is_refused() {
    for bad in [&b"a\r\nx-injected: 1"[..], b"a\nb", b"a\rb"] {
        assert!(HeaderValue::from_bytes(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn formats_numbers() {
    assert_eq!(itoa(0, &mut [0; 20]), "0");
    assert_eq!(itoa(1234567, &mut [0; 20]), "1234567");
    assert_eq!(itoa(u64::MAX, &mut [0; 20]), "18446744073709551615");
}
