//! How many core instances, linear memories and tables one instance of a component needs,
//! read from its bytes before compiling, so the pooling allocator can be sized for the
//! scenario at hand: a Rust scenario is one core module, a componentize-py one is dozens.

use wasmparser::{Parser, Payload};

/// What one instance of a component uses, counted over every nested module and component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Footprint {
    pub core_instances: u32,
    pub memories: u32,
    pub tables: u32,
}

impl Footprint {
    /// Counts the component's core instantiations and the memories and tables its modules
    /// define. Memories and tables are counted once per module, which is exact for what
    /// wit-component and the language toolchains emit (each module instantiated once). Each
    /// count is at least a small floor: the pool reserves address space, not memory, and a
    /// count too low would make instantiation fail.
    pub fn of(bytes: &[u8]) -> Result<Self, String> {
        let (mut core_instances, mut memories, mut tables) = (0u32, 0u32, 0u32);
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.map_err(|e| e.to_string())? {
                Payload::InstanceSection(section) => core_instances += section.count(),
                Payload::MemorySection(section) => memories += section.count(),
                Payload::TableSection(section) => tables += section.count(),
                _ => {}
            }
        }
        Ok(Self {
            core_instances: core_instances.max(4),
            memories: memories.max(2),
            tables: tables.max(4),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_nested_instances_memories_and_tables() {
        let wat = r#"(component
            (core module $a (memory 1) (table 1 funcref))
            (core module $b (memory 1))
            (core module $c (memory 1))
            (core module $d)
            (core instance (instantiate $a))
            (core instance (instantiate $b))
            (core instance (instantiate $c))
            (core instance (instantiate $d))
            (core instance (instantiate $d))
        )"#;
        let footprint = Footprint::of(&wat::parse_str(wat).unwrap()).unwrap();
        assert_eq!(footprint.core_instances, 5);
        assert_eq!(footprint.memories, 3);
        // Below the floors: a small component gets them.
        assert_eq!(footprint.tables, 4);
    }
}
