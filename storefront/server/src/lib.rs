//! The native storefront host (the seed's storefront-astro-titan, port 4321).
//!
//! Renders the same Leptos pages as the storefront Worker (see `storefront-app`), serves the
//! storefront's static assets, and answers Caddy's on-demand TLS question at
//! `GET /allow-cert?domain=` by asking core-api's `/validate_tenant_domain/{domain}`.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use zelly_edge::dto::Health;
use zelly_edge::host::normalize_host;
use storefront_app::page_cache::PageCache;
use storefront_app::resolve::DomainCache;
use zelly_service::now_ms;
use zelly_service::origin::OriginClient;

/// Everything the native storefront reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND` (default 0.0.0.0) and `PORT` (default 4321).
    pub listen: SocketAddr,
    /// Static files served under `/assets` (`ZELLY_STOREFRONT_ASSETS`, default `storefront/public/assets`).
    pub assets_dir: PathBuf,
    /// The islands' hydration bundle, served under `/_zelly/pkg` (`ZELLY_STOREFRONT_BUNDLE`,
    /// default `target/zelly-dist/storefront-hydrate`, where `cargo xtask wasm` puts it).
    pub bundle_dir: PathBuf,
}

impl Config {
    /// Reads the environment, naming the offending variable on error.
    pub fn from_env() -> Result<Self, String> {
        let listen = zelly_service::listen_from_env(4321)?;
        let assets_dir = std::env::var("ZELLY_STOREFRONT_ASSETS").unwrap_or_else(|_| "storefront/public/assets".into());
        let bundle_dir = std::env::var("ZELLY_STOREFRONT_BUNDLE").unwrap_or_else(|_| "target/zelly-dist/storefront-hydrate".into());
        Ok(Self { listen, assets_dir: assets_dir.into(), bundle_dir: bundle_dir.into() })
    }
}

/// Shared state: the client of core-api and what it said about domains lately.
#[derive(Clone)]
pub struct AppState {
    /// core-api's storefront API.
    pub origin: Arc<OriginClient>,
    /// Recent answers about domains (see `storefront_app::resolve`).
    pub domains: Arc<DomainCache>,
    /// Dev only (`CHECKOUT_DEV_PORT`): the port of the local checkout host, where `/checkout…`
    /// is redirected (see `storefront_app::dev_checkout_redirect`).
    pub checkout_dev_port: Option<u16>,
    /// Pages every shopper of a store sees alike, per store version (see
    /// `storefront_app::page_cache`).
    pub pages: Arc<PageCache>,
    /// Event deliveries to core-api under way at once, at most [`MAX_EVENT_SENDS`]: a host
    /// serving thousands of cached pages a second must not open as many connections to origin.
    pub event_sends: Arc<tokio::sync::Semaphore>,
    /// customer-auth (`AUTH_API_URL`), for shoppers' sign-in and `/account`; `None` closes them.
    pub accounts: Option<Arc<zelly_service::origin::AccountsClient>>,
}

/// Most event deliveries to core-api in flight at once; the rest wait their turn in memory.
pub const MAX_EVENT_SENDS: usize = 32;

impl AppState {
    /// A state over `origin` with an empty domain cache.
    pub fn new(origin: OriginClient) -> Self {
        Self {
            origin: Arc::new(origin),
            domains: Arc::new(DomainCache::new()),
            checkout_dev_port: None,
            pages: Arc::new(PageCache::default()),
            event_sends: Arc::new(tokio::sync::Semaphore::new(MAX_EVENT_SENDS)),
            accounts: None,
        }
    }
}


/// The storefront router: pages, the cart, browser events, `/assets` from `assets_dir` and the
/// hydration bundle from `bundle_dir`.
pub fn app(state: AppState, assets_dir: PathBuf, bundle_dir: PathBuf) -> Router {
    Router::new()
        .route("/allow-cert", get(allow_cert))
        .route(
            storefront_app::analytics::BROWSER_EVENTS_PATH,
            post(browser_events).layer(DefaultBodyLimit::max(storefront_app::analytics::MAX_BROWSER_EVENTS_BYTES)),
        )
        .route("/cart", get(page).post(cart_post).layer(DefaultBodyLimit::max(storefront_app::cart::MAX_FORM_BYTES)))
        .route("/health", get(|| async { Json(Health { status: "ok".into(), service: "storefront".into() }) }))
        .route("/account", get(account))
        .route("/account/{*rest}", get(account).post(account).layer(DefaultBodyLimit::max(storefront_app::account::MAX_FORM_BYTES)))
        .nest_service("/assets", ServeDir::new(assets_dir))
        .nest_service(storefront_app::islands::BUNDLE_PATH, ServeDir::new(bundle_dir))
        .fallback(get(page))
        .with_state(state)
        .layer(TraceLayer::new_for_http())
}

/// Query of `/allow-cert`.
#[derive(Debug, Deserialize)]
pub struct AllowCert {
    /// The name Caddy wants a certificate for.
    pub domain: Option<String>,
}

/// Caddy's `ask`: 200 only for a well-formed domain of an active tenant. Anything else, including
/// an unreachable core-api, is non-2xx so that no certificate is ever issued by mistake. Answers
/// are remembered briefly (see `storefront_app::resolve`).
#[tracing::instrument(skip_all, fields(domain = ?query.domain))]
pub async fn allow_cert(State(state): State<AppState>, Query(query): Query<AllowCert>) -> StatusCode {
    let status =
        storefront_app::resolve::allow_cert(state.origin.as_ref(), &state.domains, query.domain.as_deref(), now_ms()).await;
    if status == 503 {
        tracing::warn!("cannot validate the domain with core-api");
    }
    StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
}

/// Any other GET: a storefront page for the store on the request's host. Its analytics events go
/// to core-api from a background task, after the response.
pub async fn page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if let Some(to) = storefront_app::dev_checkout_redirect(host, uri.path(), uri.query(), state.checkout_dev_port) {
        return (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, to)]).into_response();
    }
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let now = now_ms();
    // Pages every shopper of a store sees alike come from memory while the store's version stands.
    let cache_key = match normalize_host(host) {
        Ok(domain) if storefront_app::StorefrontRoute::is_shared(uri.path()) => {
            state.pages.key(state.origin.as_ref(), &domain, uri.path(), uri.query(), now).await.map(|key| (key, domain))
        }
        _ => None,
    };
    if let Some((hit, domain)) = cache_key.as_ref().and_then(|(key, domain)| Some((state.pages.get(key, now)?, domain))) {
        return cached_answer(&state, &headers, &uri, hit, domain.clone(), cookies);
    }
    let request = storefront_app::PageRequest { host, path: uri.path(), query: uri.query(), cookies, now_ms: now };
    let page = storefront_app::render_request(state.origin.as_ref(), &state.domains, &request).await;
    if let Some((key, _)) = cache_key {
        state.pages.put(key, &page, now);
    }
    let status = StatusCode::from_u16(page.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, [(header::CONTENT_TYPE, page.content_type)], page.html).into_response();
    if uri.path().starts_with("/cart") {
        // One shopper's own page: never stored by a shared cache.
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    if let Some(analytics) = page.analytics {
        let session = visit(&headers, &mut response);
        let batch = storefront_app::analytics::page_events(&analytics, &session, uri.path());
        send_in_background(&state, analytics.domain, batch, shopper_ip(&headers));
    }
    response
}

/// A page from memory, with this shopper's cart count, visit cookie and page events added.
fn cached_answer(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    hit: storefront_app::page_cache::CachedPage,
    domain: zelly_edge::DomainName,
    cookies: Option<&str>,
) -> Response {
    let html = if hit.content_type == storefront_app::HTML { storefront_app::with_cart_count_from(&hit.html, cookies) } else { hit.html };
    let mut response = ([(header::CONTENT_TYPE, hit.content_type)], html).into_response();
    response.headers_mut().insert("x-zelly-cache", HeaderValue::from_static("hit"));
    if hit.counts_as_view {
        let session = visit(headers, &mut response);
        let analytics = storefront_app::analytics::PageAnalytics { domain: domain.clone(), product_id: hit.product_id, search: None };
        let batch = storefront_app::analytics::page_events(&analytics, &session, uri.path());
        send_in_background(state, domain, batch, shopper_ip(headers));
    }
    response
}

/// `POST /_zelly/events`: events the page's script reports (clicks), for the store on the host.
/// Answers 202 at once; the events follow to core-api in the background.
pub async fn browser_events(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    use storefront_app::analytics::{browser_events, BrowserEventsError};
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let Ok(domain) = normalize_host(host) else {
        return (StatusCode::NOT_FOUND, "no store on this host").into_response();
    };
    let mut response = StatusCode::ACCEPTED.into_response();
    let session = visit(&headers, &mut response);
    match browser_events(&body, &session) {
        Ok(batch) => {
            send_in_background(&state, domain, batch, shopper_ip(&headers));
            response
        }
        Err(BrowserEventsError::TooLarge) => (StatusCode::PAYLOAD_TOO_LARGE, BrowserEventsError::TooLarge.to_string()).into_response(),
        Err(err) => (StatusCode::BAD_REQUEST, err.to_string()).into_response(),
    }
}

/// `POST /cart`: applies the form (add, set, remove) to the cart cookie and sends the shopper to
/// the cart (303; naming a line that was capped at the stock left), or, when the page asked for
/// JSON (a hydrated island), answers 200 with the cart's lines and any notice. A refused form is
/// 400/413 (502 if origin could not be asked) with the reason, as a page or as JSON. An added
/// variant is an `add_to_cart` event.
pub async fn cart_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    use storefront_app::cart::{post, wants_json, CartAction, CartFailure};
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let Ok(domain) = normalize_host(host) else {
        return (StatusCode::NOT_FOUND, "no store on this host").into_response();
    };
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let json = wants_json(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()));
    match post(state.origin.as_ref(), &domain, cookies, &body).await {
        Ok(posted) => {
            let mut response = if json {
                Json(posted.summary()).into_response()
            } else {
                (StatusCode::SEE_OTHER, [(header::LOCATION, posted.location())]).into_response()
            };
            let (cart, action) = (posted.cart, posted.action);
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
            if let Ok(value) = HeaderValue::from_str(&cart.set_cookie(is_https(&headers))) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            if let CartAction::Add { product_id, variant_id, quantity } = action {
                let session = visit(&headers, &mut response);
                let batch = storefront_app::analytics::add_to_cart_event(&session, product_id, variant_id, quantity);
                send_in_background(&state, domain, batch, shopper_ip(&headers));
            }
            response
        }
        Err(err) => {
            let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
            if json {
                return (status, Json(CartFailure { error: err.to_string() })).into_response();
            }
            let page = storefront_app::render_cart_error(None, &err.to_string());
            let page = storefront_app::with_cart_count_from(&page.html, cookies);
            (status, [(header::CONTENT_TYPE, storefront_app::HTML)], page).into_response()
        }
    }
}

/// The account pages (see `storefront_app::account`): one shopper's own, never cached.
pub async fn account(State(state): State<AppState>, method: axum::http::Method, headers: HeaderMap, uri: Uri, body: axum::body::Bytes) -> Response {
    let Some(accounts) = state.accounts.as_deref() else {
        let page = storefront_app::render_not_found(None);
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, page.content_type)], page.html).into_response();
    };
    let header_text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let mut random = [0_u8; 48];
    for (chunk, id) in random.chunks_mut(16).zip([uuid::Uuid::new_v4(), uuid::Uuid::new_v4(), uuid::Uuid::new_v4()]) {
        chunk.copy_from_slice(id.as_bytes());
    }
    let request = storefront_app::account::AccountRequest {
        method: method.as_str(),
        host: header_text(header::HOST).unwrap_or_default(),
        path: uri.path(),
        query: uri.query(),
        cookies: header_text(header::COOKIE),
        fetch_site: headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()),
        origin: header_text(header::ORIGIN),
        body: &body,
        https: is_https(&headers),
        random,
        now_ms: now_ms(),
    };
    let answer = storefront_app::account::handle(accounts, state.origin.as_ref(), &request).await;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match answer.page {
        Some(page) => (status, [(header::CONTENT_TYPE, page.content_type)], page.html).into_response(),
        None => status.into_response(),
    };
    let headers_out = response.headers_mut();
    headers_out.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if let Some(to) = answer.location.and_then(|to| HeaderValue::from_str(&to).ok()) {
        headers_out.insert(header::LOCATION, to);
    }
    for cookie in answer.set_cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers_out.append(header::SET_COOKIE, value);
        }
    }
    response
}

/// Whether the shopper reached us over HTTPS (Caddy says so in `X-Forwarded-Proto`).
fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// The shopper's visit id from the cookie, or a new one; either way the cookie is (re)set on the
/// response, so the visit lasts until 30 minutes of inactivity.
fn visit(headers: &HeaderMap, response: &mut Response) -> String {
    use storefront_app::analytics::{new_session_id, session_cookie, session_from_cookies};
    let cookies = headers.get(header::COOKIE).and_then(|v| v.to_str().ok());
    let session = session_from_cookies(cookies).unwrap_or_else(|| new_session_id(*uuid::Uuid::new_v4().as_bytes()));
    if let Ok(value) = HeaderValue::from_str(&session_cookie(&session, is_https(headers))) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    session
}

/// The shopper's address as the proxy in front of us (Caddy) reports it.
fn shopper_ip(headers: &HeaderMap) -> Option<String> {
    let forwarded = headers.get("x-forwarded-for")?.to_str().ok()?;
    let first = forwarded.split(',').next()?.trim();
    first.parse::<IpAddr>().ok().map(|ip| ip.to_string())
}

/// Sends events to core-api without holding up the shopper, retrying briefly if it is busy.
fn send_in_background(state: &AppState, domain: zelly_edge::DomainName, batch: zelly_edge::events::EventBatch, ip: Option<String>) {
    let origin = state.origin.clone();
    let sends = state.event_sends.clone();
    tokio::spawn(async move {
        // Never closed, so a permit always comes; it only waits for its turn.
        let Ok(_turn) = sends.acquire_owned().await else { return };
        let sleep = |ms: u32| tokio::time::sleep(std::time::Duration::from_millis(u64::from(ms)));
        if let Err(err) =
            zelly_edge::origin::send_events_with_retry(origin.as_ref(), &domain, &batch, ip.as_deref(), sleep).await
        {
            tracing::warn!(%domain, events = batch.events.len(), %err, "storefront events not delivered");
        }
    });
}

/// Serves until shutdown.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let origin = OriginClient::from_env().map_err(anyhow::Error::msg)?;
    // Unset (or 0) outside dev: no redirect.
    let checkout_dev_port = Some(zelly_service::port_from_env("CHECKOUT_DEV_PORT", 0).map_err(anyhow::Error::msg)?).filter(|p| *p != 0);
    let accounts = zelly_service::origin::AccountsClient::from_env().map_err(anyhow::Error::msg)?.map(Arc::new);
    if accounts.is_none() {
        tracing::warn!("AUTH_API_URL is not set: shoppers cannot sign in (/account answers 404)");
    }
    let router = app(AppState { checkout_dev_port, accounts, ..AppState::new(origin) }, config.assets_dir, config.bundle_dir);
    zelly_service::serve("storefront", config.listen, router).await?;
    Ok(())
}
