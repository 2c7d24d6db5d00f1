//! HTTP on the hot path: the per-VU client and the byte-counting connector under it.

mod client;
mod counting;

pub use client::{ClientSettings, Outgoing, Received, SendError, VuClient};
