//! Seed 2, session side: logs in once with a form and keeps the session cookie (the engine's
//! per-VU cookie jar sends it), reads the profile with it, and logs out when it stops: the
//! session-cookie half of the session-versus-JWT comparison. `jwt-auth` is the other half,
//! request for request.
//!
//! ```sh
//! horde run target/scenarios/session-auth.wasm --host http://127.0.0.1:8080 -u 100 -r 10 -t 2m --json session-100.json
//! horde run target/scenarios/jwt-auth.wasm --host http://127.0.0.1:8080 -u 100 -r 10 -t 2m --json jwt-100.json
//! horde compare session-100.json jwt-100.json
//! ```
use horde_sdk::prelude::*;

#[derive(Default)]
struct SessionUser;

impl SessionUser {
    fn on_start(&mut self) -> Result {
        http::post("/api/session/login")
            .form(&[("username", "testuser"), ("password", "password123")])
            .name("login")
            .send()?;
        Ok(())
    }

    fn profile(&mut self) -> Result {
        let r = http::get("/api/session/me").name("profile").send()?;
        check("profile is served to the logged-in user", r.status() == 200);
        Ok(())
    }

    fn on_stop(&mut self) -> Result {
        http::post("/api/session/logout").name("logout").expect(&[204]).send()?;
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "session-auth",
    description: "Session-cookie login, profile reads with the cookie, logout (seed 2, session side).",
    user: SessionUser,
    on_start: SessionUser::on_start,
    on_stop: SessionUser::on_stop,
    wait: between(1, 5),
    tasks: [profile],
}
