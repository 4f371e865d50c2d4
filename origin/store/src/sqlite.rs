//! Embedded backend: one SQLite file, for `cargo xtask dev` and fast tests.

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

    /// A transaction for the platform-wide staff reads.
    async fn platform_tx(&self) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin().await?)
    }
}

crate::seller::tenant_store_impl!(SqliteStore, sqlx::Sqlite, "");
crate::seller::seller_store_impl!(SqliteStore, sqlx::Sqlite, "");
crate::seller::catalog_store_impl!(SqliteStore, sqlx::Sqlite, "");
crate::orders::order_store_impl!(SqliteStore, sqlx::Sqlite, "", "");

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
}
