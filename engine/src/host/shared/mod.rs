//! `horde:scenario/shared`: the narrow view the interface is implemented on (`host.rs`).

mod host;

use wasmtime::component::{HasData, Linker};

use super::bindings;
use crate::shared::SharedState;

/// What `shared` sees of a VU: only the run's shared state.
pub struct SharedView<'a> {
    pub shared: &'a SharedState,
}

/// The `HasData` marker whose data is a [`SharedView`].
struct Shared;

impl HasData for Shared {
    type Data<'a> = SharedView<'a>;
}

/// Links `shared` for a store whose data gives a [`SharedView`].
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    view: fn(&mut T) -> SharedView<'_>,
) -> wasmtime::Result<()> {
    bindings::shared::add_to_linker::<T, Shared>(linker, view)
}
