//! The Leptos storefront.
//!
//! Both hosts (the Cloudflare Worker and the native `leptos_axum`-style server on port 4321) fetch a
//! page's data from core-api and hand it to one of the `render_*` functions here, so a request
//! produces byte-identical HTML whichever host served it. Pages are complete documents with their
//! CSS inline: one round trip, nothing else to fetch but product images.

pub mod account;
pub mod analytics;
pub mod cart;
#[allow(missing_docs)] // the `#[island]` macro writes undocumented props structs
pub mod islands;
pub mod listing;
pub mod page_cache;
pub mod resolve;
pub mod seo;

use analytics::PageAnalytics;
use islands::{BuyBox, CartEditor};
use listing::Listing;
use resolve::{DomainCache, DomainStatus};
use seo::Head;
use leptos::prelude::*;
use zelly_edge::dto::{ListingRequest, Product, ProductSummary, StoreInfo, StoreListing, StoreProduct};
use zelly_edge::host::normalize_host;
use zelly_edge::origin::{OriginError, StorefrontOrigin};

/// The storefront's stylesheet, inlined into every page.
const STYLE: &str = include_str!("style.css");

/// An HTML document with a status code for the host to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// HTTP status.
    pub status: u16,
    /// The full document.
    pub html: String,
    /// Its media type (`text/html; charset=utf-8` for pages).
    pub content_type: &'static str,
    /// What the page counts as for analytics; `None` for pages that don't count (errors).
    pub analytics: Option<PageAnalytics>,
}

impl Page {
    fn ok(html: String) -> Self {
        Self::with_status(200, html)
    }

    fn with_status(status: u16, html: String) -> Self {
        Self { status, html, content_type: HTML, analytics: None }
    }
}

/// The media type of every page.
pub const HTML: &str = "text/html; charset=utf-8";

/// Renders a view inside a fresh reactive owner, as a complete HTML5 document. Pages with
/// islands (`interactive`) load the hydration bundle; the others send no script but the tracker.
/// The header's search box shows `query`, and its cart count reads 0 until
/// [`with_cart_count`] puts the shopper's own in.
fn document(head: Head, store: Option<&StoreInfo>, interactive: bool, query: &str, body: impl IntoView + 'static) -> String {
    let name = store.map_or_else(|| "Zelly".to_owned(), |s| s.name.clone());
    let logo = store.and_then(|s| s.logo_url.clone());
    let query = query.to_owned();
    // Only a well-formed colour reaches the style attribute (origin checks it too), with the
    // button text colour that reads on it.
    let accent = zelly_edge::catalog::accent_style(store.and_then(|s| s.accent_color.as_deref()));
    let owner = Owner::new();
    owner.with(move || {
        let html = view! {
            <html lang="en">
                <head>
                    <meta charset="utf-8"/>
                    <meta name="viewport" content="width=device-width, initial-scale=1"/>
                    {head.into_view()}
                    <link rel="icon" href="data:,"/>
                    <style>{STYLE}</style>
                </head>
                <body style=accent>
                    <header class="site-header">
                        <a class="brand" href="/">
                            {logo.map(|src| view! { <img class="brand-logo" src=src alt="" height="40"/> })}
                            <span class="brand-name">{name}</span>
                        </a>
                        <a class="account-link" href="/account" rel="nofollow" data-testid="account-link">"Account"</a>
                        <a class="cart-link" href="/cart" rel="nofollow">
                            "Cart " <span class="cart-count" data-testid="cart-count" aria-label="items">"0"</span>
                        </a>
                        <form class="site-search" action="/search" method="get" role="search">
                            <input type="search" name="q" value=query placeholder="Search this store" aria-label="Search this store" maxlength="100"/>
                            <button type="submit" class="search-button">"Search"</button>
                        </form>
                    </header>
                    <main>{body}</main>
                    <footer class="site-footer">"Powered by Zelly"</footer>
                    <script inner_html=analytics::TRACKER_SCRIPT></script>
                    {interactive.then(|| view! { <script type="module" inner_html=islands::loader_script()></script> })}
                </body>
            </html>
        }
        .to_html();
        format!("<!DOCTYPE html>{html}")
    })
}

/// The start of the header's cart count as rendered; no merchant text can contain it, since
/// their text is escaped and this has a `<`.
const CART_COUNT_MARK: &str = r#"<span class="cart-count" data-testid="cart-count" aria-label="items">"#;

/// `html` with the header's cart count set to `count`. Pages are rendered with 0 so that a
/// shared cache can keep one copy per page; each host puts the shopper's count in on the way out.
pub fn with_cart_count(html: &str, count: u32) -> String {
    let Some(start) = html.find(CART_COUNT_MARK).map(|i| i + CART_COUNT_MARK.len()) else {
        return html.to_owned();
    };
    let Some(end) = html[start..].find('<').map(|i| start + i) else {
        return html.to_owned();
    };
    format!("{}{count}{}", &html[..start], &html[end..])
}

/// `html` with the cart count of the `zelly_cart` cookie in `cookies`.
pub fn with_cart_count_from(html: &str, cookies: Option<&str>) -> String {
    with_cart_count(html, cart::Cart::from_cookies(cookies).count())
}

/// How many cards lead a page with their images loaded at once (about the first row); the
/// rest load lazily as the shopper scrolls.
const EAGER_CARDS: usize = 4;

/// A product card in the home grid; `eager` for the first row, whose images show at once.
#[component]
fn ProductCard(product: ProductSummary, eager: bool) -> impl IntoView {
    let href = format!("/products/{}", product.handle);
    let price = product.from_price.map(|p| p.to_string()).unwrap_or_default();
    let many = product.variant_count > 1;
    view! {
        <li class="card" data-handle=product.handle.to_string()>
            <a href=href>
                {product.image_url.map(|src| view! { <img src=src alt=product.title.clone() loading=if eager { "eager" } else { "lazy" } width="320" height="320"/> })}
                <h2 class="card-title">{product.title.clone()}</h2>
                <p class="price">{many.then_some("From ")}{price}</p>
            </a>
        </li>
    }
}

/// A grid of product cards, or a note when there are none. When it `leads` the page, its first
/// row's images load at once.
#[component]
fn ProductGrid(products: Vec<ProductSummary>, empty_note: &'static str, leads: bool) -> impl IntoView {
    let empty = products.is_empty();
    view! {
        {empty.then(|| view! { <p class="empty">{empty_note}</p> })}
        <ul class="grid">
            {products.into_iter().enumerate().map(|(i, product)| view! { <ProductCard product eager=leads && i < EAGER_CARDS/> }).collect_view()}
        </ul>
    }
}

/// The store's home page: its featured collection, its collections and a grid of its products,
/// newest first (sortable, a page at a time).
pub fn render_home(data: &StoreListing, listing: &Listing) -> Page {
    let store = data.store.clone();
    let collections = data.collections.clone();
    // The merchant's featured collection leads the first page.
    let featured = data.featured.clone().filter(|f| listing.after.is_none() && !f.products.is_empty());
    let grid_leads = featured.is_none();
    let products = data.products.clone();
    let body = view! {
        <section class="hero">
            <h1>{store.name.clone()}</h1>
        </section>
        {featured.map(|f| { let label = f.title.clone(); view! {
            <section class="featured" aria-label=label data-testid="featured">
                <h2 class="featured-title">{f.title}</h2>
                <ul class="grid">
                    {f.products.into_iter().enumerate().map(|(i, product)| view! { <ProductCard product eager=i < EAGER_CARDS/> }).collect_view()}
                </ul>
                <p class="featured-more"><a href=format!("/collections/{}", f.handle)>"View the whole collection →"</a></p>
            </section>
        }})}
        {(!collections.is_empty()).then(|| view! {
            <nav class="collections" aria-label="Collections">
                {collections.into_iter().map(|c| view! {
                    <a class="collection-link" href=format!("/collections/{}", c.handle)>{c.title}</a>
                }).collect_view()}
            </nav>
        })}
        {listing::controls(listing, "/", data.next.as_deref())}
        <ProductGrid products empty_note="This store has no products yet." leads=grid_leads/>
    };
    let head = Head::page(&store, "/", store.name.clone(), format!("Shop {} online.", store.name));
    Page::ok(document(head, Some(&store), false, "", body))
}

/// A collection page: its products in the merchant's order, or by price, a page at a time. A
/// listing without its collection is a missing page.
pub fn render_collection(data: &StoreListing, listing: &Listing) -> Page {
    let Some(collection) = data.collection.clone() else {
        return render_not_found(Some(&data.store));
    };
    let store = data.store.clone();
    let title = format!("{} · {}", collection.title, store.name);
    let path = format!("/collections/{}", collection.handle);
    let products = data.products.clone();
    let body = view! {
        <section class="hero">
            <h1>{collection.title.clone()}</h1>
            {(!collection.description.is_empty()).then(|| view! { <p>{collection.description.clone()}</p> })}
        </section>
        {listing::controls(listing, &path, data.next.as_deref())}
        <ProductGrid products empty_note="This collection has no products yet." leads=true/>
        <p><a href="/">"← Back to the store"</a></p>
    };
    let description = if collection.description.is_empty() {
        format!("{} from {}.", collection.title, store.name)
    } else {
        collection.description.clone()
    };
    let head = Head::page(&store, &path, title, description);
    Page::ok(document(head, Some(&store), false, "", body))
}

/// Search results: the store's products matching every word of `q`, best match first, found by
/// origin's search index. Not indexed by search engines.
pub fn render_search(data: &StoreListing, listing: &Listing) -> Page {
    let store = data.store.clone();
    let heading = if listing.q.is_empty() {
        "Search this store".to_owned()
    } else if data.products.is_empty() && listing.after.is_none() {
        format!("No results for “{}”", listing.q)
    } else {
        format!("Results for “{}”", listing.q)
    };
    let products = if listing.q.is_empty() { Vec::new() } else { data.products.clone() };
    let next = data.next.as_deref().filter(|_| !listing.q.is_empty());
    let body = view! {
        <section class="hero">
            <h1 data-testid="search-heading">{heading}</h1>
        </section>
        {listing::controls(listing, "/search", next)}
        <ProductGrid products empty_note="Nothing matched. Try fewer or other words." leads=true/>
        <p><a href="/">"← Back to the store"</a></p>
    };
    let head = Head::private(format!("Search · {}", store.name));
    Page::ok(document(head, Some(&store), false, &listing.q, body))
}

/// A product page: gallery, description, and the buy box (an island): one select per option, the
/// chosen variant's price and stock, and "Add to cart", which works without JavaScript too (the
/// form posts the chosen options to `/cart`).
pub fn render_product(data: &StoreProduct) -> Page {
    let StoreProduct { store, product, .. } = data.clone();
    let title = format!("{} · {}", product.title, store.name);
    let images = if product.images.is_empty() {
        product.image_url.clone().map(|url| vec![zelly_edge::catalog::ProductImage { url, alt: product.title.clone() }]).unwrap_or_default()
    } else {
        product.images.clone()
    };
    let pick: Vec<islands::PickVariant> = product
        .variants
        .iter()
        .map(|v| islands::PickVariant {
            id: v.id,
            title: v.title.clone(),
            options: v.options.clone(),
            price: v.price,
            compare_at: v.compare_at_price,
            available: v.available,
        })
        .collect();
    let body = view! {
        <article class="product" data-handle=product.handle.to_string()>
            <div class="product-media">
                {images.into_iter().enumerate().map(|(i, image)| {
                    let alt = if image.alt.is_empty() { product.title.clone() } else { image.alt };
                    let class = if i == 0 { "gallery-main" } else { "gallery-more" };
                    view! { <img class=class src=image.url alt=alt width="640" height="640" loading=if i == 0 { "eager" } else { "lazy" }/> }
                }).collect_view()}
            </div>
            <div class="product-info">
                <h1>{product.title.clone()}</h1>
                {price_range(&product).map(|range| view! { <p class="price-range">{range}</p> })}
                <p class="description">{product.description.clone()}</p>
                <BuyBox handle=product.handle.to_string() option_names=product.option_names.clone() variants=pick/>
                <p><a href="/">"← Back to the store"</a></p>
            </div>
        </article>
    };
    let head = Head::product(&store, &product, title);
    Page::ok(document(head, Some(&store), true, "", body))
}

/// "₹1,299.50 – ₹1,499.00" when a product's variants differ in price, so that every price is on
/// the page without JavaScript.
fn price_range(product: &Product) -> Option<String> {
    let low = product.variants.iter().map(|v| v.price).min_by_key(|m| m.amount_minor)?;
    let high = product.variants.iter().map(|v| v.price).max_by_key(|m| m.amount_minor)?;
    (low != high).then(|| format!("{low} – {high}"))
}

/// A cart form that could not be applied (400): says why and leads back.
pub fn render_cart_error(store: Option<&StoreInfo>, reason: &str) -> Page {
    let reason = reason.to_owned();
    let body = view! {
        <section class="notice">
            <h1>"We couldn't update your cart"</h1>
            <p data-testid="cart-error">{reason}</p>
            <p><a href="/cart">"Back to your cart"</a></p>
        </section>
    };
    Page::with_status(400, document(Head::error("Cart not updated"), store, false, "", body))
}

/// One priced line of the cart page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    /// The variant and its current price from origin.
    pub price: zelly_edge::dto::VariantPrice,
    /// The product's name, image and stock, when origin sent them.
    pub detail: Option<zelly_edge::dto::VariantDetail>,
    /// Units.
    pub quantity: u32,
}

/// The cart page: every line priced from origin with the product's name and picture, quantity
/// and remove forms, what to fix where the store has fewer left than the cart holds, and the
/// subtotal. `capped` names a line an add or change was just held to the stock of. Never cached,
/// never indexed.
pub fn render_cart(store: &StoreInfo, lines: &[CartLine], capped: Option<uuid::Uuid>) -> Page {
    let count = lines.iter().map(|l| l.quantity).sum();
    let notice = capped.and_then(|id| {
        let line = lines.iter().find(|l| l.price.variant_id == id)?;
        let detail = line.detail.as_ref()?;
        let item = zelly_edge::cart::item_name(&detail.product_title, &detail.variant_title);
        Some(zelly_edge::cart::only_left_message(&item, detail.available?, line.quantity))
    });
    let lines: Vec<islands::EditLine> = lines
        .iter()
        .map(|line| {
            let detail = line.detail.clone();
            islands::EditLine {
                variant_id: line.price.variant_id,
                // Without details (an older origin), the "Product / Variant" title it sends.
                product_title: detail.as_ref().map_or_else(|| line.price.title.clone(), |d| d.product_title.clone()),
                variant_title: detail.as_ref().map(|d| d.variant_title.clone()).unwrap_or_default(),
                href: detail.as_ref().map(|d| format!("/products/{}", d.product_handle)),
                image_url: detail.as_ref().and_then(|d| d.image_url.clone()),
                available: detail.as_ref().and_then(|d| d.available),
                sku: line.price.sku.clone(),
                unit: line.price.price,
                quantity: line.quantity,
            }
        })
        .collect();
    let body = view! {
        <section class="cart" data-testid="cart">
            <h1>"Your cart"</h1>
            {notice.map(|n| view! { <p class="cart-notice" role="status" data-testid="cart-notice">{n}</p> })}
            <CartEditor lines/>
            <p><a href="/">"← Continue shopping"</a></p>
        </section>
    };
    let head = Head::private(format!("Your cart · {}", store.name));
    Page::ok(with_cart_count(&document(head, Some(store), true, "", body), count))
}

/// 404: no such page in this store (named, when it is known), or no store on this domain.
pub fn render_not_found(store: Option<&StoreInfo>) -> Page {
    let title = store.map_or_else(|| "Page not found".to_owned(), |s| format!("Page not found · {}", s.name));
    let message = store.map_or_else(
        || "We couldn't find what you were looking for.".to_owned(),
        |s| format!("We couldn't find that page in {}. It may have moved, or the product may no longer be on sale.", s.name),
    );
    let body = view! {
        <section class="notice" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>{message}</p>
            <p><a href="/">"Go to the home page"</a></p>
        </section>
    };
    Page::with_status(404, document(Head::error(&title), store, false, "", body))
}

/// 502: the storefront could not reach the catalog.
pub fn render_unavailable() -> Page {
    let body = view! {
        <section class="notice">
            <h1>"This store is temporarily unavailable"</h1>
            <p>"Please try again in a moment."</p>
        </section>
    };
    Page::with_status(502, document(Head::error("Temporarily unavailable"), None, false, "", body))
}

/// What a storefront host hands the renderer about one `GET`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest<'a> {
    /// The `Host` header.
    pub host: &'a str,
    /// The path, without the query.
    pub path: &'a str,
    /// The query string without `?`, if any.
    pub query: Option<&'a str>,
    /// The `Cookie` header, if any.
    pub cookies: Option<&'a str>,
    /// Now, in Unix milliseconds (for the domain cache).
    pub now_ms: i64,
}

/// A suspended store: it exists, and is closed for now (503, so that search engines come back).
pub fn render_store_unavailable() -> Page {
    let body = view! {
        <section class="notice">
            <h1>"This store is unavailable"</h1>
            <p>"It is closed for the moment. Please come back later."</p>
        </section>
    };
    Page::with_status(503, document(Head::error("Store unavailable"), None, false, "", body))
}

/// Serves one storefront request: resolves the store from the `Host` header, fetches the page's
/// data from origin and renders it. Unknown hosts and pages get the 404 page, a suspended store
/// the "store unavailable" page, and an unreachable origin the "temporarily unavailable" page.
/// What origin says about the domain is remembered in `cache` (see [`resolve`]), so that an
/// unknown host is answered without asking origin again.
pub async fn render_request<O: StorefrontOrigin>(origin: &O, cache: &DomainCache, request: &PageRequest<'_>) -> Page {
    let page = render_for_anyone(origin, cache, request).await;
    // The cart page counts its priced lines itself; every other page shows the cookie's count.
    if page.content_type != HTML || (StorefrontRoute::resolve(request.path) == StorefrontRoute::Cart && page.status == 200) {
        return page;
    }
    Page { html: with_cart_count_from(&page.html, request.cookies), ..page }
}

/// [`render_request`] before the shopper's cart count goes into the header.
async fn render_for_anyone<O: StorefrontOrigin>(origin: &O, cache: &DomainCache, request: &PageRequest<'_>) -> Page {
    let PageRequest { host, path, query, cookies, now_ms } = *request;
    let Ok(domain) = normalize_host(host) else {
        return render_not_found(None);
    };
    let known = cache.get(&domain, now_ms);
    match known {
        Some(DomainStatus::Unknown) => return render_not_found(None),
        Some(DomainStatus::Suspended) => return render_store_unavailable(),
        Some(DomainStatus::Active | DomainStatus::Refused) | None => {}
    }
    let route = StorefrontRoute::resolve(path);
    let listing = Listing::from_query(query);
    let result = match &route {
        StorefrontRoute::Home => origin.listing(&domain, &listing.request(None, false)).await.map(|c| (render_home(&c, &listing), None)),
        StorefrontRoute::Search => {
            // Without words there is nothing to search for: origin is asked only for the store.
            let request = match listing.q.is_empty() {
                true => ListingRequest { limit: Some(1), after: None, ..listing.request(None, false) },
                false => listing.request(None, true),
            };
            origin.listing(&domain, &request).await.map(|c| (render_search(&c, &listing), None))
        }
        StorefrontRoute::Product(handle) => {
            origin.product(&domain, handle).await.map(|p| (render_product(&p), Some(p.product.id)))
        }
        StorefrontRoute::Collection(handle) => {
            origin.listing(&domain, &listing.request(Some(handle.clone()), false)).await.map(|c| (render_collection(&c, &listing), None))
        }
        StorefrontRoute::Sitemap(part) => seo::sitemap_page(origin, &domain, *part).await.map(|page| (page, None)),
        StorefrontRoute::Cart => cart_page(origin, &domain, cookies, capped_line(query)).await.map(|page| (page, None)),
        StorefrontRoute::Robots => match known {
            Some(DomainStatus::Active) => Ok((seo::robots(&domain), None)),
            _ => match origin.validate_domain(&domain).await {
                Ok(true) => Ok((seo::robots(&domain), None)),
                Ok(false) => Err(OriginError::NotFound),
                Err(err) => Err(err),
            },
        },
        StorefrontRoute::NotFound => Err(OriginError::NotFound),
    };
    match result {
        Ok((page, product_id)) => {
            cache.put(&domain, DomainStatus::Active, now_ms);
            // Only pages a shopper sees count as views, not robots.txt or the sitemap.
            let search = (route == StorefrontRoute::Search && !listing.q.is_empty()).then(|| listing.q.clone());
            let analytics = (page.content_type == HTML).then_some(PageAnalytics { domain, product_id, search });
            Page { analytics, ..page }
        }
        Err(OriginError::Suspended) => {
            cache.put(&domain, DomainStatus::Suspended, now_ms);
            render_store_unavailable()
        }
        Err(OriginError::NotFound) => {
            // No such page, or no such store? A suspended store would have been 410, so a domain
            // that is not an active store is unknown. The home page's 404 already says so.
            let store = match (&route, known) {
                (StorefrontRoute::Home | StorefrontRoute::Sitemap(None) | StorefrontRoute::Cart | StorefrontRoute::Search, None | Some(DomainStatus::Refused | DomainStatus::Unknown | DomainStatus::Suspended)) => {
                    cache.put(&domain, DomainStatus::Unknown, now_ms);
                    None
                }
                // validate_domain already said no; it cannot tell unknown from suspended.
                (StorefrontRoute::Robots, _) => None,
                // Otherwise the store's own details (an empty price lookup) say whether it is
                // open, and give the 404 page its name.
                _ => match origin.prices(&domain, &zelly_edge::dto::PriceLookup { variant_ids: Vec::new() }).await {
                    Ok(list) => {
                        cache.put(&domain, DomainStatus::Active, now_ms);
                        list.store
                    }
                    Err(OriginError::NotFound) => {
                        cache.put(&domain, DomainStatus::Unknown, now_ms);
                        None
                    }
                    Err(OriginError::Suspended) => {
                        cache.put(&domain, DomainStatus::Suspended, now_ms);
                        return render_store_unavailable();
                    }
                    Err(_) => None,
                },
            };
            render_not_found(store.as_ref())
        }
        Err(OriginError::Unavailable(_) | OriginError::Rejected(_)) => render_unavailable(),
    }
}

/// The line a cart post was just capped at the stock of (`?capped=<variant>`), if any.
fn capped_line(query: Option<&str>) -> Option<uuid::Uuid> {
    let query = query?;
    form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "capped").and_then(|(_, v)| uuid::Uuid::parse_str(&v).ok())
}

/// The cart page of the store on `domain`, priced now. Lines origin does not know (gone, or
/// another store's) are left out.
async fn cart_page<O: StorefrontOrigin>(origin: &O, domain: &zelly_edge::DomainName, cookies: Option<&str>, capped: Option<uuid::Uuid>) -> Result<Page, OriginError> {
    let cart = cart::Cart::from_cookies(cookies);
    let ids: Vec<uuid::Uuid> = cart.lines().iter().map(|(id, _)| *id).collect();
    let list = origin.prices(domain, &zelly_edge::dto::PriceLookup { variant_ids: ids }).await?;
    let store = list.store.clone().ok_or_else(|| OriginError::Unavailable("core-api sent no store with the prices".into()))?;
    let lines: Vec<CartLine> = cart
        .lines()
        .iter()
        .filter_map(|(id, quantity)| {
            let price = list.prices.iter().find(|p| p.variant_id == *id)?.clone();
            Some(CartLine { price, detail: list.detail(*id).cloned(), quantity: *quantity })
        })
        .collect();
    Ok(render_cart(&store, &lines, capped))
}

/// Where a storefront host sends `/checkout…` in local development, where checkout runs on its own
/// port (`dev_port`); `None` in production, where the checkout Worker's route takes `/checkout*`
/// on the store's domain before the storefront sees it. The same host name keeps the cart cookie.
pub fn dev_checkout_redirect(host: &str, path: &str, query: Option<&str>, dev_port: Option<u16>) -> Option<String> {
    let port = dev_port?;
    if path != "/checkout" && !path.starts_with("/checkout/") {
        return None;
    }
    let domain = normalize_host(host).ok()?;
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("http://{domain}:{port}{path}{query}"))
}

/// What a storefront request asks for, decided from the path alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorefrontRoute {
    /// `/`
    Home,
    /// `/products/{handle}`
    Product(zelly_edge::Handle),
    /// `/collections/{handle}`
    Collection(zelly_edge::Handle),
    /// `/robots.txt`
    Robots,
    /// `/sitemap.xml` (`None`), or one file of a large store's sitemap, `/sitemap-{n}.xml`
    /// (`Some(n)`, from 1).
    Sitemap(Option<u32>),
    /// `/cart`
    Cart,
    /// `/search?q=`
    Search,
    /// Anything else.
    NotFound,
}

impl StorefrontRoute {
    /// Whether a `200` answer to this path is the same for every shopper, so an edge cache may
    /// keep it (per store and store version): catalog pages, robots.txt and the sitemap; never
    /// the cart or search results.
    pub fn is_shared(path: &str) -> bool {
        matches!(
            Self::resolve(path),
            StorefrontRoute::Home
                | StorefrontRoute::Product(_)
                | StorefrontRoute::Collection(_)
                | StorefrontRoute::Robots
                | StorefrontRoute::Sitemap(_)
        )
    }

    /// Routes a request path (without query).
    pub fn resolve(path: &str) -> Self {
        match path {
            "/" | "" => return StorefrontRoute::Home,
            "/robots.txt" => return StorefrontRoute::Robots,
            "/sitemap.xml" => return StorefrontRoute::Sitemap(None),
            "/cart" | "/cart/" => return StorefrontRoute::Cart,
            "/search" => return StorefrontRoute::Search,
            _ => {}
        }
        let handle_after = |prefix: &str| {
            let rest = path.strip_prefix(prefix)?;
            zelly_edge::Handle::parse(rest.strip_suffix('/').unwrap_or(rest)).ok()
        };
        let sitemap_file = path.strip_prefix("/sitemap-").and_then(|rest| rest.strip_suffix(".xml"));
        // `/sitemap-1.xml` … `/sitemap-200.xml`, one spelling each (no leading zeros).
        let sitemap_number = sitemap_file.filter(|n| !n.starts_with('0')).and_then(|n| n.parse::<u32>().ok());
        if let Some(n) = sitemap_number.filter(|n| (1..=seo::MAX_SITEMAP_FILES).contains(n)) {
            return StorefrontRoute::Sitemap(Some(n));
        }
        if let Some(handle) = handle_after("/products/") {
            return StorefrontRoute::Product(handle);
        }
        if let Some(handle) = handle_after("/collections/") {
            return StorefrontRoute::Collection(handle);
        }
        StorefrontRoute::NotFound
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use uuid::Uuid;
    use zelly_edge::dto::Variant;
    use zelly_edge::{Currency, DomainName, Handle, Money, TenantSlug};

    fn listing_of(store: StoreInfo, products: Vec<Product>) -> StoreListing {
        let products = products.iter().map(Product::summary).collect();
        StoreListing { store, collections: vec![], collection: None, featured: None, products, next: None }
    }

    fn store() -> StoreInfo {
        StoreInfo {
            slug: TenantSlug::parse("acme").unwrap(),
            name: "Acme <Goods>".into(),
            domain: DomainName::parse("acme.example").unwrap(),
            logo_url: None,
            accent_color: None,
        }
    }

    fn product(handle: &str, prices: &[i64]) -> Product {
        Product {
            id: Uuid::from_u128(1),
            handle: Handle::parse(handle).unwrap(),
            title: format!("Title {handle}"),
            description: "Nice <b>thing</b>".into(),
            image_url: Some(format!("/assets/{handle}.svg")),
            images: vec![],
            option_names: vec!["Size".into()],
            seo_title: None,
            seo_description: None,
            variants: prices
                .iter()
                .enumerate()
                .map(|(i, p)| Variant {
                    id: Uuid::from_u128(10 + i as u128),
                    sku: format!("SKU-{i}"),
                    title: format!("Option {i}"),
                    price: Money::new(*p, Currency::INR),
                    options: vec![format!("Option {i}")],
                    compare_at_price: None,
                    available: true,
                })
                .collect(),
        }
    }

    #[test]
    fn the_home_page_shows_every_product_with_name_price_and_image() {
        let page = render_home(&StoreListing {
            collections: vec![zelly_edge::dto::CollectionLink { handle: Handle::parse("summer").unwrap(), title: "Summer".into() }],
            ..listing_of(store(), vec![product("tee", &[129_900]), product("mug", &[500, 300])])
        }, &Listing::default());
        assert_eq!(page.status, 200);
        assert!(page.html.starts_with("<!DOCTYPE html><html"));
        assert!(page.html.contains("Title tee") && page.html.contains("₹1,299.00"));
        assert!(page.html.contains("From ") && page.html.contains("₹3.00"), "cheapest variant shown");
        assert!(page.html.contains(r#"src="/assets/tee.svg""#));
        assert!(page.html.contains(r#"href="/products/mug""#));
        assert!(page.html.contains(r#"href="/collections/summer""#) && page.html.contains(">Summer<"));
        assert!(page.html.contains(&format!("<script>{}</script>", analytics::TRACKER_SCRIPT)), "the tracker is inlined unescaped");
    }

    #[test]
    fn a_collection_page_lists_its_products_in_order() {
        let page = render_collection(&StoreListing {
            collection: Some(zelly_edge::dto::CollectionHeading { handle: Handle::parse("summer").unwrap(), title: "Summer".into(), description: "Light things".into() }),
            next: Some("1.tee".into()),
            ..listing_of(store(), vec![product("mug", &[300]), product("tee", &[100])])
        }, &Listing::default());
        assert!(page.html.contains(r#"href="/collections/summer?after=1.tee""#) && page.html.contains("Next page"), "the next page is a plain link");
        let (mug, tee) = (page.html.find("Title mug").unwrap(), page.html.find("Title tee").unwrap());
        assert!(mug < tee, "the merchant's order is kept");
        assert!(page.html.contains("Light things") && page.html.contains("<title>Summer · Acme &lt;Goods&gt;</title>"));
    }

    #[test]
    fn store_and_product_text_is_escaped() {
        let page = render_product(&StoreProduct { store: store(), product: product("tee", &[100]), stock: vec![] });
        assert!(page.html.contains("Acme &lt;Goods&gt;"));
        assert!(page.html.contains("Nice &lt;b&gt;thing&lt;/b&gt;"));
        assert!(!page.html.contains("<b>thing</b>"));
    }

    #[test]
    fn the_product_page_carries_every_variant_to_its_picker() {
        let page = render_product(&StoreProduct { store: store(), product: product("tee", &[100, 250]), stock: vec![] });
        let start = page.html.find(r#"data-props=""#).unwrap() + r#"data-props=""#.len();
        let props = &page.html[start..start + page.html[start..].find('"').unwrap()];
        let props: serde_json::Value = serde_json::from_str(&props.replace("&quot;", "\"").replace("&amp;", "&")).unwrap();
        assert_eq!(props["handle"], "tee");
        assert_eq!(props["variants"].as_array().unwrap().len(), 2);
        assert_eq!(props["variants"][1]["price"]["amount_minor"], 250);
        assert_eq!(props["variants"][1]["options"][0], "Option 1");
    }

    #[test]
    fn an_empty_store_says_so() {
        let page = render_home(&listing_of(store(), vec![]), &Listing::default());
        assert!(page.html.contains("no products yet"));
    }

    #[test]
    fn the_not_found_page_is_a_404() {
        assert_eq!(render_not_found(None).status, 404);
    }

    /// A store of 100,000 products, as far as its sitemap goes.
    struct HugeStore;

    impl StorefrontOrigin for HugeStore {
        async fn listing(&self, _: &DomainName, _: &ListingRequest) -> Result<StoreListing, OriginError> { Err(OriginError::NotFound) }
        async fn product(&self, _: &DomainName, _: &Handle) -> Result<StoreProduct, OriginError> { Err(OriginError::NotFound) }
        async fn sitemap(&self, _: &DomainName, offset: u64, limit: u32) -> Result<zelly_edge::dto::StoreSitemap, OriginError> {
            let products = (offset..(offset + u64::from(limit)).min(100_000)).map(|i| Handle::parse(&format!("p-{i:06}")).unwrap()).collect();
            let collections = if offset == 0 { vec![Handle::parse("all").unwrap()] } else { vec![] };
            Ok(zelly_edge::dto::StoreSitemap { store: store(), total: 100_000, collections, products })
        }
        async fn prices(&self, _: &DomainName, _: &zelly_edge::dto::PriceLookup) -> Result<zelly_edge::dto::PriceList, OriginError> { Err(OriginError::NotFound) }
        async fn validate_domain(&self, _: &DomainName) -> Result<bool, OriginError> { Ok(true) }
        async fn store_version(&self, _: &DomainName) -> Result<i64, OriginError> { Ok(1) }
        async fn send_events(&self, _: &DomainName, _: &zelly_edge::events::EventBatch, _: Option<&str>) -> Result<(), OriginError> { Ok(()) }
    }

    #[test]
    fn a_large_stores_sitemap_is_an_index_of_files_that_list_every_product_once() {
        let get = |path: &str| block_on(render_request(&HugeStore, &DomainCache::new(), &req("acme.example", path, 0)));
        let index = get("/sitemap.xml");
        assert!(index.html.contains("<sitemapindex"), "{}", &index.html[..200]);
        assert_eq!(index.html.matches("<sitemap>").count(), 3, "45,000 products a file");
        assert!(index.html.contains("<loc>https://acme.example/sitemap-3.xml</loc>"));
        let mut seen = 0;
        for n in 1..=3 {
            let file = get(&format!("/sitemap-{n}.xml"));
            assert_eq!(file.status, 200);
            let urls = file.html.matches("<loc>").count();
            assert!(urls <= zelly_edge::dto::SITEMAP_MAX_URLS);
            seen += file.html.matches("/products/").count();
        }
        assert_eq!(seen, 100_000);
        assert_eq!(get("/sitemap-4.xml").status, 404, "past the last file");
        assert!(get("/sitemap-1.xml").html.contains("<loc>https://acme.example/collections/all</loc>"));
    }

    #[test]
    fn sitemap_files_route_by_number_in_one_spelling() {
        assert_eq!(StorefrontRoute::resolve("/sitemap-1.xml"), StorefrontRoute::Sitemap(Some(1)));
        assert_eq!(StorefrontRoute::resolve("/sitemap-200.xml"), StorefrontRoute::Sitemap(Some(200)));
        for other in ["/sitemap-0.xml", "/sitemap-01.xml", "/sitemap-201.xml", "/sitemap-x.xml", "/sitemap-.xml"] {
            assert_eq!(StorefrontRoute::resolve(other), StorefrontRoute::NotFound, "{other}");
        }
    }

    #[test]
    fn paths_route_to_pages() {
        assert_eq!(StorefrontRoute::resolve("/"), StorefrontRoute::Home);
        assert_eq!(StorefrontRoute::resolve("/products/tee"), StorefrontRoute::Product(Handle::parse("tee").unwrap()));
        assert_eq!(StorefrontRoute::resolve("/products/tee/"), StorefrontRoute::Product(Handle::parse("tee").unwrap()));
        assert_eq!(StorefrontRoute::resolve("/products/Bad Handle"), StorefrontRoute::NotFound);
        assert_eq!(StorefrontRoute::resolve("/products/"), StorefrontRoute::NotFound);
        assert_eq!(StorefrontRoute::resolve("/collections/summer"), StorefrontRoute::Collection(Handle::parse("summer").unwrap()));
        assert_eq!(StorefrontRoute::resolve("/wp-admin"), StorefrontRoute::NotFound);
    }

    /// An origin that counts its calls: one store `acme.example` with product `tee`, and a
    /// suspended store `closed.example`.
    #[derive(Default)]
    struct CountingOrigin {
        calls: std::cell::Cell<u32>,
    }

    impl CountingOrigin {
        fn answer(&self, domain: &DomainName) -> Result<(), OriginError> {
            self.calls.set(self.calls.get() + 1);
            match domain.as_str() {
                "acme.example" => Ok(()),
                "closed.example" => Err(OriginError::Suspended),
                _ => Err(OriginError::NotFound),
            }
        }
    }

    impl StorefrontOrigin for CountingOrigin {
        async fn listing(&self, domain: &DomainName, request: &ListingRequest) -> Result<StoreListing, OriginError> {
            self.answer(domain)?;
            if request.collection.is_some() {
                return Err(OriginError::NotFound);
            }
            let words = request.q.as_deref().map(str::to_lowercase).unwrap_or_default();
            let products = vec![product("tee", &[100])].into_iter().filter(|p| p.title.to_lowercase().contains(&words)).collect();
            Ok(listing_of(store(), products))
        }
        async fn product(&self, domain: &DomainName, handle: &Handle) -> Result<StoreProduct, OriginError> {
            self.answer(domain)?;
            if handle.as_str() == "tee" { Ok(StoreProduct { store: store(), product: product("tee", &[100]), stock: vec![] }) } else { Err(OriginError::NotFound) }
        }
        async fn sitemap(&self, domain: &DomainName, offset: u64, _: u32) -> Result<zelly_edge::dto::StoreSitemap, OriginError> {
            self.answer(domain)?;
            let products = if offset == 0 { vec![Handle::parse("tee").unwrap()] } else { vec![] };
            Ok(zelly_edge::dto::StoreSitemap { store: store(), total: 1, collections: vec![], products })
        }
        async fn prices(&self, domain: &DomainName, _: &zelly_edge::dto::PriceLookup) -> Result<zelly_edge::dto::PriceList, OriginError> {
            // As core-api: the store with no prices (none of these variants are its own).
            self.answer(domain).map(|()| zelly_edge::dto::PriceList { prices: vec![], store: Some(store()), cash_on_delivery: false, online_payments: true, details: vec![] })
        }
        async fn validate_domain(&self, domain: &DomainName) -> Result<bool, OriginError> {
            Ok(self.answer(domain).is_ok())
        }
        async fn store_version(&self, domain: &DomainName) -> Result<i64, OriginError> {
            self.answer(domain).map(|()| 1)
        }
        async fn send_events(&self, _: &DomainName, _: &zelly_edge::events::EventBatch, _: Option<&str>) -> Result<(), OriginError> {
            Ok(())
        }
    }

    /// A plain `GET` of `path` on `host` at `now_ms`.
    fn req<'a>(host: &'a str, path: &'a str, now_ms: i64) -> PageRequest<'a> {
        PageRequest { host, path, query: None, cookies: None, now_ms }
    }

    /// A minimal executor for the fake origin, whose futures are always ready.
    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    #[test]
    fn an_unknown_host_is_asked_about_once_then_answered_from_memory() {
        let origin = CountingOrigin::default();
        let cache = DomainCache::new();
        assert_eq!(block_on(render_request(&origin, &cache, &req("nobody.example", "/", 0))).status, 404);
        assert_eq!(origin.calls.get(), 1);
        assert_eq!(block_on(render_request(&origin, &cache, &req("NOBODY.example.", "/products/x", 1_000))).status, 404);
        assert_eq!(origin.calls.get(), 1, "the second request never reached origin");
        assert_eq!(block_on(resolve::allow_cert(&origin, &cache, Some("nobody.example"), 2_000)), 404);
        assert_eq!(origin.calls.get(), 1, "nor did Caddy's question");
        // Past the negative TTL, origin is asked again (the domain may have been added since).
        block_on(render_request(&origin, &cache, &req("nobody.example", "/", 1 + DomainCache::INACTIVE_TTL_MS)));
        assert_eq!(origin.calls.get(), 2);
    }

    #[test]
    fn a_missing_page_of_a_known_store_is_a_404_but_the_store_stays_known() {
        let origin = CountingOrigin::default();
        let cache = DomainCache::new();
        assert_eq!(block_on(render_request(&origin, &cache, &req("acme.example", "/products/nope", 0))).status, 404);
        assert_eq!(origin.calls.get(), 2, "the product, then whether the store exists");
        assert_eq!(block_on(render_request(&origin, &cache, &req("acme.example", "/products/tee", 10))).status, 200);
        assert_eq!(block_on(resolve::allow_cert(&origin, &cache, Some("acme.example"), 20)), 200);
        assert_eq!(origin.calls.get(), 3, "the certificate answer came from memory");
    }

    #[test]
    fn a_suspended_store_is_closed_not_missing_and_gets_no_certificate() {
        let origin = CountingOrigin::default();
        let cache = DomainCache::new();
        let page = block_on(render_request(&origin, &cache, &req("closed.example", "/", 0)));
        assert_eq!(page.status, 503);
        assert!(page.html.contains("This store is unavailable"));
        assert!(page.analytics.is_none(), "a closed store's page counts for nothing");
        assert_eq!(block_on(resolve::allow_cert(&origin, &cache, Some("closed.example"), 10)), 404);
        assert_eq!(block_on(resolve::allow_cert(&origin, &cache, Some("10.0.0.1"), 10)), 400);
        assert_eq!(block_on(resolve::allow_cert(&origin, &cache, None, 10)), 400);
        assert_eq!(origin.calls.get(), 1);
    }

    #[test]
    fn a_product_page_tells_search_engines_and_previews_about_itself_on_its_own_domain() {
        let page = render_product(&StoreProduct { store: store(), product: product("tee", &[129_950, 100]), stock: vec![] });
        let html = &page.html;
        assert!(html.contains(r#"<link rel="canonical" href="https://acme.example/products/tee">"#), "{html}");
        assert!(html.contains(r#"<meta property="og:type" content="product">"#));
        assert!(html.contains(r#"<meta property="og:image" content="https://acme.example/assets/tee.svg">"#));
        assert!(html.contains(r#"<meta property="og:site_name" content="Acme &lt;Goods&gt;">"#));
        assert!(html.contains(r#"<meta name="description" content="Nice &lt;b&gt;thing&lt;/b&gt;">"#));
        let start = html.find(r#"<script type="application/ld+json">"#).unwrap() + r#"<script type="application/ld+json">"#.len();
        let end = start + html[start..].find("</script>").unwrap();
        let data: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
        assert_eq!(data["@type"], "Product");
        assert_eq!(data["name"], "Title tee");
        assert_eq!(data["brand"]["name"], "Acme <Goods>");
        assert_eq!(data["offers"][0]["price"], "1299.50");
        assert_eq!(data["offers"][0]["priceCurrency"], "INR");
        assert_eq!(data["offers"][1]["sku"], "SKU-1");
    }

    #[test]
    fn error_pages_are_not_indexed_and_name_no_canonical_url() {
        for page in [render_not_found(None), render_unavailable(), render_store_unavailable()] {
            assert!(page.html.contains(r#"<meta name="robots" content="noindex">"#));
            assert!(!page.html.contains("canonical"));
        }
    }

    #[test]
    fn robots_and_sitemap_name_only_the_requesting_domain() {
        let origin = CountingOrigin::default();
        let cache = DomainCache::new();
        let robots = block_on(render_request(&origin, &cache, &req("ACME.example:443", "/robots.txt", 0)));
        assert_eq!((robots.status, robots.content_type), (200, "text/plain; charset=utf-8"));
        assert!(robots.html.contains("Sitemap: https://acme.example/sitemap.xml") && robots.html.contains("Disallow: /cart"));
        assert!(robots.analytics.is_none(), "robots.txt is not a page view");
        let sitemap = block_on(render_request(&origin, &cache, &req("acme.example", "/sitemap.xml", 0)));
        assert_eq!(sitemap.content_type, "application/xml; charset=utf-8");
        assert!(sitemap.html.contains("<loc>https://acme.example/</loc>"));
        assert!(sitemap.html.contains("<loc>https://acme.example/products/tee</loc>"));
        assert_eq!(sitemap.html.matches("<loc>").count(), 2);
        assert_eq!(block_on(render_request(&origin, &cache, &req("nobody.example", "/robots.txt", 0))).status, 404);
        assert_eq!(block_on(render_request(&origin, &cache, &req("nobody.example", "/sitemap.xml", 0))).status, 404);
    }

    #[test]
    fn a_store_wears_its_own_logo_and_accent_and_nothing_else() {
        let themed = StoreInfo { logo_url: Some("/assets/acme.svg".into()), accent_color: Some("#aa3300".into()), ..store() };
        let page = render_home(&listing_of(themed.clone(), vec![]), &Listing::default());
        assert!(page.html.contains(r#"<body style="--accent:#aa3300;--on-accent:#ffffff;">"#), "{}", page.html);
        assert!(page.html.contains(r#"<img src="/assets/acme.svg" alt="" height="40" class="brand-logo">"#));
        let plain = render_home(&listing_of(store(), vec![]), &Listing::default());
        assert!(!plain.html.contains(r#"style="--accent"#) && !plain.html.contains(r#"class="brand-logo""#));
        let sneaky = StoreInfo { accent_color: Some("red;background:url(//x)".into()), ..store() };
        let page = render_home(&listing_of(sneaky, vec![]), &Listing::default());
        assert!(!page.html.contains("background:url"), "only #rrggbb reaches the style attribute");
    }

    #[test]
    fn the_product_page_is_a_form_that_adds_the_chosen_options_without_javascript() {
        let mut p = product("tee", &[100, 250, 300]);
        p.variants[0].available = false;
        p.variants[1].compare_at_price = Some(Money::new(400, Currency::INR));
        let page = render_product(&StoreProduct { store: store(), product: p.clone(), stock: vec![] });
        let html = &page.html;
        assert!(html.contains(r#"<form method="post" action="/cart" class="buy">"#), "{html}");
        assert!(html.contains(r#"<input type="hidden" name="product" value="tee">"#));
        // One select per option, the first available combination chosen, with its price and stock.
        assert!(html.contains(r#"<span class="option-name">Size</span><select name="option0""#), "{html}");
        assert!(html.contains(r#"<option value="Option 1" selected>Option 1</option>"#));
        assert_eq!(html.matches("<option ").count(), 3);
        assert!(html.contains(r#"<span data-testid="price" class="price">₹2.50</span>"#), "{html}");
        assert!(html.contains(r#"<s class="compare-at">₹4.00</s>"#));
        assert!(html.contains(r#"<p data-testid="stock" class="stock">In stock</p>"#));
        assert!(html.contains(r#"<p class="price-range">₹1.00 – ₹3.00</p>"#), "every price is on the page without JavaScript");
        // It is an island, loaded by the page's module script.
        assert!(html.contains(r#"<leptos-island data-component="BuyBox_"#));
        assert!(html.contains(&format!("import init,*as z from\"{}/storefront.js\"", islands::BUNDLE_PATH)));
        p.variants.iter_mut().for_each(|v| v.available = false);
        let none_left = render_product(&StoreProduct { store: store(), product: p, stock: vec![] });
        let button = &none_left.html[none_left.html.find(r#"data-testid="add-to-cart""#).unwrap()..];
        let button = &button[..button.find("</button>").unwrap()];
        assert!(button.contains("disabled") && button.contains("Unavailable"), "{button}");
        assert!(none_left.html.contains(">Sold out</p>"));
    }

    #[test]
    fn the_home_page_leads_with_the_featured_collection_in_its_order() {
        let products: Vec<Product> = ["tee", "mug", "cap"]
            .iter()
            .enumerate()
            .map(|(n, handle)| Product { id: Uuid::from_u128(100 + n as u128), ..product(handle, &[100]) })
            .collect();
        let featured = zelly_edge::dto::FeaturedProducts {
            handle: Handle::parse("summer").unwrap(),
            title: "Summer picks".into(),
            // The cap, then the tee, as origin gives them.
            products: vec![products[2].summary(), products[0].summary()],
        };
        let catalog = StoreListing { featured: Some(featured), ..listing_of(store(), products) };
        let html = render_home(&catalog, &Listing::default()).html;
        let section = &html[html.find(r#"data-testid="featured""#).unwrap()..];
        let section = &section[..section.find("</section>").unwrap()];
        assert!(section.contains("<h2 class=\"featured-title\">Summer picks</h2>"), "{section}");
        assert_eq!(section.matches(r#"class="card""#).count(), 2);
        assert!(section.find("Title cap").unwrap() < section.find("Title tee").unwrap());
        assert!(section.contains(r#"href="/collections/summer""#));
        let none = StoreListing { featured: None, ..catalog.clone() };
        assert!(!render_home(&none, &Listing::default()).html.contains(r#"data-testid="featured""#));
        let later = Listing::from_query(Some("after=5.tee"));
        assert!(!render_home(&catalog, &later).html.contains(r#"data-testid="featured""#), "only the first page leads with it");
    }

    #[test]
    fn only_pages_with_islands_load_the_bundle() {
        let home = render_home(&listing_of(store(), vec![product("tee", &[100])]), &Listing::default());
        assert!(!home.html.contains("leptos-island") && !home.html.contains(islands::BUNDLE_PATH));
        assert!(!render_not_found(None).html.contains(islands::BUNDLE_PATH));
        assert!(render_cart(&store(), &[], None).html.contains(islands::BUNDLE_PATH));
    }

    #[test]
    fn the_cart_prices_each_line_and_offers_to_change_it() {
        let price = |n: u128, minor: i64| zelly_edge::dto::VariantPrice {
            variant_id: Uuid::from_u128(n),
            title: format!("Tee / {n}"),
            sku: format!("TEE-{n}"),
            price: Money::new(minor, Currency::INR),
        };
        let lines = [CartLine { price: price(1, 129_900), detail: None, quantity: 2 }, CartLine { price: price(2, 50), detail: None, quantity: 1 }];
        let page = render_cart(&store(), &lines, None);
        assert_eq!(page.status, 200);
        assert!(page.html.contains("₹2,598.00") && page.html.contains("₹2,598.50"), "line total and subtotal");
        assert_eq!(page.html.matches(r#"data-testid="cart-line""#).count(), 2);
        assert!(page.html.contains(r#"<meta name="robots" content="noindex">"#));
        assert!(page.html.contains(r#"href="/checkout" data-testid="checkout-link""#));
        let empty = render_cart(&store(), &[], None);
        assert!(empty.html.contains("Your cart is empty."));
        assert!(!empty.html.contains(r#"data-testid="checkout-link""#), "nothing to check out");
    }

    #[test]
    fn checkout_is_sent_to_its_own_port_only_in_dev() {
        assert_eq!(dev_checkout_redirect("Demo.localhost:8787", "/checkout", None, Some(8788)), Some("http://demo.localhost:8788/checkout".into()));
        assert_eq!(dev_checkout_redirect("demo.localhost", "/checkout/x/confirmation", Some("a=1"), Some(1)), Some("http://demo.localhost:1/checkout/x/confirmation?a=1".into()));
        assert_eq!(dev_checkout_redirect("demo.localhost", "/checkout", None, None), None);
        assert_eq!(dev_checkout_redirect("demo.localhost", "/checkouts", None, Some(1)), None);
        assert_eq!(dev_checkout_redirect("bad host!", "/checkout", None, Some(1)), None);
    }

    #[test]
    fn the_cart_page_drops_lines_origin_does_not_price() {
        struct Prices;
        impl StorefrontOrigin for Prices {
            async fn listing(&self, _: &DomainName, _: &ListingRequest) -> Result<StoreListing, OriginError> { Err(OriginError::NotFound) }
            async fn product(&self, _: &DomainName, _: &Handle) -> Result<StoreProduct, OriginError> { Err(OriginError::NotFound) }
            async fn sitemap(&self, _: &DomainName, _: u64, _: u32) -> Result<zelly_edge::dto::StoreSitemap, OriginError> { Err(OriginError::NotFound) }
            async fn prices(&self, _: &DomainName, lookup: &zelly_edge::dto::PriceLookup) -> Result<zelly_edge::dto::PriceList, OriginError> {
                let prices = lookup.variant_ids.iter().filter(|id| id.as_u128() == 1).map(|id| zelly_edge::dto::VariantPrice {
                    variant_id: *id, title: "Tee".into(), sku: "TEE".into(), price: Money::new(1_000, Currency::INR),
                }).collect();
                Ok(zelly_edge::dto::PriceList { prices, store: Some(store()), cash_on_delivery: false, online_payments: true, details: vec![] })
            }
            async fn validate_domain(&self, _: &DomainName) -> Result<bool, OriginError> { Ok(true) }
            async fn store_version(&self, _: &DomainName) -> Result<i64, OriginError> { Ok(1) }
            async fn send_events(&self, _: &DomainName, _: &zelly_edge::events::EventBatch, _: Option<&str>) -> Result<(), OriginError> { Ok(()) }
        }
        let cookie = format!("zelly_cart={}_3.{}_1", Uuid::from_u128(1).simple(), Uuid::from_u128(2).simple());
        let page = block_on(render_request(&Prices, &DomainCache::new(), &PageRequest { host: "acme.example", path: "/cart", query: None, cookies: Some(&cookie), now_ms: 0 }));
        assert_eq!(page.status, 200);
        assert_eq!(page.html.matches(r#"data-testid="cart-line""#).count(), 1, "another store's variant is not shown");
        assert!(page.html.contains("₹30.00"));
    }

    #[test]
    fn search_results_list_matches_and_count_as_a_search() {
        let origin = CountingOrigin::default();
        let cache = DomainCache::new();
        let request = PageRequest { host: "acme.example", path: "/search", query: Some("q=TITLE+tee"), cookies: None, now_ms: 0 };
        let page = block_on(render_request(&origin, &cache, &request));
        assert_eq!(page.status, 200);
        assert!(page.html.contains("Results for “TITLE tee”") && page.html.contains("Title tee"), "{}", page.html);
        assert!(page.html.contains(r#"<meta name="robots" content="noindex">"#));
        let analytics = page.analytics.unwrap();
        let events = analytics::page_events(&analytics, "s", "/search").events;
        assert_eq!(events.iter().filter(|e| e.kind == zelly_edge::events::EventKind::Search).count(), 1);
        assert_eq!(events[1].query.as_deref(), Some("TITLE tee"));
        let none = block_on(render_request(&origin, &cache, &PageRequest { query: Some("q=zzz"), ..request }));
        assert!(none.html.contains("Nothing matched"));
    }

    fn detailed_line(n: u128, quantity: u32, available: Option<u32>) -> CartLine {
        let id = Uuid::from_u128(n);
        CartLine {
            price: zelly_edge::dto::VariantPrice { variant_id: id, title: "Brass Diya / Large".into(), sku: format!("DIYA-L-{n}"), price: Money::new(69_900, Currency::INR) },
            detail: Some(zelly_edge::dto::VariantDetail {
                variant_id: id,
                product_title: "Brass Diya".into(),
                product_handle: Handle::parse("brass-diya").unwrap(),
                variant_title: "Large".into(),
                image_url: Some("/assets/demo/brass-diya.svg".into()),
                available,
            }),
            quantity,
        }
    }

    #[test]
    fn cart_lines_show_the_products_name_and_picture_not_the_sku() {
        let page = render_cart(&store(), &[detailed_line(1, 2, None)], None);
        let line = &page.html[page.html.find(r#"data-testid="cart-line""#).unwrap()..];
        let line = &line[..line.find("</li>").unwrap()];
        assert!(line.contains(r#"<a href="/products/brass-diya">Brass Diya</a>"#), "{line}");
        assert!(line.contains(r#"<span class="cart-variant">Large</span>"#), "{line}");
        assert!(line.contains(r#"src="/assets/demo/brass-diya.svg""#), "{line}");
        assert!(!line.contains(">DIYA-L-1<"), "the SKU is not shown as a name: {line}");
        assert!(page.html.contains(r#"data-testid="checkout-link""#));
        assert!(page.html.contains(r#"<span class="cart-count" data-testid="cart-count" aria-label="items">2<"#), "the header counts the cart");
    }

    #[test]
    fn a_line_over_the_stock_left_says_so_by_name_and_offers_the_fix_instead_of_checkout() {
        let page = render_cart(&store(), &[detailed_line(1, 5, Some(2)), detailed_line(2, 1, Some(0))], None);
        let html = &page.html;
        assert!(html.contains("Only 2 left of Brass Diya — Large; your cart has 5."), "{html}");
        assert!(html.contains("Brass Diya — Large is sold out."), "{html}");
        assert!(html.contains(r#"<input type="hidden" name="quantity" value="2">"#) && html.contains(">Change to 2</button>"), "{html}");
        assert!(html.contains(">Remove it</button>"));
        assert!(!html.contains(r#"data-testid="checkout-link""#), "no checkout until it is fixed");
        assert!(html.contains(r#"data-testid="cart-blocked""#));
        // Within the stock, nothing to fix.
        let fine = render_cart(&store(), &[detailed_line(1, 2, Some(2))], None);
        assert!(!fine.html.contains(r#"data-testid="cart-problem""#) && fine.html.contains(r#"data-testid="checkout-link""#));
        // After an add was capped, the page says how many are left.
        let capped = render_cart(&store(), &[detailed_line(1, 2, Some(2))], Some(Uuid::from_u128(1)));
        assert!(capped.html.contains(r#"data-testid="cart-notice" class="cart-notice">Only 2 left of Brass Diya — Large; your cart has 2.</p>"#), "{}", capped.html);
    }

    #[test]
    fn every_page_shows_the_carts_item_count_in_the_header() {
        let origin = CountingOrigin::default();
        let cache = DomainCache::new();
        let cookie = format!("zelly_cart={}_3.{}_2", Uuid::from_u128(1).simple(), Uuid::from_u128(2).simple());
        for path in ["/", "/products/tee", "/search", "/nowhere"] {
            let page = block_on(render_request(&origin, &cache, &PageRequest { host: "acme.example", path, query: None, cookies: Some(&cookie), now_ms: 0 }));
            assert!(page.html.contains(r#"aria-label="items">5</span>"#), "{path}: {}", page.html);
        }
        let none = block_on(render_request(&origin, &cache, &req("acme.example", "/", 0)));
        assert!(none.html.contains(r#"aria-label="items">0</span>"#));
        assert_eq!(with_cart_count(&none.html, 12).matches(r#"aria-label="items">12</span>"#).count(), 1);
        assert_eq!(with_cart_count("no header here", 3), "no header here");
    }

    #[test]
    fn a_missing_page_carries_the_stores_name() {
        let origin = CountingOrigin::default();
        let page = block_on(render_request(&origin, &DomainCache::new(), &req("acme.example", "/nowhere", 0)));
        assert_eq!(page.status, 404);
        assert!(page.html.contains("<title>Page not found · Acme &lt;Goods&gt;</title>"), "{}", page.html);
        assert!(page.html.contains("We couldn&#x27;t find that page in Acme &lt;Goods&gt;.") || page.html.contains("We couldn't find that page in Acme &lt;Goods&gt;."), "{}", page.html);
        assert!(page.html.contains(r#"<span class="brand-name">Acme &lt;Goods&gt;</span>"#));
        let unknown = block_on(render_request(&origin, &DomainCache::new(), &req("nobody.example", "/nowhere", 0)));
        assert!(unknown.html.contains(r#"<span class="brand-name">Zelly</span>"#));
    }

    #[test]
    fn the_search_box_keeps_the_query_and_says_when_nothing_matched() {
        let origin = CountingOrigin::default();
        let request = PageRequest { host: "acme.example", path: "/search", query: Some("q=tee+%22x"), cookies: None, now_ms: 0 };
        let page = block_on(render_request(&origin, &DomainCache::new(), &request));
        assert!(page.html.contains(r#"name="q" value="tee &quot;x""#), "{}", page.html);
        let one = block_on(render_request(&origin, &DomainCache::new(), &PageRequest { query: Some("q=tee"), ..request }));
        assert!(one.html.contains("Results for “tee”") && one.html.contains("Title tee"), "{}", one.html);
        assert!(page.html.contains("No results for “tee \"x”"), "{}", page.html);
    }

    #[test]
    fn the_first_row_of_cards_loads_at_once_and_the_rest_lazily() {
        let products: Vec<Product> = (0..6).map(|n| Product { id: Uuid::from_u128(100 + n), ..product(&format!("p{n}"), &[100]) }).collect();
        let html = render_home(&listing_of(store(), products), &Listing::default()).html;
        assert_eq!(html.matches(r#"loading="eager""#).count(), EAGER_CARDS, "{html}");
        assert_eq!(html.matches(r#"loading="lazy""#).count(), 2);
        let first_card = &html[html.find(r#"class="card""#).unwrap()..];
        assert!(first_card[..first_card.find("</li>").unwrap()].contains(r#"loading="eager""#));
    }

    #[test]
    fn a_product_sold_in_one_variant_shows_no_option_picker() {
        let page = render_product(&StoreProduct { store: store(), product: product("tee", &[100]), stock: vec![] });
        assert!(!page.html.contains("<select"), "{}", page.html);
        assert!(page.html.contains(r#"data-testid="add-to-cart""#));
        let two = render_product(&StoreProduct { store: store(), product: product("tee", &[100, 200]), stock: vec![] });
        assert_eq!(two.html.matches("<select").count(), 1);
    }

    #[test]
    fn a_store_with_a_pale_accent_gets_dark_button_text() {
        let pale = StoreInfo { accent_color: Some("#ffd400".into()), ..store() };
        let page = render_home(&listing_of(pale, vec![]), &Listing::default());
        assert!(page.html.contains(r#"<body style="--accent:#ffd400;--on-accent:#000000;">"#), "{}", page.html);
        assert!(STYLE.contains("color:var(--on-accent,#fff)"), "buttons take their text colour from the accent's");
    }
}
