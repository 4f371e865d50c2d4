//! Native host of the checkout Worker's routes: checkout's pages under `/checkout`,
//! `GET /checkout/health` and `POST /checkout/quote`.
//!
//! The routing and pricing decisions are `zelly_edge::checkout`'s; this crate only moves bytes
//! between axum and that logic, exactly as `checkout-worker` does between workerd and it.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::trace::TraceLayer;
use zelly_edge::checkout::{self, CheckoutRoute, MAX_BODY_BYTES};
use zelly_edge::checkout_pages::{self, PageRequest, PaymentPage};
use zelly_edge::ApiErrorBody;
use zelly_service::origin::{AccountsClient, OriginClient};

/// Shared state: the client of core-api.
#[derive(Clone)]
pub struct AppState {
    /// core-api's storefront API, the only source of prices.
    pub origin: Arc<OriginClient>,
    /// Where shoppers pay: Standard Checkout, or the stand-in's page (`RAZORPAY_STANDIN_URL`).
    pub payment: Arc<PaymentPage>,
    /// customer-auth (`AUTH_API_URL`): signed-in shoppers' addresses, the address check and the
    /// account an order belongs to. Without it checkout is for guests, addresses unverified.
    pub accounts: Option<Arc<AccountsClient>>,
}

/// Where to listen: `BIND` (default 0.0.0.0) and `PORT` (default 8787, wrangler's).
pub fn listen_from_env() -> Result<SocketAddr, String> {
    zelly_service::listen_from_env(8787)
}

/// Every request goes through [`handle`], which routes like the Worker does.
pub fn app(state: AppState) -> Router {
    Router::new()
        .fallback(handle)
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
}

/// Routes and answers one checkout request.
pub async fn handle(State(state): State<AppState>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    match CheckoutRoute::resolve(method.as_str(), uri.path()) {
        CheckoutRoute::Health => Json(checkout::health_body("native")).into_response(),
        CheckoutRoute::Page(route) => {
            // Behind a TLS-terminating proxy (Caddy) the shopper's scheme comes in X-Forwarded-Proto.
            let https = headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"));
            let request = PageRequest {
                scheme: if https { "https" } else { "http" },
                host,
                cookies: headers.get(header::COOKIE).and_then(|v| v.to_str().ok()),
                body: &body,
                now_ms: zelly_service::now_ms(),
                random: *uuid::Uuid::new_v4().as_bytes(),
            };
            let page = checkout_pages::serve(state.origin.as_ref(), state.accounts.as_deref(), &state.payment, route, &request).await;
            if let Some(problem) = &page.problem {
                tracing::warn!(%problem, status = page.status, "checkout page failed");
            }
            let mut response = (StatusCode::from_u16(page.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), page.body.clone()).into_response();
            for (name, value) in page.headers() {
                if let Ok(value) = header::HeaderValue::from_str(&value) {
                    if name == "set-cookie" {
                        response.headers_mut().append(name, value);
                    } else {
                        response.headers_mut().insert(name, value);
                    }
                }
            }
            response
        }
        CheckoutRoute::Quote => match checkout::quote(state.origin.as_ref(), host, &body).await {
            Ok(quote) => Json(quote).into_response(),
            Err(err) => {
                let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, Json(err.body())).into_response()
            }
        },
        CheckoutRoute::MethodNotAllowed => (
            StatusCode::METHOD_NOT_ALLOWED,
            Json(ApiErrorBody::new("method_not_allowed", "method not allowed on this route")),
        )
            .into_response(),
        CheckoutRoute::NotFound => {
            (StatusCode::NOT_FOUND, Json(ApiErrorBody::new("not_found", "route not found"))).into_response()
        }
    }
}

/// Serves until shutdown.
pub async fn run() -> anyhow::Result<()> {
    let listen = listen_from_env().map_err(anyhow::Error::msg)?;
    let origin = OriginClient::from_env().map_err(anyhow::Error::msg)?;
    let payment = PaymentPage::from_setting(std::env::var("RAZORPAY_STANDIN_URL").ok().as_deref());
    if let PaymentPage::StandIn(url) = &payment {
        tracing::warn!(%url, "payments go to the Razorpay stand-in (RAZORPAY_STANDIN_URL): dev and tests only");
    }
    let accounts = AccountsClient::from_env().map_err(anyhow::Error::msg)?.map(Arc::new);
    if accounts.is_none() {
        tracing::warn!("AUTH_API_URL is not set: checkout is for guests only and addresses stay unverified");
    }
    zelly_service::serve("checkout-host", listen, app(AppState { origin: Arc::new(origin), payment: Arc::new(payment), accounts })).await?;
    Ok(())
}
