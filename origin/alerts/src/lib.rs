//! Alerts to Slack, through a durable queue.
//!
//! A service that notices trouble (a job failed for good, a spike of refused signatures, a backlog
//! of events, a dependency down) calls [`raise`] with an [`Alert`]. That only enqueues a job on
//! [`ALERTS_QUEUE`]; the worker started by [`start_worker`] posts it to Slack's incoming webhook
//! (`SLACK_WEBHOOK_URL`, see [`SlackConfig`]).
//!
//! - **De-duplicated and rate-limited**: the job's id is made of the alert's kind, its key and the
//!   window it was raised in (`now_ms / window`, windows aligned to the Unix epoch). Raising the same
//!   alert again in the same window adds nothing, so it is posted once; the next window may post it
//!   again. At most two posts per kind and key fall within any span of one window length (one each
//!   side of a boundary). De-duplication lasts as long as the queue keeps the job: completed jobs for
//!   [`zelly_queue::WorkerOptions::keep_completed`] (a day), so windows should be shorter than that.
//! - **Nothing lost in a Slack outage**: a failed post is retried with doubling delays
//!   ([`RetryPolicy::default`]: 16 attempts from 2 s, the last about 18 hours after the first), and
//!   the queue is durable, so an alert raised while Slack is down is posted once it is back.
//!   An answer that retrying cannot change (a 4xx other than 429: a revoked or mistyped webhook)
//!   fails the job at once; it stays in the queue's failed jobs with Slack's answer.
//! - **Without a webhook** (dev, tests) the worker logs each alert (`warn`) and completes it.
//!
//! [`SpikeDetector`] turns a stream of occurrences (refused payment or Shopify webhook signatures)
//! into one alert when they bunch up.
//!
//! # Job data
//! `{"kind": "job_failed", "key": "...", "title": "...", "detail": "...", "raised_at_ms": 1700000000000}`,
//! named after the kind.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod slack;
mod spike;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::time::Duration;
use zelly_queue::{NewJob, QueueError, Queues};

pub use slack::{slack_text, start_worker, SlackConfig, DEFAULT_TIMEOUT};
pub use spike::SpikeDetector;

/// The queue of alerts waiting to be posted to Slack.
pub const ALERTS_QUEUE: &str = "alerts";

/// A window that suits most alerts: the same alert is posted at most once every 15 minutes.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Attempts of an alert's post by default: with [`DEFAULT_BACKOFF`] doubling, the last comes about
/// 18 hours after the first, so an outage of Slack (or of our network) that long loses nothing.
pub const DEFAULT_ATTEMPTS: u32 = 16;

/// The first retry delay of an alert's post by default; it doubles on every retry.
pub const DEFAULT_BACKOFF: Duration = Duration::from_secs(2);

/// What sort of trouble an alert reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A queue job failed for good (key: queue and job id).
    JobFailed,
    /// Many refused payment or Shopify webhook signatures in a short time (key: the source).
    SignatureSpike,
    /// Storefront events pile up unprocessed (key: the queue).
    EventsBacklog,
    /// A dependency (database, Redis, ClickHouse, an external API) does not answer (key: its name).
    DependencyDown,
}

impl AlertKind {
    /// Its name in job ids, job data and messages: `job_failed`, `signature_spike`,
    /// `events_backlog` or `dependency_down`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::JobFailed => "job_failed",
            Self::SignatureSpike => "signature_spike",
            Self::EventsBacklog => "events_backlog",
            Self::DependencyDown => "dependency_down",
        }
    }
}

impl std::fmt::Display for AlertKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One piece of trouble to tell the team about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// What sort of trouble.
    pub kind: AlertKind,
    /// What it is about, for de-duplication: e.g. `SHOPIFY_WEBHOOK/evt-42` or `clickhouse`.
    /// Any text; it is hashed into the job id.
    pub key: String,
    /// One line saying what is wrong.
    pub title: String,
    /// The details: the error, counts, what to look at.
    pub detail: String,
}

impl Alert {
    /// An alert of `kind` about `key`.
    pub fn new(kind: AlertKind, key: impl Into<String>, title: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { kind, key: key.into(), title: title.into(), detail: detail.into() }
    }
}

/// How often and how patiently an alert's post is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times the post may be tried (1 to [`zelly_queue::MAX_ATTEMPTS`]).
    pub attempts: u32,
    /// The first retry delay; it doubles on every retry.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    /// [`DEFAULT_ATTEMPTS`] from [`DEFAULT_BACKOFF`].
    fn default() -> Self {
        Self { attempts: DEFAULT_ATTEMPTS, backoff: DEFAULT_BACKOFF }
    }
}

/// What [`raise`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raised {
    /// The alert's job id on [`ALERTS_QUEUE`] for this window.
    pub job_id: String,
    /// Whether this call queued it; `false` when the queue already held it (raised before in the
    /// same window). Two raises racing in different processes may both say `true`, yet the queue
    /// still holds, and posts, one job.
    pub queued: bool,
}

/// The job's payload, as the worker reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct AlertJob {
    /// The kind's name; a string so that kinds added later are still posted by older workers.
    pub kind: String,
    pub key: String,
    pub title: String,
    pub detail: String,
    pub raised_at_ms: u64,
}

/// The job id of `alert` raised at `now_ms` with de-duplication `window`:
/// `alert-{kind}-{hash}-{window index}`, where the hash covers the key and the window's length, so
/// any key makes a valid id (no `:`, never an integer). Fails for a window under 1 ms.
pub fn job_id(alert: &Alert, now_ms: u64, window: Duration) -> Result<String, QueueError> {
    let window_ms = u64::try_from(window.as_millis()).unwrap_or(u64::MAX);
    if window_ms == 0 {
        return Err(QueueError::Invalid("alert window: must be at least 1 ms".into()));
    }
    let hash = Sha256::digest(format!("{}\n{window_ms}", alert.key).as_bytes());
    let hash = hex::encode(&hash[..12]);
    Ok(format!("alert-{}-{hash}-{}", alert.kind, now_ms / window_ms))
}

/// Queues `alert` for Slack unless it was already raised in the same `window` (see the crate docs),
/// with the default [`RetryPolicy`]. `now_ms` is the time in Unix milliseconds.
pub async fn raise(queues: &dyn Queues, alert: &Alert, now_ms: u64, window: Duration) -> Result<Raised, QueueError> {
    raise_with(queues, alert, now_ms, window, RetryPolicy::default()).await
}

/// [`raise`] with a chosen retry policy (tests use a short backoff).
pub async fn raise_with(
    queues: &dyn Queues,
    alert: &Alert,
    now_ms: u64,
    window: Duration,
    retry: RetryPolicy,
) -> Result<Raised, QueueError> {
    let id = job_id(alert, now_ms, window)?;
    if queues.status(ALERTS_QUEUE, &id).await?.is_some() {
        tracing::debug!(job_id = %id, title = %alert.title, "alert already raised in this window");
        return Ok(Raised { job_id: id, queued: false });
    }
    let data = AlertJob {
        kind: alert.kind.as_str().to_owned(),
        key: alert.key.clone(),
        title: alert.title.clone(),
        detail: alert.detail.clone(),
        raised_at_ms: now_ms,
    };
    let data = serde_json::to_value(&data).map_err(|e| QueueError::Invalid(format!("alert data: {e}")))?;
    let job = NewJob::new(alert.kind.as_str(), data).with_id(&id).with_retries(retry.attempts, retry.backoff);
    let job_id = queues.add(ALERTS_QUEUE, job).await?;
    tracing::info!(job_id = %job_id, kind = %alert.kind, title = %alert.title, "alert raised");
    Ok(Raised { job_id, queued: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(key: &str) -> Alert {
        Alert::new(AlertKind::DependencyDown, key, "ClickHouse is down", "connection refused")
    }

    #[test]
    fn the_job_id_changes_with_the_window_only() {
        let window = Duration::from_secs(60);
        let first = job_id(&alert("clickhouse"), 120_000, window).unwrap();
        assert_eq!(first, job_id(&alert("clickhouse"), 179_999, window).unwrap());
        assert_ne!(first, job_id(&alert("clickhouse"), 180_000, window).unwrap());
        assert_ne!(first, job_id(&alert("redis"), 120_000, window).unwrap());
        assert_ne!(first, job_id(&alert("clickhouse"), 120_000, Duration::from_secs(61)).unwrap());
        assert!(first.starts_with("alert-dependency_down-") && first.ends_with("-2"), "{first}");
    }

    #[test]
    fn any_key_makes_an_id_the_queues_accept() {
        let id = job_id(&alert("SHOPIFY_WEBHOOK:42 / évent"), 0, DEFAULT_WINDOW).unwrap();
        assert!(!id.contains(':') && id.parse::<i64>().is_err() && id.len() < 100, "{id}");
        assert!(job_id(&alert("x"), 0, Duration::ZERO).is_err());
        assert!(job_id(&alert("x"), u64::MAX, Duration::from_micros(1)).is_err());
    }

    #[test]
    fn the_default_policy_is_one_the_queues_accept() {
        let policy = RetryPolicy::default();
        assert!((1..=zelly_queue::MAX_ATTEMPTS).contains(&policy.attempts));
        // The last attempt comes after the sum of the delays before it: over half a day.
        let last_after = policy.backoff * ((1 << (policy.attempts - 1)) - 1);
        assert!(last_after > Duration::from_secs(12 * 60 * 60), "{last_after:?}");
    }

    #[test]
    fn kinds_are_named_in_snake_case() {
        assert_eq!(serde_json::to_value(AlertKind::SignatureSpike).unwrap(), "signature_spike");
        assert_eq!(AlertKind::EventsBacklog.to_string(), "events_backlog");
        assert_eq!(AlertKind::JobFailed.as_str(), "job_failed");
    }
}
