//! Exact per-route, per-status request counters for the demo target, readable at `/__stats`.
//!
//! Tests and benchmarks compare these with what horde reports, so they must never drop or
//! double a request. A fixed table of atomics (one slot per route and per possible status code)
//! needs no lock and cannot grow, whatever paths a client invents.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};

/// What `GET /__stats` returns: requests served per `"METHOD /path"` (or `"OTHER"`) and status.
/// Only non-zero counts appear; `total` is their sum.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Default)]
pub struct TargetStats {
    pub total: u64,
    pub routes: BTreeMap<String, BTreeMap<u16, u64>>,
    /// Requests per HTTP version ("HTTP/1.1", "HTTP/2"), so a test can tell which was spoken.
    #[serde(default)]
    pub versions: BTreeMap<String, u64>,
    /// Connections accepted per client address, so a test can tell where load came from.
    #[serde(default)]
    pub connections: BTreeMap<String, u64>,
    /// Requests per whole second since the target started (the first hour), so a test can
    /// tell the rate they arrived at, not only how many came.
    #[serde(default)]
    pub per_second: Vec<u64>,
    /// Per route, how many requests carried each header that decides how the API reads
    /// them ("content-type: application/json", "authorization: Bearer", ...), so a test can
    /// tell that two clients sent the same requests, not only to the same routes.
    #[serde(default)]
    pub headers: BTreeMap<String, BTreeMap<String, u64>>,
}

/// The headers [`TargetStats::headers`] counts, as it names them.
pub const HEADERS_SEEN: [&str; 4] = [
    "content-type: application/json",
    "content-type: application/x-www-form-urlencoded",
    "authorization: Bearer",
    "cookie: session",
];

/// Which of [`HEADERS_SEEN`] a request carried, one bit each.
pub fn headers_seen(headers: &http::HeaderMap) -> u8 {
    let value = |name: http::header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let content_type = value(http::header::CONTENT_TYPE);
    let flags = [
        content_type.starts_with("application/json"),
        content_type.starts_with("application/x-www-form-urlencoded"),
        value(http::header::AUTHORIZATION).starts_with("Bearer "),
        headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(';').any(|c| c.trim().starts_with("session="))),
    ];
    flags
        .iter()
        .enumerate()
        .fold(0, |bits, (i, &on)| bits | (u8::from(on) << i))
}

/// The routes the target counts separately; everything else is [`Route::Other`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Login,
    Introspect,
    Logout,
    UsersMe,
    Orders,
    Health,
    SessionLogin,
    SessionMe,
    SessionLogout,
    Other,
}

impl Route {
    const ALL: [Route; 10] = [
        Route::Login,
        Route::Introspect,
        Route::Logout,
        Route::UsersMe,
        Route::Orders,
        Route::Health,
        Route::SessionLogin,
        Route::SessionMe,
        Route::SessionLogout,
        Route::Other,
    ];

    /// The method and path that select this route (none for `Other`).
    pub fn method_path(self) -> Option<(Method, &'static str)> {
        Some(match self {
            Route::Login => (Method::POST, "/api/auth/login"),
            Route::Introspect => (Method::POST, "/api/auth/introspect"),
            Route::Logout => (Method::POST, "/api/auth/logout"),
            Route::UsersMe => (Method::GET, "/api/users/me"),
            Route::Orders => (Method::GET, "/api/orders"),
            Route::Health => (Method::GET, "/api/health"),
            Route::SessionLogin => (Method::POST, "/api/session/login"),
            Route::SessionMe => (Method::GET, "/api/session/me"),
            Route::SessionLogout => (Method::POST, "/api/session/logout"),
            Route::Other => return None,
        })
    }

    /// The key in [`TargetStats::routes`], e.g. `"GET /api/users/me"`.
    pub fn key(self) -> &'static str {
        match self {
            Route::Login => "POST /api/auth/login",
            Route::Introspect => "POST /api/auth/introspect",
            Route::Logout => "POST /api/auth/logout",
            Route::UsersMe => "GET /api/users/me",
            Route::Orders => "GET /api/orders",
            Route::Health => "GET /api/health",
            Route::SessionLogin => "POST /api/session/login",
            Route::SessionMe => "GET /api/session/me",
            Route::SessionLogout => "POST /api/session/logout",
            Route::Other => "OTHER",
        }
    }

    /// The route a request is counted under. Otherwise it counts as `Other`, and the error
    /// holds the method the path does allow (a 405 rather than a 404).
    pub fn find(method: &Method, path: &str) -> Result<Route, Option<Method>> {
        let mut allowed = None;
        for route in Route::ALL {
            if let Some((m, p)) = route.method_path()
                && p == path
            {
                if m == method {
                    return Ok(route);
                }
                allowed = Some(m);
            }
        }
        Err(allowed)
    }
}

/// `http::StatusCode` guarantees 100..=999, so one slot each covers every possible status.
const FIRST_STATUS: u16 = 100;
const STATUS_SLOTS: usize = 900;

/// The counter table: `Route::ALL.len() * STATUS_SLOTS` atomics (about 70 KiB). Routes sit
/// 7 KiB apart, so hot counters of different routes never share a cache line.
pub struct Counters {
    slots: Box<[AtomicU64]>,
    /// Requests per version, in the order of [`VERSIONS`].
    versions: [AtomicU64; 3],
    /// Connections per client address; taken once per connection, never per request.
    peers: parking_lot::Mutex<BTreeMap<std::net::IpAddr, u64>>,
    /// Requests per second since `started`, the last slot taking everything after an hour.
    per_second: Box<[AtomicU64]>,
    started: std::time::Instant,
    /// Per route, requests that carried each of [`HEADERS_SEEN`].
    headers: Box<[[AtomicU64; HEADERS_SEEN.len()]]>,
}

/// How many seconds `per_second` tells apart.
const SECONDS_COUNTED: usize = 3600;

/// The HTTP versions counted, as `/__stats` names them.
const VERSIONS: [(http::Version, &str); 3] = [
    (http::Version::HTTP_10, "HTTP/1.0"),
    (http::Version::HTTP_11, "HTTP/1.1"),
    (http::Version::HTTP_2, "HTTP/2"),
];

impl Default for Counters {
    fn default() -> Self {
        Counters {
            slots: (0..Route::ALL.len() * STATUS_SLOTS)
                .map(|_| AtomicU64::new(0))
                .collect(),
            versions: Default::default(),
            peers: Default::default(),
            per_second: (0..SECONDS_COUNTED).map(|_| AtomicU64::new(0)).collect(),
            started: std::time::Instant::now(),
            headers: (0..Route::ALL.len()).map(|_| Default::default()).collect(),
        }
    }
}

impl Counters {
    /// Counts one request; called exactly once, when its status is decided.
    pub fn record(&self, route: Route, status: StatusCode) {
        // Relaxed suffices: each slot is an independent tally, nothing is published through it.
        self.slots[Self::index(route, status.as_u16())].fetch_add(1, Ordering::Relaxed);
        let second = (self.started.elapsed().as_secs() as usize).min(SECONDS_COUNTED - 1);
        self.per_second[second].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts the headers of one request, `seen` as [`headers_seen`] gives them.
    pub fn record_headers(&self, route: Route, seen: u8) {
        for (i, slot) in self.headers[route as usize].iter().enumerate() {
            if seen & (1 << i) != 0 {
                slot.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Counts one accepted connection from `peer`.
    pub fn record_connection(&self, peer: std::net::IpAddr) {
        *self.peers.lock().entry(peer).or_default() += 1;
    }

    /// Counts the HTTP version of one request.
    pub fn record_version(&self, version: http::Version) {
        if let Some(i) = VERSIONS.iter().position(|(v, _)| *v == version) {
            self.versions[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn snapshot(&self) -> TargetStats {
        let mut stats = TargetStats {
            connections: self
                .peers
                .lock()
                .iter()
                .map(|(ip, n)| (ip.to_string(), *n))
                .collect(),
            ..TargetStats::default()
        };
        for (i, (_, name)) in VERSIONS.iter().enumerate() {
            let count = self.versions[i].load(Ordering::Relaxed);
            if count > 0 {
                stats.versions.insert((*name).to_owned(), count);
            }
        }
        let per_second: Vec<u64> = self
            .per_second
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .collect();
        let seen = per_second.iter().rposition(|&n| n > 0).map_or(0, |i| i + 1);
        stats.per_second = per_second[..seen].to_vec();
        for route in Route::ALL {
            let mut statuses = BTreeMap::new();
            for offset in 0..STATUS_SLOTS as u16 {
                let status = FIRST_STATUS + offset;
                let count = self.slots[Self::index(route, status)].load(Ordering::Relaxed);
                if count > 0 {
                    statuses.insert(status, count);
                    stats.total += count;
                }
            }
            if !statuses.is_empty() {
                stats.routes.insert(route.key().to_owned(), statuses);
            }
            let headers: BTreeMap<String, u64> = HEADERS_SEEN
                .iter()
                .zip(self.headers[route as usize].iter())
                .map(|(name, n)| ((*name).to_owned(), n.load(Ordering::Relaxed)))
                .filter(|(_, n)| *n > 0)
                .collect();
            if !headers.is_empty() {
                stats.headers.insert(route.key().to_owned(), headers);
            }
        }
        stats
    }

    /// Zeroes every slot. A request racing with the reset is counted before or after it,
    /// never lost or doubled, because each slot is swapped atomically.
    pub fn reset(&self) {
        for slot in self
            .slots
            .iter()
            .chain(self.versions.iter())
            .chain(self.per_second.iter())
            .chain(self.headers.iter().flatten())
        {
            slot.swap(0, Ordering::Relaxed);
        }
        self.peers.lock().clear();
    }

    fn index(route: Route, status: u16) -> usize {
        route as usize * STATUS_SLOTS + usize::from(status - FIRST_STATUS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_key_matches_its_method_and_path() {
        for route in Route::ALL {
            match route.method_path() {
                Some((m, p)) => {
                    assert_eq!(route.key(), format!("{m} {p}"));
                    assert_eq!(Route::find(&m, p), Ok(route));
                }
                None => assert_eq!(route.key(), "OTHER"),
            }
        }
        assert_eq!(Route::find(&Method::GET, "/nope"), Err(None));
        assert_eq!(
            Route::find(&Method::DELETE, "/api/orders"),
            Err(Some(Method::GET))
        );
    }

    #[test]
    fn counts_are_exact_and_reset() {
        let counters = Counters::default();
        counters.record(Route::UsersMe, StatusCode::OK);
        counters.record(Route::UsersMe, StatusCode::OK);
        counters.record(Route::UsersMe, StatusCode::UNAUTHORIZED);
        counters.record(Route::Other, StatusCode::from_u16(999).unwrap());
        let stats = counters.snapshot();
        assert_eq!(stats.total, 4);
        assert_eq!(
            stats.routes["GET /api/users/me"],
            BTreeMap::from([(200, 2), (401, 1)])
        );
        assert_eq!(stats.routes["OTHER"], BTreeMap::from([(999, 1)]));
        assert_eq!(stats.per_second.iter().sum::<u64>(), 4);
        let mut bearer = http::HeaderMap::new();
        bearer.insert(http::header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        bearer.insert(
            http::header::CONTENT_TYPE,
            "application/json".parse().unwrap(),
        );
        counters.record_headers(Route::UsersMe, headers_seen(&bearer));
        counters.record_headers(Route::UsersMe, headers_seen(&http::HeaderMap::new()));
        assert_eq!(
            counters.snapshot().headers["GET /api/users/me"],
            BTreeMap::from([
                ("authorization: Bearer".to_owned(), 1),
                ("content-type: application/json".to_owned(), 1)
            ])
        );
        counters.reset();
        assert_eq!(counters.snapshot(), TargetStats::default());
    }
}
