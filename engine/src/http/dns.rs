//! Name resolution shared by every VU of a run: each host resolved once (again after
//! [`RESOLVE_EVERY`]), `--resolve` overrides first, and each VU's share of a name's addresses.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::RwLock;

use super::options::ResolveOverride;
use super::outcome::SendError;

/// How long a resolved name is used before it is resolved again. The system resolver
/// (`getaddrinfo`) does not say how long its answer is valid, so a fixed 60 s stands in for
/// the record's TTL: a DNS change (a fail-over, a blue/green switch) reaches a run within a
/// minute, and a run does not ask the resolver once per connection.
pub(super) const RESOLVE_EVERY: Duration = Duration::from_secs(60);

/// A name's addresses and when they were looked up.
struct Answer {
    addrs: Arc<[IpAddr]>,
    at: Instant,
}

/// One host's answer, behind its own async lock so that VUs connecting to it at once wait
/// for one lookup instead of each making its own.
type Slot = Arc<tokio::sync::Mutex<Option<Answer>>>;

/// The run's resolver. It is only asked when a VU opens a connection, never for a request on
/// a connection the VU keeps, so its lock is off the hot path.
pub(super) struct Resolver {
    overrides: Vec<ResolveOverride>,
    cache: RwLock<HashMap<String, Slot>>,
    /// Lookups made so far (the tests check that a name is looked up once).
    lookups: AtomicUsize,
}

impl Resolver {
    pub(super) fn new(overrides: Vec<ResolveOverride>) -> Self {
        Self {
            overrides,
            cache: RwLock::new(HashMap::new()),
            lookups: AtomicUsize::new(0),
        }
    }

    /// The addresses to try for `host:port`, VU `spread`'s share first: with several
    /// addresses, VU n starts at address n modulo their count (and falls back on the next
    /// ones when that one refuses), so VUs spread over every address a name has. `host` is
    /// a name or an address, without brackets.
    pub(super) async fn resolve(
        &self,
        host: &str,
        port: u16,
        spread: usize,
    ) -> Result<Vec<SocketAddr>, SendError> {
        if let Some(fixed) = self
            .overrides
            .iter()
            .find(|o| o.port == port && o.host.eq_ignore_ascii_case(host))
        {
            return Ok(vec![fixed.socket_addr()]);
        }
        if let Ok(addr) = host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(addr, port)]);
        }
        let addrs = self.lookup(host, port).await?;
        let start = spread % addrs.len();
        Ok((0..addrs.len())
            .map(|k| SocketAddr::new(addrs[(start + k) % addrs.len()], port))
            .collect())
    }

    /// The cached answer for `host`, looked up when there is none or it is older than
    /// [`RESOLVE_EVERY`]. A failed lookup is not cached: the next connection asks again.
    async fn lookup(&self, host: &str, port: u16) -> Result<Arc<[IpAddr]>, SendError> {
        let key = host.to_ascii_lowercase();
        let found = self.cache.read().get(&key).cloned();
        let slot = match found {
            Some(slot) => slot,
            None => self.cache.write().entry(key).or_default().clone(),
        };
        let mut answer = slot.lock().await;
        if let Some(answer) = &*answer
            && answer.at.elapsed() < RESOLVE_EVERY
        {
            return Ok(answer.addrs.clone());
        }
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let looked_up = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| SendError::Connect(format!("cannot resolve {host}: {e}")))?;
        let mut addrs: Vec<IpAddr> = Vec::new();
        for addr in looked_up {
            if !addrs.contains(&addr.ip()) {
                addrs.push(addr.ip());
            }
        }
        if addrs.is_empty() {
            return Err(SendError::Connect(format!(
                "cannot resolve {host}: no address"
            )));
        }
        let addrs: Arc<[IpAddr]> = addrs.into();
        *answer = Some(Answer {
            addrs: addrs.clone(),
            at: Instant::now(),
        });
        Ok(addrs)
    }

    /// How many names the cache holds (for the tests).
    #[cfg(test)]
    fn cached(&self) -> usize {
        self.cache.read().len()
    }

    #[cfg(test)]
    fn lookups(&self) -> usize {
        self.lookups.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn overrides_come_first_and_addresses_are_not_looked_up() {
        let resolver = Resolver::new(vec![ResolveOverride {
            host: "api.example.test".into(),
            port: 443,
            addr: "127.0.0.9".parse().unwrap(),
        }]);
        let fixed = resolver.resolve("API.example.test", 443, 3).await.unwrap();
        assert_eq!(fixed, vec!["127.0.0.9:443".parse().unwrap()]);
        // Another port of the same name is not overridden (as curl's --resolve).
        let other = resolver.resolve("api.example.test", 80, 0).await;
        assert!(matches!(other, Err(SendError::Connect(why)) if why.contains("cannot resolve")));
        let v6 = resolver.resolve("::1", 8080, 0).await.unwrap();
        assert_eq!(v6, vec!["[::1]:8080".parse().unwrap()]);
        assert_eq!(resolver.cached(), 1, "only the failed name has a slot");
    }

    #[tokio::test]
    async fn a_name_is_resolved_once_and_vus_start_at_their_share() {
        let resolver = Arc::new(Resolver::new(Vec::new()));
        // VUs connecting at once wait for one lookup.
        let together: Vec<_> = (0..8)
            .map(|vu| {
                let resolver = resolver.clone();
                tokio::spawn(async move { resolver.resolve("localhost", 80, vu).await })
            })
            .collect();
        for vu in together {
            vu.await.unwrap().unwrap();
        }
        assert_eq!(resolver.lookups(), 1);
        let first = resolver.resolve("localhost", 80, 0).await.unwrap();
        assert!(first.iter().all(|a| a.ip().is_loopback()), "{first:?}");
        // Every address once, in the same order whatever the VU, rotated to its share.
        for vu in 0..4 {
            let theirs = resolver.resolve("LOCALHOST", 80, vu).await.unwrap();
            assert_eq!(theirs.len(), first.len());
            assert_eq!(theirs[0], first[vu % first.len()]);
        }
        assert_eq!((resolver.cached(), resolver.lookups()), (1, 1));
    }
}
