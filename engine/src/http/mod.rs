//! HTTP on the hot path: the per-VU client, its lean HTTP/1.1 exchange and the byte-counting
//! connector under it.

mod client;
mod counting;
mod h1;

pub use client::{ClientSettings, Outgoing, Received, SendError, VuClient, read_ca_certs};
