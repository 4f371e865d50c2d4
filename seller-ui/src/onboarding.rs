//! Getting into a store: opening one (the account's first, or another) and joining one through
//! an invite link (`#/invite/{secret}`).
//!
//! Either way the store is then chosen (see [`crate::stores`]) and the merchant lands on its
//! product list.

use crate::api::{Api, field_errors};
use crate::app::Flash;
use crate::config::{Config, store_url};
use crate::handle::suggest_handle;
use crate::page::TextField;
use crate::route::Route;
use crate::stores::Stores;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::team::NewStoreInput;
use zelly_ui_kit::api::ApiError;
use zelly_ui_kit::forms::{FieldError, FieldErrors};
use zelly_ui_kit::views::{Banner, LoadingState, Panel, Tone};

/// The longest store address the API accepts.
pub const MAX_SLUG_LEN: usize = 40;

/// The currencies offered when opening a store, the platform's default first.
pub const CURRENCIES: &[(&str, &str)] = &[
    ("INR", "Indian rupee (₹)"),
    ("USD", "US dollar ($)"),
    ("EUR", "Euro (€)"),
    ("GBP", "British pound (£)"),
    ("AED", "UAE dirham"),
    ("SGD", "Singapore dollar"),
];

/// A store address suggested from its name: like a product handle, at most
/// [`MAX_SLUG_LEN`] characters and never ending in a hyphen.
pub fn suggest_slug(name: &str) -> String {
    let mut slug = suggest_handle(name);
    slug.truncate(MAX_SLUG_LEN);
    slug.trim_end_matches('-').to_owned()
}

/// Where shoppers will find the store `slug`, as the merchant reads it: the storefront's address
/// without its scheme, e.g. `tea-house.localhost:4321`.
pub fn address_preview(storefront_base: &str, slug: &str) -> String {
    let slug = if slug.is_empty() { "your-store" } else { slug };
    let url = store_url(storefront_base, slug);
    url.split_once("://")
        .map_or(url.as_str(), |(_, rest)| rest)
        .to_owned()
}

/// "Open your store": name, address and currency. The 422's field errors show under each field.
#[component]
pub fn OpenStorePage() -> impl IntoView {
    let api = expect_context::<Api>();
    let config = expect_context::<Config>();
    let stores = expect_context::<Stores>();
    let flash = expect_context::<Flash>();
    let name = RwSignal::new(String::new());
    let slug = RwSignal::new(String::new());
    let currency = RwSignal::new("INR".to_owned());
    // The address follows the name until the merchant types one of their own.
    let slug_edited = RwSignal::new(false);
    let errors = RwSignal::new(FieldErrors::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let first = move || stores.list.with(|l| l.as_ref().is_none_or(Vec::is_empty));

    Effect::new(move |_| {
        let suggested = suggest_slug(&name.get());
        if !slug_edited.get_untracked() {
            slug.set(suggested);
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let input = NewStoreInput {
            name: name.get_untracked().trim().to_owned(),
            slug: slug.get_untracked().trim().to_owned(),
            currency: currency.get_untracked(),
        };
        // The same checks as the API's, so the merchant sees every problem at once.
        if let Err(found) = input.validate() {
            errors.set(found);
            return;
        }
        errors.set(FieldErrors::new());
        failure.set(None);
        busy.set(true);
        let api = api.clone();
        spawn_local(async move {
            let result = api.open_store(&input).await;
            busy.set(false);
            match result {
                Ok(choice) => {
                    flash.set(&format!("{} is open. Add your first product.", choice.tenant.name));
                    stores.select(choice.tenant.slug.as_str());
                }
                Err(error) if error.is_invalid() => errors.set(field_errors(&error)),
                Err(error) if error.is_unauthorized() => {}
                Err(error) => failure.set(Some(open_failure(&error))),
            }
        });
    };
    let heading = Signal::derive(move || {
        if first() { "Open your store" } else { "Open another store" }.to_owned()
    });
    let storefront_base = config.storefront_base.clone();

    view! {
        <Panel heading_id="open-store-heading" heading>
            <form class="panel-body open-store" on:submit=submit novalidate data-testid="open-store-form">
                <p class="muted">
                    {move || {
                        if first() {
                            "Your account has no store yet. Name it and choose its address: shoppers find it there as soon as it opens."
                        } else {
                            "A second store has its own products, orders, team and address."
                        }
                    }}
                </p>
                {move || {
                    failure
                        .get()
                        .map(|message| {
                            view! { <Banner tone=Tone::Error message testid="open-store-error" /> }
                        })
                }}
                <TextField
                    label="Store name"
                    value=name
                    errors
                    path="name"
                    testid="store-name"
                    placeholder="Tea House"
                    max=100
                />
                <label class="field">
                    <span class="label">"Store address"</span>
                    <input
                        class="input"
                        class:invalid=move || errors.with(|e| e.contains_key("slug"))
                        data-testid="store-slug"
                        autocapitalize="none"
                        spellcheck="false"
                        maxlength=MAX_SLUG_LEN
                        prop:value=move || slug.get()
                        on:input=move |ev| {
                            slug_edited.set(true);
                            slug.set(event_target_value(&ev).to_ascii_lowercase());
                        }
                    />
                    <span class="hint" data-testid="store-address-preview">
                        "Shoppers will find it at "
                        <strong>{move || address_preview(&storefront_base, &slug.get())}</strong>
                    </span>
                    <span class="hint">"Lower-case letters, digits and hyphens; 3 to 40 characters."</span>
                    <FieldError errors path="slug" />
                </label>
                <label class="field">
                    <span class="label">"Currency"</span>
                    <select
                        class="input"
                        data-testid="store-currency"
                        on:change=move |ev| currency.set(event_target_value(&ev))
                    >
                        {CURRENCIES
                            .iter()
                            .map(|(code, label)| {
                                view! {
                                    <option value=*code prop:selected=move || currency.get() == *code>
                                        {*label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <span class="hint">"Your prices are in this currency."</span>
                    <FieldError errors path="currency" />
                </label>
                <div class="open-store-actions">
                    <button type="submit" class="button" data-testid="open-store-submit" disabled=move || busy.get()>
                        {move || if busy.get() { "Opening your store…" } else { "Open store" }}
                    </button>
                    <Show when=move || !first()>
                        <a class="button button-secondary" href=Route::Products.href()>
                            "Cancel"
                        </a>
                    </Show>
                </div>
            </form>
        </Panel>
    }
}

/// Why a store could not be opened, in words (a 422 shows under its fields instead).
fn open_failure(error: &ApiError) -> String {
    if error.is_conflict() {
        "Your account already owns as many stores as it may. Contact Zelly support to open more.".to_owned()
    } else {
        format!("Your store could not be opened. {}", error.message)
    }
}

/// Where accepting an invite is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Joining {
    /// Waiting for core-api.
    Busy,
    /// Refused or failed: the headline, what to do, and whether signing out helps.
    Failed(&'static str, String, bool),
}

/// `#/invite/{secret}`: joins the invite's store with the signed-in account, then opens it.
#[component]
pub fn InvitePage(
    /// The secret from the invite link.
    secret: String,
) -> impl IntoView {
    let api = expect_context::<Api>();
    let auth = expect_context::<crate::api::Auth>();
    let stores = expect_context::<Stores>();
    let flash = expect_context::<Flash>();
    let state = RwSignal::new(Joining::Busy);
    let accept = move || {
        state.set(Joining::Busy);
        let (api, secret) = (api.clone(), secret.clone());
        spawn_local(async move {
            match api.accept_invite(&secret).await {
                Ok(choice) => {
                    flash.set(&format!("Welcome to {}.", choice.tenant.name));
                    stores.select(choice.tenant.slug.as_str());
                }
                Err(error) if error.is_unauthorized() => {}
                Err(error) => state.set(invite_failure(&error)),
            }
        });
    };
    accept();

    view! {
        <section class="panel" aria-labelledby="invite-heading">
            <h2 id="invite-heading" class="visually-hidden">"Your invite"</h2>
            {move || match state.get() {
                Joining::Busy => view! { <LoadingState label="Joining the store…" /> }.into_any(),
                Joining::Failed(title, detail, sign_out) => {
                    let accept = accept.clone();
                    view! {
                        <div class="state state-error" role="alert" data-testid="invite-error">
                            <p class="state-title">{title}</p>
                            <p class="state-detail">{detail}</p>
                            <div class="state-actions">
                                {if sign_out {
                                    view! {
                                        <button type="button" class="button" on:click=move |_| auth.sign_out()>
                                            "Sign out"
                                        </button>
                                    }
                                        .into_any()
                                } else {
                                    view! {
                                        <button type="button" class="button" on:click=move |_| accept()>
                                            "Try again"
                                        </button>
                                    }
                                        .into_any()
                                }}
                                <a class="button button-secondary" href=Route::Products.href()>
                                    "Go to my store"
                                </a>
                            </div>
                        </div>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// What a refused invite means to the person holding the link.
fn invite_failure(error: &ApiError) -> Joining {
    match error.status {
        Some(410) => Joining::Failed(
            "This invite link no longer works.",
            "It has been used, revoked or has expired. Ask the store’s owner to invite you again."
                .to_owned(),
            false,
        ),
        Some(403) => Joining::Failed(
            "This invite is for another email.",
            "Sign out, then sign in or create an account with the email address the invite was sent to."
                .to_owned(),
            true,
        ),
        Some(404) => Joining::Failed(
            "This invite link is not valid.",
            "Check that you opened the whole link, or ask the store’s owner for a new one.".to_owned(),
            false,
        ),
        _ => Joining::Failed("The invite could not be accepted.", error.message.clone(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(status: u16) -> ApiError {
        ApiError {
            status: Some(status),
            ..ApiError::local("x")
        }
    }

    #[test]
    fn the_address_follows_the_name() {
        assert_eq!(suggest_slug("Tea House"), "tea-house");
        assert_eq!(suggest_slug("Chai & Co."), "chai-co");
        let long = suggest_slug(&"word ".repeat(20));
        assert!(long.len() <= MAX_SLUG_LEN && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn the_preview_shows_where_shoppers_will_find_the_store() {
        assert_eq!(
            address_preview("http://demo.localhost:4321", "tea-house"),
            "tea-house.localhost:4321"
        );
        assert_eq!(
            address_preview("https://{store}.zelly.shop", "tea-house"),
            "tea-house.zelly.shop"
        );
        assert_eq!(
            address_preview("http://demo.localhost:4321", ""),
            "your-store.localhost:4321"
        );
    }

    #[test]
    fn inr_is_the_default_currency() {
        assert_eq!(CURRENCIES[0].0, "INR");
    }

    #[test]
    fn a_refused_invite_says_what_to_do() {
        let Joining::Failed(title, _, sign_out) = invite_failure(&error(410)) else {
            panic!("a refusal")
        };
        assert_eq!((title, sign_out), ("This invite link no longer works.", false));
        let Joining::Failed(title, detail, sign_out) = invite_failure(&error(403)) else {
            panic!("a refusal")
        };
        assert_eq!(title, "This invite is for another email.");
        assert!(detail.contains("sign in") && sign_out);
        assert!(matches!(invite_failure(&error(404)), Joining::Failed("This invite link is not valid.", _, false)));
    }
}
