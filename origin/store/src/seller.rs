//! The seller catalog store: products with variants, images, tags and SEO; collections; the
//! inventory audit trail; memberships. Always scoped to one tenant.
//!
//! Both backends run the same SQL (numbered `$n` placeholders work in SQLite and PostgreSQL), so
//! every store trait is implemented once, in the macros below, and instantiated per backend with
//! its table prefix and its way of opening scoped transactions (PostgreSQL sets the
//! row-level-security tenant, uid or platform scope there).

use crate::StoreError;
use async_trait::async_trait;
use uuid::Uuid;
use zelly_edge::catalog::{
    Collection, CollectionInput, InventoryAdjustment, InventoryAdjustmentInput, Page, ProductInput, ProductStatus,
    Role, SellerProduct,
};
use zelly_edge::dto::{Product, Tenant};
use zelly_edge::Handle;


/// A search over the seller's products.
#[derive(Debug, Clone, Default)]
pub struct ProductQuery {
    /// Matches a title or SKU substring, or a whole tag, ignoring case.
    pub text: Option<String>,
    /// Only products in this status.
    pub status: Option<ProductStatus>,
    /// Page size (1-100).
    pub limit: u32,
    /// The previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Position in the product list: `(updated_at_ms, id)` of the last item of the previous page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProductCursor {
    /// Last item's update time.
    pub updated_at_ms: i64,
    /// Last item's id.
    pub id: Uuid,
}

impl ProductCursor {
    /// The opaque text form handed to clients.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.updated_at_ms, self.id.simple())
    }

    /// Parses a cursor a client sent back; `None` if it is not one of ours.
    pub fn decode(raw: &str) -> Option<Self> {
        let (ms, id) = raw.split_once('.')?;
        Some(Self { updated_at_ms: ms.parse().ok()?, id: Uuid::parse_str(id).ok()? })
    }
}

/// The seller side of the catalog.
#[async_trait]
pub trait SellerStore: Send + Sync {
    /// The tenants a Firebase user belongs to, with their role, by tenant slug.
    async fn memberships_of(&self, uid: &str) -> Result<Vec<(Tenant, Role)>, StoreError>;
    /// Gives a user a role in a tenant (replacing any previous role).
    async fn add_membership(&self, tenant: Uuid, uid: &str, role: Role) -> Result<(), StoreError>;
    /// A page of the tenant's products, most recently updated first.
    async fn seller_products(&self, tenant: Uuid, query: &ProductQuery) -> Result<Page<SellerProduct>, StoreError>;
    /// One of the tenant's products, any status.
    async fn seller_product(&self, tenant: Uuid, id: Uuid) -> Result<Option<SellerProduct>, StoreError>;
    /// Creates a product from a validated input.
    async fn create_seller_product(&self, tenant: Uuid, input: &ProductInput) -> Result<SellerProduct, StoreError>;
    /// Creates many products at once, all or none, in a few multi-row statements (a catalog
    /// import); their ids in input order.
    async fn import_seller_products(&self, tenant: Uuid, inputs: &[ProductInput]) -> Result<Vec<Uuid>, StoreError>;
    /// Replaces a product's state if `input.version` is still current ([`StoreError::Stale`] if not).
    async fn update_seller_product(&self, tenant: Uuid, id: Uuid, input: &ProductInput) -> Result<SellerProduct, StoreError>;
    /// Archives a product if `version` is still current.
    async fn archive_product(&self, tenant: Uuid, id: Uuid, version: i64) -> Result<SellerProduct, StoreError>;
    /// Changes a variant's stock and records why, atomically.
    async fn adjust_inventory(
        &self,
        tenant: Uuid,
        variant: Uuid,
        input: &InventoryAdjustmentInput,
        actor: &str,
    ) -> Result<InventoryAdjustment, StoreError>;
    /// A variant's adjustments, newest first; `None` when the variant is not the tenant's.
    async fn inventory_history(&self, tenant: Uuid, variant: Uuid) -> Result<Option<Vec<InventoryAdjustment>>, StoreError>;
    /// The tenant's collections by title.
    async fn collections(&self, tenant: Uuid) -> Result<Vec<Collection>, StoreError>;
    /// One collection.
    async fn collection(&self, tenant: Uuid, id: Uuid) -> Result<Option<Collection>, StoreError>;
    /// Creates a collection; every product must be the tenant's.
    async fn create_collection(&self, tenant: Uuid, input: &CollectionInput) -> Result<Collection, StoreError>;
    /// Replaces a collection if `input.version` is current.
    async fn update_collection(&self, tenant: Uuid, id: Uuid, input: &CollectionInput) -> Result<Collection, StoreError>;
    /// Deletes a collection (not its products).
    async fn delete_collection(&self, tenant: Uuid, id: Uuid) -> Result<(), StoreError>;
    /// The collection the store features on its home page, if any.
    async fn featured_collection(&self, tenant: Uuid) -> Result<Option<Handle>, StoreError>;
    /// Whether the store offers cash on delivery.
    async fn cash_on_delivery(&self, tenant: Uuid) -> Result<bool, StoreError>;
}

/// What a product's listings sort it by when ordered by price: its lowest variant price.
pub(crate) fn min_price_minor(input: &ProductInput) -> i64 {
    input.variants.iter().map(|v| v.price_minor).min().unwrap_or(0)
}

/// What storefront search finds a product by besides its title (which the indexes weigh
/// separately): its description, SKUs and tags.
pub(crate) fn search_text(input: &ProductInput) -> String {
    let mut text = input.description.trim().to_owned();
    for word in input.variants.iter().map(|v| v.sku.trim()).chain(input.tags.iter().map(|t| t.trim())) {
        text.push(' ');
        text.push_str(word);
    }
    text
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// A variant's display title: its option values, or "Default" for a product without options.
pub(crate) fn variant_title(options: &[String]) -> String {
    if options.is_empty() { "Default".to_owned() } else { options.iter().map(|o| o.trim()).collect::<Vec<_>>().join(" / ") }
}

/// `%text%` for LIKE, with LIKE's wildcards escaped (`\` is the escape character).
pub(crate) fn like_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

pub(crate) mod rows {
    use crate::StoreError;
    use sqlx::types::Json;
    use uuid::Uuid;
    use zelly_edge::catalog::{Collection, InventoryAdjustment, ProductImage, ProductStatus, SellerProduct, SellerVariant};
    use zelly_edge::{Currency, Handle, Money};

    #[derive(sqlx::FromRow)]
    pub struct SellerProductRow {
        pub id: Uuid,
        pub handle: String,
        pub title: String,
        pub description: String,
        pub status: String,
        pub option_names: Json<Vec<String>>,
        pub images: Json<Vec<ProductImage>>,
        pub seo_title: Option<String>,
        pub seo_description: Option<String>,
        pub version: i64,
        pub updated_at_ms: i64,
        /// Only the seller's reads select it.
        #[sqlx(default)]
        pub shopify_id: Option<String>,
    }

    #[derive(sqlx::FromRow)]
    pub struct SellerVariantRow {
        pub id: Uuid,
        pub product_id: Uuid,
        pub sku: String,
        pub options: Json<Vec<String>>,
        pub price_minor: i64,
        pub compare_at_price_minor: Option<i64>,
        pub currency: String,
        pub inventory_quantity: i64,
        pub track_inventory: bool,
    }

    fn corrupt(e: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(e.to_string())
    }

    pub fn assemble(
        products: Vec<SellerProductRow>,
        variants: Vec<SellerVariantRow>,
        tags: Vec<(Uuid, String)>,
    ) -> Result<Vec<SellerProduct>, StoreError> {
        products
            .into_iter()
            .map(|p| {
                let currency_of = |c: &str| Currency::parse(c.trim()).map_err(corrupt);
                let variants = variants
                    .iter()
                    .filter(|v| v.product_id == p.id)
                    .map(|v| {
                        let currency = currency_of(&v.currency)?;
                        Ok(SellerVariant {
                            id: v.id,
                            sku: v.sku.clone(),
                            options: v.options.0.clone(),
                            price: Money::new(v.price_minor, currency),
                            compare_at_price: v.compare_at_price_minor.map(|m| Money::new(m, currency)),
                            inventory_quantity: v.inventory_quantity,
                            track_inventory: v.track_inventory,
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok(SellerProduct {
                    id: p.id,
                    handle: Handle::parse(&p.handle).map_err(corrupt)?,
                    title: p.title,
                    description: p.description,
                    status: ProductStatus::parse(&p.status).ok_or_else(|| corrupt(format!("status {:?}", p.status)))?,
                    option_names: p.option_names.0,
                    images: p.images.0,
                    tags: tags.iter().filter(|(id, _)| *id == p.id).map(|(_, t)| t.clone()).collect(),
                    seo_title: p.seo_title,
                    seo_description: p.seo_description,
                    variants,
                    version: p.version,
                    updated_at_ms: p.updated_at_ms,
                    shopify_id: p.shopify_id,
                })
            })
            .collect()
    }

    #[derive(sqlx::FromRow)]
    pub struct AdjustmentRow {
        pub id: Uuid,
        pub variant_id: Uuid,
        pub delta: i64,
        pub quantity_after: i64,
        pub reason: String,
        pub actor: String,
        pub created_at_ms: i64,
    }

    impl From<AdjustmentRow> for InventoryAdjustment {
        fn from(r: AdjustmentRow) -> Self {
            InventoryAdjustment {
                id: r.id,
                variant_id: r.variant_id,
                delta: r.delta,
                quantity_after: r.quantity_after,
                reason: r.reason,
                actor: r.actor,
                created_at_ms: r.created_at_ms,
            }
        }
    }

    #[derive(sqlx::FromRow)]
    pub struct CollectionRow {
        pub id: Uuid,
        pub handle: String,
        pub title: String,
        pub description: String,
        pub version: i64,
    }

    pub fn collection(row: CollectionRow, members: &[(Uuid, Uuid)]) -> Result<Collection, StoreError> {
        Ok(Collection {
            id: row.id,
            handle: Handle::parse(&row.handle).map_err(corrupt)?,
            title: row.title,
            description: row.description,
            product_ids: members.iter().filter(|(c, _)| *c == row.id).map(|(_, p)| *p).collect(),
            version: row.version,
        })
    }
}

/// Maps a seller product to what a storefront may show.
pub(crate) fn storefront_product(p: SellerProduct) -> Product {
    Product {
        id: p.id,
        handle: p.handle,
        title: p.title,
        description: p.description,
        image_url: p.images.first().map(|i| i.url.clone()),
        images: p.images,
        option_names: p.option_names,
        seo_title: p.seo_title,
        seo_description: p.seo_description,
        variants: p
            .variants
            .into_iter()
            .map(|v| zelly_edge::dto::Variant {
                id: v.id,
                title: variant_title(&v.options),
                sku: v.sku,
                price: v.price,
                available: !v.track_inventory || v.inventory_quantity > 0,
                compare_at_price: v.compare_at_price.filter(|c| c.amount_minor > v.price.amount_minor),
                options: v.options,
            })
            .collect(),
    }
}

/// The shared implementation; `$p` is the table prefix (`"astro_primary."` or `""`).
macro_rules! seller_store_impl {
    ($store:ty, $db:ty, $p:literal) => {
        impl $store {
            /// Marks the tenant's storefront data as changed, in the same transaction as the
            /// change: edge caches key pages by this version, so the next request renders afresh.
            async fn bump_catalog_version(tx: &mut sqlx::Transaction<'static, $db>, tenant: Uuid) -> Result<(), StoreError> {
                sqlx::query(concat!("UPDATE ", $p, "tenants SET catalog_version = catalog_version + 1 WHERE id = $1"))
                    .bind(tenant)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }

            async fn load_products(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: Uuid,
                rows: Vec<$crate::seller::rows::SellerProductRow>,
            ) -> Result<Vec<SellerProduct>, StoreError> {
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let mut vq: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(concat!(
                    "SELECT id, product_id, sku, options, price_minor, compare_at_price_minor, currency, \
                     inventory_quantity, track_inventory FROM ", $p, "variants WHERE tenant_id = "));
                vq.push_bind(tenant).push(" AND product_id IN (");
                let mut ids = vq.separated(", ");
                for r in &rows {
                    ids.push_bind(r.id);
                }
                vq.push(") ORDER BY position");
                let variants: Vec<$crate::seller::rows::SellerVariantRow> = vq.build_query_as().fetch_all(&mut **tx).await?;
                let mut tq: sqlx::QueryBuilder<$db> =
                    sqlx::QueryBuilder::new(concat!("SELECT product_id, tag FROM ", $p, "product_tags WHERE tenant_id = "));
                tq.push_bind(tenant).push(" AND product_id IN (");
                let mut ids = tq.separated(", ");
                for r in &rows {
                    ids.push_bind(r.id);
                }
                tq.push(") ORDER BY position");
                let tags: Vec<(Uuid, String)> = tq.build_query_as().fetch_all(&mut **tx).await?;
                $crate::seller::rows::assemble(rows, variants, tags)
            }

            async fn product_in(tx: &mut sqlx::Transaction<'static, $db>, tenant: Uuid, id: Uuid) -> Result<Option<SellerProduct>, StoreError> {
                let rows: Vec<$crate::seller::rows::SellerProductRow> = sqlx::query_as(concat!(
                    "SELECT p.id, p.handle, p.title, p.description, p.status, p.option_names, p.images, p.seo_title, p.seo_description, \
                     p.version, p.updated_at_ms, (SELECT s.shopify_id FROM ", $p, "shopify_products s WHERE s.tenant_id = p.tenant_id \
                     AND s.product_id = p.id) AS shopify_id FROM ", $p, "products p WHERE p.tenant_id = $1 AND p.id = $2"))
                    .bind(tenant)
                    .bind(id)
                    .fetch_all(&mut **tx)
                    .await?;
                Ok(Self::load_products(tx, tenant, rows).await?.pop())
            }

            /// Writes tags and variants of a product (inside the caller's transaction).
            async fn write_children(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: Uuid,
                product: Uuid,
                input: &ProductInput,
                creating: bool,
            ) -> Result<(), StoreError> {
                sqlx::query(concat!("DELETE FROM ", $p, "product_tags WHERE tenant_id = $1 AND product_id = $2"))
                    .bind(tenant).bind(product).execute(&mut **tx).await?;
                for (position, tag) in input.normalized_tags().iter().enumerate() {
                    sqlx::query(concat!("INSERT INTO ", $p, "product_tags (tenant_id, product_id, tag, tag_lower, position) VALUES ($1, $2, $3, $4, $5)"))
                        .bind(tenant).bind(product).bind(tag).bind(tag.to_lowercase()).bind(position as i32)
                        .execute(&mut **tx).await?;
                }
                let kept: Vec<Uuid> = input.variants.iter().filter_map(|v| v.id).collect();
                if !creating {
                    // Variants the merchant removed. SKUs are freed before others are written so
                    // that a SKU may move from a removed variant to a new one in one save.
                    let existing: Vec<(Uuid,)> = sqlx::query_as(concat!("SELECT id FROM ", $p, "variants WHERE tenant_id = $1 AND product_id = $2"))
                        .bind(tenant).bind(product).fetch_all(&mut **tx).await?;
                    for (id,) in existing.into_iter().filter(|(id,)| !kept.contains(id)) {
                        sqlx::query(concat!("DELETE FROM ", $p, "variants WHERE tenant_id = $1 AND id = $2"))
                            .bind(tenant).bind(id).execute(&mut **tx).await?;
                    }
                    // Park kept SKUs on unique placeholders so that swaps between variants pass the
                    // uniqueness check row by row.
                    for id in &kept {
                        sqlx::query(concat!("UPDATE ", $p, "variants SET sku = $3 WHERE tenant_id = $1 AND id = $2"))
                            .bind(tenant).bind(id).bind(format!("~{}", id.simple()))
                            .execute(&mut **tx).await?;
                    }
                }
                for (i, v) in input.variants.iter().enumerate() {
                    let options: Vec<String> = v.options.iter().map(|o| o.trim().to_owned()).collect();
                    let title = $crate::seller::variant_title(&options);
                    match v.id.filter(|_| !creating) {
                        Some(id) => {
                            let done = sqlx::query(concat!(
                                "UPDATE ", $p, "variants SET sku = $3, title = $4, options = $5, price_minor = $6, \
                                 compare_at_price_minor = $7, currency = $8, track_inventory = $9, position = $10 \
                                 WHERE tenant_id = $1 AND id = $2 AND product_id = $11"))
                                .bind(tenant).bind(id).bind(v.sku.trim()).bind(&title).bind(sqlx::types::Json(&options))
                                .bind(v.price_minor).bind(v.compare_at_price_minor).bind(v.currency.as_str())
                                .bind(v.track_inventory).bind(i as i32).bind(product)
                                .execute(&mut **tx).await?;
                            if done.rows_affected() == 0 {
                                return Err(StoreError::Invalid(format!("variants[{i}].id: not a variant of this product")));
                            }
                        }
                        None => {
                            sqlx::query(concat!(
                                "INSERT INTO ", $p, "variants (id, tenant_id, product_id, sku, title, options, price_minor, \
                                 compare_at_price_minor, currency, inventory_quantity, track_inventory, position) \
                                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
                                .bind(Uuid::new_v4()).bind(tenant).bind(product).bind(v.sku.trim()).bind(&title)
                                .bind(sqlx::types::Json(&options)).bind(v.price_minor).bind(v.compare_at_price_minor)
                                .bind(v.currency.as_str()).bind(v.inventory_quantity).bind(v.track_inventory).bind(i as i32)
                                .execute(&mut **tx).await?;
                        }
                    }
                }
                Ok(())
            }

            async fn write_members(
                tx: &mut sqlx::Transaction<'static, $db>,
                tenant: Uuid,
                collection: Uuid,
                products: &[Uuid],
            ) -> Result<(), StoreError> {
                sqlx::query(concat!("DELETE FROM ", $p, "collection_products WHERE tenant_id = $1 AND collection_id = $2"))
                    .bind(tenant).bind(collection).execute(&mut **tx).await?;
                for (i, product) in products.iter().enumerate() {
                    // Only the tenant's own products can be added: the SELECT finds no other.
                    let done = sqlx::query(concat!(
                        "INSERT INTO ", $p, "collection_products (tenant_id, collection_id, product_id, position) \
                         SELECT $1, $2, id, $4 FROM ", $p, "products WHERE tenant_id = $1 AND id = $3"))
                        .bind(tenant).bind(collection).bind(product).bind(i as i32)
                        .execute(&mut **tx).await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Invalid(format!("product_ids[{i}]: not a product of this store")));
                    }
                }
                Ok(())
            }

            async fn collection_in(tx: &mut sqlx::Transaction<'static, $db>, tenant: Uuid, id: Uuid) -> Result<Option<Collection>, StoreError> {
                let row: Option<$crate::seller::rows::CollectionRow> = sqlx::query_as(concat!(
                    "SELECT id, handle, title, description, version FROM ", $p, "collections WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(id).fetch_optional(&mut **tx).await?;
                let Some(row) = row else { return Ok(None) };
                let members: Vec<(Uuid, Uuid)> = sqlx::query_as(concat!(
                    "SELECT collection_id, product_id FROM ", $p, "collection_products WHERE tenant_id = $1 AND collection_id = $2 ORDER BY position"))
                    .bind(tenant).bind(id).fetch_all(&mut **tx).await?;
                $crate::seller::rows::collection(row, &members).map(Some)
            }
        }

        #[async_trait]
        impl SellerStore for $store {
            async fn memberships_of(&self, uid: &str) -> Result<Vec<(Tenant, Role)>, StoreError> {
                let mut tx = self.uid_tx(uid).await?;
                #[allow(clippy::type_complexity)]
                let rows: Vec<(Uuid, String, String, String, Option<String>, Option<String>, i64, String, Option<String>, String)> = sqlx::query_as(concat!(
                    "SELECT t.id, t.slug, t.name, t.status, t.logo_url, t.accent_color, t.catalog_version, t.currency, \
                     (SELECT d.domain FROM ", $p, "tenant_domains d WHERE d.tenant_id = t.id ORDER BY d.is_primary DESC, d.domain LIMIT 1), \
                     m.role FROM ", $p, "memberships m JOIN ", $p, "tenants t ON t.id = m.tenant_id WHERE m.firebase_uid = $1 ORDER BY t.slug"))
                    .bind(uid).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows.into_iter()
                    .map(|(id, slug, name, status, logo_url, accent_color, catalog_version, currency, primary_domain, role)| {
                        let tenant: Tenant =
                            $crate::rows::TenantRow { id, slug, name, status, logo_url, accent_color, catalog_version, currency, primary_domain }.try_into()?;
                        let role = Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role {role:?}")))?;
                        Ok((tenant, role))
                    })
                    .collect()
            }

            async fn add_membership(&self, tenant: Uuid, uid: &str, role: Role) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!("DELETE FROM ", $p, "memberships WHERE tenant_id = $1 AND firebase_uid = $2"))
                    .bind(tenant).bind(uid).execute(&mut *tx).await?;
                sqlx::query(concat!("INSERT INTO ", $p, "memberships (tenant_id, firebase_uid, role) VALUES ($1, $2, $3)"))
                    .bind(tenant).bind(uid).bind(role.as_str()).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn seller_products(&self, tenant: Uuid, query: &ProductQuery) -> Result<Page<SellerProduct>, StoreError> {
                let limit = query.limit.clamp(1, zelly_edge::catalog::MAX_PAGE_SIZE);
                let mut tx = self.tenant_tx(tenant).await?;
                let mut q: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(concat!(
                    "SELECT p.id, p.handle, p.title, p.description, p.status, p.option_names, p.images, p.seo_title, \
                     p.seo_description, p.version, p.updated_at_ms, (SELECT s.shopify_id FROM ", $p, "shopify_products s \
                     WHERE s.tenant_id = p.tenant_id AND s.product_id = p.id) AS shopify_id FROM ", $p, "products p WHERE p.tenant_id = "));
                q.push_bind(tenant);
                if let Some(status) = query.status {
                    q.push(" AND p.status = ").push_bind(status.as_str());
                }
                if let Some(text) = query.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                    let pattern = $crate::seller::like_pattern(text);
                    q.push(" AND (lower(p.title) LIKE ").push_bind(pattern.clone()).push(" ESCAPE '\\'");
                    q.push(concat!(" OR EXISTS (SELECT 1 FROM ", $p, "variants v WHERE v.tenant_id = p.tenant_id AND v.product_id = p.id AND lower(v.sku) LIKE "))
                        .push_bind(pattern).push(" ESCAPE '\\')");
                    q.push(concat!(" OR EXISTS (SELECT 1 FROM ", $p, "product_tags g WHERE g.tenant_id = p.tenant_id AND g.product_id = p.id AND g.tag_lower = "))
                        .push_bind(text.to_lowercase()).push("))");
                }
                if let Some(raw) = &query.cursor {
                    let cursor = $crate::seller::ProductCursor::decode(raw)
                        .ok_or_else(|| StoreError::Invalid("cursor: not a cursor from this list".into()))?;
                    q.push(" AND (p.updated_at_ms < ").push_bind(cursor.updated_at_ms)
                        .push(" OR (p.updated_at_ms = ").push_bind(cursor.updated_at_ms)
                        .push(" AND p.id < ").push_bind(cursor.id).push("))");
                }
                q.push(" ORDER BY p.updated_at_ms DESC, p.id DESC LIMIT ").push_bind(i64::from(limit) + 1);
                let mut rows: Vec<$crate::seller::rows::SellerProductRow> = q.build_query_as().fetch_all(&mut *tx).await?;
                let more = rows.len() > limit as usize;
                rows.truncate(limit as usize);
                let items = Self::load_products(&mut tx, tenant, rows).await?;
                tx.commit().await?;
                let next_cursor = more
                    .then(|| items.last().map(|p| $crate::seller::ProductCursor { updated_at_ms: p.updated_at_ms, id: p.id }.encode()))
                    .flatten();
                Ok(Page { items, next_cursor })
            }

            async fn seller_product(&self, tenant: Uuid, id: Uuid) -> Result<Option<SellerProduct>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let product = Self::product_in(&mut tx, tenant, id).await?;
                tx.commit().await?;
                Ok(product)
            }

            async fn create_seller_product(&self, tenant: Uuid, input: &ProductInput) -> Result<SellerProduct, StoreError> {
                input.validate().map_err(|fields| StoreError::Invalid(format!("{fields:?}")))?;
                let mut tx = self.tenant_tx(tenant).await?;
                let id = Uuid::new_v4();
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "products (id, tenant_id, handle, title, description, status, option_names, images, \
                     seo_title, seo_description, version, updated_at_ms, created_at_ms, min_price_minor, search_text) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11, $12, $13)"))
                    .bind(id).bind(tenant).bind(&input.handle).bind(input.title.trim()).bind(&input.description)
                    .bind(input.status.as_str())
                    .bind(sqlx::types::Json(input.option_names.iter().map(|o| o.trim()).collect::<Vec<_>>()))
                    .bind(sqlx::types::Json(&input.images)).bind(&input.seo_title).bind(&input.seo_description)
                    .bind($crate::seller::now_ms())
                    .bind($crate::seller::min_price_minor(input)).bind($crate::seller::search_text(input))
                    .execute(&mut *tx).await?;
                Self::write_children(&mut tx, tenant, id, input, true).await?;
                let product = Self::product_in(&mut tx, tenant, id).await?.ok_or(StoreError::NotFound)?;
                Self::bump_catalog_version(&mut tx, tenant).await?;
                tx.commit().await?;
                Ok(product)
            }

            async fn import_seller_products(&self, tenant: Uuid, inputs: &[ProductInput]) -> Result<Vec<Uuid>, StoreError> {
                for (i, input) in inputs.iter().enumerate() {
                    input.validate().map_err(|fields| StoreError::Invalid(format!("products[{i}]: {fields:?}")))?;
                }
                let ids: Vec<Uuid> = inputs.iter().map(|_| Uuid::new_v4()).collect();
                let now = $crate::seller::now_ms();
                let mut tx = self.tenant_tx(tenant).await?;
                // Chunks keep every statement well under both backends' limits on parameters.
                for (chunk, batch) in inputs.chunks(200).enumerate() {
                    let first = chunk * 200;
                    let mut q: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(concat!(
                        "INSERT INTO ", $p, "products (id, tenant_id, handle, title, description, status, option_names, images, \
                         seo_title, seo_description, version, updated_at_ms, created_at_ms, min_price_minor, search_text) "));
                    q.push_values(batch.iter().enumerate(), |mut row, (i, input)| {
                        row.push_bind(ids[first + i]).push_bind(tenant).push_bind(input.handle.clone())
                            .push_bind(input.title.trim().to_owned()).push_bind(input.description.clone())
                            .push_bind(input.status.as_str())
                            .push_bind(sqlx::types::Json(input.option_names.iter().map(|o| o.trim().to_owned()).collect::<Vec<_>>()))
                            .push_bind(sqlx::types::Json(input.images.clone()))
                            .push_bind(input.seo_title.clone()).push_bind(input.seo_description.clone())
                            .push_bind(1_i64).push_bind(now).push_bind(now)
                            .push_bind($crate::seller::min_price_minor(input)).push_bind($crate::seller::search_text(input));
                    });
                    q.build().execute(&mut *tx).await?;
                    let variants: Vec<(Uuid, &zelly_edge::catalog::VariantInput, usize)> = batch
                        .iter()
                        .enumerate()
                        .flat_map(|(i, input)| { let id = ids[first + i]; input.variants.iter().enumerate().map(move |(pos, v)| (id, v, pos)) })
                        .collect();
                    for rows in variants.chunks(400) {
                        let mut q: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(concat!(
                            "INSERT INTO ", $p, "variants (id, tenant_id, product_id, sku, title, options, price_minor, \
                             compare_at_price_minor, currency, inventory_quantity, track_inventory, position) "));
                        q.push_values(rows, |mut row, (product, v, pos)| {
                            let options: Vec<String> = v.options.iter().map(|o| o.trim().to_owned()).collect();
                            row.push_bind(Uuid::new_v4()).push_bind(tenant).push_bind(*product).push_bind(v.sku.trim().to_owned())
                                .push_bind($crate::seller::variant_title(&options)).push_bind(sqlx::types::Json(options))
                                .push_bind(v.price_minor).push_bind(v.compare_at_price_minor).push_bind(v.currency.as_str())
                                .push_bind(v.inventory_quantity).push_bind(v.track_inventory).push_bind(*pos as i32);
                        });
                        q.build().execute(&mut *tx).await?;
                    }
                    let tags: Vec<(Uuid, String, usize)> = batch
                        .iter()
                        .enumerate()
                        .flat_map(|(i, input)| { let id = ids[first + i]; input.normalized_tags().into_iter().enumerate().map(move |(pos, t)| (id, t, pos)) })
                        .collect();
                    for rows in tags.chunks(400) {
                        let mut q: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(concat!(
                            "INSERT INTO ", $p, "product_tags (tenant_id, product_id, tag, tag_lower, position) "));
                        q.push_values(rows, |mut row, (product, tag, pos)| {
                            row.push_bind(tenant).push_bind(*product).push_bind(tag.clone()).push_bind(tag.to_lowercase()).push_bind(*pos as i32);
                        });
                        q.build().execute(&mut *tx).await?;
                    }
                }
                Self::bump_catalog_version(&mut tx, tenant).await?;
                tx.commit().await?;
                Ok(ids)
            }

            async fn update_seller_product(&self, tenant: Uuid, id: Uuid, input: &ProductInput) -> Result<SellerProduct, StoreError> {
                input.validate().map_err(|fields| StoreError::Invalid(format!("{fields:?}")))?;
                let version = input.version.ok_or_else(|| StoreError::Invalid("version: required to update".into()))?;
                let mut tx = self.tenant_tx(tenant).await?;
                let done = sqlx::query(concat!(
                    "UPDATE ", $p, "products SET handle = $4, title = $5, description = $6, status = $7, option_names = $8, \
                     images = $9, seo_title = $10, seo_description = $11, version = version + 1, \
                     updated_at_ms = CASE WHEN updated_at_ms >= $12 THEN updated_at_ms + 1 ELSE $12 END, \
                     min_price_minor = $13, search_text = $14 \
                     WHERE tenant_id = $1 AND id = $2 AND version = $3"))
                    .bind(tenant).bind(id).bind(version).bind(&input.handle).bind(input.title.trim()).bind(&input.description)
                    .bind(input.status.as_str())
                    .bind(sqlx::types::Json(input.option_names.iter().map(|o| o.trim()).collect::<Vec<_>>()))
                    .bind(sqlx::types::Json(&input.images)).bind(&input.seo_title).bind(&input.seo_description)
                    .bind($crate::seller::now_ms())
                    .bind($crate::seller::min_price_minor(input)).bind($crate::seller::search_text(input))
                    .execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err(match Self::product_in(&mut tx, tenant, id).await? {
                        Some(_) => StoreError::Stale,
                        None => StoreError::NotFound,
                    });
                }
                Self::write_children(&mut tx, tenant, id, input, false).await?;
                let product = Self::product_in(&mut tx, tenant, id).await?.ok_or(StoreError::NotFound)?;
                Self::bump_catalog_version(&mut tx, tenant).await?;
                tx.commit().await?;
                Ok(product)
            }

            async fn archive_product(&self, tenant: Uuid, id: Uuid, version: i64) -> Result<SellerProduct, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let done = sqlx::query(concat!(
                    "UPDATE ", $p, "products SET status = 'archived', version = version + 1, \
                     updated_at_ms = CASE WHEN updated_at_ms >= $4 THEN updated_at_ms + 1 ELSE $4 END \
                     WHERE tenant_id = $1 AND id = $2 AND version = $3"))
                    .bind(tenant).bind(id).bind(version).bind($crate::seller::now_ms())
                    .execute(&mut *tx).await?;
                let product = Self::product_in(&mut tx, tenant, id).await?.ok_or(StoreError::NotFound)?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Stale);
                }
                Self::bump_catalog_version(&mut tx, tenant).await?;
                tx.commit().await?;
                Ok(product)
            }

            async fn adjust_inventory(
                &self,
                tenant: Uuid,
                variant: Uuid,
                input: &InventoryAdjustmentInput,
                actor: &str,
            ) -> Result<InventoryAdjustment, StoreError> {
                input.validate().map_err(|fields| StoreError::Invalid(format!("{fields:?}")))?;
                let mut tx = self.tenant_tx(tenant).await?;
                // One statement changes the stock and returns the result, so concurrent
                // adjustments serialise on the row and none is lost.
                let after: Option<(i64,)> = sqlx::query_as(concat!(
                    "UPDATE ", $p, "variants SET inventory_quantity = inventory_quantity + $3 \
                     WHERE tenant_id = $1 AND id = $2 RETURNING inventory_quantity"))
                    .bind(tenant).bind(variant).bind(input.delta)
                    .fetch_optional(&mut *tx).await?;
                let Some((quantity_after,)) = after else { return Err(StoreError::NotFound) };
                if quantity_after < 0 {
                    return Err(StoreError::Invalid(format!("delta: only {} in stock", quantity_after - input.delta)));
                }
                let row: $crate::seller::rows::AdjustmentRow = sqlx::query_as(concat!(
                    // created_at_ms is kept strictly increasing per variant (the variant row is
                    // locked by the UPDATE above), so the trail's order is exact even within a
                    // millisecond.
                    "INSERT INTO ", $p, "inventory_adjustments (id, tenant_id, variant_id, delta, quantity_after, reason, actor, created_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT CASE WHEN coalesce(max(created_at_ms), 0) >= $8 \
                     THEN max(created_at_ms) + 1 ELSE $8 END FROM ", $p, "inventory_adjustments WHERE tenant_id = $2 AND variant_id = $3)) \
                     RETURNING id, variant_id, delta, quantity_after, reason, actor, created_at_ms"))
                    .bind(Uuid::new_v4()).bind(tenant).bind(variant).bind(input.delta).bind(quantity_after)
                    .bind(input.reason.trim()).bind(actor).bind($crate::seller::now_ms())
                    .fetch_one(&mut *tx).await?;
                Self::bump_catalog_version(&mut tx, tenant).await?;
                tx.commit().await?;
                Ok(row.into())
            }

            async fn inventory_history(&self, tenant: Uuid, variant: Uuid) -> Result<Option<Vec<InventoryAdjustment>>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let exists: Option<(Uuid,)> = sqlx::query_as(concat!("SELECT id FROM ", $p, "variants WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(variant).fetch_optional(&mut *tx).await?;
                if exists.is_none() {
                    return Ok(None);
                }
                let rows: Vec<$crate::seller::rows::AdjustmentRow> = sqlx::query_as(concat!(
                    "SELECT id, variant_id, delta, quantity_after, reason, actor, created_at_ms FROM ", $p,
                    "inventory_adjustments WHERE tenant_id = $1 AND variant_id = $2 ORDER BY created_at_ms DESC, id DESC LIMIT 500"))
                    .bind(tenant).bind(variant).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(Some(rows.into_iter().map(Into::into).collect()))
            }

            async fn collections(&self, tenant: Uuid) -> Result<Vec<Collection>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let rows: Vec<$crate::seller::rows::CollectionRow> = sqlx::query_as(concat!(
                    "SELECT id, handle, title, description, version FROM ", $p, "collections WHERE tenant_id = $1 ORDER BY title, id"))
                    .bind(tenant).fetch_all(&mut *tx).await?;
                let members: Vec<(Uuid, Uuid)> = sqlx::query_as(concat!(
                    "SELECT collection_id, product_id FROM ", $p, "collection_products WHERE tenant_id = $1 ORDER BY position"))
                    .bind(tenant).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows.into_iter().map(|r| $crate::seller::rows::collection(r, &members)).collect()
            }

            async fn collection(&self, tenant: Uuid, id: Uuid) -> Result<Option<Collection>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let found = Self::collection_in(&mut tx, tenant, id).await?;
                tx.commit().await?;
                Ok(found)
            }

            async fn create_collection(&self, tenant: Uuid, input: &CollectionInput) -> Result<Collection, StoreError> {
                input.validate().map_err(|fields| StoreError::Invalid(format!("{fields:?}")))?;
                let mut tx = self.tenant_tx(tenant).await?;
                let id = Uuid::new_v4();
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "collections (id, tenant_id, handle, title, description, version, updated_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, 1, $6)"))
                    .bind(id).bind(tenant).bind(&input.handle).bind(input.title.trim()).bind(&input.description)
                    .bind($crate::seller::now_ms())
                    .execute(&mut *tx).await?;
                Self::write_members(&mut tx, tenant, id, &input.product_ids).await?;
                let found = Self::collection_in(&mut tx, tenant, id).await?.ok_or(StoreError::NotFound)?;
                Self::bump_catalog_version(&mut tx, tenant).await?;
                tx.commit().await?;
                Ok(found)
            }

            async fn update_collection(&self, tenant: Uuid, id: Uuid, input: &CollectionInput) -> Result<Collection, StoreError> {
                input.validate().map_err(|fields| StoreError::Invalid(format!("{fields:?}")))?;
                let version = input.version.ok_or_else(|| StoreError::Invalid("version: required to update".into()))?;
                let mut tx = self.tenant_tx(tenant).await?;
                let done = sqlx::query(concat!(
                    "UPDATE ", $p, "collections SET handle = $4, title = $5, description = $6, version = version + 1, updated_at_ms = $7 \
                     WHERE tenant_id = $1 AND id = $2 AND version = $3"))
                    .bind(tenant).bind(id).bind(version).bind(&input.handle).bind(input.title.trim()).bind(&input.description)
                    .bind($crate::seller::now_ms())
                    .execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err(match Self::collection_in(&mut tx, tenant, id).await? {
                        Some(_) => StoreError::Stale,
                        None => StoreError::NotFound,
                    });
                }
                Self::write_members(&mut tx, tenant, id, &input.product_ids).await?;
                let found = Self::collection_in(&mut tx, tenant, id).await?.ok_or(StoreError::NotFound)?;
                Self::bump_catalog_version(&mut tx, tenant).await?;
                tx.commit().await?;
                Ok(found)
            }

            async fn delete_collection(&self, tenant: Uuid, id: Uuid) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let done = sqlx::query(concat!("DELETE FROM ", $p, "collections WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(id).execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Self::bump_catalog_version(&mut tx, tenant).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn featured_collection(&self, tenant: Uuid) -> Result<Option<Handle>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let handle: Option<(String,)> = sqlx::query_as(concat!(
                    "SELECT c.handle FROM ", $p, "tenants t JOIN ", $p,
                    "collections c ON c.id = t.featured_collection_id AND c.tenant_id = t.id WHERE t.id = $1"))
                    .bind(tenant).fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                handle.map(|(h,)| Handle::parse(&h).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()
            }

            async fn cash_on_delivery(&self, tenant: Uuid) -> Result<bool, StoreError> {
                let offered: Option<(bool,)> = sqlx::query_as(concat!("SELECT cash_on_delivery FROM ", $p, "tenants WHERE id = $1"))
                    .bind(tenant).fetch_optional(&self.pool).await?;
                Ok(offered.is_some_and(|(on,)| on))
            }
        }
    };
}

pub(crate) use seller_store_impl;

/// The storefront reads, written once for both backends: only active products are ever returned.
macro_rules! catalog_store_impl {
    ($store:ty, $db:ty, $p:literal) => {
        #[async_trait]
        impl CatalogStore for $store {
            async fn create_product(&self, tenant: Uuid, new: &NewProduct) -> Result<Product, StoreError> {
                // create_seller_product validates the input (title, variants, SKUs, prices).
                let input = $crate::seller::active_input(new);
                let created = self.create_seller_product(tenant, &input).await?;
                Ok($crate::seller::storefront_product(created))
            }

            async fn list_products(&self, tenant: Uuid) -> Result<Vec<Product>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let rows: Vec<$crate::seller::rows::SellerProductRow> = sqlx::query_as(concat!(
                    "SELECT id, handle, title, description, status, option_names, images, seo_title, seo_description, \
                     version, updated_at_ms FROM ", $p, "products WHERE tenant_id = $1 AND status = 'active' \
                     ORDER BY created_at DESC, handle"))
                    .bind(tenant).fetch_all(&mut *tx).await?;
                let products = Self::load_products(&mut tx, tenant, rows).await?;
                tx.commit().await?;
                Ok(products.into_iter().map($crate::seller::storefront_product).collect())
            }

            async fn product_by_handle(&self, tenant: Uuid, handle: &Handle) -> Result<Option<Product>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let rows: Vec<$crate::seller::rows::SellerProductRow> = sqlx::query_as(concat!(
                    "SELECT id, handle, title, description, status, option_names, images, seo_title, seo_description, \
                     version, updated_at_ms FROM ", $p, "products WHERE tenant_id = $1 AND handle = $2 AND status = 'active'"))
                    .bind(tenant).bind(handle.as_str()).fetch_all(&mut *tx).await?;
                let products = Self::load_products(&mut tx, tenant, rows).await?;
                tx.commit().await?;
                Ok(products.into_iter().next().map($crate::seller::storefront_product))
            }

            async fn variant_prices(&self, tenant: Uuid, variants: &[Uuid]) -> Result<Vec<VariantPrice>, StoreError> {
                if variants.is_empty() {
                    return Ok(Vec::new());
                }
                let mut tx = self.tenant_tx(tenant).await?;
                let mut q: sqlx::QueryBuilder<$db> = sqlx::QueryBuilder::new(concat!(
                    "SELECT v.id, p.title AS product_title, v.title, v.sku, v.price_minor, v.currency FROM ", $p,
                    "variants v JOIN ", $p, "products p ON p.id = v.product_id AND p.tenant_id = v.tenant_id \
                     WHERE p.status = 'active' AND v.tenant_id = "));
                q.push_bind(tenant).push(" AND v.id IN (");
                let mut ids = q.separated(", ");
                for id in variants {
                    ids.push_bind(*id);
                }
                ids.push_unseparated(")");
                let rows: Vec<$crate::rows::VariantPriceRow> = q.build_query_as().fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows.into_iter().map(VariantPrice::try_from).collect()
            }
        }
    };
}

pub(crate) use catalog_store_impl;

/// Tenants and domains, written once for both backends. The directory tables are not
/// tenant-scoped; only the tenant list's product counts need the platform-wide scope, which each
/// backend opens in `platform_tx`.
macro_rules! tenant_store_impl {
    ($store:ty, $db:ty, $p:literal) => {
        #[async_trait]
        impl TenantStore for $store {
            async fn create_tenant(&self, new: &NewTenant) -> Result<Tenant, StoreError> {
                let row: $crate::rows::TenantRow = sqlx::query_as(concat!(
                    "INSERT INTO ", $p, "tenants (id, slug, name) VALUES ($1, $2, $3) RETURNING id, slug, name, status, logo_url, accent_color, catalog_version, currency"))
                    .bind(Uuid::new_v4()).bind(new.slug.as_str()).bind(new.name.trim())
                    .fetch_one(&self.pool).await?;
                row.try_into()
            }

            async fn add_domain(&self, tenant: Uuid, domain: &DomainName, primary: bool) -> Result<(), StoreError> {
                sqlx::query(concat!("INSERT INTO ", $p, "tenant_domains (domain, tenant_id, is_primary) VALUES ($1, $2, $3)"))
                    .bind(domain.as_str()).bind(tenant).bind(primary)
                    .execute(&self.pool).await?;
                Ok(())
            }

            async fn set_tenant_status(&self, tenant: Uuid, status: TenantStatus) -> Result<(), StoreError> {
                let done = sqlx::query(concat!(
                    "UPDATE ", $p, "tenants SET status = $1, catalog_version = catalog_version + 1 WHERE id = $2"))
                    .bind(status.as_str()).bind(tenant)
                    .execute(&self.pool).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn tenant_by_slug(&self, slug: &TenantSlug) -> Result<Option<Tenant>, StoreError> {
                let row: Option<$crate::rows::TenantRow> =
                    sqlx::query_as(concat!("SELECT id, slug, name, status, logo_url, accent_color, catalog_version, currency FROM ", $p, "tenants WHERE slug = $1"))
                        .bind(slug.as_str()).fetch_optional(&self.pool).await?;
                row.map(Tenant::try_from).transpose()
            }

            async fn tenant_by_domain(&self, domain: &DomainName) -> Result<Option<Tenant>, StoreError> {
                let row: Option<$crate::rows::TenantRow> = sqlx::query_as(concat!(
                    "SELECT t.id, t.slug, t.name, t.status, t.logo_url, t.accent_color, t.catalog_version, t.currency, \
                     (SELECT p.domain FROM ", $p, "tenant_domains p WHERE p.tenant_id = t.id AND p.is_primary) AS primary_domain FROM ", $p,
                    "tenant_domains d JOIN ", $p, "tenants t ON t.id = d.tenant_id WHERE d.domain = $1"))
                    .bind(domain.as_str()).fetch_optional(&self.pool).await?;
                row.map(Tenant::try_from).transpose()
            }

            async fn update_store_settings(
                &self,
                tenant: Uuid,
                input: &zelly_edge::catalog::StoreSettingsInput,
            ) -> Result<Tenant, StoreError> {
                input.validate().map_err(|fields| {
                    StoreError::Invalid(fields.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "))
                })?;
                let mut tx = self.tenant_tx(tenant).await?;
                // The featured collection must be one of this store's own.
                let featured: Option<Uuid> = match &input.featured_collection {
                    None => None,
                    Some(handle) => {
                        let found: Option<(Uuid,)> = sqlx::query_as(concat!("SELECT id FROM ", $p, "collections WHERE tenant_id = $1 AND handle = $2"))
                            .bind(tenant).bind(handle.trim()).fetch_optional(&mut *tx).await?;
                        let Some((id,)) = found else {
                            return Err(StoreError::Invalid("featured_collection: this store has no such collection".into()));
                        };
                        Some(id)
                    }
                };
                let row: Option<$crate::rows::TenantRow> = sqlx::query_as(concat!(
                    "UPDATE ", $p, "tenants SET name = $1, logo_url = $2, accent_color = $3, featured_collection_id = $5, cash_on_delivery = $6, \
                     catalog_version = catalog_version + 1 WHERE id = $4 \
                     RETURNING id, slug, name, status, logo_url, accent_color, catalog_version, currency"))
                    .bind(input.name.trim())
                    .bind(input.logo_url.as_deref())
                    .bind(input.accent_color.as_deref().map(str::to_ascii_lowercase))
                    .bind(tenant)
                    .bind(featured)
                    .bind(input.cash_on_delivery)
                    .fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                row.ok_or(StoreError::NotFound)?.try_into()
            }

            async fn list_tenants(&self) -> Result<Vec<TenantOverview>, StoreError> {
                let mut tx = self.platform_tx().await?;
                #[allow(clippy::type_complexity)]
                let tenants: Vec<(Uuid, String, String, String, Option<String>, Option<String>, i64, String, i64)> = sqlx::query_as(concat!(
                    "SELECT t.id, t.slug, t.name, t.status, t.logo_url, t.accent_color, t.catalog_version, t.currency, \
                     (SELECT count(*) FROM ", $p, "products p WHERE p.tenant_id = t.id) \
                     FROM ", $p, "tenants t ORDER BY t.slug"))
                    .fetch_all(&mut *tx).await?;
                let domains: Vec<(Uuid, String)> = sqlx::query_as(concat!(
                    "SELECT tenant_id, domain FROM ", $p, "tenant_domains ORDER BY is_primary DESC, domain"))
                    .fetch_all(&mut *tx).await?;
                tx.commit().await?;
                let mut domains = $crate::rows::group_domains(domains);
                tenants
                    .into_iter()
                    .map(|(id, slug, name, status, logo_url, accent_color, catalog_version, currency, product_count)| {
                        Ok(TenantOverview {
                            tenant: $crate::rows::TenantRow { id, slug, name, status, logo_url, accent_color, catalog_version, currency, primary_domain: None }
                                .try_into()?,
                            domains: domains.remove(&id).unwrap_or_default(),
                            product_count,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use tenant_store_impl;

/// The seller input equivalent of a [`crate::NewProduct`] (used by the demo seed and tests): active,
/// with one option whose values are the variant titles.
pub(crate) fn active_input(new: &crate::NewProduct) -> ProductInput {
    ProductInput {
        handle: new.handle.to_string(),
        title: new.title.clone(),
        description: new.description.clone(),
        status: ProductStatus::Active,
        option_names: vec!["Option".to_owned()],
        images: new
            .image_url
            .iter()
            .map(|url| zelly_edge::catalog::ProductImage { url: url.clone(), alt: new.title.clone() })
            .collect(),
        tags: Vec::new(),
        seo_title: None,
        seo_description: None,
        variants: new
            .variants
            .iter()
            .map(|v| zelly_edge::catalog::VariantInput {
                id: None,
                sku: v.sku.clone(),
                options: vec![v.title.clone()],
                price_minor: v.price.amount_minor,
                compare_at_price_minor: None,
                currency: v.price.currency,
                // A NewProduct says nothing of stock: it is sellable until its merchant starts
                // tracking stock in the seller panel.
                inventory_quantity: 0,
                track_inventory: false,
            })
            .collect(),
        version: None,
    }
}
