//! Checkouts and orders on both backends: prices from the catalog, stock held and never oversold,
//! one order per payment however many times and however concurrently it is confirmed, and
//! statuses that only move forward.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;
use zelly_edge::catalog::{ProductInput, SellerProduct};
use zelly_edge::orders::{CheckoutInput, OrderStatus, PaymentConfirmation, PaymentMethod, RESERVATION_MS};
use zelly_edge::TenantSlug;
use zelly_store::{DynStore, NewTenant, OrderQuery, StoreError};

zelly_store::on_both_backends!(
    a_checkout_prices_lines_from_the_catalog_and_holds_their_stock,
    a_payment_confirmed_again_and_again_is_one_order_and_one_decrement,
    a_callback_and_a_webhook_racing_make_one_order,
    twenty_buyers_for_five_units_make_five_orders,
    expired_holds_free_their_stock,
    order_statuses_only_move_forward_and_stores_see_only_their_own,
    cash_on_delivery_is_placed_unpaid,
    refunds_count_once_and_move_the_order_forward,
    checkouts_and_orders_leave_their_analytics_events_in_the_outbox_once,
    a_form_submitted_twice_starts_one_checkout,
    a_checkout_key_reused_for_another_cart_is_refused,
    the_hold_lasts_as_long_as_asked,
    ten_concurrent_refunds_of_one_intent_refund_once,
    concurrent_refunds_of_different_intents_never_exceed_what_was_paid,
    a_refused_refund_frees_its_share_and_a_webhook_completes_a_pending_one,
    cancelling_an_unshipped_order_restocks_it_and_a_shipped_one_cannot_be_cancelled,
    a_partly_refunded_order_can_still_be_fulfilled_once,
    the_timeline_says_who_did_what_and_when,
    cash_collected_after_shipping_is_recorded_and_the_order_stays_fulfilled,
    a_checkout_started_signed_in_makes_an_order_of_that_customer,
    a_redacted_shopper_leaves_the_sale_but_not_the_person,
    a_shops_currency_is_taken_only_while_the_store_has_no_orders,
);

const NOW: i64 = 1_800_000_000_000;

async fn tenant(store: &DynStore, slug: &str) -> Uuid {
    store.create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: slug.into() }).await.unwrap().id
}

/// A lamp in two sizes: S (₹999, `stock` units) and M (₹1,299, untracked).
async fn lamp(store: &DynStore, tenant: Uuid, stock: i64) -> SellerProduct {
    let input: ProductInput = serde_json::from_value(json!({
        "handle": "lamp",
        "title": "Lamp",
        "status": "active",
        "option_names": ["Size"],
        "variants": [
            { "sku": "LAMP-S", "options": ["S"], "price_minor": 99_900, "inventory_quantity": stock },
            { "sku": "LAMP-M", "options": ["M"], "price_minor": 129_900, "track_inventory": false },
        ],
    }))
    .unwrap();
    store.create_seller_product(tenant, &input).await.unwrap()
}

fn checkout(lines: &[(Uuid, u32)], method: PaymentMethod) -> CheckoutInput {
    zelly_store::testing::checkout_input(lines, method)
}

/// A paid order of `units` small lamps (₹999 each) from a store with `stock` of them.
async fn paid_order(store: &DynStore, t: Uuid, stock: i64, units: u32, payment_id: &str) -> (SellerProduct, zelly_edge::orders::Order) {
    let lamp = lamp(store, t, stock).await;
    let c = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, units)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    let order = store.finalize_checkout(t, c.id, &paid(payment_id, c.total.amount_minor), NOW).await.unwrap().order;
    (lamp, order)
}

fn paid(payment_id: &str, amount_minor: i64) -> PaymentConfirmation {
    PaymentConfirmation { payment_id: Some(payment_id.into()), amount_minor }
}

async fn stock(store: &DynStore, tenant: Uuid, product: Uuid) -> i64 {
    store.seller_product(tenant, product).await.unwrap().unwrap().variants[0].inventory_quantity
}

async fn a_checkout_prices_lines_from_the_catalog_and_holds_their_stock(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let lamp = lamp(&store, t, 3).await;
    let (s, m) = (lamp.variants[0].id, lamp.variants[1].id);
    let c = store.create_checkout(t, &checkout(&[(s, 2), (m, 5)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    assert_eq!(c.total.amount_minor, 2 * 99_900 + 5 * 129_900, "prices come from the catalog");
    assert_eq!(c.lines[0].title, "Lamp / S");
    assert_eq!(c.expires_at_ms, NOW + RESERVATION_MS);
    // Two of three are held: a second shopper cannot have two more, but can have one.
    let Err(StoreError::Refused(why)) = store.create_checkout(t, &checkout(&[(s, 2)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await else { panic!() };
    assert_eq!(why, "Only 1 left of Lamp — S");
    store.create_checkout(t, &checkout(&[(s, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    let Err(StoreError::Refused(why)) = store.create_checkout(t, &checkout(&[(s, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await else { panic!() };
    assert!(why.contains("sold out"), "{why}");
    // Untracked stock is never short; a variant the store does not sell is named.
    store.create_checkout(t, &checkout(&[(m, 99)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    let Err(StoreError::Invalid(why)) = store.create_checkout(t, &checkout(&[(m, 1), (Uuid::new_v4(), 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await else { panic!() };
    assert!(why.contains("lines[1].variant_id"), "{why}");
    assert_eq!(stock(&store, t, lamp.id).await, 3, "holding is not selling");
}

async fn a_payment_confirmed_again_and_again_is_one_order_and_one_decrement(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let lamp = lamp(&store, t, 5).await;
    let c = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 2)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    let first = store.finalize_checkout(t, c.id, &paid("pay_1", c.total.amount_minor), NOW).await.unwrap();
    assert!(first.created);
    assert_eq!((first.order.number, first.order.status), (1, OrderStatus::Paid));
    for _ in 0..3 {
        let again = store.finalize_checkout(t, c.id, &paid("pay_1", c.total.amount_minor), NOW).await.unwrap();
        assert_eq!((again.created, again.order.id), (false, first.order.id));
    }
    assert_eq!(stock(&store, t, lamp.id).await, 3);
    let trail = store.inventory_history(t, lamp.variants[0].id).await.unwrap().unwrap();
    assert_eq!(trail.iter().filter(|a| a.reason == "order #1").count(), 1);
    // The wrong amount, or the same payment for another checkout, makes no order.
    let other = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    assert!(matches!(store.finalize_checkout(t, other.id, &paid("pay_2", 1), NOW).await, Err(StoreError::Invalid(_))));
    assert!(matches!(store.finalize_checkout(t, other.id, &paid("pay_1", other.total.amount_minor), NOW).await, Err(StoreError::Refused(_))));
    assert!(matches!(store.finalize_checkout(t, other.id, &PaymentConfirmation { payment_id: None, amount_minor: other.total.amount_minor }, NOW).await, Err(StoreError::Invalid(_))));
    assert_eq!(store.orders(t, &OrderQuery { limit: 50, ..OrderQuery::default() }).await.unwrap().len(), 1);
    let second = store.finalize_checkout(t, other.id, &paid("pay_2", other.total.amount_minor), NOW).await.unwrap();
    assert_eq!(second.order.number, 2, "order numbers run on per store");
}

async fn a_callback_and_a_webhook_racing_make_one_order(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let lamp = lamp(&store, t, 100).await;
    for round in 0..10 {
        let c = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
        let payment = paid(&format!("pay_race_{round}"), c.total.amount_minor);
        let racers: Vec<_> = (0..4)
            .map(|_| {
                let (store, payment) = (Arc::clone(&store), payment.clone());
                tokio::spawn(async move { store.finalize_checkout(t, c.id, &payment, NOW).await })
            })
            .collect();
        let mut created = 0;
        let mut ids = Vec::new();
        for racer in racers {
            let done = racer.await.unwrap().unwrap();
            created += usize::from(done.created);
            ids.push(done.order.id);
        }
        assert_eq!(created, 1, "round {round}: exactly one racer created the order");
        assert!(ids.iter().all(|id| *id == ids[0]), "round {round}: every racer got the same order");
    }
    assert_eq!(stock(&store, t, lamp.id).await, 90, "one unit per order, once");
    assert_eq!(store.orders(t, &OrderQuery { limit: 50, ..OrderQuery::default() }).await.unwrap().len(), 10);
}

async fn twenty_buyers_for_five_units_make_five_orders(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let lamp = lamp(&store, t, 5).await;
    let variant = lamp.variants[0].id;
    let buyers: Vec<_> = (0..20)
        .map(|n| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let c = store.create_checkout(t, &checkout(&[(variant, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await?;
                store.finalize_checkout(t, c.id, &paid(&format!("pay_buyer_{n}"), c.total.amount_minor), NOW).await
            })
        })
        .collect();
    let mut orders = 0;
    for buyer in buyers {
        match buyer.await.unwrap() {
            Ok(done) => orders += usize::from(done.created),
            Err(StoreError::Refused(why)) => assert!(why.contains("sold out") || why.contains("left"), "{why}"),
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(orders, 5);
    assert_eq!(stock(&store, t, lamp.id).await, 0);
}

async fn expired_holds_free_their_stock(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let lamp = lamp(&store, t, 1).await;
    let variant = lamp.variants[0].id;
    let slow = store.create_checkout(t, &checkout(&[(variant, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    assert!(store.create_checkout(t, &checkout(&[(variant, 1)], PaymentMethod::Razorpay), NOW + 1_000, RESERVATION_MS).await.is_err());
    // The first shopper did not pay in time: once the hold expires, the unit is for sale again.
    let later = NOW + RESERVATION_MS + 1;
    let c = store.create_checkout(t, &checkout(&[(variant, 1)], PaymentMethod::Razorpay), later, RESERVATION_MS).await.unwrap();
    let order = store.finalize_checkout(t, c.id, &paid("pay_in_time", c.total.amount_minor), later).await.unwrap().order;
    assert!(!order.oversold);
    assert_eq!(stock(&store, t, lamp.id).await, 0);
    // Then the first shopper's payment arrives after all: the money was taken, so the order
    // stands, flagged for the merchant, and the shelf shows the shortfall.
    let late = store.finalize_checkout(t, slow.id, &paid("pay_late", slow.total.amount_minor), later + 1).await.unwrap().order;
    assert!(late.oversold);
    assert_eq!(stock(&store, t, lamp.id).await, -1);
    let listed = store.orders(t, &OrderQuery { limit: 50, ..OrderQuery::default() }).await.unwrap();
    assert_eq!(listed.iter().map(|o| o.oversold).collect::<Vec<_>>(), [true, false], "newest first, flag kept");
}

async fn order_statuses_only_move_forward_and_stores_see_only_their_own(store: DynStore) {
    let (a, b) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    let lamp = lamp(&store, a, 5).await;
    let c = store.create_checkout(a, &checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    let order = store.finalize_checkout(a, c.id, &paid("pay_a", c.total.amount_minor), NOW).await.unwrap().order;
    // Another store sees nothing of it and cannot touch it.
    assert!(store.order(b, order.id).await.unwrap().is_none());
    assert!(store.checkout(b, c.id).await.unwrap().is_none());
    assert!(matches!(store.finalize_checkout(b, c.id, &paid("pay_b", c.total.amount_minor), NOW).await, Err(StoreError::NotFound)));
    assert!(matches!(store.set_order_status(b, order.id, OrderStatus::Fulfilled, None, "owner@acme.in", NOW).await, Err(StoreError::NotFound)));
    assert!(store.create_checkout(b, &checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.is_err());
    assert!(store.orders(b, &OrderQuery { limit: 50, ..OrderQuery::default() }).await.unwrap().is_empty());

    // Tracking goes only with a fulfilment, and must be readable.
    let tracking = zelly_edge::orders::Tracking { carrier: "Delhivery".into(), number: "DL123456789IN".into() };
    assert!(matches!(store.set_order_status(a, order.id, OrderStatus::Cancelled, Some(&tracking), "owner@acme.in", NOW).await, Err(StoreError::Invalid(_))));
    let blank = zelly_edge::orders::Tracking { carrier: " ".into(), number: "X".into() };
    assert!(matches!(store.set_order_status(a, order.id, OrderStatus::Fulfilled, Some(&blank), "owner@acme.in", NOW).await, Err(StoreError::Invalid(_))));
    let fulfilled = store.set_order_status(a, order.id, OrderStatus::Fulfilled, Some(&tracking), "owner@acme.in", NOW + 1).await.unwrap();
    assert_eq!((fulfilled.status, fulfilled.tracking.as_ref()), (OrderStatus::Fulfilled, Some(&tracking)));
    let Err(StoreError::Refused(why)) = store.set_order_status(a, order.id, OrderStatus::Paid, None, "owner@acme.in", NOW + 2).await else { panic!() };
    assert!(why.contains("fulfilled") && why.contains("paid"), "{why}");
    store.set_order_status(a, order.id, OrderStatus::Refunded, None, "owner@acme.in", NOW + 3).await.unwrap();
    assert!(store.set_order_status(a, order.id, OrderStatus::Fulfilled, None, "owner@acme.in", NOW + 4).await.is_err());
    let refunded = store.order(a, order.id).await.unwrap().unwrap();
    assert_eq!((refunded.status, refunded.tracking), (OrderStatus::Refunded, Some(tracking)), "the tracking stays");
    // Filters: by status, number and email.
    let by = |status, text: Option<&str>| OrderQuery { status, text: text.map(Into::into), limit: 50, ..OrderQuery::default() };
    assert_eq!(store.orders(a, &by(Some(OrderStatus::Refunded), None)).await.unwrap().len(), 1);
    assert!(store.orders(a, &by(Some(OrderStatus::Paid), None)).await.unwrap().is_empty());
    assert_eq!(store.orders(a, &by(None, Some("#1"))).await.unwrap().len(), 1);
    assert_eq!(store.orders(a, &by(None, Some("ASHA@"))).await.unwrap().len(), 1);
    assert!(store.orders(a, &by(None, Some("nobody"))).await.unwrap().is_empty());
}

async fn cash_on_delivery_is_placed_unpaid(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let lamp = lamp(&store, t, 2).await;
    // Only where the merchant offers it.
    let Err(StoreError::Invalid(why)) = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 2)], PaymentMethod::CashOnDelivery), NOW, RESERVATION_MS).await else { panic!() };
    assert!(why.contains("cash on delivery"), "{why}");
    let offer = zelly_edge::catalog::StoreSettingsInput { name: "acme".into(), logo_url: None, accent_color: None, featured_collection: None, cash_on_delivery: true };
    store.update_store_settings(t, &offer).await.unwrap();
    assert!(store.cash_on_delivery(t).await.unwrap());
    let c = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 2)], PaymentMethod::CashOnDelivery), NOW, RESERVATION_MS).await.unwrap();
    let placed = PaymentConfirmation { payment_id: None, amount_minor: c.total.amount_minor };
    let order = store.finalize_checkout(t, c.id, &placed, NOW).await.unwrap().order;
    assert_eq!((order.status, order.payment_method), (OrderStatus::PendingPayment, PaymentMethod::CashOnDelivery));
    assert_eq!(stock(&store, t, lamp.id).await, 0, "its stock is gone with the order");
    assert!(!store.finalize_checkout(t, c.id, &placed, NOW).await.unwrap().created);
    // A cash-on-delivery checkout left past its hold is not placed: its stock was released.
    let restock = zelly_edge::catalog::InventoryAdjustmentInput { delta: 1, reason: "returned".into() };
    store.adjust_inventory(t, lamp.variants[0].id, &restock, "uid-1").await.unwrap();
    let late = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::CashOnDelivery), NOW, RESERVATION_MS).await.unwrap();
    let placed = PaymentConfirmation { payment_id: None, amount_minor: late.total.amount_minor };
    let Err(StoreError::Refused(why)) = store.finalize_checkout(t, late.id, &placed, NOW + RESERVATION_MS).await else { panic!() };
    assert!(why.contains("expired"), "{why}");
    assert_eq!(stock(&store, t, lamp.id).await, 1, "nothing left the shelf");
}

async fn refunds_count_once_and_move_the_order_forward(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let lamp = lamp(&store, t, 5).await;
    let c = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 2)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    let order = store.finalize_checkout(t, c.id, &paid("pay_r", c.total.amount_minor), NOW).await.unwrap().order;
    assert_eq!(store.order_by_payment(t, "pay_r").await.unwrap().unwrap().id, order.id);
    let part = store.record_refund(t, order.id, "rfnd_1", 50_000, None, NOW).await.unwrap();
    assert_eq!((part.status, part.refunded.amount_minor), (OrderStatus::PartiallyRefunded, 50_000));
    // The same refund reported again changes nothing.
    let again = store.record_refund(t, order.id, "rfnd_1", 50_000, None, NOW).await.unwrap();
    assert_eq!((again.status, again.refunded.amount_minor), (OrderStatus::PartiallyRefunded, 50_000));
    assert!(matches!(store.record_refund(t, order.id, "rfnd_2", c.total.amount_minor, None, NOW).await, Err(StoreError::Invalid(_))), "more than is left");
    let rest = store.record_refund(t, order.id, "rfnd_3", c.total.amount_minor - 50_000, None, NOW).await.unwrap();
    assert_eq!((rest.status, rest.refunded.amount_minor), (OrderStatus::Refunded, c.total.amount_minor));
    // A late payment confirmation never takes it back to paid.
    let late = store.finalize_checkout(t, c.id, &paid("pay_r", c.total.amount_minor), NOW).await.unwrap();
    assert_eq!((late.created, late.order.status), (false, OrderStatus::Refunded));
    // Webhook receipts are per store.
    assert!(!store.webhook_seen(t, "razorpay", "evt_1").await.unwrap());
    store.record_webhook(t, "razorpay", "evt_1", "refund.processed", NOW).await.unwrap();
    store.record_webhook(t, "razorpay", "evt_1", "refund.processed", NOW).await.unwrap();
    assert!(store.webhook_seen(t, "razorpay", "evt_1").await.unwrap());
    let other = tenant(&store, "bolt").await;
    assert!(!store.webhook_seen(other, "razorpay", "evt_1").await.unwrap());
    assert!(store.order_by_payment(other, "pay_r").await.unwrap().is_none());
}

async fn checkouts_and_orders_leave_their_analytics_events_in_the_outbox_once(store: DynStore) {
    let (a, b) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    let lamp = lamp(&store, a, 5).await;
    let c = store.create_checkout(a, &checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    let started = store.outbox(100).await.unwrap();
    assert_eq!(started.len(), 1);
    assert_eq!((started[0].event.kind, started[0].event.session_id.as_str()), (zelly_edge::events::EventKind::CheckoutStarted, "visit-42"));
    store.outbox_published(&[started[0].event_id]).await.unwrap();
    let order = store.finalize_checkout(a, c.id, &paid("pay_o", c.total.amount_minor), NOW).await.unwrap().order;
    store.finalize_checkout(a, c.id, &paid("pay_o", c.total.amount_minor), NOW).await.unwrap();
    let pending = store.outbox(100).await.unwrap();
    assert_eq!(pending.len(), 1, "one event, however often the payment is confirmed");
    let event = &pending[0];
    assert_eq!((event.tenant_id, event.event.kind), (a, zelly_edge::events::EventKind::OrderPlaced));
    assert_eq!(event.event.session_id, "visit-42", "the shopper's visit converts");
    assert_eq!(event.event.order_id.as_deref(), Some(order.id.to_string().as_str()));
    assert_eq!(event.event.value, Some(order.total));
    let _ = b;
    store.outbox_published(&[event.event_id]).await.unwrap();
    assert!(store.outbox(100).await.unwrap().is_empty());
}

async fn a_form_submitted_twice_starts_one_checkout(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let lamp = lamp(&store, t, 1).await;
    let variant = lamp.variants[0].id;
    let attempt = |key: &str| CheckoutInput { idempotency_key: key.into(), ..checkout(&[(variant, 1)], PaymentMethod::Razorpay) };
    // One after the other: the second answer is the first checkout, and the last unit is held once.
    let first = store.create_checkout(t, &attempt("attempt-1"), NOW, RESERVATION_MS).await.unwrap();
    assert_eq!(store.create_checkout(t, &attempt("attempt-1"), NOW + 500, RESERVATION_MS).await.unwrap().id, first.id);
    // Another attempt is another shopper (or a changed form): the unit is taken.
    assert!(matches!(store.create_checkout(t, &attempt("attempt-2"), NOW + 600, RESERVATION_MS).await, Err(StoreError::Refused(_))));
    // At the same moment: every twin gets the one checkout that was made.
    let lamp2 = store.create_seller_product(t, &serde_json::from_value(json!({
        "handle": "lamp-2", "title": "Lamp 2", "status": "active",
        "variants": [{ "sku": "LAMP2", "price_minor": 1_000, "inventory_quantity": 1 }],
    })).unwrap()).await.unwrap();
    let twin = CheckoutInput { idempotency_key: "attempt-3".into(), ..checkout(&[(lamp2.variants[0].id, 1)], PaymentMethod::Razorpay) };
    let twins: Vec<_> = (0..5)
        .map(|_| {
            let (store, twin) = (Arc::clone(&store), twin.clone());
            tokio::spawn(async move { store.create_checkout(t, &twin, NOW, RESERVATION_MS).await })
        })
        .collect();
    let mut ids = Vec::new();
    for twin in twins {
        ids.push(twin.await.unwrap().unwrap().id);
    }
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
}

async fn a_checkout_key_reused_for_another_cart_is_refused(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let lamp = lamp(&store, t, 5).await;
    let first = CheckoutInput { idempotency_key: "k-1".into(), ..checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::Razorpay) };
    store.create_checkout(t, &first, NOW, RESERVATION_MS).await.unwrap();
    let other_cart = CheckoutInput { idempotency_key: "k-1".into(), ..checkout(&[(lamp.variants[0].id, 2)], PaymentMethod::Razorpay) };
    let Err(StoreError::Conflict(why)) = store.create_checkout(t, &other_cart, NOW + 1, RESERVATION_MS).await else { panic!() };
    assert!(why.contains("idempotency_key"), "{why}");
    // The same key in another store is that store's own.
    let other = tenant(&store, "bolt").await;
    let lamp_b = lamp_in(&store, other).await;
    let theirs = CheckoutInput { idempotency_key: "k-1".into(), ..checkout(&[(lamp_b, 1)], PaymentMethod::Razorpay) };
    store.create_checkout(other, &theirs, NOW, RESERVATION_MS).await.unwrap();
}

async fn lamp_in(store: &DynStore, t: Uuid) -> Uuid {
    lamp(store, t, 5).await.variants[0].id
}

async fn the_hold_lasts_as_long_as_asked(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let lamp = lamp(&store, t, 1).await;
    let variant = lamp.variants[0].id;
    let c = store.create_checkout(t, &checkout(&[(variant, 1)], PaymentMethod::Razorpay), NOW, 10_000).await.unwrap();
    assert_eq!(c.expires_at_ms, NOW + 10_000);
    assert!(store.create_checkout(t, &checkout(&[(variant, 1)], PaymentMethod::Razorpay), NOW + 9_999, RESERVATION_MS).await.is_err());
    store.create_checkout(t, &checkout(&[(variant, 1)], PaymentMethod::Razorpay), NOW + 10_000, RESERVATION_MS).await.unwrap();
}

async fn ten_concurrent_refunds_of_one_intent_refund_once(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let (_, order) = paid_order(&store, t, 5, 2, "pay_once").await;
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let intent = store.begin_refund(t, order.id, 100, "click-1", "owner@acme.in", NOW + i).await?;
                // Razorpay, asked with the intent's id, answers every retry with the same refund.
                store.complete_refund(t, intent.id, "rfnd_one", intent.amount_minor, NOW + i).await?;
                Ok::<_, StoreError>(intent.id)
            })
        })
        .collect();
    let mut intents = Vec::new();
    for task in tasks {
        intents.push(task.await.unwrap().unwrap());
    }
    assert!(intents.iter().all(|i| *i == intents[0]), "one intent: {intents:?}");
    let after = store.order(t, order.id).await.unwrap().unwrap();
    assert_eq!((after.refunded.amount_minor, after.status), (100, OrderStatus::PartiallyRefunded));
    // The same key for another amount is not the same refund.
    let Err(StoreError::Conflict(why)) = store.begin_refund(t, order.id, 200, "click-1", "owner@acme.in", NOW).await else { panic!() };
    assert!(why.contains("idempotency_key"), "{why}");
}

async fn concurrent_refunds_of_different_intents_never_exceed_what_was_paid(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let (_, order) = paid_order(&store, t, 5, 1, "pay_many").await;
    let total = order.total.amount_minor;
    // Ten staff each refund 30% at once: at most three fit.
    let share = total * 3 / 10;
    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let intent = store.begin_refund(t, order.id, share, &format!("staff-{i}"), "staff@acme.in", NOW).await?;
                store.complete_refund(t, intent.id, &format!("rfnd_{i}"), intent.amount_minor, NOW).await
            })
        })
        .collect();
    let mut made = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => made += 1,
            Err(StoreError::Invalid(why)) => assert!(why.contains("left to refund"), "{why}"),
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(made, 3);
    let after = store.order(t, order.id).await.unwrap().unwrap();
    assert_eq!(after.refunded.amount_minor, share * 3);
    assert!(after.refunded.amount_minor <= total);
}

async fn a_refused_refund_frees_its_share_and_a_webhook_completes_a_pending_one(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let (_, order) = paid_order(&store, t, 5, 1, "pay_fail").await;
    let total = order.total.amount_minor;
    let first = store.begin_refund(t, order.id, total, "a", "owner@acme.in", NOW).await.unwrap();
    // While it is pending, nothing more can be refunded.
    let Err(StoreError::Invalid(why)) = store.begin_refund(t, order.id, 1, "b", "owner@acme.in", NOW).await else { panic!() };
    assert!(why.contains("being refunded"), "{why}");
    store.fail_refund(t, first.id, "the bank said no", NOW).await.unwrap();
    // The same key after a refusal tries again, as a new intent holding the balance again.
    let again = store.begin_refund(t, order.id, total, "a", "owner@acme.in", NOW).await.unwrap();
    assert_eq!(again.state, zelly_store::RefundState::Pending);
    assert_ne!(again.id, first.id);
    store.fail_refund(t, again.id, "the bank said no again", NOW).await.unwrap();
    let second = store.begin_refund(t, order.id, total, "c", "owner@acme.in", NOW).await.unwrap();
    // Abandoned (Razorpay unreachable), it is found for asking again once it is old enough.
    assert!(store.stale_refund_intents(NOW, 10).await.unwrap().is_empty(), "not before its time");
    let stale = store.stale_refund_intents(NOW + 1, 10).await.unwrap();
    assert_eq!(stale.iter().map(|(tenant, i)| (*tenant, i.id, i.payment_id.as_str())).collect::<Vec<_>>(), [(t, second.id, "pay_fail")]);
    // Razorpay's webhook lands before its API answer: it completes the intent its notes name,
    // and the answer arriving afterwards counts nothing more.
    let by_webhook = store.record_refund(t, order.id, "rfnd_w", total, Some(second.id), NOW + 1).await.unwrap();
    assert_eq!((by_webhook.refunded.amount_minor, by_webhook.status), (total, OrderStatus::Refunded));
    let by_answer = store.complete_refund(t, second.id, "rfnd_w", total, NOW + 2).await.unwrap();
    assert_eq!(by_answer.refunded.amount_minor, total);
    assert!(matches!(store.record_refund(t, order.id, "rfnd_x", 1, None, NOW).await, Err(StoreError::Invalid(_))), "nothing is left");
}

async fn cancelling_an_unshipped_order_restocks_it_and_a_shipped_one_cannot_be_cancelled(store: DynStore) {
    let t = tenant(&store, "acme").await;
    // Cash on delivery, not paid: cancelled, its two lamps go back on the shelf, once.
    let offer = zelly_edge::catalog::StoreSettingsInput { name: "acme".into(), logo_url: None, accent_color: None, featured_collection: None, cash_on_delivery: true };
    store.update_store_settings(t, &offer).await.unwrap();
    let lamp = lamp(&store, t, 5).await;
    let c = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 2)], PaymentMethod::CashOnDelivery), NOW, RESERVATION_MS).await.unwrap();
    let cod = store.finalize_checkout(t, c.id, &PaymentConfirmation { payment_id: None, amount_minor: c.total.amount_minor }, NOW).await.unwrap().order;
    assert_eq!(stock(&store, t, lamp.id).await, 3);
    let cancelled = store.set_order_status(t, cod.id, OrderStatus::Cancelled, None, "owner@acme.in", NOW + 1).await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert_eq!(stock(&store, t, lamp.id).await, 5);
    let twice = store.set_order_status(t, cod.id, OrderStatus::Cancelled, None, "owner@acme.in", NOW + 2).await.unwrap();
    assert_eq!((twice.status, stock(&store, t, lamp.id).await), (OrderStatus::Cancelled, 5), "a second click restocks nothing");
    assert!(store.set_order_status(t, cod.id, OrderStatus::Paid, None, "owner@acme.in", NOW + 3).await.is_err());
    // Paid online and fully refunded, never shipped: cancelling restocks.
    let c = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    let online = store.finalize_checkout(t, c.id, &paid("pay_c", c.total.amount_minor), NOW).await.unwrap().order;
    assert_eq!(stock(&store, t, lamp.id).await, 4);
    let intent = store.begin_refund(t, online.id, online.total.amount_minor, "zelly:cancellation", "owner@acme.in", NOW).await.unwrap();
    store.complete_refund(t, intent.id, "rfnd_c", online.total.amount_minor, NOW).await.unwrap();
    let cancelled = store.set_order_status(t, online.id, OrderStatus::Cancelled, None, "owner@acme.in", NOW + 1).await.unwrap();
    assert_eq!((cancelled.status, cancelled.refunded.amount_minor), (OrderStatus::Cancelled, online.total.amount_minor));
    assert_eq!(stock(&store, t, lamp.id).await, 5);
    // Shipped: never cancelled (the parcel is gone), and its stock stays out.
    let c = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    let shipped = store.finalize_checkout(t, c.id, &paid("pay_s", c.total.amount_minor), NOW).await.unwrap().order;
    store.set_order_status(t, shipped.id, OrderStatus::Fulfilled, None, "owner@acme.in", NOW + 1).await.unwrap();
    let Err(StoreError::Refused(why)) = store.set_order_status(t, shipped.id, OrderStatus::Cancelled, None, "owner@acme.in", NOW + 2).await else { panic!() };
    assert!(why.contains("cannot"), "{why}");
    assert_eq!(stock(&store, t, lamp.id).await, 4);
}

async fn a_partly_refunded_order_can_still_be_fulfilled_once(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let (_, order) = paid_order(&store, t, 5, 2, "pay_p").await;
    let intent = store.begin_refund(t, order.id, 100, "part", "owner@acme.in", NOW).await.unwrap();
    store.complete_refund(t, intent.id, "rfnd_p", 100, NOW).await.unwrap();
    let shipped = store.set_order_status(t, order.id, OrderStatus::Fulfilled, None, "owner@acme.in", NOW + 1).await.unwrap();
    assert_eq!((shipped.status, shipped.fulfilled_at_ms), (OrderStatus::Fulfilled, Some(NOW + 1)));
    // Refunded more after shipping: the status says so, and the shipment is remembered.
    let intent = store.begin_refund(t, order.id, 100, "more", "owner@acme.in", NOW + 2).await.unwrap();
    let after = store.complete_refund(t, intent.id, "rfnd_q", 100, NOW + 2).await.unwrap();
    assert_eq!((after.status, after.fulfilled_at_ms), (OrderStatus::PartiallyRefunded, Some(NOW + 1)));
    let Err(StoreError::Refused(why)) = store.set_order_status(t, order.id, OrderStatus::Fulfilled, None, "owner@acme.in", NOW + 3).await else { panic!() };
    assert!(why.contains("already been shipped"), "{why}");
}

async fn the_timeline_says_who_did_what_and_when(store: DynStore) {
    use zelly_edge::orders::OrderEventKind as K;
    let t = tenant(&store, "acme").await;
    let (_, order) = paid_order(&store, t, 5, 1, "pay_t").await;
    let intent = store.begin_refund(t, order.id, 100, "t1", "owner@acme.in", NOW + 1).await.unwrap();
    store.complete_refund(t, intent.id, "rfnd_t", 100, NOW + 2).await.unwrap();
    store.set_order_status(t, order.id, OrderStatus::Fulfilled, None, "staff@acme.in", NOW + 3).await.unwrap();
    let timeline = store.order_timeline(t, order.id).await.unwrap();
    let kinds: Vec<_> = timeline.iter().map(|e| (e.kind, e.actor.as_str(), e.at_ms)).collect();
    assert_eq!(kinds, [
        (K::Placed, "shopper", NOW),
        (K::RefundRequested, "owner@acme.in", NOW + 1),
        (K::Refunded, "Razorpay", NOW + 2),
        (K::Fulfilled, "staff@acme.in", NOW + 3),
    ]);
    assert!(timeline[2].message.contains("rfnd_t"), "{}", timeline[2].message);
    let other = tenant(&store, "bolt").await;
    assert!(matches!(store.order_timeline(other, order.id).await, Err(StoreError::NotFound)));
}

async fn cash_collected_after_shipping_is_recorded_and_the_order_stays_fulfilled(store: DynStore) {
    let t = tenant(&store, "acme").await;
    let offer = zelly_edge::catalog::StoreSettingsInput { name: "acme".into(), logo_url: None, accent_color: None, featured_collection: None, cash_on_delivery: true };
    store.update_store_settings(t, &offer).await.unwrap();
    let lamp = lamp(&store, t, 5).await;
    let c = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::CashOnDelivery), NOW, RESERVATION_MS).await.unwrap();
    let cod = store.finalize_checkout(t, c.id, &PaymentConfirmation { payment_id: None, amount_minor: c.total.amount_minor }, NOW).await.unwrap().order;
    assert_eq!(cod.paid_at_ms, None, "nothing collected yet");
    store.set_order_status(t, cod.id, OrderStatus::Fulfilled, None, "owner@acme.in", NOW + 1).await.unwrap();
    let collected = store.set_order_status(t, cod.id, OrderStatus::Paid, None, "owner@acme.in", NOW + 2).await.unwrap();
    assert_eq!((collected.status, collected.paid_at_ms, collected.fulfilled_at_ms), (OrderStatus::Fulfilled, Some(NOW + 2), Some(NOW + 1)));
    let again = store.set_order_status(t, cod.id, OrderStatus::Paid, None, "owner@acme.in", NOW + 3).await.unwrap();
    assert_eq!(again.paid_at_ms, Some(NOW + 2), "a second click changes nothing");
    let kinds: Vec<_> = store.order_timeline(t, cod.id).await.unwrap().into_iter().map(|e| e.kind).collect();
    use zelly_edge::orders::OrderEventKind as K;
    assert_eq!(kinds, [K::Placed, K::Fulfilled, K::MarkedPaid]);
    // Paid online, the money came with the order: there is nothing to collect.
    let other = tenant(&store, "bolt").await;
    let (_, online) = paid_order(&store, other, 5, 1, "pay_on").await;
    assert_eq!(online.paid_at_ms, Some(NOW));
    store.set_order_status(other, online.id, OrderStatus::Fulfilled, None, "owner@bolt.in", NOW + 1).await.unwrap();
    assert!(matches!(store.set_order_status(other, online.id, OrderStatus::Paid, None, "owner@bolt.in", NOW + 2).await, Err(StoreError::Refused(_))));
}

async fn a_checkout_started_signed_in_makes_an_order_of_that_customer(store: DynStore) {
    use zelly_edge::orders::AddressStatus;
    let t = tenant(&store, "acme").await;
    let new = zelly_store::customers::NewCustomer {
        email: "asha@example.in".into(),
        name: "Asha".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
        now_ms: NOW,
    };
    let asha = store.create_customer(t, &new).await.unwrap().id;
    let lamp = lamp(&store, t, 5).await;
    let signed_in = CheckoutInput {
        customer: Some(asha),
        address_status: AddressStatus::Mismatch,
        ..checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::Razorpay)
    };
    let c = store.create_checkout(t, &signed_in, NOW, RESERVATION_MS).await.unwrap();
    assert_eq!((c.customer_id, c.address_status), (Some(asha), AddressStatus::Mismatch));
    let mine = store.finalize_checkout(t, c.id, &paid("pay_mine", c.total.amount_minor), NOW).await.unwrap().order;
    assert_eq!((mine.customer_id, mine.address_status), (Some(asha), AddressStatus::Mismatch));
    // A guest order with the same email is not the account's.
    let guest = store.create_checkout(t, &checkout(&[(lamp.variants[0].id, 1)], PaymentMethod::Razorpay), NOW, RESERVATION_MS).await.unwrap();
    let guest = store.finalize_checkout(t, guest.id, &paid("pay_guest", guest.total.amount_minor), NOW).await.unwrap().order;
    assert_eq!((guest.customer_id, guest.address_status), (None, AddressStatus::Unverified));
    let query = OrderQuery { customer: Some(asha), limit: 50, ..OrderQuery::default() };
    assert_eq!(store.orders(t, &query).await.unwrap().iter().map(|o| o.id).collect::<Vec<_>>(), [mine.id]);
}

async fn a_redacted_shopper_leaves_the_sale_but_not_the_person(store: DynStore) {
    let (t, other) = (tenant(&store, "acme").await, tenant(&store, "bolt").await);
    let (_, order) = paid_order(&store, t, 5, 2, "pay_1").await;
    let (_, theirs) = paid_order(&store, other, 5, 1, "pay_2").await;
    let new = zelly_store::customers::NewCustomer { email: "asha@example.in".into(), name: "Asha".into(), password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(), now_ms: NOW };
    store.create_customer(t, &new).await.unwrap();
    let done = store.redact_shopper(t, " Asha@Example.in ").await.unwrap();
    assert_eq!((done.accounts, done.checkouts), (1, 1));
    let after = store.order(t, order.id).await.unwrap().unwrap();
    assert!(!after.email.contains("asha") && after.email.ends_with("@erased.invalid"), "{}", after.email);
    assert_eq!((after.shipping.name.as_str(), after.shipping.line1.as_str(), after.shipping.phone.as_str()), ("(erased)", "(erased)", "(erased)"));
    assert_eq!((after.shipping.city.as_str(), after.total, after.lines.len()), ("Bengaluru", order.total, 1), "the sale and its region stay");
    assert!(store.customer_credentials(t, "asha@example.in").await.unwrap().is_none());
    // Another store's shopper of the same email is theirs alone.
    assert_eq!(store.order(other, theirs.id).await.unwrap().unwrap().email, "asha@example.in");
}

async fn a_shops_currency_is_taken_only_while_the_store_has_no_orders(store: DynStore) {
    use zelly_store::shopify_catalog::ShopSettings;
    let (fresh, selling) = (tenant(&store, "fresh").await, tenant(&store, "selling").await);
    paid_order(&store, selling, 5, 1, "pay_1").await;
    let usd = ShopSettings {
        name: "Tea House".into(),
        logo_url: Some("https://cdn.example/logo.png".into()),
        currency: Some(zelly_edge::Currency::parse("USD").unwrap()),
        contact_email: Some("Hello@Tea.example".into()),
    };
    let applied = store.apply_shop_settings(fresh, &usd).await.unwrap();
    assert!(applied.currency_changed && !applied.currency_kept);
    let tenant = store.tenant_by_slug(&TenantSlug::parse("fresh").unwrap()).await.unwrap().unwrap();
    assert_eq!((tenant.name.as_str(), tenant.logo_url.as_deref(), tenant.currency.as_str()), ("Tea House", Some("https://cdn.example/logo.png"), "USD"));
    assert_eq!(store.store_contact_email(fresh).await.unwrap().as_deref(), Some("hello@tea.example"));
    let kept = store.apply_shop_settings(selling, &usd).await.unwrap();
    assert!(!kept.currency_changed && kept.currency_kept, "a store with orders keeps its currency");
    let tenant = store.tenant_by_slug(&TenantSlug::parse("selling").unwrap()).await.unwrap().unwrap();
    assert_eq!((tenant.name.as_str(), tenant.currency.as_str()), ("Tea House", "INR"));
    assert!(store.apply_shop_settings(fresh, &ShopSettings { name: " ".into(), ..usd }).await.is_err());
}
