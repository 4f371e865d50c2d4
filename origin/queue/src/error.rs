use thiserror::Error;

/// What can go wrong in a queue call.
#[derive(Debug, Error)]
pub enum QueueError {
    /// Input the queue refuses (a bad job id, queue name or option), naming what is wrong.
    #[error("invalid: {0}")]
    Invalid(String),
    /// The job is running, so it cannot be removed; the message names it.
    #[error("job {0} is running and cannot be removed until it finishes")]
    JobActive(String),
    /// The Redis server cannot hold BullMQ queues safely; the message names the problem and the fix.
    #[error("{0}")]
    UnsuitableServer(String),
    /// Redis did not answer in time at start-up.
    #[error("{0}")]
    Unreachable(String),
    /// Stored data that cannot be read back (a bug or a manual edit).
    #[error("corrupt job: {0}")]
    Corrupt(String),
    /// A Redis or BullMQ failure.
    #[error("Redis: {0}")]
    Redis(#[from] bullmq::Error),
    /// Applying the SQLite queue's migrations failed.
    #[error("queue migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other SQLite failure.
    #[error("SQLite: {0}")]
    Sqlite(#[from] sqlx::Error),
}
