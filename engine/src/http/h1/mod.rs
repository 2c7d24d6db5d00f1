//! A lean HTTP/1.1 exchange on a VU's own connection: write the request, read one response.
//!
//! Why not hyper's client connection here: hyper drives each connection from a task of its
//! own and hands requests and responses to it through channels, with an 8 KiB read buffer per
//! connection. A VU sends one request at a time and waits for the answer, so none of that
//! buys anything: the exchange writes and reads the socket itself, on the task that waits for
//! it, with one small buffer that grows only for large header blocks. On the benchmark (one
//! GET per iteration, no think time) this is most of the gap between horde and wrk.
//! HTTP/2 stays on hyper (multiplexing is what hyper's machinery is for).
//!
//! Framing follows RFC 9112 §6: no body for HEAD, 1xx, 204 and 304; `Transfer-Encoding:
//! chunked`; `Content-Length`; else the body runs to the end of the connection. Interim 1xx
//! responses are skipped. A connection is kept only when both sides keep it alive. A body
//! larger than the run's `--max-body` ends the exchange and the connection.
//!
//! The exchange notes two instants for the request's phases (k6's sending, waiting and
//! receiving): when the request is flushed, and when the first read of the response returns
//! bytes. Both come from reads and writes it makes anyway: no extra system call.

use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, Uri};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Headers a response may carry; more is a protocol error (as in hyper, which allows 100).
const MAX_HEADERS: usize = 100;
/// The largest header block read before giving up on a response.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// What the read buffer starts at and shrinks back to between requests: enough for the
/// usual response head, small enough that an idle VU keeps little.
const BUFFER_SIZE: usize = 2048;
/// A request body up to this size is copied behind the head and goes out in one write.
const INLINE_BODY: usize = 4096;

/// Why an exchange failed, and whether anything of the response had arrived.
#[derive(Debug)]
pub enum ExchangeError {
    /// The connection failed or closed before any byte of the response: on a reused
    /// connection this is usually the server having closed it while idle.
    Stale(String),
    /// Anything after the response started, or a malformed response.
    Broken(String),
    /// TLS failed under the exchange: an alert from the server (with TLS 1.3, a refused
    /// client certificate arrives as one on the first read), or a record that does not
    /// decrypt.
    Tls(String),
    /// The body is larger than the limit (in bytes); the connection is not kept.
    TooLarge(u64),
}

/// The parts of a response the client keeps (HTTP/2's too: `client.rs` reads those into it).
pub struct Response {
    pub status: u16,
    /// All headers, when asked for or when a cookie is set; else empty.
    pub headers: HeaderMap,
    /// Whether the response set a cookie.
    pub sets_cookie: bool,
    /// The body, when it was wanted.
    pub body: Option<Bytes>,
}

/// One request, as the exchange writes it.
pub struct H1Request<'a> {
    pub method: &'a Method,
    /// The request line's target: the origin form, `/path?query`.
    pub target: &'a str,
    /// The `Host` header, unless `headers` has one.
    pub host: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a Bytes,
    /// Keep all the response's headers (else only when it sets a cookie).
    pub want_headers: bool,
    /// Keep the body (else it is read and dropped).
    pub want_body: bool,
    /// Written before `target`: `http://host:port` when the request goes to a forward proxy
    /// (absolute form, RFC 9112 §3.2.2), else empty.
    pub target_prefix: &'a str,
    /// `Proxy-Authorization` for a forward proxy.
    pub proxy_authorization: Option<&'a HeaderValue>,
    /// The largest body read (`--max-body`).
    pub max_body: u64,
}

/// One HTTP/1.1 connection and its buffers.
pub struct H1Conn<S> {
    io: S,
    /// Bytes read and not yet consumed.
    buf: BytesMut,
    /// The request being written, reused from one request to the next.
    out: Vec<u8>,
    /// False once either side asked to close, or a body ran to the end of the connection.
    keep_alive: bool,
    /// When the last request was flushed to the connection.
    pub sent_at: Instant,
    /// When the first bytes of the last response were read.
    pub first_byte_at: Instant,
}

/// How the response body is delimited.
enum Framing {
    Empty,
    Length(u64),
    Chunked,
    UntilClose,
}

impl<S: AsyncRead + AsyncWrite + Unpin> H1Conn<S> {
    pub fn new(io: S) -> Self {
        Self {
            io,
            buf: BytesMut::with_capacity(BUFFER_SIZE),
            out: Vec::new(),
            keep_alive: true,
            sent_at: Instant::now(),
            first_byte_at: Instant::now(),
        }
    }

    /// Whether another request may go on this connection.
    pub fn is_reusable(&self) -> bool {
        self.keep_alive
    }

    /// Whether the server has closed the connection (or sent something unasked) while it was
    /// idle: one non-blocking read. A connection that says so is not reused.
    pub fn peer_closed(&mut self) -> bool {
        let mut probe = [0u8; 1];
        let mut probe = tokio::io::ReadBuf::new(&mut probe);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let closed = std::pin::Pin::new(&mut self.io)
            .poll_read(&mut cx, &mut probe)
            .is_ready();
        // End of stream, an error, or bytes nobody asked for: either way, not reusable.
        if closed {
            self.keep_alive = false;
        }
        closed
    }

    /// Sends one request and reads its response.
    pub async fn exchange(&mut self, req: H1Request<'_>) -> Result<Response, ExchangeError> {
        if let Err(e) = self.write_request(&req).await {
            self.keep_alive = false;
            return Err(tls_failure(&e).unwrap_or_else(|| ExchangeError::Stale(e.to_string())));
        }
        self.sent_at = Instant::now();
        self.read_response(req.method, req.want_headers, req.want_body, req.max_body)
            .await
    }

    async fn write_request(&mut self, req: &H1Request<'_>) -> std::io::Result<()> {
        let H1Request {
            method,
            target,
            host,
            headers,
            body,
            target_prefix,
            proxy_authorization,
            ..
        } = *req;
        let out = &mut self.out;
        out.clear();
        out.extend_from_slice(method.as_str().as_bytes());
        out.push(b' ');
        out.extend_from_slice(target_prefix.as_bytes());
        out.extend_from_slice(target.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        if !headers.contains_key(http::header::HOST) {
            out.extend_from_slice(b"host: ");
            out.extend_from_slice(host.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if let Some(credentials) = proxy_authorization {
            out.extend_from_slice(b"proxy-authorization: ");
            out.extend_from_slice(credentials.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        for (name, value) in headers {
            if name == http::header::CONNECTION && value.as_bytes().eq_ignore_ascii_case(b"close") {
                self.keep_alive = false;
            }
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        // A body always has its length; so do the methods that usually carry one (a server
        // may otherwise wait for a body that is not coming).
        let carries_body =
            !body.is_empty() || matches!(*method, Method::POST | Method::PUT | Method::PATCH);
        if carries_body && !headers.contains_key(http::header::CONTENT_LENGTH) {
            out.extend_from_slice(b"content-length: ");
            out.extend_from_slice(itoa(body.len() as u64, &mut [0; 20]).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if body.len() <= INLINE_BODY {
            out.extend_from_slice(body);
            self.io.write_all(out).await?;
        } else {
            self.io.write_all(out).await?;
            self.io.write_all(body).await?;
        }
        self.io.flush().await
    }

    /// Reads more bytes into the buffer; false at the end of the connection.
    async fn fill(&mut self) -> std::io::Result<bool> {
        if self.buf.capacity() - self.buf.len() < 512 {
            self.buf.reserve(BUFFER_SIZE.max(self.buf.len()));
        }
        Ok(self.io.read_buf(&mut self.buf).await? > 0)
    }

    async fn read_response(
        &mut self,
        method: &Method,
        want_headers: bool,
        want_body: bool,
        max_body: u64,
    ) -> Result<Response, ExchangeError> {
        let mut received_any = !self.buf.is_empty();
        if received_any {
            self.first_byte_at = self.sent_at;
        }
        loop {
            let head = match self.parse_head(method, want_headers) {
                Ok(Some(head)) => head,
                Ok(None) => {
                    if self.buf.len() > MAX_HEAD_BYTES {
                        return Err(self.broken(format!(
                            "response head larger than {} KiB",
                            MAX_HEAD_BYTES / 1024
                        )));
                    }
                    match self.fill().await {
                        Ok(true) => {
                            if !received_any {
                                self.first_byte_at = Instant::now();
                                received_any = true;
                            }
                            continue;
                        }
                        Ok(false) if !received_any => {
                            self.keep_alive = false;
                            return Err(ExchangeError::Stale(
                                "connection closed before the response".into(),
                            ));
                        }
                        Ok(false) => {
                            return Err(self.broken("connection closed in the response head"));
                        }
                        Err(e) => return Err(self.io_failure(e, received_any)),
                    }
                }
                Err(why) => return Err(self.broken(why)),
            };
            let Head {
                status,
                headers,
                sets_cookie,
                framing,
            } = head;
            // Interim responses (100 Continue, 103 Early Hints) precede the real one.
            if (100..200).contains(&status) && status != 101 {
                continue;
            }
            if status == 101 {
                // An upgrade: the connection now speaks something else.
                self.keep_alive = false;
            }
            let body = self.read_body(framing, want_body, max_body).await?;
            if self.buf.capacity() > 4 * BUFFER_SIZE && self.buf.is_empty() {
                // A large response grew the buffer: do not keep it for the VU's idle time.
                self.buf = BytesMut::with_capacity(BUFFER_SIZE);
            }
            return Ok(Response {
                status,
                headers,
                sets_cookie,
                body,
            });
        }
    }

    fn broken(&mut self, why: impl Into<String>) -> ExchangeError {
        self.keep_alive = false;
        ExchangeError::Broken(why.into())
    }

    /// A read that failed: TLS when rustls says so, else stale before any byte of the
    /// response and broken after.
    fn io_failure(&mut self, e: std::io::Error, received_any: bool) -> ExchangeError {
        self.keep_alive = false;
        match tls_failure(&e) {
            Some(tls) => tls,
            None if received_any => ExchangeError::Broken(e.to_string()),
            None => ExchangeError::Stale(e.to_string()),
        }
    }

    fn too_large(&mut self, limit: u64) -> ExchangeError {
        self.keep_alive = false;
        ExchangeError::TooLarge(limit)
    }

    /// Parses a complete response head at the front of the buffer and consumes it; None when
    /// more bytes are needed.
    fn parse_head(&mut self, method: &Method, want_headers: bool) -> Result<Option<Head>, String> {
        // Uninitialised slots: zeroing 100 of them for every response costs more than the
        // parse itself.
        let mut slots =
            [const { std::mem::MaybeUninit::<httparse::Header>::uninit() }; MAX_HEADERS];
        let mut parsed = httparse::Response::new(&mut []);
        let parse = httparse::ParserConfig::default().parse_response_with_uninit_headers(
            &mut parsed,
            &self.buf,
            &mut slots,
        );
        let consumed = match parse {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(format!("malformed response: {e}")),
        };
        let status = parsed.code.ok_or("malformed response: no status")?;
        let http10 = parsed.version == Some(0);
        let mut length: Option<u64> = None;
        let mut chunked = false;
        let mut close = http10;
        let mut sets_cookie = false;
        for header in parsed.headers.iter() {
            let name = header.name;
            if name.eq_ignore_ascii_case("content-length") {
                let value = std::str::from_utf8(header.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .ok_or("malformed response: bad Content-Length")?;
                if length.is_some_and(|l| l != value) {
                    return Err("malformed response: conflicting Content-Length".into());
                }
                length = Some(value);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = header
                    .value
                    .rsplit(|&b| b == b',')
                    .next()
                    .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            } else if name.eq_ignore_ascii_case("connection") {
                for token in header.value.split(|&b| b == b',') {
                    let token = token.trim_ascii();
                    if token.eq_ignore_ascii_case(b"close") {
                        close = true;
                    } else if token.eq_ignore_ascii_case(b"keep-alive") && http10 {
                        close = false;
                    }
                }
            } else if name.eq_ignore_ascii_case("set-cookie") {
                sets_cookie = true;
            }
        }
        let mut headers = HeaderMap::new();
        if want_headers || sets_cookie {
            headers.reserve(parsed.headers.len());
            for header in parsed.headers.iter() {
                let name = HeaderName::from_bytes(header.name.as_bytes())
                    .map_err(|_| format!("malformed response: header name {:?}", header.name))?;
                let value = HeaderValue::from_bytes(header.value)
                    .map_err(|_| format!("malformed response: value of {:?}", header.name))?;
                headers.append(name, value);
            }
        }
        let framing = if *method == Method::HEAD
            || (100..200).contains(&status)
            || status == 204
            || status == 304
        {
            Framing::Empty
        } else if chunked {
            Framing::Chunked
        } else if let Some(length) = length {
            Framing::Length(length)
        } else {
            Framing::UntilClose
        };
        if close {
            self.keep_alive = false;
        }
        self.buf.advance(consumed);
        Ok(Some(Head {
            status,
            headers,
            sets_cookie,
            framing,
        }))
    }

    async fn read_body(
        &mut self,
        framing: Framing,
        want: bool,
        limit: u64,
    ) -> Result<Option<Bytes>, ExchangeError> {
        let mut body = BytesMut::new();
        match framing {
            Framing::Empty => {}
            // Announced too large: refused before a byte of it is read.
            Framing::Length(length) if length > limit => return Err(self.too_large(limit)),
            Framing::Length(length) => self.take_exact(length, want, &mut body).await?,
            Framing::UntilClose => {
                self.keep_alive = false;
                let mut read = 0u64;
                loop {
                    read += self.buf.len() as u64;
                    if read > limit {
                        return Err(self.too_large(limit));
                    }
                    if want {
                        body.extend_from_slice(&self.buf);
                    }
                    self.buf.clear();
                    match self.fill().await {
                        Ok(true) => {}
                        Ok(false) => break,
                        Err(e) => return Err(self.io_failure(e, true)),
                    }
                }
            }
            Framing::Chunked => {
                let mut read = 0u64;
                loop {
                    let size = self.chunk_size_line().await?;
                    if size == 0 {
                        self.skip_trailers().await?;
                        break;
                    }
                    read = read.saturating_add(size);
                    if read > limit {
                        return Err(self.too_large(limit));
                    }
                    self.take_exact(size, want, &mut body).await?;
                    self.expect_crlf().await?;
                }
            }
        }
        Ok(want.then(|| body.freeze()))
    }

    /// Moves `length` bytes of body from the connection into `body` (or drops them).
    async fn take_exact(
        &mut self,
        mut length: u64,
        want: bool,
        body: &mut BytesMut,
    ) -> Result<(), ExchangeError> {
        if want {
            body.reserve(length.min(16 * 1024 * 1024) as usize);
        }
        loop {
            let here = (self.buf.len() as u64).min(length) as usize;
            if want {
                body.extend_from_slice(&self.buf[..here]);
            }
            self.buf.advance(here);
            length -= here as u64;
            if length == 0 {
                return Ok(());
            }
            match self.fill().await {
                Ok(true) => {}
                Ok(false) => return Err(self.broken("connection closed in the response body")),
                Err(e) => return Err(self.io_failure(e, true)),
            }
        }
    }

    /// Reads one line (without its CRLF) at the front of the buffer and consumes it.
    async fn line(&mut self) -> Result<Bytes, ExchangeError> {
        loop {
            if let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let line = self.buf.split_to(end).freeze();
                self.buf.advance(2);
                return Ok(line);
            }
            if self.buf.len() > MAX_HEAD_BYTES {
                return Err(self.broken("malformed chunked body: line too long"));
            }
            match self.fill().await {
                Ok(true) => {}
                Ok(false) => return Err(self.broken("connection closed in a chunked body")),
                Err(e) => return Err(self.io_failure(e, true)),
            }
        }
    }

    async fn chunk_size_line(&mut self) -> Result<u64, ExchangeError> {
        let line = self.line().await?;
        // Chunk extensions (`;name=value`) are allowed and ignored.
        let size = line
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii();
        std::str::from_utf8(size)
            .ok()
            .and_then(|s| u64::from_str_radix(s, 16).ok())
            .ok_or_else(|| self.broken("malformed chunked body: bad chunk size"))
    }

    async fn expect_crlf(&mut self) -> Result<(), ExchangeError> {
        let line = self.line().await?;
        if line.is_empty() {
            Ok(())
        } else {
            Err(self.broken("malformed chunked body: no CRLF after a chunk"))
        }
    }

    async fn skip_trailers(&mut self) -> Result<(), ExchangeError> {
        while !self.line().await?.is_empty() {}
        Ok(())
    }
}

/// The exchange's failure when `e` is TLS's (rustls's error inside the `io::Error`).
fn tls_failure(e: &std::io::Error) -> Option<ExchangeError> {
    let tls = e.get_ref()?.downcast_ref::<rustls::Error>()?;
    Some(ExchangeError::Tls(tls.to_string()))
}

struct Head {
    status: u16,
    headers: HeaderMap,
    sets_cookie: bool,
    framing: Framing,
}

/// The request line's target for `uri`: its path and query (`/` when empty).
pub fn origin_form(uri: &Uri) -> &str {
    uri.path_and_query()
        .map(|pq| pq.as_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("/")
}

/// Formats `n` in decimal without allocating.
fn itoa(mut n: u64, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).expect("digits are ASCII")
}

#[cfg(test)]
mod tests;
