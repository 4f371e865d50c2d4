//! The seller catalog API's shapes: what merchants read and write in the seller panel.
//!
//! Input types validate themselves ([`ProductInput::validate`], …) so the API answers 422 with every
//! bad field named, and the stores only ever see valid data.

use crate::domain::{Currency, Handle, Money};
use crate::limits::{MAX_AMOUNT_MINOR, MAX_STOCK_UNITS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Most option dimensions a product may have (e.g. Size, Colour, Material).
pub const MAX_OPTIONS: usize = 3;
/// Most variants per product.
pub const MAX_VARIANTS: usize = 100;
/// Most images per product.
pub const MAX_IMAGES: usize = 20;
/// Most tags per product.
pub const MAX_TAGS: usize = 50;
/// Most results per page of a list.
pub const MAX_PAGE_SIZE: u32 = 100;

/// Where a product is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// Being prepared; never shown to shoppers.
    Draft,
    /// For sale on the storefront.
    Active,
    /// Retired; never shown to shoppers, kept for orders and history.
    Archived,
}

impl ProductStatus {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStatus::Draft => "draft",
            ProductStatus::Active => "active",
            ProductStatus::Archived => "archived",
        }
    }

    /// Parses the stored value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "draft" => Some(ProductStatus::Draft),
            "active" => Some(ProductStatus::Active),
            "archived" => Some(ProductStatus::Archived),
            _ => None,
        }
    }
}

/// A merchant's role in a tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the store; may do everything.
    Owner,
    /// Works in the store's catalog.
    Staff,
}

impl Role {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Staff => "staff",
        }
    }

    /// Parses the stored value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "owner" => Some(Role::Owner),
            "staff" => Some(Role::Staff),
            _ => None,
        }
    }
}

/// A product image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductImage {
    /// `https://…` or a site-relative `/…` URL.
    pub url: String,
    /// Alternative text for shoppers using screen readers.
    #[serde(default)]
    pub alt: String,
}

/// A variant as the seller panel sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SellerVariant {
    /// Stable id.
    pub id: Uuid,
    /// Unique within the tenant.
    pub sku: String,
    /// One value per product option, in the product's option order.
    pub options: Vec<String>,
    /// Selling price.
    pub price: Money,
    /// Crossed-out "was" price, above `price`.
    pub compare_at_price: Option<Money>,
    /// Units in stock (changed only through inventory adjustments).
    pub inventory_quantity: i64,
    /// Whether stock is tracked for this variant.
    pub track_inventory: bool,
}

/// A product as the seller panel sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SellerProduct {
    /// Stable id.
    pub id: Uuid,
    /// URL segment, unique within the tenant.
    pub handle: Handle,
    /// Name.
    pub title: String,
    /// Plain-text description.
    pub description: String,
    /// Draft, active or archived.
    pub status: ProductStatus,
    /// Option names, e.g. `["Size", "Colour"]` (at most 3).
    pub option_names: Vec<String>,
    /// Images, first is the main one.
    pub images: Vec<ProductImage>,
    /// Tags, for search and grouping.
    pub tags: Vec<String>,
    /// Search-engine title (defaults to the title on the storefront).
    pub seo_title: Option<String>,
    /// Search-engine description.
    pub seo_description: Option<String>,
    /// Variants in display order.
    pub variants: Vec<SellerVariant>,
    /// Optimistic-concurrency version: send it back with an update; a stale one is 409.
    pub version: i64,
    /// Last change, milliseconds since the Unix epoch.
    pub updated_at_ms: i64,
    /// The Shopify product it comes from (`gid://shopify/Product/…`), when it was imported from
    /// the store's Shopify shop: Shopify owns its fields but SEO, and its stock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shopify_id: Option<String>,
}

/// A variant to create or update as part of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VariantInput {
    /// The variant to update; absent for a new one.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Unique within the tenant, 1-64 characters.
    pub sku: String,
    /// One value per product option.
    #[serde(default)]
    pub options: Vec<String>,
    /// Price in minor units (≥ 0).
    pub price_minor: i64,
    /// Crossed-out price in minor units, greater than the price.
    #[serde(default)]
    pub compare_at_price_minor: Option<i64>,
    /// Currency (defaults to INR).
    #[serde(default = "default_currency")]
    pub currency: Currency,
    /// Starting stock for a new variant (ignored on update: use an inventory adjustment).
    #[serde(default)]
    pub inventory_quantity: i64,
    /// Whether stock is tracked.
    #[serde(default = "default_true")]
    pub track_inventory: bool,
}

fn default_currency() -> Currency {
    Currency::INR
}

fn default_true() -> bool {
    true
}

/// A product to create, or the new state of one to update (with its `version`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProductInput {
    /// URL segment: lower-case letters, digits and inner hyphens.
    pub handle: String,
    /// Name, 1-200 characters.
    pub title: String,
    /// Description, up to 20,000 characters.
    #[serde(default)]
    pub description: String,
    /// Defaults to draft.
    #[serde(default = "default_status")]
    pub status: ProductStatus,
    /// Option names (at most 3, unique).
    #[serde(default)]
    pub option_names: Vec<String>,
    /// Images (at most 20).
    #[serde(default)]
    pub images: Vec<ProductImage>,
    /// Tags (at most 50, each 1-40 characters); stored trimmed and deduplicated.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Up to 70 characters.
    #[serde(default)]
    pub seo_title: Option<String>,
    /// Up to 320 characters.
    #[serde(default)]
    pub seo_description: Option<String>,
    /// 1-100 variants. On update, variants with an `id` are updated, new ones created, missing
    /// ones removed.
    pub variants: Vec<VariantInput>,
    /// Required on update: the version the merchant edited.
    #[serde(default)]
    pub version: Option<i64>,
}

fn default_status() -> ProductStatus {
    ProductStatus::Draft
}

/// Field path → what is wrong with it, e.g. `variants[1].sku` → `must be 1-64 characters`.
pub type FieldErrors = BTreeMap<String, String>;

/// Notes `message` against `field` unless `ok` (the first problem of a field is the one kept).
pub(crate) fn check(errors: &mut FieldErrors, ok: bool, field: impl Into<String>, message: &str) {
    if !ok {
        errors.entry(field.into()).or_insert_with(|| message.to_owned());
    }
}

fn valid_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix('/').filter(|r| !r.starts_with('/')));
    rest.is_some_and(|r| !r.is_empty()) && url.len() <= 2048 && !url.chars().any(|c| c.is_whitespace() || c == '"' || c == '<' || c == '>')
}

impl ProductInput {
    /// Checks every field, returning all problems at once (never just the first).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        check(&mut e, Handle::parse(&self.handle).is_ok(), "handle", "must be 1-100 lower-case letters, digits or inner hyphens");
        let title = self.title.trim();
        check(&mut e, !title.is_empty() && title.chars().count() <= 200, "title", "must be 1-200 characters");
        check(&mut e, self.description.chars().count() <= 20_000, "description", "must be at most 20,000 characters");
        check(&mut e, self.option_names.len() <= MAX_OPTIONS, "option_names", "at most 3 options");
        for (i, name) in self.option_names.iter().enumerate() {
            let n = name.trim();
            check(&mut e, !n.is_empty() && n.chars().count() <= 40, format!("option_names[{i}]"), "must be 1-40 characters");
            let duplicate = self.option_names[..i].iter().any(|o| o.trim().eq_ignore_ascii_case(n));
            check(&mut e, !duplicate, format!("option_names[{i}]"), "is repeated");
        }
        check(&mut e, self.images.len() <= MAX_IMAGES, "images", "at most 20 images");
        for (i, image) in self.images.iter().enumerate() {
            check(&mut e, valid_url(&image.url), format!("images[{i}].url"), "must be an http(s) or site-relative URL");
            check(&mut e, image.alt.chars().count() <= 500, format!("images[{i}].alt"), "must be at most 500 characters");
        }
        check(&mut e, self.tags.len() <= MAX_TAGS, "tags", "at most 50 tags");
        for (i, tag) in self.tags.iter().enumerate() {
            let t = tag.trim();
            check(&mut e, !t.is_empty() && t.chars().count() <= 40, format!("tags[{i}]"), "must be 1-40 characters");
        }
        if let Some(seo) = &self.seo_title {
            check(&mut e, seo.chars().count() <= 70, "seo_title", "must be at most 70 characters");
        }
        if let Some(seo) = &self.seo_description {
            check(&mut e, seo.chars().count() <= 320, "seo_description", "must be at most 320 characters");
        }
        check(&mut e, !self.variants.is_empty(), "variants", "at least one variant is required");
        check(&mut e, self.variants.len() <= MAX_VARIANTS, "variants", "at most 100 variants");
        let mut combos: Vec<Vec<String>> = Vec::new();
        for (i, v) in self.variants.iter().enumerate() {
            let sku = v.sku.trim();
            check(&mut e, !sku.is_empty() && sku.len() <= 64 && !sku.chars().any(char::is_whitespace), format!("variants[{i}].sku"), "must be 1-64 characters without spaces");
            let dup_sku = self.variants[..i].iter().any(|o| o.sku.trim() == sku);
            check(&mut e, !dup_sku, format!("variants[{i}].sku"), "is used by another variant of this product");
            check(&mut e, v.options.len() == self.option_names.len(), format!("variants[{i}].options"), "needs one value per product option");
            for (j, value) in v.options.iter().enumerate() {
                let value = value.trim();
                check(&mut e, !value.is_empty() && value.chars().count() <= 60, format!("variants[{i}].options[{j}]"), "must be 1-60 characters");
            }
            let combo: Vec<String> = v.options.iter().map(|o| o.trim().to_lowercase()).collect();
            check(&mut e, !combos.contains(&combo), format!("variants[{i}].options"), "another variant has the same options");
            combos.push(combo);
            check(&mut e, (0..=MAX_AMOUNT_MINOR).contains(&v.price_minor), format!("variants[{i}].price_minor"), &format!("must be between 0 and {}", Money::new(MAX_AMOUNT_MINOR, Currency::INR)));
            if let Some(compare) = v.compare_at_price_minor {
                check(&mut e, compare > v.price_minor && compare <= MAX_AMOUNT_MINOR, format!("variants[{i}].compare_at_price_minor"), "must be greater than the price");
            }
            check(&mut e, (0..=MAX_STOCK_UNITS).contains(&v.inventory_quantity), format!("variants[{i}].inventory_quantity"), "must be between 0 and 1,00,00,00,000");
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }

    /// Tags trimmed, deduplicated case-insensitively, in first-seen order.
    pub fn normalized_tags(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for tag in &self.tags {
            let t = tag.trim();
            if !out.iter().any(|o| o.eq_ignore_ascii_case(t)) {
                out.push(t.to_owned());
            }
        }
        out
    }
}

/// A page of results with the cursor of the next page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// An inventory change and why it was made (the audit trail).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InventoryAdjustment {
    /// Stable id.
    pub id: Uuid,
    /// The variant.
    pub variant_id: Uuid,
    /// Units added (positive) or removed (negative).
    pub delta: i64,
    /// Stock after the change.
    pub quantity_after: i64,
    /// Why (e.g. "received shipment", "damaged").
    pub reason: String,
    /// Firebase uid of the merchant who made it.
    pub actor: String,
    /// When, milliseconds since the Unix epoch.
    pub created_at_ms: i64,
}

/// Body of an inventory adjustment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InventoryAdjustmentInput {
    /// Units to add or (negative) remove; not zero.
    pub delta: i64,
    /// Why, 1-200 characters.
    pub reason: String,
}

impl InventoryAdjustmentInput {
    /// Checks the fields.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        check(&mut e, self.delta != 0 && self.delta.unsigned_abs() <= MAX_STOCK_UNITS.unsigned_abs(), "delta", "must be a non-zero number of units");
        let reason = self.reason.trim();
        check(&mut e, !reason.is_empty() && reason.chars().count() <= 200, "reason", "must be 1-200 characters");
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// A manual collection with its products in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Collection {
    /// Stable id.
    pub id: Uuid,
    /// URL segment, unique within the tenant.
    pub handle: Handle,
    /// Name.
    pub title: String,
    /// Description.
    pub description: String,
    /// Product ids in display order.
    pub product_ids: Vec<Uuid>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

/// A collection to create, or the new state of one (with `version`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionInput {
    /// URL segment.
    pub handle: String,
    /// Name, 1-200 characters.
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Product ids in display order (each at most once).
    #[serde(default)]
    pub product_ids: Vec<Uuid>,
    /// Required on update.
    #[serde(default)]
    pub version: Option<i64>,
}

impl CollectionInput {
    /// Checks the fields.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        check(&mut e, Handle::parse(&self.handle).is_ok(), "handle", "must be 1-100 lower-case letters, digits or inner hyphens");
        let title = self.title.trim();
        check(&mut e, !title.is_empty() && title.chars().count() <= 200, "title", "must be 1-200 characters");
        check(&mut e, self.description.chars().count() <= 20_000, "description", "must be at most 20,000 characters");
        check(&mut e, self.product_ids.len() <= 1000, "product_ids", "at most 1000 products");
        for (i, id) in self.product_ids.iter().enumerate() {
            check(&mut e, !self.product_ids[..i].contains(id), format!("product_ids[{i}]"), "is listed twice");
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// The signed-in merchant and the store they are working in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SellerSession {
    /// Firebase uid.
    pub uid: String,
    /// Email, when the token carries one.
    pub email: Option<String>,
    /// The tenant.
    pub tenant: crate::dto::Tenant,
    /// The merchant's role in it.
    pub role: Role,
}

/// How a store looks to shoppers, as its merchant sets it: `GET`/`PUT /api/seller/store`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StoreSettingsInput {
    /// Store name shown to shoppers (1-100 characters).
    pub name: String,
    /// Logo image: an http(s) or site-relative URL, or none for the name alone.
    #[serde(default)]
    pub logo_url: Option<String>,
    /// Accent colour of buttons and links, `#rrggbb`, or none for Zelly's default.
    #[serde(default)]
    pub accent_color: Option<String>,
    /// Handle of the collection the home page features, or none for no featured section.
    #[serde(default)]
    pub featured_collection: Option<String>,
    /// Whether shoppers may choose cash on delivery at checkout.
    #[serde(default)]
    pub cash_on_delivery: bool,
}

impl StoreSettingsInput {
    /// Checks every field, naming each bad one.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        let name = self.name.trim();
        check(&mut e, !name.is_empty() && name.chars().count() <= 100, "name", "must be 1-100 characters");
        if let Some(url) = &self.logo_url {
            check(&mut e, valid_url(url), "logo_url", "must be an http(s) or site-relative URL");
        }
        if let Some(color) = &self.accent_color {
            check(&mut e, is_hex_color(color), "accent_color", "must be a colour like #1f6feb");
        }
        if let Some(handle) = &self.featured_collection {
            check(&mut e, crate::Handle::parse(handle).is_ok(), "featured_collection", "must be the handle of one of the store's collections");
        }
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// `#rrggbb` (either case).
pub fn is_hex_color(value: &str) -> bool {
    value.len() == 7 && value.starts_with('#') && value[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// The accent colour pages use when a store has not chosen one: a deep green that white text
/// reads on at 6.6:1.
pub const DEFAULT_ACCENT: &str = "#0b6b3a";

/// WCAG relative luminance of a `#rrggbb` colour (0 black to 1 white); `None` if malformed.
pub fn relative_luminance(color: &str) -> Option<f64> {
    if !is_hex_color(color) {
        return None;
    }
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&color[i..i + 2], 16).ok()?) / 255.0;
        Some(if c <= 0.040_45 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) })
    };
    Some(0.2126 * channel(1)? + 0.7152 * channel(3)? + 0.0722 * channel(5)?)
}

/// WCAG contrast ratio of two `#rrggbb` colours (1 to 21); `None` if either is malformed.
pub fn contrast_ratio(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (relative_luminance(a)?, relative_luminance(b)?);
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

/// The text colour for a button filled with `accent`: white or black, whichever contrasts more
/// (one of them always reaches 4.5:1), so a merchant's pale accent still has readable buttons.
pub fn text_color_on(accent: &str) -> &'static str {
    let white = contrast_ratio(accent, "#ffffff").unwrap_or(21.0);
    let black = contrast_ratio(accent, "#000000").unwrap_or(1.0);
    if white >= black { "#ffffff" } else { "#000000" }
}

/// The CSS custom properties a page's `<body style>` carries for a store's own accent: the
/// colour and the button text colour on it. `None` (the page's stylesheet default,
/// [`DEFAULT_ACCENT`] with white text) unless the store set a well-formed `#rrggbb`, so nothing
/// else ever reaches the attribute.
pub fn accent_style(accent: Option<&str>) -> Option<String> {
    let accent = accent.filter(|c| is_hex_color(c))?;
    Some(format!("--accent:{accent};--on-accent:{}", text_color_on(accent)))
}

/// A store's settings with what identifies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreSettings {
    /// Short unique identifier (not editable).
    pub slug: crate::TenantSlug,
    /// Store name shown to shoppers.
    pub name: String,
    /// Logo image URL, if any.
    pub logo_url: Option<String>,
    /// Accent colour `#rrggbb`, if any.
    pub accent_color: Option<String>,
    /// The collection the home page features, if any.
    #[serde(default)]
    pub featured_collection: Option<crate::Handle>,
    /// Whether shoppers may choose cash on delivery at checkout.
    #[serde(default)]
    pub cash_on_delivery: bool,
}

/// The fields of a product imported from Shopify that `input` would change: Shopify owns them
/// (its SEO title and description are Zelly's), so seller-ui shows them read-only and core-api
/// refuses such a change, naming them.
pub fn shopify_owned_changes(current: &SellerProduct, input: &ProductInput) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let trimmed = |v: &[String]| v.iter().map(|s| s.trim().to_owned()).collect::<Vec<_>>();
    if input.title.trim() != current.title {
        changed.push("title");
    }
    if input.description != current.description {
        changed.push("description");
    }
    if input.handle != current.handle.as_str() {
        changed.push("handle");
    }
    if input.status != current.status {
        changed.push("status");
    }
    if trimmed(&input.option_names) != current.option_names {
        changed.push("options");
    }
    if input.images != current.images {
        changed.push("images");
    }
    if input.normalized_tags() != current.tags {
        changed.push("tags");
    }
    let variants_same = input.variants.len() == current.variants.len()
        && input.variants.iter().zip(&current.variants).all(|(new, old)| {
            new.sku.trim() == old.sku
                && trimmed(&new.options) == old.options
                && new.price_minor == old.price.amount_minor
                && new.compare_at_price_minor == old.compare_at_price.map(|c| c.amount_minor)
                && new.track_inventory == old.track_inventory
        });
    if !variants_same {
        changed.push("variants");
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_accent_carries_white_button_text_at_better_than_four_and_a_half_to_one() {
        let ratio = contrast_ratio(DEFAULT_ACCENT, text_color_on(DEFAULT_ACCENT)).unwrap();
        assert_eq!(text_color_on(DEFAULT_ACCENT), "#ffffff");
        assert!(ratio >= 4.5, "{ratio}");
    }

    #[test]
    fn a_pale_accent_gets_black_button_text_and_a_dark_one_white() {
        assert_eq!(text_color_on("#ffd400"), "#000000");
        assert_eq!(text_color_on("#f0f0f0"), "#000000");
        assert_eq!(text_color_on("#8a3b12"), "#ffffff");
        assert_eq!(text_color_on("#1f6feb"), "#ffffff");
        // Whatever the merchant picks, the chosen text colour reads at 4.5:1 or better.
        for r in (0..=255).step_by(51) {
            for g in (0..=255).step_by(51) {
                for b in (0..=255).step_by(51) {
                    let accent = format!("#{r:02x}{g:02x}{b:02x}");
                    let ratio = contrast_ratio(&accent, text_color_on(&accent)).unwrap();
                    assert!(ratio >= 4.5, "{accent}: {ratio}");
                }
            }
        }
    }

    #[test]
    fn only_a_well_formed_accent_reaches_the_style() {
        assert_eq!(accent_style(Some("#8a3b12")).as_deref(), Some("--accent:#8a3b12;--on-accent:#ffffff"));
        assert_eq!(accent_style(Some("#FFD400")).as_deref(), Some("--accent:#FFD400;--on-accent:#000000"));
        assert_eq!(accent_style(None), None);
        assert_eq!(accent_style(Some("red;background:url(//x)")), None);
        assert!((contrast_ratio("#000000", "#ffffff").unwrap() - 21.0).abs() < 1e-9);
    }

    fn input() -> ProductInput {
        serde_json::from_value(serde_json::json!({
            "handle": "tee",
            "title": "Tee",
            "option_names": ["Size"],
            "variants": [
                { "sku": "TEE-S", "options": ["S"], "price_minor": 49900 },
                { "sku": "TEE-M", "options": ["M"], "price_minor": 49900, "compare_at_price_minor": 59900 }
            ]
        }))
        .unwrap()
    }

    #[test]
    fn a_well_formed_product_is_valid_and_defaults_to_a_tracked_inr_draft() {
        let p = input();
        assert_eq!(p.validate(), Ok(()));
        assert_eq!(p.status, ProductStatus::Draft);
        assert_eq!(p.variants[0].currency, Currency::INR);
        assert!(p.variants[0].track_inventory);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let mut p = input();
        p.handle = "Bad Handle".into();
        p.title = " ".into();
        p.variants[1].sku = "TEE-S".into();
        p.variants[1].compare_at_price_minor = Some(100);
        p.variants[0].options = vec![];
        let errors = p.validate().unwrap_err();
        for field in ["handle", "title", "variants[1].sku", "variants[1].compare_at_price_minor", "variants[0].options"] {
            assert!(errors.contains_key(field), "{field} not reported: {errors:?}");
        }
    }

    #[test]
    fn more_than_three_options_or_duplicate_combinations_are_refused() {
        let mut p = input();
        p.option_names = vec!["a".into(), "b".into(), "c".into(), "d".into()];
        assert!(p.validate().unwrap_err().contains_key("option_names"));
        let mut p = input();
        p.variants[1].options = vec!["s".into()];
        assert!(p.validate().unwrap_err().contains_key("variants[1].options"));
    }

    #[test]
    fn store_settings_name_each_bad_field() {
        let bad = StoreSettingsInput {
            name: "  ".into(),
            logo_url: Some("javascript:alert(1)".into()),
            accent_color: Some("red".into()),
            featured_collection: Some("Not A Handle".into()),
            cash_on_delivery: false,
        };
        let errors = bad.validate().unwrap_err();
        assert_eq!(errors.keys().map(String::as_str).collect::<Vec<_>>(), ["accent_color", "featured_collection", "logo_url", "name"]);
        let good = StoreSettingsInput {
            name: "Acme".into(),
            logo_url: Some("/assets/logo.svg".into()),
            accent_color: Some("#1F6feb".into()),
            featured_collection: Some("summer".into()),
            cash_on_delivery: true,
        };
        assert_eq!(good.validate(), Ok(()));
    }

    #[test]
    fn image_urls_must_be_http_or_site_relative() {
        let mut p = input();
        p.images = vec![
            ProductImage { url: "javascript:alert(1)".into(), alt: String::new() },
            ProductImage { url: "//evil.example/x.png".into(), alt: String::new() },
            ProductImage { url: "/assets/x.svg".into(), alt: String::new() },
        ];
        let errors = p.validate().unwrap_err();
        assert!(errors.contains_key("images[0].url") && errors.contains_key("images[1].url"));
        assert!(!errors.contains_key("images[2].url"));
    }

    #[test]
    fn tags_are_trimmed_and_deduplicated_ignoring_case() {
        let mut p = input();
        p.tags = vec![" Summer ".into(), "summer".into(), "cotton".into()];
        assert_eq!(p.normalized_tags(), vec!["Summer".to_owned(), "cotton".to_owned()]);
    }

    #[test]
    fn a_zero_adjustment_or_missing_reason_is_refused() {
        let bad = InventoryAdjustmentInput { delta: 0, reason: "".into() };
        let errors = bad.validate().unwrap_err();
        assert!(errors.contains_key("delta") && errors.contains_key("reason"));
    }
}
