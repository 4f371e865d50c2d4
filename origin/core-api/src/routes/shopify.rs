//! Shopify's webhooks, received (issue 15's intake): checked, deduplicated and queued on
//! `SHOPIFY_WEBHOOK`, answered well inside Shopify's 5 s. Applying each topic is the queue
//! worker's job.
//!
//! - The signature (`X-Shopify-Hmac-Sha256`, base64 HMAC-SHA256 of the raw body under
//!   `SHOPIFY_API_SECRET`, or `SHOPIFY_API_SECRET_PREVIOUS` while rotating) is checked before
//!   anything else is read: a missing or wrong one is a 401 and nothing is queued.
//! - The shop (`X-Shopify-Shop-Domain`, a `*.myshopify.com` name) names the store through its
//!   connection; a signed delivery for a shop connected to no store is acknowledged and dropped.
//! - Repeats: the delivery's `X-Shopify-Webhook-Id` is claimed in the store (one claim wins
//!   however many repeats arrive at once), and so is its `X-Shopify-Event-Id` (one event
//!   delivered to two subscriptions); the job's id is the webhook id too, so the queue holds it
//!   once. A delivery that could not be queued gives its claim back and answers 503, and
//!   Shopify's retry takes it.
//! - `X-Shopify-Triggered-At` travels with the job, so that the worker never lets an older
//!   delivery overwrite newer state.

use crate::{ApiResult, AppState};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;
use zelly_edge::shopify::{self, Topic};
use zelly_queue::NewJob;
use zelly_service::{now_ms, ApiError};

/// Where Shopify delivers webhooks.
pub const SHOPIFY_WEBHOOK_PATH: &str = "/api/webhooks/shopify";
/// The provider name deliveries are claimed under.
const PROVIDER: &str = "shopify";
/// The largest webhook body read (a product with many variants and images stays well under).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// Shopify's routes.
pub fn router() -> Router<AppState> {
    Router::new().route(SHOPIFY_WEBHOOK_PATH, post(webhook).layer(DefaultBodyLimit::max(MAX_BODY)))
}

/// A `SHOPIFY_WEBHOOK` job: one delivery, as received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookJob {
    /// The store the shop is connected to.
    pub tenant: Uuid,
    /// The shop.
    pub shop: String,
    /// The topic, as Shopify names it.
    pub topic: String,
    /// The delivery's id.
    pub webhook_id: String,
    /// The event's id, when Shopify sent one.
    pub event_id: Option<String>,
    /// When the event happened (RFC 3339), when Shopify said.
    pub triggered_at: Option<String>,
    /// The body.
    pub payload: Value,
}

fn outcome(what: &str) -> Json<Value> {
    Json(json!({ "status": what }))
}

/// Whether `id` can be one of Shopify's delivery or event ids (UUIDs and numbers).
fn is_delivery_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Receives one Shopify webhook delivery.
#[utoipa::path(post, path = "/api/webhooks/shopify", tag = "webhooks",
    params(
        ("X-Shopify-Hmac-Sha256" = String, Header, description = "base64 HMAC-SHA256 of the raw body with the app's secret"),
        ("X-Shopify-Shop-Domain" = String, Header, description = "The shop, {name}.myshopify.com"),
        ("X-Shopify-Topic" = String, Header, description = "e.g. products/update"),
        ("X-Shopify-Webhook-Id" = String, Header, description = "The delivery's id; repeats are queued once"),
        ("X-Shopify-Event-Id" = Option<String>, Header, description = "The event's id; an event delivered twice is queued once"),
        ("X-Shopify-Triggered-At" = Option<String>, Header, description = "When the event happened"),
    ),
    request_body(content = String, description = "Shopify's payload, as JSON", content_type = "application/json"),
    responses(
        (status = 200, description = "Queued, a repeat, a topic not acted on, or a shop connected to no store"),
        (status = 400, description = "A bad shop, delivery id or JSON", body = zelly_edge::ApiErrorBody),
        (status = 401, description = "A missing or wrong signature: nothing is read or queued", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "No app secret is configured, or the queue is down (Shopify retries)", body = zelly_edge::ApiErrorBody),
    ),
    security(()))]
#[tracing::instrument(skip_all, fields(webhook_id))]
pub async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult<(StatusCode, Json<Value>)> {
    if state.shopify_secrets.is_empty() {
        return Err(ApiError::Unavailable("Shopify webhooks are not configured (SHOPIFY_API_SECRET)"));
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let signature = header(shopify::HMAC_HEADER).ok_or(ApiError::Unauthorized("X-Shopify-Hmac-Sha256 is missing"))?;
    let secrets: Vec<&[u8]> = state.shopify_secrets.iter().map(|s| s.expose().as_bytes()).collect();
    if !shopify::webhook_signature_valid(&secrets, &body, signature) {
        tracing::warn!("Shopify webhook with a bad signature refused");
        return Err(ApiError::Unauthorized("the signature does not match the body"));
    }
    let shop = header(shopify::SHOP_HEADER).filter(|s| shopify::is_shop_domain(s)).ok_or(ApiError::BadRequest("X-Shopify-Shop-Domain must be a myshopify.com shop".into()))?;
    let webhook_id = header(shopify::WEBHOOK_ID_HEADER).filter(|id| is_delivery_id(id)).ok_or(ApiError::BadRequest("X-Shopify-Webhook-Id is missing or malformed".into()))?;
    tracing::Span::current().record("webhook_id", webhook_id);
    let event_id = match header(shopify::EVENT_ID_HEADER) {
        Some(id) if is_delivery_id(id) => Some(id),
        Some(_) => return Err(ApiError::BadRequest("X-Shopify-Event-Id is malformed".into())),
        None => None,
    };
    let topic_name = header(shopify::TOPIC_HEADER).unwrap_or_default();
    let Some(topic) = Topic::parse(topic_name) else {
        tracing::info!(topic = topic_name, "Shopify webhook topic not acted on");
        return Ok((StatusCode::OK, outcome("ignored")));
    };
    let payload: Value = serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(format!("the body is not JSON: {e}")))?;
    let Some(tenant) = state.store.tenant_of_shopify_shop(shop).await? else {
        tracing::info!(shop, "Shopify webhook for a shop connected to no store dropped");
        return Ok((StatusCode::OK, outcome("not_connected")));
    };
    let now = now_ms();
    if !state.store.claim_webhook(tenant, PROVIDER, webhook_id, topic.as_str(), now).await? {
        return Ok((StatusCode::OK, outcome("duplicate")));
    }
    let event_claim = event_id.map(|id| format!("event-{id}"));
    if let Some(claim) = &event_claim
        && !state.store.claim_webhook(tenant, PROVIDER, claim, topic.as_str(), now).await?
    {
        return Ok((StatusCode::OK, outcome("duplicate")));
    }
    let job = WebhookJob {
        tenant,
        shop: shop.to_owned(),
        topic: topic.as_str().to_owned(),
        webhook_id: webhook_id.to_owned(),
        event_id: event_id.map(str::to_owned),
        triggered_at: header(shopify::TRIGGERED_AT_HEADER).map(str::to_owned),
        payload,
    };
    let data = serde_json::to_value(&job).map_err(|e| ApiError::Internal(Box::new(e)))?;
    let queued = state.queues.add(zelly_queue::SHOPIFY_WEBHOOK, NewJob::new(topic.as_str(), data).with_id(format!("shopify-{webhook_id}"))).await;
    if let Err(err) = queued {
        tracing::warn!(%err, "Shopify webhook not queued; its claim is given back for Shopify's retry");
        state.store.release_webhook(tenant, PROVIDER, webhook_id).await?;
        if let Some(claim) = &event_claim {
            state.store.release_webhook(tenant, PROVIDER, claim).await?;
        }
        return Err(ApiError::Unavailable("the webhook could not be queued; retry later"));
    }
    Ok((StatusCode::OK, outcome("queued")))
}
