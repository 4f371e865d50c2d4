//! The checkout Worker (the seed's zelly-checkout): `GET /checkout/health`, `POST /checkout/quote`.
//!
//! Like the native `checkout-host`, it only moves bytes between the runtime and
//! `zelly_edge::checkout`, which decides everything.

use worker::{event, Context, Env, Request, Response, Result};
use zelly_edge::checkout::{self, CheckoutRoute, MAX_BODY_BYTES};
use zelly_edge::workers::{request_host, WorkerOrigin};
use zelly_edge::ApiErrorBody;

fn json_error(status: u16, body: &ApiErrorBody) -> Result<Response> {
    Ok(Response::from_json(body)?.with_status(status))
}

/// The Worker's entry point.
#[event(fetch)]
pub async fn main(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let method = req.method().to_string();
    match CheckoutRoute::resolve(&method, &req.path()) {
        CheckoutRoute::Health => Response::from_json(&checkout::health_body("workers")),
        CheckoutRoute::Quote => {
            let origin = match WorkerOrigin::from_env(&env) {
                Ok(origin) => origin,
                Err(message) => {
                    worker::console_error!("{message}");
                    return json_error(500, &ApiErrorBody::new("misconfigured", "checkout is not configured"));
                }
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
