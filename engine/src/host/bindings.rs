//! The one `bindgen!` site for the `horde:scenario` world: generated host traits and types.

wasmtime::component::bindgen!({
    path: "../sdk/wit",
    world: "horde:scenario/scenario",
    imports: { default: async },
    exports: { default: async },
});

pub use self::horde::scenario::{context, data, http, metrics, shared, types};
