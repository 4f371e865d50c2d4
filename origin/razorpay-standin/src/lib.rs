//! A stand-in for Razorpay, for development and tests: nothing in dev or CI talks to the real
//! Razorpay.
//!
//! It speaks the parts of Razorpay's API that Zelly uses, with the same shapes, authentication
//! and signatures:
//! - `POST /v1/orders`, `GET /v1/orders/{id}` and `GET /v1/orders/{id}/payments` (HTTP Basic
//!   with the key id and secret);
//! - `GET /pay/{order_id}?callback_url=…`: a payment page whose "Pay" completes the payment and
//!   posts `razorpay_payment_id`, `razorpay_order_id` and `razorpay_signature` (hex HMAC-SHA256 of
//!   `order_id|payment_id` with the key secret) to the callback URL, as Standard Checkout does;
//!   "Fail" posts Razorpay's error fields instead;
//! - webhooks (`payment.captured`, `refund.processed`) to `RAZORPAY_WEBHOOK_URL`, signed with
//!   `RAZORPAY_WEBHOOK_SECRET`, each delivered twice (Razorpay repeats deliveries) and retried
//!   with backoff until a 2xx;
//! - `POST /v1/payments/{id}/refund`, full or partial, idempotent on `X-Refund-Idempotency`.
//!
//! State lives in memory: a restart forgets it, as a test double may.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the stand-in reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND` (default 127.0.0.1) and `PORT` (default 9100).
    pub listen: SocketAddr,
    /// `RAZORPAY_KEY_ID` (default `rzp_test_zelly`).
    pub key_id: String,
    /// `RAZORPAY_KEY_SECRET` (default `zelly_test_secret`).
    pub key_secret: String,
    /// `RAZORPAY_WEBHOOK_URL`: where webhooks go; none, none sent.
    pub webhook_url: Option<String>,
    /// `RAZORPAY_WEBHOOK_SECRET`: what webhooks are signed with.
    pub webhook_secret: String,
}

impl Config {
    /// Reads the environment.
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let bind: IpAddr = match var("BIND") {
            Some(raw) => raw.parse().map_err(|_| format!("BIND must be an IP address, got {raw:?}"))?,
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let port = zelly_service::port_from_env("PORT", 9100)?;
        Ok(Self {
            listen: SocketAddr::new(bind, port),
            key_id: var("RAZORPAY_KEY_ID").unwrap_or_else(|| "rzp_test_zelly".into()),
            key_secret: var("RAZORPAY_KEY_SECRET").unwrap_or_else(|| "zelly_test_secret".into()),
            webhook_url: var("RAZORPAY_WEBHOOK_URL"),
            webhook_secret: var("RAZORPAY_WEBHOOK_SECRET").unwrap_or_else(|| "zelly_webhook_secret".into()),
        })
    }
}

#[derive(Default)]
struct Ledger {
    orders: HashMap<String, Value>,
    /// payment id → (order id, amount, refunded)
    payments: HashMap<String, (String, i64, i64)>,
    /// idempotency key → refund
    refunds_by_key: HashMap<String, Value>,
}

/// The stand-in's state.
#[derive(Clone)]
pub struct Standin {
    config: Arc<Config>,
    ledger: Arc<Mutex<Ledger>>,
    http: reqwest::Client,
}

impl Standin {
    /// A stand-in with an empty ledger.
    pub fn new(config: Config) -> Self {
        Self { config: Arc::new(config), ledger: Arc::default(), http: reqwest::Client::new() }
    }

    fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A Razorpay-style id: `prefix_` and 14 random letters and digits.
fn new_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; 14];
    getrandom::fill(&mut bytes).unwrap_or_else(|_| bytes.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8));
    let tail: String = bytes.iter().map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char).collect();
    format!("{prefix}_{tail}")
}

fn now_secs() -> i64 {
    zelly_service::now_ms() / 1000
}

/// Razorpay's error shape.
fn error(status: StatusCode, description: &str) -> Response {
    (status, Json(json!({ "error": { "code": "BAD_REQUEST_ERROR", "description": description } }))).into_response()
}

/// Whether the request carries the key id and secret as HTTP Basic credentials.
fn authorized(standin: &Standin, headers: &HeaderMap) -> bool {
    use base64::Engine as _;
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return false };
    let Some(encoded) = value.strip_prefix("Basic ") else { return false };
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", standin.config.key_id, standin.config.key_secret));
    zelly_service::constant_time_eq(encoded.trim().as_bytes(), expected.as_bytes())
}

/// The stand-in's routes.
pub fn app(standin: Standin) -> Router {
    Router::new()
        .route("/health", get(|| async { Json(json!({ "status": "ok", "service": "razorpay-standin" })) }))
        .route("/v1/orders", post(create_order))
        .route("/v1/orders/{id}", get(get_order))
        .route("/v1/orders/{id}/payments", get(order_payments))
        .route("/v1/payments/{id}/refund", post(refund))
        .route("/pay/{order_id}", get(pay_page))
        .route("/pay/{order_id}/complete", post(complete))
        .route("/pay/{order_id}/fail", post(fail))
        .with_state(standin)
}

#[derive(Debug, Deserialize)]
struct NewOrder {
    amount: i64,
    currency: String,
    #[serde(default)]
    receipt: Option<String>,
    #[serde(default)]
    notes: Value,
}

async fn create_order(State(standin): State<Standin>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if !authorized(&standin, &headers) {
        return error(StatusCode::UNAUTHORIZED, "The api key provided is invalid");
    }
    let Ok(new) = serde_json::from_slice::<NewOrder>(&body) else {
        return error(StatusCode::BAD_REQUEST, "The request body is not a valid order");
    };
    if new.amount < 100 {
        return error(StatusCode::BAD_REQUEST, "The amount must be atleast INR 1.00");
    }
    if new.currency != "INR" {
        return error(StatusCode::BAD_REQUEST, "The currency should be INR");
    }
    let order = json!({
        "id": new_id("order"),
        "entity": "order",
        "amount": new.amount,
        "amount_paid": 0,
        "amount_due": new.amount,
        "currency": new.currency,
        "receipt": new.receipt,
        "status": "created",
        "attempts": 0,
        "notes": if new.notes.is_null() { json!({}) } else { new.notes },
        "created_at": now_secs(),
    });
    let id = order["id"].as_str().unwrap_or_default().to_owned();
    standin.ledger().orders.insert(id, order.clone());
    Json(order).into_response()
}

async fn get_order(State(standin): State<Standin>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&standin, &headers) {
        return error(StatusCode::UNAUTHORIZED, "The api key provided is invalid");
    }
    match standin.ledger().orders.get(&id) {
        Some(order) => Json(order.clone()).into_response(),
        None => error(StatusCode::BAD_REQUEST, "The id provided does not exist"),
    }
}

/// The payments of an order, in Razorpay's collection shape.
async fn order_payments(State(standin): State<Standin>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if !authorized(&standin, &headers) {
        return error(StatusCode::UNAUTHORIZED, "The api key provided is invalid");
    }
    let ledger = standin.ledger();
    let Some(order) = ledger.orders.get(&id) else {
        return error(StatusCode::BAD_REQUEST, "The id provided does not exist");
    };
    let items: Vec<Value> = ledger
        .payments
        .iter()
        .filter(|(_, (order_id, _, _))| *order_id == id)
        .map(|(payment_id, (_, amount, refunded))| {
            json!({
                "id": payment_id,
                "entity": "payment",
                "amount": amount,
                "currency": order["currency"],
                "status": if *refunded > 0 { "refunded" } else { "captured" },
                "order_id": id,
                "captured": true,
            })
        })
        .collect();
    Json(json!({ "entity": "collection", "count": items.len(), "items": items })).into_response()
}

#[derive(Debug, Deserialize)]
struct PayQuery {
    callback_url: String,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Only http(s) callbacks: the page posts there.
fn safe_callback(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://")
}

async fn pay_page(State(standin): State<Standin>, Path(order_id): Path<String>, Query(query): Query<PayQuery>) -> Response {
    let Some(order) = standin.ledger().orders.get(&order_id).cloned() else {
        return (StatusCode::NOT_FOUND, Html("<h1>No such order</h1>".to_owned())).into_response();
    };
    if !safe_callback(&query.callback_url) {
        return (StatusCode::BAD_REQUEST, Html("<h1>Bad callback URL</h1>".to_owned())).into_response();
    }
    let amount = order["amount"].as_i64().unwrap_or_default();
    let callback = escape(&query.callback_url);
    let html = format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Razorpay stand-in</title>
<style>body{{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}}button{{padding:.6rem 1.2rem;margin-right:.5rem;font-size:1rem}}</style></head>
<body><h1>Razorpay stand-in</h1><p>Order <code>{order_id}</code></p><p data-testid="rzp-amount">Amount: ₹{rupees}.{paise:02}</p>
<form method="post" action="/pay/{order_id}/complete?callback_url={callback_q}"><button type="submit" data-testid="rzp-pay">Pay</button></form>
<form method="post" action="/pay/{order_id}/fail?callback_url={callback_q}"><button type="submit" data-testid="rzp-fail">Fail the payment</button></form>
<p><small>Test mode: no money moves. Callback: {callback}</small></p></body></html>"#,
        order_id = escape(&order_id),
        rupees = amount / 100,
        paise = amount % 100,
        callback_q = escape(&form_urlencoded::byte_serialize(query.callback_url.as_bytes()).collect::<String>()),
    );
    Html(html).into_response()
}

/// A page that posts `fields` to `url` at once (what Standard Checkout's redirect mode does).
fn auto_post(url: &str, fields: &[(&str, String)]) -> Response {
    let inputs: String = fields
        .iter()
        .map(|(name, value)| format!(r#"<input type="hidden" name="{name}" value="{}">"#, escape(value)))
        .collect();
    Html(format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Returning to the store</title></head>
<body><form id="back" method="post" action="{}">{inputs}<noscript><button type="submit">Continue</button></noscript></form>
<script>document.getElementById("back").submit()</script></body></html>"#,
        escape(url)
    ))
    .into_response()
}

async fn complete(State(standin): State<Standin>, Path(order_id): Path<String>, Query(query): Query<PayQuery>) -> Response {
    if !safe_callback(&query.callback_url) {
        return (StatusCode::BAD_REQUEST, Html("<h1>Bad callback URL</h1>".to_owned())).into_response();
    }
    let payment_id = new_id("pay");
    let order = {
        let mut ledger = standin.ledger();
        let Some(order) = ledger.orders.get_mut(&order_id) else {
            return (StatusCode::NOT_FOUND, Html("<h1>No such order</h1>".to_owned())).into_response();
        };
        let amount = order["amount"].as_i64().unwrap_or_default();
        order["status"] = json!("paid");
        order["amount_paid"] = json!(amount);
        order["amount_due"] = json!(0);
        let order = order.clone();
        ledger.payments.insert(payment_id.clone(), (order_id.clone(), amount, 0));
        order
    };
    let signature = zelly_edge::signature::payment_signature(&standin.config.key_secret, &order_id, &payment_id);
    let payment = json!({
        "id": payment_id,
        "entity": "payment",
        "amount": order["amount"],
        "currency": order["currency"],
        "status": "captured",
        "order_id": order_id,
        "method": "upi",
        "captured": true,
        "notes": order["notes"],
        "created_at": now_secs(),
    });
    deliver(&standin, "payment.captured", json!({ "payment": { "entity": payment }, "order": { "entity": order } }));
    auto_post(
        &query.callback_url,
        &[("razorpay_payment_id", payment_id), ("razorpay_order_id", order_id), ("razorpay_signature", signature)],
    )
}

async fn fail(Path(order_id): Path<String>, Query(query): Query<PayQuery>) -> Response {
    if !safe_callback(&query.callback_url) {
        return (StatusCode::BAD_REQUEST, Html("<h1>Bad callback URL</h1>".to_owned())).into_response();
    }
    let metadata = json!({ "order_id": order_id }).to_string();
    auto_post(
        &query.callback_url,
        &[
            ("error[code]", "BAD_REQUEST_ERROR".into()),
            ("error[description]", "Payment failed: the stand-in was asked to fail it".into()),
            ("error[reason]", "payment_failed".into()),
            ("error[metadata]", metadata),
        ],
    )
}

#[derive(Debug, Deserialize, Default)]
struct NewRefund {
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default)]
    notes: Value,
}

async fn refund(State(standin): State<Standin>, headers: HeaderMap, Path(payment_id): Path<String>, body: axum::body::Bytes) -> Response {
    if !authorized(&standin, &headers) {
        return error(StatusCode::UNAUTHORIZED, "The api key provided is invalid");
    }
    let new: NewRefund = if body.is_empty() {
        NewRefund::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(new) => new,
            Err(_) => return error(StatusCode::BAD_REQUEST, "The request body is not a valid refund"),
        }
    };
    let key = headers.get("x-refund-idempotency").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let refund = {
        let mut ledger = standin.ledger();
        if let Some(existing) = key.as_ref().and_then(|k| ledger.refunds_by_key.get(k)) {
            return Json(existing.clone()).into_response();
        }
        let Some((_, captured, refunded)) = ledger.payments.get_mut(&payment_id) else {
            return error(StatusCode::BAD_REQUEST, "The id provided does not exist");
        };
        let amount = new.amount.unwrap_or(*captured - *refunded);
        if amount <= 0 || amount > *captured - *refunded {
            return error(StatusCode::BAD_REQUEST, "The refund amount provided is greater than amount captured");
        }
        *refunded += amount;
        let refund = json!({
            "id": new_id("rfnd"),
            "entity": "refund",
            "amount": amount,
            "currency": "INR",
            "payment_id": payment_id,
            "notes": if new.notes.is_null() { json!({}) } else { new.notes },
            "status": "processed",
            "speed_processed": "normal",
            "created_at": now_secs(),
        });
        if let Some(key) = key {
            ledger.refunds_by_key.insert(key, refund.clone());
        }
        refund
    };
    deliver(&standin, "refund.processed", json!({ "refund": { "entity": refund.clone() } }));
    Json(refund).into_response()
}

/// Sends a signed webhook twice (deliveries repeat), each retried with backoff until a 2xx.
fn deliver(standin: &Standin, event: &str, payload: Value) {
    let Some(url) = standin.config.webhook_url.clone() else { return };
    let body = json!({ "entity": "event", "account_id": "acc_standin", "event": event, "contains": [], "payload": payload, "created_at": now_secs() })
        .to_string();
    let signature = zelly_edge::signature::hmac_sha256_hex(standin.config.webhook_secret.as_bytes(), body.as_bytes());
    let event_id = new_id("evt");
    for copy in 0..2u64 {
        let (http, url, body, signature, event_id) = (standin.http.clone(), url.clone(), body.clone(), signature.clone(), event_id.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100 + copy * 400)).await;
            let mut wait = Duration::from_millis(250);
            for attempt in 1..=8 {
                let sent = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-razorpay-signature", &signature)
                    .header("x-razorpay-event-id", &event_id)
                    .body(body.clone())
                    .timeout(Duration::from_secs(5))
                    .send()
                    .await;
                match sent {
                    Ok(res) if res.status().is_success() => return,
                    Ok(res) => tracing::warn!(attempt, status = %res.status(), "webhook refused; retrying"),
                    Err(err) => tracing::warn!(attempt, %err, "webhook not delivered; retrying"),
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(10));
            }
            tracing::error!(%event_id, "webhook given up after 8 attempts");
        });
    }
}

/// Serves until shutdown.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let listen = config.listen;
    zelly_service::serve("razorpay-standin", listen, app(Standin::new(config))).await?;
    Ok(())
}
