//! The Shopify app: its settings, the sealing of shops' access tokens, and the install flow's
//! calls to Shopify.
//!
//! Settings (all of them, or Shopify stays off and its seller routes answer 503):
//! `SHOPIFY_API_KEY`, `SHOPIFY_API_SECRET` (see `AppState::shopify_secrets`), `SHOPIFY_TOKEN_KEY`
//! (32 bytes in base64: the access tokens' sealing key), and optionally `SHOPIFY_API_VERSION`
//! (default 2025-01), `SHOPIFY_SCOPES`, `SHOPIFY_REDIRECT_URL` (where Shopify sends the merchant
//! back: core-api's `/api/shopify/callback`) and `SHOPIFY_ADMIN_URL` (dev and tests: the
//! stand-in, under which a shop is `/shops/{shop}`; unset, a shop is `https://{shop}`).
//!
//! A shop's access token is sealed with AES-256-GCM under `SHOPIFY_TOKEN_KEY` before it reaches
//! the database (`v1.` + base64url(nonce ‖ ciphertext)), so a copy of the database holds no
//! working token.

use base64::Engine as _;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{header, Request};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::time::Duration;

/// The scopes asked for unless `SHOPIFY_SCOPES` says otherwise.
pub const DEFAULT_SCOPES: &str = "read_products,read_inventory,write_inventory";
/// The Admin API version unless `SHOPIFY_API_VERSION` says otherwise.
pub const DEFAULT_API_VERSION: &str = "2025-01";
/// How long a call to Shopify may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes of an answer read.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The app's settings from the environment.
#[derive(Clone)]
pub struct ShopifyAppConfig {
    /// `SHOPIFY_API_KEY`: the app's client id.
    pub api_key: String,
    /// `SHOPIFY_API_SECRET`: the app's client secret.
    pub api_secret: zelly_store::config::Secret,
    /// `SHOPIFY_TOKEN_KEY`, decoded.
    pub token_key: [u8; 32],
    /// `SHOPIFY_API_VERSION`.
    pub api_version: String,
    /// `SHOPIFY_SCOPES`.
    pub scopes: String,
    /// `SHOPIFY_REDIRECT_URL`.
    pub redirect_url: String,
    /// `SHOPIFY_ADMIN_URL`: the stand-in's base, in dev and tests.
    pub admin_url: Option<String>,
}

impl std::fmt::Debug for ShopifyAppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyAppConfig").field("api_key", &self.api_key).field("admin_url", &self.admin_url).finish_non_exhaustive()
    }
}

impl ShopifyAppConfig {
    /// Reads the settings through `var`: `Ok(None)` when `SHOPIFY_API_KEY` is unset, an error
    /// naming the variable when one is missing or malformed.
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let Some(api_key) = var("SHOPIFY_API_KEY") else { return Ok(None) };
        let api_secret = var("SHOPIFY_API_SECRET").ok_or("SHOPIFY_API_KEY is set: SHOPIFY_API_SECRET is needed too")?;
        let raw_key = var("SHOPIFY_TOKEN_KEY").ok_or("SHOPIFY_API_KEY is set: SHOPIFY_TOKEN_KEY (32 random bytes in base64) is needed to seal shops' tokens")?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(raw_key.trim())
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(raw_key.trim()))
            .map_err(|_| "SHOPIFY_TOKEN_KEY must be base64".to_owned())?;
        let token_key: [u8; 32] = decoded.try_into().map_err(|_| "SHOPIFY_TOKEN_KEY must be 32 bytes (base64 of `openssl rand 32`)".to_owned())?;
        let admin_url = var("SHOPIFY_ADMIN_URL").map(|u| u.trim().trim_end_matches('/').to_owned());
        if let Some(url) = &admin_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(format!("SHOPIFY_ADMIN_URL must be an http(s) URL, got {url:?}"));
        }
        Ok(Some(Self {
            api_key: api_key.trim().to_owned(),
            api_secret: zelly_store::config::Secret::new(api_secret.trim()),
            token_key,
            api_version: var("SHOPIFY_API_VERSION").unwrap_or_else(|| DEFAULT_API_VERSION.to_owned()),
            scopes: var("SHOPIFY_SCOPES").unwrap_or_else(|| DEFAULT_SCOPES.to_owned()),
            redirect_url: var("SHOPIFY_REDIRECT_URL").unwrap_or_else(|| "http://localhost:3000/api/shopify/callback".to_owned()),
            admin_url,
        }))
    }
}

/// The app, ready to install into shops.
#[derive(Clone)]
pub struct ShopifyApp {
    config: ShopifyAppConfig,
    sealer: zelly_service::seal::Sealer,
    http: Client<zelly_auth::https::Connector, Full<Bytes>>,
}

impl std::fmt::Debug for ShopifyApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyApp").field("config", &self.config).finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
struct Granted {
    access_token: String,
    #[serde(default)]
    scope: String,
}

impl ShopifyApp {
    /// The app for `config`; fails when Shopify is reached over https and the system has no CA
    /// certificates.
    pub fn new(config: ShopifyAppConfig) -> Result<Self, String> {
        let https = config.admin_url.as_deref().is_none_or(|u| u.starts_with("https://"));
        let connector = zelly_auth::https::connector(https, "Shopify")?;
        let sealer = zelly_service::seal::Sealer::new(config.token_key);
        Ok(Self { config, sealer, http: Client::builder(TokioExecutor::new()).build(connector) })
    }

    /// The settings.
    pub fn config(&self) -> &ShopifyAppConfig {
        &self.config
    }

    /// Where `shop`'s Admin lives: `https://{shop}`, or the stand-in's `/shops/{shop}`.
    pub fn shop_base(&self, shop: &str) -> String {
        match &self.config.admin_url {
            Some(base) => format!("{base}/shops/{shop}"),
            None => format!("https://{shop}"),
        }
    }

    /// Where to send the merchant to install the app into `shop`, carrying `state`.
    pub fn authorize_url(&self, shop: &str, state: &str) -> String {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.config.api_key)
            .append_pair("scope", &self.config.scopes)
            .append_pair("redirect_uri", &self.config.redirect_url)
            .append_pair("state", state)
            .finish();
        format!("{}/admin/oauth/authorize?{query}", self.shop_base(shop))
    }

    /// Exchanges an install's `code` for `shop`'s access token and its granted scopes.
    pub async fn exchange_code(&self, shop: &str, code: &str) -> Result<(String, String), String> {
        let body = serde_json::json!({ "client_id": self.config.api_key, "client_secret": self.config.api_secret.expose(), "code": code });
        let answer = self
            .post_json(&format!("{}/admin/oauth/access_token", self.shop_base(shop)), None, &body)
            .await
            .map_err(|why| format!("Shopify refused the code: {why}"))?;
        let granted: Granted = serde_json::from_value(answer).map_err(|e| format!("an unexpected answer: {e}"))?;
        Ok((granted.access_token, granted.scope))
    }

    /// Where Shopify should deliver webhooks: core-api's `/api/webhooks/shopify` beside the
    /// install callback.
    pub fn webhook_url(&self) -> String {
        let redirect = &self.config.redirect_url;
        let origin_end = redirect.find("://").map_or(0, |i| i + 3);
        let origin = redirect[origin_end..].find('/').map_or(redirect.as_str(), |i| &redirect[..origin_end + i]);
        format!("{origin}/api/webhooks/shopify")
    }

    /// Subscribes `shop` to every topic Zelly acts on but the privacy ones (those are set in the
    /// app's configuration, not per shop), through the Admin GraphQL API.
    pub async fn subscribe_webhooks(&self, shop: &str, token: &str) -> Result<(), String> {
        const MUTATION: &str = "mutation subscribe($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) { \
            webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) { webhookSubscription { id } userErrors { field message } } }";
        let private = [zelly_edge::shopify::Topic::CustomersDataRequest, zelly_edge::shopify::Topic::CustomersRedact, zelly_edge::shopify::Topic::ShopRedact];
        for topic in zelly_edge::shopify::Topic::ALL.into_iter().filter(|t| !private.contains(t)) {
            let variables = serde_json::json!({
                "topic": topic.as_str().replace('/', "_").to_ascii_uppercase(),
                "webhookSubscription": { "callbackUrl": self.webhook_url(), "format": "JSON" },
            });
            let answer = self.graphql(shop, token, MUTATION, variables).await?;
            let errors = &answer["data"]["webhookSubscriptionCreate"]["userErrors"];
            if answer.get("errors").is_some() || errors.as_array().is_some_and(|e| !e.is_empty()) {
                return Err(format!("Shopify refused the {} subscription: {}", topic.as_str(), answer));
            }
        }
        Ok(())
    }

    /// One Admin GraphQL call for `shop` with its `token`: the answer's JSON.
    pub async fn graphql(&self, shop: &str, token: &str, query: &str, variables: serde_json::Value) -> Result<serde_json::Value, String> {
        let url = format!("{}/admin/api/{}/graphql.json", self.shop_base(shop), self.config.api_version);
        self.post_json(&url, Some(token), &serde_json::json!({ "query": query, "variables": variables })).await
    }

    /// POSTs `body` to `url` (with the shop's `token` when given): the JSON of a 2xx answer, read
    /// within [`TIMEOUT`] and [`MAX_ANSWER_BYTES`].
    async fn post_json(&self, url: &str, token: Option<&str>, body: &serde_json::Value) -> Result<serde_json::Value, String> {
        let mut request = Request::post(url).header(header::CONTENT_TYPE, "application/json").header(header::ACCEPT, "application/json");
        if let Some(token) = token {
            request = request.header("x-shopify-access-token", token);
        }
        let request = request.body(Full::new(Bytes::from(body.to_string()))).map_err(|e| e.to_string())?;
        let call = async {
            let response = self.http.request(request).await.map_err(|e| zelly_auth::https::error_chain(&e))?;
            let status = response.status();
            let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES).collect().await.map_err(|e| e.to_string())?.to_bytes();
            if !status.is_success() {
                return Err(format!("Shopify answered {status}"));
            }
            serde_json::from_slice(&bytes).map_err(|e| format!("an unexpected answer: {e}"))
        };
        tokio::time::timeout(TIMEOUT, call).await.map_err(|_| format!("Shopify did not answer within {} s", TIMEOUT.as_secs()))?
    }

    /// `token` sealed for the database (see `zelly_service::seal`).
    pub fn seal(&self, token: &str) -> Result<String, String> {
        self.sealer.seal(token)
    }

    /// The token `sealed` holds, if it was sealed under this key.
    pub fn open(&self, sealed: &str) -> Option<String> {
        self.sealer.open(sealed)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn app(key: u8) -> ShopifyApp {
        let key = base64::engine::general_purpose::STANDARD.encode([key; 32]);
        let vars = move |name: &str| match name {
            "SHOPIFY_API_KEY" => Some("key".to_owned()),
            "SHOPIFY_API_SECRET" => Some("secret".to_owned()),
            "SHOPIFY_TOKEN_KEY" => Some(key.clone()),
            "SHOPIFY_ADMIN_URL" => Some("http://127.0.0.1:9400/".to_owned()),
            _ => None,
        };
        ShopifyApp::new(ShopifyAppConfig::from_vars(&vars).unwrap().unwrap()).unwrap()
    }

    #[test]
    fn a_sealed_token_opens_only_under_its_key_and_never_shows_in_clear() {
        let (mine, other) = (app(7), app(8));
        let sealed = mine.seal("shpat_0123456789abcdef").unwrap();
        assert!(!sealed.contains("shpat_") && sealed.starts_with("v1."));
        assert_ne!(sealed, mine.seal("shpat_0123456789abcdef").unwrap(), "a fresh nonce each time");
        assert_eq!(mine.open(&sealed).as_deref(), Some("shpat_0123456789abcdef"));
        assert_eq!(other.open(&sealed), None);
        assert_eq!(mine.open("v1.AAAA"), None);
        assert_eq!(mine.open("shpat_0123456789abcdef"), None);
    }

    #[test]
    fn settings_name_what_is_missing() {
        let only_key = |name: &str| (name == "SHOPIFY_API_KEY").then(|| "key".to_owned());
        assert!(ShopifyAppConfig::from_vars(&only_key).unwrap_err().contains("SHOPIFY_API_SECRET"));
        assert!(ShopifyAppConfig::from_vars(&|_| None).unwrap().is_none());
        let short_key = |name: &str| match name {
            "SHOPIFY_API_KEY" | "SHOPIFY_API_SECRET" => Some("x".to_owned()),
            "SHOPIFY_TOKEN_KEY" => Some("c2hvcnQ=".to_owned()),
            _ => None,
        };
        assert!(ShopifyAppConfig::from_vars(&short_key).unwrap_err().contains("32 bytes"));
        let app = app(1);
        assert_eq!(app.shop_base("tea.myshopify.com"), "http://127.0.0.1:9400/shops/tea.myshopify.com");
        assert_eq!(app.webhook_url(), "http://localhost:3000/api/webhooks/shopify");
        assert!(app.authorize_url("tea.myshopify.com", "s1").starts_with("http://127.0.0.1:9400/shops/tea.myshopify.com/admin/oauth/authorize?client_id=key&scope="));
    }
}
