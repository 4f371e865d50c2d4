//! The plumbing every native Zelly service shares, so each service's code is only its own routes.
//!
//! - [`ApiError`]: one error type answering `{"error": {"code", "message"}}`; store and unexpected
//!   errors become an opaque 500 that is logged with its cause chain.
//! - [`AppJson`], [`AppQuery`] and [`AppPath`]: extractors whose rejections have that same
//!   shape, and which refuse control characters (NUL and the like) in any text, naming the field,
//!   before a handler or a database ever sees them.
//! - [`bearer_token`]: the `Authorization: Bearer` credential, the scheme in any case.
//! - [`origin::OriginClient`] (feature `origin-client`): core-api's storefront API over reqwest.
//! - [`init_tracing`], [`cors_from_env`], [`shutdown_signal`] and [`serve`] for `main`.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use tower_http::cors::CorsLayer;
use zelly_edge::ApiErrorBody;

#[cfg(feature = "origin-client")]
pub mod origin;
#[cfg(feature = "password")]
pub mod password;
#[cfg(feature = "api-walk")]
pub mod api_walk;
#[cfg(feature = "seal")]
pub mod seal;
pub mod throttle;

/// Every way a request can fail, each with its status and code.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request cannot be understood.
    #[error("{0}")]
    BadRequest(String),
    /// 401: credentials are missing or wrong.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 403: signed in, but not allowed here.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404: nothing here, or nothing this caller may see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 409: conflicts with existing data.
    #[error("already exists: {0}")]
    Conflict(String),
    /// 409: the current state refuses it (too little stock, a status that cannot change so).
    #[error("{0}")]
    Refused(String),
    /// 422: well-formed but invalid; the message names the field.
    #[error("{0}")]
    Unprocessable(String),
    /// 422 naming every bad field.
    #[error("some fields are invalid")]
    InvalidFields(std::collections::BTreeMap<String, String>),
    /// 405: the path exists, not with this method.
    #[error("this method is not allowed here")]
    MethodNotAllowed,
    /// 410: it existed, and is closed (a suspended store).
    #[error("{0}")]
    Gone(&'static str),
    /// 413: the body is larger than the route accepts.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// 429: the caller sent too much too fast; `Retry-After` says when to try again.
    #[error("too many requests; retry in {retry_after_secs} s")]
    TooManyRequests {
        /// Whole seconds until a retry can succeed (at least 1).
        retry_after_secs: u64,
    },
    /// 503: a dependency we need is down; the caller may retry.
    #[error("{0}")]
    Unavailable(&'static str),
    /// 502: an upstream service failed.
    #[error("{0}")]
    BadGateway(String),
    /// 500: logged with its cause, answered opaquely.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) | ApiError::Refused(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Unprocessable(_) | ApiError::InvalidFields(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            ApiError::Gone(_) => (StatusCode::GONE, "gone"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::BadGateway(_) => (StatusCode::BAD_GATEWAY, "bad_gateway"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

#[cfg(feature = "store")]
impl From<zelly_store::StoreError> for ApiError {
    fn from(err: zelly_store::StoreError) -> Self {
        use zelly_store::StoreError;
        match err {
            StoreError::Conflict(what) => ApiError::Conflict(what),
            StoreError::Refused(why) => ApiError::Refused(why),
            StoreError::Invalid(what) => ApiError::Unprocessable(what),
            StoreError::NotFound => ApiError::NotFound("resource"),
            StoreError::Stale => ApiError::Conflict("changed since it was loaded; reload and retry".into()),
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(cause) = &self {
            let chain = zelly_edge::error::error_chain(cause.as_ref());
            tracing::error!(error = %chain, "request failed");
        }
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after_secs } => Some((*retry_after_secs).max(1)),
            _ => None,
        };
        let mut body = ApiErrorBody::new(code, self.to_string());
        if let ApiError::InvalidFields(fields) = self {
            body.error.fields = fields;
        }
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// `Json` whose rejections answer with [`ApiError`]'s body instead of axum's plain text, and
/// which refuses control characters in any string (or key) of the body with a 422 naming each
/// field (`title`, `variants[1].sku`), so that no route needs to remember to.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<serde_json::Value>::from_request(req, state).await?;
        let mut bad = BTreeMap::new();
        find_control_characters(&value, String::new(), &mut bad);
        if !bad.is_empty() {
            return Err(ApiError::InvalidFields(bad));
        }
        serde_json::from_value(value)
            .map(AppJson)
            .map_err(|e| ApiError::Unprocessable(format!("Failed to deserialize the JSON body into the target type: {e}")))
    }
}

/// The message for a text holding a control character.
const CONTROL_CHARACTER: &str = "must not contain control characters (such as NUL)";

/// Refuses, naming each, the (name, value) pairs whose name or value holds a forbidden control
/// character: query parameters and path segments.
fn refuse_control_characters<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Result<(), ApiError> {
    let bad: BTreeMap<String, String> = pairs
        .filter(|(name, value)| name.chars().chain(value.chars()).any(zelly_edge::limits::is_forbidden_control))
        .map(|(name, _)| (name.escape_default().to_string(), CONTROL_CHARACTER.to_owned()))
        .collect();
    if bad.is_empty() { Ok(()) } else { Err(ApiError::InvalidFields(bad)) }
}

/// Notes, under its path, every string of `value` that holds a forbidden control character.
fn find_control_characters(value: &serde_json::Value, path: String, bad: &mut BTreeMap<String, String>) {
    use serde_json::Value;
    let has_control = |s: &str| s.chars().any(zelly_edge::limits::is_forbidden_control);
    match value {
        Value::String(s) if has_control(s) => {
            bad.insert(if path.is_empty() { "body".to_owned() } else { path }, CONTROL_CHARACTER.to_owned());
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_control_characters(item, format!("{path}[{i}]"), bad);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                let inner = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                if has_control(key) {
                    bad.insert(inner.escape_default().to_string(), CONTROL_CHARACTER.to_owned());
                } else {
                    find_control_characters(item, inner, bad);
                }
            }
        }
        _ => {}
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => ApiError::Unprocessable(e.body_text()),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(other.body_text()),
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

/// `Query` answering bad query strings (`?limit=abc`) with a 422 in [`ApiError`]'s shape, and
/// refusing control characters in any parameter, naming it.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AppQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let pairs: Vec<_> = form_urlencoded::parse(query.as_bytes()).collect();
        refuse_control_characters(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))?;
        let axum::extract::Query(value) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(AppQuery(value))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::Unprocessable(rejection.body_text())
    }
}

/// `Path` answering a bad segment (an id that is not a UUID) with a 404 in [`ApiError`]'s shape
/// (nothing can be at such an address), and refusing control characters in any segment.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for AppPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(params) = axum::extract::Path::<Vec<(String, String)>>::from_request_parts(parts, state).await?;
        refuse_control_characters(params.iter().map(|(name, value)| (name.as_str(), value.as_str())))?;
        let axum::extract::Path(value) = axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(AppPath(value))
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        match rejection {
            PathRejection::FailedToDeserializePathParams(e) => {
                tracing::debug!(error = %e.body_text(), "a path segment of the wrong shape");
                ApiError::NotFound("resource")
            }
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

/// The credential of an `Authorization: Bearer <token>` header. The scheme is matched in any
/// case (RFC 9110 makes auth schemes case-insensitive); `None` when the header is missing, is not
/// text, names another scheme, or carries no token.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// 405 for a known path asked with another method, in the shared error shape.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        Json(self.0).into_response()
    }
}

/// Plain-text fallback for unknown routes, in the shared error shape.
pub async fn not_found(request: Request) -> ApiError {
    tracing::debug!(path = %request.uri().path(), "no route");
    ApiError::NotFound("route")
}

/// Logs to stderr, filtered by `RUST_LOG` (default: info for Zelly crates, warn for the rest).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new(
            "warn,core_api=info,admin_api=info,storefront_server=info,checkout_host=info,events_consumer=info,zelly_service=info,zelly_queue=info,zelly_analytics=info,zelly_dns=info,razorpay_standin=info,dns_standin=info,tower_http=warn",
        )
    });
    // A second call (tests starting several apps) keeps the first subscriber.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

/// CORS for the browser apps: the origins in `CORS_ORIGINS` (comma-separated), or none.
pub fn cors_from_env() -> Result<Option<CorsLayer>, String> {
    let Ok(raw) = std::env::var("CORS_ORIGINS") else {
        return Ok(None);
    };
    let origins = raw
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| HeaderValue::from_str(o).map_err(|_| format!("CORS_ORIGINS: bad origin {o:?}")))
        .collect::<Result<Vec<_>, _>>()?;
    if origins.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            // X-Zelly-Tenant picks the store of a merchant who belongs to several.
            .allow_headers([
                axum::http::header::AUTHORIZATION,
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderName::from_static("x-zelly-tenant"),
            ]),
    ))
}

/// The client's address: the first `X-Forwarded-For` hop when trusted, else the peer's.
pub fn client_address(headers: &axum::http::HeaderMap, extensions: &axum::http::Extensions, trust_forwarded_for: bool) -> Option<std::net::IpAddr> {
    if trust_forwarded_for {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|first| first.trim().parse().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|axum::extract::ConnectInfo(peer)| peer.ip())
}

/// Resolves on Ctrl-C or SIGTERM, so that in-flight requests finish before exit.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// Binds `addr` and serves `app` until [`shutdown_signal`].
pub async fn serve(name: &str, addr: SocketAddr, app: Router) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        std::io::Error::new(e.kind(), format!("{name}: cannot listen on {addr}: {e}"))
    })?;
    tracing::info!("{name} listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await
}

/// Like [`serve`], with each request's peer address in its extensions
/// (`axum::extract::ConnectInfo<SocketAddr>`), for services that throttle by client address.
pub async fn serve_with_peers(name: &str, addr: SocketAddr, app: Router) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        std::io::Error::new(e.kind(), format!("{name}: cannot listen on {addr}: {e}"))
    })?;
    tracing::info!("{name} listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// Serves `app` on a free port of 127.0.0.1 in a background task and returns its base URL
/// (`http://127.0.0.1:PORT`): how tests start real apps.
pub async fn serve_in_background(app: Router) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(axum::serve(listener, app).into_future());
    Ok(format!("http://{addr}"))
}

/// Where a service listens: `BIND` (an IP address, default 0.0.0.0: every interface, as in a
/// container) and `PORT` (default `default_port`).
pub fn listen_from_env(default_port: u16) -> Result<SocketAddr, String> {
    let bind = match std::env::var("BIND").ok().filter(|v| !v.trim().is_empty()) {
        Some(raw) => raw.trim().parse().map_err(|_| format!("BIND must be an IP address, got {raw:?}"))?,
        None => std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
    };
    Ok(SocketAddr::new(bind, port_from_env("PORT", default_port)?))
}

/// Reads a `u16` port from `var`, or `default` when unset.
pub fn port_from_env(var: &str, default: u16) -> Result<u16, String> {
    match std::env::var(var) {
        Ok(raw) if !raw.trim().is_empty() => raw
            .trim()
            .parse()
            .map_err(|_| format!("{var} must be a port number, got {raw:?}")),
        _ => Ok(default),
    }
}

/// Compares two secrets in time independent of where they first differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Now, in Unix milliseconds (0 if the clock is before 1970).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
