//! `horde:scenario/data`: the narrow view the interface is implemented on (`host.rs`).

mod host;

use rand::rngs::SmallRng;
use wasmtime::component::{HasData, Linker};

use super::bindings;
use super::run_context::RunContext;

/// What `data` sees of a VU: the run's sets, who reads, its generator (for `random` reads),
/// and the flag a `unique` read that ran out under `--data-exhausted stop` sets.
pub struct DataView<'a> {
    pub run: &'a RunContext,
    pub vu_id: u32,
    pub rng: &'a mut SmallRng,
    pub retire_self: &'a mut bool,
}

/// The `HasData` marker whose data is a [`DataView`].
struct Data;

impl HasData for Data {
    type Data<'a> = DataView<'a>;
}

/// Links `data` for a store whose data gives a [`DataView`].
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    view: fn(&mut T) -> DataView<'_>,
) -> wasmtime::Result<()> {
    bindings::data::add_to_linker::<T, Data>(linker, view)
}
