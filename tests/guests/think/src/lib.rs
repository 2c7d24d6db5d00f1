//! Pings the health route with a constant 250 ms think time.
use horde_sdk::prelude::*;

#[derive(Default)]
struct User;

impl User {
    fn ping(&mut self) -> Result {
        http::get("/api/health").send()?;
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "think",
    description: "One health check every 250 ms per VU.",
    user: User,
    wait: constant(0.25),
    tasks: [ping],
}
