//! What the command line (or a run API caller) sets for every VU's HTTP: protocol choice, TLS
//! trust and identity, proxy, name resolution, redirects, compression, body limits, re-sends
//! and the default `User-Agent`. Checked once, when the run is planned.

use std::net::{IpAddr, SocketAddr};

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The `User-Agent` sent unless the scenario sets its own.
pub const DEFAULT_USER_AGENT: &str = concat!("horde/", env!("CARGO_PKG_VERSION"));

/// Redirects followed per request unless the run or the request says otherwise (as requests
/// and k6 do).
pub const DEFAULT_MAX_REDIRECTS: u32 = 10;

/// The largest response body read unless `--max-body` says otherwise.
pub const DEFAULT_MAX_BODY: u64 = 64 * 1024 * 1024;

/// Which HTTP versions a connection may speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpVersions {
    /// HTTP/1.1 on `http://`; over `https://`, whatever ALPN chooses (h2 preferred).
    #[default]
    Negotiated,
    /// `--http2`: also HTTP/2 to plain `http://` origins (h2c, prior knowledge); `https://`
    /// still follows ALPN.
    H2cToo,
    /// `--http1`: HTTP/1.1 only, also over TLS (ALPN offers only `http/1.1`).
    Http1Only,
}

/// A client certificate and its key (`--client-cert`, `--client-key`), for one host or all.
#[derive(Debug)]
pub struct ClientIdentity {
    /// The host it is presented to (`api.example.com`), or None for every host.
    pub host: Option<String>,
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl Clone for ClientIdentity {
    fn clone(&self) -> Self {
        Self {
            host: self.host.clone(),
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

/// Where requests go through a forward proxy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    /// The proxy for `http://` targets (`--proxy`, `HTTP_PROXY`).
    pub http: Option<url::Url>,
    /// The proxy for `https://` targets, reached with CONNECT (`--proxy`, `HTTPS_PROXY`).
    pub https: Option<url::Url>,
    /// Hosts reached directly (`NO_PROXY`: names, `.suffix`es, addresses, `*`).
    pub no_proxy: Vec<String>,
}

/// A name resolved to a fixed address (`--resolve HOST:PORT:ADDR`, as curl has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOverride {
    pub host: String,
    pub port: u16,
    pub addr: IpAddr,
}

impl ResolveOverride {
    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.addr, self.port)
    }
}

/// Everything the run sets for HTTP. `Default` is what a run without flags gets.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    pub versions: HttpVersions,
    /// Local addresses to connect from, spread over the VUs (`--local-addr`).
    pub local_addrs: Vec<IpAddr>,
    /// Certificate authorities trusted besides the public web's and the system's roots
    /// (`--ca-cert`, `SSL_CERT_FILE`).
    pub ca_certs: Vec<CertificateDer<'static>>,
    /// Client certificates for mutual TLS.
    pub identities: Vec<ClientIdentity>,
    /// `--insecure`: server certificates are not verified (the summary warns).
    pub insecure: bool,
    pub proxy: ProxySettings,
    pub resolve: Vec<ResolveOverride>,
    /// Redirects followed per request (0 keeps every 3xx as the response).
    pub max_redirects: u32,
    /// Ask for compressed bodies (`Accept-Encoding`) and decode them for the guest.
    pub compression: bool,
    /// The largest response body read; a larger one fails the request.
    pub max_body: u64,
    /// Re-send an idempotent request once when a reused connection turns out closed.
    pub retry: bool,
    pub user_agent: String,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            versions: HttpVersions::default(),
            local_addrs: Vec::new(),
            ca_certs: Vec::new(),
            identities: Vec::new(),
            insecure: false,
            proxy: ProxySettings::default(),
            resolve: Vec::new(),
            max_redirects: DEFAULT_MAX_REDIRECTS,
            compression: true,
            max_body: DEFAULT_MAX_BODY,
            retry: true,
            user_agent: DEFAULT_USER_AGENT.to_string(),
        }
    }
}
