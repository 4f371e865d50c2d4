//! Shopify products as Zelly products: read from a webhook's REST payload or an Admin GraphQL
//! node into one shape, then mapped onto a [`ProductInput`] that passes Zelly's rules, or a
//! reason in a merchant's words why it cannot be imported.

use serde_json::Value;
use zelly_edge::catalog::{ProductImage, ProductInput, ProductStatus, VariantInput};
use zelly_edge::limits::{MAX_AMOUNT_MINOR, MAX_STOCK_UNITS};
use zelly_edge::Currency;
use zelly_store::shopify_catalog::SkippedProduct;
use zelly_store::{ShopifyProductWrite, ShopifyVariantRef};

/// A Shopify product, whichever API it came from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShopifyProduct {
    /// `gid://shopify/Product/…`
    pub gid: String,
    /// Its title.
    pub title: String,
    /// Its handle.
    pub handle: String,
    /// Its description as plain text.
    pub description: String,
    /// `active`, `draft`, `archived` (any case).
    pub status: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its option names, in order.
    pub option_names: Vec<String>,
    /// Image URLs with alt text.
    pub images: Vec<(String, String)>,
    /// SEO title and description.
    pub seo: (Option<String>, Option<String>),
    /// When it last changed in Shopify (ms), if said.
    pub updated_at_ms: Option<i64>,
    /// Its variants.
    pub variants: Vec<ShopifyVariant>,
}

/// A Shopify variant.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ShopifyVariant {
    /// `gid://shopify/ProductVariant/…`
    pub gid: String,
    /// Its SKU (may be empty).
    pub sku: String,
    /// Price as Shopify writes it (`"19.99"`).
    pub price: String,
    /// Crossed-out price, if any.
    pub compare_at_price: Option<String>,
    /// Option values, in the product's option order.
    pub options: Vec<String>,
    /// Stock over all locations.
    pub quantity: i64,
    /// Whether Shopify tracks its stock.
    pub tracked: bool,
    /// `gid://shopify/InventoryItem/…`
    pub inventory_item: Option<String>,
}

/// Milliseconds since the epoch of an RFC 3339 time.
pub fn rfc3339_ms(text: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(text.trim()).ok().map(|t| t.timestamp_millis())
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn opt_text(v: &Value) -> Option<String> {
    Some(text(v)).filter(|s| !s.trim().is_empty())
}

/// The GID of a REST payload's object: its `admin_graphql_api_id`, else built from its `id`.
pub fn rest_gid(object: &Value, kind: &str) -> Option<String> {
    opt_text(&object["admin_graphql_api_id"]).or_else(|| opt_text(&object["id"]).map(|id| format!("gid://shopify/{kind}/{id}")))
}

impl ShopifyProduct {
    /// From a `products/create` or `products/update` webhook body.
    pub fn from_rest(p: &Value) -> Option<Self> {
        let gid = rest_gid(p, "Product")?;
        let option_names: Vec<String> =
            p["options"].as_array().into_iter().flatten().map(|o| text(&o["name"])).collect();
        let variants = p["variants"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| {
                Some(ShopifyVariant {
                    gid: rest_gid(v, "ProductVariant")?,
                    sku: text(&v["sku"]),
                    price: text(&v["price"]),
                    compare_at_price: opt_text(&v["compare_at_price"]),
                    options: ["option1", "option2", "option3"].iter().filter_map(|k| opt_text(&v[*k])).collect(),
                    quantity: v["inventory_quantity"].as_i64().unwrap_or(0),
                    tracked: v["inventory_management"].as_str() == Some("shopify"),
                    inventory_item: opt_text(&v["inventory_item_id"]).map(|id| format!("gid://shopify/InventoryItem/{id}")),
                })
            })
            .collect();
        Some(Self {
            gid,
            title: text(&p["title"]),
            handle: text(&p["handle"]),
            description: html_to_text(&text(&p["body_html"])),
            status: text(&p["status"]),
            tags: text(&p["tags"]).split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
            option_names,
            images: p["images"].as_array().into_iter().flatten().map(|i| (text(&i["src"]), text(&i["alt"]))).collect(),
            seo: (None, None),
            updated_at_ms: p["updated_at"].as_str().and_then(rfc3339_ms),
            variants,
        })
    }

    /// From a node of the Admin GraphQL `products` connection (see [`PRODUCT_FIELDS`]).
    pub fn from_graphql(p: &Value) -> Option<Self> {
        let option_names: Vec<String> = p["options"].as_array().into_iter().flatten().map(|o| text(&o["name"])).collect();
        let variants = p["variants"]["nodes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| {
                let selected = v["selectedOptions"].as_array().cloned().unwrap_or_default();
                let options = option_names
                    .iter()
                    .filter_map(|name| selected.iter().find(|s| s["name"].as_str() == Some(name)).map(|s| text(&s["value"])))
                    .collect();
                Some(ShopifyVariant {
                    gid: opt_text(&v["id"])?,
                    sku: text(&v["sku"]),
                    price: text(&v["price"]),
                    compare_at_price: opt_text(&v["compareAtPrice"]),
                    options,
                    quantity: v["inventoryQuantity"].as_i64().unwrap_or(0),
                    tracked: v["inventoryItem"]["tracked"].as_bool().unwrap_or(true),
                    inventory_item: opt_text(&v["inventoryItem"]["id"]),
                })
            })
            .collect();
        Some(Self {
            gid: opt_text(&p["id"])?,
            title: text(&p["title"]),
            handle: text(&p["handle"]),
            description: text(&p["description"]),
            status: text(&p["status"]),
            tags: p["tags"].as_array().into_iter().flatten().map(text).collect(),
            option_names,
            images: p["images"]["nodes"].as_array().into_iter().flatten().map(|i| (text(&i["url"]), text(&i["altText"]))).collect(),
            seo: (opt_text(&p["seo"]["title"]), opt_text(&p["seo"]["description"])),
            updated_at_ms: p["updatedAt"].as_str().and_then(rfc3339_ms),
            variants,
        })
    }

    /// The Zelly product this becomes, as of `updated_at_ms`; or why it cannot be imported.
    pub fn to_write(&self, updated_at_ms: i64) -> Result<ShopifyProductWrite, SkippedProduct> {
        let skip = |reason: String| SkippedProduct { shopify_id: self.gid.clone(), title: self.title.clone(), reason };
        if self.variants.is_empty() {
            return Err(skip("it has no variants".into()));
        }
        // A product without options has Shopify's one "Title: Default Title" option.
        let plain = self.option_names.len() <= 1
            && self.variants.len() == 1
            && self.variants[0].options.iter().all(|o| o == "Default Title");
        let option_names = if plain { Vec::new() } else { self.option_names.clone() };
        let mut variants = Vec::with_capacity(self.variants.len());
        let mut refs = Vec::with_capacity(self.variants.len());
        for (i, v) in self.variants.iter().enumerate() {
            let price_minor = minor_units(&v.price).ok_or_else(|| skip(format!("variant {} has the price {:?}", i + 1, v.price)))?;
            let fallback_sku = format!("shopify-{}", zelly_store::shopify_catalog::gid_tail(&v.gid));
            let sku = v.sku.trim();
            let own_sku_fits = !sku.is_empty()
                && sku.len() <= 64
                && !sku.chars().any(char::is_whitespace)
                && !self.variants[..i].iter().any(|o| o.sku.trim() == sku);
            variants.push(VariantInput {
                id: None,
                sku: if own_sku_fits { sku.to_owned() } else { fallback_sku.clone() },
                options: if plain { Vec::new() } else { v.options.clone() },
                price_minor,
                compare_at_price_minor: v.compare_at_price.as_deref().and_then(minor_units).filter(|c| *c > price_minor),
                currency: Currency::INR,
                inventory_quantity: v.quantity.clamp(0, MAX_STOCK_UNITS),
                track_inventory: v.tracked,
            });
            refs.push(ShopifyVariantRef { shopify_id: v.gid.clone(), inventory_item_id: v.inventory_item.clone(), fallback_sku });
        }
        let status = match self.status.to_ascii_lowercase().as_str() {
            "active" => ProductStatus::Active,
            "archived" => ProductStatus::Archived,
            _ => ProductStatus::Draft,
        };
        let input = ProductInput {
            handle: handle_from(&self.handle, &self.gid),
            title: cut(self.title.trim(), 200),
            description: cut(&self.description, 20_000),
            status,
            option_names,
            images: self
                .images
                .iter()
                .filter(|(url, _)| url.starts_with("https://") || url.starts_with("http://"))
                .take(20)
                .map(|(url, alt)| ProductImage { url: url.clone(), alt: cut(alt, 500) })
                .collect(),
            tags: {
                let mut tags: Vec<String> = Vec::new();
                for tag in self.tags.iter().map(|t| cut(t.trim(), 40)).filter(|t| !t.is_empty()) {
                    if !tags.iter().any(|t| t.eq_ignore_ascii_case(&tag)) && tags.len() < 50 {
                        tags.push(tag);
                    }
                }
                tags
            },
            seo_title: self.seo.0.as_deref().map(|t| cut(t, 70)),
            seo_description: self.seo.1.as_deref().map(|t| cut(t, 320)),
            variants,
            version: None,
        };
        if let Err(fields) = input.validate() {
            let why = fields.iter().map(|(field, message)| format!("{field} {message}")).collect::<Vec<_>>().join("; ");
            return Err(skip(why));
        }
        Ok(ShopifyProductWrite { shopify_id: self.gid.clone(), updated_at_ms, input, variants: refs })
    }
}

/// `"19.99"` → 1999 (two decimal places, as every currency Zelly sells in has).
pub fn minor_units(price: &str) -> Option<i64> {
    let price = price.trim();
    let (whole, fraction) = price.split_once('.').unwrap_or((price, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if fraction.len() > 2 && fraction[2..].bytes().any(|b| b != b'0') {
        return None;
    }
    let cents = format!("{:0<2}", &fraction[..fraction.len().min(2)]);
    let minor = whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents.parse::<i64>().ok()?)?;
    (minor <= MAX_AMOUNT_MINOR).then_some(minor)
}

fn cut(text: &str, chars: usize) -> String {
    text.chars().take(chars).collect()
}

/// A Zelly handle from Shopify's: lower case, runs of anything but letters and digits become one
/// hyphen; `product-{id}` when nothing is left.
pub fn handle_from(handle: &str, gid: &str) -> String {
    let mut out = String::new();
    for c in handle.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.chars().take(100).collect();
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        format!("product-{}", zelly_store::shopify_catalog::gid_tail(gid).to_ascii_lowercase())
    } else {
        out.to_owned()
    }
}

/// Plain text of a Shopify description: tags dropped (block ends become line breaks), the usual
/// entities decoded.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim_start_matches('/').to_ascii_lowercase();
        let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
        if matches!(name, "br" | "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "tr") && !out.ends_with('\n') && !out.is_empty() {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.trim().to_owned()
}

/// The variant fields the sync reads (a macro, so that it can be part of other literals).
macro_rules! variant_fields {
    () => {
        "id sku price compareAtPrice inventoryQuantity selectedOptions { name value } inventoryItem { id tracked }"
    };
}

/// The rest of a product's variants, after `$after` (a product has at most 100 in Zelly).
pub const MORE_VARIANTS: &str = concat!(
    "query variants($id: ID!, $after: String) { product(id: $id) { variants(first: 100, after: $after) { ",
    "pageInfo { hasNextPage endCursor } nodes { ",
    variant_fields!(),
    " } } } }"
);

/// The product fields the sync reads, as a GraphQL selection (what [`ShopifyProduct::from_graphql`]
/// understands). Shopify prices a query at 2 + first × (what each node asks for) and refuses one
/// over 1,000 points: with 20 variants and 5 images a product costs about 52, so a page of
/// [`crate::shopify_jobs::PAGE_SIZE`] fits, and a product with more variants has the rest read
/// on its own.
pub const PRODUCT_FIELDS: &str = concat!(
    "id title handle description status tags updatedAt seo { title description } options { name } ",
    "images(first: 5) { nodes { url altText } } ",
    "variants(first: 20) { pageInfo { hasNextPage endCursor } nodes { ",
    variant_fields!(),
    " } }"
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn prices_become_minor_units_or_nothing() {
        assert_eq!(minor_units("19.99"), Some(1999));
        assert_eq!(minor_units("20"), Some(2000));
        assert_eq!(minor_units("19.9"), Some(1990));
        assert_eq!(minor_units("19.990"), Some(1999));
        for bad in ["", "-1.00", "1.999", "abc", "1e5", "99999999999999999999"] {
            assert_eq!(minor_units(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn handles_and_descriptions_are_made_to_fit() {
        assert_eq!(handle_from("Green Tea (500 g)", "gid://shopify/Product/1"), "green-tea-500-g");
        assert_eq!(handle_from("चाय", "gid://shopify/Product/12"), "product-12");
        assert_eq!(html_to_text("<p>Fresh &amp; <b>green</b></p><p>Loose leaf</p>"), "Fresh & green\nLoose leaf");
    }

    #[test]
    fn a_rest_payload_maps_like_a_graphql_node() {
        let rest = json!({
            "id": 7, "title": "Tea", "handle": "tea", "body_html": "<p>Good</p>", "status": "active", "tags": "green, loose",
            "updated_at": "2026-01-02T03:04:05Z",
            "options": [{ "name": "Size" }],
            "images": [{ "src": "https://cdn.example/t.jpg", "alt": "Tea" }],
            "variants": [
                { "id": 71, "sku": "T-S", "price": "10.00", "compare_at_price": "12.00", "option1": "S", "inventory_quantity": 3, "inventory_management": "shopify", "inventory_item_id": 710 },
                { "id": 72, "sku": "T-S", "price": "11.50", "option1": "M", "inventory_quantity": -2, "inventory_management": null, "inventory_item_id": 720 }
            ]
        });
        let graphql = json!({
            "id": "gid://shopify/Product/7", "title": "Tea", "handle": "tea", "description": "Good", "status": "ACTIVE", "tags": ["green", "loose"],
            "updatedAt": "2026-01-02T03:04:05Z", "seo": { "title": null, "description": null }, "options": [{ "name": "Size" }],
            "images": { "nodes": [{ "url": "https://cdn.example/t.jpg", "altText": "Tea" }] },
            "variants": { "nodes": [
                { "id": "gid://shopify/ProductVariant/71", "sku": "T-S", "price": "10.00", "compareAtPrice": "12.00", "inventoryQuantity": 3,
                  "selectedOptions": [{ "name": "Size", "value": "S" }], "inventoryItem": { "id": "gid://shopify/InventoryItem/710", "tracked": true } },
                { "id": "gid://shopify/ProductVariant/72", "sku": "T-S", "price": "11.50", "compareAtPrice": null, "inventoryQuantity": -2,
                  "selectedOptions": [{ "name": "Size", "value": "M" }], "inventoryItem": { "id": "gid://shopify/InventoryItem/720", "tracked": false } }
            ] }
        });
        let (a, b) = (ShopifyProduct::from_rest(&rest).unwrap(), ShopifyProduct::from_graphql(&graphql).unwrap());
        assert_eq!(a.updated_at_ms, Some(1_767_323_045_000));
        let (wa, wb) = (a.to_write(1).unwrap(), b.to_write(1).unwrap());
        assert_eq!(wa.input, wb.input);
        assert_eq!(wa.variants, wb.variants);
        let v = &wa.input.variants;
        assert_eq!((v[0].sku.as_str(), v[0].price_minor, v[0].compare_at_price_minor), ("T-S", 1000, Some(1200)));
        assert_eq!((v[1].sku.as_str(), v[1].inventory_quantity, v[1].track_inventory), ("shopify-72", 0, false), "a repeated SKU gives way");
        assert_eq!(wa.input.status, ProductStatus::Active);
        assert_eq!(wa.input.tags, vec!["green", "loose"]);
    }

    #[test]
    fn a_product_without_options_or_variants() {
        let plain = ShopifyProduct {
            gid: "gid://shopify/Product/1".into(),
            title: "Mug".into(),
            handle: "mug".into(),
            option_names: vec!["Title".into()],
            variants: vec![ShopifyVariant { gid: "gid://shopify/ProductVariant/1".into(), price: "5".into(), options: vec!["Default Title".into()], ..Default::default() }],
            ..Default::default()
        };
        let w = plain.to_write(1).unwrap();
        assert!(w.input.option_names.is_empty() && w.input.variants[0].options.is_empty());
        assert_eq!(w.input.status, ProductStatus::Draft);
        let none = ShopifyProduct { variants: Vec::new(), ..plain.clone() };
        assert_eq!(none.to_write(1).unwrap_err().reason, "it has no variants");
        let untitled = ShopifyProduct { title: " ".into(), ..plain };
        assert!(untitled.to_write(1).unwrap_err().reason.starts_with("title"));
    }
}
