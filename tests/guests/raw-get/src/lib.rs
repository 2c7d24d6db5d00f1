//! The benchmark's user: one GET per task, no think time, body not copied in. The path is
//! `/`, or `--env RAW_GET_PATH=/orders.json` (bench/run's compressed case).
use horde_sdk::prelude::*;

#[derive(Default)]
struct User {
    path: String,
}

impl User {
    fn on_start(&mut self) -> Result {
        self.path = ctx::env("RAW_GET_PATH").unwrap_or_else(|| "/".to_string());
        Ok(())
    }

    fn get(&mut self) -> Result {
        http::get(&self.path).send()?;
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "raw-get",
    description: "GET / (or RAW_GET_PATH) as fast as the target answers (bench/run's CPU per request).",
    user: User,
    on_start: User::on_start,
    wait: no_wait(),
    tasks: [get],
}
