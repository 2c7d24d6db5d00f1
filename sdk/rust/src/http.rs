//! HTTP for a VU: build a request, [`send`](Request::send) it, read the [`Response`].
//!
//! The engine sends it: each VU has its own cookie jar (as a browser does) and one keep-alive
//! connection, to the origin it spoke to last, and every request is recorded in the run's statistics under its
//! [`name`](Request::name) (by default its path).
//!
//! ```no_run
//! use horde_sdk::{http, json, Result};
//!
//! fn task(token: &str) -> Result {
//!     let orders = http::get("/api/orders").bearer(token).want_body().send()?;
//!     let first = orders.json::<horde_sdk::Value>()?[0]["id"].clone();
//!     http::post("/api/cart")
//!         .bearer(token)
//!         .json(&json!({ "order": first }))
//!         .send()?;
//!     Ok(())
//! }
//! ```

use crate::wit::horde::scenario::http as host;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use std::time::Duration;

/// An HTTP method.
///
/// ```no_run
/// use horde_sdk::http::{self, Method};
/// http::request(Method::Get, "/api/health").send()?;
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `OPTIONS`
    Options,
}

impl From<Method> for host::Method {
    fn from(m: Method) -> Self {
        match m {
            Method::Get => host::Method::Get,
            Method::Head => host::Method::Head,
            Method::Post => host::Method::Post,
            Method::Put => host::Method::Put,
            Method::Patch => host::Method::Patch,
            Method::Delete => host::Method::Delete,
            Method::Options => host::Method::Options,
        }
    }
}

/// Starts a request with any method. `url` is absolute (`https://api.example.com/x`) or a path
/// joined to the run's `--host`.
///
/// ```no_run
/// use horde_sdk::http::{self, Method};
/// let r = http::request(Method::Put, "/api/cart/1").body("{}").send()?;
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
pub fn request(method: Method, url: impl Into<String>) -> Request {
    Request {
        inner: host::Request {
            method: method.into(),
            url: url.into(),
            headers: Vec::new(),
            body: None,
            name: None,
            expect_status: Vec::new(),
            timeout_ms: None,
            want_body: false,
            want_headers: false,
        },
        invalid: None,
    }
}

/// Starts a `GET` request.
///
/// ```no_run
/// horde_sdk::http::get("/api/health").send()?;
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
pub fn get(url: impl Into<String>) -> Request {
    request(Method::Get, url)
}

/// Starts a `POST` request.
///
/// ```no_run
/// use horde_sdk::{http, json};
/// http::post("/api/auth/login").json(&json!({ "username": "u", "password": "p" })).send()?;
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
pub fn post(url: impl Into<String>) -> Request {
    request(Method::Post, url)
}

/// Starts a `PUT` request.
///
/// ```no_run
/// use horde_sdk::{http, json};
/// http::put("/api/users/me").json(&json!({ "city": "Lyon" })).send()?;
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
pub fn put(url: impl Into<String>) -> Request {
    request(Method::Put, url)
}

/// Starts a `PATCH` request.
///
/// ```no_run
/// use horde_sdk::{http, json};
/// http::patch("/api/orders/7").json(&json!({ "status": "paid" })).send()?;
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
pub fn patch(url: impl Into<String>) -> Request {
    request(Method::Patch, url)
}

/// Starts a `DELETE` request.
///
/// ```no_run
/// horde_sdk::http::delete("/api/orders/7").name("/api/orders/[id]").send()?;
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
pub fn delete(url: impl Into<String>) -> Request {
    request(Method::Delete, url)
}

/// Starts a `HEAD` request.
///
/// ```no_run
/// let r = horde_sdk::http::head("/static/app.js").send()?;
/// let size = r.header("content-length");
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
pub fn head(url: impl Into<String>) -> Request {
    request(Method::Head, url)
}

/// Starts an `OPTIONS` request.
///
/// ```no_run
/// horde_sdk::http::options("/api/orders").header("origin", "https://shop.example").send()?;
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
pub fn options(url: impl Into<String>) -> Request {
    request(Method::Options, url)
}

/// A request being built; [`send`](Request::send) sends it. Start one with [`get`], [`post`],
/// [`put`], [`patch`], [`delete`], [`head`], [`options`] or [`request`].
///
/// ```no_run
/// use horde_sdk::http;
/// use std::time::Duration;
/// let order = http::get("/api/orders/17")
///     .bearer("token")
///     .name("/api/orders/[id]")
///     .timeout(Duration::from_secs(2))
///     .want_body()
///     .send()?;
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent with .send()"]
pub struct Request {
    inner: host::Request,
    // A body that could not be encoded: reported by `send` rather than by the builder, so
    // that building stays a chain.
    invalid: Option<String>,
}

impl Request {
    /// Adds a header. The engine adds `host`, `content-length` and the VU's cookies itself.
    ///
    /// ```no_run
    /// horde_sdk::http::get("/api/orders").header("accept", "application/json").send()?;
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.inner.headers.push((name.into(), value.into()));
        self
    }

    /// Adds `authorization: Bearer <token>`.
    ///
    /// ```no_run
    /// horde_sdk::http::get("/api/users/me").bearer("eyJhbGciOi…").send()?;
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn bearer(self, token: impl AsRef<str>) -> Self {
        let token = token.as_ref();
        let mut value = String::with_capacity(7 + token.len());
        value.push_str("Bearer ");
        value.push_str(token);
        self.header("authorization", value)
    }

    /// Sets the body to `value` as JSON and `content-type: application/json` (unless a
    /// content type was set). Takes a [`Value`](crate::Value) from [`json!`](crate::json) or
    /// any `Serialize` type.
    ///
    /// ```no_run
    /// use horde_sdk::{http, json};
    /// http::post("/api/auth/login")
    ///     .json(&json!({ "username": "testuser", "password": "password123" }))
    ///     .send()?;
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.inner.body = Some(bytes),
            Err(e) => self.invalid = Some(format!("the JSON body cannot be encoded: {e}")),
        }
        self.content_type("application/json")
    }

    /// Sets the body as bytes, as given.
    ///
    /// ```no_run
    /// horde_sdk::http::post("/api/upload")
    ///     .header("content-type", "text/plain")
    ///     .body("hello")
    ///     .send()?;
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.inner.body = Some(body.into());
        self
    }

    /// Sets the body to URL-encoded form fields and
    /// `content-type: application/x-www-form-urlencoded` (unless a content type was set).
    ///
    /// ```no_run
    /// horde_sdk::http::post("/login")
    ///     .form(&[("username", "testuser"), ("password", "password123")])
    ///     .send()?;
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn form<K: AsRef<str>, V: AsRef<str>>(mut self, fields: &[(K, V)]) -> Self {
        let mut body = Vec::new();
        for (i, (k, v)) in fields.iter().enumerate() {
            if i > 0 {
                body.push(b'&');
            }
            form_encode(&mut body, k.as_ref());
            body.push(b'=');
            form_encode(&mut body, v.as_ref());
        }
        self.inner.body = Some(body);
        self.content_type("application/x-www-form-urlencoded")
    }

    /// Groups the request under this name in the statistics, so that `/api/orders/17` and
    /// `/api/orders/18` count as one `/api/orders/[id]`. By default the URL's path is used.
    ///
    /// ```no_run
    /// let id = 17;
    /// horde_sdk::http::get(format!("/api/orders/{id}")).name("/api/orders/[id]").send()?;
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.inner.name = Some(name.into());
        self
    }

    /// The statuses that count as a success, replacing the default (any status below 400).
    /// A negative test lists what it expects.
    ///
    /// ```no_run
    /// // Without a token the API must refuse: a 401 is a success here, a 200 a failure.
    /// horde_sdk::http::get("/api/orders").expect(&[401]).send()?;
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn expect(mut self, statuses: &[u16]) -> Self {
        self.inner.expect_status.clear();
        self.inner.expect_status.extend_from_slice(statuses);
        self
    }

    /// Adds one status to those that count as a success (see [`expect`](Request::expect)).
    ///
    /// ```no_run
    /// horde_sdk::http::delete("/api/cart").expect_status(204).expect_status(404).send()?;
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn expect_status(mut self, status: u16) -> Self {
        self.inner.expect_status.push(status);
        self
    }

    /// Gives up after this long (by default the run's `--request-timeout`); the request then
    /// fails with [`HttpError::Timeout`].
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// horde_sdk::http::get("/api/report").timeout(Duration::from_secs(30)).send()?;
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.inner.timeout_ms = Some(u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX));
        self
    }

    /// Asks for the response body, to read it with [`Response::text`] or [`Response::json`].
    /// Without it the engine still receives and counts the body but does not copy it into the
    /// VU: leave it out when the body is not read.
    ///
    /// ```no_run
    /// let me = horde_sdk::http::get("/api/users/me").bearer("t").want_body().send()?;
    /// let name = me.json::<horde_sdk::Value>()?["username"].clone();
    /// # Ok::<(), horde_sdk::Error>(())
    /// ```
    pub fn want_body(mut self) -> Self {
        self.inner.want_body = true;
        self
    }

    /// Asks for the response headers, to read them with [`Response::header`] and
    /// [`Response::headers`]. Without it they are not copied into the VU (cookies are kept by
    /// the engine either way).
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/").want_headers().send()?;
    /// let kind = r.header("Content-Type")?.unwrap_or("unknown");
    /// # Ok::<(), horde_sdk::Error>(())
    /// ```
    pub fn want_headers(mut self) -> Self {
        self.inner.want_headers = true;
        self
    }

    /// Sends the request and waits for the whole response. A response with an unexpected
    /// status is still a `Response` (with [`ok`](Response::ok) false, and counted as a failure);
    /// only a request that got no response is an [`HttpError`].
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/api/health").send()?;
    /// assert!(r.ok());
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn send(self) -> Result<Response, HttpError> {
        if let Some(reason) = self.invalid {
            return Err(HttpError::InvalidRequest(reason));
        }
        host::send(&self.inner)
            .map(|inner| Response { inner })
            .map_err(HttpError::from)
    }

    fn content_type(self, value: &str) -> Self {
        let set = self
            .inner
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if set {
            self
        } else {
            self.header("content-type", value)
        }
    }
}

/// `application/x-www-form-urlencoded`: unreserved bytes as they are, space as `+`, the rest
/// as `%XX`.
fn form_encode(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b),
            b' ' => out.push(b'+'),
            _ => out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]),
        }
    }
}

/// A response received.
///
/// ```no_run
/// let r = horde_sdk::http::get("/api/users/me").bearer("t").want_body().send()?;
/// if r.status() == 200 && r.text()?.contains("testuser") {
///     r.pass();
/// } else {
///     r.fail("not the user we logged in as");
/// }
/// # Ok::<(), horde_sdk::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Response {
    inner: host::Response,
}

impl Response {
    /// The status code.
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/").send()?;
    /// if r.status() == 404 { horde_sdk::warn!("no home page"); }
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn status(&self) -> u16 {
        self.inner.status
    }

    /// Whether the engine counted this response as a success (its status was expected).
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/api/orders").send()?;
    /// if !r.ok() { horde_sdk::warn!("orders: {}", r.status()); }
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn ok(&self) -> bool {
        self.inner.ok
    }

    /// The first header with this name (case-insensitive), if any. Needs
    /// [`Request::want_headers`]; without it this is [`BodyError::HeadersNotRequested`].
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/").want_headers().send()?;
    /// let kind = r.header("Content-Type")?.unwrap_or("unknown");
    /// # Ok::<(), horde_sdk::Error>(())
    /// ```
    pub fn header(&self, name: &str) -> Result<Option<&str>, BodyError> {
        Ok(self
            .headers()?
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v))
    }

    /// Every header, in the order received, names in lower case. Needs
    /// [`Request::want_headers`].
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/").want_headers().send()?;
    /// let cookies = r.headers()?.filter(|(k, _)| *k == "set-cookie").count();
    /// # Ok::<(), horde_sdk::Error>(())
    /// ```
    pub fn headers(&self) -> Result<impl Iterator<Item = (&str, &str)>, BodyError> {
        let headers = self
            .inner
            .headers
            .as_ref()
            .ok_or(BodyError::HeadersNotRequested)?;
        Ok(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// The body's bytes, if the request asked for them with [`Request::want_body`].
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/logo.png").want_body().send()?;
    /// let size = r.body()?.len();
    /// # Ok::<(), horde_sdk::Error>(())
    /// ```
    pub fn body(&self) -> Result<&[u8], BodyError> {
        self.inner.body.as_deref().ok_or(BodyError::NotRequested)
    }

    /// The body, taken out of the response without a copy.
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/export.csv").want_body().send()?;
    /// let bytes: Vec<u8> = r.into_body()?;
    /// # Ok::<(), horde_sdk::Error>(())
    /// ```
    pub fn into_body(self) -> Result<Vec<u8>, BodyError> {
        self.inner.body.ok_or(BodyError::NotRequested)
    }

    /// The body as text (UTF-8).
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/").want_body().send()?;
    /// let has_title = r.text()?.contains("<title>");
    /// # Ok::<(), horde_sdk::Error>(())
    /// ```
    pub fn text(&self) -> Result<&str, BodyError> {
        std::str::from_utf8(self.body()?).map_err(BodyError::NotUtf8)
    }

    /// The body parsed as JSON into `T`: a [`Value`](crate::Value), or any `Deserialize` type.
    ///
    /// ```no_run
    /// use horde_sdk::{http, Value};
    /// let login = http::post("/api/auth/login").body("{}").want_body().send()?;
    /// let token = login.json::<Value>()?["access_token"].as_str().unwrap_or("").to_owned();
    /// # Ok::<(), horde_sdk::Error>(())
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, BodyError> {
        serde_json::from_slice(self.body()?).map_err(BodyError::Json)
    }

    /// Time from sending the request to receiving the whole body.
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/").send()?;
    /// if r.elapsed().as_millis() > 500 { r.fail("slower than 500 ms"); }
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn elapsed(&self) -> Duration {
        Duration::from_micros(self.inner.elapsed_us)
    }

    /// Marks the response as failed after inspecting it (Locust's `catch_response`), with a
    /// reason shown in the error report. Does nothing if it already failed.
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/api/orders").want_body().send()?;
    /// if r.text()? == "[]" { r.fail("no orders"); }
    /// # Ok::<(), horde_sdk::Error>(())
    /// ```
    pub fn fail(&self, reason: impl AsRef<str>) {
        host::mark_failed(self.inner.id, reason.as_ref());
    }

    /// Marks the response as a success after inspecting it, even though its status was not
    /// expected. Does nothing if it already is a success.
    ///
    /// ```no_run
    /// let r = horde_sdk::http::get("/api/cache/17").send()?;
    /// if r.status() == 404 { r.pass(); } // a cache miss is fine here
    /// # Ok::<(), horde_sdk::http::HttpError>(())
    /// ```
    pub fn pass(&self) {
        host::mark_passed(self.inner.id);
    }
}

/// Why a request got no response. Each is counted as a failed request.
///
/// ```no_run
/// use horde_sdk::http::{self, HttpError};
/// match http::get("/api/slow").send() {
///     Ok(_) => {}
///     Err(HttpError::Timeout) => horde_sdk::warn!("slow endpoint timed out"),
///     Err(e) => return Err(e.into()),
/// }
/// # Ok::<(), horde_sdk::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpError {
    /// No response within the timeout.
    Timeout,
    /// The connection could not be opened (refused, unreachable, DNS failure).
    Connect(String),
    /// The TLS handshake failed.
    Tls(String),
    /// The request is not valid: a malformed URL, header name or value, or a body that could
    /// not be encoded.
    InvalidRequest(String),
    /// The connection broke while sending or receiving.
    Protocol(String),
    /// The run is stopping: the request was not sent and is not counted.
    Cancelled,
}

impl From<host::Error> for HttpError {
    fn from(e: host::Error) -> Self {
        match e {
            host::Error::Timeout => HttpError::Timeout,
            host::Error::Connect(s) => HttpError::Connect(s),
            host::Error::Tls(s) => HttpError::Tls(s),
            host::Error::InvalidRequest(s) => HttpError::InvalidRequest(s),
            host::Error::Protocol(s) => HttpError::Protocol(s),
            host::Error::Cancelled => HttpError::Cancelled,
        }
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Timeout => f.write_str("no response within the timeout"),
            HttpError::Connect(s) => write!(f, "could not connect: {s}"),
            HttpError::Tls(s) => write!(f, "TLS handshake failed: {s}"),
            HttpError::InvalidRequest(s) => write!(f, "invalid request: {s}"),
            HttpError::Protocol(s) => write!(f, "connection broke: {s}"),
            HttpError::Cancelled => f.write_str("the run is stopping: request not sent"),
        }
    }
}

impl std::error::Error for HttpError {}

/// Why a response body could not be read.
///
/// ```no_run
/// let r = horde_sdk::http::get("/api/users/me").send()?; // no .want_body()
/// assert!(matches!(r.text(), Err(horde_sdk::http::BodyError::NotRequested)));
/// # Ok::<(), horde_sdk::http::HttpError>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BodyError {
    /// The request did not ask for the body.
    NotRequested,
    /// The request did not ask for the headers.
    HeadersNotRequested,
    /// The body is not UTF-8 text.
    NotUtf8(std::str::Utf8Error),
    /// The body is not the JSON expected.
    Json(serde_json::Error),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::NotRequested => f.write_str(
                "the response body was not requested: call .want_body() on the request to read it",
            ),
            BodyError::HeadersNotRequested => f.write_str(
                "the response headers were not requested: call .want_headers() on the request to read them",
            ),
            BodyError::NotUtf8(_) => f.write_str("the response body is not UTF-8"),
            BodyError::Json(_) => f.write_str("the response body is not the JSON expected"),
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BodyError::NotRequested | BodyError::HeadersNotRequested => None,
            BodyError::NotUtf8(e) => Some(e),
            BodyError::Json(e) => Some(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding() {
        let mut out = Vec::new();
        form_encode(&mut out, "a b&c=d/é");
        assert_eq!(out, b"a+b%26c%3Dd%2F%C3%A9");
    }

    #[test]
    fn json_sets_content_type_once() {
        let r = post("/x")
            .header("Content-Type", "application/vnd+json")
            .json(&1);
        assert_eq!(r.inner.headers.len(), 1);
        let r = post("/x").json(&serde_json::json!({"a": 1}));
        assert_eq!(
            r.inner.headers,
            [("content-type".into(), "application/json".into())]
        );
        assert_eq!(r.inner.body.as_deref(), Some(&b"{\"a\":1}"[..]));
    }

    #[test]
    fn body_not_requested_says_what_to_do() {
        let r = Response {
            inner: host::Response {
                id: 1,
                status: 200,
                headers: Some(vec![("content-type".into(), "application/json".into())]),
                body: None,
                elapsed_us: 5,
                ok: true,
            },
        };
        let e = r.json::<serde_json::Value>().unwrap_err();
        assert!(e.to_string().contains(".want_body()"));
        assert_eq!(r.header("Content-Type").unwrap(), Some("application/json"));
    }
}
