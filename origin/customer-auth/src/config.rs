//! customer-auth configuration, from the seed's variable names where it has them.

use std::net::SocketAddr;
use zelly_store::DatabaseConfig;

/// Everything customer-auth reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen: `BIND` (default 0.0.0.0) and `PORT` (default 5174, the seed's).
    pub listen: SocketAddr,
    /// `DATABASE_URL`, or `DB_HOST`/`DB_PORT`/`DB_USER`/`DB_PASSWORD`/`DB_NAME`, or embedded SQLite.
    pub database: DatabaseConfig,
    /// `REDIS_URL`, or `REDIS_HOST`…, or the embedded SQLite queues: where emails are queued.
    pub queues: zelly_queue::QueueConfig,
    /// `CUSTOMER_AUTH_PUBLIC_URL`: where shoppers reach this service's pages, for the links in
    /// its emails (default `http://localhost:5174`).
    pub public_url: String,
    /// `TRUST_FORWARDED_FOR=1`: take the client's address from `X-Forwarded-For` (set it only
    /// behind a proxy that writes that header, as Caddy does); otherwise the peer's address.
    pub trust_forwarded_for: bool,
    /// `EXTERNAL_ADDRESS_API_URL`, `EXTERNAL_ADDRESS_API_KEY` (the seed's) and
    /// `ADDRESS_API_TIMEOUT_MS`: the address check (see `address_api`).
    pub address_api: crate::address_api::AddressApiConfig,
    /// The seed's `JWT_SECRET`, `COOKIE_SECRET` and `SESSION_COOKIE_DOMAIN`, when set: read so a
    /// deployment that carries them over is told at start-up why they change nothing (see
    /// [`Config::seed_notes`]).
    pub seed_variables: Vec<&'static str>,
}

impl Config {
    /// Reads the environment, naming a bad variable.
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let public_url = var("CUSTOMER_AUTH_PUBLIC_URL").map_or_else(|| "http://localhost:5174".to_owned(), |u| u.trim().trim_end_matches('/').to_owned());
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!("CUSTOMER_AUTH_PUBLIC_URL must be an http(s) URL, got {public_url:?}"));
        }
        let url = var("EXTERNAL_ADDRESS_API_URL").map(|u| u.trim().trim_end_matches('/').to_owned());
        if let Some(url) = &url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!("EXTERNAL_ADDRESS_API_URL must be an http(s) URL, got {url:?}"));
        }
        let timeout = match var("ADDRESS_API_TIMEOUT_MS") {
            None => None,
            Some(ms) => match ms.trim().parse::<u64>() {
                Ok(ms @ 1..=30_000) => Some(std::time::Duration::from_millis(ms)),
                _ => return Err(format!("ADDRESS_API_TIMEOUT_MS must be 1-30000 milliseconds, got {ms:?}")),
            },
        };
        let address_api = crate::address_api::AddressApiConfig { url, key: var("EXTERNAL_ADDRESS_API_KEY").map(zelly_store::config::Secret::new), timeout };
        let seed_variables = ["JWT_SECRET", "COOKIE_SECRET", "SESSION_COOKIE_DOMAIN"].into_iter().filter(|name| var(name).is_some()).collect();
        Ok(Self {
            seed_variables,
            address_api,
            listen: zelly_service::listen_from_env(5174)?,
            database: DatabaseConfig::from_env("DB_NAME")?,
            queues: zelly_queue::QueueConfig::from_env()?,
            public_url,
            trust_forwarded_for: var("TRUST_FORWARDED_FOR").as_deref() == Some("1"),
        })
    }
}

impl Config {
    /// What customer-auth makes of the seed's session variables that are set. The seed signed
    /// JWTs and cookies and shared one cookie across a parent domain; here a session is an opaque
    /// random id kept (hashed) in the database, so there is nothing to sign, and the cookie is
    /// `__Host-` (this host only) because a store's other domains sign in by code exchange.
    pub fn seed_notes(&self) -> Vec<String> {
        self.seed_variables
            .iter()
            .map(|name| match *name {
                "SESSION_COOKIE_DOMAIN" => "SESSION_COOKIE_DOMAIN is set but not used: the session cookie is __Host- (this host only); a store's other domains sign in through customer-auth's code exchange".to_owned(),
                other => format!("{other} is set but not needed: sessions are opaque random ids stored hashed, so nothing is signed with it"),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_session_variables_are_explained_not_silently_dropped() {
        let config = Config {
            listen: "127.0.0.1:5174".parse().unwrap_or_else(|_| std::net::SocketAddr::from(([127, 0, 0, 1], 5174))),
            database: DatabaseConfig::Sqlite { path: "x.db".into() },
            queues: zelly_queue::QueueConfig::Sqlite { path: "q.db".into() },
            public_url: "http://localhost:5174".into(),
            trust_forwarded_for: false,
            address_api: crate::address_api::AddressApiConfig::default(),
            seed_variables: vec!["JWT_SECRET", "SESSION_COOKIE_DOMAIN"],
        };
        let notes = config.seed_notes();
        assert_eq!(notes.len(), 2);
        assert!(notes[0].starts_with("JWT_SECRET is set but not needed") && notes[1].contains("__Host-"), "{notes:?}");
    }
}
