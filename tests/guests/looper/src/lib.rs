//! Half of its tasks never end: the engine must interrupt them at the deadline.
use horde_sdk::prelude::*;

#[derive(Default)]
struct User {
    spins: u64,
}

impl User {
    fn health(&mut self) -> Result {
        http::get("/api/health").send()?;
        Ok(())
    }

    fn spin(&mut self) -> Result {
        loop {
            self.spins = std::hint::black_box(self.spins.wrapping_add(1));
        }
    }
}

horde_sdk::scenario! {
    name: "looper",
    description: "A health check, or a task that loops forever.",
    user: User,
    wait: no_wait(),
    tasks: [health: 1, spin: 1],
}
