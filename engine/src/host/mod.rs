//! The wasmtime embedding: the sandboxed engine, loading and checking a scenario component
//! (compiled once and cached), the per-VU state that the host interfaces (`http`, `metrics`,
//! `context`, `data`, `shared`) work on, one file per interface, and the capability-less WASI
//! that some language runtimes import.

pub mod bindings;
pub mod cache;
mod context;
mod data;
mod footprint;
mod http;
mod load;
mod metrics;
mod shared;
mod state;
mod wasi;

pub use load::{Sandbox, ScenarioError, ScenarioRuntime, WIT_PACKAGE, WIT_VERSION, trap_message};
pub use state::{BaseUrl, LogSink, Phase, RunContext, VuState};
