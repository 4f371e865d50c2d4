//! admin-api: the platform staff's API (the seed's orion backend, port 3022).
//!
//! Staff sign-in is not built yet, so until it is the service binds to 127.0.0.1 by default
//! (`ADMIN_BIND` overrides it) and must not be exposed.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use zelly_edge::dto::{Health, TenantOverview};
use zelly_service::ApiError;
use zelly_store::{DatabaseConfig, DynStore};

/// Everything admin-api reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `ADMIN_BIND` (default 127.0.0.1) and `PORT` (default 3022).
    pub listen: SocketAddr,
    /// `DATABASE_URL`, or `DB_HOST`…`DB_DATABASE` (the seed's name), or embedded SQLite.
    pub database: DatabaseConfig,
}

impl Config {
    /// Reads the environment, naming the offending variable on error.
    pub fn from_env() -> Result<Self, String> {
        let bind: IpAddr = match std::env::var("ADMIN_BIND").ok().filter(|v| !v.is_empty()) {
            Some(raw) => raw.parse().map_err(|_| format!("ADMIN_BIND must be an IP address, got {raw:?}"))?,
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let port = zelly_service::port_from_env("PORT", 3022)?;
        Ok(Self { listen: SocketAddr::new(bind, port), database: DatabaseConfig::from_env("DB_DATABASE")? })
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The system of record.
    pub store: DynStore,
}

/// The admin-api document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Zelly admin-api", description = "Platform staff API. Bound to localhost until staff sign-in exists."),
    paths(health, list_tenants)
)]
pub struct ApiDoc;

/// The router with every route.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/api/admin/tenants", get(list_tenants))
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .fallback(zelly_service::not_found)
        .method_not_allowed_fallback(zelly_service::method_not_allowed)
        .with_state(state)
        .layer(TraceLayer::new_for_http())
}

/// Liveness.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into(), service: "admin-api".into() })
}

/// Every tenant with its domains and product count, by slug.
#[utoipa::path(
    get,
    path = "/api/admin/tenants",
    tag = "tenants",
    responses((status = 200, body = [TenantOverview])),
    security(())
)]
#[tracing::instrument(skip_all)]
pub async fn list_tenants(State(state): State<AppState>) -> Result<Json<Vec<TenantOverview>>, ApiError> {
    Ok(Json(state.store.list_tenants().await?))
}

/// Connects the store and serves until shutdown.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = zelly_store::connect(&config.database).await?;
    let mut router = app(AppState { store });
    if let Some(cors) = zelly_service::cors_from_env().map_err(anyhow::Error::msg)? {
        router = router.layer(cors);
    }
    zelly_service::serve("admin-api", config.listen, router).await?;
    Ok(())
}
