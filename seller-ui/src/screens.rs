//! The screens behind the sign-in, each fetched the first time it shows.
//!
//! Every function here marked `#[wasm_split(…)]` is a split point: `cargo xtask wasm` cuts the
//! wasm at them, so the code only one screen reaches goes into that screen's own file
//! (`split_<name>.wasm`), and the code several screens share into chunks fetched with the first of
//! them. The main module holds the sign-in form, the frame and the product list, where a signed-in
//! merchant lands: whichever the first screen is, it costs that one file. (Split off, the product
//! list came in 57 pieces that together weighed more than it adds to the main module.) Once fetched,
//! a screen's code stays: showing it again is as quick as before.
//!
//! Natively (`cargo test`) the functions are plain calls.

use crate::analytics::AnalyticsPage;
use crate::collections::{CollectionEditor, CollectionsPage};
use crate::domains::DomainsPage;
use crate::shopify::ShopifyPage;
use crate::editor::ProductEditor;
use crate::onboarding::{InvitePage, OpenStorePage};
use crate::orders::{OrderPage, OrdersPage};
use crate::products::ProductsPage;
use crate::route::Route;
use crate::settings::SettingsPage;
use crate::team::TeamPage;
use crate::customers::CustomersPage;
use leptos::prelude::*;
use wasm_split_helpers::{SplitLoaderError, wasm_split};
use zelly_edge::catalog::SellerSession;
use zelly_ui_kit::views::{ErrorState, LoadingState};

/// The screen `route` names: a loading state while its code is fetched (the first time only),
/// then the screen; if the fetch fails, an error with Retry.
#[component]
pub fn Screen(
    /// The screen to show.
    route: Route,
    /// The signed-in merchant and their store (the settings screen changes it).
    store: RwSignal<Option<SellerSession>>,
) -> impl IntoView {
    let attempt = RwSignal::new(0_u32);
    move || {
        attempt.track();
        let route = route.clone();
        view! {
            <Suspense fallback=|| {
                view! {
                    <section class="panel">
                        <LoadingState label="Loading…" />
                    </section>
                }
            }>
                {Suspend::new(async move {
                    match show(route, store).await {
                        Ok(screen) => screen,
                        Err(_) => {
                            view! {
                                <section class="panel">
                                    <ErrorState
                                        title="This screen could not be loaded."
                                        message="Check your connection, then retry.".to_owned()
                                        on_retry=move || attempt.update(|n| *n += 1)
                                    />
                                </section>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        }
    }
}

/// Fetches the code of `route`'s screen if it has not come yet, then builds the screen.
async fn show(
    route: Route,
    store: RwSignal<Option<SellerSession>>,
) -> Result<AnyView, SplitLoaderError> {
    match route {
        Route::Products => Ok(products()),
        Route::NewProduct => product_editor(None).await,
        Route::Product(id) => product_editor(Some(id)).await,
        Route::Orders => orders().await,
        Route::Order(id) => order(id).await,
        Route::Collections => collections().await,
        Route::NewCollection => collection_editor(None).await,
        Route::Collection(id) => collection_editor(Some(id)).await,
        Route::Analytics => analytics().await,
        Route::Settings => settings(store).await,
        Route::Customers => customers().await,
        Route::Team => team().await,
        Route::Domains => domains().await,
        Route::Shopify => shopify().await,
        Route::NewStore => open_store().await,
        Route::Invite(secret) => invite(secret).await,
    }
}

/// The product list, in the main module (see above).
fn products() -> AnyView {
    view! { <ProductsPage /> }.into_any()
}

#[wasm_split(product_editor, fallible)]
fn product_editor(id: Option<String>) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ProductEditor id /> }.into_any())
}

#[wasm_split(orders, fallible)]
fn orders() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <OrdersPage /> }.into_any())
}

#[wasm_split(order, fallible)]
fn order(id: String) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <OrderPage id /> }.into_any())
}

#[wasm_split(collections, fallible)]
fn collections() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <CollectionsPage /> }.into_any())
}

#[wasm_split(collection_editor, fallible)]
fn collection_editor(id: Option<String>) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <CollectionEditor id /> }.into_any())
}

#[wasm_split(analytics, fallible)]
fn analytics() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <AnalyticsPage /> }.into_any())
}

#[wasm_split(settings, fallible)]
fn settings(store: RwSignal<Option<SellerSession>>) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <SettingsPage store /> }.into_any())
}

#[wasm_split(customers, fallible)]
fn customers() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <CustomersPage /> }.into_any())
}

#[wasm_split(team, fallible)]
fn team() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <TeamPage /> }.into_any())
}

#[wasm_split(domains, fallible)]
fn domains() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <DomainsPage /> }.into_any())
}

#[wasm_split(shopify, fallible)]
fn shopify() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ShopifyPage /> }.into_any())
}

#[wasm_split(open_store, fallible)]
fn open_store() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <OpenStorePage /> }.into_any())
}

#[wasm_split(invite, fallible)]
fn invite(secret: String) -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <InvitePage secret /> }.into_any())
}

/// The new store's checklist on the product list, fetched after the list itself: the product
/// list is in the main module, and the checklist (a few calls and their shapes) need not be.
/// Nothing shows while it loads, or if it cannot.
#[component]
pub fn LazyChecklist() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {Suspend::new(async { checklist().await.unwrap_or_else(|_| ().into_any()) })}
        </Suspense>
    }
}

#[wasm_split(checklist, fallible)]
fn checklist() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <crate::checklist::OnboardingChecklist /> }.into_any())
}
