//! Shoppers' sign-in on the store's own domain, and `/account`, for both storefront hosts.
//!
//! - `GET /account/sign-in` sends the shopper to customer-auth's sign-in page with this domain's
//!   callback as the return URL, a PKCE challenge and a `state`; the verifier and the state wait in
//!   a `__Host-` cookie for ten minutes.
//! - `GET /account/callback?code=&state=` checks the state against that cookie and has the host's
//!   server exchange the code (with the verifier) for a session of this domain, kept in the
//!   `__Host-zelly_session` cookie. A shopper already signed in on another domain of the store is
//!   not asked for a password again (customer-auth recognises them).
//! - `GET /account` shows the account, `POST /account/sign-out` ends the sign-in on every domain.
//!
//! These pages are one shopper's own: the hosts never cache them (`private, no-store`), and
//! shared pages only ever carry the header's plain "Account" link.

use crate::{Page, document};
use leptos::prelude::*;
use serde::Deserialize;
use zelly_edge::customers::Customer;
use zelly_edge::dto::{ListingRequest, StoreInfo};
use zelly_edge::host::normalize_host;
use zelly_edge::orders::{Order, OrderStatus};
use zelly_edge::origin::{OriginError, OriginJson, StorefrontOrigin};
use crate::seo::Head;

pub use zelly_edge::customers::SESSION_COOKIE;
/// The cookie holding a sign-in under way: `{state}.{verifier}`.
pub const FLOW_COOKIE: &str = "__Host-zelly_signin";
/// How long a sign-in may take before it must start again.
const FLOW_SECONDS: u32 = 600;

pub use zelly_edge::origin::Accounts;

/// Whether `path` is one of the account pages.
pub fn is_account_path(path: &str) -> bool {
    path == "/account" || path.starts_with("/account/")
}

/// What a host hands over about a request to an account page.
#[derive(Debug, Clone, Copy)]
pub struct AccountRequest<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// The `Host` header (with its port, which the return URL keeps).
    pub host: &'a str,
    /// The path.
    pub path: &'a str,
    /// The query string without `?`.
    pub query: Option<&'a str>,
    /// The `Cookie` header.
    pub cookies: Option<&'a str>,
    /// The `Sec-Fetch-Site` header, which a sign-out must have as `same-origin` when present.
    pub fetch_site: Option<&'a str>,
    /// Whether the shopper came over HTTPS.
    pub https: bool,
    /// 48 random bytes for a new sign-in's verifier and state.
    pub random: [u8; 48],
    /// Now, in Unix milliseconds.
    pub now_ms: i64,
}

/// The host's answer: a status, where to go (for redirects), cookies to set and a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountAnswer {
    /// HTTP status.
    pub status: u16,
    /// `Location`, for a redirect.
    pub location: Option<String>,
    /// `Set-Cookie` values.
    pub set_cookies: Vec<String>,
    /// The page, unless redirecting.
    pub page: Option<Page>,
}

impl AccountAnswer {
    fn redirect(to: String) -> Self {
        Self { status: 303, location: Some(to), set_cookies: Vec::new(), page: None }
    }

    fn page(page: Page) -> Self {
        Self { status: page.status, location: None, set_cookies: Vec::new(), page: Some(page) }
    }

    fn with_cookie(mut self, cookie: String) -> Self {
        self.set_cookies.push(cookie);
        self
    }
}

fn cookie_value<'a>(cookies: Option<&'a str>, name: &str) -> Option<&'a str> {
    cookies?.split(';').filter_map(|pair| pair.trim().split_once('=')).find(|(n, _)| *n == name).map(|(_, v)| v.trim())
}

fn set_cookie(name: &str, value: &str, max_age: i64) -> String {
    format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Lax")
}

fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

/// The session id of this domain's sign-in, if the browser has one.
pub fn session_of(cookies: Option<&str>) -> Option<&str> {
    zelly_edge::customers::session_from_cookies(cookies)
}

/// Answers a request to an account page.
pub async fn handle<A: Accounts, O: StorefrontOrigin + OriginJson>(accounts: &A, origin: &O, request: &AccountRequest<'_>) -> AccountAnswer {
    let Ok(domain) = normalize_host(request.host) else {
        return AccountAnswer::page(crate::render_not_found(None));
    };
    match (request.method, request.path.trim_end_matches('/')) {
        ("GET", "/account/sign-in") => start(accounts, request, domain.as_str()),
        ("GET", "/account/callback") => finish(accounts, origin, request, domain.as_str()).await,
        ("POST", "/account/sign-out") => sign_out(accounts, request, domain.as_str()).await,
        ("GET", "/account") => account(accounts, origin, request, domain.as_str()).await,
        _ => AccountAnswer::page(crate::render_not_found(None)),
    }
}

/// The return URL: this domain's callback, as the shopper reached it.
fn callback_url(request: &AccountRequest<'_>) -> String {
    let scheme = if request.https { "https" } else { "http" };
    format!("{scheme}://{}/account/callback", request.host.trim().to_ascii_lowercase())
}

fn start<A: Accounts>(accounts: &A, request: &AccountRequest<'_>, domain: &str) -> AccountAnswer {
    let verifier = hex(&request.random[..32]);
    let state = hex(&request.random[32..]);
    let challenge = zelly_edge::signature::pkce_s256(&verifier);
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("redirect_uri", &callback_url(request))
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("state", &state)
        .finish();
    let to = format!("{}/stores/{domain}/sign-in?{query}", accounts.public_url().trim_end_matches('/'));
    AccountAnswer::redirect(to).with_cookie(set_cookie(FLOW_COOKIE, &format!("{state}.{verifier}"), i64::from(FLOW_SECONDS)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What customer-auth's code exchange answers.
#[derive(Debug, Deserialize)]
struct Exchanged {
    session: String,
    expires_at_ms: i64,
}

async fn finish<A: Accounts, O: StorefrontOrigin>(accounts: &A, origin: &O, request: &AccountRequest<'_>, domain: &str) -> AccountAnswer {
    let flow = cookie_value(request.cookies, FLOW_COOKIE).and_then(|v| v.split_once('.'));
    let (code, state) = (query_value(request.query, "code"), query_value(request.query, "state"));
    let clear_flow = set_cookie(FLOW_COOKIE, "", 0);
    let (Some((expected, verifier)), Some(code), Some(state)) = (flow, code, state) else {
        return failed(origin, domain, "The sign-in took too long or was started elsewhere.").await.with_cookie(clear_flow);
    };
    if state != expected {
        return failed(origin, domain, "The sign-in took too long or was started elsewhere.").await.with_cookie(clear_flow);
    }
    let body = serde_json::json!({ "code": code, "code_verifier": verifier, "redirect_uri": callback_url(request) }).to_string();
    let answer = accounts.accounts_call("POST", &format!("/api/stores/{domain}/codes"), None, Some(body)).await;
    let exchanged = match answer {
        Ok((200, text)) => serde_json::from_str::<Exchanged>(&text).ok(),
        _ => None,
    };
    let Some(exchanged) = exchanged else {
        return failed(origin, domain, "The sign-in could not be finished.").await.with_cookie(clear_flow);
    };
    // The cookie lives as long as the session may; customer-auth ends it sooner if unused.
    let max_age = ((exchanged.expires_at_ms - request.now_ms) / 1000).max(0);
    AccountAnswer::redirect("/account".into()).with_cookie(clear_flow).with_cookie(set_cookie(SESSION_COOKIE, &exchanged.session, max_age))
}

async fn sign_out<A: Accounts>(accounts: &A, request: &AccountRequest<'_>, domain: &str) -> AccountAnswer {
    if request.fetch_site.is_some_and(|site| site != "same-origin") {
        return AccountAnswer::page(Page::with_status(403, "Sign out from the store's own page.".into()));
    }
    if let Some(session) = session_of(request.cookies) {
        // Ends the sign-in on every domain of the store; a failure still clears this browser.
        let _ = accounts.accounts_call("DELETE", &format!("/api/stores/{domain}/sessions/current"), Some(session), None).await;
    }
    AccountAnswer::redirect("/".into()).with_cookie(set_cookie(SESSION_COOKIE, "", 0))
}

/// The store's name and look for the page around the account (one product's worth of listing).
async fn store_of<O: StorefrontOrigin>(origin: &O, domain: &str) -> Option<StoreInfo> {
    let domain = zelly_edge::DomainName::parse(domain).ok()?;
    let request = ListingRequest { limit: Some(1), ..ListingRequest::default() };
    origin.listing(&domain, &request).await.ok().map(|listing| listing.store)
}

async fn account<A: Accounts, O: StorefrontOrigin + OriginJson>(accounts: &A, origin: &O, request: &AccountRequest<'_>, domain: &str) -> AccountAnswer {
    let Some(session) = session_of(request.cookies) else {
        return AccountAnswer::redirect("/account/sign-in".into());
    };
    let customer = match accounts.accounts_call("GET", &format!("/api/stores/{domain}/me"), Some(session), None).await {
        Ok((200, text)) => serde_json::from_str::<Customer>(&text).ok(),
        Ok((401, _)) => return AccountAnswer::redirect("/account/sign-in".into()).with_cookie(set_cookie(SESSION_COOKIE, "", 0)),
        _ => None,
    };
    let store = store_of(origin, domain).await;
    let Some(customer) = customer else {
        return AccountAnswer::page(crate::render_unavailable());
    };
    // The account's orders: core-api finds them from the session itself.
    let body = serde_json::json!({ "customer_session": session }).to_string();
    let orders = match origin.call_json("POST", &zelly_edge::paths::STORE_SHOPPER_ORDERS.replace("{domain}", domain), Some(body)).await {
        Ok((200, text)) => serde_json::from_str::<Vec<Order>>(&text).ok(),
        _ => None,
    };
    AccountAnswer::page(render_account(store.as_ref(), &customer, orders.as_deref()))
}

/// An order's status in a shopper's words.
fn status_words(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::PendingPayment => "Placed, to pay on delivery",
        OrderStatus::Paid => "Paid, being prepared",
        OrderStatus::Fulfilled => "Shipped",
        OrderStatus::Cancelled => "Cancelled",
        OrderStatus::PartiallyRefunded => "Partly refunded",
        OrderStatus::Refunded => "Refunded",
    }
}

async fn failed<O: StorefrontOrigin>(origin: &O, domain: &str, why: &'static str) -> AccountAnswer {
    let store = store_of(origin, domain).await;
    let body = view! {
        <section class="notice" data-testid="sign-in-failed">
            <h1>"You are not signed in"</h1>
            <p>{why}</p>
            <p><a href="/account/sign-in">"Try again"</a></p>
        </section>
    };
    AccountAnswer::page(Page::with_status(400, document(Head::error("Sign-in"), store.as_ref(), false, "", body)))
}

/// The account page: who is signed in, their orders (`None`: they could not be loaded), and the
/// way out.
pub fn render_account(store: Option<&StoreInfo>, customer: &Customer, orders: Option<&[Order]>) -> Page {
    let title = store.map_or_else(|| "Your account".to_owned(), |s| format!("Your account · {}", s.name));
    let name = (!customer.name.is_empty()).then(|| customer.name.clone());
    let email = customer.email.clone();
    let orders = match orders {
        None => view! { <p class="muted">"Your orders could not be loaded just now. Please try again in a moment."</p> }.into_any(),
        Some([]) => view! { <p class="muted" data-testid="no-orders">"No orders yet."</p> }.into_any(),
        Some(list) => {
            let rows = list
                .iter()
                .map(|order| {
                    let tracking = order.tracking.as_ref().map(|t| format!("{} {}", t.carrier, t.number));
                    let items: u32 = order.lines.iter().map(|l| l.quantity).sum();
                    view! {
                        <li class="account-order" data-testid="account-order">
                            <span class="account-order-number">{format!("Order #{}", order.number)}</span>
                            <span>{format!("{items} item(s), {}", order.total)}</span>
                            <span class="account-order-status">{status_words(order.status)}</span>
                            {tracking.map(|t| view! { <span class="muted">{format!("Tracking: {t}")}</span> })}
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="account-orders">{rows}</ul> }.into_any()
        }
    };
    let body = view! {
        <section class="account" data-testid="account">
            <h1>"Your account"</h1>
            {name.map(|name| view! { <p class="account-name" data-testid="account-name">{name}</p> })}
            <p class="account-email" data-testid="account-email">{email}</p>
            <h2>"Your orders"</h2>
            {orders}
            <form method="post" action="/account/sign-out">
                <button type="submit" class="button" data-testid="sign-out">"Sign out"</button>
            </form>
        </section>
    };
    Page::ok(document(Head::private(title), store, false, "", body))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_our_own_session_cookie_counts() {
        let id = "ab".repeat(32);
        assert_eq!(session_of(Some(&format!("zelly_cart=x; {SESSION_COOKIE}={id}"))), Some(id.as_str()));
        assert_eq!(session_of(Some(&format!("{SESSION_COOKIE}=short"))), None);
        assert_eq!(session_of(None), None);
    }
}
