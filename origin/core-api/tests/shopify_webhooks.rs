//! Shopify's webhooks at core-api on both backends: only a delivery signed with the app's
//! secret is read; it is queued on SHOPIFY_WEBHOOK once however often (and however
//! concurrently) Shopify repeats it; a shop connected to no store is acknowledged and dropped.
#![allow(clippy::unwrap_used, missing_docs)]

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use zelly_edge::TenantSlug;
use zelly_store::{DynStore, NewTenant, ShopifyConnection};

zelly_store::on_both_backends!(
    only_a_signed_delivery_is_read_and_it_is_queued_once,
    a_shop_connected_to_no_store_is_acknowledged_and_dropped,
);

const SECRET: &str = "shpss_test_secret";

struct App {
    base: String,
    state: core_api::AppState,
    http: reqwest::Client,
}

async fn spawn(store: DynStore) -> App {
    let mut state = core_api::testing::state(store.clone(), "test-storefront-token-0123456789", None).await;
    state.shopify_secrets = Arc::new(vec![zelly_store::config::Secret::new("old_secret"), zelly_store::config::Secret::new(SECRET)]);
    let base = zelly_service::serve_in_background(core_api::app(state.clone())).await.unwrap();
    let tenant = store.create_tenant(&NewTenant { slug: TenantSlug::parse("tea-house").unwrap(), name: "Tea House".into() }).await.unwrap().id;
    let connection = ShopifyConnection { shop_domain: "tea-house.myshopify.com".into(), sealed_token: "sealed".into(), scopes: String::new(), connected_at_ms: 1 };
    store.connect_shopify(tenant, &connection).await.unwrap();
    App { base, state, http: reqwest::Client::new() }
}

impl App {
    async fn deliver(&self, body: &[u8], signature: Option<&str>, shop: &str, webhook_id: &str, event_id: Option<&str>) -> (StatusCode, Value) {
        let mut req = self
            .http
            .post(format!("{}/api/webhooks/shopify", self.base))
            .header("content-type", "application/json")
            .header("x-shopify-shop-domain", shop)
            .header("x-shopify-topic", "products/update")
            .header("x-shopify-webhook-id", webhook_id)
            .header("x-shopify-triggered-at", "2026-12-07T09:00:00.000Z")
            .body(body.to_vec());
        if let Some(signature) = signature {
            req = req.header("x-shopify-hmac-sha256", signature);
        }
        if let Some(event_id) = event_id {
            req = req.header("x-shopify-event-id", event_id);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn queued(&self) -> u64 {
        let counts = self.state.queues.counts(zelly_queue::SHOPIFY_WEBHOOK).await.unwrap();
        counts.waiting + counts.delayed + counts.active + counts.completed + counts.failed
    }
}

fn sign(secret: &str, body: &[u8]) -> String {
    zelly_edge::shopify::webhook_signature(secret.as_bytes(), body)
}

async fn only_a_signed_delivery_is_read_and_it_is_queued_once(store: DynStore) {
    let app = spawn(store).await;
    let body = serde_json::to_vec(&json!({ "id": 632_910_392, "title": "Brass Diya", "updated_at": "2026-12-07T09:00:00Z" })).unwrap();
    let shop = "tea-house.myshopify.com";
    // A tampered body, another secret, or no signature at all: 401, and nothing is queued.
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    for (body, signature) in [(&tampered, Some(sign(SECRET, &body))), (&body, Some(sign("someone_else", &body))), (&body, None)] {
        let (status, answer) = app.deliver(body, signature.as_deref(), shop, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    }
    assert_eq!(app.queued().await, 0);

    // The same delivery three times, two of them at once: queued once.
    let signature = sign(SECRET, &body);
    let id = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043";
    let (first, second) = tokio::join!(app.deliver(&body, Some(&signature), shop, id, None), app.deliver(&body, Some(&signature), shop, id, None));
    let third = app.deliver(&body, Some(&signature), shop, id, None).await;
    let mut outcomes: Vec<String> = [first, second, third].iter().map(|(s, a)| format!("{s} {}", a["status"].as_str().unwrap())).collect();
    outcomes.sort();
    assert_eq!(outcomes, ["200 OK duplicate", "200 OK duplicate", "200 OK queued"]);
    assert_eq!(app.queued().await, 1);
    let job = app.state.queues.status(zelly_queue::SHOPIFY_WEBHOOK, &format!("shopify-{id}")).await.unwrap();
    assert!(job.is_some(), "the job's id is the delivery's");

    // One event delivered to two subscriptions (two webhook ids, one event id): queued once.
    let (status, a) = app.deliver(&body, Some(&signature), shop, "delivery-a", Some("event-7")).await;
    assert_eq!((status, a["status"].as_str()), (StatusCode::OK, Some("queued")));
    let (_, b) = app.deliver(&body, Some(&signature), shop, "delivery-b", Some("event-7")).await;
    assert_eq!(b["status"], "duplicate");
    assert_eq!(app.queued().await, 2);

    // The previous secret still verifies while rotating.
    let (status, answer) = app.deliver(&body, Some(&sign("old_secret", &body)), shop, "delivery-c", None).await;
    assert_eq!((status, answer["status"].as_str()), (StatusCode::OK, Some("queued")));
    // A signed delivery naming no myshopify.com shop is refused.
    let (status, _) = app.deliver(&body, Some(&signature), "tea-house.example.com", "delivery-d", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn a_shop_connected_to_no_store_is_acknowledged_and_dropped(store: DynStore) {
    let app = spawn(store).await;
    let body = br#"{"id":1}"#;
    let (status, answer) = app.deliver(body, Some(&sign(SECRET, body)), "stranger.myshopify.com", "delivery-1", None).await;
    assert_eq!((status, answer["status"].as_str()), (StatusCode::OK, Some("not_connected")));
    assert_eq!(app.queued().await, 0);
    // Without a configured secret the route is closed.
    let mut closed = app.state.clone();
    closed.shopify_secrets = Arc::new(Vec::new());
    let base = zelly_service::serve_in_background(core_api::app(closed)).await.unwrap();
    let res = reqwest::Client::new().post(format!("{base}/api/webhooks/shopify")).body(body.to_vec()).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
}
