//! Runtime configuration read from the page's `<meta>` tags, so one build serves every environment:
//! a dev server or deployment rewrites the `content` values in `index.html`, no rebuild needed.

/// Name of the `<meta>` tag holding admin-api's base URL.
pub const API_BASE_META: &str = "zelly-api-base";
/// admin-api's base URL when the page carries no usable `zelly-api-base` tag.
pub const DEFAULT_API_BASE: &str = "http://localhost:3022";

/// Where the panel finds the services it talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// admin-api's base URL without a trailing slash, e.g. `http://localhost:3022`;
    /// empty means the page's own origin.
    pub api_base: String,
}

impl Config {
    /// Reads the configuration from the current document, falling back to the defaults.
    pub fn from_page() -> Self {
        Self {
            api_base: base_url(meta_content(API_BASE_META).as_deref(), DEFAULT_API_BASE),
        }
    }
}

/// The `content` of `<meta name="{name}">`, if the page has one.
fn meta_content(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let meta = document
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()??;
    meta.get_attribute("content")
}

/// A base URL from a meta tag's content: a missing or blank value gives `default`; otherwise the value
/// without surrounding whitespace and trailing slashes (so `/` means "this page's origin").
pub fn base_url(content: Option<&str>, default: &str) -> String {
    match content.map(str::trim) {
        Some(value) if !value.is_empty() => value.trim_end_matches('/').to_owned(),
        _ => default.trim_end_matches('/').to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_blank_tag_falls_back_to_the_default() {
        assert_eq!(base_url(None, DEFAULT_API_BASE), "http://localhost:3022");
        assert_eq!(
            base_url(Some(""), DEFAULT_API_BASE),
            "http://localhost:3022"
        );
    }

    #[test]
    fn trailing_slashes_and_whitespace_are_removed() {
        assert_eq!(
            base_url(Some("http://admin.test// "), DEFAULT_API_BASE),
            "http://admin.test"
        );
    }
}
