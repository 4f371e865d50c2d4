//! The checkout Worker (the seed's zelly-checkout): checkout's pages under `/checkout` on the
//! store's own domain (see `zelly_edge::checkout_pages`), `GET /checkout/health` and
//! `POST /checkout/quote`.
//!
//! Like the native `checkout-host`, it only moves bytes between the runtime and
//! `zelly_edge::checkout`, which decides everything.

use worker::{event, Context, Env, Headers, Request, Response, Result};
use zelly_edge::checkout::{self, CheckoutRoute, MAX_BODY_BYTES};
use zelly_edge::checkout_pages::{self, PageRequest, PaymentPage};
use zelly_edge::workers::{request_host, WorkerOrigin};
use zelly_edge::ApiErrorBody;

fn json_error(status: u16, body: &ApiErrorBody) -> Result<Response> {
    Ok(Response::from_json(body)?.with_status(status))
}

/// The client of core-api from the Worker's configuration, or the 500 to answer without it.
fn origin(env: &Env) -> std::result::Result<WorkerOrigin, Result<Response>> {
    WorkerOrigin::from_env(env).map_err(|message| {
        worker::console_error!("{message}");
        json_error(500, &ApiErrorBody::new("misconfigured", "checkout is not configured"))
    })
}

/// The Worker's entry point.
#[event(fetch)]
pub async fn main(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let method = req.method().to_string();
    match CheckoutRoute::resolve(&method, &req.path()) {
        CheckoutRoute::Health => Response::from_json(&checkout::health_body("workers")),
        CheckoutRoute::Page(route) => {
            let origin = match origin(&env) {
                Ok(origin) => origin,
                Err(misconfigured) => return misconfigured,
            };
            // Dev only: the Razorpay stand-in's payment page instead of Standard Checkout.
            let standin = env.var("RAZORPAY_STANDIN_URL").ok().map(|v| v.to_string());
            let payment = PaymentPage::from_setting(standin.as_deref());
            let host = request_host(&req);
            let scheme = req.url()?.scheme().to_owned();
            let cookies = req.headers().get("cookie")?;
            let body = if method == "POST" { req.bytes().await? } else { Vec::new() };
            let request = PageRequest {
                scheme: &scheme,
                host: &host,
                cookies: cookies.as_deref(),
                body: &body,
                now_ms: worker::Date::now().as_millis() as i64,
                random: zelly_edge::workers::random_bytes()?,
            };
            // customer-auth, for signed-in shoppers and the address check (optional).
            let accounts = zelly_edge::workers::WorkerAccounts::from_env(&env);
            let page = checkout_pages::serve(&origin, accounts.as_ref(), &payment, route, &request).await;
            if let Some(problem) = &page.problem {
                worker::console_error!("checkout page failed ({}): {problem}", page.status);
            }
            let headers = Headers::new();
            for (name, value) in page.headers() {
                headers.append(name, &value)?;
            }
            Ok(Response::ok(page.body)?.with_status(page.status).with_headers(headers))
        }
        CheckoutRoute::Quote => {
            let origin = match origin(&env) {
                Ok(origin) => origin,
                Err(misconfigured) => return misconfigured,
            };
            let host = request_host(&req);
            let body = req.bytes().await?;
            if body.len() > MAX_BODY_BYTES {
                return json_error(413, &ApiErrorBody::new("too_large", "request body is too large"));
            }
            match checkout::quote(&origin, &host, &body).await {
                Ok(quote) => Response::from_json(&quote),
                Err(err) => json_error(err.status(), &err.body()),
            }
        }
        CheckoutRoute::MethodNotAllowed => {
            json_error(405, &ApiErrorBody::new("method_not_allowed", "method not allowed on this route"))
        }
        CheckoutRoute::NotFound => json_error(404, &ApiErrorBody::new("not_found", "route not found")),
    }
}
