use thiserror::Error;

/// What can go wrong in an analytics call. Every variant is worth retrying except
/// [`AnalyticsError::Invalid`]: the events consumer retries its batch on any error, and core-api
/// answers 503.
#[derive(Debug, Error)]
pub enum AnalyticsError {
    /// Input or configuration the store refuses, naming what is wrong.
    #[error("invalid: {0}")]
    Invalid(String),
    /// ClickHouse failed or could not be reached. `message` says what was being done and why it
    /// failed, with every cause, e.g. `insert: network error: …: Connection refused (os error 111)`.
    #[error("ClickHouse at {url}: {message}")]
    ClickHouse {
        /// The server's HTTP address, without credentials.
        url: String,
        /// What was being done and the error's cause chain.
        message: String,
    },
    /// Stored data that cannot be read back (a bug or a manual edit).
    #[error("corrupt analytics row: {0}")]
    Corrupt(String),
    /// Applying the SQLite migrations failed.
    #[error("analytics migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other SQLite failure.
    #[error("analytics SQLite: {0}")]
    Sqlite(#[from] sqlx::Error),
}

/// An error and all of its causes, `: `-separated, as one line.
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // Some errors repeat their cause in their own message; say it once.
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}
