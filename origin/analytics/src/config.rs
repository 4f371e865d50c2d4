//! Which analytics backend to use, read from the seed's variable names.

use std::path::PathBuf;
use std::time::Duration;
use zelly_edge::Secret;

/// How long one ClickHouse request may take before it fails (connecting included), unless told
/// otherwise. Reports over a year of a busy store stay well under it.
pub const DEFAULT_CLICKHOUSE_TIMEOUT: Duration = Duration::from_secs(30);

/// The configured backend.
#[derive(Debug, Clone)]
pub enum AnalyticsConfig {
    /// ClickHouse over HTTP.
    ClickHouse(ClickHouseConfig),
    /// The embedded store in one SQLite file.
    Sqlite {
        /// Database file; created with its directory when missing.
        path: PathBuf,
    },
}

/// Where the events live in ClickHouse.
#[derive(Debug, Clone)]
pub struct ClickHouseConfig {
    /// The HTTP interface, `http://host:port`, without a trailing slash.
    pub url: String,
    /// The user (`default` unless told otherwise).
    pub user: String,
    /// The user's password, if it has one.
    pub password: Option<Secret>,
    /// The database holding the events table and `schema_migrations`; created when missing.
    pub database: String,
    /// The events table.
    pub table: String,
    /// How long one request may take, connecting included.
    pub timeout: Duration,
}

impl ClickHouseConfig {
    /// A server at `url` with the seed's defaults: user `default`, no password, database
    /// `analytics`, table `store_events`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            user: "default".into(),
            password: None,
            database: "analytics".into(),
            table: "store_events".into(),
            timeout: DEFAULT_CLICKHOUSE_TIMEOUT,
        }
    }
}

impl AnalyticsConfig {
    /// Reads the configuration through `get` (the process environment in production, a map in tests).
    ///
    /// ClickHouse when `CLICKHOUSE_HOST` is set: the seed's `http://<ip>:8123`, or a bare `host` or
    /// `host:port` (plain HTTP, port 8123 by default), with `CLICKHOUSE_USER` (`default`),
    /// `CLICKHOUSE_PASSWORD`, `CLICKHOUSE_DATABASE` (`analytics`) and `CLICKHOUSE_TABLE`
    /// (`store_events`). Otherwise an embedded SQLite file `analytics.db` under `ZELLY_DATA_DIR`
    /// (default `.zelly/data`).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let Some(host) = get("CLICKHOUSE_HOST") else {
            let dir = get("ZELLY_DATA_DIR").unwrap_or_else(|| ".zelly/data".into());
            return Ok(AnalyticsConfig::Sqlite { path: PathBuf::from(dir).join("analytics.db") });
        };
        let mut config = ClickHouseConfig::new(http_url(&host)?);
        if let Some(user) = get("CLICKHOUSE_USER") {
            config.user = user;
        }
        config.password = get("CLICKHOUSE_PASSWORD").map(Secret::new);
        if let Some(database) = get("CLICKHOUSE_DATABASE") {
            config.database = database;
        }
        if let Some(table) = get("CLICKHOUSE_TABLE") {
            config.table = table;
        }
        validate_identifier("CLICKHOUSE_DATABASE", &config.database)?;
        validate_identifier("CLICKHOUSE_TABLE", &config.table)?;
        Ok(AnalyticsConfig::ClickHouse(config))
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }
}

/// `CLICKHOUSE_HOST` as an `http://host:port` URL.
fn http_url(host: &str) -> Result<String, String> {
    if let Some(rest) = host.strip_prefix("https://") {
        return Err(format!(
            "CLICKHOUSE_HOST {host:?}: https is not supported by this build (no TLS backend); use http://{rest}"
        ));
    }
    let (scheme_given, rest) = match host.strip_prefix("http://") {
        Some(rest) => (true, rest),
        None => (false, host),
    };
    if rest.contains("://") {
        return Err(format!("CLICKHOUSE_HOST {host:?}: only http:// URLs are supported"));
    }
    let authority = rest.trim_end_matches('/');
    if authority.is_empty() || authority.contains(['/', '?', '#', '@', ' ']) {
        return Err(format!(
            "CLICKHOUSE_HOST {host:?}: must be http://host:port, host:port or host, without a path, query or \
             credentials (use CLICKHOUSE_USER and CLICKHOUSE_PASSWORD)"
        ));
    }
    // A bracketed IPv6 address keeps its brackets; a bare one gets them.
    let (name, port) = if let Some(end) = authority.strip_prefix('[').and_then(|a| a.find(']')) {
        let name = &authority[..end + 2];
        let port = authority[end + 2..].strip_prefix(':');
        (name.to_owned(), port)
    } else if authority.matches(':').count() > 1 {
        (format!("[{authority}]"), None)
    } else {
        match authority.split_once(':') {
            Some((name, port)) => (name.to_owned(), Some(port)),
            None => (authority.to_owned(), None),
        }
    };
    let port = match port {
        Some(port) => port.parse::<u16>().map_err(|_| format!("CLICKHOUSE_HOST {host:?}: bad port {port:?}"))?,
        // The URL's own default for http:// is 80; a bare host means ClickHouse's HTTP port.
        None if scheme_given => 80,
        None => 8123,
    };
    Ok(format!("http://{name}:{port}"))
}

/// Database and table names go into SQL text, so they must be plain identifiers.
pub(crate) fn validate_identifier(what: &str, name: &str) -> Result<(), String> {
    let mut bytes = name.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    if first_ok && name.len() <= 64 && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(())
    } else {
        Err(format!("{what} {name:?}: must be 1-64 letters, digits or '_', not starting with a digit"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<AnalyticsConfig, String> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        AnalyticsConfig::from_lookup(|k| vars.get(k).cloned())
    }

    fn clickhouse(vars: &[(&str, &str)]) -> ClickHouseConfig {
        match config(vars).unwrap() {
            AnalyticsConfig::ClickHouse(ch) => ch,
            other => panic!("expected ClickHouse, got {other:?}"),
        }
    }

    #[test]
    fn the_seeds_clickhouse_url_is_used_with_the_seeds_defaults() {
        let ch = clickhouse(&[("CLICKHOUSE_HOST", "http://10.0.0.7:8123")]);
        assert_eq!(ch.url, "http://10.0.0.7:8123");
        assert_eq!(
            (ch.user.as_str(), ch.database.as_str(), ch.table.as_str()),
            ("default", "analytics", "store_events")
        );
        assert!(ch.password.is_none());
        assert_eq!(ch.timeout, DEFAULT_CLICKHOUSE_TIMEOUT);
    }

    #[test]
    fn a_bare_host_or_host_and_port_becomes_an_http_url_on_8123_by_default() {
        assert_eq!(clickhouse(&[("CLICKHOUSE_HOST", "clickhouse")]).url, "http://clickhouse:8123");
        assert_eq!(clickhouse(&[("CLICKHOUSE_HOST", "ch.internal:18123")]).url, "http://ch.internal:18123");
        assert_eq!(clickhouse(&[("CLICKHOUSE_HOST", "http://ch/")]).url, "http://ch:80");
        assert_eq!(clickhouse(&[("CLICKHOUSE_HOST", "::1")]).url, "http://[::1]:8123");
        assert_eq!(clickhouse(&[("CLICKHOUSE_HOST", "[::1]:9123")]).url, "http://[::1]:9123");
    }

    #[test]
    fn user_password_database_and_table_are_read() {
        let ch = clickhouse(&[
            ("CLICKHOUSE_HOST", "ch"),
            ("CLICKHOUSE_USER", "writer"),
            ("CLICKHOUSE_PASSWORD", "s3cret"),
            ("CLICKHOUSE_DATABASE", "shop_stats"),
            ("CLICKHOUSE_TABLE", "events_v2"),
        ]);
        assert_eq!(ch.user, "writer");
        assert_eq!(ch.password.as_ref().map(Secret::expose), Some("s3cret"));
        assert_eq!((ch.database.as_str(), ch.table.as_str()), ("shop_stats", "events_v2"));
    }

    #[test]
    fn without_clickhouse_the_events_live_in_the_data_dir() {
        match config(&[("ZELLY_DATA_DIR", "/tmp/z")]).unwrap() {
            AnalyticsConfig::Sqlite { path } => assert_eq!(path, PathBuf::from("/tmp/z/analytics.db")),
            other => panic!("{other:?}"),
        }
        match config(&[("CLICKHOUSE_HOST", "  ")]).unwrap() {
            AnalyticsConfig::Sqlite { path } => assert_eq!(path, PathBuf::from(".zelly/data/analytics.db")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_that_are_not_identifiers_are_refused_naming_the_variable() {
        for bad in ["my-db", "1stats", "a;DROP TABLE x", "db.table", &"x".repeat(65)] {
            let err = config(&[("CLICKHOUSE_HOST", "ch"), ("CLICKHOUSE_DATABASE", bad)]).unwrap_err();
            assert!(err.contains("CLICKHOUSE_DATABASE"), "{bad:?}: {err}");
        }
        let err = config(&[("CLICKHOUSE_HOST", "ch"), ("CLICKHOUSE_TABLE", "events`")]).unwrap_err();
        assert!(err.contains("CLICKHOUSE_TABLE"), "{err}");
    }

    #[test]
    fn https_paths_credentials_and_bad_ports_in_the_host_are_refused() {
        for bad in
            ["https://ch:8443", "http://ch:8123/db", "http://user:pw@ch:8123", "ch:port", "ch:70000", "tcp://ch:9000"]
        {
            let err = config(&[("CLICKHOUSE_HOST", bad)]).unwrap_err();
            assert!(err.contains("CLICKHOUSE_HOST"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let printed =
            format!("{:?}", config(&[("CLICKHOUSE_HOST", "ch"), ("CLICKHOUSE_PASSWORD", "hunter2")]).unwrap());
        assert!(!printed.contains("hunter2"), "{printed}");
    }
}
