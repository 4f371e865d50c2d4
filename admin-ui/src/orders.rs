//! Orders across stores: the search (a store and its order number, an email, a phone or a payment
//! id) and an order's page: its items and totals, what was refunded, where it ships, its timeline
//! and the payment webhooks around it. Admins also refund from there, with a reason for the audit
//! log.

use crate::api::{Api, Auth, Failure, OrderQuery};
use crate::app::{Outcome, OutcomeBanner};
use crate::directory::StorePicker;
use crate::format::{
    NOTHING, actor_label, amount_text, can_refund, iso_time, local_time, money_of,
    parse_amount, parse_order_number,
};
use crate::route::Route;
use crate::tenants::{Load, OrderHits, REASON_MAX, order_badge};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use zelly_edge::Money;
use zelly_edge::admin::{AdminOrderDetail, AdminOrderHit, WebhookReceipt};
use zelly_edge::orders::{Order, OrderEvent, OrderStatus, PaymentMethod, ShippingAddress};
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState, Panel};

/// The search form as staff left it, and its results, kept while they visit an order.
#[derive(Debug, Clone, Copy)]
pub struct OrderSearchState {
    /// The store's id (`""`: any).
    pub tenant: RwSignal<String>,
    /// The order number as typed.
    pub number: RwSignal<String>,
    /// The shopper's email as typed.
    pub email: RwSignal<String>,
    /// The shopper's phone as typed.
    pub phone: RwSignal<String>,
    /// The payment id as typed.
    pub payment_id: RwSignal<String>,
    /// The results of the last search, once there was one.
    pub results: RwSignal<Option<Load<Arc<Vec<AdminOrderHit>>>>>,
}

impl Default for OrderSearchState {
    fn default() -> Self {
        Self {
            tenant: RwSignal::new(String::new()),
            number: RwSignal::new(String::new()),
            email: RwSignal::new(String::new()),
            phone: RwSignal::new(String::new()),
            payment_id: RwSignal::new(String::new()),
            results: RwSignal::new(None),
        }
    }
}

/// The search for the form's fields, or what is wrong with them.
pub fn search_query(
    tenant: &str,
    number: &str,
    email: &str,
    phone: &str,
    payment_id: &str,
) -> Result<OrderQuery, String> {
    let query = OrderQuery {
        tenant: tenant.trim().to_owned(),
        number: parse_order_number(number)?,
        email: email.trim().to_owned(),
        phone: phone.trim().to_owned(),
        payment_id: payment_id.trim().to_owned(),
    };
    match query.problem() {
        Some(problem) => Err(problem.to_owned()),
        None => Ok(query),
    }
}

/// A payment method as staff read it.
pub fn payment_method_label(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::Razorpay => "Razorpay",
        PaymentMethod::CashOnDelivery => "Cash on delivery",
    }
}

/// What is left to refund of `order`.
pub fn refund_left(order: &Order) -> Money {
    Money::new(order.refundable_minor(), order.total.currency)
}

/// Whether `order` may be refunded: it was paid online (it has the provider's payment id),
/// something is left to refund, and its status allows a refund (paid, fulfilled or partly
/// refunded).
pub fn may_refund(order: &Order) -> bool {
    order
        .payment_id
        .as_deref()
        .is_some_and(|id| !id.trim().is_empty())
        && order.refundable_minor() > 0
        && (order.may_become(OrderStatus::PartiallyRefunded)
            || order.may_become(OrderStatus::Refunded))
}

/// What Refund asks before paying back `amount` of order `number`.
pub fn refund_question(number: i64, amount: Money) -> String {
    format!(
        "Refund {} of order #{number} to the shopper? This cannot be undone.",
        money_of(amount)
    )
}

/// The banner for admin-api's answer to a refund of `amount` of order `number`. admin-api records
/// the refund and answers its state (`pending`, `succeeded` or `failed`) with a sentence saying
/// what happens next; an answer without a state (the order itself) means it is done.
pub fn refund_outcome(number: i64, amount: Money, answer: &serde_json::Value) -> Outcome {
    let note = answer
        .get("message")
        .and_then(serde_json::Value::as_str)
        .map(crate::format::friendly_detail)
        .filter(|note| !note.is_empty());
    let state = answer.get("state").and_then(serde_json::Value::as_str);
    let amount = money_of(amount);
    match (state, note) {
        (Some("failed"), note) => Outcome::Failed(
            "The refund did not go through.",
            note.unwrap_or_else(|| "The payment provider refused it.".to_owned()),
        ),
        (Some("pending"), Some(note)) => {
            Outcome::Done(format!("Refund of {amount} for order #{number}: {note}"))
        }
        (Some("pending"), None) => Outcome::Done(format!(
            "Refund of {amount} for order #{number} recorded: the payment provider is asked next."
        )),
        _ => Outcome::Done(format!("Refunded {amount} of order #{number} to the shopper.")),
    }
}

/// The longest idempotency key admin-api takes.
pub const REFUND_KEY_MAX: usize = 64;

/// A refund's idempotency key from 16 random bytes: `staff-refund-` and 32 hex digits (letters,
/// digits and `-` only, well inside [`REFUND_KEY_MAX`]).
pub fn refund_key(random: [u8; 16]) -> String {
    let mut key = String::from("staff-refund-");
    for byte in random {
        key.push_str(&format!("{byte:02x}"));
    }
    key
}

/// The refund an admin means to make, kept across tries: a refund whose answer was lost (no
/// answer, or a 5xx) may have been made, so trying the same amount again sends the same key and
/// admin-api refunds once. An answered refund (done, or refused with a 4xx) is over: the next one
/// gets a new key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundKeys {
    /// The amount and key of the refund tried whose outcome is not known.
    unsettled: Option<(i64, String)>,
}

impl RefundKeys {
    /// The key for a refund of `amount_minor`: the unsettled one's for the same amount, else a new
    /// one from `fresh`.
    pub fn key_for(&mut self, amount_minor: i64, fresh: impl FnOnce() -> String) -> String {
        if let Some((amount, key)) = &self.unsettled
            && *amount == amount_minor
        {
            return key.clone();
        }
        let key = fresh();
        self.unsettled = Some((amount_minor, key.clone()));
        key
    }

    /// Records how the try ended (`status`: the answer's, `None` for none): an answer below 500
    /// settles it, and so does a 503 (admin-api refusing before it starts: payments are not set
    /// up); no answer or another 5xx leaves it unknown.
    pub fn finish(&mut self, status: Option<u16>) {
        if is_settled(status) {
            self.unsettled = None;
        }
    }
}

/// Whether a refund answered with `status` (`None`: no answer) is known to be done or not done.
pub fn is_settled(status: Option<u16>) -> bool {
    status.is_some_and(|status| status < 500 || status == 503)
}

/// 16 random bytes from the browser's `crypto.getRandomValues` (through `js_sys`), or, where
/// there is none, from the clock and `Math.random`. Zeros outside a browser.
fn random_bytes() -> [u8; 16] {
    #[cfg(target_arch = "wasm32")]
    {
        use leptos::wasm_bindgen::JsCast;
        use leptos::web_sys::js_sys::{Function, Math, Reflect, Uint8Array, global};
        let mut bytes = [0_u8; 16];
        let crypto = Reflect::get(&global(), &"crypto".into()).ok();
        let filled = crypto.and_then(|crypto| {
            let fill: Function = Reflect::get(&crypto, &"getRandomValues".into())
                .ok()?
                .dyn_into()
                .ok()?;
            let array = Uint8Array::new_with_length(16);
            fill.call1(&crypto, &array).ok()?;
            array.copy_to(&mut bytes);
            Some(())
        });
        if filled.is_none() {
            let now = (zelly_ui_kit::auth::now_ms() as u64).to_le_bytes();
            let noise = ((Math::random() * 2f64.powi(53)) as u64).to_le_bytes();
            bytes[..8].copy_from_slice(&now);
            bytes[8..].copy_from_slice(&noise);
        }
        bytes
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        [0; 16]
    }
}

/// A shipping address as the lines of a label.
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

/// An order's events, oldest first (events at the same moment keep their order).
pub fn timeline(events: &[OrderEvent]) -> Vec<OrderEvent> {
    let mut events = events.to_vec();
    events.sort_by_key(|event| event.at_ms);
    events
}

/// The order search.
#[component]
pub fn OrdersPage(
    /// The store the search starts with (from a store's page), if any.
    tenant: Option<String>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let state = expect_context::<OrderSearchState>();
    if let Some(tenant) = tenant
        && state.tenant.get_untracked() != tenant
    {
        state.tenant.set(tenant);
        state.number.set(String::new());
        state.results.set(None);
    }
    let error = RwSignal::new(None::<String>);
    let ticket = StoredValue::new(0_u64);

    let run = move || {
        let query = match search_query(
            &state.tenant.get_untracked(),
            &state.number.get_untracked(),
            &state.email.get_untracked(),
            &state.phone.get_untracked(),
            &state.payment_id.get_untracked(),
        ) {
            Ok(query) => query,
            Err(problem) => {
                error.set(Some(problem));
                return;
            }
        };
        error.set(None);
        let mine = ticket.get_value() + 1;
        ticket.set_value(mine);
        state.results.set(Some(Load::Loading));
        let api = api.clone();
        spawn_local(async move {
            let answer = api.orders(&query).await;
            if ticket.try_get_value() != Some(mine) || answer.as_ref().is_err_and(Failure::is_unauthorized) {
                return;
            }
            state.results.set(Some(match answer {
                Ok(hits) => Load::Ready(Arc::new(hits)),
                // A search refused for its fields says why in the API's words.
                Err(failure) if failure.status == Some(422) => Load::Failed(failure.said()),
                Err(failure) => Load::Failed(failure.message),
            }));
        });
    };
    let submit = {
        let run = run.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            run();
        }
    };
    let clear = move |_| {
        for field in [state.tenant, state.number, state.email, state.phone, state.payment_id] {
            field.set(String::new());
        }
        state.results.set(None);
        error.set(None);
    };
    let field = move |label: &'static str,
                      testid: &'static str,
                      kind: &'static str,
                      hint: &'static str,
                      value: RwSignal<String>| {
        view! {
            <label class="field">
                <span class="label">{label}</span>
                <input
                    class="input"
                    type=kind
                    autocomplete="off"
                    spellcheck="false"
                    data-testid=testid
                    bind:value=value
                />
                {(!hint.is_empty()).then(|| view! { <span class="hint">{hint}</span> })}
            </label>
        }
    };

    view! {
        <Panel heading_id="orders-heading" heading="Orders">
            <form class="panel-body search-form" role="search" on:submit=submit novalidate>
                <div class="form-grid">
                    <div class="field">
                        <label class="label" for="order-store">"Store"</label>
                        <StorePicker value=state.tenant any_label="Any store" testid="order-store" id="order-store" />
                    </div>
                    {field("Order number", "order-number", "text", "Needs its store: numbers are per store.", state.number)}
                    {field("Shopper’s email", "order-email", "email", "", state.email)}
                    {field("Shopper’s phone", "order-phone", "tel", "At least its last 4 digits.", state.phone)}
                    {field("Payment id", "order-payment-id", "text", "Razorpay’s id, e.g. pay_…", state.payment_id)}
                </div>
                {move || error.get().map(|message| view! {
                    <p class="form-error" role="alert" data-testid="order-search-error">{message}</p>
                })}
                <div class="form-row">
                    <button type="submit" class="button" data-testid="order-search">"Find orders"</button>
                    <button type="button" class="button button-secondary" data-testid="order-search-clear" on:click=clear>
                        "Clear"
                    </button>
                </div>
            </form>
            {move || match state.results.get() {
                None => view! {
                    <EmptyState
                        title="Find an order"
                        detail="Fill in what the merchant or shopper told you: the store with its order number, an email, a phone number or a payment id."
                    />
                }
                .into_any(),
                Some(Load::Loading | Load::Missing) => {
                    view! { <LoadingState label="Finding orders…" /> }.into_any()
                }
                Some(Load::Failed(message)) => {
                    let run = run.clone();
                    view! { <ErrorState title="The orders could not be found." message on_retry=move || run() /> }
                        .into_any()
                }
                Some(Load::Ready(hits)) if hits.is_empty() => view! {
                    <EmptyState title="No orders match" detail="Check the details, or try another field." />
                }
                .into_any(),
                Some(Load::Ready(hits)) => {
                    let shown = crate::format::count(hits.len() as i64, "order", "orders");
                    view! {
                        <p class="summary" data-testid="order-count">{format!("{shown}, newest first")}</p>
                        <OrderHits hits=hits.to_vec() show_store=true />
                    }
                    .into_any()
                }
            }}
        </Panel>
    }
}

/// One order in full.
#[component]
pub fn OrderPage(
    /// The order's id.
    id: String,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let load = RwSignal::new(Load::<AdminOrderDetail>::Loading);
    let outcome = RwSignal::new(None::<Outcome>);

    let fetch = {
        let (api, id) = (api.clone(), id.clone());
        Callback::new(move |quiet: bool| {
            // A refresh after a refund keeps the order on screen.
            if !quiet {
                load.set(Load::Loading);
            }
            let (api, id) = (api.clone(), id.clone());
            spawn_local(async move {
                let answer = api.order(&id).await;
                if load.is_disposed() || answer.as_ref().is_err_and(Failure::is_unauthorized) {
                    return;
                }
                match answer {
                    Err(failure) if quiet => outcome.set(Some(Outcome::Failed(
                        "The order could not be reloaded.",
                        failure.message,
                    ))),
                    answer => load.set(Load::of(answer)),
                }
            });
        })
    };
    fetch.run(false);

    view! {
        <p class="breadcrumb">
            <a href=Route::Orders(None).href() data-testid="back-to-orders">"← Orders"</a>
        </p>
        {move || match load.get() {
            Load::Loading => view! {
                <section class="panel">
                    <LoadingState label="Loading the order…" />
                </section>
            }
            .into_any(),
            Load::Missing => view! {
                <section class="panel">
                    <EmptyState title="This order does not exist" detail="The link may be wrong.">
                        <a class="button button-secondary" href=Route::Orders(None).href()>"Back to the search"</a>
                    </EmptyState>
                </section>
            }
            .into_any(),
            Load::Failed(message) => view! {
                <section class="panel">
                    <ErrorState title="The order could not be loaded." message on_retry=move || fetch.run(false) />
                </section>
            }
            .into_any(),
            Load::Ready(detail) => view! { <OrderDetailView detail outcome reload=fetch /> }.into_any(),
        }}
    }
}

/// An order's facts, items, address, timeline and webhooks, with the refund form for admins.
#[component]
fn OrderDetailView(
    detail: AdminOrderDetail,
    outcome: RwSignal<Option<Outcome>>,
    /// Loads the order again (quietly: `true`).
    reload: Callback<bool>,
) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let AdminOrderDetail {
        hit,
        order,
        timeline: events,
        webhooks,
    } = detail;
    let store_href = Route::Tenant(hit.tenant_id.to_string()).href();
    let payment_id = order
        .payment_id
        .clone()
        .filter(|id| !id.trim().is_empty());
    let refundable = may_refund(&order).then(|| refund_left(&order));
    let refunded = (order.refunded.amount_minor > 0).then(|| {
        format!(
            "{} of {}",
            money_of(order.refunded),
            money_of(order.total)
        )
    });
    let lines = order
        .lines
        .iter()
        .map(|line| {
            let total = line
                .unit_price
                .checked_mul(line.quantity)
                .map_or_else(|| NOTHING.to_owned(), money_of);
            view! {
                <tr data-testid="order-line">
                    <td class="cell-title">{line.title.clone()}</td>
                    <td><code class="chip">{line.sku.clone()}</code></td>
                    <td class="num">{money_of(line.unit_price)}</td>
                    <td class="num">{line.quantity}</td>
                    <td class="num">{total}</td>
                </tr>
            }
        })
        .collect_view();
    let address = address_lines(&order.shipping)
        .into_iter()
        .map(|line| view! { <span>{line}</span> })
        .collect_view();
    let events = timeline(&events);
    let timeline_view = if events.is_empty() {
        view! { <p class="summary">"Nothing has happened to this order yet."</p> }.into_any()
    } else {
        let items = events
            .into_iter()
            .map(|event| {
                let kind = event.kind.as_str();
                view! {
                    <li class=format!("timeline-event timeline-{kind}") data-testid="timeline-event" data-kind=kind>
                        <time class="timeline-when" datetime=iso_time(event.at_ms)>{local_time(event.at_ms)}</time>
                        <span class="timeline-who">{actor_label(&event.actor)}</span>
                        <span class="timeline-what">{event.message}</span>
                    </li>
                }
            })
            .collect_view();
        view! { <ol class="timeline" data-testid="order-timeline">{items}</ol> }.into_any()
    };
    let webhooks_view = if webhooks.is_empty() {
        view! { <EmptyState title="No webhooks" detail="No payment webhooks arrived for this store around the order’s time." /> }
            .into_any()
    } else {
        view! { <WebhookTable webhooks /> }.into_any()
    };
    let number = order.number;
    let order_id = order.id.to_string();
    let refund_form = move || {
        let left = refundable?;
        can_refund(auth.role()).then(|| {
            view! { <RefundForm id=order_id.clone() number left outcome reload /> }
        })
    };

    view! {
        <Panel heading_id="order-heading" heading=format!("Order #{}", order.number)>
            <div class="panel-body">
                <OutcomeBanner outcome />
                {order.oversold.then(|| view! {
                    <p class="banner banner-warning" data-testid="order-oversold">
                        "Paid after its stock hold ran out, when the stock was already gone."
                    </p>
                })}
                <dl class="facts" data-testid="order-facts">
                    <div>
                        <dt>"Store"</dt>
                        <dd><a href=store_href data-testid="order-store">{hit.tenant_slug.clone()}</a></dd>
                    </div>
                    <div>
                        <dt>"Status"</dt>
                        <dd data-testid="order-status">{order_badge(order.status.as_str())}</dd>
                    </div>
                    <div>
                        <dt>"Placed"</dt>
                        <dd>{local_time(order.created_at_ms)}</dd>
                    </div>
                    <div>
                        <dt>"Total"</dt>
                        <dd data-testid="order-total-fact">{money_of(order.total)}</dd>
                    </div>
                    <div>
                        <dt>"Payment"</dt>
                        <dd>
                            {payment_method_label(order.payment_method)}
                            " "
                            {match payment_id {
                                Some(id) => view! { <code class="chip" data-testid="order-payment-id">{id}</code> }.into_any(),
                                None => view! { <span class="muted">"no payment id"</span> }.into_any(),
                            }}
                        </dd>
                    </div>
                    <div>
                        <dt>"Paid"</dt>
                        <dd>{order.paid_at_ms.map_or_else(|| "Not yet".to_owned(), local_time)}</dd>
                    </div>
                    <div>
                        <dt>"Shopper"</dt>
                        <dd>{order.email.clone()}</dd>
                    </div>
                    <div>
                        <dt>"Phone"</dt>
                        <dd>{hit.phone.clone().unwrap_or_else(|| order.shipping.phone.clone())}</dd>
                    </div>
                    <div>
                        <dt>"Refunded"</dt>
                        <dd data-testid="order-refunded">{refunded.unwrap_or_else(|| "Nothing".to_owned())}</dd>
                    </div>
                    <div>
                        <dt>"Shipped"</dt>
                        <dd>
                            {order.fulfilled_at_ms.map_or_else(|| "Not yet".to_owned(), local_time)}
                            {order.tracking.clone().map(|t| format!(" · {} {}", t.carrier, t.number))}
                        </dd>
                    </div>
                </dl>
                {refund_form}
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
                            <td class="num" data-testid="order-total">{money_of(order.total)}</td>
                        </tr>
                        {(order.refunded.amount_minor > 0).then(|| view! {
                            <tr>
                                <th scope="row" colspan="4">"Refunded"</th>
                                <td class="num">{format!("−{}", money_of(order.refunded))}</td>
                            </tr>
                        })}
                    </tfoot>
                </table>
            </div>
        </Panel>
        <div class="two-columns">
            <Panel heading_id="order-shipping-heading" heading="Shipping address">
                <div class="panel-body">
                    <address class="order-address" data-testid="order-shipping">{address}</address>
                </div>
            </Panel>
            <Panel heading_id="order-timeline-heading" heading="Timeline">{timeline_view}</Panel>
        </div>
        <Panel heading_id="order-webhooks-heading" heading="Payment webhooks">{webhooks_view}</Panel>
    }
}

/// The webhooks around an order.
#[component]
fn WebhookTable(webhooks: Vec<WebhookReceipt>) -> impl IntoView {
    let rows = webhooks
        .into_iter()
        .map(|webhook| {
            view! {
                <tr data-testid="webhook-row">
                    <td>{crate::format::capitalise(&webhook.provider)}</td>
                    <td><code>{webhook.event}</code></td>
                    <td class="cell-id"><code class="handle">{webhook.event_id}</code></td>
                    <td class="cell-date">
                        <time datetime=iso_time(webhook.received_at_ms)>{local_time(webhook.received_at_ms)}</time>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid="webhook-table">
                <thead>
                    <tr>
                        <th scope="col">"Provider"</th>
                        <th scope="col">"Event"</th>
                        <th scope="col">"Event id"</th>
                        <th scope="col">"Received"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// An admin's refund: the amount (what is left to begin with), the reason and Refund, after a
/// confirmation.
#[component]
fn RefundForm(
    id: String,
    number: i64,
    left: Money,
    outcome: RwSignal<Option<Outcome>>,
    reload: Callback<bool>,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let amount = RwSignal::new(amount_text(left.amount_minor));
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let keys = StoredValue::new(RefundKeys::default());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let minor = match parse_amount(&amount.get_untracked(), left) {
            Ok(minor) => minor,
            Err(problem) => return error.set(Some(problem)),
        };
        let why = reason.get_untracked().trim().to_owned();
        if why.is_empty() {
            return error.set(Some("Write why: it is kept in the audit log.".to_owned()));
        }
        if why.chars().count() > REASON_MAX {
            return error.set(Some(format!("Keep the reason to {REASON_MAX} characters.")));
        }
        let refund = Money::new(minor, left.currency);
        if !window()
            .confirm_with_message(&refund_question(number, refund))
            .unwrap_or(false)
        {
            return;
        }
        error.set(None);
        busy.set(true);
        let fresh = || refund_key(random_bytes());
        let key = keys
            .try_update_value(|keys| keys.key_for(minor, fresh))
            .unwrap_or_else(fresh);
        let (api, id) = (api.clone(), id.clone());
        spawn_local(async move {
            let answer = api.refund(&id, minor, &why, &key).await;
            keys.try_update_value(|keys| {
                keys.finish(answer.as_ref().map_or_else(|failure| failure.status, |_| Some(200)));
            });
            if busy.is_disposed() {
                return;
            }
            busy.set(false);
            match answer {
                Ok(answer) => {
                    outcome.set(Some(refund_outcome(number, refund, &answer)));
                    reload.run(true);
                }
                Err(failure) if failure.is_unauthorized() => {}
                Err(failure) => {
                    let mut why = failure.said();
                    if !is_settled(failure.status) {
                        why.push_str(" Trying the same amount again is safe: the shopper is paid back once.");
                    }
                    outcome.set(Some(Outcome::Failed("The refund did not go through.", why)));
                }
            }
        });
    };
    let currency = left.currency.as_str().to_owned();
    view! {
        <form class="refund" data-testid="refund-form" on:submit=submit novalidate>
            <p class="status-form-title">"Refund"</p>
            <p class="muted">
                {format!("Up to {} is left to refund. The money goes back the way the shopper paid.", money_of(left))}
            </p>
            <div class="form-grid">
                <label class="field">
                    <span class="label">{format!("Amount ({currency})")}</span>
                    <input
                        class="input num"
                        inputmode="decimal"
                        data-testid="refund-amount"
                        bind:value=amount
                    />
                </label>
                <label class="field">
                    <span class="label">"Reason (kept in the audit log)"</span>
                    <input class="input" data-testid="refund-reason" bind:value=reason />
                </label>
            </div>
            {move || error.get().map(|message| view! {
                <p class="form-error" role="alert" data-testid="refund-error">{message}</p>
            })}
            <div class="form-row">
                <button
                    type="submit"
                    class="button button-danger"
                    data-testid="order-refund"
                    disabled=move || busy.get()
                >
                    {move || if busy.get() { "Refunding…" } else { "Refund" }}
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order(status: &str, payment_id: Option<&str>, total: i64, refunded: i64) -> Order {
        serde_json::from_value(json!({
            "id": "00000000-0000-0000-0000-000000000001",
            "number": 1042,
            "checkout_id": "00000000-0000-0000-0000-000000000002",
            "status": status,
            "payment_method": if payment_id.is_some() { "razorpay" } else { "cash_on_delivery" },
            "payment_id": payment_id,
            "lines": [],
            "total": {"amount_minor": total, "currency": "INR"},
            "refunded": {"amount_minor": refunded, "currency": "INR"},
            "email": "asha@example.in",
            "shipping": {
                "name": "Asha Rao", "line1": "12 MG Road", "line2": " ", "city": "Bengaluru",
                "state": "Karnataka", "postal_code": "560001", "country": "IN", "phone": "+91 98450 12345"
            },
            "created_at_ms": 0
        }))
        .unwrap()
    }

    #[test]
    fn paid_online_orders_with_something_left_may_be_refunded() {
        assert!(may_refund(&order("paid", Some("pay_1"), 1000, 0)));
        assert!(may_refund(&order("fulfilled", Some("pay_1"), 1000, 0)));
        assert!(may_refund(&order("partially_refunded", Some("pay_1"), 1000, 400)));
        assert!(!may_refund(&order("refunded", Some("pay_1"), 1000, 1000)));
        assert!(!may_refund(&order("cancelled", Some("pay_1"), 1000, 0)));
        assert!(!may_refund(&order("paid", None, 1000, 0)));
        assert!(!may_refund(&order("pending_payment", None, 1000, 0)));
        assert_eq!(
            refund_left(&order("partially_refunded", Some("pay_1"), 1000, 400)).amount_minor,
            600
        );
    }

    #[test]
    fn a_refund_is_asked_with_its_amount() {
        let amount = Money::new(50_000, zelly_edge::Currency::INR);
        assert_eq!(
            refund_question(1042, amount),
            "Refund ₹500.00 of order #1042 to the shopper? This cannot be undone."
        );
    }

    #[test]
    fn a_refund_keeps_its_key_until_it_is_answered() {
        let mut keys = RefundKeys::default();
        let first = keys.key_for(500, || "k1".into());
        assert_eq!(first, "k1");
        keys.finish(None);
        assert_eq!(keys.key_for(500, || "k2".into()), "k1", "a lost answer is retried with its key");
        keys.finish(Some(503));
        assert_eq!(keys.key_for(400, || "k3".into()), "k3", "another amount is another refund");
        keys.finish(Some(200));
        assert_eq!(keys.key_for(400, || "k4".into()), "k4", "a done refund is over");
        keys.finish(Some(422));
        assert_eq!(keys.key_for(400, || "k5".into()), "k5", "a refused refund is over");
        keys.finish(Some(503));
        assert_eq!(keys.key_for(400, || "k6".into()), "k6", "payments not set up: nothing was done");
        assert!(!is_settled(Some(502)));
        assert!(!is_settled(None));
    }

    #[test]
    fn refund_keys_are_short_and_plain() {
        let key = refund_key([0xab; 16]);
        assert_eq!(key, format!("staff-refund-{}", "ab".repeat(16)));
        assert!(key.len() <= REFUND_KEY_MAX);
        assert!(key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    }

    #[test]
    fn a_refund_on_its_way_says_what_happens_next() {
        let amount = Money::new(50_000, zelly_edge::Currency::INR);
        let answer = |state: &str, message: &str| {
            json!({"id": "00000000-0000-0000-0000-000000000009", "amount_minor": 50_000, "state": state, "message": message})
        };
        assert_eq!(
            refund_outcome(1042, amount, &answer("pending", "Recorded. Razorpay is asked within two minutes")),
            Outcome::Done(
                "Refund of ₹500.00 for order #1042: Recorded. Razorpay is asked within two minutes.".to_owned()
            )
        );
        assert_eq!(
            refund_outcome(1042, amount, &answer("succeeded", "Razorpay has refunded this.")),
            Outcome::Done("Refunded ₹500.00 of order #1042 to the shopper.".to_owned())
        );
        assert_eq!(
            refund_outcome(1042, amount, &answer("failed", "Razorpay refused this refund; start a new one.")),
            Outcome::Failed(
                "The refund did not go through.",
                "Razorpay refused this refund; start a new one.".to_owned()
            )
        );
        assert_eq!(
            refund_outcome(1042, amount, &json!({"number": 1042, "status": "refunded"})),
            Outcome::Done("Refunded ₹500.00 of order #1042 to the shopper.".to_owned())
        );
    }

    #[test]
    fn the_search_checks_its_fields_first() {
        assert_eq!(
            search_query("t", "#12", "", "", ""),
            Ok(OrderQuery {
                tenant: "t".into(),
                number: Some(12),
                ..OrderQuery::default()
            })
        );
        assert!(search_query("", "", "", "", "").is_err());
        assert!(search_query("t", "12x", "", "", "").unwrap_err().contains("digits"));
        assert_eq!(
            search_query("", "", " asha@example.in ", "", "").map(|q| q.email),
            Ok("asha@example.in".to_owned())
        );
    }

    #[test]
    fn an_address_reads_as_a_label() {
        assert_eq!(
            address_lines(&order("paid", None, 0, 0).shipping),
            [
                "Asha Rao",
                "12 MG Road",
                "Bengaluru, Karnataka 560001",
                "IN",
                "Phone: +91 98450 12345"
            ]
        );
    }

    #[test]
    fn the_timeline_is_oldest_first() {
        let event = |at_ms: i64, message: &str| -> OrderEvent {
            serde_json::from_value(json!({"at_ms": at_ms, "actor": "shopper", "kind": "placed", "message": message}))
                .unwrap()
        };
        let sorted = timeline(&[event(3, "c"), event(1, "a"), event(3, "d"), event(2, "b")]);
        let messages: Vec<&str> = sorted.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages, ["a", "b", "c", "d"]);
    }
}
