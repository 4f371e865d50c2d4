//! The storefront render path as a Cloudflare Worker.
//!
//! Static files under `/assets` are served by Workers Static Assets before this code runs; every
//! other request is rendered by `storefront_app::render_request`, the same function the native host
//! calls, so both produce the same HTML.

use worker::{event, Context, Env, Headers, Request, Response, Result};
use zelly_edge::workers::{request_host, WorkerOrigin};

/// The Worker's entry point.
#[event(fetch)]
pub async fn main(req: Request, env: Env, _ctx: Context) -> Result<Response> {
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
    let page = storefront_app::render_request(&origin, &request_host(&req), &req.path()).await;
    let headers = Headers::new();
    headers.set("content-type", "text/html; charset=utf-8")?;
    Ok(Response::from_html(page.html)?.with_status(page.status).with_headers(headers))
}

/// The on-demand TLS question, answered like the native host does.
async fn allow_cert(req: &Request, origin: &WorkerOrigin) -> Result<Response> {
    use zelly_edge::origin::StorefrontOrigin;
    let url = req.url()?;
    let domain = url.query_pairs().find(|(k, _)| k == "domain").map(|(_, v)| v.into_owned());
    let Some(Ok(domain)) = domain.map(|d| zelly_edge::host::normalize_host(&d)) else {
        return Response::error("bad domain", 400);
    };
    match origin.validate_domain(&domain).await {
        Ok(true) => Response::ok("ok"),
        Ok(false) => Response::error("unknown domain", 404),
        Err(_) => Response::error("cannot validate", 503),
    }
}
