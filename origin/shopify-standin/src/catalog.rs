//! The stand-in's shops: products with variants, images and inventory, answered through the
//! Admin GraphQL subset Zelly uses, under a cost-based throttle like Shopify's, and changed
//! through `/__standin/…` routes that deliver the webhooks Shopify would, signed like Shopify's.
//!
//! The throttle is a leaky bucket per shop: a query may start only when its *requested* cost is
//! available (else the answer is `THROTTLED`), its *actual* cost is then taken, and the bucket
//! refills at `restore_rate` points a second. A query whose requested cost is over
//! [`MAX_QUERY_COST`] is refused, as Shopify refuses it.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Instant;

/// The most a single query may request.
pub const MAX_QUERY_COST: f64 = 1000.0;

/// A product of a stand-in shop.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// Its numeric id.
    pub id: u64,
    /// Title.
    pub title: String,
    /// Handle.
    pub handle: String,
    /// Description as HTML.
    pub body_html: String,
    /// `active`, `draft` or `archived`.
    pub status: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Option names.
    pub options: Vec<String>,
    /// Image URLs.
    pub images: Vec<String>,
    /// Variants.
    pub variants: Vec<Variant>,
    /// Last change, RFC 3339 with milliseconds.
    pub updated_at: String,
}

/// A variant of a stand-in product.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Its numeric id; its inventory item is `id + 1_000_000_000`.
    pub id: u64,
    /// SKU.
    pub sku: String,
    /// Price, `"19.99"`.
    pub price: String,
    /// Option values.
    pub options: Vec<String>,
    /// Stock.
    pub quantity: i64,
}

impl Variant {
    /// Its inventory item's numeric id.
    pub fn inventory_item(&self) -> u64 {
        self.id + 1_000_000_000
    }
}

/// The throttle of one shop.
#[derive(Debug, Clone)]
pub struct Bucket {
    /// Points the bucket holds when full.
    pub maximum: f64,
    /// Points restored a second.
    pub restore_rate: f64,
    available: f64,
    at: Instant,
}

impl Bucket {
    /// A full bucket.
    pub fn new(maximum: f64, restore_rate: f64) -> Self {
        Self { maximum, restore_rate, available: maximum, at: Instant::now() }
    }

    /// Empties the bucket (as another app of the shop spending it would).
    pub fn drain(&mut self) {
        self.available = 0.0;
        self.at = Instant::now();
    }

    fn refill(&mut self) {
        let now = Instant::now();
        self.available = (self.available + now.duration_since(self.at).as_secs_f64() * self.restore_rate).min(self.maximum);
        self.at = now;
    }

    fn status(&self) -> Value {
        json!({ "maximumAvailable": self.maximum, "currentlyAvailable": self.available.floor(), "restoreRate": self.restore_rate })
    }
}

/// One shop's data.
#[derive(Debug, Clone)]
pub struct Shop {
    /// Its name.
    pub name: String,
    /// Products by id.
    pub products: BTreeMap<u64, Product>,
    /// The throttle.
    pub bucket: Bucket,
    /// How many queries were answered `THROTTLED`.
    pub throttled: u64,
    /// Inventory adjustments applied, by idempotency key.
    pub adjustments: BTreeMap<String, Value>,
    /// Where sample products' images are (the stand-in's own `/cdn/standin` in dev).
    pub image_base: String,
    next_id: u64,
}

impl Default for Shop {
    fn default() -> Self {
        Self {
            name: "Stand-in shop".into(),
            products: BTreeMap::new(),
            bucket: Bucket::new(1000.0, 100.0),
            throttled: 0,
            adjustments: BTreeMap::new(),
            image_base: "https://cdn.shopify.example/standin".into(),
            next_id: 1000,
        }
    }
}

/// A sample product's picture: a square in a colour of its own, with its number.
pub fn sample_image(n: u64) -> String {
    let hue = (n * 47) % 360;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"600\" viewBox=\"0 0 600 600\">\
         <rect width=\"600\" height=\"600\" fill=\"hsl({hue},55%,80%)\"/>\
         <text x=\"300\" y=\"330\" font-family=\"sans-serif\" font-size=\"96\" text-anchor=\"middle\" fill=\"hsl({hue},55%,25%)\">#{n}</text></svg>"
    )
}

/// A shop's name from its domain: `tea-house.myshopify.com` → "Tea House".
pub fn name_of(shop: &str) -> String {
    let words: Vec<String> = shop
        .split('.')
        .next()
        .unwrap_or(shop)
        .split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    if words.is_empty() { "Stand-in shop".to_owned() } else { words.join(" ") }
}

/// Now as Shopify writes it (RFC 3339, milliseconds, UTC).
pub fn now_rfc3339() -> String {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
    let secs = i64::try_from(ms / 1000).unwrap_or_default();
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem % 3600 / 60, rem % 60, ms % 1000)
}

impl Shop {
    /// Adds a product made from `n`: two sizes, one image, stock 5 each (so a catalog of any
    /// size can be seeded).
    pub fn add_sample(&mut self, n: u64) -> u64 {
        let id = self.next_id();
        let variants = ["Small", "Large"]
            .iter()
            .enumerate()
            .map(|(i, size)| Variant {
                id: id * 10 + i as u64,
                sku: format!("STANDIN-{n}-{}", &size[..1]),
                price: format!("{}.{:02}", 199 + n % 500 + i as u64 * 50, n % 100),
                options: vec![(*size).to_owned()],
                quantity: 5,
            })
            .collect();
        self.products.insert(
            id,
            Product {
                id,
                title: format!("Stand-in product {n}"),
                handle: format!("standin-product-{n}"),
                body_html: format!("<p>Product <b>{n}</b> of the stand-in shop.</p>"),
                status: "active".into(),
                tags: vec!["standin".into(), format!("batch-{}", n / 100)],
                options: vec!["Size".into()],
                images: vec![format!("{}/{n}.svg", self.image_base)],
                variants,
                updated_at: now_rfc3339(),
            },
        );
        id
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A variant by its inventory item.
    pub fn variant_of_item(&mut self, item: u64) -> Option<&mut Variant> {
        self.products.values_mut().flat_map(|p| p.variants.iter_mut()).find(|v| v.inventory_item() == item)
    }

    /// Takes `requested` from the bucket, or says how it is throttled.
    fn spend(&mut self, requested: f64, actual: f64) -> Result<Value, Value> {
        self.bucket.refill();
        let cost = |bucket: &Bucket| json!({ "requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": bucket.status() });
        if requested > MAX_QUERY_COST {
            return Err(json!({ "errors": [{ "message": format!("Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).") , "extensions": { "code": "MAX_COST_EXCEEDED" } }], "extensions": { "cost": cost(&self.bucket) } }));
        }
        if requested > self.bucket.available {
            self.throttled += 1;
            return Err(json!({ "errors": [{ "message": "Throttled", "extensions": { "code": "THROTTLED" } }], "extensions": { "cost": cost(&self.bucket) } }));
        }
        self.bucket.available -= actual;
        Ok(cost(&self.bucket))
    }

    /// Answers a GraphQL query the stand-in knows (told apart by its root fields).
    pub fn answer(&mut self, query: &str, variables: &Value) -> Option<Value> {
        if query.contains("products(") {
            let first = variables["first"].as_u64().unwrap_or(10).clamp(1, 250) as usize;
            let after = variables["after"].as_str().and_then(|c| c.strip_prefix("cursor-")).and_then(|c| c.parse::<u64>().ok());
            let page: Vec<&Product> = self.products.values().filter(|p| after.is_none_or(|a| p.id > a)).take(first + 1).collect();
            let more = page.len() > first;
            let page = &page[..page.len().min(first)];
            let nodes: Vec<Value> = page.iter().map(|p| graphql_node(p)).collect();
            let end = page.last().map(|p| format!("cursor-{}", p.id));
            let count = self.products.len();
            // Shopify's rule: a connection costs 2 + first × its node; objects 1, scalars 0.
            let requested = 2.0 + first as f64 * PRODUCT_NODE_COST;
            let actual = 2.0 + page.iter().map(|p| 1.0 + 2.0 + 2.0 * p.variants.len().min(20) as f64 + 2.0 + p.images.len().min(5) as f64 + 2.0).sum::<f64>();
            let mut data = json!({ "products": { "pageInfo": { "hasNextPage": more, "endCursor": end }, "nodes": nodes } });
            if variables["count"].as_bool().unwrap_or(true) {
                data["productsCount"] = json!({ "count": count, "precision": "EXACT" });
            }
            return Some(self.with_cost(data, requested, actual));
        }
        if query.contains("product(id:") {
            let id = variables["id"].as_str().and_then(|g| g.rsplit('/').next()).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
            let after = variables["after"].as_str().and_then(|c| c.strip_prefix("v-")).and_then(|c| c.parse::<usize>().ok()).unwrap_or(0);
            let found = self.products.get(&id).map(|p| json!({ "variants": variant_connection(p, after, 100) }));
            let requested = 3.0 + 100.0 * 2.0;
            return Some(self.with_cost(json!({ "product": found }), requested, requested));
        }
        if query.contains("inventoryItem(") {
            let item = variables["id"].as_str().and_then(|g| g.rsplit('/').next()).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
            let found = self.variant_of_item(item).map(|v| json!({ "id": format!("gid://shopify/InventoryItem/{item}"), "variant": { "inventoryQuantity": v.quantity } }));
            return Some(self.with_cost(json!({ "inventoryItem": found }), 3.0, 3.0));
        }
        if query.contains("inventoryAdjustQuantities") {
            let key = variables["idempotencyKey"].as_str().unwrap_or_default().to_owned();
            if !key.is_empty() && self.adjustments.contains_key(&key) {
                let earlier = self.adjustments[&key].clone();
                return Some(self.with_cost(earlier, 10.0, 10.0));
            }
            for change in variables["input"]["changes"].as_array().into_iter().flatten() {
                let item = change["inventoryItemId"].as_str().and_then(|g| g.rsplit('/').next()).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
                let delta = change["delta"].as_i64().unwrap_or(0);
                if let Some(v) = self.variant_of_item(item) {
                    v.quantity += delta;
                }
            }
            let data = json!({ "inventoryAdjustQuantities": { "inventoryAdjustmentGroup": { "reason": variables["input"]["reason"] }, "userErrors": [] } });
            if !key.is_empty() {
                self.adjustments.insert(key, data.clone());
            }
            return Some(self.with_cost(data, 10.0, 10.0));
        }
        if query.contains("location {") {
            return Some(self.with_cost(json!({ "location": { "id": "gid://shopify/Location/1" } }), 1.0, 1.0));
        }
        if query.contains("shop {") || query.contains("shop{") {
            let data = json!({ "shop": {
                "name": self.name, "email": "owner@standin.example", "contactEmail": "hello@standin.example", "currencyCode": "INR",
                "brand": { "logo": { "image": { "url": "https://cdn.shopify.example/standin/logo.png" } } },
            } });
            return Some(self.with_cost(data, 1.0, 1.0));
        }
        None
    }

    fn with_cost(&mut self, data: Value, requested: f64, actual: f64) -> Value {
        match self.spend(requested, actual) {
            Ok(cost) => json!({ "data": data, "extensions": { "cost": cost } }),
            Err(refused) => refused,
        }
    }
}

/// What one product node of the sync's query requests (Zelly asks for 20 variants and 5 images
/// a product; see core-api's `PRODUCT_FIELDS`): 1 + variants (2 + 20 × 2) + images (2 + 5) + seo
/// 1 + options 1.
pub const PRODUCT_NODE_COST: f64 = 1.0 + 42.0 + 7.0 + 2.0;

/// The text of `html`, tags dropped.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A product as the Admin GraphQL API shows it.
pub fn graphql_node(p: &Product) -> Value {
    json!({
        "id": format!("gid://shopify/Product/{}", p.id),
        "title": p.title,
        "handle": p.handle,
        "description": strip_tags(&p.body_html),
        "status": p.status.to_ascii_uppercase(),
        "tags": p.tags,
        "updatedAt": p.updated_at,
        "seo": { "title": null, "description": null },
        "options": p.options.iter().map(|o| json!({ "name": o })).collect::<Vec<_>>(),
        "images": { "nodes": p.images.iter().take(5).map(|u| json!({ "url": u, "altText": p.title })).collect::<Vec<_>>() },
        "variants": variant_connection(p, 0, 20),
    })
}

/// `first` variants of `p` from index `from`, as a connection whose cursors are `v-{index}`.
fn variant_connection(p: &Product, from: usize, first: usize) -> Value {
    let page: Vec<(usize, &Variant)> = p.variants.iter().enumerate().skip(from).take(first).collect();
    let end = page.last().map(|(i, _)| *i + 1);
    json!({
        "pageInfo": { "hasNextPage": end.is_some_and(|e| e < p.variants.len()), "endCursor": end.map(|e| format!("v-{e}")) },
        "nodes": page.iter().map(|(_, v)| json!({
            "id": format!("gid://shopify/ProductVariant/{}", v.id),
            "sku": v.sku,
            "price": v.price,
            "compareAtPrice": null,
            "inventoryQuantity": v.quantity,
            "selectedOptions": p.options.iter().zip(&v.options).map(|(n, o)| json!({ "name": n, "value": o })).collect::<Vec<_>>(),
            "inventoryItem": { "id": format!("gid://shopify/InventoryItem/{}", v.inventory_item()), "tracked": true },
        })).collect::<Vec<_>>(),
    })
}

/// A product as a `products/*` webhook carries it (the REST shape).
pub fn rest_payload(p: &Product) -> Value {
    json!({
        "id": p.id,
        "admin_graphql_api_id": format!("gid://shopify/Product/{}", p.id),
        "title": p.title,
        "handle": p.handle,
        "body_html": p.body_html,
        "status": p.status,
        "tags": p.tags.join(", "),
        "updated_at": p.updated_at,
        "options": p.options.iter().enumerate().map(|(i, o)| json!({ "name": o, "position": i + 1 })).collect::<Vec<_>>(),
        "images": p.images.iter().map(|u| json!({ "src": u, "alt": p.title })).collect::<Vec<_>>(),
        "variants": p.variants.iter().map(|v| json!({
            "id": v.id,
            "admin_graphql_api_id": format!("gid://shopify/ProductVariant/{}", v.id),
            "sku": v.sku,
            "price": v.price,
            "compare_at_price": null,
            "option1": v.options.first(),
            "option2": v.options.get(1),
            "option3": v.options.get(2),
            "inventory_quantity": v.quantity,
            "inventory_management": "shopify",
            "inventory_item_id": v.inventory_item(),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shop_is_named_after_its_domain() {
        assert_eq!(name_of("tea-house.myshopify.com"), "Tea House");
        assert_eq!(name_of("-.myshopify.com"), "Stand-in shop");
    }

    #[test]
    fn the_bucket_refuses_what_it_cannot_pay_and_refills() {
        let mut shop = Shop { bucket: Bucket::new(100.0, 1_000_000.0), ..Shop::default() };
        assert!(shop.spend(2_000.0, 1.0).is_err(), "over the single-query maximum");
        shop.bucket.drain();
        let refused = shop.spend(50.0, 50.0);
        assert!(refused.is_err() || shop.throttled == 0, "an empty bucket throttles unless it refilled at once");
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(shop.spend(50.0, 50.0).is_ok(), "it refills at its restore rate");
    }
}
