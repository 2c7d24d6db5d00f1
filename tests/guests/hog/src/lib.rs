//! Grows its memory past any sensible --vu-memory: the VU must trap and restart, the run go on.
use horde_sdk::prelude::*;

#[derive(Default)]
struct User {
    hoard: Vec<Vec<u8>>,
}

impl User {
    fn grow(&mut self) -> Result {
        http::get("/api/health").send()?;
        self.hoard.push(vec![1u8; 8 << 20]);
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "hog",
    description: "Keeps 8 MiB more after each health check.",
    user: User,
    wait: no_wait(),
    tasks: [grow],
}
