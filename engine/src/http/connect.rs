//! What every VU's client shares (name resolution, TLS configurations, proxies, which HTTP
//! versions to speak) and how a VU opens a connection with them: resolve, TCP (through a
//! proxy's tunnel if one is set), TLS, each step timed and its failure told apart.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::HeaderValue;
use http::uri::{Authority, Scheme};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpSocket, TcpStream};

use super::counting::{ByteCounters, CountingStream};
use super::dns::Resolver;
use super::options::{HttpOptions, HttpVersions};
use super::outcome::{SendError, find_tls_error};
use super::proxy::{self, Proxies, Route};
use super::tls::TlsConfigs;

/// What every VU's client shares: the resolver and its cache, the TLS configurations (the
/// public web's, the system's and the run's roots; HTTP/2 and HTTP/1.1 offered by ALPN unless
/// `--http1`), the proxies, and whether to speak h2c. Cloning it costs a few reference
/// counts, not a copy of the settings.
#[derive(Clone)]
pub struct ClientSettings {
    pub(super) tls: Arc<TlsConfigs>,
    /// Speak HTTP/2 to plain http:// origins (h2c, prior knowledge).
    pub(super) http2: bool,
    /// Local addresses to connect from, spread over the VUs (`--local-addr`), so that one
    /// machine can open more connections than one source address's ports allow.
    pub(super) local_addrs: Vec<IpAddr>,
    /// The run's HTTP options, read by every VU's client.
    pub(super) options: Arc<HttpOptions>,
    pub(super) resolver: Arc<Resolver>,
    pub(super) proxies: Arc<Proxies>,
    /// Numbers the VUs' pools as they are made: pool n connects first to address n modulo
    /// the count of a name's addresses.
    pools_made: Arc<AtomicUsize>,
}

impl ClientSettings {
    /// The settings of a run with these options. `options.ca_certs` are trusted besides the
    /// public web's roots and the system's (each was checked when read, see
    /// [`read_ca_certs`]).
    pub fn new(options: HttpOptions) -> Self {
        Self {
            tls: Arc::new(TlsConfigs::new(&options)),
            http2: options.versions == HttpVersions::H2cToo,
            local_addrs: options.local_addrs.clone(),
            resolver: Arc::new(Resolver::new(options.resolve.clone())),
            proxies: Arc::new(Proxies::new(&options.proxy)),
            options: Arc::new(options),
            pools_made: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The run's HTTP options.
    pub fn options(&self) -> &HttpOptions {
        &self.options
    }

    /// The next pool's number, for spreading VUs over a name's addresses.
    pub(super) fn next_pool(&self) -> usize {
        self.pools_made.fetch_add(1, Ordering::Relaxed)
    }

    /// Opens a connection to `scheme://authority`: resolves the host (or the proxy's), opens
    /// TCP from `local` (VU `spread`'s share of the addresses first), asks the proxy for a
    /// tunnel when the target is https:// behind one, and does the TLS handshake; says when
    /// each step ended.
    pub(super) async fn open(
        &self,
        scheme: &Scheme,
        authority: &Authority,
        local: Option<IpAddr>,
        spread: usize,
        counters: &Arc<ByteCounters>,
    ) -> Result<Opened, SendError> {
        let tls = if *scheme == Scheme::HTTPS {
            true
        } else if *scheme == Scheme::HTTP {
            false
        } else {
            return Err(SendError::Protocol(format!(
                "{scheme}:// is not HTTP; use http:// or https://"
            )));
        };
        let host = unbracketed(authority.host());
        let port = authority.port_u16().unwrap_or(if tls { 443 } else { 80 });
        let route = self.proxies.route(tls, host);
        let (dial_host, dial_port) = match route {
            Route::Direct => (host, port),
            Route::Forward(proxy) | Route::Tunnel(proxy) => (proxy.host.as_str(), proxy.port),
        };
        let addrs = self.resolver.resolve(dial_host, dial_port, spread).await?;
        let resolved = Instant::now();
        let mut stream = CountingStream::new(dial(&addrs, local).await?, counters.clone());
        if let Route::Tunnel(proxy) = route {
            let target = format!("{}:{port}", authority.host());
            proxy::tunnel(&mut stream, proxy, &target).await?;
        }
        let connected = Instant::now();
        let (stream, h2) = if tls {
            let config = self.tls.for_host(host).map_err(SendError::Tls)?;
            let name = ServerName::try_from(host.to_string()).map_err(|_| {
                SendError::Tls(format!("{host} is not a name a certificate can be for"))
            })?;
            let secured = tokio_rustls::TlsConnector::from(config.clone())
                .connect(name, stream)
                .await
                .map_err(|e| match find_tls_error(&e) {
                    Some(tls) => SendError::Tls(tls.to_string()),
                    None => SendError::Connect(format!("in the TLS handshake: {e}")),
                })?;
            // ALPN decides over TLS, `--http2` or not (it only adds h2c to http:// origins).
            let h2 = secured.get_ref().1.alpn_protocol() == Some(b"h2");
            (Stream::Tls(Box::new(secured)), h2)
        } else {
            // h2c with prior knowledge only straight to the origin: a forward proxy speaks
            // HTTP/1.1 to its clients.
            let h2c = self.http2 && matches!(route, Route::Direct);
            (Stream::Plain(stream), h2c)
        };
        let forward = match route {
            Route::Forward(proxy) => Some(proxy.authorization.clone()),
            Route::Direct | Route::Tunnel(_) => None,
        };
        Ok(Opened {
            stream,
            h2,
            forward,
            resolved,
            connected,
            secured: Instant::now(),
        })
    }
}

/// A host without the brackets of an IPv6 address (`[::1]` → `::1`).
pub(super) fn unbracketed(host: &str) -> &str {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host)
}

/// How long a connection attempt to one address runs alone before the next address is tried
/// beside it (RFC 8305's "connection attempt delay"): a name whose first address is
/// unreachable (an IPv6 route that drops packets) costs this much, not the request's timeout.
const NEXT_ADDRESS_AFTER: Duration = Duration::from_millis(250);

/// TCP to the first of `addrs` that accepts, from `local` when set (skipping addresses of
/// the other IP family): the addresses are tried in order, each started
/// [`NEXT_ADDRESS_AFTER`] after the one before it unless that one failed sooner, and the
/// first connection made wins (happy eyeballs, as hyper's connector did). When none accepts,
/// the last failure.
async fn dial(addrs: &[SocketAddr], local: Option<IpAddr>) -> Result<TcpStream, SendError> {
    let mut candidates = addrs
        .iter()
        .copied()
        .filter(|addr| local.is_none_or(|l| l.is_ipv4() == addr.is_ipv4()))
        .peekable();
    if candidates.peek().is_none() {
        return Err(SendError::Connect(match local {
            Some(local) => format!(
                "no address of the target is of the family of --local-addr {local}; give a \
                 local address of the same IP version"
            ),
            None => "no address to connect to".into(),
        }));
    }
    // Dropped on return, which aborts the attempts still running.
    let mut attempts = tokio::task::JoinSet::new();
    let mut last = None;
    loop {
        if attempts.is_empty()
            && let Some(addr) = candidates.next()
        {
            attempts.spawn(connect_one(addr, local));
        }
        let next_due = tokio::time::sleep(NEXT_ADDRESS_AFTER);
        tokio::select! {
            done = attempts.join_next() => match done {
                Some(Ok(Ok(stream))) => return Ok(stream),
                Some(Ok(Err(e))) => last = Some(e.to_string()),
                Some(Err(e)) => last = Some(e.to_string()),
                None => {}
            },
            _ = next_due, if candidates.peek().is_some() => {
                let addr = candidates.next().expect("peeked");
                attempts.spawn(connect_one(addr, local));
            }
        }
        if attempts.is_empty() && candidates.peek().is_none() {
            return Err(SendError::Connect(
                last.unwrap_or_else(|| "no address to connect to".into()),
            ));
        }
    }
}

async fn connect_one(addr: SocketAddr, local: Option<IpAddr>) -> io::Result<TcpStream> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(local) = local {
        socket.bind(SocketAddr::new(local, 0))?;
    }
    socket.set_nodelay(true)?;
    socket.connect(addr).await
}

/// A connection just opened, and when each step of opening it ended.
pub(super) struct Opened {
    pub(super) stream: Stream,
    /// HTTP/2 (chosen by ALPN, or h2c).
    pub(super) h2: bool,
    /// Requests go to a forward proxy in absolute form, with these credentials if any.
    pub(super) forward: Option<Option<HeaderValue>>,
    pub(super) resolved: Instant,
    /// TCP open (and, through a proxy, the tunnel too).
    pub(super) connected: Instant,
    /// The TLS handshake done (the same as `connected` without TLS).
    pub(super) secured: Instant,
}

/// A connection's byte stream: TCP (counted), under TLS for https://.
pub(super) enum Stream {
    Plain(CountingStream),
    Tls(Box<tokio_rustls::client::TlsStream<CountingStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// The certificates of a PEM file, each checked to be usable as a trust anchor; an error
/// names what is wrong with the file.
pub fn read_ca_certs(
    path: &std::path::Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let pem = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not a PEM certificate file: {e}"))?;
    if certs.is_empty() {
        return Err("no certificate in it (expected -----BEGIN CERTIFICATE-----)".into());
    }
    let mut check = rustls::RootCertStore::empty();
    for (n, cert) in certs.iter().enumerate() {
        check
            .add(cert.clone())
            .map_err(|e| format!("certificate {} is not usable as a CA: {e}", n + 1))?;
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An address that refuses, or one that never answers (TEST-NET-1: dropped, or
    /// unreachable here), does not keep the connection from the next address.
    #[tokio::test]
    async fn the_next_address_is_tried_when_one_refuses_or_does_not_answer() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let good = listener.local_addr().unwrap();
        let refusing = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let silent: SocketAddr = "192.0.2.1:80".parse().unwrap();
        let started = Instant::now();
        for addrs in [[refusing, good], [silent, good]] {
            let stream = dial(&addrs, None).await.unwrap();
            assert_eq!(stream.peer_addr().unwrap(), good);
        }
        assert!(
            started.elapsed() < NEXT_ADDRESS_AFTER * 4,
            "{:?}",
            started.elapsed()
        );
        let refused = dial(&[refusing], None).await.unwrap_err().to_string();
        assert!(refused.contains("refused"), "{refused}");
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        let v4_only = dial(&[v6], Some("127.0.0.1".parse().unwrap())).await;
        let wrong_family = v4_only.unwrap_err().to_string();
        assert!(
            wrong_family.contains("--local-addr 127.0.0.1"),
            "{wrong_family}"
        );
    }
}
