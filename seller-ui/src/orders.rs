//! Orders: the list (status, date range and search by number or email), and an order's page,
//! where the merchant marks it fulfilled (with the parcel's courier and tracking number, if they
//! have them), cancels it (which pays back what is left of an online payment and restocks the
//! items), marks a cash-on-delivery order paid, or refunds some or all of an order paid online;
//! under it, the order's timeline says who did what, and when.
//!
//! A refund carries an idempotency key chosen once per refund the merchant means to make
//! ([`RefundIntent`]): a double click, or a retry after a lost answer, sends the same key, and
//! core-api pays back once.
//!
//! The date range is the merchant's calendar days: a day starts at its local midnight, found with
//! the browser's UTC offset on that day (see [`day_start_ms`] and [`browser_offset_on`]), and the
//! "to" day is included whole. What the screens decide (status labels, the moves an order allows,
//! whether it may be refunded and how much, the refund's key, the timeline's lines, the tracking
//! typed in, the list's query string) is plain data, tested natively at the bottom of this file.

use crate::api::{Api, field_errors};
use crate::app::format_time;
use zelly_ui_kit::calendar::Day;
use crate::page::{
    DetailPage, Notice, PageState, SearchBox, apply_search, load_record, scroll_to_top,
};
use crate::route::{self, Route};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use std::sync::Arc;
use zelly_edge::Money;
use zelly_edge::orders::{
    Order, OrderEvent, OrderEventKind, OrderLine, OrderStatus, PaymentMethod, ShippingAddress,
    Tracking,
};
use zelly_ui_kit::api::query_string;
use zelly_ui_kit::views::{Banner, EmptyState, ErrorState, LoadingState, Panel, Tone};

/// How many orders the list asks for (the API allows 1-200).
pub const LIST_LIMIT: u32 = 100;

/// Milliseconds in a calendar day (without a clock change).
const DAY_MS: i64 = 86_400_000;

/// What the list says when the "to" day comes before the "from" day.
pub const RANGE_BACKWARDS: &str = "The end date must not be before the start date.";

/// A status as the merchant reads it, e.g. "Pending payment".
pub fn status_label(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::PendingPayment => "Pending payment",
        OrderStatus::Paid => "Paid",
        OrderStatus::Fulfilled => "Fulfilled",
        OrderStatus::Cancelled => "Cancelled",
        OrderStatus::PartiallyRefunded => "Partially refunded",
        OrderStatus::Refunded => "Refunded",
    }
}

/// The classes of a status's badge, e.g. `badge badge-pending-payment`.
pub fn status_class(status: OrderStatus) -> String {
    format!("badge badge-{}", status.as_str().replace('_', "-"))
}

/// A payment method as the merchant reads it.
pub fn payment_method_label(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::Razorpay => "Razorpay",
        PaymentMethod::CashOnDelivery => "Cash on delivery",
    }
}

/// The buttons an order's page offers, each a move core-api allows the order to make
/// ([`Order::may_become`]: its status allows it, and a shipped parcel is neither fulfilled again
/// nor cancelled). Refunds have their own form: see [`may_refund`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderActions {
    /// "Mark fulfilled": the order has not shipped and is paid, partly refunded, or waits for
    /// cash on delivery.
    pub fulfill: bool,
    /// "Cancel order": the order has not shipped and is not cancelled already.
    pub cancel: bool,
    /// "Mark paid": a cash-on-delivery order whose cash has not been recorded yet.
    pub mark_paid: bool,
}

impl OrderActions {
    /// The buttons for `order`.
    pub fn of(order: &Order) -> Self {
        Self {
            fulfill: order.may_become(OrderStatus::Fulfilled),
            cancel: order.may_become(OrderStatus::Cancelled),
            // Only cash is collected by hand: an online payment is recorded by Razorpay.
            mark_paid: order.payment_method == PaymentMethod::CashOnDelivery
                && order.may_become(OrderStatus::Paid),
        }
    }

    /// Whether there is any button at all.
    pub fn any(self) -> bool {
        self.fulfill || self.cancel || self.mark_paid
    }
}

/// The banner once order `number` has moved to `status`, e.g. "Order #12 marked fulfilled.".
pub fn done_message(number: i64, status: OrderStatus) -> String {
    match status {
        OrderStatus::Fulfilled => format!("Order #{number} marked fulfilled."),
        OrderStatus::Cancelled => format!("Order #{number} cancelled."),
        OrderStatus::Paid => format!("Order #{number} marked paid."),
        other => format!(
            "Order #{number} is now {}.",
            status_label(other).to_lowercase()
        ),
    }
}

/// What the fulfilment says when only the courier is filled in.
pub const NUMBER_MISSING: &str = "Enter the tracking number too, or leave both empty.";

/// What the fulfilment says when only the tracking number is filled in.
pub const CARRIER_MISSING: &str = "Enter the courier too, or leave both empty.";

/// The sentence for the tracking fields named in `fields` (as [`Tracking::validate`] or a 422 from
/// core-api names them: `tracking.carrier`, `tracking.number`), e.g. "Courier must be 1-40
/// characters.", or `None` when neither is named.
pub fn tracking_problem(fields: &BTreeMap<String, String>) -> Option<String> {
    let sentences: Vec<String> = [
        ("tracking.carrier", "Courier"),
        ("tracking.number", "Tracking number"),
    ]
    .into_iter()
    .filter_map(|(field, label)| {
        let message = fields.get(field)?.trim().trim_end_matches('.');
        Some(format!("{label} {message}."))
    })
    .collect();
    (!sentences.is_empty()).then(|| sentences.join(" "))
}

/// The tracking typed next to "Mark fulfilled": `None` when both inputs are empty (fulfil without
/// tracking), the trimmed pair when both are filled in and valid (see [`Tracking::validate`]).
/// `Err` is a sentence to show next to the inputs: one of them is empty, or one is too long.
pub fn tracking_from_inputs(carrier: &str, number: &str) -> Result<Option<Tracking>, String> {
    let (carrier, number) = (carrier.trim(), number.trim());
    match (carrier.is_empty(), number.is_empty()) {
        (true, true) => return Ok(None),
        (false, true) => return Err(NUMBER_MISSING.to_owned()),
        (true, false) => return Err(CARRIER_MISSING.to_owned()),
        (false, false) => {}
    }
    let tracking = Tracking {
        carrier: carrier.to_owned(),
        number: number.to_owned(),
    };
    match tracking.validate() {
        Ok(()) => Ok(Some(tracking)),
        Err(fields) => Err(tracking_problem(&fields)
            .unwrap_or_else(|| "Check the courier and tracking number.".to_owned())),
    }
}

/// How an order's tracking reads: "Shipped with Delhivery, tracking DL123456789IN".
pub fn tracking_summary(tracking: &Tracking) -> String {
    format!(
        "Shipped with {}, tracking {}",
        tracking.carrier.trim(),
        tracking.number.trim()
    )
}

/// Whether `order` was paid online: it has the provider's payment id (cash on delivery has none).
pub fn paid_online(order: &Order) -> bool {
    order
        .payment_id
        .as_deref()
        .is_some_and(|id| !id.trim().is_empty())
}

/// What cancelling `order` pays back to the shopper: core-api refunds what is left of an order
/// paid online (through Razorpay), nothing for cash on delivery or an order already refunded.
pub fn cancel_refund(order: &Order) -> Option<Money> {
    let owed = paid_online(order)
        && matches!(
            order.status,
            OrderStatus::Paid | OrderStatus::PartiallyRefunded
        );
    let left = refund_left(order);
    (owed && left.amount_minor > 0).then_some(left)
}

/// What Cancel order asks before cancelling `order`, saying what the cancellation does: the money
/// left goes back to the shopper (an order paid online) and the items go back into stock.
pub fn cancel_question(order: &Order) -> String {
    let number = order.number;
    match cancel_refund(order) {
        Some(amount) => format!(
            "Cancel order #{number}? {amount} goes back to the shopper's card/UPI and the items go back into stock."
        ),
        None => format!("Cancel order #{number}? The items go back into stock."),
    }
}

/// The banner once order `number` has been cancelled, `refunded` of it paid back by the
/// cancellation (see [`cancel_refund`]).
pub fn cancel_message(number: i64, refunded: Option<Money>) -> String {
    match refunded {
        Some(amount) => format!(
            "Order #{number} cancelled: {amount} is going back to the shopper and the items are back in stock."
        ),
        None => format!("Order #{number} cancelled: the items are back in stock."),
    }
}

/// What is left to refund of `order`: its total less what has been refunded (never below zero).
pub fn refund_left(order: &Order) -> Money {
    Money::new(order.refundable_minor(), order.total.currency)
}

/// Whether `order`'s page offers a refund: it was paid online, something is left to refund, and it
/// may move to (partially) refunded: paid, fulfilled or partially refunded. A cancelled order has
/// had what was left refunded by its cancellation.
pub fn may_refund(order: &Order) -> bool {
    paid_online(order)
        && order.refundable_minor() > 0
        && (order.may_become(OrderStatus::PartiallyRefunded)
            || order.may_become(OrderStatus::Refunded))
}

/// "Refunded: ₹500.00 of ₹1,299.00", once any of `order` has been refunded.
pub fn refunded_summary(order: &Order) -> Option<String> {
    (order.refunded.amount_minor > 0)
        .then(|| format!("Refunded: {} of {}", order.refunded, order.total))
}

/// Parses the refund amount typed in rupees ("1299", "1299.5", "₹1,299.50") into paise, to be
/// between one paisa and `left` (what is left to refund). No float touches it. `Err` is a sentence
/// to show next to the input.
pub fn parse_refund_amount(text: &str, left: Money) -> Result<i64, String> {
    let text = text.trim();
    let text = text.strip_prefix('₹').unwrap_or(text).trim_start();
    if text.is_empty() {
        return Err("Enter the amount to refund, e.g. 1299.50".to_owned());
    }
    if text.starts_with('-') {
        return Err("A refund can’t be negative".to_owned());
    }
    let text: String = text.chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits_only(whole) || !digits_only(fraction) {
        return Err("Enter an amount in rupees, e.g. 1299.50".to_owned());
    }
    if fraction.len() > 2 {
        return Err("Use at most two decimal places (paise)".to_owned());
    }
    let too_much = || format!("You can refund at most {left}");
    let rupees: i64 = if whole.is_empty() {
        0
    } else {
        // Only digits are left, so the one failure is a number too large for i64.
        whole.parse().map_err(|_| too_much())?
    };
    let paise: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
    let minor = rupees
        .checked_mul(100)
        .and_then(|r| r.checked_add(paise))
        .ok_or_else(too_much)?;
    if minor == 0 {
        return Err(format!("Enter more than {}", Money::new(0, left.currency)));
    }
    if minor > left.amount_minor {
        return Err(too_much());
    }
    Ok(minor)
}

/// What Refund asks before giving `amount` back, e.g. "Refund ₹1,299.00 to the shopper?".
pub fn refund_question(amount: Money) -> String {
    format!("Refund {amount} to the shopper?")
}

/// The banner once `amount` of order `number` has been refunded.
pub fn refund_message(number: i64, amount: Money) -> String {
    format!("Refunded {amount} of order #{number} to the shopper.")
}

/// The longest idempotency key core-api takes for a refund.
pub const REFUND_KEY_MAX: usize = 64;

/// A refund's idempotency key from 16 random bytes: `refund-` and 32 hex digits, well inside the
/// 1-64 letters, digits, '-' or '_' core-api takes.
pub fn refund_key(random: [u8; 16]) -> String {
    let hex: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("refund-{hex}")
}

/// Whether core-api takes `key` as a refund's idempotency key: 1-64 ASCII letters, digits, '-' or
/// '_'.
pub fn is_refund_key(key: &str) -> bool {
    (1..=REFUND_KEY_MAX).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// How a refund call ended, as far as its idempotency key is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundOutcome {
    /// Refunded, or refused for good (a 4xx): this refund is over, the next one is another.
    Settled,
    /// No answer, or the server or Razorpay failed (5xx): the refund may or may not have been
    /// made, so trying again must send the same key.
    Unknown,
}

impl RefundOutcome {
    /// The outcome of an answer with `status` (`None`: no answer came back).
    pub fn of_status(status: Option<u16>) -> Self {
        match status {
            Some(status) if status < 500 => Self::Settled,
            _ => Self::Unknown,
        }
    }
}

/// The refund the merchant means to make, kept across tries so that a retry after a lost answer
/// refunds once: the same amount is the same refund, and keeps its key until it is settled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundIntent {
    /// The amount (paise) and key of the refund tried whose outcome is unknown.
    unsettled: Option<(i64, String)>,
}

impl RefundIntent {
    /// The key to send with a refund of `amount_minor`: the unsettled refund's key when it is the
    /// same amount (a retry), else a new one from `fresh` (a new refund).
    pub fn key_for(&mut self, amount_minor: i64, fresh: impl FnOnce() -> String) -> String {
        match &self.unsettled {
            Some((amount, key)) if *amount == amount_minor => key.clone(),
            _ => {
                let key = fresh();
                self.unsettled = Some((amount_minor, key.clone()));
                key
            }
        }
    }

    /// Records how the call with the current key ended: a settled refund forgets its key.
    pub fn finish(&mut self, outcome: RefundOutcome) {
        if outcome == RefundOutcome::Settled {
            self.unsettled = None;
        }
    }
}

/// 16 bytes from the browser's secure random source (`crypto.getRandomValues`), reached through
/// `js_sys` so the panel needs no more `web-sys` features. `None` outside a browser, or where the
/// page has no `crypto` (it always has, over http(s) and localhost).
pub fn secure_random_bytes() -> Option<[u8; 16]> {
    #[cfg(target_arch = "wasm32")]
    {
        use leptos::wasm_bindgen::JsCast;
        use leptos::web_sys::js_sys::{Function, Reflect, Uint8Array, global};
        let crypto = Reflect::get(&global(), &"crypto".into()).ok()?;
        let fill: Function = Reflect::get(&crypto, &"getRandomValues".into())
            .ok()?
            .dyn_into()
            .ok()?;
        let array = Uint8Array::new_with_length(16);
        fill.call1(&crypto, &array).ok()?;
        let mut bytes = [0_u8; 16];
        array.copy_to(&mut bytes);
        Some(bytes)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// A new refund key from the browser's secure random source; where there is none, from the clock
/// and `Math.random` (unique enough to name one merchant's refund of one order).
fn new_refund_key() -> String {
    let bytes = secure_random_bytes().unwrap_or_else(|| {
        let now = (zelly_ui_kit::auth::now_ms() as u64).to_le_bytes();
        let noise = (leptos::web_sys::js_sys::Math::random() * 2f64.powi(53)) as u64;
        let mut bytes = [0_u8; 16];
        bytes[..8].copy_from_slice(&now);
        bytes[8..].copy_from_slice(&noise.to_le_bytes());
        bytes
    });
    refund_key(bytes)
}

/// Who did something to an order, as the timeline names them: `shopper` is "Shopper"; a
/// merchant's email, `Razorpay` and `Zelly` stay as they are; a blank actor is "Zelly".
pub fn actor_label(actor: &str) -> String {
    match actor.trim() {
        "" => "Zelly".to_owned(),
        "shopper" => "Shopper".to_owned(),
        other => other.to_owned(),
    }
}

/// What an event's kind reads as, for an event core-api sent without a message.
pub fn event_kind_label(kind: OrderEventKind) -> &'static str {
    match kind {
        OrderEventKind::Placed => "Placed the order",
        OrderEventKind::MarkedPaid => "Marked paid",
        OrderEventKind::Fulfilled => "Marked fulfilled",
        OrderEventKind::Cancelled => "Cancelled the order",
        OrderEventKind::Restocked => "Put the items back into stock",
        OrderEventKind::RefundRequested => "Asked for a refund",
        OrderEventKind::Refunded => "Refunded",
        OrderEventKind::RefundFailed => "The refund failed",
    }
}

/// One line of an order's timeline as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// When (Unix ms), shown in the merchant's local date and time.
    pub at_ms: i64,
    /// Who ([`actor_label`]).
    pub who: String,
    /// What happened: core-api's message, or the kind's label when it sent none.
    pub what: String,
    /// The kind's stored name (`refund_failed`, …), for the entry's style and the tests.
    pub kind: &'static str,
}

/// An order's events as the timeline's lines, oldest first (core-api sends them so; events at the
/// same moment keep their order).
pub fn timeline_entries(events: &[OrderEvent]) -> Vec<TimelineEntry> {
    let mut entries: Vec<TimelineEntry> = events
        .iter()
        .map(|event| {
            let message = event.message.trim();
            TimelineEntry {
                at_ms: event.at_ms,
                who: actor_label(&event.actor),
                what: if message.is_empty() {
                    event_kind_label(event.kind).to_owned()
                } else {
                    message.to_owned()
                },
                kind: event.kind.as_str(),
            }
        })
        .collect();
    entries.sort_by_key(|entry| entry.at_ms);
    entries
}

/// The list's filter form as the merchant left it: each field as its input holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterForm {
    /// The status select: `""` for all, else a status's stored name (`paid`, …).
    pub status: String,
    /// The "from" date input: `YYYY-MM-DD`, or `""`.
    pub from: String,
    /// The "to" date input (included whole): `YYYY-MM-DD`, or `""`.
    pub to: String,
    /// The search applied: an order number (`1042`, `#1042`) or part of an email.
    pub q: String,
}

impl FilterForm {
    /// Whether anything narrows the list (so an empty list means "nothing matches").
    pub fn is_filtered(&self) -> bool {
        [&self.status, &self.from, &self.to, &self.q]
            .iter()
            .any(|field| !field.trim().is_empty())
    }

    /// What is wrong with the date range, if anything: the "to" day before the "from" day.
    pub fn date_problem(&self) -> Option<&'static str> {
        match (Day::parse(self.from.trim()), Day::parse(self.to.trim())) {
            (Some(from), Some(to)) if to < from => Some(RANGE_BACKWARDS),
            _ => None,
        }
    }
}

/// The Unix ms of `day`'s midnight in a zone `utc_offset_minutes` east of UTC (India: 330).
pub fn day_start_ms(day: Day, utc_offset_minutes: i32) -> i64 {
    day.to_epoch_days() * DAY_MS - i64::from(utc_offset_minutes) * 60_000
}

/// The `from_ms` (included) and `to_ms` (excluded) the API takes for the date inputs `from` and
/// `to`, the whole "to" day included: its end is the next day's midnight. `offset_on` gives the
/// zone's offset on a day, so a range across a clock change still ends at a local midnight. An
/// empty or unreadable input leaves its end open.
pub fn range_ms(
    from: &str,
    to: &str,
    offset_on: impl Fn(Day) -> i32,
) -> (Option<i64>, Option<i64>) {
    let from_ms = Day::parse(from.trim()).map(|day| day_start_ms(day, offset_on(day)));
    let to_ms = Day::parse(to.trim()).map(|day| match day.add_days(1) {
        Some(next) => day_start_ms(next, offset_on(next)),
        // 9999-12-31 has no next day in the calendar; its own offset will do.
        None => day_start_ms(day, offset_on(day)) + DAY_MS,
    });
    (from_ms, to_ms)
}

/// The query string (without `?`) of the list call for `form`: the status (an unknown one is left
/// out rather than refused), the range in Unix ms (see [`range_ms`]), the trimmed search and
/// [`LIST_LIMIT`]. Empty filters are left out.
pub fn list_query(form: &FilterForm, offset_on: impl Fn(Day) -> i32) -> String {
    let status = OrderStatus::parse(form.status.trim())
        .map(OrderStatus::as_str)
        .unwrap_or_default();
    let (from_ms, to_ms) = range_ms(&form.from, &form.to, offset_on);
    let from_ms = from_ms.map(|ms| ms.to_string()).unwrap_or_default();
    let to_ms = to_ms.map(|ms| ms.to_string()).unwrap_or_default();
    let limit = LIST_LIMIT.to_string();
    query_string(&[
        ("status", status),
        ("from_ms", &from_ms),
        ("to_ms", &to_ms),
        ("q", form.q.trim()),
        ("limit", &limit),
    ])
}

/// The note under the list: all of them, or only the newest [`LIST_LIMIT`].
pub fn count_note(shown: usize) -> String {
    let noun = if shown == 1 { "order" } else { "orders" };
    if shown >= LIST_LIMIT as usize {
        format!("Showing the newest {shown} {noun}; narrow the filters to find older ones")
    } else {
        format!("Showing all {shown} {noun}")
    }
}

/// A line's unit price times its quantity (`None` if that overflows).
pub fn line_total(line: &OrderLine) -> Option<Money> {
    line.unit_price.checked_mul(line.quantity)
}

/// A shipping address as the lines of a label: name, street, flat (if any), "city, state
/// postcode", country, then the phone.
pub fn address_lines(address: &ShippingAddress) -> Vec<String> {
    let mut lines = vec![address.name.clone(), address.line1.clone()];
    if let Some(line2) = address.line2.as_deref().map(str::trim)
        && !line2.is_empty()
    {
        lines.push(line2.to_owned());
    }
    lines.push(format!(
        "{}, {} {}",
        address.city, address.state, address.postal_code
    ));
    lines.push(address.country.clone());
    lines.push(format!("Phone: {}", address.phone));
    lines
}

/// The browser's UTC offset (minutes east) at local midnight of `day`: the offset at that day's
/// UTC midnight, refined once at the local midnight it points to (a clock change moves it).
pub fn browser_offset_on(day: Day) -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        use leptos::wasm_bindgen::JsValue;
        use leptos::web_sys::js_sys::Date;
        let offset_at = |ms: i64| {
            zelly_ui_kit::calendar::utc_offset_from_js(
                Date::new(&JsValue::from_f64(ms as f64)).get_timezone_offset(),
            )
        };
        let guess = offset_at(day_start_ms(day, 0));
        offset_at(day_start_ms(day, guess))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = day;
        0
    }
}

/// An order's status as a coloured badge.
pub fn order_badge(status: OrderStatus) -> impl IntoView {
    view! { <span class=status_class(status)>{status_label(status)}</span> }
}

/// The list's filters, kept while the merchant visits an order.
#[derive(Debug, Clone, Copy)]
pub struct OrderFilters {
    /// The status filter (`""` for all).
    pub status: RwSignal<String>,
    /// The first day (`YYYY-MM-DD` or `""`).
    pub from: RwSignal<String>,
    /// The last day, included (`YYYY-MM-DD` or `""`).
    pub to: RwSignal<String>,
    /// The search applied (number or email).
    pub q: RwSignal<String>,
}

impl Default for OrderFilters {
    fn default() -> Self {
        Self {
            status: RwSignal::new(String::new()),
            from: RwSignal::new(String::new()),
            to: RwSignal::new(String::new()),
            q: RwSignal::new(String::new()),
        }
    }
}

impl OrderFilters {
    /// The form as it is now, without tracking.
    fn form_untracked(&self) -> FilterForm {
        FilterForm {
            status: self.status.get_untracked(),
            from: self.from.get_untracked(),
            to: self.to.get_untracked(),
            q: self.q.get_untracked(),
        }
    }

    /// Empties every filter.
    fn clear(&self) {
        for field in [self.status, self.from, self.to, self.q] {
            field.set(String::new());
        }
    }
}

/// Where the list is.
#[derive(Debug, Clone)]
enum Load {
    Loading,
    /// The dates cannot be asked for: why.
    Invalid(&'static str),
    Failed(String),
    Ready(Arc<Vec<Order>>),
}

/// The store's orders, newest first.
#[component]
pub fn OrdersPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let filters = expect_context::<OrderFilters>();
    let search_text = RwSignal::new(filters.q.get_untracked());
    let load = RwSignal::new(Load::Loading);
    // Only the newest request may fill the list: a slower, older search must not overwrite it.
    let generation = StoredValue::new(0_u64);

    let fetch = Callback::new(move |()| {
        let form = filters.form_untracked();
        let ticket = generation.get_value() + 1;
        generation.set_value(ticket);
        if let Some(problem) = form.date_problem() {
            load.set(Load::Invalid(problem));
            return;
        }
        load.set(Load::Loading);
        let query = list_query(&form, browser_offset_on);
        let api = api.clone();
        spawn_local(async move {
            let result = api.orders(&query).await;
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            match result {
                Ok(orders) => load.set(Load::Ready(Arc::new(orders))),
                // The call has signed the merchant out already: the sign-in screen replaces this.
                Err(error) if error.is_unauthorized() => {}
                Err(error) => load.set(Load::Failed(error.message)),
            }
        });
    });

    // (Re)load whenever a filter changes.
    Effect::new(move |_| {
        filters.status.track();
        filters.from.track();
        filters.to.track();
        filters.q.track();
        fetch.run(());
    });

    let clear_filters = move || {
        search_text.set(String::new());
        filters.clear();
    };

    let refresh_button = move || {
        view! {
            <button
                type="button"
                class="button button-secondary button-inline"
                data-testid="orders-refresh"
                aria-busy=move || matches!(load.get(), Load::Loading).then_some("true")
                on:click=move |_| fetch.run(())
            >
                "Refresh"
            </button>
        }
        .into_any()
    };

    // `ends_range`: the "to" field, marked invalid when the range runs backwards.
    let date_field = move |label: &'static str,
                           value: RwSignal<String>,
                           testid: &'static str,
                           ends_range: bool| {
        view! {
            <label class="toolbar-date">
                <span class="toolbar-label">{label}</span>
                <input
                    class="input"
                    type="date"
                    data-testid=testid
                    aria-invalid=move || {
                        (ends_range && matches!(load.get(), Load::Invalid(_))).then_some("true")
                    }
                    prop:value=move || value.get()
                    on:change=move |ev| value.set(event_target_value(&ev))
                />
            </label>
        }
    };

    view! {
        <Panel heading_id="orders-heading" heading="Orders" actions=Box::new(refresh_button)>
            <p class="summary">
                "Orders placed in your storefront, newest first. Dates are days in your time zone."
            </p>
            <form
                class="toolbar"
                role="search"
                on:submit=move |ev| {
                    ev.prevent_default();
                    apply_search(filters.q, search_text.get_untracked().trim().to_owned());
                }
            >
                <SearchBox label="Search orders" placeholder="Search by order number or email" testid="orders-search" typed=search_text applied=filters.q />
                <label class="toolbar-filter">
                    <span class="visually-hidden">"Status"</span>
                    <select
                        class="input"
                        data-testid="orders-status-filter"
                        prop:value=move || filters.status.get()
                        on:change=move |ev| filters.status.set(event_target_value(&ev))
                    >
                        {std::iter::once(("", "All statuses"))
                            .chain(OrderStatus::ALL.into_iter().map(|s| (s.as_str(), status_label(s))))
                            .map(|(value, label)| {
                                view! {
                                    <option value=value prop:selected=move || filters.status.get() == value>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
                {date_field("From", filters.from, "orders-from", false)}
                {date_field("To", filters.to, "orders-to", true)}
            </form>
            {move || match load.get() {
                Load::Loading => view! { <LoadingState label="Loading orders…" /> }.into_any(),
                Load::Invalid(problem) => {
                    view! {
                        <p class="form-error orders-range-error" role="alert" data-testid="orders-range-error">
                            {problem}
                        </p>
                    }
                        .into_any()
                }
                Load::Failed(message) => {
                    view! {
                        <ErrorState title="Your orders could not be loaded." message on_retry=fetch />
                    }
                        .into_any()
                }
                Load::Ready(orders) if orders.is_empty() && filters.form_untracked().is_filtered() => {
                    view! {
                        <div data-testid="orders-empty">
                            <EmptyState title="No orders match" detail="Try another search, status or dates.">
                                <button
                                    type="button"
                                    class="button button-secondary"
                                    data-testid="orders-clear"
                                    on:click=move |_| clear_filters()
                                >
                                    "Clear filters"
                                </button>
                            </EmptyState>
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(orders) if orders.is_empty() => {
                    view! {
                        <div data-testid="orders-empty">
                            <EmptyState
                                title="No orders yet"
                                detail="When shoppers buy from your storefront, their orders are listed here."
                            />
                        </div>
                    }
                        .into_any()
                }
                Load::Ready(orders) => {
                    let note = count_note(orders.len());
                    view! {
                        <OrderTable orders />
                        <div class="list-footer">
                            <p class="muted" data-testid="orders-count">{note}</p>
                        </div>
                    }
                        .into_any()
                }
            }}
        </Panel>
    }
}

/// The table of orders; a row opens the order.
#[component]
fn OrderTable(orders: Arc<Vec<Order>>) -> impl IntoView {
    let rows = orders
        .iter()
        .map(|order| {
            let target = Route::Order(order.id.to_string());
            let href = target.href();
            view! {
                <tr data-testid="order-row" class="clickable" on:click=move |_| route::navigate(&target)>
                    <td class="cell-title">
                        <a class="row-link" href=href>{format!("#{}", order.number)}</a>
                    </td>
                    <td class="cell-date">{format_time(order.created_at_ms)}</td>
                    <td class="cell-email">{order.email.clone()}</td>
                    <td>
                        {order_badge(order.status)}
                        {order.oversold.then(|| view! {
                            <span class="badge badge-oversold" data-testid="order-oversold-badge" title="Paid after its hold ran out: the stock was already gone">"Oversold"</span>
                        })}
                    </td>
                    <td class="num">{order.total.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid="order-table">
                <thead>
                    <tr>
                        <th scope="col">"Order"</th>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Total"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Where an order's timeline is.
#[derive(Debug, Clone)]
enum TimelineLoad {
    Loading,
    Failed(String),
    Ready(Arc<Vec<TimelineEntry>>),
}

/// An order's page: its status, payment, lines and shipping address, with the status changes the
/// order allows, for an order paid online a refund form, and its timeline (refreshed after each
/// change).
#[component]
pub fn OrderPage(
    /// The order's id.
    id: String,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let original = RwSignal::new(None::<Order>);
    let page = RwSignal::new(PageState::Loading);
    let notice = RwSignal::new(None::<Notice>);
    let busy = RwSignal::new(false);
    // Why the tracking next to "Mark fulfilled" was not sent (or was refused).
    let fulfil_error = RwSignal::new(None::<String>);
    let timeline = RwSignal::new(TimelineLoad::Loading);
    // The refund being made: its key survives a failed try, so a retry refunds once.
    let intent = StoredValue::new(RefundIntent::default());
    // Only the newest timeline request may fill it, as with the list.
    let timeline_ticket = StoredValue::new(0_u64);

    let load_timeline = {
        let (api, id) = (api.clone(), id.clone());
        Callback::new(move |()| {
            let (api, id) = (api.clone(), id.clone());
            let ticket = timeline_ticket.get_value() + 1;
            timeline_ticket.set_value(ticket);
            // An already shown timeline stays while it refreshes.
            if !matches!(timeline.get_untracked(), TimelineLoad::Ready(_)) {
                timeline.set(TimelineLoad::Loading);
            }
            spawn_local(async move {
                let result = api.order_timeline(&id).await;
                if timeline_ticket.try_get_value() != Some(ticket) {
                    return;
                }
                match result {
                    Ok(events) => {
                        timeline.set(TimelineLoad::Ready(Arc::new(timeline_entries(&events))))
                    }
                    Err(error) if error.is_unauthorized() => {}
                    Err(error) => timeline.set(TimelineLoad::Failed(error.message)),
                }
            });
        })
    };

    let fetch = {
        let (api, id) = (api.clone(), id.clone());
        move |then: Option<Notice>| {
            let (api, id) = (api.clone(), id.clone());
            load_timeline.run(());
            load_record(
                async move { api.order(&id).await },
                original,
                page,
                notice,
                then,
                move |order| original.set(Some(order)),
            )
        }
    };
    fetch(None);

    let (refund_api, refund_id) = (api.clone(), id.clone());
    let change = {
        let fetch = fetch.clone();
        move |(next, tracking): (OrderStatus, Option<Tracking>)| {
            let Some((question, refund_due)) = original
                .with_untracked(|o| o.as_ref().map(|o| (cancel_question(o), cancel_refund(o))))
            else {
                return;
            };
            if busy.get_untracked() {
                return;
            }
            if next == OrderStatus::Cancelled
                && !window().confirm_with_message(&question).unwrap_or(false)
            {
                return;
            }
            busy.set(true);
            fulfil_error.set(None);
            let (api, id, fetch) = (api.clone(), id.clone(), fetch.clone());
            spawn_local(async move {
                let result = api.set_order_status(&id, next, tracking.as_ref()).await;
                busy.set(false);
                // A refused tracking is explained next to its inputs, which keep what was typed.
                if let Err(error) = &result
                    && let Some(problem) = tracking_problem(&field_errors(error))
                {
                    fulfil_error.set(Some(problem));
                    return;
                }
                match result {
                    Ok(order) => {
                        let message = if next == OrderStatus::Cancelled {
                            cancel_message(order.number, refund_due)
                        } else {
                            done_message(order.number, next)
                        };
                        original.set(Some(order));
                        notice.set(Some(Notice::Done(message)));
                        load_timeline.run(());
                    }
                    Err(error) if error.is_unauthorized() => {}
                    // The order moved on elsewhere: show its status now, under the reason.
                    Err(error) if error.is_conflict() => fetch(Some(Notice::Failed(error.message))),
                    Err(error) => {
                        notice.set(Some(Notice::Failed(error.message)));
                        load_timeline.run(());
                    }
                }
                scroll_to_top();
            });
        }
    };
    let refund = {
        let fetch = fetch.clone();
        move |amount_minor: i64| {
            let Some((number, currency)) =
                original.with_untracked(|o| o.as_ref().map(|o| (o.number, o.total.currency)))
            else {
                return;
            };
            if busy.get_untracked() {
                return;
            }
            let amount = Money::new(amount_minor, currency);
            if !window()
                .confirm_with_message(&refund_question(amount))
                .unwrap_or(false)
            {
                return;
            }
            busy.set(true);
            // Confirmed: this is the refund the merchant means. A retry of the same amount after a
            // failed try sends that try's key, so Razorpay pays back once.
            let key = intent
                .try_update_value(|intent| intent.key_for(amount_minor, new_refund_key))
                .unwrap_or_else(new_refund_key);
            let (api, id, fetch) = (refund_api.clone(), refund_id.clone(), fetch.clone());
            spawn_local(async move {
                let result = api.refund_order(&id, amount_minor, &key).await;
                busy.set(false);
                let status = result
                    .as_ref()
                    .err()
                    .map_or(Some(200), |error| error.status);
                intent.try_update_value(|intent| intent.finish(RefundOutcome::of_status(status)));
                match result {
                    Ok(order) => {
                        original.set(Some(order));
                        notice.set(Some(Notice::Done(refund_message(number, amount))));
                        load_timeline.run(());
                    }
                    Err(error) if error.is_unauthorized() => {}
                    // Refunded or moved on elsewhere since it was loaded (or Razorpay refused):
                    // show what is left to refund now, under the reason.
                    Err(error) if error.is_invalid() || error.is_conflict() => {
                        fetch(Some(Notice::Failed(error.message)));
                    }
                    Err(error) => {
                        let message = match RefundOutcome::of_status(error.status) {
                            RefundOutcome::Unknown => format!("{} {REFUND_RETRY}", error.message),
                            RefundOutcome::Settled => error.message,
                        };
                        notice.set(Some(Notice::Failed(message)));
                        load_timeline.run(());
                    }
                }
                scroll_to_top();
            });
        }
    };
    let on_change = Callback::new(change);
    let on_refund = Callback::new(refund);
    let retry = Callback::new(move |()| fetch(None));

    view! {
        <DetailPage
            state=page
            list=Route::Orders
            breadcrumb="← Orders"
            loading="Loading order…"
            missing_title="This order does not exist"
            missing_detail="It may belong to another store, or the link is wrong."
            back_label="Back to orders"
            failed_title="This order could not be loaded."
            on_retry=retry
        >
            {move || {
                original
                    .get()
                    .map(|order| {
                        view! { <OrderDetail order notice busy fulfil_error on_change on_refund /> }
                    })
            }}
            {move || {
                original
                    .with(Option::is_some)
                    .then(|| view! { <OrderTimeline load=timeline on_retry=load_timeline /> })
            }}
        </DetailPage>
    }
}

/// What a refund whose answer was lost adds to the reason: retrying is safe.
pub const REFUND_RETRY: &str =
    "If you refund the same amount again, the shopper is still paid back only once.";

/// An order's timeline: who did what to it, and when (the merchant's local date and time), oldest
/// first.
#[component]
fn OrderTimeline(
    load: RwSignal<TimelineLoad>,
    /// Asks for the timeline again.
    on_retry: Callback<()>,
) -> impl IntoView {
    view! {
        <Panel heading_id="order-timeline-heading" heading="Timeline">
            {move || match load.get() {
                TimelineLoad::Loading => view! { <LoadingState label="Loading the timeline…" /> }.into_any(),
                TimelineLoad::Failed(message) => {
                    view! {
                        <ErrorState title="The timeline could not be loaded." message on_retry />
                    }
                        .into_any()
                }
                TimelineLoad::Ready(entries) if entries.is_empty() => {
                    view! { <p class="summary" data-testid="order-timeline-empty">"Nothing has happened to this order yet."</p> }
                        .into_any()
                }
                TimelineLoad::Ready(entries) => {
                    let items = entries
                        .iter()
                        .map(|entry| {
                            view! {
                                <li class=format!("timeline-event timeline-{}", entry.kind) data-testid="timeline-event" data-kind=entry.kind>
                                    <time class="timeline-when" datetime=iso_time(entry.at_ms)>
                                        {format_time(entry.at_ms)}
                                    </time>
                                    <span class="timeline-who">{entry.who.clone()}</span>
                                    <span class="timeline-what">{entry.what.clone()}</span>
                                </li>
                            }
                        })
                        .collect_view();
                    view! {
                        <ol class="timeline" data-testid="order-timeline">{items}</ol>
                    }
                        .into_any()
                }
            }}
        </Panel>
    }
}

/// Unix ms as an ISO 8601 UTC instant for `<time datetime>`, e.g. `2026-05-03T00:00:00Z`.
pub fn iso_time(ms: i64) -> String {
    let (days, rest) = (ms.div_euclid(DAY_MS), ms.rem_euclid(DAY_MS) / 1000);
    let date =
        Day::from_epoch_days(days).map_or_else(|| "1970-01-01".to_owned(), |d| d.to_string());
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The banner above an order: the change made, or why it was refused.
#[component]
fn OrderNotice(notice: RwSignal<Option<Notice>>) -> impl IntoView {
    move || {
        notice.get().map(|current| match current {
            Notice::Done(message) => {
                view! { <Banner tone=Tone::Success message testid="form-notice" /> }.into_any()
            }
            Notice::Failed(message) => view! {
                <Banner tone=Tone::Error message="This order could not be updated." testid="form-error">
                    <p class="banner-detail">{message}</p>
                </Banner>
            }
            .into_any(),
            // An order has no form: no field errors, no version to reload.
            Notice::Invalid(_) | Notice::Conflict => ().into_any(),
        })
    }
}

/// One order, shown.
#[component]
fn OrderDetail(
    order: Order,
    notice: RwSignal<Option<Notice>>,
    busy: RwSignal<bool>,
    /// Why the tracking next to "Mark fulfilled" was not sent (or was refused).
    fulfil_error: RwSignal<Option<String>>,
    /// Moves the order to the status, with the parcel's tracking for a fulfilment that has it.
    on_change: Callback<(OrderStatus, Option<Tracking>)>,
    /// Refunds the amount (paise) once the merchant confirms.
    on_refund: Callback<i64>,
) -> impl IntoView {
    let actions = OrderActions::of(&order);
    let action_button = move |shown: bool,
                              label: &'static str,
                              class: &'static str,
                              testid: &'static str,
                              next: OrderStatus| {
        shown.then(|| {
            view! {
                <button
                    type="button"
                    class=class
                    data-testid=testid
                    disabled=move || busy.get()
                    on:click=move |_| on_change.run((next, None))
                >
                    {label}
                </button>
            }
        })
    };
    let buttons = move || {
        view! {
            {action_button(
                actions.cancel,
                "Cancel order",
                "button button-danger button-inline",
                "order-cancel",
                OrderStatus::Cancelled,
            )}
            {action_button(
                actions.mark_paid,
                "Mark paid",
                "button button-secondary button-inline",
                "order-mark-paid",
                OrderStatus::Paid,
            )}
        }
        .into_any()
    };
    // "Mark fulfilled" sits with the courier and tracking number it may send, in the body.
    let fulfil_form = actions
        .fulfill
        .then(|| view! { <FulfilForm busy error=fulfil_error on_change /> });
    let tracking = order.tracking.as_ref().map(|tracking| {
        view! {
            <p class="order-tracking" data-testid="order-tracking">
                {tracking_summary(tracking)}
            </p>
        }
    });
    let payment_id = match order.payment_id.clone().filter(|id| !id.trim().is_empty()) {
        Some(id) => {
            view! { <code class="chip" data-testid="order-payment-id">{id}</code> }.into_any()
        }
        None => view! { <span class="muted">"No payment id"</span> }.into_any(),
    };
    let lines = order
        .lines
        .iter()
        .map(|line| {
            let total = line_total(line).map_or_else(|| "—".to_owned(), |m| m.to_string());
            view! {
                <tr data-testid="order-line">
                    <td class="cell-title">{line.title.clone()}</td>
                    <td>
                        <code class="chip">{line.sku.clone()}</code>
                    </td>
                    <td class="num">{line.unit_price.to_string()}</td>
                    <td class="num">{line.quantity}</td>
                    <td class="num">{total}</td>
                </tr>
            }
        })
        .collect_view();
    let address = address_lines(&order.shipping)
        .into_iter()
        .map(|line| view! { <span class="address-line">{line}</span> })
        .collect_view();
    let mailto = format!("mailto:{}", order.email);
    let refunded = refunded_summary(&order);
    let refund_form = may_refund(&order).then(|| refund_left(&order));
    let refund_section = (refunded.is_some() || refund_form.is_some()).then(|| {
        view! {
            <div class="order-refund">
                {refunded.map(|text| {
                    view! { <p class="order-refunded" data-testid="order-refunded">{text}</p> }
                })}
                {refund_form.map(|left| view! { <RefundForm left busy on_refund /> })}
            </div>
        }
    });

    view! {
        <Panel
            heading_id="order-heading"
            heading=format!("Order #{}", order.number)
            actions=Box::new(buttons)
        >
            <div class="panel-body">
                <OrderNotice notice />
                {order.oversold.then(|| view! {
                    <Banner
                        tone=Tone::Warning
                        message="Paid after its hold ran out: the stock was already gone."
                        testid="order-oversold"
                    >
                        <p class="banner-detail">
                            "The shopper's payment arrived after the 15 minutes their items were held, and others had bought them by then. Ship it once you have the stock, or refund it."
                        </p>
                    </Banner>
                })}
                <dl class="order-facts">
                    <div>
                        <dt>"Status"</dt>
                        <dd data-testid="order-status" data-status=order.status.as_str()>
                            {order_badge(order.status)}
                        </dd>
                    </div>
                    <div>
                        <dt>"Placed"</dt>
                        <dd data-testid="order-placed">{format_time(order.created_at_ms)}</dd>
                    </div>
                    <div>
                        <dt>"Payment"</dt>
                        <dd data-testid="order-payment">
                            {payment_method_label(order.payment_method)}
                            " "
                            {payment_id}
                        </dd>
                    </div>
                    <div>
                        <dt>"Customer"</dt>
                        <dd data-testid="order-email">
                            <a href=mailto>{order.email.clone()}</a>
                        </dd>
                    </div>
                </dl>
                {tracking}
                {fulfil_form}
                {refund_section}
            </div>
        </Panel>
        <Panel heading_id="order-lines-heading" heading="Items">
            <div class="table-wrap">
                <table class="data-table order-lines" data-testid="order-lines">
                    <thead>
                        <tr>
                            <th scope="col">"Item"</th>
                            <th scope="col">"SKU"</th>
                            <th scope="col" class="num">"Unit price"</th>
                            <th scope="col" class="num">"Qty"</th>
                            <th scope="col" class="num">"Line total"</th>
                        </tr>
                    </thead>
                    <tbody>{lines}</tbody>
                    <tfoot>
                        <tr>
                            <th scope="row" colspan="4">"Total"</th>
                            <td class="num" data-testid="order-total">{order.total.to_string()}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </Panel>
        <Panel heading_id="order-shipping-heading" heading="Shipping address">
            <div class="panel-body">
                <address class="order-address" data-testid="order-shipping">{address}</address>
            </div>
        </Panel>
    }
}

/// "Mark fulfilled" with the parcel's courier and tracking number, both optional: left empty, the
/// order is fulfilled without tracking; filled in, they go with it. One without the other, or one
/// too long, is explained next to the inputs and nothing is sent.
#[component]
fn FulfilForm(
    /// Whether a change or a refund is on its way (the button waits).
    busy: RwSignal<bool>,
    /// Why the tracking was not sent (or was refused by core-api).
    error: RwSignal<Option<String>>,
    /// Fulfils the order, with the tracking if there is one.
    on_change: Callback<(OrderStatus, Option<Tracking>)>,
) -> impl IntoView {
    let carrier = RwSignal::new(String::new());
    let number = RwSignal::new(String::new());
    let submit = move || {
        if busy.get_untracked() {
            return;
        }
        match tracking_from_inputs(&carrier.get_untracked(), &number.get_untracked()) {
            Ok(tracking) => {
                error.set(None);
                on_change.run((OrderStatus::Fulfilled, tracking));
            }
            Err(message) => error.set(Some(message)),
        }
    };
    let invalid = move || error.with(Option::is_some);
    let input = move |label: &'static str,
                      class: &'static str,
                      testid: &'static str,
                      value: RwSignal<String>| {
        view! {
            <label class=format!("field {class}")>
                <span class="label">{label}</span>
                <input
                    class="input"
                    autocomplete="off"
                    spellcheck="false"
                    data-testid=testid
                    aria-invalid=move || invalid().then_some("true")
                    aria-describedby=move || invalid().then_some("fulfil-error")
                    bind:value=value
                    on:input=move |_| error.set(None)
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            submit();
                        }
                    }
                />
            </label>
        }
    };
    view! {
        <div class="order-fulfil">
            <div class="fulfil-form" role="group" aria-label="Fulfilment">
                {input("Courier", "fulfil-carrier", "fulfil-carrier", carrier)}
                {input("Tracking number", "fulfil-number", "fulfil-number", number)}
                <button
                    type="button"
                    class="button fulfil-submit"
                    data-testid="order-fulfill"
                    disabled=move || busy.get()
                    aria-busy=move || busy.get().then_some("true")
                    on:click=move |_| submit()
                >
                    "Mark fulfilled"
                </button>
            </div>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id="fulfil-error" role="alert" data-testid="fulfil-error">
                                {message}
                            </p>
                        }
                    })
            }}
            <p class="hint">
                "Courier and tracking number are optional: fill in both to record the parcel’s tracking."
            </p>
        </div>
    }
}

/// The refund form: the amount in rupees (what is left to begin with) and the Refund button. A bad
/// amount is explained next to the input and never sent.
#[component]
fn RefundForm(
    /// What is left to refund.
    left: Money,
    /// Whether a change or a refund is on its way (the button waits).
    busy: RwSignal<bool>,
    /// Refunds the amount (paise) once the merchant confirms.
    on_refund: Callback<i64>,
) -> impl IntoView {
    let amount = RwSignal::new(left.decimal());
    let error = RwSignal::new(None::<String>);
    let submit = move || {
        if busy.get_untracked() {
            return;
        }
        match parse_refund_amount(&amount.get_untracked(), left) {
            Ok(minor) => {
                error.set(None);
                on_refund.run(minor);
            }
            Err(message) => error.set(Some(message)),
        }
    };
    let invalid = move || error.with(Option::is_some);
    view! {
        <div class="refund-form" role="group" aria-label="Refund">
            <label class="field refund-amount">
                <span class="label">"Refund amount (₹)"</span>
                <input
                    class="input num"
                    inputmode="decimal"
                    data-testid="refund-amount"
                    aria-invalid=move || invalid().then_some("true")
                    aria-describedby=move || invalid().then_some("refund-amount-error")
                    bind:value=amount
                    on:input=move |_| error.set(None)
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            submit();
                        }
                    }
                />
                {move || {
                    error
                        .get()
                        .map(|message| {
                            view! {
                                <p
                                    class="field-error"
                                    id="refund-amount-error"
                                    role="alert"
                                    data-testid="refund-amount-error"
                                >
                                    {message}
                                </p>
                            }
                        })
                }}
                <span class="hint">{format!("Up to {left} is left to refund.")}</span>
            </label>
            <button
                type="button"
                class="button button-danger refund-submit"
                data-testid="order-refund"
                disabled=move || busy.get()
                aria-busy=move || busy.get().then_some("true")
                on:click=move |_| submit()
            >
                "Refund"
            </button>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zelly_edge::Currency;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn form(status: &str, from: &str, to: &str, q: &str) -> FilterForm {
        FilterForm {
            status: status.into(),
            from: from.into(),
            to: to.into(),
            q: q.into(),
        }
    }

    const IST: i32 = 330;

    #[test]
    fn every_status_has_its_own_label_and_badge() {
        assert_eq!(status_label(OrderStatus::PendingPayment), "Pending payment");
        assert_eq!(
            status_label(OrderStatus::PartiallyRefunded),
            "Partially refunded"
        );
        assert_eq!(
            status_class(OrderStatus::PendingPayment),
            "badge badge-pending-payment"
        );
        assert_eq!(status_class(OrderStatus::Paid), "badge badge-paid");
        let mut labels: Vec<_> = OrderStatus::ALL.into_iter().map(status_label).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), OrderStatus::ALL.len());
        assert_eq!(
            payment_method_label(PaymentMethod::CashOnDelivery),
            "Cash on delivery"
        );
    }

    /// `order(status, 0)` paid by `method` (cash on delivery has no payment id).
    fn paid_by(status: OrderStatus, method: PaymentMethod) -> Order {
        let mut order = order(status, 0);
        order.payment_method = method;
        if method == PaymentMethod::CashOnDelivery {
            order.payment_id = None;
        }
        order
    }

    /// `order(status, refunded)` that has been shipped.
    fn shipped(status: OrderStatus, refunded: i64) -> Order {
        Order {
            fulfilled_at_ms: Some(1_777_800_000_000),
            ..order(status, refunded)
        }
    }

    #[test]
    fn open_orders_may_be_fulfilled_or_cancelled() {
        let paid = OrderActions::of(&order(OrderStatus::Paid, 0));
        assert_eq!(
            paid,
            OrderActions {
                fulfill: true,
                cancel: true,
                mark_paid: false
            }
        );
        let waiting = OrderActions::of(&paid_by(
            OrderStatus::PendingPayment,
            PaymentMethod::Razorpay,
        ));
        assert!(waiting.fulfill && waiting.cancel && !waiting.mark_paid);
    }

    #[test]
    fn only_unpaid_cash_on_delivery_orders_may_be_marked_paid() {
        use OrderStatus::*;
        let cash = PaymentMethod::CashOnDelivery;
        assert!(OrderActions::of(&paid_by(PendingPayment, cash)).mark_paid);
        assert!(!OrderActions::of(&paid_by(Paid, cash)).mark_paid);
        assert!(!OrderActions::of(&paid_by(PendingPayment, PaymentMethod::Razorpay)).mark_paid);
    }

    #[test]
    fn a_partly_refunded_order_not_yet_shipped_may_still_be_fulfilled_or_cancelled() {
        let actions = OrderActions::of(&order(OrderStatus::PartiallyRefunded, 50_000));
        assert!(actions.fulfill && actions.cancel && !actions.mark_paid);
    }

    #[test]
    fn a_refunded_order_not_yet_shipped_may_be_cancelled_to_restock_it() {
        let actions = OrderActions::of(&order(OrderStatus::Refunded, 129_900));
        assert_eq!(
            actions,
            OrderActions {
                fulfill: false,
                cancel: true,
                mark_paid: false
            }
        );
    }

    #[test]
    fn a_shipped_order_is_neither_fulfilled_again_nor_cancelled() {
        use OrderStatus::*;
        for (status, refunded) in [
            (Fulfilled, 0),
            (PartiallyRefunded, 50_000),
            (Refunded, 129_900),
        ] {
            assert!(
                !OrderActions::of(&shipped(status, refunded)).any(),
                "{status:?}"
            );
        }
    }

    #[test]
    fn cancelled_orders_offer_nothing() {
        for method in [PaymentMethod::Razorpay, PaymentMethod::CashOnDelivery] {
            assert!(!OrderActions::of(&paid_by(OrderStatus::Cancelled, method)).any());
        }
    }

    #[test]
    fn a_cash_on_delivery_parcel_shipped_unpaid_can_be_marked_paid_once() {
        let shipped = Order {
            fulfilled_at_ms: Some(1),
            ..paid_by(OrderStatus::Fulfilled, PaymentMethod::CashOnDelivery)
        };
        assert!(OrderActions::of(&shipped).mark_paid);
        let collected = Order {
            paid_at_ms: Some(2),
            ..shipped.clone()
        };
        assert!(!OrderActions::of(&collected).mark_paid);
        let online = Order {
            fulfilled_at_ms: Some(1),
            ..paid_by(OrderStatus::Fulfilled, PaymentMethod::Razorpay)
        };
        assert!(!OrderActions::of(&online).mark_paid);
    }

    #[test]
    fn every_button_is_a_move_the_status_machine_allows() {
        for status in OrderStatus::ALL {
            for method in [PaymentMethod::Razorpay, PaymentMethod::CashOnDelivery] {
                for order in [
                    paid_by(status, method),
                    Order {
                        fulfilled_at_ms: Some(1),
                        ..paid_by(status, method)
                    },
                ] {
                    let actions = OrderActions::of(&order);
                    for (offered, next) in [
                        (actions.fulfill, OrderStatus::Fulfilled),
                        (actions.cancel, OrderStatus::Cancelled),
                        (actions.mark_paid, OrderStatus::Paid),
                    ] {
                        if offered {
                            // The one move outside the status machine: cash collected after a
                            // cash-on-delivery parcel shipped.
                            let collected = status == OrderStatus::Fulfilled
                                && method == PaymentMethod::CashOnDelivery
                                && next == OrderStatus::Paid;
                            assert!(status.can_become(next) || collected, "{status:?} -> {next:?}");
                            assert!(order.fulfilled_at_ms.is_none() || next == OrderStatus::Paid);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn cancelling_a_paid_online_order_says_the_money_left_goes_back_and_the_items_are_restocked() {
        assert_eq!(
            cancel_question(&order(OrderStatus::Paid, 0)),
            "Cancel order #12? ₹1,299.00 goes back to the shopper's card/UPI and the items go back into stock."
        );
        assert_eq!(
            cancel_question(&order(OrderStatus::PartiallyRefunded, 50_000)),
            "Cancel order #12? ₹799.00 goes back to the shopper's card/UPI and the items go back into stock."
        );
    }

    #[test]
    fn a_cancellation_is_announced_with_what_it_paid_back() {
        assert_eq!(
            cancel_message(12, Some(inr(79_900))),
            "Order #12 cancelled: ₹799.00 is going back to the shopper and the items are back in stock."
        );
        assert_eq!(
            cancel_message(3, None),
            "Order #3 cancelled: the items are back in stock."
        );
    }

    #[test]
    fn cancelling_an_order_nothing_is_owed_on_only_restocks_it() {
        let cash = paid_by(OrderStatus::PendingPayment, PaymentMethod::CashOnDelivery);
        assert_eq!(
            cancel_question(&cash),
            "Cancel order #12? The items go back into stock."
        );
        assert_eq!(cancel_refund(&cash), None);
        let refunded = order(OrderStatus::Refunded, 129_900);
        assert_eq!(
            cancel_question(&refunded),
            "Cancel order #12? The items go back into stock."
        );
        let unpaid = paid_by(OrderStatus::PendingPayment, PaymentMethod::Razorpay);
        assert_eq!(
            cancel_refund(&Order {
                payment_id: None,
                ..unpaid
            }),
            None
        );
    }

    #[test]
    fn changes_are_announced_with_the_order_number() {
        assert_eq!(
            done_message(12, OrderStatus::Fulfilled),
            "Order #12 marked fulfilled."
        );
        assert_eq!(
            done_message(3, OrderStatus::Cancelled),
            "Order #3 cancelled."
        );
        assert_eq!(done_message(7, OrderStatus::Paid), "Order #7 marked paid.");
    }

    fn inr(minor: i64) -> Money {
        Money::new(minor, Currency::INR)
    }

    /// A Razorpay order of ₹1,299.00 in `status`, `refunded` paise of it given back.
    fn order(status: OrderStatus, refunded: i64) -> Order {
        Order {
            id: Default::default(),
            number: 12,
            checkout_id: Default::default(),
            status,
            payment_method: PaymentMethod::Razorpay,
            payment_id: Some("pay_29QQoUBi66xm2f".into()),
            lines: Vec::new(),
            total: inr(129_900),
            refunded: inr(refunded),
            tracking: None,
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
            created_at_ms: 1_777_766_400_000,
            oversold: false,
            fulfilled_at_ms: None,
            paid_at_ms: None,
            customer_id: None,
            address_status: Default::default(),
        }
    }

    #[test]
    fn orders_paid_online_with_something_left_may_be_refunded() {
        use OrderStatus::*;
        for status in [Paid, PartiallyRefunded] {
            assert!(may_refund(&order(status, 0)), "{status:?}");
            assert!(may_refund(&order(status, 50_000)), "{status:?}");
        }
        assert!(may_refund(&shipped(Fulfilled, 0)));
        assert!(may_refund(&shipped(PartiallyRefunded, 50_000)));
        for status in [PendingPayment, Refunded] {
            assert!(!may_refund(&order(status, 0)), "{status:?}");
        }
    }

    #[test]
    fn a_cancelled_order_offers_no_refund_since_cancelling_refunded_what_was_left() {
        assert!(!may_refund(&order(OrderStatus::Cancelled, 0)));
        assert!(!may_refund(&order(OrderStatus::Cancelled, 50_000)));
    }

    #[test]
    fn nothing_left_or_no_online_payment_means_no_refund() {
        use OrderStatus::*;
        assert!(!may_refund(&order(PartiallyRefunded, 129_900)));
        assert!(!may_refund(&order(Paid, 200_000)));
        let mut cash = order(Paid, 0);
        cash.payment_method = PaymentMethod::CashOnDelivery;
        cash.payment_id = None;
        assert!(!may_refund(&cash));
        let mut blank = order(Fulfilled, 0);
        blank.payment_id = Some("  ".into());
        assert!(!may_refund(&blank));
    }

    #[test]
    fn every_refund_offered_is_a_move_the_status_machine_allows() {
        for status in OrderStatus::ALL {
            if may_refund(&order(status, 0)) || may_refund(&shipped(status, 0)) {
                assert!(status.can_become(OrderStatus::Refunded), "{status:?}");
                assert!(
                    status.can_become(OrderStatus::PartiallyRefunded),
                    "{status:?}"
                );
            }
        }
    }

    #[test]
    fn what_is_left_is_the_total_less_the_refunds() {
        assert_eq!(refund_left(&order(OrderStatus::Paid, 0)), inr(129_900));
        assert_eq!(
            refund_left(&order(OrderStatus::PartiallyRefunded, 50_000)),
            inr(79_900)
        );
        assert_eq!(refund_left(&order(OrderStatus::Refunded, 129_900)), inr(0));
        assert_eq!(refund_left(&order(OrderStatus::Refunded, 200_000)), inr(0));
        assert_eq!(
            refund_left(&order(OrderStatus::Paid, 0)).decimal(),
            "1299.00"
        );
    }

    #[test]
    fn the_refunded_amount_shows_once_there_is_one() {
        assert_eq!(refunded_summary(&order(OrderStatus::Paid, 0)), None);
        assert_eq!(
            refunded_summary(&order(OrderStatus::PartiallyRefunded, 50_000)).as_deref(),
            Some("Refunded: ₹500.00 of ₹1,299.00")
        );
    }

    #[test]
    fn refund_amounts_become_exact_paise() {
        let left = inr(129_950);
        assert_eq!(parse_refund_amount("1299", left), Ok(129_900));
        assert_eq!(parse_refund_amount("1299.5", left), Ok(129_950));
        assert_eq!(parse_refund_amount("1,299.50", left), Ok(129_950));
        assert_eq!(parse_refund_amount(" ₹1,299.50 ", left), Ok(129_950));
        assert_eq!(parse_refund_amount("1299.", left), Ok(129_900));
        assert_eq!(parse_refund_amount(".05", left), Ok(5));
        assert_eq!(parse_refund_amount("0.01", left), Ok(1));
        // 0.29 * 100 is 28.999999999999996 as a float.
        assert_eq!(parse_refund_amount("0.29", left), Ok(29));
        // The prefill (what is left) is accepted as it is.
        assert_eq!(parse_refund_amount(&left.decimal(), left), Ok(129_950));
    }

    #[test]
    fn bad_refund_amounts_are_explained() {
        let left = inr(129_900);
        let error = |text: &str| parse_refund_amount(text, left).unwrap_err();
        assert!(error("").starts_with("Enter the amount"));
        assert!(error(" ₹ ").starts_with("Enter the amount"));
        assert!(error("-5").contains("negative"));
        assert!(error("₹-5").contains("negative"));
        assert!(error("12.345").contains("two decimal"));
        assert_eq!(error("0"), "Enter more than ₹0.00");
        assert_eq!(error("0.00"), "Enter more than ₹0.00");
        assert_eq!(error("1299.01"), "You can refund at most ₹1,299.00");
        assert_eq!(
            error("99999999999999999999999"),
            "You can refund at most ₹1,299.00"
        );
        assert_eq!(
            error("92233720368547758.07"),
            "You can refund at most ₹1,299.00"
        );
        for bad in [
            "abc", "1.2.3", "1e3", "12 34", ".", "1.-5", "+5", "5 rupees",
        ] {
            assert!(error(bad).contains("rupees"), "{bad}");
        }
    }

    #[test]
    fn refunds_are_confirmed_and_announced_with_the_amount() {
        assert_eq!(
            refund_question(inr(129_900)),
            "Refund ₹1,299.00 to the shopper?"
        );
        assert_eq!(
            refund_message(12, inr(50_000)),
            "Refunded ₹500.00 of order #12 to the shopper."
        );
    }

    #[test]
    fn a_refund_key_is_one_core_api_takes() {
        let key = refund_key([0xab; 16]);
        assert_eq!(key, format!("refund-{}", "ab".repeat(16)));
        assert!(is_refund_key(&key));
        assert!(is_refund_key(&refund_key([0; 16])));
        assert_ne!(refund_key([1; 16]), refund_key([2; 16]));
    }

    #[test]
    fn keys_with_other_characters_or_too_long_are_not_refund_keys() {
        assert!(!is_refund_key(""));
        assert!(!is_refund_key(&"a".repeat(65)));
        assert!(is_refund_key(&"a".repeat(64)));
        for bad in ["refund key", "refund/1", "réfund", "refund.1"] {
            assert!(!is_refund_key(bad), "{bad}");
        }
    }

    /// Keys `key-1`, `key-2`, … in the order they are asked for.
    fn counter() -> impl FnMut() -> String {
        let mut n = 0;
        move || {
            n += 1;
            format!("key-{n}")
        }
    }

    #[test]
    fn a_retry_after_a_lost_answer_sends_the_same_key() {
        let (mut intent, mut fresh) = (RefundIntent::default(), counter());
        let first = intent.key_for(10_000, &mut fresh);
        intent.finish(RefundOutcome::of_status(None));
        assert_eq!(intent.key_for(10_000, &mut fresh), first);
        intent.finish(RefundOutcome::of_status(Some(502)));
        assert_eq!(intent.key_for(10_000, &mut fresh), first);
    }

    #[test]
    fn a_refund_after_one_that_was_made_gets_a_new_key() {
        let (mut intent, mut fresh) = (RefundIntent::default(), counter());
        let first = intent.key_for(10_000, &mut fresh);
        intent.finish(RefundOutcome::of_status(Some(200)));
        let second = intent.key_for(10_000, &mut fresh);
        assert_ne!(second, first);
    }

    #[test]
    fn a_refused_refund_or_another_amount_is_a_new_refund() {
        let (mut intent, mut fresh) = (RefundIntent::default(), counter());
        let first = intent.key_for(10_000, &mut fresh);
        intent.finish(RefundOutcome::of_status(Some(422)));
        let second = intent.key_for(10_000, &mut fresh);
        assert_ne!(second, first);
        intent.finish(RefundOutcome::of_status(None));
        assert_ne!(intent.key_for(5_000, &mut fresh), second);
    }

    #[test]
    fn only_answers_below_500_settle_a_refund() {
        assert_eq!(RefundOutcome::of_status(Some(200)), RefundOutcome::Settled);
        assert_eq!(RefundOutcome::of_status(Some(409)), RefundOutcome::Settled);
        assert_eq!(RefundOutcome::of_status(Some(503)), RefundOutcome::Unknown);
        assert_eq!(RefundOutcome::of_status(None), RefundOutcome::Unknown);
    }

    fn event(at_ms: i64, actor: &str, kind: OrderEventKind, message: &str) -> OrderEvent {
        OrderEvent {
            at_ms,
            actor: actor.into(),
            kind,
            message: message.into(),
        }
    }

    #[test]
    fn the_timeline_says_who_did_what_oldest_first() {
        let entries = timeline_entries(&[
            event(
                3,
                "merchant@demo.localhost",
                OrderEventKind::Refunded,
                "Refunded ₹100.00",
            ),
            event(1, "shopper", OrderEventKind::Placed, "Placed with Razorpay"),
            event(2, "Razorpay", OrderEventKind::RefundRequested, ""),
        ]);
        let lines: Vec<_> = entries
            .iter()
            .map(|e| (e.at_ms, e.who.as_str(), e.what.as_str(), e.kind))
            .collect();
        assert_eq!(
            lines,
            [
                (1, "Shopper", "Placed with Razorpay", "placed"),
                (2, "Razorpay", "Asked for a refund", "refund_requested"),
                (3, "merchant@demo.localhost", "Refunded ₹100.00", "refunded"),
            ]
        );
    }

    #[test]
    fn events_at_the_same_moment_keep_their_order() {
        let entries = timeline_entries(&[
            event(5, "Zelly", OrderEventKind::Cancelled, "Cancelled"),
            event(5, "Zelly", OrderEventKind::Restocked, "Restocked"),
        ]);
        assert_eq!(entries[0].kind, "cancelled");
        assert_eq!(entries[1].kind, "restocked");
        assert_eq!(actor_label("  "), "Zelly");
    }

    #[test]
    fn every_event_kind_has_its_own_label() {
        let kinds = OrderEventKind::ALL;
        let mut names: Vec<_> = kinds.into_iter().map(OrderEventKind::as_str).collect();
        let mut labels: Vec<_> = kinds.into_iter().map(event_kind_label).collect();
        names.sort_unstable();
        names.dedup();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!((names.len(), labels.len()), (kinds.len(), kinds.len()));
    }

    #[test]
    fn a_timeline_time_is_an_iso_instant() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            iso_time(1_777_766_400_000 + 3_723_000),
            "2026-05-03T01:02:03Z"
        );
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        assert_eq!(day_start_ms(day("1970-01-01"), 0), 0);
        assert_eq!(day_start_ms(day("2026-05-03"), 0), 1_777_766_400_000);
        // Midnight in India is 18:30 UTC the evening before.
        assert_eq!(day_start_ms(day("2026-05-03"), IST), 1_777_746_600_000);
        // Midnight in New York (winter) is 05:00 UTC.
        assert_eq!(day_start_ms(day("1970-01-01"), -300), 18_000_000);
    }

    #[test]
    fn the_to_day_is_included_whole() {
        assert_eq!(
            range_ms("2026-05-03", "2026-05-03", |_| IST),
            (Some(1_777_746_600_000), Some(1_777_833_000_000))
        );
        assert_eq!(
            range_ms("", "9999-12-31", |_| 0),
            (None, Some(day_start_ms(day("9999-12-31"), 0) + DAY_MS))
        );
    }

    #[test]
    fn a_range_across_a_clock_change_ends_at_local_midnight() {
        // New York moves from UTC-5 to UTC-4 on 2026-03-08.
        let new_york = |d: Day| if d < day("2026-03-08") { -300 } else { -240 };
        assert_eq!(
            range_ms("2026-03-07", "2026-03-08", new_york),
            (Some(1_772_859_600_000), Some(1_773_028_800_000))
        );
    }

    #[test]
    fn empty_or_half_typed_dates_leave_the_range_open() {
        assert_eq!(range_ms("", "", |_| IST), (None, None));
        assert_eq!(
            range_ms("2026-05-01", "2026-5-", |_| IST),
            (Some(1_777_573_800_000), None)
        );
    }

    #[test]
    fn an_empty_form_asks_for_the_newest_orders() {
        assert_eq!(list_query(&FilterForm::default(), |_| IST), "limit=100");
    }

    #[test]
    fn every_filter_goes_into_the_query() {
        let query = list_query(&form("paid", "2026-05-01", "2026-05-03", " #1042 "), |_| {
            IST
        });
        assert_eq!(
            query,
            "status=paid&from_ms=1777573800000&to_ms=1777833000000&q=%231042&limit=100"
        );
        let query = list_query(
            &form("partially_refunded", "", "", "asha@example.in"),
            |_| 0,
        );
        assert_eq!(
            query,
            "status=partially_refunded&q=asha%40example.in&limit=100"
        );
    }

    #[test]
    fn an_unknown_status_is_left_out_rather_than_refused() {
        assert_eq!(list_query(&form("shipped", "", "", ""), |_| 0), "limit=100");
    }

    #[test]
    fn a_backwards_range_is_caught_before_asking() {
        assert_eq!(
            form("", "2026-05-03", "2026-05-02", "").date_problem(),
            Some(RANGE_BACKWARDS)
        );
        assert_eq!(
            form("", "2026-05-03", "2026-05-03", "").date_problem(),
            None
        );
        assert_eq!(form("", "2026-05-03", "", "").date_problem(), None);
    }

    #[test]
    fn any_filter_makes_an_empty_list_a_miss() {
        assert!(!FilterForm::default().is_filtered());
        assert!(!form(" ", "", "", "  ").is_filtered());
        assert!(form("paid", "", "", "").is_filtered());
        assert!(form("", "2026-05-01", "", "").is_filtered());
        assert!(form("", "", "", "1042").is_filtered());
    }

    #[test]
    fn the_note_says_when_older_orders_are_left_out() {
        assert_eq!(count_note(1), "Showing all 1 order");
        assert_eq!(count_note(99), "Showing all 99 orders");
        assert!(count_note(100).starts_with("Showing the newest 100 orders"));
    }

    #[test]
    fn a_line_total_is_the_unit_price_times_the_quantity() {
        let line = OrderLine {
            variant_id: Default::default(),
            title: "Tee / M".into(),
            sku: "TEE-M".into(),
            unit_price: Money::new(129_950, Currency::INR),
            quantity: 3,
        };
        assert_eq!(line_total(&line), Some(Money::new(389_850, Currency::INR)));
        let huge = OrderLine {
            unit_price: Money::new(i64::MAX, Currency::INR),
            ..line
        };
        assert_eq!(line_total(&huge), None);
    }

    #[test]
    fn empty_tracking_inputs_fulfil_without_tracking() {
        assert_eq!(tracking_from_inputs("", ""), Ok(None));
        assert_eq!(tracking_from_inputs("  ", "\t "), Ok(None));
    }

    #[test]
    fn filled_tracking_inputs_are_sent_trimmed() {
        assert_eq!(
            tracking_from_inputs(" Delhivery ", " DL123456789IN\n"),
            Ok(Some(Tracking {
                carrier: "Delhivery".into(),
                number: "DL123456789IN".into()
            }))
        );
        // The longest of each is allowed, counted in characters rather than bytes.
        let carrier = "é".repeat(40);
        let number = "9".repeat(64);
        assert_eq!(
            tracking_from_inputs(&carrier, &number),
            Ok(Some(Tracking { carrier, number }))
        );
    }

    #[test]
    fn one_tracking_input_without_the_other_is_refused() {
        assert_eq!(
            tracking_from_inputs("Delhivery", ""),
            Err(NUMBER_MISSING.to_owned())
        );
        assert_eq!(
            tracking_from_inputs("Delhivery", "   "),
            Err(NUMBER_MISSING.to_owned())
        );
        assert_eq!(
            tracking_from_inputs("", "DL123456789IN"),
            Err(CARRIER_MISSING.to_owned())
        );
        assert_eq!(
            tracking_from_inputs(" ", "DL123456789IN"),
            Err(CARRIER_MISSING.to_owned())
        );
    }

    #[test]
    fn too_long_tracking_is_explained_field_by_field() {
        let long_carrier = "C".repeat(41);
        let long_number = "9".repeat(65);
        assert_eq!(
            tracking_from_inputs(&long_carrier, "DL1"),
            Err("Courier must be 1-40 characters.".to_owned())
        );
        assert_eq!(
            tracking_from_inputs("Delhivery", &long_number),
            Err("Tracking number must be 1-64 characters.".to_owned())
        );
        assert_eq!(
            tracking_from_inputs(&long_carrier, &long_number),
            Err(
                "Courier must be 1-40 characters. Tracking number must be 1-64 characters."
                    .to_owned()
            )
        );
    }

    #[test]
    fn a_refused_tracking_names_its_inputs() {
        let fields = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        assert_eq!(tracking_problem(&fields(&[])), None);
        assert_eq!(tracking_problem(&fields(&[("status", "unknown")])), None);
        assert_eq!(
            tracking_problem(&fields(&[("tracking.number", "must be 1-64 characters.")]))
                .as_deref(),
            Some("Tracking number must be 1-64 characters.")
        );
    }

    #[test]
    fn tracking_reads_as_a_sentence() {
        let tracking = Tracking {
            carrier: "Delhivery".into(),
            number: "DL123456789IN".into(),
        };
        assert_eq!(
            tracking_summary(&tracking),
            "Shipped with Delhivery, tracking DL123456789IN"
        );
    }

    #[test]
    fn an_address_reads_like_a_label() {
        let mut address = ShippingAddress {
            name: "Asha Rao".into(),
            line1: "12 MG Road".into(),
            line2: None,
            city: "Bengaluru".into(),
            state: "Karnataka".into(),
            postal_code: "560001".into(),
            country: "IN".into(),
            phone: "+91 98450 12345".into(),
        };
        assert_eq!(
            address_lines(&address),
            [
                "Asha Rao",
                "12 MG Road",
                "Bengaluru, Karnataka 560001",
                "IN",
                "Phone: +91 98450 12345"
            ]
        );
        address.line2 = Some(" ".into());
        assert_eq!(address_lines(&address).len(), 5);
        address.line2 = Some("Flat 4B".into());
        assert_eq!(address_lines(&address)[2], "Flat 4B");
    }
}
