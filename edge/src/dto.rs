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
}

/// What a storefront shows about the store itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreInfo {
    /// Tenant slug.
    pub slug: TenantSlug,
    /// Store name.
    pub name: String,
    /// The domain the request came in on.
    pub domain: DomainName,
    /// Logo image URL, when the merchant set one.
    #[serde(default)]
    pub logo_url: Option<String>,
    /// Accent colour `#rrggbb`, when the merchant set one.
    #[serde(default)]
    pub accent_color: Option<String>,
}

/// A storefront home page's data: the store, its active products and its collections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreCatalog {
    /// The store.
    pub store: StoreInfo,
    /// Products, newest first.
    pub products: Vec<Product>,
    /// Collections to link to, by title.
    #[serde(default)]
    pub collections: Vec<CollectionLink>,
    /// The collection the merchant features on the home page, if any.
    #[serde(default)]
    pub featured: Option<FeaturedCollection>,
}

/// The collection a store features on its home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeaturedCollection {
    /// URL segment.
    pub handle: Handle,
    /// Name.
    pub title: String,
    /// Its active products' ids in the merchant's order (the products are in the catalog).
    pub product_ids: Vec<Uuid>,
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

/// A storefront collection page's data: the collection and its active products in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreCollection {
    /// The store.
    pub store: StoreInfo,
    /// URL segment.
    pub handle: Handle,
    /// Name.
    pub title: String,
    /// Description.
    pub description: String,
    /// Active products in the merchant's order.
    pub products: Vec<Product>,
    /// The same products' ids, newest first (the storefront's "Newest" sort).
    #[serde(default)]
    pub newest_first: Vec<Uuid>,
}

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
