//! `GET /validate_tenant_domain/{domain}`: the seed's endpoint behind Caddy's on-demand TLS ask.

use crate::{ApiResult, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use zelly_edge::paths;
use zelly_service::{ApiError, AppPath};

/// Domain validation route.
pub fn router() -> Router<AppState> {
    Router::new().route(paths::VALIDATE_TENANT_DOMAIN, get(validate))
}

/// 200 when the domain belongs to an active tenant; 404 for unknown, suspended or malformed names.
#[utoipa::path(
    get,
    path = "/validate_tenant_domain/{domain}",
    tag = "domains",
    params(("domain" = String, Path, description = "Host name as the client sent it")),
    responses(
        (status = 200, description = "The domain is an active tenant's"),
        (status = 404, description = "Unknown, suspended or malformed", body = zelly_edge::ApiErrorBody),
    ),
    security(())
)]
#[tracing::instrument(skip_all, fields(domain = %domain))]
pub async fn validate(State(state): State<AppState>, AppPath(domain): AppPath<String>) -> ApiResult<StatusCode> {
    match super::storefront::active_store(&state, &domain).await {
        Ok(_) => Ok(StatusCode::OK),
        // The seed's contract: anything but an active store is 404, suspended ones included.
        Err(ApiError::Gone(_)) => Err(ApiError::NotFound("store")),
        Err(other) => Err(other),
    }
}
