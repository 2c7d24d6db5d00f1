//! Session-cookie login: each VU must get its own session back, never another VU's.
use horde_sdk::prelude::*;

#[derive(Default)]
struct User {
    session_id: String,
}

impl User {
    fn on_start(&mut self) -> Result {
        let creds = json!({ "username": "testuser", "password": "password123" });
        let login = http::post("/api/session/login").json(&creds).want_body().send()?;
        self.session_id =
            login.json::<Value>()?["session_id"].as_str().ok_or("no session_id")?.into();
        Ok(())
    }

    fn me(&mut self) -> Result {
        let me = http::get("/api/session/me").want_body().send()?;
        if me.ok() && me.json::<Value>()?["session_id"] != self.session_id.as_str() {
            me.fail("session of another VU");
        }
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "cookies",
    description: "Logs in with a session cookie, then reads its session every 10 ms.",
    user: User,
    on_start: User::on_start,
    wait: constant(0.01),
    tasks: [me],
}
