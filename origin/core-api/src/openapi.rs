//! `GET /openapi.json`, generated from the handlers' annotations.

use crate::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The core-api document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Zelly core-api", description = "System of record: storefront reads, domains, seller API."),
    paths(
        crate::routes::health::health,
        crate::routes::domains::validate,
        crate::routes::storefront::catalog,
        crate::routes::storefront::product,
        crate::routes::storefront::prices,
        crate::routes::seller::list_products,
    ),
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
    }
}

/// OpenAPI route.
pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
