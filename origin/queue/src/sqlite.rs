//! The embedded queue: one SQLite file (WAL), for `cargo xtask dev` and fast tests.
//!
//! A job is a row of `jobs` (see `migrations/sqlite`). Workers claim waiting rows in a
//! `BEGIN IMMEDIATE` transaction, which takes SQLite's write lock up front, so two workers (in one
//! process or several) never claim the same row. A claim is a lease: the worker renews it every
//! half [`WorkerOptions::lock_duration`](crate::WorkerOptions::lock_duration) while the job runs,
//! and finishing the job checks the claim's token, so a worker that lost its lease cannot complete
//! a job another worker now holds. Expired leases are taken back on the next claim.
//!
//! A paused queue has a row in `paused_queues`, which the claim reads in the same transaction,
//! so no worker anywhere claims a job of it once the pause has committed.
//!
//! Workers poll every 200 ms, and jobs added (or queues resumed) through the same [`SqliteQueues`]
//! wake them at once.
//! Durability is SQLite's WAL with `synchronous=NORMAL`: an added job survives a crash of the
//! process, though the last commits may be lost on power loss (the usual embedded trade-off; the
//! production queues are in Redis).

use crate::{
    run_processor, validate_job_ref, validate_queue_name, DynProcessor, FailedJob, Failure, Job, JobCounts, JobState,
    JobStatus, NewJob, QueueError, Queues, StopWorker, Worker, WorkerOptions,
};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How often an idle worker looks for jobs added by other processes.
const POLL_INTERVAL: Duration = Duration::from_millis(200);
/// How often each worker deletes completed jobs older than `keep_completed`.
const CLEANUP_INTERVAL: Duration = Duration::from_secs(60);
/// BullMQ's reason for a job that lost its worker too often.
const STALLED_REASON: &str = "job stalled more than allowable limit";

/// The SQLite implementation of [`Queues`].
#[derive(Debug, Clone)]
pub struct SqliteQueues {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    /// One connection: this process's writes queue here instead of spinning on SQLite's busy lock.
    writer: SqlitePool,
    reader: SqlitePool,
    /// Wakes this process's idle workers when a job is added.
    added: Notify,
}

impl SqliteQueues {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Self, QueueError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| QueueError::Invalid(format!("data dir {}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            // Other processes (core-api, events-consumer) write the same file.
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        MIGRATOR.run(&writer).await?;
        let reader = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        Ok(Self { shared: Arc::new(Shared { writer, reader, added: Notify::new() }) })
    }
}

/// Unix time in milliseconds, the unit of every time column.
fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Moves failed jobs back to waiting with all their attempts: `id` one, or every one when `None`.
/// The reason goes, as BullMQ deletes `failedReason`; the stall count stays, as BullMQ's does.
const RETRY_FAILED: &str = "UPDATE jobs SET state = 'waiting', attempts_made = 0, failed_reason = NULL, \
                                run_at = ?1, finished_at = NULL \
                            WHERE queue = ?2 AND state = 'failed' AND (?3 IS NULL OR id = ?3)";

/// Inserts one job inside the caller's write transaction and returns its id.
async fn insert(conn: &mut SqliteConnection, queue: &str, job: &NewJob, now: i64) -> Result<String, QueueError> {
    let data = job.data.to_string();
    let id = match &job.id {
        Some(id) => id.clone(),
        // The next sequence number, read under the write lock; AUTOINCREMENT never reuses one.
        None => {
            let next: i64 = sqlx::query_scalar(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'jobs'), 0) + 1",
            )
            .fetch_one(&mut *conn)
            .await?;
            next.to_string()
        }
    };
    // A taken id is the deduplication rule: nothing is added and the id is returned.
    sqlx::query(
        "INSERT INTO jobs (queue, id, name, data, state, attempts, backoff_ms, run_at, created_at) \
         VALUES (?1, ?2, ?3, ?4, 'waiting', ?5, ?6, ?7, ?7) ON CONFLICT (queue, id) DO NOTHING",
    )
    .bind(queue)
    .bind(&id)
    .bind(&job.name)
    .bind(data)
    .bind(i64::from(job.attempts))
    .bind(to_i64(job.backoff_ms()))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

#[async_trait]
impl Queues for SqliteQueues {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    #[tracing::instrument(skip_all, fields(queue = %queue, job = %job.name))]
    async fn add(&self, queue: &str, job: NewJob) -> Result<String, QueueError> {
        Ok(self.add_bulk(queue, vec![job]).await?.remove(0))
    }

    #[tracing::instrument(skip_all, fields(queue = %queue, count = jobs.len()))]
    async fn add_bulk(&self, queue: &str, jobs: Vec<NewJob>) -> Result<Vec<String>, QueueError> {
        validate_queue_name(queue)?;
        for job in &jobs {
            job.validate()?;
        }
        let now = now_ms();
        let mut tx = self.shared.writer.begin_with("BEGIN IMMEDIATE").await?;
        let mut ids = Vec::with_capacity(jobs.len());
        for job in &jobs {
            ids.push(insert(&mut tx, queue, job, now).await?);
        }
        tx.commit().await?;
        self.shared.added.notify_waiters();
        Ok(ids)
    }

    async fn status(&self, queue: &str, job_id: &str) -> Result<Option<JobStatus>, QueueError> {
        let row: Option<(String, i64, i64, Option<String>)> =
            sqlx::query_as("SELECT state, run_at, attempts_made, failed_reason FROM jobs WHERE queue = ?1 AND id = ?2")
                .bind(queue)
                .bind(job_id)
                .fetch_optional(&self.shared.reader)
                .await?;
        let Some((state, run_at, attempts_made, failed_reason)) = row else { return Ok(None) };
        let state = match state.as_str() {
            "waiting" if run_at > now_ms() => JobState::Delayed,
            "waiting" => JobState::Waiting,
            "active" => JobState::Active,
            "completed" => JobState::Completed,
            "failed" => JobState::Failed,
            other => return Err(QueueError::Corrupt(format!("job {job_id} has state {other:?}"))),
        };
        Ok(Some(JobStatus { state, attempts_made: to_u32(attempts_made), failed_reason }))
    }

    async fn counts(&self, queue: &str) -> Result<JobCounts, QueueError> {
        let (waiting, delayed, active, completed, failed): (i64, i64, i64, i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(state = 'waiting' AND run_at <= ?1), 0), \
                    COALESCE(SUM(state = 'waiting' AND run_at > ?1), 0), \
                    COALESCE(SUM(state = 'active'), 0), \
                    COALESCE(SUM(state = 'completed'), 0), \
                    COALESCE(SUM(state = 'failed'), 0) \
             FROM jobs WHERE queue = ?2",
        )
        .bind(now_ms())
        .bind(queue)
        .fetch_one(&self.shared.reader)
        .await?;
        Ok(JobCounts {
            waiting: to_u64(waiting),
            delayed: to_u64(delayed),
            active: to_u64(active),
            completed: to_u64(completed),
            failed: to_u64(failed),
        })
    }

    async fn failed_jobs(&self, queue: &str, offset: u64, limit: u64) -> Result<Vec<FailedJob>, QueueError> {
        validate_queue_name(queue)?;
        let rows: Vec<(String, String, String, i64, Option<String>, Option<i64>, i64)> = sqlx::query_as(
            "SELECT id, name, data, attempts_made, failed_reason, finished_at, created_at FROM jobs \
             WHERE queue = ?1 AND state = 'failed' ORDER BY finished_at DESC, seq DESC LIMIT ?2 OFFSET ?3",
        )
        .bind(queue)
        .bind(to_i64(limit))
        .bind(to_i64(offset))
        .fetch_all(&self.shared.reader)
        .await?;
        rows.into_iter()
            .map(|(id, name, data, attempts_made, failed_reason, finished_at, created_at)| {
                let data = serde_json::from_str(&data)
                    .map_err(|e| QueueError::Corrupt(format!("job {id} has data that is not JSON: {e}")))?;
                Ok(FailedJob {
                    id,
                    name,
                    data,
                    attempts_made: to_u32(attempts_made),
                    failed_reason: failed_reason.unwrap_or_default(),
                    failed_at_ms: to_u64(finished_at.unwrap_or(0)),
                    added_at_ms: to_u64(created_at),
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(queue = %queue, job = %job_id))]
    async fn retry_failed(&self, queue: &str, job_id: &str) -> Result<bool, QueueError> {
        validate_queue_name(queue)?;
        validate_job_ref(job_id)?;
        let retried =
            sqlx::query(RETRY_FAILED).bind(now_ms()).bind(queue).bind(job_id).execute(&self.shared.writer).await?;
        self.shared.added.notify_waiters();
        Ok(retried.rows_affected() == 1)
    }

    #[tracing::instrument(skip_all, fields(queue = %queue))]
    async fn retry_all_failed(&self, queue: &str) -> Result<u64, QueueError> {
        validate_queue_name(queue)?;
        let retried = sqlx::query(RETRY_FAILED)
            .bind(now_ms())
            .bind(queue)
            .bind(None::<String>)
            .execute(&self.shared.writer)
            .await?;
        self.shared.added.notify_waiters();
        Ok(retried.rows_affected())
    }

    #[tracing::instrument(skip_all, fields(queue = %queue, job = %job_id))]
    async fn remove_job(&self, queue: &str, job_id: &str) -> Result<bool, QueueError> {
        validate_queue_name(queue)?;
        validate_job_ref(job_id)?;
        let now = now_ms();
        let mut tx = self.shared.writer.begin_with("BEGIN IMMEDIATE").await?;
        let held: Option<bool> = sqlx::query_scalar(
            "SELECT state = 'active' AND COALESCE(lease_until, 0) >= ?3 FROM jobs WHERE queue = ?1 AND id = ?2",
        )
        .bind(queue)
        .bind(job_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        match held {
            None => return Ok(false),
            // BullMQ refuses a job whose lock is held, and so do we: its worker would lose it.
            Some(true) => return Err(QueueError::JobActive(job_id.to_owned())),
            Some(false) => {}
        }
        sqlx::query("DELETE FROM jobs WHERE queue = ?1 AND id = ?2").bind(queue).bind(job_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all, fields(queue = %queue))]
    async fn pause(&self, queue: &str) -> Result<(), QueueError> {
        validate_queue_name(queue)?;
        sqlx::query("INSERT INTO paused_queues (queue, paused_at) VALUES (?1, ?2) ON CONFLICT (queue) DO NOTHING")
            .bind(queue)
            .bind(now_ms())
            .execute(&self.shared.writer)
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(queue = %queue))]
    async fn resume(&self, queue: &str) -> Result<(), QueueError> {
        validate_queue_name(queue)?;
        sqlx::query("DELETE FROM paused_queues WHERE queue = ?1").bind(queue).execute(&self.shared.writer).await?;
        self.shared.added.notify_waiters();
        Ok(())
    }

    async fn is_paused(&self, queue: &str) -> Result<bool, QueueError> {
        validate_queue_name(queue)?;
        let paused: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM paused_queues WHERE queue = ?1)")
            .bind(queue)
            .fetch_one(&self.shared.reader)
            .await?;
        Ok(paused)
    }

    #[tracing::instrument(skip_all, fields(queue = %queue, concurrency = options.concurrency))]
    async fn start_worker(
        &self,
        queue: &str,
        processor: DynProcessor,
        options: WorkerOptions,
    ) -> Result<Worker, QueueError> {
        validate_queue_name(queue)?;
        options.validate()?;
        let run = Arc::new(Run {
            shared: self.shared.clone(),
            queue: queue.to_owned(),
            processor,
            slots: Arc::new(Semaphore::new(options.concurrency)),
            options,
            worker_id: Uuid::new_v4().to_string(),
        });
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(supervise(run, stop_rx));
        Ok(Worker { inner: Box::new(SqliteWorker { stop, task }) })
    }
}

/// A running worker's handle.
struct SqliteWorker {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Drop for SqliteWorker {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

#[async_trait]
impl StopWorker for SqliteWorker {
    async fn stop(mut self: Box<Self>, timeout: Duration) -> Result<(), QueueError> {
        let _ = self.stop.send(true);
        if tokio::time::timeout(timeout, &mut self.task).await.is_err() {
            // Dropping the running jobs' tasks leaves their leases to expire: another worker
            // takes them again.
            self.task.abort();
            tracing::warn!(?timeout, "worker shutdown timed out; unfinished jobs will be redelivered");
        }
        Ok(())
    }
}

/// What a worker's tasks share.
struct Run {
    shared: Arc<Shared>,
    queue: String,
    processor: DynProcessor,
    options: WorkerOptions,
    /// One permit per job that may run at once.
    slots: Arc<Semaphore>,
    /// Names this worker's leases, so that one statement renews them all.
    worker_id: String,
}

/// A job this worker has claimed, with what finishing it needs.
struct Claimed {
    seq: i64,
    id: String,
    name: String,
    data: String,
    attempts_made: i64,
    attempts: i64,
    backoff_ms: i64,
    lock_token: String,
}

/// Aborts a task when dropped, so the lease keeper dies with its worker, however the worker ends.
struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Resolves once a stop is requested (or the handle is gone).
async fn stop_requested(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}

/// The worker: claims jobs while it has free slots, runs each in its own task, and on stop waits
/// for the running ones.
async fn supervise(run: Arc<Run>, mut stop: watch::Receiver<bool>) {
    let _lease_keeper = AbortOnDrop(tokio::spawn(keep_leases(run.clone())));
    let mut in_flight = JoinSet::new();
    loop {
        while let Some(done) = in_flight.try_join_next() {
            report(done);
        }
        let first = tokio::select! {
            _ = stop_requested(&mut stop) => break,
            permit = run.slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let mut permits = vec![first];
        while let Ok(permit) = run.slots.clone().try_acquire_owned() {
            permits.push(permit);
        }
        // Registered before claiming, so a job added meanwhile still wakes us.
        let added = run.shared.added.notified();
        let claimed = claim(&run, permits.len()).await.unwrap_or_else(|e| {
            tracing::warn!(queue = %run.queue, error = %e, "claiming jobs failed; retrying");
            Vec::new()
        });
        let idle = claimed.is_empty();
        for (job, permit) in claimed.into_iter().zip(permits.drain(..)) {
            in_flight.spawn(process(run.clone(), job, permit));
        }
        drop(permits);
        if idle {
            tokio::select! {
                _ = stop_requested(&mut stop) => break,
                _ = added => {}
                _ = tokio::time::sleep(POLL_INTERVAL) => {}
            }
        }
    }
    while let Some(done) = in_flight.join_next().await {
        report(done);
    }
}

/// Logs a job task that ended abnormally (processor panics are caught; this is a bug).
fn report(done: Result<(), tokio::task::JoinError>) {
    if let Err(e) = done {
        tracing::error!(error = %e, "job task ended abnormally");
    }
}

/// Renews this worker's leases every half lock duration, and now and then deletes old completed jobs.
async fn keep_leases(run: Arc<Run>) {
    let mut renew = tokio::time::interval(run.options.lock_duration / 2);
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_cleanup: Option<Instant> = None;
    loop {
        renew.tick().await;
        if run.slots.available_permits() < run.options.concurrency {
            let until = now_ms().saturating_add(millis(run.options.lock_duration));
            let renewed = sqlx::query("UPDATE jobs SET lease_until = ?1 WHERE worker_id = ?2 AND state = 'active'")
                .bind(until)
                .bind(&run.worker_id)
                .execute(&run.shared.writer)
                .await;
            if let Err(e) = renewed {
                tracing::warn!(queue = %run.queue, error = %e, "renewing leases failed");
            }
        }
        if last_cleanup.is_none_or(|at| at.elapsed() >= CLEANUP_INTERVAL) {
            last_cleanup = Some(Instant::now());
            let keep = millis(run.options.keep_completed);
            let cleaned = sqlx::query("DELETE FROM jobs WHERE queue = ?1 AND state = 'completed' AND finished_at < ?2")
                .bind(&run.queue)
                .bind(now_ms().saturating_sub(keep))
                .execute(&run.shared.writer)
                .await;
            if let Err(e) = cleaned {
                tracing::warn!(queue = %run.queue, error = %e, "deleting old completed jobs failed");
            }
        }
    }
}

/// Takes back expired leases, then claims up to `limit` waiting jobs, oldest first (none while the
/// queue is paused).
async fn claim(run: &Run, limit: usize) -> Result<Vec<Claimed>, QueueError> {
    let now = now_ms();
    let lock_token = Uuid::new_v4().to_string();
    let mut tx = run.shared.writer.begin_with("BEGIN IMMEDIATE").await?;
    let failed = sqlx::query(
        "UPDATE jobs SET state = 'failed', stalls = stalls + 1, failed_reason = ?3, finished_at = ?1, \
                worker_id = NULL, lock_token = NULL, lease_until = NULL \
         WHERE queue = ?2 AND state = 'active' AND lease_until < ?1 AND stalls >= ?4",
    )
    .bind(now)
    .bind(&run.queue)
    .bind(STALLED_REASON)
    .bind(i64::from(run.options.max_stalls))
    .execute(&mut *tx)
    .await?;
    let requeued = sqlx::query(
        "UPDATE jobs SET state = 'waiting', stalls = stalls + 1, run_at = ?1, \
                worker_id = NULL, lock_token = NULL, lease_until = NULL \
         WHERE queue = ?2 AND state = 'active' AND lease_until < ?1",
    )
    .bind(now)
    .bind(&run.queue)
    .execute(&mut *tx)
    .await?;
    if failed.rows_affected() + requeued.rows_affected() > 0 {
        tracing::warn!(
            queue = %run.queue,
            redelivered = requeued.rows_affected(),
            failed = failed.rows_affected(),
            "took back jobs whose worker stopped renewing its lease"
        );
    }
    let lease_until = now.saturating_add(millis(run.options.lock_duration));
    let mut rows: Vec<(i64, String, String, String, i64, i64, i64)> = sqlx::query_as(
        "UPDATE jobs SET state = 'active', worker_id = ?3, lock_token = ?4, lease_until = ?5 \
         WHERE seq IN (SELECT seq FROM jobs WHERE queue = ?2 AND state = 'waiting' AND run_at <= ?1 \
                         AND NOT EXISTS (SELECT 1 FROM paused_queues WHERE queue = ?2) \
                       ORDER BY seq LIMIT ?6) \
         RETURNING seq, id, name, data, attempts_made, attempts, backoff_ms",
    )
    .bind(now)
    .bind(&run.queue)
    .bind(&run.worker_id)
    .bind(&lock_token)
    .bind(lease_until)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    rows.sort_by_key(|row| row.0);
    Ok(rows
        .into_iter()
        .map(|(seq, id, name, data, attempts_made, attempts, backoff_ms)| Claimed {
            seq,
            id,
            name,
            data,
            attempts_made,
            attempts,
            backoff_ms,
            lock_token: lock_token.clone(),
        })
        .collect())
}

/// Runs one claimed job and records how it ended.
async fn process(run: Arc<Run>, claimed: Claimed, _slot: OwnedSemaphorePermit) {
    let outcome = match serde_json::from_str(&claimed.data) {
        Ok(data) => {
            let job = Job {
                id: claimed.id.clone(),
                name: claimed.name.clone(),
                data,
                attempt: to_u32(claimed.attempts_made) + 1,
            };
            run_processor(run.processor.as_ref(), job).await
        }
        Err(e) => Err(Failure::Unrecoverable(format!("stored data is not JSON: {e}"))),
    };
    match finish(&run, &claimed, outcome).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            queue = %run.queue,
            job = %claimed.id,
            "job lost its lease before it finished; another worker has taken it"
        ),
        // The lease will expire and the job run again.
        Err(e) => tracing::warn!(queue = %run.queue, job = %claimed.id, error = %e, "recording a finished job failed"),
    }
}

/// Completes the job, schedules its retry, or fails it; `false` when its lease was lost meanwhile.
async fn finish(run: &Run, claimed: &Claimed, outcome: Result<(), Failure>) -> Result<bool, QueueError> {
    let now = now_ms();
    let made = claimed.attempts_made + 1;
    let (state, reason, run_at, finished_at) = match outcome {
        Ok(()) => ("completed", None, now, Some(now)),
        Err(Failure::Retryable(reason)) if made < claimed.attempts => {
            // `backoff × 2^(attempt-1)`, as BullMQ's exponential strategy; attempts are at most 30.
            let delay = claimed.backoff_ms.saturating_mul(1_i64 << (made - 1).clamp(0, 62));
            ("waiting", Some(reason), now.saturating_add(delay), None)
        }
        Err(Failure::Retryable(reason) | Failure::Unrecoverable(reason)) => ("failed", Some(reason), now, Some(now)),
    };
    if let Some(reason) = &reason {
        tracing::info!(queue = %run.queue, job = %claimed.id, attempt = made, %state, %reason, "job attempt failed");
    }
    // A completed job keeps the reason of its last failed attempt, as in BullMQ.
    let done = sqlx::query(
        "UPDATE jobs SET state = ?1, attempts_made = attempts_made + 1, \
                failed_reason = COALESCE(?2, failed_reason), run_at = ?3, finished_at = ?4, \
                worker_id = NULL, lock_token = NULL, lease_until = NULL \
         WHERE seq = ?5 AND lock_token = ?6 AND state = 'active'",
    )
    .bind(state)
    .bind(reason)
    .bind(run_at)
    .bind(finished_at)
    .bind(claimed.seq)
    .bind(&claimed.lock_token)
    .execute(&run.shared.writer)
    .await?;
    Ok(done.rows_affected() == 1)
}
