//! Exit codes (documented in README.md and `horde --help`), and the failure that carries one
//! with its one-line message. Failed requests do not change the exit code; a run that
//! completes exits 0.

use crate::run::RunError;

/// The command did what was asked.
pub const OK: u8 = 0;
/// Something went wrong that is not the input's fault (an output file could not be written).
pub const ERROR: u8 = 1;
/// A flag or argument is wrong: a bad value, a malformed --host URL, a file given to
/// `compare` that is not a horde summary.
pub const USAGE: u8 = 2;
/// The scenario file cannot be used: not Wasm, not a component, another world, a missing
/// export, another WIT version, invalid metadata.
pub const SCENARIO: u8 = 3;
/// The target named by --host does not accept connections.
pub const UNREACHABLE: u8 = 4;
/// A threshold failed (k6's code); its results were written.
pub const THRESHOLD_FAILED: u8 = 99;
/// The scenario's `setup` failed (an error, a trap, its time limit): no VU was started.
pub const SETUP: u8 = 5;
/// The run was stopped by SIGINT or SIGTERM; its results were still written.
pub const INTERRUPTED: u8 = 130;

pub(super) const EXIT_CODES_HELP: &str = "Exit codes: 0 done; 1 error (e.g. an output file could not be written); \
2 bad flag or argument (also a malformed --data file, or a file given to compare that is not a horde summary); \
3 the scenario file cannot be used; 4 the target is unreachable; 5 setup failed; 99 a threshold failed; \
130 interrupted by a signal (results still written).";

/// A failure with its exit code and a one-line message.
#[derive(Debug)]
pub(super) struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// An error that is not the input's fault, such as an output file that cannot be written.
    pub fn error(message: impl Into<String>) -> Self {
        Self::new(ERROR, message)
    }

    /// A bad flag, argument or input file.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(USAGE, message)
    }
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        let code = match e {
            RunError::Scenario(_) => SCENARIO,
            RunError::Unreachable { .. } => UNREACHABLE,
            RunError::Setup(_) => SETUP,
        };
        Failure::new(code, e.to_string())
    }
}
