//! The product list: search, status filter, a page of products at a time ("Load more").

use crate::api::{Api, PAGE_SIZE};
use crate::app::{image_src, status_badge};
use crate::screens::LazyChecklist;
use crate::config::Config;
use crate::page::{ListPage, SearchBox, apply_search};
use crate::route::{self, Route};
use leptos::prelude::*;
use leptos::task::spawn_local;
use zelly_edge::catalog::{ProductStatus, SellerProduct};
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState};

/// The list's search text and status filter, kept while the merchant visits the editor.
#[derive(Debug, Clone, Copy)]
pub struct ListFilters {
    /// The search text applied (title, SKU or tag).
    pub q: RwSignal<String>,
    /// The status filter (`""` for all, else `draft`, `active` or `archived`).
    pub status: RwSignal<String>,
}

impl Default for ListFilters {
    fn default() -> Self {
        Self {
            q: RwSignal::new(String::new()),
            status: RwSignal::new(String::new()),
        }
    }
}

/// Where the first page is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Load {
    Loading,
    Failed(String),
    Ready,
}

/// The merchant's products.
#[component]
pub fn ProductsPage() -> impl IntoView {
    let api = expect_context::<Api>();
    let filters = expect_context::<ListFilters>();
    let search_text = RwSignal::new(filters.q.get_untracked());
    let items = RwSignal::new(Vec::<SellerProduct>::new());
    let next_cursor = RwSignal::new(None::<String>);
    let load = RwSignal::new(Load::Loading);
    let more_loading = RwSignal::new(false);
    let more_error = RwSignal::new(None::<String>);
    // Only the newest request may fill the list: a slower, older search must not overwrite it.
    let generation = StoredValue::new(0_u64);

    let fetch_first = {
        let api = api.clone();
        move || {
            let q = filters.q.get_untracked();
            let status = ProductStatus::parse(&filters.status.get_untracked());
            let ticket = generation.get_value() + 1;
            generation.set_value(ticket);
            load.set(Load::Loading);
            more_error.set(None);
            let api = api.clone();
            spawn_local(async move {
                let result = api.products(&q, status, None, PAGE_SIZE).await;
                if generation.try_get_value() != Some(ticket) {
                    return;
                }
                match result {
                    Ok(page) => {
                        items.set(page.items);
                        next_cursor.set(page.next_cursor);
                        load.set(Load::Ready);
                    }
                    Err(error) => load.set(Load::Failed(error.message)),
                }
            });
        }
    };
    let fetch_more = {
        let api = api.clone();
        move || {
            let Some(cursor) = next_cursor.get_untracked() else {
                return;
            };
            let q = filters.q.get_untracked();
            let status = ProductStatus::parse(&filters.status.get_untracked());
            let ticket = generation.get_value();
            more_loading.set(true);
            more_error.set(None);
            let api = api.clone();
            spawn_local(async move {
                let result = api.products(&q, status, Some(&cursor), PAGE_SIZE).await;
                if generation.try_get_value() != Some(ticket) {
                    return;
                }
                more_loading.set(false);
                match result {
                    Ok(page) => {
                        items.update(|items| {
                            for product in page.items {
                                if !items.iter().any(|p| p.id == product.id) {
                                    items.push(product);
                                }
                            }
                        });
                        next_cursor.set(page.next_cursor);
                    }
                    Err(error) => more_error.set(Some(error.message)),
                }
            });
        }
    };

    // (Re)load the first page whenever the applied search or the status filter changes.
    Effect::new({
        let fetch_first = fetch_first.clone();
        move |_| {
            filters.q.track();
            filters.status.track();
            fetch_first();
        }
    });

    let filtered = move || !filters.q.get().is_empty() || !filters.status.get().is_empty();
    let clear_filters = move || {
        search_text.set(String::new());
        filters.q.set(String::new());
        filters.status.set(String::new());
    };

    view! {
        <ListPage
            heading_id="products-heading"
            heading="Products"
            new_route=Route::NewProduct
            new_label="New product"
            new_testid="new-product"
        >
            <LazyChecklist />
            <form
                class="toolbar"
                role="search"
                on:submit=move |ev| {
                    ev.prevent_default();
                    apply_search(filters.q, search_text.get_untracked().trim().to_owned());
                }
            >
                <SearchBox label="Search products" placeholder="Search by title, SKU or tag" testid="product-search" typed=search_text applied=filters.q />
                <label class="toolbar-filter">
                    <span class="visually-hidden">"Status"</span>
                    <select
                        class="input"
                        data-testid="product-status-filter"
                        prop:value=move || filters.status.get()
                        on:change=move |ev| filters.status.set(event_target_value(&ev))
                    >
                        {[("", "All statuses"), ("active", "Active"), ("draft", "Draft"), ("archived", "Archived")]
                            .into_iter()
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
            </form>
            {move || match load.get() {
                Load::Loading => view! { <LoadingState label="Loading products…" /> }.into_any(),
                Load::Failed(message) => {
                    let fetch_first = fetch_first.clone();
                    view! {
                        <ErrorState
                            title="Your products could not be loaded."
                            message
                            on_retry=move || fetch_first()
                        />
                    }
                        .into_any()
                }
                Load::Ready if items.with(Vec::is_empty) && filtered() => {
                    view! {
                        <EmptyState title="No products match" detail="Try another search or status.">
                            <button type="button" class="button button-secondary" on:click=move |_| clear_filters()>
                                "Clear filters"
                            </button>
                        </EmptyState>
                    }
                        .into_any()
                }
                Load::Ready if items.with(Vec::is_empty) => {
                    view! {
                        <EmptyState
                            title="No products yet"
                            detail="Add your first product with “New product”; it is listed here."
                        />
                    }
                        .into_any()
                }
                Load::Ready => {
                    let fetch_more = fetch_more.clone();
                    view! {
                        <ProductTable items />
                        <div class="list-footer">
                            <p class="muted">
                                {move || {
                                    let shown = items.with(Vec::len);
                                    let noun = if shown == 1 { "product" } else { "products" };
                                    if next_cursor.with(Option::is_some) {
                                        format!("Showing the first {shown} {noun}")
                                    } else {
                                        format!("Showing all {shown} {noun}")
                                    }
                                }}
                            </p>
                            {move || more_error.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                            <Show when=move || next_cursor.with(Option::is_some)>
                                <button
                                    type="button"
                                    class="button button-secondary"
                                    data-testid="load-more"
                                    disabled=move || more_loading.get()
                                    on:click={
                                        let fetch_more = fetch_more.clone();
                                        move |_| fetch_more()
                                    }
                                >
                                    {move || if more_loading.get() { "Loading…" } else { "Load more" }}
                                </button>
                            </Show>
                        </div>
                    }
                        .into_any()
                }
            }}
        </ListPage>
    }
}

/// The table of products; a row opens the product's editor.
#[component]
fn ProductTable(items: RwSignal<Vec<SellerProduct>>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table" data-testid="product-table">
                <thead>
                    <tr>
                        <th scope="col" class="col-image">
                            <span class="visually-hidden">"Image"</span>
                        </th>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Handle"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Variants"</th>
                        <th scope="col" class="num">"Price"</th>
                        <th scope="col">"SKUs"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || items.get()
                        key=|product| (product.id.to_string(), product.version)
                        children=|product| view! { <ProductRow product /> }
                    />
                </tbody>
            </table>
        </div>
    }
}

/// One product's row.
#[component]
fn ProductRow(product: SellerProduct) -> impl IntoView {
    let storefront_base = expect_context::<Config>().storefront_base;
    let image = product
        .images
        .first()
        .map(|image| image_src(&storefront_base, &image.url));
    let price = product
        .variants
        .iter()
        .map(|v| v.price)
        .min_by_key(|m| m.amount_minor)
        .map(|m| m.to_string());
    let prices_differ = product
        .variants
        .windows(2)
        .any(|pair| pair[0].price != pair[1].price);
    let variant_count = product.variants.len();
    let skus = product
        .variants
        .iter()
        // A space after each chip keeps the SKUs apart when the text is copied or read out.
        .map(|variant| view! { <code class="chip">{variant.sku.clone()}</code> " " })
        .collect_view();
    let target = Route::Product(product.id.to_string());
    let href = target.href();

    view! {
        <tr data-testid="product-row" class="clickable" on:click=move |_| route::navigate(&target)>
            <td class="col-image">
                {match image {
                    Some(src) => {
                        view! {
                            <img class="thumb" src=src alt="" width="48" height="48" loading="lazy" />
                        }
                            .into_any()
                    }
                    None => view! { <span class="thumb thumb-empty" aria-hidden="true"></span> }.into_any(),
                }}
            </td>
            <td class="cell-title">
                <a class="row-link" href=href>{product.title}</a>
                {product.shopify_id.is_some().then(|| view! {
                    " " <span class="badge badge-draft" title="Imported from your Shopify shop: edit it in Shopify" data-testid="from-shopify-badge">"Shopify"</span>
                })}
            </td>
            <td>
                <code class="handle">{product.handle.to_string()}</code>
            </td>
            <td>{status_badge(product.status)}</td>
            <td class="num">{variant_count}</td>
            <td class="num">
                {match price {
                    Some(price) if prices_differ => {
                        view! {
                            <span class="muted">"from "</span>
                            {price}
                        }
                            .into_any()
                    }
                    Some(price) => price.into_any(),
                    None => view! { <span class="muted">"—"</span> }.into_any(),
                }}
            </td>
            <td class="cell-skus">{skus}</td>
        </tr>
    }
}
