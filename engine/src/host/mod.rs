//! The wasmtime embedding: the sandboxed engine, loading and checking a scenario component,
//! and the per-VU state that the host interfaces (`http`, `metrics`, `context`, `data`,
//! `shared`) work on, one file per interface.

pub mod bindings;
mod context;
mod data;
mod http;
mod load;
mod metrics;
mod shared;
mod state;

pub use load::{Sandbox, ScenarioError, ScenarioRuntime, WIT_PACKAGE, WIT_VERSION, trap_message};
pub use state::{BaseUrl, LogSink, Phase, RunContext, VuState};
