//! HTTP on the hot path: the per-VU client, its connections, its lean HTTP/1.1 exchange and
//! the byte-counting connector under it, and the run's HTTP options.

mod client;
mod connect;
mod counting;
mod h1;
mod options;
mod outcome;
mod pool;

pub use client::{Outgoing, Received, VuClient};
pub use connect::{ClientSettings, read_ca_certs};
pub use options::{
    ClientIdentity, DEFAULT_MAX_BODY, DEFAULT_MAX_REDIRECTS, DEFAULT_USER_AGENT, HttpOptions,
    HttpVersions, ProxySettings, ResolveOverride,
};
pub use outcome::{SendError, Timings};
