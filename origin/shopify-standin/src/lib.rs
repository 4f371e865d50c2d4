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
//! shop's token in `X-Shopify-Access-Token`), so far `webhookSubscriptionCreate`.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
}

impl Standin {
    /// A stand-in for the app with `api_key` and `api_secret`.
    pub fn new(api_key: &str, api_secret: &str) -> Arc<Self> {
        Arc::new(Self { api_key: api_key.to_owned(), api_secret: api_secret.to_owned(), codes: Mutex::default(), tokens: Mutex::default(), subscriptions: Mutex::default() })
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
