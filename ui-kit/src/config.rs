//! Runtime configuration read from the page's `<meta>` tags, so one build serves every environment:
//! a dev server or deployment rewrites the `content` values in `index.html`, no rebuild needed.

/// Name of the `<meta>` tag holding the base URL of the API a panel talks to (core-api for
/// seller-ui, admin-api for admin-ui).
pub const API_BASE_META: &str = "zelly-api-base";

/// The base URL in `<meta name="{name}">` of the current document (see [`base_url`]), or `default`
/// when the page carries no usable tag.
pub fn base_url_from_page(name: &str, default: &str) -> String {
    base_url(meta_content(name).as_deref(), default)
}

/// The trimmed `content` of `<meta name="{name}">` of the current document, or `default` when the page
/// carries no such tag or it is blank (for values that are not URLs, such as an API key).
pub fn value_from_page(name: &str, default: &str) -> String {
    value(meta_content(name).as_deref(), default)
}

/// A setting from a meta tag's content: a missing or blank value gives `default`; otherwise the value
/// without surrounding whitespace.
pub fn value(content: Option<&str>, default: &str) -> String {
    match content.map(str::trim) {
        Some(value) if !value.is_empty() => value.to_owned(),
        _ => default.to_owned(),
    }
}

/// The `content` of `<meta name="{name}">` of the current document, if it has one.
pub fn meta_content(name: &str) -> Option<String> {
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
        assert_eq!(
            base_url(None, "http://localhost:3000"),
            "http://localhost:3000"
        );
        assert_eq!(
            base_url(Some("  "), "http://localhost:3000"),
            "http://localhost:3000"
        );
        assert_eq!(
            base_url(None, "http://localhost:3022"),
            "http://localhost:3022"
        );
        assert_eq!(
            base_url(Some(""), "http://localhost:3022"),
            "http://localhost:3022"
        );
    }

    #[test]
    fn trailing_slashes_and_whitespace_are_removed() {
        assert_eq!(
            base_url(Some(" http://api.test:8080/ "), "http://localhost:3000"),
            "http://api.test:8080"
        );
        assert_eq!(
            base_url(Some("http://admin.test// "), "http://localhost:3022"),
            "http://admin.test"
        );
    }

    #[test]
    fn a_plain_value_is_trimmed_or_defaulted() {
        assert_eq!(value(Some(" key-123 "), "dev"), "key-123");
        assert_eq!(value(Some(""), "dev"), "dev");
        assert_eq!(value(None, "dev"), "dev");
    }

    #[test]
    fn a_lone_slash_means_the_pages_own_origin() {
        assert_eq!(base_url(Some("/"), "http://localhost:3000"), "");
    }
}
