//! events-consumer (the seed's store-events-consumer): takes storefront events off the
//! `store-events` queue and stores them in batches in the analytics store (ClickHouse, or SQLite
//! when embedded).
//!
//! # How a job travels
//! 1. The worker takes a job and parses its data as a [`StoreEvent`]. Data that is not a valid
//!    event fails that job at once ([`Unrecoverable`]) with the reason; the rest of the queue and
//!    the rest of the batch go on.
//! 2. The event joins the current batch and the job *waits*: it stays active (its lock renewed)
//!    until the batch holding it is stored.
//! 3. A batch is stored when it holds [`Config::batch_size`] events (500) or
//!    [`Config::flush_interval`] (3 s) after its first event arrived, whichever comes first. Only
//!    then do its jobs complete.
//! 4. If storing fails (ClickHouse down), the batch is retried with a doubling delay capped at
//!    [`MAX_RETRY_DELAY`], its jobs still held. The worker holds at most two batches of jobs, so
//!    during an outage the rest simply wait in the queue: nothing is dropped and nothing piles up
//!    in memory.
//!
//! Delivery is at least once: a consumer killed after storing a batch but before completing its
//! jobs sees those jobs again once their locks expire. Storage is idempotent on `event_id` (see
//! `zelly-analytics`), so such a batch is counted once.
//!
//! # Shutdown
//! On SIGTERM or Ctrl-C the consumer stops taking jobs, stores what it holds at once, completes
//! those jobs and exits. If storage is down at that moment, the held jobs fail this attempt and are
//! retried by the next consumer (the intake gives each event job 20 attempts).

use anyhow::Context as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, Notify};
use zelly_analytics::{AnalyticsConfig, DynAnalytics};
use zelly_edge::events::{EventBatch, StoreEvent};
use zelly_queue::{DynQueues, Job, QueueConfig, Unrecoverable, WorkerOptions, STORE_EVENTS};

/// The longest wait between two attempts to store a batch while storage is down.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(15);

/// Everything the consumer reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the jobs come from (`REDIS_URL` / `REDIS_HOST`…, else embedded SQLite).
    pub queues: QueueConfig,
    /// Where events are stored (`CLICKHOUSE_HOST`…, else embedded SQLite).
    pub analytics: AnalyticsConfig,
    /// `EVENTS_BATCH_SIZE`: the most events stored at once (default 500).
    pub batch_size: usize,
    /// `EVENTS_FLUSH_INTERVAL_MS`: how long a batch may wait for more events (default 3000).
    pub flush_interval: Duration,
    /// `EVENTS_LOCK_DURATION_MS`: how long a dead consumer's jobs stay reserved before another
    /// consumer takes them (default 30000, BullMQ's).
    pub lock_duration: Duration,
    /// `EVENTS_ACK_DELAY_MS`, for fault-injection tests only: a pause between storing a batch and
    /// completing its jobs, to widen the window in which a killed consumer leaves stored but
    /// uncompleted jobs behind (default 0).
    pub ack_delay: Duration,
}

impl Config {
    /// Reads the configuration through `get` (the environment in production, a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String> + Copy) -> Result<Self, String> {
        let number = |name: &str, default: u64, range: std::ops::RangeInclusive<u64>| -> Result<u64, String> {
            match get(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(raw) => raw
                    .parse::<u64>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| format!("{name} must be a whole number from {} to {}, got {raw:?}", range.start(), range.end())),
            }
        };
        Ok(Self {
            queues: QueueConfig::from_lookup(get)?,
            analytics: AnalyticsConfig::from_lookup(get)?,
            batch_size: usize::try_from(number("EVENTS_BATCH_SIZE", 500, 1..=10_000)?).unwrap_or(500),
            flush_interval: Duration::from_millis(number("EVENTS_FLUSH_INTERVAL_MS", 3000, 10..=600_000)?),
            lock_duration: Duration::from_millis(number("EVENTS_LOCK_DURATION_MS", 30_000, 500..=600_000)?),
            ack_delay: Duration::from_millis(number("EVENTS_ACK_DELAY_MS", 0, 0..=600_000)?),
        })
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }
}

/// An event waiting in a batch, with the job that waits for it to be stored.
struct Pending {
    event: StoreEvent,
    stored: oneshot::Sender<Result<(), String>>,
}

/// Parses and checks a job's data; anything wrong fails the job for good, with the reason.
pub fn parse_event(job: &Job) -> Result<StoreEvent, Unrecoverable> {
    let event: StoreEvent = serde_json::from_value(job.data.clone())
        .map_err(|e| Unrecoverable(format!("malformed store event in job {}: {e}", job.id)))?;
    EventBatch { events: vec![event.event.clone()] }.validate().map_err(|fields| {
        let reasons: Vec<String> = fields.iter().map(|(f, m)| format!("{}: {m}", f.trim_start_matches("events[0]."))).collect();
        Unrecoverable(format!("invalid store event in job {}: {}", job.id, reasons.join("; ")))
    })?;
    Ok(event)
}

/// The batching half of the consumer, shared by every job the worker runs.
struct Batcher {
    sender: mpsc::UnboundedSender<Pending>,
    draining: Arc<AtomicBool>,
    wake: Arc<Notify>,
}

impl Batcher {
    /// Starts the task that groups events into batches and stores them.
    fn start(analytics: DynAnalytics, batch_size: usize, flush_interval: Duration, ack_delay: Duration) -> (Self, tokio::task::JoinHandle<()>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let draining = Arc::new(AtomicBool::new(false));
        let wake = Arc::new(Notify::new());
        let task = tokio::spawn(run_batches(
            receiver,
            BatchLoop { analytics, batch_size, flush_interval, ack_delay, draining: draining.clone(), wake: wake.clone() },
        ));
        (Self { sender, draining, wake }, task)
    }

    /// Hands an event to the current batch and waits until its batch is stored.
    async fn store(&self, event: StoreEvent) -> anyhow::Result<()> {
        let (stored, done) = oneshot::channel();
        self.sender.send(Pending { event, stored }).map_err(|_| anyhow::anyhow!("the consumer is shutting down"))?;
        match done.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(reason)) => Err(anyhow::anyhow!("batch not stored: {reason}")),
            Err(_) => Err(anyhow::anyhow!("the consumer stopped before storing the batch")),
        }
    }

    /// From now on, stores whatever is held at once instead of waiting for fuller batches, and
    /// gives up on storage after one failed attempt.
    fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }
}

struct BatchLoop {
    analytics: DynAnalytics,
    batch_size: usize,
    flush_interval: Duration,
    ack_delay: Duration,
    draining: Arc<AtomicBool>,
    wake: Arc<Notify>,
}

async fn run_batches(mut receiver: mpsc::UnboundedReceiver<Pending>, batch: BatchLoop) {
    while let Some(first) = receiver.recv().await {
        let mut held = vec![first];
        let deadline = tokio::time::Instant::now() + batch.flush_interval;
        while held.len() < batch.batch_size && !batch.draining.load(Ordering::SeqCst) {
            tokio::select! {
                next = receiver.recv() => match next {
                    Some(pending) => held.push(pending),
                    None => break,
                },
                () = tokio::time::sleep_until(deadline) => break,
                () = batch.wake.notified() => {}
            }
        }
        store_batch(&batch, held).await;
    }
}

/// Stores one batch, retrying while storage is down, then releases its jobs.
async fn store_batch(batch: &BatchLoop, held: Vec<Pending>) {
    let events: Vec<StoreEvent> = held.iter().map(|p| p.event.clone()).collect();
    let started = Instant::now();
    let mut delay = Duration::from_millis(250);
    let outcome = loop {
        match batch.analytics.insert(&events).await {
            Ok(()) => break Ok(()),
            Err(err) => {
                let reason = err.to_string();
                if batch.draining.load(Ordering::SeqCst) {
                    tracing::error!(events = events.len(), %reason, "cannot store the batch while shutting down; its jobs will be retried");
                    break Err(reason);
                }
                tracing::warn!(events = events.len(), %reason, retry_in_ms = delay.as_millis() as u64, "cannot store the batch; holding its jobs and retrying");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = batch.wake.notified() => {}
                }
                delay = (delay * 2).min(MAX_RETRY_DELAY);
            }
        }
    };
    if outcome.is_ok() {
        tracing::info!(events = events.len(), ms = started.elapsed().as_millis() as u64, "batch stored");
        if !batch.ack_delay.is_zero() {
            tokio::time::sleep(batch.ack_delay).await;
        }
    }
    for pending in held {
        // A job whose worker gave up waiting is simply gone; its event is stored regardless.
        let _ = pending.stored.send(outcome.clone());
    }
}

/// A running consumer.
pub struct Consumer {
    worker: zelly_queue::Worker,
    batcher: Arc<Batcher>,
    batches: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Consumer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer").finish_non_exhaustive()
    }
}

impl Consumer {
    /// Starts consuming `store-events` from `queues` into `analytics`.
    pub async fn start(queues: &DynQueues, analytics: DynAnalytics, config: &Config) -> anyhow::Result<Self> {
        let (batcher, batches) = Batcher::start(analytics, config.batch_size, config.flush_interval, config.ack_delay);
        let batcher = Arc::new(batcher);
        let processor = {
            let batcher = batcher.clone();
            move |job: Job| {
                let batcher = batcher.clone();
                async move {
                    let event = match parse_event(&job) {
                        Ok(event) => event,
                        Err(bad) => {
                            tracing::warn!(job = %job.id, reason = %bad, "refusing a malformed event");
                            return Err(bad.into());
                        }
                    };
                    batcher.store(event).await
                }
            }
        };
        let options = WorkerOptions {
            // Room for one batch filling while the previous one is being stored.
            concurrency: config.batch_size * 2,
            lock_duration: config.lock_duration,
            stalled_interval: config.lock_duration,
            // A job whose consumer was killed is redelivered; it is deduplicated downstream, so
            // a few stalls are harmless.
            max_stalls: 5,
            // Deduplication of publishing only needs the ids for as long as a producer might retry.
            keep_completed: Duration::from_secs(60 * 60),
        };
        let worker = queues
            .start_worker(STORE_EVENTS, Arc::new(processor), options)
            .await
            .context("cannot start the store-events worker")?;
        Ok(Self { worker, batcher, batches })
    }

    /// Stores what is held, completes those jobs and stops, waiting at most `timeout`.
    pub async fn shutdown(self, timeout: Duration) -> anyhow::Result<()> {
        self.batcher.drain();
        self.worker.shutdown(timeout).await.context("stopping the store-events worker")?;
        drop(self.batcher);
        // Every job has been answered; the batch task ends once the last sender is gone.
        let _ = tokio::time::timeout(Duration::from_secs(5), self.batches).await;
        Ok(())
    }
}

/// Connects the analytics store, retrying with a capped doubling delay until it answers (a
/// consumer started before ClickHouse waits for it), unless `stop` resolves first.
pub async fn connect_analytics(config: &AnalyticsConfig, stop: impl std::future::Future<Output = ()>) -> anyhow::Result<DynAnalytics> {
    tokio::pin!(stop);
    let mut delay = Duration::from_millis(500);
    loop {
        match zelly_analytics::connect(config).await {
            Ok(store) => return Ok(store),
            Err(err) => {
                tracing::warn!(%err, retry_in_ms = delay.as_millis() as u64, "analytics store not ready");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = &mut stop => anyhow::bail!("stopped while waiting for the analytics store: {err}"),
                }
                delay = (delay * 2).min(MAX_RETRY_DELAY);
            }
        }
    }
}

/// Runs the consumer until SIGTERM or Ctrl-C, then drains and exits.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let queues = zelly_queue::connect(&config.queues).await.context("cannot connect the queues")?;
    let signal = Arc::new(Notify::new());
    {
        let signal = signal.clone();
        tokio::spawn(async move {
            zelly_service::shutdown_signal().await;
            signal.notify_one();
        });
    }
    let analytics = connect_analytics(&config.analytics, signal.notified()).await?;
    tracing::info!(
        queues = queues.backend(),
        analytics = analytics.backend(),
        batch_size = config.batch_size,
        flush_interval_ms = config.flush_interval.as_millis() as u64,
        "consuming store-events"
    );
    let consumer = Consumer::start(&queues, analytics, &config).await?;
    signal.notified().await;
    tracing::info!("shutting down: storing held events");
    consumer.shutdown(Duration::from_secs(30)).await?;
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_seeds_500_events_or_3_seconds() {
        let c = config(&[]).unwrap();
        assert_eq!((c.batch_size, c.flush_interval), (500, Duration::from_secs(3)));
        assert!(c.ack_delay.is_zero());
    }

    #[test]
    fn bad_numbers_are_named() {
        let err = config(&[("EVENTS_BATCH_SIZE", "0")]).unwrap_err();
        assert!(err.contains("EVENTS_BATCH_SIZE"), "{err}");
        let err = config(&[("EVENTS_FLUSH_INTERVAL_MS", "soon")]).unwrap_err();
        assert!(err.contains("EVENTS_FLUSH_INTERVAL_MS"), "{err}");
    }

    #[test]
    fn malformed_job_data_is_refused_with_its_reason() {
        let job = |data: serde_json::Value| Job { id: "j1".into(), name: "page_view".into(), data, attempt: 1 };
        let err = parse_event(&job(serde_json::json!({ "kind": "page_view" }))).unwrap_err();
        assert!(err.0.contains("malformed") && err.0.contains("j1"), "{err}");
        let bad_kind = serde_json::json!({
            "event_id": uuid::Uuid::from_u128(1), "tenant_id": uuid::Uuid::from_u128(2), "received_at_ms": 1,
            "kind": "product_view", "session_id": "s", "path": "/p"
        });
        let err = parse_event(&job(bad_kind)).unwrap_err();
        assert!(err.0.contains("product_id"), "{err}");
    }
}
