//! Publishes the analytics events the store wrote with the changes they describe (`order_placed`
//! with its order) to the `store-events` queue, queues an order's emails (and, for a store
//! connected to Shopify, the push of its sold stock) with its `order_placed`, then removes them
//! from the outbox.
//!
//! An event is deleted only after the queue accepted it, so a crash or a queue outage delays it and
//! never loses it. Publishing it again after a crash between the two steps is harmless: the job id
//! is the event id, which BullMQ keeps once, and analytics counts each event id once.

use crate::AppState;
use std::time::Duration;
use zelly_queue::NewJob;

/// How many events one round publishes.
const BATCH: u32 = 200;
/// How long the publisher waits when there is nothing to do, or after a failure (doubling to 30 s).
const IDLE: Duration = Duration::from_secs(1);

/// Publishes what the outbox holds now; the number of events published.
pub async fn publish_once(state: &AppState) -> anyhow::Result<usize> {
    let mut published = 0;
    loop {
        let events = state.store.outbox(BATCH).await?;
        if events.is_empty() {
            return Ok(published);
        }
        let jobs = events
            .iter()
            .map(|event| {
                Ok(NewJob::new(event.event.kind.as_str(), serde_json::to_value(event)?)
                    .with_id(event.event_id.to_string())
                    .with_retries(crate::routes::events::EVENT_JOB_ATTEMPTS, zelly_queue::DEFAULT_BACKOFF))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        state.queues.add_bulk(zelly_queue::STORE_EVENTS, jobs).await?;
        // An order's emails leave with its event (see `order_emails`).
        for event in &events {
            crate::order_emails::queue_for(state, event).await?;
            crate::shopify_jobs::queue_stock_push(state, event).await?;
        }
        let ids: Vec<uuid::Uuid> = events.iter().map(|e| e.event_id).collect();
        state.store.outbox_published(&ids).await?;
        published += ids.len();
    }
}

/// Publishes for as long as the service runs: every second, and backing off while the store or
/// the queue fails.
pub async fn run(state: AppState) {
    let mut wait = IDLE;
    loop {
        match publish_once(&state).await {
            Ok(count) => {
                if count > 0 {
                    tracing::debug!(count, "outbox events published");
                }
                wait = IDLE;
            }
            Err(err) => {
                tracing::warn!(%err, retry_in_secs = wait.as_secs(), "outbox events not published yet");
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }
        tokio::time::sleep(wait).await;
    }
}
