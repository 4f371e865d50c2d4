//! What the edge tiers (storefront hosts, checkout hosts) need to know about talking to core-api,
//! whatever HTTP client they use.

use crate::domain::{DomainName, Handle};
use crate::dto::{ListingRequest, PriceList, PriceLookup, StoreListing, StoreProduct, StoreSitemap};
use crate::events::EventBatch;

/// How a call to origin failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// No active store on the domain, or no such product.
    #[error("not found")]
    NotFound,
    /// The store on the domain exists but is suspended.
    #[error("store suspended")]
    Suspended,
    /// Origin could not be reached or answered unexpectedly (the payload says how).
    #[error("origin unavailable: {0}")]
    Unavailable(String),
    /// Origin refused the request as it stands (invalid, too large); retrying will not help.
    #[error("origin refused the request: {0}")]
    Rejected(String),
}

impl OriginError {
    /// Classifies a non-2xx status from core-api.
    pub fn from_status(status: u16) -> Self {
        match status {
            404 => OriginError::NotFound,
            410 => OriginError::Suspended,
            // 401 means this host's STOREFRONT_API_BEARER_TOKEN does not match core-api's.
            401 => OriginError::Unavailable("core-api refused the storefront bearer token".into()),
            400 | 413 | 422 => OriginError::Rejected(format!("core-api answered {status}")),
            other => OriginError::Unavailable(format!("core-api answered {other}")),
        }
    }
}

/// The storefront read API as the edge tiers use it; one implementation per HTTP client.
///
/// No `Send` bound: in a Worker everything runs on one thread.
#[allow(async_fn_in_trait)]
pub trait StorefrontOrigin {
    /// One page of a listing of the store on `domain` (its products, a search, a collection).
    async fn listing(&self, domain: &DomainName, request: &ListingRequest) -> Result<StoreListing, OriginError>;
    /// One product of the store on `domain`.
    async fn product(&self, domain: &DomainName, handle: &Handle) -> Result<StoreProduct, OriginError>;
    /// The stretch of the sitemap of the store on `domain` from `offset`.
    async fn sitemap(&self, domain: &DomainName, offset: u64, limit: u32) -> Result<StoreSitemap, OriginError>;
    /// Current prices of variants of the store on `domain`.
    async fn prices(&self, domain: &DomainName, lookup: &PriceLookup) -> Result<PriceList, OriginError>;
    /// Whether `domain` belongs to an active tenant (the on-demand TLS question).
    async fn validate_domain(&self, domain: &DomainName) -> Result<bool, OriginError>;
    /// The version of what the store on `domain` shows; a change means cached pages are stale.
    async fn store_version(&self, domain: &DomainName) -> Result<i64, OriginError>;
    /// Hands shopper events of the store on `domain` to core-api's intake; `shopper_ip` feeds its
    /// per-shopper rate limit.
    async fn send_events(&self, domain: &DomainName, batch: &EventBatch, shopper_ip: Option<&str>) -> Result<(), OriginError>;
}

/// One call to core-api's storefront API with the storefront token, JSON in and out: the status
/// and the body as text. Checkout's pages build their calls on it (`crate::checkout_pages`).
#[allow(async_fn_in_trait)]
pub trait OriginJson {
    /// `method` (`GET`, `POST`, `PUT`) on `path` with an optional JSON body.
    async fn call_json(&self, method: &str, path: &str, body: Option<String>) -> Result<(u16, String), OriginError>;
}

/// Sends events, retrying briefly when origin is unreachable or busy: the hosts call this after the
/// shopper's response is on its way, so a short wait costs nobody anything. `sleep` waits for the
/// given milliseconds in the host's runtime. Gives up on answers that a retry cannot change.
pub async fn send_events_with_retry<O, S, F>(
    origin: &O,
    domain: &DomainName,
    batch: &EventBatch,
    shopper_ip: Option<&str>,
    sleep: S,
) -> Result<(), OriginError>
where
    O: StorefrontOrigin,
    S: Fn(u32) -> F,
    F: core::future::Future<Output = ()>,
{
    let mut last = OriginError::Unavailable("not sent".into());
    for (attempt, delay_ms) in [0_u32, 250, 1000, 4000].into_iter().enumerate() {
        if attempt > 0 {
            sleep(delay_ms).await;
        }
        match origin.send_events(domain, batch, shopper_ip).await {
            Ok(()) => return Ok(()),
            Err(err @ (OriginError::NotFound | OriginError::Suspended)) => return Err(err),
            Err(err @ OriginError::Rejected(_)) => return Err(err),
            Err(err) => last = err,
        }
    }
    Err(last)
}

/// customer-auth, as the storefront and checkout hosts reach it (`AUTH_API_URL`).
#[allow(async_fn_in_trait)]
pub trait Accounts {
    /// `method` on `path` of customer-auth's API, with the shopper's session as a bearer when
    /// given and an optional JSON body: the status and the body as text.
    async fn accounts_call(&self, method: &str, path: &str, bearer: Option<&str>, body: Option<String>) -> Result<(u16, String), OriginError>;
    /// Where shoppers' browsers reach customer-auth's pages (`AUTH_PUBLIC_URL`).
    fn public_url(&self) -> &str;
}
