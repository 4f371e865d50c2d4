//! Rules that hold for every route, checked by walking core-api's own `/openapi.json`, so a route
//! added later is covered without anyone remembering to add it here:
//! - a control character (NUL, ESC, …) in any text field of any JSON body, in any query
//!   parameter or in any path segment is refused with 422 naming the field, on both backends
//!   (PostgreSQL would otherwise fail with a 500);
//! - `i64::MIN` and `i64::MAX` in every integer field are refused with a 4xx, and no handler
//!   panics (a panic hook counts them);
//! - every rejection, whatever refused it (body, query, path, size, method, route), answers in
//!   the API's JSON error shape.
#![allow(clippy::unwrap_used, missing_docs)]

use core_api::testing::dev_issuer as issuer;
use reqwest::{Method, StatusCode};
use serde_json::json;
use zelly_service::api_walk::{is_error_shape, ApiWalk};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use zelly_edge::catalog::Role;
use zelly_edge::{DomainName, TenantSlug};
use zelly_store::{DynStore, NewTenant};

const PROJECT: &str = "zelly-test";
const TOKEN: &str = "test-storefront-token-0123456789";

/// Panics anywhere in this test binary (handlers included), counted.
fn panics() -> &'static AtomicUsize {
    static PANICS: OnceLock<AtomicUsize> = OnceLock::new();
    PANICS.get_or_init(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.get().unwrap().fetch_add(1, Ordering::SeqCst);
            default(info);
        }));
        AtomicUsize::new(0)
    })
}

zelly_store::on_both_backends!(every_route_refuses_control_characters_and_integers_out_of_range_in_one_error_shape);

/// A running core-api with an owner, real ids for every path parameter and its credentials.
async fn build(store: DynStore) -> (ApiWalk, String) {
    let standin = razorpay_standin::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        key_id: "rzp_test_k".into(),
        key_secret: "rzp_secret".into(),
        webhook_url: None,
        webhook_secret: "whsec".into(),
    };
    let rzp = zelly_service::serve_in_background(razorpay_standin::app(razorpay_standin::Standin::new(standin))).await.unwrap();
    let verifier = core_api::testing::merchant_verifier(issuer(), PROJECT).await;
    let mut state = core_api::testing::state(store.clone(), TOKEN, Some(verifier)).await;
    state.razorpay = Some(core_api::testing::razorpay_client(&rzp));
    let base = zelly_service::serve_in_background(core_api::app(state)).await.unwrap();
    let tenant = store.create_tenant(&NewTenant { slug: TenantSlug::parse("acme").unwrap(), name: "Acme".into() }).await.unwrap();
    store.add_domain(tenant.id, &DomainName::parse("acme.localhost").unwrap(), true).await.unwrap();
    store.add_membership(tenant.id, "uid-acme", Role::Owner).await.unwrap();
    let owner = issuer().sign_id_token(PROJECT, "uid-acme", "acme@example.com", Duration::from_secs(3600));
    let mut world = ApiWalk { base, http: reqwest::Client::new(), ..ApiWalk::default() };

    // A product, a collection, and a cash-on-delivery order, so that every path parameter
    // names something real and a request gets past "not found" to its body.
    let (status, _) = world.send(Method::PUT, "/api/seller/store", Some(owner.as_str()), Some(json!({ "name": "Acme", "cash_on_delivery": true }))).await;
    assert_eq!(status, StatusCode::OK);
    let product = json!({
        "handle": "lamp", "title": "Lamp", "status": "active", "option_names": ["Size"],
        "variants": [{ "sku": "lamp-s", "options": ["S"], "price_minor": 99_900, "inventory_quantity": 50 }]
    });
    let (status, lamp) = world.send(Method::POST, "/api/seller/products", Some(owner.as_str()), Some(product)).await;
    assert_eq!(status, StatusCode::CREATED, "{lamp}");
    let variant = lamp["variants"][0]["id"].as_str().unwrap().to_owned();
    let collection = json!({ "handle": "picks", "title": "Picks", "product_ids": [lamp["id"]] });
    let (status, picks) = world.send(Method::POST, "/api/seller/collections", Some(owner.as_str()), Some(collection)).await;
    assert_eq!(status, StatusCode::CREATED, "{picks}");
    let checkout = json!({
        "lines": [{ "variant_id": variant, "quantity": 1 }], "email": "asha@example.in",
        "shipping": { "name": "Asha", "line1": "12 MG Road", "city": "Bengaluru", "state": "KA", "postal_code": "560001", "country": "IN", "phone": "9845012345" },
        "payment_method": "cash_on_delivery", "idempotency_key": "walk-1"
    });
    let checkouts = "/api/storefront/domains/acme.localhost/checkouts";
    let (status, started) = world.send(Method::POST, checkouts, Some(TOKEN), Some(checkout)).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let checkout_id = started["id"].as_str().unwrap().to_owned();
    let (status, order) = world.send(Method::POST, &format!("{checkouts}/{checkout_id}/finalize"), Some(TOKEN), Some(json!({ "amount_minor": 99_900 }))).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let (status, invite) =
        world.send(Method::POST, "/api/seller/team/invites", Some(owner.as_str()), Some(json!({ "email": "sam@example.com", "role": "staff" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{invite}");
    world.ids = [
        (("invites", "id"), invite["invite"]["id"].as_str().unwrap().into()),
        (("members", "uid"), "uid-acme".into()),
        (("domains", "domain"), "acme.localhost".into()),
        (("validate_tenant_domain", "domain"), "acme.localhost".into()),
        (("products", "id"), lamp["id"].as_str().unwrap().into()),
        (("products", "handle"), "lamp".into()),
        (("collections", "id"), picks["id"].as_str().unwrap().into()),
        (("collections", "handle"), "picks".into()),
        (("variants", "id"), variant),
        (("checkouts", "id"), checkout_id),
        (("orders", "id"), order["id"].as_str().unwrap().into()),
    ]
    .into_iter()
    .map(|((segment, name), id): ((&str, &str), String)| ((segment.to_owned(), name.to_owned()), id))
    .collect();
    world.tokens = vec![("firebase".into(), owner.clone()), ("storefront_token".into(), TOKEN.into())];
    // Razorpay's webhook checks its signature over the raw body before reading it.
    world.skip = vec!["/api/webhooks/".into()];
    (world, owner)
}

async fn every_route_refuses_control_characters_and_integers_out_of_range_in_one_error_shape(store: DynStore) {
    let panics_before = panics().load(Ordering::SeqCst);
    let (world, owner) = build(store).await;
    let checked_fields = world.check_every_route().await;
    eprintln!("the walk checked {checked_fields} values of request bodies");
    assert!(checked_fields > 100, "the walk reached {checked_fields} fields: is /openapi.json documenting the bodies?");

    // What no route documents: unknown routes and methods, and the credentials themselves.
    let (status, answer) = world.send(Method::GET, "/api/nowhere", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(is_error_shape(&answer), "{answer}");
    let (status, answer) = world.send(Method::DELETE, "/api/seller/orders", Some(&owner), None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(is_error_shape(&answer), "{answer}");
    let lower = world.http.get(format!("{}/api/seller/orders", world.base)).header("authorization", format!("bearer {}", owner)).send().await.unwrap();
    assert_eq!(lower.status(), StatusCode::OK, "the auth scheme is case-insensitive");
    let lower = world.http.get(format!("{}/api/storefront/domains/acme.localhost/products", world.base)).header("authorization", format!("BEARER {TOKEN}")).send().await.unwrap();
    assert_eq!(lower.status(), StatusCode::OK, "the auth scheme is case-insensitive");
    let nul_uid = issuer().sign_id_token(PROJECT, "uid\u{0}acme", "acme@example.com", Duration::from_secs(3600));
    let (status, answer) = world.send(Method::GET, "/api/seller/session", Some(&nul_uid), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert!(is_error_shape(&answer), "{answer}");

    assert_eq!(panics().load(Ordering::SeqCst), panics_before, "a handler panicked (see the log above)");
}
