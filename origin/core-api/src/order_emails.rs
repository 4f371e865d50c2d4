//! The emails an order sends: the shopper's confirmation and a notice to the store's owners.
//!
//! They leave with the order's `order_placed` event: the outbox publisher queues them on the
//! `emails` queue before it removes the event from the outbox, so an order whose event is
//! published has its emails queued, and a crash in between queues them again under the same job
//! ids (`order-confirmation-{event}`, `order-notice-{event}-{n}`), which the queue keeps once for
//! an hour. A mail server that is down delays them (the mail worker retries for hours) and loses
//! none.

use crate::AppState;
use zelly_edge::catalog::Role;
use zelly_edge::events::{EventKind, StoreEvent};
use zelly_edge::orders::{Order, PaymentMethod};
use zelly_mail::Email;

/// The shopper's confirmation of `order` at store `store`.
pub fn confirmation(store: &str, order: &Order) -> Email {
    let lines: String = order
        .lines
        .iter()
        .map(|line| format!("  {} × {}  {} each\n", line.quantity, line.title, line.unit_price))
        .collect();
    let payment = match order.payment_method {
        PaymentMethod::Razorpay => "Paid online.".to_owned(),
        PaymentMethod::CashOnDelivery => format!("To pay on delivery: {}.", order.total),
    };
    let to = &order.shipping;
    let address = [Some(to.name.as_str()), Some(to.line1.as_str()), to.line2.as_deref(), Some(to.city.as_str()), Some(to.state.as_str()), Some(to.postal_code.as_str())]
        .into_iter()
        .flatten()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    Email {
        to: order.email.clone(),
        reply_to: None,
        subject: format!("Your order #{} at {store}", order.number),
        text: format!(
            "Thank you for your order at {store}.\n\nOrder #{number}\n{lines}Total: {total}\n{payment}\n\n\
             It goes to: {address}\n\nKeep this email: the order number is how the store finds your order when you contact them.\n",
            number = order.number,
            total = order.total,
        ),
    }
}

/// The notice to an owner (`to`) of a new order, with where to see it in seller-ui.
pub fn notice(store: &str, order: &Order, to: &str, seller_ui_url: &str) -> Email {
    let units: u32 = order.lines.iter().map(|line| line.quantity).sum();
    let how = match order.payment_method {
        PaymentMethod::Razorpay => "paid online",
        PaymentMethod::CashOnDelivery => "cash on delivery",
    };
    Email {
        to: to.to_owned(),
        reply_to: Some(order.email.clone()),
        subject: format!("New order #{} at {store}: {}", order.number, order.total),
        text: format!(
            "{store} has a new order.\n\nOrder #{number}: {units} item(s), {total}, {how}, from {email}.\n\n\
             See it and ship it: {seller_ui_url}/#/orders/{id}\n",
            number = order.number,
            total = order.total,
            email = order.email,
            id = order.id,
        ),
    }
}

/// Queues the emails of one `order_placed` event (nothing for other events).
pub async fn queue_for(state: &AppState, event: &StoreEvent) -> anyhow::Result<()> {
    if event.event.kind != EventKind::OrderPlaced {
        return Ok(());
    }
    let Some(order_id) = event.event.order_id.as_deref().and_then(|id| uuid::Uuid::parse_str(id).ok()) else { return Ok(()) };
    let tenant = event.tenant_id;
    let Some(order) = state.store.order(tenant, order_id).await? else {
        tracing::warn!(%order_id, "an order_placed event names no order; no email sent");
        return Ok(());
    };
    let store_name = match state.store.primary_domain(tenant).await? {
        Some(domain) => state.store.tenant_by_domain(&domain).await?.map(|t| t.name),
        None => None,
    }
    .unwrap_or_else(|| "the store".to_owned());
    let event_id = event.event_id.simple();
    zelly_mail::enqueue(&state.queues, "order-confirmation", format!("order-confirmation-{event_id}"), &confirmation(&store_name, &order)).await?;
    let team = state.store.team(tenant, zelly_service::now_ms()).await?;
    let owners = team.members.iter().filter(|m| m.role == Role::Owner).filter_map(|m| m.email.as_deref());
    for (n, owner) in owners.enumerate() {
        let email = notice(&store_name, &order, owner, &state.onboarding.seller_ui_url);
        zelly_mail::enqueue(&state.queues, "order-notice", format!("order-notice-{event_id}-{n}"), &email).await?;
    }
    Ok(())
}
