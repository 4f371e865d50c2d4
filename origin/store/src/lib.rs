//! The system of record behind traits.
//!
//! [`TenantStore`] and [`CatalogStore`] are the only way services reach tenant and catalog data. Each
//! has two implementations, each owning its migrations: [`postgres::PgStore`] (production; the seed's
//! `astro_primary`, `ecom_store_front` and `backoffice` schemas in one database) and
//! [`sqlite::SqliteStore`] (the embedded default). The conformance suite in `tests/` runs the same
//! cases against both. Every catalog call takes the tenant explicitly.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod backoffice;
pub mod config;
pub mod customers;
pub mod shopify;
pub mod shopify_catalog;
pub mod demo;
mod error;
pub mod orders;
pub mod postgres;
mod rows;
pub mod seller;
pub mod sqlite;
pub mod storefront;
pub mod team;
pub mod testing;

use async_trait::async_trait;
use std::sync::Arc;
use uuid::Uuid;
use zelly_edge::dto::{Product, Tenant, TenantOverview, TenantStatus, VariantPrice};
use zelly_edge::{DomainName, Handle, Money, TenantSlug};

pub use backoffice::{AuditQuery, BackofficeStore, NewAudit, NewStaff, OrderSearch, StaffAccount, TenantSearch};
pub use config::DatabaseConfig;
pub use error::StoreError;
pub use customers::{AddressToSave, CustomerStore, TokenPurpose};
pub use shopify::{ShopifyConnection, ShopifyStore};
pub use shopify_catalog::{ShopifyCatalogStore, ShopifyProductWrite, ShopifyVariantRef, ShopifySync, SyncPage};
pub use orders::{Finalized, OrderQuery, OrderStore, RefundIntent, RefundState};
pub use seller::{ProductQuery, SellerStore};
pub use storefront::StorefrontStore;
pub use team::{DomainCheckOutcome, DueDomain, InviteRefusal, OpenStore, TeamStore};

/// A tenant to create.
#[derive(Debug, Clone)]
pub struct NewTenant {
    /// Unique slug.
    pub slug: TenantSlug,
    /// Store name.
    pub name: String,
}

/// A variant to create with its product.
#[derive(Debug, Clone)]
pub struct NewVariant {
    /// SKU, unique within the tenant.
    pub sku: String,
    /// Option label.
    pub title: String,
    /// Unit price.
    pub price: Money,
}

/// A product to create.
#[derive(Debug, Clone)]
pub struct NewProduct {
    /// Handle, unique within the tenant.
    pub handle: Handle,
    /// Name.
    pub title: String,
    /// Description.
    pub description: String,
    /// Image URL.
    pub image_url: Option<String>,
    /// At least one variant.
    pub variants: Vec<NewVariant>,
}

/// Tenants and their domains.
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Creates a tenant; a taken slug is [`StoreError::Conflict`].
    async fn create_tenant(&self, new: &NewTenant) -> Result<Tenant, StoreError>;
    /// Attaches a domain to a tenant; a domain that belongs to anyone already is a conflict.
    async fn add_domain(&self, tenant: Uuid, domain: &DomainName, primary: bool) -> Result<(), StoreError>;
    /// Opens or closes a tenant.
    async fn set_tenant_status(&self, tenant: Uuid, status: TenantStatus) -> Result<(), StoreError>;
    /// The tenant with this slug, whatever its status.
    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError>;
    /// The tenant a domain belongs to, whatever its status.
    async fn tenant_by_domain(&self, domain: &DomainName) -> Result<Option<Tenant>, StoreError>;
    /// Every tenant with its domains and product count, by slug.
    async fn list_tenants(&self) -> Result<Vec<TenantOverview>, StoreError>;
    /// Sets a store's name, logo and accent colour (checked with
    /// [`StoreSettingsInput::validate`](zelly_edge::catalog::StoreSettingsInput::validate); the
    /// colour is stored in lower case). An unknown tenant is [`StoreError::NotFound`].
    async fn update_store_settings(&self, tenant: Uuid, input: &zelly_edge::catalog::StoreSettingsInput) -> Result<Tenant, StoreError>;
}

/// Products and variants, always scoped to one tenant.
#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Creates a product with its variants in one transaction.
    async fn create_product(&self, tenant: Uuid, new: &NewProduct) -> Result<Product, StoreError>;
    /// The tenant's products, newest first.
    async fn list_products(&self, tenant: Uuid) -> Result<Vec<Product>, StoreError>;
    /// One of the tenant's products by handle.
    async fn product_by_handle(&self, tenant: Uuid, handle: &Handle) -> Result<Option<Product>, StoreError>;
    /// Current prices of those of `variants` that belong to the tenant; others are left out.
    async fn variant_prices(&self, tenant: Uuid, variants: &[Uuid]) -> Result<Vec<VariantPrice>, StoreError>;

}

/// Everything a service needs from the system of record.
pub trait Store: TenantStore + CatalogStore + SellerStore + OrderStore + StorefrontStore + TeamStore + CustomerStore + ShopifyStore + ShopifyCatalogStore + BackofficeStore {
    /// Which backend this is, for logs and health output.
    fn backend(&self) -> &'static str;
}

/// A shareable handle on whichever backend was configured.
pub type DynStore = Arc<dyn Store>;

/// Connects to the configured backend and brings its schema up to date.
pub async fn connect(config: &DatabaseConfig) -> Result<DynStore, StoreError> {
    Ok(match config {
        DatabaseConfig::Postgres { url, migration_url: None } => Arc::new(postgres::PgStore::connect(url.expose()).await?),
        DatabaseConfig::Postgres { url, migration_url: Some(owner) } => {
            Arc::new(postgres::PgStore::connect_as_app(url.expose(), owner.expose()).await?)
        }
        DatabaseConfig::Sqlite { path } => Arc::new(sqlite::SqliteStore::open(path).await?),
    })
}
