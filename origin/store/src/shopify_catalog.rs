//! The catalog a connected Shopify shop brings: products matched by their Shopify GID, the order
//! of Shopify's changes, inventory by Shopify inventory item, and the state of the catalog sync.
//! Written once for both backends like the other stores.
//!
//! Every write of a Shopify product carries the Shopify time of the state it holds; a write no
//! newer than what was applied changes nothing, so a late or repeated webhook never undoes a newer
//! change. A product deleted in Shopify is archived and stays mapped, for the same reason.
//!
//! Shopify owns an imported product's fields and stock; Zelly owns its SEO title and description
//! (taken from Shopify when the product is created, kept on later updates), which the merchant
//! edits in seller-ui.

use crate::StoreError;
use async_trait::async_trait;
use uuid::Uuid;
use zelly_edge::catalog::ProductInput;
pub use zelly_edge::shopify::{ShopifySync, SkippedProduct, SyncStatus};

/// A Shopify product to create or update, as core-api mapped it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShopifyProductWrite {
    /// Its Shopify GID (`gid://shopify/Product/…`).
    pub shopify_id: String,
    /// The Shopify time of this state (ms since the epoch).
    pub updated_at_ms: i64,
    /// The product; variant ids are ignored (the store finds them by Shopify GID), prices are
    /// taken to be in the store's currency, and its
    /// handle and SKUs give way to `{handle}-{n}` and each variant's `fallback_sku` where another
    /// product of the store already uses them.
    pub input: ProductInput,
    /// One per `input.variants`, in the same order.
    pub variants: Vec<ShopifyVariantRef>,
}

/// How a Shopify variant is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopifyVariantRef {
    /// Its Shopify GID (`gid://shopify/ProductVariant/…`).
    pub shopify_id: String,
    /// Its inventory item's GID, when Shopify sent it.
    pub inventory_item_id: Option<String>,
    /// A SKU no merchant would type, used when its own is taken.
    pub fallback_sku: String,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShopifyApplied {
    /// A new product.
    Created(Uuid),
    /// An existing product, now at the write's state.
    Updated(Uuid),
    /// Nothing: the product already holds this state or a newer one.
    Unchanged(Uuid),
    /// Nothing: Shopify deleted the product after this state, before Zelly knew it.
    Gone,
}

/// A page of the sync, stored in the same transaction as its products.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncPage {
    /// The run it belongs to: a page of an older run is refused (`Stale`).
    pub run_id: String,
    /// Shopify's cursor after this page.
    pub cursor: Option<String>,
    /// The shop's product count, when known.
    pub total: Option<i64>,
    /// Products of this page that could not be imported.
    pub skipped: Vec<SkippedProduct>,
}

/// A shop's settings, as Shopify has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopSettings {
    /// The shop's name.
    pub name: String,
    /// Its logo, when it has one.
    pub logo_url: Option<String>,
    /// Its currency.
    pub currency: Option<zelly_edge::Currency>,
    /// Where customers reach it.
    pub contact_email: Option<String>,
}

/// What taking a shop's settings changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SettingsApplied {
    /// Whether the store's currency changed (it does only while the store has no orders).
    pub currency_changed: bool,
    /// The shop's currency differs from the store's, which has orders: it was kept.
    pub currency_kept: bool,
}

/// What erasing a shopper's personal data touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Redacted {
    /// Accounts deleted (with their addresses and sessions).
    pub accounts: u64,
    /// Checkouts and orders whose contact and address were erased (amounts, items and the
    /// region kept for the store's accounts).
    pub checkouts: u64,
}

/// The most skipped products a sync remembers.
pub const MAX_SKIPPED: usize = 100;

/// Products from Shopify and the catalog sync.
#[async_trait]
pub trait ShopifyCatalogStore: Send + Sync {
    /// Creates or updates Shopify products in one transaction, each matched by its GID; with
    /// `page`, also records the sync's progress, in that transaction (`Stale` when the run is no
    /// longer the store's running sync). Every product written is marked as seen by the run.
    async fn apply_shopify_products(
        &self,
        tenant: Uuid,
        products: &[ShopifyProductWrite],
        page: Option<&SyncPage>,
    ) -> Result<Vec<ShopifyApplied>, StoreError>;
    /// Archives the product deleted in Shopify at `at_ms`: the product, or `None` when unknown (the
    /// deletion is then remembered, so that an older create delivered later makes nothing).
    async fn delete_shopify_product(&self, tenant: Uuid, shopify_id: &str, at_ms: i64) -> Result<Option<Uuid>, StoreError>;
    /// Sets the stock of the variant with this Shopify inventory item; whether there is one.
    async fn set_shopify_inventory(&self, tenant: Uuid, inventory_item_id: &str, quantity: i64) -> Result<bool, StoreError>;
    /// The Shopify inventory items of those variants that came from Shopify.
    async fn shopify_inventory_items(&self, tenant: Uuid, variants: &[Uuid]) -> Result<Vec<(Uuid, String)>, StoreError>;
    /// Which of those products came from Shopify, with their Shopify GIDs.
    async fn shopify_ids_of(&self, tenant: Uuid, products: &[Uuid]) -> Result<Vec<(Uuid, String)>, StoreError>;
    /// How many products came from Shopify and are not deleted there.
    async fn shopify_product_count(&self, tenant: Uuid) -> Result<i64, StoreError>;
    /// Starts run `run_id`, replacing the store's earlier sync; `Conflict` while another run
    /// started after `stuck_before_ms` is still running.
    async fn start_shopify_sync(&self, tenant: Uuid, run_id: &str, now_ms: i64, stuck_before_ms: i64) -> Result<ShopifySync, StoreError>;
    /// The store's latest sync.
    async fn shopify_sync(&self, tenant: Uuid) -> Result<Option<ShopifySync>, StoreError>;
    /// Ends run `run_id`. On success, archives the Shopify products the run never saw that were
    /// last changed before it started (deleted in Shopify while no webhook told us). `Stale` when
    /// the run is no longer the store's running sync.
    async fn finish_shopify_sync(&self, tenant: Uuid, run_id: &str, error: Option<&str>, now_ms: i64) -> Result<ShopifySync, StoreError>;
    /// Takes the shop's name, logo, contact email and (while the store has no orders) currency
    /// into the store's settings.
    async fn apply_shop_settings(&self, tenant: Uuid, settings: &ShopSettings) -> Result<SettingsApplied, StoreError>;
    /// The store's contact email, if it has one.
    async fn store_contact_email(&self, tenant: Uuid) -> Result<Option<String>, StoreError>;
    /// Erases what the store holds about the shopper with `email`: their account, and the
    /// contact and street address of their checkouts and orders.
    async fn redact_shopper(&self, tenant: Uuid, email: &str) -> Result<Redacted, StoreError>;
    /// Erases what the store keeps of its Shopify shop `shop`: the connection, which product came
    /// from which Shopify product, the sync and the webhook receipts. The products stay: they are
    /// the store's catalog now.
    async fn forget_shopify_shop(&self, tenant: Uuid, shop: &str) -> Result<(), StoreError>;
    /// The store a shop was last connected to and no longer is (privacy webhooks come after an
    /// uninstall).
    async fn tenant_of_former_shopify_shop(&self, shop: &str) -> Result<Option<Uuid>, StoreError>;
}

/// `{handle}-{suffix}`, cut so that it stays a valid handle.
pub(crate) fn suffixed_handle(handle: &str, suffix: &str) -> String {
    let keep = 100_usize.saturating_sub(suffix.len() + 1);
    let base: String = handle.chars().take(keep).collect();
    format!("{}-{suffix}", base.trim_end_matches('-'))
}

/// The numeric tail of a GID (`gid://shopify/Product/42` → `42`).
pub fn gid_tail(gid: &str) -> &str {
    gid.rsplit('/').next().unwrap_or(gid)
}

/// The [`ShopifyCatalogStore`] implementation; `$p` is the table prefix (`$c` that of the
/// customers' tables), `$lock` what locks the
/// rows read before a write (PostgreSQL's ` FOR UPDATE`: two deliveries about one product apply
/// one after the other, each seeing what the other did; SQLite's writers are serialised anyway).
macro_rules! shopify_catalog_impl {
    ($store:ty, $db:ty, $p:literal, $c:literal, $lock:literal) => {
        impl $store {
            async fn sync_in(tx: &mut sqlx::Transaction<'static, $db>, tenant: Uuid) -> Result<Option<$crate::shopify_catalog::ShopifySync>, StoreError> {
                #[allow(clippy::type_complexity)]
                let row: Option<(String, String, Option<String>, i64, Option<i64>, i64, sqlx::types::Json<Vec<$crate::shopify_catalog::SkippedProduct>>, Option<String>, i64, Option<i64>)> =
                    sqlx::query_as(concat!(
                        "SELECT run_id, status, page_cursor, imported, total, archived, skipped, error, started_at_ms, finished_at_ms \
                         FROM ", $p, "shopify_syncs WHERE tenant_id = $1"))
                    .bind(tenant).fetch_optional(&mut **tx).await?;
                row.map(|(run_id, status, cursor, imported, total, archived, skipped, error, started_at_ms, finished_at_ms)| {
                    Ok($crate::shopify_catalog::ShopifySync {
                        status: $crate::shopify_catalog::SyncStatus::parse(&status)
                            .ok_or_else(|| StoreError::Corrupt(format!("sync status {status:?}")))?,
                        run_id, cursor, imported, total, archived, skipped: skipped.0, error, started_at_ms, finished_at_ms,
                    })
                })
                .transpose()
            }

            /// Writes one Shopify product inside the caller's transaction.
            async fn write_shopify_product(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: Uuid,
                w: &$crate::shopify_catalog::ShopifyProductWrite,
                run: Option<&str>,
            ) -> Result<$crate::shopify_catalog::ShopifyApplied, StoreError> {
                use $crate::shopify_catalog::{gid_tail, suffixed_handle, ShopifyApplied};
                if w.variants.len() != w.input.variants.len() {
                    return Err(StoreError::Invalid("variants: one Shopify reference per variant is required".into()));
                }
                let known: Option<(Uuid, i64)> = sqlx::query_as(concat!(
                    "SELECT product_id, source_updated_at_ms FROM ", $p, "shopify_products WHERE tenant_id = $1 AND shopify_id = $2", $lock))
                    .bind(tenant).bind(&w.shopify_id).fetch_optional(&mut **tx).await?;
                if let Some((product, applied)) = known {
                    sqlx::query(concat!("UPDATE ", $p, "shopify_products SET seen_run = coalesce($3, seen_run) WHERE tenant_id = $1 AND shopify_id = $2"))
                        .bind(tenant).bind(&w.shopify_id).bind(run).execute(&mut **tx).await?;
                    if applied >= w.updated_at_ms {
                        return Ok(ShopifyApplied::Unchanged(product));
                    }
                }
                if known.is_none() {
                    // A deletion delivered ahead of this state wins over it.
                    let tomb: Option<(i64,)> = sqlx::query_as(concat!(
                        "SELECT deleted_at_ms FROM ", $p, "shopify_tombstones WHERE tenant_id = $1 AND shopify_id = $2"))
                        .bind(tenant).bind(&w.shopify_id).fetch_optional(&mut **tx).await?;
                    if tomb.is_some_and(|(deleted,)| deleted >= w.updated_at_ms) {
                        return Ok(ShopifyApplied::Gone);
                    }
                }
                let product = known.map_or_else(Uuid::new_v4, |(id, _)| id);
                let mut input = w.input.clone();
                // Prices are in the store's currency (Shopify's webhooks do not name one).
                let (currency,): (String,) = sqlx::query_as(concat!("SELECT currency FROM ", $p, "tenants WHERE id = $1"))
                    .bind(tenant).fetch_one(&mut **tx).await?;
                let currency = zelly_edge::Currency::parse(currency.trim()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                for v in &mut input.variants {
                    v.currency = currency;
                }
                let handle_taken: Option<(Uuid,)> = sqlx::query_as(concat!(
                    "SELECT id FROM ", $p, "products WHERE tenant_id = $1 AND handle = $2 AND id <> $3"))
                    .bind(tenant).bind(&input.handle).bind(product).fetch_optional(&mut **tx).await?;
                if handle_taken.is_some() {
                    input.handle = suffixed_handle(&input.handle, gid_tail(&w.shopify_id));
                }
                for (v, r) in input.variants.iter_mut().zip(&w.variants) {
                    let sku_taken: Option<(Uuid,)> = sqlx::query_as(concat!(
                        "SELECT id FROM ", $p, "variants WHERE tenant_id = $1 AND sku = $2 AND product_id <> $3"))
                        .bind(tenant).bind(v.sku.trim()).bind(product).fetch_optional(&mut **tx).await?;
                    if sku_taken.is_some() {
                        v.sku = r.fallback_sku.clone();
                    }
                    let mapped: Option<(Uuid,)> = sqlx::query_as(concat!(
                        "SELECT variant_id FROM ", $p, "shopify_variants WHERE tenant_id = $1 AND shopify_id = $2 AND product_id = $3"))
                        .bind(tenant).bind(&r.shopify_id).bind(product).fetch_optional(&mut **tx).await?;
                    v.id = mapped.map(|(id,)| id);
                }
                input.validate().map_err(|fields| StoreError::Invalid(format!("{fields:?}")))?;
                let now = $crate::seller::now_ms();
                let option_names = sqlx::types::Json(input.option_names.iter().map(|o| o.trim().to_owned()).collect::<Vec<_>>());
                if known.is_some() {
                    sqlx::query(concat!(
                        "UPDATE ", $p, "products SET handle = $3, title = $4, description = $5, status = $6, option_names = $7, \
                         images = $8, version = version + 1, \
                         updated_at_ms = CASE WHEN updated_at_ms >= $9 THEN updated_at_ms + 1 ELSE $9 END, \
                         min_price_minor = $10, search_text = $11 WHERE tenant_id = $1 AND id = $2"))
                        .bind(tenant).bind(product).bind(&input.handle).bind(input.title.trim()).bind(&input.description)
                        .bind(input.status.as_str()).bind(&option_names).bind(sqlx::types::Json(&input.images))
                        .bind(now)
                        .bind($crate::seller::min_price_minor(&input)).bind($crate::seller::search_text(&input))
                        .execute(&mut **tx).await?;
                } else {
                    sqlx::query(concat!(
                        "INSERT INTO ", $p, "products (id, tenant_id, handle, title, description, status, option_names, images, \
                         seo_title, seo_description, version, updated_at_ms, created_at_ms, min_price_minor, search_text) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11, $12, $13)"))
                        .bind(product).bind(tenant).bind(&input.handle).bind(input.title.trim()).bind(&input.description)
                        .bind(input.status.as_str()).bind(&option_names).bind(sqlx::types::Json(&input.images))
                        .bind(&input.seo_title).bind(&input.seo_description).bind(now)
                        .bind($crate::seller::min_price_minor(&input)).bind($crate::seller::search_text(&input))
                        .execute(&mut **tx).await?;
                }
                Self::write_children(tx, tenant, product, &input, known.is_none()).await?;
                // Variants are written in order (position = index): map each to its Shopify GID
                // and give it Shopify's stock, which Shopify owns.
                let ids: Vec<(Uuid,)> = sqlx::query_as(concat!(
                    "SELECT id FROM ", $p, "variants WHERE tenant_id = $1 AND product_id = $2 ORDER BY position"))
                    .bind(tenant).bind(product).fetch_all(&mut **tx).await?;
                sqlx::query(concat!("DELETE FROM ", $p, "shopify_variants WHERE tenant_id = $1 AND product_id = $2"))
                    .bind(tenant).bind(product).execute(&mut **tx).await?;
                for (((variant,), r), v) in ids.iter().zip(&w.variants).zip(&input.variants) {
                    sqlx::query(concat!(
                        "INSERT INTO ", $p, "shopify_variants (tenant_id, shopify_id, variant_id, product_id, inventory_item_id) \
                         VALUES ($1, $2, $3, $4, $5)"))
                        .bind(tenant).bind(&r.shopify_id).bind(variant).bind(product).bind(&r.inventory_item_id)
                        .execute(&mut **tx).await?;
                    sqlx::query(concat!("UPDATE ", $p, "variants SET inventory_quantity = $3 WHERE tenant_id = $1 AND id = $2"))
                        .bind(tenant).bind(variant).bind(v.inventory_quantity).execute(&mut **tx).await?;
                }
                if known.is_some() {
                    sqlx::query(concat!(
                        "UPDATE ", $p, "shopify_products SET source_updated_at_ms = $3, deleted = false WHERE tenant_id = $1 AND shopify_id = $2"))
                        .bind(tenant).bind(&w.shopify_id).bind(w.updated_at_ms).execute(&mut **tx).await?;
                } else {
                    sqlx::query(concat!(
                        "INSERT INTO ", $p, "shopify_products (tenant_id, shopify_id, product_id, source_updated_at_ms, deleted, seen_run) \
                         VALUES ($1, $2, $3, $4, false, $5)"))
                        .bind(tenant).bind(&w.shopify_id).bind(product).bind(w.updated_at_ms).bind(run)
                        .execute(&mut **tx).await?;
                }
                Ok(if known.is_some() { ShopifyApplied::Updated(product) } else { ShopifyApplied::Created(product) })
            }

            /// The running sync `run_id`, or `Stale`.
            async fn running_sync(tx: &mut sqlx::Transaction<'static, $db>, tenant: Uuid, run_id: &str) -> Result<$crate::shopify_catalog::ShopifySync, StoreError> {
                Self::sync_in(tx, tenant)
                    .await?
                    .filter(|s| s.run_id == run_id && s.status == $crate::shopify_catalog::SyncStatus::Running)
                    .ok_or(StoreError::Stale)
            }
        }

        #[async_trait]
        impl $crate::shopify_catalog::ShopifyCatalogStore for $store {
            async fn apply_shopify_products(
                &self,
                tenant: Uuid,
                products: &[$crate::shopify_catalog::ShopifyProductWrite],
                page: Option<&$crate::shopify_catalog::SyncPage>,
            ) -> Result<Vec<$crate::shopify_catalog::ShopifyApplied>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let run = match page {
                    Some(page) => Some(Self::running_sync(&mut tx, tenant, &page.run_id).await?),
                    None => None,
                };
                let mut applied = Vec::with_capacity(products.len());
                for (i, w) in products.iter().enumerate() {
                    let done = Self::write_shopify_product(&mut tx, tenant, w, page.map(|p| p.run_id.as_str()))
                        .await
                        .map_err(|e| match e {
                            StoreError::Invalid(why) => StoreError::Invalid(format!("products[{i}]: {why}")),
                            other => other,
                        })?;
                    applied.push(done);
                }
                if let (Some(page), Some(run)) = (page, run) {
                    let mut skipped = run.skipped;
                    skipped.extend(page.skipped.iter().cloned());
                    skipped.truncate($crate::shopify_catalog::MAX_SKIPPED);
                    let read = i64::try_from(products.len() + page.skipped.len()).unwrap_or(i64::MAX);
                    sqlx::query(concat!(
                        "UPDATE ", $p, "shopify_syncs SET page_cursor = $2, imported = imported + $3, total = coalesce($4, total), \
                         skipped = $5 WHERE tenant_id = $1"))
                        .bind(tenant).bind(&page.cursor).bind(read).bind(page.total).bind(sqlx::types::Json(&skipped))
                        .execute(&mut *tx).await?;
                }
                if applied.iter().any(|a| !matches!(a, $crate::shopify_catalog::ShopifyApplied::Unchanged(_))) {
                    Self::bump_catalog_version(&mut tx, tenant).await?;
                }
                tx.commit().await?;
                Ok(applied)
            }

            async fn delete_shopify_product(&self, tenant: Uuid, shopify_id: &str, at_ms: i64) -> Result<Option<Uuid>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let known: Option<(Uuid, i64)> = sqlx::query_as(concat!(
                    "SELECT product_id, source_updated_at_ms FROM ", $p, "shopify_products WHERE tenant_id = $1 AND shopify_id = $2", $lock))
                    .bind(tenant).bind(shopify_id).fetch_optional(&mut *tx).await?;
                let Some((product, applied)) = known else {
                    // Not known yet: remember the deletion, so that its create, delivered late,
                    // does not make the product.
                    sqlx::query(concat!(
                        "INSERT INTO ", $p, "shopify_tombstones AS t (tenant_id, shopify_id, deleted_at_ms) VALUES ($1, $2, $3) \
                         ON CONFLICT (tenant_id, shopify_id) DO UPDATE SET deleted_at_ms = excluded.deleted_at_ms \
                         WHERE excluded.deleted_at_ms > t.deleted_at_ms"))
                        .bind(tenant).bind(shopify_id).bind(at_ms).execute(&mut *tx).await?;
                    tx.commit().await?;
                    return Ok(None);
                };
                sqlx::query(concat!(
                    "UPDATE ", $p, "shopify_products SET deleted = true, source_updated_at_ms = $3 \
                     WHERE tenant_id = $1 AND shopify_id = $2"))
                    .bind(tenant).bind(shopify_id).bind(applied.max(at_ms)).execute(&mut *tx).await?;
                let done = sqlx::query(concat!(
                    "UPDATE ", $p, "products SET status = 'archived', version = version + 1, \
                     updated_at_ms = CASE WHEN updated_at_ms >= $3 THEN updated_at_ms + 1 ELSE $3 END \
                     WHERE tenant_id = $1 AND id = $2 AND status <> 'archived'"))
                    .bind(tenant).bind(product).bind($crate::seller::now_ms()).execute(&mut *tx).await?;
                if done.rows_affected() > 0 {
                    Self::bump_catalog_version(&mut tx, tenant).await?;
                }
                tx.commit().await?;
                Ok(Some(product))
            }

            async fn set_shopify_inventory(&self, tenant: Uuid, inventory_item_id: &str, quantity: i64) -> Result<bool, StoreError> {
                let quantity = quantity.clamp(0, zelly_edge::limits::MAX_STOCK_UNITS);
                let mut tx = self.tenant_tx(tenant).await?;
                let done = sqlx::query(concat!(
                    "UPDATE ", $p, "variants SET inventory_quantity = $3 WHERE tenant_id = $1 AND inventory_quantity <> $3 AND id IN \
                     (SELECT variant_id FROM ", $p, "shopify_variants WHERE tenant_id = $1 AND inventory_item_id = $2)"))
                    .bind(tenant).bind(inventory_item_id).bind(quantity).execute(&mut *tx).await?;
                let known: Option<(Uuid,)> = sqlx::query_as(concat!(
                    "SELECT variant_id FROM ", $p, "shopify_variants WHERE tenant_id = $1 AND inventory_item_id = $2"))
                    .bind(tenant).bind(inventory_item_id).fetch_optional(&mut *tx).await?;
                if done.rows_affected() > 0 {
                    Self::bump_catalog_version(&mut tx, tenant).await?;
                }
                tx.commit().await?;
                Ok(known.is_some())
            }

            async fn shopify_inventory_items(&self, tenant: Uuid, variants: &[Uuid]) -> Result<Vec<(Uuid, String)>, StoreError> {
                if variants.is_empty() {
                    return Ok(Vec::new());
                }
                let mut tx = self.tenant_tx(tenant).await?;
                let mut q: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(concat!(
                    "SELECT variant_id, inventory_item_id FROM ", $p, "shopify_variants WHERE inventory_item_id IS NOT NULL AND tenant_id = "));
                q.push_bind(tenant).push(" AND variant_id IN (");
                let mut ids = q.separated(", ");
                for v in variants {
                    ids.push_bind(*v);
                }
                q.push(")");
                let rows: Vec<(Uuid, String)> = q.build_query_as().fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(rows)
            }

            async fn shopify_ids_of(&self, tenant: Uuid, products: &[Uuid]) -> Result<Vec<(Uuid, String)>, StoreError> {
                if products.is_empty() {
                    return Ok(Vec::new());
                }
                let mut tx = self.tenant_tx(tenant).await?;
                let mut q: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(concat!(
                    "SELECT product_id, shopify_id FROM ", $p, "shopify_products WHERE tenant_id = "));
                q.push_bind(tenant).push(" AND product_id IN (");
                let mut ids = q.separated(", ");
                for p in products {
                    ids.push_bind(*p);
                }
                q.push(")");
                let rows: Vec<(Uuid, String)> = q.build_query_as().fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(rows)
            }

            async fn shopify_product_count(&self, tenant: Uuid) -> Result<i64, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let (n,): (i64,) = sqlx::query_as(concat!("SELECT count(*) FROM ", $p, "shopify_products WHERE tenant_id = $1 AND deleted = false"))
                    .bind(tenant).fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(n)
            }

            async fn start_shopify_sync(&self, tenant: Uuid, run_id: &str, now_ms: i64, stuck_before_ms: i64) -> Result<$crate::shopify_catalog::ShopifySync, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                if let Some(current) = Self::sync_in(&mut tx, tenant).await? {
                    if current.status == $crate::shopify_catalog::SyncStatus::Running && current.started_at_ms >= stuck_before_ms {
                        return Err(StoreError::Conflict("a catalog sync is already running".into()));
                    }
                }
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "shopify_syncs (tenant_id, run_id, status, page_cursor, imported, total, archived, skipped, error, started_at_ms, finished_at_ms) \
                     VALUES ($1, $2, 'running', NULL, 0, NULL, 0, '[]', NULL, $3, NULL) ON CONFLICT (tenant_id) DO UPDATE SET \
                     run_id = excluded.run_id, status = 'running', page_cursor = NULL, imported = 0, total = NULL, archived = 0, \
                     skipped = '[]', error = NULL, started_at_ms = excluded.started_at_ms, finished_at_ms = NULL"))
                    .bind(tenant).bind(run_id).bind(now_ms).execute(&mut *tx).await?;
                let sync = Self::sync_in(&mut tx, tenant).await?.ok_or(StoreError::NotFound)?;
                tx.commit().await?;
                Ok(sync)
            }

            async fn shopify_sync(&self, tenant: Uuid) -> Result<Option<$crate::shopify_catalog::ShopifySync>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let sync = Self::sync_in(&mut tx, tenant).await?;
                tx.commit().await?;
                Ok(sync)
            }

            async fn finish_shopify_sync(&self, tenant: Uuid, run_id: &str, error: Option<&str>, now_ms: i64) -> Result<$crate::shopify_catalog::ShopifySync, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let run = Self::running_sync(&mut tx, tenant, run_id).await?;
                let mut archived = 0_i64;
                if error.is_none() {
                    let gone: Vec<(Uuid,)> = sqlx::query_as(concat!(
                        "SELECT product_id FROM ", $p, "shopify_products WHERE tenant_id = $1 AND deleted = false \
                         AND (seen_run IS NULL OR seen_run <> $2) AND source_updated_at_ms < $3"))
                        .bind(tenant).bind(run_id).bind(run.started_at_ms).fetch_all(&mut *tx).await?;
                    for (product,) in &gone {
                        sqlx::query(concat!("UPDATE ", $p, "shopify_products SET deleted = true WHERE tenant_id = $1 AND product_id = $2"))
                            .bind(tenant).bind(product).execute(&mut *tx).await?;
                        sqlx::query(concat!(
                            "UPDATE ", $p, "products SET status = 'archived', version = version + 1, \
                             updated_at_ms = CASE WHEN updated_at_ms >= $3 THEN updated_at_ms + 1 ELSE $3 END \
                             WHERE tenant_id = $1 AND id = $2"))
                            .bind(tenant).bind(product).bind(now_ms).execute(&mut *tx).await?;
                    }
                    archived = i64::try_from(gone.len()).unwrap_or(i64::MAX);
                    if archived > 0 {
                        Self::bump_catalog_version(&mut tx, tenant).await?;
                    }
                }
                let status = if error.is_some() { "failed" } else { "succeeded" };
                sqlx::query(concat!(
                    "UPDATE ", $p, "shopify_syncs SET status = $2, error = $3, archived = $4, finished_at_ms = $5 WHERE tenant_id = $1"))
                    .bind(tenant).bind(status).bind(error).bind(archived).bind(now_ms).execute(&mut *tx).await?;
                let sync = Self::sync_in(&mut tx, tenant).await?.ok_or(StoreError::NotFound)?;
                tx.commit().await?;
                Ok(sync)
            }

            async fn apply_shop_settings(&self, tenant: Uuid, settings: &$crate::shopify_catalog::ShopSettings) -> Result<$crate::shopify_catalog::SettingsApplied, StoreError> {
                let name: String = settings.name.trim().chars().take(100).collect();
                if name.is_empty() {
                    return Err(StoreError::Invalid("name: the shop has no name".into()));
                }
                let contact = settings.contact_email.as_deref().map(|e| e.trim().to_lowercase()).filter(|e| e.len() <= 254 && e.contains('@'));
                let logo = settings.logo_url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")).filter(|u| u.len() <= 2048);
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!(
                    "UPDATE ", $p, "tenants SET name = $2, logo_url = coalesce($3, logo_url), contact_email = coalesce($4, contact_email), \
                     catalog_version = catalog_version + 1 WHERE id = $1"))
                    .bind(tenant).bind(&name).bind(logo).bind(&contact).execute(&mut *tx).await?;
                let mut applied = $crate::shopify_catalog::SettingsApplied::default();
                if let Some(currency) = settings.currency {
                    let (current,): (String,) = sqlx::query_as(concat!("SELECT currency FROM ", $p, "tenants WHERE id = $1"))
                        .bind(tenant).fetch_one(&mut *tx).await?;
                    if current.trim() != currency.as_str() {
                        let (orders,): (i64,) = sqlx::query_as(concat!("SELECT count(*) FROM ", $p, "orders WHERE tenant_id = $1"))
                            .bind(tenant).fetch_one(&mut *tx).await?;
                        if orders == 0 {
                            sqlx::query(concat!("UPDATE ", $p, "tenants SET currency = $2 WHERE id = $1"))
                                .bind(tenant).bind(currency.as_str()).execute(&mut *tx).await?;
                            // Prices keep their amounts: they were the shop's, in its currency.
                            sqlx::query(concat!("UPDATE ", $p, "variants SET currency = $2 WHERE tenant_id = $1"))
                                .bind(tenant).bind(currency.as_str()).execute(&mut *tx).await?;
                            applied.currency_changed = true;
                        } else {
                            applied.currency_kept = true;
                        }
                    }
                }
                tx.commit().await?;
                Ok(applied)
            }

            async fn store_contact_email(&self, tenant: Uuid) -> Result<Option<String>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let row: Option<(Option<String>,)> = sqlx::query_as(concat!("SELECT contact_email FROM ", $p, "tenants WHERE id = $1"))
                    .bind(tenant).fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(row.and_then(|(email,)| email))
            }

            async fn redact_shopper(&self, tenant: Uuid, email: &str) -> Result<$crate::shopify_catalog::Redacted, StoreError> {
                let email = email.trim().to_lowercase();
                if email.is_empty() {
                    return Err(StoreError::Invalid("email: required".into()));
                }
                let mut tx = self.tenant_tx(tenant).await?;
                // Sessions, codes, tokens and addresses go with the account; orders keep no link.
                let accounts = sqlx::query(concat!("DELETE FROM ", $c, "customers WHERE tenant_id = $1 AND email = $2"))
                    .bind(tenant).bind(&email).execute(&mut *tx).await?.rows_affected();
                let rows: Vec<(Uuid, sqlx::types::Json<zelly_edge::orders::ShippingAddress>)> = sqlx::query_as(concat!(
                    "SELECT id, shipping FROM ", $p, "checkouts WHERE tenant_id = $1 AND lower(email) = $2"))
                    .bind(tenant).bind(&email).fetch_all(&mut *tx).await?;
                for (id, sqlx::types::Json(shipping)) in &rows {
                    let erased = zelly_edge::orders::ShippingAddress {
                        name: "(erased)".into(),
                        line1: "(erased)".into(),
                        line2: None,
                        phone: "(erased)".into(),
                        ..shipping.clone()
                    };
                    sqlx::query(concat!("UPDATE ", $p, "checkouts SET email = $3, shipping = $4 WHERE tenant_id = $1 AND id = $2"))
                        .bind(tenant).bind(id).bind(format!("erased-{}@erased.invalid", id.simple()))
                        .bind(sqlx::types::Json(&erased)).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok($crate::shopify_catalog::Redacted { accounts, checkouts: rows.len() as u64 })
            }

            async fn forget_shopify_shop(&self, tenant: Uuid, shop: &str) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!("DELETE FROM ", $p, "shopify_connections WHERE tenant_id = $1 AND shop_domain = $2"))
                    .bind(tenant).bind(shop).execute(&mut *tx).await?;
                sqlx::query(concat!("DELETE FROM ", $p, "shopify_former_shops WHERE tenant_id = $1 AND shop_domain = $2"))
                    .bind(tenant).bind(shop).execute(&mut *tx).await?;
                sqlx::query(concat!("DELETE FROM ", $p, "shopify_install_states WHERE tenant_id = $1 AND shop_domain = $2"))
                    .bind(tenant).bind(shop).execute(&mut *tx).await?;
                // Unless the store has reconnected to the shop since, what came from it is forgotten.
                let (connected,): (i64,) = sqlx::query_as(concat!("SELECT count(*) FROM ", $p, "shopify_connections WHERE tenant_id = $1"))
                    .bind(tenant).fetch_one(&mut *tx).await?;
                if connected == 0 {
                    for statement in [
                        concat!("DELETE FROM ", $p, "shopify_variants WHERE tenant_id = $1"),
                        concat!("DELETE FROM ", $p, "shopify_products WHERE tenant_id = $1"),
                        concat!("DELETE FROM ", $p, "shopify_syncs WHERE tenant_id = $1"),
                        concat!("DELETE FROM ", $p, "shopify_tombstones WHERE tenant_id = $1"),
                    ] {
                        sqlx::query(statement).bind(tenant).execute(&mut *tx).await?;
                    }
                    sqlx::query(concat!("DELETE FROM ", $p, "webhook_receipts WHERE tenant_id = $1 AND provider = 'shopify'"))
                        .bind(tenant).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn tenant_of_former_shopify_shop(&self, shop: &str) -> Result<Option<Uuid>, StoreError> {
                let mut tx = self.platform_tx().await?;
                let row: Option<(Uuid,)> = sqlx::query_as(concat!(
                    "SELECT tenant_id FROM ", $p, "shopify_former_shops WHERE shop_domain = $1 ORDER BY disconnected_at_ms DESC LIMIT 1"))
                    .bind(shop).fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(row.map(|(tenant,)| tenant))
            }
        }
    };
}
pub(crate) use shopify_catalog_impl;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suffixed_handle_stays_a_handle() {
        assert_eq!(suffixed_handle("tea", "42"), "tea-42");
        let long = "a".repeat(100);
        let h = suffixed_handle(&long, "123456");
        assert_eq!(h.len(), 100);
        assert!(zelly_edge::Handle::parse(&h).is_ok());
        assert_eq!(gid_tail("gid://shopify/Product/42"), "42");
    }
}
