//! The panel's frame: sign-in, the header (tabs, store, Sign out) and the screen the URL names.

use crate::api::{Api, Auth};
use crate::config::Config;
use crate::orders::OrderFilters;
use crate::products::ListFilters;
use crate::route::{self, Route};
use crate::screens::Screen;
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::catalog::{ProductStatus, SellerSession};
use zelly_ui_kit::auth::sign_in_with_password;
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
    provide_context(config);
    provide_context(auth);
    provide_context(api);
    provide_context(Flash(RwSignal::new(None)));
    provide_context(ListFilters::default());
    provide_context(OrderFilters::default());
    provide_context(CurrentStore(store));

    // A new sign-in asks core-api again who the merchant is.
    Effect::new(move |_| {
        if !auth.is_signed_in() {
            store.set(None);
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

    let nav = move || {
        auth.is_signed_in().then(|| {
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
                {tab("Analytics", Route::Analytics, "analytics-nav")}
                {tab("Settings", Route::Settings, "settings-nav")}
            }
        })
    };
    let actions = move || {
        auth.is_signed_in().then(|| {
            let who = move || {
                let store_name = store.with(|s| s.as_ref().map(|s| s.tenant.name.clone()));
                let email = auth.email().unwrap_or_default();
                view! {
                    <span class="who">
                        {store_name.map(|name| view! { <span class="who-store">{name}</span> })}
                        <span class="who-email">{email}</span>
                    </span>
                }
            };
            view! {
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
                    view! { <SignIn /> }.into_any()
                }
            }}
        </Shell>
    }
}

/// The email and password form.
#[component]
fn SignIn() -> impl IntoView {
    let config = expect_context::<Config>();
    let auth = expect_context::<Auth>();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (email_value, password_value) = (email.get_untracked(), password.get_untracked());
        if email_value.trim().is_empty() || password_value.is_empty() {
            error.set(Some("Enter your email and password.".to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        let config = config.clone();
        spawn_local(async move {
            let result = sign_in_with_password(
                &config.auth_base,
                &config.firebase_api_key,
                email_value.trim(),
                &password_value,
            )
            .await;
            busy.set(false);
            match result {
                Ok(session) => auth.signed_in(session),
                Err(message) => error.set(Some(message)),
            }
        });
    };

    view! {
        <section class="signin panel" aria-labelledby="signin-heading">
            <div class="signin-body">
                <h2 id="signin-heading">"Sign in to your store"</h2>
                <p class="muted">"Manage your products, stock and collections."</p>
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
                            autocomplete="current-password"
                            required
                            data-testid="signin-password"
                            bind:value=password
                        />
                    </label>
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
                        {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </form>
            </div>
        </section>
    }
}

/// The signed-in panel: checks the session with core-api, then shows the screen the URL names.
#[component]
fn SignedIn(route: RwSignal<Route>, store: RwSignal<Option<SellerSession>>) -> impl IntoView {
    let api = expect_context::<Api>();
    let failed = RwSignal::new(None::<String>);
    let load = move || {
        failed.set(None);
        let api = api.clone();
        spawn_local(async move {
            match api.session().await {
                Ok(session) => store.set(Some(session)),
                // A 401 has already signed the merchant out.
                Err(error) if error.is_unauthorized() => {}
                Err(error) => failed.set(Some(error.message)),
            }
        });
    };
    if store.get_untracked().is_none() {
        load();
    }
    // Whether the session has come: a change to it (the store renamed in Settings) must not
    // redraw the screen, only its arrival.
    let opened = Memo::new(move |_| store.with(Option::is_some));

    move || {
        if let Some(message) = failed.get() {
            return view! {
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
            .into_any();
        }
        if !opened.get() {
            return view! {
                <section class="panel">
                    <LoadingState label="Opening your store…" />
                </section>
            }
            .into_any();
        }
        // Each screen's code is fetched the first time it shows (see `crate::screens`).
        view! { <Screen route=route.get() store /> }.into_any()
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
    use super::image_src;

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
