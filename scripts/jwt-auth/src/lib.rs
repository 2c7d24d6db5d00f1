//! Seed 2, JWT side: logs in once for a bearer token, reads the profile with it, and logs out
//! (revoking the token) when it stops: the JWT half of the session-versus-JWT comparison,
//! request for request like `session-auth` (same stats names: login, profile, logout).
//!
//! ```sh
//! horde run target/scenarios/jwt-auth.wasm --host http://127.0.0.1:8080 -u 100 -r 10 -t 2m --json jwt-100.json
//! ```
use horde_sdk::prelude::*;

#[derive(Default)]
struct JwtUser {
    token: String,
}

impl JwtUser {
    fn on_start(&mut self) -> Result {
        let creds = json!({ "username": "testuser", "password": "password123" });
        let login = http::post("/api/auth/login").json(&creds).name("login").want_body().send()?;
        self.token = login.json::<Value>()?["access_token"]
            .as_str()
            .ok_or("no access_token in the login reply")?
            .to_string();
        Ok(())
    }

    fn profile(&mut self) -> Result {
        let r = http::get("/api/users/me").bearer(&self.token).name("profile").send()?;
        check("profile is served to the logged-in user", r.status() == 200);
        Ok(())
    }

    fn on_stop(&mut self) -> Result {
        http::post("/api/auth/logout").bearer(&self.token).name("logout").expect(&[204]).send()?;
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "jwt-auth",
    description: "Bearer-token login, profile reads with the token, logout (seed 2, JWT side).",
    user: JwtUser,
    on_start: JwtUser::on_start,
    on_stop: JwtUser::on_stop,
    wait: between(1, 5),
    tasks: [profile],
}
