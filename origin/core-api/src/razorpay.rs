//! core-api's client of Razorpay's REST API (or of the stand-in that dev and tests run): orders,
//! payment signatures and refunds. The key secret never leaves core-api.
//!
//! Configured by `RAZORPAY_KEY_ID` and `RAZORPAY_KEY_SECRET` (HTTP Basic) against
//! `RAZORPAY_API_URL` (default `https://api.razorpay.com`). Without keys nothing is sent anywhere
//! and the routes that need Razorpay answer 503.

use base64::Engine as _;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{header, Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::time::Duration;
use zelly_store::config::Secret;

/// How long one call to Razorpay may take, answer included.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The largest answer read from Razorpay.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Where and as whom to call Razorpay.
#[derive(Debug, Clone)]
pub struct RazorpayConfig {
    /// `RAZORPAY_API_URL`, without a trailing slash.
    pub api_url: String,
    /// `RAZORPAY_KEY_ID`.
    pub key_id: String,
    /// `RAZORPAY_KEY_SECRET`.
    pub key_secret: Secret,
}

impl RazorpayConfig {
    /// Reads the environment: `None` unless both keys are set.
    pub fn from_env(var: &dyn Fn(&str) -> Option<String>) -> Option<Self> {
        Some(Self {
            api_url: var("RAZORPAY_API_URL").unwrap_or_else(|| "https://api.razorpay.com".into()).trim_end_matches('/').to_owned(),
            key_id: var("RAZORPAY_KEY_ID")?,
            key_secret: Secret::new(var("RAZORPAY_KEY_SECRET")?),
        })
    }
}

/// A refund as Razorpay reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    /// `rfnd_…`.
    pub id: String,
    /// In paise.
    pub amount: i64,
    /// `pending`, `processed` or `failed`.
    pub status: String,
}

/// A payment as Razorpay reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct Payment {
    /// `pay_…`.
    pub id: String,
    /// The Razorpay order it pays.
    #[serde(default)]
    pub order_id: Option<String>,
    /// In paise.
    pub amount: i64,
    /// `created`, `authorized`, `captured`, `refunded` or `failed`.
    pub status: String,
}

/// A page of Razorpay's list answers.
#[derive(Debug, Clone, Deserialize)]
struct Collection<T> {
    items: Vec<T>,
}

/// A Razorpay order as Razorpay reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct RazorpayOrder {
    /// `order_…`.
    pub id: String,
    /// In paise.
    pub amount: i64,
    /// `INR`.
    pub currency: String,
}

/// Why a Razorpay call failed.
#[derive(Debug, thiserror::Error)]
pub enum RazorpayError {
    /// Razorpay answered with an error; its description.
    #[error("Razorpay refused: {0}")]
    Refused(String),
    /// Razorpay could not be reached or answered nonsense.
    #[error("Razorpay is unreachable: {0}")]
    Unreachable(String),
}

/// Calls Razorpay over HTTPS (rustls, see `zelly_auth::https`), or over plain HTTP the stand-in.
#[derive(Clone)]
pub struct RazorpayClient {
    config: RazorpayConfig,
    /// `Basic base64(key_id:key_secret)`.
    authorization: Secret,
    http: Client<zelly_auth::https::Connector, Full<Bytes>>,
}

impl std::fmt::Debug for RazorpayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RazorpayClient").field("api_url", &self.config.api_url).field("key_id", &self.config.key_id).finish_non_exhaustive()
    }
}

impl RazorpayClient {
    /// A client for `config`; fails when the API is https and the system has no CA certificates.
    pub fn new(config: RazorpayConfig) -> Result<Self, String> {
        let connector = zelly_auth::https::connector(config.api_url.starts_with("https://"), "Razorpay")?;
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", config.key_id, config.key_secret.expose()));
        Ok(Self { config, authorization: Secret::new(format!("Basic {credentials}")), http: Client::builder(TokioExecutor::new()).build(connector) })
    }

    /// The public key id (Standard Checkout's `key` option).
    pub fn key_id(&self) -> &str {
        &self.config.key_id
    }

    /// Whether `signature` is Razorpay's for `order_id` and `payment_id` under the key secret.
    pub fn verify_payment(&self, order_id: &str, payment_id: &str, signature: &str) -> bool {
        zelly_edge::signature::verify_payment(self.config.key_secret.expose(), order_id, payment_id, signature)
    }

    /// Creates an order of `amount_minor` paise; `receipt` and `notes` come back in its webhooks.
    pub async fn create_order(&self, amount_minor: i64, currency: &str, receipt: &str, notes: serde_json::Value) -> Result<RazorpayOrder, RazorpayError> {
        let body = serde_json::json!({ "amount": amount_minor, "currency": currency, "receipt": receipt, "notes": notes });
        self.post("/v1/orders", &body, None).await
    }

    /// Refunds `amount_minor` of a captured payment. The idempotency key makes a retry (a double
    /// click, a timeout) return the same refund instead of refunding twice.
    pub async fn refund(&self, payment_id: &str, amount_minor: i64, idempotency_key: &str, notes: serde_json::Value) -> Result<Refund, RazorpayError> {
        let body = serde_json::json!({ "amount": amount_minor, "notes": notes });
        self.post(&format!("/v1/payments/{payment_id}/refund"), &body, Some(("x-refund-idempotency", idempotency_key))).await
    }

    /// The payments made against a Razorpay order, as Razorpay itself reports them (`GET
    /// /v1/orders/{id}/payments`): how core-api learns of a payment whose callback never came.
    pub async fn order_payments(&self, order_id: &str) -> Result<Vec<Payment>, RazorpayError> {
        if !zelly_edge::limits::is_provider_id(order_id) {
            return Err(RazorpayError::Refused("not a Razorpay order id".into()));
        }
        let page: Collection<Payment> = self.call(Method::GET, &format!("/v1/orders/{order_id}/payments"), None, None).await?;
        Ok(page.items)
    }

    /// POSTs JSON to Razorpay: its answer, or its error description.
    async fn post<T: serde::de::DeserializeOwned>(&self, path: &str, body: &serde_json::Value, extra: Option<(&str, &str)>) -> Result<T, RazorpayError> {
        self.call(Method::POST, path, Some(body), extra).await
    }

    /// Calls Razorpay's API: its answer, or its error description.
    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        extra: Option<(&str, &str)>,
    ) -> Result<T, RazorpayError> {
        let unreachable = |why: String| RazorpayError::Unreachable(why);
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.config.api_url))
            .header(header::AUTHORIZATION, self.authorization.expose())
            .header(header::ACCEPT, "application/json");
        if body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        if let Some((name, value)) = extra {
            request = request.header(name, value);
        }
        let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        let request = request.body(Full::new(body)).map_err(|e| unreachable(e.to_string()))?;
        let exchange = async {
            let response = self.http.request(request).await.map_err(|e| unreachable(zelly_auth::https::error_chain(&e)))?;
            let status = response.status();
            let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES).collect().await.map_err(|e| unreachable(e.to_string()))?.to_bytes();
            Ok::<_, RazorpayError>((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(TIMEOUT, exchange).await.map_err(|_| unreachable(format!("no answer within {} s", TIMEOUT.as_secs())))??;
        Self::answer(status, &bytes)
    }

    /// Razorpay's answer, or its error description.
    fn answer<T: serde::de::DeserializeOwned>(status: StatusCode, bytes: &[u8]) -> Result<T, RazorpayError> {
        let body: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| RazorpayError::Unreachable(format!("an answer that is not JSON ({status}): {e}")))?;
        if !status.is_success() {
            let why = body.pointer("/error/description").and_then(|d| d.as_str()).unwrap_or("no reason given");
            return Err(if status.is_server_error() { RazorpayError::Unreachable(why.to_owned()) } else { RazorpayError::Refused(why.to_owned()) });
        }
        serde_json::from_value(body).map_err(|e| RazorpayError::Unreachable(format!("an unexpected answer: {e}")))
    }
}

impl From<RazorpayError> for zelly_service::ApiError {
    /// Razorpay's refusal is the request's fault (422); not reaching it is a bad gateway (502).
    fn from(err: RazorpayError) -> Self {
        match err {
            RazorpayError::Refused(_) => zelly_service::ApiError::Unprocessable(err.to_string()),
            RazorpayError::Unreachable(_) => zelly_service::ApiError::BadGateway(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn client(api_url: &str) -> RazorpayClient {
        RazorpayClient::new(RazorpayConfig { api_url: api_url.into(), key_id: "rzp_test_k".into(), key_secret: Secret::new("s") }).unwrap()
    }

    #[tokio::test]
    async fn an_https_api_gets_a_tls_handshake() {
        use tokio::io::AsyncReadExt;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let first_bytes = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut head = [0_u8; 3];
            socket.read_exact(&mut head).await.unwrap();
            head
        });
        // The server hangs up after reading, so the call fails; what matters is how it began.
        let _ = client(&format!("https://127.0.0.1:{port}")).create_order(100, "INR", "r", serde_json::json!({})).await;
        let head = first_bytes.await.unwrap();
        assert_eq!(head[..2], [0x16, 0x03], "a TLS handshake record, not plain HTTP: {head:?}");
    }

    #[tokio::test]
    async fn the_real_api_is_spoken_to_over_tls_and_a_failure_says_why() {
        // https needs the system's CA store (ca-certificates): the client is built with it. Nothing
        // listens on port 9 here, so the call fails, as unreachable and with the reason.
        let https = client("https://127.0.0.1:9");
        let Err(RazorpayError::Unreachable(why)) = https.create_order(100, "INR", "r", serde_json::json!({})).await else { panic!() };
        assert!(why.contains("onnect"), "{why}");
        assert!(format!("{https:?}").contains("rzp_test_k") && !format!("{https:?}").contains("Basic"), "the secret is never printed");
    }
}
