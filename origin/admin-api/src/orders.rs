//! Orders across stores: found by number and store, email, phone or payment id, and shown with
//! their payment and webhook history. Support reads them; only admins refund.

use crate::auth::{Admin, ReadOnly};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;
use zelly_edge::admin::{AdminOrderDetail, AdminOrderHit, AdminRefund, AdminRefundAccepted};
use zelly_service::{ApiError, AppJson, AppPath, AppQuery};
use zelly_store::{OrderSearch, RefundState, StoreError};

/// How long before an order its store's webhooks are shown (a payment's webhook can come first).
const WEBHOOKS_BEFORE_MS: i64 = 15 * 60 * 1000;
/// How long after it (refund and late payment webhooks).
const WEBHOOKS_AFTER_MS: i64 = 2 * 24 * 60 * 60 * 1000;

/// What to find orders by; at least one is needed, and a number needs its store.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderParams {
    /// The store (its id).
    pub tenant: Option<Uuid>,
    /// The order number the shopper sees (with `tenant`).
    pub number: Option<i64>,
    /// The shopper's email.
    pub email: Option<String>,
    /// The shopper's phone (its last digits are enough).
    pub phone: Option<String>,
    /// The payment provider's id (`pay_…`).
    pub payment_id: Option<String>,
}

fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Orders matching every given condition, newest first (at most 100).
#[utoipa::path(get, path = "/api/admin/orders", tag = "orders", params(OrderParams),
    responses((status = 200, body = [AdminOrderHit]), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 422, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn search(_staff: ReadOnly, State(state): State<AppState>, AppQuery(params): AppQuery<OrderParams>) -> Result<Json<Vec<AdminOrderHit>>, ApiError> {
    let (email, payment_id) = (given(params.email), given(params.payment_id));
    let phone = given(params.phone);
    if let Some(phone) = &phone {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !(4..=15).contains(&digits) || !phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
            return Err(ApiError::Unprocessable("phone: give at least its last 4 digits".into()));
        }
    }
    if params.number.is_some() && params.tenant.is_none() {
        return Err(ApiError::Unprocessable("tenant: an order number is per store; choose the store too".into()));
    }
    if params.number.is_some_and(|n| !(1..=crate::MAX_SAFE_ID).contains(&n)) {
        return Err(ApiError::Unprocessable("number: order numbers start at 1".into()));
    }
    for (field, value) in [("email", &email), ("payment_id", &payment_id)] {
        if value.as_ref().is_some_and(|v| v.chars().count() > 254) {
            return Err(ApiError::Unprocessable(format!("{field}: too long")));
        }
    }
    if params.tenant.is_none() && email.is_none() && phone.is_none() && payment_id.is_none() {
        return Err(ApiError::Unprocessable("give an order number with its store, an email, a phone or a payment id".into()));
    }
    let search = OrderSearch { id: None, tenant: params.tenant, number: params.number, email, phone_digits: phone, payment_id, limit: 100 };
    Ok(Json(state.store.find_orders(&search).await?))
}

/// One order with its lines, payment, timeline and the store's webhooks around it.
#[utoipa::path(get, path = "/api/admin/orders/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = AdminOrderDetail), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn detail(_staff: ReadOnly, State(state): State<AppState>, AppPath(id): AppPath<String>) -> Result<Json<AdminOrderDetail>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound("order"))?;
    let hit = state.store.find_orders(&OrderSearch { id: Some(id), limit: 1, ..Default::default() }).await?;
    let hit = hit.into_iter().next().ok_or(ApiError::NotFound("order"))?;
    let order = state.store.order(hit.tenant_id, id).await?.ok_or(ApiError::NotFound("order"))?;
    let timeline = state.store.order_timeline(hit.tenant_id, id).await?;
    let webhooks = state
        .store
        .webhook_receipts(hit.tenant_id, hit.created_at_ms - WEBHOOKS_BEFORE_MS, hit.created_at_ms + WEBHOOKS_AFTER_MS)
        .await?;
    Ok(Json(AdminOrderDetail { hit, order, timeline, webhooks }))
}

/// Refunds a paid order (admins only). The refund is recorded at once, counted against what is
/// left to refund, and sent to Razorpay by core-api under its own idempotency key, so it is paid
/// once however often it is asked for; the order's timeline shows when Razorpay confirms it.
#[utoipa::path(post, path = "/api/admin/orders/{id}/refund", tag = "orders", params(("id" = Uuid, Path)), request_body = AdminRefund,
    responses(
        (status = 202, body = AdminRefundAccepted),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "The idempotency key was used for another amount", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "Nothing, or not that much, is left to refund", body = zelly_edge::ApiErrorBody),
    ),
    security(("staff" = [])))]
pub async fn refund(
    Admin(staff): Admin,
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    AppJson(request): AppJson<AdminRefund>,
) -> Result<(StatusCode, Json<AdminRefundAccepted>), ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound("order"))?;
    if !zelly_edge::limits::is_idempotency_key(&request.idempotency_key) {
        return Err(ApiError::Unprocessable("idempotency_key: must be 1-64 letters, digits, '-' or '_'".into()));
    }
    if request.amount_minor <= 0 {
        return Err(ApiError::Unprocessable("amount_minor: a refund is more than zero".into()));
    }
    let reason = request.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::Unprocessable("reason: say why, in at most 500 characters".into()));
    }
    let hit = state.store.find_orders(&OrderSearch { id: Some(id), limit: 1, ..Default::default() }).await?;
    let hit = hit.into_iter().next().ok_or(ApiError::NotFound("order"))?;
    let actor = format!("Zelly staff ({})", staff.account.email);
    // Staff keys live apart from the merchant's, so the two can never name each other's refund.
    let key = format!("staff-{}", request.idempotency_key);
    let key = if key.len() > 64 { zelly_edge::signature::sha256_hex(key.as_bytes())[..64].to_owned() } else { key };
    let intent = state.store.begin_refund(hit.tenant_id, id, request.amount_minor, &key, &actor, zelly_service::now_ms()).await.map_err(|err| match err {
        StoreError::Conflict(_) => ApiError::Conflict("this idempotency key was used for a refund of another amount".into()),
        StoreError::Refused(why) | StoreError::Invalid(why) => ApiError::Unprocessable(why),
        other => other.into(),
    })?;
    let (state_name, message) = match &intent.state {
        RefundState::Pending => ("pending", "Recorded. Razorpay is asked within two minutes; the order's timeline shows the refund once it is confirmed."),
        RefundState::Processed(_) => ("succeeded", "Razorpay has refunded this."),
        RefundState::Failed(_) => ("failed", "Razorpay refused this refund; start a new one."),
    };
    let audit = staff.audit(
        "order.refund",
        Some(hit.tenant_id),
        format!("{}#{}", hit.tenant_slug, hit.number),
        serde_json::json!({ "status": hit.status }),
        serde_json::json!({ "refund": intent.id, "amount_minor": intent.amount_minor, "reason": reason }),
    );
    state.store.record_audit(&audit).await?;
    let accepted = AdminRefundAccepted { id: intent.id, amount_minor: intent.amount_minor, state: state_name.into(), message: message.into() };
    Ok((StatusCode::ACCEPTED, Json(accepted)))
}
