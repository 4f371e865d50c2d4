//! Connecting a Shopify shop on both backends, against the Shopify stand-in: the owner is sent to
//! the shop's authorize page and back; the callback refuses a bad hmac, another shop, a foreign
//! shop name and a replayed state; the access token is stored sealed, never in clear.
#![allow(clippy::unwrap_used, missing_docs)]

use core_api::testing::dev_issuer as issuer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use zelly_store::DynStore;

zelly_store::on_both_backends!(an_owner_connects_a_shop_and_its_token_is_kept_sealed, the_callback_refuses_what_shopify_did_not_send);

const PROJECT: &str = "zelly-test";
const KEY: &str = "app-key";
const SECRET: &str = "app-secret";

fn token(uid: &str, email: &str) -> String {
    issuer().sign_id_token(PROJECT, uid, email, Duration::from_secs(3600))
}

struct App {
    base: String,
    state: core_api::AppState,
    standin: Arc<shopify_standin::Standin>,
    owner: String,
    tenant: uuid::Uuid,
}

async fn spawn(store: DynStore) -> App {
    let standin = shopify_standin::Standin::new(KEY, SECRET);
    let standin_url = zelly_service::serve_in_background(shopify_standin::app(standin.clone())).await.unwrap();
    let verifier = core_api::testing::merchant_verifier(issuer(), PROJECT).await;
    let mut state = core_api::testing::state(store.clone(), "test-storefront-token-0123456789", Some(verifier)).await;
    state.shopify = Some(core_api::testing::shopify_app(KEY, SECRET, &standin_url));
    state.shopify_secrets = Arc::new(vec![zelly_store::config::Secret::new(SECRET)]);
    let base = zelly_service::serve_in_background(core_api::app(state.clone())).await.unwrap();
    let owner = token("ana", "ana@example.com");
    let opened: Value = reqwest::Client::new()
        .post(format!("{base}/api/seller/stores"))
        .bearer_auth(&owner)
        .json(&json!({ "name": "Tea House", "slug": "tea-house" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tenant = opened["tenant"]["id"].as_str().unwrap().parse().unwrap();
    App { base, state, standin, owner, tenant }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

impl App {
    async fn seller(&self, method: Method, path: &str, token: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = reqwest::Client::new().request(method, format!("{}{path}", self.base)).bearer_auth(token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Starts an install of `shop` and lets the stand-in approve it: the callback's query.
    async fn approved(&self, shop: &str) -> String {
        let (status, start) = self.seller(Method::POST, "/api/seller/shopify/install", &self.owner, Some(json!({ "shop": shop }))).await;
        assert_eq!(status, StatusCode::OK, "{start}");
        let authorize = start["authorize_url"].as_str().unwrap();
        let back = no_redirects().get(authorize).send().await.unwrap();
        assert_eq!(back.status(), StatusCode::FOUND);
        let location = back.headers()["location"].to_str().unwrap().to_owned();
        let (to, query) = location.split_once('?').unwrap();
        assert_eq!(to, "http://core.test/api/shopify/callback");
        query.to_owned()
    }

    async fn callback(&self, query: &str) -> (StatusCode, Option<String>) {
        let res = no_redirects().get(format!("{}/api/shopify/callback?{query}", self.base)).send().await.unwrap();
        (res.status(), res.headers().get("location").map(|l| l.to_str().unwrap().to_owned()))
    }
}

/// `query` with `name` set to `value`, signed again with `secret` as Shopify would.
fn resigned(query: &str, name: &str, value: &str, secret: &str) -> String {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != "hmac")
        .map(|(k, v)| if k == name { (k, value.to_owned()) } else { (k, v) })
        .collect();
    let unsigned: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&pairs).finish();
    let hmac = zelly_edge::shopify::query_signature(secret.as_bytes(), &unsigned);
    format!("{unsigned}&hmac={hmac}")
}

async fn an_owner_connects_a_shop_and_its_token_is_kept_sealed(store: DynStore) {
    let app = spawn(store.clone()).await;
    let (_, before) = app.seller(Method::GET, "/api/seller/shopify", &app.owner, None).await;
    assert_eq!(before["connected"], false);
    // The shop may be typed as its name alone.
    let query = app.approved("Tea-House").await;
    let (status, location) = app.callback(&query).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().ends_with("/#/settings/shopify"));
    let (_, after) = app.seller(Method::GET, "/api/seller/shopify", &app.owner, None).await;
    assert_eq!((after["connected"].as_bool(), after["shop"].as_str()), (Some(true), Some("tea-house.myshopify.com")));
    assert!(after.get("sealed_token").is_none() && !after.to_string().contains("shpat_"));

    // The database holds the token sealed: not in clear, and it opens to the one Shopify issued.
    let issued = app.standin.token_of("tea-house.myshopify.com").unwrap();
    // The shop was subscribed to the topics Zelly acts on, delivering to core-api.
    let subscribed = app.standin.subscriptions_of("tea-house.myshopify.com");
    let topics: Vec<&str> = subscribed.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(topics, ["PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE", "INVENTORY_LEVELS_UPDATE", "SHOP_UPDATE", "APP_UNINSTALLED"]);
    assert!(subscribed.iter().all(|(_, url)| url == "http://core.test/api/webhooks/shopify"));
    let kept = store.shopify_connection(app.tenant).await.unwrap().unwrap();
    assert!(!kept.sealed_token.contains(&issued) && !kept.sealed_token.contains("shpat_"));
    assert_eq!(app.state.shopify.as_ref().unwrap().open(&kept.sealed_token).as_deref(), Some(issued.as_str()));

    // The same callback again: the state is spent.
    assert_eq!(app.callback(&query).await.0, StatusCode::BAD_REQUEST);
    // Disconnecting is for owners.
    let (status, _) = app.seller(Method::DELETE, "/api/seller/shopify", &app.owner, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(store.shopify_connection(app.tenant).await.unwrap().is_none());
    // Not a shop at all.
    let (status, _) = app.seller(Method::POST, "/api/seller/shopify/install", &app.owner, Some(json!({ "shop": "tea-house.example.com" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn the_callback_refuses_what_shopify_did_not_send(store: DynStore) {
    let app = spawn(store.clone()).await;
    // A bad hmac: the code changed after signing.
    let query = app.approved("tea-house.myshopify.com").await;
    let tampered = query.replacen("code=", "code=0", 1);
    assert_eq!(app.callback(&tampered).await.0, StatusCode::BAD_REQUEST);
    // Signed with another secret.
    assert_eq!(app.callback(&resigned(&query, "timestamp", "1", "not-the-secret")).await.0, StatusCode::BAD_REQUEST);
    // Signed, but for another shop than the install was started for.
    assert_eq!(app.callback(&resigned(&query, "shop", "other-shop.myshopify.com", SECRET)).await.0, StatusCode::BAD_REQUEST);
    // Signed, but the shop is not a myshopify.com name.
    let other = app.approved("tea-house.myshopify.com").await;
    assert_eq!(app.callback(&resigned(&other, "shop", "tea-house.evil.com", SECRET)).await.0, StatusCode::BAD_REQUEST);
    // An unknown state.
    let third = app.approved("tea-house.myshopify.com").await;
    assert_eq!(app.callback(&resigned(&third, "state", &"0".repeat(64), SECRET)).await.0, StatusCode::BAD_REQUEST);
    // Nothing of that connected anything.
    assert!(store.shopify_connection(app.tenant).await.unwrap().is_none());
    // The untouched third callback still works once.
    assert_eq!(app.callback(&third).await.0, StatusCode::SEE_OTHER);
    assert!(store.shopify_connection(app.tenant).await.unwrap().is_some());
}
