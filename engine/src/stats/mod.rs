//! Statistics: per-thread recorders, the merged snapshots and the time series. The summary
//! built from them is [`crate::summary`], a layer above.

pub mod custom;
mod endpoint;
mod errors;
mod hub;
mod percentiles;
mod phases;
mod series;

pub use endpoint::{EndpointStats, IntendedTiming, Sample};
pub use errors::{ErrorKind, ErrorRow, VuErrorKind};
pub use hub::{IterationCounts, Snapshot, StatsHub, VuCounts};
pub use percentiles::Percentiles;
pub use phases::{Phase, PhaseStats, PhaseTimes, Phases};
pub use series::{RunningTotals, SeriesEndpoint, SeriesRow, TimeSeries};
