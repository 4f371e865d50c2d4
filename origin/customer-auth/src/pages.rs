//! customer-auth's pages: sign in (for a store domain, see [`crate::flow`]), open an account, and
//! the pages emailed links open: confirm an address, choose a new password, ask for a reset link.
//!
//! Plain HTML forms that post back to the same address (no script), readable on a 390 px phone.
//! They carry a secret in their address, so they are never cached and never send it as a referrer
//! to another site (`same-origin`: their own forms still carry a real `Origin`, which `no-referrer`
//! would turn into `null`).

use crate::flow::{self, FlowParams};
use crate::routes::{self, Refusal, RequestFacts, Shop};
use crate::session::{self, hashed};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use zelly_service::{ApiError, AppQuery};

/// The pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/stores/{domain}/verify-email", get(confirm_page).post(confirm_submit))
        .route("/stores/{domain}/reset-password", get(reset_page).post(reset_submit))
        .route("/stores/{domain}/forgot-password", get(forgot_page).post(forgot_submit))
        .route("/stores/{domain}/sign-in", get(sign_in_page).post(sign_in_submit))
        .route("/stores/{domain}/sign-up", get(sign_up_page).post(sign_up_submit))
}

/// A link's `?token=`.
#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    /// The secret from the email.
    #[serde(default)]
    pub token: String,
}

fn text(value: &str) -> String {
    html_escape::encode_text(value).into_owned()
}

fn attr(value: &str) -> String {
    html_escape::encode_double_quoted_attribute(value).into_owned()
}

/// A whole page: the store's name as its heading, then `body` (already HTML).
fn page(status: StatusCode, store: &str, title: &str, body: &str) -> Response {
    page_posting_to(status, store, title, body, None)
}

/// A [`page`] whose form may also end up at `origin` (the sign-in form, which is answered with a
/// redirect to the store's domain: browsers hold redirects after a post to `form-action` too).
fn page_posting_to(status: StatusCode, store: &str, title: &str, body: &str, origin: Option<&str>) -> Response {
    let csp = format!(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'{}; frame-ancestors 'none'",
        origin.map(|o| format!(" {o}")).unwrap_or_default()
    );
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · {store}</title><style>\
         body{{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f6f4;color:#1d1d1b}}\
         main{{max-width:26rem;margin:0 auto;padding:2rem 1rem}}\
         h1{{font-size:1.1rem;margin:0 0 1.5rem;color:#555}}h2{{font-size:1.5rem;margin:0 0 1rem}}\
         label{{display:block;margin:0 0 1rem;font-weight:600}}\
         input{{display:block;box-sizing:border-box;width:100%;min-height:44px;margin-top:.25rem;padding:.5rem;font:inherit;border:1px solid #999;border-radius:6px}}\
         button{{min-height:44px;width:100%;padding:.5rem 1rem;font:inherit;font-weight:600;color:#fff;background:#1d1d1b;border:0;border-radius:6px}}\
         .error{{color:#a4161a}}</style></head>\
         <body><main><h1>{store}</h1><h2>{title}</h2>{body}</main></body></html>",
        store = text(store),
        title = text(title),
    );
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::REFERRER_POLICY, "same-origin"),
            (header::CONTENT_SECURITY_POLICY, csp.as_str()),
        ],
        Html(html),
    )
        .into_response()
}

/// A page for a request that failed: the error's words, and its status.
fn failure(store: &str, title: &str, error: &ApiError) -> Response {
    let status = error.to_string();
    let code = match error {
        ApiError::Gone(_) => StatusCode::GONE,
        ApiError::Conflict(_) => StatusCode::CONFLICT,
        ApiError::InvalidFields(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => return ApiError::Internal(status.into()).into_response(),
    };
    let message = match error {
        ApiError::InvalidFields(fields) => fields.values().map(|m| format!("The password {m}.")).collect::<Vec<_>>().join(" "),
        _ => {
            let mut chars = status.chars();
            let first: String = chars.next().map(|c| c.to_uppercase().collect()).unwrap_or_default();
            format!("{first}{}.", chars.as_str())
        }
    };
    page(code, store, title, &format!("<p class=\"error\" role=\"alert\">{}</p>", text(&message)))
}

/// Reads a posted form's fields.
fn form(body: &Bytes) -> std::collections::HashMap<String, String> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// `GET /stores/{domain}/verify-email?token=`: a button, so that a mail scanner following the
/// link does not spend it.
pub async fn confirm_page(shop: Shop, AppQuery(query): AppQuery<LinkQuery>) -> Response {
    page(
        StatusCode::OK,
        &shop.tenant.name,
        "Confirm your email",
        &format!(
            "<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
             <button type=\"submit\">Confirm my email</button></form>",
            attr(&query.token)
        ),
    )
}

/// `POST /stores/{domain}/verify-email`.
pub async fn confirm_submit(shop: Shop, State(state): State<AppState>, body: Bytes) -> Response {
    let token = form(&body).remove("token").unwrap_or_default();
    match routes::confirm_address(&state, &shop, &token).await {
        Ok(customer) => page(
            StatusCode::OK,
            &shop.tenant.name,
            "Your email is confirmed",
            &format!("<p>{} is confirmed. You can close this page and sign in at the store.</p>", text(&customer.email)),
        ),
        Err(error) => failure(&shop.tenant.name, "This link does not work", &error),
    }
}

/// `GET /stores/{domain}/reset-password?token=`: the new password, twice.
pub async fn reset_page(shop: Shop, AppQuery(query): AppQuery<LinkQuery>) -> Response {
    page(
        StatusCode::OK,
        &shop.tenant.name,
        "Choose a new password",
        &format!(
            "<form method=\"post\"><input type=\"hidden\" name=\"token\" value=\"{}\">\
             <label>New password (8 to 128 characters)<input type=\"password\" name=\"password\" autocomplete=\"new-password\" minlength=\"8\" maxlength=\"128\" required></label>\
             <label>The same again<input type=\"password\" name=\"confirm\" autocomplete=\"new-password\" required></label>\
             <button type=\"submit\">Save the new password</button></form>",
            attr(&query.token)
        ),
    )
}

/// `POST /stores/{domain}/reset-password`.
pub async fn reset_submit(shop: Shop, State(state): State<AppState>, body: Bytes) -> Response {
    let mut fields = form(&body);
    let (token, password) = (fields.remove("token").unwrap_or_default(), fields.remove("password").unwrap_or_default());
    if fields.remove("confirm").unwrap_or_default() != password {
        let body = "<p class=\"error\" role=\"alert\">The two passwords are not the same. Go back and type them again.</p>";
        return page(StatusCode::UNPROCESSABLE_ENTITY, &shop.tenant.name, "Choose a new password", body);
    }
    match routes::reset_password(&state, &shop, &token, &password).await {
        Ok(_) => page(
            StatusCode::OK,
            &shop.tenant.name,
            "Your password is changed",
            "<p>Sign in at the store with the new password. Every other device was signed out.</p>",
        ),
        Err(error) => failure(&shop.tenant.name, "The password was not changed", &error),
    }
}

/// `GET /stores/{domain}/forgot-password`: ask for a reset link.
pub async fn forgot_page(shop: Shop) -> Response {
    page(
        StatusCode::OK,
        &shop.tenant.name,
        "Forgot your password?",
        "<form method=\"post\"><label>Your email<input type=\"email\" name=\"email\" autocomplete=\"email\" required></label>\
         <button type=\"submit\">Email me a link</button></form>",
    )
}

/// `POST /stores/{domain}/forgot-password`.
pub async fn forgot_submit(shop: Shop, State(state): State<AppState>, body: Bytes) -> Response {
    let email = form(&body).remove("email").unwrap_or_default();
    routes::request_reset_for(&state, &shop, &email).await;
    page(
        StatusCode::ACCEPTED,
        &shop.tenant.name,
        "Check your email",
        "<p>If an account at this store uses that address, we emailed it a link to choose a new password. It works for one hour.</p>",
    )
}

/// The flow's parameters as hidden fields, so that the form posts them back.
fn hidden(params: &FlowParams) -> String {
    [("redirect_uri", &params.redirect_uri), ("code_challenge", &params.code_challenge), ("state", &params.state)]
        .iter()
        .map(|(name, value)| format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", attr(value)))
        .collect()
}

/// The sign-in form, with `error` above it.
fn sign_in_form(status: StatusCode, shop: &Shop, params: &FlowParams, redirect: &url::Url, error: Option<&str>) -> Response {
    let error = error.map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", text(e))).unwrap_or_default();
    let body = format!(
        "{error}<form method=\"post\">{hidden}\
         <label>Email<input type=\"email\" name=\"email\" autocomplete=\"username\" required></label>\
         <label>Password<input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>\
         <button type=\"submit\">Sign in</button></form>\
         <p><a href=\"/stores/{domain}/sign-up\">New here? Create an account</a></p>\
         <p><a href=\"/stores/{domain}/forgot-password\">Forgot your password?</a></p>",
        hidden = hidden(params),
        domain = attr(&shop.domain),
    );
    page_posting_to(status, &shop.tenant.name, "Sign in", &body, Some(&redirect.origin().ascii_serialization()))
}

/// Sends the browser back to the store domain with a code for `family_hash`'s sign-in, setting
/// `cookie` (a new sign-in's session) on the way.
async fn back_to_store(
    state: &AppState,
    shop: &Shop,
    customer: uuid::Uuid,
    family_hash: &str,
    redirect: &url::Url,
    params: &FlowParams,
    cookie: Option<axum::http::HeaderValue>,
) -> Response {
    match flow::issue(state, shop, customer, family_hash, redirect, params).await {
        Ok(back) => {
            let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response();
            if let Some(cookie) = cookie {
                response.headers_mut().insert(header::SET_COOKIE, cookie);
            }
            response.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            response
        }
        Err(error) => failure(&shop.tenant.name, "You could not be signed in", &error),
    }
}

/// `GET /stores/{domain}/sign-in?redirect_uri=…&code_challenge=…&state=…`: a shopper already
/// signed in here for this store goes straight back with a code; anyone else gets the form.
pub async fn sign_in_page(shop: Shop, State(state): State<AppState>, headers: axum::http::HeaderMap, AppQuery(params): AppQuery<FlowParams>) -> Response {
    let redirect = match flow::check(&state, &shop, &params).await {
        Ok(url) => url,
        Err(why) => return page(StatusCode::BAD_REQUEST, &shop.tenant.name, "This sign-in link does not work", &format!("<p class=\"error\" role=\"alert\">{}.</p>", text(why))),
    };
    if let Some(secret) = session::presented(&headers) {
        let family = hashed(&secret);
        let live = state.store.customer_session(shop.tenant.id, &family, zelly_service::now_ms(), zelly_edge::customers::SESSION_IDLE_MS).await;
        if let Ok(Some(customer)) = live {
            return back_to_store(&state, &shop, customer.id, &family, &redirect, &params, None).await;
        }
    }
    sign_in_form(StatusCode::OK, &shop, &params, &redirect, None)
}

/// `POST /stores/{domain}/sign-in`: the form.
pub async fn sign_in_submit(shop: Shop, State(state): State<AppState>, facts: RequestFacts, body: Bytes) -> Response {
    let mut fields = form(&body);
    let params = FlowParams {
        redirect_uri: fields.remove("redirect_uri").unwrap_or_default(),
        code_challenge: fields.remove("code_challenge").unwrap_or_default(),
        code_challenge_method: None,
        state: fields.remove("state").unwrap_or_default(),
    };
    let redirect = match flow::check(&state, &shop, &params).await {
        Ok(url) => url,
        Err(why) => return page(StatusCode::BAD_REQUEST, &shop.tenant.name, "This sign-in link does not work", &format!("<p class=\"error\" role=\"alert\">{}.</p>", text(why))),
    };
    let (email, password) = (fields.remove("email").unwrap_or_default(), fields.remove("password").unwrap_or_default());
    match routes::authenticate(&state, &shop, &email, &password, &facts).await {
        Ok((customer, secret)) => {
            let cookie = session::set_cookie(&secret, zelly_edge::customers::SESSION_LIFETIME_MS / 1000);
            back_to_store(&state, &shop, customer.id, &hashed(&secret), &redirect, &params, Some(cookie)).await
        }
        Err(Refusal::Wrong) => sign_in_form(StatusCode::UNAUTHORIZED, &shop, &params, &redirect, Some(routes::WRONG)),
        Err(Refusal::TooMany) => sign_in_form(StatusCode::TOO_MANY_REQUESTS, &shop, &params, &redirect, Some(routes::TOO_MANY)),
        Err(Refusal::Unverified) => sign_in_form(StatusCode::FORBIDDEN, &shop, &params, &redirect, Some(routes::UNVERIFIED)),
        Err(Refusal::Failed(error)) => failure(&shop.tenant.name, "You could not be signed in", &error),
    }
}

/// `GET /stores/{domain}/sign-up`: open an account.
pub async fn sign_up_page(shop: Shop) -> Response {
    page(
        StatusCode::OK,
        &shop.tenant.name,
        "Create an account",
        "<form method=\"post\">\
         <label>Name (optional)<input type=\"text\" name=\"name\" autocomplete=\"name\" maxlength=\"100\"></label>\
         <label>Email<input type=\"email\" name=\"email\" autocomplete=\"email\" required></label>\
         <label>Password (8 to 128 characters)<input type=\"password\" name=\"password\" autocomplete=\"new-password\" minlength=\"8\" maxlength=\"128\" required></label>\
         <button type=\"submit\">Create my account</button></form>",
    )
}

/// `POST /stores/{domain}/sign-up`.
pub async fn sign_up_submit(shop: Shop, State(state): State<AppState>, body: Bytes) -> Response {
    let mut fields = form(&body);
    let input = zelly_edge::customers::SignUpInput {
        email: fields.remove("email").unwrap_or_default(),
        password: fields.remove("password").unwrap_or_default(),
        name: fields.remove("name").unwrap_or_default(),
    };
    match routes::open_account(&state, &shop, &input).await {
        Ok(()) => page(StatusCode::ACCEPTED, &shop.tenant.name, "Check your email", &format!("<p>{}</p>", text(routes::CHECK_EMAIL))),
        Err(ApiError::InvalidFields(fields)) => {
            let list: String = fields.iter().map(|(field, why)| format!("<li>The {} {}.</li>", text(field), text(why))).collect();
            page(StatusCode::UNPROCESSABLE_ENTITY, &shop.tenant.name, "Create an account", &format!("<ul class=\"error\" role=\"alert\">{list}</ul><p>Go back and correct it.</p>"))
        }
        Err(error) => failure(&shop.tenant.name, "The account was not created", &error),
    }
}
