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

    /// A transaction that accepts an invite (it writes).
    async fn invite_tx(&self, _token_hash: &str) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Nothing to scope: SQLite has no row-level security.
    async fn enter_tenant(_tx: &mut sqlx::Transaction<'static, Sqlite>, _tenant: Uuid) -> Result<(), StoreError> {
        Ok(())
    }

    /// A transaction for the platform-wide staff reads.
    async fn platform_tx(&self) -> Result<sqlx::Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin().await?)
    }
}

crate::seller::tenant_store_impl!(SqliteStore, sqlx::Sqlite, "");
crate::team::team_store_impl!(SqliteStore, sqlx::Sqlite, "", "");
crate::seller::seller_store_impl!(SqliteStore, sqlx::Sqlite, "");
crate::seller::catalog_store_impl!(SqliteStore, sqlx::Sqlite, "");
crate::orders::order_store_impl!(SqliteStore, sqlx::Sqlite, "", "");
crate::customers::customer_store_impl!(SqliteStore, "");
crate::shopify::shopify_store_impl!(SqliteStore, "");
crate::shopify_catalog::shopify_catalog_impl!(SqliteStore, sqlx::Sqlite, "", "", "");
crate::backoffice::backoffice_store_impl!(SqliteStore, "", "", "json_extract(c.shipping, '$.phone')");

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

/// The product columns the storefront reads, as `rows::SellerProductRow` wants them.
macro_rules! listed {
    () => {
        "p.id, p.handle, p.title, p.description, p.status, p.option_names, p.images, p.seo_title, p.seo_description, p.version, p.updated_at_ms"
    };
}

/// What a listing's card shows, as `storefront::json::CardJson` reads it.
macro_rules! card {
    () => {
        "p.id, p.handle, p.title, json_extract(p.images, '$[0].url') AS image_url, \
         (SELECT min(v.price_minor) FROM variants v WHERE v.tenant_id = p.tenant_id AND v.product_id = p.id) AS price_minor, \
         (SELECT min(v.currency) FROM variants v WHERE v.tenant_id = p.tenant_id AND v.product_id = p.id) AS currency, \
         (SELECT count(*) FROM variants v WHERE v.tenant_id = p.tenant_id AND v.product_id = p.id) AS variant_count"
    };
}

/// A listed product's card with its sort key.
#[derive(sqlx::FromRow)]
struct KeyedRow {
    #[sqlx(flatten)]
    row: crate::storefront::json::CardJson,
    k: i64,
}

impl SqliteStore {
    /// The tenant on `domain` and its featured collection, in the read transaction.
    async fn storefront_tenant(
        tx: &mut sqlx::Transaction<'static, Sqlite>,
        domain: &DomainName,
    ) -> Result<Option<(Tenant, Option<Uuid>)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            tenant: crate::rows::TenantRow,
            featured_collection_id: Option<Uuid>,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT t.id, t.slug, t.name, t.status, t.logo_url, t.accent_color, t.catalog_version, t.currency, t.featured_collection_id, \
             (SELECT p.domain FROM tenant_domains p WHERE p.tenant_id = t.id AND p.is_primary) AS primary_domain \
             FROM tenant_domains d JOIN tenants t ON t.id = d.tenant_id WHERE d.domain = $1",
        )
        .bind(domain.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        row.map(|r| Ok((Tenant::try_from(r.tenant)?, r.featured_collection_id))).transpose()
    }
}

#[async_trait]
impl crate::storefront::StorefrontStore for SqliteStore {
    async fn storefront_listing(
        &self,
        domain: &DomainName,
        query: &crate::storefront::ListingQuery,
    ) -> Result<Option<crate::storefront::Listing>, StoreError> {
        use crate::storefront::{fts5_query, search_terms, Listing, ListingCursor};
        use zelly_edge::dto::{CollectionHeading, CollectionLink, FeaturedProducts, ListingSort};
        let mut tx = self.pool.begin().await?;
        let Some((tenant, featured_id)) = Self::storefront_tenant(&mut tx, domain).await? else { return Ok(None) };
        let mut listing =
            Listing { tenant, collections: Vec::new(), collection: None, featured: None, products: Vec::new(), next: None };
        if listing.tenant.status != TenantStatus::Active {
            return Ok(Some(listing));
        }
        let tenant = listing.tenant.id;
        let links: Vec<(String, String)> =
            sqlx::query_as("SELECT handle, title FROM collections WHERE tenant_id = $1 ORDER BY title, handle LIMIT $2")
                .bind(tenant)
                .bind(zelly_edge::dto::MAX_NAV_COLLECTIONS as i64)
                .fetch_all(&mut *tx)
                .await?;
        listing.collections = links
            .into_iter()
            .filter_map(|(handle, title)| Handle::parse(&handle).ok().map(|handle| CollectionLink { handle, title }))
            .collect();
        let mut collection_id = None;
        if let Some(handle) = &query.collection {
            let found: Option<(Uuid, String, String)> =
                sqlx::query_as("SELECT id, title, description FROM collections WHERE tenant_id = $1 AND handle = $2")
                    .bind(tenant)
                    .bind(handle.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((id, title, description)) = found else { return Ok(Some(listing)) };
            collection_id = Some(id);
            listing.collection = Some(CollectionHeading { handle: handle.clone(), title, description });
        }
        let terms = query.search.as_deref().map(search_terms);
        if terms.as_ref().is_some_and(Vec::is_empty) {
            return Ok(Some(listing));
        }
        let matches = terms.as_deref().map(fts5_query);
        let limit = i64::from(query.limit.max(1));
        let after = query.after.as_ref();
        let mut q: sqlx::QueryBuilder<Sqlite> = sqlx::QueryBuilder::new(concat!("SELECT ", card!(), ", "));
        let by_relevance = matches.is_some() && query.sort == ListingSort::Featured;
        let by_position = collection_id.is_some() && query.sort == ListingSort::Featured;
        if let (true, Some(matches)) = (by_relevance, &matches) {
            q.push("0 AS k FROM product_search s JOIN products p ON p.id = s.product_id WHERE product_search MATCH ")
                .push_bind(matches.clone())
                .push(" AND p.tenant_id = ")
                .push_bind(tenant)
                .push(" AND p.status = 'active' ORDER BY bm25(product_search, 0.0, 0.0, 10.0, 1.0), p.handle LIMIT ")
                .push_bind(limit + 1)
                .push(" OFFSET ")
                .push_bind(after.map_or(0, |a| a.key.max(0)));
        } else {
            let (key, order, op) = match query.sort {
                _ if by_position => ("cp.position", "cp.position, p.handle", ">"),
                ListingSort::PriceAsc => ("p.min_price_minor", "p.min_price_minor, p.handle", ">"),
                ListingSort::PriceDesc => ("p.min_price_minor", "p.min_price_minor DESC, p.handle DESC", "<"),
                ListingSort::Featured | ListingSort::Newest => ("p.created_at_ms", "p.created_at_ms DESC, p.handle DESC", "<"),
            };
            q.push(format!("{key} AS k FROM products p "));
            if by_position {
                q.push("JOIN collection_products cp ON cp.product_id = p.id AND cp.tenant_id = p.tenant_id AND cp.collection_id = ")
                    .push_bind(collection_id);
            }
            q.push(" WHERE p.tenant_id = ").push_bind(tenant).push(" AND p.status = 'active'");
            if let (Some(id), false) = (collection_id, by_position) {
                q.push(" AND EXISTS (SELECT 1 FROM collection_products cp WHERE cp.tenant_id = p.tenant_id AND cp.product_id = p.id AND cp.collection_id = ")
                    .push_bind(id)
                    .push(")");
            }
            if let Some(matches) = &matches {
                q.push(" AND p.id IN (SELECT product_id FROM product_search WHERE product_search MATCH ").push_bind(matches.clone()).push(")");
            }
            if let Some(after) = after {
                q.push(format!(" AND ({key}, p.handle) {op} (")).push_bind(after.key).push(", ").push_bind(after.handle.clone()).push(")");
            }
            q.push(format!(" ORDER BY {order} LIMIT ")).push_bind(limit + 1);
        }
        let mut rows: Vec<KeyedRow> = q.build_query_as().fetch_all(&mut *tx).await?;
        if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            let last = rows.last().map(|r| (r.k, r.row.handle.clone()));
            listing.next = last.map(|(key, handle)| match by_relevance {
                true => ListingCursor { key: after.map_or(0, |a| a.key.max(0)) + limit, handle: String::new() },
                false => ListingCursor { key, handle },
            });
        }
        listing.products = crate::storefront::json::cards(rows.into_iter().map(|r| r.row).collect())?;
        if let (Some(featured), None, None, None) = (featured_id, &query.collection, &terms, after) {
            let head: Option<(String, String)> = sqlx::query_as("SELECT handle, title FROM collections WHERE tenant_id = $1 AND id = $2")
                .bind(tenant)
                .bind(featured)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some((handle, title)) = head {
                let rows: Vec<crate::storefront::json::CardJson> = sqlx::query_as(concat!(
                    "SELECT ", card!(), " FROM collection_products cp JOIN products p ON p.id = cp.product_id AND p.tenant_id = cp.tenant_id \
                     WHERE cp.tenant_id = $1 AND cp.collection_id = $2 AND p.status = 'active' ORDER BY cp.position LIMIT $3"
                ))
                .bind(tenant)
                .bind(featured)
                .bind(zelly_edge::dto::MAX_FEATURED_PRODUCTS as i64)
                .fetch_all(&mut *tx)
                .await?;
                let products = crate::storefront::json::cards(rows)?;
                let handle = Handle::parse(&handle).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                listing.featured = Some(FeaturedProducts { handle, title, products });
            }
        }
        tx.commit().await?;
        Ok(Some(listing))
    }

    async fn storefront_product(&self, domain: &DomainName, handle: &Handle) -> Result<Option<crate::storefront::ProductPage>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some((tenant, _)) = Self::storefront_tenant(&mut tx, domain).await? else { return Ok(None) };
        if tenant.status != TenantStatus::Active {
            return Ok(Some(crate::storefront::ProductPage { tenant, product: None }));
        }
        let rows: Vec<crate::seller::rows::SellerProductRow> =
            sqlx::query_as(concat!("SELECT ", listed!(), " FROM products p WHERE p.tenant_id = $1 AND p.handle = $2 AND p.status = 'active'"))
                .bind(tenant.id)
                .bind(handle.as_str())
                .fetch_all(&mut *tx)
                .await?;
        let product = Self::load_products(&mut tx, tenant.id, rows).await?.pop().map(crate::storefront::storefront_with_stock);
        tx.commit().await?;
        Ok(Some(crate::storefront::ProductPage { tenant, product }))
    }

    async fn storefront_prices(&self, domain: &DomainName, variants: &[Uuid]) -> Result<Option<crate::storefront::PriceRead>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some((tenant, _)) = Self::storefront_tenant(&mut tx, domain).await? else { return Ok(None) };
        let (cash_on_delivery,): (bool,) = sqlx::query_as("SELECT cash_on_delivery FROM tenants WHERE id = $1")
            .bind(tenant.id)
            .fetch_one(&mut *tx)
            .await?;
        let mut read = crate::storefront::PriceRead { tenant, cash_on_delivery, prices: Vec::new(), details: Vec::new() };
        if read.tenant.status != TenantStatus::Active || variants.is_empty() {
            return Ok(Some(read));
        }
        let mut q: sqlx::QueryBuilder<Sqlite> = sqlx::QueryBuilder::new(
            "SELECT v.id, p.title AS product_title, p.handle AS product_handle, v.title, v.sku, v.price_minor, v.currency, \
             json_extract(p.images, '$[0].url') AS image_url, v.track_inventory, v.inventory_quantity, \
             (SELECT count(*) FROM variants s WHERE s.tenant_id = v.tenant_id AND s.product_id = v.product_id) AS siblings \
             FROM variants v JOIN products p ON p.id = v.product_id AND p.tenant_id = v.tenant_id \
             WHERE p.status = 'active' AND v.tenant_id = ",
        );
        q.push_bind(read.tenant.id).push(" AND v.id IN (");
        let mut ids = q.separated(", ");
        for id in variants {
            ids.push_bind(*id);
        }
        ids.push_unseparated(")");
        let rows: Vec<crate::storefront::json::PricedJson> = q.build_query_as().fetch_all(&mut *tx).await?;
        tx.commit().await?;
        (read.prices, read.details) = crate::storefront::json::priced(rows)?;
        Ok(Some(read))
    }

    async fn storefront_sitemap(&self, domain: &DomainName, offset: u64, limit: u32) -> Result<Option<crate::storefront::Sitemap>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let Some((tenant, _)) = Self::storefront_tenant(&mut tx, domain).await? else { return Ok(None) };
        let mut sitemap = crate::storefront::Sitemap { tenant, total: 0, collections: Vec::new(), products: Vec::new() };
        if sitemap.tenant.status != TenantStatus::Active {
            return Ok(Some(sitemap));
        }
        let id = sitemap.tenant.id;
        let (total,): (i64,) = sqlx::query_as("SELECT count(*) FROM products WHERE tenant_id = $1 AND status = 'active'")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        sitemap.total = u64::try_from(total).unwrap_or(0);
        let parse = |h: String| Handle::parse(&h).map_err(|e| StoreError::Corrupt(e.to_string()));
        if offset == 0 {
            let handles: Vec<(String,)> = sqlx::query_as("SELECT handle FROM collections WHERE tenant_id = $1 ORDER BY handle")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
            sitemap.collections = handles.into_iter().map(|(h,)| parse(h)).collect::<Result<_, _>>()?;
        }
        let handles: Vec<(String,)> = sqlx::query_as(
            "SELECT handle FROM products WHERE tenant_id = $1 AND status = 'active' ORDER BY handle LIMIT $2 OFFSET $3",
        )
        .bind(id)
        .bind(i64::from(limit.max(1)))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(&mut *tx)
        .await?;
        sitemap.products = handles.into_iter().map(|(h,)| parse(h)).collect::<Result<_, _>>()?;
        tx.commit().await?;
        Ok(Some(sitemap))
    }
}
