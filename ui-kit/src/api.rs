//! Calls to the Zelly APIs.
//!
//! Every failure becomes a sentence a person can read, naming the URL that failed, so that the
//! error state can show it as it is. [`send`] and [`send_empty`] also keep what a form needs to react
//! to a failure: the status (401 means "sign in again", 409 "someone else changed this") and, for a
//! 422, each bad field's path and message ([`ApiError::fields`]).

use gloo_net::http::{Request, RequestBuilder, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use zelly_edge::ApiErrorBody;

pub use gloo_net::http::Method;

/// A failed call: a readable sentence plus what the page needs to decide how to react.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status, or `None` when no answer came back (or it could not be read).
    pub status: Option<u16>,
    /// The Zelly error body's machine-readable code (`conflict`, `invalid`, …), if there was one.
    pub code: Option<String>,
    /// A sentence a person can read, naming the URL (see [`unreachable_message`] and
    /// [`status_message`]).
    pub message: String,
    /// For a 422: each bad field's path (`title`, `variants[1].sku`, …) and what is wrong with it.
    pub fields: BTreeMap<String, String>,
}

impl ApiError {
    /// A failure that never reached the API, or whose answer could not be read.
    pub fn local(message: impl Into<String>) -> Self {
        Self {
            status: None,
            code: None,
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    /// 401: the token is missing, expired or refused; the person must sign in again.
    pub fn is_unauthorized(&self) -> bool {
        self.status == Some(401)
    }

    /// 404: the thing asked for does not exist (or is not this tenant's).
    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }

    /// 409: the thing was changed by someone else since it was read.
    pub fn is_conflict(&self) -> bool {
        self.status == Some(409)
    }

    /// 422: some fields are invalid ([`ApiError::fields`] says which).
    pub fn is_invalid(&self) -> bool {
        self.status == Some(422)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// `GET`s `url` and decodes its JSON body.
///
/// A network failure, a non-2xx status (with the message of a Zelly error body, if it has one) and a
/// body that does not decode each give an `Err` with a readable explanation.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    send::<T, ()>(Method::GET, url, None, None)
        .await
        .map_err(|error| error.message)
}

/// Sends a `method` request to `url`, with `Authorization: Bearer {bearer}` when given and `body` as
/// JSON when given, and decodes the JSON answer.
pub async fn send<T, B>(
    method: Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<&B>,
) -> Result<T, ApiError>
where
    T: DeserializeOwned,
    B: Serialize + ?Sized,
{
    let response = send_checked(method, url, bearer, body).await?;
    response.json::<T>().await.map_err(|error| {
        ApiError::local(format!(
            "The Zelly API at {url} sent a response this page could not read: {error}"
        ))
    })
}

/// Like [`send`], for calls answered without a body (`204 No Content`).
pub async fn send_empty<B>(
    method: Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<&B>,
) -> Result<(), ApiError>
where
    B: Serialize + ?Sized,
{
    send_checked(method, url, bearer, body).await.map(|_| ())
}

/// Sends the request and turns anything but a 2xx answer into an [`ApiError`].
async fn send_checked<B>(
    method: Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<&B>,
) -> Result<Response, ApiError>
where
    B: Serialize + ?Sized,
{
    let mut builder = RequestBuilder::new(url)
        .method(method)
        .header("Accept", "application/json");
    if let Some(token) = bearer {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let request: Result<Request, _> = match body {
        Some(body) => builder.json(body),
        None => builder.build(),
    };
    dispatch(url, request).await
}

/// Sends a request built by the caller (with headers of its own) to `url`, and turns a request
/// that cannot be sent, or anything but a 2xx answer, into an [`ApiError`].
pub async fn dispatch(
    url: &str,
    request: Result<Request, gloo_net::Error>,
) -> Result<Response, ApiError> {
    let request =
        request.map_err(|error| ApiError::local(unreachable_message(url, &error.to_string())))?;
    let response = request
        .send()
        .await
        .map_err(|error| ApiError::local(unreachable_message(url, &error.to_string())))?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.json::<ApiErrorBody>().await.ok();
    let detail = body.as_ref().map(|body| body.error.message.as_str());
    Err(ApiError {
        status: Some(status),
        code: body.as_ref().map(|body| body.error.code.clone()),
        message: status_message(url, status, &response.status_text(), detail),
        fields: body.map(|body| body.error.fields).unwrap_or_default(),
    })
}

/// The explanation of a request that got no answer at all (server down, CORS refusal, offline…).
pub fn unreachable_message(url: &str, reason: &str) -> String {
    format!("Could not reach the Zelly API at {url}: {reason}")
}

/// The explanation of a non-2xx answer, with the error body's message when there is one.
pub fn status_message(url: &str, status: u16, status_text: &str, detail: Option<&str>) -> String {
    let status_line = match status_text.trim() {
        "" => status.to_string(),
        text => format!("{status} {text}"),
    };
    match detail.map(str::trim).filter(|d| !d.is_empty()) {
        Some(detail) => format!("The Zelly API at {url} answered {status_line}: {detail}"),
        None => format!("The Zelly API at {url} answered {status_line}."),
    }
}

/// A query string (without the `?`) from `pairs`, percent-encoding every byte outside the
/// unreserved set; pairs with an empty value are left out.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| format!("{}={}", percent_encode(key), percent_encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// `text` with every byte but `A-Z a-z 0-9 - . _ ~` written as `%XX` (UTF-8).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_api_is_named_with_the_reason() {
        assert_eq!(
            unreachable_message(
                "http://localhost:3000/api/seller/products",
                "TypeError: Failed to fetch"
            ),
            "Could not reach the Zelly API at http://localhost:3000/api/seller/products: TypeError: Failed to fetch"
        );
        assert_eq!(
            unreachable_message(
                "http://localhost:3022/api/admin/tenants",
                "TypeError: Failed to fetch"
            ),
            "Could not reach the Zelly API at http://localhost:3022/api/admin/tenants: TypeError: Failed to fetch"
        );
    }

    #[test]
    fn a_status_error_carries_the_bodys_message() {
        assert_eq!(
            status_message("http://api/x", 404, "Not Found", Some("no such store")),
            "The Zelly API at http://api/x answered 404 Not Found: no such store"
        );
    }

    #[test]
    fn a_status_error_without_body_or_status_text_still_reads_well() {
        assert_eq!(
            status_message("http://api/x", 502, "", None),
            "The Zelly API at http://api/x answered 502."
        );
        assert_eq!(
            status_message("http://api/x", 500, "Internal Server Error", Some(" ")),
            "The Zelly API at http://api/x answered 500 Internal Server Error."
        );
    }

    #[test]
    fn the_status_says_how_to_react() {
        let error = |status| ApiError {
            status: Some(status),
            ..ApiError::local("x")
        };
        assert!(error(401).is_unauthorized());
        assert!(error(404).is_not_found());
        assert!(error(409).is_conflict());
        assert!(error(422).is_invalid());
        assert!(!ApiError::local("offline").is_unauthorized());
    }

    #[test]
    fn query_values_are_encoded_and_empty_ones_left_out() {
        assert_eq!(
            query_string(&[("q", "red & blue/ü"), ("status", ""), ("limit", "25")]),
            "q=red%20%26%20blue%2F%C3%BC&limit=25"
        );
        assert_eq!(query_string(&[("q", "")]), "");
        assert_eq!(percent_encode("a-b_c.d~e"), "a-b_c.d~e");
    }
}
