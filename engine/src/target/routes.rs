//! Routing and handlers of the demo target: the auth API, its stats endpoints, and the one place
//! where every request is counted.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{
    ALLOW, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HeaderValue, SET_COOKIE,
    WWW_AUTHENTICATE,
};
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::accounts::Accounts;
use super::counters::{Counters, Route};
use super::jwt::{Claims, JwtError, JwtKey, now_secs};
use super::sessions::{Revocations, Sessions};
use super::{Stall, TargetConfig};

type Resp = Response<Full<Bytes>>;

/// Request bodies are tiny JSON or form documents; anything bigger is refused with 413.
const MAX_BODY: usize = 64 * 1024;

const SESSION_COOKIE: &str = "session";

/// The target's shared state. The request path takes no global lock: counters are atomics,
/// sessions sharded, and the revocation set is locked only once something has been revoked.
pub struct App {
    key: JwtKey,
    token_ttl_secs: i64,
    lax_expiry: bool,
    accounts: Accounts,
    sessions: Sessions,
    revoked: Revocations,
    pub counters: Counters,
    stall: Option<(Stall, Instant)>,
    /// Cancelled when the target gives up on in-flight requests; ends stalls early, which
    /// matters for HTTP/2, whose streams run as tasks of their own.
    abort: CancellationToken,
}

impl App {
    pub fn new(config: &TargetConfig, abort: CancellationToken) -> Self {
        App {
            key: JwtKey::random(),
            token_ttl_secs: i64::try_from(config.token_ttl.as_secs()).unwrap_or(i64::MAX),
            lax_expiry: config.lax_expiry,
            accounts: Accounts::with_users(&config.users),
            sessions: Sessions::default(),
            revoked: Revocations::new(config.lax_expiry),
            counters: Counters::default(),
            stall: config.stall.map(|s| (s, Instant::now())),
            abort,
        }
    }

    /// Serves one request. Counting happens here, once the status is known and before any
    /// stall, so a client that gives up during a stall is still counted exactly once.
    pub async fn handle(&self, req: Request<Incoming>) -> Resp {
        match (req.method(), req.uri().path()) {
            (&Method::GET, "/__stats") => return json(StatusCode::OK, &self.counters.snapshot()),
            (&Method::POST, "/__stats/reset") => {
                self.counters.reset();
                return no_content();
            }
            _ => {}
        }
        let version = req.version();
        let seen = super::counters::headers_seen(req.headers());
        let (route, resp) = match Route::find(req.method(), req.uri().path()) {
            Ok(route) => (route, self.dispatch(route, req).await),
            Err(Some(allowed)) => (Route::Other, method_not_allowed(&allowed)),
            Err(None) => (
                Route::Other,
                error(StatusCode::NOT_FOUND, "not_found", "no such route"),
            ),
        };
        self.counters.record(route, resp.status());
        self.counters.record_version(version);
        self.counters.record_headers(route, seen);
        if let Some((stall, started)) = &self.stall {
            let delay = stall.delay_at(started.elapsed());
            if !delay.is_zero() {
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = self.abort.cancelled() => {}
                }
            }
        }
        resp
    }

    async fn dispatch(&self, route: Route, req: Request<Incoming>) -> Resp {
        match route {
            Route::Health => Response::builder()
                .status(StatusCode::OK)
                .header(CONTENT_TYPE, JSON)
                .header(CONTENT_LENGTH, HEALTH_BODY.len())
                .body(Full::new(Bytes::from_static(HEALTH_BODY)))
                .expect("static response"),
            Route::Login => self.login(req).await,
            Route::UsersMe => self.users_me(req.headers()),
            Route::Orders => self.orders(req.headers()),
            Route::Introspect => self.introspect(req).await,
            Route::Logout => self.logout(req.headers()),
            Route::SessionLogin => self.session_login(req).await,
            Route::SessionMe => self.session_me(req.headers()),
            Route::SessionLogout => self.session_logout(req.headers()),
            Route::Other => unreachable!("Route::find never selects Other"),
        }
    }

    async fn login(&self, req: Request<Incoming>) -> Resp {
        let creds: Credentials = match read_body(req).await.and_then(|b| parse_body(&b)) {
            Ok(creds) => creds,
            Err(bad) => return bad.response(),
        };
        let Some(account) = self.accounts.authenticate(&creds.username, &creds.password) else {
            return bad_credentials();
        };
        let ttl = creds.expires_in.unwrap_or(self.token_ttl_secs);
        let claims = Claims::new(account.username, now_secs(), ttl);
        json(
            StatusCode::OK,
            &TokenResponse {
                access_token: self.key.sign(&claims),
                token_type: "Bearer",
                expires_in: claims.exp - claims.iat,
            },
        )
    }

    fn users_me(&self, headers: &HeaderMap) -> Resp {
        let claims = match self.bearer(headers, !self.lax_expiry) {
            Ok(claims) => claims,
            Err(problem) => return problem.response(),
        };
        let Some(account) = self.accounts.find(&claims.sub) else {
            // Only reachable if the account store changed under a live token.
            return TokenProblem::UnknownUser.response();
        };
        json(
            StatusCode::OK,
            &Me {
                username: account.username,
                id: account.id,
                email: account.email(),
            },
        )
    }

    fn orders(&self, headers: &HeaderMap) -> Resp {
        match self.bearer(headers, !self.lax_expiry) {
            Ok(claims) => json(StatusCode::OK, &orders_of(&claims.sub)),
            Err(problem) => problem.response(),
        }
    }

    /// RFC 7662. Unlike the resource routes this always checks expiry, even in lax mode: a
    /// scenario that introspects catches the token the lax gateway wrongly accepted.
    async fn introspect(&self, req: Request<Incoming>) -> Resp {
        let form = is_form(req.headers());
        let body = match read_body(req).await {
            Ok(body) => body,
            Err(bad) => return bad.response(),
        };
        let token = if form || body.first() != Some(&b'{') {
            url::form_urlencoded::parse(&body)
                .find(|(k, _)| k == "token")
                .map(|(_, v)| v.into_owned())
        } else {
            serde_json::from_slice::<TokenParam>(&body)
                .ok()
                .map(|p| p.token)
        };
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "missing token parameter",
            );
        };
        match self.check(&token, true) {
            Ok(claims) => json(StatusCode::OK, &Introspection::active(claims)),
            Err(_) => json(StatusCode::OK, &Introspection::inactive()),
        }
    }

    fn logout(&self, headers: &HeaderMap) -> Resp {
        let claims = match self.bearer(headers, true) {
            Ok(claims) => claims,
            Err(problem) => return problem.response(),
        };
        let jti = claims.jti_key().expect("checked by bearer()");
        self.revoked.revoke(jti, claims.exp, now_secs());
        no_content()
    }

    async fn session_login(&self, req: Request<Incoming>) -> Resp {
        let form = is_form(req.headers());
        let body = match read_body(req).await {
            Ok(body) => body,
            Err(bad) => return bad.response(),
        };
        let creds = if form {
            let mut creds = Credentials::default();
            for (k, v) in url::form_urlencoded::parse(&body) {
                match &*k {
                    "username" => creds.username = v.into_owned(),
                    "password" => creds.password = v.into_owned(),
                    _ => {}
                }
            }
            creds
        } else {
            match parse_body::<Credentials>(&body) {
                Ok(creds) => creds,
                Err(bad) => return bad.response(),
            }
        };
        let Some(account) = self.accounts.authenticate(&creds.username, &creds.password) else {
            return bad_credentials();
        };
        let session_id = self.sessions.create(account.username);
        let cookie = format!("{SESSION_COOKIE}={session_id}; Path=/; HttpOnly");
        let mut resp = json(StatusCode::OK, &SessionCreated { session_id });
        resp.headers_mut().insert(
            SET_COOKIE,
            HeaderValue::from_str(&cookie).expect("hex cookie"),
        );
        resp
    }

    fn session_me(&self, headers: &HeaderMap) -> Resp {
        let Some(session_id) = session_cookie(headers) else {
            return session_problem("no session cookie");
        };
        match self.sessions.get(session_id) {
            Some(username) => json(
                StatusCode::OK,
                &SessionMe {
                    username: &username,
                    session_id,
                },
            ),
            None => session_problem("unknown or ended session"),
        }
    }

    fn session_logout(&self, headers: &HeaderMap) -> Resp {
        let Some(session_id) = session_cookie(headers) else {
            return session_problem("no session cookie");
        };
        if !self.sessions.remove(session_id) {
            return session_problem("unknown or ended session");
        }
        let mut resp = no_content();
        resp.headers_mut().insert(
            SET_COOKIE,
            HeaderValue::from_static("session=; Path=/; HttpOnly; Max-Age=0"),
        );
        resp
    }

    /// The claims of the request's bearer token, if it is acceptable.
    fn bearer(&self, headers: &HeaderMap, check_expiry: bool) -> Result<Claims, TokenProblem> {
        let value = headers.get(AUTHORIZATION).ok_or(TokenProblem::Missing)?;
        let value = value.to_str().map_err(|_| {
            TokenProblem::Jwt(JwtError::Malformed("authorization header is not ASCII"))
        })?;
        let token = match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => return Err(TokenProblem::NotBearer),
        };
        self.check(token, check_expiry)
    }

    fn check(&self, token: &str, check_expiry: bool) -> Result<Claims, TokenProblem> {
        let claims = if check_expiry {
            self.key.verify(token, now_secs())
        } else {
            self.key.decode(token)
        }
        .map_err(TokenProblem::Jwt)?;
        let jti = claims
            .jti_key()
            .ok_or(TokenProblem::Jwt(JwtError::Malformed(
                "jti is not 128-bit hex",
            )))?;
        if self.revoked.is_revoked(jti) {
            return Err(TokenProblem::Revoked);
        }
        Ok(claims)
    }
}

/// Why a bearer token was refused: each becomes a 401 with its own reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenProblem {
    Missing,
    NotBearer,
    Jwt(JwtError),
    Revoked,
    UnknownUser,
}

impl TokenProblem {
    /// A stable word for tests and scenarios to match on.
    fn reason(self) -> &'static str {
        match self {
            TokenProblem::Missing => "missing",
            TokenProblem::NotBearer | TokenProblem::Jwt(JwtError::Malformed(_)) => "malformed",
            TokenProblem::Jwt(JwtError::BadSignature) => "bad_signature",
            TokenProblem::Jwt(JwtError::Expired) => "expired",
            TokenProblem::Revoked => "revoked",
            TokenProblem::UnknownUser => "unknown_user",
        }
    }

    fn description(self) -> String {
        match self {
            TokenProblem::Missing => "no bearer token".to_owned(),
            TokenProblem::NotBearer => "authorization scheme is not Bearer".to_owned(),
            TokenProblem::Jwt(e) => e.to_string(),
            TokenProblem::Revoked => "token has been revoked".to_owned(),
            TokenProblem::UnknownUser => "token subject is not a known user".to_owned(),
        }
    }

    /// RFC 6750 §3: a 401 for a bearer-protected resource carries the challenge.
    fn response(self) -> Resp {
        let description = self.description();
        let challenge = format!(
            "Bearer error=\"invalid_token\", error_description=\"{}\"",
            description.replace('"', "'")
        );
        let mut resp = json(
            StatusCode::UNAUTHORIZED,
            &ErrorBody {
                error: "invalid_token",
                error_description: &description,
                reason: Some(self.reason()),
            },
        );
        resp.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_str(&challenge).expect("ASCII challenge"),
        );
        resp
    }
}

const JSON: &str = "application/json";
const HEALTH_BODY: &[u8] = br#"{"status":"ok"}"#;

#[derive(Deserialize, Default)]
struct Credentials {
    username: String,
    password: String,
    /// Test aid: the lifetime of the token in seconds, overriding the configured TTL. Zero or
    /// negative mints a token that is already expired.
    #[serde(default)]
    expires_in: Option<i64>,
}

#[derive(Deserialize)]
struct TokenParam {
    token: String,
}

#[derive(Serialize)]
struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
}

#[derive(Serialize)]
struct Me<'a> {
    username: &'a str,
    id: u64,
    email: String,
}

#[derive(Serialize)]
struct Order {
    id: String,
    item: &'static str,
    quantity: u64,
    total_cents: u64,
}

#[derive(Serialize)]
struct Introspection {
    active: bool,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    claims: Option<Claims>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<&'static str>,
}

impl Introspection {
    fn active(claims: Claims) -> Self {
        Introspection {
            active: true,
            claims: Some(claims),
            token_type: Some("Bearer"),
        }
    }

    /// RFC 7662 §2.2: an inactive token reveals nothing else.
    fn inactive() -> Self {
        Introspection {
            active: false,
            claims: None,
            token_type: None,
        }
    }
}

#[derive(Serialize)]
struct SessionCreated {
    session_id: String,
}

#[derive(Serialize)]
struct SessionMe<'a> {
    username: &'a str,
    session_id: &'a str,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// A few orders per user, derived from the name so every run and every node agrees.
fn orders_of(username: &str) -> Vec<Order> {
    const ITEMS: [&str; 6] = ["keyboard", "monitor", "mouse", "headset", "webcam", "dock"];
    // FNV-1a: stable across Rust versions, unlike the std hasher.
    let seed = username.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (0..2 + seed % 3)
        .map(|k| {
            let bits = seed.rotate_right(k as u32 * 13);
            let quantity = 1 + bits % 4;
            Order {
                id: format!("ord-{:08x}-{k}", seed as u32),
                item: ITEMS[(bits >> 8) as usize % ITEMS.len()],
                quantity,
                total_cents: quantity * (999 + (bits >> 16) % 20_000),
            }
        })
        .collect()
}

/// A request body the handlers cannot use.
enum BadBody {
    TooLarge,
    Unreadable,
    NotJson(serde_json::Error),
}

impl BadBody {
    fn response(self) -> Resp {
        let (status, description) = match self {
            BadBody::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "request body is too large".to_owned(),
            ),
            BadBody::Unreadable => (
                StatusCode::BAD_REQUEST,
                "could not read request body".to_owned(),
            ),
            BadBody::NotJson(e) => (
                StatusCode::BAD_REQUEST,
                format!("body is not the expected JSON: {e}"),
            ),
        };
        error(status, "invalid_request", &description)
    }
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, BadBody> {
    match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(BadBody::TooLarge),
        Err(_) => Err(BadBody::Unreadable),
    }
}

fn parse_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, BadBody> {
    serde_json::from_slice(body).map_err(BadBody::NotJson)
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    // HTTP/2 may split cookies over several headers (RFC 9113 §8.2.3).
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
}

fn json<T: Serialize>(status: StatusCode, body: &T) -> Resp {
    let body = serde_json::to_vec(body).expect("response bodies serialize");
    Response::builder()
        .status(status)
        .header(CONTENT_TYPE, JSON)
        .header(CONTENT_LENGTH, body.len())
        .body(Full::new(Bytes::from(body)))
        .expect("valid response")
}

/// 204 carries no body and therefore no Content-Length (RFC 9110 §8.6).
fn no_content() -> Resp {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header(CONTENT_TYPE, JSON)
        .body(Full::new(Bytes::new()))
        .expect("valid response")
}

fn error(status: StatusCode, error: &str, description: &str) -> Resp {
    json(
        status,
        &ErrorBody {
            error,
            error_description: description,
            reason: None,
        },
    )
}

/// Wrong username or password. Not a bearer challenge, so no WWW-Authenticate.
fn bad_credentials() -> Resp {
    error(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "unknown user or wrong password",
    )
}

/// Cookie sessions have no standard challenge scheme, so these 401s carry only the JSON body.
fn session_problem(description: &str) -> Resp {
    error(StatusCode::UNAUTHORIZED, "invalid_session", description)
}

fn method_not_allowed(allowed: &Method) -> Resp {
    let mut resp = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "wrong method for this route",
    );
    resp.headers_mut().insert(
        ALLOW,
        HeaderValue::from_str(allowed.as_str()).expect("method names are header-safe"),
    );
    resp
}

/// Stall timing, kept apart from the sleep so it can be tested without a clock.
impl Stall {
    /// How long a response decided `elapsed` after start waits: the last `pause` of every
    /// `every` holds responses until the window closes.
    pub fn delay_at(&self, elapsed: Duration) -> Duration {
        let (every, pause) = (self.every.as_nanos(), self.pause.as_nanos());
        if every == 0 || pause == 0 {
            return Duration::ZERO;
        }
        let phase = elapsed.as_nanos() % every;
        let open = every.saturating_sub(pause);
        if phase < open {
            Duration::ZERO
        } else {
            Duration::from_nanos((every - phase) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_are_deterministic_and_small() {
        let a = serde_json::to_string(&orders_of("user1")).unwrap();
        assert_eq!(a, serde_json::to_string(&orders_of("user1")).unwrap());
        assert_ne!(a, serde_json::to_string(&orders_of("user2")).unwrap());
        assert!((2..=4).contains(&orders_of("testuser").len()));
    }

    #[test]
    fn stall_holds_the_last_pause_of_each_period() {
        let stall = Stall::default();
        assert_eq!(stall.delay_at(Duration::from_millis(0)), Duration::ZERO);
        assert_eq!(stall.delay_at(Duration::from_millis(3999)), Duration::ZERO);
        assert_eq!(
            stall.delay_at(Duration::from_millis(4000)),
            Duration::from_secs(1)
        );
        assert_eq!(
            stall.delay_at(Duration::from_millis(9750)),
            Duration::from_millis(250)
        );
        assert_eq!(
            stall.delay_at(Duration::from_millis(10_000)),
            Duration::ZERO
        );
    }

    #[test]
    fn session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; sessionx=2"));
        headers.append(COOKIE, HeaderValue::from_static("b=2; session=abc"));
        assert_eq!(session_cookie(&headers), Some("abc"));
    }
}
