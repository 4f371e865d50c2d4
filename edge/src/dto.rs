//! Data shapes exchanged between tiers (origin ⇄ storefront ⇄ Workers ⇄ SPAs).

use crate::domain::{DomainName, Handle, Money, TenantSlug};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Whether a tenant's stores and panels are open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TenantStatus {
    /// Serving shoppers.
    Active,
    /// Closed by staff: no storefront, no certificates.
    Suspended,
}

impl TenantStatus {
    /// The value stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            TenantStatus::Active => "active",
            TenantStatus::Suspended => "suspended",
        }
    }

    /// Parses the stored value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "active" => Some(TenantStatus::Active),
            "suspended" => Some(TenantStatus::Suspended),
            _ => None,
        }
    }
}

/// A merchant on the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Tenant {
    /// Stable id.
    pub id: Uuid,
    /// Short unique identifier.
    pub slug: TenantSlug,
    /// Store name shown to shoppers.
    pub name: String,
    /// Active or suspended.
    pub status: TenantStatus,
    /// Logo image URL, when the merchant set one.
    #[serde(default)]
    pub logo_url: Option<String>,
    /// Accent colour `#rrggbb`, when the merchant set one.
    #[serde(default)]
    pub accent_color: Option<String>,
    /// Raised by every change to what the storefront shows; edge caches key pages by it.
    #[serde(default)]
    pub catalog_version: i64,
    /// The currency its prices are in.
    #[serde(default = "inr")]
    pub currency: crate::Currency,
    /// The domain canonical URLs and the sitemap use, where the store read says it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_domain: Option<DomainName>,
}

fn inr() -> crate::Currency {
    crate::Currency::INR
}

/// A tenant as staff see it in the admin panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantOverview {
    /// The tenant.
    #[serde(flatten)]
    pub tenant: Tenant,
    /// Its domains, primary first.
    pub domains: Vec<DomainName>,
    /// How many products it has.
    pub product_count: i64,
}

/// A purchasable variant of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Variant {
    /// Stable id; carts and checkout refer to variants by it.
    pub id: Uuid,
    /// Stock-keeping unit, unique within the tenant.
    pub sku: String,
    /// Option label shown to shoppers, e.g. `Large / Blue`.
    pub title: String,
    /// Unit price.
    pub price: Money,
    /// One value per option of the product (`["Large", "Blue"]`).
    #[serde(default)]
    pub options: Vec<String>,
    /// The price before a reduction, shown struck through when above `price`.
    #[serde(default)]
    pub compare_at_price: Option<Money>,
    /// Whether it can be bought now (in stock, or stock not tracked).
    #[serde(default = "available_by_default")]
    pub available: bool,
}

fn available_by_default() -> bool {
    true
}

/// A product with its variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    /// Stable id.
    pub id: Uuid,
    /// URL segment, unique within the tenant.
    pub handle: Handle,
    /// Product name.
    pub title: String,
    /// Plain-text description.
    pub description: String,
    /// Image URL (absolute or site-relative).
    pub image_url: Option<String>,
    /// Every image, the first being `image_url`.
    #[serde(default)]
    pub images: Vec<crate::catalog::ProductImage>,
    /// Names of the options variants differ by (`["Size", "Colour"]`).
    #[serde(default)]
    pub option_names: Vec<String>,
    /// Title for search engines, when the merchant set one.
    #[serde(default)]
    pub seo_title: Option<String>,
    /// Description for search engines, when the merchant set one.
    #[serde(default)]
    pub seo_description: Option<String>,
    /// Variants, cheapest first.
    pub variants: Vec<Variant>,
}

impl Product {
    /// The lowest variant price, shown on product cards ("from ₹…").
    pub fn from_price(&self) -> Option<Money> {
        self.variants.iter().map(|v| v.price).min_by_key(|m| m.amount_minor)
    }

    /// The product as a listing shows it.
    pub fn summary(&self) -> ProductSummary {
        ProductSummary {
            id: self.id,
            handle: self.handle.clone(),
            title: self.title.clone(),
            image_url: self.image_url.clone(),
            from_price: self.from_price(),
            variant_count: u32::try_from(self.variants.len()).unwrap_or(u32::MAX),
        }
    }
}

/// A product as a listing's card shows it: no description or variants, so that a page of 48
/// stays a few kilobytes however rich the products are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductSummary {
    /// Stable id.
    pub id: Uuid,
    /// URL segment, unique within the tenant.
    pub handle: Handle,
    /// Product name.
    pub title: String,
    /// The first image.
    pub image_url: Option<String>,
    /// The lowest variant price.
    pub from_price: Option<Money>,
    /// How many variants it is sold in ("From ₹…" when more than one).
    pub variant_count: u32,
}

/// What a storefront shows about the store itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreInfo {
    /// Tenant slug.
    pub slug: TenantSlug,
    /// Store name.
    pub name: String,
    /// The domain its canonical URLs and sitemap name: its primary domain (else the one the
    /// request came in on).
    pub domain: DomainName,
    /// Logo image URL, when the merchant set one.
    #[serde(default)]
    pub logo_url: Option<String>,
    /// Accent colour `#rrggbb`, when the merchant set one.
    #[serde(default)]
    pub accent_color: Option<String>,
}

/// How a storefront listing is ordered. Every order is a keyset over an index, so any page of a
/// listing costs the same however deep it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum ListingSort {
    /// The merchant's order in a collection; newest first on the home page; best match first in a
    /// search.
    #[default]
    Featured,
    /// Newest first.
    Newest,
    /// Cheapest first (by each product's lowest price).
    PriceAsc,
    /// Dearest first.
    PriceDesc,
}

impl ListingSort {
    /// Every order with its query value, as [`ListingSort::parse`] reads it.
    pub const ALL: [(ListingSort, &'static str); 4] = [
        (ListingSort::Featured, "featured"),
        (ListingSort::Newest, "newest"),
        (ListingSort::PriceAsc, "price-asc"),
        (ListingSort::PriceDesc, "price-desc"),
    ];

    /// The query value.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(s, _)| *s == self).map_or("featured", |(_, k)| k)
    }

    /// Reads a query value.
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.iter().find(|(_, k)| *k == value).map(|(s, _)| *s)
    }
}

/// One page of a storefront listing (the home page, a collection, a search), with what the page
/// around it shows: the store, its collections and, on the home page's first page, the featured
/// collection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreListing {
    /// The store.
    pub store: StoreInfo,
    /// Collections to link to, by title (at most [`MAX_NAV_COLLECTIONS`]).
    #[serde(default)]
    pub collections: Vec<CollectionLink>,
    /// The collection listed, when the listing is one.
    #[serde(default)]
    pub collection: Option<CollectionHeading>,
    /// The collection the merchant features on the home page, on the first page of the home
    /// listing only, with its first products in the merchant's order.
    #[serde(default)]
    pub featured: Option<FeaturedProducts>,
    /// This page's products, in the listing's order.
    pub products: Vec<ProductSummary>,
    /// The cursor of the next page (`after=`); absent on the last page.
    #[serde(default)]
    pub next: Option<String>,
}

/// What a storefront asks of a listing; core-api reads the same fields from the query string.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ListingRequest {
    /// The collection to list (in the path, not the query).
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", param(ignore))]
    pub collection: Option<Handle>,
    /// Search text: only products matching every word (title, description, SKU, tag), best match
    /// first unless another order is asked for. At most [`MAX_SEARCH_CHARS`] characters.
    #[serde(default)]
    pub q: Option<String>,
    /// The order.
    #[serde(default)]
    pub sort: ListingSort,
    /// The `next` cursor of the page before.
    #[serde(default)]
    pub after: Option<String>,
    /// Products per page, 1 to [`MAX_LISTING_PAGE`] (default [`DEFAULT_LISTING_PAGE`]).
    #[serde(default)]
    pub limit: Option<u32>,
}

impl ListingRequest {
    /// The query string that carries it (without `?`).
    pub fn query_string(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(q) = &self.q {
            query.append_pair("q", q);
        }
        if self.sort != ListingSort::Featured {
            query.append_pair("sort", self.sort.as_str());
        }
        if let Some(after) = &self.after {
            query.append_pair("after", after);
        }
        if let Some(limit) = self.limit {
            query.append_pair("limit", &limit.to_string());
        }
        query.finish()
    }
}

/// Most products one listing page holds.
pub const MAX_LISTING_PAGE: u32 = 100;
/// Products per listing page when the caller does not say.
pub const DEFAULT_LISTING_PAGE: u32 = 48;
/// The longest search text taken.
pub const MAX_SEARCH_CHARS: usize = 100;

/// Most collections a listing links to.
pub const MAX_NAV_COLLECTIONS: usize = 50;
/// Most products of the featured collection a home page shows.
pub const MAX_FEATURED_PRODUCTS: usize = 12;

/// The collection a listing lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionHeading {
    /// URL segment.
    pub handle: Handle,
    /// Name.
    pub title: String,
    /// Description.
    pub description: String,
}

/// The collection a store features on its home page, with its first products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeaturedProducts {
    /// URL segment.
    pub handle: Handle,
    /// Name.
    pub title: String,
    /// Its first active products in the merchant's order.
    pub products: Vec<ProductSummary>,
}

/// A collection as a link in the storefront's navigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionLink {
    /// URL segment.
    pub handle: Handle,
    /// Name.
    pub title: String,
}

/// One stretch of a store's sitemap: the handles of its active products in handle order, from
/// `offset`, and (on the first stretch) its collections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreSitemap {
    /// The store.
    pub store: StoreInfo,
    /// How many active products the store has.
    pub total: u64,
    /// Collection handles (on the stretch from offset 0 only).
    #[serde(default)]
    pub collections: Vec<Handle>,
    /// Product handles.
    pub products: Vec<Handle>,
}

/// Most URLs one sitemap file may list (the sitemaps.org limit); past it a sitemap index points
/// to one file per this many products.
pub const SITEMAP_MAX_URLS: usize = 50_000;

/// A storefront product page's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreProduct {
    /// The store.
    pub store: StoreInfo,
    /// The product.
    pub product: Product,
    /// How many of each variant can be bought (the cart caps what is added by it). A variant
    /// missing here has no limit, as has one whose stock is not tracked.
    #[serde(default)]
    pub stock: Vec<VariantStock>,
}

impl StoreProduct {
    /// How many units of `variant` can be bought; `None` when there is no limit.
    pub fn available(&self, variant: Uuid) -> Option<u32> {
        self.stock.iter().find(|s| s.variant_id == variant).and_then(|s| s.available)
    }
}

/// How many units of a variant a shopper can buy now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VariantStock {
    /// The variant.
    pub variant_id: Uuid,
    /// Units on hand, never below zero; absent (no limit) when the store does not track the
    /// variant's stock. Checkout's own count also subtracts other shoppers' unexpired holds.
    #[serde(default)]
    pub available: Option<u32>,
}

impl VariantStock {
    /// From a variant's stock record: tracked stock as a count (negative counts as none), or no
    /// limit when untracked.
    pub fn of(variant_id: Uuid, track_inventory: bool, inventory_quantity: i64) -> Self {
        let available = track_inventory.then(|| u32::try_from(inventory_quantity.max(0)).unwrap_or(u32::MAX));
        Self { variant_id, available }
    }
}

/// What a cart line shows about its variant beyond the price: the product it belongs to, its
/// picture and how many can be bought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VariantDetail {
    /// The variant.
    pub variant_id: Uuid,
    /// The product's name (`Brass Diya`).
    pub product_title: String,
    /// The product's URL segment.
    pub product_handle: Handle,
    /// The variant's option values (`Large`); empty for a product sold in one variant.
    #[serde(default)]
    pub variant_title: String,
    /// The product's main image.
    #[serde(default)]
    pub image_url: Option<String>,
    /// Units that can be bought; absent when there is no limit.
    #[serde(default)]
    pub available: Option<u32>,
}

/// Request body of the variant price lookup used by checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceLookup {
    /// Variant ids to price (at most 100).
    pub variant_ids: Vec<Uuid>,
}

/// The origin's current price of one variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VariantPrice {
    /// The variant.
    pub variant_id: Uuid,
    /// Product title and variant title, for the order summary.
    pub title: String,
    /// SKU.
    pub sku: String,
    /// Unit price.
    pub price: Money,
}

/// Response of the variant price lookup: only variants of the requesting store's tenant appear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PriceList {
    /// Prices of the variants that were found.
    pub prices: Vec<VariantPrice>,
    /// The store the prices are from (name and look, for pages such as the cart).
    #[serde(default)]
    pub store: Option<StoreInfo>,
    /// Whether the store takes cash on delivery (for checkout's payment choice).
    #[serde(default)]
    pub cash_on_delivery: bool,
    /// Whether online payment (Razorpay) is set up, so checkout may offer it.
    #[serde(default = "online_payments_by_default")]
    pub online_payments: bool,
    /// Product name, image and stock of each priced variant, for the cart page and checkout's
    /// messages (older core-apis send none).
    #[serde(default)]
    pub details: Vec<VariantDetail>,
}

impl PriceList {
    /// What is known about `variant` beyond its price.
    pub fn detail(&self, variant: Uuid) -> Option<&VariantDetail> {
        self.details.iter().find(|d| d.variant_id == variant)
    }
}

fn online_payments_by_default() -> bool {
    true
}

/// Answer of `GET /api/storefront/domains/{domain}/version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreVersion {
    /// Raised by every change to what the store's storefront shows.
    pub version: i64,
}

/// Answer of `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// Always `ok` when the service answers.
    pub status: String,
    /// Service name.
    pub service: String,
}
