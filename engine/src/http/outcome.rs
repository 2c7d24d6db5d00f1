//! What an exchange yields besides the response itself: where its time went, or why no
//! response came back.

use std::time::Duration;

/// Where a request's time went, in k6's phases. A request that reuses a connection spends
/// nothing connecting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timings {
    /// Waiting for a connection to be free or for the name to resolve.
    pub blocked: Duration,
    /// Opening the TCP connection (through a proxy: to the proxy, and its CONNECT).
    pub connecting: Duration,
    /// The TLS handshake.
    pub tls_handshaking: Duration,
    /// Writing the request.
    pub sending: Duration,
    /// From the request written to the response's first byte (time to first byte).
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
