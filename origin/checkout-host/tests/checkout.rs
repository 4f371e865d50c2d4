//! The native checkout host against a real core-api on a real (SQLite) store.
#![allow(clippy::unwrap_used, missing_docs)]

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use zelly_edge::Secret;
use zelly_service::origin::OriginClient;
use zelly_store::DynStore;

const TOKEN: &str = "test-storefront-token-0123456789";

async fn serve(router: axum::Router) -> String {
    zelly_service::serve_in_background(router).await.unwrap()
}

async fn platform() -> (String, DynStore) {
    let store: DynStore = zelly_store::testing::sqlite_store().await;
    zelly_store::demo::seed_demo(&store).await.unwrap();
    let core = serve(core_api::app(core_api::testing::state(store.clone(), TOKEN, None).await)).await;
    let origin = OriginClient::new(&core, Secret::new(TOKEN));
    (serve(checkout_host::app(checkout_host::AppState { origin: Arc::new(origin) })).await, store)
}

async fn quote(base: &str, host: &str, body: Value) -> (StatusCode, Value) {
    let res = reqwest::Client::new().post(format!("{base}/checkout/quote")).header("host", host).json(&body).send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

#[tokio::test]
async fn health_answers() {
    let (base, _) = platform().await;
    let body: Value = reqwest::get(format!("{base}/checkout/health")).await.unwrap().json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn a_quote_is_priced_by_origin_whatever_the_client_claims() {
    let (base, store) = platform().await;
    let demo = store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    let products = store.list_products(demo.id).await.unwrap();
    let diya = products.iter().find(|p| p.handle.as_str() == "brass-diya").unwrap();
    let (small, large) = (&diya.variants[0], &diya.variants[1]);
    let body = json!({ "lines": [
        { "variant_id": small.id, "quantity": 2, "unit_price": { "amount_minor": 1, "currency": "INR" } },
        { "variant_id": large.id, "quantity": 1, "price": 1 },
    ]});
    let (status, quote) = quote(&base, "demo.localhost:8787", body).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    assert_eq!(quote["lines"][0]["unit_price"]["amount_minor"], 59_900);
    assert_eq!(quote["lines"][0]["line_total"]["amount_minor"], 119_800);
    assert_eq!(quote["lines"][1]["line_total"]["amount_minor"], 69_900);
    assert_eq!(quote["total"], json!({ "amount_minor": 189_700, "currency": "INR" }));
}

#[tokio::test]
async fn bad_carts_unknown_variants_and_unknown_stores_are_refused_clearly() {
    let (base, _) = platform().await;
    let (status, body) = quote(&base, "demo.localhost", json!({ "lines": [] })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));
    let ghost = uuid_like(42);
    let (status, body) = quote(&base, "demo.localhost", json!({ "lines": [{ "variant_id": ghost, "quantity": 1 }] })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_variant")));
    let (status, body) = quote(&base, "nobody.localhost", json!({ "lines": [{ "variant_id": ghost, "quantity": 1 }] })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("unknown_store")));
    let res = reqwest::get(format!("{base}/checkout/quote")).await.unwrap();
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
}

fn uuid_like(n: u128) -> String {
    format!("{:08x}-0000-4000-8000-{:012x}", 0, n)
}
