//! core-api's storefront read API over reqwest, for the native storefront and checkout hosts.

use serde::de::DeserializeOwned;
use std::time::Duration;
use zelly_edge::dto::{ListingRequest, PriceList, PriceLookup, StoreListing, StoreProduct, StoreSitemap};
use zelly_edge::events::EventBatch;
use zelly_edge::origin::{OriginError, OriginJson, StorefrontOrigin};
use zelly_edge::{paths, DomainName, Handle, Secret};

/// A client of core-api authenticated with the storefront bearer token.
#[derive(Debug, Clone)]
pub struct OriginClient {
    base: String,
    token: Secret,
    http: reqwest::Client,
}

impl OriginClient {
    /// A client of the core-api at `base` (e.g. `http://127.0.0.1:3000`).
    pub fn new(base: &str, token: Secret) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(3))
            .build()
            .unwrap_or_default();
        Self { base: base.trim_end_matches('/').to_owned(), token, http }
    }

    /// Reads `CORE_API_URL` (default `http://127.0.0.1:3000`) and `STOREFRONT_API_BEARER_TOKEN`.
    pub fn from_env() -> Result<Self, String> {
        let base = std::env::var("CORE_API_URL").unwrap_or_else(|_| "http://127.0.0.1:3000".into());
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!("CORE_API_URL must be an http(s) URL, got {base:?}"));
        }
        let token = std::env::var("STOREFRONT_API_BEARER_TOKEN")
            .ok()
            .filter(|t| !t.is_empty())
            .ok_or("STOREFRONT_API_BEARER_TOKEN is not set: core-api's storefront API needs it")?;
        Ok(Self::new(&base, Secret::new(token)))
    }

    async fn send<T: DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T, OriginError> {
        let response = request
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(|e| OriginError::Unavailable(e.to_string()))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(OriginError::from_status(status));
        }
        response.json().await.map_err(|e| OriginError::Unavailable(e.to_string()))
    }
}

impl OriginJson for OriginClient {
    async fn call_json(&self, method: &str, path: &str, body: Option<String>) -> Result<(u16, String), OriginError> {
        json_call(&self.http, method, &format!("{}{path}", self.base), Some(self.token.expose()), body).await
    }
}

/// One call over `http`: `method` on `url`, with `bearer` when given and an optional JSON body;
/// the status and the body as text. Refused or unreachable is [`OriginError::Unavailable`].
pub async fn json_call(
    http: &reqwest::Client,
    method: &str,
    url: &str,
    bearer: Option<&str>,
    body: Option<String>,
) -> Result<(u16, String), OriginError> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| OriginError::Rejected(e.to_string()))?;
    let mut request = http.request(method, url);
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    if let Some(body) = body {
        request = request.header(reqwest::header::CONTENT_TYPE, "application/json").body(body);
    }
    let response = request.send().await.map_err(|e| OriginError::Unavailable(e.to_string()))?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(|e| OriginError::Unavailable(e.to_string()))?;
    Ok((status, text))
}

impl StorefrontOrigin for OriginClient {
    async fn listing(&self, domain: &DomainName, request: &ListingRequest) -> Result<StoreListing, OriginError> {
        self.send(self.http.get(format!("{}{}", self.base, paths::store_listing(domain, request)))).await
    }

    async fn product(&self, domain: &DomainName, handle: &Handle) -> Result<StoreProduct, OriginError> {
        self.send(self.http.get(format!("{}{}", self.base, paths::store_product(domain, handle)))).await
    }

    async fn sitemap(&self, domain: &DomainName, offset: u64, limit: u32) -> Result<StoreSitemap, OriginError> {
        self.send(self.http.get(format!("{}{}", self.base, paths::store_sitemap(domain, offset, limit)))).await
    }

    async fn prices(&self, domain: &DomainName, lookup: &PriceLookup) -> Result<PriceList, OriginError> {
        self.send(self.http.post(format!("{}{}", self.base, paths::store_prices(domain))).json(lookup)).await
    }

    async fn validate_domain(&self, domain: &DomainName) -> Result<bool, OriginError> {
        let url = format!("{}{}", self.base, paths::validate_tenant_domain(domain));
        let response = self.http.get(url).send().await.map_err(|e| OriginError::Unavailable(e.to_string()))?;
        match response.status().as_u16() {
            200..=299 => Ok(true),
            404 => Ok(false),
            other => Err(OriginError::Unavailable(format!("core-api answered {other}"))),
        }
    }

    async fn store_version(&self, domain: &DomainName) -> Result<i64, OriginError> {
        let answer: zelly_edge::dto::StoreVersion =
            self.send(self.http.get(format!("{}{}", self.base, paths::store_version(domain)))).await?;
        Ok(answer.version)
    }

    async fn send_events(&self, domain: &DomainName, batch: &EventBatch, shopper_ip: Option<&str>) -> Result<(), OriginError> {
        let mut request =
            self.http.post(format!("{}{}", self.base, paths::store_events(domain))).bearer_auth(self.token.expose()).json(batch);
        if let Some(ip) = shopper_ip {
            request = request.header(paths::SHOPPER_IP_HEADER, ip);
        }
        let response = request.send().await.map_err(|e| OriginError::Unavailable(e.to_string()))?;
        match response.status().as_u16() {
            200..=299 => Ok(()),
            status => Err(OriginError::from_status(status)),
        }
    }
}

/// customer-auth over reqwest: its API for this host's server, its pages for shoppers' browsers.
#[derive(Debug, Clone)]
pub struct AccountsClient {
    api: String,
    public: String,
    http: reqwest::Client,
}

impl AccountsClient {
    /// A client of customer-auth's API at `api`, whose pages shoppers reach at `public`.
    pub fn new(api: &str, public: &str) -> Self {
        let http = reqwest::Client::builder()
            // Checkout waits on it (the address check answers within its own timeout), so it is short.
            .timeout(std::time::Duration::from_secs(5))
            .connect_timeout(std::time::Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { api: api.trim_end_matches('/').to_owned(), public: public.trim_end_matches('/').to_owned(), http }
    }

    /// Reads `AUTH_API_URL` (the seed's name) and `AUTH_PUBLIC_URL` (default: the same); `None`
    /// when `AUTH_API_URL` is unset.
    pub fn from_env() -> Result<Option<Self>, String> {
        let Some(api) = std::env::var("AUTH_API_URL").ok().filter(|v| !v.trim().is_empty()) else { return Ok(None) };
        let public = std::env::var("AUTH_PUBLIC_URL").ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| api.clone());
        for (name, url) in [("AUTH_API_URL", &api), ("AUTH_PUBLIC_URL", &public)] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!("{name} must be an http(s) URL, got {url:?}"));
            }
        }
        Ok(Some(Self::new(api.trim(), public.trim())))
    }
}

impl zelly_edge::origin::Accounts for AccountsClient {
    async fn accounts_call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<String>,
    ) -> Result<(u16, String), zelly_edge::origin::OriginError> {
        json_call(&self.http, method, &format!("{}{path}", self.api), bearer, body).await
    }

    fn public_url(&self) -> &str {
        &self.public
    }
}
