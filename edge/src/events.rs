//! Storefront analytics events: what shoppers' browsing sends, and the job data published to the
//! `store-events` queue.
//!
//! The tenant never comes from the body: intake attaches the tenant of the verified storefront
//! context (the request's domain), an `event_id` and the receive time, producing a [`StoreEvent`].
//! A [`StoreEvent`] serialised as JSON is exactly the BullMQ job data on `store-events`, and
//! `event_id` is also the job id, so a retried publish is one job and a redelivered job is
//! deduplicated downstream by the same id.

use crate::catalog::FieldErrors;
use crate::domain::Money;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most events one intake request may carry.
pub const MAX_EVENTS_PER_REQUEST: usize = 50;
/// Largest intake body, in bytes.
pub const MAX_INTAKE_BYTES: usize = 64 * 1024;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Any page was shown.
    PageView,
    /// A product page was shown.
    ProductView,
    /// A variant went into the cart.
    AddToCart,
    /// The shopper searched.
    Search,
    /// Checkout began.
    CheckoutStarted,
    /// An order was placed.
    OrderPlaced,
}

impl EventKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PageView => "page_view",
            EventKind::ProductView => "product_view",
            EventKind::AddToCart => "add_to_cart",
            EventKind::Search => "search",
            EventKind::CheckoutStarted => "checkout_started",
            EventKind::OrderPlaced => "order_placed",
        }
    }
}

/// One event as a storefront sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    /// What happened.
    pub kind: EventKind,
    /// An anonymous, random per-browser id (1-64 characters), to count visits.
    pub session_id: String,
    /// Page path, e.g. `/products/brass-diya` (1-512 characters, starting with `/`).
    pub path: String,
    /// When it happened on the client, milliseconds since the Unix epoch (informational).
    #[serde(default)]
    pub client_time_ms: Option<i64>,
    /// The product (required for `product_view` and `add_to_cart`).
    #[serde(default)]
    pub product_id: Option<Uuid>,
    /// The variant (required for `add_to_cart`).
    #[serde(default)]
    pub variant_id: Option<Uuid>,
    /// Units (required for `add_to_cart`, 1 to [`crate::limits::MAX_QUANTITY`]).
    #[serde(default)]
    pub quantity: Option<u32>,
    /// The search text (required for `search`, 1-200 characters).
    #[serde(default)]
    pub query: Option<String>,
    /// The order (required for `order_placed`).
    #[serde(default)]
    pub order_id: Option<String>,
    /// The order's value (required for `order_placed`).
    #[serde(default)]
    pub value: Option<Money>,
}

/// Body of an intake request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventBatch {
    /// 1-50 events.
    pub events: Vec<EventInput>,
}

/// An accepted event: the job data published to `store-events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreEvent {
    /// Unique id; also the queue job id and the analytics dedupe key.
    pub event_id: Uuid,
    /// The tenant of the storefront that received it.
    pub tenant_id: Uuid,
    /// When intake accepted it, milliseconds since the Unix epoch.
    pub received_at_ms: i64,
    /// The event as sent, validated.
    #[serde(flatten)]
    pub event: EventInput,
}

fn require<T>(errors: &mut FieldErrors, prefix: &str, field: &str, value: &Option<T>, kind: EventKind) {
    if value.is_none() {
        errors.insert(format!("{prefix}.{field}"), format!("is required for {}", kind.as_str()));
    }
}

impl EventBatch {
    /// Checks every event, naming each bad field as `events[i].field`.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        if self.events.is_empty() || self.events.len() > MAX_EVENTS_PER_REQUEST {
            e.insert("events".into(), format!("must hold 1-{MAX_EVENTS_PER_REQUEST} events"));
        }
        for (i, ev) in self.events.iter().enumerate() {
            let p = format!("events[{i}]");
            let session_ok = !ev.session_id.is_empty()
                && ev.session_id.len() <= 64
                && ev.session_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !session_ok {
                e.insert(format!("{p}.session_id"), "must be 1-64 letters, digits, '-' or '_'".into());
            }
            if !ev.path.starts_with('/') || ev.path.len() > 512 || ev.path.chars().any(char::is_control) {
                e.insert(format!("{p}.path"), "must be a path starting with '/', at most 512 characters".into());
            }
            match ev.kind {
                EventKind::ProductView => require(&mut e, &p, "product_id", &ev.product_id, ev.kind),
                EventKind::AddToCart => {
                    require(&mut e, &p, "product_id", &ev.product_id, ev.kind);
                    require(&mut e, &p, "variant_id", &ev.variant_id, ev.kind);
                    match ev.quantity {
                        Some(q) if (1..=crate::limits::MAX_QUANTITY).contains(&q) => {}
                        _ => {
                            e.insert(format!("{p}.quantity"), format!("must be 1-{} for add_to_cart", crate::limits::MAX_QUANTITY));
                        }
                    }
                }
                EventKind::Search => match ev.query.as_deref().map(str::trim) {
                    Some(q) if !q.is_empty() && q.chars().count() <= 200 => {}
                    _ => {
                        e.insert(format!("{p}.query"), "must be 1-200 characters for search".into());
                    }
                },
                EventKind::OrderPlaced => {
                    require(&mut e, &p, "order_id", &ev.order_id, ev.kind);
                    require(&mut e, &p, "value", &ev.value, ev.kind);
                }
                EventKind::PageView | EventKind::CheckoutStarted => {}
            }
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// The visit cookie's name.
pub const SESSION_COOKIE: &str = "zelly_sid";

/// The visit id in a `Cookie` header, if it holds a well-formed one (32 lowercase hex digits).
pub fn session_from_cookies(cookie_header: Option<&str>) -> Option<String> {
    crate::cart::cookie_value(cookie_header, SESSION_COOKIE)
        .filter(|value| value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(json: serde_json::Value) -> Result<EventBatch, serde_json::Error> {
        serde_json::from_value(json)
    }

    #[test]
    fn a_page_view_needs_only_a_session_and_a_path() {
        let b = batch(serde_json::json!({ "events": [{ "kind": "page_view", "session_id": "s-1", "path": "/" }] })).unwrap();
        assert_eq!(b.validate(), Ok(()));
    }

    #[test]
    fn each_kind_names_the_fields_it_is_missing() {
        let b = batch(serde_json::json!({ "events": [
            { "kind": "product_view", "session_id": "s", "path": "/p" },
            { "kind": "add_to_cart", "session_id": "s", "path": "/p", "quantity": 0 },
            { "kind": "search", "session_id": "s", "path": "/search", "query": "  " },
            { "kind": "order_placed", "session_id": "s", "path": "/done" },
        ]}))
        .unwrap();
        let errors = b.validate().unwrap_err();
        for field in [
            "events[0].product_id",
            "events[1].variant_id",
            "events[1].quantity",
            "events[2].query",
            "events[3].order_id",
            "events[3].value",
        ] {
            assert!(errors.contains_key(field), "{field}: {errors:?}");
        }
    }

    #[test]
    fn a_tenant_in_the_body_is_refused_not_trusted() {
        let sneaky = serde_json::json!({ "events": [{ "kind": "page_view", "session_id": "s", "path": "/", "tenant_id": "x" }] });
        assert!(batch(sneaky).is_err(), "unknown fields such as tenant_id must be rejected");
    }

    #[test]
    fn empty_or_oversized_batches_and_bad_paths_are_refused() {
        assert!(batch(serde_json::json!({ "events": [] })).unwrap().validate().is_err());
        let many: Vec<_> = (0..51).map(|_| serde_json::json!({ "kind": "page_view", "session_id": "s", "path": "/" })).collect();
        assert!(batch(serde_json::json!({ "events": many })).unwrap().validate().is_err());
        let b = batch(serde_json::json!({ "events": [{ "kind": "page_view", "session_id": "bad id!", "path": "https://x" }] })).unwrap();
        let errors = b.validate().unwrap_err();
        assert!(errors.contains_key("events[0].session_id") && errors.contains_key("events[0].path"));
    }

    #[test]
    fn the_job_data_is_the_event_with_id_tenant_and_time_flattened() {
        let event = StoreEvent {
            event_id: Uuid::from_u128(1),
            tenant_id: Uuid::from_u128(2),
            received_at_ms: 1_700_000_000_000,
            event: EventInput {
                kind: EventKind::Search,
                session_id: "s".into(),
                path: "/search".into(),
                client_time_ms: None,
                product_id: None,
                variant_id: None,
                quantity: None,
                query: Some("lamp".into()),
                order_id: None,
                value: None,
            },
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["kind"], "search");
        assert_eq!(json["query"], "lamp");
        assert_eq!(json["event_id"], "00000000-0000-0000-0000-000000000001");
        let back: StoreEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }
}
