//! Checkout logic shared by the checkout Worker and its native host.
//!
//! Hosts do the I/O (read the request, call origin for prices, write the response); everything that
//! decides something lives here so that both hosts answer identically. Prices always come from
//! origin: whatever price a client sends is ignored.

use crate::domain::Money;
use crate::dto::{PriceList, PriceLookup, VariantPrice};
use crate::host::normalize_host;
use crate::origin::{OriginError, StorefrontOrigin};
use crate::error::ApiErrorBody;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

pub use crate::limits::{MAX_LINES, MAX_QUANTITY};
/// Largest request body the quote route accepts, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The checkout routes, independent of any HTTP library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckoutRoute {
    /// `GET /checkout/health`
    Health,
    /// `POST /checkout/quote`
    Quote,
    /// One of checkout's pages (`/checkout`, `/checkout/{id}`, …).
    Page(crate::checkout_pages::PageRoute),
    /// A known path with the wrong method.
    MethodNotAllowed,
    /// Anything else.
    NotFound,
}

impl CheckoutRoute {
    /// Routes a request by method and path.
    pub fn resolve(method: &str, path: &str) -> Self {
        match (method, path) {
            ("GET" | "HEAD", "/checkout/health") => CheckoutRoute::Health,
            ("POST", "/checkout/quote") => CheckoutRoute::Quote,
            (_, "/checkout/health" | "/checkout/quote") => CheckoutRoute::MethodNotAllowed,
            _ => match crate::checkout_pages::PageRoute::resolve(method, path) {
                Some(Ok(page)) => CheckoutRoute::Page(page),
                Some(Err(())) => CheckoutRoute::MethodNotAllowed,
                None => CheckoutRoute::NotFound,
            },
        }
    }
}

/// The health document both checkout hosts serve.
pub fn health_body(host: &str) -> serde_json::Value {
    serde_json::json!({ "status": "ok", "service": "checkout", "host": host })
}

/// One cart line as the client sends it. Any price field the client adds is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    /// The variant to buy.
    pub variant_id: Uuid,
    /// How many units (1 to [`MAX_QUANTITY`]).
    pub quantity: u32,
}

/// Body of `POST /checkout/quote`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteRequest {
    /// Cart lines; the same variant twice is merged into one line.
    pub lines: Vec<CartLine>,
}

/// One priced line of a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    /// The variant.
    pub variant_id: Uuid,
    /// Product and variant title.
    pub title: String,
    /// SKU.
    pub sku: String,
    /// Units.
    pub quantity: u32,
    /// Origin's unit price.
    pub unit_price: Money,
    /// `unit_price × quantity`.
    pub line_total: Money,
}

/// A priced cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Priced lines in the order the client first listed each variant.
    pub lines: Vec<QuoteLine>,
    /// Sum of the line totals.
    pub total: Money,
}

/// Why a checkout request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutError {
    /// The body is not a valid quote request.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A variant is not sold by this store.
    #[error("variant {0} is not sold by this store")]
    UnknownVariant(Uuid),
    /// The store for this host is unknown or closed.
    #[error("no store is served on this domain")]
    UnknownStore,
    /// Lines priced in different currencies cannot be summed.
    #[error("the cart mixes currencies")]
    MixedCurrencies,
    /// The total does not fit in the amount type.
    #[error("the cart total is too large")]
    TotalTooLarge,
    /// Origin could not be reached or answered unexpectedly.
    #[error("the store is temporarily unavailable")]
    OriginUnavailable,
}

impl CheckoutError {
    /// HTTP status for this error.
    pub fn status(&self) -> u16 {
        match self {
            CheckoutError::InvalidRequest(_) => 400,
            CheckoutError::UnknownStore => 404,
            CheckoutError::UnknownVariant(_)
            | CheckoutError::MixedCurrencies
            | CheckoutError::TotalTooLarge => 422,
            CheckoutError::OriginUnavailable => 502,
        }
    }

    /// The JSON error body.
    pub fn body(&self) -> ApiErrorBody {
        let code = match self {
            CheckoutError::InvalidRequest(_) => "invalid_request",
            CheckoutError::UnknownVariant(_) => "unknown_variant",
            CheckoutError::UnknownStore => "unknown_store",
            CheckoutError::MixedCurrencies => "mixed_currencies",
            CheckoutError::TotalTooLarge => "total_too_large",
            CheckoutError::OriginUnavailable => "origin_unavailable",
        };
        ApiErrorBody::new(code, self.to_string())
    }
}

/// Parses and validates a quote request body, merging repeated variants.
pub fn parse_quote_request(body: &[u8]) -> Result<QuoteRequest, CheckoutError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(CheckoutError::InvalidRequest(format!(
            "body is larger than {MAX_BODY_BYTES} bytes"
        )));
    }
    let request: QuoteRequest = serde_json::from_slice(body)
        .map_err(|e| CheckoutError::InvalidRequest(e.to_string()))?;
    if request.lines.is_empty() {
        return Err(CheckoutError::InvalidRequest("lines: the cart is empty".into()));
    }
    let mut merged: Vec<CartLine> = Vec::with_capacity(request.lines.len());
    for line in request.lines {
        if line.quantity == 0 || line.quantity > MAX_QUANTITY {
            return Err(CheckoutError::InvalidRequest(format!(
                "lines: quantity must be 1-{MAX_QUANTITY}"
            )));
        }
        match merged.iter_mut().find(|m| m.variant_id == line.variant_id) {
            Some(existing) => {
                existing.quantity += line.quantity;
                if existing.quantity > MAX_QUANTITY {
                    return Err(CheckoutError::InvalidRequest(format!(
                        "lines: quantity must be 1-{MAX_QUANTITY}"
                    )));
                }
            }
            None => merged.push(line),
        }
    }
    if merged.len() > MAX_LINES {
        return Err(CheckoutError::InvalidRequest(format!(
            "lines: at most {MAX_LINES} different variants"
        )));
    }
    Ok(QuoteRequest { lines: merged })
}

/// Prices a validated request with the prices origin returned.
pub fn price_quote(request: &QuoteRequest, prices: &PriceList) -> Result<Quote, CheckoutError> {
    let by_id: BTreeMap<Uuid, &VariantPrice> =
        prices.prices.iter().map(|p| (p.variant_id, p)).collect();
    let mut lines = Vec::with_capacity(request.lines.len());
    let mut total: Option<Money> = None;
    for line in &request.lines {
        let price = by_id
            .get(&line.variant_id)
            .ok_or(CheckoutError::UnknownVariant(line.variant_id))?;
        let line_total = price
            .price
            .checked_mul(line.quantity)
            .ok_or(CheckoutError::TotalTooLarge)?;
        total = Some(match total {
            None => line_total,
            Some(sum) => sum.checked_add(line_total).ok_or(
                if sum.currency == line_total.currency {
                    CheckoutError::TotalTooLarge
                } else {
                    CheckoutError::MixedCurrencies
                },
            )?,
        });
        lines.push(QuoteLine {
            variant_id: line.variant_id,
            title: price.title.clone(),
            sku: price.sku.clone(),
            quantity: line.quantity,
            unit_price: price.price,
            line_total,
        });
    }
    let total = total.ok_or_else(|| CheckoutError::InvalidRequest("lines: the cart is empty".into()))?;
    Ok(Quote { lines, total })
}

/// The whole `POST /checkout/quote` flow for a request that came in on `host` with `body`:
/// validate the cart, ask origin for the store's current prices, price every line.
pub async fn quote<O: StorefrontOrigin>(origin: &O, host: &str, body: &[u8]) -> Result<Quote, CheckoutError> {
    let domain = normalize_host(host).map_err(|_| CheckoutError::UnknownStore)?;
    let request = parse_quote_request(body)?;
    let lookup = PriceLookup { variant_ids: request.lines.iter().map(|l| l.variant_id).collect() };
    let prices = origin.prices(&domain, &lookup).await.map_err(|e| match e {
        OriginError::NotFound | OriginError::Suspended => CheckoutError::UnknownStore,
        OriginError::Unavailable(_) | OriginError::Rejected(_) => CheckoutError::OriginUnavailable,
    })?;
    price_quote(&request, &prices)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Currency;

    fn price(id: Uuid, amount: i64) -> VariantPrice {
        VariantPrice {
            variant_id: id,
            title: "Tee / M".into(),
            sku: format!("SKU-{amount}"),
            price: Money::new(amount, Currency::INR),
        }
    }

    #[test]
    fn a_client_sent_price_is_ignored_and_origin_price_wins() {
        let id = Uuid::from_u128(1);
        let body = format!(r#"{{"lines":[{{"variant_id":"{id}","quantity":2,"unit_price":1}}]}}"#);
        let request = parse_quote_request(body.as_bytes()).unwrap();
        let quote = price_quote(&request, &PriceList { prices: vec![price(id, 49_900)], store: None, cash_on_delivery: false, online_payments: true, details: vec![] }).unwrap();
        assert_eq!(quote.lines[0].unit_price.amount_minor, 49_900);
        assert_eq!(quote.total.amount_minor, 99_800);
    }

    #[test]
    fn repeated_variants_are_merged_into_one_line() {
        let id = Uuid::from_u128(7);
        let body = format!(
            r#"{{"lines":[{{"variant_id":"{id}","quantity":1}},{{"variant_id":"{id}","quantity":2}}]}}"#
        );
        let request = parse_quote_request(body.as_bytes()).unwrap();
        assert_eq!(request.lines.len(), 1);
        assert_eq!(request.lines[0].quantity, 3);
    }

    #[test]
    fn an_empty_cart_a_zero_quantity_and_garbage_are_refused() {
        let id = Uuid::from_u128(1);
        for body in [
            r#"{"lines":[]}"#.to_string(),
            format!(r#"{{"lines":[{{"variant_id":"{id}","quantity":0}}]}}"#),
            format!(r#"{{"lines":[{{"variant_id":"{id}","quantity":1000}}]}}"#),
            r#"{"lines":[{"variant_id":"nope","quantity":1}]}"#.to_string(),
            "not json".to_string(),
        ] {
            let err = parse_quote_request(body.as_bytes()).unwrap_err();
            assert_eq!(err.status(), 400, "{body}");
        }
    }

    #[test]
    fn a_variant_origin_does_not_know_is_refused_by_id() {
        let id = Uuid::from_u128(9);
        let request = QuoteRequest { lines: vec![CartLine { variant_id: id, quantity: 1 }] };
        let err = price_quote(&request, &PriceList { prices: vec![], store: None, cash_on_delivery: false, online_payments: true, details: vec![] }).unwrap_err();
        assert_eq!(err, CheckoutError::UnknownVariant(id));
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn a_total_that_overflows_is_refused_not_wrapped() {
        let id = Uuid::from_u128(3);
        let request = QuoteRequest { lines: vec![CartLine { variant_id: id, quantity: MAX_QUANTITY }] };
        let err = price_quote(&request, &PriceList { prices: vec![price(id, i64::MAX / 10)], store: None, cash_on_delivery: false, online_payments: true, details: vec![] });
        assert_eq!(err.unwrap_err(), CheckoutError::TotalTooLarge);
    }

    #[test]
    fn routes_resolve_by_method_and_path() {
        assert_eq!(CheckoutRoute::resolve("GET", "/checkout/health"), CheckoutRoute::Health);
        assert_eq!(CheckoutRoute::resolve("POST", "/checkout/quote"), CheckoutRoute::Quote);
        assert_eq!(CheckoutRoute::resolve("GET", "/checkout/quote"), CheckoutRoute::MethodNotAllowed);
        assert_eq!(CheckoutRoute::resolve("GET", "/elsewhere"), CheckoutRoute::NotFound);
        assert_eq!(CheckoutRoute::resolve("GET", "/checkout"), CheckoutRoute::Page(crate::checkout_pages::PageRoute::Form));
    }
}
