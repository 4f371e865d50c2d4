//! Checkouts, stock reservations and orders, always scoped to one tenant.
//!
//! - A checkout prices every line from the catalog (never from the shopper) and, in the same
//!   transaction, holds the stock of tracked variants for [`RESERVATION_MS`]: stock on hand minus
//!   the unexpired holds of other checkouts must cover it, else the checkout is refused. Variant
//!   rows are locked in id order (PostgreSQL `FOR UPDATE`; SQLite serialises writers), so
//!   concurrent buyers of the last units queue, and exactly as many succeed as there are units.
//! - Finalising turns a checkout into an order once. The order's `checkout_id` and `payment_id`
//!   are unique, and the order, the stock decrement and its audit trail are written in one
//!   transaction, so a callback and a webhook racing with the same payment give one order and
//!   one decrement whichever commits first; the other gets the same order back.
//! - Expired holds need no sweeper: availability only counts holds that have not expired.

use crate::StoreError;
use async_trait::async_trait;
use uuid::Uuid;
use zelly_edge::orders::{Checkout, CheckoutInput, Order, OrderEvent, OrderStatus, PaymentConfirmation, Tracking};

pub use zelly_edge::orders::RESERVATION_MS;

/// Orders of one store, filtered.
#[derive(Debug, Clone, Default)]
pub struct OrderQuery {
    /// Only orders in this status.
    pub status: Option<OrderStatus>,
    /// Only orders placed at or after this time (Unix ms).
    pub from_ms: Option<i64>,
    /// Only orders placed before this time (Unix ms).
    pub to_ms: Option<i64>,
    /// Matches the order number (`1042` or `#1042`), or part of the email.
    pub text: Option<String>,
    /// Only orders placed with exactly this email (any case); with `customer`, those too.
    pub email: Option<String>,
    /// Only orders placed signed in to this customer account; with `email`, or with that email.
    pub customer: Option<Uuid>,
    /// At most this many (1-200).
    pub limit: u32,
}

/// What [`OrderStore::finalize_checkout`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finalized {
    /// The checkout's order.
    pub order: Order,
    /// Whether this call created it (false: it existed already, e.g. the webhook came first).
    pub created: bool,
}

/// Where a refund intent stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundState {
    /// Recorded and counted against the refundable balance; the provider has not confirmed it.
    Pending,
    /// The provider refunded it (its refund id); the order counts it as refunded.
    Processed(String),
    /// The provider refused it; it no longer holds any of the balance.
    Failed(String),
}

/// One refund a caller asked for, named by its idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundIntent {
    /// Our id for it: also the idempotency key sent to the provider, so a retried request to the
    /// provider refunds once as well.
    pub id: Uuid,
    /// The order.
    pub order_id: Uuid,
    /// The provider's payment it refunds.
    pub payment_id: String,
    /// How much, in minor units.
    pub amount_minor: i64,
    /// Where it stands.
    pub state: RefundState,
}

/// Checkouts and orders.
#[async_trait]
pub trait OrderStore: Send + Sync {
    /// Starts a checkout: prices the lines from the catalog and holds their stock until
    /// `now_ms + hold_ms`. [`StoreError::Invalid`] names a bad field or a variant the store
    /// does not sell; [`StoreError::Refused`] names the product that has too little stock.
    /// The input's idempotency key names the attempt: the same key again returns the checkout it
    /// started (the same lines, shopper and payment method), and the key with a different cart is
    /// [`StoreError::Conflict`].
    async fn create_checkout(&self, tenant: Uuid, input: &CheckoutInput, now_ms: i64, hold_ms: i64) -> Result<Checkout, StoreError>;
    /// One checkout of the tenant.
    async fn checkout(&self, tenant: Uuid, id: Uuid) -> Result<Option<Checkout>, StoreError>;
    /// Records the payment provider's order for a checkout (once; a second, different one is a
    /// conflict).
    async fn set_provider_order(&self, tenant: Uuid, checkout: Uuid, provider_order_id: &str) -> Result<(), StoreError>;
    /// The checkout a payment provider's order belongs to.
    async fn checkout_by_provider_order(&self, tenant: Uuid, provider_order_id: &str) -> Result<Option<Checkout>, StoreError>;
    /// Turns a checkout into its order, once: idempotent on the checkout and on the payment id.
    /// The amount must be the checkout's total. Stock of tracked variants is decremented in the
    /// same transaction, with an audit entry per line.
    async fn finalize_checkout(&self, tenant: Uuid, checkout: Uuid, payment: &PaymentConfirmation, now_ms: i64) -> Result<Finalized, StoreError>;
    /// One order of the tenant.
    async fn order(&self, tenant: Uuid, id: Uuid) -> Result<Option<Order>, StoreError>;
    /// The order a checkout became, if it has.
    async fn order_of_checkout(&self, tenant: Uuid, checkout: Uuid) -> Result<Option<Order>, StoreError>;
    /// The tenant's orders, newest first.
    async fn orders(&self, tenant: Uuid, query: &OrderQuery) -> Result<Vec<Order>, StoreError>;
    /// Moves an order to `next` if it may ([`Order::may_become`]); otherwise
    /// [`StoreError::Refused`] with the reason and nothing changes. An order already in `next` is
    /// returned unchanged (a repeated click is not an error). Returns the order as it now is.
    /// Fulfilment may carry the parcel's tracking (checked with [`Tracking::validate`]).
    /// Cancelling puts the items of an unshipped order back in stock, in the same transaction.
    /// `actor` (the merchant) goes in the order's timeline.
    async fn set_order_status(&self, tenant: Uuid, id: Uuid, next: OrderStatus, tracking: Option<&Tracking>, actor: &str, now_ms: i64) -> Result<Order, StoreError>;
    /// The order a payment paid for.
    async fn order_by_payment(&self, tenant: Uuid, payment_id: &str) -> Result<Option<Order>, StoreError>;
    /// Records that the provider refunded an order (its webhook), once per provider refund id:
    /// completes the intent `intent` names (our id, from the refund's notes) when there is one,
    /// else records a refund made elsewhere (Razorpay's dashboard). The refund is added to the
    /// refunded amount and the order moves to refunded or partially refunded where its status
    /// allows. More than is left to refund is [`StoreError::Invalid`].
    async fn record_refund(&self, tenant: Uuid, order: Uuid, provider_refund_id: &str, amount_minor: i64, intent: Option<Uuid>, now_ms: i64) -> Result<Order, StoreError>;
    /// Records a refund intent before the provider is asked, in one transaction with the check of
    /// the refundable balance (total less refunded less pending intents), the order row locked:
    /// concurrent refunds queue, and never add up to more than was paid. The same `key` on the
    /// same order returns the intent it made (a different amount under it is
    /// [`StoreError::Conflict`]); after the provider refused it, the same key tries again as a
    /// new intent.
    async fn begin_refund(&self, tenant: Uuid, order: Uuid, amount_minor: i64, key: &str, actor: &str, now_ms: i64) -> Result<RefundIntent, StoreError>;
    /// The provider refunded an intent: counts it against the order (once).
    async fn complete_refund(&self, tenant: Uuid, intent: Uuid, provider_refund_id: &str, amount_minor: i64, now_ms: i64) -> Result<Order, StoreError>;
    /// The provider refused an intent: it stops holding the balance.
    async fn fail_refund(&self, tenant: Uuid, intent: Uuid, reason: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Who did what to an order, and when, oldest first.
    async fn order_timeline(&self, tenant: Uuid, order: Uuid) -> Result<Vec<OrderEvent>, StoreError>;
    /// Refund intents of every store still pending since before `before_ms` (their request gave
    /// up, e.g. Razorpay was unreachable), oldest first, with their store: for core-api to ask
    /// Razorpay again under the same idempotency key.
    async fn stale_refund_intents(&self, before_ms: i64, limit: u32) -> Result<Vec<(Uuid, RefundIntent)>, StoreError>;
    /// Whether a webhook delivery with this event id was already acted on.
    async fn webhook_seen(&self, tenant: Uuid, provider: &str, event_id: &str) -> Result<bool, StoreError>;
    /// Notes that a webhook delivery was acted on (again is a no-op).
    async fn record_webhook(&self, tenant: Uuid, provider: &str, event_id: &str, event: &str, now_ms: i64) -> Result<(), StoreError>;
    /// The oldest analytics events waiting in the outbox, every store's (for the publisher).
    async fn outbox(&self, limit: u32) -> Result<Vec<zelly_edge::events::StoreEvent>, StoreError>;
    /// Removes published events from the outbox.
    async fn outbox_published(&self, event_ids: &[Uuid]) -> Result<(), StoreError>;
}

/// The `checkout_started` analytics event of a new checkout, in the shopper's visit when known.
pub fn checkout_started_event(tenant: Uuid, checkout: &Checkout, session: Option<String>, now_ms: i64) -> zelly_edge::events::StoreEvent {
    checkout_event(tenant, zelly_edge::events::EventKind::CheckoutStarted, checkout.id, session, None, checkout.total, now_ms)
}

/// The `order_placed` analytics event of a new order, in the shopper's visit when known.
pub fn order_placed_event(tenant: Uuid, order: &Order, session: Option<String>, now_ms: i64) -> zelly_edge::events::StoreEvent {
    let order_id = Some(order.id.to_string());
    checkout_event(tenant, zelly_edge::events::EventKind::OrderPlaced, order.checkout_id, session, order_id, order.total, now_ms)
}

/// A checkout's analytics event. Without the shopper's visit (a checkout host that did not say),
/// the checkout stands in for it, so its events still count as one visit.
fn checkout_event(
    tenant: Uuid,
    kind: zelly_edge::events::EventKind,
    checkout: Uuid,
    session: Option<String>,
    order_id: Option<String>,
    value: zelly_edge::Money,
    now_ms: i64,
) -> zelly_edge::events::StoreEvent {
    use zelly_edge::events::{EventInput, StoreEvent};
    StoreEvent {
        event_id: Uuid::new_v4(),
        tenant_id: tenant,
        received_at_ms: now_ms,
        event: EventInput {
            kind,
            session_id: session.unwrap_or_else(|| format!("checkout-{}", checkout.simple())),
            path: "/checkout".into(),
            client_time_ms: None,
            product_id: None,
            variant_id: None,
            quantity: None,
            query: None,
            order_id,
            value: Some(value),
        },
    }
}

/// How a shopper knows a variant, as the storefront's cart names it: the product's title, and the
/// variant's when it has several ("Brass Diya — Large"; a single variant is usually "Default").
pub(crate) fn sale_name(product: &str, variant: &str) -> String {
    let variant = variant.trim();
    let single = variant.eq_ignore_ascii_case("default") || variant.eq_ignore_ascii_case("default title");
    zelly_edge::cart::item_name(product, if single { "" } else { variant })
}

/// The checkout an earlier request with the same idempotency key started, if this request asks
/// for the same thing; the key reused for another cart, shopper or payment method is refused.
pub(crate) fn same_attempt(input: &CheckoutInput, started: Checkout) -> Result<Checkout, StoreError> {
    let lines_match = started.lines.len() == input.lines.len()
        && started.lines.iter().zip(&input.lines).all(|(had, asked)| had.variant_id == asked.variant_id && had.quantity == asked.quantity);
    if lines_match && started.email == input.email.trim() && started.payment_method == input.payment_method && started.shipping == input.shipping {
        Ok(started)
    } else {
        Err(StoreError::Conflict("idempotency_key: already used for a different checkout; send a new key for a new attempt".into()))
    }
}

/// One timeline entry, written in the transaction of the change it records.
pub(crate) struct TimelineEntry<'a> {
    pub order: Uuid,
    pub actor: &'a str,
    pub kind: zelly_edge::orders::OrderEventKind,
    pub message: String,
    pub at_ms: i64,
}

pub(crate) fn timeline_event(row: rows::OrderEventRow) -> Result<OrderEvent, StoreError> {
    Ok(OrderEvent {
        at_ms: row.at_ms,
        actor: row.actor,
        kind: zelly_edge::orders::OrderEventKind::parse(&row.kind).ok_or_else(|| corrupt(format!("order event kind {:?}", row.kind)))?,
        message: row.message,
    })
}

pub(crate) fn refund_intent(row: rows::RefundRow, payment_id: String) -> Result<RefundIntent, StoreError> {
    let state = match row.status.as_str() {
        "pending" => RefundState::Pending,
        "processed" => RefundState::Processed(row.provider_refund_id.unwrap_or_default()),
        "failed" => RefundState::Failed(row.failure.unwrap_or_default()),
        other => return Err(corrupt(format!("refund status {other:?}"))),
    };
    Ok(RefundIntent { id: row.id, order_id: row.order_id, payment_id, amount_minor: row.amount_minor, state })
}

pub(crate) mod rows {
    use sqlx::types::Json;
    use uuid::Uuid;
    use zelly_edge::orders::ShippingAddress;

    #[derive(sqlx::FromRow)]
    pub struct CheckoutRow {
        pub id: Uuid,
        pub status: String,
        pub email: String,
        pub shipping: Json<ShippingAddress>,
        pub payment_method: String,
        pub total_minor: i64,
        pub currency: String,
        pub provider_order_id: Option<String>,
        pub expires_at_ms: i64,
        pub customer_id: Option<Uuid>,
        pub address_status: String,
    }

    #[derive(sqlx::FromRow)]
    pub struct LineRow {
        pub variant_id: Uuid,
        pub title: String,
        pub sku: String,
        pub unit_price_minor: i64,
        pub quantity: i32,
    }

    #[derive(sqlx::FromRow)]
    pub struct OrderRow {
        pub id: Uuid,
        pub number: i64,
        pub checkout_id: Uuid,
        pub status: String,
        pub payment_method: String,
        pub payment_id: Option<String>,
        pub tracking_carrier: Option<String>,
        pub tracking_number: Option<String>,
        pub total_minor: i64,
        pub refunded_minor: i64,
        pub currency: String,
        pub created_at_ms: i64,
        pub oversold: bool,
        pub fulfilled_at_ms: Option<i64>,
        pub paid_at_ms: Option<i64>,
    }

    #[derive(sqlx::FromRow)]
    pub struct RefundRow {
        pub id: Uuid,
        pub order_id: Uuid,
        pub amount_minor: i64,
        pub status: String,
        pub provider_refund_id: Option<String>,
        pub failure: Option<String>,
    }

    #[derive(sqlx::FromRow)]
    pub struct OrderEventRow {
        pub at_ms: i64,
        pub actor: String,
        pub kind: String,
        pub message: String,
    }

    /// A variant as a checkout prices and holds it.
    #[derive(sqlx::FromRow)]
    pub struct SaleRow {
        pub product_title: String,
        pub title: String,
        pub sku: String,
        pub price_minor: i64,
        pub currency: String,
        pub inventory_quantity: i64,
        pub track_inventory: bool,
    }
}

/// The columns every order query reads, in `rows::OrderRow`'s order.
macro_rules! order_columns {
    () => {
        "id, number, checkout_id, status, payment_method, payment_id, tracking_carrier, tracking_number, total_minor, \
         refunded_minor, currency, created_at_ms, oversold, fulfilled_at_ms, paid_at_ms"
    };
}

pub(crate) use order_columns;

/// The columns a refund intent is read with, in `rows::RefundRow`'s order.
macro_rules! refund_columns {
    () => {
        "id, order_id, amount_minor, status, provider_refund_id, failure"
    };
}

pub(crate) use refund_columns;

/// How an order is looked up inside the store.
#[derive(Debug, Clone, Copy)]
pub(crate) enum OrderKey<'a> {
    /// By its own id.
    Id(Uuid),
    /// By the checkout it came from.
    Checkout(Uuid),
    /// By the payment that paid for it.
    Payment(&'a str),
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

pub(crate) fn money(minor: i64, currency: &str) -> Result<zelly_edge::Money, StoreError> {
    let currency = zelly_edge::Currency::parse(currency).map_err(corrupt)?;
    Ok(zelly_edge::Money::new(minor, currency))
}

pub(crate) fn line(row: rows::LineRow, currency: zelly_edge::Currency) -> Result<zelly_edge::orders::OrderLine, StoreError> {
    Ok(zelly_edge::orders::OrderLine {
        variant_id: row.variant_id,
        title: row.title,
        sku: row.sku,
        unit_price: zelly_edge::Money::new(row.unit_price_minor, currency),
        quantity: u32::try_from(row.quantity).map_err(corrupt)?,
    })
}

/// The order store, written once for both backends; `$lock` is how a backend locks the rows a
/// `SELECT` read (`FOR UPDATE` on PostgreSQL, nothing on SQLite, whose transactions take the
/// write lock up front).
macro_rules! order_store_impl {
    ($store:ty, $db:ty, $p:literal, $lock:literal) => {
        impl $store {
            /// Starts a checkout in one transaction (see `OrderStore::create_checkout`).
            async fn start_checkout(
                &self,
                tenant: Uuid,
                input: &zelly_edge::orders::CheckoutInput,
                now_ms: i64,
                hold_ms: i64,
            ) -> Result<zelly_edge::orders::Checkout, StoreError> {
                use $crate::orders::rows::SaleRow;
                input.validate().map_err(|fields| {
                    StoreError::Invalid(fields.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))
                })?;
                let expires_at_ms = now_ms.saturating_add(hold_ms.max(0));
                let mut tx = self.tenant_tx(tenant).await?;
                if input.payment_method == zelly_edge::orders::PaymentMethod::CashOnDelivery {
                    let (offered,): (bool,) = sqlx::query_as(concat!("SELECT cash_on_delivery FROM ", $p, "tenants WHERE id = $1"))
                        .bind(tenant).fetch_one(&mut *tx).await?;
                    if !offered {
                        return Err(StoreError::Invalid("payment_method: this store does not offer cash on delivery".into()));
                    }
                }
                // Lock the variants in id order, so that two checkouts of the same variants never
                // wait for each other in a cycle.
                let mut order: Vec<usize> = (0..input.lines.len()).collect();
                order.sort_by_key(|&i| input.lines[i].variant_id);
                let mut priced: Vec<Option<(SaleRow, u32)>> = (0..input.lines.len()).map(|_| None).collect();
                for i in order {
                    let wanted = &input.lines[i];
                    let sale: Option<SaleRow> = sqlx::query_as(concat!(
                        "SELECT p.title AS product_title, v.title, v.sku, v.price_minor, v.currency, v.inventory_quantity, v.track_inventory FROM ",
                        $p, "variants v JOIN ", $p, "products p ON p.id = v.product_id AND p.tenant_id = v.tenant_id \
                         WHERE v.tenant_id = $1 AND v.id = $2 AND p.status = 'active'", $lock))
                        .bind(tenant).bind(wanted.variant_id).fetch_optional(&mut *tx).await?;
                    let Some(sale) = sale else {
                        return Err(StoreError::Invalid(format!("lines[{i}].variant_id: this store does not sell it")));
                    };
                    if sale.track_inventory {
                        let (held,): (i64,) = sqlx::query_as(concat!(
                            "SELECT COALESCE(SUM(quantity), 0) FROM ", $p, "stock_reservations \
                             WHERE tenant_id = $1 AND variant_id = $2 AND consumed = FALSE AND expires_at_ms > $3"))
                            .bind(tenant).bind(wanted.variant_id).bind(now_ms).fetch_one(&mut *tx).await?;
                        let available = (sale.inventory_quantity - held).max(0);
                        if available < i64::from(wanted.quantity) {
                            let name = $crate::orders::sale_name(&sale.product_title, &sale.title);
                            return Err(StoreError::Refused(if available == 0 {
                                format!("{name} is sold out")
                            } else {
                                format!("Only {available} left of {name}")
                            }));
                        }
                    }
                    priced[i] = Some((sale, wanted.quantity));
                }
                let priced: Vec<(SaleRow, u32)> = priced.into_iter().flatten().collect();
                let currency = priced.first().map(|(s, _)| s.currency.clone()).unwrap_or_else(|| "INR".into());
                if priced.iter().any(|(s, _)| s.currency != currency) {
                    return Err(StoreError::Invalid("lines: variants priced in different currencies".into()));
                }
                let total = priced
                    .iter()
                    .try_fold(0_i64, |sum, (s, q)| s.price_minor.checked_mul(i64::from(*q)).and_then(|t| sum.checked_add(t)))
                    .ok_or_else(|| StoreError::Invalid("lines: the total is too large".into()))?;
                let id = Uuid::new_v4();
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "checkouts (id, tenant_id, status, email, shipping, payment_method, total_minor, currency, \
                     expires_at_ms, created_at_ms, session_id, idempotency_key, customer_id, address_status) \
                     VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"))
                    .bind(id).bind(tenant).bind(input.email.trim()).bind(sqlx::types::Json(&input.shipping))
                    .bind(input.payment_method.as_str()).bind(total).bind(&currency).bind(expires_at_ms).bind(now_ms)
                    .bind(input.session_id.as_deref()).bind(input.idempotency_key.as_str())
                    .bind(input.customer).bind(input.address_status.as_str())
                    .execute(&mut *tx).await?;
                for (position, ((sale, quantity), wanted)) in priced.iter().zip(&input.lines).enumerate() {
                    sqlx::query(concat!(
                        "INSERT INTO ", $p, "checkout_lines (tenant_id, checkout_id, position, variant_id, title, sku, \
                         unit_price_minor, quantity) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
                        .bind(tenant).bind(id).bind(position as i32).bind(wanted.variant_id)
                        .bind(format!("{} / {}", sale.product_title, sale.title)).bind(&sale.sku)
                        .bind(sale.price_minor).bind(*quantity as i32)
                        .execute(&mut *tx).await?;
                    if sale.track_inventory {
                        sqlx::query(concat!(
                            "INSERT INTO ", $p, "stock_reservations (tenant_id, checkout_id, variant_id, quantity, expires_at_ms) \
                             VALUES ($1, $2, $3, $4, $5)"))
                            .bind(tenant).bind(id).bind(wanted.variant_id).bind(*quantity as i32).bind(expires_at_ms)
                            .execute(&mut *tx).await?;
                    }
                }
                let checkout = Self::checkout_in(&mut tx, tenant, id, false).await?.ok_or(StoreError::NotFound)?;
                // The checkout_started analytics event, written with the checkout.
                let event = $crate::orders::checkout_started_event(tenant, &checkout, input.session_id.clone(), now_ms);
                Self::write_outbox(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(checkout)
            }

            /// One order of the tenant, found by `key`, in a transaction of its own.
            async fn order_by(&self, tenant: Uuid, key: $crate::orders::OrderKey<'_>) -> Result<Option<zelly_edge::orders::Order>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let order = Self::order_where(&mut tx, tenant, key).await?;
                tx.commit().await?;
                Ok(order)
            }

            /// The checkout an earlier submission of the same form attempt started, if any.
            async fn checkout_by_attempt(&self, tenant: Uuid, key: &str) -> Result<Option<zelly_edge::orders::Checkout>, StoreError> {
                self.checkout_found_by(tenant, concat!("SELECT id FROM ", $p, "checkouts WHERE tenant_id = $1 AND idempotency_key = $2"), key).await
            }

            /// The tenant's checkout whose id `find_id` (`$1` the tenant, `$2` the value) selects.
            async fn checkout_found_by(&self, tenant: Uuid, find_id: &'static str, value: &str) -> Result<Option<zelly_edge::orders::Checkout>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let id: Option<(Uuid,)> = sqlx::query_as(find_id).bind(tenant).bind(value).fetch_optional(&mut *tx).await?;
                let checkout = match id {
                    Some((id,)) => Self::checkout_in(&mut tx, tenant, id, false).await?,
                    None => None,
                };
                tx.commit().await?;
                Ok(checkout)
            }

            async fn checkout_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: Uuid,
                id: Uuid,
                lock: bool,
            ) -> Result<Option<zelly_edge::orders::Checkout>, StoreError> {
                use $crate::orders::rows::{CheckoutRow, LineRow};
                let select = concat!(
                    "SELECT id, status, email, shipping, payment_method, total_minor, currency, provider_order_id, expires_at_ms, customer_id, address_status FROM ",
                    $p, "checkouts WHERE tenant_id = $1 AND id = $2");
                let locked = concat!(
                    "SELECT id, status, email, shipping, payment_method, total_minor, currency, provider_order_id, expires_at_ms, customer_id, address_status FROM ",
                    $p, "checkouts WHERE tenant_id = $1 AND id = $2", $lock);
                let row: Option<CheckoutRow> = sqlx::query_as(if lock { locked } else { select })
                    .bind(tenant).bind(id).fetch_optional(&mut **tx).await?;
                let Some(row) = row else { return Ok(None) };
                let lines: Vec<LineRow> = sqlx::query_as(concat!(
                    "SELECT variant_id, title, sku, unit_price_minor, quantity FROM ", $p,
                    "checkout_lines WHERE tenant_id = $1 AND checkout_id = $2 ORDER BY position"))
                    .bind(tenant).bind(id).fetch_all(&mut **tx).await?;
                let total = $crate::orders::money(row.total_minor, &row.currency)?;
                Ok(Some(zelly_edge::orders::Checkout {
                    id: row.id,
                    status: match row.status.as_str() {
                        "open" => zelly_edge::orders::CheckoutStatus::Open,
                        "completed" => zelly_edge::orders::CheckoutStatus::Completed,
                        other => return Err(StoreError::Corrupt(format!("checkout status {other:?}"))),
                    },
                    lines: lines.into_iter().map(|l| $crate::orders::line(l, total.currency)).collect::<Result<_, _>>()?,
                    total,
                    email: row.email,
                    shipping: row.shipping.0,
                    payment_method: zelly_edge::orders::PaymentMethod::parse(&row.payment_method)
                        .ok_or_else(|| StoreError::Corrupt(format!("payment method {:?}", row.payment_method)))?,
                    expires_at_ms: row.expires_at_ms,
                    provider_order_id: row.provider_order_id,
                    customer_id: row.customer_id,
                    address_status: zelly_edge::orders::AddressStatus::parse(&row.address_status)
                        .ok_or_else(|| StoreError::Corrupt(format!("address status {:?}", row.address_status)))?,
                }))
            }

            async fn order_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: Uuid,
                row: $crate::orders::rows::OrderRow,
            ) -> Result<zelly_edge::orders::Order, StoreError> {
                let checkout = Self::checkout_in(tx, tenant, row.checkout_id, false)
                    .await?
                    .ok_or_else(|| StoreError::Corrupt(format!("order {} has no checkout", row.id)))?;
                Ok(zelly_edge::orders::Order {
                    id: row.id,
                    number: row.number,
                    checkout_id: row.checkout_id,
                    status: zelly_edge::orders::OrderStatus::parse(&row.status)
                        .ok_or_else(|| StoreError::Corrupt(format!("order status {:?}", row.status)))?,
                    payment_method: zelly_edge::orders::PaymentMethod::parse(&row.payment_method)
                        .ok_or_else(|| StoreError::Corrupt(format!("payment method {:?}", row.payment_method)))?,
                    payment_id: row.payment_id,
                    lines: checkout.lines,
                    total: $crate::orders::money(row.total_minor, &row.currency)?,
                    refunded: $crate::orders::money(row.refunded_minor, &row.currency)?,
                    tracking: match (row.tracking_carrier, row.tracking_number) {
                        (Some(carrier), Some(number)) => Some(zelly_edge::orders::Tracking { carrier, number }),
                        _ => None,
                    },
                    email: checkout.email,
                    shipping: checkout.shipping,
                    customer_id: checkout.customer_id,
                    address_status: checkout.address_status,
                    created_at_ms: row.created_at_ms,
                    oversold: row.oversold,
                    fulfilled_at_ms: row.fulfilled_at_ms,
                    paid_at_ms: row.paid_at_ms,
                })
            }

            /// An order's row, locked until the transaction ends: changes to one order queue here.
            async fn locked_order(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: Uuid,
                id: Uuid,
            ) -> Result<Option<$crate::orders::rows::OrderRow>, StoreError> {
                Ok(sqlx::query_as(concat!(
                    concat!("SELECT ", $crate::orders::order_columns!(), " FROM "),
                    $p, "orders WHERE tenant_id = $1 AND id = $2", $lock))
                    .bind(tenant).bind(id).fetch_optional(&mut **tx).await?)
            }

            /// What an order's pending refund intents hold of its balance.
            async fn pending_refunds(tx: &mut sqlx::Transaction<'static, $db>, tenant: Uuid, order: Uuid) -> Result<i64, StoreError> {
                let (pending,): (i64,) = sqlx::query_as(concat!(
                    "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) FROM ", $p,
                    "refunds WHERE tenant_id = $1 AND order_id = $2 AND status = 'pending'"))
                    .bind(tenant).bind(order).fetch_one(&mut **tx).await?;
                Ok(pending)
            }

            /// Counts refund `refund` (a row of this order not yet processed) as the provider's
            /// `provider_refund_id` of `amount_minor`, with the order row locked by the caller.
            async fn apply_refund(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: Uuid,
                row: $crate::orders::rows::OrderRow,
                refund: Uuid,
                provider_refund_id: &str,
                amount_minor: i64,
                now_ms: i64,
            ) -> Result<zelly_edge::orders::Order, StoreError> {
                use zelly_edge::orders::OrderStatus;
                let refunded = row
                    .refunded_minor
                    .checked_add(amount_minor)
                    .filter(|r| *r <= row.total_minor)
                    .ok_or_else(|| StoreError::Invalid(format!(
                        "amount_minor: only {} of the order's {} is left to refund", row.total_minor - row.refunded_minor, row.total_minor)))?;
                sqlx::query(concat!(
                    "UPDATE ", $p, "refunds SET status = 'processed', provider_refund_id = $3, amount_minor = $4, failure = NULL                      WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(refund).bind(provider_refund_id).bind(amount_minor).execute(&mut **tx).await?;
                let current = OrderStatus::parse(&row.status).ok_or_else(|| StoreError::Corrupt(format!("order status {:?}", row.status)))?;
                let target = if refunded == row.total_minor { OrderStatus::Refunded } else { OrderStatus::PartiallyRefunded };
                let status = if current.can_become(target) { target } else { current };
                sqlx::query(concat!(
                    "UPDATE ", $p, "orders SET refunded_minor = $3, status = $4, updated_at_ms = $5 WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(row.id).bind(refunded).bind(status.as_str()).bind(now_ms)
                    .execute(&mut **tx).await?;
                let message = format!("Refunded {} ({provider_refund_id})", $crate::orders::money(amount_minor, &row.currency)?);
                Self::write_timeline(tx, tenant, &$crate::orders::TimelineEntry {
                    order: row.id, actor: "Razorpay", kind: zelly_edge::orders::OrderEventKind::Refunded, message, at_ms: now_ms,
                }).await?;
                let order_row = $crate::orders::rows::OrderRow { status: status.as_str().to_owned(), refunded_minor: refunded, ..row };
                Self::order_in(tx, tenant, order_row).await
            }

            /// Adds an entry to an order's timeline, in the transaction of the change it records.
            async fn write_timeline(tx: &mut sqlx::Transaction<'static, $db>, tenant: Uuid, entry: &$crate::orders::TimelineEntry<'_>) -> Result<(), StoreError> {
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "order_events (tenant_id, order_id, at_ms, actor, kind, message) VALUES ($1, $2, $3, $4, $5, $6)"))
                    .bind(tenant).bind(entry.order).bind(entry.at_ms).bind(entry.actor)
                    .bind(entry.kind.as_str()).bind(&entry.message)
                    .execute(&mut **tx).await?;
                Ok(())
            }

            /// Writes an analytics event to the outbox, in the transaction of the change it describes.
            async fn write_outbox(tx: &mut sqlx::Transaction<'static, $db>, event: &zelly_edge::events::StoreEvent) -> Result<(), StoreError> {
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "event_outbox (event_id, tenant_id, kind, payload, created_at_ms) VALUES ($1, $2, $3, $4, $5)"))
                    .bind(event.event_id).bind(event.tenant_id).bind(event.event.kind.as_str()).bind(sqlx::types::Json(event))
                    .bind(event.received_at_ms)
                    .execute(&mut **tx).await?;
                Ok(())
            }

            async fn order_where(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: Uuid,
                key: $crate::orders::OrderKey<'_>,
            ) -> Result<Option<zelly_edge::orders::Order>, StoreError> {
                use $crate::orders::rows::OrderRow;
                let by_id = concat!(
                    concat!("SELECT ", $crate::orders::order_columns!(), " FROM "),
                    $p, "orders WHERE tenant_id = $1 AND id = $2");
                let by_checkout = concat!(
                    concat!("SELECT ", $crate::orders::order_columns!(), " FROM "),
                    $p, "orders WHERE tenant_id = $1 AND checkout_id = $2");
                let by_payment = concat!(
                    concat!("SELECT ", $crate::orders::order_columns!(), " FROM "),
                    $p, "orders WHERE tenant_id = $1 AND payment_id = $2");
                let row: Option<OrderRow> = match key {
                    $crate::orders::OrderKey::Id(id) => sqlx::query_as(by_id).bind(tenant).bind(id).fetch_optional(&mut **tx).await?,
                    $crate::orders::OrderKey::Checkout(id) => sqlx::query_as(by_checkout).bind(tenant).bind(id).fetch_optional(&mut **tx).await?,
                    $crate::orders::OrderKey::Payment(payment) => sqlx::query_as(by_payment).bind(tenant).bind(payment).fetch_optional(&mut **tx).await?,
                };
                match row {
                    Some(row) => Ok(Some(Self::order_in(tx, tenant, row).await?)),
                    None => Ok(None),
                }
            }
        }

        #[async_trait]
        impl $crate::orders::OrderStore for $store {
            async fn create_checkout(
                &self,
                tenant: Uuid,
                input: &zelly_edge::orders::CheckoutInput,
                now_ms: i64,
                hold_ms: i64,
            ) -> Result<zelly_edge::orders::Checkout, StoreError> {
                let key = input.idempotency_key.as_str();
                if let Some(started) = self.checkout_by_attempt(tenant, key).await? {
                    return $crate::orders::same_attempt(input, started);
                }
                match self.start_checkout(tenant, input, now_ms, hold_ms).await {
                    Ok(checkout) => Ok(checkout),
                    // A twin submission committed first: its stock hold made this one "sold
                    // out", or its key made this insert a duplicate. Either way, its checkout.
                    Err(err) => match self.checkout_by_attempt(tenant, key).await? {
                        Some(started) => $crate::orders::same_attempt(input, started),
                        None => Err(err),
                    },
                }
            }

            async fn checkout(&self, tenant: Uuid, id: Uuid) -> Result<Option<zelly_edge::orders::Checkout>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let checkout = Self::checkout_in(&mut tx, tenant, id, false).await?;
                tx.commit().await?;
                Ok(checkout)
            }

            async fn set_provider_order(&self, tenant: Uuid, checkout: Uuid, provider_order_id: &str) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let done = sqlx::query(concat!(
                    "UPDATE ", $p, "checkouts SET provider_order_id = $3 WHERE tenant_id = $1 AND id = $2 \
                     AND (provider_order_id IS NULL OR provider_order_id = $3)"))
                    .bind(tenant).bind(checkout).bind(provider_order_id).execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err(match Self::checkout_in(&mut tx, tenant, checkout, false).await? {
                        Some(_) => StoreError::Refused("the checkout already has another payment order".into()),
                        None => StoreError::NotFound,
                    });
                }
                tx.commit().await?;
                Ok(())
            }

            async fn checkout_by_provider_order(&self, tenant: Uuid, provider_order_id: &str) -> Result<Option<zelly_edge::orders::Checkout>, StoreError> {
                self.checkout_found_by(tenant, concat!("SELECT id FROM ", $p, "checkouts WHERE tenant_id = $1 AND provider_order_id = $2"), provider_order_id)
                    .await
            }

            async fn finalize_checkout(
                &self,
                tenant: Uuid,
                checkout_id: Uuid,
                payment: &zelly_edge::orders::PaymentConfirmation,
                now_ms: i64,
            ) -> Result<$crate::orders::Finalized, StoreError> {
                use zelly_edge::orders::{OrderStatus, PaymentMethod};
                let mut tx = self.tenant_tx(tenant).await?;
                // Locks the checkout: finalisations of one checkout queue here.
                let checkout = Self::checkout_in(&mut tx, tenant, checkout_id, true).await?.ok_or(StoreError::NotFound)?;
                if let Some(order) = Self::order_where(&mut tx, tenant, $crate::orders::OrderKey::Checkout(checkout_id)).await? {
                    tx.commit().await?;
                    return Ok($crate::orders::Finalized { order, created: false });
                }
                let payment_id = payment.payment_id.as_deref().map(str::trim).filter(|p| !p.is_empty());
                if payment_id.is_some_and(|p| !zelly_edge::limits::is_provider_id(p)) {
                    return Err(StoreError::Invalid("payment_id: must be the provider's payment id (1-64 letters, digits, '_' or '-')".into()));
                }
                let status = match (checkout.payment_method, payment_id) {
                    (PaymentMethod::Razorpay, Some(_)) => OrderStatus::Paid,
                    (PaymentMethod::CashOnDelivery, None) => OrderStatus::PendingPayment,
                    (PaymentMethod::Razorpay, None) => return Err(StoreError::Invalid("payment_id: a card or UPI payment needs its id".into())),
                    (PaymentMethod::CashOnDelivery, Some(_)) => return Err(StoreError::Invalid("payment_id: cash on delivery has no payment yet".into())),
                };
                if payment.amount_minor != checkout.total.amount_minor {
                    return Err(StoreError::Invalid("amount_minor: the payment does not match the checkout's total".into()));
                }
                // No money has moved for cash on delivery, so a hold that ran out ends the
                // checkout: its stock may be someone else's by now. A payment that was taken is
                // never turned away (the order must not be lost), even after the hold.
                if status == OrderStatus::PendingPayment && checkout.expires_at_ms <= now_ms {
                    return Err(StoreError::Refused("this checkout has expired and its items were released; please check out again".into()));
                }
                let (number,): (i64,) = sqlx::query_as(concat!(
                    "UPDATE ", $p, "tenants SET last_order_number = last_order_number + 1 WHERE id = $1 RETURNING last_order_number"))
                    .bind(tenant).fetch_one(&mut *tx).await?;
                let order_id = Uuid::new_v4();
                let inserted: Option<(Uuid,)> = sqlx::query_as(concat!(
                    "INSERT INTO ", $p, "orders (id, tenant_id, number, checkout_id, status, payment_method, payment_id, total_minor, \
                     currency, created_at_ms, updated_at_ms, paid_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, CASE WHEN $7 IS NULL THEN NULL ELSE $10 END) \
                     ON CONFLICT DO NOTHING RETURNING id"))
                    .bind(order_id).bind(tenant).bind(number).bind(checkout_id).bind(status.as_str())
                    .bind(checkout.payment_method.as_str()).bind(payment_id).bind(checkout.total.amount_minor)
                    .bind(checkout.total.currency.as_str()).bind(now_ms)
                    .fetch_optional(&mut *tx).await?;
                if inserted.is_none() {
                    // Another transaction placed this checkout's order, or used this payment for
                    // another checkout, first: undo the number and answer with what is there.
                    tx.rollback().await?;
                    let mut tx = self.tenant_tx(tenant).await?;
                    if let Some(order) = Self::order_where(&mut tx, tenant, $crate::orders::OrderKey::Checkout(checkout_id)).await? {
                        tx.commit().await?;
                        return Ok($crate::orders::Finalized { order, created: false });
                    }
                    return Err(StoreError::Refused("this payment already paid for another order".into()));
                }
                // The stock leaves the shelf once, with the order. Only a payment that came after
                // its hold ran out can take it below zero; that order is kept and flagged.
                let mut oversold = false;
                for line in &checkout.lines {
                    let after: Option<(i64,)> = sqlx::query_as(concat!(
                        "UPDATE ", $p, "variants SET inventory_quantity = inventory_quantity - $3 \
                         WHERE tenant_id = $1 AND id = $2 AND track_inventory = TRUE RETURNING inventory_quantity"))
                        .bind(tenant).bind(line.variant_id).bind(i64::from(line.quantity))
                        .fetch_optional(&mut *tx).await?;
                    if let Some((quantity_after,)) = after {
                        oversold |= quantity_after < 0;
                        sqlx::query(concat!(
                            "INSERT INTO ", $p, "inventory_adjustments (id, tenant_id, variant_id, delta, quantity_after, reason, actor, created_at_ms) \
                             VALUES ($1, $2, $3, $4, $5, $6, 'checkout', $7)"))
                            .bind(Uuid::new_v4()).bind(tenant).bind(line.variant_id).bind(-i64::from(line.quantity))
                            .bind(quantity_after).bind(format!("order #{number}")).bind(now_ms)
                            .execute(&mut *tx).await?;
                    }
                }
                if oversold {
                    sqlx::query(concat!("UPDATE ", $p, "orders SET oversold = TRUE WHERE tenant_id = $1 AND id = $2"))
                        .bind(tenant).bind(order_id).execute(&mut *tx).await?;
                }
                sqlx::query(concat!("UPDATE ", $p, "stock_reservations SET consumed = TRUE WHERE tenant_id = $1 AND checkout_id = $2"))
                    .bind(tenant).bind(checkout_id).execute(&mut *tx).await?;
                sqlx::query(concat!("UPDATE ", $p, "checkouts SET status = 'completed' WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(checkout_id).execute(&mut *tx).await?;
                let order = Self::order_where(&mut tx, tenant, $crate::orders::OrderKey::Checkout(checkout_id)).await?.ok_or(StoreError::NotFound)?;
                // The order_placed event is written with the order, for core-api to publish.
                let (session,): (Option<String>,) = sqlx::query_as(concat!("SELECT session_id FROM ", $p, "checkouts WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(checkout_id).fetch_one(&mut *tx).await?;
                let event = $crate::orders::order_placed_event(tenant, &order, session, now_ms);
                Self::write_outbox(&mut tx, &event).await?;
                let message = match (&order.payment_id, status) {
                    (Some(payment), _) => format!("Placed and paid online, {} ({payment})", order.total),
                    (None, _) => format!("Placed, {} cash on delivery", order.total),
                };
                Self::write_timeline(&mut tx, tenant, &$crate::orders::TimelineEntry {
                    order: order.id, actor: "shopper", kind: zelly_edge::orders::OrderEventKind::Placed, message, at_ms: now_ms,
                }).await?;
                tx.commit().await?;
                Ok($crate::orders::Finalized { order, created: true })
            }

            async fn order(&self, tenant: Uuid, id: Uuid) -> Result<Option<zelly_edge::orders::Order>, StoreError> {
                self.order_by(tenant, $crate::orders::OrderKey::Id(id)).await
            }

            async fn order_of_checkout(&self, tenant: Uuid, checkout: Uuid) -> Result<Option<zelly_edge::orders::Order>, StoreError> {
                self.order_by(tenant, $crate::orders::OrderKey::Checkout(checkout)).await
            }

            async fn orders(&self, tenant: Uuid, query: &$crate::orders::OrderQuery) -> Result<Vec<zelly_edge::orders::Order>, StoreError> {
                use $crate::orders::rows::OrderRow;
                let mut tx = self.tenant_tx(tenant).await?;
                let mut q: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(concat!(
                    "SELECT o.id, o.number, o.checkout_id, o.status, o.payment_method, o.payment_id, o.tracking_carrier, o.tracking_number, o.total_minor, o.refunded_minor, o.currency, \
                     o.created_at_ms, o.oversold, o.fulfilled_at_ms, o.paid_at_ms FROM ", $p, "orders o JOIN ", $p, "checkouts c ON c.id = o.checkout_id AND c.tenant_id = o.tenant_id \
                     WHERE o.tenant_id = "));
                q.push_bind(tenant);
                if let Some(status) = query.status {
                    q.push(" AND o.status = ").push_bind(status.as_str());
                }
                if let Some(from) = query.from_ms {
                    q.push(" AND o.created_at_ms >= ").push_bind(from);
                }
                if let Some(to) = query.to_ms {
                    q.push(" AND o.created_at_ms < ").push_bind(to);
                }
                if let Some(text) = query.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    match text.trim_start_matches('#').parse::<i64>() {
                        Ok(number) => {
                            q.push(" AND o.number = ").push_bind(number);
                        }
                        Err(_) => {
                            q.push(" AND lower(c.email) LIKE ").push_bind($crate::seller::like_pattern(text)).push(" ESCAPE '\\'");
                        }
                    }
                }
                match (query.customer, query.email.as_deref()) {
                    (Some(customer), Some(email)) => {
                        q.push(" AND (c.customer_id = ").push_bind(customer).push(" OR lower(c.email) = ").push_bind(email.trim().to_lowercase()).push(")");
                    }
                    (Some(customer), None) => {
                        q.push(" AND c.customer_id = ").push_bind(customer);
                    }
                    (None, Some(email)) => {
                        q.push(" AND lower(c.email) = ").push_bind(email.trim().to_lowercase());
                    }
                    (None, None) => {}
                }
                q.push(" ORDER BY o.created_at_ms DESC, o.number DESC LIMIT ").push_bind(i64::from(query.limit.clamp(1, 200)));
                let rows: Vec<OrderRow> = q.build_query_as().fetch_all(&mut *tx).await?;
                let mut orders = Vec::with_capacity(rows.len());
                for row in rows {
                    orders.push(Self::order_in(&mut tx, tenant, row).await?);
                }
                tx.commit().await?;
                Ok(orders)
            }

            async fn set_order_status(
                &self,
                tenant: Uuid,
                id: Uuid,
                next: zelly_edge::orders::OrderStatus,
                tracking: Option<&zelly_edge::orders::Tracking>,
                actor: &str,
                now_ms: i64,
            ) -> Result<zelly_edge::orders::Order, StoreError> {
                use zelly_edge::orders::{OrderEventKind, OrderStatus};
                if let Some(tracking) = tracking {
                    if next != OrderStatus::Fulfilled {
                        return Err(StoreError::Invalid("tracking: only a fulfilment carries tracking".into()));
                    }
                    tracking.validate().map_err(|fields| {
                        StoreError::Invalid(fields.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))
                    })?;
                }
                let mut tx = self.tenant_tx(tenant).await?;
                let Some(row) = Self::locked_order(&mut tx, tenant, id).await? else { return Err(StoreError::NotFound) };
                let order = Self::order_in(&mut tx, tenant, row).await?;
                // Cash already collected: marking it paid again is a repeated click.
                let already_collected = next == OrderStatus::Paid
                    && order.payment_method == zelly_edge::orders::PaymentMethod::CashOnDelivery
                    && order.paid_at_ms.is_some();
                if order.status == next || already_collected {
                    // A repeated click: nothing to do, and nothing to complain about.
                    tx.commit().await?;
                    return Ok(order);
                }
                if !order.may_become(next) {
                    let shipped = order.fulfilled_at_ms.is_some() || order.status == OrderStatus::Fulfilled;
                    let why = if shipped && next == OrderStatus::Cancelled {
                        format!("order #{} has already been shipped, so it cannot be cancelled; refund it instead", order.number)
                    } else if shipped && next == OrderStatus::Fulfilled {
                        format!("order #{} has already been shipped", order.number)
                    } else {
                        format!("a {} order cannot become {}", order.status.as_str(), next.as_str())
                    };
                    return Err(StoreError::Refused(why));
                }
                let (carrier, number) = match tracking {
                    Some(t) => (Some(t.carrier.trim().to_owned()), Some(t.number.trim().to_owned())),
                    None => (order.tracking.as_ref().map(|t| t.carrier.clone()), order.tracking.as_ref().map(|t| t.number.clone())),
                };
                let fulfilled_at = if next == OrderStatus::Fulfilled { Some(now_ms) } else { order.fulfilled_at_ms };
                let paid_at = if next == OrderStatus::Paid { Some(now_ms) } else { order.paid_at_ms };
                // Cash collected after shipping: the order stays fulfilled, now paid.
                let status = if next == OrderStatus::Paid && order.status == OrderStatus::Fulfilled { OrderStatus::Fulfilled } else { next };
                sqlx::query(concat!(
                    "UPDATE ", $p, "orders SET status = $3, updated_at_ms = $4, tracking_carrier = $5, tracking_number = $6, fulfilled_at_ms = $7, \
                     paid_at_ms = $8 WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(id).bind(status.as_str()).bind(now_ms).bind(&carrier).bind(&number).bind(fulfilled_at).bind(paid_at)
                    .execute(&mut *tx).await?;
                let (kind, message) = match next {
                    OrderStatus::Paid => (OrderEventKind::MarkedPaid, "Marked paid: cash collected".to_owned()),
                    OrderStatus::Fulfilled => (OrderEventKind::Fulfilled, match (&carrier, &number) {
                        (Some(c), Some(n)) => format!("Fulfilled: shipped with {c}, tracking number {n}"),
                        _ => "Fulfilled".to_owned(),
                    }),
                    OrderStatus::Cancelled => (OrderEventKind::Cancelled, "Cancelled".to_owned()),
                    other => (OrderEventKind::Refunded, format!("Marked {}", other.as_str().replace('_', " "))),
                };
                Self::write_timeline(&mut tx, tenant, &$crate::orders::TimelineEntry { order: id, actor, kind, message, at_ms: now_ms }).await?;
                // A cancelled order that never shipped puts its items back on the shelf.
                if next == OrderStatus::Cancelled && order.fulfilled_at_ms.is_none() {
                    let mut units = 0_i64;
                    for line in &order.lines {
                        let after: Option<(i64,)> = sqlx::query_as(concat!(
                            "UPDATE ", $p, "variants SET inventory_quantity = inventory_quantity + $3 \
                             WHERE tenant_id = $1 AND id = $2 AND track_inventory = TRUE RETURNING inventory_quantity"))
                            .bind(tenant).bind(line.variant_id).bind(i64::from(line.quantity))
                            .fetch_optional(&mut *tx).await?;
                        if let Some((quantity_after,)) = after {
                            units += i64::from(line.quantity);
                            sqlx::query(concat!(
                                "INSERT INTO ", $p, "inventory_adjustments (id, tenant_id, variant_id, delta, quantity_after, reason, actor, created_at_ms) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
                                .bind(Uuid::new_v4()).bind(tenant).bind(line.variant_id).bind(i64::from(line.quantity))
                                .bind(quantity_after).bind(format!("order #{} cancelled", order.number)).bind(actor).bind(now_ms)
                                .execute(&mut *tx).await?;
                        }
                    }
                    if units > 0 {
                        let message = format!("{units} {} back in stock", if units == 1 { "item" } else { "items" });
                        Self::write_timeline(&mut tx, tenant, &$crate::orders::TimelineEntry { order: id, actor, kind: OrderEventKind::Restocked, message, at_ms: now_ms }).await?;
                    }
                }
                let order = Self::order_where(&mut tx, tenant, $crate::orders::OrderKey::Id(id)).await?.ok_or(StoreError::NotFound)?;
                tx.commit().await?;
                Ok(order)
            }

            async fn order_by_payment(&self, tenant: Uuid, payment_id: &str) -> Result<Option<zelly_edge::orders::Order>, StoreError> {
                self.order_by(tenant, $crate::orders::OrderKey::Payment(payment_id)).await
            }

            async fn record_refund(
                &self,
                tenant: Uuid,
                id: Uuid,
                provider_refund_id: &str,
                amount_minor: i64,
                intent: Option<Uuid>,
                now_ms: i64,
            ) -> Result<zelly_edge::orders::Order, StoreError> {
                if amount_minor <= 0 {
                    return Err(StoreError::Invalid("amount_minor: a refund is more than zero".into()));
                }
                let mut tx = self.tenant_tx(tenant).await?;
                let Some(row) = Self::locked_order(&mut tx, tenant, id).await? else { return Err(StoreError::NotFound) };
                let seen: Option<(Uuid,)> = sqlx::query_as(concat!(
                    "SELECT id FROM ", $p, "refunds WHERE tenant_id = $1 AND provider_refund_id = $2"))
                    .bind(tenant).bind(provider_refund_id).fetch_optional(&mut *tx).await?;
                if seen.is_some() {
                    // Seen before (the API's answer or an earlier delivery): nothing changes.
                    let order = Self::order_in(&mut tx, tenant, row).await?;
                    tx.commit().await?;
                    return Ok(order);
                }
                let pending: Option<$crate::orders::rows::RefundRow> = match intent {
                    Some(intent) => sqlx::query_as(concat!(
                        "SELECT ", $crate::orders::refund_columns!(), " FROM ", $p,
                        "refunds WHERE tenant_id = $1 AND id = $2 AND order_id = $3 AND status <> 'processed'"))
                        .bind(tenant).bind(intent).bind(id).fetch_optional(&mut *tx).await?,
                    None => None,
                };
                let order = match pending {
                    Some(pending) => Self::apply_refund(&mut tx, tenant, row, pending.id, provider_refund_id, amount_minor, now_ms).await?,
                    None => {
                        // A refund made outside Zelly (Razorpay's dashboard): it still counts, once,
                        // within what is left once pending refunds are set aside.
                        let left = row.total_minor - row.refunded_minor - Self::pending_refunds(&mut tx, tenant, id).await?;
                        if amount_minor > left {
                            return Err(StoreError::Invalid(format!("amount_minor: only {left} of the order's {} is left to refund", row.total_minor)));
                        }
                        let refund_id = Uuid::new_v4();
                        sqlx::query(concat!(
                            "INSERT INTO ", $p, "refunds (id, tenant_id, order_id, provider_refund_id, amount_minor, created_at_ms, status, actor) \
                             VALUES ($1, $2, $3, NULL, $4, $5, 'pending', 'Razorpay')"))
                            .bind(refund_id).bind(tenant).bind(id).bind(amount_minor).bind(now_ms)
                            .execute(&mut *tx).await?;
                        Self::apply_refund(&mut tx, tenant, row, refund_id, provider_refund_id, amount_minor, now_ms).await?
                    }
                };
                tx.commit().await?;
                Ok(order)
            }

            async fn begin_refund(
                &self,
                tenant: Uuid,
                id: Uuid,
                amount_minor: i64,
                key: &str,
                actor: &str,
                now_ms: i64,
            ) -> Result<$crate::orders::RefundIntent, StoreError> {
                use $crate::orders::rows::RefundRow;
                if !zelly_edge::limits::is_idempotency_key(key) && !zelly_edge::limits::is_namespaced_key(key) {
                    return Err(StoreError::Invalid("idempotency_key: must be 1-64 letters, digits, '-' or '_'".into()));
                }
                let mut tx = self.tenant_tx(tenant).await?;
                // The order row is locked first: refunds of one order queue here, so each sees the
                // balance the one before it left.
                let Some(row) = Self::locked_order(&mut tx, tenant, id).await? else { return Err(StoreError::NotFound) };
                let Some(payment_id) = row.payment_id.clone() else {
                    return Err(StoreError::Invalid("this order was not paid online: refund the shopper directly".into()));
                };
                let existing: Option<RefundRow> = sqlx::query_as(concat!(
                    "SELECT ", $crate::orders::refund_columns!(), " FROM ", $p,
                    "refunds WHERE tenant_id = $1 AND order_id = $2 AND idempotency_key = $3"))
                    .bind(tenant).bind(id).bind(key).fetch_optional(&mut *tx).await?;
                // A refund Razorpay refused is over: the same key asks again, as a new intent (the
                // failed one keeps its row, without the key).
                let existing = match existing {
                    Some(failed) if failed.status == "failed" => {
                        sqlx::query(concat!("UPDATE ", $p, "refunds SET idempotency_key = NULL WHERE tenant_id = $1 AND id = $2"))
                            .bind(tenant).bind(failed.id).execute(&mut *tx).await?;
                        None
                    }
                    other => other,
                };
                if let Some(existing) = existing {
                    tx.commit().await?;
                    if existing.amount_minor != amount_minor {
                        return Err(StoreError::Conflict(format!(
                            "idempotency_key: already used for a refund of {}; send a new key for a new refund",
                            $crate::orders::money(existing.amount_minor, &row.currency)?
                        )));
                    }
                    return $crate::orders::refund_intent(existing, payment_id);
                }
                if amount_minor <= 0 {
                    return Err(StoreError::Invalid("amount_minor: a refund is more than zero".into()));
                }
                let pending = Self::pending_refunds(&mut tx, tenant, id).await?;
                let left = row.total_minor - row.refunded_minor - pending;
                if amount_minor > left {
                    let left_money = $crate::orders::money(left.max(0), &row.currency)?;
                    return Err(StoreError::Invalid(if pending > 0 {
                        format!("amount_minor: at most {left_money} is left to refund ({} is being refunded already)", $crate::orders::money(pending, &row.currency)?)
                    } else {
                        format!("amount_minor: at most {left_money} is left to refund")
                    }));
                }
                let intent = Uuid::new_v4();
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "refunds (id, tenant_id, order_id, provider_refund_id, amount_minor, created_at_ms, idempotency_key, status, actor) \
                     VALUES ($1, $2, $3, NULL, $4, $5, $6, 'pending', $7)"))
                    .bind(intent).bind(tenant).bind(id).bind(amount_minor).bind(now_ms).bind(key).bind(actor)
                    .execute(&mut *tx).await?;
                let message = format!("Refund of {} requested", $crate::orders::money(amount_minor, &row.currency)?);
                Self::write_timeline(&mut tx, tenant, &$crate::orders::TimelineEntry {
                    order: id, actor, kind: zelly_edge::orders::OrderEventKind::RefundRequested, message, at_ms: now_ms,
                }).await?;
                tx.commit().await?;
                Ok($crate::orders::RefundIntent { id: intent, order_id: id, payment_id, amount_minor, state: $crate::orders::RefundState::Pending })
            }

            async fn complete_refund(
                &self,
                tenant: Uuid,
                intent: Uuid,
                provider_refund_id: &str,
                amount_minor: i64,
                now_ms: i64,
            ) -> Result<zelly_edge::orders::Order, StoreError> {
                use $crate::orders::rows::RefundRow;
                let mut tx = self.tenant_tx(tenant).await?;
                let (order_id,): (Uuid,) = sqlx::query_as(concat!("SELECT order_id FROM ", $p, "refunds WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(intent).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
                let Some(row) = Self::locked_order(&mut tx, tenant, order_id).await? else { return Err(StoreError::NotFound) };
                let refund: RefundRow = sqlx::query_as(concat!(
                    "SELECT ", $crate::orders::refund_columns!(), " FROM ", $p, "refunds WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(intent).fetch_one(&mut *tx).await?;
                let recorded: Option<(Uuid,)> = sqlx::query_as(concat!(
                    "SELECT id FROM ", $p, "refunds WHERE tenant_id = $1 AND provider_refund_id = $2"))
                    .bind(tenant).bind(provider_refund_id).fetch_optional(&mut *tx).await?;
                let order = if refund.status == "processed" || recorded.is_some() {
                    // Already counted (the webhook came first, or this is a retry).
                    Self::order_in(&mut tx, tenant, row).await?
                } else {
                    Self::apply_refund(&mut tx, tenant, row, intent, provider_refund_id, amount_minor, now_ms).await?
                };
                tx.commit().await?;
                Ok(order)
            }

            async fn fail_refund(&self, tenant: Uuid, intent: Uuid, reason: &str, now_ms: i64) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let failed: Option<(Uuid, i64)> = sqlx::query_as(concat!(
                    "UPDATE ", $p, "refunds SET status = 'failed', failure = $3 WHERE tenant_id = $1 AND id = $2 AND status = 'pending' \
                     RETURNING order_id, amount_minor"))
                    .bind(tenant).bind(intent).bind(reason).fetch_optional(&mut *tx).await?;
                if let Some((order, amount)) = failed {
                    let (currency,): (String,) = sqlx::query_as(concat!("SELECT currency FROM ", $p, "orders WHERE tenant_id = $1 AND id = $2"))
                        .bind(tenant).bind(order).fetch_one(&mut *tx).await?;
                    let message = format!("Refund of {} failed: {reason}", $crate::orders::money(amount, &currency)?);
                    Self::write_timeline(&mut tx, tenant, &$crate::orders::TimelineEntry {
                        order, actor: "Razorpay", kind: zelly_edge::orders::OrderEventKind::RefundFailed, message, at_ms: now_ms,
                    }).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn stale_refund_intents(&self, before_ms: i64, limit: u32) -> Result<Vec<(Uuid, $crate::orders::RefundIntent)>, StoreError> {
                #[derive(sqlx::FromRow)]
                struct Stale {
                    tenant_id: Uuid,
                    payment_id: Option<String>,
                    #[sqlx(flatten)]
                    refund: $crate::orders::rows::RefundRow,
                }
                let mut tx = self.platform_tx().await?;
                let rows: Vec<Stale> = sqlx::query_as(concat!(
                    "SELECT r.tenant_id, o.payment_id, r.id, r.order_id, r.amount_minor, r.status, r.provider_refund_id, r.failure FROM ", $p,
                    "refunds r JOIN ", $p, "orders o ON o.id = r.order_id AND o.tenant_id = r.tenant_id \
                     WHERE r.status = 'pending' AND r.created_at_ms < $1 ORDER BY r.created_at_ms LIMIT $2"))
                    .bind(before_ms).bind(i64::from(limit.clamp(1, 1000))).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows.into_iter()
                    .map(|row| Ok((row.tenant_id, $crate::orders::refund_intent(row.refund, row.payment_id.unwrap_or_default())?)))
                    .collect()
            }

            async fn order_timeline(&self, tenant: Uuid, order: Uuid) -> Result<Vec<zelly_edge::orders::OrderEvent>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let exists: Option<(Uuid,)> = sqlx::query_as(concat!("SELECT id FROM ", $p, "orders WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(order).fetch_optional(&mut *tx).await?;
                if exists.is_none() {
                    return Err(StoreError::NotFound);
                }
                let rows: Vec<$crate::orders::rows::OrderEventRow> = sqlx::query_as(concat!(
                    "SELECT at_ms, actor, kind, message FROM ", $p, "order_events WHERE tenant_id = $1 AND order_id = $2 ORDER BY at_ms, seq"))
                    .bind(tenant).bind(order).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows.into_iter().map($crate::orders::timeline_event).collect()
            }

            async fn outbox(&self, limit: u32) -> Result<Vec<zelly_edge::events::StoreEvent>, StoreError> {
                let mut tx = self.platform_tx().await?;
                let rows: Vec<(sqlx::types::Json<zelly_edge::events::StoreEvent>,)> = sqlx::query_as(concat!(
                    "SELECT payload FROM ", $p, "event_outbox ORDER BY created_at_ms, event_id LIMIT $1"))
                    .bind(i64::from(limit.clamp(1, 1000))).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(rows.into_iter().map(|(event,)| event.0).collect())
            }

            async fn outbox_published(&self, event_ids: &[Uuid]) -> Result<(), StoreError> {
                let mut tx = self.platform_tx().await?;
                for id in event_ids {
                    sqlx::query(concat!("DELETE FROM ", $p, "event_outbox WHERE event_id = $1")).bind(*id).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn webhook_seen(&self, tenant: Uuid, provider: &str, event_id: &str) -> Result<bool, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let seen: Option<(String,)> = sqlx::query_as(concat!(
                    "SELECT event FROM ", $p, "webhook_receipts WHERE tenant_id = $1 AND provider = $2 AND event_id = $3"))
                    .bind(tenant).bind(provider).bind(event_id).fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(seen.is_some())
            }

            async fn record_webhook(&self, tenant: Uuid, provider: &str, event_id: &str, event: &str, now_ms: i64) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "webhook_receipts (tenant_id, provider, event_id, event, received_at_ms) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"))
                    .bind(tenant).bind(provider).bind(event_id).bind(event).bind(now_ms)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

pub(crate) use order_store_impl;
