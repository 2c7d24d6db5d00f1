//! In-process tests: a real target on `127.0.0.1:0` driven by a small hyper client.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, COOKIE, SET_COOKIE, WWW_AUTHENTICATE};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

use super::*;

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn reason(&self) -> String {
        self.json()["reason"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A client that also tallies what it sent, to check `/__stats` against.
struct Probe {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    expected: BTreeMap<String, BTreeMap<u16, u64>>,
    /// The version every request of this probe speaks, as `/__stats` names it.
    version: &'static str,
}

impl Probe {
    fn new(target: &DemoTarget, http2: bool) -> Self {
        let client = Client::builder(TokioExecutor::new())
            .http2_only(http2)
            .build_http();
        Probe {
            client,
            base: target.base_url(),
            expected: BTreeMap::new(),
            version: if http2 { "HTTP/2" } else { "HTTP/1.1" },
        }
    }

    async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Reply {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = self
            .client
            .request(req.body(Full::new(Bytes::from(body.to_owned()))).unwrap())
            .await
            .unwrap();
        let (parts, body) = resp.into_parts();
        let reply = Reply {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        };
        check_framing(&reply, &method, path);
        if !path.starts_with("/__stats") {
            let known = super::counters::Route::find(&method, path.split('?').next().unwrap());
            let key = known.map_or("OTHER".to_owned(), |r| r.key().to_owned());
            *self
                .expected
                .entry(key)
                .or_default()
                .entry(reply.status.as_u16())
                .or_default() += 1;
        }
        reply
    }

    async fn get(&mut self, path: &str, headers: &[(&str, &str)]) -> Reply {
        self.send(Method::GET, path, headers, "").await
    }

    async fn post_json(&mut self, path: &str, headers: &[(&str, &str)], body: Value) -> Reply {
        let mut all = vec![("content-type", "application/json")];
        all.extend_from_slice(headers);
        self.send(Method::POST, path, &all, &body.to_string()).await
    }

    async fn login(&mut self, username: &str, extra: Value) -> String {
        let mut body = json!({"username": username, "password": "password123"});
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let reply = self.post_json("/api/auth/login", &[], body).await;
        assert_eq!(reply.status, StatusCode::OK);
        let json = reply.json();
        assert_eq!(json["token_type"], "Bearer");
        json["access_token"].as_str().unwrap().to_owned()
    }

    fn expected_stats(&self) -> TargetStats {
        let total: u64 = self.expected.values().flat_map(|s| s.values()).sum();
        TargetStats {
            total,
            routes: self.expected.clone(),
            versions: [(self.version.to_owned(), total)]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .collect(),
            connections: BTreeMap::new(),
            per_second: Vec::new(),
            headers: BTreeMap::new(),
        }
    }
}

/// The stats without the per-address connection counts, which depend on the client's pool,
/// the per-second counts, which depend on the clock, and the header counts (checked by the
/// counters' own test).
fn routes_only(mut stats: TargetStats) -> TargetStats {
    assert_eq!(stats.per_second.iter().sum::<u64>(), stats.total);
    stats.connections.clear();
    stats.per_second.clear();
    stats.headers.clear();
    stats
}

/// Every response is JSON with an exact length (204 has neither body nor length).
fn check_framing(reply: &Reply, method: &Method, path: &str) {
    let what = format!("{method} {path} -> {}", reply.status);
    assert_eq!(
        reply.headers.get(CONTENT_TYPE).unwrap(),
        "application/json",
        "{what}"
    );
    if reply.status == StatusCode::NO_CONTENT {
        assert!(reply.body.is_empty(), "{what}");
    } else {
        let length: usize = reply.headers[CONTENT_LENGTH]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(length, reply.body.len(), "{what}");
        serde_json::from_slice::<Value>(&reply.body).expect("body is JSON");
    }
}

/// The same token with one signature bit changed: still well-formed, no longer authentic.
fn tamper(token: &str) -> String {
    let at = token.rfind('.').unwrap() + 1;
    let flipped = if &token[at..=at] == "A" { "B" } else { "A" };
    format!("{}{flipped}{}", &token[..at], &token[at + 1..])
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

fn assert_token_401(reply: &Reply, reason: &str) {
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.reason(), reason);
    let challenge = reply.headers[WWW_AUTHENTICATE].to_str().unwrap();
    assert!(
        challenge.starts_with("Bearer error=\"invalid_token\", error_description=\""),
        "{challenge}"
    );
}

async fn start(config: TargetConfig) -> DemoTarget {
    DemoTarget::start("127.0.0.1:0".parse().unwrap(), config)
        .await
        .unwrap()
}

#[tokio::test]
async fn every_route_with_exact_stats() {
    let target = start(TargetConfig::default()).await;
    assert!(target.base_url().starts_with("http://127.0.0.1:"));
    let mut p = Probe::new(&target, false);

    let health = p.get("/api/health", &[]).await;
    assert_eq!(
        (health.status, health.json()),
        (StatusCode::OK, json!({"status": "ok"}))
    );

    // Login: good, wrong password, unknown user, malformed body, numbered users.
    let token = p.login("testuser", json!({})).await;
    let wrong = json!({"username": "testuser", "password": "nope"});
    assert_eq!(
        p.post_json("/api/auth/login", &[], wrong).await.status,
        StatusCode::UNAUTHORIZED
    );
    let unknown = json!({"username": "user1001", "password": "password123"});
    assert_eq!(
        p.post_json("/api/auth/login", &[], unknown).await.status,
        StatusCode::UNAUTHORIZED
    );
    let garbage = p
        .send(Method::POST, "/api/auth/login", &[], "{not json")
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
    let huge = p
        .send(Method::POST, "/api/auth/login", &[], &"x".repeat(70_000))
        .await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let user1000 = p.login("user1000", json!({})).await;

    // Bearer routes.
    let auth = bearer(&token);
    let me = p.get("/api/users/me", &[("authorization", &auth)]).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["username"], "testuser");
    assert!(me.json()["id"].is_u64() && me.json()["email"].is_string());
    let orders = p.get("/api/orders", &[("authorization", &auth)]).await;
    assert_eq!(orders.status, StatusCode::OK);
    assert!(!orders.json().as_array().unwrap().is_empty());
    let again = p
        .get("/api/orders?page=1", &[("authorization", &auth)])
        .await;
    assert_eq!(orders.body, again.body, "orders are deterministic");
    let other_orders = p
        .get("/api/orders", &[("authorization", &bearer(&user1000))])
        .await;
    assert_ne!(orders.body, other_orders.body);

    assert_token_401(&p.get("/api/users/me", &[]).await, "missing");
    assert_token_401(
        &p.get("/api/orders", &[("authorization", "Bearer abc")])
            .await,
        "malformed",
    );
    assert_token_401(
        &p.get("/api/users/me", &[("authorization", "Basic dXNlcg==")])
            .await,
        "malformed",
    );
    let forged = tamper(&token);
    assert_token_401(
        &p.get("/api/users/me", &[("authorization", &bearer(&forged))])
            .await,
        "bad_signature",
    );
    let expired = p.login("user1", json!({"expires_in": 0})).await;
    let expired_auth = bearer(&expired);
    assert_token_401(
        &p.get("/api/users/me", &[("authorization", &expired_auth)])
            .await,
        "expired",
    );
    assert_token_401(
        &p.get("/api/orders", &[("authorization", &expired_auth)])
            .await,
        "expired",
    );

    // Introspection: form and JSON, active and not, and no token at all.
    let form = [("content-type", "application/x-www-form-urlencoded")];
    let active = p
        .send(
            Method::POST,
            "/api/auth/introspect",
            &form,
            &format!("token={token}"),
        )
        .await;
    assert_eq!(active.status, StatusCode::OK);
    let claims = active.json();
    assert_eq!(claims["active"], true);
    assert_eq!(claims["sub"], "testuser");
    assert_eq!(claims["iss"], "horde-demo-target");
    assert_eq!(claims["token_type"], "Bearer");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        300
    );
    assert_eq!(claims["jti"].as_str().unwrap().len(), 32);
    let by_json = p
        .post_json("/api/auth/introspect", &[], json!({"token": token}))
        .await;
    assert_eq!(by_json.json()["active"], true);
    for dead in [expired.as_str(), forged.as_str(), "garbage"] {
        let reply = p
            .post_json("/api/auth/introspect", &[], json!({"token": dead}))
            .await;
        assert_eq!(
            (reply.status, reply.json()),
            (StatusCode::OK, json!({"active": false}))
        );
    }
    let missing = p
        .send(Method::POST, "/api/auth/introspect", &form, "nottoken=1")
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);

    // Logout revokes; a revoked token is refused everywhere and cannot log out again.
    assert_eq!(
        p.post_json("/api/auth/logout", &[("authorization", &auth)], json!({}))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_token_401(
        &p.get("/api/users/me", &[("authorization", &auth)]).await,
        "revoked",
    );
    let revoked = p
        .post_json("/api/auth/introspect", &[], json!({"token": token}))
        .await;
    assert_eq!(revoked.json(), json!({"active": false}));
    assert_token_401(
        &p.post_json("/api/auth/logout", &[("authorization", &auth)], json!({}))
            .await,
        "revoked",
    );
    assert_token_401(
        &p.post_json("/api/auth/logout", &[], json!({})).await,
        "missing",
    );
    let still = p
        .get("/api/users/me", &[("authorization", &bearer(&user1000))])
        .await;
    assert_eq!(still.status, StatusCode::OK, "other tokens stay valid");

    // Session cookies: JSON and form login, me, logout, and the 401s.
    let session = p
        .post_json(
            "/api/session/login",
            &[],
            json!({"username": "user5", "password": "password123"}),
        )
        .await;
    assert_eq!(session.status, StatusCode::OK);
    let set_cookie = session.headers[SET_COOKIE].to_str().unwrap().to_owned();
    let session_id = session.json()["session_id"].as_str().unwrap().to_owned();
    assert_eq!(
        set_cookie,
        format!("session={session_id}; Path=/; HttpOnly")
    );
    let cookie = format!("theme=dark; session={session_id}");
    let me = p.get("/api/session/me", &[("cookie", &cookie)]).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        me.json(),
        json!({"username": "user5", "session_id": session_id})
    );
    assert_eq!(
        p.get("/api/session/me", &[]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let by_form = p
        .send(
            Method::POST,
            "/api/session/login",
            &form,
            "username=testuser&password=password123",
        )
        .await;
    assert_eq!(by_form.status, StatusCode::OK);
    let bad_form = p
        .send(
            Method::POST,
            "/api/session/login",
            &form,
            "username=testuser&password=x",
        )
        .await;
    assert_eq!(bad_form.status, StatusCode::UNAUTHORIZED);
    for bad_json in ["[]", r#"{"username":"user5"}"#] {
        let reply = p
            .send(Method::POST, "/api/session/login", &[], bad_json)
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad_json}");
    }
    let logout = p
        .send(
            Method::POST,
            "/api/session/logout",
            &[(COOKIE.as_str(), &cookie)],
            "",
        )
        .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert!(
        logout.headers[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    assert_eq!(
        p.get("/api/session/me", &[("cookie", &cookie)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        p.send(
            Method::POST,
            "/api/session/logout",
            &[("cookie", &cookie)],
            ""
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );

    // Unknown paths and wrong methods count as OTHER, whatever the path.
    assert_eq!(p.get("/nope", &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        p.get("/api/users/someone-else", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let wrong_method = p.send(Method::DELETE, "/api/orders", &[], "").await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.headers["allow"], "GET");
    assert_eq!(
        p.get("/api/auth/login", &[]).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );

    // The stats, over HTTP and in process, are exactly what was sent.
    let expected = p.expected_stats();
    assert!(
        expected.routes.len() >= 10,
        "every route exercised: {expected:?}"
    );
    assert_eq!(
        expected.routes["OTHER"],
        BTreeMap::from([(404, 2), (405, 2)])
    );
    let stats = p.get("/__stats", &[]).await;
    let served: TargetStats = serde_json::from_slice(&stats.body).unwrap();
    assert_eq!(
        served.connections.values().sum::<u64>(),
        1,
        "one pooled connection"
    );
    assert_eq!(routes_only(served), expected);
    assert_eq!(
        routes_only(target.stats()),
        expected,
        "/__stats is not counted"
    );

    let reset = p.send(Method::POST, "/__stats/reset", &[], "").await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    assert_eq!(target.stats(), TargetStats::default());
    p.get("/api/health", &[]).await;
    assert_eq!(target.stats().total, 1);

    target.stop().await;
}

#[tokio::test]
async fn lax_expiry_accepts_expired_tokens_but_introspection_does_not() {
    let target = start(TargetConfig {
        lax_expiry: true,
        ..TargetConfig::default()
    })
    .await;
    let mut p = Probe::new(&target, false);
    let expired = p.login("user2", json!({"expires_in": -30})).await;
    let auth = bearer(&expired);
    assert_eq!(
        p.get("/api/users/me", &[("authorization", &auth)])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        p.get("/api/orders", &[("authorization", &auth)])
            .await
            .status,
        StatusCode::OK
    );
    let introspected = p
        .post_json("/api/auth/introspect", &[], json!({"token": expired}))
        .await;
    assert_eq!(introspected.json(), json!({"active": false}));
    // The signature is still checked.
    let forged = tamper(&expired);
    assert_token_401(
        &p.get("/api/users/me", &[("authorization", &bearer(&forged))])
            .await,
        "bad_signature",
    );
    assert_eq!(routes_only(target.stats()), p.expected_stats());
    target.stop().await;
}

#[tokio::test]
async fn serves_h2c() {
    let target = start(TargetConfig::default()).await;
    let mut p = Probe::new(&target, true);
    let token = p.login("testuser", json!({})).await;
    for _ in 0..10 {
        let me = p
            .get("/api/users/me", &[("authorization", &bearer(&token))])
            .await;
        assert_eq!(me.status, StatusCode::OK);
    }
    assert_eq!(routes_only(target.stats()), p.expected_stats());
    target.stop().await;
}

#[tokio::test]
async fn stop_releases_the_port() {
    let target = start(TargetConfig::default()).await;
    let addr = target.addr();
    let mut p = Probe::new(&target, false);
    p.get("/api/health", &[]).await;
    let begun = std::time::Instant::now();
    target.stop().await;
    assert!(begun.elapsed() < std::time::Duration::from_millis(1500));
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn stop_lets_in_flight_requests_finish_then_gives_up() {
    // every == pause: every response is held until the end of its 600 ms window.
    let short = Stall {
        every: std::time::Duration::from_millis(600),
        pause: std::time::Duration::from_millis(600),
    };
    let target = start(TargetConfig {
        stall: Some(short),
        ..TargetConfig::default()
    })
    .await;
    let mut p = Probe::new(&target, false);
    let in_flight = tokio::spawn(async move { p.get("/api/health", &[]).await.status });
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(target.stats().total, 1, "counted before the stall");
    target.stop().await;
    assert_eq!(in_flight.await.unwrap(), StatusCode::OK);

    // A response held for an hour is cut short once the grace period is over, over HTTP/1.1
    // (connection task) and h2c (stream tasks) alike.
    let stuck = Stall {
        every: std::time::Duration::from_secs(3600),
        pause: std::time::Duration::from_secs(3600),
    };
    for http2 in [false, true] {
        let target = start(TargetConfig {
            stall: Some(stuck),
            ..TargetConfig::default()
        })
        .await;
        let p = Probe::new(&target, http2);
        let client = p.client.clone();
        let uri = format!("{}/api/health", p.base);
        let in_flight = tokio::spawn(async move { client.get(uri.parse().unwrap()).await });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let begun = std::time::Instant::now();
        target.stop().await;
        let took = begun.elapsed();
        assert!(took >= std::time::Duration::from_millis(900), "{took:?}");
        assert!(took < std::time::Duration::from_secs(3), "{took:?}");
        let ended = tokio::time::timeout(std::time::Duration::from_secs(1), in_flight).await;
        assert!(
            ended.is_ok(),
            "http2={http2}: the stalled request ended with the target"
        );
    }
}
