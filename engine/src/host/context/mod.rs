//! `horde:scenario/context` and `horde:scenario/types`: the narrow view they are implemented
//! on (`host.rs`), and where guest log lines go (`log.rs`).

mod host;

use std::time::Instant;

use rand::rngs::SmallRng;
use tokio_util::sync::CancellationToken;
use wasmtime::component::{HasData, Linker};

use super::bindings;
use super::phase::Phase;
use super::run_context::RunContext;

/// What `context` (and `types`, which has no functions) sees of a VU: who it is, its
/// generator, and what bounds a sleep.
pub struct ContextView<'a> {
    pub run: &'a RunContext,
    pub vu_id: u32,
    pub iteration: u64,
    pub phase: Phase,
    pub deadline: Option<Instant>,
    pub stop: &'a CancellationToken,
    pub rng: &'a mut SmallRng,
}

/// The `HasData` marker whose data is a [`ContextView`].
struct Context;

impl HasData for Context {
    type Data<'a> = ContextView<'a>;
}

/// Links `types` and `context` for a store whose data gives a [`ContextView`].
pub fn add_to_linker<T: Send + 'static>(
    linker: &mut Linker<T>,
    view: fn(&mut T) -> ContextView<'_>,
) -> wasmtime::Result<()> {
    bindings::types::add_to_linker::<T, Context>(linker, view)?;
    bindings::context::add_to_linker::<T, Context>(linker, view)
}
