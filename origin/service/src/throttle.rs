//! Wrong-password throttling, in memory: per client address and per account key (a shopper's
//! (store, email), a staff member's email), counted in a sliding window. A key's count is kept
//! whether or not such an account exists, so the throttle answers the same for both. A good
//! sign-in or a password reset clears the key's count; a lock in the database (such as
//! `CustomerStore::record_failed_sign_in`) makes the same limit hold across restarts and
//! instances.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;

/// How long a failure counts.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Wrong passwords for one email within the window before sign-in to it is refused.
pub const PER_ACCOUNT: usize = 10;
/// Wrong passwords from one address within the window before its sign-ins are refused.
pub const PER_ADDRESS: usize = 50;
/// Most keys remembered; past that the oldest windows are dropped first.
const MAX_KEYS: usize = 100_000;

/// The failure counts, by account key `K` and by address.
#[derive(Debug)]
pub struct Throttle<K> {
    accounts: Mutex<HashMap<K, VecDeque<i64>>>,
    addresses: Mutex<HashMap<IpAddr, VecDeque<i64>>>,
}

impl<K> Default for Throttle<K> {
    fn default() -> Self {
        Self { accounts: Mutex::new(HashMap::new()), addresses: Mutex::new(HashMap::new()) }
    }
}

fn live(failures: &mut VecDeque<i64>, now_ms: i64) -> usize {
    while failures.front().is_some_and(|&t| t <= now_ms - WINDOW_MS) {
        failures.pop_front();
    }
    failures.len()
}

fn bounded<K: Hash + Eq>(map: &mut HashMap<K, VecDeque<i64>>, now_ms: i64) {
    if map.len() >= MAX_KEYS {
        map.retain(|_, failures| live(failures, now_ms) > 0);
    }
}

impl<K: Hash + Eq> Throttle<K> {
    /// Whether sign-in to the account `key` from `address` is refused now.
    pub fn refused(&self, key: &K, address: Option<IpAddr>, now_ms: i64) -> bool {
        let by_account =
            self.accounts.lock().map(|mut m| m.get_mut(key).map_or(0, |f| live(f, now_ms)) >= PER_ACCOUNT).unwrap_or(false);
        let by_address = address.is_some_and(|ip| {
            self.addresses.lock().map(|mut m| m.get_mut(&ip).map_or(0, |f| live(f, now_ms)) >= PER_ADDRESS).unwrap_or(false)
        });
        by_account || by_address
    }

    /// Counts a wrong password.
    pub fn failed(&self, key: K, address: Option<IpAddr>, now_ms: i64) {
        if let Ok(mut accounts) = self.accounts.lock() {
            bounded(&mut accounts, now_ms);
            accounts.entry(key).or_default().push_back(now_ms);
        }
        if let (Some(ip), Ok(mut addresses)) = (address, self.addresses.lock()) {
            bounded(&mut addresses, now_ms);
            addresses.entry(ip).or_default().push_back(now_ms);
        }
    }

    /// Forgets an account's failures (a good sign-in, a reset).
    pub fn cleared(&self, key: &K) {
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn ten_failures_refuse_an_email_until_the_window_passes_or_it_is_cleared() {
        let throttle = Throttle::default();
        let key = |store: u8, email: &str| (store, email.to_owned());
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for n in 0..PER_ACCOUNT {
            assert!(!throttle.refused(&key(1, "a@example.com"), Some(ip), 1_000), "refused after {n}");
            throttle.failed(key(1, "a@example.com"), Some(ip), 1_000);
        }
        assert!(throttle.refused(&key(1, "a@example.com"), None, 1_000));
        assert!(!throttle.refused(&key(1, "b@example.com"), None, 1_000), "another email is not");
        assert!(!throttle.refused(&key(2, "a@example.com"), None, 1_000), "nor the same email at another store");
        assert!(!throttle.refused(&key(1, "a@example.com"), None, 1_000 + WINDOW_MS), "the window passed");
        throttle.cleared(&key(1, "a@example.com"));
        assert!(!throttle.refused(&key(1, "a@example.com"), None, 1_000));
    }

    #[test]
    fn fifty_failures_refuse_an_address_whatever_the_email() {
        let throttle = Throttle::default();
        let ip: IpAddr = "203.0.113.8".parse().unwrap();
        for n in 0..PER_ADDRESS {
            throttle.failed(format!("{n}@example.com"), Some(ip), 5);
        }
        assert!(throttle.refused(&"new@example.com".to_owned(), Some(ip), 5));
        assert!(!throttle.refused(&"new@example.com".to_owned(), Some("203.0.113.9".parse().unwrap()), 5));
    }
}
