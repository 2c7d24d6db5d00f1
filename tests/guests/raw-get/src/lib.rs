//! The benchmark's user: one GET of `/` per task, no think time, body not copied in.
use horde_sdk::prelude::*;

#[derive(Default)]
struct User;

impl User {
    fn get(&mut self) -> Result {
        http::get("/").send()?;
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "raw-get",
    description: "GET / as fast as the target answers (bench/run's CPU per request).",
    user: User,
    wait: no_wait(),
    tasks: [get],
}
