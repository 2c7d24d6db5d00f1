//! `horde:scenario/metrics`: the VU's metrics state and the narrow view the interface is
//! implemented on (`host.rs`).

mod host;

use wasmtime::component::{HasData, Linker};

use super::bindings;
use super::phase::Phase;
use super::run_context::RunContext;

/// One VU's metrics state.
#[derive(Default)]
pub struct MetricsState {
    /// Reused to build the series key of each check and custom metric sample.
    key: String,
}

/// What `metrics` sees of a VU.
pub struct MetricsView<'a> {
    pub state: &'a mut MetricsState,
    pub run: &'a RunContext,
    pub phase: Phase,
}

/// The `HasData` marker whose data is a [`MetricsView`].
struct Metrics;

impl HasData for Metrics {
    type Data<'a> = MetricsView<'a>;
}

/// Links `metrics` for a store whose data gives a [`MetricsView`].
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    view: fn(&mut T) -> MetricsView<'_>,
) -> wasmtime::Result<()> {
    bindings::metrics::add_to_linker::<T, Metrics>(linker, view)
}
