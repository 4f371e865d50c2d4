//! Embedded backend: one SQLite file, for `cargo xtask dev` and fast tests.

use crate::rows::{assemble_products, group_domains, ProductRow, TenantRow, VariantPriceRow, VariantRow};
use crate::{validate_new_product, CatalogStore, NewProduct, NewTenant, Store, StoreError, TenantStore};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use uuid::Uuid;
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

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn create_product(&self, tenant: Uuid, new: &NewProduct) -> Result<Product, StoreError> {
        validate_new_product(new)?;
        let mut tx = self.pool.begin().await?;
        let product_id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO products (id, tenant_id, handle, title, description, image_url) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(product_id)
        .bind(tenant)
        .bind(new.handle.as_str())
        .bind(new.title.trim())
        .bind(&new.description)
        .bind(&new.image_url)
        .execute(&mut *tx)
        .await?;
        for (position, variant) in new.variants.iter().enumerate() {
            sqlx::query(
                "INSERT INTO variants (id, tenant_id, product_id, sku, title, price_minor, currency, position) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(Uuid::new_v4())
            .bind(tenant)
            .bind(product_id)
            .bind(variant.sku.trim())
            .bind(variant.title.trim())
            .bind(variant.price.amount_minor)
            .bind(variant.price.currency.as_str())
            .bind(position as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.product_by_handle(tenant, &new.handle).await?.ok_or(StoreError::NotFound)
    }

    async fn list_products(&self, tenant: Uuid) -> Result<Vec<Product>, StoreError> {
        let products: Vec<ProductRow> = sqlx::query_as(
            "SELECT id, handle, title, description, image_url FROM products \
             WHERE tenant_id = ? ORDER BY created_at DESC, handle",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?;
        let variants: Vec<VariantRow> = sqlx::query_as(
            "SELECT id, product_id, sku, title, price_minor, currency FROM variants \
             WHERE tenant_id = ? ORDER BY product_id, position",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?;
        assemble_products(products, variants)
    }

    async fn product_by_handle(&self, tenant: Uuid, handle: &Handle) -> Result<Option<Product>, StoreError> {
        let Some(product): Option<ProductRow> = sqlx::query_as(
            "SELECT id, handle, title, description, image_url FROM products WHERE tenant_id = ? AND handle = ?",
        )
        .bind(tenant)
        .bind(handle.as_str())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let variants: Vec<VariantRow> = sqlx::query_as(
            "SELECT id, product_id, sku, title, price_minor, currency FROM variants \
             WHERE tenant_id = ? AND product_id = ? ORDER BY position",
        )
        .bind(tenant)
        .bind(product.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(assemble_products(vec![product], variants)?.pop())
    }

    async fn variant_prices(&self, tenant: Uuid, variants: &[Uuid]) -> Result<Vec<VariantPrice>, StoreError> {
        if variants.is_empty() {
            return Ok(Vec::new());
        }
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT v.id, p.title AS product_title, v.title, v.sku, v.price_minor, v.currency \
             FROM variants v JOIN products p ON p.id = v.product_id AND p.tenant_id = v.tenant_id \
             WHERE v.tenant_id = ",
        );
        query.push_bind(tenant).push(" AND v.id IN (");
        let mut ids = query.separated(", ");
        for id in variants {
            ids.push_bind(*id);
        }
        ids.push_unseparated(")");
        let rows: Vec<VariantPriceRow> = query.build_query_as().fetch_all(&self.pool).await?;
        rows.into_iter().map(VariantPrice::try_from).collect()
    }
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
}
