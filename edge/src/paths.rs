//! Paths of core-api's storefront read API, shared by core-api's router and by every client of it
//! (the storefront hosts and the checkout hosts), so that the two sides cannot drift apart.

use crate::domain::{DomainName, Handle};

/// Route pattern: one page of a store's products (the home page and search), by domain.
pub const STORE_LISTING: &str = "/api/storefront/domains/{domain}/products";
/// Route pattern: one product of a store by handle.
pub const STORE_PRODUCT: &str = "/api/storefront/domains/{domain}/products/{handle}";
/// Route pattern: one page of a store's collection, by handle.
pub const STORE_COLLECTION: &str = "/api/storefront/domains/{domain}/collections/{handle}";
/// Route pattern: one stretch of a store's sitemap.
pub const STORE_SITEMAP: &str = "/api/storefront/domains/{domain}/sitemap";
/// Route pattern: current prices of variants of a store.
pub const STORE_PRICES: &str = "/api/storefront/domains/{domain}/prices";
/// Route pattern: the version of what a store's storefront shows (edge cache keys).
pub const STORE_VERSION: &str = "/api/storefront/domains/{domain}/version";
/// Route pattern: storefront analytics events of a store (intake).
pub const STORE_EVENTS: &str = "/api/storefront/domains/{domain}/events";
/// Route pattern: a store's checkouts (start one).
pub const STORE_CHECKOUTS: &str = "/api/storefront/domains/{domain}/checkouts";
/// Route pattern: one checkout.
pub const STORE_CHECKOUT: &str = "/api/storefront/domains/{domain}/checkouts/{id}";
/// Route pattern: a checkout's payment-provider order.
pub const STORE_CHECKOUT_PROVIDER_ORDER: &str = "/api/storefront/domains/{domain}/checkouts/{id}/provider-order";
/// Route pattern: turning a checkout into its order.
pub const STORE_CHECKOUT_FINALIZE: &str = "/api/storefront/domains/{domain}/checkouts/{id}/finalize";
/// Route pattern: the Razorpay order of a checkout (created by core-api).
pub const STORE_CHECKOUT_RAZORPAY_ORDER: &str = "/api/storefront/domains/{domain}/checkouts/{id}/razorpay-order";
/// Route pattern: a Standard Checkout callback, verified by core-api.
pub const STORE_CHECKOUT_RAZORPAY_CALLBACK: &str = "/api/storefront/domains/{domain}/checkouts/{id}/razorpay-callback";
/// Route pattern: core-api asks Razorpay whether the checkout's order was paid (a callback that
/// never came back).
pub const STORE_CHECKOUT_RAZORPAY_PAYMENT: &str = "/api/storefront/domains/{domain}/checkouts/{id}/razorpay-payment";
/// Route pattern: the order a checkout became.
pub const STORE_CHECKOUT_ORDER: &str = "/api/storefront/domains/{domain}/checkouts/{id}/order";
/// A shopper's orders at the store, by the email they were placed with (`?email=`): what
/// `/account` lists for a signed-in shopper whose address is confirmed.
pub const STORE_SHOPPER_ORDERS: &str = "/api/storefront/domains/{domain}/shopper-orders";
/// Header with which a storefront host tells intake the shopper's IP address, for rate limiting.
pub const SHOPPER_IP_HEADER: &str = "x-zelly-shopper-ip";
/// Route pattern: does a domain belong to an active tenant (the seed's endpoint, used by Caddy's ask).
pub const VALIDATE_TENANT_DOMAIN: &str = "/validate_tenant_domain/{domain}";

/// `GET` path of one page of a listing: the home page's products, a search, or a collection.
pub fn store_listing(domain: &DomainName, request: &crate::dto::ListingRequest) -> String {
    let base = match &request.collection {
        Some(handle) => format!("/api/storefront/domains/{domain}/collections/{handle}"),
        None => format!("/api/storefront/domains/{domain}/products"),
    };
    let query = request.query_string();
    if query.is_empty() { base } else { format!("{base}?{query}") }
}

/// `GET` path of the stretch of a store's sitemap from `offset`.
pub fn store_sitemap(domain: &DomainName, offset: u64, limit: u32) -> String {
    format!("/api/storefront/domains/{domain}/sitemap?offset={offset}&limit={limit}")
}

/// `GET` path of one product page's data.
pub fn store_product(domain: &DomainName, handle: &Handle) -> String {
    format!("/api/storefront/domains/{domain}/products/{handle}")
}

/// `POST` path of the price lookup.
pub fn store_prices(domain: &DomainName) -> String {
    format!("/api/storefront/domains/{domain}/prices")
}

/// `GET` path of a store's storefront version.
pub fn store_version(domain: &DomainName) -> String {
    format!("/api/storefront/domains/{domain}/version")
}

/// `POST` path of the event intake.
pub fn store_events(domain: &DomainName) -> String {
    format!("/api/storefront/domains/{domain}/events")
}

/// `POST` path that starts a checkout.
pub fn store_checkouts(domain: &DomainName) -> String {
    format!("/api/storefront/domains/{domain}/checkouts")
}

/// Path of one checkout (the base of its `finalize`, `razorpay-order`, … paths).
pub fn store_checkout(domain: &DomainName, id: uuid::Uuid) -> String {
    format!("/api/storefront/domains/{domain}/checkouts/{id}")
}

/// `GET` path of the tenant-domain validation.
pub fn validate_tenant_domain(domain: &DomainName) -> String {
    format!("/validate_tenant_domain/{domain}")
}
