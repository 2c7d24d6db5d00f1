//! What an exchange yields besides the response itself: where its time went, or why no
//! response came back.

use std::time::Duration;

/// Where a request's time went, in k6's phases. They follow one another and add up to the
/// whole exchange; k6's `http_req_duration` is sending + waiting + receiving. A request on a
/// kept connection spends nothing blocked, connecting or in TLS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Resolving the name (a cached name costs nothing), and a first attempt on a kept
    /// connection that turned out closed and had to be sent again.
    pub blocked: Duration,
    /// Opening the TCP connection; through a proxy, to the proxy, and for https:// its
    /// CONNECT tunnel too (the proxy's share that can be told apart); HTTP/2's handshake.
    pub connecting: Duration,
    /// The TLS handshake with the target.
    pub tls_handshaking: Duration,
    /// Writing the request: on HTTP/1.1 until it is flushed to the socket; on HTTP/2 until
    /// hyper's connection task has taken it (it writes the frames itself).
    pub sending: Duration,
    /// From the request sent to the response's first byte (time to first byte): on HTTP/2,
    /// to its headers. Through a forward proxy to an http:// target, the proxy's own
    /// connection upstream falls in here: it cannot be told apart.
    pub waiting: Duration,
    /// From the first byte to the end of the body.
    pub receiving: Duration,
}

/// Why a request got no response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    Timeout,
    Connect(String),
    Tls(String),
    Protocol(String),
    /// The response body is larger than `--max-body` (its limit in bytes).
    BodyTooLarge(u64),
    /// A redirect could not be followed (too many, or a `Location` that is not a URL).
    Redirect(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Timeout => f.write_str("timeout"),
            SendError::Connect(why) => write!(f, "connection failed: {why}"),
            SendError::Tls(why) => write!(f, "TLS failed: {why}"),
            SendError::Protocol(why) => write!(f, "connection broken: {why}"),
            SendError::BodyTooLarge(limit) => {
                write!(f, "response body larger than --max-body ({limit} bytes)")
            }
            SendError::Redirect(why) => write!(f, "redirect not followed: {why}"),
        }
    }
}

/// rustls's error anywhere in `error`'s chain. An `io::Error` wrapping another error does not
/// name it as its source (it skips to the inner error's own source), and TLS errors come
/// wrapped in one or two of them, so the search looks inside those too.
pub(super) fn find_tls_error<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> Option<&'e rustls::Error> {
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
pub(super) fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}
