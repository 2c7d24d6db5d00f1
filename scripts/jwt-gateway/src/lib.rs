//! Seed 1: a JWT + OAuth2 gateway under load with valid, expired and malformed tokens, through
//! the API and through token introspection (RFC 7662), as in the JMeter study of Kong and
//! Keycloak. Each task is one request, so an arrival rate of 100/s is 100 requests a second.
//!
//! A 401 for an expired or a malformed token is the right answer, so those requests expect it;
//! a gateway that lets an expired token through answers 200, which fails the request *and* the
//! check "expired JWT is rejected by the API", and the scenario's threshold on that check makes
//! the run exit with 99:
//!
//! ```sh
//! horde demo-target --listen 127.0.0.1:8080 --lax-expiry &      # the misconfigured gateway
//! horde run target/scenarios/jwt-gateway.wasm --host http://127.0.0.1:8080 --rate 100/s -t 20s
//! ```
use horde_sdk::prelude::*;

/// Re-login this long before the valid token expires, so a long run never sends a stale one.
const REFRESH_MARGIN_MS: u64 = 30_000;

#[derive(Default)]
struct GatewayClient {
    valid: String,
    valid_until_ms: u64,
    expired: String,
    malformed: String,
}

/// Logs in as `testuser` and returns the token and its lifetime in seconds; `expires_in`
/// overrides the lifetime (0 or less mints a token that is already expired).
fn login(name: &str, expires_in: Option<i64>) -> Result<(String, i64)> {
    let mut body = json!({ "username": "testuser", "password": "password123" });
    if let Some(seconds) = expires_in {
        body["expires_in"] = json!(seconds);
    }
    let reply = http::post("/api/auth/login").json(&body).name(name).want_body().send()?;
    let token: Value = reply.json()?;
    let access = token["access_token"].as_str().ok_or("no access_token in the login reply")?;
    Ok((access.to_string(), token["expires_in"].as_i64().unwrap_or(0)))
}

/// Introspects `token` (RFC 7662) and returns whether the server says it is active.
fn introspect(token: &str, name: &str) -> Result<bool> {
    let reply = http::post("/api/auth/introspect")
        .form(&[("token", token)])
        .name(name)
        .want_body()
        .send()?;
    Ok(reply.json::<Value>()?["active"].as_bool().unwrap_or(false))
}

/// Calls the API with `token`; returns the status.
fn api(token: &str, name: &str, expect: &[u16]) -> Result<u16> {
    Ok(http::get("/api/users/me").bearer(token).name(name).expect(expect).send()?.status())
}

impl GatewayClient {
    fn on_start(&mut self) -> Result {
        self.refresh()?;
        self.expired = login("Generate Expired Token", Some(-60))?.0;
        // A well-formed JWT whose signature does not match: what a forged token looks like.
        // The signature's first character carries six whole bits (its last may carry only
        // padding), so changing it always changes the signature.
        let dot = self.valid.rfind('.').ok_or("the token is not a JWT")?;
        let (head, signature) = self.valid.split_at(dot + 1);
        let first = signature.chars().next().ok_or("the token has no signature")?;
        let swapped = if first == 'A' { 'B' } else { 'A' };
        self.malformed = format!("{head}{swapped}{}", &signature[first.len_utf8()..]);
        Ok(())
    }

    fn refresh(&mut self) -> Result {
        let (token, lifetime_s) = login("Generate Token", None)?;
        self.valid = token;
        self.valid_until_ms = ctx::unix_time_ms() + (lifetime_s.max(0) as u64) * 1000;
        Ok(())
    }

    fn introspect_valid(&mut self) -> Result {
        let active = introspect(&self.valid, "Introspect Valid JWT")?;
        check("valid JWT is active", active);
        Ok(())
    }

    fn api_valid(&mut self) -> Result {
        if ctx::unix_time_ms() + REFRESH_MARGIN_MS > self.valid_until_ms {
            self.refresh()?;
        }
        let status = api(&self.valid, "API Request with Valid JWT", &[200])?;
        check("valid JWT is accepted by the API", status == 200);
        Ok(())
    }

    fn introspect_expired(&mut self) -> Result {
        let active = introspect(&self.expired, "Introspect Expired JWT")?;
        check("expired JWT is inactive", !active);
        Ok(())
    }

    fn api_expired(&mut self) -> Result {
        let status = api(&self.expired, "API Request with Expired JWT", &[401])?;
        check("expired JWT is rejected by the API", status == 401);
        Ok(())
    }

    fn introspect_malformed(&mut self) -> Result {
        let active = introspect(&self.malformed, "Introspect Invalid JWT")?;
        check("invalid JWT is inactive", !active);
        Ok(())
    }

    fn api_malformed(&mut self) -> Result {
        let status = api(&self.malformed, "API Request with Invalid JWT", &[401])?;
        check("invalid JWT is rejected by the API", status == 401);
        Ok(())
    }
}

horde_sdk::scenario! {
    name: "jwt-gateway",
    description: "Valid, expired and forged JWTs through the API and through introspection (seed 1: the JWT + OAuth2 gateway study).",
    user: GatewayClient,
    on_start: GatewayClient::on_start,
    wait: no_wait(),
    thresholds: [
        "checks{check:expired JWT is rejected by the API}: rate==1",
        "checks{check:invalid JWT is rejected by the API}: rate==1",
    ],
    tasks: [
        introspect_valid,
        api_valid,
        introspect_expired,
        api_expired,
        introspect_malformed,
        api_malformed,
    ],
}
