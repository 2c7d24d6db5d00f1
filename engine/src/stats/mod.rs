//! Statistics: per-thread recorders, the merged snapshots and the time series. The summary
//! built from them is [`crate::summary`], a layer above.

pub mod custom;
mod endpoint;
mod hub;
mod percentiles;
mod series;

pub use endpoint::{EndpointStats, IntendedTiming, Sample};
pub use hub::{ErrorKind, ErrorRow, IterationCounts, Snapshot, StatsHub, VuCounts, VuErrorKind};
pub use percentiles::Percentiles;
pub use series::{RunningTotals, SeriesEndpoint, SeriesRow, TimeSeries};
