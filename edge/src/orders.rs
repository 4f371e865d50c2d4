//! Checkouts and orders: what a shopper asks to buy, what the store holds for them while they pay,
//! and the order that a confirmed payment turns it into.
//!
//! The rules that must hold whoever calls (core-api, a Worker, the native checkout host) live here:
//! the checkout form's validation and the order status machine. The store enforces the rest in
//! the database (one order per checkout and per payment, stock decremented once).

use crate::catalog::{check, FieldErrors};
use crate::Money;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long a checkout holds its stock while the shopper pays: 15 minutes.
pub const RESERVATION_MS: i64 = 15 * 60 * 1000;
pub use crate::limits::{MAX_LINES, MAX_QUANTITY};

/// Where an order's status may go next. Moves are forward only: a webhook that arrives late
/// (`payment.captured` after a refund) can never take an order back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, not paid yet (cash on delivery).
    PendingPayment,
    /// Paid.
    Paid,
    /// Shipped to the shopper.
    Fulfilled,
    /// Called off before fulfilment.
    Cancelled,
    /// Part of the payment went back.
    PartiallyRefunded,
    /// The whole payment went back.
    Refunded,
}

impl OrderStatus {
    /// Every status.
    pub const ALL: [OrderStatus; 6] = [
        OrderStatus::PendingPayment,
        OrderStatus::Paid,
        OrderStatus::Fulfilled,
        OrderStatus::Cancelled,
        OrderStatus::PartiallyRefunded,
        OrderStatus::Refunded,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Fulfilled => "fulfilled",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::PartiallyRefunded => "partially_refunded",
            OrderStatus::Refunded => "refunded",
        }
    }

    /// The status with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Whether an order in this status may move to `next`. Staying put is not a move.
    pub fn can_become(self, next: OrderStatus) -> bool {
        use OrderStatus::*;
        matches!(
            (self, next),
            (PendingPayment, Paid | Cancelled | Fulfilled)
                | (Paid, Fulfilled | Cancelled | PartiallyRefunded | Refunded)
                | (Fulfilled, PartiallyRefunded | Refunded)
                | (PartiallyRefunded, Fulfilled | Cancelled | PartiallyRefunded | Refunded)
                | (Refunded, Cancelled)
        )
    }
}

impl Order {
    /// Whether this order may move to `next`: its status allows it ([`OrderStatus::can_become`])
    /// and, since a parcel ships once and cannot be called back, an order already fulfilled is
    /// neither fulfilled again nor cancelled (refund it instead).
    ///
    /// Cash on delivery is often shipped first and collected by the courier: a fulfilled order
    /// not yet paid may be marked paid (it stays fulfilled, with `paid_at_ms` set).
    pub fn may_become(&self, next: OrderStatus) -> bool {
        let shipped = self.fulfilled_at_ms.is_some() || self.status == OrderStatus::Fulfilled;
        let collected_after_shipping = next == OrderStatus::Paid
            && self.status == OrderStatus::Fulfilled
            && self.payment_method == PaymentMethod::CashOnDelivery
            && self.paid_at_ms.is_none();
        collected_after_shipping || (self.status.can_become(next) && !(shipped && matches!(next, OrderStatus::Fulfilled | OrderStatus::Cancelled)))
    }

    /// What is left to refund: the total less what has been refunded (never below zero).
    pub fn refundable_minor(&self) -> i64 {
        self.total.amount_minor.saturating_sub(self.refunded.amount_minor).max(0)
    }
}

/// What kind of thing happened to an order, for its timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderEventKind {
    /// The shopper placed it (paid online, or cash on delivery).
    Placed,
    /// Cash on delivery was collected and the merchant marked it paid.
    MarkedPaid,
    /// Shipped, with the parcel's tracking when given.
    Fulfilled,
    /// Called off.
    Cancelled,
    /// Its items went back on the shelf (a cancellation).
    Restocked,
    /// A refund was asked of the payment provider.
    RefundRequested,
    /// The payment provider refunded the money.
    Refunded,
    /// The payment provider could not refund; nothing was paid back.
    RefundFailed,
}

impl OrderEventKind {
    /// Every kind.
    pub const ALL: [OrderEventKind; 8] = [
        OrderEventKind::Placed,
        OrderEventKind::MarkedPaid,
        OrderEventKind::Fulfilled,
        OrderEventKind::Cancelled,
        OrderEventKind::Restocked,
        OrderEventKind::RefundRequested,
        OrderEventKind::Refunded,
        OrderEventKind::RefundFailed,
    ];

    /// The stored (and JSON) name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderEventKind::Placed => "placed",
            OrderEventKind::MarkedPaid => "marked_paid",
            OrderEventKind::Fulfilled => "fulfilled",
            OrderEventKind::Cancelled => "cancelled",
            OrderEventKind::Restocked => "restocked",
            OrderEventKind::RefundRequested => "refund_requested",
            OrderEventKind::Refunded => "refunded",
            OrderEventKind::RefundFailed => "refund_failed",
        }
    }

    /// The kind with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// One entry of an order's timeline: who did what, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderEvent {
    /// When (Unix ms).
    pub at_ms: i64,
    /// Who: the merchant's email (or uid), `shopper`, `Razorpay` or `Zelly`.
    pub actor: String,
    /// What happened.
    pub kind: OrderEventKind,
    /// The same in words a merchant reads, e.g. "Refunded ₹500.00".
    pub message: String,
}

/// A refund asked for by a merchant (or an API client): one refund per `idempotency_key`, so a
/// double click or a retried request pays back once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// In minor units; at most what is left to refund.
    pub amount_minor: i64,
    /// Names this refund (1-64 letters, digits, '-' or '_'), chosen by the caller once per refund
    /// it means to make: sending it again returns the same refund instead of paying twice.
    pub idempotency_key: String,
}

/// How the shopper pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Razorpay Standard Checkout.
    Razorpay,
    /// Cash on delivery, where the merchant offers it.
    CashOnDelivery,
}

impl PaymentMethod {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Razorpay => "razorpay",
            PaymentMethod::CashOnDelivery => "cash_on_delivery",
        }
    }

    /// The method with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        [PaymentMethod::Razorpay, PaymentMethod::CashOnDelivery].into_iter().find(|m| m.as_str() == name)
    }
}

/// What the address check made of a delivery address (see customer-auth's address check).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AddressStatus {
    /// The address API knows the PIN code, and the city and state match it.
    Verified,
    /// Not checked: the address API was slow, down or not configured, or the country has no
    /// check. The address is kept as the shopper typed it.
    #[default]
    Unverified,
    /// The address API says the PIN code belongs elsewhere, and the shopper kept the address as
    /// typed: worth a look before shipping.
    Mismatch,
}

impl AddressStatus {
    /// How it is stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::Unverified => "unverified",
            Self::Mismatch => "mismatch",
        }
    }

    /// The status stored as `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Verified, Self::Unverified, Self::Mismatch].into_iter().find(|s| s.as_str() == name)
    }
}

/// Where the order goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShippingAddress {
    /// Recipient.
    pub name: String,
    /// Street and number.
    pub line1: String,
    /// Flat, building, landmark.
    #[serde(default)]
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// State or region.
    pub state: String,
    /// PIN or postal code.
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, e.g. `IN`.
    pub country: String,
    /// Phone number for the courier.
    pub phone: String,
}

impl ShippingAddress {
    /// Checks every field, naming each bad one.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        self.check_into(&mut e, "");
        if e.is_empty() { Ok(()) } else { Err(e) }
    }

    /// Adds an error to `e` for each bad field, named `{prefix}{field}`.
    pub fn check_into(&self, e: &mut FieldErrors, prefix: &str) {
        let field = |name: &str| format!("{prefix}{name}");
        let s = self;
        text(e, &s.name, &field("name"), 100);
        text(e, &s.line1, &field("line1"), 200);
        if let Some(line2) = &s.line2 {
            check(e, line2.chars().count() <= 200, field("line2"), "must be at most 200 characters");
        }
        text(e, &s.city, &field("city"), 100);
        text(e, &s.state, &field("state"), 100);
        text(e, &s.postal_code, &field("postal_code"), 20);
        check(e, s.country.len() == 2 && s.country.bytes().all(|b| b.is_ascii_uppercase()), field("country"), "must be a two-letter country code like IN");
        let digits = s.phone.chars().filter(char::is_ascii_digit).count();
        check(
            e,
            (7..=15).contains(&digits) && s.phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)),
            field("phone"),
            "must be a phone number",
        );
    }
}

/// One line the shopper wants: a variant and how many. Prices never come from the shopper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckoutLineInput {
    /// The variant.
    pub variant_id: Uuid,
    /// Units, 1-99.
    pub quantity: u32,
}

/// What a checkout is started with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckoutInput {
    /// The cart's lines.
    pub lines: Vec<CheckoutLineInput>,
    /// Where the receipt goes.
    pub email: String,
    /// Where the parcel goes.
    pub shipping: ShippingAddress,
    /// How the shopper pays.
    pub payment_method: PaymentMethod,
    /// The shopper's visit (the storefront's `zelly_sid`), so that the order counts towards that
    /// visit's conversion in analytics.
    #[serde(default)]
    pub session_id: Option<String>,
    /// Required: names this attempt to check out (1-64 letters, digits, '-' or '_'), chosen once
    /// by the client per attempt. Sending it again (a double submit, a retry after a timeout or a
    /// crash) returns the checkout it already started instead of holding the stock twice; the
    /// same key with a different cart is refused (409).
    pub idempotency_key: String,
    /// The shopper's session on the store's domain (the host's `__Host-zelly_session` cookie),
    /// when signed in: core-api links the checkout, and so the order, to that customer. An
    /// ended or unknown session makes a guest checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_session: Option<String>,
    /// What the address check made of `shipping` (unverified when it could not be asked).
    #[serde(default)]
    pub address_status: AddressStatus,
    /// The customer `customer_session` belongs to, as core-api found it (never read from the
    /// request).
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub customer: Option<Uuid>,
}

fn text(errors: &mut FieldErrors, value: &str, field: &str, max: usize) {
    let len = value.trim().chars().count();
    check(errors, (1..=max).contains(&len), field, &format!("must be 1-{max} characters"));
}

impl CheckoutInput {
    /// Checks every field, naming each bad one.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        check(&mut e, !self.lines.is_empty(), "lines", "the cart is empty");
        check(&mut e, self.lines.len() <= MAX_LINES, "lines", &format!("at most {MAX_LINES} lines"));
        for (i, line) in self.lines.iter().enumerate() {
            check(&mut e, (1..=MAX_QUANTITY).contains(&line.quantity), format!("lines[{i}].quantity"), &format!("must be 1-{MAX_QUANTITY}"));
            if self.lines[..i].iter().any(|l| l.variant_id == line.variant_id) {
                e.insert(format!("lines[{i}].variant_id"), "appears twice".into());
            }
        }
        let email = self.email.trim();
        let plausible = email.len() <= 254
            && email.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.'))
            && !email.contains(char::is_whitespace);
        check(&mut e, plausible, "email", "must be an email address");
        if let Some(session) = &self.session_id {
            check(&mut e, crate::limits::is_idempotency_key(session), "session_id", "must be 1-64 letters, digits, '-' or '_'");
        }
        check(&mut e, crate::limits::is_idempotency_key(&self.idempotency_key), "idempotency_key", "must be 1-64 letters, digits, '-' or '_'");
        if let Some(session) = &self.customer_session {
            check(&mut e, crate::customers::is_session_id(session), "customer_session", "must be a session id");
        }
        self.shipping.check_into(&mut e, "shipping.");
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// A line of a checkout or order, priced by the store when the checkout began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderLine {
    /// The variant.
    pub variant_id: Uuid,
    /// Product and variant title.
    pub title: String,
    /// SKU.
    pub sku: String,
    /// Unit price.
    pub unit_price: Money,
    /// Units.
    pub quantity: u32,
}

/// Where a checkout stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckoutStatus {
    /// Waiting for payment; its stock is held until `expires_at_ms`.
    Open,
    /// Turned into an order.
    Completed,
}

/// A checkout: the priced lines, the shopper's details, and the stock held for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkout {
    /// Stable id.
    pub id: Uuid,
    /// Where it stands.
    pub status: CheckoutStatus,
    /// Priced lines.
    pub lines: Vec<OrderLine>,
    /// What the shopper pays.
    pub total: Money,
    /// Receipt address.
    pub email: String,
    /// Delivery address.
    pub shipping: ShippingAddress,
    /// How the shopper pays.
    pub payment_method: PaymentMethod,
    /// Until when the stock is held (Unix ms).
    pub expires_at_ms: i64,
    /// The payment provider's order, once created.
    pub provider_order_id: Option<String>,
    /// The signed-in customer who started it, if any.
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    /// What the address check made of `shipping`.
    #[serde(default)]
    pub address_status: AddressStatus,
}

/// A cash-on-delivery placement that finalises a checkout. (An online payment makes an order only
/// through what Razorpay signs or says: the callback's signature, a webhook, or core-api asking
/// Razorpay for the payment.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentConfirmation {
    /// The provider's payment id (`pay_…`, at most 64 characters); none for cash on delivery.
    #[serde(default)]
    pub payment_id: Option<String>,
    /// What was paid, in minor units; must be the checkout's total.
    pub amount_minor: i64,
}

/// How a shipped parcel is followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Tracking {
    /// The courier, e.g. `Delhivery` (1-40 characters).
    pub carrier: String,
    /// The courier's tracking number (1-64 characters).
    pub number: String,
}

impl Tracking {
    /// Checks both fields, naming each bad one (`tracking.carrier`, `tracking.number`).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        text(&mut e, &self.carrier, "tracking.carrier", 40);
        text(&mut e, &self.number, "tracking.number", 64);
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// What the payment step needs for Razorpay Standard Checkout: the public key and the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentStep {
    /// The checkout.
    pub checkout_id: Uuid,
    /// Razorpay's public key id (`key`).
    pub key_id: String,
    /// Razorpay's order (`order_id`).
    pub order_id: String,
    /// What the shopper pays.
    pub amount: Money,
}

/// The fields Razorpay Standard Checkout posts to the callback URL after a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RazorpayCallback {
    /// `pay_…`.
    pub razorpay_payment_id: String,
    /// `order_…`: must be the checkout's own.
    pub razorpay_order_id: String,
    /// hex HMAC-SHA256 of `order_id|payment_id` with the key secret.
    pub razorpay_signature: String,
}

impl RazorpayCallback {
    /// Checks that each field could be Razorpay's: ids of 1-64 letters, digits, '_' or '-', and a
    /// signature of at most 128 characters. Anything else is refused before any lookup.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        check(&mut e, crate::limits::is_provider_id(self.razorpay_payment_id.trim()), "razorpay_payment_id", "must be Razorpay's payment id");
        check(&mut e, crate::limits::is_provider_id(self.razorpay_order_id.trim()), "razorpay_order_id", "must be Razorpay's order id");
        // A wrong signature of the right size is for the signature check to refuse (400).
        check(&mut e, self.razorpay_signature.len() <= 128, "razorpay_signature", "must be at most 128 characters");
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    /// Stable id.
    pub id: Uuid,
    /// The store's own sequence: #1, #2, …
    pub number: i64,
    /// The checkout it came from.
    pub checkout_id: Uuid,
    /// Where it stands.
    pub status: OrderStatus,
    /// How it is paid.
    pub payment_method: PaymentMethod,
    /// The provider's payment id.
    pub payment_id: Option<String>,
    /// Lines at the prices of the checkout.
    pub lines: Vec<OrderLine>,
    /// The total.
    pub total: Money,
    /// How much of it has been refunded.
    pub refunded: Money,
    /// The parcel's tracking, once fulfilled with it.
    #[serde(default)]
    pub tracking: Option<Tracking>,
    /// Receipt address.
    pub email: String,
    /// Delivery address.
    pub shipping: ShippingAddress,
    /// When it was placed (Unix ms).
    pub created_at_ms: i64,
    /// Paid after its stock hold had run out, when the stock was already gone: the order stands
    /// (the money was taken) and the merchant decides whether to ship late or refund.
    #[serde(default)]
    pub oversold: bool,
    /// When it was fulfilled (Unix ms), if it has been; stays set when a refund changes the
    /// status afterwards.
    #[serde(default)]
    pub fulfilled_at_ms: Option<i64>,
    /// When the money came in (Unix ms): with the order when paid online; for cash on delivery,
    /// when the merchant marked it collected, which may be after it shipped.
    #[serde(default)]
    pub paid_at_ms: Option<i64>,
    /// The customer account it belongs to (placed signed in), if any.
    #[serde(default)]
    pub customer_id: Option<Uuid>,
    /// What the address check made of `shipping`.
    #[serde(default)]
    pub address_status: AddressStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CheckoutInput {
        CheckoutInput {
            lines: vec![CheckoutLineInput { variant_id: Uuid::from_u128(1), quantity: 2 }],
            email: "asha@example.in".into(),
            shipping: ShippingAddress {
                name: "Asha Rao".into(),
                line1: "12 MG Road".into(),
                line2: None,
                city: "Bengaluru".into(),
                state: "Karnataka".into(),
                postal_code: "560001".into(),
                country: "IN".into(),
                phone: "+91 98450 12345".into(),
            },
            payment_method: PaymentMethod::Razorpay,
            session_id: Some("visit-1".into()),
            idempotency_key: "attempt-1".into(),
            customer_session: None,
            address_status: AddressStatus::Unverified,
            customer: None,
        }
    }

    #[test]
    fn a_good_checkout_passes_and_each_bad_field_is_named() {
        assert_eq!(input().validate(), Ok(()));
        let mut bad = input();
        bad.lines.push(CheckoutLineInput { variant_id: Uuid::from_u128(1), quantity: 0 });
        bad.email = "asha at example".into();
        bad.shipping.country = "India".into();
        bad.shipping.phone = "call me".into();
        bad.shipping.city = " ".into();
        bad.session_id = Some("not a visit!".into());
        bad.idempotency_key = String::new();
        let errors = bad.validate().unwrap_err();
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(fields, ["email", "idempotency_key", "lines[1].quantity", "lines[1].variant_id", "session_id", "shipping.city", "shipping.country", "shipping.phone"]);
        let empty = CheckoutInput { lines: vec![], ..input() };
        assert!(empty.validate().unwrap_err().contains_key("lines"));
    }

    #[test]
    fn orders_only_move_forward() {
        use OrderStatus::*;
        assert!(PendingPayment.can_become(Paid) && Paid.can_become(Fulfilled) && Fulfilled.can_become(Refunded));
        assert!(Paid.can_become(PartiallyRefunded) && PartiallyRefunded.can_become(Refunded));
        for (from, to) in [(Paid, PendingPayment), (Fulfilled, Paid), (Refunded, Paid), (Cancelled, Paid), (Refunded, Fulfilled), (Paid, Paid), (Refunded, PartiallyRefunded)] {
            assert!(!from.can_become(to), "{from:?} -> {to:?}");
        }
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        for kind in OrderEventKind::ALL {
            assert_eq!(OrderEventKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), serde_json::json!(kind.as_str()), "stored as in JSON");
        }
    }
}
