//! `GET /health`

use crate::AppState;
use axum::routing::get;
use axum::{Json, Router};
use zelly_edge::dto::Health;

/// Health route.
pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Health)), security(()))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into(), service: "core-api".into() })
}
