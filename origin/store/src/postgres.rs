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

    /// A transaction in which the one invite whose secret hashes to `token_hash` is visible.
    async fn invite_tx(&self, token_hash: &str) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT set_config('zelly.invite', $1, true)").bind(token_hash).execute(&mut *tx).await?;
        Ok(tx)
    }

    /// Scopes an open transaction to `tenant`, once it is known.
    async fn enter_tenant(tx: &mut sqlx::Transaction<'static, Postgres>, tenant: Uuid) -> Result<(), StoreError> {
        sqlx::query("SELECT set_config('zelly.tenant_id', $1, true)").bind(tenant.to_string()).execute(&mut **tx).await?;
        Ok(())
    }

    /// A transaction in which a user's memberships (and nothing else) are visible.
    async fn uid_tx(&self, uid: &str) -> Result<sqlx::Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT set_config('zelly.uid', $1, true)").bind(uid).execute(&mut *tx).await?;
        Ok(tx)
    }
}

crate::seller::tenant_store_impl!(PgStore, sqlx::Postgres, "astro_primary.");
crate::team::team_store_impl!(PgStore, sqlx::Postgres, "astro_primary.", " FOR UPDATE");
crate::seller::seller_store_impl!(PgStore, sqlx::Postgres, "astro_primary.");
crate::seller::catalog_store_impl!(PgStore, sqlx::Postgres, "astro_primary.");
crate::orders::order_store_impl!(PgStore, sqlx::Postgres, "astro_primary.", " FOR UPDATE");
crate::customers::customer_store_impl!(PgStore, "ecom_store_front.");
crate::shopify::shopify_store_impl!(PgStore, "astro_primary.");
crate::shopify_catalog::shopify_catalog_impl!(PgStore, sqlx::Postgres, "astro_primary.", "ecom_store_front.", " FOR UPDATE");
crate::backoffice::backoffice_store_impl!(PgStore, "astro_primary.", "backoffice.", "(c.shipping->>'phone')");

impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }
}

/// `read` (a storefront function's JSON, or NULL) with the store's primary domain added to its
/// `tenant` (`tenant_domains` is the directory every host reads, outside row-level security).
macro_rules! primary_domain_into_tenant {
    ($read:literal) => {
        concat!(
            "CASE WHEN r IS NULL THEN NULL ELSE jsonb_set(r, '{tenant,primary_domain}', coalesce(to_jsonb((",
            "SELECT d.domain FROM astro_primary.tenant_domains d WHERE d.tenant_id = (r->'tenant'->>'id')::uuid AND d.is_primary",
            ")), 'null'::jsonb)) END FROM ", $read, " r"
        )
    };
}

impl PgStore {
    /// One call of `astro_primary.storefront_read` (see `crate::storefront`): one prepared
    /// statement, one round trip. `None`: no store on the domain.
    #[allow(clippy::too_many_arguments)]
    async fn storefront_read<T: serde::de::DeserializeOwned + Send + Unpin + 'static>(
        &self,
        domain: &DomainName,
        kind: &str,
        handle: Option<&str>,
        search: Option<&str>,
        sort: &str,
        after: Option<&crate::storefront::ListingCursor>,
        limit: u32,
    ) -> Result<Option<T>, StoreError> {
        // The store's primary domain rides along in the same statement (canonical URLs and the
        // sitemap name it).
        let row: Option<sqlx::types::Json<T>> = sqlx::query_scalar(concat!(
            "SELECT ", primary_domain_into_tenant!("astro_primary.storefront_read($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        ))
        .bind(domain.as_str())
        .bind(kind)
        .bind(handle)
        .bind(search)
        .bind(sort)
        .bind(after.map(|a| a.key))
        .bind(after.map(|a| a.handle.as_str()))
        .bind(limit.clamp(1, 50_000) as i32)
        .bind(zelly_edge::dto::MAX_FEATURED_PRODUCTS as i32)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.map(|json| json.0))
    }
}

#[async_trait]
impl crate::storefront::StorefrontStore for PgStore {
    async fn storefront_listing(
        &self,
        domain: &DomainName,
        query: &crate::storefront::ListingQuery,
    ) -> Result<Option<crate::storefront::Listing>, StoreError> {
        let search = query.search.as_deref().map(|text| crate::storefront::pg_tsquery(&crate::storefront::search_terms(text)));
        let read: Option<crate::storefront::json::ListingJson> = self
            .storefront_read(
                domain,
                "listing",
                query.collection.as_ref().map(Handle::as_str),
                search.as_deref(),
                query.sort.as_str(),
                query.after.as_ref(),
                query.limit,
            )
            .await?;
        read.map(TryInto::try_into).transpose()
    }

    async fn storefront_product(&self, domain: &DomainName, handle: &Handle) -> Result<Option<crate::storefront::ProductPage>, StoreError> {
        let read: Option<crate::storefront::json::ProductPageJson> =
            self.storefront_read(domain, "product", Some(handle.as_str()), None, "featured", None, 1).await?;
        read.map(|page| {
            Ok(crate::storefront::ProductPage {
                tenant: page.tenant.try_into()?,
                product: page.product.map(|p| Ok::<_, StoreError>(crate::storefront::storefront_with_stock(p.try_into()?))).transpose()?,
            })
        })
        .transpose()
    }

    async fn storefront_prices(&self, domain: &DomainName, variants: &[Uuid]) -> Result<Option<crate::storefront::PriceRead>, StoreError> {
        let row: Option<sqlx::types::Json<crate::storefront::json::PricesJson>> =
            sqlx::query_scalar(concat!("SELECT ", primary_domain_into_tenant!("astro_primary.storefront_prices($1, $2)")))
                .bind(domain.as_str())
                .bind(variants)
                .fetch_one(&self.pool)
                .await?;
        row.map(|json| {
            let read = json.0;
            let (prices, details) = crate::storefront::json::priced(read.variants)?;
            Ok(crate::storefront::PriceRead { tenant: read.tenant.try_into()?, cash_on_delivery: read.cash_on_delivery, prices, details })
        })
        .transpose()
    }

    async fn storefront_sitemap(&self, domain: &DomainName, offset: u64, limit: u32) -> Result<Option<crate::storefront::Sitemap>, StoreError> {
        let start = crate::storefront::ListingCursor { key: i64::try_from(offset).unwrap_or(i64::MAX), handle: String::new() };
        let read: Option<crate::storefront::json::SitemapJson> =
            self.storefront_read(domain, "sitemap", None, None, "featured", Some(&start), limit).await?;
        read.map(|s| {
            Ok(crate::storefront::Sitemap { tenant: s.tenant.try_into()?, total: s.total, collections: s.collections, products: s.products })
        })
        .transpose()
    }
}
