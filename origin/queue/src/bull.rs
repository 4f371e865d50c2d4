//! BullMQ over Redis, through `bullmq-official`: the production backend, wire-compatible with the
//! `bullmq` npm package.

use crate::{
    run_processor, validate_job_ref, validate_queue_name, DynProcessor, FailedJob, Failure, Job, JobCounts, JobState,
    JobStatus, NewJob, QueueError, Queues, RedisConfig, StopWorker, Worker, WorkerOptions,
};
use async_trait::async_trait;
use bullmq::options::RedisConnectionOptions;
use bullmq::redis_connection::RedisConnection;
use bullmq::types::{BackoffStrategy, KeepJobs, RemoveOnFinish};
use bullmq::{BulkJob, JobOptions, Queue, QueueOptions, RetryOptions};
use bullmq::worker::WorkerEvent;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// The oldest Redis that BullMQ's scripts support.
const MIN_REDIS: (u32, u32) = (6, 2);

/// How long an idle worker blocks on Redis before looking again; it is also the longest a
/// graceful shutdown of an idle worker waits (BullMQ's default of 5 s makes shutdowns slow).
const DRAIN_DELAY: Duration = Duration::from_secs(1);

/// How long start-up may take to reach Redis. The connection would otherwise keep retrying for
/// well over 30 s, and a service is better off failing with a clear message (and restarting).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// BullMQ queues on one Redis server.
pub struct BullQueues {
    connection: RedisConnectionOptions,
    /// Shared by every producer-side [`Queue`] (it multiplexes); workers open their own.
    conn: RedisConnection,
    prefix: String,
    queues: Mutex<HashMap<String, Queue>>,
}

impl std::fmt::Debug for BullQueues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BullQueues").field("connection", &self.connection).field("prefix", &self.prefix).finish()
    }
}

impl BullQueues {
    /// Connects and checks that the server can hold BullMQ queues safely: Redis 6.2 or newer, with
    /// `maxmemory-policy noeviction`. Otherwise [`QueueError::UnsuitableServer`] names the problem
    /// and the fix.
    pub async fn connect(config: &RedisConfig) -> Result<Self, QueueError> {
        if config.prefix.is_empty() || config.prefix.contains(':') {
            return Err(QueueError::Invalid(format!("prefix {:?}: must be non-empty and without ':'", config.prefix)));
        }
        if config.url.expose().starts_with("rediss://") {
            // The redis crate builds its TLS config from rustls' process-wide provider. rustls
            // picks one by itself only when exactly one is compiled in, so name ring (the
            // workspace's) in case another crate brings aws-lc-rs. An error means one is set.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let connection = RedisConnectionOptions::new().url(config.url.expose());
        let connect_and_check = async {
            let conn = RedisConnection::new_managed_only(&connection).await?;
            check_server(&conn).await?;
            Ok::<_, QueueError>(conn)
        };
        let conn = tokio::time::timeout(CONNECT_TIMEOUT, connect_and_check).await.map_err(|_| {
            QueueError::Unreachable(format!(
                "no answer from Redis at {} within {CONNECT_TIMEOUT:?}",
                without_password(config.url.expose())
            ))
        })??;
        Ok(Self { connection, conn, prefix: config.prefix.clone(), queues: Mutex::new(HashMap::new()) })
    }

    /// The producer for `name`, created on first use (which writes the queue's meta key).
    async fn queue(&self, name: &str) -> Result<Queue, QueueError> {
        validate_queue_name(name)?;
        let mut queues = self.queues.lock().await;
        if let Some(queue) = queues.get(name) {
            return Ok(queue.clone());
        }
        let options = QueueOptions::new().connection(self.connection.clone()).prefix(&self.prefix);
        let queue = Queue::with_connection(name, self.conn.clone(), options).await?;
        queues.insert(name.to_owned(), queue.clone());
        Ok(queue)
    }
}

/// Moves a failed job back to waiting with all its attempts again; `false` if it is not failed.
async fn retry_failed_job(producer: &Queue, job_id: &str) -> Result<bool, QueueError> {
    let Some(mut job) = producer.get_job(job_id).await? else { return Ok(false) };
    // Node's `job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true })`.
    let options = RetryOptions { reset_attempts_made: true, reset_attempts_started: true };
    match job.retry("failed", Some(options)).await {
        Ok(()) => Ok(true),
        // The script refuses a job that is not in the failed set (or is gone) with an error code;
        // the job's state tells that case from a real failure.
        Err(e) => match producer.get_job_state(job_id).await? {
            bullmq::JobState::Failed => Err(e.into()),
            _ => Ok(false),
        },
    }
}

/// What every job carries in Redis: its retry policy, and its id when the caller chose one.
fn job_options(job: &NewJob) -> JobOptions {
    let options = JobOptions::new().attempts(job.attempts).backoff(BackoffStrategy::Exponential(job.backoff_ms()));
    match &job.id {
        Some(id) => options.job_id(id),
        None => options,
    }
}

#[async_trait]
impl Queues for BullQueues {
    fn backend(&self) -> &'static str {
        "bullmq"
    }

    #[tracing::instrument(skip_all, fields(queue = %queue, job = %job.name))]
    async fn add(&self, queue: &str, job: NewJob) -> Result<String, QueueError> {
        job.validate()?;
        let producer = self.queue(queue).await?;
        let options = job_options(&job);
        let added = producer.add(&job.name, job.data).options(options).await?;
        Ok(added.id().to_owned())
    }

    #[tracing::instrument(skip_all, fields(queue = %queue, count = jobs.len()))]
    async fn add_bulk(&self, queue: &str, jobs: Vec<NewJob>) -> Result<Vec<String>, QueueError> {
        for job in &jobs {
            job.validate()?;
        }
        let producer = self.queue(queue).await?;
        let bulk = jobs
            .into_iter()
            .map(|job| {
                let options = job_options(&job);
                BulkJob::with_options(job.name, job.data, options)
            })
            .collect();
        let added = producer.add_bulk(bulk).await?;
        Ok(added.iter().map(|job| job.id().to_owned()).collect())
    }

    async fn status(&self, queue: &str, job_id: &str) -> Result<Option<JobStatus>, QueueError> {
        let producer = self.queue(queue).await?;
        let Some(job) = producer.get_job(job_id).await? else { return Ok(None) };
        let state = match producer.get_job_state(job_id).await? {
            bullmq::JobState::Waiting | bullmq::JobState::Prioritized | bullmq::JobState::WaitingChildren => {
                JobState::Waiting
            }
            bullmq::JobState::Delayed => JobState::Delayed,
            bullmq::JobState::Active => JobState::Active,
            bullmq::JobState::Completed => JobState::Completed,
            bullmq::JobState::Failed => JobState::Failed,
            // Removed between the two reads.
            bullmq::JobState::Unknown => return Ok(None),
        };
        let failed_reason = Some(job.failed_reason()).filter(|r| !r.is_empty()).map(str::to_owned);
        Ok(Some(JobStatus { state, attempts_made: job.attempts_made(), failed_reason }))
    }

    async fn counts(&self, queue: &str) -> Result<JobCounts, QueueError> {
        let counts = self.queue(queue).await?.get_job_counts().await?;
        Ok(JobCounts {
            waiting: counts.waiting + counts.prioritized + counts.paused + counts.waiting_children,
            delayed: counts.delayed,
            active: counts.active,
            completed: counts.completed,
            failed: counts.failed,
        })
    }

    async fn failed_jobs(&self, queue: &str, offset: u64, limit: u64) -> Result<Vec<FailedJob>, QueueError> {
        let producer = self.queue(queue).await?;
        if limit == 0 {
            return Ok(Vec::new());
        }
        // The failed set is scored by `finishedOn`; BullMQ reads it newest first.
        let start = i64::try_from(offset).unwrap_or(i64::MAX);
        let end = start.saturating_add(i64::try_from(limit - 1).unwrap_or(i64::MAX));
        let jobs = producer.get_failed(start, end).await?;
        Ok(jobs
            .iter()
            .map(|job| FailedJob {
                id: job.id().to_owned(),
                name: job.name().to_owned(),
                data: job.data().clone(),
                attempts_made: job.attempts_made(),
                failed_reason: job.failed_reason().to_owned(),
                failed_at_ms: job.finished_on().unwrap_or(0),
                added_at_ms: job.timestamp(),
            })
            .collect())
    }

    #[tracing::instrument(skip_all, fields(queue = %queue, job = %job_id))]
    async fn retry_failed(&self, queue: &str, job_id: &str) -> Result<bool, QueueError> {
        validate_job_ref(job_id)?;
        let producer = self.queue(queue).await?;
        retry_failed_job(&producer, job_id).await
    }

    #[tracing::instrument(skip_all, fields(queue = %queue))]
    async fn retry_all_failed(&self, queue: &str) -> Result<u64, QueueError> {
        let producer = self.queue(queue).await?;
        // One job at a time, as the port's `retry_jobs` (`moveJobsToWait`) keeps `attemptsMade`
        // and does not say how many jobs it moved. The ids are read first, so that jobs failing
        // again meanwhile are not retried twice.
        let ids = producer.get_ranges(&["failed"], 0, -1, true).await?;
        let mut moved = 0;
        for id in ids {
            if retry_failed_job(&producer, &id).await? {
                moved += 1;
            }
        }
        Ok(moved)
    }

    #[tracing::instrument(skip_all, fields(queue = %queue, job = %job_id))]
    async fn remove_job(&self, queue: &str, job_id: &str) -> Result<bool, QueueError> {
        validate_job_ref(job_id)?;
        let producer = self.queue(queue).await?;
        // The port's `remove` also answers `true` for a job that does not exist.
        if producer.get_job(job_id).await?.is_none() {
            return Ok(false);
        }
        // `false`: the job's lock is held, i.e. a worker is running it.
        if producer.remove(job_id).await? { Ok(true) } else { Err(QueueError::JobActive(job_id.to_owned())) }
    }

    #[tracing::instrument(skip_all, fields(queue = %queue))]
    async fn pause(&self, queue: &str) -> Result<(), QueueError> {
        // Sets `paused` in the queue's meta key, which every worker's `moveToActive` reads.
        Ok(self.queue(queue).await?.pause().await?)
    }

    #[tracing::instrument(skip_all, fields(queue = %queue))]
    async fn resume(&self, queue: &str) -> Result<(), QueueError> {
        Ok(self.queue(queue).await?.resume().await?)
    }

    async fn is_paused(&self, queue: &str) -> Result<bool, QueueError> {
        Ok(self.queue(queue).await?.is_paused().await?)
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
        let keep_completed = KeepJobs { age: Some(options.keep_completed.as_secs().max(1)), count: None, limit: None };
        let bull_options = bullmq::WorkerOptions::new()
            .connection(self.connection.clone())
            .prefix(&self.prefix)
            .concurrency(options.concurrency)
            .lock_duration(options.lock_duration)
            .stalled_interval(options.stalled_interval)
            .max_stalled_count(options.max_stalls)
            .drain_delay(DRAIN_DELAY)
            // `KeepJobs::age` is documented in milliseconds, but BullMQ's script reads seconds.
            .remove_on_complete(RemoveOnFinish::Options(keep_completed));
        let keys = bullmq::QueueKeys::new(queue, Some(&self.prefix));
        let conn = self.conn.clone();
        let run = move |job: bullmq::Job, _cancel| {
            let (processor, conn) = (processor.clone(), conn.clone());
            let job_key = keys.job_key(job.id());
            let job = Job {
                id: job.id().to_owned(),
                name: job.name().to_owned(),
                data: job.data().clone(),
                attempt: job.attempts_made() + 1,
            };
            async move {
                let failure = match run_processor(processor.as_ref(), job).await {
                    Ok(()) => return Ok(serde_json::Value::Null),
                    Err(failure) => failure,
                };
                let message = match &failure {
                    Failure::Retryable(message) | Failure::Unrecoverable(message) => message,
                };
                // Node's worker records the reason of every failed attempt; the Rust port only
                // that of the last. Record it here, while this worker still holds the job's lock.
                let recorded = conn.cmd::<()>(redis::cmd("HSET").arg(&job_key).arg("failedReason").arg(message)).await;
                if let Err(e) = recorded {
                    tracing::warn!(job = %job_key, error = %e, "recording a failed attempt's reason failed");
                }
                Err(match failure {
                    Failure::Retryable(message) => bullmq::Error::ProcessingError(message),
                    Failure::Unrecoverable(message) => bullmq::Error::Unrecoverable(message),
                })
            }
        };
        let started = tokio::time::timeout(CONNECT_TIMEOUT, bullmq::Worker::with_options(queue, run, bull_options));
        let worker = Arc::new(started.await.map_err(|_| {
            QueueError::Unreachable(format!("the worker could not reach Redis within {CONNECT_TIMEOUT:?}"))
        })??);
        let events = tokio::spawn(log_events(worker.clone(), queue.to_owned()));
        Ok(Worker { inner: Box::new(BullWorker { worker, events }) })
    }
}

/// Reads the worker's events, logging the ones worth knowing. The port queues an event for every
/// job (and every idle second) in an unbounded channel, which grows for ever unless read.
async fn log_events(worker: Arc<bullmq::Worker>, queue: String) {
    while let Some(event) = worker.next_event().await {
        match event {
            WorkerEvent::Failed { job_id, error } => {
                tracing::info!(%queue, job = %job_id, %error, "job attempt failed");
            }
            WorkerEvent::Stalled { job_id } => {
                tracing::warn!(%queue, job = %job_id, "job's worker stopped renewing its lock; job redelivered");
            }
            WorkerEvent::Error(error) => tracing::warn!(%queue, %error, "worker error"),
            _ => {}
        }
    }
}

/// A running `bullmq` worker and the task reading its events.
struct BullWorker {
    worker: Arc<bullmq::Worker>,
    events: JoinHandle<()>,
}

impl Drop for BullWorker {
    /// Ends the event reader, whose reference would otherwise keep the worker alive; the
    /// worker's own `Drop` then asks it to stop.
    fn drop(&mut self) {
        self.events.abort();
    }
}

#[async_trait]
impl StopWorker for BullWorker {
    async fn stop(self: Box<Self>, timeout: Duration) -> Result<(), QueueError> {
        let timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        Ok(self.worker.close(timeout_ms).await?)
    }
}

/// Refuses a server that would lose jobs or cannot run BullMQ's scripts.
async fn check_server(conn: &RedisConnection) -> Result<(), QueueError> {
    let info: String = conn.cmd(redis::cmd("INFO").arg("server")).await?;
    // CONFIG is often disabled on managed Redis (ElastiCache, for one); INFO still tells.
    let policy = match conn.cmd::<Vec<String>>(redis::cmd("CONFIG").arg("GET").arg("maxmemory-policy")).await {
        Ok(pair) if pair.len() == 2 => PolicyReading::Config(pair[1].clone()),
        Ok(other) => PolicyReading::Unreadable(format!("CONFIG GET maxmemory-policy answered {other:?}")),
        Err(config_err) => {
            let memory: String = conn.cmd(redis::cmd("INFO").arg("memory")).await?;
            match info_field(&memory, "maxmemory_policy") {
                Some(policy) => {
                    tracing::info!(error = %config_err, "CONFIG is disabled on this Redis; read maxmemory_policy from INFO");
                    PolicyReading::Config(policy.to_owned())
                }
                None => PolicyReading::Unreadable(format!(
                    "CONFIG is disabled on this server ({config_err}) and INFO memory has no maxmemory_policy"
                )),
            }
        }
    };
    judge_server(&info, &policy).map_err(QueueError::UnsuitableServer)
}

/// What the server said about its eviction policy.
#[derive(Debug)]
enum PolicyReading {
    /// The policy's name.
    Config(String),
    /// Why it could not be read.
    Unreadable(String),
}

/// The start-up verdict on a server, from `INFO server` and its eviction policy: `Err` names the
/// problem and the fix.
fn judge_server(info_server: &str, policy: &PolicyReading) -> Result<(), String> {
    let version = info_field(info_server, "redis_version").ok_or("INFO server has no redis_version")?;
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let major_minor = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if major_minor < MIN_REDIS {
        return Err(format!(
            "Redis {version} is too old for BullMQ, which needs Redis 6.2 or newer: upgrade the server \
             (Debian 12's redis-server is 7.0)"
        ));
    }
    match policy {
        PolicyReading::Config(policy) if policy == "noeviction" => Ok(()),
        PolicyReading::Config(policy) => Err(format!(
            "Redis maxmemory-policy is {policy}, but BullMQ needs noeviction: with any other policy Redis \
             may evict queue keys when memory runs short and jobs are lost without a trace. Fix: \
             `redis-cli CONFIG SET maxmemory-policy noeviction` and `maxmemory-policy noeviction` in \
             redis.conf (on a managed Redis, in its parameter group)"
        )),
        PolicyReading::Unreadable(why) => Err(format!(
            "cannot check Redis maxmemory-policy ({why}); BullMQ needs noeviction. Fix: allow CONFIG GET \
             for this user, or make sure the policy is noeviction and that INFO memory reports it"
        )),
    }
}

/// The URL without its user and password, fit for an error message.
fn without_password(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.rsplit_once('@').map_or(rest, |(_, host)| host)),
        None => "(unparsable URL)".into(),
    }
}

/// A `field:value` line of an `INFO` answer.
fn info_field<'a>(info: &'a str, field: &str) -> Option<&'a str> {
    info.lines().find_map(|line| line.strip_prefix(field)?.strip_prefix(':')).map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO_7: &str = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n";

    #[test]
    fn error_messages_show_the_redis_host_but_not_the_password() {
        assert_eq!(without_password("redis://:s3cret@cache:6379/0"), "redis://cache:6379/0");
        assert_eq!(without_password("rediss://user:p@ss@cache:6380"), "rediss://cache:6380");
        assert_eq!(without_password("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }

    #[test]
    fn a_current_redis_with_noeviction_is_accepted() {
        assert_eq!(judge_server(INFO_7, &PolicyReading::Config("noeviction".into())), Ok(()));
        let info_62 = "redis_version:6.2.0\r\n";
        assert_eq!(judge_server(info_62, &PolicyReading::Config("noeviction".into())), Ok(()));
    }

    #[test]
    fn a_redis_older_than_6_2_is_refused_with_its_version() {
        let err = judge_server("redis_version:6.0.16\r\n", &PolicyReading::Config("noeviction".into())).unwrap_err();
        assert!(err.contains("Redis 6.0.16 is too old") && err.contains("6.2 or newer"), "{err}");
    }

    #[test]
    fn an_evicting_policy_is_refused_with_the_fix() {
        let err = judge_server(INFO_7, &PolicyReading::Config("allkeys-lru".into())).unwrap_err();
        assert!(err.contains("maxmemory-policy is allkeys-lru"), "{err}");
        assert!(err.contains("CONFIG SET maxmemory-policy noeviction"), "{err}");
    }

    #[test]
    fn a_policy_that_cannot_be_read_says_why() {
        let err = judge_server(INFO_7, &PolicyReading::Unreadable("CONFIG is disabled on this server".into()))
            .unwrap_err();
        assert!(err.contains("CONFIG is disabled") && err.contains("needs noeviction"), "{err}");
    }
}
