//! What the edge tiers (storefront hosts, checkout hosts) need to know about talking to core-api,
//! whatever HTTP client they use.

use crate::domain::{DomainName, Handle};
use crate::dto::{PriceList, PriceLookup, StoreCatalog, StoreCollection, StoreProduct};

/// How a call to origin failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// No active store on the domain, or no such product.
    #[error("not found")]
    NotFound,
    /// Origin could not be reached or answered unexpectedly (the payload says how).
    #[error("origin unavailable: {0}")]
    Unavailable(String),
}

impl OriginError {
    /// Classifies a non-2xx status from core-api.
    pub fn from_status(status: u16) -> Self {
        match status {
            404 => OriginError::NotFound,
            // 401 means this host's STOREFRONT_API_BEARER_TOKEN does not match core-api's.
            401 => OriginError::Unavailable("core-api refused the storefront bearer token".into()),
            other => OriginError::Unavailable(format!("core-api answered {other}")),
        }
    }
}

/// The storefront read API as the edge tiers use it; one implementation per HTTP client.
///
/// No `Send` bound: in a Worker everything runs on one thread.
#[allow(async_fn_in_trait)]
pub trait StorefrontOrigin {
    /// The store on `domain` and its products.
    async fn catalog(&self, domain: &DomainName) -> Result<StoreCatalog, OriginError>;
    /// One product of the store on `domain`.
    async fn product(&self, domain: &DomainName, handle: &Handle) -> Result<StoreProduct, OriginError>;
    /// One collection of the store on `domain`.
    async fn collection(&self, domain: &DomainName, handle: &Handle) -> Result<StoreCollection, OriginError>;
    /// Current prices of variants of the store on `domain`.
    async fn prices(&self, domain: &DomainName, lookup: &PriceLookup) -> Result<PriceList, OriginError>;
    /// Whether `domain` belongs to an active tenant (the on-demand TLS question).
    async fn validate_domain(&self, domain: &DomainName) -> Result<bool, OriginError>;
}
