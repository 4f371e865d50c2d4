//! Orders across stores: found by number and store, email, phone or payment id, and shown with
//! their payment and webhook history. Staff read them; nothing here changes an order.

use crate::auth::ReadOnly;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;
use zelly_edge::admin::{AdminOrderDetail, AdminOrderHit};
use zelly_service::{ApiError, AppPath, AppQuery};
use zelly_store::OrderSearch;

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
    if params.number.is_some_and(|n| n < 1) {
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
