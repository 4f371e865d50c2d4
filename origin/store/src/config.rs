//! Which database to use, read from the seed's variable names.

use std::path::PathBuf;
pub use zelly_edge::Secret;

/// The configured backend.
#[derive(Debug, Clone)]
pub enum DatabaseConfig {
    /// PostgreSQL by URL.
    Postgres {
        /// `postgres://user:pass@host:port/db`: the role the service works as.
        url: Secret,
        /// `DATABASE_MIGRATION_URL`: the schema owner that applies migrations, when the service's
        /// own role is not the owner (recommended: then it cannot alter tables or policies).
        migration_url: Option<Secret>,
    },
    /// Embedded SQLite file.
    Sqlite {
        /// Database file; created with its directory when missing.
        path: PathBuf,
    },
}

impl DatabaseConfig {
    /// Reads the configuration through `get` (the process environment in production, a map in tests).
    ///
    /// Order: `DATABASE_URL`; else `DB_HOST` with `DB_PORT` (5432), `DB_USER` (postgres),
    /// `DB_PASSWORD` and `name_var` (the seed's `DB_NAME` or `DB_DATABASE`, default `zelly`); else an
    /// embedded SQLite file `zelly.db` under `ZELLY_DATA_DIR` (default `.zelly/data`).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>, name_var: &str) -> Result<Self, String> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        if let Some(url) = get("DATABASE_URL") {
            if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
                return Ok(DatabaseConfig::Sqlite { path: PathBuf::from(path) });
            }
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err("DATABASE_URL must start with postgres://, postgresql:// or sqlite:".into());
            }
            return Ok(DatabaseConfig::Postgres { url: Secret::new(url), migration_url: migration_url(&get)? });
        }
        if let Some(host) = get("DB_HOST") {
            let port = get("DB_PORT").unwrap_or_else(|| "5432".into());
            if port.parse::<u16>().is_err() {
                return Err(format!("DB_PORT must be a port number, got {port:?}"));
            }
            let user = get("DB_USER").unwrap_or_else(|| "postgres".into());
            let password = get("DB_PASSWORD").map(|p| format!(":{}", encode(&p))).unwrap_or_default();
            let name = get(name_var).unwrap_or_else(|| "zelly".into());
            let url = format!("postgres://{}{password}@{host}:{port}/{}", encode(&user), encode(&name));
            return Ok(DatabaseConfig::Postgres { url: Secret::new(url), migration_url: migration_url(&get)? });
        }
        let dir = get("ZELLY_DATA_DIR").unwrap_or_else(|| ".zelly/data".into());
        Ok(DatabaseConfig::Sqlite { path: PathBuf::from(dir).join("zelly.db") })
    }

    /// Reads the configuration from the process environment.
    pub fn from_env(name_var: &str) -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok(), name_var)
    }
}

fn migration_url(get: &impl Fn(&str) -> Option<String>) -> Result<Option<Secret>, String> {
    match get("DATABASE_MIGRATION_URL") {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Ok(Some(Secret::new(url))),
        Some(_) => Err("DATABASE_MIGRATION_URL must start with postgres:// or postgresql://".into()),
        None => Ok(None),
    }
}

/// Percent-encodes what may not appear raw in a URL's user, password or path.
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

    fn config(vars: &[(&str, &str)]) -> Result<DatabaseConfig, String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        DatabaseConfig::from_lookup(|k| map.get(k).cloned(), "DB_NAME")
    }

    #[test]
    fn no_variables_means_embedded_sqlite_under_the_data_dir() {
        match config(&[]).unwrap() {
            DatabaseConfig::Sqlite { path } => assert_eq!(path, PathBuf::from(".zelly/data/zelly.db")),
            other => panic!("expected sqlite, got {other:?}"),
        }
    }

    #[test]
    fn seed_variables_build_a_postgres_url_with_escaped_password() {
        match config(&[("DB_HOST", "db"), ("DB_PASSWORD", "p@ss/word"), ("DB_NAME", "astro_primary")]).unwrap() {
            DatabaseConfig::Postgres { url, migration_url } => {
                assert_eq!(url.expose(), "postgres://postgres:p%40ss%2Fword@db:5432/astro_primary");
                assert!(migration_url.is_none());
            }
            other => panic!("expected postgres, got {other:?}"),
        }
    }

    #[test]
    fn database_url_wins_and_is_never_printed() {
        let cfg = config(&[("DATABASE_URL", "postgres://u:secret@h/d"), ("DB_HOST", "x")]).unwrap();
        assert!(!format!("{cfg:?}").contains("secret"));
    }

    #[test]
    fn a_bad_port_or_scheme_is_a_clear_error() {
        assert!(config(&[("DB_HOST", "db"), ("DB_PORT", "x")]).unwrap_err().contains("DB_PORT"));
        assert!(config(&[("DATABASE_URL", "mysql://x")]).unwrap_err().contains("DATABASE_URL"));
    }
}
