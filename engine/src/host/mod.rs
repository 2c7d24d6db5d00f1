//! The wasmtime embedding: the sandboxed engine, loading and checking a scenario component
//! (compiled once and cached), what a run shares and what one VU's store holds, one module per
//! host interface (`http`, `metrics`, `context` with `types`, `data`, `shared`), each on a
//! narrow view of the VU, and the capability-less WASI that some language runtimes import.

mod base_url;
pub mod bindings;
pub mod cache;
mod context;
mod data;
mod footprint;
mod http;
mod log;
mod metadata;
mod metrics;
mod phase;
mod run_context;
mod runtime;
mod shared;
mod vu_state;
mod wasi;

pub use base_url::BaseUrl;
pub use log::LogSink;
pub use phase::Phase;
pub use run_context::{RunContext, RunSettings};
pub use runtime::{
    Sandbox, ScenarioError, ScenarioRuntime, WIT_PACKAGE, WIT_VERSION, trap_message,
};
pub use vu_state::VuState;
