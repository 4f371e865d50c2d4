//! Production backend: PostgreSQL (Aurora in production) with the seed's schemas.

use crate::rows::{group_domains, TenantRow};
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

    /// A transaction in which a user's memberships (and nothing else) are visible.
    async fn uid_tx(&self, uid: &str) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT set_config('zelly.uid', $1, true)").bind(uid).execute(&mut *tx).await?;
        Ok(tx)
    }
}

#[async_trait]
impl TenantStore for PgStore {
    async fn create_tenant(&self, new: &NewTenant) -> Result<Tenant, StoreError> {
        let row: TenantRow = sqlx::query_as(
            "INSERT INTO astro_primary.tenants (id, slug, name) VALUES ($1, $2, $3) \
             RETURNING id, slug, name, status",
        )
        .bind(Uuid::new_v4())
        .bind(new.slug.as_str())
        .bind(new.name.trim())
        .fetch_one(&self.pool)
        .await?;
        row.try_into()
    }

    async fn add_domain(&self, tenant: Uuid, domain: &DomainName, primary: bool) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO astro_primary.tenant_domains (domain, tenant_id, is_primary) VALUES ($1, $2, $3)")
            .bind(domain.as_str())
            .bind(tenant)
            .bind(primary)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_tenant_status(&self, tenant: Uuid, status: TenantStatus) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE astro_primary.tenants SET status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(tenant)
            .execute(&self.pool)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError> {
        let row: Option<TenantRow> =
            sqlx::query_as("SELECT id, slug, name, status FROM astro_primary.tenants WHERE slug = $1")
                .bind(slug.as_str())
                .fetch_optional(&self.pool)
                .await?;
        row.map(Tenant::try_from).transpose()
    }

    async fn tenant_by_domain(&self, domain: &DomainName) -> Result<Option<Tenant>, StoreError> {
        let row: Option<TenantRow> = sqlx::query_as(
            "SELECT t.id, t.slug, t.name, t.status FROM astro_primary.tenant_domains d \
             JOIN astro_primary.tenants t ON t.id = d.tenant_id WHERE d.domain = $1",
        )
        .bind(domain.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(Tenant::try_from).transpose()
    }

    async fn list_tenants(&self) -> Result<Vec<TenantOverview>, StoreError> {
        // Staff see every tenant's product count: the one platform-wide read.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT set_config('zelly.platform', 'on', true)").execute(&mut *tx).await?;
        let tenants: Vec<(Uuid, String, String, String, i64)> = sqlx::query_as(
            "SELECT t.id, t.slug, t.name, t.status, \
                    (SELECT count(*) FROM astro_primary.products p WHERE p.tenant_id = t.id) \
             FROM astro_primary.tenants t ORDER BY t.slug",
        )
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let domains: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT tenant_id, domain FROM astro_primary.tenant_domains ORDER BY is_primary DESC, domain",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut domains = group_domains(domains);
        tenants
            .into_iter()
            .map(|(id, slug, name, status, product_count)| {
                Ok(TenantOverview {
                    tenant: TenantRow { id, slug, name, status }.try_into()?,
                    domains: domains.remove(&id).unwrap_or_default(),
                    product_count,
                })
            })
            .collect()
    }
}

crate::seller::seller_store_impl!(PgStore, sqlx::Postgres, "astro_primary.");
crate::seller::catalog_store_impl!(PgStore, sqlx::Postgres, "astro_primary.");

impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }
}
