//! admin-api against a real database, over HTTP.
#![allow(clippy::unwrap_used, missing_docs)]

use reqwest::StatusCode;
use serde_json::Value;
use zelly_edge::dto::TenantOverview;
use zelly_store::DynStore;

async fn spawn(store: DynStore) -> String {
    zelly_service::serve_in_background(admin_api::app(admin_api::AppState { store })).await.unwrap()
}

async fn staff_see_every_tenant_with_domains_and_counts(store: DynStore) {
    zelly_store::demo::seed_demo(&store).await.unwrap();
    let base = spawn(store).await;
    let res = reqwest::get(format!("{base}/api/admin/tenants")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let tenants: Vec<TenantOverview> = res.json().await.unwrap();
    assert_eq!(tenants.len(), 1);
    assert_eq!(tenants[0].tenant.slug.as_str(), "demo");
    assert_eq!(tenants[0].domains[0].as_str(), "demo.localhost");
    assert_eq!(tenants[0].product_count, 12);
    let health: Value = reqwest::get(format!("{base}/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["service"], "admin-api");
    let doc: Value = reqwest::get(format!("{base}/openapi.json")).await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/api/admin/tenants"]["get"].is_object());
    // Unknown routes and methods answer in the API's error shape.
    let client = reqwest::Client::new();
    for (res, status) in [
        (client.get(format!("{base}/api/admin/nowhere")).send().await.unwrap(), StatusCode::NOT_FOUND),
        (client.delete(format!("{base}/api/admin/tenants")).send().await.unwrap(), StatusCode::METHOD_NOT_ALLOWED),
    ] {
        assert_eq!(res.status(), status);
        let body: Value = res.json().await.unwrap();
        assert!(body["error"]["code"].is_string(), "{body}");
    }
}

zelly_store::on_both_backends!(staff_see_every_tenant_with_domains_and_counts);
