use thiserror::Error;

/// What can go wrong in a store call.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (slug, domain, handle, SKU…); the payload names which.
    #[error("already exists: {0}")]
    Conflict(String),
    /// The row changed since the caller read it (optimistic concurrency): reload and retry.
    #[error("changed since it was loaded")]
    Stale,
    /// The referenced row does not exist (or belongs to another tenant).
    #[error("not found")]
    NotFound,
    /// A request the store's current state refuses (too little stock, a status that cannot
    /// change that way); the payload says why.
    #[error("{0}")]
    Refused(String),
    /// Input the store refuses, naming the field.
    #[error("invalid: {0}")]
    Invalid(String),
    /// Stored data that cannot be read back (a bug or a manual edit).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Applying migrations failed.
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database failure.
    #[error("database error")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    /// Unique and check violations become [`StoreError::Conflict`] and [`StoreError::Invalid`] so
    /// that services can answer 409/422 instead of 500.
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &err {
            let what = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            if db.is_unique_violation() {
                return StoreError::Conflict(what);
            }
            if db.is_check_violation() || db.is_foreign_key_violation() {
                return StoreError::Invalid(what);
            }
        }
        StoreError::Database(err)
    }
}
