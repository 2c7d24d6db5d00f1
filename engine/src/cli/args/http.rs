//! The flags that set every VU's HTTP: versions, TLS, proxy, resolution, redirects,
//! compression, body limits, re-sends and the `User-Agent` (shared by `run` and `demo`).

use std::path::PathBuf;

use clap::Args;

use crate::cli::parse;

#[derive(Debug, Args)]
pub struct HttpArgs {
    /// Speak HTTP/2 to plain http:// targets too (h2c, prior knowledge). Over https:// the
    /// version is whatever the server chooses by ALPN.
    #[arg(long, conflicts_with = "http1")]
    pub http2: bool,
    /// Speak HTTP/1.1 only, also over https:// (ALPN offers only http/1.1).
    #[arg(long)]
    pub http1: bool,
    /// Connect from these local addresses, spread over the VUs (comma-separated, e.g.
    /// 127.0.0.2,127.0.0.3), to open more connections than one address's ports allow.
    #[arg(long, value_name = "ADDRS", value_delimiter = ',')]
    pub local_addr: Vec<std::net::IpAddr>,
    /// Also trust the certificate authorities in this PEM file for https:// targets (a test
    /// or company CA); the public web's roots, the system's and SSL_CERT_FILE's stay
    /// trusted. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Vec<PathBuf>,
    /// A client certificate chain (PEM) for mutual TLS, presented to every host or, as
    /// HOST=FILE, to that host only; pair it with --client-key. Repeatable.
    #[arg(long, value_name = "[HOST=]FILE", requires = "client_key")]
    pub client_cert: Vec<String>,
    /// The private key (PEM) of the --client-cert with the same HOST (or none).
    #[arg(long, value_name = "[HOST=]FILE", requires = "client_cert")]
    pub client_key: Vec<String>,
    /// Do not verify https:// servers' certificates (a self-signed staging server); the
    /// summary warns that the run did so.
    #[arg(long, short = 'k')]
    pub insecure: bool,
    /// Send every request through this forward proxy (http://HOST:PORT; https:// targets
    /// through CONNECT), instead of HTTP_PROXY / HTTPS_PROXY. NO_PROXY is honoured.
    #[arg(long, value_name = "URL")]
    pub proxy: Option<String>,
    /// Resolve HOST:PORT to ADDR instead of asking DNS (as curl's --resolve); repeatable.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,
    /// Redirects followed per request (a request may set its own); 0 keeps every 3xx as the
    /// response.
    #[arg(long, value_name = "N", default_value_t = crate::http::DEFAULT_MAX_REDIRECTS)]
    pub max_redirects: u32,
    /// Do not ask for compressed responses (no Accept-Encoding: gzip, deflate, br, zstd).
    #[arg(long)]
    pub no_compression: bool,
    /// The largest response body read; a larger one fails the request (its own error kind)
    /// and closes the connection.
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse::size)]
    pub max_body: usize,
    /// Never send a request twice: an idempotent request that finds its kept-alive
    /// connection closed fails instead of going out again on a fresh one.
    #[arg(long)]
    pub no_retry: bool,
    /// The User-Agent header of every request that sets none itself.
    #[arg(long, value_name = "TEXT", default_value = crate::http::DEFAULT_USER_AGENT)]
    pub user_agent: String,
}
