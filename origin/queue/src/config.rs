//! Which queue backend to use, read from the seed's variable names.

use std::path::PathBuf;
use zelly_edge::Secret;

/// The configured backend.
#[derive(Debug, Clone)]
pub enum QueueConfig {
    /// BullMQ over Redis.
    Redis(RedisConfig),
    /// The embedded queue in one SQLite file.
    Sqlite {
        /// Database file; created with its directory when missing.
        path: PathBuf,
    },
}

/// Where the BullMQ queues live.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// `redis://[[user]:password@]host:port[/db]`, or `rediss://` for TLS.
    pub url: Secret,
    /// The first part of every key. BullMQ's default, `bull`, is what the seed's Node services
    /// use; only tests need another (one per test, so that they never see each other's jobs).
    pub prefix: String,
}

impl RedisConfig {
    /// The seed's queues: `url` with BullMQ's default prefix.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: Secret::new(url), prefix: "bull".into() }
    }
}

impl QueueConfig {
    /// Reads the configuration through `get` (the process environment in production, a map in tests).
    ///
    /// Order: `REDIS_URL`; else the seed's `REDIS_HOST` (a host name, or a whole `redis://` URL)
    /// with `REDIS_PORT` (6379) and `REDIS_PASSWORD`; else an embedded SQLite file `queues.db`
    /// under `ZELLY_DATA_DIR` (default `.zelly/data`). `BULLMQ_PREFIX` sets the key prefix
    /// (default `bull`, BullMQ's own).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let prefix = get("BULLMQ_PREFIX").unwrap_or_else(|| "bull".into());
        if prefix.contains(':') {
            return Err(format!("BULLMQ_PREFIX must not contain ':', got {prefix:?}"));
        }
        Ok(match Self::backend_from_lookup(&get)? {
            QueueConfig::Redis(redis) => QueueConfig::Redis(RedisConfig { prefix, ..redis }),
            sqlite => sqlite,
        })
    }

    fn backend_from_lookup(get: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let is_url = |v: &str| v.starts_with("redis://") || v.starts_with("rediss://");
        if let Some(url) = get("REDIS_URL") {
            if !is_url(&url) {
                return Err("REDIS_URL must start with redis:// or rediss://".into());
            }
            return Ok(QueueConfig::Redis(RedisConfig::new(url)));
        }
        if let Some(host) = get("REDIS_HOST") {
            if is_url(&host) {
                return Ok(QueueConfig::Redis(RedisConfig::new(host)));
            }
            let port = get("REDIS_PORT").unwrap_or_else(|| "6379".into());
            if port.parse::<u16>().is_err() {
                return Err(format!("REDIS_PORT must be a port number, got {port:?}"));
            }
            let password = get("REDIS_PASSWORD").map(|p| format!(":{}@", encode(&p))).unwrap_or_default();
            let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host };
            return Ok(QueueConfig::Redis(RedisConfig::new(format!("redis://{password}{host}:{port}"))));
        }
        let dir = get("ZELLY_DATA_DIR").unwrap_or_else(|| ".zelly/data".into());
        Ok(QueueConfig::Sqlite { path: PathBuf::from(dir).join("queues.db") })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }
}

/// Percent-encodes what may not appear raw in a URL's password.
fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<QueueConfig, String> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        QueueConfig::from_lookup(|k| vars.get(k).cloned())
    }

    fn redis_url(vars: &[(&str, &str)]) -> String {
        match config(vars).unwrap() {
            QueueConfig::Redis(redis) => {
                assert_eq!(redis.prefix, "bull");
                redis.url.expose().to_owned()
            }
            other => panic!("expected Redis, got {other:?}"),
        }
    }

    #[test]
    fn redis_url_wins_over_the_seeds_host_variables() {
        let url = redis_url(&[("REDIS_URL", "redis://cache:6380/2"), ("REDIS_HOST", "other")]);
        assert_eq!(url, "redis://cache:6380/2");
    }

    #[test]
    fn the_seeds_redis_host_builds_a_url_with_port_and_encoded_password() {
        assert_eq!(redis_url(&[("REDIS_HOST", "redis")]), "redis://redis:6379");
        let url = redis_url(&[("REDIS_HOST", "cache.internal"), ("REDIS_PORT", "6380"), ("REDIS_PASSWORD", "p@ss:w/rd")]);
        assert_eq!(url, "redis://:p%40ss%3Aw%2Frd@cache.internal:6380");
        assert_eq!(redis_url(&[("REDIS_HOST", "rediss://tls.example:6379")]), "rediss://tls.example:6379");
    }

    #[test]
    fn without_redis_the_queues_live_in_the_data_dir() {
        match config(&[("ZELLY_DATA_DIR", "/tmp/z")]).unwrap() {
            QueueConfig::Sqlite { path } => assert_eq!(path, PathBuf::from("/tmp/z/queues.db")),
            other => panic!("{other:?}"),
        }
        match config(&[("REDIS_HOST", "  ")]).unwrap() {
            QueueConfig::Sqlite { path } => assert_eq!(path, PathBuf::from(".zelly/data/queues.db")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_bad_url_or_port_names_the_variable() {
        assert!(config(&[("REDIS_URL", "http://x")]).unwrap_err().contains("REDIS_URL"));
        assert!(config(&[("REDIS_HOST", "x"), ("REDIS_PORT", "sixty")]).unwrap_err().contains("REDIS_PORT"));
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let printed = format!("{:?}", config(&[("REDIS_HOST", "h"), ("REDIS_PASSWORD", "hunter2")]).unwrap());
        assert!(!printed.contains("hunter2"), "{printed}");
    }
}
