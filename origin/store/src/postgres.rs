//! Production backend: PostgreSQL (Aurora in production) with the seed's schemas.

use crate::rows::{assemble_products, group_domains, ProductRow, TenantRow, VariantPriceRow, VariantRow};
use crate::{validate_new_product, CatalogStore, NewProduct, NewTenant, Store, StoreError, TenantStore};
use async_trait::async_trait;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::dto::{Product, Tenant, TenantOverview, TenantStatus, VariantPrice};
use zelly_edge::{DomainName, Handle, TenantSlug};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The PostgreSQL implementation of the store traits.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects and applies migrations (serialised across processes by sqlx's advisory lock).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool })
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
        let tenants: Vec<(Uuid, String, String, String, i64)> = sqlx::query_as(
            "SELECT t.id, t.slug, t.name, t.status, \
                    (SELECT count(*) FROM astro_primary.products p WHERE p.tenant_id = t.id) \
             FROM astro_primary.tenants t ORDER BY t.slug",
        )
        .fetch_all(&self.pool)
        .await?;
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

#[async_trait]
impl CatalogStore for PgStore {
    async fn create_product(&self, tenant: Uuid, new: &NewProduct) -> Result<Product, StoreError> {
        validate_new_product(new)?;
        let mut tx = self.pool.begin().await?;
        let product_id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO astro_primary.products (id, tenant_id, handle, title, description, image_url) \
             VALUES ($1, $2, $3, $4, $5, $6)",
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
                "INSERT INTO astro_primary.variants \
                 (id, tenant_id, product_id, sku, title, price_minor, currency, position) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(Uuid::new_v4())
            .bind(tenant)
            .bind(product_id)
            .bind(variant.sku.trim())
            .bind(variant.title.trim())
            .bind(variant.price.amount_minor)
            .bind(variant.price.currency.as_str())
            .bind(position as i32)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.product_by_handle(tenant, &new.handle).await?.ok_or(StoreError::NotFound)
    }

    async fn list_products(&self, tenant: Uuid) -> Result<Vec<Product>, StoreError> {
        let products: Vec<ProductRow> = sqlx::query_as(
            "SELECT id, handle, title, description, image_url FROM astro_primary.products \
             WHERE tenant_id = $1 ORDER BY created_at DESC, handle",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?;
        let variants: Vec<VariantRow> = sqlx::query_as(
            "SELECT id, product_id, sku, title, price_minor, currency FROM astro_primary.variants \
             WHERE tenant_id = $1 ORDER BY product_id, position",
        )
        .bind(tenant)
        .fetch_all(&self.pool)
        .await?;
        assemble_products(products, variants)
    }

    async fn product_by_handle(&self, tenant: Uuid, handle: &Handle) -> Result<Option<Product>, StoreError> {
        let Some(product): Option<ProductRow> = sqlx::query_as(
            "SELECT id, handle, title, description, image_url FROM astro_primary.products \
             WHERE tenant_id = $1 AND handle = $2",
        )
        .bind(tenant)
        .bind(handle.as_str())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let variants: Vec<VariantRow> = sqlx::query_as(
            "SELECT id, product_id, sku, title, price_minor, currency FROM astro_primary.variants \
             WHERE tenant_id = $1 AND product_id = $2 ORDER BY position",
        )
        .bind(tenant)
        .bind(product.id)
        .fetch_all(&self.pool)
        .await?;
        Ok(assemble_products(vec![product], variants)?.pop())
    }

    async fn variant_prices(&self, tenant: Uuid, variants: &[Uuid]) -> Result<Vec<VariantPrice>, StoreError> {
        let rows: Vec<VariantPriceRow> = sqlx::query_as(
            "SELECT v.id, p.title AS product_title, v.title, v.sku, v.price_minor, v.currency \
             FROM astro_primary.variants v \
             JOIN astro_primary.products p ON p.id = v.product_id AND p.tenant_id = v.tenant_id \
             WHERE v.tenant_id = $1 AND v.id = ANY($2)",
        )
        .bind(tenant)
        .bind(variants)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(VariantPrice::try_from).collect()
    }
}

impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }
}
