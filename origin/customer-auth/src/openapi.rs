//! `GET /openapi.json`, generated from the handlers' annotations.

use crate::AppState;
use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The customer-auth document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Zelly customer-auth", description = "Shoppers' accounts, one store at a time: open, confirm, sign in and out, change, reset; saved addresses and the address check."),
    paths(
        crate::routes::health,
        crate::routes::sign_up,
        crate::routes::verify_email,
        crate::routes::sign_in,
        crate::routes::sign_out,
        crate::routes::me,
        crate::routes::update_me,
        crate::routes::change_password,
        crate::routes::change_email,
        crate::routes::request_reset,
        crate::routes::complete_reset,
        crate::flow::exchange,
        crate::addresses::list,
        crate::addresses::add,
        crate::addresses::change,
        crate::addresses::remove,
        crate::addresses::make_default,
        crate::addresses::check,
    ),
    modifiers(&SecuritySchemes)
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::session::COOKIE,
                "The session id from sign-in (a server may send it as `Authorization: Bearer` instead)",
            ))),
        );
    }
}

/// Serves the document.
pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
