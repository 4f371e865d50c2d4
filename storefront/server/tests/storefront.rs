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
}

fn assets_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../public/assets")
}

async fn serve(router: axum::Router) -> String {
    zelly_service::serve_in_background(router).await.unwrap()
}

async fn platform() -> Platform {
    let store: DynStore = zelly_store::testing::sqlite_store().await;
    zelly_store::demo::seed_demo(&store).await.unwrap();
    let core = serve(core_api::app(core_api::testing::state(store.clone(), TOKEN, None).await)).await;
    let origin = OriginClient::new(&core, Secret::new(TOKEN));
    let storefront = serve(storefront_server::app(storefront_server::AppState { origin: Arc::new(origin) }, assets_dir())).await;
    Platform { storefront, store, http: reqwest::Client::new() }
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
    assert_eq!(html.matches(r#"class="card""#).count(), 12);
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
async fn an_unknown_or_suspended_host_gets_the_404_page_and_never_another_store() {
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
    assert_eq!(p.get("other.localhost", "/").await.0, StatusCode::NOT_FOUND);
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
    let base = serve(storefront_server::app(storefront_server::AppState { origin: Arc::new(origin) }, assets_dir())).await;
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
