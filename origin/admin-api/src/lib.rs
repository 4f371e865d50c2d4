//! admin-api: the platform staff's API (the seed's orion backend, port 3022).
//!
//! Staff sign in with a password and, for admins, an authenticator code (see [`auth`]); every
//! route names the least role it needs ([`ROUTE_ROLES`], the README's table). Staff find and
//! look after stores ([`tenants`]), find any order ([`orders`]), watch and steer the queues
//! ([`queues`]), and read the audit log that every action of theirs appends to. [`monitor`]
//! raises alerts to Slack.

pub mod analytics;
pub mod auth;
pub mod monitor;
pub mod orders;
pub mod queues;
pub mod tenants;

use axum::extract::State;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use uuid::Uuid;
use zelly_edge::admin::{AuditEntry, StaffRole};
use zelly_edge::dto::Health;
use zelly_queue::{DynQueues, QueueConfig};
use zelly_service::throttle::Throttle;
use zelly_service::{ApiError, AppQuery};
use zelly_store::{AuditQuery, DatabaseConfig, DynStore};

/// Everything admin-api reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND` (default every interface: staff must sign in) and `PORT` (default 3022).
    pub listen: SocketAddr,
    /// `DATABASE_URL`, or `DB_HOST`…`DB_DATABASE` (the seed's name), or embedded SQLite.
    pub database: DatabaseConfig,
    /// `REDIS_URL` or `REDIS_HOST`…, or the embedded queue.
    pub queues: QueueConfig,
    /// `ANALYTICS_DB_HOST` and `ANALYTICS_DB_DATABASE` (ClickHouse), or the embedded file.
    pub analytics: zelly_analytics::AnalyticsConfig,
    /// `JWT_SECRET_KEY`: signs staff tokens (required, at least 32 bytes).
    pub keys: auth::JwtKeys,
    /// `STAFF_TOTP_KEY`: seals staff TOTP secrets at rest (required, 32 bytes in base64).
    pub totp_key: zelly_service::seal::Sealer,
    /// `SLACK_WEBHOOK_URL`: where alerts go (unset: logged only).
    pub slack: zelly_alerts::SlackConfig,
    /// `TRUST_FORWARDED_FOR=1`: the client address (for throttling) from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// What the alert monitor watches for.
    pub monitor: monitor::MonitorConfig,
    /// Where stores staff open live and where their owners accept the invite.
    pub onboarding: Onboarding,
}

/// Where stores opened by staff live, and where their owners' invite links lead.
#[derive(Debug, Clone)]
pub struct Onboarding {
    /// New stores get `{slug}.{platform_domain}` (`PLATFORM_DOMAIN`, default `localhost`, as
    /// core-api).
    pub platform_domain: String,
    /// seller-ui, for invite links (`SELLER_UI_URL`, default `http://localhost:5173`).
    pub seller_ui_url: String,
}

impl Default for Onboarding {
    fn default() -> Self {
        Self { platform_domain: "localhost".into(), seller_ui_url: "http://localhost:5173".into() }
    }
}

impl Onboarding {
    /// Reads `PLATFORM_DOMAIN` and `SELLER_UI_URL`.
    pub fn from_env() -> Result<Self, String> {
        let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let platform_domain = var("PLATFORM_DOMAIN").unwrap_or_else(|| "localhost".into()).trim_end_matches('.').to_ascii_lowercase();
        zelly_edge::DomainName::parse(&platform_domain).map_err(|_| format!("PLATFORM_DOMAIN must be a domain name, got {platform_domain:?}"))?;
        let seller_ui_url = var("SELLER_UI_URL").unwrap_or_else(|| "http://localhost:5173".into()).trim_end_matches('/').to_owned();
        if !(seller_ui_url.starts_with("http://") || seller_ui_url.starts_with("https://")) {
            return Err(format!("SELLER_UI_URL must be an http(s) URL, got {seller_ui_url:?}"));
        }
        Ok(Self { platform_domain, seller_ui_url })
    }
}

impl Config {
    /// Reads the environment, naming the offending variable on error.
    pub fn from_env() -> Result<Self, String> {
        let secret = std::env::var("JWT_SECRET_KEY").map_err(|_| "JWT_SECRET_KEY must be set: it signs staff tokens".to_owned())?;
        Ok(Self {
            listen: zelly_service::listen_from_env(3022)?,
            database: DatabaseConfig::from_env("DB_DATABASE")?,
            queues: QueueConfig::from_env()?,
            analytics: analytics::config_from_env()?,
            keys: auth::JwtKeys::new(&secret)?,
            totp_key: zelly_service::seal::Sealer::from_base64(
                "STAFF_TOTP_KEY",
                &std::env::var("STAFF_TOTP_KEY").map_err(|_| "STAFF_TOTP_KEY must be set: it seals staff authenticator secrets".to_owned())?,
            )?,
            slack: zelly_alerts::SlackConfig::from_env()?,
            trust_forwarded_for: std::env::var("TRUST_FORWARDED_FOR").is_ok_and(|v| v == "1"),
            monitor: monitor::MonitorConfig::from_env()?,
            onboarding: Onboarding::from_env()?,
        })
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The system of record.
    pub store: DynStore,
    /// The platform's queues.
    pub queues: DynQueues,
    /// Storefront events, for the platform's analytics.
    pub analytics: zelly_analytics::DynAnalytics,
    /// Signs and checks staff tokens.
    pub keys: auth::JwtKeys,
    /// Seals staff TOTP secrets, which the database never holds in clear.
    pub totp_key: Arc<zelly_service::seal::Sealer>,
    /// Wrong sign-ins, by email and address.
    pub throttle: Arc<Throttle<String>>,
    /// Whether `X-Forwarded-For` names the client.
    pub trust_forwarded_for: bool,
    /// Where new stores live.
    pub onboarding: Arc<Onboarding>,
}

impl AppState {
    /// State over a store, queues and analytics, signing with `keys` and sealing TOTP secrets
    /// with `totp_key`.
    pub fn new(
        store: DynStore,
        queues: DynQueues,
        analytics: zelly_analytics::DynAnalytics,
        keys: auth::JwtKeys,
        totp_key: zelly_service::seal::Sealer,
    ) -> Self {
        Self { store, queues, analytics, keys, totp_key: Arc::new(totp_key), throttle: Arc::new(Throttle::default()), trust_forwarded_for: false, onboarding: Arc::new(Onboarding::default()) }
    }
}

/// Every route with the least role it needs (`None`: no sign-in, or any signed-in staff member
/// including an admin still enrolling). The README's table is this one; the API tests walk it.
pub const ROUTE_ROLES: &[(&str, &str, Option<StaffRole>)] = &[
    ("GET", "/health", None),
    ("GET", "/openapi.json", None),
    ("POST", "/api/admin/auth/sign-in", None),
    ("POST", "/api/admin/auth/refresh", None),
    ("POST", "/api/admin/auth/sign-out", None),
    ("GET", "/api/admin/me", None),
    ("POST", "/api/admin/auth/totp/enroll", None),
    ("POST", "/api/admin/auth/totp/confirm", None),
    ("GET", "/api/admin/tenants", Some(StaffRole::ReadOnly)),
    ("GET", "/api/admin/tenants/{id}", Some(StaffRole::ReadOnly)),
    ("POST", "/api/admin/tenants", Some(StaffRole::Admin)),
    ("POST", "/api/admin/tenants/{id}/status", Some(StaffRole::Support)),
    ("POST", "/api/admin/tenants/{id}/domains/{domain}/recheck", Some(StaffRole::Support)),
    ("GET", "/api/admin/orders", Some(StaffRole::ReadOnly)),
    ("GET", "/api/admin/orders/{id}", Some(StaffRole::ReadOnly)),
    ("POST", "/api/admin/orders/{id}/refund", Some(StaffRole::Admin)),
    ("GET", "/api/admin/queues", Some(StaffRole::ReadOnly)),
    ("GET", "/api/admin/queues/{name}/failed", Some(StaffRole::ReadOnly)),
    ("POST", "/api/admin/queues/{name}/jobs/{id}/retry", Some(StaffRole::Support)),
    ("DELETE", "/api/admin/queues/{name}/jobs/{id}", Some(StaffRole::Support)),
    ("POST", "/api/admin/queues/{name}/retry-failed", Some(StaffRole::Support)),
    ("POST", "/api/admin/queues/{name}/pause", Some(StaffRole::Support)),
    ("POST", "/api/admin/queues/{name}/resume", Some(StaffRole::Support)),
    ("GET", "/api/admin/analytics", Some(StaffRole::ReadOnly)),
    ("GET", "/api/admin/audit", Some(StaffRole::ReadOnly)),
];

/// The admin-api document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Zelly admin-api", description = "Platform staff API: sign-in with a second factor, stores, orders, queues and the audit log."),
    paths(
        health, audit_log, analytics::report,
        auth::sign_in, auth::refresh, auth::sign_out, auth::me, auth::enroll_totp, auth::confirm_totp,
        tenants::list, tenants::detail, tenants::set_status, tenants::create, tenants::recheck_domain,
        orders::search, orders::detail, orders::refund,
        queues::overview, queues::failed, queues::retry_job, queues::remove_job, queues::retry_failed, queues::pause, queues::resume,
    ),
    modifiers(&StaffSecurity)
)]
pub struct ApiDoc;

struct StaffSecurity;

impl utoipa::Modify for StaffSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "staff",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The router with every route.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .route("/api/admin/auth/sign-in", post(auth::sign_in))
        .route("/api/admin/auth/refresh", post(auth::refresh))
        .route("/api/admin/auth/sign-out", post(auth::sign_out))
        .route("/api/admin/me", get(auth::me))
        .route("/api/admin/auth/totp/enroll", post(auth::enroll_totp))
        .route("/api/admin/auth/totp/confirm", post(auth::confirm_totp))
        .route("/api/admin/tenants", get(tenants::list).post(tenants::create))
        .route("/api/admin/tenants/{id}", get(tenants::detail))
        .route("/api/admin/tenants/{id}/status", post(tenants::set_status))
        .route("/api/admin/tenants/{id}/domains/{domain}/recheck", post(tenants::recheck_domain))
        .route("/api/admin/orders", get(orders::search))
        .route("/api/admin/orders/{id}", get(orders::detail))
        .route("/api/admin/orders/{id}/refund", post(orders::refund))
        .route("/api/admin/queues", get(queues::overview))
        .route("/api/admin/queues/{name}/failed", get(queues::failed))
        .route("/api/admin/queues/{name}/jobs/{id}/retry", post(queues::retry_job))
        .route("/api/admin/queues/{name}/jobs/{id}", delete(queues::remove_job))
        .route("/api/admin/queues/{name}/retry-failed", post(queues::retry_failed))
        .route("/api/admin/queues/{name}/pause", post(queues::pause))
        .route("/api/admin/queues/{name}/resume", post(queues::resume))
        .route("/api/admin/audit", get(audit_log))
        .route("/api/admin/analytics", get(analytics::report))
        .fallback(zelly_service::not_found)
        .method_not_allowed_fallback(zelly_service::method_not_allowed)
        .with_state(state)
        .layer(TraceLayer::new_for_http())
}

/// Liveness.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, body = Health)), security(()))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into(), service: "admin-api".into() })
}

/// The largest id or offset a query takes: what a JavaScript number holds exactly.
pub const MAX_SAFE_ID: i64 = 9_007_199_254_740_991;

/// Filters of the audit log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only this store's rows.
    pub tenant: Option<Uuid>,
    /// Only this staff member's (email).
    pub staff: Option<String>,
    /// Only actions starting with this, e.g. `tenant.`.
    pub action: Option<String>,
    /// Rows older than this id (the next page).
    pub before: Option<i64>,
    /// At most this many (1-200, default 50).
    pub limit: Option<u32>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/admin/audit", tag = "audit", params(AuditParams),
    responses((status = 200, body = [AuditEntry]), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn audit_log(
    _staff: auth::ReadOnly,
    State(state): State<AppState>,
    AppQuery(params): AppQuery<AuditParams>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Unprocessable("limit: must be 1-200".into()));
    }
    if params.before.is_some_and(|id| !(1..=MAX_SAFE_ID).contains(&id)) {
        return Err(ApiError::Unprocessable("before: must be a row id from the log".into()));
    }
    let query = AuditQuery {
        tenant: params.tenant,
        staff_email: params.staff.filter(|s| !s.trim().is_empty()),
        action: params.action.filter(|s| !s.trim().is_empty()),
        before_id: params.before,
        limit,
    };
    Ok(Json(state.store.audit_log(&query).await?))
}

/// Connects the store and queues, starts the alert worker and monitor, and serves until shutdown.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = zelly_store::connect(&config.database).await?;
    let queues = zelly_queue::connect(&config.queues).await?;
    let analytics = zelly_analytics::connect(&config.analytics).await?;
    let alerts = zelly_alerts::start_worker(queues.as_ref(), config.slack.clone()).await?;
    let monitor = monitor::spawn(store.clone(), queues.clone(), Some(analytics.clone()), config.monitor.clone());
    let mut state = AppState::new(store, queues, analytics, config.keys.clone(), config.totp_key.clone());
    state.trust_forwarded_for = config.trust_forwarded_for;
    state.onboarding = Arc::new(config.onboarding.clone());
    let mut router = app(state);
    if let Some(cors) = zelly_service::cors_from_env().map_err(anyhow::Error::msg)? {
        // The refresh cookie crosses from admin-ui's origin.
        router = router.layer(cors.allow_credentials(true));
    }
    let served = zelly_service::serve_with_peers("admin-api", config.listen, router).await;
    monitor.abort();
    alerts.shutdown(Duration::from_secs(10)).await?;
    served?;
    Ok(())
}
