//! Setup logs in once and hands the token to every VU; each VU reads its profile with it and
//! counts an order in a shared counter; teardown logs the token out and logs the counters.
//! With `--env FAIL_SETUP=1`, setup fails after its login.
use horde_sdk::prelude::*;

fn setup() -> Result<String> {
    let login = http::post("/api/auth/login")
        .json(&json!({ "username": "testuser", "password": "password123" }))
        .want_body()
        .send()?;
    let token = login.json::<Value>()?["access_token"].as_str().ok_or("no access_token")?.to_string();
    if ctx::env("FAIL_SETUP").is_some() {
        return Err("asked to fail (FAIL_SETUP)".into());
    }
    Ok(token)
}

fn teardown(token: &[u8]) -> Result {
    let token = std::str::from_utf8(token)?;
    http::post("/api/auth/logout").bearer(token).expect_status(204).send()?;
    info!(
        "teardown: orders={} leaders={} leader={}",
        shared::counter_get("orders"),
        shared::counter_get("leaders"),
        String::from_utf8_lossy(&shared::get("leader").unwrap_or_default()),
    );
    Ok(())
}

#[derive(Default)]
struct Buyer {
    token: String,
}

impl Buyer {
    fn on_start(&mut self) -> Result {
        self.token = shared::setup_text();
        if self.token.is_empty() {
            return Err("setup's value did not reach this VU".into());
        }
        // Only one VU of the run may win this.
        if shared::compare_and_swap("leader", None, format!("vu-{}", ctx::vu_id()), None)? {
            shared::counter_add("leaders", 1)?;
        }
        Ok(())
    }

    fn order(&mut self) -> Result {
        http::get("/api/users/me").bearer(&self.token).send()?;
        shared::counter_add("orders", 1)?;
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "lifecycle",
    description: "Setup logs in once; VUs use its token and count orders; teardown logs out.",
    user: Buyer,
    setup: setup,
    teardown: teardown,
    on_start: Buyer::on_start,
    tasks: [order],
}
