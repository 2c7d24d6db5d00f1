//! HTTP on the hot path: the per-VU client, its pool of connections, its lean HTTP/1.1
//! exchange and the byte-counting streams under it; name resolution, TLS and proxies shared
//! by every VU; and the run's HTTP options.

mod client;
mod connect;
mod counting;
mod dns;
mod h1;
mod options;
mod outcome;
mod pool;
mod proxy;
mod tls;

pub use client::{Outgoing, Received, VuClient};
pub use connect::{ClientSettings, read_ca_certs};
pub use options::{
    ClientIdentity, DEFAULT_MAX_BODY, DEFAULT_MAX_REDIRECTS, DEFAULT_USER_AGENT, HttpOptions,
    HttpVersions, ProxySettings, ResolveOverride,
};
pub use outcome::{SendError, Timings};
