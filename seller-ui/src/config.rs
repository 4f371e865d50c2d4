//! Runtime configuration read from the page's `<meta>` tags, so one build serves every environment:
//! a dev server or deployment rewrites the `content` values in `index.html`, no rebuild needed.
//! core-api's base URL is in the `zelly-api-base` tag ([`zelly_ui_kit::config::API_BASE_META`]);
//! where merchants sign in is in `zelly-auth-base` and `zelly-firebase-api-key`
//! ([`zelly_ui_kit::auth`]).

use zelly_ui_kit::auth::{API_KEY_META, AUTH_BASE_META, DEFAULT_API_KEY, DEFAULT_AUTH_BASE};
use zelly_ui_kit::config::{API_BASE_META, base_url_from_page, value_from_page};

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
}
