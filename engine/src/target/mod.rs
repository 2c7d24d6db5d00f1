//! The demo target: an auth API on loopback that horde's demo, tests and benchmarks run against.
//!
//! Login issues real HS256 JWTs with expiry; `/api/users/me` and `/api/orders` want a bearer
//! token; RFC 7662 introspection, logout with revocation, and session-cookie login round out
//! what an authenticated scenario exercises. [`TargetConfig::lax_expiry`] turns it into the
//! "gateway that forgets to check expiry", and `/__stats` counts every request exactly, so a test
//! can compare the target's view with horde's.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use horde::target::{DemoTarget, TargetConfig};
//! let target = DemoTarget::start("127.0.0.1:0".parse()?, TargetConfig::default()).await?;
//! println!("try: curl {}/api/health", target.base_url());
//! let served = target.stats().total;
//! target.stop().await;
//! # let _ = served; Ok(()) }
//! ```
//!
//! Routes (all bodies JSON, every response `content-type: application/json`):
//!
//! | route | success | failures |
//! |---|---|---|
//! | `POST /api/auth/login` `{"username","password"[,"expires_in"]}` | 200 token | 400 body, 401 credentials |
//! | `GET /api/users/me`, `GET /api/orders` (bearer) | 200 | 401 missing/malformed/bad_signature/expired/revoked |
//! | `GET /api/health` | 200 `{"status":"ok"}` | |
//! | `POST /api/auth/introspect` form or JSON `token` | 200 `{"active":..}` | 400 no token |
//! | `POST /api/auth/logout` (bearer) | 204, revokes the `jti` | 401 |
//! | `POST /api/session/login` JSON or form | 200 + `Set-Cookie: session=..` | 400, 401 |
//! | `GET /api/session/me`, `POST /api/session/logout` (cookie) | 200 / 204 | 401 |
//! | `GET /__stats`, `POST /__stats/reset` (not counted) | 200 / 204 | |
//! | anything else, counted as `OTHER` | | 404, or 405 for a known path |
//!
//! `expires_in` on login is a test aid: zero or negative mints a token that is already expired.

mod accounts;
mod counters;
mod jwt;
mod routes;
mod sessions;
#[cfg(test)]
mod tests;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

pub use accounts::{demo_users, read_users_file};
pub use counters::TargetStats;
use routes::App;

/// How long [`DemoTarget::stop`] lets in-flight requests finish before dropping connections.
const STOP_GRACE: Duration = Duration::from_secs(1);

/// How the demo target behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetConfig {
    /// Accept expired (but correctly signed) tokens on `/api/users/me` and `/api/orders`: the
    /// gateway bug a scenario should catch. Introspection and logout still check expiry.
    pub lax_expiry: bool,
    /// Lifetime of issued tokens; login's `expires_in` field overrides it per token.
    pub token_ttl: Duration,
    /// Periodically hold every response, to show what stalls do to latency.
    pub stall: Option<Stall>,
    /// Accounts (username, password) accepted besides the built-in ones (`--users-file`).
    pub users: Vec<(String, String)>,
}

impl Default for TargetConfig {
    fn default() -> Self {
        TargetConfig {
            lax_expiry: false,
            token_ttl: Duration::from_secs(300),
            stall: None,
            users: Vec::new(),
        }
    }
}

/// Hold every response decided in the last `pause` of each `every` until that window closes,
/// counting from the target's start (by default: a 1 s stall every 5 s, after 4 s of service).
///
/// ```
/// # use std::time::Duration;
/// use horde::target::{Stall, TargetConfig};
/// let config = TargetConfig { stall: Some(Stall::default()), ..TargetConfig::default() };
/// assert_eq!(config.stall.unwrap().pause, Duration::from_secs(1));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stall {
    pub every: Duration,
    pub pause: Duration,
}

impl Default for Stall {
    fn default() -> Self {
        Stall {
            every: Duration::from_secs(5),
            pause: Duration::from_secs(1),
        }
    }
}

/// A running demo target. Dropping it stops serving abruptly; [`DemoTarget::stop`] is graceful.
pub struct DemoTarget {
    addr: SocketAddr,
    app: Arc<App>,
    /// Stop accepting and finish in-flight requests.
    shutdown: CancellationToken,
    /// Drop whatever is still open.
    abort: CancellationToken,
    /// Every serving task holds a sender; the channel closes when the last one ends.
    done: Option<mpsc::Receiver<()>>,
}

impl DemoTarget {
    /// Binds `listen` (use `127.0.0.1:0` for a free port) and serves HTTP/1.1 and h2c until
    /// [`DemoTarget::stop`].
    pub async fn start(listen: SocketAddr, config: TargetConfig) -> anyhow::Result<DemoTarget> {
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding the demo target to {listen}"))?;
        let addr = listener.local_addr().context("demo target address")?;
        let shutdown = CancellationToken::new();
        let abort = CancellationToken::new();
        let app = Arc::new(App::new(&config, abort.clone()));
        let (done_tx, done_rx) = mpsc::channel(1);
        tokio::spawn(accept_loop(
            listener,
            app.clone(),
            shutdown.clone(),
            abort.clone(),
            done_tx,
        ));
        Ok(DemoTarget {
            addr,
            app,
            shutdown,
            abort,
            done: Some(done_rx),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The same data as `GET /__stats`.
    pub fn stats(&self) -> TargetStats {
        self.app.counters.snapshot()
    }

    /// Stops accepting, lets in-flight requests finish for up to a second, then drops the rest.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        let Some(mut done) = self.done.take() else {
            return;
        };
        if tokio::time::timeout(STOP_GRACE, done.recv()).await.is_err() {
            self.abort.cancel();
            let _ = tokio::time::timeout(STOP_GRACE, done.recv()).await;
        }
    }
}

impl Drop for DemoTarget {
    fn drop(&mut self) {
        self.shutdown.cancel();
        self.abort.cancel();
    }
}

async fn accept_loop(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: CancellationToken,
    abort: CancellationToken,
    done: mpsc::Sender<()>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new());
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                app.counters.record_connection(peer.ip());
                tokio::spawn(serve_connection(
                    builder.clone(),
                    stream,
                    app.clone(),
                    shutdown.clone(),
                    abort.clone(),
                    done.clone(),
                ));
            }
            // Typically out of file descriptors while the load generator holds many sockets:
            // back off briefly instead of spinning on the error.
            Err(_) => tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_millis(10)) => {}
            },
        }
    }
}

async fn serve_connection(
    builder: Arc<auto::Builder<TokioExecutor>>,
    stream: TcpStream,
    app: Arc<App>,
    shutdown: CancellationToken,
    abort: CancellationToken,
    _done: mpsc::Sender<()>,
) {
    // Small JSON responses: waiting for Nagle would add latency the load test then measures.
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |req| {
        let app = app.clone();
        async move { Ok::<_, Infallible>(app.handle(req).await) }
    });
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = shutdown.cancelled() => conn.as_mut().graceful_shutdown(),
    }
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = abort.cancelled() => {}
    }
}
