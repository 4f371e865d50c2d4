//! core-api's client of Razorpay's REST API (or of the stand-in that dev and tests run): orders,
//! payment signatures and refunds. The key secret never leaves core-api.
//!
//! Configured by `RAZORPAY_KEY_ID` and `RAZORPAY_KEY_SECRET` (HTTP Basic) against
//! `RAZORPAY_API_URL` (default `https://api.razorpay.com`). Without keys nothing is sent anywhere
//! and the routes that need Razorpay answer 503.

use serde::Deserialize;
use std::time::Duration;
use zelly_store::config::Secret;

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

/// Calls Razorpay.
#[derive(Debug, Clone)]
pub struct RazorpayClient {
    config: RazorpayConfig,
    http: reqwest::Client,
}

impl RazorpayClient {
    /// A client for `config`.
    pub fn new(config: RazorpayConfig) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default();
        Self { config, http }
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
        let res = self
            .http
            .post(format!("{}/v1/orders", self.config.api_url))
            .basic_auth(&self.config.key_id, Some(self.config.key_secret.expose()))
            .json(&body)
            .send()
            .await
            .map_err(|e| RazorpayError::Unreachable(e.to_string()))?;
        Self::answer(res).await
    }

    /// Razorpay's answer, or its error description.
    async fn answer<T: serde::de::DeserializeOwned>(res: reqwest::Response) -> Result<T, RazorpayError> {
        let status = res.status();
        let body: serde_json::Value = res.json().await.map_err(|e| RazorpayError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            let why = body.pointer("/error/description").and_then(|d| d.as_str()).unwrap_or("no reason given");
            return Err(if status.is_server_error() { RazorpayError::Unreachable(why.to_owned()) } else { RazorpayError::Refused(why.to_owned()) });
        }
        serde_json::from_value(body).map_err(|e| RazorpayError::Unreachable(format!("an unexpected answer: {e}")))
    }

    /// Refunds `amount_minor` of a captured payment. The idempotency key makes a retry (a double
    /// click, a timeout) return the same refund instead of refunding twice.
    pub async fn refund(&self, payment_id: &str, amount_minor: i64, idempotency_key: &str, notes: serde_json::Value) -> Result<Refund, RazorpayError> {
        let url = format!("{}/v1/payments/{payment_id}/refund", self.config.api_url);
        let res = self
            .http
            .post(url)
            .basic_auth(&self.config.key_id, Some(self.config.key_secret.expose()))
            .header("x-refund-idempotency", idempotency_key)
            .json(&serde_json::json!({ "amount": amount_minor, "notes": notes }))
            .send()
            .await
            .map_err(|e| RazorpayError::Unreachable(e.to_string()))?;
        Self::answer(res).await
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
