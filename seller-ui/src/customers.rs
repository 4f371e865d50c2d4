//! The store's customers (`#/customers`): shoppers who opened an account at this store, newest
//! first, with a search over their email and name. Owners and staff see the same list; no other
//! store's shoppers are ever in it (core-api reads one store's accounts only).

use crate::api::Api;
use crate::app::format_time;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::customers::Customer;
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
