//! The benchmark's idle user: one GET of `/` a second (bench/run's memory per idle VU).
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
    name: "idle",
    description: "GET / then think for 1 s.",
    user: User,
    wait: constant(1),
    tasks: [get],
}
