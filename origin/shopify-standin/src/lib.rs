//! A stand-in for Shopify, for dev and tests (never production): core-api talks to it exactly as
//! to Shopify, with `SHOPIFY_ADMIN_URL` pointing at it. A shop `{name}.myshopify.com` lives under
//! `/shops/{name}.myshopify.com`, where Shopify serves it at `https://{name}.myshopify.com`.
//!
//! So far, the app install (OAuth authorization code grant):
//! - `GET /shops/{shop}/admin/oauth/authorize?client_id&scope&redirect_uri&state` approves at
//!   once (as a merchant pressing "Install" would) and redirects to `redirect_uri` with `code`,
//!   `shop`, `state`, `timestamp` and `hmac`, signed with the app's secret as Shopify signs it.
//! - `POST /shops/{shop}/admin/oauth/access_token` with `{client_id, client_secret, code}` answers
//!   `{access_token, scope}` once per code, for that shop and app only.
//!
//! And of the Admin GraphQL API (`POST /shops/{shop}/admin/api/{version}/graphql.json`, with the
//! shop's token in `X-Shopify-Access-Token`): `webhookSubscriptionCreate`, and the catalog
//! queries of [`catalog`] (products with cursors, `productsCount`, `inventoryItem`,
//! `inventoryAdjustQuantities`, `shop`) under a cost-based throttle.
//!
//! A shop's data changes through `/__standin/shops/{shop}/…` (seed products, edit or delete one,
//! set the throttle), and each change is delivered to the shop's webhook subscriptions as Shopify
//! delivers it: signed with the app's secret, retried while the receiver fails. Tests also send
//! duplicates and out-of-order deliveries with [`Standin::delivery`] and [`Standin::deliver`].

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub mod catalog;

/// The stand-in's state: the app it knows, the codes it handed out and the tokens it issued.
#[derive(Debug)]
pub struct Standin {
    api_key: String,
    api_secret: String,
    /// code → (shop, scope)
    codes: Mutex<HashMap<String, (String, String)>>,
    /// shop → access token
    tokens: Mutex<HashMap<String, String>>,
    /// shop → (topic, callback URL) subscribed
    subscriptions: Mutex<HashMap<String, Vec<(String, String)>>>,
    /// shop → its data, made on first use with `seed_products` sample products
    shops: Mutex<HashMap<String, catalog::Shop>>,
    /// How many sample products a new shop starts with.
    seed_products: u64,
    /// Where sample images are served (`None`: an address that serves none, for tests).
    image_base: Option<String>,
    http: reqwest::Client,
}

/// One webhook delivery, as Shopify sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// `products/update`…
    pub topic: String,
    /// The body.
    pub payload: serde_json::Value,
    /// `X-Shopify-Webhook-Id`: the same on every retry of this delivery.
    pub webhook_id: String,
    /// `X-Shopify-Event-Id`: the same for every delivery of one event.
    pub event_id: String,
    /// `X-Shopify-Triggered-At`.
    pub triggered_at: String,
}

impl Standin {
    /// A stand-in for the app with `api_key` and `api_secret`.
    pub fn new(api_key: &str, api_secret: &str) -> Arc<Self> {
        Self::with_seed(api_key, api_secret, 0, None)
    }

    /// A stand-in whose shops start with `seed_products` sample products each, their images served
    /// by the stand-in at `image_base` (its own `/cdn/standin`, as the browser reaches it).
    pub fn with_seed(api_key: &str, api_secret: &str, seed_products: u64, image_base: Option<String>) -> Arc<Self> {
        Arc::new(Self {
            api_key: api_key.to_owned(),
            api_secret: api_secret.to_owned(),
            codes: Mutex::default(),
            tokens: Mutex::default(),
            subscriptions: Mutex::default(),
            shops: Mutex::default(),
            seed_products,
            image_base,
            http: reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build().unwrap_or_default(),
        })
    }

    /// Runs `f` on `shop`'s data (made, and seeded, on first use).
    pub fn with_shop<T>(&self, shop: &str, f: impl FnOnce(&mut catalog::Shop) -> T) -> T {
        let mut shops = self.shops.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let data = shops.entry(shop.to_owned()).or_insert_with(|| {
            let mut fresh = catalog::Shop::default();
            fresh.name = catalog::name_of(shop);
            if let Some(base) = &self.image_base {
                fresh.image_base.clone_from(base);
            }
            for n in 1..=self.seed_products {
                fresh.add_sample(n);
            }
            fresh
        });
        f(data)
    }

    /// Issues an access token for `shop` as an install would (tests that need a connected shop
    /// without going through the install).
    pub fn issue_token(&self, shop: &str) -> String {
        let token = format!("shpat_{}", random_hex(16));
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(shop.to_owned(), token.clone());
        }
        token
    }

    /// Subscribes `shop`'s `topic` to `url` (what `webhookSubscriptionCreate` does).
    pub fn subscribe(&self, shop: &str, topic: &str, url: &str) {
        if let Ok(mut all) = self.subscriptions.lock() {
            all.entry(shop.to_owned()).or_default().push((topic.to_owned(), url.to_owned()));
        }
    }

    /// A new delivery of `topic` (fresh webhook and event ids, triggered now).
    pub fn delivery(&self, topic: &str, payload: serde_json::Value) -> Delivery {
        Delivery { topic: topic.to_owned(), payload, webhook_id: random_hex(16), event_id: random_hex(8), triggered_at: catalog::now_rfc3339() }
    }

    /// The headers and body Shopify would send for `delivery` from `shop`.
    pub fn signed(&self, shop: &str, delivery: &Delivery) -> (Vec<(&'static str, String)>, Vec<u8>) {
        use zelly_edge::shopify as s;
        let body = delivery.payload.to_string().into_bytes();
        let headers = vec![
            ("content-type", "application/json".to_owned()),
            (s::HMAC_HEADER, s::webhook_signature(self.api_secret.as_bytes(), &body)),
            (s::SHOP_HEADER, shop.to_owned()),
            (s::TOPIC_HEADER, delivery.topic.clone()),
            (s::WEBHOOK_ID_HEADER, delivery.webhook_id.clone()),
            (s::EVENT_ID_HEADER, delivery.event_id.clone()),
            (s::TRIGGERED_AT_HEADER, delivery.triggered_at.clone()),
            ("x-shopify-api-version", "2025-01".to_owned()),
        ];
        (headers, body)
    }

    /// Delivers to every subscription of `shop` to the delivery's topic, retrying each (up to 5
    /// tries, 200 ms doubling) until it answers 2xx: the last status of each.
    pub async fn deliver(&self, shop: &str, delivery: &Delivery) -> Vec<u16> {
        let urls: Vec<String> = self.subscriptions_of(shop).into_iter().filter(|(t, _)| t.eq_ignore_ascii_case(&delivery.topic.replace('/', "_"))).map(|(_, u)| u).collect();
        let (headers, body) = self.signed(shop, delivery);
        let mut statuses = Vec::new();
        for url in urls {
            let mut status = 0;
            for attempt in 0..5_u32 {
                let mut request = self.http.post(&url).body(body.clone());
                for (name, value) in &headers {
                    request = request.header(*name, value);
                }
                status = request.send().await.map(|r| r.status().as_u16()).unwrap_or(0);
                if (200..300).contains(&status) {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(200 << attempt)).await;
            }
            statuses.push(status);
        }
        statuses
    }

    /// The webhook subscriptions of `shop`: (topic, callback URL), in the order made.
    pub fn subscriptions_of(&self, shop: &str) -> Vec<(String, String)> {
        self.subscriptions.lock().ok().and_then(|s| s.get(shop).cloned()).unwrap_or_default()
    }

    /// The access token issued to `shop`, if any (tests compare it with what core-api keeps).
    pub fn token_of(&self, shop: &str) -> Option<String> {
        self.tokens.lock().ok()?.get(shop).cloned()
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0_u8; bytes];
    getrandom::fill(&mut buf).unwrap_or_else(|e| panic!("no random source: {e}"));
    hex::encode(buf)
}

/// The stand-in's routes.
pub fn app(standin: Arc<Standin>) -> Router {
    Router::new()
        .route("/shops/{shop}/admin/oauth/authorize", get(authorize))
        .route("/shops/{shop}/admin/oauth/access_token", post(access_token))
        .route("/shops/{shop}/admin/api/{version}/graphql.json", post(graphql))
        .route("/__standin/shops/{shop}", get(shop_state))
        .route("/__standin/shops/{shop}/products", post(seed))
        .route("/__standin/shops/{shop}/products/{id}", axum::routing::patch(edit).delete(remove))
        .route("/__standin/shops/{shop}/throttle", axum::routing::put(throttle))
        .route("/cdn/standin/{file}", get(image))
        .route("/health", get(|| async { "ok" }))
        .with_state(standin)
}

#[derive(Debug, Deserialize)]
struct AuthorizeQuery {
    client_id: String,
    #[serde(default)]
    scope: String,
    redirect_uri: String,
    state: String,
}

fn refuse(why: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": why }))).into_response()
}

async fn authorize(State(standin): State<Arc<Standin>>, Path(shop): Path<String>, Query(q): Query<AuthorizeQuery>) -> Response {
    if q.client_id != standin.api_key {
        return refuse("unknown client_id");
    }
    if !zelly_edge::shopify::is_shop_domain(&shop) {
        return refuse("not a shop");
    }
    let code = random_hex(16);
    if let Ok(mut codes) = standin.codes.lock() {
        codes.insert(code.clone(), (shop.clone(), q.scope.clone()));
    }
    let timestamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let unsigned: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("code", &code)
        .append_pair("shop", &shop)
        .append_pair("state", &q.state)
        .append_pair("timestamp", &timestamp.to_string())
        .finish();
    let hmac = zelly_edge::shopify::query_signature(standin.api_secret.as_bytes(), &unsigned);
    let separator = if q.redirect_uri.contains('?') { '&' } else { '?' };
    let to = format!("{}{separator}{unsigned}&hmac={hmac}", q.redirect_uri);
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

#[derive(Debug, Deserialize)]
struct TokenRequest {
    client_id: String,
    client_secret: String,
    code: String,
}

async fn access_token(State(standin): State<Arc<Standin>>, Path(shop): Path<String>, Json(body): Json<TokenRequest>) -> Response {
    if body.client_id != standin.api_key || body.client_secret != standin.api_secret {
        return refuse("invalid client credentials");
    }
    let granted = standin.codes.lock().ok().and_then(|mut codes| codes.remove(&body.code));
    let Some((for_shop, scope)) = granted.filter(|(s, _)| *s == shop) else {
        return refuse("the authorization code was not found or was already used");
    };
    let token = format!("shpat_{}", random_hex(16));
    if let Ok(mut tokens) = standin.tokens.lock() {
        tokens.insert(for_shop, token.clone());
    }
    Json(json!({ "access_token": token, "scope": scope })).into_response()
}

#[derive(Debug, Deserialize)]
struct GraphqlRequest {
    query: String,
    #[serde(default)]
    variables: serde_json::Value,
}

async fn graphql(State(standin): State<Arc<Standin>>, Path((shop, _version)): Path<(String, String)>, headers: axum::http::HeaderMap, Json(body): Json<GraphqlRequest>) -> Response {
    let token = headers.get("x-shopify-access-token").and_then(|v| v.to_str().ok());
    if token.is_none() || token.map(str::to_owned) != standin.token_of(&shop) {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)" }))).into_response();
    }
    let cost = json!({ "requestedQueryCost": 10, "actualQueryCost": 10, "throttleStatus": { "maximumAvailable": 2000.0, "currentlyAvailable": 1990, "restoreRate": 100.0 } });
    if !body.query.contains("webhookSubscriptionCreate")
        && let Some(answer) = standin.with_shop(&shop, |data| data.answer(&body.query, &body.variables))
    {
        return Json(answer).into_response();
    }
    if body.query.contains("webhookSubscriptionCreate") {
        let topic = body.variables["topic"].as_str().unwrap_or_default().to_owned();
        let url = body.variables["webhookSubscription"]["callbackUrl"].as_str().unwrap_or_default().to_owned();
        if topic.is_empty() || !(url.starts_with("https://") || url.starts_with("http://")) {
            let errors = json!([{ "field": ["webhookSubscription", "callbackUrl"], "message": "Address is invalid" }]);
            return Json(json!({ "data": { "webhookSubscriptionCreate": { "webhookSubscription": null, "userErrors": errors } }, "extensions": { "cost": cost } })).into_response();
        }
        let id = {
            let Ok(mut all) = standin.subscriptions.lock() else { return StatusCode::INTERNAL_SERVER_ERROR.into_response() };
            let list = all.entry(shop).or_default();
            list.push((topic, url));
            list.len()
        };
        let created = json!({ "webhookSubscription": { "id": format!("gid://shopify/WebhookSubscription/{id}") }, "userErrors": [] });
        return Json(json!({ "data": { "webhookSubscriptionCreate": created }, "extensions": { "cost": cost } })).into_response();
    }
    Json(json!({ "errors": [{ "message": "the stand-in does not answer this query yet" }] })).into_response()
}

async fn shop_state(State(standin): State<Arc<Standin>>, Path(shop): Path<String>) -> Response {
    let (name, products, throttled) = standin.with_shop(&shop, |s| (s.name.clone(), s.products.len(), s.throttled));
    Json(json!({ "name": name, "products": products, "throttled": throttled, "subscriptions": standin.subscriptions_of(&shop).len() })).into_response()
}

#[derive(Debug, Deserialize)]
struct SeedRequest {
    count: u64,
}

/// Adds `count` sample products, quietly (as an import in Shopify's admin would, before any app).
async fn seed(State(standin): State<Arc<Standin>>, Path(shop): Path<String>, Json(body): Json<SeedRequest>) -> Response {
    if body.count > 20_000 {
        return refuse("at most 20,000 products at once");
    }
    let total = standin.with_shop(&shop, |s| {
        let start = s.products.len() as u64 + 1;
        for n in start..start + body.count {
            s.add_sample(n);
        }
        s.products.len()
    });
    Json(json!({ "products": total })).into_response()
}

#[derive(Debug, Deserialize)]
struct EditRequest {
    title: Option<String>,
    price: Option<String>,
    quantity: Option<i64>,
}

/// Edits a product as a merchant would in Shopify's admin, then delivers `products/update`.
async fn edit(State(standin): State<Arc<Standin>>, Path((shop, id)): Path<(String, u64)>, Json(body): Json<EditRequest>) -> Response {
    let edited = standin.with_shop(&shop, |s| {
        let p = s.products.get_mut(&id)?;
        if let Some(title) = body.title {
            p.title = title;
        }
        for v in &mut p.variants {
            if let Some(price) = &body.price {
                v.price.clone_from(price);
            }
            if let Some(quantity) = body.quantity {
                v.quantity = quantity;
            }
        }
        p.updated_at = catalog::now_rfc3339();
        Some(catalog::rest_payload(p))
    });
    let Some(payload) = edited else { return (StatusCode::NOT_FOUND, Json(json!({ "error": "no such product" }))).into_response() };
    let delivery = standin.delivery("products/update", payload.clone());
    let statuses = standin.deliver(&shop, &delivery).await;
    Json(json!({ "product": payload, "delivered": statuses })).into_response()
}

/// Deletes a product, then delivers `products/delete`.
async fn remove(State(standin): State<Arc<Standin>>, Path((shop, id)): Path<(String, u64)>) -> Response {
    if standin.with_shop(&shop, |s| s.products.remove(&id)).is_none() {
        return (StatusCode::NOT_FOUND, Json(json!({ "error": "no such product" }))).into_response();
    }
    let delivery = standin.delivery("products/delete", json!({ "id": id }));
    let statuses = standin.deliver(&shop, &delivery).await;
    Json(json!({ "delivered": statuses })).into_response()
}

#[derive(Debug, Deserialize)]
struct ThrottleRequest {
    maximum: f64,
    restore_rate: f64,
}

/// Sets the shop's throttle (and fills its bucket).
async fn throttle(State(standin): State<Arc<Standin>>, Path(shop): Path<String>, Json(body): Json<ThrottleRequest>) -> Response {
    if !(body.maximum > 0.0 && body.restore_rate > 0.0) {
        return refuse("maximum and restore_rate must be positive");
    }
    standin.with_shop(&shop, |s| s.bucket = catalog::Bucket::new(body.maximum, body.restore_rate));
    StatusCode::NO_CONTENT.into_response()
}

/// A sample product's image (`{n}.svg`).
async fn image(Path(file): Path<String>) -> Response {
    let Some(n) = file.strip_suffix(".svg").and_then(|n| n.parse::<u64>().ok()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], catalog::sample_image(n)).into_response()
}
