//! Runtime configuration read from the page's `<meta>` tags, so one build serves every environment:
//! a dev server or deployment rewrites the `content` values in `index.html`, no rebuild needed.
//! core-api's base URL is in the `zelly-api-base` tag ([`zelly_ui_kit::config::API_BASE_META`]);
//! where merchants sign in is in `zelly-auth-base` and `zelly-firebase-api-key`
//! ([`zelly_ui_kit::auth`]).

use zelly_ui_kit::auth::{API_KEY_META, AUTH_BASE_META, DEFAULT_API_KEY, DEFAULT_AUTH_BASE};
use zelly_ui_kit::config::{API_BASE_META, base_url_from_page, value_from_page};

/// Name of the `<meta>` tag holding the storefront's base URL (product images are served there).
/// It may name the signed-in merchant's store with [`STORE_PLACEHOLDER`], e.g.
/// `https://{store}.zelly.shop`; see [`store_url`].
pub const STOREFRONT_BASE_META: &str = "zelly-storefront-base";
/// What [`store_url`] replaces with the store's slug in the storefront's base URL.
pub const STORE_PLACEHOLDER: &str = "{store}";
/// core-api's base URL when the page carries no usable `zelly-api-base` tag.
pub const DEFAULT_API_BASE: &str = "http://localhost:3000";
/// The storefront's base URL when the page carries no usable `zelly-storefront-base` tag.
pub const DEFAULT_STOREFRONT_BASE: &str = "http://demo.localhost:4321";

/// Where the panel finds the services it talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// core-api's base URL without a trailing slash, e.g. `http://localhost:3000`;
    /// empty means the page's own origin.
    pub api_base: String,
    /// The storefront's base URL without a trailing slash, prefixed to site-relative image URLs.
    pub storefront_base: String,
    /// Firebase Auth's REST base URL without a trailing slash: the dev issuer
    /// (`http://localhost:9099`) or `https://identitytoolkit.googleapis.com`.
    pub auth_base: String,
    /// The Firebase Web API key sent with sign-in.
    pub firebase_api_key: String,
}

impl Config {
    /// Reads the configuration from the current document, falling back to the defaults.
    pub fn from_page() -> Self {
        Self {
            api_base: base_url_from_page(API_BASE_META, DEFAULT_API_BASE),
            storefront_base: base_url_from_page(STOREFRONT_BASE_META, DEFAULT_STOREFRONT_BASE),
            auth_base: base_url_from_page(AUTH_BASE_META, DEFAULT_AUTH_BASE),
            firebase_api_key: value_from_page(API_KEY_META, DEFAULT_API_KEY),
        }
    }
}

/// The storefront of the store `slug` (its base URL, without a trailing slash), from the
/// storefront's base URL `storefront_base`:
///
/// - a base naming [`STORE_PLACEHOLDER`] has it replaced with the slug;
/// - a base on a `*.localhost` host (development, where each store's domain is
///   `{slug}.localhost`, as the demo stores `demo.localhost` and `chai.localhost` are) has its
///   first label replaced with the slug, the scheme and port kept;
/// - any other base is a single store's own, and is used as it is.
///
/// So "View in store" opens the merchant's own store, not the demo one the page was set up with.
pub fn store_url(storefront_base: &str, slug: &str) -> String {
    if storefront_base.contains(STORE_PLACEHOLDER) {
        return storefront_base.replace(STORE_PLACEHOLDER, slug);
    }
    let Some((scheme, rest)) = storefront_base.split_once("://") else {
        return storefront_base.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let (host, port) = authority.split_at(authority.find(':').unwrap_or(authority.len()));
    match host.split_once('.') {
        Some((_, "localhost")) if !slug.is_empty() => {
            format!("{scheme}://{slug}.localhost{port}{path}")
        }
        _ => storefront_base.to_owned(),
    }
}

/// A product's page in the storefront whose base URL is `store` (see [`store_url`]).
pub fn product_url(store: &str, handle: &str) -> String {
    format!("{store}/products/{handle}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use zelly_ui_kit::config::base_url;

    #[test]
    fn a_missing_or_blank_tag_falls_back_to_the_default() {
        assert_eq!(base_url(None, DEFAULT_API_BASE), "http://localhost:3000");
        assert_eq!(
            base_url(Some("  "), DEFAULT_STOREFRONT_BASE),
            "http://demo.localhost:4321"
        );
        assert_eq!(base_url(None, DEFAULT_AUTH_BASE), "http://localhost:9099");
    }

    #[test]
    fn a_store_is_opened_on_its_own_localhost_domain_in_development() {
        assert_eq!(
            store_url("http://demo.localhost:4321", "chai"),
            "http://chai.localhost:4321"
        );
        assert_eq!(
            store_url("http://demo.localhost:4321", "demo"),
            "http://demo.localhost:4321"
        );
        assert_eq!(
            store_url("http://demo.localhost", "chai"),
            "http://chai.localhost"
        );
    }

    #[test]
    fn view_in_store_opens_the_product_in_the_merchants_own_store() {
        let store = store_url("http://demo.localhost:4321", "chai");
        assert_eq!(
            product_url(&store, "masala-chai-tin"),
            "http://chai.localhost:4321/products/masala-chai-tin"
        );
    }

    #[test]
    fn a_base_naming_the_store_gets_its_slug() {
        assert_eq!(
            store_url("https://{store}.zelly.shop", "chai"),
            "https://chai.zelly.shop"
        );
    }

    #[test]
    fn a_single_store_base_is_used_as_it_is() {
        assert_eq!(
            store_url("https://shop.example.in", "chai"),
            "https://shop.example.in"
        );
        assert_eq!(
            store_url("http://localhost:4321", "chai"),
            "http://localhost:4321"
        );
        assert_eq!(
            store_url("http://a.b.localhost:4321", "chai"),
            "http://a.b.localhost:4321"
        );
    }
}
