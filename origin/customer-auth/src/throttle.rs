//! Wrong-password throttling, in memory: per client address and per (store, email), counted in a
//! sliding window. An email's count is kept whether or not the store has such an account, so
//! the throttle answers the same for both. A good sign-in or a password reset clears the email's
//! count; the database's lock of a real account (see `CustomerStore::record_failed_sign_in`)
//! makes the same limit hold across restarts and instances.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use uuid::Uuid;

/// How long a failure counts.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Wrong passwords for one email within the window before sign-in to it is refused.
pub const PER_ACCOUNT: usize = 10;
/// Wrong passwords from one address within the window before its sign-ins are refused.
pub const PER_ADDRESS: usize = 50;
/// Most keys remembered; past that the oldest windows are dropped first.
const MAX_KEYS: usize = 100_000;

/// The failure counts.
#[derive(Debug, Default)]
pub struct Throttle {
    accounts: Mutex<HashMap<(Uuid, String), VecDeque<i64>>>,
    addresses: Mutex<HashMap<IpAddr, VecDeque<i64>>>,
}

fn live(failures: &mut VecDeque<i64>, now_ms: i64) -> usize {
    while failures.front().is_some_and(|&t| t <= now_ms - WINDOW_MS) {
        failures.pop_front();
    }
    failures.len()
}

fn bounded<K: std::hash::Hash + Eq + Clone>(map: &mut HashMap<K, VecDeque<i64>>, now_ms: i64) {
    if map.len() >= MAX_KEYS {
        map.retain(|_, failures| live(failures, now_ms) > 0);
    }
}

impl Throttle {
    /// Whether sign-in to `email` at `tenant` from `address` is refused now.
    pub fn refused(&self, tenant: Uuid, email: &str, address: Option<IpAddr>, now_ms: i64) -> bool {
        let by_account = self
            .accounts
            .lock()
            .map(|mut m| m.get_mut(&(tenant, email.to_owned())).map_or(0, |f| live(f, now_ms)) >= PER_ACCOUNT)
            .unwrap_or(false);
        let by_address = address.is_some_and(|ip| {
            self.addresses.lock().map(|mut m| m.get_mut(&ip).map_or(0, |f| live(f, now_ms)) >= PER_ADDRESS).unwrap_or(false)
        });
        by_account || by_address
    }

    /// Counts a wrong password.
    pub fn failed(&self, tenant: Uuid, email: &str, address: Option<IpAddr>, now_ms: i64) {
        if let Ok(mut accounts) = self.accounts.lock() {
            bounded(&mut accounts, now_ms);
            accounts.entry((tenant, email.to_owned())).or_default().push_back(now_ms);
        }
        if let (Some(ip), Ok(mut addresses)) = (address, self.addresses.lock()) {
            bounded(&mut addresses, now_ms);
            addresses.entry(ip).or_default().push_back(now_ms);
        }
    }

    /// Forgets an email's failures (a good sign-in, a reset).
    pub fn cleared(&self, tenant: Uuid, email: &str) {
        if let Ok(mut accounts) = self.accounts.lock() {
            accounts.remove(&(tenant, email.to_owned()));
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
        let store = Uuid::new_v4();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for n in 0..PER_ACCOUNT {
            assert!(!throttle.refused(store, "a@example.com", Some(ip), 1_000), "refused after {n}");
            throttle.failed(store, "a@example.com", Some(ip), 1_000);
        }
        assert!(throttle.refused(store, "a@example.com", None, 1_000));
        assert!(!throttle.refused(store, "b@example.com", None, 1_000), "another email is not");
        assert!(!throttle.refused(Uuid::new_v4(), "a@example.com", None, 1_000), "nor the same email at another store");
        assert!(!throttle.refused(store, "a@example.com", None, 1_000 + WINDOW_MS), "the window passed");
        throttle.cleared(store, "a@example.com");
        assert!(!throttle.refused(store, "a@example.com", None, 1_000));
    }

    #[test]
    fn fifty_failures_refuse_an_address_whatever_the_email() {
        let throttle = Throttle::default();
        let store = Uuid::new_v4();
        let ip: IpAddr = "203.0.113.8".parse().unwrap();
        for n in 0..PER_ADDRESS {
            throttle.failed(store, &format!("{n}@example.com"), Some(ip), 5);
        }
        assert!(throttle.refused(store, "new@example.com", Some(ip), 5));
        assert!(!throttle.refused(store, "new@example.com", Some("203.0.113.9".parse().unwrap()), 5));
    }
}
