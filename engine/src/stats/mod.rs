//! Statistics: per-thread recorders, the merged snapshots, and the summary built from them.

pub mod custom;
mod endpoint;
mod hub;
mod measured;
mod series;
mod summary;

pub use endpoint::{EndpointStats, IntendedTiming, Sample};
pub use hub::{ErrorKind, ErrorRow, IterationCounts, Snapshot, StatsHub, VuCounts, VuErrorKind};
pub use measured::{CheckSummary, MetricSummary};
pub use series::{RunningTotals, SeriesEndpoint, SeriesRow, TimeSeries};
pub use summary::{
    EndpointSummary, ErrorSummary, IntendedSummary, Percentiles, RunInfo, SCHEMA_VERSION, Summary,
};
