//! Checkouts (for the checkout hosts, with the storefront token) and orders (for merchants).
//!
//! A checkout host starts a checkout from the shopper's cart; core-api prices every line from the
//! catalog and holds the stock. Once the host has verified the payment it finalises the
//! checkout, which makes exactly one order however often it is called (see
//! `zelly_store::orders`). Merchants list their orders and move them forward.

use crate::routes::seller::{Merchant, Owner};
use crate::routes::storefront::{active_store, StorefrontCaller};
use crate::{ApiResult, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zelly_edge::orders::{
    Checkout, CheckoutInput, CheckoutStatus, Order, OrderEvent, OrderStatus, PaymentConfirmation, PaymentMethod, PaymentStep, RazorpayCallback,
    RefundRequest,
};
use zelly_edge::paths;
use zelly_service::{now_ms, ApiError, AppJson, AppPath, AppQuery};
use zelly_store::OrderQuery;

/// Checkout and order routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::STORE_CHECKOUTS, post(create_checkout))
        .route(paths::STORE_CHECKOUT, get(get_checkout))
        .route(paths::STORE_CHECKOUT_PROVIDER_ORDER, put(set_provider_order))
        .route(paths::STORE_CHECKOUT_FINALIZE, post(finalize))
        .route(paths::STORE_CHECKOUT_ORDER, get(checkout_order))
        .route(paths::STORE_SHOPPER_ORDERS, post(shopper_orders))
        .route(paths::STORE_CHECKOUT_RAZORPAY_ORDER, post(razorpay_order))
        .route(paths::STORE_CHECKOUT_RAZORPAY_CALLBACK, post(razorpay_callback))
        .route(paths::STORE_CHECKOUT_RAZORPAY_PAYMENT, post(razorpay_payment))
        .route("/api/seller/orders", get(list_orders))
        .route("/api/seller/orders/{id}", get(get_order))
        .route("/api/seller/orders/{id}/status", post(set_status))
        .route("/api/seller/orders/{id}/refunds", post(refund))
        .route("/api/seller/orders/{id}/timeline", get(timeline))
}

/// Starts a checkout from the shopper's cart: every line priced from the catalog (prices sent by
/// the client are ignored) and its stock held (15 minutes unless `CHECKOUT_HOLD_SECONDS` says
/// otherwise). `idempotency_key` is required: a retried request with the same key answers 200
/// with the checkout the first one started, instead of holding the stock twice.
#[utoipa::path(post, path = "/api/storefront/domains/{domain}/checkouts", tag = "checkout",
    params(("domain" = String, Path, description = "The storefront's host name")),
    request_body = CheckoutInput,
    responses(
        (status = 201, description = "Started now", body = Checkout),
        (status = 200, description = "Started earlier by a request with the same idempotency_key", body = Checkout),
        (status = 404, description = "No store on this domain", body = zelly_edge::ApiErrorBody),
        (status = 409, description = "Too little stock (the message names the product), or the idempotency_key was used for another cart", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "Each bad field named", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = [])))]
#[tracing::instrument(skip_all, fields(domain = %domain))]
pub async fn create_checkout(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath(domain): AppPath<String>,
    AppJson(mut input): AppJson<CheckoutInput>,
) -> ApiResult<(StatusCode, Json<Checkout>)> {
    let (tenant, _) = active_store(&state, &domain).await?;
    input.validate().map_err(ApiError::InvalidFields)?;
    let now = now_ms();
    // Signed in: the order will be the account's. A session that has ended is a guest checkout.
    input.customer = match input.customer_session.as_deref() {
        Some(session) => signed_in(&state, tenant.id, session).await?.map(|c| c.id),
        None => None,
    };
    let checkout = state.store.create_checkout(tenant.id, &input, now, state.checkout_hold_ms).await?;
    // A checkout started by this request holds until exactly now + the hold; a replay finds one
    // that an earlier request started.
    let created = checkout.expires_at_ms >= now.saturating_add(state.checkout_hold_ms);
    if created && let Err(err) = crate::outbox::publish_once(&state).await {
        tracing::warn!(%err, "checkout_started not published yet; the outbox publisher will retry");
    }
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(checkout)))
}

/// One checkout of the store.
#[utoipa::path(get, path = "/api/storefront/domains/{domain}/checkouts/{id}", tag = "checkout",
    params(("domain" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Checkout), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("storefront_token" = [])))]
pub async fn get_checkout(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath((domain, id)): AppPath<(String, Uuid)>,
) -> ApiResult<Json<Checkout>> {
    let (tenant, _) = active_store(&state, &domain).await?;
    let checkout = state.store.checkout(tenant.id, id).await?.ok_or(ApiError::NotFound("checkout"))?;
    Ok(Json(checkout))
}

/// The order a checkout became (for checkout's confirmation page); 404 while it has none.
#[utoipa::path(get, path = "/api/storefront/domains/{domain}/checkouts/{id}/order", tag = "checkout",
    params(("domain" = String, Path), ("id" = String, Path)),
    responses((status = 200, body = Order), (status = 404, description = "No such checkout, or not an order yet", body = zelly_edge::ApiErrorBody)),
    security(("storefront_token" = [])))]
pub async fn checkout_order(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath((domain, id)): AppPath<(String, Uuid)>,
) -> ApiResult<Json<Order>> {
    let (tenant, _) = active_store(&state, &domain).await?;
    let order = state.store.order_of_checkout(tenant.id, id).await?.ok_or(ApiError::NotFound("order"))?;
    Ok(Json(order))
}

/// Whose orders to list: the shopper signed in on the storefront's domain.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShopperOrdersInput {
    /// The shopper's session on the store's domain (the host's `__Host-zelly_session` cookie).
    pub customer_session: String,
}

/// The customer a storefront session belongs to, if it is live at `tenant`.
async fn signed_in(state: &AppState, tenant: Uuid, session: &str) -> ApiResult<Option<zelly_edge::customers::Customer>> {
    let hash = zelly_edge::signature::sha256_hex(session.as_bytes());
    Ok(state.store.customer_session(tenant, &hash, now_ms(), zelly_edge::customers::SESSION_IDLE_MS).await?)
}

/// A signed-in shopper's orders at the store, newest first (at most 50): those placed signed in
/// to their account, and those placed as a guest with the address they confirmed. core-api finds
/// the shopper from their session itself; the host only passes it on.
#[utoipa::path(post, path = "/api/storefront/domains/{domain}/shopper-orders", tag = "checkout",
    params(("domain" = String, Path)),
    request_body = ShopperOrdersInput,
    responses(
        (status = 200, body = [Order]),
        (status = 401, description = "The session has ended", body = zelly_edge::ApiErrorBody),
        (status = 404, body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = [])))]
pub async fn shopper_orders(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath(domain): AppPath<String>,
    AppJson(input): AppJson<ShopperOrdersInput>,
) -> ApiResult<Json<Vec<Order>>> {
    let (tenant, _) = active_store(&state, &domain).await?;
    let customer = signed_in(&state, tenant.id, input.customer_session.trim()).await?.ok_or(ApiError::Unauthorized("the shopper's session has ended"))?;
    let email = customer.email_verified.then_some(customer.email);
    let query = OrderQuery { customer: Some(customer.id), email, limit: 50, ..OrderQuery::default() };
    Ok(Json(state.store.orders(tenant.id, &query).await?))
}

/// The payment provider's order created for a checkout.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderOrder {
    /// Razorpay's order id (`order_…`).
    pub provider_order_id: String,
}

/// Records the payment provider's order of a checkout (once).
#[utoipa::path(put, path = "/api/storefront/domains/{domain}/checkouts/{id}/provider-order", tag = "checkout",
    params(("domain" = String, Path), ("id" = String, Path)),
    request_body = ProviderOrder,
    responses((status = 204), (status = 404, body = zelly_edge::ApiErrorBody), (status = 409, body = zelly_edge::ApiErrorBody)),
    security(("storefront_token" = [])))]
pub async fn set_provider_order(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath((domain, id)): AppPath<(String, Uuid)>,
    AppJson(input): AppJson<ProviderOrder>,
) -> ApiResult<StatusCode> {
    let (tenant, _) = active_store(&state, &domain).await?;
    let order_id = input.provider_order_id.trim();
    if order_id.is_empty() || order_id.len() > 64 {
        return Err(ApiError::Unprocessable("provider_order_id: must be 1-64 characters".into()));
    }
    state.store.set_provider_order(tenant.id, id, order_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Places a cash-on-delivery checkout's order (the shopper pressed "Place order"): 201 with the
/// new order, or 200 with the order an earlier call already made. An online payment never
/// becomes an order here: only Razorpay's signed callback, its signed webhook, or core-api asking
/// Razorpay itself can make a paid order, so a Razorpay checkout is refused (409).
#[utoipa::path(post, path = "/api/storefront/domains/{domain}/checkouts/{id}/finalize", tag = "checkout",
    params(("domain" = String, Path), ("id" = String, Path)),
    request_body = PaymentConfirmation,
    responses(
        (status = 201, description = "The order, made now", body = Order),
        (status = 200, description = "The order made earlier for this checkout", body = Order),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "The checkout is paid online (only Razorpay confirms those), or its hold ran out", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "The amount is not the checkout's total, or a payment id was sent", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = [])))]
#[tracing::instrument(skip_all, fields(domain = %domain, checkout = %id))]
pub async fn finalize(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath((domain, id)): AppPath<(String, Uuid)>,
    AppJson(payment): AppJson<PaymentConfirmation>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    let (tenant, _) = active_store(&state, &domain).await?;
    let checkout = state.store.checkout(tenant.id, id).await?.ok_or(ApiError::NotFound("checkout"))?;
    if checkout.payment_method != PaymentMethod::CashOnDelivery {
        tracing::warn!("a finalize of an online checkout was refused: only Razorpay confirms payments");
        return Err(ApiError::Refused("an online payment is confirmed only by Razorpay (its signed callback or webhook), not here".into()));
    }
    if payment.payment_id.is_some() {
        return Err(ApiError::Unprocessable("payment_id: cash on delivery has no payment yet".into()));
    }
    place_order(&state, tenant.id, id, &payment).await
}

/// Turns a checkout into its order (once) and publishes its `order_placed` event: 201 when made
/// now, 200 when an earlier call made it. Callers have established that the payment is real.
pub(crate) async fn place_order(state: &AppState, tenant: Uuid, id: Uuid, payment: &PaymentConfirmation) -> ApiResult<(StatusCode, Json<Order>)> {
    let done = state.store.finalize_checkout(tenant, id, payment, now_ms()).await?;
    if done.created {
        tracing::info!(order = done.order.number, "order placed");
        // Its order_placed event now, rather than at the publisher's next round (which retries
        // whatever this misses).
        if let Err(err) = crate::outbox::publish_once(state).await {
            tracing::warn!(%err, "order_placed not published yet; the outbox publisher will retry");
        }
    }
    Ok((if done.created { StatusCode::CREATED } else { StatusCode::OK }, Json(done.order)))
}

/// The checkout's Razorpay order, created by core-api (so the key secret stays here) with the
/// store and checkout in its notes, for the payment step's Standard Checkout options. Calling it
/// again returns the same order.
#[utoipa::path(post, path = "/api/storefront/domains/{domain}/checkouts/{id}/razorpay-order", tag = "checkout",
    params(("domain" = String, Path), ("id" = String, Path)),
    responses(
        (status = 200, body = PaymentStep),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "The checkout is completed, or pays cash on delivery", body = zelly_edge::ApiErrorBody),
        (status = 502, description = "Razorpay could not be reached", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "Razorpay is not configured", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = [])))]
#[tracing::instrument(skip_all, fields(domain = %domain, checkout = %id))]
pub async fn razorpay_order(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath((domain, id)): AppPath<(String, Uuid)>,
) -> ApiResult<Json<PaymentStep>> {
    let (tenant, _) = active_store(&state, &domain).await?;
    let razorpay = state.razorpay.clone().ok_or(ApiError::Unavailable("payments are not configured (RAZORPAY_KEY_ID)"))?;
    let checkout = state.store.checkout(tenant.id, id).await?.ok_or(ApiError::NotFound("checkout"))?;
    if checkout.status != CheckoutStatus::Open || checkout.payment_method != PaymentMethod::Razorpay {
        return Err(ApiError::Refused("this checkout takes no online payment".into()));
    }
    let order_id = match checkout.provider_order_id.clone() {
        Some(existing) => existing,
        None => {
            let notes = serde_json::json!({ "tenant_id": tenant.id, "checkout_id": checkout.id });
            let created = razorpay
                .create_order(checkout.total.amount_minor, checkout.total.currency.as_str(), &checkout.id.to_string(), notes)
                .await?;
            // Two tabs racing: the first order recorded wins, the other is answered with it.
            match state.store.set_provider_order(tenant.id, id, &created.id).await {
                Ok(()) => created.id,
                Err(zelly_store::StoreError::Refused(_)) => state
                    .store
                    .checkout(tenant.id, id)
                    .await?
                    .and_then(|c| c.provider_order_id)
                    .ok_or(ApiError::NotFound("checkout"))?,
                Err(err) => return Err(err.into()),
            }
        }
    };
    Ok(Json(PaymentStep { checkout_id: checkout.id, key_id: razorpay.key_id().to_owned(), order_id, amount: checkout.total }))
}

/// The shopper's browser came back from Razorpay: the signature must be Razorpay's for the
/// checkout's own Razorpay order (never an order id the browser makes up), and then the checkout
/// becomes its order (201), or the order the webhook already made is returned (200). A bad
/// signature is 400 and makes nothing.
#[utoipa::path(post, path = "/api/storefront/domains/{domain}/checkouts/{id}/razorpay-callback", tag = "checkout",
    params(("domain" = String, Path), ("id" = String, Path)),
    request_body = RazorpayCallback,
    responses(
        (status = 201, body = Order),
        (status = 200, body = Order),
        (status = 400, description = "The signature or the order does not match", body = zelly_edge::ApiErrorBody),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 503, description = "Razorpay is not configured", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = [])))]
#[tracing::instrument(skip_all, fields(domain = %domain, checkout = %id))]
pub async fn razorpay_callback(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath((domain, id)): AppPath<(String, Uuid)>,
    AppJson(callback): AppJson<RazorpayCallback>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    let (tenant, _) = active_store(&state, &domain).await?;
    let razorpay = state.razorpay.clone().ok_or(ApiError::Unavailable("payments are not configured (RAZORPAY_KEY_ID)"))?;
    callback.validate().map_err(ApiError::InvalidFields)?;
    let checkout = state.store.checkout(tenant.id, id).await?.ok_or(ApiError::NotFound("checkout"))?;
    let stored = checkout.provider_order_id.as_deref().unwrap_or_default();
    let genuine = !stored.is_empty()
        && zelly_service::constant_time_eq(stored.as_bytes(), callback.razorpay_order_id.trim().as_bytes())
        && razorpay.verify_payment(stored, callback.razorpay_payment_id.trim(), &callback.razorpay_signature);
    if !genuine {
        tracing::warn!("a payment callback with a bad signature was refused");
        state.signature_spikes.refused(crate::alarms::SignatureSource::Payments, &state.queues);
        return Err(ApiError::BadRequest("the payment signature does not match this checkout".into()));
    }
    let payment = PaymentConfirmation { payment_id: Some(callback.razorpay_payment_id.trim().to_owned()), amount_minor: checkout.total.amount_minor };
    place_order(&state, tenant.id, id, &payment).await
}

/// The shopper paid, but the callback never came back (a closed tab, a dropped connection) and
/// no webhook has arrived: core-api asks Razorpay itself for the payments of the checkout's own
/// Razorpay order, and one that Razorpay reports captured or authorized, for exactly the
/// checkout's total, makes the order (201), or returns the one already made (200). Nothing the
/// caller says is trusted: there is no body. Without such a payment, 409 and nothing changes.
#[utoipa::path(post, path = "/api/storefront/domains/{domain}/checkouts/{id}/razorpay-payment", tag = "checkout",
    params(("domain" = String, Path), ("id" = String, Path)),
    responses(
        (status = 201, description = "Razorpay reports it paid: the order, made now", body = Order),
        (status = 200, description = "The order made earlier", body = Order),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "Razorpay reports no completed payment for this checkout", body = zelly_edge::ApiErrorBody),
        (status = 502, description = "Razorpay could not be reached", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "Razorpay is not configured", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = [])))]
#[tracing::instrument(skip_all, fields(domain = %domain, checkout = %id))]
pub async fn razorpay_payment(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath((domain, id)): AppPath<(String, Uuid)>,
) -> ApiResult<(StatusCode, Json<Order>)> {
    let (tenant, _) = active_store(&state, &domain).await?;
    if let Some(order) = state.store.order_of_checkout(tenant.id, id).await? {
        return Ok((StatusCode::OK, Json(order)));
    }
    let razorpay = state.razorpay.clone().ok_or(ApiError::Unavailable("payments are not configured (RAZORPAY_KEY_ID)"))?;
    let checkout = state.store.checkout(tenant.id, id).await?.ok_or(ApiError::NotFound("checkout"))?;
    let Some(order_id) = checkout.provider_order_id.clone().filter(|_| checkout.payment_method == PaymentMethod::Razorpay) else {
        return Err(ApiError::Refused("this checkout has no online payment to look up".into()));
    };
    let payments = razorpay.order_payments(&order_id).await?;
    let paid = payments.into_iter().find(|p| {
        matches!(p.status.as_str(), "captured" | "authorized")
            && p.order_id.as_deref() == Some(order_id.as_str())
            && p.amount == checkout.total.amount_minor
            && zelly_edge::limits::is_provider_id(&p.id)
    });
    let Some(paid) = paid else {
        return Err(ApiError::Refused("Razorpay has no completed payment for this checkout yet".into()));
    };
    tracing::info!(payment = %paid.id, "payment found by asking Razorpay");
    let payment = PaymentConfirmation { payment_id: Some(paid.id), amount_minor: checkout.total.amount_minor };
    place_order(&state, tenant.id, id, &payment).await
}

/// Query of the order list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderParams {
    /// Only this status (`paid`, `fulfilled`, …).
    pub status: Option<String>,
    /// Placed at or after (Unix ms).
    pub from_ms: Option<i64>,
    /// Placed before (Unix ms).
    pub to_ms: Option<i64>,
    /// An order number (`1042`, `#1042`) or part of the shopper's email.
    pub q: Option<String>,
    /// 1-200, default 50.
    pub limit: Option<u32>,
}

/// The store's orders, newest first.
#[utoipa::path(get, path = "/api/seller/orders", tag = "seller", params(OrderParams),
    responses((status = 200, body = [Order]), (status = 401, body = zelly_edge::ApiErrorBody), (status = 422, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn list_orders(merchant: Merchant, State(state): State<AppState>, AppQuery(params): AppQuery<OrderParams>) -> ApiResult<Json<Vec<Order>>> {
    let status = match params.status.as_deref().filter(|s| !s.is_empty()) {
        Some(name) => Some(OrderStatus::parse(name).ok_or_else(|| ApiError::Unprocessable(format!("status: no such status {name:?}")))?),
        None => None,
    };
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Unprocessable("limit: must be 1-200".into()));
    }
    for (name, time) in [("from_ms", params.from_ms), ("to_ms", params.to_ms)] {
        if time.is_some_and(|t| !(0..=zelly_edge::limits::MAX_TIME_MS).contains(&t)) {
            return Err(ApiError::Unprocessable(format!("{name}: must be a time in Unix milliseconds")));
        }
    }
    let query = OrderQuery { status, from_ms: params.from_ms, to_ms: params.to_ms, text: params.q, email: None, customer: None, limit };
    Ok(Json(state.store.orders(merchant.tenant.id, &query).await?))
}

/// One order of the store.
#[utoipa::path(get, path = "/api/seller/orders/{id}", tag = "seller", params(("id" = String, Path)),
    responses((status = 200, body = Order), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn get_order(merchant: Merchant, State(state): State<AppState>, AppPath(id): AppPath<Uuid>) -> ApiResult<Json<Order>> {
    Ok(Json(state.store.order(merchant.tenant.id, id).await?.ok_or(ApiError::NotFound("order"))?))
}

/// Where an order should go.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The new status.
    pub status: OrderStatus,
    /// With `fulfilled`: the parcel's courier and tracking number.
    #[serde(default)]
    pub tracking: Option<zelly_edge::orders::Tracking>,
}

/// Moves an order forward: fulfilled (with the parcel's tracking, if given), cancelled, or paid
/// (cash collected on delivery). A move the order does not allow is 409 with the reason; asking
/// for the status it already has answers the order unchanged (a double click).
///
/// Cancelling an order paid online first refunds whatever is left of it through Razorpay (one
/// refund, however often cancel is pressed), then cancels it; an order that has not shipped gets
/// its items back in stock. If Razorpay cannot be reached the order stays as it was (502), and
/// pressing cancel again finishes the same refund.
#[utoipa::path(post, path = "/api/seller/orders/{id}/status", tag = "seller", params(("id" = String, Path)),
    request_body = StatusChange,
    responses(
        (status = 200, body = Order),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "The order cannot move so (e.g. a shipped order cannot be cancelled)", body = zelly_edge::ApiErrorBody),
        (status = 502, description = "Razorpay could not be reached for the cancellation's refund; nothing changed", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.slug, order = %id))]
pub async fn set_status(
    merchant: Merchant,
    State(state): State<AppState>,
    AppPath(id): AppPath<Uuid>,
    AppJson(change): AppJson<StatusChange>,
) -> ApiResult<Json<Order>> {
    if !matches!(change.status, OrderStatus::Fulfilled | OrderStatus::Cancelled | OrderStatus::Paid) {
        return Err(ApiError::Unprocessable(format!(
            "status: an order is marked fulfilled, cancelled or paid here; it cannot be set to {}",
            change.status.as_str()
        )));
    }
    if let Some(tracking) = &change.tracking {
        tracking.validate().map_err(ApiError::InvalidFields)?;
        if change.status != OrderStatus::Fulfilled {
            return Err(ApiError::Unprocessable("tracking: only a fulfilment carries tracking".into()));
        }
    }
    let tenant = merchant.tenant.id;
    let actor = merchant.actor();
    if change.status == OrderStatus::Cancelled {
        let order = state.store.order(tenant, id).await?.ok_or(ApiError::NotFound("order"))?;
        if order.status != OrderStatus::Cancelled && order.may_become(OrderStatus::Cancelled) && order.payment_id.is_some() && order.refundable_minor() > 0 {
            if merchant.role != zelly_edge::catalog::Role::Owner {
                return Err(ApiError::Forbidden("cancelling a paid order refunds it: only the store's owners can"));
            }
            refund_through_razorpay(&state, tenant, id, order.refundable_minor(), CANCELLATION_REFUND_KEY, &actor).await?;
        }
    }
    Ok(Json(state.store.set_order_status(tenant, id, change.status, change.tracking.as_ref(), &actor, now_ms()).await?))
}

/// The refund intent a cancellation makes: in Zelly's own namespace, so no caller's key meets it.
const CANCELLATION_REFUND_KEY: &str = "zelly:cancellation";

/// Refunds all or part of a paid order through Razorpay (owners only). One refund per
/// `idempotency_key`: the intent is recorded with the check of what is left to refund (pending
/// refunds included) in one transaction before Razorpay is asked, and Razorpay is asked with the
/// intent's own id as `X-Refund-Idempotency`; so double clicks, retries after a timeout and
/// concurrent staff never refund more than asked or more than was paid. The refund is counted
/// once by its Razorpay id whether this answer or Razorpay's `refund.processed` webhook lands
/// first.
#[utoipa::path(post, path = "/api/seller/orders/{id}/refunds", tag = "seller", params(("id" = String, Path)),
    request_body = RefundRequest,
    responses(
        (status = 200, description = "The order with the refund counted", body = Order),
        (status = 403, description = "Only owners refund", body = zelly_edge::ApiErrorBody),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "The idempotency_key was used for a refund of another amount", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "Nothing or not that much to refund, or Razorpay refused", body = zelly_edge::ApiErrorBody),
        (status = 502, description = "Razorpay could not be reached; retry with the same idempotency_key", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "Razorpay is not configured", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.slug, order = %id))]
pub async fn refund(
    Owner(merchant): Owner,
    State(state): State<AppState>,
    AppPath(id): AppPath<Uuid>,
    AppJson(request): AppJson<RefundRequest>,
) -> ApiResult<Json<Order>> {
    if !zelly_edge::limits::is_idempotency_key(&request.idempotency_key) {
        return Err(ApiError::Unprocessable("idempotency_key: must be 1-64 letters, digits, '-' or '_'".into()));
    }
    if request.amount_minor <= 0 {
        return Err(ApiError::Unprocessable("amount_minor: a refund is more than zero".into()));
    }
    Ok(Json(refund_through_razorpay(&state, merchant.tenant.id, id, request.amount_minor, &request.idempotency_key, &merchant.actor()).await?))
}

/// Records the refund intent `key` of `amount_minor`, asks Razorpay for it (idempotently, by the
/// intent's id), and counts what Razorpay refunded. A refused refund releases the balance it
/// held; an unreachable Razorpay leaves the intent pending, for a retry with the same key (or the
/// webhook) to finish.
async fn refund_through_razorpay(state: &AppState, tenant: Uuid, order: Uuid, amount_minor: i64, key: &str, actor: &str) -> ApiResult<Order> {
    use zelly_store::RefundState;
    let razorpay = state.razorpay.clone().ok_or(ApiError::Unavailable("payments are not configured (RAZORPAY_KEY_ID)"))?;
    let intent = state.store.begin_refund(tenant, order, amount_minor, key, actor, now_ms()).await?;
    match &intent.state {
        RefundState::Processed(_) => return state.store.order(tenant, order).await?.ok_or(ApiError::NotFound("order")),
        RefundState::Failed(reason) => return Err(ApiError::Unprocessable(format!("this refund failed ({reason}); start a new one"))),
        RefundState::Pending => {}
    }
    ask_razorpay_to_refund(state, &razorpay, tenant, &intent).await
}

/// Asks Razorpay for a pending refund intent, under the intent's own id as the idempotency key
/// (so asking again, after a timeout or a crash, never refunds twice), and records the answer:
/// completed, or failed and releasing its share. Unreachable, it stays pending for a retry.
pub(crate) async fn ask_razorpay_to_refund(
    state: &AppState,
    razorpay: &crate::razorpay::RazorpayClient,
    tenant: Uuid,
    intent: &zelly_store::RefundIntent,
) -> ApiResult<Order> {
    let notes = serde_json::json!({ "tenant_id": tenant, "order_id": intent.order_id, "refund_intent": intent.id });
    let refund = razorpay.refund(&intent.payment_id, intent.amount_minor, &intent.id.simple().to_string(), notes).await;
    match refund {
        Ok(refund) if refund.status == "failed" => {
            state.store.fail_refund(tenant, intent.id, "Razorpay could not process it", now_ms()).await?;
            Err(ApiError::Unprocessable("Razorpay could not process the refund".into()))
        }
        Ok(refund) => {
            tracing::info!(refund = %refund.id, amount = refund.amount, "refund made");
            Ok(state.store.complete_refund(tenant, intent.id, &refund.id, refund.amount, now_ms()).await?)
        }
        Err(err @ crate::razorpay::RazorpayError::Refused(_)) => {
            state.store.fail_refund(tenant, intent.id, &err.to_string(), now_ms()).await?;
            Err(err.into())
        }
        Err(err) => Err(err.into()),
    }
}

/// Who did what to an order, and when, oldest first: placement, payment, fulfilment, refunds,
/// cancellation and restocking.
#[utoipa::path(get, path = "/api/seller/orders/{id}/timeline", tag = "seller", params(("id" = String, Path)),
    responses((status = 200, body = [OrderEvent]), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn timeline(merchant: Merchant, State(state): State<AppState>, AppPath(id): AppPath<Uuid>) -> ApiResult<Json<Vec<OrderEvent>>> {
    Ok(Json(state.store.order_timeline(merchant.tenant.id, id).await?))
}
