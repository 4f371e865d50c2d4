//! What storefronts read: one page of a listing, one product, one stretch of the sitemap, each
//! found by the request's domain in one call.
//!
//! Every read costs the same whatever the size of the catalog. Listings page by keyset over an
//! index ([`ListingCursor`]); search runs in the database (PostgreSQL full text, SQLite FTS5) and
//! ranks by relevance. On PostgreSQL each read is one statement, `astro_primary.storefront_read`,
//! so one round trip: the function finds the tenant by domain and scopes row-level security to it
//! itself. SQLite runs in process, where a round trip is a function call; it reads in one
//! deferred transaction that never waits for writers.

use crate::StoreError;
use async_trait::async_trait;
use serde::Deserialize;
use uuid::Uuid;
use zelly_edge::catalog::{ProductImage, ProductStatus, SellerProduct, SellerVariant};
use zelly_edge::dto::{CollectionHeading, CollectionLink, FeaturedProducts, ListingSort, Product, ProductSummary, Tenant, VariantStock};
use zelly_edge::{Currency, DomainName, Handle, Money};

/// Most words of a search that count.
pub const MAX_SEARCH_TERMS: usize = 8;

/// One page of a listing to read.
#[derive(Debug, Clone, Default)]
pub struct ListingQuery {
    /// A collection's products, or (`None`) the whole store's.
    pub collection: Option<Handle>,
    /// Search text; only products matching every word.
    pub search: Option<String>,
    /// The order.
    pub sort: ListingSort,
    /// Where the page before ended.
    pub after: Option<ListingCursor>,
    /// Products per page, at least 1.
    pub limit: u32,
}

/// Where a page of a listing ended: the last product's sort key and handle (handles are unique
/// in a store, so the pair orders every product). A search by relevance pages by position
/// instead: `key` is how many results came before, `handle` is empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingCursor {
    /// Creation time, lowest price, collection position, or results so far.
    pub key: i64,
    /// The last product's handle (empty for a search by relevance).
    pub handle: String,
}

impl ListingCursor {
    /// The cursor as it travels in URLs: `key.handle`.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.key, self.handle)
    }

    /// Reads [`ListingCursor::encode`]'s form; `None` for anything else.
    pub fn decode(raw: &str) -> Option<Self> {
        let (key, handle) = raw.split_once('.')?;
        let key: i64 = key.parse().ok()?;
        if !handle.is_empty() && Handle::parse(handle).is_err() {
            return None;
        }
        Some(Self { key, handle: handle.to_owned() })
    }
}

/// One page of a listing, with the page's surroundings (see `zelly_edge::dto::StoreListing`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    /// The store; when it is not active, nothing else is read.
    pub tenant: Tenant,
    /// Collections to link to, by title.
    pub collections: Vec<CollectionLink>,
    /// The collection listed; `None` when none was asked for or it does not exist.
    pub collection: Option<CollectionHeading>,
    /// The featured collection (home page, first page, no search).
    pub featured: Option<FeaturedProducts>,
    /// The page's products in order.
    pub products: Vec<ProductSummary>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<ListingCursor>,
}

/// One product page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductPage {
    /// The store; when it is not active, no product is read.
    pub tenant: Tenant,
    /// The product if it is on sale, with the stock of its variants.
    pub product: Option<(Product, Vec<VariantStock>)>,
}

/// One stretch of a sitemap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sitemap {
    /// The store.
    pub tenant: Tenant,
    /// Active products in all.
    pub total: u64,
    /// Collection handles (from offset 0 only).
    pub collections: Vec<Handle>,
    /// Product handles in handle order.
    pub products: Vec<Handle>,
}

/// A price lookup: the store, whether it takes cash on delivery, and each asked-for variant on
/// sale with its price, name, picture and stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRead {
    /// The store; when it is not active, no variant is read.
    pub tenant: Tenant,
    /// Whether the store offers cash on delivery.
    pub cash_on_delivery: bool,
    /// Current prices.
    pub prices: Vec<zelly_edge::dto::VariantPrice>,
    /// The same variants' names, pictures and stock.
    pub details: Vec<zelly_edge::dto::VariantDetail>,
}

/// The storefront's reads, by domain. `Ok(None)`: no store has the domain.
#[async_trait]
pub trait StorefrontStore: Send + Sync {
    /// One page of a listing.
    async fn storefront_listing(&self, domain: &DomainName, query: &ListingQuery) -> Result<Option<Listing>, StoreError>;
    /// One active product by handle, with its stock.
    async fn storefront_product(&self, domain: &DomainName, handle: &Handle) -> Result<Option<ProductPage>, StoreError>;
    /// Current prices and details of these variants (at most a cart's worth).
    async fn storefront_prices(&self, domain: &DomainName, variants: &[Uuid]) -> Result<Option<PriceRead>, StoreError>;
    /// At most `limit` product handles from `offset`, in handle order.
    async fn storefront_sitemap(&self, domain: &DomainName, offset: u64, limit: u32) -> Result<Option<Sitemap>, StoreError>;
}

/// The words of a search, lower-cased: runs of letters and digits (what both full-text indexes
/// split text into), at most [`MAX_SEARCH_TERMS`], each at most 40 characters.
pub fn search_terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().take(40).collect::<String>().to_lowercase())
        .take(MAX_SEARCH_TERMS)
        .collect()
}

/// A PostgreSQL `tsquery` that needs every term, each as a prefix ("lam" finds "lamp").
pub(crate) fn pg_tsquery(terms: &[String]) -> String {
    terms.iter().map(|t| format!("{t}:*")).collect::<Vec<_>>().join(" & ")
}

/// An FTS5 query that needs every term, each as a prefix.
pub(crate) fn fts5_query(terms: &[String]) -> String {
    terms.iter().map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(" AND ")
}

/// A product as the read gives it: the storefront's shape plus each variant's stock.
pub(crate) fn storefront_with_stock(product: SellerProduct) -> (Product, Vec<VariantStock>) {
    let stock = product.variants.iter().map(|v| VariantStock::of(v.id, v.track_inventory, v.inventory_quantity)).collect();
    (crate::seller::storefront_product(product), stock)
}

/// The JSON shapes `astro_primary.storefront_read` answers with.
pub(crate) mod json {
    use super::*;

    #[derive(Deserialize)]
    pub(crate) struct VariantJson {
        pub id: Uuid,
        pub sku: String,
        pub options: Vec<String>,
        pub price_minor: i64,
        pub compare_at_price_minor: Option<i64>,
        pub currency: String,
        pub inventory_quantity: i64,
        pub track_inventory: bool,
    }

    #[derive(Deserialize)]
    pub(crate) struct ProductJson {
        pub id: Uuid,
        pub handle: String,
        pub title: String,
        pub description: String,
        pub option_names: Vec<String>,
        pub images: Vec<ProductImage>,
        pub seo_title: Option<String>,
        pub seo_description: Option<String>,
        pub variants: Vec<VariantJson>,
    }

    fn corrupt(e: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(e.to_string())
    }

    impl TryFrom<ProductJson> for SellerProduct {
        type Error = StoreError;
        fn try_from(p: ProductJson) -> Result<Self, StoreError> {
            let variants = p
                .variants
                .into_iter()
                .map(|v| {
                    let currency = Currency::parse(v.currency.trim()).map_err(corrupt)?;
                    Ok(SellerVariant {
                        id: v.id,
                        sku: v.sku,
                        options: v.options,
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
                status: ProductStatus::Active,
                option_names: p.option_names,
                images: p.images,
                tags: Vec::new(),
                seo_title: p.seo_title,
                seo_description: p.seo_description,
                variants,
                version: 0,
                updated_at_ms: 0,
                shopify_id: None,
            })
        }
    }

    /// A listing card's row, from either backend.
    #[derive(Deserialize, sqlx::FromRow)]
    pub(crate) struct CardJson {
        pub id: Uuid,
        pub handle: String,
        pub title: String,
        pub image_url: Option<String>,
        pub price_minor: Option<i64>,
        pub currency: Option<String>,
        pub variant_count: i64,
    }

    impl TryFrom<CardJson> for ProductSummary {
        type Error = StoreError;
        fn try_from(c: CardJson) -> Result<Self, StoreError> {
            let from_price = match (c.price_minor, c.currency) {
                (Some(minor), Some(currency)) => Some(Money::new(minor, Currency::parse(currency.trim()).map_err(corrupt)?)),
                _ => None,
            };
            Ok(ProductSummary {
                id: c.id,
                handle: Handle::parse(&c.handle).map_err(corrupt)?,
                title: c.title,
                image_url: c.image_url,
                from_price,
                variant_count: u32::try_from(c.variant_count).unwrap_or(0),
            })
        }
    }

    pub fn cards(rows: Vec<CardJson>) -> Result<Vec<ProductSummary>, StoreError> {
        rows.into_iter().map(TryInto::try_into).collect()
    }

    #[derive(Deserialize)]
    pub(crate) struct FeaturedJson {
        pub handle: Handle,
        pub title: String,
        pub products: Vec<CardJson>,
    }

    #[derive(Deserialize)]
    pub(crate) struct ListingJson {
        pub tenant: crate::rows::TenantRow,
        #[serde(default)]
        pub collections: Vec<CollectionLink>,
        #[serde(default)]
        pub collection: Option<CollectionHeading>,
        #[serde(default)]
        pub featured: Option<FeaturedJson>,
        #[serde(default)]
        pub products: Vec<CardJson>,
        #[serde(default)]
        pub next: Option<(i64, String)>,
    }

    impl TryFrom<ListingJson> for Listing {
        type Error = StoreError;
        fn try_from(j: ListingJson) -> Result<Self, StoreError> {
            Ok(Listing {
                tenant: j.tenant.try_into()?,
                collections: j.collections,
                collection: j.collection,
                featured: j
                    .featured
                    .map(|f| Ok::<_, StoreError>(FeaturedProducts { handle: f.handle, title: f.title, products: cards(f.products)? }))
                    .transpose()?,
                products: cards(j.products)?,
                next: j.next.map(|(key, handle)| ListingCursor { key, handle }),
            })
        }
    }

    #[derive(Deserialize)]
    pub(crate) struct ProductPageJson {
        pub tenant: crate::rows::TenantRow,
        #[serde(default)]
        pub product: Option<ProductJson>,
    }

    /// One variant of a price lookup, from either backend.
    #[derive(Deserialize, sqlx::FromRow)]
    pub(crate) struct PricedJson {
        pub id: Uuid,
        pub product_title: String,
        pub product_handle: String,
        pub title: String,
        pub sku: String,
        pub price_minor: i64,
        pub currency: String,
        pub image_url: Option<String>,
        pub track_inventory: bool,
        pub inventory_quantity: i64,
        pub siblings: i64,
    }

    /// Prices and details from the looked-up variants.
    pub fn priced(rows: Vec<PricedJson>) -> Result<(Vec<zelly_edge::dto::VariantPrice>, Vec<zelly_edge::dto::VariantDetail>), StoreError> {
        let mut prices = Vec::with_capacity(rows.len());
        let mut details = Vec::with_capacity(rows.len());
        for row in rows {
            let price = Money::new(row.price_minor, Currency::parse(row.currency.trim()).map_err(corrupt)?);
            prices.push(zelly_edge::dto::VariantPrice {
                variant_id: row.id,
                title: format!("{} / {}", row.product_title, row.title),
                sku: row.sku,
                price,
            });
            details.push(zelly_edge::dto::VariantDetail {
                variant_id: row.id,
                product_handle: Handle::parse(&row.product_handle).map_err(corrupt)?,
                product_title: row.product_title,
                // A product sold in one variant has nothing to tell its variant by.
                variant_title: if row.siblings > 1 { row.title } else { String::new() },
                image_url: row.image_url,
                available: VariantStock::of(row.id, row.track_inventory, row.inventory_quantity).available,
            });
        }
        Ok((prices, details))
    }

    #[derive(Deserialize)]
    pub(crate) struct PricesJson {
        pub tenant: crate::rows::TenantRow,
        pub cash_on_delivery: bool,
        #[serde(default)]
        pub variants: Vec<PricedJson>,
    }

    #[derive(Deserialize)]
    pub(crate) struct SitemapJson {
        pub tenant: crate::rows::TenantRow,
        #[serde(default)]
        pub total: u64,
        #[serde(default)]
        pub collections: Vec<Handle>,
        #[serde(default)]
        pub products: Vec<Handle>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let cursor = ListingCursor { key: -5, handle: "brass-lamp".into() };
        assert_eq!(ListingCursor::decode(&cursor.encode()), Some(cursor));
        assert_eq!(ListingCursor::decode("48."), Some(ListingCursor { key: 48, handle: String::new() }));
        for bad in ["", "48", "x.lamp", "1.Bad Handle", "1.a'--"] {
            assert_eq!(ListingCursor::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn search_terms_are_words_of_letters_and_digits_only() {
        assert_eq!(search_terms("  Brass LAMP-0042 "), ["brass", "lamp", "0042"]);
        assert_eq!(search_terms("'); DROP TABLE x; --"), ["drop", "table", "x"]);
        assert_eq!(search_terms("Café crème"), ["café", "crème"]);
        assert!(search_terms("*:& !").is_empty());
        assert_eq!(search_terms(&"a ".repeat(20)).len(), MAX_SEARCH_TERMS);
        assert_eq!(pg_tsquery(&search_terms("brass lamp")), "brass:* & lamp:*");
        assert_eq!(fts5_query(&search_terms("brass lamp")), "\"brass\"* AND \"lamp\"*");
    }
}
