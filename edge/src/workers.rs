//! core-api's storefront API over the Workers runtime's `fetch` (feature `workers`).

use crate::domain::{DomainName, Handle};
use crate::dto::{ListingRequest, PriceList, PriceLookup, StoreListing, StoreProduct, StoreSitemap};
use crate::events::EventBatch;
use crate::origin::{OriginError, OriginJson, StorefrontOrigin};
use crate::{paths, Secret};
use serde::de::DeserializeOwned;
use worker::{Env, Fetch, Headers, Method, Request, RequestInit};

/// A client of core-api from inside a Worker.
#[derive(Debug, Clone)]
pub struct WorkerOrigin {
    base: String,
    token: Secret,
}

impl WorkerOrigin {
    /// Reads the `CORE_API_URL` var and the `STOREFRONT_API_BEARER_TOKEN` secret (or var, in dev).
    pub fn from_env(env: &Env) -> Result<Self, String> {
        let base = env
            .var("CORE_API_URL")
            .map(|v| v.to_string())
            .map_err(|_| "CORE_API_URL is not set for this Worker".to_owned())?;
        let token = env
            .secret("STOREFRONT_API_BEARER_TOKEN")
            .map(|v| v.to_string())
            .or_else(|_| env.var("STOREFRONT_API_BEARER_TOKEN").map(|v| v.to_string()))
            .map_err(|_| "STOREFRONT_API_BEARER_TOKEN is not set for this Worker".to_owned())?;
        Ok(Self { base: base.trim_end_matches('/').to_owned(), token: Secret::new(token) })
    }

    async fn call(&self, method: Method, path: &str, body: Option<String>) -> Result<worker::Response, OriginError> {
        self.call_with(method, path, body, &[]).await
    }

    async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        extra: &[(&str, &str)],
    ) -> Result<worker::Response, OriginError> {
        let unavailable = |e: worker::Error| OriginError::Unavailable(e.to_string());
        let headers = Headers::new();
        for (name, value) in extra {
            headers.set(name, value).map_err(unavailable)?;
        }
        headers.set("authorization", &format!("Bearer {}", self.token.expose())).map_err(unavailable)?;
        let mut init = RequestInit::new();
        init.with_method(method);
        if let Some(body) = body {
            headers.set("content-type", "application/json").map_err(unavailable)?;
            init.with_body(Some(body.into()));
        }
        init.with_headers(headers);
        let request = Request::new_with_init(&format!("{}{path}", self.base), &init).map_err(unavailable)?;
        Fetch::Request(request).send().await.map_err(unavailable)
    }

    async fn json<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<String>) -> Result<T, OriginError> {
        let mut response = self.call(method, path, body).await?;
        let status = response.status_code();
        if !(200..300).contains(&status) {
            return Err(OriginError::from_status(status));
        }
        response.json().await.map_err(|e| OriginError::Unavailable(e.to_string()))
    }
}

impl OriginJson for WorkerOrigin {
    async fn call_json(&self, method: &str, path: &str, body: Option<String>) -> Result<(u16, String), OriginError> {
        let method = match method {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            other => return Err(OriginError::Rejected(format!("unsupported method {other}"))),
        };
        let mut response = self.call(method, path, body).await?;
        let text = response.text().await.map_err(|e| OriginError::Unavailable(e.to_string()))?;
        Ok((response.status_code(), text))
    }
}

impl StorefrontOrigin for WorkerOrigin {
    async fn listing(&self, domain: &DomainName, request: &ListingRequest) -> Result<StoreListing, OriginError> {
        self.json(Method::Get, &paths::store_listing(domain, request), None).await
    }

    async fn product(&self, domain: &DomainName, handle: &Handle) -> Result<StoreProduct, OriginError> {
        self.json(Method::Get, &paths::store_product(domain, handle), None).await
    }

    async fn sitemap(&self, domain: &DomainName, offset: u64, limit: u32) -> Result<StoreSitemap, OriginError> {
        self.json(Method::Get, &paths::store_sitemap(domain, offset, limit), None).await
    }

    async fn prices(&self, domain: &DomainName, lookup: &PriceLookup) -> Result<PriceList, OriginError> {
        let body = serde_json::to_string(lookup).map_err(|e| OriginError::Unavailable(e.to_string()))?;
        self.json(Method::Post, &paths::store_prices(domain), Some(body)).await
    }

    async fn validate_domain(&self, domain: &DomainName) -> Result<bool, OriginError> {
        let response = self.call(Method::Get, &paths::validate_tenant_domain(domain), None).await?;
        match response.status_code() {
            200..=299 => Ok(true),
            404 => Ok(false),
            other => Err(OriginError::Unavailable(format!("core-api answered {other}"))),
        }
    }

    async fn store_version(&self, domain: &DomainName) -> Result<i64, OriginError> {
        let answer: crate::dto::StoreVersion = self.json(Method::Get, &paths::store_version(domain), None).await?;
        Ok(answer.version)
    }

    async fn send_events(&self, domain: &DomainName, batch: &EventBatch, shopper_ip: Option<&str>) -> Result<(), OriginError> {
        let body = serde_json::to_string(batch).map_err(|e| OriginError::Rejected(e.to_string()))?;
        let extra: Vec<(&str, &str)> = shopper_ip.map(|ip| (paths::SHOPPER_IP_HEADER, ip)).into_iter().collect();
        let response = self.call_with(Method::Post, &paths::store_events(domain), Some(body), &extra).await?;
        match response.status_code() {
            200..=299 => Ok(()),
            status => Err(OriginError::from_status(status)),
        }
    }
}

/// The host a Worker request was addressed to: the `Host` header, else the URL's host.
pub fn request_host(request: &Request) -> String {
    request
        .headers()
        .get("host")
        .ok()
        .flatten()
        .or_else(|| request.url().ok().and_then(|u| u.host_str().map(str::to_owned)))
        .unwrap_or_default()
}

/// 16 bytes from the runtime's secure random source (`crypto.getRandomValues`).
pub fn random_bytes() -> worker::Result<[u8; 16]> {
    use worker::js_sys::{Function, Reflect, Uint8Array};
    use worker::wasm_bindgen::JsCast;
    let crypto = Reflect::get(&worker::js_sys::global(), &"crypto".into())?;
    let fill: Function = Reflect::get(&crypto, &"getRandomValues".into())?.dyn_into()?;
    let bytes = Uint8Array::new_with_length(16);
    fill.call1(&crypto, &bytes)?;
    let mut out = [0_u8; 16];
    bytes.copy_to(&mut out);
    Ok(out)
}

/// customer-auth over the Workers runtime's `fetch`: `AUTH_API_URL` for its API, `AUTH_PUBLIC_URL`
/// (default the same) for shoppers' browsers.
pub struct WorkerAccounts {
    api: String,
    public: String,
}

impl WorkerAccounts {
    /// Reads `AUTH_API_URL` and `AUTH_PUBLIC_URL`; `None` when `AUTH_API_URL` is unset.
    pub fn from_env(env: &Env) -> Option<Self> {
        let api = env.var("AUTH_API_URL").ok()?.to_string();
        let public = env.var("AUTH_PUBLIC_URL").map(|v| v.to_string()).unwrap_or_else(|_| api.clone());
        Some(Self { api: api.trim_end_matches('/').to_owned(), public: public.trim_end_matches('/').to_owned() })
    }
}

impl crate::origin::Accounts for WorkerAccounts {
    async fn accounts_call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<String>,
    ) -> std::result::Result<(u16, String), crate::origin::OriginError> {
        use crate::origin::OriginError;
        let unavailable = |e: worker::Error| OriginError::Unavailable(e.to_string());
        let method = match method {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            other => return Err(OriginError::Rejected(format!("unsupported method {other}"))),
        };
        let headers = Headers::new();
        if let Some(bearer) = bearer {
            headers.set("authorization", &format!("Bearer {bearer}")).map_err(unavailable)?;
        }
        let mut init = worker::RequestInit::new();
        init.with_method(method);
        if let Some(body) = body {
            headers.set("content-type", "application/json").map_err(unavailable)?;
            init.with_body(Some(body.into()));
        }
        init.with_headers(headers);
        init.with_redirect(worker::RequestRedirect::Manual);
        let request = Request::new_with_init(&format!("{}{path}", self.api), &init).map_err(unavailable)?;
        let mut response = worker::Fetch::Request(request).send().await.map_err(unavailable)?;
        let text = response.text().await.map_err(unavailable)?;
        Ok((response.status_code(), text))
    }

    fn public_url(&self) -> &str {
        &self.public
    }
}
