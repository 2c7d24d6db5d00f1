//! Which export a VU is in: the one fact every interface consults to decide what a host call
//! may do (no requests while describing the scenario, no cut-short sleeps in `on-stop`).

/// Which export a VU is in, which decides what its host calls may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `metadata`: no requests allowed.
    Metadata,
    /// `setup`, on an instance of its own before any VU starts.
    Setup,
    Start,
    Task,
    Stop,
    /// `teardown`, on an instance of its own after the last VU.
    Teardown,
}

impl Phase {
    /// The prefix of the statistics names of this phase's requests, which keeps setup's and
    /// teardown's requests apart from the VUs'.
    pub fn stats_group(self) -> Option<&'static str> {
        match self {
            Phase::Setup => Some("[setup]"),
            Phase::Teardown => Some("[teardown]"),
            _ => None,
        }
    }
}
