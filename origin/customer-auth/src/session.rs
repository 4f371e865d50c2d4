//! Sessions as the browser holds them, the client's address, and the rule that writes come from
//! this service's own pages (or from servers, which send no browser headers).
//!
//! A session id is 244 random bits; only its SHA-256 is stored. The browser keeps it in a
//! `__Host-` cookie (Secure, HttpOnly, SameSite=Lax, path `/`, no domain: no subdomain can set or
//! read it); a server may send it as `Authorization: Bearer`.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

/// The session cookie's name.
pub const COOKIE: &str = "__Host-zelly_customer";

/// A new secret: a session id or an emailed link's token (244 random bits, 64 hex digits).
pub fn new_secret() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// SHA-256 (hex) of a secret, as it is stored.
pub fn hashed(secret: &str) -> String {
    zelly_edge::signature::sha256_hex(secret.as_bytes())
}

/// Whether `raw` could be one of our secrets (so nothing else reaches a query).
pub fn well_formed(raw: &str) -> bool {
    raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The session id the request carries: `Authorization: Bearer`, else the cookie.
pub fn presented(headers: &HeaderMap) -> Option<String> {
    if let Some(token) = zelly_service::bearer_token(headers) {
        return well_formed(token).then(|| token.to_owned());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| well_formed(v))
}

/// The `Set-Cookie` that gives the browser `secret` for `max_age_secs`.
pub fn set_cookie(secret: &str, max_age_secs: i64) -> HeaderValue {
    let cookie = format!("{COOKIE}={secret}; Path=/; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Lax");
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("__Host-zelly_customer=; Path=/; Max-Age=0; Secure"))
}

/// The `Set-Cookie` that removes the session cookie.
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("__Host-zelly_customer=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax")
}

pub use zelly_service::client_address;

/// The origin (`scheme://host[:port]`) of a URL.
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    url[after_scheme..].find('/').map_or(url, |i| &url[..after_scheme + i])
}

/// Refuses a write (any method but GET, HEAD and OPTIONS) that a browser sends from another site:
/// `Sec-Fetch-Site` must be `same-origin` or `none`, and `Origin`, when sent, this service's own.
/// Servers send neither header and pass.
pub async fn same_site_writes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let site_ok = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_none_or(|site| site == "same-origin" || site == "none");
    let origin_ok = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|origin| origin == origin_of(&state.public_url));
    if site_ok && origin_ok {
        next.run(request).await
    } else {
        zelly_service::ApiError::Forbidden("this request came from another site; use the store's own pages").into_response()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_session_comes_from_the_bearer_or_the_cookie_and_must_look_like_ours() {
        let secret = new_secret();
        assert!(well_formed(&secret));
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_str(&format!("theme=dark; {COOKIE}={secret}")).unwrap());
        assert_eq!(presented(&headers), Some(secret.clone()));
        headers.insert(header::COOKIE, HeaderValue::from_static("__Host-zelly_customer=1' OR '1'='1"));
        assert_eq!(presented(&headers), None);
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {secret}")).unwrap());
        assert_eq!(presented(&headers), Some(secret));
    }

    #[test]
    fn the_origin_of_a_url_drops_its_path() {
        assert_eq!(origin_of("https://accounts.zelly.app/base"), "https://accounts.zelly.app");
        assert_eq!(origin_of("http://localhost:5174"), "http://localhost:5174");
    }
}
