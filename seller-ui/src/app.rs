//! The panel's frame: sign-in (or creating an account), the header (tabs, the store and its
//! switcher, Sign out) and the screen the URL names.

use crate::api::{Api, Auth};
use crate::config::Config;
use crate::orders::OrderFilters;
use crate::products::ListFilters;
use crate::route::{self, Route};
use crate::screens::Screen;
use crate::stores::{StoreSwitcher, Stores};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::catalog::{ProductStatus, SellerSession};
use zelly_ui_kit::auth::{sign_in_with_password, sign_up_with_password};
use zelly_ui_kit::views::{ErrorState, LoadingState, Shell};

/// A one-time message for the next screen, e.g. "Product created." after a redirect.
#[derive(Debug, Clone, Copy)]
pub struct Flash(pub RwSignal<Option<String>>);

impl Flash {
    /// Leaves `message` for the next screen.
    pub fn set(&self, message: &str) {
        self.0.set(Some(message.to_owned()));
    }

    /// The waiting message, if any, removing it.
    pub fn take(&self) -> Option<String> {
        self.0.try_update(Option::take).flatten()
    }
}

/// The signed-in merchant's session (who they are, and their store), once core-api has answered.
#[derive(Debug, Clone, Copy)]
pub struct CurrentStore(pub RwSignal<Option<SellerSession>>);

impl CurrentStore {
    /// The base URL of the merchant's own storefront (see [`crate::config::store_url`]), or
    /// `storefront_base` as it is while the session has not come (reactive).
    pub fn storefront_url(&self, storefront_base: &str) -> String {
        self.0.with(|session| match session {
            Some(session) => {
                crate::config::store_url(storefront_base, session.tenant.slug.as_str())
            }
            None => storefront_base.to_owned(),
        })
    }
}

/// The whole panel: the sign-in screen, or the header tabs and the screen the URL names.
#[component]
pub fn App() -> impl IntoView {
    let config = Config::from_page();
    let auth = Auth::restore();
    let api = Api::new(config.api_base.clone(), auth);
    let route = RwSignal::new(route::current());
    let store = RwSignal::new(None::<SellerSession>);
    let stores = Stores::new(Signal::derive(move || auth.uid()));
    provide_context(config);
    provide_context(auth);
    provide_context(api.clone());
    provide_context(Flash(RwSignal::new(None)));
    provide_context(ListFilters::default());
    provide_context(OrderFilters::default());
    provide_context(CurrentStore(store));
    provide_context(stores);

    // A new sign-in asks core-api again who the merchant is, and which stores are theirs.
    Effect::new(move |_| {
        if !auth.is_signed_in() {
            store.set(None);
            stores.clear();
            api.set_tenant(None);
        }
    });

    let listener = window_event_listener_untyped("hashchange", move |_| {
        let next = route::current();
        if route
            .try_get_untracked()
            .is_some_and(|current| current != next)
        {
            route.set(next);
        }
    });
    on_cleanup(move || listener.remove());

    // The tabs need a store to work in: none while the account has none yet.
    let has_store = move || store.with(Option::is_some);
    let nav = move || {
        (auth.is_signed_in() && has_store()).then(|| {
            let tab = move |label: &'static str, target: Route, testid: &'static str| {
                let own_tab = target.tab();
                view! {
                    <a
                        class="tab"
                        href=target.href()
                        data-testid=testid
                        aria-current=move || (route.get().tab() == own_tab).then_some("page")
                    >
                        {label}
                    </a>
                }
            };
            view! {
                {tab("Products", Route::Products, "products-nav")}
                {tab("Orders", Route::Orders, "orders-nav")}
                {tab("Collections", Route::Collections, "collections-nav")}
                {tab("Customers", Route::Customers, "customers-nav")}
                {tab("Analytics", Route::Analytics, "analytics-nav")}
                {tab("Team", Route::Team, "team-nav")}
                {tab("Domains", Route::Domains, "domains-nav")}
                {tab("Settings", Route::Settings, "settings-nav")}
            }
        })
    };
    let current_slug =
        Signal::derive(move || store.with(|s| s.as_ref().map(|s| s.tenant.slug.as_str().to_owned())));
    let actions = move || {
        auth.is_signed_in().then(|| {
            let who = move || {
                let many = stores.list.with(|l| l.as_ref().is_some_and(|l| l.len() > 1));
                let store_name = store
                    .with(|s| s.as_ref().map(|s| s.tenant.name.clone()))
                    .filter(|_| !many);
                let email = auth.email().unwrap_or_default();
                view! {
                    <span class="who">
                        {store_name.map(|name| view! { <span class="who-store">{name}</span> })}
                        <span class="who-email">{email}</span>
                    </span>
                }
            };
            view! {
                <StoreSwitcher current=current_slug />
                {who}
                <button
                    type="button"
                    class="button button-secondary button-small"
                    data-testid="sign-out"
                    on:click=move |_| auth.sign_out()
                >
                    "Sign out"
                </button>
            }
        })
    };

    view! {
        <Shell brand="Zelly Seller" nav=Box::new(move || nav.into_any()) actions=Box::new(move || actions.into_any())>
            {move || {
                if auth.is_signed_in() {
                    view! { <SignedIn route store /> }.into_any()
                } else {
                    view! { <SignIn route /> }.into_any()
                }
            }}
        </Shell>
    }
}

/// The email and password form, which also creates an account ("Create an account").
#[component]
fn SignIn(route: RwSignal<Route>) -> impl IntoView {
    let config = expect_context::<Config>();
    let auth = expect_context::<Auth>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Creating an account rather than signing in.
    let creating = RwSignal::new(false);
    let invited = move || matches!(route.get(), Route::Invite(_));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (email_value, password_value) = (email.get_untracked(), password.get_untracked());
        let new_account = creating.get_untracked();
        let problem = check_credentials(
            email_value.trim(),
            &password_value,
            new_account.then(|| confirm.get_untracked()).as_deref(),
        );
        if let Some(problem) = problem {
            error.set(Some(problem.to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        let config = config.clone();
        spawn_local(async move {
            let (base, key, email) = (&config.auth_base, &config.firebase_api_key, email_value.trim());
            let result = if new_account {
                sign_up_with_password(base, key, email, &password_value).await
            } else {
                sign_in_with_password(base, key, email, &password_value).await
            };
            busy.set(false);
            match result {
                Ok(session) => auth.signed_in(session),
                Err(message) => error.set(Some(message)),
            }
        });
    };
    let switch_mode = move |_| {
        creating.update(|c| *c = !*c);
        error.set(None);
        confirm.set(String::new());
    };

    view! {
        <section class="signin panel" aria-labelledby="signin-heading">
            <div class="signin-body">
                <h2 id="signin-heading">
                    {move || if creating.get() { "Create your account" } else { "Sign in to your store" }}
                </h2>
                <p class="muted">
                    {move || {
                        if creating.get() {
                            "Sell online in minutes: create an account, then open your store."
                        } else {
                            "Manage your products, stock and collections."
                        }
                    }}
                </p>
                <Show when=invited>
                    <p class="banner banner-warning" role="status" data-testid="invite-signin-notice">
                        "You have been invited to a store. Sign in, or create an account, with the email the invite was sent to."
                    </p>
                </Show>
                {move || {
                    auth.notice()
                        .map(|notice| {
                            view! {
                                <p class="banner banner-warning" role="status" data-testid="signin-notice">
                                    {notice}
                                </p>
                            }
                        })
                }}
                <form class="form" on:submit=submit novalidate>
                    <label class="field">
                        <span class="label">"Email"</span>
                        <input
                            class="input"
                            type="email"
                            name="email"
                            autocomplete="username"
                            required
                            data-testid="signin-email"
                            bind:value=email
                        />
                    </label>
                    <label class="field">
                        <span class="label">"Password"</span>
                        <input
                            class="input"
                            type="password"
                            name="password"
                            autocomplete=move || if creating.get() { "new-password" } else { "current-password" }
                            required
                            data-testid="signin-password"
                            bind:value=password
                        />
                        <Show when=move || creating.get()>
                            <span class="hint">"At least 6 characters."</span>
                        </Show>
                    </label>
                    <Show when=move || creating.get()>
                        <label class="field">
                            <span class="label">"Confirm password"</span>
                            <input
                                class="input"
                                type="password"
                                name="confirm"
                                autocomplete="new-password"
                                required
                                data-testid="signup-confirm"
                                bind:value=confirm
                            />
                        </label>
                    </Show>
                    {move || {
                        error
                            .get()
                            .map(|message| {
                                view! {
                                    <p class="form-error" role="alert" data-testid="signin-error">
                                        {message}
                                    </p>
                                }
                            })
                    }}
                    <button
                        type="submit"
                        class="button button-block"
                        data-testid="signin-submit"
                        disabled=move || busy.get()
                    >
                        {move || match (creating.get(), busy.get()) {
                            (true, true) => "Creating your account…",
                            (true, false) => "Create account",
                            (false, true) => "Signing in…",
                            (false, false) => "Sign in",
                        }}
                    </button>
                </form>
                <p class="signin-switch">
                    {move || if creating.get() { "Already have an account?" } else { "New to Zelly?" }}
                    " "
                    <button type="button" class="link-button" data-testid="signin-mode" on:click=switch_mode>
                        {move || if creating.get() { "Sign in" } else { "Create an account" }}
                    </button>
                </p>
            </div>
        </section>
    }
}

/// What is wrong with the sign-in form before it is sent, if anything; `confirm` is the repeated
/// password when creating an account.
pub fn check_credentials(email: &str, password: &str, confirm: Option<&str>) -> Option<&'static str> {
    if email.is_empty() || password.is_empty() {
        return Some("Enter your email and password.");
    }
    let confirm = confirm?;
    if !zelly_edge::team::is_email(&email.to_ascii_lowercase()) {
        Some("Enter a valid email address, like name@example.com.")
    } else if password.chars().count() < 6 {
        Some("Choose a password of at least 6 characters.")
    } else if password != confirm {
        Some("The two passwords are not the same. Type them again.")
    } else {
        None
    }
}

/// Where opening the panel for a signed-in account is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Opening {
    /// Asking core-api for the account's stores and the session in the chosen one.
    Loading,
    /// The account has no store yet.
    NoStore,
    /// The chosen store's session has come.
    Open,
    /// Something failed: why.
    Failed(String),
}

/// The signed-in panel: finds the account's stores, opens the chosen one, then shows the screen
/// the URL names. An account with no store is offered to open one; an invite link is accepted
/// whether or not the account has a store.
#[component]
fn SignedIn(route: RwSignal<Route>, store: RwSignal<Option<SellerSession>>) -> impl IntoView {
    let api = expect_context::<Api>();
    let stores = expect_context::<Stores>();
    let opening = RwSignal::new(Opening::Loading);
    let load = move || {
        let api = api.clone();
        opening.set(Opening::Loading);
        store.set(None);
        spawn_local(async move {
            let list = match api.stores().await {
                Ok(list) => list,
                // A 401 has already signed the merchant out.
                Err(error) if error.is_unauthorized() => return,
                Err(error) => return opening.set(Opening::Failed(error.message)),
            };
            let chosen = stores.choose(&list, &api);
            stores.list.set(Some(list));
            if chosen.is_none() {
                return opening.set(Opening::NoStore);
            }
            match api.session().await {
                Ok(session) => {
                    store.set(Some(session));
                    opening.set(Opening::Open);
                }
                Err(error) if error.is_unauthorized() => {}
                Err(error) => opening.set(Opening::Failed(error.message)),
            }
        });
    };
    // Opens the panel now, and again whenever a store is opened, joined or switched to.
    Effect::new({
        let load = load.clone();
        move |_| {
            stores.reopen.track();
            load();
        }
    });
    // The screen to show: the URL's, except that an account with no store opens one first.
    let shown = Memo::new(move |_| match (route.get(), opening.get()) {
        (Route::Invite(secret), _) => Some(Route::Invite(secret)),
        (Route::NewStore, Opening::NoStore | Opening::Open) | (_, Opening::NoStore) => {
            Some(Route::NewStore)
        }
        (route, Opening::Open) => Some(route),
        _ => None,
    });

    move || {
        if let Some(route) = shown.get() {
            // Each screen's code is fetched the first time it shows (see `crate::screens`).
            return view! { <Screen route store /> }.into_any();
        }
        match opening.get() {
            Opening::Failed(message) => view! {
                <section class="panel">
                    <ErrorState
                        title="Your store could not be opened."
                        message
                        on_retry={
                            let load = load.clone();
                            move || load()
                        }
                    />
                </section>
            }
            .into_any(),
            _ => view! {
                <section class="panel">
                    <LoadingState label="Opening your store…" />
                </section>
            }
            .into_any(),
        }
    }
}

/// A product's status as a coloured badge.
pub fn status_badge(status: ProductStatus) -> impl IntoView {
    let label = match status {
        ProductStatus::Draft => "Draft",
        ProductStatus::Active => "Active",
        ProductStatus::Archived => "Archived",
    };
    view! { <span class=format!("badge badge-{}", status.as_str())>{label}</span> }
}

/// The URL to load a product image from: site-relative URLs (`/assets/…`) are served by the storefront,
/// anything else (absolute or protocol-relative) is used as it is.
pub fn image_src(storefront_base: &str, image_url: &str) -> String {
    if image_url.starts_with('/') && !image_url.starts_with("//") {
        format!("{storefront_base}{image_url}")
    } else {
        image_url.to_owned()
    }
}

/// Milliseconds since the Unix epoch as the browser's local date and time, e.g. `12 May 2025, 14:03`.
pub fn format_time(ms: i64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        use leptos::wasm_bindgen::JsValue;
        use leptos::web_sys::js_sys::{Date, Object, Reflect};
        let options = Object::new();
        for (key, value) in [
            ("day", "numeric"),
            ("month", "short"),
            ("year", "numeric"),
            ("hour", "2-digit"),
            ("minute", "2-digit"),
        ] {
            let _ = Reflect::set(&options, &key.into(), &value.into());
        }
        let date = Date::new(&JsValue::from_f64(ms as f64));
        String::from(date.to_locale_string("en-IN", &options))
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        ms.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{check_credentials, image_src};

    #[test]
    fn a_new_account_needs_a_real_email_and_the_same_password_twice() {
        assert_eq!(check_credentials("", "x", None), Some("Enter your email and password."));
        assert_eq!(check_credentials("a@b.co", "pw", None), None, "signing in checks nothing more");
        assert_eq!(
            check_credentials("a@b", "secret-1", Some("secret-1")),
            Some("Enter a valid email address, like name@example.com.")
        );
        assert_eq!(
            check_credentials("a@b.co", "12345", Some("12345")),
            Some("Choose a password of at least 6 characters.")
        );
        assert_eq!(
            check_credentials("a@b.co", "secret-1", Some("secret-2")),
            Some("The two passwords are not the same. Type them again.")
        );
        assert_eq!(check_credentials("A@B.co", "secret-1", Some("secret-1")), None);
    }

    #[test]
    fn a_site_relative_image_is_served_by_the_storefront() {
        assert_eq!(
            image_src("http://demo.localhost:4321", "/assets/demo/tee.svg"),
            "http://demo.localhost:4321/assets/demo/tee.svg"
        );
    }

    #[test]
    fn an_absolute_or_protocol_relative_image_is_left_alone() {
        assert_eq!(
            image_src("http://s", "https://cdn.test/a.png"),
            "https://cdn.test/a.png"
        );
        assert_eq!(
            image_src("http://s", "//cdn.test/a.png"),
            "//cdn.test/a.png"
        );
    }
}
