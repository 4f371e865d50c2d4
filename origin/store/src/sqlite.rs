//! Embedded backend: one SQLite file, for `cargo xtask dev` and fast tests.

use crate::rows::{group_domains, TenantRow};
use crate::seller::{ProductQuery, SellerStore};
use crate::{CatalogStore, NewProduct, NewTenant, Store, StoreError, TenantStore};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::catalog::{
    Collection, CollectionInput, InventoryAdjustment, InventoryAdjustmentInput, Page, ProductInput, Role, SellerProduct,
};
use zelly_edge::dto::{Product, Tenant, TenantOverview, TenantStatus, VariantPrice};
use zelly_edge::{DomainName, Handle, TenantSlug};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The SQLite implementation of the store traits.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::Invalid(format!("data dir {}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            // WAL lets the storefront read while core-api writes; NORMAL is durable across app
            // crashes and only risks the last commits on power loss, the usual embedded trade-off.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
    }

    /// A transaction for one tenant's data. SQLite has no row-level security: every query in it
    /// still names the tenant. `BEGIN IMMEDIATE` takes the write lock up front, so concurrent
    /// writers queue on the busy timeout instead of failing when a read lock cannot be upgraded.
    async fn tenant_tx(&self, _tenant: Uuid) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// A transaction for a membership lookup by Firebase uid.
    async fn uid_tx(&self, _uid: &str) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin().await?)
    }
}

#[async_trait]
impl TenantStore for SqliteStore {
    async fn create_tenant(&self, new: &NewTenant) -> Result<Tenant, StoreError> {
        let row: TenantRow = sqlx::query_as(
            "INSERT INTO tenants (id, slug, name) VALUES (?, ?, ?) RETURNING id, slug, name, status",
        )
        .bind(Uuid::new_v4())
        .bind(new.slug.as_str())
        .bind(new.name.trim())
        .fetch_one(&self.pool)
        .await?;
        row.try_into()
    }

    async fn add_domain(&self, tenant: Uuid, domain: &DomainName, primary: bool) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO tenant_domains (domain, tenant_id, is_primary) VALUES (?, ?, ?)")
            .bind(domain.as_str())
            .bind(tenant)
            .bind(primary)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_tenant_status(&self, tenant: Uuid, status: TenantStatus) -> Result<(), StoreError> {
        let done = sqlx::query("UPDATE tenants SET status = ? WHERE id = ?")
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
        let row: Option<TenantRow> = sqlx::query_as("SELECT id, slug, name, status FROM tenants WHERE slug = ?")
            .bind(slug.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(Tenant::try_from).transpose()
    }

    async fn tenant_by_domain(&self, domain: &DomainName) -> Result<Option<Tenant>, StoreError> {
        let row: Option<TenantRow> = sqlx::query_as(
            "SELECT t.id, t.slug, t.name, t.status FROM tenant_domains d \
             JOIN tenants t ON t.id = d.tenant_id WHERE d.domain = ?",
        )
        .bind(domain.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(Tenant::try_from).transpose()
    }

    async fn list_tenants(&self) -> Result<Vec<TenantOverview>, StoreError> {
        let tenants: Vec<(Uuid, String, String, String, i64)> = sqlx::query_as(
            "SELECT t.id, t.slug, t.name, t.status, \
                    (SELECT count(*) FROM products p WHERE p.tenant_id = t.id) \
             FROM tenants t ORDER BY t.slug",
        )
        .fetch_all(&self.pool)
        .await?;
        let domains: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT tenant_id, domain FROM tenant_domains ORDER BY is_primary DESC, domain")
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

crate::seller::seller_store_impl!(SqliteStore, sqlx::Sqlite, "");
crate::seller::catalog_store_impl!(SqliteStore, sqlx::Sqlite, "");

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
}
