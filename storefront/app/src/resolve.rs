//! Which store a host name is, remembered briefly by both storefront hosts.
//!
//! Every request names its store by the `Host` header, and on-demand TLS asks about names nobody
//! owns (scanners, typos, expired domains) far more often than about real stores. So each host
//! keeps a small in-memory [`DomainCache`] of what origin said about a domain: a known store for
//! [`DomainCache::ACTIVE_TTL_MS`], an unknown or suspended one for [`DomainCache::INACTIVE_TTL_MS`].
//! An unknown host is then answered with the 404 page, and Caddy's question with a refusal, without
//! a round trip to origin. Errors reaching origin are never remembered.
//!
//! Time is passed in (Unix milliseconds) because the two hosts read the clock differently:
//! `std::time::SystemTime` natively, `Date.now()` in the Worker.

use std::collections::HashMap;
use std::sync::Mutex;
use zelly_edge::host::normalize_host;
use zelly_edge::origin::StorefrontOrigin;
use zelly_edge::DomainName;

/// What origin last said about a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainStatus {
    /// An active store.
    Active,
    /// A store that is suspended.
    Suspended,
    /// No store.
    Unknown,
    /// Not an active store, as `validate_tenant_domain` says: unknown or suspended, it does not
    /// say which. Enough to refuse a certificate; a page request still asks origin, to tell the
    /// shopper which of the two it is.
    Refused,
}

/// A small map from domains to values that expire, bounded in size: past [`TtlMap::max`] entries,
/// expired ones are dropped, and if that is not enough, everything (a flood of random names must
/// not grow memory). Both the domain cache and the Worker's store versions are one.
#[derive(Debug)]
pub struct TtlMap<V> {
    entries: Mutex<HashMap<DomainName, (V, i64)>>,
    max: usize,
}

impl<V: Copy> TtlMap<V> {
    /// An empty map holding at most `max` domains.
    pub fn new(max: usize) -> Self {
        Self { entries: Mutex::new(HashMap::new()), max }
    }

    /// The most domains it holds.
    pub fn max(&self) -> usize {
        self.max
    }

    /// How many domains it holds now, expired or not.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value for `domain` at `now_ms`, unless it has expired.
    pub fn get(&self, domain: &DomainName, now_ms: i64) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.get(domain).filter(|(_, expires)| *expires > now_ms).map(|(value, _)| *value)
    }

    /// Keeps `value` for `domain` until `expires_ms`.
    pub fn put(&self, domain: &DomainName, value: V, expires_ms: i64, now_ms: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= self.max && !entries.contains_key(domain) {
            entries.retain(|_, (_, expires)| *expires > now_ms);
            if entries.len() >= self.max {
                entries.clear();
            }
        }
        entries.insert(domain.clone(), (value, expires_ms));
    }
}

/// Recent answers about domains, each kept until it expires.
#[derive(Debug)]
pub struct DomainCache {
    entries: TtlMap<DomainStatus>,
}

impl Default for DomainCache {
    fn default() -> Self {
        Self { entries: TtlMap::new(Self::MAX_ENTRIES) }
    }
}

impl DomainCache {
    /// How long a known store is remembered: a newly suspended store keeps its certificate answer
    /// at most this long.
    pub const ACTIVE_TTL_MS: i64 = 60_000;
    /// How long an unknown or suspended domain is remembered: a newly added domain works after at
    /// most this long.
    pub const INACTIVE_TTL_MS: i64 = 30_000;
    /// At most this many domains are remembered (see [`TtlMap`]).
    pub const MAX_ENTRIES: usize = 10_000;

    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// What is remembered about `domain` at `now_ms`, if it has not expired.
    pub fn get(&self, domain: &DomainName, now_ms: i64) -> Option<DomainStatus> {
        self.entries.get(domain, now_ms)
    }

    /// Remembers what origin said about `domain` at `now_ms`.
    pub fn put(&self, domain: &DomainName, status: DomainStatus, now_ms: i64) {
        let ttl = if status == DomainStatus::Active { Self::ACTIVE_TTL_MS } else { Self::INACTIVE_TTL_MS };
        self.entries.put(domain, status, now_ms + ttl, now_ms);
    }
}

/// Caddy's on-demand TLS question for `?domain=`: the HTTP status to answer. 200 only for a
/// well-formed name of an active store; 400 for a missing, malformed or IP-address name; 404 for
/// unknown and suspended stores; 503 when origin cannot say (never a certificate by mistake).
pub async fn allow_cert<O: StorefrontOrigin>(origin: &O, cache: &DomainCache, raw: Option<&str>, now_ms: i64) -> u16 {
    let Some(Ok(domain)) = raw.map(normalize_host) else {
        return 400;
    };
    match cache.get(&domain, now_ms) {
        Some(DomainStatus::Active) => return 200,
        Some(DomainStatus::Suspended | DomainStatus::Unknown | DomainStatus::Refused) => return 404,
        None => {}
    }
    match origin.validate_domain(&domain).await {
        Ok(true) => {
            cache.put(&domain, DomainStatus::Active, now_ms);
            200
        }
        Ok(false) => {
            // Origin's answer covers unknown and suspended alike; either way, no certificate.
            cache.put(&domain, DomainStatus::Refused, now_ms);
            404
        }
        Err(_) => 503,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn domain(name: &str) -> DomainName {
        DomainName::parse(name).unwrap()
    }

    #[test]
    fn answers_expire_known_stores_later_than_unknown_ones() {
        let cache = DomainCache::new();
        cache.put(&domain("shop.example"), DomainStatus::Active, 1_000);
        cache.put(&domain("nope.example"), DomainStatus::Unknown, 1_000);
        assert_eq!(cache.get(&domain("shop.example"), 1_000 + 59_000), Some(DomainStatus::Active));
        assert_eq!(cache.get(&domain("nope.example"), 1_000 + 29_000), Some(DomainStatus::Unknown));
        assert_eq!(cache.get(&domain("nope.example"), 1_000 + 30_000), None);
        assert_eq!(cache.get(&domain("shop.example"), 1_000 + 60_000), None);
    }

    #[test]
    fn a_flood_of_names_never_grows_past_the_limit() {
        let cache = DomainCache::new();
        for i in 0..(DomainCache::MAX_ENTRIES + 50) {
            cache.put(&domain(&format!("x{i}.example")), DomainStatus::Unknown, 0);
        }
        assert!(cache.entries.len() <= DomainCache::MAX_ENTRIES);
        assert_eq!(cache.get(&domain(&format!("x{}.example", DomainCache::MAX_ENTRIES + 49)), 1), Some(DomainStatus::Unknown));
    }

    #[test]
    fn a_ttl_map_forgets_expired_values_and_never_outgrows_its_bound() {
        let map = TtlMap::new(2);
        let name = |n: &str| DomainName::parse(n).unwrap();
        map.put(&name("a.example"), 1, 100, 0);
        map.put(&name("b.example"), 2, 50, 0);
        assert_eq!(map.get(&name("a.example"), 99), Some(1));
        assert_eq!(map.get(&name("b.example"), 50), None, "expired at its time");
        // Full: the expired entry makes room for a third name.
        map.put(&name("c.example"), 3, 200, 60);
        assert_eq!((map.get(&name("a.example"), 61), map.get(&name("c.example"), 61)), (Some(1), Some(3)));
        // Full of live entries: everything goes rather than growing.
        map.put(&name("d.example"), 4, 300, 70);
        assert_eq!((map.get(&name("a.example"), 71), map.get(&name("d.example"), 71)), (None, Some(4)));
    }
}
