//! core-api against a real database: the app is started on port 0 and driven over HTTP.
#![allow(clippy::unwrap_used, missing_docs)]

use reqwest::StatusCode;
use serde_json::{json, Value};
use zelly_edge::dto::{PriceList, Product, StoreListing, StoreProduct, TenantStatus};
use zelly_edge::{Currency, DomainName, Handle, Money, TenantSlug};
use zelly_store::{DynStore, NewProduct, NewTenant, NewVariant};

const TOKEN: &str = "test-storefront-token-0123456789";

struct TestApp {
    base: String,
    http: reqwest::Client,
    store: DynStore,
}

impl TestApp {
    async fn spawn(store: DynStore) -> TestApp {
        let state = core_api::testing::state(store.clone(), TOKEN, None).await;
        let base = zelly_service::serve_in_background(core_api::app(state)).await.unwrap();
        TestApp { base, http: reqwest::Client::new(), store }
    }

    async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send().await.unwrap()
    }

    async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http.post(format!("{}{path}", self.base)).bearer_auth(TOKEN).json(body).send().await.unwrap()
    }

    /// Adds a tenant with one domain and one single-variant product.
    async fn tenant(&self, slug: &str, domain: &str, handle: &str) -> (uuid::Uuid, Product) {
        let tenant = self
            .store
            .create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: format!("{slug} store") })
            .await
            .unwrap();
        self.store.add_domain(tenant.id, &DomainName::parse(domain).unwrap(), true).await.unwrap();
        let product = self
            .store
            .create_product(
                tenant.id,
                &NewProduct {
                    handle: Handle::parse(handle).unwrap(),
                    title: format!("{slug} {handle}"),
                    description: String::new(),
                    image_url: None,
                    variants: vec![NewVariant {
                        sku: format!("{slug}-{handle}"),
                        title: "Default".into(),
                        price: Money::new(12_300, Currency::INR),
                    }],
                },
            )
            .await
            .unwrap();
        (tenant.id, product)
    }
}

zelly_store::on_both_backends!(
    health_answers_ok,
    a_domain_validates_only_for_an_active_tenant,
    the_storefront_api_refuses_missing_or_wrong_tokens,
    a_store_lists_only_its_own_products,
    a_product_is_found_only_on_its_own_store,
    prices_come_from_origin_and_only_for_the_stores_own_variants,
    storefront_reads_say_how_many_are_left_and_what_a_cart_line_is_called,
    bad_price_lookups_get_a_clear_error,
    the_seller_api_is_closed_without_merchant_sign_in,
    the_openapi_document_lists_every_route_with_its_auth,
    unknown_routes_answer_in_the_error_shape,
);

async fn health_answers_ok(store: DynStore) {
    let app = TestApp::spawn(store).await;
    let res = app.get("/health", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ok");
}

async fn a_domain_validates_only_for_an_active_tenant(store: DynStore) {
    let app = TestApp::spawn(store).await;
    app.tenant("acme", "acme.example", "tee").await;
    let (bolt, _) = app.tenant("bolt", "bolt.example", "mug").await;
    app.store.set_tenant_status(bolt, TenantStatus::Suspended).await.unwrap();
    for (domain, expected) in [
        ("acme.example", StatusCode::OK),
        ("ACME.Example.", StatusCode::OK),
        ("bolt.example", StatusCode::NOT_FOUND),
        ("nobody.example", StatusCode::NOT_FOUND),
        ("127.0.0.1", StatusCode::NOT_FOUND),
        ("bad_name", StatusCode::NOT_FOUND),
    ] {
        let res = app.get(&format!("/validate_tenant_domain/{domain}"), None).await;
        assert_eq!(res.status(), expected, "{domain}");
    }
}

async fn the_storefront_api_refuses_missing_or_wrong_tokens(store: DynStore) {
    let app = TestApp::spawn(store).await;
    app.tenant("acme", "acme.example", "tee").await;
    let path = "/api/storefront/domains/acme.example/products";
    for token in [None, Some("wrong-token-wrong-token-wrong-to"), Some("")] {
        let res = app.get(path, token).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    assert_eq!(app.get(path, Some(TOKEN)).await.status(), StatusCode::OK);
}

async fn a_store_lists_only_its_own_products(store: DynStore) {
    let app = TestApp::spawn(store).await;
    let (_, tee) = app.tenant("acme", "acme.example", "tee").await;
    app.tenant("bolt", "bolt.example", "mug").await;
    let res = app.get("/api/storefront/domains/Acme.Example/products", Some(TOKEN)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let catalog: StoreListing = res.json().await.unwrap();
    assert_eq!(catalog.store.slug.as_str(), "acme");
    assert_eq!(catalog.store.domain.as_str(), "acme.example");
    assert_eq!(catalog.products, vec![tee.summary()]);
    assert_eq!(catalog.next, None);
    let unknown = app.get("/api/storefront/domains/nobody.example/products", Some(TOKEN)).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    // A page's size, its search and its cursor are checked; each refusal names the field.
    for (query, field) in [("limit=0", "limit"), ("limit=101", "limit"), ("after=nonsense", "after"), ("after=1.Bad%20Handle", "after")] {
        let res = app.get(&format!("/api/storefront/domains/acme.example/products?{query}"), Some(TOKEN)).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(res.text().await.unwrap().contains(field), "{query}");
    }
    let long = "x".repeat(101);
    assert_eq!(app.get(&format!("/api/storefront/domains/acme.example/products?q={long}"), Some(TOKEN)).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let found: StoreListing = app.get("/api/storefront/domains/acme.example/products?q=TEE&limit=1", Some(TOKEN)).await.json().await.unwrap();
    assert_eq!(found.products.len(), 1);
    let none: StoreListing = app.get("/api/storefront/domains/bolt.example/products?q=tee", Some(TOKEN)).await.json().await.unwrap();
    assert!(none.products.is_empty(), "another store's product is never found");
    let sitemap: zelly_edge::dto::StoreSitemap = app.get("/api/storefront/domains/acme.example/sitemap", Some(TOKEN)).await.json().await.unwrap();
    assert_eq!((sitemap.total, sitemap.products.iter().map(ToString::to_string).collect::<Vec<_>>()), (1, vec!["tee".to_owned()]));
    assert_eq!(app.get("/api/storefront/domains/acme.example/sitemap?limit=50001", Some(TOKEN)).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_product_is_found_only_on_its_own_store(store: DynStore) {
    let app = TestApp::spawn(store).await;
    let (_, tee) = app.tenant("acme", "acme.example", "tee").await;
    let (bolt, _) = app.tenant("bolt", "bolt.example", "mug").await;
    let res = app.get("/api/storefront/domains/acme.example/products/tee", Some(TOKEN)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<StoreProduct>().await.unwrap().product, tee);
    // Bolt's product through Acme's domain: not found.
    let cross = app.get("/api/storefront/domains/acme.example/products/mug", Some(TOKEN)).await;
    assert_eq!(cross.status(), StatusCode::NOT_FOUND);
    // A suspended store serves nothing.
    app.store.set_tenant_status(bolt, TenantStatus::Suspended).await.unwrap();
    let suspended = app.get("/api/storefront/domains/bolt.example/products/mug", Some(TOKEN)).await;
    assert_eq!(suspended.status(), StatusCode::GONE, "closed, not missing");
    assert_eq!(suspended.json::<Value>().await.unwrap()["error"]["code"], "gone");
}

async fn prices_come_from_origin_and_only_for_the_stores_own_variants(store: DynStore) {
    let app = TestApp::spawn(store).await;
    let (_, tee) = app.tenant("acme", "acme.example", "tee").await;
    let (_, mug) = app.tenant("bolt", "bolt.example", "mug").await;
    let body = json!({ "variant_ids": [tee.variants[0].id, mug.variants[0].id] });
    let res = app.post("/api/storefront/domains/acme.example/prices", &body).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: PriceList = res.json().await.unwrap();
    assert_eq!(list.prices.len(), 1);
    assert_eq!(list.prices[0].variant_id, tee.variants[0].id);
    assert_eq!(list.prices[0].price, Money::new(12_300, Currency::INR));
}

async fn storefront_reads_say_how_many_are_left_and_what_a_cart_line_is_called(store: DynStore) {
    let app = TestApp::spawn(store).await;
    let (tenant, tee) = app.tenant("acme", "acme.example", "tee").await;
    let input: zelly_edge::catalog::ProductInput = serde_json::from_value(json!({
        "handle": "lamp", "title": "Clay Lamp", "status": "active", "option_names": ["Size"],
        "images": [{ "url": "/assets/lamp.svg", "alt": "" }],
        "variants": [
            { "sku": "LAMP-S", "options": ["Small"], "price_minor": 50_000, "inventory_quantity": 2, "track_inventory": true },
            { "sku": "LAMP-L", "options": ["Large"], "price_minor": 60_000, "inventory_quantity": 0, "track_inventory": false }
        ]
    }))
    .unwrap();
    let lamp = app.store.create_seller_product(tenant, &input).await.unwrap();
    let (small, large) = (lamp.variants[0].id, lamp.variants[1].id);
    let page: StoreProduct = app.get("/api/storefront/domains/acme.example/products/lamp", Some(TOKEN)).await.json().await.unwrap();
    assert_eq!((page.available(small), page.available(large)), (Some(2), None), "tracked stock is counted, untracked has no limit");
    let body = json!({ "variant_ids": [small, large, tee.variants[0].id] });
    let list: PriceList = app.post("/api/storefront/domains/acme.example/prices", &body).await.json().await.unwrap();
    let small_line = list.detail(small).unwrap();
    assert_eq!((small_line.product_title.as_str(), small_line.variant_title.as_str()), ("Clay Lamp", "Small"));
    assert_eq!((small_line.image_url.as_deref(), small_line.available), (Some("/assets/lamp.svg"), Some(2)));
    assert_eq!(list.detail(large).unwrap().available, None);
    assert_eq!(list.detail(tee.variants[0].id).unwrap().variant_title, "", "a product sold in one variant names no variant");
    // An empty lookup (checkout's pages asking for the store alone) carries no details.
    let store_only: PriceList = app.post("/api/storefront/domains/acme.example/prices", &json!({ "variant_ids": [] })).await.json().await.unwrap();
    assert!(store_only.details.is_empty() && store_only.store.is_some());
}

async fn bad_price_lookups_get_a_clear_error(store: DynStore) {
    let app = TestApp::spawn(store).await;
    app.tenant("acme", "acme.example", "tee").await;
    let path = "/api/storefront/domains/acme.example/prices";
    let too_many: Vec<String> = (0..101).map(|i| uuid::Uuid::from_u128(i).to_string()).collect();
    let res = app.post(path, &json!({ "variant_ids": too_many })).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("variant_ids"));
    let res = app.post(path, &json!({ "variant_ids": ["not-a-uuid"] })).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let raw = app
        .http
        .post(format!("{}{path}", app.base))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::BAD_REQUEST);
    assert_eq!(raw.json::<Value>().await.unwrap()["error"]["code"], "bad_request");
}

async fn the_seller_api_is_closed_without_merchant_sign_in(store: DynStore) {
    let app = TestApp::spawn(store).await;
    app.tenant("acme", "acme.example", "tee").await;
    let res = app.get("/api/seller/products", Some("anything")).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn the_openapi_document_lists_every_route_with_its_auth(store: DynStore) {
    let app = TestApp::spawn(store).await;
    let doc: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let guarded = [
        ("/api/storefront/domains/{domain}/products", "get"),
        ("/api/storefront/domains/{domain}/products/{handle}", "get"),
        ("/api/storefront/domains/{domain}/collections/{handle}", "get"),
        ("/api/storefront/domains/{domain}/sitemap", "get"),
        ("/api/storefront/domains/{domain}/prices", "post"),
        ("/api/storefront/domains/{domain}/events", "post"),
        ("/api/storefront/domains/{domain}/version", "get"),
        ("/api/storefront/domains/{domain}/checkouts", "post"),
        ("/api/storefront/domains/{domain}/checkouts/{id}", "get"),
        ("/api/storefront/domains/{domain}/checkouts/{id}/provider-order", "put"),
        ("/api/storefront/domains/{domain}/checkouts/{id}/finalize", "post"),
        ("/api/storefront/domains/{domain}/checkouts/{id}/order", "get"),
        ("/api/storefront/domains/{domain}/shopper-orders", "post"),
        ("/api/storefront/domains/{domain}/checkouts/{id}/razorpay-order", "post"),
        ("/api/storefront/domains/{domain}/checkouts/{id}/razorpay-callback", "post"),
        ("/api/storefront/domains/{domain}/checkouts/{id}/razorpay-payment", "post"),
    ];
    for (path, method) in guarded {
        let op = &paths[path][method];
        assert_eq!(op["security"], json!([{ "storefront_token": [] }]), "{method} {path}");
    }
    let public = [("/health", "get"), ("/validate_tenant_domain/{domain}", "get"), ("/api/webhooks/razorpay", "post"), ("/api/webhooks/shopify", "post"), ("/api/shopify/callback", "get")];
    for (path, method) in public {
        assert!(paths[path][method].is_object(), "{method} {path} missing from the document");
        assert_eq!(paths[path][method]["security"], json!([{}]), "{method} {path} is public");
    }
    let seller = [
        ("/api/seller/session", "get"),
        ("/api/seller/products", "get"),
        ("/api/seller/products", "post"),
        ("/api/seller/products/{id}", "get"),
        ("/api/seller/products/{id}", "put"),
        ("/api/seller/products/{id}/archive", "post"),
        ("/api/seller/variants/{id}/inventory-adjustments", "get"),
        ("/api/seller/variants/{id}/inventory-adjustments", "post"),
        ("/api/seller/collections", "get"),
        ("/api/seller/collections", "post"),
        ("/api/seller/collections/{id}", "get"),
        ("/api/seller/collections/{id}", "put"),
        ("/api/seller/collections/{id}", "delete"),
        ("/api/seller/analytics", "get"),
        ("/api/seller/store", "get"),
        ("/api/seller/store", "put"),
        ("/api/seller/orders", "get"),
        ("/api/seller/orders/{id}", "get"),
        ("/api/seller/orders/{id}/status", "post"),
        ("/api/seller/orders/{id}/refunds", "post"),
        ("/api/seller/orders/{id}/timeline", "get"),
        ("/api/seller/stores", "get"),
        ("/api/seller/stores", "post"),
        ("/api/seller/team", "get"),
        ("/api/seller/team/invites", "post"),
        ("/api/seller/team/invites/{id}", "delete"),
        ("/api/seller/team/members/{uid}", "put"),
        ("/api/seller/team/members/{uid}", "delete"),
        ("/api/seller/invites/accept", "post"),
        ("/api/seller/customers", "get"),
        ("/api/seller/customers/{id}", "get"),
        ("/api/seller/domains", "get"),
        ("/api/seller/domains", "post"),
        ("/api/seller/domains/{domain}", "delete"),
        ("/api/seller/domains/{domain}/verify", "post"),
        ("/api/seller/domains/{domain}/primary", "post"),
        ("/api/seller/shopify", "get"),
        ("/api/seller/shopify", "delete"),
        ("/api/seller/shopify/install", "post"),
        ("/api/seller/shopify/sync", "post"),
    ];
    for (path, method) in seller {
        assert_eq!(paths[path][method]["security"], json!([{ "firebase": [] }]), "{method} {path}");
    }
    let operations: usize = paths.values().map(|ops| ops.as_object().unwrap().len()).sum();
    assert_eq!(operations, public.len() + guarded.len() + seller.len(), "a route was added without documenting it: {:?}", paths.keys());
    assert_eq!(doc["components"]["securitySchemes"]["firebase"]["bearerFormat"], "JWT");
    assert_eq!(doc["components"]["securitySchemes"]["storefront_token"]["scheme"], "bearer");
}

async fn unknown_routes_answer_in_the_error_shape(store: DynStore) {
    let app = TestApp::spawn(store).await;
    let res = app.get("/nope", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["code"], "not_found");
}
