//! Alerts through the queue to the Slack stand-in, on both queue backends.
#![allow(clippy::unwrap_used, missing_docs)]

use slack_standin::Standin;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zelly_alerts::{raise, raise_with, start_worker, Alert, AlertKind, RetryPolicy, SlackConfig, ALERTS_QUEUE};
use zelly_queue::{connect, DynQueues, JobState, JobStatus, QueueConfig};

zelly_queue::on_both_backends!(
    the_same_alert_raised_three_times_in_one_window_is_posted_once,
    an_alert_raised_while_slack_is_down_is_posted_once_it_is_back,
    without_a_webhook_the_alert_is_logged_and_completed,
    a_webhook_slack_does_not_know_fails_the_alert_without_retries,
);

/// Generous: the machine running the tests may be busy.
const PATIENCE: Duration = Duration::from_secs(60);

/// Polls `check` until it holds, failing the test after [`PATIENCE`].
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out after {PATIENCE:?} waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The Slack stand-in in this process, and its webhook URL.
async fn slack() -> (Arc<Standin>, String) {
    let standin = Standin::new();
    let base = zelly_service::serve_in_background(slack_standin::app(standin.clone())).await.unwrap();
    (standin, format!("{base}/services/T000/B000/test-secret"))
}

async fn status(queues: &DynQueues, job_id: &str) -> Option<JobStatus> {
    queues.status(ALERTS_QUEUE, job_id).await.unwrap()
}

async fn state_is(queues: &DynQueues, job_id: &str, state: JobState) -> bool {
    status(queues, job_id).await.is_some_and(|s| s.state == state)
}

fn backlog_alert() -> Alert {
    Alert::new(AlertKind::EventsBacklog, "store-events", "Storefront events are piling up", "12,000 waiting for 10 minutes")
}

const WINDOW: Duration = Duration::from_secs(15 * 60);
/// A time in the middle of a window, so that a few seconds later is still the same window.
const NOW_MS: u64 = 1_700_000_100_000;

async fn the_same_alert_raised_three_times_in_one_window_is_posted_once(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let (standin, url) = slack().await;
    let worker = start_worker(&*queues, SlackConfig::new(Some(&url)).unwrap()).await.unwrap();

    let alert = backlog_alert();
    let first = raise(&*queues, &alert, NOW_MS, WINDOW).await.unwrap();
    assert!(first.queued);
    for later_ms in [1_000, 5_000] {
        let again = raise(&*queues, &alert, NOW_MS + later_ms, WINDOW).await.unwrap();
        assert_eq!(again.job_id, first.job_id);
        assert!(!again.queued, "raised again in the same window, yet queued");
    }
    eventually("the alert is posted", || async { !standin.messages().is_empty() }).await;
    eventually("its job is completed", || state_is(&queues, &first.job_id, JobState::Completed)).await;
    // Raised again after it was posted, still in the same window: not posted again.
    assert!(!raise(&*queues, &alert, NOW_MS + 10_000, WINDOW).await.unwrap().queued);
    tokio::time::sleep(Duration::from_millis(500)).await;

    let messages = standin.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let text = messages[0].text.as_deref().unwrap();
    assert!(text.contains("*Storefront events are piling up*"), "{text}");
    assert!(text.contains("12,000 waiting for 10 minutes"), "{text}");
    assert!(text.contains("events_backlog"), "{text}");
    assert_eq!(messages[0].path, "T000/B000/test-secret");

    // The next window may post it again.
    let next = raise(&*queues, &alert, NOW_MS + WINDOW.as_millis() as u64, WINDOW).await.unwrap();
    assert!(next.queued);
    assert_ne!(next.job_id, first.job_id);
    eventually("the next window's alert is posted", || async { standin.messages().len() == 2 }).await;

    worker.shutdown(Duration::from_secs(10)).await.unwrap();
}

async fn an_alert_raised_while_slack_is_down_is_posted_once_it_is_back(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let (standin, url) = slack().await;
    standin.set_down(true);
    let worker = start_worker(&*queues, SlackConfig::new(Some(&url)).unwrap()).await.unwrap();

    let alert = Alert::new(AlertKind::DependencyDown, "clickhouse", "ClickHouse does not answer", "connection refused");
    let retry = RetryPolicy { attempts: 12, backoff: Duration::from_millis(200) };
    let raised = raise_with(&*queues, &alert, NOW_MS, WINDOW, retry).await.unwrap();
    assert!(raised.queued);

    eventually("two posts were refused", || async { standin.refused() >= 2 }).await;
    eventually("the queue saw two failed attempts", || async {
        status(&queues, &raised.job_id).await.is_some_and(|s| s.attempts_made >= 2 && s.state != JobState::Failed)
    })
    .await;
    assert!(standin.messages().is_empty());
    let reason = status(&queues, &raised.job_id).await.unwrap().failed_reason.unwrap_or_default();
    assert!(reason.contains("503"), "{reason}");

    standin.set_down(false);
    eventually("the alert is posted", || async { !standin.messages().is_empty() }).await;
    eventually("its job is completed", || state_is(&queues, &raised.job_id, JobState::Completed)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let messages = standin.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].text.as_deref().unwrap().contains("ClickHouse does not answer"));

    worker.shutdown(Duration::from_secs(10)).await.unwrap();
}

async fn without_a_webhook_the_alert_is_logged_and_completed(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let (standin, _url) = slack().await;
    let worker = start_worker(&*queues, SlackConfig::new(Some("")).unwrap()).await.unwrap();

    let alert = Alert::new(AlertKind::JobFailed, "SHOPIFY_WEBHOOK/evt-1", "A Shopify webhook failed for good", "HTTP 500");
    let raised = raise(&*queues, &alert, NOW_MS, WINDOW).await.unwrap();
    eventually("the job is completed", || state_is(&queues, &raised.job_id, JobState::Completed)).await;
    assert_eq!(status(&queues, &raised.job_id).await.unwrap().attempts_made, 1);
    assert!(standin.messages().is_empty());

    worker.shutdown(Duration::from_secs(10)).await.unwrap();
}

async fn a_webhook_slack_does_not_know_fails_the_alert_without_retries(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let (standin, url) = slack().await;
    // The stand-in has no such route: 404, as Slack answers a revoked webhook (`no_service`).
    let wrong = url.replace("/services/", "/revoked/");
    let worker = start_worker(&*queues, SlackConfig::new(Some(&wrong)).unwrap()).await.unwrap();

    let alert = Alert::new(AlertKind::SignatureSpike, "razorpay", "Refused Razorpay signatures", "40 in 5 minutes");
    let raised = raise(&*queues, &alert, NOW_MS, WINDOW).await.unwrap();
    eventually("the job is failed", || state_is(&queues, &raised.job_id, JobState::Failed)).await;
    let failed = status(&queues, &raised.job_id).await.unwrap();
    assert_eq!(failed.attempts_made, 1);
    assert!(failed.failed_reason.as_deref().unwrap_or_default().contains("404"), "{failed:?}");
    assert!(standin.messages().is_empty());

    worker.shutdown(Duration::from_secs(10)).await.unwrap();
}
