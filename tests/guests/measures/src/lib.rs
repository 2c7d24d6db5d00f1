//! Checks, custom metrics of every kind, and a threshold in its metadata, with values the
//! tests can predict from the iteration count.
use horde_sdk::metrics::{Counter, Gauge, Rate, Trend};
use horde_sdk::prelude::*;

const PROFILES_READ: Counter = Counter::new("profiles_read");
const LAST_ITERATION: Gauge = Gauge::new("last_iteration");
const EVEN: Rate = Rate::new("even_iteration");
const ITERATION_VALUE: Trend = Trend::new("iteration_value");

#[derive(Default)]
struct User {
    token: String,
}

impl User {
    fn on_start(&mut self) -> Result {
        let creds = json!({ "username": "testuser", "password": "password123" });
        let login = http::post("/api/auth/login").json(&creds).want_body().send()?;
        self.token =
            login.json::<Value>()?["access_token"].as_str().ok_or("no access_token")?.into();
        Ok(())
    }

    fn profile(&mut self) -> Result {
        let r = http::get("/api/users/me").bearer(&self.token).send()?;
        check("profile status is 200", r.status() == 200);
        let i = ctx::iteration();
        metrics::check_tagged("iteration is even", i % 2 == 0, &[("vu", &ctx::vu_id().to_string())]);
        PROFILES_READ.add(1.0);
        PROFILES_READ.add_tagged(2.0, &[("kind", "double")]);
        LAST_ITERATION.set(i as f64);
        EVEN.add(i % 2 == 0);
        ITERATION_VALUE.add(i as f64);
        // A misuse: records nothing, shows in the error report.
        Counter::new("not a valid name").add(1.0);
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "measures",
    description: "Checks and custom metrics of every kind, predictable from the iteration.",
    user: User,
    on_start: User::on_start,
    wait: no_wait(),
    thresholds: ["checks{check:profile status is 200}: rate==1", "profiles_read: count>0"],
    tasks: [profile],
}
