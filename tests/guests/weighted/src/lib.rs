//! Logs in once, then reads its profile three times as often as its orders, without waiting;
//! logs out when it stops.
use horde_sdk::prelude::*;

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
        http::get("/api/users/me").bearer(&self.token).send()?;
        Ok(())
    }

    fn orders(&mut self) -> Result {
        http::get("/api/orders").bearer(&self.token).send()?;
        Ok(())
    }

    fn on_stop(&mut self) -> Result {
        http::post("/api/auth/logout").bearer(&self.token).expect(&[204]).send()?;
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "weighted",
    description: "Task weights 3:1 after a token login; no think time.",
    user: User,
    on_start: User::on_start,
    on_stop: User::on_stop,
    wait: no_wait(),
    tasks: [profile: 3, orders: 1],
}
