//! Logs in once, then reads its profile and its orders with the token (Locust's `AuthenticatedUser`).
//! Given a data set `users`, each VU logs in as its own account from it; without one, every VU
//! logs in as the seed's `testuser` (as the seed-0 scenarios of the other languages do):
//!
//! ```sh
//! horde demo-target --users-file scripts/authenticated-user/users.csv &
//! horde run target/scenarios/authenticated-user.wasm --host http://127.0.0.1:8080 \
//!     --data users=scripts/authenticated-user/users.csv -u 50 -t 1m
//! ```
use horde_sdk::prelude::*;

#[derive(Default)]
struct AuthenticatedUser {
    auth_token: Option<String>,
}

impl AuthenticatedUser {
    fn on_start(&mut self) -> Result {
        // Each row goes to one VU only: no two VUs share an account.
        let credentials = match data::unique("users") {
            Ok(account) => json!({
                "username": account.get("username"),
                "password": account.get("password"),
            }),
            Err(data::DataError::UnknownSet(_)) => {
                json!({ "username": "testuser", "password": "password123" })
            }
            Err(exhausted) => return Err(exhausted.into()),
        };
        let login = http::post("/api/auth/login").json(&credentials).want_body().send()?;
        if login.status() == 200 {
            self.auth_token = login.json::<Value>()?["access_token"].as_str().map(String::from);
            info!("Login successful, token acquired.");
        } else {
            warn!("Login failed: {} - {}", login.status(), login.text().unwrap_or_default());
        }
        Ok(())
    }

    fn get_user_profile(&mut self) -> Result {
        if let Some(token) = &self.auth_token {
            http::get("/api/users/me").bearer(token).send()?;
        } else {
            info!("Skipping task, no auth token available.");
        }
        Ok(())
    }

    fn get_user_orders(&mut self) -> Result {
        if let Some(token) = &self.auth_token {
            http::get("/api/orders").bearer(token).send()?;
        }
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "authenticated-user",
    description: "Logs in once, then reads its profile and its orders with the token.",
    user: AuthenticatedUser,
    on_start: AuthenticatedUser::on_start,
    wait: between(1, 5),
    tasks: [get_user_profile: 1, get_user_orders: 1],
}
