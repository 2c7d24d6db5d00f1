//! Statistics: per-thread recorders, the merged snapshots, and the summary built from them.

mod endpoint;
mod hub;
mod series;
mod summary;

pub use endpoint::{EndpointStats, Sample};
pub use hub::{ErrorKey, Snapshot, StatsHub, VuCounts, VuErrorKind};
pub use series::{SeriesEndpoint, SeriesRow, TimeSeries};
pub use summary::{EndpointSummary, ErrorSummary, Percentiles, RunInfo, SCHEMA_VERSION, Summary};
