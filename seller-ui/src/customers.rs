//! The store's customers (`#/customers`): shoppers who opened an account at this store, newest
//! first, with a search over their email and name. Owners and staff see the same list; no other
//! store's shoppers are ever in it (core-api reads one store's accounts only).

use crate::api::Api;
use crate::app::format_time;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::customers::{Customer, CustomerDetail, SavedAddress};
use zelly_edge::orders::AddressStatus;
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState, Panel};

/// What the list shows now.
#[derive(Debug, Clone)]
enum Load {
    Loading,
    Ready(Vec<Customer>),
    Failed(String),
}

/// The customers screen.
#[component]
pub fn CustomersPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let search = RwSignal::new(String::new());
    let load = RwSignal::new(Load::Loading);
    // Only the newest search may fill the list.
    let generation = StoredValue::new(0_u64);
    let fetch = Callback::new(move |()| {
        let ticket = generation.get_value() + 1;
        generation.set_value(ticket);
        load.set(Load::Loading);
        let (api, q) = (api.clone(), search.get_untracked());
        spawn_local(async move {
            let answer = api.customers(q.trim()).await;
            if generation.try_get_value() != Some(ticket) {
                return;
            }
            match answer {
                Ok(list) => load.set(Load::Ready(list)),
                Err(error) if error.is_unauthorized() => {}
                Err(error) => load.set(Load::Failed(error.message)),
            }
        });
    });
    fetch.run(());

    let row = |customer: Customer| {
        let id = customer.id;
        let name = (!customer.name.is_empty()).then(|| customer.name.clone());
        let (badge, words) = if customer.email_verified {
            ("badge badge-active", "Email confirmed")
        } else {
            ("badge badge-draft", "Not confirmed yet")
        };
        view! {
            <li class="customer-row" data-testid="customer-row">
                <div class="customer-who">
                    <span class="customer-email">{customer.email.clone()}</span>
                    {name.map(|name| view! { <span class="muted">{name}</span> })}
                </div>
                <div class="customer-facts">
                    <span class=badge>{words}</span>
                    <span class="muted">{format!("Since {}", format_time(customer.created_at_ms))}</span>
                </div>
                <CustomerDetails id />
            </li>
        }
    };

    view! {
        <Panel heading_id="customers-heading" heading="Customers">
            <div class="panel-body customers" data-testid="customers">
                <form
                    class="toolbar"
                    role="search"
                    on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        fetch.run(());
                    }
                >
                    <label class="toolbar-search">
                        <span class="visually-hidden">"Search customers"</span>
                        <input
                            class="input"
                            type="search"
                            placeholder="Email or name"
                            data-testid="customers-search"
                            bind:value=search
                        />
                    </label>
                    <button type="submit" class="button button-secondary button-inline" data-testid="customers-search-submit">
                        "Search"
                    </button>
                </form>
                {move || match load.get() {
                    Load::Loading => view! { <LoadingState label="Loading customers…" /> }.into_any(),
                    Load::Failed(message) => {
                        view! { <ErrorState title="Your customers could not be loaded." message on_retry=fetch /> }.into_any()
                    }
                    Load::Ready(list) if list.is_empty() => {
                        view! {
                            <EmptyState
                                title="No customers yet"
                                detail="Shoppers who open an account at your store appear here. Guests who check out without one are under Orders."
                            />
                        }
                            .into_any()
                    }
                    Load::Ready(list) => {
                        view! { <ul class="customer-list">{list.into_iter().map(row).collect_view()}</ul> }.into_any()
                    }
                }}
            </div>
        </Panel>
    }
}

/// What a customer's details show now.
#[derive(Debug, Clone)]
enum Details {
    Closed,
    Loading,
    Ready(Box<CustomerDetail>),
    Failed(String),
}

/// A customer's addresses and orders, loaded when the merchant opens them.
#[component]
fn CustomerDetails(id: uuid::Uuid) -> impl IntoView {
    let api = expect_context::<Api>();
    let details = RwSignal::new(Details::Closed);
    let toggle = move |_| {
        if !matches!(details.get_untracked(), Details::Closed) {
            details.set(Details::Closed);
            return;
        }
        details.set(Details::Loading);
        let api = api.clone();
        spawn_local(async move {
            let answer = api.customer(id).await;
            // The screen may have gone (another store chosen) while it loaded.
            let _ = details.try_set(match answer {
                Ok(detail) => Details::Ready(Box::new(detail)),
                Err(error) => Details::Failed(error.message),
            });
        });
    };
    let open = move || !matches!(details.try_get(), Some(Details::Closed) | None);
    view! {
        <button type="button" class="button button-secondary button-inline" data-testid="customer-details" aria-expanded=move || open().to_string() on:click=toggle>
            {move || if open() { "Hide details" } else { "Addresses and orders" }}
        </button>
        {move || match details.try_get() {
            Some(Details::Loading) => view! { <LoadingState label="Loading…" /> }.into_any(),
            Some(Details::Failed(message)) => view! { <p class="error" role="alert">{message}</p> }.into_any(),
            Some(Details::Ready(detail)) => detail_view(*detail).into_any(),
            Some(Details::Closed) | None => ().into_any(),
        }}
    }
}

fn address_lines(saved: &SavedAddress) -> String {
    let a = &saved.address;
    let mut parts = vec![a.name.clone(), a.line1.clone()];
    parts.extend(a.line2.clone());
    parts.push(format!("{}, {} {}", a.city, a.state, a.postal_code));
    parts.push(a.phone.clone());
    parts.join(", ")
}

fn detail_view(detail: CustomerDetail) -> impl IntoView {
    let addresses = if detail.addresses.is_empty() {
        view! { <p class="muted">"No saved addresses."</p> }.into_any()
    } else {
        let items = detail
            .addresses
            .iter()
            .map(|saved| {
                let note = match (saved.is_default, saved.status) {
                    (_, AddressStatus::Mismatch) => Some("PIN code may not match the city"),
                    (true, _) => Some("Default"),
                    _ => None,
                };
                view! {
                    <li data-testid="customer-address">
                        {address_lines(saved)}
                        {note.map(|n| view! { " " <span class="badge badge-draft">{n}</span> })}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="customer-detail-list">{items}</ul> }.into_any()
    };
    let orders = if detail.orders.is_empty() {
        view! { <p class="muted">"No orders yet."</p> }.into_any()
    } else {
        let items = detail
            .orders
            .iter()
            .map(|order| {
                let href = format!("#/orders/{}", order.id);
                view! {
                    <li data-testid="customer-order">
                        <a href=href>{format!("Order #{}", order.number)}</a>
                        {format!(" · {} · {} · {}", crate::orders::status_label(order.status), order.total, format_time(order.created_at_ms))}
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="customer-detail-list">{items}</ul> }.into_any()
    };
    view! {
        <div class="customer-detail" data-testid="customer-detail">
            <h3>"Addresses"</h3>
            {addresses}
            <h3>"Orders"</h3>
            {orders}
        </div>
    }
}
