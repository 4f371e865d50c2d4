//! Checkout's pages, on the store's own domain under `/checkout`: the checkout Worker and its
//! native host both call [`serve`] and only move bytes, so the two answer alike.
//!
//! The flow:
//! 1. `GET /checkout` prices the cart in the `zelly_cart` cookie from origin and asks for contact,
//!    shipping address and payment method (cash on delivery only where the store offers it).
//! 2. `POST /checkout` checks the form, then has core-api start a checkout: core-api prices every
//!    line again (the shopper's browser never names a price) and holds the stock for 15 minutes.
//!    The shopper is sent to the checkout's own page.
//! 3. `GET /checkout/{id}` is the payment step. For Razorpay it asks core-api for the checkout's
//!    Razorpay order (core-api holds the key secret) and renders the Standard Checkout options;
//!    for cash on delivery, a "Place order" button (`POST /checkout/{id}/place`).
//! 4. Razorpay posts the payment back to `POST /checkout/{id}/callback`; core-api verifies the
//!    signature against the checkout's own Razorpay order and turns the checkout into its order,
//!    once, whether this callback or the payment webhook comes first.
//! 5. `GET /checkout/{id}/confirmation` shows the order and empties the cart.
//!
//! The checkout's state lives in core-api's store (the checkout row), on every host: the page's
//! URL carries its random id, so no session store is needed at the edge.

use crate::cart::Cart;
use crate::checkout::{self, Quote, QuoteLine, QuoteRequest};
use crate::cart::item_name;
use crate::catalog::{accent_style, is_hex_color, FieldErrors};
use crate::dto::{PriceList, PriceLookup, StoreInfo, VariantDetail};
use crate::error::ApiErrorBody;
use crate::host::normalize_host;
use crate::orders::{
    Checkout, CheckoutInput, CheckoutLineInput, CheckoutStatus, Order, PaymentConfirmation, PaymentMethod, PaymentStep, RazorpayCallback,
    ShippingAddress,
};
use crate::customers::{AddressCheck, Customer, SavedAddress};
use crate::orders::AddressStatus;
use crate::origin::{Accounts, OriginError, OriginJson, StorefrontOrigin};
use crate::{paths, DomainName, Money};
use core::fmt::Write as _;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// The most bytes a checkout form post may have.
pub const MAX_FORM_BYTES: usize = 8 * 1024;

/// Razorpay's Standard Checkout script.
pub const RAZORPAY_CHECKOUT_JS: &str = "https://checkout.razorpay.com/v1/checkout.js";

/// Where the payment step sends the shopper to pay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentPage {
    /// Razorpay Standard Checkout (`checkout.js`), as in production.
    StandardCheckout,
    /// The Razorpay stand-in's payment page at this base URL (dev and tests only).
    StandIn(String),
}

impl PaymentPage {
    /// From the `RAZORPAY_STANDIN_URL` setting: set (dev, tests) means the stand-in's page.
    pub fn from_setting(standin_url: Option<&str>) -> Self {
        match standin_url.map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => PaymentPage::StandIn(url.trim_end_matches('/').to_owned()),
            None => PaymentPage::StandardCheckout,
        }
    }
}

/// The checkout pages' routes (the rest of `/checkout/…` is [`crate::checkout::CheckoutRoute`]'s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageRoute {
    /// `GET /checkout`: the contact, address and payment form.
    Form,
    /// `POST /checkout`: start the checkout.
    Start,
    /// `GET /checkout/{id}`: the payment step.
    Pay(Uuid),
    /// `POST /checkout/{id}/place`: place a cash-on-delivery order.
    Place(Uuid),
    /// `POST /checkout/{id}/callback`: Razorpay's callback.
    Callback(Uuid),
    /// `GET /checkout/{id}/confirmation`: the order.
    Confirmation(Uuid),
}

impl PageRoute {
    /// The page route of a method and path, if it is one; `Err(())` for a page path with the
    /// wrong method.
    pub fn resolve(method: &str, path: &str) -> Option<Result<Self, ()>> {
        let get = matches!(method, "GET" | "HEAD");
        let post = method == "POST";
        let answer = |ok: bool, route: PageRoute| Some(if ok { Ok(route) } else { Err(()) });
        if path == "/checkout" || path == "/checkout/" {
            return if get { Some(Ok(PageRoute::Form)) } else if post { Some(Ok(PageRoute::Start)) } else { Some(Err(())) };
        }
        let rest = path.strip_prefix("/checkout/")?;
        let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let id = Uuid::parse_str(id).ok()?;
        match tail {
            "" => answer(get, PageRoute::Pay(id)),
            "place" => answer(post, PageRoute::Place(id)),
            "callback" => answer(post, PageRoute::Callback(id)),
            "confirmation" => answer(get, PageRoute::Confirmation(id)),
            _ => None,
        }
    }
}

/// What a host hands [`serve`] about one request.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<'a> {
    /// `https` or `http`: how the shopper reached the host (for the callback URL and cookies).
    pub scheme: &'a str,
    /// The `Host` header.
    pub host: &'a str,
    /// The `Cookie` header.
    pub cookies: Option<&'a str>,
    /// The body (forms).
    pub body: &'a [u8],
    /// Now, in Unix milliseconds.
    pub now_ms: i64,
    /// 16 bytes from the host's secure random source (a new form's attempt id).
    pub random: [u8; 16],
}

/// A page or a redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageResponse {
    /// HTTP status.
    pub status: u16,
    /// HTML; empty for redirects.
    pub body: String,
    /// Where a redirect goes.
    pub location: Option<String>,
    /// `Set-Cookie` values.
    pub set_cookies: Vec<String>,
    /// What went wrong behind an error page, for the host's log (never shown to the shopper).
    pub problem: Option<String>,
}

impl PageResponse {
    fn page(status: u16, body: String) -> Self {
        Self { status, body, location: None, set_cookies: Vec::new(), problem: None }
    }

    fn see_other(location: String) -> Self {
        Self { status: 303, body: String::new(), location: Some(location), set_cookies: Vec::new(), problem: None }
    }

    /// Every header to send: checkout pages are private, never cached, never framed, and do not
    /// hand their URL (which names the checkout) to other sites.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![
            ("content-type", "text/html; charset=utf-8".to_owned()),
            ("cache-control", "no-store".to_owned()),
            ("referrer-policy", "same-origin".to_owned()),
            ("x-frame-options", "DENY".to_owned()),
            ("x-content-type-options", "nosniff".to_owned()),
        ];
        if let Some(location) = &self.location {
            headers.push(("location", location.clone()));
        }
        headers.extend(self.set_cookies.iter().map(|c| ("set-cookie", c.clone())));
        headers
    }
}

/// Serves one checkout page for the store on the request's host.
///
/// With `accounts` (customer-auth), a signed-in shopper's form starts from their default address,
/// the address is checked before the checkout starts, and the checkout is linked to the account.
pub async fn serve<O: StorefrontOrigin + OriginJson, A: Accounts>(
    origin: &O,
    accounts: Option<&A>,
    payment: &PaymentPage,
    route: PageRoute,
    request: &PageRequest<'_>,
) -> PageResponse {
    let Ok(domain) = normalize_host(request.host) else {
        return notice(None, 404, "Page not found", "There is no store here.");
    };
    let flow = Flow { origin, accounts, payment, domain, request };
    let result = match route {
        PageRoute::Form => flow.form().await,
        PageRoute::Start => flow.start().await,
        PageRoute::Pay(id) => flow.pay(id, None).await,
        PageRoute::Place(id) => flow.place(id).await,
        PageRoute::Callback(id) => flow.callback(id).await,
        PageRoute::Confirmation(id) => flow.confirmation(id).await,
    };
    result.unwrap_or_else(|failure| failure.page())
}

/// Why a page could not be served as asked.
#[derive(Debug)]
enum Failure {
    /// No store on the domain, or no such checkout.
    NotFound(Option<StoreInfo>),
    /// The store is suspended.
    Suspended,
    /// Origin could not be reached or answered unexpectedly.
    Unavailable(String),
}

impl Failure {
    fn page(self) -> PageResponse {
        match self {
            Failure::NotFound(store) => notice(store.as_ref(), 404, "Checkout not found", "We couldn't find this checkout. It may belong to another store."),
            Failure::Suspended => notice(None, 503, "This store is unavailable", "It is closed for the moment. Please come back later."),
            Failure::Unavailable(why) => PageResponse {
                problem: Some(why),
                ..notice(None, 502, "Checkout is temporarily unavailable", "Nothing was charged. Please try again in a moment.")
            },
        }
    }
}

impl From<OriginError> for Failure {
    fn from(err: OriginError) -> Self {
        match err {
            OriginError::NotFound => Failure::NotFound(None),
            OriginError::Suspended => Failure::Suspended,
            OriginError::Unavailable(why) | OriginError::Rejected(why) => Failure::Unavailable(why),
        }
    }
}

/// A non-2xx answer from core-api, with its message and named fields.
#[derive(Debug)]
struct Refused {
    status: u16,
    error: ApiErrorBody,
}

struct Flow<'a, O, A> {
    origin: &'a O,
    accounts: Option<&'a A>,
    payment: &'a PaymentPage,
    domain: DomainName,
    request: &'a PageRequest<'a>,
}

impl<O: StorefrontOrigin + OriginJson, A: Accounts> Flow<'_, O, A> {
    /// A JSON call to core-api: `Ok(Ok(T))` on 2xx, `Ok(Err(refused))` on a 4xx it explained.
    async fn call<T: DeserializeOwned>(&self, method: &str, path: &str, body: Option<String>) -> Result<Result<(u16, T), Refused>, Failure> {
        let (status, raw) = self.origin.call_json(method, path, body).await?;
        if (200..300).contains(&status) {
            let value = serde_json::from_str(&raw).map_err(|e| Failure::Unavailable(format!("core-api's answer: {e}")))?;
            return Ok(Ok((status, value)));
        }
        match (status, serde_json::from_str::<ApiErrorBody>(&raw)) {
            (410, _) => Err(Failure::Suspended),
            (400 | 404 | 409 | 422, Ok(error)) => Ok(Err(Refused { status, error })),
            (404, Err(_)) => Err(Failure::NotFound(None)),
            (other, _) => Err(Failure::Unavailable(format!("core-api answered {other}"))),
        }
    }

    /// The cart priced now (lines origin does not know drop out), with the store and what it
    /// takes; or the page to show instead when there is nothing to check out.
    async fn priced_cart(&self) -> Result<Result<(StoreInfo, Offers, Quote, Vec<VariantDetail>), PageResponse>, Failure> {
        let cart = Cart::from_cookies(self.request.cookies);
        let ids = cart.lines().iter().map(|(id, _)| *id).collect();
        let prices = self.origin.prices(&self.domain, &PriceLookup { variant_ids: ids }).await?;
        let offers = Offers::of(&prices);
        let known = |id: &Uuid| prices.prices.iter().any(|p| p.variant_id == *id);
        let lines: Vec<checkout::CartLine> = cart
            .lines()
            .iter()
            .filter(|(id, _)| known(id))
            .map(|(variant_id, quantity)| checkout::CartLine { variant_id: *variant_id, quantity: *quantity })
            .collect();
        let mut quote = if lines.is_empty() { None } else { Some(checkout::price_quote(&QuoteRequest { lines }, &prices)) };
        // Lines go by the names shoppers know them by (`Brass Diya — Large`) where origin says.
        if let Some(Ok(quote)) = quote.as_mut() {
            for line in &mut quote.lines {
                if let Some(detail) = prices.detail(line.variant_id) {
                    line.title = item_name(&detail.product_title, &detail.variant_title);
                }
            }
        }
        let details = prices.details.clone();
        let store = store_of(prices)?;
        Ok(match quote {
            None => Err(empty_cart(&store)),
            Some(Ok(quote)) => Ok((store, offers, quote, details)),
            Some(Err(_)) => Err(notice(Some(&store), 422, "We couldn't total your cart", "Your cart mixes currencies or is too large. Please change it and try again.")),
        })
    }

    /// The store alone (for pages about a checkout).
    async fn store(&self) -> Result<StoreInfo, Failure> {
        store_of(self.origin.prices(&self.domain, &PriceLookup { variant_ids: Vec::new() }).await?)
    }

    /// A new form's attempt id.
    fn fresh_attempt(&self) -> String {
        Uuid::from_bytes(self.request.random).simple().to_string()
    }

    async fn form(&self) -> Result<PageResponse, Failure> {
        let (store, offers, quote, details) = match self.priced_cart().await? {
            Ok(priced) => priced,
            Err(page) => return Ok(page),
        };
        let mut form = ContactForm { attempt: self.fresh_attempt(), ..ContactForm::default() };
        if let Some((customer, address)) = self.signed_in().await {
            form.prefill(&customer, address.as_ref());
        }
        // Said now rather than after the shopper has typed their address.
        let short = short_of_stock(&quote.lines, &details);
        Ok(form_page(&store, offers, &quote, &form, &FieldErrors::new(), short.as_deref(), 200))
    }

    async fn start(&self) -> Result<PageResponse, Failure> {
        let (store, offers, quote, details) = match self.priced_cart().await? {
            Ok(priced) => priced,
            Err(page) => return Ok(page),
        };
        let form = match ContactForm::parse(self.request.body) {
            // A form from before attempts existed, or a hand-made post: a fresh attempt.
            Ok(form) if form.attempt.is_empty() => ContactForm { attempt: self.fresh_attempt(), ..form },
            Ok(form) => form,
            Err(why) => return Ok(form_page(&store, offers, &quote, &ContactForm::default(), &FieldErrors::new(), Some(&why), 400)),
        };
        let mut input = form.input(&quote.lines, crate::events::session_from_cookies(self.request.cookies));
        let mut errors = input.validate().err().unwrap_or_default();
        errors.extend(address_errors(&input.shipping));
        if !offers.takes(input.payment_method) {
            let why = match input.payment_method {
                PaymentMethod::CashOnDelivery => "This store does not take cash on delivery. Please pay online.",
                PaymentMethod::Razorpay => "This store does not take online payments yet. Please choose cash on delivery.",
            };
            errors.insert("payment_method".into(), why.into());
        }
        if !errors.is_empty() {
            let errors = in_shoppers_words(&errors, &input.shipping.country);
            return Ok(form_page(&store, offers, &quote, &form, &errors, None, 422));
        }
        // The address API's word on the PIN code; a slow or absent API never stops the purchase.
        let check = self.address_check(&input.shipping).await;
        if check.status == AddressStatus::Mismatch && form.keep_address != "1" {
            let mut errors = FieldErrors::new();
            errors.insert("shipping.postal_code".into(), mismatch_words(&check, &input.shipping.postal_code));
            errors.insert("keep_address".into(), String::new());
            return Ok(form_page(&store, offers, &quote, &form, &errors, None, 422));
        }
        input.address_status = check.status;
        input.customer_session = self.accounts.and(crate::customers::session_from_cookies(self.request.cookies)).map(str::to_owned);
        let body = serde_json::to_string(&input).map_err(|e| Failure::Unavailable(e.to_string()))?;
        match self.call::<Checkout>("POST", &paths::store_checkouts(&self.domain), Some(body)).await? {
            Ok((_, checkout)) => Ok(PageResponse::see_other(format!("/checkout/{}", checkout.id))),
            Err(Refused { status: 404, .. }) => Err(Failure::NotFound(Some(store))),
            Err(Refused { status, error }) => {
                // Too little stock (409) or a field core-api refused (422): the shopper can fix it,
                // told in their words (the product's name, not its SKU; no field paths).
                let fields = in_shoppers_words(&error.error.fields, &input.shipping.country);
                let message = if status == 409 {
                    Some(stock_message(&error.error.message, &quote.lines, &details))
                } else if fields.is_empty() || fields.keys().any(|k| !SHOWN_FIELDS.contains(&k.as_str())) {
                    Some(CART_CHANGED.to_owned())
                } else {
                    None
                };
                Ok(form_page(&store, offers, &quote, &form, &fields, message.as_deref(), if status == 409 { 409 } else { 422 }))
            }
        }
    }

    /// The signed-in shopper and their default address, when there is one and customer-auth
    /// answers; otherwise the form starts empty, as for a guest.
    async fn signed_in(&self) -> Option<(Customer, Option<SavedAddress>)> {
        let accounts = self.accounts?;
        let session = crate::customers::session_from_cookies(self.request.cookies)?;
        let me = format!("/api/stores/{}/me", self.domain);
        let customer = match accounts.accounts_call("GET", &me, Some(session), None).await {
            Ok((200, body)) => serde_json::from_str::<Customer>(&body).ok()?,
            _ => return None,
        };
        let address = match accounts.accounts_call("GET", &format!("{me}/addresses"), Some(session), None).await {
            Ok((200, body)) => serde_json::from_str::<Vec<SavedAddress>>(&body).ok().and_then(|list| list.into_iter().find(|a| a.is_default)),
            _ => None,
        };
        Some((customer, address))
    }

    /// customer-auth's address check; unverified when it cannot be asked.
    async fn address_check(&self, shipping: &ShippingAddress) -> AddressCheck {
        let Some(accounts) = self.accounts else { return AddressCheck::unverified() };
        let Ok(body) = serde_json::to_string(shipping) else { return AddressCheck::unverified() };
        match accounts.accounts_call("POST", &format!("/api/stores/{}/address-checks", self.domain), None, Some(body)).await {
            Ok((200, answer)) => serde_json::from_str(&answer).unwrap_or_else(|_| AddressCheck::unverified()),
            _ => AddressCheck::unverified(),
        }
    }

    async fn checkout(&self, id: Uuid, store: &StoreInfo) -> Result<Checkout, Failure> {
        match self.call::<Checkout>("GET", &paths::store_checkout(&self.domain, id), None).await? {
            Ok((_, checkout)) => Ok(checkout),
            Err(_) => Err(Failure::NotFound(Some(store.clone()))),
        }
    }

    /// The payment step, with `problem` (status and message) when the shopper comes back from a
    /// payment that did not go through.
    async fn pay(&self, id: Uuid, problem: Option<(u16, String)>) -> Result<PageResponse, Failure> {
        let store = self.store().await?;
        let checkout = self.checkout(id, &store).await?;
        if checkout.status == CheckoutStatus::Completed {
            return Ok(PageResponse::see_other(format!("/checkout/{id}/confirmation")));
        }
        // A shopper who paid but whose browser never came back (a closed tab, a lost
        // connection) returns here: core-api asks Razorpay before offering to pay again, and
        // before saying the hold ran out, since a payment that was taken always becomes its order.
        if checkout.payment_method == PaymentMethod::Razorpay && checkout.provider_order_id.is_some() && problem.is_none() {
            let path = format!("{}/razorpay-payment", paths::store_checkout(&self.domain, id));
            if let Ok(Ok(_)) = self.call::<Order>("POST", &path, None).await {
                return Ok(PageResponse::see_other(format!("/checkout/{id}/confirmation")));
            }
        }
        let (status, message) = problem.map_or((200, None), |(s, m)| (s, Some(m)));
        if checkout.expires_at_ms <= self.request.now_ms {
            return Ok(expired_page(&store));
        }
        let action = match checkout.payment_method {
            PaymentMethod::CashOnDelivery => PayAction::Place,
            PaymentMethod::Razorpay => {
                let path = format!("{}/razorpay-order", paths::store_checkout(&self.domain, id));
                match self.call::<PaymentStep>("POST", &path, None).await {
                    Ok(Ok((_, step))) => PayAction::Razorpay(step),
                    Ok(Err(Refused { status: 409, .. })) => return Ok(PageResponse::see_other(format!("/checkout/{id}/confirmation"))),
                    Ok(Err(refused)) => return Err(Failure::Unavailable(refused.error.error.message)),
                    Err(failure) => return Err(failure),
                }
            }
        };
        let callback_url = format!("{}://{}/checkout/{id}/callback", self.request.scheme, self.request.host);
        Ok(pay_page(&store, &checkout, &action, self.payment, &callback_url, message.as_deref(), status))
    }

    async fn place(&self, id: Uuid) -> Result<PageResponse, Failure> {
        let store = self.store().await?;
        let checkout = self.checkout(id, &store).await?;
        if checkout.status == CheckoutStatus::Completed {
            return Ok(PageResponse::see_other(format!("/checkout/{id}/confirmation")));
        }
        if checkout.payment_method != PaymentMethod::CashOnDelivery {
            return Ok(PageResponse::see_other(format!("/checkout/{id}")));
        }
        self.finalize(id, PaymentConfirmation { payment_id: None, amount_minor: checkout.total.amount_minor }).await
    }

    async fn finalize(&self, id: Uuid, payment: PaymentConfirmation) -> Result<PageResponse, Failure> {
        let path = format!("{}/finalize", paths::store_checkout(&self.domain, id));
        let body = serde_json::to_string(&payment).map_err(|e| Failure::Unavailable(e.to_string()))?;
        match self.call::<Order>("POST", &path, Some(body)).await? {
            Ok(_) => Ok(PageResponse::see_other(format!("/checkout/{id}/confirmation"))),
            Err(refused) => self.pay(id, Some((refused.status, refused.error.error.message))).await,
        }
    }

    async fn callback(&self, id: Uuid) -> Result<PageResponse, Failure> {
        let fields: Vec<(String, String)> = if self.request.body.len() > MAX_FORM_BYTES {
            Vec::new()
        } else {
            form_urlencoded::parse(self.request.body).into_owned().collect()
        };
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty());
        if let Some(description) = get("error[description]") {
            return self.pay(id, Some((200, format!("The payment did not go through: {description} Nothing was charged; you can try again.")))).await;
        }
        let (Some(razorpay_payment_id), Some(razorpay_order_id), Some(razorpay_signature)) =
            (get("razorpay_payment_id"), get("razorpay_order_id"), get("razorpay_signature"))
        else {
            return self.pay(id, Some((400, "The payment could not be confirmed. If you were charged, the store will still receive it; otherwise try again.".into()))).await;
        };
        let callback = RazorpayCallback { razorpay_payment_id, razorpay_order_id, razorpay_signature };
        let body = serde_json::to_string(&callback).map_err(|e| Failure::Unavailable(e.to_string()))?;
        let path = format!("{}/razorpay-callback", paths::store_checkout(&self.domain, id));
        match self.call::<Order>("POST", &path, Some(body)).await? {
            Ok(_) => Ok(PageResponse::see_other(format!("/checkout/{id}/confirmation"))),
            Err(Refused { status: 404, .. }) => Err(Failure::NotFound(None)),
            Err(refused) => self.pay(id, Some((400, format!("The payment could not be confirmed: {}", refused.error.error.message)))).await,
        }
    }

    async fn confirmation(&self, id: Uuid) -> Result<PageResponse, Failure> {
        let store = self.store().await?;
        let path = format!("{}/order", paths::store_checkout(&self.domain, id));
        match self.call::<Order>("GET", &path, None).await? {
            Ok((_, order)) => {
                let mut page = confirmation_page(&store, &order);
                page.set_cookies.push(Cart::default().set_cookie(self.request.scheme == "https"));
                Ok(page)
            }
            // No order yet: back to the payment step, if the checkout is there at all.
            Err(_) => {
                self.checkout(id, &store).await?;
                Ok(PageResponse::see_other(format!("/checkout/{id}")))
            }
        }
    }
}

/// What the shopper typed, kept to fill the form again when something needs fixing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ContactForm {
    email: String,
    name: String,
    line1: String,
    line2: String,
    city: String,
    state: String,
    postal_code: String,
    country: String,
    phone: String,
    payment_method: String,
    /// The form's attempt id (a hidden field, new with each form shown).
    attempt: String,
    /// `1` when the shopper keeps an address the address API disagrees with.
    keep_address: String,
}

impl ContactForm {
    fn parse(body: &[u8]) -> Result<Self, String> {
        if body.len() > MAX_FORM_BYTES {
            return Err("The form is too large.".into());
        }
        let mut form = ContactForm::default();
        for (name, value) in form_urlencoded::parse(body) {
            let slot = match name.as_ref() {
                "email" => &mut form.email,
                "name" => &mut form.name,
                "line1" => &mut form.line1,
                "line2" => &mut form.line2,
                "city" => &mut form.city,
                "state" => &mut form.state,
                "postal_code" => &mut form.postal_code,
                "country" => &mut form.country,
                "phone" => &mut form.phone,
                "payment_method" => &mut form.payment_method,
                "attempt" => &mut form.attempt,
                "keep_address" => &mut form.keep_address,
                _ => continue,
            };
            *slot = value.trim().to_owned();
        }
        Ok(form)
    }

    /// The checkout to start. Its idempotency key is the attempt and everything else in it
    /// hashed together: the same form submitted twice starts one checkout, while the same form
    /// changed and submitted again (the back button keeps the attempt) starts a new one. (A form
    /// posted without an attempt, which our pages never send, is keyed by its contents and the
    /// visit alone.)
    fn input(&self, lines: &[QuoteLine], session_id: Option<String>) -> CheckoutInput {
        use sha2::Digest as _;
        let mut input = self.input_without_key(lines, session_id);
        let content = serde_json::to_string(&input).unwrap_or_default();
        let digest = sha2::Sha256::new().chain_update(self.attempt.as_bytes()).chain_update(b"\n").chain_update(content.as_bytes()).finalize();
        input.idempotency_key = hex::encode(&digest[..16]);
        input
    }

    fn input_without_key(&self, lines: &[QuoteLine], session_id: Option<String>) -> CheckoutInput {
        CheckoutInput {
            lines: lines.iter().map(|l| CheckoutLineInput { variant_id: l.variant_id, quantity: l.quantity }).collect(),
            email: self.email.clone(),
            shipping: ShippingAddress {
                name: self.name.clone(),
                line1: self.line1.clone(),
                line2: Some(self.line2.clone()).filter(|l| !l.is_empty()),
                city: self.city.clone(),
                state: self.state.clone(),
                // "560 001" is how many write a PIN code; it is six digits all the same.
                postal_code: if self.country_code() == "IN" { self.postal_code.split_whitespace().collect() } else { self.postal_code.clone() },
                country: self.country_code(),
                phone: self.phone.clone(),
            },
            payment_method: PaymentMethod::parse(&self.payment_method).unwrap_or(PaymentMethod::Razorpay),
            session_id,
            idempotency_key: String::new(),
            customer_session: None,
            address_status: AddressStatus::Unverified,
            customer: None,
        }
    }

    /// Starts a signed-in shopper's form from their account and default address.
    fn prefill(&mut self, customer: &Customer, address: Option<&SavedAddress>) {
        self.email.clone_from(&customer.email);
        self.name.clone_from(&customer.name);
        if let Some(saved) = address {
            let a = &saved.address;
            self.name.clone_from(&a.name);
            self.line1.clone_from(&a.line1);
            self.line2 = a.line2.clone().unwrap_or_default();
            self.city.clone_from(&a.city);
            self.state.clone_from(&a.state);
            self.postal_code.clone_from(&a.postal_code);
            self.country.clone_from(&a.country);
            self.phone.clone_from(&a.phone);
        }
    }
}

/// The address API's disagreement in a shopper's words.
fn mismatch_words(check: &AddressCheck, pin: &str) -> String {
    match (&check.city, &check.state) {
        (Some(city), Some(state)) => format!("PIN code {pin} is in {city}, {state}. Please check the PIN code, city and state."),
        (None, Some(state)) => format!("PIN code {pin} is in {state}. Please check the PIN code and state."),
        _ => check.message.clone().unwrap_or_else(|| format!("We could not find PIN code {pin}. Please check it.")),
    }
}

impl ContactForm {
    /// The chosen country's code; India when none was chosen.
    fn country_code(&self) -> String {
        if self.country.is_empty() { "IN".to_owned() } else { self.country.to_ascii_uppercase() }
    }
}

/// The countries the address form offers, India first (the default).
pub const COUNTRIES: &[(&str, &str)] = &[
    ("IN", "India"),
    ("AE", "United Arab Emirates"),
    ("AU", "Australia"),
    ("BD", "Bangladesh"),
    ("BT", "Bhutan"),
    ("CA", "Canada"),
    ("DE", "Germany"),
    ("FR", "France"),
    ("GB", "United Kingdom"),
    ("LK", "Sri Lanka"),
    ("MV", "Maldives"),
    ("MY", "Malaysia"),
    ("NP", "Nepal"),
    ("NZ", "New Zealand"),
    ("QA", "Qatar"),
    ("SA", "Saudi Arabia"),
    ("SG", "Singapore"),
    ("US", "United States"),
];

/// Whether `pin` is an Indian PIN code: six digits, the first not 0.
pub fn is_indian_pin(pin: &str) -> bool {
    pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()) && !pin.starts_with('0')
}

/// What the address form checks beyond [`CheckoutInput::validate`]: a country from the list and,
/// for India, a real PIN code.
fn address_errors(shipping: &ShippingAddress) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if !COUNTRIES.iter().any(|(code, _)| *code == shipping.country) {
        errors.insert("shipping.country".into(), String::new());
    } else if shipping.country == "IN" && !shipping.postal_code.trim().is_empty() && !is_indian_pin(&shipping.postal_code) {
        errors.insert("shipping.postal_code".into(), String::new());
    }
    errors
}

/// The fields the form shows an error next to (by their keys in [`CheckoutInput::validate`]).
const SHOWN_FIELDS: &[&str] = &[
    "email",
    "shipping.name",
    "shipping.line1",
    "shipping.line2",
    "shipping.city",
    "shipping.state",
    "shipping.postal_code",
    "shipping.country",
    "shipping.phone",
    "payment_method",
    "keep_address",
];

/// What to say when the cart itself was refused (a line gone, a quantity out of range).
const CART_CHANGED: &str = "Something in your cart has changed since you opened this page. Please review your cart and try again.";

/// Each refused field in words a shopper understands, keyed as before so each shows next to its
/// field; rules a shopper cannot fix by typing (the cart's lines) are left to the banner.
fn in_shoppers_words(errors: &FieldErrors, country: &str) -> FieldErrors {
    errors
        .iter()
        .map(|(key, message)| {
            let words = match key.as_str() {
                "email" => "Please enter your email address, like asha@example.in.".to_owned(),
                "shipping.name" => "Please enter the name of the person receiving the parcel.".to_owned(),
                "shipping.line1" => "Please enter the house number and street.".to_owned(),
                "shipping.line2" => "Please keep this line under 200 characters.".to_owned(),
                "shipping.city" => "Please enter the town or city.".to_owned(),
                "shipping.state" => "Please enter the state.".to_owned(),
                "shipping.postal_code" if country == "IN" => "Please enter the 6-digit PIN code, like 560001.".to_owned(),
                "shipping.postal_code" => "Please enter the postal code.".to_owned(),
                "shipping.country" => "Please choose the country from the list.".to_owned(),
                "shipping.phone" => "Please enter a phone number the courier can call, like 98450 12345.".to_owned(),
                "payment_method" if !message.is_empty() && message.starts_with(char::is_uppercase) => message.clone(),
                "payment_method" => "Please choose how you would like to pay.".to_owned(),
                "keep_address" => String::new(),
                _ => CART_CHANGED.to_owned(),
            };
            (key.clone(), words)
        })
        .collect()
}

/// core-api's refusal for too little stock ("Only 1 left of Brass Diya — Large", "Brass Diya —
/// Large is sold out", or in older versions "DIYA-L: only 1 left") said the same way as the
/// storefront's cart says it, naming the line as the shopper knows it. A message about no line
/// of the cart is not shown as is, since it may name things the shopper never saw.
fn stock_message(message: &str, lines: &[QuoteLine], details: &[VariantDetail]) -> String {
    // The ways core-api may have named each line: its SKU or its product and variant.
    let named = |line: &QuoteLine| -> Vec<String> {
        let mut names = vec![line.sku.clone(), line.title.clone()];
        if let Some(d) = details.iter().find(|d| d.variant_id == line.variant_id) {
            if !d.variant_title.is_empty() {
                names.push(format!("{} ({})", d.product_title, d.variant_title));
                names.push(format!("{} / {}", d.product_title, d.variant_title));
                names.push(crate::cart::item_name(&d.product_title, &d.variant_title));
            }
            names.push(d.product_title.clone());
        }
        names
    };
    let line = lines.iter().find(|line| named(line).iter().any(|name| !name.is_empty() && message.contains(name.as_str())));
    let left = message
        .to_lowercase()
        .split_once("only ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|digits| digits.parse::<u32>().ok());
    match (line, left) {
        (Some(line), Some(left)) => format!(
            "{} Please lower the quantity in your cart to continue.",
            crate::cart::only_left_message(&line.title, left, line.quantity)
        ),
        (Some(line), None) if message.contains("sold out") => {
            format!("{} has just sold out. Please remove it from your cart to continue.", line.title)
        }
        _ => "Some items in your cart are no longer available in the quantity you chose. Please review your cart.".to_owned(),
    }
}

/// What to tell a shopper whose cart holds more of a line than the store has on hand, before
/// they fill in the form (core-api's own count, with other shoppers' holds, decides at the end).
fn short_of_stock(lines: &[QuoteLine], details: &[VariantDetail]) -> Option<String> {
    lines.iter().find_map(|line| {
        let left = details.iter().find(|d| d.variant_id == line.variant_id)?.available.filter(|left| line.quantity > *left)?;
        Some(if left == 0 {
            format!("{} has sold out. Please remove it from your cart to continue.", line.title)
        } else {
            format!("{} Please lower the quantity in your cart to continue.", crate::cart::only_left_message(&line.title, left, line.quantity))
        })
    })
}

enum PayAction {
    Razorpay(PaymentStep),
    Place,
}

const STYLE: &str = "*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d1d1f;background:#fafafa;line-height:1.5}\
header{background:#fff;border-top:4px solid var(--accent,#0b6b3a);border-bottom:1px solid #e5e7eb;padding:.9rem 1.25rem}header a{color:inherit;text-decoration:none;font-weight:700;font-size:1.15rem;display:inline-flex;align-items:center;gap:.6rem}\
header img{height:36px;width:auto;max-width:140px;object-fit:contain}\
main{max-width:46rem;margin:1.5rem auto;padding:0 1.25rem}h1{font-size:1.5rem;margin:.5rem 0 1rem}section{background:#fff;border:1px solid #e5e5e5;border-radius:10px;padding:1rem 1.25rem;margin-bottom:1rem}\
table{width:100%;border-collapse:collapse}td{padding:.35rem 0;vertical-align:top}td.n{text-align:right;white-space:nowrap}tr.total td{border-top:1px solid #e5e5e5;font-weight:700;padding-top:.6rem}\
label{display:block;font-weight:600;font-size:.9rem;margin:.7rem 0 .2rem}input[type=text],input[type=email],input[type=tel],select{width:100%;padding:.55rem .6rem;border:1px solid #8c959f;border-radius:6px;font:inherit;font-size:1rem;background:#fff}\
.row{display:grid;grid-template-columns:1fr 1fr;gap:0 1rem}fieldset{border:0;padding:0;margin:.8rem 0}fieldset label{font-weight:400;display:flex;gap:.5rem;align-items:center}\
.error{color:#b00020;font-size:.85rem;margin:.2rem 0 0}.banner{background:#fdecee;border:1px solid #f3b7c0;color:#8a0015;border-radius:8px;padding:.7rem 1rem;margin-bottom:1rem}.banner a{color:inherit;font-weight:600}\
button,.button{display:inline-block;background:var(--accent,#0b6b3a);color:var(--on-accent,#fff);border:0;border-radius:8px;padding:.75rem 1.4rem;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}\
.muted{color:#57606a;font-size:.9rem}dl{display:grid;grid-template-columns:auto 1fr;gap:.3rem 1rem;margin:0}dt{color:#57606a}dd{margin:0}\
@media (max-width:520px){main{padding:0 .75rem;margin-top:1rem}section{padding:.9rem}.row{grid-template-columns:1fr}button,.button{width:100%;text-align:center}}";

/// The page around every checkout screen, in the store's name, logo and accent colour (with the
/// storefront's default green and button text by contrast, as on the storefront).
fn document(store: Option<&StoreInfo>, title: &str, main: &str) -> String {
    let name = store.map_or("Zelly", |s| s.name.as_str());
    let accent = accent_style(store.and_then(|s| s.accent_color.as_deref()))
        .map(|style| format!(" style=\"{style}\""))
        .unwrap_or_default();
    let logo = store
        .and_then(|s| s.logo_url.as_deref())
        .map(|src| format!("<img src=\"{}\" alt=\"\" height=\"36\">", attr(src)))
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"robots\" content=\"noindex\"><title>{title} · {name}</title><link rel=\"icon\" href=\"data:,\"><style>{STYLE}</style></head>\
<body{accent}><header><a href=\"/\">{logo}<span>{name}</span></a></header><main>{main}</main></body></html>",
        title = text(title),
        name = text(name),
    )
}

fn notice(store: Option<&StoreInfo>, status: u16, title: &str, message: &str) -> PageResponse {
    let main = format!("<section data-testid=\"checkout-notice\"><h1>{}</h1><p>{}</p><p><a href=\"/\">Back to the store</a></p></section>", text(title), text(message));
    PageResponse::page(status, document(store, title, &main))
}

fn empty_cart(store: &StoreInfo) -> PageResponse {
    let main = "<section data-testid=\"checkout-empty\"><h1>Your cart is empty</h1><p>Add something to your cart, then check out.</p><p><a class=\"button\" href=\"/\">Continue shopping</a></p></section>";
    PageResponse::page(200, document(Some(store), "Checkout", main))
}

fn expired_page(store: &StoreInfo) -> PageResponse {
    let main = "<section data-testid=\"checkout-expired\"><h1>This checkout has expired</h1>\
<p>We held your items for 15 minutes and have released them. Nothing was charged.</p>\
<p><a class=\"button\" href=\"/checkout\">Start checkout again</a></p></section>";
    PageResponse::page(410, document(Some(store), "Checkout expired", main))
}

/// The summary table: lines and the total.
fn summary<'l>(lines: impl Iterator<Item = (&'l str, u32, Money)>, total: Money) -> String {
    let mut html = String::from("<table data-testid=\"checkout-summary\">");
    for (title, quantity, unit) in lines {
        let line_total = unit.checked_mul(quantity).map_or_else(String::new, |m| m.to_string());
        let _ = write!(html, "<tr><td>{} × {quantity}</td><td class=\"n\">{}</td></tr>", text(title), text(&line_total));
    }
    let _ = write!(html, "<tr class=\"total\"><td>Total</td><td class=\"n\" data-testid=\"checkout-total\">{}</td></tr></table>", text(&total.to_string()));
    html
}

/// The store a price list came with.
fn store_of(prices: PriceList) -> Result<StoreInfo, Failure> {
    prices.store.ok_or_else(|| Failure::Unavailable("core-api sent no store with the prices".into()))
}

/// How a store can be paid, as checkout offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Offers {
    online: bool,
    cash_on_delivery: bool,
}

impl Offers {
    fn of(prices: &PriceList) -> Self {
        Self { online: prices.online_payments, cash_on_delivery: prices.cash_on_delivery }
    }

    fn takes(self, method: PaymentMethod) -> bool {
        match method {
            PaymentMethod::Razorpay => self.online,
            PaymentMethod::CashOnDelivery => self.cash_on_delivery,
        }
    }
}

fn form_page(store: &StoreInfo, offers: Offers, quote: &Quote, form: &ContactForm, errors: &FieldErrors, message: Option<&str>, status: u16) -> PageResponse {
    if !offers.online && !offers.cash_on_delivery {
        return notice(Some(store), 503, "Checkout is not open yet", "This store is not taking orders online yet. Please contact the store.");
    }
    let total = quote.total;
    let mut main = String::from("<h1>Checkout</h1>");
    if let Some(message) = message {
        let _ = write!(
            main,
            "<div class=\"banner\" role=\"alert\" data-testid=\"checkout-error\">{} <a href=\"/cart\">Go to your cart</a></div>",
            text(message)
        );
    } else if errors.keys().any(|k| !SHOWN_FIELDS.contains(&k.as_str())) {
        let _ = write!(main, "<div class=\"banner\" role=\"alert\" data-testid=\"checkout-error\">{CART_CHANGED} <a href=\"/cart\">Go to your cart</a></div>");
    } else if !errors.is_empty() {
        main.push_str("<div class=\"banner\" role=\"alert\" data-testid=\"checkout-error\">Please check the fields marked below.</div>");
    }
    let _ = write!(
        main,
        "<section><h2>Your order</h2>{}<p class=\"muted\"><a href=\"/cart\">Change the cart</a></p></section>",
        summary(quote.lines.iter().map(|l| (l.title.as_str(), l.quantity, l.unit_price)), total)
    );
    let _ = write!(
        main,
        "<form method=\"post\" action=\"/checkout\" data-testid=\"checkout-form\" novalidate><input type=\"hidden\" name=\"attempt\" value=\"{}\"><section><h2>Contact</h2>",
        attr(&form.attempt)
    );
    let field = |main: &mut String, name: &str, key: &str, label: &str, kind: &str, value: &str, extra: &str| {
        let _ = write!(
            main,
            "<label for=\"{name}\">{label}</label><input type=\"{kind}\" id=\"{name}\" name=\"{name}\" value=\"{}\"{extra}>",
            attr(value)
        );
        if let Some(error) = errors.get(key) {
            let _ = write!(main, "<p class=\"error\" data-testid=\"error-{name}\">{}</p>", text(error));
        }
    };
    field(&mut main, "email", "email", "Email", "email", &form.email, " autocomplete=\"email\" required");
    main.push_str("</section><section><h2>Shipping address</h2>");
    field(&mut main, "name", "shipping.name", "Full name", "text", &form.name, " autocomplete=\"name\" required");
    field(&mut main, "line1", "shipping.line1", "Address", "text", &form.line1, " autocomplete=\"address-line1\" required");
    field(&mut main, "line2", "shipping.line2", "Flat, building, landmark (optional)", "text", &form.line2, " autocomplete=\"address-line2\"");
    main.push_str("<div class=\"row\"><div>");
    field(&mut main, "city", "shipping.city", "City", "text", &form.city, " autocomplete=\"address-level2\" required");
    main.push_str("</div><div>");
    field(&mut main, "state", "shipping.state", "State", "text", &form.state, " autocomplete=\"address-level1\" required");
    main.push_str("</div><div>");
    let country = form.country_code();
    let india = country == "IN";
    let (pin_label, pin_extra) = if india {
        ("PIN code", " autocomplete=\"postal-code\" inputmode=\"numeric\" maxlength=\"7\" pattern=\"[1-9][0-9]{2} ?[0-9]{3}\" required")
    } else {
        ("Postal code", " autocomplete=\"postal-code\" required")
    };
    field(&mut main, "postal_code", "shipping.postal_code", pin_label, "text", &form.postal_code, pin_extra);
    main.push_str("</div><div>");
    main.push_str("<label for=\"country\">Country</label><select id=\"country\" name=\"country\" autocomplete=\"country\" data-testid=\"country\">");
    for (code, name) in COUNTRIES {
        let selected = if *code == country { " selected" } else { "" };
        let _ = write!(main, "<option value=\"{code}\"{selected}>{name}</option>");
    }
    main.push_str("</select>");
    if let Some(error) = errors.get("shipping.country") {
        let _ = write!(main, "<p class=\"error\" data-testid=\"error-country\">{}</p>", text(error));
    }
    main.push_str("</div></div>");
    if errors.contains_key("keep_address") || form.keep_address == "1" {
        let checked = if form.keep_address == "1" { " checked" } else { "" };
        let _ = write!(
            main,
            "<fieldset><label><input type=\"checkbox\" name=\"keep_address\" value=\"1\" data-testid=\"keep-address\"{checked}> My address is right as I typed it</label></fieldset>"
        );
    }
    field(&mut main, "phone", "shipping.phone", "Phone", "tel", &form.phone, " autocomplete=\"tel\" required");
    main.push_str("</section><section><h2>Payment</h2><fieldset>");
    let default = if offers.online { PaymentMethod::Razorpay } else { PaymentMethod::CashOnDelivery };
    let chosen = PaymentMethod::parse(&form.payment_method).filter(|m| offers.takes(*m)).unwrap_or(default);
    let checked = |m: PaymentMethod| if m == chosen { " checked" } else { "" };
    if offers.online {
        let _ = write!(
            main,
            "<label><input type=\"radio\" name=\"payment_method\" value=\"razorpay\" data-testid=\"pay-online\"{}> Pay online: UPI, cards, netbanking (Razorpay)</label>",
            checked(PaymentMethod::Razorpay)
        );
    }
    if offers.cash_on_delivery {
        let _ = write!(
            main,
            "<label><input type=\"radio\" name=\"payment_method\" value=\"cash_on_delivery\" data-testid=\"pay-cod\"{}> Cash on delivery</label>",
            checked(PaymentMethod::CashOnDelivery)
        );
    }
    main.push_str("</fieldset>");
    if let Some(error) = errors.get("payment_method") {
        let _ = write!(main, "<p class=\"error\" data-testid=\"error-payment_method\">{}</p>", text(error));
    }
    let _ = write!(
        main,
        "<p class=\"muted\">Your items are held for 15 minutes once you continue.</p><button type=\"submit\" data-testid=\"checkout-submit\">Continue · {}</button></section></form>",
        text(&total.to_string())
    );
    PageResponse::page(status, document(Some(store), "Checkout", &main))
}

fn address(shipping: &ShippingAddress) -> String {
    let mut parts = vec![shipping.name.as_str(), shipping.line1.as_str()];
    if let Some(line2) = &shipping.line2 {
        parts.push(line2);
    }
    let city = format!("{}, {} {}", shipping.city, shipping.state, shipping.postal_code);
    let mut html: String = parts.iter().map(|p| format!("{}<br>", text(p))).collect();
    let _ = write!(html, "{}<br>{} · {}", text(&city), text(&shipping.country), text(&shipping.phone));
    html
}

/// Razorpay Standard Checkout's options for the payment step.
fn razorpay_options(store: &StoreInfo, checkout: &Checkout, step: &PaymentStep, callback_url: &str) -> serde_json::Value {
    let mut options = serde_json::json!({
        "key": step.key_id,
        "amount": step.amount.amount_minor,
        "currency": step.amount.currency.as_str(),
        "name": store.name,
        "description": format!("Order at {}", store.name),
        "order_id": step.order_id,
        "callback_url": callback_url,
        "redirect": true,
        "prefill": { "name": checkout.shipping.name, "email": checkout.email, "contact": checkout.shipping.phone },
        "notes": { "checkout_id": checkout.id.to_string() },
    });
    if let Some(color) = store.accent_color.as_deref().filter(|c| is_hex_color(c)) {
        options["theme"] = serde_json::json!({ "color": color });
    }
    options
}

fn pay_page(
    store: &StoreInfo,
    checkout: &Checkout,
    action: &PayAction,
    payment: &PaymentPage,
    callback_url: &str,
    message: Option<&str>,
    status: u16,
) -> PageResponse {
    let mut main = String::from("<h1>Review and pay</h1>");
    if let Some(message) = message {
        let _ = write!(main, "<div class=\"banner\" role=\"alert\" data-testid=\"checkout-error\">{}</div>", text(message));
    }
    let _ = write!(
        main,
        "<section><h2>Your order</h2>{}</section><section><h2>Shipping to</h2><p data-testid=\"checkout-address\">{}</p><p class=\"muted\">Email: {}</p></section><section>",
        summary(checkout.lines.iter().map(|l| (l.title.as_str(), l.quantity, l.unit_price)), checkout.total),
        address(&checkout.shipping),
        text(&checkout.email),
    );
    let total = text(&checkout.total.to_string()).into_owned();
    match action {
        PayAction::Place => {
            let _ = write!(
                main,
                "<h2>Cash on delivery</h2><p>Pay {total} when your order arrives.</p><form method=\"post\" action=\"/checkout/{}/place\"><button type=\"submit\" data-testid=\"place-order\">Place order</button></form>",
                checkout.id
            );
        }
        PayAction::Razorpay(step) => {
            // The options as JSON inside a script element: `<` escaped so no value can end it.
            let options = razorpay_options(store, checkout, step, callback_url).to_string().replace('<', "\\u003c");
            let _ = write!(main, "<h2>Pay online</h2><script type=\"application/json\" id=\"razorpay-options\">{options}</script>");
            match payment {
                PaymentPage::StandIn(base) => {
                    let href = format!(
                        "{base}/pay/{}?callback_url={}",
                        form_urlencoded::byte_serialize(step.order_id.as_bytes()).collect::<String>(),
                        form_urlencoded::byte_serialize(callback_url.as_bytes()).collect::<String>()
                    );
                    let _ = write!(
                        main,
                        "<p><a class=\"button\" id=\"pay\" href=\"{}\" data-testid=\"pay-button\">Pay {total}</a></p><p class=\"muted\">Test payments: the Razorpay stand-in takes them.</p>",
                        attr(&href)
                    );
                }
                PaymentPage::StandardCheckout => {
                    let _ = write!(
                        main,
                        "<p><button type=\"button\" id=\"pay\" data-testid=\"pay-button\">Pay {total}</button></p>\
<noscript><p class=\"banner\">Paying online needs JavaScript. Please turn it on, or choose cash on delivery where the store offers it.</p></noscript>\
<script src=\"{RAZORPAY_CHECKOUT_JS}\"></script>\
<script>document.getElementById(\"pay\").addEventListener(\"click\",function(){{var o=JSON.parse(document.getElementById(\"razorpay-options\").textContent);new Razorpay(o).open()}})</script>"
                    );
                }
            }
        }
    }
    main.push_str("</section>");
    PageResponse::page(status, document(Some(store), "Review and pay", &main))
}

fn confirmation_page(store: &StoreInfo, order: &Order) -> PageResponse {
    // The confirmation email leaves with the order's event (core-api's outbox); the page is the
    // shopper's record until it arrives.
    let how = match order.payment_method {
        PaymentMethod::Razorpay => "Paid online.".to_owned(),
        PaymentMethod::CashOnDelivery => format!("Cash on delivery: pay {} when it arrives.", order.total),
    };
    let main = format!(
        "<h1>Your order is confirmed</h1><section data-testid=\"confirmation\"><p>Thank you! Order <strong data-testid=\"order-number\">#{}</strong> at {} is confirmed. {}</p>\
<p class=\"muted\" data-testid=\"confirmation-email\">We are emailing a confirmation to {}. Keep the order number: the store will use it if they contact you.</p>{}</section>\
<section><h2>Shipping to</h2><p data-testid=\"confirmation-address\">{}</p></section>\
<section><h2>Contact</h2><dl><dt>Email</dt><dd>{}</dd><dt>Phone</dt><dd>{}</dd><dt>Payment</dt><dd>{}</dd></dl></section><p><a href=\"/\">Continue shopping</a></p>",
        order.number,
        text(&store.name),
        text(&how),
        text(&order.email),
        summary(order.lines.iter().map(|l| (l.title.as_str(), l.quantity, l.unit_price)), order.total),
        address(&order.shipping),
        text(&order.email),
        text(&order.shipping.phone),
        match order.payment_method {
            PaymentMethod::Razorpay => "Online (Razorpay)",
            PaymentMethod::CashOnDelivery => "Cash on delivery",
        },
    );
    PageResponse::page(200, document(Some(store), &format!("Order #{}", order.number), &main))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_routes_resolve_by_method_and_path() {
        let id = Uuid::from_u128(7);
        assert_eq!(PageRoute::resolve("GET", "/checkout"), Some(Ok(PageRoute::Form)));
        assert_eq!(PageRoute::resolve("POST", "/checkout"), Some(Ok(PageRoute::Start)));
        assert_eq!(PageRoute::resolve("GET", &format!("/checkout/{id}")), Some(Ok(PageRoute::Pay(id))));
        assert_eq!(PageRoute::resolve("POST", &format!("/checkout/{id}/callback")), Some(Ok(PageRoute::Callback(id))));
        assert_eq!(PageRoute::resolve("POST", &format!("/checkout/{id}/place")), Some(Ok(PageRoute::Place(id))));
        assert_eq!(PageRoute::resolve("GET", &format!("/checkout/{id}/confirmation")), Some(Ok(PageRoute::Confirmation(id))));
        assert_eq!(PageRoute::resolve("GET", &format!("/checkout/{id}/callback")), Some(Err(())));
        assert_eq!(PageRoute::resolve("DELETE", "/checkout"), Some(Err(())));
        assert_eq!(PageRoute::resolve("GET", "/checkout/not-an-id"), None);
        assert_eq!(PageRoute::resolve("GET", "/checkout/health"), None);
    }

    #[test]
    fn the_form_keeps_what_was_typed_and_builds_the_input() {
        let form = ContactForm::parse(b"email=+asha%40example.in&name=Asha&line1=12+MG+Road&line2=&city=Bengaluru&state=KA&postal_code=560001&country=in&phone=9845012345&payment_method=cash_on_delivery&price=1").unwrap();
        assert_eq!(form.email, "asha@example.in");
        let lines = [QuoteLine {
            variant_id: Uuid::from_u128(1),
            title: "Diya".into(),
            sku: "D".into(),
            quantity: 2,
            unit_price: Money::new(100, crate::Currency::INR),
            line_total: Money::new(200, crate::Currency::INR),
        }];
        let input = form.input(&lines, Some("s".into()));
        assert_eq!(input.idempotency_key.len(), 32, "even without an attempt, a key");
        assert_eq!(input.payment_method, PaymentMethod::CashOnDelivery);
        // The same attempt and form give the same key; a change to the form gives another.
        let attempt = ContactForm { attempt: "a1".into(), ..form.clone() };
        let key = attempt.input(&lines, Some("s".into())).idempotency_key;
        assert_ne!(key, input.idempotency_key);
        assert_eq!(attempt.input(&lines, Some("s".into())).idempotency_key, key);
        let moved = ContactForm { city: "Mysuru".into(), ..attempt.clone() };
        assert_ne!(moved.input(&lines, Some("s".into())).idempotency_key, key);
        assert_eq!(attempt.input(&lines, Some("s".into())).validate(), Ok(()));
        assert_eq!(input.shipping.country, "IN");
        assert_eq!(input.shipping.line2, None);
        assert_eq!(input.lines, vec![CheckoutLineInput { variant_id: Uuid::from_u128(1), quantity: 2 }]);
        assert!(ContactForm::parse(&vec![b'a'; MAX_FORM_BYTES + 1]).is_err());
    }

    #[test]
    fn the_stand_in_and_standard_checkout_get_the_same_options() {
        let store = StoreInfo {
            slug: crate::TenantSlug::parse("demo").unwrap(),
            name: "Demo </script>".into(),
            domain: DomainName::parse("demo.localhost").unwrap(),
            logo_url: None,
            accent_color: Some("#aa3300".into()),
        };
        let checkout = Checkout {
            id: Uuid::from_u128(3),
            status: CheckoutStatus::Open,
            lines: vec![],
            total: Money::new(69_900, crate::Currency::INR),
            email: "a@b.in".into(),
            shipping: ShippingAddress {
                name: "Asha".into(),
                line1: "1 Road".into(),
                line2: None,
                city: "Pune".into(),
                state: "MH".into(),
                postal_code: "411001".into(),
                country: "IN".into(),
                phone: "9999999999".into(),
            },
            payment_method: PaymentMethod::Razorpay,
            expires_at_ms: 0,
            provider_order_id: None,
            customer_id: None,
            address_status: AddressStatus::Unverified,
        };
        let step = PaymentStep { checkout_id: checkout.id, key_id: "rzp_test_k".into(), order_id: "order_1".into(), amount: checkout.total };
        let callback = "https://demo.localhost/checkout/x/callback";
        let options = razorpay_options(&store, &checkout, &step, callback);
        assert_eq!(options["amount"], 69_900);
        assert_eq!(options["order_id"], "order_1");
        assert_eq!(options["callback_url"], callback);
        assert_eq!(options["theme"]["color"], "#aa3300");
        let action = PayAction::Razorpay(step);
        let real = pay_page(&store, &checkout, &action, &PaymentPage::StandardCheckout, callback, None, 200).body;
        assert!(real.contains(RAZORPAY_CHECKOUT_JS) && !real.contains("Demo </script>"), "the store name cannot end the script");
        let standin = pay_page(&store, &checkout, &action, &PaymentPage::from_setting(Some("http://localhost:9100/")), callback, None, 200).body;
        assert!(standin.contains("http://localhost:9100/pay/order_1?callback_url=https%3A%2F%2Fdemo.localhost%2Fcheckout%2Fx%2Fcallback"));
        assert_eq!(PaymentPage::from_setting(Some(" ")), PaymentPage::StandardCheckout);
    }

    fn diya_line(quantity: u32) -> QuoteLine {
        QuoteLine {
            variant_id: Uuid::from_u128(1),
            title: "Brass Diya — Large".into(),
            sku: "DIYA-L".into(),
            quantity,
            unit_price: Money::new(69_900, crate::Currency::INR),
            line_total: Money::new(69_900 * i64::from(quantity), crate::Currency::INR),
        }
    }

    fn demo_store(accent: Option<&str>, logo: Option<&str>) -> StoreInfo {
        StoreInfo {
            slug: crate::TenantSlug::parse("demo").unwrap(),
            name: "Zelly Demo Bazaar".into(),
            domain: DomainName::parse("demo.localhost").unwrap(),
            logo_url: logo.map(str::to_owned),
            accent_color: accent.map(str::to_owned),
        }
    }

    #[test]
    fn too_little_stock_is_told_by_the_products_name_not_its_sku() {
        let lines = [diya_line(3)];
        let details = [VariantDetail {
            variant_id: Uuid::from_u128(1),
            product_title: "Brass Diya".into(),
            product_handle: crate::Handle::parse("brass-diya").unwrap(),
            variant_title: "Large".into(),
            image_url: None,
            available: Some(1),
        }];
        let expected = "Only 1 left of Brass Diya — Large; your cart has 3. Please lower the quantity in your cart to continue.";
        assert_eq!(stock_message("DIYA-L: only 1 left", &lines, &[]), expected);
        assert_eq!(stock_message("only 1 of Brass Diya (Large) left", &lines, &details), expected);
        assert!(stock_message("DIYA-L is sold out", &lines, &[]).starts_with("Brass Diya — Large has just sold out."));
        assert!(stock_message("Brass Diya (Large) is sold out", &lines, &details).starts_with("Brass Diya — Large has just sold out."));
        assert_eq!(stock_message("Only 1 left of Brass Diya — Large", &lines, &details), expected, "as core-api says it now");
        let other = stock_message("OTHER-SKU: only 1 left", &lines, &[]);
        assert!(!other.contains("OTHER-SKU") && other.contains("review your cart"), "{other}");
    }

    #[test]
    fn a_cart_holding_more_than_is_left_is_told_before_the_form_is_filled() {
        let detail = |available| VariantDetail {
            variant_id: Uuid::from_u128(1),
            product_title: "Brass Diya".into(),
            product_handle: crate::Handle::parse("brass-diya").unwrap(),
            variant_title: "Large".into(),
            image_url: None,
            available,
        };
        let lines = [diya_line(3)];
        assert_eq!(
            short_of_stock(&lines, &[detail(Some(2))]).as_deref(),
            Some("Only 2 left of Brass Diya — Large; your cart has 3. Please lower the quantity in your cart to continue.")
        );
        assert!(short_of_stock(&lines, &[detail(Some(0))]).unwrap().starts_with("Brass Diya — Large has sold out."));
        assert_eq!(short_of_stock(&lines, &[detail(Some(3))]), None);
        assert_eq!(short_of_stock(&lines, &[detail(None)]), None, "untracked stock has no limit");
        assert_eq!(short_of_stock(&lines, &[]), None);
    }

    #[test]
    fn refused_fields_are_explained_without_field_paths() {
        let mut refused = FieldErrors::new();
        for key in ["email", "shipping.postal_code", "shipping.phone", "shipping.country", "lines[0].quantity"] {
            refused.insert(key.into(), "must be 1-20 characters".into());
        }
        let words = in_shoppers_words(&refused, "IN");
        assert_eq!(words["shipping.postal_code"], "Please enter the 6-digit PIN code, like 560001.");
        assert_eq!(words["lines[0].quantity"], CART_CHANGED);
        for message in words.values() {
            assert!(!message.contains("shipping.") && !message.contains("must be") && !message.contains("lines["), "{message}");
        }
        assert_eq!(in_shoppers_words(&refused, "US")["shipping.postal_code"], "Please enter the postal code.");
    }

    #[test]
    fn an_indian_pin_code_is_six_digits_not_starting_with_zero() {
        assert!(is_indian_pin("560001"));
        for bad in ["056001", "56001", "5600011", "56000a", ""] {
            assert!(!is_indian_pin(bad), "{bad:?}");
        }
        let address = |country: &str, pin: &str| ShippingAddress {
            name: "Asha".into(),
            line1: "1 Road".into(),
            line2: None,
            city: "Pune".into(),
            state: "MH".into(),
            postal_code: pin.into(),
            country: country.into(),
            phone: "9999999999".into(),
        };
        assert!(address_errors(&address("IN", "411001")).is_empty());
        assert!(address_errors(&address("IN", "011001")).contains_key("shipping.postal_code"));
        assert!(address_errors(&address("US", "02139")).is_empty(), "other countries' codes are their own");
        assert!(address_errors(&address("XX", "1")).contains_key("shipping.country"));
        // A PIN typed with a space is the same six digits.
        let form = ContactForm { postal_code: "560 001".into(), ..ContactForm::default() };
        assert_eq!(form.input(&[diya_line(1)], None).shipping.postal_code, "560001");
        assert_eq!(form.input(&[diya_line(1)], None).shipping.country, "IN", "India unless another is chosen");
    }

    #[test]
    fn the_form_offers_a_country_list_with_india_chosen_and_names_lines_as_shoppers_know_them() {
        let store = demo_store(None, None);
        let quote = Quote { lines: vec![diya_line(2)], total: Money::new(139_800, crate::Currency::INR) };
        let offers = Offers { online: true, cash_on_delivery: true };
        let page = form_page(&store, offers, &quote, &ContactForm::default(), &FieldErrors::new(), None, 200).body;
        assert!(page.contains(r#"<select id="country" name="country""#), "{page}");
        assert!(page.contains(r#"<option value="IN" selected>India</option>"#));
        assert!(page.contains("Brass Diya — Large × 2") && !page.contains("DIYA-L"), "{page}");
        assert!(page.contains("₹1,398.00"));
        let chosen = ContactForm { country: "GB".into(), ..ContactForm::default() };
        let page = form_page(&store, offers, &quote, &chosen, &FieldErrors::new(), None, 200).body;
        assert!(page.contains(r#"<option value="GB" selected>United Kingdom</option>"#) && page.contains(">Postal code<"));
    }

    #[test]
    fn checkout_pages_wear_the_stores_logo_and_accent_with_the_storefronts_default() {
        let themed = document(Some(&demo_store(Some("#ffd400"), Some("/assets/logo.svg"))), "Checkout", "");
        assert!(themed.contains(r#"<body style="--accent:#ffd400;--on-accent:#000000">"#), "{themed}");
        assert!(themed.contains(r#"<img src="/assets/logo.svg" alt="" height="36">"#));
        let plain = document(Some(&demo_store(None, None)), "Checkout", "");
        assert!(plain.contains("<body>") && !plain.contains("<img"));
        assert!(STYLE.contains("var(--accent,#0b6b3a)") && STYLE.contains("color:var(--on-accent,#fff)"));
        assert_eq!(crate::catalog::DEFAULT_ACCENT, "#0b6b3a", "the storefront's default");
    }
}
