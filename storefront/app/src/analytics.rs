//! What the storefront tells analytics, identically from both hosts.
//!
//! - **On render**, a page the shopper actually got (status 200) yields a `page_view`, and a
//!   product page also a `product_view` ([`page_events`]). The host sends them to core-api after
//!   the response is on its way (a background task natively, `waitUntil` in the Worker).
//! - **From the browser**, a small inline script ([`TRACKER_SCRIPT`]) reports clicks on elements
//!   marked `data-zelly-event="add_to_cart"` (with `data-product-id`, `data-variant-id`,
//!   `data-quantity`) and anything passed to `window.zellyTrack({...})`, with `sendBeacon` to the
//!   storefront's own `POST /_zelly/events` ([`BROWSER_EVENTS_PATH`]). The host checks them
//!   ([`browser_events`]), attaches the shopper's session and forwards them; browsers never see
//!   the storefront bearer token, and never name a store: the store is the request's domain.
//!
//! A visit is the `zelly_sid` cookie: a random id the host sets on the first page and renews on
//! every response, expiring after 30 minutes of inactivity (how web analytics usually count a
//! visit). It identifies no one: it is not tied to an account and holds nothing else.

use serde::Deserialize;
use uuid::Uuid;
use zelly_edge::events::{EventBatch, EventInput, EventKind};
use zelly_edge::DomainName;

pub use zelly_edge::events::{session_from_cookies, SESSION_COOKIE};

/// The storefront path browsers post events to.
pub const BROWSER_EVENTS_PATH: &str = "/_zelly/events";
/// The most bytes a browser's event post may have.
pub const MAX_BROWSER_EVENTS_BYTES: usize = 8 * 1024;
/// The most events one browser post may carry.
pub const MAX_BROWSER_EVENTS: usize = 10;
/// A visit ends after this many seconds without a page or event.
pub const SESSION_IDLE_SECS: u32 = 30 * 60;

/// The browser half, inlined at the end of every page. It loads nothing and blocks nothing.
pub const TRACKER_SCRIPT: &str = r#"(()=>{const u="/_zelly/events";const send=e=>{e.path=e.path||location.pathname;e.client_time_ms=Date.now();const b=JSON.stringify({events:[e]});if(!(navigator.sendBeacon&&navigator.sendBeacon(u,new Blob([b],{type:"application/json"})))){fetch(u,{method:"POST",body:b,headers:{"content-type":"application/json"},keepalive:true,credentials:"same-origin"}).catch(()=>{})}};document.addEventListener("click",ev=>{const el=ev.target instanceof Element&&ev.target.closest("[data-zelly-event]");if(!el)return;const d=el.dataset,e={kind:d.zellyEvent};if(d.productId)e.product_id=d.productId;if(d.variantId)e.variant_id=d.variantId;if(d.quantity)e.quantity=Number(d.quantity);send(e)},{capture:true});window.zellyTrack=send})();"#;

/// What a rendered page means for analytics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageAnalytics {
    /// The store's domain, as resolved for the render.
    pub domain: DomainName,
    /// The product, on a product page.
    pub product_id: Option<Uuid>,
    /// The search text, on a search results page.
    pub search: Option<String>,
}

/// The events of a rendered page for this visit: a page view, and a product view on a product page.
pub fn page_events(page: &PageAnalytics, session_id: &str, path: &str) -> EventBatch {
    let event = |kind, product_id| EventInput {
        kind,
        session_id: session_id.to_owned(),
        path: clip_path(path),
        client_time_ms: None,
        product_id,
        variant_id: None,
        quantity: None,
        query: None,
        order_id: None,
        value: None,
    };
    let mut events = vec![event(EventKind::PageView, None)];
    if let Some(product_id) = page.product_id {
        events.push(event(EventKind::ProductView, Some(product_id)));
    }
    if let Some(query) = &page.search {
        events.push(EventInput { query: Some(query.clone()), ..event(EventKind::Search, None) });
    }
    EventBatch { events }
}

/// The `add_to_cart` event of a cart form that added a variant (sent by the host, so it is
/// counted with JavaScript off too).
pub fn add_to_cart_event(session_id: &str, product_id: Uuid, variant_id: Uuid, quantity: u32) -> EventBatch {
    EventBatch {
        events: vec![EventInput {
            kind: EventKind::AddToCart,
            session_id: session_id.to_owned(),
            path: "/cart".into(),
            client_time_ms: None,
            product_id: Some(product_id),
            variant_id: Some(variant_id),
            quantity: Some(quantity),
            query: None,
            order_id: None,
            value: None,
        }],
    }
}

/// Paths longer than intake takes are cut at a character boundary rather than losing the event.
fn clip_path(path: &str) -> String {
    let mut end = path.len().min(512);
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    path[..end].to_owned()
}

/// One event as the browser script sends it: no session (the host adds the cookie's) and no store.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrowserEvent {
    kind: EventKind,
    path: String,
    #[serde(default)]
    client_time_ms: Option<i64>,
    #[serde(default)]
    product_id: Option<Uuid>,
    #[serde(default)]
    variant_id: Option<Uuid>,
    #[serde(default)]
    quantity: Option<u32>,
    #[serde(default)]
    query: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct BrowserBatch {
    events: Vec<BrowserEvent>,
}

/// Why a browser's event post was refused (the host answers 400 or 413 with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowserEventsError {
    /// Over [`MAX_BROWSER_EVENTS_BYTES`].
    #[error("at most {MAX_BROWSER_EVENTS_BYTES} bytes")]
    TooLarge,
    /// Not the expected JSON, or events that intake would refuse.
    #[error("{0}")]
    Invalid(String),
}

/// Checks a browser's event post and turns it into a batch for this visit. Browsers may report
/// what shoppers do on the page (views, add-to-cart, search, checkout started); orders are
/// recorded by the server that takes them, never on a browser's word.
pub fn browser_events(body: &[u8], session_id: &str) -> Result<EventBatch, BrowserEventsError> {
    if body.len() > MAX_BROWSER_EVENTS_BYTES {
        return Err(BrowserEventsError::TooLarge);
    }
    let batch: BrowserBatch = serde_json::from_slice(body).map_err(|e| BrowserEventsError::Invalid(e.to_string()))?;
    if batch.events.is_empty() || batch.events.len() > MAX_BROWSER_EVENTS {
        return Err(BrowserEventsError::Invalid(format!("events: must hold 1-{MAX_BROWSER_EVENTS} events")));
    }
    if batch.events.iter().any(|e| e.kind == EventKind::OrderPlaced) {
        return Err(BrowserEventsError::Invalid("order_placed is recorded by the server, not reported by browsers".into()));
    }
    let events = batch
        .events
        .into_iter()
        .map(|e| EventInput {
            kind: e.kind,
            session_id: session_id.to_owned(),
            path: e.path,
            client_time_ms: e.client_time_ms,
            product_id: e.product_id,
            variant_id: e.variant_id,
            quantity: e.quantity,
            query: e.query,
            order_id: None,
            value: None,
        })
        .collect();
    let batch = EventBatch { events };
    batch.validate().map_err(|fields| {
        BrowserEventsError::Invalid(fields.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))
    })?;
    Ok(batch)
}

/// A new visit id from 16 random bytes (the host supplies them from its secure random source).
pub fn new_session_id(random: [u8; 16]) -> String {
    Uuid::from_bytes(random).simple().to_string()
}

/// The `Set-Cookie` value that starts or renews a visit. `secure` when the shopper reached the
/// store over HTTPS.
pub fn session_cookie(session_id: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={session_id}; Path=/; Max-Age={SESSION_IDLE_SECS}; SameSite=Lax; HttpOnly{secure}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_product_page_is_a_page_view_and_a_product_view() {
        let page = PageAnalytics { domain: DomainName::parse("acme.example").unwrap(), product_id: Some(Uuid::from_u128(7)), search: None };
        let batch = page_events(&page, "abc", "/products/tee");
        assert_eq!(batch.events.len(), 2);
        assert_eq!(batch.events[0].kind, EventKind::PageView);
        assert_eq!((batch.events[1].kind, batch.events[1].product_id), (EventKind::ProductView, Some(Uuid::from_u128(7))));
        assert_eq!(batch.validate(), Ok(()));
        let home = PageAnalytics { product_id: None, ..page };
        assert_eq!(page_events(&home, "abc", "/").events.len(), 1);
    }

    #[test]
    fn overlong_paths_are_clipped_not_dropped() {
        let page = PageAnalytics { domain: DomainName::parse("acme.example").unwrap(), product_id: None, search: Some("brass lamp".into()) };
        let long = format!("/{}", "é".repeat(600));
        let batch = page_events(&page, "abc", &long);
        assert!(batch.events[0].path.len() <= 512);
        assert_eq!(batch.validate(), Ok(()));
    }

    #[test]
    fn browser_events_get_the_visit_and_cannot_claim_orders_or_stores() {
        let body = br#"{"events":[{"kind":"add_to_cart","path":"/products/tee","product_id":"00000000-0000-0000-0000-000000000001","variant_id":"00000000-0000-0000-0000-000000000002","quantity":2}]}"#;
        let batch = browser_events(body, "0123456789abcdef0123456789abcdef").unwrap();
        assert_eq!(batch.events[0].session_id, "0123456789abcdef0123456789abcdef");
        let order = br#"{"events":[{"kind":"order_placed","path":"/"}]}"#;
        assert!(matches!(browser_events(order, "s"), Err(BrowserEventsError::Invalid(_))));
        let store = br#"{"events":[{"kind":"page_view","path":"/","tenant_id":"x"}]}"#;
        assert!(browser_events(store, "s").is_err());
        let session = br#"{"events":[{"kind":"page_view","path":"/","session_id":"forged"}]}"#;
        assert!(browser_events(session, "s").is_err(), "the browser cannot pick its session");
        let missing = br#"{"events":[{"kind":"add_to_cart","path":"/p"}]}"#;
        let Err(BrowserEventsError::Invalid(why)) = browser_events(missing, "s") else { panic!() };
        assert!(why.contains("variant_id"), "{why}");
        assert_eq!(browser_events(&vec![b' '; MAX_BROWSER_EVENTS_BYTES + 1], "s"), Err(BrowserEventsError::TooLarge));
    }

    #[test]
    fn the_visit_cookie_is_read_only_when_well_formed() {
        let id = new_session_id([0xab; 16]);
        assert_eq!(id.len(), 32);
        assert_eq!(session_from_cookies(Some(&format!("a=1; {SESSION_COOKIE}={id}; b=2"))), Some(id.clone()));
        assert_eq!(session_from_cookies(Some("zelly_sid=../../etc")), None);
        assert_eq!(session_from_cookies(Some("zelly_sid=ABABABABABABABABABABABABABABABAB")), None);
        assert_eq!(session_from_cookies(None), None);
        let cookie = session_cookie(&id, true);
        assert!(cookie.contains("HttpOnly") && cookie.contains("Max-Age=1800") && cookie.ends_with("; Secure"));
    }
}
