//! Write [horde](https://github.com/) load-testing scenarios in Rust.
//!
//! A scenario is a WebAssembly component; each instance of it is one virtual user (VU). You
//! describe the user as a plain Rust type holding its state (a token, a cart), give it tasks
//! as methods, and [`scenario!`] exports it to the engine:
//!
//! ```no_run
//! use horde_sdk::prelude::*;
//!
//! #[derive(Default)]
//! struct Reader {
//!     token: String,
//! }
//!
//! impl Reader {
//!     fn on_start(&mut self) -> Result {
//!         let login = http::post("/api/auth/login")
//!             .json(&json!({ "username": "testuser", "password": "password123" }))
//!             .want_body()
//!             .send()?;
//!         self.token = login.json::<Value>()?["access_token"]
//!             .as_str()
//!             .ok_or("no access_token in the login response")?
//!             .to_owned();
//!         info!("logged in as VU {}", ctx::vu_id());
//!         Ok(())
//!     }
//!
//!     fn profile(&mut self) -> Result {
//!         http::get("/api/users/me").bearer(&self.token).send()?;
//!         Ok(())
//!     }
//!
//!     fn orders(&mut self) -> Result {
//!         http::get("/api/orders").bearer(&self.token).send()?;
//!         Ok(())
//!     }
//! }
//!
//! horde_sdk::scenario! {
//!     name: "reader",
//!     description: "Logs in once, then reads its profile three times as often as its orders.",
//!     user: Reader,
//!     on_start: Reader::on_start,
//!     wait: between(1, 5),
//!     tasks: [profile: 3, orders: 1],
//! }
//! ```
//!
//! The crate is a `cdylib` built for `wasm32-unknown-unknown`; `scripts/build` in the horde
//! repository turns it into a component (`docs/writing-a-scenario.md` walks through it).
//!
//! Everything a VU does goes through the engine: [`http`] for requests (the engine keeps the
//! VU's connections and cookies and records every request), [`ctx`] for its id, time,
//! randomness, `--env` values, sleeping and logging, [`metrics`] for checks and custom
//! metrics (and `thresholds: [...]` in [`scenario!`] for the run's pass/fail criteria),
//! [`data`] for rows of the `--data` sets, [`shared`] for setup's value, counters and a
//! key/value store shared by all VUs. A task that returns an error is counted
//! as a task error and the VU goes on; a panic ends the VU (its message goes to the run's log
//! first) and the engine starts a fresh one.

// The generated bindings name the runtime as `::horde_sdk::wit::__rt`, which must also
// resolve inside this crate.
extern crate self as horde_sdk;

pub mod ctx;
pub mod data;
pub mod http;
pub mod metrics;
pub mod shared;
pub mod think;

mod macros;

pub use think::{ThinkTime, between, constant, constant_pacing, constant_throughput, no_wait};

/// serde_json, re-exported so that a scenario needs no dependency but this crate.
///
/// ```
/// use horde_sdk::serde_json;
/// let v: serde_json::Value = serde_json::from_str(r#"{"id": 7}"#).unwrap();
/// assert_eq!(v["id"], 7);
/// ```
pub use serde_json;

/// Builds a [`Value`] from JSON-like syntax (serde_json's `json!`), for request bodies.
///
/// ```
/// use horde_sdk::json;
/// let body = json!({ "username": "testuser", "password": "password123" });
/// assert_eq!(body["username"], "testuser");
/// ```
pub use serde_json::json;

/// Any JSON value (serde_json's `Value`): read a response without declaring a type for it.
///
/// ```
/// use horde_sdk::Value;
/// let v: Value = horde_sdk::serde_json::from_str(r#"{"access_token": "t"}"#).unwrap();
/// assert_eq!(v["access_token"].as_str(), Some("t"));
/// ```
pub use serde_json::Value;

/// The error of a hook or task: anything that converts, with `?`, from an [`http::HttpError`],
/// a [`http::BodyError`], a `serde_json::Error`, a `String` or a `&str`. The engine receives its
/// message (with the messages of its sources) as the task's error.
///
/// ```
/// fn check(status: u16) -> horde_sdk::Result {
///     if status != 200 {
///         return Err(format!("unexpected status {status}").into());
///     }
///     Err("a plain string works too")?
/// }
/// assert!(check(500).unwrap_err().to_string().contains("500"));
/// ```
pub type Error = Box<dyn std::error::Error + 'static>;

/// The result of a hook or task; `Result` alone means `Result<(), Error>`.
///
/// ```
/// use horde_sdk::Result;
/// fn task() -> Result {
///     Ok(())
/// }
/// fn parse(s: &str) -> Result<u32> {
///     Ok(s.parse::<u32>()?)
/// }
/// assert!(task().is_ok());
/// assert_eq!(parse("7").unwrap(), 7);
/// ```
pub type Result<T = (), E = Error> = std::result::Result<T, E>;

/// The SDK name and version a scenario reports in its metadata, such as `horde-sdk 0.1.0`.
///
/// ```
/// assert!(horde_sdk::SDK.starts_with("horde-sdk "));
/// ```
pub const SDK: &str = concat!("horde-sdk ", env!("CARGO_PKG_VERSION"));

/// Everything a scenario usually needs, in one `use horde_sdk::prelude::*;`.
///
/// ```
/// use horde_sdk::prelude::*;
/// fn task() -> Result {
///     http::get("/api/health").send()?;
///     info!("VU {} is healthy", ctx::vu_id());
///     Ok(())
/// }
/// # let _ = task;
/// ```
pub mod prelude {
    pub use crate::think::{between, constant, constant_pacing, constant_throughput, no_wait};
    pub use crate::metrics::check;
    pub use crate::{Error, Result, Value, ctx, data, http, json, metrics, shared};
    pub use crate::{debug, error, info, trace, warn};
}

/// The bindings generated from `sdk/wit` (world `horde:scenario/scenario`). Not a stable API:
/// use the modules of this crate instead.
#[doc(hidden)]
pub mod wit {
    wit_bindgen::generate!({
        world: "horde:scenario/scenario",
        path: "../wit",
        pub_export_macro: true,
        export_macro_name: "__export_scenario",
        default_bindings_module: "::horde_sdk::wit",
        runtime_path: "::horde_sdk::wit::__rt",
    });
    pub use wit_bindgen::rt as __rt;
}

/// Support for the [`scenario!`] macro. Not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::wit::horde::scenario::types::{ScenarioInfo, TaskInfo};
    pub use crate::wit::{__export_scenario, Guest};

    /// Sends panic messages to the run's log: on `wasm32-unknown-unknown` a panic is an
    /// `unreachable` trap that carries no message, so without this the author learns nothing.
    pub fn init() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            std::panic::set_hook(Box::new(|info| {
                // One line: "panicked at src/lib.rs:16:9: boom".
                let message = info.payload_as_str().unwrap_or("(a panic with no message)");
                let line = match info.location() {
                    Some(at) => format!("panicked at {at}: {message}"),
                    None => format!("panicked: {message}"),
                };
                crate::ctx::log(crate::ctx::Level::Error, &line);
            }));
        });
    }

    /// Turns a hook's result into the WIT `result<_, string>`, joining the error's sources.
    pub fn finish(result: crate::Result) -> Result<(), String> {
        result.map_err(|e| {
            use std::fmt::Write;
            let mut message = e.to_string();
            let mut source = e.source();
            while let Some(cause) = source {
                let _ = write!(message, ": {cause}");
                source = cause.source();
            }
            message
        })
    }

    /// Turns setup's result into the WIT `result<list<u8>, string>`.
    pub fn finish_setup<T: Into<Vec<u8>>>(result: crate::Result<T>) -> Result<Vec<u8>, String> {
        match result {
            Ok(value) => Ok(value.into()),
            Err(e) => finish(Err(e)).map(|()| Vec::new()),
        }
    }

    /// The message `run-task` returns for an index the scenario does not have.
    pub fn unknown_task(index: u32, count: usize) -> Result<(), String> {
        Err(format!(
            "no task with index {index}: this scenario has {count} task(s)"
        ))
    }
}
