//! Finishes refunds whose request gave up: an intent is recorded before Razorpay is asked, so if
//! Razorpay could not be reached (or core-api stopped mid-request) it stays pending, holding its
//! share of the order's balance. This loop asks Razorpay again for each such intent, under the
//! intent's own idempotency key, so it is refunded exactly once whoever asks: the merchant
//! retrying, Razorpay's webhook, or this loop.

use crate::AppState;
use std::time::Duration;

/// An intent still pending after this long was given up by its request (whose Razorpay call is
/// limited to 10 s).
pub const STALE_AFTER_MS: i64 = 60_000;
/// How often the loop looks.
const EVERY: Duration = Duration::from_secs(30);

/// Asks Razorpay again for every intent pending since before `before_ms`; how many were settled
/// (refunded or refused).
pub async fn resume_once(state: &AppState, before_ms: i64) -> anyhow::Result<usize> {
    let Some(razorpay) = state.razorpay.clone() else { return Ok(0) };
    let mut settled = 0;
    for (tenant, intent) in state.store.stale_refund_intents(before_ms, 100).await? {
        match crate::routes::orders::ask_razorpay_to_refund(state, &razorpay, tenant, &intent).await {
            Ok(order) => {
                tracing::info!(%tenant, order = order.number, intent = %intent.id, "an abandoned refund was finished");
                settled += 1;
            }
            Err(zelly_service::ApiError::Unprocessable(why)) => {
                tracing::warn!(%tenant, intent = %intent.id, %why, "an abandoned refund was refused by Razorpay");
                settled += 1;
            }
            Err(err) => tracing::warn!(%tenant, intent = %intent.id, %err, "an abandoned refund is still pending"),
        }
    }
    Ok(settled)
}

/// Runs [`resume_once`] for as long as the service runs.
pub async fn run(state: AppState) {
    loop {
        tokio::time::sleep(EVERY).await;
        if let Err(err) = resume_once(&state, zelly_service::now_ms() - STALE_AFTER_MS).await {
            tracing::warn!(%err, "abandoned refunds not checked this round");
        }
    }
}
