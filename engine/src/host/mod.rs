//! The wasmtime embedding: the sandboxed engine, loading and checking a scenario component
//! (compiled once and cached), the per-VU state that the host interfaces (`http`, `context`)
//! work on, and the capability-less WASI that some language runtimes import.

pub mod bindings;
pub mod cache;
mod context;
mod footprint;
mod http;
mod load;
mod state;
mod wasi;

pub use load::{Sandbox, ScenarioError, ScenarioRuntime, WIT_PACKAGE, WIT_VERSION, trap_message};
pub use state::{BaseUrl, LogSink, Phase, RunContext, VuState};
