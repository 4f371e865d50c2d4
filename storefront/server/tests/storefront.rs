//! The native storefront against a real core-api on a real (SQLite) store.
#![allow(clippy::unwrap_used, missing_docs)]

use reqwest::StatusCode;
use std::path::PathBuf;
use std::sync::Arc;
use zelly_edge::dto::TenantStatus;
use zelly_edge::{DomainName, Secret, TenantSlug};
use zelly_service::origin::OriginClient;
use zelly_store::{DynStore, NewTenant};

const TOKEN: &str = "test-storefront-token-0123456789";

struct Platform {
    storefront: String,
    store: DynStore,
    http: reqwest::Client,
    queues: zelly_queue::DynQueues,
}

fn assets_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../public/assets")
}

async fn serve(router: axum::Router) -> String {
    zelly_service::serve_in_background(router).await.unwrap()
}

async fn platform() -> Platform {
    // Versions are asked for on every request here, so that each test sees its own changes at once;
    // the cache's own test below runs with a real interval.
    platform_with(0).await
}

async fn platform_with(version_ttl_ms: i64) -> Platform {
    let store: DynStore = zelly_store::testing::sqlite_store().await;
    zelly_store::demo::seed_demo(&store).await.unwrap();
    let state = core_api::testing::state(store.clone(), TOKEN, None).await;
    let queues = state.queues.clone();
    let core = serve(core_api::app(state)).await;
    let origin = OriginClient::new(&core, Secret::new(TOKEN));
    let state = storefront_server::AppState {
        pages: Arc::new(storefront_app::page_cache::PageCache::new(version_ttl_ms)),
        ..storefront_server::AppState::new(origin)
    };
    let storefront = serve(storefront_server::app(state, assets_dir(), PathBuf::from("/nonexistent"))).await;
    Platform { storefront, store, http: reqwest::Client::new(), queues }
}

impl Platform {
    async fn get(&self, host: &str, path: &str) -> (StatusCode, String) {
        let res = self.http.get(format!("{}{path}", self.storefront)).header("host", host).send().await.unwrap();
        (res.status(), res.text().await.unwrap())
    }
}

#[tokio::test]
async fn the_demo_home_page_shows_all_twelve_products_with_price_and_image() {
    let p = platform().await;
    let (status, html) = p.get("demo.localhost:4321", "/").await;
    assert_eq!(status, StatusCode::OK);
    // Twelve in the catalog grid, after the four of the featured collection.
    let grid = &html[html.rfind(r#"<ul class="grid">"#).unwrap()..];
    assert_eq!(grid.matches(r#"class="card""#).count(), 12);
    assert_eq!(html.matches(r#"class="card""#).count(), 16);
    assert!(html.contains(r#"<h2 class="featured-title">Festive Picks</h2>"#));
    assert!(html.contains("Zelly Demo Bazaar"));
    assert!(html.contains("Pashmina Shawl") && html.contains("₹4,999.00"));
    assert!(html.contains(r#"src="/assets/demo/pashmina-shawl.svg""#));
}

#[tokio::test]
async fn the_home_page_links_collections_and_a_collection_page_keeps_the_merchants_order() {
    let p = platform().await;
    let (_, home) = p.get("demo.localhost", "/").await;
    assert!(home.contains(r#"href="/collections/festive-picks""#) && home.contains("Festive Picks"));
    let (status, html) = p.get("demo.localhost", "/collections/festive-picks").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches(r#"class="card""#).count(), 4);
    assert!(html.contains("Gifts for the season of lights."));
    let (status, _) = p.get("demo.localhost", "/collections/no-such-collection").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_product_page_shows_its_variants_and_unknown_products_are_404() {
    let p = platform().await;
    let (status, html) = p.get("Demo.LocalHost", "/products/brass-diya").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Brass Diya") && html.contains("BRASS-DIYA-1") && html.contains("BRASS-DIYA-2"));
    assert!(html.contains("₹599.00") && html.contains("₹699.00"));
    let (status, html) = p.get("demo.localhost", "/products/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
}

#[tokio::test]
async fn an_unknown_host_gets_the_404_page_a_suspended_one_is_closed_and_never_another_store() {
    let p = platform().await;
    let other = p.store.create_tenant(&NewTenant { slug: TenantSlug::parse("other").unwrap(), name: "Other Shop".into() }).await.unwrap();
    p.store.add_domain(other.id, &DomainName::parse("other.localhost").unwrap(), true).await.unwrap();
    let (status, html) = p.get("other.localhost", "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Other Shop") && !html.contains("Pashmina"), "another tenant's products leaked");
    let (status, _) = p.get("other.localhost", "/products/pashmina-shawl").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, html) = p.get("nobody.localhost", "/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("Zelly Demo Bazaar"));
    p.store.set_tenant_status(other.id, TenantStatus::Suspended).await.unwrap();
    let (status, html) = p.get("other.localhost", "/").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html.contains("This store is unavailable") && !html.contains("Other Shop"), "{html}");
    let (status, _) = p.get("other.localhost", "/products/anything").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(p.get("127.0.0.1:4321", "/").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn allow_cert_says_yes_only_for_active_tenant_domains() {
    let p = platform().await;
    for (query, expected) in [
        ("?domain=demo.localhost", StatusCode::OK),
        ("?domain=DEMO.localhost.", StatusCode::OK),
        ("?domain=nobody.localhost", StatusCode::NOT_FOUND),
        ("?domain=127.0.0.1", StatusCode::BAD_REQUEST),
        ("?domain=bad%20name", StatusCode::BAD_REQUEST),
        ("", StatusCode::BAD_REQUEST),
    ] {
        let (status, _) = p.get("storefront.internal", &format!("/allow-cert{query}")).await;
        assert_eq!(status, expected, "{query}");
    }
}

#[tokio::test]
async fn allow_cert_refuses_when_core_api_is_unreachable() {
    // Nothing listens on this port: a certificate must not be approved.
    let origin = OriginClient::new("http://127.0.0.1:9", Secret::new(TOKEN));
    let base = serve(storefront_server::app(storefront_server::AppState::new(origin), assets_dir(), PathBuf::from("/nonexistent"))).await;
    let res = reqwest::get(format!("{base}/allow-cert?domain=demo.localhost")).await.unwrap();
    assert!(!res.status().is_success());
}

#[tokio::test]
async fn every_demo_product_image_is_served() {
    let p = platform().await;
    for handle in zelly_store::demo::demo_handles() {
        let res = p.http.get(format!("{}/assets/demo/{handle}.svg", p.storefront)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{handle}");
        assert!(res.text().await.unwrap().starts_with("<svg"));
    }
}

impl Platform {
    /// The events queued so far, waiting up to 10 s for `at_least` of them (they are sent after the
    /// response, in the background).
    async fn queued_events(&self, at_least: usize) -> Vec<zelly_edge::events::StoreEvent> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let counts = self.queues.counts(zelly_queue::STORE_EVENTS).await.unwrap();
            if counts.waiting as usize >= at_least || std::time::Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let processor = {
            let seen = seen.clone();
            move |job: zelly_queue::Job| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(serde_json::from_value(job.data).unwrap());
                    Ok(())
                }
            }
        };
        let options = zelly_queue::WorkerOptions { concurrency: 8, ..Default::default() };
        let worker = self.queues.start_worker(zelly_queue::STORE_EVENTS, Arc::new(processor), options).await.unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.queues.counts(zelly_queue::STORE_EVENTS).await.unwrap().waiting > 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        worker.shutdown(std::time::Duration::from_secs(5)).await.unwrap();
        seen.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn pages_send_their_views_for_the_visit_after_the_response() {
    let p = platform().await;
    let demo = p.store.tenant_by_slug(&TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    let res = p.http.get(format!("{}/", p.storefront)).header("host", "demo.localhost").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("zelly_sid=") && cookie.contains("HttpOnly") && cookie.contains("Max-Age=1800"), "{cookie}");
    let visit = cookie.split(';').next().unwrap().to_owned();
    let res = p
        .http
        .get(format!("{}/products/brass-diya", p.storefront))
        .header("host", "demo.localhost")
        .header("cookie", &visit)
        .header("x-forwarded-for", "203.0.113.7, 10.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap(), visit, "the visit is renewed, not replaced");
    // Pages that don't exist count for nothing and start no visit.
    let res = p.http.get(format!("{}/nope", p.storefront)).header("host", "demo.localhost").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers().get("set-cookie").is_none());

    let events = p.queued_events(3).await;
    let mut kinds: Vec<(&str, &str)> = events.iter().map(|e| (e.event.kind.as_str(), e.event.path.as_str())).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, [("page_view", "/"), ("page_view", "/products/brass-diya"), ("product_view", "/products/brass-diya")]);
    let session = visit.trim_start_matches("zelly_sid=");
    assert!(events.iter().all(|e| e.tenant_id == demo.id && e.event.session_id == session));
    assert!(events.iter().any(|e| e.event.product_id.is_some()));
}

#[tokio::test]
async fn browser_beacons_are_checked_given_the_visit_and_forwarded() {
    let p = platform().await;
    let post = |body: String| {
        p.http
            .post(format!("{}/_zelly/events", p.storefront))
            .header("host", "demo.localhost")
            .header("content-type", "application/json")
            .header("cookie", "zelly_sid=0123456789abcdef0123456789abcdef")
            .body(body)
            .send()
    };
    let ok = post(r#"{"events":[{"kind":"search","path":"/","query":"diya"}]}"#.into()).await.unwrap();
    assert_eq!(ok.status(), StatusCode::ACCEPTED);
    for (body, status) in [
        (r#"{"events":[{"kind":"order_placed","path":"/","order_id":"o"}]}"#.to_owned(), StatusCode::BAD_REQUEST),
        (r#"{"events":[{"kind":"search","path":"/","session_id":"forged"}]}"#.to_owned(), StatusCode::BAD_REQUEST),
        (r#"{"events":[{"kind":"add_to_cart","path":"/"}]}"#.to_owned(), StatusCode::BAD_REQUEST),
        ("not json".to_owned(), StatusCode::BAD_REQUEST),
        (format!(r#"{{"events":[{{"kind":"search","path":"/","query":"{}"}}]}}"#, "x".repeat(9000)), StatusCode::PAYLOAD_TOO_LARGE),
    ] {
        assert_eq!(post(body.clone()).await.unwrap().status(), status, "{body:.80}");
    }
    let events = p.queued_events(1).await;
    assert_eq!(events.len(), 1, "only the valid beacon is forwarded");
    assert_eq!(events[0].event.session_id, "0123456789abcdef0123456789abcdef");
    assert_eq!(events[0].event.query.as_deref(), Some("diya"));
}

#[tokio::test]
async fn a_shopper_fills_and_edits_a_cart_that_origin_prices() {
    let p = platform().await;
    let demo = p.store.tenant_by_slug(&TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    let products = p.store.list_products(demo.id).await.unwrap();
    let diya = products.iter().find(|x| x.handle.as_str() == "brass-diya").unwrap();
    let tote = products.iter().find(|x| x.handle.as_str() == "jute-tote").unwrap();
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |cookie: String, form: String| {
        no_redirects
            .post(format!("{}/cart", p.storefront))
            .header("host", "demo.localhost")
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
    };
    let cart_cookie = |res: &reqwest::Response| {
        res.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .find(|c| c.starts_with("zelly_cart="))
            .unwrap()
    };
    // The product page posts the chosen option values; the host finds the variant.
    let by_options = format!("action=add&product=brass-diya&option0={}&quantity=2", diya.variants[0].options[0]);
    let res = post(String::new(), by_options).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/cart");
    let cookie = cart_cookie(&res);
    // A hydrated page asks for JSON and gets the cart back.
    let res = no_redirects
        .post(format!("{}/cart", p.storefront))
        .header("host", "demo.localhost")
        .header("cookie", cookie.clone())
        .header("accept", "application/json")
        .body(format!("action=add&product=jute-tote&variant_id={}&quantity=1", tote.variants[0].id))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = cart_cookie(&res);
    let summary: serde_json::Value = res.json().await.unwrap();
    assert_eq!(summary["count"], 3);
    assert_eq!(summary["lines"][0]["variant_id"], diya.variants[0].id.to_string());
    assert_eq!(summary["lines"][1]["quantity"], 1);
    // A variant of another product, an unknown combination and another store's product are refused.
    for (form, why) in [
        (format!("action=add&product=brass-diya&variant_id={}&quantity=1", tote.variants[0].id), "not a variant of this product"),
        ("action=add&product=brass-diya&option0=Gigantic&quantity=1".to_owned(), "not available in that combination"),
        ("action=add&product=copper-kettle&quantity=1".to_owned(), "no such product"),
    ] {
        let res = post(cookie.clone(), form.clone()).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{form}");
        assert!(res.headers().get("set-cookie").is_none_or(|c| !c.to_str().unwrap().starts_with("zelly_cart")), "{form}");
        assert!(res.text().await.unwrap().contains(why), "{form}");
    }

    let cart = |cookie: String| {
        p.http.get(format!("{}/cart", p.storefront)).header("host", "demo.localhost").header("cookie", cookie).send()
    };
    let res = cart(cookie.clone()).await.unwrap();
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let html = res.text().await.unwrap();
    assert_eq!(html.matches(r#"data-testid="cart-line""#).count(), 2);
    // The subtotal is origin's prices times the quantities.
    let (diya_price, tote_price) = (diya.variants[0].price, tote.variants[0].price);
    let subtotal = diya_price.checked_mul(2).unwrap().checked_add(tote_price).unwrap();
    assert!(html.contains(&format!(r#"data-testid="cart-subtotal">{subtotal}<"#)), "{subtotal}: {html}");

    let res = post(cookie.clone(), format!("action=set&variant_id={}&quantity=5", diya.variants[0].id)).await.unwrap();
    let cookie = cart_cookie(&res);
    let res = post(cookie.clone(), format!("action=remove&variant_id={}", tote.variants[0].id)).await.unwrap();
    let cookie = cart_cookie(&res);
    let html = cart(cookie.clone()).await.unwrap().text().await.unwrap();
    assert_eq!(html.matches(r#"data-testid="cart-line""#).count(), 1);
    assert!(html.contains(&format!(r#"data-testid="cart-subtotal">{}<"#, diya_price.checked_mul(5).unwrap())), "{html}");

    // A cart cookie naming another store's or made-up variants shows nothing of them.
    let forged = format!("{cookie}.{}_3", uuid::Uuid::new_v4().simple());
    let html = cart(forged).await.unwrap().text().await.unwrap();
    assert_eq!(html.matches(r#"data-testid="cart-line""#).count(), 1);

    let res = post(cookie, "action=add&quantity=1".into()).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("product"));

    // The adds were add_to_cart events of the shopper's visit.
    let events = p.queued_events(2).await;
    let adds: Vec<_> = events.iter().filter(|e| e.event.kind == zelly_edge::events::EventKind::AddToCart).collect();
    assert_eq!(adds.len(), 2, "{events:?}");
    assert!(adds.iter().any(|e| e.event.product_id == Some(diya.id) && e.event.quantity == Some(2)));
}

#[tokio::test]
async fn the_cart_holds_to_the_stock_left_and_says_so_by_the_products_name() {
    let p = platform().await;
    let demo = p.store.tenant_by_slug(&TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    let input: zelly_edge::catalog::ProductInput = serde_json::from_value(serde_json::json!({
        "handle": "clay-lamp",
        "title": "Clay Lamp",
        "status": "active",
        "option_names": ["Size"],
        "images": [{ "url": "/assets/demo/brass-diya.svg", "alt": "" }],
        "variants": [
            { "sku": "CLAY-LAMP-S", "options": ["Small"], "price_minor": 13_774_700, "inventory_quantity": 2, "track_inventory": true },
            { "sku": "CLAY-LAMP-L", "options": ["Large"], "price_minor": 50_000, "inventory_quantity": 0, "track_inventory": false }
        ]
    }))
    .unwrap();
    let lamp = p.store.create_seller_product(demo.id, &input).await.unwrap();
    let small = lamp.variants[0].id;
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let post = |cookie: String, form: &str, json: bool| {
        no_redirects
            .post(format!("{}/cart", p.storefront))
            .header("host", "demo.localhost")
            .header("cookie", cookie)
            .header("accept", if json { "application/json" } else { "text/html" })
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.to_owned())
            .send()
    };
    let cart_cookie = |res: &reqwest::Response| {
        res.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned()).find(|c| c.starts_with("zelly_cart="))
    };
    let page = |path: &str, cookie: &str| {
        p.http.get(format!("{}{path}", p.storefront)).header("host", "demo.localhost").header("cookie", cookie.to_owned()).send()
    };

    let res = post(String::new(), "action=add&product=clay-lamp&option0=Small&quantity=1", false).await.unwrap();
    assert_eq!((res.status(), res.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/cart"));
    let cookie = cart_cookie(&res).unwrap();
    // Five more asked for, two there are: the cart gets two, and the cart page says why.
    let res = post(cookie.clone(), "action=add&product=clay-lamp&option0=Small&quantity=5", false).await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/cart?capped={}", small.simple()));
    let cookie = cart_cookie(&res).unwrap();
    assert!(cookie.ends_with("_2"), "{cookie}");
    let html = page(&location, &cookie).await.unwrap().text().await.unwrap();
    assert!(html.contains("Only 2 left of Clay Lamp — Small; your cart has 2."), "{html}");
    assert!(html.contains(r#"<a href="/products/clay-lamp">Clay Lamp</a>"#) && html.contains(r#"src="/assets/demo/brass-diya.svg""#), "{html}");
    assert!(html.contains("₹2,75,494.00"), "Indian digit grouping: {html}");
    assert!(html.contains(r#"aria-label="items">2</span>"#), "the header counts the cart");
    // All there is is in the cart: another add is refused, as a page and as JSON, cart unchanged.
    let res = post(cookie.clone(), "action=add&product=clay-lamp&option0=Small&quantity=1", false).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(cart_cookie(&res).is_none());
    assert!(res.text().await.unwrap().contains("Only 2 left of Clay Lamp — Small; your cart has 2."));
    let res = post(cookie.clone(), "action=add&product=clay-lamp&option0=Small&quantity=1", true).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let failure: serde_json::Value = res.json().await.unwrap();
    assert_eq!(failure["error"], "Only 2 left of Clay Lamp — Small; your cart has 2.");
    // A hydrated quantity change above the stock is held to it, with the same words.
    let res = post(cookie.clone(), &format!("action=set&variant_id={small}&quantity=9"), true).await.unwrap();
    let summary: serde_json::Value = res.json().await.unwrap();
    assert_eq!((summary["count"].as_u64(), summary["notice"].as_str()), (Some(2), Some("Only 2 left of Clay Lamp — Small; your cart has 2.")));
    // The untracked size has no limit.
    let res = post(cookie.clone(), "action=add&product=clay-lamp&option0=Large&quantity=40", true).await.unwrap();
    let summary: serde_json::Value = res.json().await.unwrap();
    assert_eq!((summary["count"].as_u64(), summary.get("notice")), (Some(42), None));

    // Stock sold elsewhere since: the cart says what to fix by name, and offers no checkout yet.
    let over = format!("zelly_cart={}_5", small.simple());
    let html = page("/cart", &over).await.unwrap().text().await.unwrap();
    assert!(html.contains("Only 2 left of Clay Lamp — Small; your cart has 5.") && html.contains(">Change to 2</button>"), "{html}");
    assert!(!html.contains(r#"data-testid="checkout-link""#) && !html.contains("CLAY-LAMP-S<"), "{html}");
    // Every page's header counts the cart; a missing page names the store.
    let home = page("/", &over).await.unwrap().text().await.unwrap();
    assert!(home.contains(r#"aria-label="items">5</span>"#));
    let res = page("/no-such-page", &over).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found · Zelly Demo Bazaar") && html.contains(r#"aria-label="items">5</span>"#), "{html}");
    // An empty cart offers no checkout.
    let html = page("/cart", "").await.unwrap().text().await.unwrap();
    assert!(html.contains("Your cart is empty.") && !html.contains(r#"data-testid="checkout-link""#));
}

async fn shop_with_lamp(store: &DynStore, slug: &str, title: &str) -> (uuid::Uuid, zelly_edge::catalog::SellerProduct) {
    let tenant = store.create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: format!("{slug} shop") }).await.unwrap();
    store.add_domain(tenant.id, &DomainName::parse(&format!("{slug}.localhost")).unwrap(), true).await.unwrap();
    let input: zelly_edge::catalog::ProductInput = serde_json::from_value(serde_json::json!({
        "handle": "lamp", "title": title, "status": "active", "option_names": ["Size"],
        "variants": [{ "sku": format!("{slug}-lamp"), "options": ["One"], "price_minor": 100_000, "inventory_quantity": 5 }],
    }))
    .unwrap();
    (tenant.id, store.create_seller_product(tenant.id, &input).await.unwrap())
}

#[tokio::test]
async fn a_hot_page_comes_from_memory_per_store_and_a_price_change_shows_within_the_version_interval() {
    const INTERVAL_MS: u64 = 400;
    let p = platform_with(INTERVAL_MS as i64).await;
    let (a, lamp) = shop_with_lamp(&p.store, "lamps-a", "Brass Lamp").await;
    shop_with_lamp(&p.store, "lamps-b", "Clay Lamp").await;
    let fetch = |host: &'static str| {
        let http = p.http.clone();
        let url = format!("{}/products/lamp", p.storefront);
        async move {
            let res = http.get(url).header("host", host).send().await.unwrap();
            let hit = res.headers().get("x-zelly-cache").is_some_and(|v| v == "hit");
            (hit, res.text().await.unwrap())
        }
    };
    let (hit, first) = fetch("lamps-a.localhost").await;
    assert!(!hit && first.contains("Brass Lamp") && first.contains("₹1,000.00"));
    let (hit, again) = fetch("lamps-a.localhost").await;
    assert!(hit, "the second view of a page makes no call for the catalog");
    assert_eq!(again, first);
    // The same handle in another store is that store's own page, never the cached one.
    let (hit, other) = fetch("lamps-b.localhost").await;
    assert!(!hit && other.contains("Clay Lamp") && !other.contains("Brass Lamp"));

    let mut edit: zelly_edge::catalog::ProductInput = serde_json::from_value(serde_json::json!({
        "handle": "lamp", "title": "Brass Lamp", "status": "active", "option_names": ["Size"],
        "variants": [{ "id": lamp.variants[0].id, "sku": "lamps-a-lamp", "options": ["One"], "price_minor": 90_000, "inventory_quantity": 5 }],
    }))
    .unwrap();
    edit.version = Some(lamp.version);
    p.store.update_seller_product(a, lamp.id, &edit).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(INTERVAL_MS + 100)).await;
    let (hit, changed) = fetch("lamps-a.localhost").await;
    assert!(!hit && changed.contains("₹900.00") && !changed.contains("₹1,000.00"), "the new price shows once the interval has passed");
    let (_, b_again) = fetch("lamps-b.localhost").await;
    assert!(b_again.contains("Clay Lamp"));
}

/// Follows a listing's "Next page" links from `path` to the end: the handles of every card, in order.
async fn walk_listing(p: &Platform, host: &str, path: &str) -> Vec<String> {
    let mut handles = Vec::new();
    let mut next = Some(path.to_owned());
    while let Some(path) = next.take() {
        let (status, html) = p.get(host, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");

        // The grid is the last on the page (the home page's featured row comes before it).
        let grid = &html[html.rfind(r#"<ul class="grid">"#).unwrap()..];
        for card in grid.split(r#"<li data-handle=""#).skip(1) {
            handles.push(card[..card.find('"').unwrap()].to_owned());
        }
        next = html.split(r#"rel="next" href=""#).nth(1).map(|rest| rest[..rest.find('"').unwrap()].replace("&amp;", "&"));
        assert!(handles.len() <= 20_000, "the listing never ends");
    }
    handles
}

#[tokio::test]
async fn a_ten_thousand_product_store_pages_through_every_product_once_on_its_home_page_collection_search_and_sitemap() {
    let p = platform().await;
    let tenant = p.store.create_tenant(&NewTenant { slug: TenantSlug::parse("big").unwrap(), name: "Big Bazaar".into() }).await.unwrap();
    p.store.add_domain(tenant.id, &DomainName::parse("big.localhost").unwrap(), true).await.unwrap();
    let inputs: Vec<zelly_edge::catalog::ProductInput> = (0..10_000)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "handle": format!("item-{i:05}"),
                "title": format!("{} Item {i}", if i % 10 == 0 { "Brass" } else { "Clay" }),
                "status": "active",
                "option_names": ["Size"],
                "variants": [{ "sku": format!("BIG-{i:05}"), "options": ["One"], "price_minor": 1_000 + (i * 7_919) % 50_000, "inventory_quantity": 1 }],
            }))
            .unwrap()
        })
        .collect();
    let ids = p.store.import_seller_products(tenant.id, &inputs).await.unwrap();
    let members: Vec<uuid::Uuid> = ids.iter().step_by(11).copied().collect();
    let collection = zelly_edge::catalog::CollectionInput {
        handle: "elevenths".into(),
        title: "Every eleventh".into(),
        description: String::new(),
        product_ids: members.clone(),
        version: None,
    };
    p.store.create_collection(tenant.id, &collection).await.unwrap();

    let once = |handles: &[String]| handles.iter().collect::<std::collections::HashSet<_>>().len() == handles.len();
    let home = walk_listing(&p, "big.localhost", "/").await;
    assert_eq!(home.len(), 10_000);
    assert!(once(&home), "no product twice");
    let by_price = walk_listing(&p, "big.localhost", "/?sort=price-asc").await;
    assert_eq!(by_price.len(), 10_000);
    assert!(once(&by_price));
    let elevenths = walk_listing(&p, "big.localhost", "/collections/elevenths").await;
    let expected: Vec<String> = (0..10_000).step_by(11).map(|i| format!("item-{i:05}")).collect();
    assert_eq!(elevenths, expected, "the merchant's order, every member once");
    let brass = walk_listing(&p, "big.localhost", "/search?q=brass").await;
    assert_eq!(brass.len(), 1_000);
    assert!(once(&brass));
    let by_sku = walk_listing(&p, "big.localhost", "/search?q=BIG-04242").await;
    assert_eq!(by_sku.first().map(String::as_str), Some("item-04242"));

    let (status, sitemap) = p.get("big.localhost", "/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sitemap.matches("<loc>https://big.localhost/products/").count(), 10_000);
    assert!(sitemap.contains("<loc>https://big.localhost/collections/elevenths</loc>"));
    // Same handles, other store: never this one's products.
    let (_, demo) = p.get("demo.localhost", "/search?q=brass").await;
    assert!(!demo.contains("Brass Item"), "another store's search is its own");
}
