//! End-to-end tests: the real `horde` binary against the demo target, with scenario
//! components built from source (tests/guests, scripts) by `scripts/build`.

mod bad_input;
mod cache;
mod common;
mod http_conn;
mod http_real;
mod http_stats;
mod languages;
mod models;
mod new;
mod outputs;
mod run_api;
mod runs;
mod sandbox;
mod seeds;
mod servers;
mod state;
mod verdicts;
