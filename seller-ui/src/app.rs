//! The panel's views: the page shell, the product list and its loading, error and empty states.

use crate::api;
use crate::config::Config;
use leptos::prelude::*;
use zelly_edge::dto::Product;
use zelly_ui_kit::views::{EmptyState, ErrorState, LoadingState, Panel, Shell};

/// The whole panel: a header bar and the product list.
#[component]
pub fn App() -> impl IntoView {
    let config = Config::from_page();
    view! {
        <Shell brand="Zelly Seller">
            <ProductsPage config />
        </Shell>
    }
}

/// The merchant's products, fetched from core-api on load and again on Retry.
#[component]
pub fn ProductsPage(
    /// Where core-api and the storefront are.
    config: Config,
) -> impl IntoView {
    let Config {
        api_base,
        storefront_base,
    } = config;
    let products = LocalResource::new(move || {
        let api_base = api_base.clone();
        async move { api::fetch_products(&api_base).await }
    });

    view! {
        <Panel heading_id="products-heading" heading="Products">
            // Suspense (not Transition) so that Retry shows the loading state again.
            <Suspense fallback=|| view! { <LoadingState label="Loading products…" /> }>
                {move || {
                    let storefront_base = storefront_base.clone();
                    Suspend::new(async move {
                        match products.await {
                            Err(message) => {
                                view! {
                                    <ErrorState
                                        title="Your products could not be loaded."
                                        message
                                        on_retry=move || products.refetch()
                                    />
                                }
                                    .into_any()
                            }
                            Ok(list) if list.is_empty() => {
                                view! {
                                    <EmptyState
                                        title="No products yet"
                                        detail="Products you add to your store will be listed here."
                                    />
                                }
                                    .into_any()
                            }
                            Ok(list) => {
                                view! { <ProductTable products=list storefront_base /> }.into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </Panel>
    }
}

/// The table of products.
#[component]
fn ProductTable(products: Vec<Product>, storefront_base: String) -> impl IntoView {
    let count = match products.len() {
        1 => "1 product".to_owned(),
        n => format!("{n} products"),
    };
    view! {
        <p class="summary">{count}</p>
        <div class="table-wrap">
            <table class="data-table" data-testid="product-table">
                <thead>
                    <tr>
                        <th scope="col" class="col-image">
                            <span class="visually-hidden">"Image"</span>
                        </th>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Handle"</th>
                        <th scope="col" class="num">"Variants"</th>
                        <th scope="col" class="num">"Price"</th>
                        <th scope="col">"SKUs"</th>
                    </tr>
                </thead>
                <tbody>
                    {products
                        .into_iter()
                        .map(|product| {
                            view! { <ProductRow product storefront_base=storefront_base.clone() /> }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// One product's row.
#[component]
fn ProductRow(product: Product, storefront_base: String) -> impl IntoView {
    let image = product
        .image_url
        .as_deref()
        .map(|url| image_src(&storefront_base, url));
    let price = product.from_price().map(|m| m.to_string());
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

    view! {
        <tr data-testid="product-row">
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
            <td class="cell-title">{product.title}</td>
            <td>
                <code class="handle">{product.handle.to_string()}</code>
            </td>
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

/// The URL to load a product image from: site-relative URLs (`/assets/…`) are served by the storefront,
/// anything else (absolute or protocol-relative) is used as it is.
pub fn image_src(storefront_base: &str, image_url: &str) -> String {
    if image_url.starts_with('/') && !image_url.starts_with("//") {
        format!("{storefront_base}{image_url}")
    } else {
        image_url.to_owned()
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
