//! Storefront event intake: `POST /api/storefront/domains/{domain}/events`.
//!
//! The storefront hosts (never browsers directly) post batches of shopper events here with the
//! storefront bearer token. The tenant is the active store on the path's domain, the same
//! verified context every storefront read uses; the body cannot name a tenant (unknown fields are
//! refused). Each accepted event gets an `event_id` and the receive time and is published to the
//! `store-events` queue as one job whose id is the `event_id` and whose data is the
//! [`StoreEvent`] JSON (documented in `edge::events` and the README). events-consumer stores it.
//!
//! Limits: the body may be at most [`MAX_INTAKE_BYTES`] and hold at most
//! [`MAX_EVENTS_PER_REQUEST`] events (413 and 422 otherwise), and events are rate limited per
//! shopper per store and per store (429 with `Retry-After`), so one browser or one flooded store
//! cannot starve the queue for everyone else.

use super::storefront::{active_store, StorefrontCaller};
use crate::{ApiResult, AppState};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::events::{EventBatch, StoreEvent, MAX_EVENTS_PER_REQUEST, MAX_INTAKE_BYTES};
use zelly_edge::paths;
use zelly_queue::{NewJob, STORE_EVENTS};
use zelly_service::now_ms;
use zelly_service::{ApiError, AppJson, AppPath};

/// Attempts an event job gets. The consumer holds a batch while storage is down rather than
/// failing it, so attempts are only spent by crashes and shutdowns during an outage; 20 attempts
/// with a doubling 1 s backoff span days.
pub const EVENT_JOB_ATTEMPTS: u32 = 20;

/// Intake routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::STORE_EVENTS, post(intake))
        .layer(DefaultBodyLimit::max(MAX_INTAKE_BYTES))
}

/// How many events intake takes in, per minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntakeLimits {
    /// Per shopper (IP address, else session) per store: `EVENTS_PER_MINUTE_PER_SHOPPER`.
    pub per_shopper_per_minute: NonZeroU32,
    /// Per store, all shoppers together: `EVENTS_PER_MINUTE_PER_STORE`.
    pub per_store_per_minute: NonZeroU32,
}

impl Default for IntakeLimits {
    /// 600 events a minute per shopper (ten a second, far above real browsing), and 120,000 a
    /// minute per store.
    fn default() -> Self {
        Self {
            per_shopper_per_minute: NonZeroU32::new(600).unwrap_or(NonZeroU32::MIN),
            per_store_per_minute: NonZeroU32::new(120_000).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// The rate limiters of intake, keyed by (store, shopper) and by store.
pub struct Intake {
    per_shopper: DefaultKeyedRateLimiter<(Uuid, String)>,
    per_store: DefaultKeyedRateLimiter<Uuid>,
    clock: DefaultClock,
}

impl std::fmt::Debug for Intake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intake").finish_non_exhaustive()
    }
}

impl Intake {
    /// Limiters with these quotas. A quota's burst is a minute's worth, so a batch of
    /// [`MAX_EVENTS_PER_REQUEST`] always fits when the shopper is within the limit.
    pub fn new(limits: IntakeLimits) -> Arc<Self> {
        let burst = |n: NonZeroU32| n.max(NonZeroU32::new(MAX_EVENTS_PER_REQUEST as u32).unwrap_or(NonZeroU32::MIN));
        let intake = Arc::new(Self {
            per_shopper: RateLimiter::keyed(
                Quota::per_minute(limits.per_shopper_per_minute).allow_burst(burst(limits.per_shopper_per_minute)),
            ),
            per_store: RateLimiter::keyed(
                Quota::per_minute(limits.per_store_per_minute).allow_burst(burst(limits.per_store_per_minute)),
            ),
            clock: DefaultClock::default(),
        });
        // Forget idle keys now and then, so the maps stay as small as the set of active shoppers.
        let weak = Arc::downgrade(&intake);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    let Some(intake) = weak.upgrade() else { break };
                    intake.per_shopper.retain_recent();
                    intake.per_store.retain_recent();
                }
            });
        }
        intake
    }

    /// Takes `n` events from both quotas, or says how long to wait.
    fn admit(&self, tenant: Uuid, shopper: String, n: u32) -> Result<(), ApiError> {
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let too_many = |not_until: governor::NotUntil<_>| ApiError::TooManyRequests {
            retry_after_secs: not_until.wait_time_from(self.clock.now()).as_secs() + 1,
        };
        // The shopper first: one shopper over their limit never uses up their store's quota.
        match self.per_shopper.check_key_n(&(tenant, shopper), n) {
            Ok(Ok(())) => {}
            Ok(Err(not_until)) => return Err(too_many(not_until)),
            Err(_) => return Err(ApiError::TooManyRequests { retry_after_secs: 60 }),
        }
        match self.per_store.check_key_n(&tenant, n) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(not_until)) => Err(too_many(not_until)),
            Err(_) => Err(ApiError::TooManyRequests { retry_after_secs: 60 }),
        }
    }
}

/// What intake answers: the ids given to the events, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IntakeReceipt {
    /// How many events were accepted (all of them, or the request failed).
    pub accepted: usize,
    /// Each event's `event_id`, in order.
    pub event_ids: Vec<Uuid>,
}


/// Accepts a batch of a store's shopper events and queues them for analytics.
#[utoipa::path(
    post,
    path = "/api/storefront/domains/{domain}/events",
    tag = "storefront",
    params(
        ("domain" = String, Path, description = "The storefront's host name; its store owns the events"),
        ("x-zelly-shopper-ip" = Option<String>, Header, description = "The shopper's IP address, for rate limiting"),
    ),
    request_body = EventBatch,
    responses(
        (status = 202, description = "Queued for analytics", body = IntakeReceipt),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 404, description = "No store on this domain", body = zelly_edge::ApiErrorBody),
        (status = 410, description = "The store is suspended; nothing was accepted", body = zelly_edge::ApiErrorBody),
        (status = 413, description = "Body over 64 KiB", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "Invalid events, each bad field named", body = zelly_edge::ApiErrorBody),
        (status = 429, description = "Rate limited; see Retry-After", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "The queue is unavailable; nothing was accepted", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = []))
)]
#[tracing::instrument(skip_all, fields(domain = %domain))]
pub async fn intake(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath(domain): AppPath<String>,
    headers: HeaderMap,
    AppJson(batch): AppJson<EventBatch>,
) -> ApiResult<(StatusCode, Json<IntakeReceipt>)> {
    batch.validate().map_err(ApiError::InvalidFields)?;
    let (tenant, _) = active_store(&state, &domain).await?;
    let shopper = headers
        .get(paths::SHOPPER_IP_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| format!("session:{}", batch.events[0].session_id));
    let count = u32::try_from(batch.events.len()).unwrap_or(u32::MAX);
    state.intake.admit(tenant.id, shopper, count)?;

    let received_at_ms = now_ms();
    let events: Vec<StoreEvent> = batch
        .events
        .into_iter()
        .map(|event| StoreEvent { event_id: Uuid::new_v4(), tenant_id: tenant.id, received_at_ms, event })
        .collect();
    let event_ids: Vec<Uuid> = events.iter().map(|e| e.event_id).collect();
    let jobs = events
        .into_iter()
        .map(|event| {
            let data = serde_json::to_value(&event).map_err(|e| ApiError::Internal(Box::new(e)))?;
            Ok(NewJob::new(event.event.kind.as_str(), data)
                .with_id(event.event_id.to_string())
                .with_retries(EVENT_JOB_ATTEMPTS, zelly_queue::DEFAULT_BACKOFF))
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    state.queues.add_bulk(STORE_EVENTS, jobs).await.map_err(|err| {
        tracing::error!(%err, "cannot publish events");
        ApiError::Unavailable("the event queue is unavailable; retry later")
    })?;
    tracing::debug!(tenant = %tenant.id, count, "events queued");
    Ok((StatusCode::ACCEPTED, Json(IntakeReceipt { accepted: event_ids.len(), event_ids })))
}
