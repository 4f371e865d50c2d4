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
use zelly_edge::customers::{AddressInput, Customer, SavedAddress};
use zelly_edge::orders::{AddressStatus, ShippingAddress};
use zelly_edge::catalog::FieldErrors;
use zelly_edge::dto::{ListingRequest, StoreInfo};
use zelly_edge::host::normalize_host;
use zelly_edge::orders::{Order, OrderStatus};
use zelly_edge::origin::{OriginJson, StorefrontOrigin};
use crate::seo::Head;

pub use zelly_edge::customers::SESSION_COOKIE;
/// The cookie holding a sign-in under way: `{state}.{verifier}`.
pub const FLOW_COOKIE: &str = "__Host-zelly_signin";
/// The most bytes an account form post may have.
pub const MAX_FORM_BYTES: usize = 8 * 1024;
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
    /// The `Sec-Fetch-Site` header, which a post must have as `same-origin` when present.
    pub fetch_site: Option<&'a str>,
    /// The `Origin` header, which a post must have as this domain when present.
    pub origin: Option<&'a str>,
    /// The body (form posts).
    pub body: &'a [u8],
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
    if request.method == "POST" && !same_site(request) {
        return AccountAnswer::page(Page::with_status(403, "Use the store's own page for this.".into()));
    }
    let path = request.path.trim_end_matches('/');
    match (request.method, path) {
        ("GET", "/account/sign-in") => start(accounts, request, domain.as_str()),
        ("GET", "/account/callback") => finish(accounts, origin, request, domain.as_str()).await,
        ("POST", "/account/sign-out") => sign_out(accounts, request, domain.as_str()).await,
        ("GET", "/account") => account(accounts, origin, request, domain.as_str()).await,
        _ => match AddressRoute::of(request.method, path) {
            Some(route) => addresses(accounts, origin, request, domain.as_str(), route).await,
            None => AccountAnswer::page(crate::render_not_found(None)),
        },
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

/// Whether a post comes from this domain's own pages: browsers say so in `Sec-Fetch-Site` and
/// `Origin`; a post that another site's page made says otherwise and is refused.
fn same_site(request: &AccountRequest<'_>) -> bool {
    let scheme = if request.https { "https" } else { "http" };
    let own = format!("{scheme}://{}", request.host.trim().to_ascii_lowercase());
    request.fetch_site.is_none_or(|site| site == "same-origin") && request.origin.is_none_or(|o| o.eq_ignore_ascii_case(&own))
}

async fn sign_out<A: Accounts>(accounts: &A, request: &AccountRequest<'_>, domain: &str) -> AccountAnswer {
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
    let addresses = saved_addresses(accounts, domain, session).await;
    AccountAnswer::page(render_account(store.as_ref(), &customer, addresses.as_deref(), orders.as_deref()))
}

/// The shopper's saved addresses, or `None` when customer-auth could not say.
async fn saved_addresses<A: Accounts>(accounts: &A, domain: &str, session: &str) -> Option<Vec<SavedAddress>> {
    match accounts.accounts_call("GET", &format!("/api/stores/{domain}/me/addresses"), Some(session), None).await {
        Ok((200, text)) => serde_json::from_str(&text).ok(),
        _ => None,
    }
}

/// The address pages and forms under `/account/addresses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AddressRoute {
    /// `GET /account/addresses/new`
    New,
    /// `GET /account/addresses/{id}`
    Edit(uuid::Uuid),
    /// `POST /account/addresses`
    Create,
    /// `POST /account/addresses/{id}`
    Update(uuid::Uuid),
    /// `POST /account/addresses/{id}/default`
    MakeDefault(uuid::Uuid),
    /// `POST /account/addresses/{id}/delete`
    Delete(uuid::Uuid),
}

impl AddressRoute {
    fn of(method: &str, path: &str) -> Option<Self> {
        let rest = path.strip_prefix("/account/addresses")?;
        let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
        let id = |raw: &str| uuid::Uuid::parse_str(raw).ok();
        Some(match (method, parts.as_slice()) {
            ("GET", ["new"]) => Self::New,
            ("GET", [raw]) => Self::Edit(id(raw)?),
            ("POST", []) => Self::Create,
            ("POST", [raw]) => Self::Update(id(raw)?),
            ("POST", [raw, "default"]) => Self::MakeDefault(id(raw)?),
            ("POST", [raw, "delete"]) => Self::Delete(id(raw)?),
            _ => return None,
        })
    }
}

/// The address form's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct AddressForm {
    name: String,
    line1: String,
    line2: String,
    city: String,
    state: String,
    postal_code: String,
    country: String,
    phone: String,
    is_default: bool,
}

impl AddressForm {
    fn parse(body: &[u8]) -> Self {
        let mut form = Self::default();
        for (name, value) in form_urlencoded::parse(body) {
            let value = value.trim().to_owned();
            match name.as_ref() {
                "name" => form.name = value,
                "line1" => form.line1 = value,
                "line2" => form.line2 = value,
                "city" => form.city = value,
                "state" => form.state = value,
                "postal_code" => form.postal_code = value,
                "country" => form.country = value.to_ascii_uppercase(),
                "phone" => form.phone = value,
                "is_default" => form.is_default = value == "1",
                _ => {}
            }
        }
        form
    }

    fn of(saved: &SavedAddress) -> Self {
        let a = &saved.address;
        Self {
            name: a.name.clone(),
            line1: a.line1.clone(),
            line2: a.line2.clone().unwrap_or_default(),
            city: a.city.clone(),
            state: a.state.clone(),
            postal_code: a.postal_code.clone(),
            country: a.country.clone(),
            phone: a.phone.clone(),
            is_default: saved.is_default,
        }
    }

    fn input(&self) -> AddressInput {
        AddressInput {
            address: ShippingAddress {
                name: self.name.clone(),
                line1: self.line1.clone(),
                line2: Some(self.line2.clone()).filter(|l| !l.is_empty()),
                city: self.city.clone(),
                state: self.state.clone(),
                postal_code: self.postal_code.clone(),
                country: if self.country.is_empty() { "IN".into() } else { self.country.clone() },
                phone: self.phone.clone(),
            },
            is_default: self.is_default,
        }
    }
}

/// Each refused address field in a shopper's words, keyed by the form's field names.
fn address_errors_in_words(errors: &FieldErrors) -> FieldErrors {
    errors
        .keys()
        .filter_map(|key| {
            let field = key.strip_prefix("address.")?;
            let words = match field {
                "name" => "Please enter the name of the person receiving parcels here.",
                "line1" => "Please enter the house number and street.",
                "line2" => "Please keep this line under 200 characters.",
                "city" => "Please enter the town or city.",
                "state" => "Please enter the state.",
                "postal_code" => "Please enter the PIN or postal code.",
                "country" => "Please choose the country from the list.",
                "phone" => "Please enter a phone number the courier can call, like 98450 12345.",
                _ => return None,
            };
            Some((field.to_owned(), words.to_owned()))
        })
        .collect()
}

async fn addresses<A: Accounts, O: StorefrontOrigin>(accounts: &A, origin: &O, request: &AccountRequest<'_>, domain: &str, route: AddressRoute) -> AccountAnswer {
    let Some(session) = session_of(request.cookies) else {
        return AccountAnswer::redirect("/account/sign-in".into());
    };
    let api = format!("/api/stores/{domain}/me/addresses");
    let outcome = match route {
        AddressRoute::New => {
            let store = store_of(origin, domain).await;
            return AccountAnswer::page(render_address_form(store.as_ref(), None, &AddressForm::default(), &FieldErrors::new(), None, 200));
        }
        AddressRoute::Edit(id) => {
            let store = store_of(origin, domain).await;
            return match saved_addresses(accounts, domain, session).await {
                Some(list) => match list.iter().find(|a| a.id == id) {
                    Some(saved) => AccountAnswer::page(render_address_form(store.as_ref(), Some(id), &AddressForm::of(saved), &FieldErrors::new(), None, 200)),
                    None => AccountAnswer::page(crate::render_not_found(store.as_ref())),
                },
                None => AccountAnswer::page(crate::render_unavailable()),
            };
        }
        AddressRoute::Create | AddressRoute::Update(_) => {
            let form = AddressForm::parse(request.body);
            let body = serde_json::to_string(&form.input()).unwrap_or_default();
            let (method, path, id) = match route {
                AddressRoute::Update(id) => ("PUT", format!("{api}/{id}"), Some(id)),
                _ => ("POST", api.clone(), None),
            };
            match accounts.accounts_call(method, &path, Some(session), Some(body)).await {
                Ok((200 | 201, _)) => Ok(200),
                Ok((422, text)) => {
                    let errors = serde_json::from_str::<zelly_edge::ApiErrorBody>(&text).map(|e| address_errors_in_words(&e.error.fields)).unwrap_or_default();
                    let store = store_of(origin, domain).await;
                    return AccountAnswer::page(render_address_form(store.as_ref(), id, &form, &errors, Some("Please check the fields marked below."), 422));
                }
                Ok((409, _)) => {
                    let store = store_of(origin, domain).await;
                    let why = "Your account already keeps 20 addresses. Delete one you no longer use, then add this one.";
                    return AccountAnswer::page(render_address_form(store.as_ref(), id, &form, &FieldErrors::new(), Some(why), 409));
                }
                other => other.map(|(status, _)| status),
            }
        }
        AddressRoute::MakeDefault(id) => accounts.accounts_call("POST", &format!("{api}/{id}/default"), Some(session), None).await.map(|(s, _)| s),
        AddressRoute::Delete(id) => accounts.accounts_call("DELETE", &format!("{api}/{id}"), Some(session), None).await.map(|(s, _)| s),
    };
    match outcome {
        // Done, or (404) already gone: back to the account, which shows how things are.
        Ok(200..=299 | 404) => AccountAnswer::redirect("/account#addresses".into()),
        Ok(401) => AccountAnswer::redirect("/account/sign-in".into()).with_cookie(set_cookie(SESSION_COOKIE, "", 0)),
        _ => AccountAnswer::page(crate::render_unavailable()),
    }
}

/// The form to add (`id` `None`) or change an address.
fn render_address_form(store: Option<&StoreInfo>, id: Option<uuid::Uuid>, form: &AddressForm, errors: &FieldErrors, message: Option<&str>, status: u16) -> Page {
    let title = if id.is_some() { "Change address" } else { "Add an address" };
    let action = id.map_or_else(|| "/account/addresses".to_owned(), |id| format!("/account/addresses/{id}"));
    let field = |name: &'static str, label: &'static str, kind: &'static str, value: &str, autocomplete: &'static str, required: bool| {
        let error = errors.get(name).cloned();
        let value = value.to_owned();
        view! {
            <label for=name>{label}</label>
            <input type=kind id=name name=name value=value autocomplete=autocomplete required=required/>
            {error.map(|e| view! { <p class="error" data-testid=format!("error-{name}")>{e}</p> })}
        }
    };
    let country = if form.country.is_empty() { "IN".to_owned() } else { form.country.clone() };
    let options = zelly_edge::checkout_pages::COUNTRIES
        .iter()
        .map(|(code, name)| view! { <option value=*code selected=country == *code>{*name}</option> })
        .collect_view();
    let body = view! {
        <section class="account" data-testid="address-form-page">
            <h1>{title}</h1>
            {message.map(|m| view! { <p class="banner" role="alert" data-testid="address-error">{m.to_owned()}</p> })}
            <form method="post" action=action class="address-form" data-testid="address-form" novalidate>
                {field("name", "Full name", "text", &form.name, "name", true)}
                {field("line1", "Address", "text", &form.line1, "address-line1", true)}
                {field("line2", "Flat, building, landmark (optional)", "text", &form.line2, "address-line2", false)}
                {field("city", "City", "text", &form.city, "address-level2", true)}
                {field("state", "State", "text", &form.state, "address-level1", true)}
                {field("postal_code", "PIN code", "text", &form.postal_code, "postal-code", true)}
                <label for="country">"Country"</label>
                <select id="country" name="country" autocomplete="country">{options}</select>
                {field("phone", "Phone", "tel", &form.phone, "tel", true)}
                <label class="check"><input type="checkbox" name="is_default" value="1" checked=form.is_default/>" Use this address at checkout"</label>
                <button type="submit" class="button" data-testid="save-address">"Save address"</button>
                " "
                <a href="/account#addresses">"Cancel"</a>
            </form>
        </section>
    };
    Page::with_status(status, document(Head::private(format!("{title} · Your account")), store, false, "", body))
}

/// One saved address on the account page, with its buttons.
fn address_card(saved: &SavedAddress) -> impl IntoView + use<> {
    let a = &saved.address;
    let lines: Vec<String> = [Some(a.name.clone()), Some(a.line1.clone()), a.line2.clone(), Some(format!("{}, {} {}", a.city, a.state, a.postal_code)), Some(a.phone.clone())]
        .into_iter()
        .flatten()
        .collect();
    let id = saved.id;
    let default = saved.is_default;
    let mismatch = saved.status == AddressStatus::Mismatch;
    view! {
        <li class="account-address" data-testid="account-address">
            {default.then(|| view! { <span class="badge" data-testid="default-address">"Default"</span> })}
            <address>{lines.into_iter().map(|l| view! { <span>{l}</span><br/> }).collect_view()}</address>
            {mismatch.then(|| view! { <p class="muted" data-testid="address-mismatch">"This PIN code may not match the city or state. Please check it."</p> })}
            <div class="account-address-actions">
                <a href=format!("/account/addresses/{id}") data-testid="edit-address">"Edit"</a>
                {(!default).then(|| view! {
                    <form method="post" action=format!("/account/addresses/{id}/default")>
                        <button type="submit" class="link" data-testid="make-default">"Make default"</button>
                    </form>
                })}
                <form method="post" action=format!("/account/addresses/{id}/delete")>
                    <button type="submit" class="link" data-testid="delete-address">"Delete"</button>
                </form>
            </div>
        </li>
    }
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
pub fn render_account(store: Option<&StoreInfo>, customer: &Customer, addresses: Option<&[SavedAddress]>, orders: Option<&[Order]>) -> Page {
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
    let addresses = match addresses {
        None => view! { <p class="muted">"Your addresses could not be loaded just now."</p> }.into_any(),
        Some([]) => view! { <p class="muted" data-testid="no-addresses">"No saved addresses yet. Checkout will start from the one you save."</p> }.into_any(),
        Some(list) => {
            let cards = list.iter().map(address_card).collect_view();
            view! { <ul class="account-addresses">{cards}</ul> }.into_any()
        }
    };
    let body = view! {
        <section class="account" data-testid="account">
            <h1>"Your account"</h1>
            {name.map(|name| view! { <p class="account-name" data-testid="account-name">{name}</p> })}
            <p class="account-email" data-testid="account-email">{email}</p>
            <h2 id="addresses">"Your addresses"</h2>
            {addresses}
            <p><a href="/account/addresses/new" data-testid="add-address">"Add an address"</a></p>
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

    fn request<'a>(method: &'a str, fetch_site: Option<&'a str>, origin: Option<&'a str>) -> AccountRequest<'a> {
        AccountRequest {
            method,
            host: "Demo.localhost:3000",
            path: "/account/addresses",
            query: None,
            cookies: None,
            fetch_site,
            origin,
            body: b"",
            https: false,
            random: [0; 48],
            now_ms: 0,
        }
    }

    #[test]
    fn posts_from_other_sites_are_not_ours() {
        assert!(same_site(&request("POST", Some("same-origin"), Some("http://demo.localhost:3000"))));
        assert!(same_site(&request("POST", None, None)), "an old browser that says nothing");
        assert!(!same_site(&request("POST", Some("cross-site"), None)));
        assert!(!same_site(&request("POST", Some("same-site"), Some("http://bazaar.localhost:3000"))));
        assert!(!same_site(&request("POST", None, Some("https://evil.example"))));
    }

    #[test]
    fn address_routes_are_read_from_the_path() {
        let id = uuid::Uuid::from_u128(7);
        assert_eq!(AddressRoute::of("GET", "/account/addresses/new"), Some(AddressRoute::New));
        assert_eq!(AddressRoute::of("GET", &format!("/account/addresses/{id}")), Some(AddressRoute::Edit(id)));
        assert_eq!(AddressRoute::of("POST", "/account/addresses"), Some(AddressRoute::Create));
        assert_eq!(AddressRoute::of("POST", &format!("/account/addresses/{id}")), Some(AddressRoute::Update(id)));
        assert_eq!(AddressRoute::of("POST", &format!("/account/addresses/{id}/default")), Some(AddressRoute::MakeDefault(id)));
        assert_eq!(AddressRoute::of("POST", &format!("/account/addresses/{id}/delete")), Some(AddressRoute::Delete(id)));
        assert_eq!(AddressRoute::of("GET", &format!("/account/addresses/{id}/delete")), None);
        assert_eq!(AddressRoute::of("POST", "/account/addresses/not-an-id"), None);
    }

    #[test]
    fn an_address_form_becomes_the_api_input_with_india_by_default() {
        let form = AddressForm::parse(b"name=Asha+Rao&line1=12+MG+Road&line2=&city=Bengaluru&state=Karnataka&postal_code=560001&phone=98450+12345&is_default=1");
        let input = form.input();
        assert_eq!((input.address.country.as_str(), input.address.line2.as_ref(), input.is_default), ("IN", None, true));
        assert!(input.validate().is_ok());
        let errors = address_errors_in_words(&AddressInput { address: ShippingAddress { city: String::new(), ..input.address }, is_default: false }.validate().unwrap_err());
        assert_eq!(errors.get("city").map(String::as_str), Some("Please enter the town or city."));
    }

    #[test]
    fn only_our_own_session_cookie_counts() {
        let id = "ab".repeat(32);
        assert_eq!(session_of(Some(&format!("zelly_cart=x; {SESSION_COOKIE}={id}"))), Some(id.as_str()));
        assert_eq!(session_of(Some(&format!("{SESSION_COOKIE}=short"))), None);
        assert_eq!(session_of(None), None);
    }
}
