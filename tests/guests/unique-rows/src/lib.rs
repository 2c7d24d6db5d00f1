//! Takes one row of the data set `users` in `on-start`, in the mode named by `--env MODE=…`
//! (unique by default), and logs its index, so a test can see which VU got which row.
use horde_sdk::prelude::*;

#[derive(Default)]
struct Reader {
    row: u64,
}

impl Reader {
    fn on_start(&mut self) -> Result {
        let mode = match ctx::env("MODE").as_deref() {
            None | Some("unique") => data::Mode::Unique,
            Some("sequential") => data::Mode::Sequential,
            Some("random") => data::Mode::Random,
            Some("per-vu") => data::Mode::PerVu,
            Some(other) => return Err(format!("unknown MODE {other}").into()),
        };
        let row = data::read("users", mode)?;
        let user = row.get("username").ok_or("no username column")?;
        info!("row {} user {user}", row.index());
        self.row = row.index();
        Ok(())
    }

    fn health(&mut self) -> Result {
        http::get("/api/health").send()?;
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "unique-rows",
    description: "Takes one row of `users` per VU and logs it; then checks health.",
    user: Reader,
    on_start: Reader::on_start,
    wait: constant(0.5),
    tasks: [health],
}
