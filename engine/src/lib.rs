//! horde: a load-testing engine whose virtual users are sandboxed WebAssembly components.
//!
//! A request's path reads straight down the modules: the guest calls `send` in [`host`], which
//! goes out through the VU's client in [`http`] and is recorded in [`stats`]; [`load`] drives
//! VUs ([`vu`]) by the load model, and [`report`] prints and writes the results. [`data`]
//! holds the `--data` sets and [`shared`] the state VUs share (counters, a key/value store).
//! [`target`] is the demo auth API; [`scaffold`] writes the projects of `horde new`. The
//! binary (`src/main.rs`) only starts a runtime and calls [`cli::main`].

pub mod cli;
pub mod data;
pub mod host;
pub mod http;
pub mod load;
pub mod metric;
pub mod report;
pub mod run;
pub mod scaffold;
pub mod scenario;
pub mod shared;
pub mod stats;
pub mod summary;
pub mod target;
pub mod thresholds;
pub mod units;
pub mod vu;
