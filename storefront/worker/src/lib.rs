//! The storefront render path as a Cloudflare Worker.
//!
//! Static files under `/assets` are served by Workers Static Assets before this code runs; every
//! other request is rendered by `storefront_app::render_request`, the same function the native host
//! calls, so both produce the same HTML. Analytics events leave through `waitUntil`, after the
//! response, exactly as the native host sends them from a background task.

use storefront_app::analytics::{self, BrowserEventsError};
use storefront_app::resolve::DomainCache;
use worker::{event, Cache, Context, Env, Headers, Method, Request, Response, Result};
use zelly_edge::events::EventBatch;
use zelly_edge::workers::{request_host, WorkerOrigin};
use zelly_edge::DomainName;

/// The Worker's entry point.
#[event(fetch)]
pub async fn main(mut req: Request, env: Env, ctx: Context) -> Result<Response> {
    if req.path() == "/health" {
        return Response::from_json(&serde_json::json!({ "status": "ok", "service": "storefront", "host": "workers" }));
    }
    let origin = match WorkerOrigin::from_env(&env) {
        Ok(origin) => origin,
        Err(message) => {
            worker::console_error!("{message}");
            let page = storefront_app::render_unavailable();
            return Ok(Response::from_html(page.html)?.with_status(500));
        }
    };
    if req.path() == "/allow-cert" {
        return allow_cert(&req, &origin).await;
    }
    let now = worker::Date::now().as_millis() as i64;
    if req.path() == analytics::BROWSER_EVENTS_PATH && req.method() == Method::Post {
        return browser_events(&mut req, origin, &ctx).await;
    }
    if req.path() == "/cart" && req.method() == Method::Post {
        return cart_post(&mut req, origin, &ctx).await;
    }
    if storefront_app::account::is_account_path(&req.path()) {
        return account(&mut req, &env, &origin).await;
    }
    let cookies = req.headers().get("cookie")?;
    let url = req.url()?;
    let host = request_host(&req);
    let path = req.path();
    // Dev only: checkout runs under its own port (in production its route takes /checkout*).
    let checkout_dev_port = env.var("CHECKOUT_DEV_PORT").ok().and_then(|v| v.to_string().parse::<u16>().ok());
    if let Some(to) = storefront_app::dev_checkout_redirect(&host, &path, url.query(), checkout_dev_port) {
        return Response::redirect_with_status(worker::Url::parse(&to)?, 307);
    }
    let domain = zelly_edge::host::normalize_host(&host).ok();
    // Pages every shopper of a store sees alike are kept in the edge cache, per store and store
    // version (see `page_cache_key`).
    let cache_key = match &domain {
        Some(domain) if req.method() == Method::Get && storefront_app::StorefrontRoute::is_shared(&path) => {
            page_cache_key(&origin, domain, &path, url.query(), now).await
        }
        _ => None,
    };
    if let (Some(key), Some(domain)) = (&cache_key, &domain)
        && let Some(hit) = Cache::default().get(key.as_str(), false).await?
    {
        return answer_from_cache(hit, &req, cookies.as_deref(), origin, domain.clone(), &ctx).await;
    }
    let request = storefront_app::PageRequest { host: &host, path: &path, query: url.query(), cookies: cookies.as_deref(), now_ms: now };
    let page = storefront_app::render_request(&origin, domains(), &request).await;
    let headers = Headers::new();
    headers.set("content-type", page.content_type)?;
    if let Some(key) = cache_key.filter(|_| page.status == 200) {
        let stored = Headers::new();
        stored.set("content-type", page.content_type)?;
        stored.set("cache-control", &format!("public, max-age={PAGE_TTL_SECS}"))?;
        if let Some(product) = page.analytics.as_ref().and_then(|a| a.product_id) {
            stored.set("x-zelly-product", &product.to_string())?;
        }
        // Kept with no shopper's cart count in it; each answer from the cache puts its own in.
        let copy = Response::from_html(storefront_app::with_cart_count(&page.html, 0))?.with_headers(stored);
        ctx.wait_until(async move {
            if let Err(err) = Cache::default().put(key.as_str(), copy).await {
                worker::console_warn!("page not cached: {err}");
            }
        });
        headers.set("x-zelly-cache", "miss")?;
    }
    if req.path().starts_with("/cart") {
        // One shopper's own page: never stored by a shared cache.
        headers.set("cache-control", "private, no-store")?;
    }
    if let Some(page_analytics) = &page.analytics {
        let session = visit(&req, &headers)?;
        let batch = analytics::page_events(page_analytics, &session, &req.path());
        send_after_response(&ctx, origin, page_analytics.domain.clone(), batch, shopper_ip(&req));
    }
    Ok(Response::from_html(page.html)?.with_status(page.status).with_headers(headers))
}

/// How long a cached page is served before it is rendered again, even when the store has not
/// changed: as long as the native host keeps one.
const PAGE_TTL_SECS: i64 = storefront_app::page_cache::PageCache::PAGE_TTL_MS / 1000;
/// How long this isolate trusts a store version before asking origin again: the native host's
/// interval, the bound the README promises for a merchant's change.
const VERSION_TTL_MS: i64 = storefront_app::page_cache::PageCache::DEFAULT_VERSION_TTL_MS;

/// Store versions this isolate has asked origin for, each trusted for [`VERSION_TTL_MS`].
fn versions() -> &'static storefront_app::resolve::TtlMap<i64> {
    static VERSIONS: std::sync::OnceLock<storefront_app::resolve::TtlMap<i64>> = std::sync::OnceLock::new();
    VERSIONS.get_or_init(|| storefront_app::resolve::TtlMap::new(storefront_app::resolve::DomainCache::MAX_ENTRIES))
}

/// The cache key of a shared page: the store's domain and its current version are part of it, so
/// no key is ever shared by two stores, and a catalog or settings change (which raises the
/// version) sends the next request to a fresh render. `None` (no caching) when origin cannot say
/// the version, e.g. for an unknown or suspended store.
async fn page_cache_key(origin: &WorkerOrigin, domain: &DomainName, path: &str, query: Option<&str>, now: i64) -> Option<String> {
    use zelly_edge::origin::StorefrontOrigin;
    let version = match versions().get(domain, now) {
        Some(version) => version,
        None => {
            let version = origin.store_version(domain).await.ok()?;
            versions().put(domain, version, now + VERSION_TTL_MS, now);
            version
        }
    };
    let query = query.filter(|q| !q.is_empty()).map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("https://{domain}/__zelly-cache/v{version}{path}{query}"))
}

/// A page from the edge cache, with this shopper's cart count, visit cookie and page events added.
async fn answer_from_cache(mut hit: Response, req: &Request, cookies: Option<&str>, origin: WorkerOrigin, domain: DomainName, ctx: &Context) -> Result<Response> {
    let content_type = hit.headers().get("content-type")?.unwrap_or_else(|| storefront_app::HTML.to_owned());
    let product_id = hit.headers().get("x-zelly-product")?.and_then(|v| v.parse().ok());
    let body = hit.text().await?;
    let body = if content_type == storefront_app::HTML { storefront_app::with_cart_count_from(&body, cookies) } else { body };
    let headers = Headers::new();
    headers.set("content-type", &content_type)?;
    headers.set("x-zelly-cache", "hit")?;
    if content_type == storefront_app::HTML {
        let session = visit(req, &headers)?;
        let page = analytics::PageAnalytics { domain: domain.clone(), product_id, search: None };
        let batch = analytics::page_events(&page, &session, &req.path());
        send_after_response(ctx, origin, domain, batch, shopper_ip(req));
    }
    Ok(Response::from_html(body)?.with_headers(headers))
}

/// `POST /_zelly/events` from the page's script: 202 at once, the events follow in `waitUntil`.
async fn browser_events(req: &mut Request, origin: WorkerOrigin, ctx: &Context) -> Result<Response> {
    let Ok(domain) = zelly_edge::host::normalize_host(&request_host(req)) else {
        return Response::error("no store on this host", 404);
    };
    let declared = req.headers().get("content-length")?.and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > analytics::MAX_BROWSER_EVENTS_BYTES) {
        return Response::error(BrowserEventsError::TooLarge.to_string(), 413);
    }
    let body = req.bytes().await?;
    let headers = Headers::new();
    let session = visit(req, &headers)?;
    match analytics::browser_events(&body, &session) {
        Ok(batch) => {
            send_after_response(ctx, origin, domain, batch, shopper_ip(req));
            Ok(Response::empty()?.with_status(202).with_headers(headers))
        }
        Err(BrowserEventsError::TooLarge) => Response::error(BrowserEventsError::TooLarge.to_string(), 413),
        Err(err) => Response::error(err.to_string(), 400),
    }
}

/// `POST /cart`, as the native host answers it: the form applied to the cart cookie and a 303 to
/// the cart (naming a line capped at the stock left), or 400/413 with the reason; an added
/// variant is an `add_to_cart` event.
async fn cart_post(req: &mut Request, origin: WorkerOrigin, ctx: &Context) -> Result<Response> {
    use storefront_app::cart::{post, wants_json, CartAction, CartFailure, MAX_FORM_BYTES};
    let Ok(domain) = zelly_edge::host::normalize_host(&request_host(req)) else {
        return Response::error("no store on this host", 404);
    };
    let declared = req.headers().get("content-length")?.and_then(|v| v.parse::<usize>().ok());
    let body = if declared.is_some_and(|n| n > MAX_FORM_BYTES) { vec![0; MAX_FORM_BYTES + 1] } else { req.bytes().await? };
    let cookies = req.headers().get("cookie")?;
    let json = wants_json(req.headers().get("accept")?.as_deref());
    match post(&origin, &domain, cookies.as_deref(), &body).await {
        Ok(posted) => {
            let headers = Headers::new();
            let (location, summary) = (posted.location(), posted.summary());
            let (cart, action) = (posted.cart, posted.action);
            headers.set("cache-control", "private, no-store")?;
            let https = req.url().is_ok_and(|url| url.scheme() == "https");
            headers.append("set-cookie", &cart.set_cookie(https))?;
            if let CartAction::Add { product_id, variant_id, quantity } = action {
                let session = visit(req, &headers)?;
                let batch = analytics::add_to_cart_event(&session, product_id, variant_id, quantity);
                send_after_response(ctx, origin, domain, batch, shopper_ip(req));
            }
            if json {
                headers.set("content-type", "application/json")?;
                return Ok(Response::ok(serde_json::to_string(&summary)?)?.with_headers(headers));
            }
            headers.set("location", &location)?;
            Ok(Response::empty()?.with_status(303).with_headers(headers))
        }
        Err(err) => {
            if json {
                return Ok(Response::from_json(&CartFailure { error: err.to_string() })?.with_status(err.status()));
            }
            let page = storefront_app::render_cart_error(None, &err.to_string());
            let html = storefront_app::with_cart_count_from(&page.html, cookies.as_deref());
            let headers = Headers::new();
            headers.set("content-type", page.content_type)?;
            Ok(Response::from_html(html)?.with_status(err.status()).with_headers(headers))
        }
    }
}

/// The visit id from the cookie, or a new one; the cookie is (re)set on the response either way.
fn visit(req: &Request, headers: &Headers) -> Result<String> {
    let cookies = req.headers().get("cookie")?;
    let session = match analytics::session_from_cookies(cookies.as_deref()) {
        Some(session) => session,
        None => analytics::new_session_id(zelly_edge::workers::random_bytes()?),
    };
    let https = req.url().is_ok_and(|url| url.scheme() == "https");
    headers.append("set-cookie", &analytics::session_cookie(&session, https))?;
    Ok(session)
}

/// The shopper's address as Cloudflare reports it.
fn shopper_ip(req: &Request) -> Option<String> {
    req.headers().get("cf-connecting-ip").ok().flatten().filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
}

/// Sends events to core-api once the response is on its way, retrying briefly if it is busy.
fn send_after_response(ctx: &Context, origin: WorkerOrigin, domain: DomainName, batch: EventBatch, ip: Option<String>) {
    ctx.wait_until(async move {
        let sleep = |ms: u32| worker::Delay::from(std::time::Duration::from_millis(u64::from(ms)));
        if let Err(err) =
            zelly_edge::origin::send_events_with_retry(&origin, &domain, &batch, ip.as_deref(), sleep).await
        {
            worker::console_warn!("storefront events for {domain} not delivered: {err}");
        }
    });
}

/// What origin said about domains lately, kept for the life of this isolate (see
/// `storefront_app::resolve`).
fn domains() -> &'static DomainCache {
    static DOMAINS: std::sync::OnceLock<DomainCache> = std::sync::OnceLock::new();
    DOMAINS.get_or_init(DomainCache::new)
}

/// The on-demand TLS question, answered like the native host does (the same function).
async fn allow_cert(req: &Request, origin: &WorkerOrigin) -> Result<Response> {
    let url = req.url()?;
    let domain = url.query_pairs().find(|(k, _)| k == "domain").map(|(_, v)| v.into_owned());
    let now = worker::Date::now().as_millis() as i64;
    match storefront_app::resolve::allow_cert(origin, domains(), domain.as_deref(), now).await {
        200 => Response::ok("ok"),
        400 => Response::error("bad domain", 400),
        404 => Response::error("unknown domain", 404),
        _ => Response::error("cannot validate", 503),
    }
}


/// The account pages (see `storefront_app::account`), answered exactly as the native host does.
async fn account(req: &mut Request, env: &Env, origin: &WorkerOrigin) -> Result<Response> {
    let Some(accounts) = zelly_edge::workers::WorkerAccounts::from_env(env) else {
        let page = storefront_app::render_not_found(None);
        return Ok(Response::from_html(page.html)?.with_status(404));
    };
    let url = req.url()?;
    let cookies = req.headers().get("cookie")?;
    let fetch_site = req.headers().get("sec-fetch-site")?;
    let origin_header = req.headers().get("origin")?;
    let host = request_host(req);
    let path = req.path();
    let mut random = [0_u8; 48];
    for chunk in random.chunks_mut(16) {
        chunk.copy_from_slice(&zelly_edge::workers::random_bytes()?);
    }
    let method = if req.method() == Method::Post { "POST" } else if req.method() == Method::Get { "GET" } else { "OTHER" };
    let body = if method == "POST" { req.bytes().await? } else { Vec::new() };
    if body.len() > storefront_app::account::MAX_FORM_BYTES {
        return Response::error("The form is too large.", 413);
    }
    let request = storefront_app::account::AccountRequest {
        method,
        host: &host,
        path: &path,
        query: url.query(),
        cookies: cookies.as_deref(),
        fetch_site: fetch_site.as_deref(),
        origin: origin_header.as_deref(),
        body: &body,
        https: url.scheme() == "https",
        random,
        now_ms: worker::Date::now().as_millis() as i64,
    };
    let answer = storefront_app::account::handle(&accounts, origin, &request).await;
    let headers = Headers::new();
    headers.set("cache-control", "private, no-store")?;
    if let Some(to) = &answer.location {
        headers.set("location", to)?;
    }
    for cookie in &answer.set_cookies {
        headers.append("set-cookie", cookie)?;
    }
    let response = match answer.page {
        Some(page) => {
            headers.set("content-type", page.content_type)?;
            Response::from_html(page.html)?
        }
        None => Response::empty()?,
    };
    Ok(response.with_status(answer.status).with_headers(headers))
}
