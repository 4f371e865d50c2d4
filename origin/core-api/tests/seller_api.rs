//! The seller API over HTTP on both backends, with real Firebase-format tokens from the dev issuer
//! verified against a certificate server started by the test.
#![allow(clippy::unwrap_used, missing_docs)]

use core_api::testing::dev_issuer as issuer;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use zelly_auth::dev::{id_token_claims, DevSigning};
use zelly_edge::catalog::Role;
use zelly_edge::{DomainName, TenantSlug};
use zelly_store::{DynStore, NewTenant};

const PROJECT: &str = "zelly-test";
const TOKEN: &str = "test-storefront-token-0123456789";
const WEBHOOK_SECRET: &str = "whsec-new";
const OLD_WEBHOOK_SECRET: &str = "whsec-old";

struct App {
    base: String,
    http: reqwest::Client,
    store: DynStore,
    analytics: zelly_analytics::DynAnalytics,
    queues: zelly_queue::DynQueues,
}

impl App {
    async fn spawn(store: DynStore) -> App {
        Self::spawn_inner(store, None).await
    }

    /// core-api with refunds going to the Razorpay (stand-in) at `api_url`.
    async fn spawn_with_razorpay(store: DynStore, api_url: &str) -> App {
        Self::spawn_inner(store, Some(api_url)).await
    }

    async fn spawn_inner(store: DynStore, razorpay: Option<&str>) -> App {
        let verifier = core_api::testing::merchant_verifier(issuer(), PROJECT).await;
        let mut state = core_api::testing::state(store.clone(), TOKEN, Some(verifier)).await;
        // Razorpay signs with the new secret; the old one still counts during the rotation.
        state.razorpay_webhook_secrets =
            Arc::new(vec![zelly_store::config::Secret::new(WEBHOOK_SECRET), zelly_store::config::Secret::new(OLD_WEBHOOK_SECRET)]);
        state.razorpay = razorpay.map(core_api::testing::razorpay_client);
        let (analytics, queues) = (state.analytics.clone(), state.queues.clone());
        let base = zelly_service::serve_in_background(core_api::app(state)).await.unwrap();
        App { base, http: reqwest::Client::new(), store, analytics, queues }
    }

    /// A store with a domain and an owner; returns the owner's token.
    async fn merchant(&self, slug: &str) -> String {
        let tenant = self.store.create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: slug.into() }).await.unwrap();
        self.store.add_domain(tenant.id, &DomainName::parse(&format!("{slug}.localhost")).unwrap(), true).await.unwrap();
        let uid = format!("uid-{slug}");
        self.store.add_membership(tenant.id, &uid, Role::Owner).await.unwrap();
        issuer().sign_id_token(PROJECT, &uid, &format!("{slug}@example.com"), Duration::from_secs(3600))
    }

    async fn call(&self, method: reqwest::Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::GET, path, Some(token), None).await
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::POST, path, Some(token), Some(body)).await
    }

    async fn put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(reqwest::Method::PUT, path, Some(token), Some(body)).await
    }

    async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(reqwest::Method::DELETE, path, Some(token), None).await
    }
}

/// The Razorpay stand-in, as dev runs it, with the tests' key; its base URL.
async fn standin() -> String {
    let config = razorpay_standin::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        key_id: "rzp_test_k".into(),
        key_secret: "rzp_secret".into(),
        webhook_url: None,
        webhook_secret: WEBHOOK_SECRET.into(),
    };
    zelly_service::serve_in_background(razorpay_standin::app(razorpay_standin::Standin::new(config))).await.unwrap()
}

fn product(handle: &str, status: &str) -> Value {
    json!({
        "handle": handle,
        "title": format!("Lamp {handle}"),
        "status": status,
        "option_names": ["Size"],
        "tags": ["lighting"],
        "images": [{ "url": "/assets/demo/brass-diya.svg", "alt": "lamp" }],
        "variants": [
            { "sku": format!("{handle}-s"), "options": ["S"], "price_minor": 99900, "inventory_quantity": 3 },
            { "sku": format!("{handle}-m"), "options": ["M"], "price_minor": 129900, "compare_at_price_minor": 149900 }
        ]
    })
}

zelly_store::on_both_backends!(
    a_spike_of_bad_webhook_signatures_raises_one_alert,
    a_suspended_store_is_closed_to_shoppers_and_its_merchants_until_reopened,
    every_forged_or_stale_token_is_refused,
    a_merchant_builds_a_catalog_that_the_storefront_shows,
    bad_input_names_each_field_and_writes_nothing,
    a_stale_edit_is_a_conflict_and_loses_nothing,
    another_tenants_ids_are_404_everywhere_and_change_nothing,
    inventory_and_collections_work_through_the_api,
    a_merchant_without_a_store_or_with_several_is_told_what_to_do,
    a_merchant_reads_only_their_own_stores_analytics,
    a_bad_analytics_range_names_each_field,
    owners_set_their_stores_look_and_the_storefront_api_carries_it,
    a_shopper_checks_out_once_and_the_merchant_moves_the_order_forward,
    razorpay_webhooks_are_verified_deduplicated_and_never_move_an_order_back,
    a_razorpay_payment_is_verified_by_core_api_and_owners_refund_it_once,
    a_refund_abandoned_while_razorpay_was_down_is_finished_once,
);

async fn every_forged_or_stale_token_is_refused(store: DynStore) {
    let app = App::spawn(store).await;
    let good = app.merchant("acme").await;
    assert_eq!(app.get("/api/seller/products", &good).await.0, StatusCode::OK);
    let i = issuer();
    let now = SystemTime::now();
    let claims = || id_token_claims(PROJECT, "uid-acme", "acme@example.com", now, Duration::from_secs(3600));
    let with = |edit: &dyn Fn(&mut Value)| {
        let mut c = claims();
        edit(&mut c);
        c
    };
    let expired = id_token_claims(PROJECT, "uid-acme", "a@b.c", now - Duration::from_secs(7200), Duration::from_secs(3600));
    let cases: Vec<(&str, String)> = vec![
        ("alg none", i.sign_with(&DevSigning::None, Some(i.kid()), &claims())),
        ("HS256 keyed with the public key", i.sign_with(&DevSigning::Hs256(i.public_key_pem().as_bytes().to_vec()), Some(i.kid()), &claims())),
        ("HS256 keyed with the certificate", i.sign_with(&DevSigning::Hs256(i.certificate_pem().as_bytes().to_vec()), Some(i.kid()), &claims())),
        ("unknown kid", i.sign_with(&DevSigning::Rs256, Some("0123456789abcdef0123456789abcdef01234567"), &claims())),
        ("path-like kid", i.sign_with(&DevSigning::Rs256, Some("../../certs"), &claims())),
        ("no kid", i.sign_with(&DevSigning::Rs256, None, &claims())),
        ("expired", i.sign_with(&DevSigning::Rs256, Some(i.kid()), &expired)),
        ("wrong aud", i.sign_with(&DevSigning::Rs256, Some(i.kid()), &with(&|c| c["aud"] = json!("other-project")))),
        ("wrong iss", i.sign_with(&DevSigning::Rs256, Some(i.kid()), &with(&|c| c["iss"] = json!("https://securetoken.google.com/other")))),
        ("empty sub", i.sign_with(&DevSigning::Rs256, Some(i.kid()), &with(&|c| c["sub"] = json!("")))),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (what, token) in cases {
        let (status, body) = app.get("/api/seller/products", &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(body["error"]["code"], "unauthorized", "{what}");
    }
    let (status, _) = app.call(reqwest::Method::GET, "/api/seller/products", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no token");
    // Every seller endpoint refuses a missing and a forged token before doing anything.
    let forged = i.sign_with(&DevSigning::None, Some(i.kid()), &claims());
    let id = "00000000-0000-4000-8000-000000000001";
    let endpoints = [
        (reqwest::Method::GET, "/api/seller/session".to_owned()),
        (reqwest::Method::GET, "/api/seller/products".to_owned()),
        (reqwest::Method::POST, "/api/seller/products".to_owned()),
        (reqwest::Method::GET, format!("/api/seller/products/{id}")),
        (reqwest::Method::PUT, format!("/api/seller/products/{id}")),
        (reqwest::Method::POST, format!("/api/seller/products/{id}/archive")),
        (reqwest::Method::GET, format!("/api/seller/variants/{id}/inventory-adjustments")),
        (reqwest::Method::POST, format!("/api/seller/variants/{id}/inventory-adjustments")),
        (reqwest::Method::GET, "/api/seller/collections".to_owned()),
        (reqwest::Method::POST, "/api/seller/collections".to_owned()),
        (reqwest::Method::GET, format!("/api/seller/collections/{id}")),
        (reqwest::Method::PUT, format!("/api/seller/collections/{id}")),
        (reqwest::Method::DELETE, format!("/api/seller/collections/{id}")),
        (reqwest::Method::GET, "/api/seller/analytics?from=2026-11-01&to=2026-11-30".to_owned()),
        (reqwest::Method::GET, "/api/seller/store".to_owned()),
        (reqwest::Method::PUT, "/api/seller/store".to_owned()),
    ];
    for (method, path) in endpoints {
        for token in [None, Some(forged.as_str())] {
            let (status, _) = app.call(method.clone(), &path, token, Some(json!({}))).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} with {}", if token.is_some() { "a forged token" } else { "no token" });
        }
    }
}

async fn a_merchant_builds_a_catalog_that_the_storefront_shows(store: DynStore) {
    let app = App::spawn(store).await;
    let token = app.merchant("acme").await;
    let (status, session) = app.get("/api/seller/session", &token).await;
    assert_eq!((status, session["tenant"]["slug"].as_str(), session["role"].as_str()), (StatusCode::OK, Some("acme"), Some("owner")));
    let (status, lamp) = app.post("/api/seller/products", &token, product("lamp", "active")).await;
    assert_eq!(status, StatusCode::CREATED, "{lamp}");
    let (status, draft) = app.post("/api/seller/products", &token, product("secret", "draft")).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    // The storefront sees the active product, not the draft.
    let store_api = |path: String| {
        let http = app.http.clone();
        async move { http.get(path).bearer_auth(TOKEN).send().await.unwrap() }
    };
    let catalog: Value = store_api(format!("{}/api/storefront/domains/acme.localhost/products", app.base)).await.json().await.unwrap();
    let handles: Vec<&str> = catalog["products"].as_array().unwrap().iter().map(|p| p["handle"].as_str().unwrap()).collect();
    assert_eq!(handles, ["lamp"]);
    let page: Value = store_api(format!("{}/api/storefront/domains/acme.localhost/products/lamp", app.base)).await.json().await.unwrap();
    assert_eq!(page["product"]["variants"][1]["title"], "M");
    assert_eq!(store_api(format!("{}/api/storefront/domains/acme.localhost/products/secret", app.base)).await.status(), StatusCode::NOT_FOUND);
    // An edited title shows on the next read; archiving removes the product.
    let mut edit = product("lamp", "active");
    edit["title"] = json!("Brass Lamp");
    edit["version"] = lamp["version"].clone();
    edit["variants"][0]["id"] = lamp["variants"][0]["id"].clone();
    edit["variants"][1]["id"] = lamp["variants"][1]["id"].clone();
    let (status, edited) = app.put(&format!("/api/seller/products/{}", lamp["id"].as_str().unwrap()), &token, edit).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let page: Value = store_api(format!("{}/api/storefront/domains/acme.localhost/products/lamp", app.base)).await.json().await.unwrap();
    assert_eq!(page["product"]["title"], "Brass Lamp");
    let (status, _) = app.post(&format!("/api/seller/products/{}/archive", lamp["id"].as_str().unwrap()), &token, json!({ "version": edited["version"] })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(store_api(format!("{}/api/storefront/domains/acme.localhost/products/lamp", app.base)).await.status(), StatusCode::NOT_FOUND);
    // Search and paging through the API.
    let (_, found) = app.get("/api/seller/products?q=LIGHTING&limit=1", &token).await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    let cursor = found["next_cursor"].as_str().unwrap().to_owned();
    let (_, next) = app.get(&format!("/api/seller/products?q=lighting&limit=1&cursor={cursor}"), &token).await;
    assert_eq!(next["items"].as_array().unwrap().len(), 1);
    assert!(next["next_cursor"].is_null());
    assert_ne!(found["items"][0]["id"], next["items"][0]["id"]);
}

async fn bad_input_names_each_field_and_writes_nothing(store: DynStore) {
    let app = App::spawn(store).await;
    let token = app.merchant("acme").await;
    let mut bad = product("Bad Handle", "active");
    bad["title"] = json!("");
    bad["variants"][1]["sku"] = bad["variants"][0]["sku"].clone();
    bad["variants"][0]["price_minor"] = json!(-5);
    bad["images"][0]["url"] = json!("javascript:alert(1)");
    let (status, body) = app.post("/api/seller/products", &token, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["handle", "title", "variants[1].sku", "variants[0].price_minor", "images[0].url"] {
        assert!(body["error"]["fields"][field].is_string(), "{field} not named: {body}");
    }
    let (status, body) = app.post("/api/seller/products", &token, json!({ "title": 5 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app.get("/api/seller/products?status=sold&limit=0", &token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A taken handle or SKU is named too.
    assert_eq!(app.post("/api/seller/products", &token, product("lamp", "active")).await.0, StatusCode::CREATED);
    let (status, body) = app.post("/api/seller/products", &token, product("lamp", "active")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["handle"].is_string(), "{body}");
    let mut same_sku = product("lamp-2", "active");
    same_sku["variants"][0]["sku"] = json!("lamp-s");
    let (status, body) = app.post("/api/seller/products", &token, same_sku).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["variants"].is_string(), "{body}");
    let (_, list) = app.get("/api/seller/products", &token).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "nothing half-written");
}

async fn a_stale_edit_is_a_conflict_and_loses_nothing(store: DynStore) {
    let app = App::spawn(store).await;
    let token = app.merchant("acme").await;
    let (_, lamp) = app.post("/api/seller/products", &token, product("lamp", "active")).await;
    let path = format!("/api/seller/products/{}", lamp["id"].as_str().unwrap());
    let mut first = product("lamp", "active");
    first["title"] = json!("First");
    first["version"] = lamp["version"].clone();
    let mut second = first.clone();
    second["title"] = json!("Second");
    assert_eq!(app.put(&path, &token, first).await.0, StatusCode::OK);
    let (status, body) = app.put(&path, &token, second).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "conflict");
    assert_eq!(app.get(&path, &token).await.1["title"], "First");
    let mut no_version = product("lamp", "active");
    no_version["title"] = json!("Third");
    let (status, body) = app.put(&path, &token, no_version).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["version"].is_string());
}

async fn another_tenants_ids_are_404_everywhere_and_change_nothing(store: DynStore) {
    let app = App::spawn(store).await;
    let acme = app.merchant("acme").await;
    let bolt = app.merchant("bolt").await;
    let (_, lamp) = app.post("/api/seller/products", &acme, product("lamp", "active")).await;
    let (_, coll) = app.post("/api/seller/collections", &acme, json!({ "handle": "picks", "title": "Picks", "product_ids": [lamp["id"]] })).await;
    let pid = lamp["id"].as_str().unwrap();
    let vid = lamp["variants"][0]["id"].as_str().unwrap();
    let cid = coll["id"].as_str().unwrap();
    let mut edit = product("lamp", "active");
    edit["version"] = lamp["version"].clone();
    let version = json!({ "version": lamp["version"] });
    let collection_edit = json!({ "handle": "picks", "title": "Mine now", "product_ids": [], "version": coll["version"] });
    let attempts: Vec<(reqwest::Method, String, Option<Value>)> = vec![
        (reqwest::Method::GET, format!("/api/seller/products/{pid}"), None),
        (reqwest::Method::PUT, format!("/api/seller/products/{pid}"), Some(edit)),
        (reqwest::Method::POST, format!("/api/seller/products/{pid}/archive"), Some(version)),
        (reqwest::Method::GET, format!("/api/seller/variants/{vid}/inventory-adjustments"), None),
        (reqwest::Method::POST, format!("/api/seller/variants/{vid}/inventory-adjustments"), Some(json!({ "delta": -3, "reason": "theft" }))),
        (reqwest::Method::GET, format!("/api/seller/collections/{cid}"), None),
        (reqwest::Method::PUT, format!("/api/seller/collections/{cid}"), Some(collection_edit)),
        (reqwest::Method::DELETE, format!("/api/seller/collections/{cid}"), None),
        (reqwest::Method::GET, "/api/seller/products/not-a-uuid".into(), None),
    ];
    for (method, path, body) in attempts {
        let (status, _) = app.call(method.clone(), &path, Some(&bolt), body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    // Bolt cannot reference Acme's product in its own collection either.
    let (status, body) = app.post("/api/seller/collections", &bolt, json!({ "handle": "x", "title": "X", "product_ids": [pid] })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.get("/api/seller/products", &bolt).await.1["items"], json!([]));
    assert_eq!(app.get("/api/seller/collections", &bolt).await.1, json!([]));
    // Nothing of Acme's changed.
    let (_, after) = app.get(&format!("/api/seller/products/{pid}"), &acme).await;
    assert_eq!(after, lamp);
    let (_, coll_after) = app.get(&format!("/api/seller/collections/{cid}"), &acme).await;
    assert_eq!(coll_after, coll);
    assert_eq!(app.get(&format!("/api/seller/variants/{vid}/inventory-adjustments"), &acme).await.1, json!([]));
}

async fn inventory_and_collections_work_through_the_api(store: DynStore) {
    let app = App::spawn(store).await;
    let token = app.merchant("acme").await;
    let (_, a) = app.post("/api/seller/products", &token, product("a", "active")).await;
    let (_, b) = app.post("/api/seller/products", &token, product("b", "active")).await;
    let vid = a["variants"][0]["id"].as_str().unwrap();
    let path = format!("/api/seller/variants/{vid}/inventory-adjustments");
    let (status, adj) = app.post(&path, &token, json!({ "delta": 7, "reason": "received shipment" })).await;
    assert_eq!((status, adj["quantity_after"].as_i64(), adj["actor"].as_str()), (StatusCode::CREATED, Some(10), Some("uid-acme")));
    let (status, body) = app.post(&path, &token, json!({ "delta": -11, "reason": "lost" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["delta"].is_string());
    let (status, body) = app.post(&path, &token, json!({ "delta": 0, "reason": "" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["delta"].is_string() && body["error"]["fields"]["reason"].is_string());
    assert_eq!(app.get(&path, &token).await.1.as_array().unwrap().len(), 1);
    let (status, coll) = app.post("/api/seller/collections", &token, json!({ "handle": "picks", "title": "Picks", "product_ids": [a["id"], b["id"]] })).await;
    assert_eq!(status, StatusCode::CREATED, "{coll}");
    let cpath = format!("/api/seller/collections/{}", coll["id"].as_str().unwrap());
    let (status, reordered) = app.put(&cpath, &token, json!({ "handle": "picks", "title": "Picks", "product_ids": [b["id"], a["id"]], "version": coll["version"] })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(reordered["product_ids"], json!([b["id"], a["id"]]));
    let (status, _) = app.put(&cpath, &token, json!({ "handle": "picks", "title": "Picks", "product_ids": [], "version": coll["version"] })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.call(reqwest::Method::DELETE, &cpath, Some(&token), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&cpath, &token).await.0, StatusCode::NOT_FOUND);
}

async fn a_merchant_without_a_store_or_with_several_is_told_what_to_do(store: DynStore) {
    let app = App::spawn(store).await;
    let acme = app.merchant("acme").await;
    app.merchant("bolt").await;
    let stranger = issuer().sign_id_token(PROJECT, "uid-stranger", "s@example.com", Duration::from_secs(600));
    assert_eq!(app.get("/api/seller/products", &stranger).await.0, StatusCode::FORBIDDEN);
    // uid-acme also joins bolt: now the store must be named.
    let bolt = app.store.tenant_by_slug(&TenantSlug::parse("bolt").unwrap()).await.unwrap().unwrap();
    app.store.add_membership(bolt.id, "uid-acme", Role::Staff).await.unwrap();
    assert_eq!(app.get("/api/seller/products", &acme).await.0, StatusCode::BAD_REQUEST);
    let pick = |slug: &'static str| {
        let req = app.http.get(format!("{}/api/seller/session", app.base)).bearer_auth(&acme).header("x-zelly-tenant", slug);
        async move {
            let res = req.send().await.unwrap();
            (res.status(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, session) = pick("bolt").await;
    assert_eq!((status, session["role"].as_str()), (StatusCode::OK, Some("staff")));
    assert_eq!(pick("nope").await.0, StatusCode::FORBIDDEN);
}

/// A stored event of `kind` for `tenant` on 2026-11-20 (UTC noon), in `session`.
fn stored_event(tenant: uuid::Uuid, kind: &str, session: &str, product: Option<uuid::Uuid>) -> zelly_edge::events::StoreEvent {
    serde_json::from_value(json!({
        "event_id": uuid::Uuid::new_v4(),
        "tenant_id": tenant,
        "received_at_ms": 1_795_176_000_000_i64,
        "kind": kind,
        "session_id": session,
        "path": "/",
        "product_id": product,
        "order_id": (kind == "order_placed").then_some("ord-1"),
        "value": (kind == "order_placed").then_some(json!({ "amount_minor": 129_900, "currency": "INR" })),
    }))
    .unwrap()
}

async fn a_merchant_reads_only_their_own_stores_analytics(store: DynStore) {
    let app = App::spawn(store).await;
    let acme = app.merchant("acme").await;
    let bolt = app.merchant("bolt").await;
    let acme_id = app.store.tenant_by_slug(&TenantSlug::parse("acme").unwrap()).await.unwrap().unwrap().id;
    let bolt_id = app.store.tenant_by_slug(&TenantSlug::parse("bolt").unwrap()).await.unwrap().unwrap().id;
    let (_, lamp) = app.post("/api/seller/products", &acme, product("lamp", "active")).await;
    let lamp_id: uuid::Uuid = lamp["id"].as_str().unwrap().parse().unwrap();
    let mut events = vec![
        stored_event(acme_id, "page_view", "s1", None),
        stored_event(acme_id, "product_view", "s1", Some(lamp_id)),
        stored_event(acme_id, "page_view", "s2", None),
        stored_event(acme_id, "order_placed", "s2", None),
    ];
    // Bolt is busier, and one of its events names Acme's product: none of it may leak.
    events.extend((0..7).map(|i| stored_event(bolt_id, "page_view", &format!("b{i}"), None)));
    events.push(stored_event(bolt_id, "product_view", "b0", Some(lamp_id)));
    app.analytics.insert(&events).await.unwrap();

    let path = "/api/seller/analytics?from=2026-11-19&to=2026-11-21&utc_offset_minutes=330";
    let (status, report) = app.get(path, &acme).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["totals"]["visits"], 2);
    assert_eq!(report["totals"]["page_views"], 2);
    assert_eq!(report["totals"]["product_views"], 1);
    assert_eq!(report["totals"]["orders"], 1);
    assert_eq!(report["days"].as_array().unwrap().len(), 3);
    assert_eq!(report["days"][1]["date"], "2026-11-20");
    assert_eq!(report["days"][1]["visits"], 2);
    assert_eq!(report["top_products"][0]["product_id"], lamp_id.to_string());
    assert_eq!(report["top_products"][0]["views"], 1, "only Acme's view of the lamp counts");
    assert_eq!(report["top_products"][0]["title"], "Lamp lamp");

    let (_, theirs) = app.get(path, &bolt).await;
    assert_eq!(theirs["totals"]["visits"], 7);
    assert_eq!(theirs["top_products"][0]["title"], Value::Null, "Acme's product is not named to Bolt");

    // Naming the other store is refused before anything is read.
    let res = app
        .http
        .get(format!("{}{path}", app.base))
        .bearer_auth(&acme)
        .header("x-zelly-tenant", "bolt")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .http
        .get(format!("{}{path}", app.base))
        .bearer_auth(&acme)
        .header("x-zelly-tenant", bolt_id.to_string())
        .send()
        .await
        .unwrap();
    assert!(matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{}", res.status());
}

async fn a_bad_analytics_range_names_each_field(store: DynStore) {
    let app = App::spawn(store).await;
    let acme = app.merchant("acme").await;
    let (status, body) = app.get("/api/seller/analytics?from=2026-13-01&to=2026-11-01&utc_offset_minutes=2000", &acme).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields = body["error"]["fields"].as_object().unwrap();
    assert!(fields.contains_key("from") && fields.contains_key("utc_offset_minutes"), "{body}");
    let (status, body) = app.get("/api/seller/analytics?from=2024-01-01&to=2026-01-01", &acme).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["to"].is_string(), "{body}");
    let (status, _) = app.get("/api/seller/analytics", &acme).await;
    assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::UNPROCESSABLE_ENTITY, "{status}");
}

async fn owners_set_their_stores_look_and_the_storefront_api_carries_it(store: DynStore) {
    let app = App::spawn(store).await;
    let acme = app.merchant("acme").await;
    let bolt = app.merchant("bolt").await;
    let (status, settings) = app.get("/api/seller/store", &acme).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((settings["slug"].as_str(), settings["logo_url"].clone()), (Some("acme"), Value::Null));

    let (status, body) = app.put("/api/seller/store", &acme, json!({ "name": " ", "logo_url": "javascript:x", "accent_color": "blue" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["name", "logo_url", "accent_color"] {
        assert!(body["error"]["fields"][field].is_string(), "{field}: {body}");
    }
    let (status, body) = app.put("/api/seller/store", &acme, json!({ "name": "Acme", "tenant": "bolt" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {body}");

    let version = |domain: &'static str| {
        let app = &app;
        async move {
            let res = app
                .http
                .get(format!("{}/api/storefront/domains/{domain}/version", app.base))
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap();
            res.json::<Value>().await.unwrap()["version"].as_i64().unwrap()
        }
    };
    let (acme_before, bolt_before) = (version("acme.localhost").await, version("bolt.localhost").await);
    let look = json!({ "name": "Acme Lamps", "logo_url": "/assets/demo/brass-diya.svg", "accent_color": "#AA3300" });
    let (status, saved) = app.put("/api/seller/store", &acme, look).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!((saved["name"].as_str(), saved["accent_color"].as_str()), (Some("Acme Lamps"), Some("#aa3300")));
    // The change raises Acme's storefront version (edge caches render afresh), not Bolt's.
    assert!(version("acme.localhost").await > acme_before);
    assert_eq!(version("bolt.localhost").await, bolt_before);
    let (_, lamp) = app.post("/api/seller/products", &acme, product("lamp", "active")).await;
    assert!(lamp["id"].is_string());
    let after_product = version("acme.localhost").await;
    assert!(after_product > acme_before + 1, "a catalog change raises it too");
    assert_eq!(version("bolt.localhost").await, bolt_before);

    // The storefront API hands the look to the hosts, for this store only.
    let res = app
        .http
        .get(format!("{}/api/storefront/domains/acme.localhost/products", app.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let catalog: Value = res.json().await.unwrap();
    assert_eq!(catalog["store"]["name"], "Acme Lamps");
    assert_eq!(catalog["store"]["accent_color"], "#aa3300");
    assert_eq!(catalog["store"]["logo_url"], "/assets/demo/brass-diya.svg");
    let (_, theirs) = app.get("/api/seller/store", &bolt).await;
    assert_eq!((theirs["name"].as_str(), theirs["accent_color"].clone()), (Some("bolt"), Value::Null));
    assert_eq!(catalog["featured"], Value::Null, "nothing featured yet");

    // The home page features one of the store's own collections, never another store's.
    let (status, picks) = app.post("/api/seller/collections", &acme, json!({ "handle": "picks", "title": "Picks", "product_ids": [lamp["id"]] })).await;
    assert_eq!(status, StatusCode::CREATED, "{picks}");
    let (status, _) = app.post("/api/seller/collections", &bolt, json!({ "handle": "bolts", "title": "Bolts", "product_ids": [] })).await;
    assert_eq!(status, StatusCode::CREATED);
    let featuring = |handle: &str| json!({ "name": "Acme Lamps", "accent_color": "#aa3300", "featured_collection": handle });
    let (status, body) = app.put("/api/seller/store", &acme, featuring("bolts")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another store's collection: {body}");
    let (status, body) = app.put("/api/seller/store", &acme, featuring("Not a handle")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["featured_collection"].is_string(), "{body}");
    let (status, saved) = app.put("/api/seller/store", &acme, featuring("picks")).await;
    assert_eq!((status, saved["featured_collection"].as_str()), (StatusCode::OK, Some("picks")), "{saved}");
    assert_eq!(app.get("/api/seller/store", &acme).await.1["featured_collection"], "picks");
    assert_eq!(app.get("/api/seller/store", &acme).await.1["cash_on_delivery"], false, "off unless the merchant offers it");
    let mut with_cod = featuring("picks");
    with_cod["cash_on_delivery"] = json!(true);
    let (status, saved) = app.put("/api/seller/store", &acme, with_cod).await;
    assert_eq!((status, saved["cash_on_delivery"].as_bool()), (StatusCode::OK, Some(true)));
    let featured = |domain: &'static str| {
        let app = &app;
        async move {
            let res = app.http.get(format!("{}/api/storefront/domains/{domain}/products", app.base)).bearer_auth(TOKEN).send().await.unwrap();
            res.json::<Value>().await.unwrap()["featured"].clone()
        }
    };
    let shown = featured("acme.localhost").await;
    assert_eq!((shown["handle"].as_str(), shown["title"].as_str()), (Some("picks"), Some("Picks")));
    let ids: Vec<Value> = shown["products"].as_array().unwrap().iter().map(|p| p["id"].clone()).collect();
    assert_eq!(ids, vec![lamp["id"].clone()]);
    assert_eq!(featured("bolt.localhost").await, Value::Null);
    // Deleting the collection ends the feature.
    let (status, _) = app.delete(&format!("/api/seller/collections/{}", picks["id"].as_str().unwrap()), &acme).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(featured("acme.localhost").await, Value::Null);
    assert_eq!(app.get("/api/seller/store", &acme).await.1["featured_collection"], Value::Null);

    // Staff may look, not change.
    let acme_id = app.store.tenant_by_slug(&TenantSlug::parse("acme").unwrap()).await.unwrap().unwrap().id;
    app.store.add_membership(acme_id, "uid-staff", Role::Staff).await.unwrap();
    let staff = issuer().sign_id_token(PROJECT, "uid-staff", "staff@example.com", Duration::from_secs(3600));
    assert_eq!(app.get("/api/seller/store", &staff).await.0, StatusCode::OK);
    let (status, _) = app.put("/api/seller/store", &staff, json!({ "name": "Mine now" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/seller/store", &acme).await.1["name"], "Acme Lamps");
}

fn checkout_body(lines: Value) -> Value {
    checkout_paid_by(lines, "razorpay")
}

/// A checkout of `lines` paid by `method`, with a fresh idempotency key (a new attempt).
fn checkout_paid_by(lines: Value, method: &str) -> Value {
    json!({
        "lines": lines,
        "email": "asha@example.in",
        "shipping": {
            "name": "Asha Rao", "line1": "12 MG Road", "city": "Bengaluru", "state": "Karnataka",
            "postal_code": "560001", "country": "IN", "phone": "+91 98450 12345"
        },
        "payment_method": method,
        "idempotency_key": uuid::Uuid::new_v4().simple().to_string()
    })
}

async fn a_shopper_checks_out_once_and_the_merchant_moves_the_order_forward(store: DynStore) {
    let app = App::spawn(store).await;
    let acme = app.merchant("acme").await;
    let bolt = app.merchant("bolt").await;
    let mut lamp = product("lamp", "active");
    lamp["variants"][1]["track_inventory"] = json!(false);
    let (_, lamp) = app.post("/api/seller/products", &acme, lamp).await;
    let small = lamp["variants"][0]["id"].as_str().unwrap().to_owned();
    let checkouts = "/api/storefront/domains/acme.localhost/checkouts";
    let (status, _) = app.put("/api/seller/store", &acme, json!({ "name": "Acme", "cash_on_delivery": true })).await;
    assert_eq!(status, StatusCode::OK);

    // A price sent by the client is ignored: the catalog's price wins.
    let (status, checkout) = app
        .post(checkouts, TOKEN, checkout_paid_by(json!([{ "variant_id": small, "quantity": 2, "unit_price": { "amount_minor": 1, "currency": "INR" } }]), "cash_on_delivery"))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{checkout}");
    assert_eq!(checkout["total"]["amount_minor"], 2 * 99_900);
    assert_eq!(checkout["lines"][0]["unit_price"]["amount_minor"], 99_900);
    let id = checkout["id"].as_str().unwrap().to_owned();
    // Three in stock, two held: two more are refused, naming the product as the shopper knows it.
    let (status, body) = app.post(checkouts, TOKEN, checkout_body(json!([{ "variant_id": small, "quantity": 2 }]))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["message"], "Only 1 left of Lamp lamp — S", "{body}");
    // The same attempt sent again is the same checkout (200), holding nothing more; the key
    // reused for another cart is refused; no key at all is refused, naming the field.
    let medium = lamp["variants"][1]["id"].as_str().unwrap().to_owned();
    let mut retried = checkout_paid_by(json!([{ "variant_id": medium, "quantity": 1 }]), "razorpay");
    let (status, first) = app.post(checkouts, TOKEN, retried.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = app.post(checkouts, TOKEN, retried.clone()).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &first["id"]), "{again}");
    retried["lines"][0]["quantity"] = json!(2);
    assert_eq!(app.post(checkouts, TOKEN, retried.clone()).await.0, StatusCode::CONFLICT);
    retried.as_object_mut().unwrap().remove("idempotency_key");
    let (status, body) = app.post(checkouts, TOKEN, retried).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("idempotency_key"), "{body}");
    // A made-up payment can never make a Razorpay checkout paid, however it is dressed.
    let online = format!("{checkouts}/{}/finalize", first["id"].as_str().unwrap());
    for payment_id in ["pay_madeup".to_owned(), "p".repeat(1 << 20)] {
        let (status, body) = app.post(&online, TOKEN, json!({ "payment_id": payment_id, "amount_minor": 129_900 })).await;
        assert!(status == StatusCode::CONFLICT || status == StatusCode::PAYLOAD_TOO_LARGE, "{status}: {body}");
        assert!(body["error"]["code"].is_string(), "the JSON error shape: {body}");
    }
    let (status, body) = app.post(checkouts, TOKEN, checkout_body(json!([]))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["lines"].is_string(), "{body}");
    // Without the storefront token, nothing.
    assert_eq!(app.post(checkouts, &acme, checkout_body(json!([{ "variant_id": small, "quantity": 1 }]))).await.0, StatusCode::UNAUTHORIZED);

    // Placing it: a wrong amount, or a payment id, makes no order; eight racing placements make one.
    let finalize = format!("{checkouts}/{id}/finalize");
    let (status, _) = app.post(&finalize, TOKEN, json!({ "amount_minor": 1 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.post(&finalize, TOKEN, json!({ "payment_id": "pay_1", "amount_minor": 2 * 99_900 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let (http, url) = (app.http.clone(), format!("{}{finalize}", app.base));
            tokio::spawn(async move {
                let res = http.post(url).bearer_auth(TOKEN).json(&json!({ "amount_minor": 2 * 99_900 })).send().await.unwrap();
                let status = res.status();
                (status, res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut created = 0;
    let mut order_ids = std::collections::BTreeSet::new();
    for racer in racers {
        let (status, order) = racer.await.unwrap();
        assert!(status == StatusCode::CREATED || status == StatusCode::OK, "{status}: {order}");
        created += usize::from(status == StatusCode::CREATED);
        order_ids.insert(order["id"].as_str().unwrap().to_owned());
    }
    assert_eq!((created, order_ids.len()), (1, 1), "one order, whoever came first");
    let order_id = order_ids.into_iter().next().unwrap();
    // Its order_placed event went to the analytics queue once, after the checkout_started of the
    // two checkouts (the refused ones and the retry left none), and the outbox is empty.
    let queued = app.queues.counts(zelly_queue::STORE_EVENTS).await.unwrap();
    assert_eq!(queued.waiting + queued.active + queued.completed + queued.delayed, 3, "{queued:?}");
    assert!(app.store.outbox(10).await.unwrap().is_empty());
    // Another store's domain cannot reach the checkout.
    let (status, _) = app.post(&format!("/api/storefront/domains/bolt.localhost/checkouts/{id}/finalize"), TOKEN, json!({ "amount_minor": 2 * 99_900 })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The merchant sees it, and only they do.
    let (status, orders) = app.get("/api/seller/orders", &acme).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(orders.as_array().unwrap().len(), 1);
    assert_eq!((orders[0]["number"].as_i64(), orders[0]["status"].as_str()), (Some(1), Some("pending_payment")));
    assert!(app.get("/api/seller/orders", &bolt).await.1.as_array().unwrap().is_empty());
    assert_eq!(app.get(&format!("/api/seller/orders/{order_id}"), &bolt).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/seller/orders?status=pending_payment&q=%231", &acme).await.1.as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/seller/orders?status=nonsense", &acme).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // Forward only; refunds are not a status to set.
    let status_of = format!("/api/seller/orders/{order_id}/status");
    assert_eq!(app.post(&status_of, &bolt, json!({ "status": "fulfilled" })).await.0, StatusCode::NOT_FOUND);
    let (status, body) = app.post(&status_of, &acme, json!({ "status": "fulfilled", "tracking": { "carrier": "", "number": "DL1" } })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["tracking.carrier"].is_string(), "{body}");
    let tracked = json!({ "status": "fulfilled", "tracking": { "carrier": "Delhivery", "number": "DL123456789IN" } });
    let (status, order) = app.post(&status_of, &acme, tracked).await;
    assert_eq!((status, order["status"].as_str()), (StatusCode::OK, Some("fulfilled")));
    assert_eq!(order["tracking"], json!({ "carrier": "Delhivery", "number": "DL123456789IN" }));
    let (status, body) = app.post(&status_of, &acme, json!({ "status": "cancelled" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "a shipped order is not cancelled");
    assert!(body["error"]["message"].as_str().unwrap().contains("shipped"), "{body}");
    assert_eq!(app.post(&status_of, &acme, json!({ "status": "refunded" })).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // The stock left the shelf once: one unit remains.
    let (_, product) = app.get(&format!("/api/seller/products/{}", lamp["id"].as_str().unwrap()), &acme).await;
    assert_eq!(product["variants"][0]["inventory_quantity"], 1);
    // Who did what: placed by the shopper, fulfilled by the merchant.
    let (status, timeline) = app.get(&format!("/api/seller/orders/{order_id}/timeline"), &acme).await;
    assert_eq!(status, StatusCode::OK);
    let kinds: Vec<_> = timeline.as_array().unwrap().iter().map(|e| (e["kind"].as_str().unwrap(), e["actor"].as_str().unwrap())).collect();
    assert_eq!(kinds, [("placed", "shopper"), ("fulfilled", "acme@example.com")], "{timeline}");
    assert_eq!(app.get(&format!("/api/seller/orders/{order_id}/timeline"), &bolt).await.0, StatusCode::NOT_FOUND);

    // A cash-on-delivery order cancelled before shipping puts its stock back.
    let (_, second) = app.post(checkouts, TOKEN, checkout_paid_by(json!([{ "variant_id": small, "quantity": 1 }]), "cash_on_delivery")).await;
    let (status, placed) = app.post(&format!("{checkouts}/{}/finalize", second["id"].as_str().unwrap()), TOKEN, json!({ "amount_minor": 99_900 })).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    let (_, product) = app.get(&format!("/api/seller/products/{}", lamp["id"].as_str().unwrap()), &acme).await;
    assert_eq!(product["variants"][0]["inventory_quantity"], 0);
    let (status, cancelled) = app.post(&format!("/api/seller/orders/{}/status", placed["id"].as_str().unwrap()), &acme, json!({ "status": "cancelled" })).await;
    assert_eq!((status, cancelled["status"].as_str()), (StatusCode::OK, Some("cancelled")), "{cancelled}");
    let (_, product) = app.get(&format!("/api/seller/products/{}", lamp["id"].as_str().unwrap()), &acme).await;
    assert_eq!(product["variants"][0]["inventory_quantity"], 1, "restocked");
}

impl App {
    /// Delivers a webhook signed with `secret` (or with the given signature).
    async fn webhook(&self, event_id: &str, body: &str, signature: &str) -> (StatusCode, Value) {
        let res = self
            .http
            .post(format!("{}/api/webhooks/razorpay", self.base))
            .header("x-razorpay-signature", signature)
            .header("x-razorpay-event-id", event_id)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}

fn signed(secret: &str, body: &str) -> String {
    zelly_edge::signature::hmac_sha256_hex(secret.as_bytes(), body.as_bytes())
}

fn captured(tenant: &str, order_id: &str, payment_id: &str, amount: i64) -> String {
    let notes = json!({ "tenant_id": tenant });
    json!({
        "entity": "event",
        "event": "payment.captured",
        "payload": {
            "payment": { "entity": { "id": payment_id, "order_id": order_id, "amount": amount, "currency": "INR", "status": "captured", "notes": notes } }
        }
    })
    .to_string()
}

async fn razorpay_webhooks_are_verified_deduplicated_and_never_move_an_order_back(store: DynStore) {
    // Razorpay's API is never called here: the callback is checked with the key secret alone.
    let app = App::spawn_with_razorpay(store, "http://127.0.0.1:9").await;
    let acme = app.merchant("acme").await;
    let tenant = app.store.tenant_by_slug(&TenantSlug::parse("acme").unwrap()).await.unwrap().unwrap().id.to_string();
    let mut untracked = product("lamp", "active");
    untracked["variants"][1]["track_inventory"] = json!(false);
    let (status, lamp) = app.post("/api/seller/products", &acme, untracked).await;
    assert_eq!(status, StatusCode::CREATED, "{lamp}");
    let medium = lamp["variants"][1]["id"].as_str().unwrap().to_owned();
    let checkouts = "/api/storefront/domains/acme.localhost/checkouts";
    let start = |rzp_order: &'static str| {
        let (app, medium) = (&app, medium.clone());
        async move {
            let (status, checkout) = app.post(checkouts, TOKEN, checkout_body(json!([{ "variant_id": medium, "quantity": 1 }]))).await;
            assert_eq!(status, StatusCode::CREATED, "{checkout}");
            let id = checkout["id"].as_str().unwrap().to_owned();
            let (status, _) = app.put(&format!("{checkouts}/{id}/provider-order"), TOKEN, json!({ "provider_order_id": rzp_order })).await;
            assert_eq!(status, StatusCode::NO_CONTENT);
            id
        }
    };
    let orders = || {
        let (app, acme) = (&app, acme.clone());
        async move { app.get("/api/seller/orders", &acme).await.1.as_array().unwrap().clone() }
    };

    // A tampered body, or a wrong signature, is refused and makes no order.
    start("order_T1").await;
    let body = captured(&tenant, "order_T1", "pay_T1", 129_900);
    let forged = body.replace("129900", "100");
    assert_eq!(app.webhook("evt_0", &forged, &signed(WEBHOOK_SECRET, &body)).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(app.webhook("evt_0", &body, &signed("guess", &body)).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(app.webhook("evt_0", &body, "").await.0, StatusCode::BAD_REQUEST);
    assert!(orders().await.is_empty());

    // The same delivery three times: one order, one state change.
    for _ in 0..3 {
        let (status, answer) = app.webhook("evt_1", &body, &signed(WEBHOOK_SECRET, &body)).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
    }
    let placed = orders().await;
    assert_eq!(placed.len(), 1);
    assert_eq!(placed[0]["status"], "paid");
    // The storefront token alone cannot say a Razorpay checkout was paid.
    let unpaid = start("order_U1").await;
    let (status, _) = app.post(&format!("{checkouts}/{unpaid}/finalize"), TOKEN, json!({ "payment_id": "pay_U1", "amount_minor": 129_900 })).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(orders().await.len(), 1);
    // Signed with the previous secret during a rotation: accepted (and a repeat of the payment).
    let (status, answer) = app.webhook("evt_2", &body, &signed(OLD_WEBHOOK_SECRET, &body)).await;
    assert_eq!((status, answer["status"].as_str()), (StatusCode::OK, Some("order already placed")));

    // The browser's callback and the webhook racing, many times: one order each time.
    for round in 0..5 {
        let rzp: &'static str = Box::leak(format!("order_R{round}").into_boxed_str());
        let id = start(rzp).await;
        let payment = format!("pay_R{round}");
        let hook = captured(&tenant, rzp, &payment, 129_900);
        let callback = {
            let (http, url, payment) = (app.http.clone(), format!("{}{checkouts}/{id}/razorpay-callback", app.base), payment.clone());
            let signature = zelly_edge::signature::payment_signature("rzp_secret", rzp, &payment);
            tokio::spawn(async move {
                let fields = json!({ "razorpay_payment_id": payment, "razorpay_order_id": rzp, "razorpay_signature": signature });
                http.post(url).bearer_auth(TOKEN).json(&fields).send().await.unwrap().status()
            })
        };
        let webhook = {
            let (http, url, signature, hook) = (app.http.clone(), format!("{}/api/webhooks/razorpay", app.base), signed(WEBHOOK_SECRET, &hook), hook.clone());
            let event = format!("evt_R{round}");
            tokio::spawn(async move {
                http.post(url)
                    .header("x-razorpay-signature", signature)
                    .header("x-razorpay-event-id", event)
                    .body(hook)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        };
        let (callback, webhook) = (callback.await.unwrap(), webhook.await.unwrap());
        assert!(callback == StatusCode::CREATED || callback == StatusCode::OK, "{callback}");
        assert_eq!(webhook, StatusCode::OK);
    }
    assert_eq!(orders().await.len(), 6, "one order per payment (and none for the unpaid checkout)");

    // A refund, then a late payment.captured: the order stays refunded.
    let first = &placed[0];
    let refund = json!({
        "entity": "event",
        "event": "refund.processed",
        "payload": { "refund": { "entity": { "id": "rfnd_1", "payment_id": "pay_T1", "amount": 129_900, "notes": { "tenant_id": tenant } } } }
    })
    .to_string();
    assert_eq!(app.webhook("evt_3", &refund, &signed(WEBHOOK_SECRET, &refund)).await.0, StatusCode::OK);
    assert_eq!(app.webhook("evt_3", &refund, &signed(WEBHOOK_SECRET, &refund)).await.1["status"], "duplicate");
    let (status, _) = app.webhook("evt_4", &body, &signed(WEBHOOK_SECRET, &body)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, order) = app.get(&format!("/api/seller/orders/{}", first["id"].as_str().unwrap()), &acme).await;
    assert_eq!((order["status"].as_str(), order["refunded"]["amount_minor"].as_i64()), (Some("refunded"), Some(129_900)));
    // A signed event for no store of ours is acknowledged and ignored.
    let stranger = captured(&uuid::Uuid::new_v4().to_string(), "order_X", "pay_X", 1);
    assert_eq!(app.webhook("evt_5", &stranger, &signed(WEBHOOK_SECRET, &stranger)).await.1["status"], "unknown");
    let no_notes = json!({ "event": "payment.captured", "payload": {} }).to_string();
    assert_eq!(app.webhook("evt_6", &no_notes, &signed(WEBHOOK_SECRET, &no_notes)).await.1["status"], "ignored");
}

async fn a_razorpay_payment_is_verified_by_core_api_and_owners_refund_it_once(store: DynStore) {
    // The Razorpay stand-in, as dev runs it, with core-api pointed at it.
    let rzp = standin().await;
    let mut app = App::spawn_with_razorpay(store, &rzp).await;
    let acme = app.merchant("acme").await;
    let tenant = app.store.tenant_by_slug(&TenantSlug::parse("acme").unwrap()).await.unwrap().unwrap().id;
    let mut untracked = product("lamp", "active");
    untracked["variants"][1]["track_inventory"] = json!(false);
    let (_, lamp) = app.post("/api/seller/products", &acme, untracked).await;
    let medium = lamp["variants"][1]["id"].as_str().unwrap().to_owned();
    let (_, checkout) = app.post("/api/storefront/domains/acme.localhost/checkouts", TOKEN, checkout_body(json!([{ "variant_id": medium, "quantity": 2 }]))).await;
    let total = checkout["total"]["amount_minor"].as_i64().unwrap();

    // The payment step: core-api makes the Razorpay order (asking again gives the same one).
    let checkout_path = format!("/api/storefront/domains/acme.localhost/checkouts/{}", checkout["id"].as_str().unwrap());
    let (status, step) = app.post(&format!("{checkout_path}/razorpay-order"), TOKEN, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{step}");
    assert_eq!((step["key_id"].as_str(), step["amount"]["amount_minor"].as_i64()), (Some("rzp_test_k"), Some(total)));
    let order_id = step["order_id"].as_str().unwrap().to_owned();
    assert_eq!(app.post(&format!("{checkout_path}/razorpay-order"), TOKEN, json!({})).await.1["order_id"], order_id.as_str());

    // The shopper pays on the stand-in's page, which posts Razorpay's signed callback fields.
    let page = app
        .http
        .post(format!("{rzp}/pay/{order_id}/complete?callback_url=http%3A%2F%2Fshop.example%2Fdone"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let field = |name: &str| {
        let at = page.find(&format!(r#"name="{name}" value=""#)).unwrap() + name.len() + 15;
        page[at..at + page[at..].find('"').unwrap()].to_owned()
    };
    let (payment_id, signature) = (field("razorpay_payment_id"), field("razorpay_signature"));
    assert_eq!(field("razorpay_order_id"), order_id);
    let callback = |payment: &str, order: &str, signature: &str| {
        json!({ "razorpay_payment_id": payment, "razorpay_order_id": order, "razorpay_signature": signature })
    };
    // A forged signature, or a genuine one for another order, makes no order.
    let callback_path = format!("{checkout_path}/razorpay-callback");
    let forged = zelly_edge::signature::payment_signature("guessed", &order_id, &payment_id);
    assert_eq!(app.post(&callback_path, TOKEN, callback(&payment_id, &order_id, &forged)).await.0, StatusCode::BAD_REQUEST);
    let elsewhere = zelly_edge::signature::payment_signature("rzp_secret", "order_other", &payment_id);
    assert_eq!(app.post(&callback_path, TOKEN, callback(&payment_id, "order_other", &elsewhere)).await.0, StatusCode::BAD_REQUEST);
    assert!(app.get("/api/seller/orders", &acme).await.1.as_array().unwrap().is_empty());
    let (status, order) = app.post(&callback_path, TOKEN, callback(&payment_id, &order_id, &signature)).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(app.post(&callback_path, TOKEN, callback(&payment_id, &order_id, &signature)).await.0, StatusCode::OK, "a reload of the callback");
    assert_eq!(app.post(&format!("{checkout_path}/razorpay-order"), TOKEN, json!({})).await.0, StatusCode::CONFLICT, "a completed checkout takes no payment");
    let refunds = format!("/api/seller/orders/{}/refunds", order["id"].as_str().unwrap());

    let refund = |amount: i64, key: &str| json!({ "amount_minor": amount, "idempotency_key": key });
    // A refund needs its key, of up to 64 characters, and a key can never name a cancellation's.
    assert_eq!(app.post(&refunds, &acme, json!({ "amount_minor": 100 })).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.post(&refunds, &acme, refund(100, &"k".repeat(65))).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.post(&refunds, &acme, refund(100, "zelly:cancellation")).await.0, StatusCode::UNPROCESSABLE_ENTITY);

    // One click's refund sent ten times at once (a double click, retries): refunded once. Its key
    // is as long as a key may be.
    let click = "k".repeat(64);
    let clicks: Vec<_> = (0..10)
        .map(|_| {
            let (http, url, token, click) = (app.http.clone(), format!("{}{refunds}", app.base), acme.clone(), click.clone());
            tokio::spawn(async move {
                let res = http.post(url).bearer_auth(token).json(&json!({ "amount_minor": 10_000, "idempotency_key": click })).send().await.unwrap();
                (res.status(), res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    for click in clicks {
        let (status, body) = click.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, once) = app.get(&format!("/api/seller/orders/{}", order["id"].as_str().unwrap()), &acme).await;
    assert_eq!((once["status"].as_str(), once["refunded"]["amount_minor"].as_i64()), (Some("partially_refunded"), Some(10_000)));
    // The same key for another amount is a mistake, not a new refund.
    assert_eq!(app.post(&refunds, &acme, refund(20_000, &click)).await.0, StatusCode::CONFLICT);
    // Ten different refunds of 30% of what is left, at once: never more than was paid.
    let left = total - 10_000;
    let share = left * 3 / 10;
    let staff_refunds: Vec<_> = (0..10)
        .map(|i| {
            let (http, url, token) = (app.http.clone(), format!("{}{refunds}", app.base), acme.clone());
            tokio::spawn(async move {
                let res = http.post(url).bearer_auth(token).json(&json!({ "amount_minor": share, "idempotency_key": format!("staff-{i}") })).send().await.unwrap();
                res.status()
            })
        })
        .collect();
    let mut made = 0;
    for r in staff_refunds {
        let status = r.await.unwrap();
        assert!(status == StatusCode::OK || status == StatusCode::UNPROCESSABLE_ENTITY, "{status}");
        made += usize::from(status == StatusCode::OK);
    }
    assert_eq!(made, 3);
    let refunded = 10_000 + 3 * share;
    // More than is left is refused before Razorpay is asked; then the rest.
    let (status, body) = app.post(&refunds, &acme, refund(total, "too-much")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, rest) = app.post(&refunds, &acme, refund(total - refunded, "rest")).await;
    assert_eq!(status, StatusCode::OK, "{rest}");
    assert_eq!((rest["status"].as_str(), rest["refunded"]["amount_minor"].as_i64()), (Some("refunded"), Some(total)));
    assert_eq!(app.post(&refunds, &acme, refund(1, "nothing-left")).await.0, StatusCode::UNPROCESSABLE_ENTITY, "nothing left");

    // Cancelling a paid order that has not shipped refunds what is left and cancels it; a
    // second press changes nothing.
    let (_, checkout) = app.post("/api/storefront/domains/acme.localhost/checkouts", TOKEN, checkout_body(json!([{ "variant_id": medium, "quantity": 1 }]))).await;
    let path = format!("/api/storefront/domains/acme.localhost/checkouts/{}", checkout["id"].as_str().unwrap());
    let (_, step) = app.post(&format!("{path}/razorpay-order"), TOKEN, json!({})).await;
    let rzp_order = step["order_id"].as_str().unwrap().to_owned();
    let page = app.http.post(format!("{rzp}/pay/{rzp_order}/complete?callback_url=http%3A%2F%2Fshop.example%2Fdone")).send().await.unwrap().text().await.unwrap();
    let field = |name: &str| {
        let at = page.find(&format!(r#"name="{name}" value=""#)).unwrap() + name.len() + 15;
        page[at..at + page[at..].find('"').unwrap()].to_owned()
    };
    let (_, paid) = app.post(&format!("{path}/razorpay-callback"), TOKEN, callback(&field("razorpay_payment_id"), &rzp_order, &field("razorpay_signature"))).await;
    let paid_id = paid["id"].as_str().unwrap().to_owned();

    // A payment whose callback never came back: core-api asks Razorpay, and only what Razorpay
    // reports makes the order (once).
    let (_, lost) = app.post("/api/storefront/domains/acme.localhost/checkouts", TOKEN, checkout_body(json!([{ "variant_id": medium, "quantity": 1 }]))).await;
    let lost_path = format!("/api/storefront/domains/acme.localhost/checkouts/{}", lost["id"].as_str().unwrap());
    let (_, step) = app.post(&format!("{lost_path}/razorpay-order"), TOKEN, json!({})).await;
    let (status, body) = app.post(&format!("{lost_path}/razorpay-payment"), TOKEN, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "not paid yet: {body}");
    let paid_at_razorpay = app.http.post(format!("{rzp}/pay/{}/complete?callback_url=http%3A%2F%2Fshop.example%2Fdone", step["order_id"].as_str().unwrap())).send().await.unwrap();
    assert!(paid_at_razorpay.status().is_success());
    let (status, found) = app.post(&format!("{lost_path}/razorpay-payment"), TOKEN, json!({})).await;
    assert_eq!((status, found["status"].as_str()), (StatusCode::CREATED, Some("paid")), "{found}");
    assert!(found["payment_id"].as_str().unwrap().starts_with("pay_"));
    assert_eq!(app.post(&format!("{lost_path}/razorpay-payment"), TOKEN, json!({})).await.0, StatusCode::OK);
    let (status, part) = app.post(&format!("/api/seller/orders/{paid_id}/refunds"), &acme, refund(9_900, "goodwill")).await;
    assert_eq!(status, StatusCode::OK, "{part}");
    for _ in 0..2 {
        let (status, cancelled) = app.post(&format!("/api/seller/orders/{paid_id}/status"), &acme, json!({ "status": "cancelled" })).await;
        assert_eq!(status, StatusCode::OK, "{cancelled}");
        assert_eq!((cancelled["status"].as_str(), cancelled["refunded"]["amount_minor"].as_i64()), (Some("cancelled"), Some(129_900)));
    }
    let (_, timeline) = app.get(&format!("/api/seller/orders/{paid_id}/timeline"), &acme).await;
    let kinds: Vec<_> = timeline.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap().to_owned()).collect();
    assert_eq!(kinds, ["placed", "refund_requested", "refunded", "refund_requested", "refunded", "cancelled"], "{timeline}");

    // Staff may not refund, nor cancel a paid order; without Razorpay configured nothing is sent.
    app.store.add_membership(tenant, "uid-staff", Role::Staff).await.unwrap();
    let staff = issuer().sign_id_token(PROJECT, "uid-staff", "staff@example.com", Duration::from_secs(3600));
    assert_eq!(app.post(&refunds, &staff, refund(1, "staff")).await.0, StatusCode::FORBIDDEN);
    app = App::spawn(app.store.clone()).await;
    assert_eq!(app.post(&refunds, &acme, refund(1, "no-razorpay")).await.0, StatusCode::SERVICE_UNAVAILABLE);
}

async fn a_refund_abandoned_while_razorpay_was_down_is_finished_once(store: DynStore) {
    let rzp = standin().await;
    let app = App::spawn_with_razorpay(store.clone(), &rzp).await;
    let acme = app.merchant("acme").await;
    let mut untracked = product("lamp", "active");
    untracked["variants"][1]["track_inventory"] = json!(false);
    let (_, lamp) = app.post("/api/seller/products", &acme, untracked).await;
    let medium = lamp["variants"][1]["id"].as_str().unwrap().to_owned();
    let (_, checkout) = app.post("/api/storefront/domains/acme.localhost/checkouts", TOKEN, checkout_body(json!([{ "variant_id": medium, "quantity": 1 }]))).await;
    let path = format!("/api/storefront/domains/acme.localhost/checkouts/{}", checkout["id"].as_str().unwrap());
    let (_, step) = app.post(&format!("{path}/razorpay-order"), TOKEN, json!({})).await;
    app.http.post(format!("{rzp}/pay/{}/complete?callback_url=http%3A%2F%2Fshop.example%2Fdone", step["order_id"].as_str().unwrap())).send().await.unwrap();
    let (status, order) = app.post(&format!("{path}/razorpay-payment"), TOKEN, json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let refunds = format!("/api/seller/orders/{}/refunds", order["id"].as_str().unwrap());

    // Razorpay is unreachable: the refund is not made, and its share stays held meanwhile.
    let down = App::spawn_with_razorpay(store.clone(), "http://127.0.0.1:9").await;
    let (status, body) = down.post(&refunds, &acme, json!({ "amount_minor": 129_900, "idempotency_key": "full" })).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    let (status, body) = down.post(&refunds, &acme, json!({ "amount_minor": 1, "idempotency_key": "another" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("being refunded"), "{body}");

    // Once Razorpay answers again, core-api's loop finishes it, once.
    let mut state = core_api::testing::state(store.clone(), TOKEN, None).await;
    state.razorpay = Some(core_api::testing::razorpay_client(&rzp));
    let later = zelly_service::now_ms() + core_api::refunds::STALE_AFTER_MS;
    assert_eq!(core_api::refunds::resume_once(&state, zelly_service::now_ms() - core_api::refunds::STALE_AFTER_MS).await.unwrap(), 0, "not while it may be in flight");
    assert_eq!(core_api::refunds::resume_once(&state, later).await.unwrap(), 1);
    assert_eq!(core_api::refunds::resume_once(&state, later).await.unwrap(), 0, "nothing left pending");
    let (_, refunded) = app.get(&format!("/api/seller/orders/{}", order["id"].as_str().unwrap()), &acme).await;
    assert_eq!((refunded["status"].as_str(), refunded["refunded"]["amount_minor"].as_i64()), (Some("refunded"), Some(129_900)));
    // The merchant's retry with the same key finds it done, and refunds nothing more.
    let (status, again) = app.post(&refunds, &acme, json!({ "amount_minor": 129_900, "idempotency_key": "full" })).await;
    assert_eq!((status, again["refunded"]["amount_minor"].as_i64()), (StatusCode::OK, Some(129_900)), "{again}");
}

async fn a_spike_of_bad_webhook_signatures_raises_one_alert(store: DynStore) {
    let app = App::spawn(store).await;
    let body = r#"{"event":"payment.captured"}"#;
    for n in 0..core_api::alarms::SPIKE_THRESHOLD + 5 {
        let (status, _) = app.webhook(&format!("evt_spike{n}"), body, &signed("not-the-secret", body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    for _ in 0..100 {
        if app.queues.counts(zelly_alerts::ALERTS_QUEUE).await.unwrap().waiting > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let alerts = app.queues.counts(zelly_alerts::ALERTS_QUEUE).await.unwrap();
    assert_eq!(alerts.waiting, 1, "one alert for the spike, not one per refusal: {alerts:?}");
}

async fn a_suspended_store_is_closed_to_shoppers_and_its_merchants_until_reopened(store: DynStore) {
    let app = App::spawn(store).await;
    let token = app.merchant("acme").await;
    let (status, _) = app.post("/api/seller/products", &token, product("lamp", "active")).await;
    assert_eq!(status, StatusCode::CREATED);
    let tenant = app.store.tenant_by_slug(&TenantSlug::parse("acme").unwrap()).await.unwrap().unwrap();
    let shop = |app: &App| {
        let (http, url) = (app.http.clone(), format!("{}/api/storefront/domains/acme.localhost/products", app.base));
        async move { http.get(url).bearer_auth(TOKEN).send().await.unwrap().status() }
    };
    // What admin-api's suspend does to the store (its own tests drive it through staff).
    app.store.set_tenant_status(tenant.id, zelly_edge::dto::TenantStatus::Suspended).await.unwrap();
    assert_eq!(shop(&app).await, StatusCode::GONE, "shoppers find it closed");
    let (status, body) = app.post("/api/seller/products", &token, product("kettle", "active")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "its merchants change nothing: {body}");
    assert_eq!(body["error"]["message"], "this store is suspended");
    app.store.set_tenant_status(tenant.id, zelly_edge::dto::TenantStatus::Active).await.unwrap();
    assert_eq!(shop(&app).await, StatusCode::OK, "reopened for shoppers");
    let (status, _) = app.post("/api/seller/products", &token, product("kettle", "active")).await;
    assert_eq!(status, StatusCode::CREATED, "and for its merchants");
}
