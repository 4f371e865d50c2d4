//! Shopify: connecting a store's Shopify shop (the app install), and Shopify's webhooks.
//!
//! **Install.** An owner asks to connect a shop (`POST /api/seller/shopify/install`) and is sent to
//! Shopify's authorize page with a random `state` (kept hashed, for ten minutes, single use, tied
//! to the store and the shop). Shopify sends the merchant back to `GET /api/shopify/callback`,
//! which refuses anything whose `hmac` is not Shopify's (the app secret over the sorted query,
//! constant time), whose `shop` is not a `*.myshopify.com` name or not the shop the state was
//! made for, or whose `state` is unknown, spent or expired. Then the code is exchanged for the
//! shop's access token, the shop is subscribed to the webhooks Zelly acts on, the token is sealed
//! and stored, and the merchant returns to seller-ui. `GET /api/seller/shopify` says whether a shop is connected; `DELETE` disconnects.
//!
//! **Webhooks**, received: checked, deduplicated and queued on `SHOPIFY_WEBHOOK`, answered well
//! inside Shopify's 5 s. Applying each topic is the queue worker's job.
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
use axum::routing::{get, post};
use crate::routes::seller::{Merchant, Owner};
use zelly_service::{AppJson, AppQuery};
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
    Router::new()
        .route(SHOPIFY_WEBHOOK_PATH, post(webhook).layer(DefaultBodyLimit::max(MAX_BODY)))
        .route("/api/seller/shopify", get(connection).delete(disconnect))
        .route("/api/seller/shopify/install", post(install))
        .route("/api/seller/shopify/sync", post(sync))
        .route(SHOPIFY_CALLBACK_PATH, get(callback))
}

/// Where Shopify sends the merchant back after an install.
pub const SHOPIFY_CALLBACK_PATH: &str = "/api/shopify/callback";
/// How long an install may take.
const INSTALL_MS: i64 = 10 * 60 * 1000;

/// The app, or the 503 that says Shopify is not set up here.
fn app(state: &AppState) -> ApiResult<&crate::shopify_app::ShopifyApp> {
    state.shopify.as_deref().ok_or(ApiError::Unavailable("Shopify is not configured here (SHOPIFY_API_KEY, SHOPIFY_API_SECRET, SHOPIFY_TOKEN_KEY)"))
}

pub use zelly_edge::shopify::{InstallInput, InstallStart, ShopifyConnectionState as ConnectionState};

/// The shop a merchant typed, as its `*.myshopify.com` domain.
fn shop_of(raw: &str) -> Option<String> {
    let raw = raw.trim().to_ascii_lowercase();
    let raw = raw.trim_start_matches("https://").trim_start_matches("http://").trim_end_matches('/');
    let shop = if raw.contains('.') { raw.to_owned() } else { format!("{raw}.myshopify.com") };
    shopify::is_shop_domain(&shop).then_some(shop)
}

/// Starts connecting the store to a Shopify shop (owners only): the authorize page to send the
/// owner to.
#[utoipa::path(post, path = "/api/seller/shopify/install", tag = "seller", request_body = InstallInput,
    responses(
        (status = 200, body = InstallStart),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, description = "Not an owner", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "Not a myshopify.com shop", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "Shopify is not configured", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
pub async fn install(Owner(owner): Owner, State(state): State<AppState>, AppJson(input): AppJson<InstallInput>) -> ApiResult<Json<InstallStart>> {
    let app = app(&state)?;
    let shop = shop_of(&input.shop).ok_or_else(|| ApiError::Unprocessable("shop: must be your shop's myshopify.com address, like tea-house.myshopify.com".into()))?;
    let mut secret = [0_u8; 32];
    getrandom::fill(&mut secret).map_err(|e| ApiError::Internal(Box::new(e)))?;
    let secret = hex::encode(secret);
    let hash = zelly_edge::signature::sha256_hex(secret.as_bytes());
    state.store.start_shopify_install(owner.tenant.id, &hash, &shop, now_ms() + INSTALL_MS).await?;
    Ok(Json(InstallStart { authorize_url: app.authorize_url(&shop, &secret) }))
}

/// The parameters of Shopify's redirect back (more may come; all are signed).
#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    /// The authorization code.
    pub code: Option<String>,
    /// The shop.
    pub shop: Option<String>,
    /// The install's state.
    pub state: Option<String>,
    /// When Shopify signed it.
    pub timestamp: Option<String>,
    /// The signature.
    pub hmac: Option<String>,
}

/// Finishes an install: Shopify's redirect back, checked, its code exchanged for the shop's
/// access token (stored sealed); then back to seller-ui.
#[utoipa::path(get, path = "/api/shopify/callback", tag = "webhooks",
    params(
        ("code" = String, Query), ("shop" = String, Query), ("state" = String, Query),
        ("timestamp" = String, Query), ("hmac" = String, Query, description = "hex HMAC-SHA256 of the other parameters, sorted, with the app secret"),
    ),
    responses(
        (status = 303, description = "Connected: back to seller-ui"),
        (status = 400, description = "Not Shopify's, another shop, or a state unknown, spent or expired", body = zelly_edge::ApiErrorBody),
        (status = 409, description = "The shop is connected to another store", body = zelly_edge::ApiErrorBody),
        (status = 502, description = "Shopify refused the code", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "Shopify is not configured", body = zelly_edge::ApiErrorBody),
    ),
    security(()))]
pub async fn callback(AppQuery(_checked): AppQuery<CallbackParams>, State(state): State<AppState>, uri: axum::http::Uri) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse as _;
    // `AppQuery` has refused control characters in any parameter; the signature is checked over
    // the raw query, every parameter Shopify sent included.
    let app = app(&state)?;
    let query = uri.query().unwrap_or_default();
    let secrets: Vec<&[u8]> = state.shopify_secrets.iter().map(|s| s.expose().as_bytes()).collect();
    if !shopify::query_signature_valid(&secrets, query) {
        tracing::warn!("Shopify install callback with a bad hmac refused");
        return Err(ApiError::BadRequest("this link was not signed by Shopify".into()));
    }
    let param = |name: &str| form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let (Some(shop), Some(code), Some(secret)) = (param("shop"), param("code"), param("state")) else {
        return Err(ApiError::BadRequest("the link is missing its shop, code or state".into()));
    };
    if !shopify::is_shop_domain(&shop) {
        return Err(ApiError::BadRequest("the shop is not a myshopify.com shop".into()));
    }
    let hash = zelly_edge::signature::sha256_hex(secret.as_bytes());
    let Some((tenant, expected)) = state.store.finish_shopify_install(&hash, now_ms()).await? else {
        return Err(ApiError::BadRequest("this install link has expired or was already used: start again from seller-ui".into()));
    };
    if expected != shop {
        return Err(ApiError::BadRequest("this install was started for another shop".into()));
    }
    let (token, scopes) = app.exchange_code(&shop, &code).await.map_err(|why| {
        tracing::warn!(%why, shop, "Shopify refused the install code");
        ApiError::BadGateway("Shopify did not confirm the install; please try again".into())
    })?;
    // Subscribed before it is stored: a shop Zelly would never hear from is not connected.
    app.subscribe_webhooks(&shop, &token).await.map_err(|why| {
        tracing::warn!(%why, shop, "Shopify webhooks not subscribed");
        ApiError::BadGateway("Shopify did not accept Zelly's webhooks; please start the connection again".into())
    })?;
    let sealed = app.seal(&token).map_err(|why| ApiError::Internal(why.into()))?;
    let connection = zelly_store::ShopifyConnection { shop_domain: shop.clone(), sealed_token: sealed, scopes, connected_at_ms: now_ms() };
    state.store.connect_shopify(tenant, &connection).await?;
    tracing::info!(%tenant, shop, "Shopify shop connected");
    // The shop's settings and catalog come in at once; the merchant watches the import in
    // seller-ui. A failure here leaves the connection made: "sync now" starts it again.
    let fetch_id = format!("settings-connect-{}", Uuid::new_v4().simple());
    if let Err(e) = crate::shopify_jobs::queue_settings_fetch(&state, tenant, fetch_id).await {
        tracing::warn!(error = %e, %tenant, "the shop's settings fetch could not be queued");
    }
    if let Err(e) = crate::shopify_jobs::start_sync(&state, tenant).await {
        tracing::warn!(error = ?e, %tenant, "the first catalog sync could not be started");
    }
    let back = format!("{}/#/settings/shopify", state.onboarding.seller_ui_url.trim_end_matches('/'));
    Ok((StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, back)]).into_response())
}

/// The store's Shopify connection.
#[utoipa::path(get, path = "/api/seller/shopify", tag = "seller",
    responses((status = 200, body = ConnectionState), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn connection(merchant: Merchant, State(state): State<AppState>) -> ApiResult<Json<ConnectionState>> {
    let tenant = merchant.tenant.id;
    let found = state.store.shopify_connection(tenant).await?;
    let products = state.store.shopify_product_count(tenant).await?;
    let sync = state.store.shopify_sync(tenant).await?;
    Ok(Json(match found {
        Some(c) => ConnectionState { connected: true, shop: Some(c.shop_domain), scopes: Some(c.scopes), connected_at_ms: Some(c.connected_at_ms), products, sync },
        None => ConnectionState { connected: false, shop: None, scopes: None, connected_at_ms: None, products, sync },
    }))
}

/// Imports the connected shop's whole catalog now (owners only): products are matched by their
/// Shopify id, so nothing is created twice, and products gone from Shopify are archived. Follow
/// its progress in `GET /api/seller/shopify`.
#[utoipa::path(post, path = "/api/seller/shopify/sync", tag = "seller",
    responses((status = 202, body = zelly_edge::shopify::ShopifySync), (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, body = zelly_edge::ApiErrorBody), (status = 409, body = zelly_edge::ApiErrorBody, description = "No shop is connected, or a sync is running"),
        (status = 503, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn sync(Owner(owner): Owner, State(state): State<AppState>) -> ApiResult<(StatusCode, Json<zelly_edge::shopify::ShopifySync>)> {
    app(&state)?;
    if state.store.shopify_connection(owner.tenant.id).await?.is_none() {
        return Err(ApiError::Conflict("connect a Shopify shop first".into()));
    }
    let sync = crate::shopify_jobs::start_sync(&state, owner.tenant.id).await?;
    Ok((StatusCode::ACCEPTED, Json(sync)))
}

/// Disconnects the store's Shopify shop (owners only). Its products stay.
#[utoipa::path(delete, path = "/api/seller/shopify", tag = "seller",
    responses((status = 204, description = "Disconnected (also when none was)"), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn disconnect(Owner(owner): Owner, State(state): State<AppState>) -> ApiResult<StatusCode> {
    state.store.disconnect_shopify(owner.tenant.id).await?;
    Ok(StatusCode::NO_CONTENT)
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
        state.signature_spikes.refused(crate::alarms::SignatureSource::Shopify, &state.queues);
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
    // Privacy requests keep coming after an uninstall (shop/redact 48 hours later): they concern
    // the store the shop was last connected to.
    let privacy = matches!(topic, Topic::CustomersDataRequest | Topic::CustomersRedact | Topic::ShopRedact);
    let tenant = match state.store.tenant_of_shopify_shop(shop).await? {
        None if privacy => state.store.tenant_of_former_shopify_shop(shop).await?,
        found => found,
    };
    let Some(tenant) = tenant else {
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
