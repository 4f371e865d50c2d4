//! Runtime configuration read from the page's `<meta>` tags, so one build serves every environment:
//! a dev server or deployment rewrites the `content` values in `index.html`, no rebuild needed.
//! core-api's base URL is in the `zelly-api-base` tag ([`zelly_ui_kit::config::API_BASE_META`]).

use zelly_ui_kit::config::{API_BASE_META, base_url_from_page};

/// Name of the `<meta>` tag holding the storefront's base URL (product images are served there).
pub const STOREFRONT_BASE_META: &str = "zelly-storefront-base";
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
}

impl Config {
    /// Reads the configuration from the current document, falling back to the defaults.
    pub fn from_page() -> Self {
        Self {
            api_base: base_url_from_page(API_BASE_META, DEFAULT_API_BASE),
            storefront_base: base_url_from_page(STOREFRONT_BASE_META, DEFAULT_STOREFRONT_BASE),
        }
    }
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
    }
}
