//! Production backend: PostgreSQL (Aurora in production) with the seed's schemas.

use crate::seller::{ProductQuery, SellerStore};
use crate::{CatalogStore, NewProduct, NewTenant, Store, StoreError, TenantStore};
use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Postgres;
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::catalog::{
    Collection, CollectionInput, InventoryAdjustment, InventoryAdjustmentInput, Page, ProductInput, Role, SellerProduct,
};
use zelly_edge::dto::{Product, Tenant, TenantOverview, TenantStatus, VariantPrice};
use zelly_edge::{DomainName, Handle, TenantSlug};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The PostgreSQL implementation of the store traits.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects and applies migrations as the same role (serialised across processes by sqlx's
    /// advisory lock).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = Self::pool(url).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    /// Applies migrations as the schema owner (`migrator_url`), then connects as the application
    /// role (`url`), which owns nothing and so can never change the schema or the row-level-security
    /// policies.
    pub async fn connect_as_app(url: &str, migrator_url: &str) -> Result<Self, StoreError> {
        let owner = PgPoolOptions::new().max_connections(1).connect(migrator_url).await?;
        MIGRATOR.run(&owner).await?;
        owner.close().await;
        Ok(Self { pool: Self::pool(url).await? })
    }

    async fn pool(url: &str) -> Result<PgPool, StoreError> {
        Ok(PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?)
    }

    /// A transaction in which row-level security admits only `tenant`'s rows.
    async fn tenant_tx(&self, tenant: Uuid) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        // set_config(…, true) is SET LOCAL: it ends with the transaction, so a pooled connection
        // never carries one tenant into another's request.
        sqlx::query("SELECT set_config('zelly.tenant_id', $1, true)")
            .bind(tenant.to_string())
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    /// A transaction for the one platform-wide read: staff's tenant list with product counts.
    async fn platform_tx(&self) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT set_config('zelly.platform', 'on', true)").execute(&mut *tx).await?;
        Ok(tx)
    }

    /// A transaction in which a user's memberships (and nothing else) are visible.
    async fn uid_tx(&self, uid: &str) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT set_config('zelly.uid', $1, true)").bind(uid).execute(&mut *tx).await?;
        Ok(tx)
    }
}

crate::seller::tenant_store_impl!(PgStore, sqlx::Postgres, "astro_primary.");
crate::seller::seller_store_impl!(PgStore, sqlx::Postgres, "astro_primary.");
crate::seller::catalog_store_impl!(PgStore, sqlx::Postgres, "astro_primary.");
crate::orders::order_store_impl!(PgStore, sqlx::Postgres, "astro_primary.", " FOR UPDATE");

impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }
}
