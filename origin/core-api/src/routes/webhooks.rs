//! Razorpay's webhooks: payments and refunds as Razorpay reports them, whatever the browser did.
//!
//! - The signature (`X-Razorpay-Signature`, HMAC-SHA256 of the raw body) must match the current
//!   secret or, during a rotation, the previous one; otherwise 400 and nothing is read.
//! - Deliveries repeat: one whose `x-razorpay-event-id` the store has acted on is answered 200 at
//!   once. The receipt is written after the action, so a delivery that failed half-way is acted on
//!   again when Razorpay retries; every action is idempotent (one order per checkout and payment,
//!   one refund per refund id).
//! - Events come out of order: they never move an order backwards (a late `payment.captured`
//!   finds the order already refunded and leaves it so).
//! - The store is the one named in the notes core-api's checkout puts on every Razorpay order
//!   (`tenant_id`); a signed event for no store, order or payment of ours is acknowledged (200)
//!   and ignored.
//!
//! Everything is a few indexed queries, well inside Razorpay's 5 s.

use crate::{ApiResult, AppState};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};
use uuid::Uuid;
use zelly_edge::orders::PaymentConfirmation;
use zelly_service::{now_ms, ApiError};
use zelly_store::StoreError;

/// Where Razorpay delivers webhooks.
pub const RAZORPAY_WEBHOOK_PATH: &str = "/api/webhooks/razorpay";
/// The provider name webhook receipts are kept under.
const PROVIDER: &str = "razorpay";
/// The largest webhook body read.
const MAX_BODY: usize = 1024 * 1024;

/// Webhook routes.
pub fn router() -> Router<AppState> {
    Router::new().route(RAZORPAY_WEBHOOK_PATH, post(razorpay).layer(DefaultBodyLimit::max(MAX_BODY)))
}

/// What happened to a delivery, in the 200 answer.
fn outcome(what: &str) -> Json<Value> {
    Json(json!({ "status": what }))
}

/// The first `notes.tenant_id` among the payload's entities (order, payment, refund).
fn tenant_of(event: &Value) -> Option<Uuid> {
    let payload = event.get("payload")?.as_object()?;
    payload
        .values()
        .filter_map(|e| e.pointer("/entity/notes/tenant_id")?.as_str())
        .find_map(|id| Uuid::parse_str(id).ok())
}

/// Receives one Razorpay webhook delivery.
#[utoipa::path(post, path = "/api/webhooks/razorpay", tag = "webhooks",
    params(
        ("X-Razorpay-Signature" = String, Header, description = "hex HMAC-SHA256 of the raw body with the webhook secret"),
        ("x-razorpay-event-id" = String, Header, description = "The delivery's event id; repeats are acknowledged once acted on"),
    ),
    request_body(content = String, description = "Razorpay's event, as JSON", content_type = "application/json"),
    responses(
        (status = 200, description = "Acted on, a repeat, or not ours"),
        (status = 400, description = "Bad signature, event id or JSON", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "No webhook secret is configured", body = zelly_edge::ApiErrorBody),
    ),
    security(()))]
#[tracing::instrument(skip_all, fields(event_id))]
pub async fn razorpay(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> ApiResult<(StatusCode, Json<Value>)> {
    if state.razorpay_webhook_secrets.is_empty() {
        return Err(ApiError::Unavailable("Razorpay webhooks are not configured (RAZORPAY_WEBHOOK_SECRET)"));
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let signature = header("x-razorpay-signature").ok_or(ApiError::BadRequest("X-Razorpay-Signature is missing".into()))?;
    let secrets = state.razorpay_webhook_secrets.iter().map(|s| s.expose());
    if !zelly_edge::signature::verify_webhook(secrets, &body, signature) {
        tracing::warn!("webhook with a bad signature refused");
        state.signature_spikes.refused(crate::alarms::SignatureSource::Payments, &state.queues);
        return Err(ApiError::BadRequest("the signature does not match the body".into()));
    }
    let event_id = header("x-razorpay-event-id").ok_or(ApiError::BadRequest("x-razorpay-event-id is missing".into()))?.to_owned();
    tracing::Span::current().record("event_id", event_id.as_str());
    if !zelly_edge::limits::is_provider_id(&event_id) {
        return Err(ApiError::BadRequest("x-razorpay-event-id is not one of Razorpay's event ids".into()));
    }
    let event: Value = serde_json::from_slice(&body).map_err(|e| ApiError::BadRequest(format!("the body is not JSON: {e}")))?;
    let name = event.get("event").and_then(Value::as_str).unwrap_or_default().to_owned();
    let Some(tenant) = tenant_of(&event) else {
        tracing::info!(event = %name, "webhook for no store of ours ignored");
        return Ok((StatusCode::OK, outcome("ignored")));
    };
    if state.store.webhook_seen(tenant, PROVIDER, &event_id).await? {
        return Ok((StatusCode::OK, outcome("duplicate")));
    }
    let result = match name.as_str() {
        "payment.captured" | "order.paid" => payment_captured(&state, tenant, &event).await,
        "refund.processed" => refund_processed(&state, tenant, &event).await,
        other => {
            tracing::info!(event = other, "webhook event not acted on");
            Ok("ignored")
        }
    };
    let what = match result {
        Ok(what) => what,
        // The event can never succeed (wrong amount, unknown order): acknowledge it so that it is
        // not retried for days, and say why in the log.
        Err(StoreError::Invalid(why) | StoreError::Refused(why)) => {
            tracing::warn!(event = %name, %why, "webhook event refused");
            "refused"
        }
        Err(StoreError::NotFound) => {
            // Nothing was done, so nothing to remember (the tenant in the notes may not even exist).
            tracing::warn!(event = %name, "webhook event names nothing of this store");
            return Ok((StatusCode::OK, outcome("unknown")));
        }
        // Anything else (the database) is worth Razorpay's retry: no receipt is written.
        Err(err) => return Err(err.into()),
    };
    state.store.record_webhook(tenant, PROVIDER, &event_id, &name, now_ms()).await?;
    Ok((StatusCode::OK, outcome(what)))
}

/// `payment.captured` / `order.paid`: the checkout of the Razorpay order becomes its order, once.
async fn payment_captured(state: &AppState, tenant: Uuid, event: &Value) -> Result<&'static str, StoreError> {
    let payment = event.pointer("/payload/payment/entity").ok_or_else(|| StoreError::Invalid("no payment in the event".into()))?;
    let text = |key: &str| payment.get(key).and_then(Value::as_str).map(str::to_owned);
    let (Some(payment_id), Some(order_id)) = (text("id"), text("order_id")) else {
        return Err(StoreError::Invalid("the payment has no id or order_id".into()));
    };
    if ![&payment_id, &order_id].iter().all(|id| zelly_edge::limits::is_provider_id(id)) {
        return Err(StoreError::Invalid("the payment's ids are not Razorpay's".into()));
    }
    let amount_minor = payment.get("amount").and_then(Value::as_i64).ok_or_else(|| StoreError::Invalid("the payment has no amount".into()))?;
    let checkout = state.store.checkout_by_provider_order(tenant, &order_id).await?.ok_or(StoreError::NotFound)?;
    let done = state
        .store
        .finalize_checkout(tenant, checkout.id, &PaymentConfirmation { payment_id: Some(payment_id), amount_minor }, now_ms())
        .await?;
    if done.created {
        tracing::info!(order = done.order.number, "order placed from the webhook");
        if let Err(err) = crate::outbox::publish_once(state).await {
            tracing::warn!(%err, "order_placed not published yet; the outbox publisher will retry");
        }
        Ok("order placed")
    } else {
        Ok("order already placed")
    }
}

/// `refund.processed`: the refund counts against its payment's order, once.
async fn refund_processed(state: &AppState, tenant: Uuid, event: &Value) -> Result<&'static str, StoreError> {
    let refund = event.pointer("/payload/refund/entity").ok_or_else(|| StoreError::Invalid("no refund in the event".into()))?;
    let text = |key: &str| refund.get(key).and_then(Value::as_str).map(str::to_owned);
    let (Some(refund_id), Some(payment_id)) = (text("id"), text("payment_id")) else {
        return Err(StoreError::Invalid("the refund has no id or payment_id".into()));
    };
    if ![&refund_id, &payment_id].iter().all(|id| zelly_edge::limits::is_provider_id(id)) {
        return Err(StoreError::Invalid("the refund's ids are not Razorpay's".into()));
    }
    let amount_minor = refund.get("amount").and_then(Value::as_i64).ok_or_else(|| StoreError::Invalid("the refund has no amount".into()))?;
    let order = state.store.order_by_payment(tenant, &payment_id).await?.ok_or(StoreError::NotFound)?;
    // A refund asked for in Zelly carries its intent's id in its notes; one made in Razorpay's
    // dashboard does not, and is recorded as it comes.
    let intent = refund.pointer("/notes/refund_intent").and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok());
    state.store.record_refund(tenant, order.id, &refund_id, amount_minor, intent, now_ms()).await?;
    Ok("refund recorded")
}
