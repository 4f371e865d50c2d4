//! Calls to the Zelly APIs.
//!
//! Every failure becomes a sentence a person can read, naming the URL that failed, so that the
//! error state can show it as it is.

use gloo_net::http::Request;
use serde::de::DeserializeOwned;
use zelly_edge::ApiErrorBody;

/// `GET`s `url` and decodes its JSON body.
///
/// A network failure, a non-2xx status (with the message of a Zelly error body, if it has one) and a
/// body that does not decode each give an `Err` with a readable explanation.
pub async fn get_json<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    let response = Request::get(url)
        .header("Accept", "application/json")
        .send()
        .await
        .map_err(|error| unreachable_message(url, &error.to_string()))?;
    if !response.ok() {
        let detail = response
            .json::<ApiErrorBody>()
            .await
            .ok()
            .map(|body| body.error.message);
        return Err(status_message(
            url,
            response.status(),
            &response.status_text(),
            detail.as_deref(),
        ));
    }
    response.json::<T>().await.map_err(|error| {
        format!("The Zelly API at {url} sent a response this page could not read: {error}")
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
}
