//! Job queues that speak BullMQ, with a durable embedded stand-in.
//!
//! Services publish work with [`Queues::add`] and consume it with [`Queues::start_worker`]. Two
//! implementations sit behind the one trait:
//! - [`bull::BullQueues`]: Redis through `bullmq-official`, the BullMQ project's own Rust port,
//!   which runs the same Lua scripts as the `bullmq` npm package. Jobs added here are processed by
//!   Node workers and the other way round, so our services and the seed's Node services can share
//!   the seed's queues during a migration. Start-up refuses a Redis that is older than 6.2 or whose
//!   `maxmemory-policy` is not `noeviction` (with any other policy Redis may evict queue keys under
//!   memory pressure, and jobs vanish without a trace).
//! - [`sqlite::SqliteQueues`]: one SQLite file, the embedded default of `cargo xtask dev`, with the
//!   same semantics (see below).
//!
//! Pick one from the environment with [`QueueConfig::from_env`] and [`connect`]: `REDIS_URL`, else
//! the seed's `REDIS_HOST` (`REDIS_PORT`, `REDIS_PASSWORD`), else `queues.db` under
//! `ZELLY_DATA_DIR`.
//!
//! # Semantics, on both backends
//! - **A job** has a name, JSON data and an id. An id chosen by the caller makes publishing
//!   idempotent: adding a job whose id the queue still holds (waiting, running, completed within
//!   [`WorkerOptions::keep_completed`], or failed) adds nothing and returns the same id. Such ids
//!   may not be integers (those are the ids the queue hands out itself) and may not contain `:`.
//! - **Completion** happens only when the processor returns `Ok`. An `Err` is an attempt that
//!   failed: its message (with its causes, `{:#}`) is recorded as the job's failed reason and the
//!   job runs again after an exponential backoff (`backoff × 2^(attempt-1)`), until
//!   [`NewJob::attempts`] attempts have failed; then it stays in the failed state with that reason.
//!   An error that is (or wraps) [`Unrecoverable`] fails the job at once. A panicking processor is
//!   a failed attempt, not a dead worker.
//! - **A worker that dies** mid-job (killed process, lost network) stops renewing the job's lock
//!   (BullMQ) or lease (SQLite); once [`WorkerOptions::lock_duration`] has passed, another worker
//!   takes the job again. A job that stalls more than [`WorkerOptions::max_stalls`] times is failed
//!   with BullMQ's reason `job stalled more than allowable limit`. Delivery is therefore *at least
//!   once*: a processor must tolerate seeing a job again (the analytics consumer dedupes by
//!   `event_id`).
//! - **Graceful shutdown** ([`Worker::shutdown`]) stops taking jobs and waits for the running ones.
//! - **Administration** (the staff queue dashboard): [`Queues::pause`] stops every worker of the
//!   queue, in any process, from taking new jobs until [`Queues::resume`]; running jobs finish, and
//!   jobs added meanwhile wait (and count as waiting). [`Queues::failed_jobs`] lists failed jobs,
//!   newest failure first, with their reason and attempts. [`Queues::retry_failed`] and
//!   [`Queues::retry_all_failed`] move failed jobs back to waiting with all their attempts again
//!   (their failed reason is cleared; as in BullMQ, a job's stall count is not reset).
//!   [`Queues::remove_job`] deletes a job in any state but running. These take the ids the queue
//!   assigned too, so integer ids are accepted here.
//!
//! # Job data format
//! A job's data is one JSON value ([`serde_json::Value`]), stored as JSON text: in Redis it is the
//! job hash's `data` field, exactly what Node's `queue.add(name, data)` writes with
//! `JSON.stringify`, so a payload round-trips between Node and Rust unchanged; in SQLite it is the
//! `data` column. JSON keeps the payload readable in `redis-cli` and in BullMQ dashboards, and is
//! what every existing producer of the seed's queues already sends. Each queue's payload schema is
//! documented by the service that owns the queue.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod bull;
mod config;
mod error;
pub mod sqlite;
pub mod testing;

use async_trait::async_trait;
use futures::FutureExt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

pub use config::{QueueConfig, RedisConfig};
pub use error::QueueError;

/// The seed's storefront events queue: core-api produces, events-consumer stores them in ClickHouse.
pub const STORE_EVENTS: &str = "store-events";
/// Shopify webhooks, enqueued by core-api to answer Shopify within 5 s.
pub const SHOPIFY_WEBHOOK: &str = "SHOPIFY_WEBHOOK";
/// Pushing a merchant's settings to Shopify.
pub const SHOPIFY_SETTINGS_PUSH: &str = "SHOPIFY_SETTINGS_PUSH";
/// Fetching a merchant's settings from Shopify.
pub const SHOPIFY_SETTINGS_FETCH: &str = "SHOPIFY_SETTINGS_FETCH";
/// Paging a merchant's catalog in from Shopify's Admin GraphQL API.
pub const SHOPIFY_CATALOG_SYNC: &str = "SHOPIFY_CATALOG_SYNC";
/// Every queue of the seed, by name.
pub const ALL_QUEUES: [&str; 5] =
    [STORE_EVENTS, SHOPIFY_WEBHOOK, SHOPIFY_SETTINGS_PUSH, SHOPIFY_SETTINGS_FETCH, SHOPIFY_CATALOG_SYNC];

/// Attempts a [`NewJob`] gets unless told otherwise.
pub const DEFAULT_ATTEMPTS: u32 = 10;
/// The first retry delay of a [`NewJob`] unless told otherwise; it doubles on every retry, so
/// [`DEFAULT_ATTEMPTS`] spread over about 8.5 minutes.
pub const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);
/// The most attempts a job may have: enough for days of backoff, and far from overflowing the delay.
pub const MAX_ATTEMPTS: u32 = 30;

/// A job to add.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The job's name (BullMQ's `name`), e.g. the event type.
    pub name: String,
    /// Its payload, stored as JSON text (see the crate docs).
    pub data: serde_json::Value,
    /// A caller-chosen id that deduplicates publishing; `None` lets the queue number the job.
    pub id: Option<String>,
    /// How many times the job may run before it stays failed (1 = no retries).
    pub attempts: u32,
    /// Delay before the first retry; doubled for each later one.
    pub backoff: Duration,
}

impl NewJob {
    /// A job with a queue-assigned id, [`DEFAULT_ATTEMPTS`] and [`DEFAULT_BACKOFF`].
    pub fn new(name: impl Into<String>, data: serde_json::Value) -> Self {
        Self { name: name.into(), data, id: None, attempts: DEFAULT_ATTEMPTS, backoff: DEFAULT_BACKOFF }
    }

    /// Sets the job's id, so that publishing the same job twice adds it once.
    pub fn with_id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets how many times the job may run and the first retry delay.
    pub fn with_retries(mut self, attempts: u32, backoff: Duration) -> Self {
        self.attempts = attempts;
        self.backoff = backoff;
        self
    }

    /// Rejects what either backend would refuse, so both refuse the same jobs.
    fn validate(&self) -> Result<(), QueueError> {
        if self.name.is_empty() {
            return Err(QueueError::Invalid("job name: must not be empty".into()));
        }
        if !(1..=MAX_ATTEMPTS).contains(&self.attempts) {
            return Err(QueueError::Invalid(format!("attempts: must be 1-{MAX_ATTEMPTS}, got {}", self.attempts)));
        }
        if let Some(id) = &self.id {
            validate_job_id(id)?;
        }
        Ok(())
    }

    /// The retry delay in whole milliseconds, as both backends store it.
    fn backoff_ms(&self) -> u64 {
        u64::try_from(self.backoff.as_millis()).unwrap_or(u64::MAX)
    }
}

/// BullMQ's rules for caller-chosen ids: an integer would collide with the ids the queue assigns,
/// and `:` separates the parts of BullMQ's Redis keys.
fn validate_job_id(id: &str) -> Result<(), QueueError> {
    if id.is_empty() || id.len() > 256 {
        return Err(QueueError::Invalid("job id: must be 1-256 bytes".into()));
    }
    if id.parse::<i64>().is_ok_and(|n| n.to_string() == id) {
        return Err(QueueError::Invalid(format!("job id {id:?}: must not be an integer")));
    }
    if id.contains(':') {
        return Err(QueueError::Invalid(format!("job id {id:?}: must not contain ':'")));
    }
    Ok(())
}

/// The ids that address an existing job: a caller's (see [`validate_job_id`]) or one the queue
/// assigned, which is an integer. `:` is refused, as it would address other Redis keys.
fn validate_job_ref(id: &str) -> Result<(), QueueError> {
    if id.is_empty() || id.len() > 256 {
        return Err(QueueError::Invalid("job id: must be 1-256 bytes".into()));
    }
    if id.contains(':') {
        return Err(QueueError::Invalid(format!("job id {id:?}: must not contain ':'")));
    }
    Ok(())
}

/// Queue names follow BullMQ's rule: not empty, no `:`.
fn validate_queue_name(queue: &str) -> Result<(), QueueError> {
    if queue.is_empty() || queue.contains(':') {
        return Err(QueueError::Invalid(format!("queue name {queue:?}: must be non-empty and without ':'")));
    }
    Ok(())
}

/// A job handed to a processor.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Its id: the caller's, or the one the queue assigned.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its payload.
    pub data: serde_json::Value,
    /// Which attempt this is, from 1. A job redelivered after its worker died keeps its number.
    pub attempt: u32,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Ready to run.
    Waiting,
    /// Waiting for its retry delay to pass.
    Delayed,
    /// Held by a worker.
    Active,
    /// Done: the processor returned `Ok`.
    Completed,
    /// Out of attempts (or unrecoverable); kept with its reason.
    Failed,
}

/// What a queue knows about one job.
#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    /// Its state.
    pub state: JobState,
    /// Attempts that have finished, failed or not.
    pub attempts_made: u32,
    /// The error of the last failed attempt, if any failed.
    pub failed_reason: Option<String>,
}

/// How many jobs of a queue are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    /// Ready to run.
    pub waiting: u64,
    /// Waiting for a retry delay.
    pub delayed: u64,
    /// Held by workers.
    pub active: u64,
    /// Completed and still kept.
    pub completed: u64,
    /// Failed for good.
    pub failed: u64,
}

/// A job that failed for good, as the queue dashboard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedJob {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its payload.
    pub data: serde_json::Value,
    /// Attempts that ran, the failed last one included.
    pub attempts_made: u32,
    /// The error of its last attempt, as [`JobStatus::failed_reason`] reports it.
    pub failed_reason: String,
    /// When it failed, in Unix milliseconds (BullMQ's `finishedOn`).
    pub failed_at_ms: u64,
    /// When it was added, in Unix milliseconds (BullMQ's `timestamp`).
    pub added_at_ms: u64,
}

/// How a worker runs.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerOptions {
    /// How many jobs run at once. High values are fine: the analytics consumer holds up to a
    /// batch (500) of jobs until the batch is stored.
    pub concurrency: usize,
    /// How long a job stays reserved for a worker that stops renewing it (renewed every half).
    /// After a crash, this is how long the job waits before another worker takes it.
    pub lock_duration: Duration,
    /// BullMQ only: how often the worker looks for jobs whose lock has expired. The SQLite queue
    /// looks at every poll.
    pub stalled_interval: Duration,
    /// How many times a job may lose its worker before it is failed instead of redelivered.
    pub max_stalls: u32,
    /// How long completed jobs are kept, which is also how long their ids deduplicate.
    /// Failed jobs are kept until removed by hand.
    pub keep_completed: Duration,
}

impl Default for WorkerOptions {
    /// BullMQ's defaults (one job at a time, 30 s locks, one stall allowed), keeping completed
    /// jobs for a day.
    fn default() -> Self {
        Self {
            concurrency: 1,
            lock_duration: Duration::from_secs(30),
            stalled_interval: Duration::from_secs(30),
            max_stalls: 1,
            keep_completed: Duration::from_secs(24 * 60 * 60),
        }
    }
}

impl WorkerOptions {
    /// Rejects settings neither backend can honour.
    fn validate(&self) -> Result<(), QueueError> {
        if self.concurrency == 0 {
            return Err(QueueError::Invalid("concurrency: must be at least 1".into()));
        }
        if self.lock_duration < Duration::from_millis(100) || self.stalled_interval < Duration::from_millis(100) {
            return Err(QueueError::Invalid("lock_duration and stalled_interval: must be at least 100 ms".into()));
        }
        Ok(())
    }
}

/// Marks a processor error as not worth retrying: the job fails at once with this message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unrecoverable(pub String);

/// The work a worker does for each job.
///
/// Any `Fn(Job) -> impl Future<Output = anyhow::Result<()>>` closure is a processor.
#[async_trait]
pub trait Processor: Send + Sync + 'static {
    /// Does the job. `Ok` completes it; `Err` fails this attempt (see the crate docs).
    async fn process(&self, job: Job) -> anyhow::Result<()>;
}

#[async_trait]
impl<F, Fut> Processor for F
where
    F: Fn(Job) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    async fn process(&self, job: Job) -> anyhow::Result<()> {
        self(job).await
    }
}

/// A shareable processor.
pub type DynProcessor = Arc<dyn Processor>;

/// Why an attempt did not complete, as both backends record it.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Retry if attempts remain.
    Retryable(String),
    /// Fail now.
    Unrecoverable(String),
}

/// Runs the processor on one job, turning an error or a panic into a [`Failure`].
pub(crate) async fn run_processor(processor: &dyn Processor, job: Job) -> Result<(), Failure> {
    match AssertUnwindSafe(processor.process(job)).catch_unwind().await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => {
            let message = format!("{err:#}");
            if err.chain().any(|cause| cause.is::<Unrecoverable>()) {
                Err(Failure::Unrecoverable(message))
            } else {
                Err(Failure::Retryable(message))
            }
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".into());
            Err(Failure::Retryable(format!("processor panicked: {what}")))
        }
    }
}

/// Producing and consuming jobs on named queues.
#[async_trait]
pub trait Queues: Send + Sync {
    /// Which backend this is (`bullmq` or `sqlite`), for logs and health output.
    fn backend(&self) -> &'static str;

    /// Adds a job and returns its id. If `job.id` is set and the queue still holds a job with that
    /// id, nothing is added and that id is returned.
    async fn add(&self, queue: &str, job: NewJob) -> Result<String, QueueError>;

    /// Adds several jobs, returning their ids in order. Deduplication applies to each job, also
    /// within the batch. Either all jobs are validated and sent, or none is (an invalid job is
    /// reported before anything is added).
    async fn add_bulk(&self, queue: &str, jobs: Vec<NewJob>) -> Result<Vec<String>, QueueError>;

    /// What the queue knows about a job, or `None` if it holds no job with that id.
    async fn status(&self, queue: &str, job_id: &str) -> Result<Option<JobStatus>, QueueError>;

    /// How many jobs of the queue are in each state.
    async fn counts(&self, queue: &str) -> Result<JobCounts, QueueError>;

    /// Starts a worker that runs `processor` on the queue's jobs until [`Worker::shutdown`].
    async fn start_worker(
        &self,
        queue: &str,
        processor: DynProcessor,
        options: WorkerOptions,
    ) -> Result<Worker, QueueError>;

    /// A page of the queue's failed jobs, newest failure first: `limit` jobs after skipping
    /// `offset`.
    async fn failed_jobs(&self, queue: &str, offset: u64, limit: u64) -> Result<Vec<FailedJob>, QueueError>;

    /// Moves a failed job back to waiting with all its attempts again, so that it runs again.
    /// `false` if the queue holds no failed job with that id (an unknown id, or a job in another
    /// state).
    async fn retry_failed(&self, queue: &str, job_id: &str) -> Result<bool, QueueError>;

    /// Retries every job that is failed when called, as [`Queues::retry_failed`] does, and
    /// returns how many were moved back to waiting.
    async fn retry_all_failed(&self, queue: &str) -> Result<u64, QueueError>;

    /// Deletes a job that is not running (waiting, delayed, completed or failed): `true` if it
    /// was deleted, `false` if the queue holds no job with that id. A running job is left alone
    /// and refused with [`QueueError::JobActive`] (a job whose worker died can be removed once its
    /// lock has expired).
    async fn remove_job(&self, queue: &str, job_id: &str) -> Result<bool, QueueError>;

    /// Pauses the queue: from now on no worker of it, in this process or another, takes a new
    /// job until [`Queues::resume`]. Running jobs finish; jobs added meanwhile wait. Pausing a
    /// paused queue does nothing.
    async fn pause(&self, queue: &str) -> Result<(), QueueError>;

    /// Lets the workers of a paused queue take jobs again. Resuming a running queue does nothing.
    async fn resume(&self, queue: &str) -> Result<(), QueueError>;

    /// Whether the queue is paused.
    async fn is_paused(&self, queue: &str) -> Result<bool, QueueError>;
}

/// A shareable handle on whichever backend was configured.
pub type DynQueues = Arc<dyn Queues>;

/// A running worker. Dropping it asks it to stop, without waiting; prefer [`Worker::shutdown`].
pub struct Worker {
    inner: Box<dyn StopWorker>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").finish_non_exhaustive()
    }
}

impl Worker {
    /// Stops taking new jobs and waits up to `timeout` for the running ones to finish. Jobs still
    /// running at the deadline are abandoned: their lock expires and another worker takes them.
    /// (On SQLite their processor is dropped. On BullMQ it runs on in the background, and still
    /// completes its job if it ends before the lock expires: the port's `close` cannot cancel it.)
    pub async fn shutdown(self, timeout: Duration) -> Result<(), QueueError> {
        self.inner.stop(timeout).await
    }
}

/// What each backend's worker does on [`Worker::shutdown`].
#[async_trait]
trait StopWorker: Send + Sync {
    async fn stop(self: Box<Self>, timeout: Duration) -> Result<(), QueueError>;
}

/// Connects to the configured backend: checks the Redis server, or opens and migrates the SQLite file.
pub async fn connect(config: &QueueConfig) -> Result<DynQueues, QueueError> {
    Ok(match config {
        QueueConfig::Redis(redis) => Arc::new(bull::BullQueues::connect(redis).await?),
        QueueConfig::Sqlite { path } => Arc::new(sqlite::SqliteQueues::open(path).await?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_ids_and_colons_are_refused_like_bullmq_does() {
        for bad in ["", "42", "-7", "a:b"] {
            assert!(validate_job_id(bad).is_err(), "{bad:?} was accepted");
        }
        for good in ["evt-42", "007", "4f1c0b1e-2c55-4d0b-9d1e-0a3c9e1b7a10"] {
            assert!(validate_job_id(good).is_ok(), "{good:?} was refused");
        }
    }

    #[test]
    fn existing_jobs_are_addressed_by_assigned_integer_ids_too_but_never_with_colons() {
        for good in ["42", "evt-42", "007"] {
            assert!(validate_job_ref(good).is_ok(), "{good:?} was refused");
        }
        for bad in ["", "a:b", "42:lock"] {
            assert!(validate_job_ref(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(validate_job_ref(&"x".repeat(257)).is_err());
    }

    #[test]
    fn attempts_outside_one_to_thirty_are_refused() {
        let job = |attempts| NewJob::new("x", serde_json::Value::Null).with_retries(attempts, DEFAULT_BACKOFF);
        assert!(job(0).validate().is_err());
        assert!(job(MAX_ATTEMPTS + 1).validate().is_err());
        assert!(job(1).validate().is_ok());
        assert!(job(MAX_ATTEMPTS).validate().is_ok());
    }

    #[tokio::test]
    async fn an_unrecoverable_error_is_recognised_through_its_context() {
        let processor = |_job: Job| async {
            let err = anyhow::Error::new(Unrecoverable("bad event".into())).context("event 7");
            Err::<(), _>(err)
        };
        let job = Job { id: "1".into(), name: "x".into(), data: serde_json::Value::Null, attempt: 1 };
        match run_processor(&processor, job).await {
            Err(Failure::Unrecoverable(message)) => assert_eq!(message, "event 7: bad event"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_panicking_processor_is_a_failed_attempt() {
        async fn explode(_job: Job) -> anyhow::Result<()> {
            panic!("boom")
        }
        let job = Job { id: "1".into(), name: "x".into(), data: serde_json::Value::Null, attempt: 1 };
        match run_processor(&explode, job).await {
            Err(Failure::Retryable(message)) => assert_eq!(message, "processor panicked: boom"),
            other => panic!("{other:?}"),
        }
    }
}
