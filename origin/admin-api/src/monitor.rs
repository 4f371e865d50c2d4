//! The alert monitor: every so often it looks at the queues and the database and raises alerts
//! (see `zelly_alerts`), which the `alerts` queue's worker posts to Slack.
//!
//! - **Jobs that failed for good**: one alert per failure, keyed by queue, job and failure time,
//!   so a job is reported once however often the monitor looks (and again only if it fails again
//!   after a retry). Past [`MAX_JOB_ALERTS`] in one look, the rest become one summary alert.
//! - **The events backlog**: `store-events` waiting past the bound.
//! - **A dependency unreachable**: PostgreSQL (the store), Redis (the queues) or ClickHouse (the
//!   analytics store). When the queues
//!   themselves are down the alert cannot be queued, so it is logged as an error.

use std::time::Duration;
use zelly_alerts::{Alert, AlertKind};
use zelly_queue::DynQueues;
use zelly_store::DynStore;

/// Individual job alerts per queue per look; more become one summary.
pub const MAX_JOB_ALERTS: usize = 5;
/// Failures older than this are not reported (they were when they happened, or predate the
/// monitor), which also keeps them within the alert queue's deduplication.
pub const LOOKBACK_MS: u64 = 60 * 60 * 1000;
/// How long repeats of a backlog or dependency alert are held back.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(15 * 60);

/// What the monitor watches for.
#[derive(Debug, Clone)]
pub struct MonitorConfig {
    /// `ALERT_CHECK_SECONDS` (default 30): how often it looks.
    pub interval: Duration,
    /// `EVENTS_BACKLOG_ALERT` (default 10000): waiting `store-events` jobs that raise an alert.
    pub events_backlog: u64,
}

impl MonitorConfig {
    /// Reads the environment, naming the offending variable on error.
    pub fn from_env() -> Result<Self, String> {
        let number = |var: &str, default: u64| -> Result<u64, String> {
            match std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
                None => Ok(default),
                Some(raw) => raw.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| format!("{var} must be a positive whole number, got {raw:?}")),
            }
        };
        Ok(Self { interval: Duration::from_secs(number("ALERT_CHECK_SECONDS", 30)?), events_backlog: number("EVENTS_BACKLOG_ALERT", 10_000)? })
    }
}

fn now_ms() -> u64 {
    u64::try_from(zelly_service::now_ms()).unwrap_or(0)
}

async fn raise(queues: &DynQueues, alert: &Alert, at_ms: u64, window: Duration) {
    if let Err(err) = zelly_alerts::raise(queues.as_ref(), alert, at_ms, window).await {
        tracing::error!(kind = %alert.kind, title = %alert.title, detail = %alert.detail, "could not queue an alert: {err}");
    }
}

/// One look: raises what is wrong now.
pub async fn check(store: &DynStore, queues: &DynQueues, analytics: Option<&zelly_analytics::DynAnalytics>, config: &MonitorConfig) {
    let now = now_ms();
    if let Some(analytics) = analytics
        && let Err(err) = analytics.ping().await
    {
        let alert = Alert::new(
            AlertKind::DependencyDown,
            analytics.backend(),
            format!("The analytics store ({}) cannot be reached", analytics.backend()),
            format!("Storefront events wait in store-events until it is back: {err}"),
        );
        raise(queues, &alert, now, REPEAT_WINDOW).await;
    }
    if let Err(err) = store.staff_by_id(uuid::Uuid::nil()).await {
        let alert = Alert::new(AlertKind::DependencyDown, "postgresql", "The database cannot be reached", format!("admin-api's read failed: {err}"));
        raise(queues, &alert, now, REPEAT_WINDOW).await;
    }
    for queue in crate::queues::QUEUES.into_iter().filter(|q| *q != zelly_alerts::ALERTS_QUEUE) {
        let failed = match queues.failed_jobs(queue, 0, 50).await {
            Ok(failed) => failed,
            Err(err) => {
                tracing::error!(queue, "the queues cannot be read: {err}");
                let alert = Alert::new(AlertKind::DependencyDown, "redis", "The queue server cannot be reached", format!("reading {queue} failed: {err}"));
                raise(queues, &alert, now, REPEAT_WINDOW).await;
                return;
            }
        };
        let recent: Vec<_> = failed.into_iter().filter(|job| job.failed_at_ms + LOOKBACK_MS >= now).collect();
        for job in recent.iter().take(MAX_JOB_ALERTS) {
            let alert = Alert::new(
                AlertKind::JobFailed,
                format!("{queue}/{}/{}", job.id, job.failed_at_ms),
                format!("A {queue} job failed for good: {}", job.name),
                format!("Job {} failed after {} attempts: {}", job.id, job.attempts_made, job.failed_reason),
            );
            // Keyed by the failure's own time, so every look raises the same alert.
            raise(queues, &alert, job.failed_at_ms, Duration::from_secs(24 * 60 * 60)).await;
        }
        if recent.len() > MAX_JOB_ALERTS {
            let more = recent.len() - MAX_JOB_ALERTS;
            let alert = Alert::new(
                AlertKind::JobFailed,
                format!("{queue}/many"),
                format!("{more} more {queue} jobs failed for good"),
                "See the queues dashboard in admin-ui for each reason.".to_owned(),
            );
            raise(queues, &alert, now, REPEAT_WINDOW).await;
        }
    }
    match queues.counts(zelly_queue::STORE_EVENTS).await {
        Ok(counts) if counts.waiting + counts.delayed > config.events_backlog => {
            let alert = Alert::new(
                AlertKind::EventsBacklog,
                zelly_queue::STORE_EVENTS,
                "Storefront events are piling up",
                format!(
                    "{} events wait in store-events (alert bound {}): is events-consumer running, and can it reach ClickHouse?",
                    counts.waiting + counts.delayed,
                    config.events_backlog
                ),
            );
            raise(queues, &alert, now, REPEAT_WINDOW).await;
        }
        Ok(_) => {}
        Err(err) => tracing::error!("store-events cannot be counted: {err}"),
    }
}

/// Runs [`check`] every `config.interval` until the task is aborted.
pub fn spawn(store: DynStore, queues: DynQueues, analytics: Option<zelly_analytics::DynAnalytics>, config: MonitorConfig) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(config.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            check(&store, &queues, analytics.as_ref(), &config).await;
        }
    })
}
