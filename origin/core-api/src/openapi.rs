//! `GET /openapi.json`, generated from the handlers' annotations.

use crate::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The core-api document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Zelly core-api", description = "System of record: storefront reads and event intake, domains, the seller catalog and analytics API."),
    paths(
        crate::routes::health::health,
        crate::routes::domains::validate,
        crate::routes::storefront::listing,
        crate::routes::storefront::product,
        crate::routes::storefront::collection,
        crate::routes::storefront::sitemap,
        crate::routes::storefront::prices,
        crate::routes::storefront::version,
        crate::routes::events::intake,
        crate::routes::seller::session,
        crate::routes::seller::store_settings,
        crate::routes::seller::update_store_settings,
        crate::routes::seller::list_products,
        crate::routes::seller::create_product,
        crate::routes::seller::get_product,
        crate::routes::seller::update_product,
        crate::routes::seller::archive_product,
        crate::routes::seller::adjust_inventory,
        crate::routes::seller::inventory_history,
        crate::routes::seller::list_collections,
        crate::routes::seller::create_collection,
        crate::routes::seller::get_collection,
        crate::routes::seller::update_collection,
        crate::routes::seller::delete_collection,
        crate::routes::team::list_stores,
        crate::routes::team::open_store,
        crate::routes::team::team,
        crate::routes::team::invite,
        crate::routes::team::revoke_invite,
        crate::routes::team::set_role,
        crate::routes::team::remove_member,
        crate::routes::team::accept_invite,
        crate::routes::custom_domains::list,
        crate::routes::custom_domains::add,
        crate::routes::custom_domains::verify,
        crate::routes::custom_domains::make_primary,
        crate::routes::custom_domains::remove,
        crate::routes::customers::list,
        crate::routes::customers::one,
        crate::routes::analytics::report,
        crate::routes::orders::create_checkout,
        crate::routes::orders::get_checkout,
        crate::routes::orders::set_provider_order,
        crate::routes::orders::finalize,
        crate::routes::orders::checkout_order,
        crate::routes::orders::shopper_orders,
        crate::routes::orders::razorpay_order,
        crate::routes::orders::razorpay_callback,
        crate::routes::orders::razorpay_payment,
        crate::routes::orders::list_orders,
        crate::routes::orders::get_order,
        crate::routes::orders::set_status,
        crate::routes::orders::refund,
        crate::routes::orders::timeline,
        crate::routes::webhooks::razorpay,
        crate::routes::shopify::webhook,
        crate::routes::shopify::install,
        crate::routes::shopify::callback,
        crate::routes::shopify::connection,
        crate::routes::shopify::disconnect,
        crate::routes::shopify::sync,
    ),
    // Schemas only query parameters refer to (utoipa collects those of bodies by itself).
    components(schemas(zelly_edge::dto::ListingSort)),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "storefront_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("STOREFRONT_API_BEARER_TOKEN, shared by the storefront hosts"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "firebase",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A merchant's Firebase ID token (RS256, Google's securetoken certificates); \
                         X-Zelly-Tenant picks the store when the merchant belongs to several",
                    ))
                    .build(),
            ),
        );
    }
}

/// OpenAPI route.
pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
