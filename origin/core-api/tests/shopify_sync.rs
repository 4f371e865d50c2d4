//! Shopify's catalog in a Zelly store, on both backends, against the Shopify stand-in: a sync
//! of 5,000 products pages through the throttled Admin API, survives being killed half-way and
//! ends with exactly 5,000 products; webhooks delivered twice, concurrently or out of order
//! leave the newest state; deletions archive, inventory follows Shopify, and uninstalling the
//! app disconnects the shop.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::catalog::ProductStatus;
use zelly_edge::shopify::SyncStatus;
use zelly_edge::TenantSlug;
use zelly_queue::{JobState, SHOPIFY_CATALOG_SYNC, SHOPIFY_WEBHOOK};
use zelly_store::{DynStore, ProductQuery};

zelly_store::on_both_backends!(
    a_sync_of_five_thousand_products_survives_a_crash_and_creates_nothing_twice,
    a_sync_started_by_the_owner_runs_on_the_worker,
    webhooks_leave_the_newest_state_however_they_arrive,
    a_zelly_order_takes_shopify_stock_once_however_often_the_push_runs,
    the_shop_settings_and_privacy_requests_are_acted_on,
    a_product_from_shopify_is_edited_in_shopify_but_its_seo_here,
);

const PROJECT: &str = "zelly-test";

const KEY: &str = "app-key";
const SECRET: &str = "app-secret";
const SHOP: &str = "tea-house.myshopify.com";

struct App {
    base: String,
    state: core_api::AppState,
    standin: Arc<shopify_standin::Standin>,
    standin_url: String,
    tenant: Uuid,
}

/// core-api with the Shopify app pointed at a fresh stand-in, and a store connected to `SHOP`.
async fn spawn(store: DynStore) -> App {
    let standin = shopify_standin::Standin::new(KEY, SECRET);
    let standin_url = zelly_service::serve_in_background(shopify_standin::app(standin.clone())).await.unwrap();
    let verifier = core_api::testing::merchant_verifier(core_api::testing::dev_issuer(), PROJECT).await;
    let mut state = core_api::testing::state(store.clone(), "test-storefront-token-0123456789", Some(verifier)).await;
    // On PostgreSQL the queues are BullMQ's on Redis, as in production (when a test Redis is set).
    if store.backend() == "postgres"
        && let Some(config) = zelly_queue::testing::redis_config()
    {
        state.queues = zelly_queue::connect(&config).await.unwrap();
    }
    let app = core_api::testing::shopify_app(KEY, SECRET, &standin_url);
    state.shopify_secrets = Arc::new(vec![zelly_store::config::Secret::new(SECRET)]);
    let tenant = core_api::testing::store_connected_to_shopify(&store, &app, &standin.issue_token(SHOP), SHOP).await;
    state.shopify = Some(app);
    let base = zelly_service::serve_in_background(core_api::app(state.clone())).await.unwrap();
    App { base, state, standin, standin_url, tenant }
}

impl App {
    async fn products(&self) -> Vec<zelly_edge::catalog::SellerProduct> {
        let mut all = Vec::new();
        let mut cursor = None;
        loop {
            let page = self.state.store.seller_products(self.tenant, &ProductQuery { limit: 100, cursor, ..Default::default() }).await.unwrap();
            all.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return all,
            }
        }
    }

    async fn sync_job(&self) -> zelly_queue::Job {
        let sync = self.state.store.shopify_sync(self.tenant).await.unwrap().unwrap();
        let data = json!({ "tenant": self.tenant, "run_id": sync.run_id });
        zelly_queue::Job { id: sync.run_id.clone(), name: "catalog-sync".into(), data, attempt: 1 }
    }

    /// Waits until the queue has finished the job `id` of `queue`, which must complete.
    async fn completed(&self, queue: &str, id: &str) {
        for _ in 0..600 {
            if let Some(status) = self.state.queues.status(queue, id).await.unwrap() {
                match status.state {
                    JobState::Completed => return,
                    JobState::Failed => panic!("job {id} failed: {:?}", status.failed_reason),
                    _ => {}
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("job {id} of {queue} did not finish");
    }

    /// Sends one delivery as Shopify would: the webhook route's answer.
    async fn send(&self, delivery: &shopify_standin::Delivery) -> reqwest::StatusCode {
        let (headers, body) = self.standin.signed(SHOP, delivery);
        let mut req = reqwest::Client::new().post(format!("{}/api/webhooks/shopify", self.base)).body(body);
        for (name, value) in headers {
            req = req.header(name, value);
        }
        req.send().await.unwrap().status()
    }

    /// Sends a delivery and waits for its job.
    async fn applied(&self, delivery: &shopify_standin::Delivery) {
        assert_eq!(self.send(delivery).await, reqwest::StatusCode::OK);
        self.completed(SHOPIFY_WEBHOOK, &format!("shopify-{}", delivery.webhook_id)).await;
    }

    fn rest(&self, id: u64) -> Value {
        self.standin.with_shop(SHOP, |s| shopify_standin::catalog::rest_payload(&s.products[&id]))
    }
}

async fn a_sync_of_five_thousand_products_survives_a_crash_and_creates_nothing_twice(store: DynStore) {
    let app = spawn(store).await;
    app.standin.with_shop(SHOP, |s| {
        for n in 1..=5_000 {
            s.add_sample(n);
        }
        // A tight bucket that refills fast, emptied by "another app" before the sync starts:
        // the first page is throttled and waited out.
        s.bucket = shopify_standin::catalog::Bucket::new(1000.0, 20_000.0);
        s.bucket.drain();
    });
    core_api::shopify_jobs::start_sync(&app.state, app.tenant).await.unwrap();
    let job = app.sync_job().await;
    // The first run is killed half-way (its page in flight rolls back with it).
    let state = app.state.clone();
    let first = {
        let job = job.clone();
        tokio::spawn(async move { core_api::shopify_jobs::run_sync(&state, &job).await })
    };
    loop {
        let sync = app.state.store.shopify_sync(app.tenant).await.unwrap().unwrap();
        if sync.imported >= 2_000 {
            break;
        }
        assert!(!first.is_finished(), "the sync ended early: {sync:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.abort();
    let _ = first.await;
    let halfway = app.state.store.shopify_sync(app.tenant).await.unwrap().unwrap();
    assert_eq!(halfway.status, SyncStatus::Running);
    assert!(halfway.imported < 5_000, "{halfway:?}");
    // Redelivered, the job resumes from the last page stored.
    core_api::shopify_jobs::run_sync(&app.state, &zelly_queue::Job { attempt: 2, ..job }).await.unwrap();
    let done = app.state.store.shopify_sync(app.tenant).await.unwrap().unwrap();
    assert_eq!((done.status, done.imported, done.total, done.archived), (SyncStatus::Succeeded, 5_000, Some(5_000), 0), "{done:?}");
    assert!(done.skipped.is_empty(), "{:?}", done.skipped);
    let products = app.products().await;
    assert_eq!(products.len(), 5_000);
    let mut handles: Vec<&str> = products.iter().map(|p| p.handle.as_str()).collect();
    handles.sort_unstable();
    handles.dedup();
    assert_eq!(handles.len(), 5_000, "no product was created twice");
    assert_eq!(app.state.store.shopify_product_count(app.tenant).await.unwrap(), 5_000);
    assert!(app.standin.with_shop(SHOP, |s| s.throttled) >= 1, "the throttle was met and waited out");
    let sample = products.iter().find(|p| p.handle.as_str() == "standin-product-42").unwrap();
    assert_eq!((sample.title.as_str(), sample.status, sample.variants.len()), ("Stand-in product 42", ProductStatus::Active, 2));
    assert_eq!((sample.variants[0].sku.as_str(), sample.variants[0].price.amount_minor, sample.variants[0].inventory_quantity), ("STANDIN-42-S", 24_142, 5));
    assert_eq!(sample.description, "Product 42 of the stand-in shop.");

    // A second sync changes nothing and archives what Shopify no longer has.
    let gone = app.standin.with_shop(SHOP, |s| {
        let id = *s.products.keys().next().unwrap();
        s.products.remove(&id);
        format!("gid://shopify/Product/{id}")
    });
    core_api::shopify_jobs::start_sync(&app.state, app.tenant).await.unwrap();
    core_api::shopify_jobs::run_sync(&app.state, &app.sync_job().await).await.unwrap();
    let again = app.state.store.shopify_sync(app.tenant).await.unwrap().unwrap();
    assert_eq!((again.status, again.imported, again.archived), (SyncStatus::Succeeded, 4_999, 1), "{again:?}");
    assert_eq!(app.products().await.len(), 5_000, "nothing was created twice");
    let archived = app.state.store.shopify_ids_of(app.tenant, &products.iter().map(|p| p.id).collect::<Vec<_>>()).await.unwrap();
    let (gone_id, _) = archived.iter().find(|(_, gid)| *gid == gone).unwrap();
    assert_eq!(app.state.store.seller_product(app.tenant, *gone_id).await.unwrap().unwrap().status, ProductStatus::Archived);
}

async fn a_sync_started_by_the_owner_runs_on_the_worker(store: DynStore) {
    let app = spawn(store).await;
    app.standin.with_shop(SHOP, |s| {
        for n in 1..=40 {
            s.add_sample(n);
        }
        // One product with more variants than a page carries: the rest are read on their own.
        let big = s.products.values_mut().next().unwrap();
        big.options = vec!["Size".into()];
        big.variants = (0..30)
            .map(|i| shopify_standin::catalog::Variant { id: 900_000 + i, sku: format!("BIG-{i}"), price: "10.00".into(), options: vec![format!("S{i}")], quantity: 1 })
            .collect();
    });
    let _workers = core_api::shopify_jobs::start_workers(&app.state).await.unwrap();
    let sync = core_api::shopify_jobs::start_sync(&app.state, app.tenant).await.unwrap();
    app.completed(SHOPIFY_CATALOG_SYNC, &sync.run_id).await;
    let done = app.state.store.shopify_sync(app.tenant).await.unwrap().unwrap();
    assert_eq!((done.status, done.imported), (SyncStatus::Succeeded, 40), "{done:?}");
    let products = app.products().await;
    assert_eq!(products.len(), 40);
    assert!(products.iter().any(|p| p.variants.len() == 30), "every variant of the big product was read");
}

async fn webhooks_leave_the_newest_state_however_they_arrive(store: DynStore) {
    let app = spawn(store).await;
    let _workers = core_api::shopify_jobs::start_workers(&app.state).await.unwrap();
    let id = app.standin.with_shop(SHOP, |s| s.add_sample(1));
    let gid = format!("gid://shopify/Product/{id}");
    let find = || async {
        let known = app.state.store.shopify_ids_of(app.tenant, &app.products().await.iter().map(|p| p.id).collect::<Vec<_>>()).await.unwrap();
        let (product, _) = known.into_iter().find(|(_, g)| *g == gid)?;
        app.state.store.seller_product(app.tenant, product).await.unwrap()
    };

    // products/create, delivered three times, two of them at once: one product.
    let create = app.standin.delivery("products/create", app.rest(id));
    let (a, b) = tokio::join!(app.send(&create), app.send(&create));
    assert_eq!((a, b), (reqwest::StatusCode::OK, reqwest::StatusCode::OK));
    app.applied(&create).await;
    assert_eq!(app.products().await.len(), 1);
    assert_eq!(find().await.unwrap().title, "Stand-in product 1");

    // Two updates, the newer delivered first: the older one changes nothing.
    let mut older_payload = app.rest(id);
    older_payload["title"] = json!("Older title");
    let older = app.standin.delivery("products/update", older_payload);
    tokio::time::sleep(Duration::from_millis(5)).await;
    let mut newer_payload = app.rest(id);
    newer_payload["title"] = json!("Newer title");
    let newer = app.standin.delivery("products/update", newer_payload);
    assert!(older.triggered_at < newer.triggered_at);
    app.applied(&newer).await;
    app.applied(&older).await;
    assert_eq!(find().await.unwrap().title, "Newer title");

    // An edit in Shopify's admin reaches the store through the stand-in's own delivery.
    app.standin.subscribe(SHOP, "PRODUCTS_UPDATE", &format!("{}/api/webhooks/shopify", app.base));
    let edited: Value = reqwest::Client::new()
        .patch(format!("{}/__standin/shops/{SHOP}/products/{id}", app.standin_url))
        .json(&json!({ "title": "Edited in Shopify", "price": "350.00" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(edited["delivered"], json!([200]));
    for _ in 0..200 {
        if find().await.unwrap().title == "Edited in Shopify" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let product = find().await.unwrap();
    assert_eq!((product.title.as_str(), product.variants[0].price.amount_minor), ("Edited in Shopify", 35_000));

    // Inventory follows Shopify's total for the item.
    let item = app.standin.with_shop(SHOP, |s| {
        let v = &mut s.products.get_mut(&id).unwrap().variants[0];
        v.quantity = 9;
        v.inventory_item()
    });
    app.applied(&app.standin.delivery("inventory_levels/update", json!({ "inventory_item_id": item, "location_id": 1, "available": 4 }))).await;
    assert_eq!(find().await.unwrap().variants[0].inventory_quantity, 9);

    // A deletion archives; a late update from before it does not bring the product back.
    let late = app.standin.delivery("products/update", app.rest(id));
    tokio::time::sleep(Duration::from_millis(5)).await;
    app.applied(&app.standin.delivery("products/delete", json!({ "id": id }))).await;
    app.applied(&late).await;
    assert_eq!(find().await.unwrap().status, ProductStatus::Archived);

    // Uninstalling the app disconnects the shop.
    app.applied(&app.standin.delivery("app/uninstalled", json!({ "id": 1, "domain": SHOP }))).await;
    assert_eq!(app.state.store.shopify_connection(app.tenant).await.unwrap(), None);
}

async fn a_zelly_order_takes_shopify_stock_once_however_often_the_push_runs(store: DynStore) {
    use zelly_edge::orders::{PaymentConfirmation, PaymentMethod};
    let app = spawn(store).await;
    let id = app.standin.with_shop(SHOP, |s| s.add_sample(1));
    app.state.store.apply_shopify_products(app.tenant, &[shopify_product(&app, id)], None).await.unwrap();
    let product = app.products().await.remove(0);
    let input = zelly_store::testing::checkout_input(&[(product.variants[0].id, 2)], PaymentMethod::Razorpay);
    let now = zelly_service::now_ms();
    let checkout = app.state.store.create_checkout(app.tenant, &input, now, 60_000).await.unwrap();
    let paid = PaymentConfirmation { payment_id: Some("pay_1".into()), amount_minor: checkout.total.amount_minor };
    let order = app.state.store.finalize_checkout(app.tenant, checkout.id, &paid, now).await.unwrap().order;
    // The order's event leaves the outbox with the push of its stock, queued once however often
    // the outbox publishes it.
    core_api::outbox::publish_once(&app.state).await.unwrap();
    let job_id = format!("order-stock-{}", order.id.simple());
    let _workers = core_api::shopify_jobs::start_workers(&app.state).await.unwrap();
    app.completed(zelly_queue::SHOPIFY_SETTINGS_PUSH, &job_id).await;
    let quantity = || app.standin.with_shop(SHOP, |s| s.products[&id].variants[0].quantity);
    assert_eq!(quantity(), 3, "5 in Shopify, 2 sold by Zelly");
    // The job runs again (a retry after a lost answer): Shopify's stock is taken once.
    let data = json!({ "tenant": app.tenant, "order_id": order.id, "changes": [{ "inventory_item_id": format!("gid://shopify/InventoryItem/{}", id * 10 + 1_000_000_000), "delta": -2 }] });
    let again = zelly_queue::Job { id: job_id, name: "order-stock".into(), data, attempt: 2 };
    core_api::shopify_jobs::push_stock(&app.state, &again).await.unwrap();
    assert_eq!(quantity(), 3);
}

fn shopify_product(app: &App, id: u64) -> zelly_store::ShopifyProductWrite {
    let node = app.standin.with_shop(SHOP, |s| shopify_standin::catalog::graphql_node(&s.products[&id]));
    core_api::shopify_catalog::ShopifyProduct::from_graphql(&node).unwrap().to_write(1).unwrap()
}

async fn the_shop_settings_and_privacy_requests_are_acted_on(store: DynStore) {
    let app = spawn(store).await;
    let _workers = core_api::shopify_jobs::start_workers(&app.state).await.unwrap();
    // shop/update brings the shop's settings in.
    app.standin.with_shop(SHOP, |s| s.name = "Darjeeling Leaf Co".into());
    let update = app.standin.delivery("shop/update", json!({ "id": 1, "name": "Darjeeling Leaf Co" }));
    app.applied(&update).await;
    app.completed(zelly_queue::SHOPIFY_SETTINGS_FETCH, &format!("settings-{}", update.webhook_id)).await;
    let tenant = app.state.store.tenant_by_slug(&TenantSlug::parse("tea-house").unwrap()).await.unwrap().unwrap();
    assert_eq!((tenant.name.as_str(), tenant.logo_url.as_deref()), ("Darjeeling Leaf Co", Some("https://cdn.shopify.example/standin/logo.png")));
    assert_eq!(app.state.store.store_contact_email(app.tenant).await.unwrap().as_deref(), Some("hello@standin.example"));

    // A shopper with an account asks for their data, then to be erased.
    let new = zelly_store::customers::NewCustomer {
        email: "asha@example.in".into(),
        name: "Asha".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        now_ms: 1,
    };
    app.state.store.create_customer(app.tenant, &new).await.unwrap();
    let customer = json!({ "shop_domain": SHOP, "customer": { "id": 7, "email": "Asha@example.in" }, "orders_requested": [] });
    let request = app.standin.delivery("customers/data_request", customer.clone());
    app.applied(&request).await;
    let mail = app.state.queues.status(zelly_mail::EMAILS, &format!("data-request-{}-0", request.webhook_id)).await.unwrap();
    assert!(mail.is_some(), "the owner is sent what the store holds");
    // The app is uninstalled; the erasure comes after and still reaches the store.
    app.applied(&app.standin.delivery("app/uninstalled", json!({ "domain": SHOP }))).await;
    app.applied(&app.standin.delivery("customers/redact", customer)).await;
    assert!(app.state.store.customer_credentials(app.tenant, "asha@example.in").await.unwrap().is_none());
    app.applied(&app.standin.delivery("shop/redact", json!({ "shop_domain": SHOP }))).await;
    assert_eq!(app.state.store.tenant_of_former_shopify_shop(SHOP).await.unwrap(), None, "nothing of the shop is kept");
}

async fn a_product_from_shopify_is_edited_in_shopify_but_its_seo_here(store: DynStore) {
    let app = spawn(store).await;
    let id = app.standin.with_shop(SHOP, |s| s.add_sample(1));
    app.state.store.apply_shopify_products(app.tenant, &[shopify_product(&app, id)], None).await.unwrap();
    let token = core_api::testing::dev_issuer().sign_id_token(PROJECT, "ana", "ana@example.com", Duration::from_secs(3600));
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, body: Value| {
        let req = http.request(method, format!("{}{path}", app.base)).bearer_auth(&token).header("x-zelly-tenant", "tea-house").json(&body);
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let product_id = app.products().await[0].id;
    let (status, product) = call(reqwest::Method::GET, format!("/api/seller/products/{product_id}"), Value::Null).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{product}");
    assert_eq!(product["shopify_id"], json!(format!("gid://shopify/Product/{id}")));
    let mut input = product.clone();
    for key in ["id", "shopify_id", "updated_at_ms"] {
        input.as_object_mut().unwrap().remove(key);
    }
    input["variants"] = json!(product["variants"].as_array().unwrap().iter().map(|v| json!({
        "id": v["id"], "sku": v["sku"], "options": v["options"], "price_minor": v["price"]["amount_minor"],
        "compare_at_price_minor": null, "track_inventory": v["track_inventory"],
    })).collect::<Vec<_>>());
    // Shopify's fields are Shopify's to change.
    let mut retitled = input.clone();
    retitled["title"] = json!("Renamed here");
    let (status, refused) = call(reqwest::Method::PUT, format!("/api/seller/products/{product_id}"), retitled).await;
    assert_eq!(status, reqwest::StatusCode::CONFLICT, "{refused}");
    assert!(refused.to_string().contains("title") && refused.to_string().contains("Shopify"), "{refused}");
    // Its SEO is the store's, and a later change in Shopify keeps it.
    let mut seo = input.clone();
    seo["seo_title"] = json!("Best stand-in product");
    let (status, saved) = call(reqwest::Method::PUT, format!("/api/seller/products/{product_id}"), seo).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{saved}");
    let mut newer = shopify_product(&app, id);
    newer.updated_at_ms = 2;
    newer.input.title = "Renamed in Shopify".into();
    app.state.store.apply_shopify_products(app.tenant, &[newer], None).await.unwrap();
    let after = app.state.store.seller_product(app.tenant, product_id).await.unwrap().unwrap();
    assert_eq!((after.title.as_str(), after.seo_title.as_deref()), ("Renamed in Shopify", Some("Best stand-in product")));
    // Its stock and its life are Shopify's too.
    let variant = after.variants[0].id;
    let (status, _) = call(reqwest::Method::POST, format!("/api/seller/variants/{variant}/inventory-adjustments"), json!({ "delta": 1, "reason": "restock" })).await;
    assert_eq!(status, reqwest::StatusCode::CONFLICT);
    let (status, _) = call(reqwest::Method::POST, format!("/api/seller/products/{product_id}/archive"), json!({ "version": after.version })).await;
    assert_eq!(status, reqwest::StatusCode::CONFLICT);
}
