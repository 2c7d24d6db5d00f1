//! Every task panics after one request: the engine must count the trap and restart the VU.
use horde_sdk::prelude::*;

#[derive(Default)]
struct User;

impl User {
    /// A countable start: one request expected to be refused.
    fn on_start(&mut self) -> Result {
        http::get("/api/orders").expect(&[401]).send()?;
        Ok(())
    }

    fn work(&mut self) -> Result {
        http::get("/api/health").send()?;
        panic!("boom");
    }
}

horde_sdk::scenario! {
    name: "trapper",
    description: "Starts with a 401 it expects, then panics in its task.",
    user: User,
    on_start: User::on_start,
    wait: no_wait(),
    tasks: [work],
}
