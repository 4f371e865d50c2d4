//! The product editor's form as plain data: filled from a [`SellerProduct`], turned into the
//! [`ProductInput`] the API takes, and told which error paths it shows next to an input.
//!
//! Nothing here touches the page, so all of it is unit-tested; the editor's signals only mirror it.

use crate::money::{parse_rupees, parse_units, rupees_text};
use std::collections::BTreeSet;
use zelly_edge::Currency;
use zelly_edge::catalog::{
    MAX_OPTIONS, ProductImage, ProductInput, ProductStatus, SellerProduct, SellerVariant,
    VariantInput,
};
use zelly_ui_kit::forms::{FieldErrors, list_errors};

/// One row of the variants table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VariantForm {
    /// The variant as last saved; `None` for a row added since.
    pub existing: Option<SellerVariant>,
    /// SKU.
    pub sku: String,
    /// One value per option slot of the form (blank when unused).
    pub options: Vec<String>,
    /// Price in rupees as typed, e.g. `1299.50`.
    pub price: String,
    /// Compare-at price in rupees as typed; blank for none.
    pub compare_at: String,
    /// Starting stock as typed (new rows only; blank means 0).
    pub stock: String,
    /// Whether stock is tracked.
    pub track_inventory: bool,
}

impl VariantForm {
    /// An empty new row with `slots` option values.
    pub fn blank(slots: usize) -> Self {
        Self {
            options: vec![String::new(); slots],
            track_inventory: true,
            ..Self::default()
        }
    }
}

/// The whole editor's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductForm {
    /// URL segment.
    pub handle: String,
    /// Name.
    pub title: String,
    /// Description.
    pub description: String,
    /// Draft, active or archived.
    pub status: ProductStatus,
    /// Option names, one per slot (at most [`MAX_OPTIONS`]); trailing unused slots are dropped on
    /// save.
    pub option_names: Vec<String>,
    /// Variant rows.
    pub variants: Vec<VariantForm>,
    /// Images in order.
    pub images: Vec<ProductImage>,
    /// Tags as typed, comma-separated.
    pub tags: String,
    /// SEO title; blank for none.
    pub seo_title: String,
    /// SEO description; blank for none.
    pub seo_description: String,
    /// The version being edited; `None` while creating.
    pub version: Option<i64>,
}

impl ProductForm {
    /// A new product: a draft with one option slot (e.g. "Size") and one variant.
    pub fn blank() -> Self {
        Self {
            handle: String::new(),
            title: String::new(),
            description: String::new(),
            status: ProductStatus::Draft,
            option_names: vec![String::new()],
            variants: vec![VariantForm::blank(1)],
            images: vec![],
            tags: String::new(),
            seo_title: String::new(),
            seo_description: String::new(),
            version: None,
        }
    }

    /// The form of a saved product.
    pub fn from_product(product: &SellerProduct) -> Self {
        let slots = product.option_names.len().min(MAX_OPTIONS);
        Self {
            handle: product.handle.to_string(),
            title: product.title.clone(),
            description: product.description.clone(),
            status: product.status,
            option_names: product.option_names.iter().take(slots).cloned().collect(),
            variants: product
                .variants
                .iter()
                .map(|variant| {
                    let mut options: Vec<String> =
                        variant.options.iter().take(slots).cloned().collect();
                    options.resize(slots, String::new());
                    VariantForm {
                        existing: Some(variant.clone()),
                        sku: variant.sku.clone(),
                        options,
                        price: rupees_text(variant.price.amount_minor),
                        compare_at: variant
                            .compare_at_price
                            .map(|m| rupees_text(m.amount_minor))
                            .unwrap_or_default(),
                        stock: variant.inventory_quantity.to_string(),
                        track_inventory: variant.track_inventory,
                    }
                })
                .collect(),
            images: product.images.clone(),
            tags: product.tags.join(", "),
            seo_title: product.seo_title.clone().unwrap_or_default(),
            seo_description: product.seo_description.clone().unwrap_or_default(),
            version: Some(product.version),
        }
    }

    /// How many option slots are sent: up to the last one with a name or any value.
    pub fn used_options(&self) -> usize {
        (0..self.option_names.len())
            .rev()
            .find(|&j| {
                !self.option_names[j].trim().is_empty()
                    || self
                        .variants
                        .iter()
                        .any(|v| v.options.get(j).is_some_and(|o| !o.trim().is_empty()))
            })
            .map_or(0, |j| j + 1)
    }

    /// The body to send, or the errors of what could not be read (prices, stock) keyed by the paths
    /// the API would use.
    pub fn to_input(&self) -> Result<ProductInput, FieldErrors> {
        let mut errors = FieldErrors::new();
        let used = self.used_options();
        let mut variants = Vec::with_capacity(self.variants.len());
        for (i, row) in self.variants.iter().enumerate() {
            let price = parse_rupees(&row.price)
                .map_err(|message| errors.insert(format!("variants[{i}].price_minor"), message))
                .unwrap_or_default();
            let compare_at_price_minor = match row.compare_at.trim() {
                "" => None,
                text => parse_rupees(text)
                    .map_err(|message| {
                        errors.insert(format!("variants[{i}].compare_at_price_minor"), message)
                    })
                    .ok(),
            };
            let inventory_quantity = match (&row.existing, row.stock.trim()) {
                (Some(existing), _) => existing.inventory_quantity,
                (None, "") => 0,
                (None, text) => parse_units(text, false)
                    .map_err(|message| {
                        errors.insert(format!("variants[{i}].inventory_quantity"), message)
                    })
                    .unwrap_or_default(),
            };
            let mut options: Vec<String> = row
                .options
                .iter()
                .take(used)
                .map(|o| o.trim().to_owned())
                .collect();
            options.resize(used, String::new());
            variants.push(VariantInput {
                id: row.existing.as_ref().map(|v| v.id),
                sku: row.sku.trim().to_owned(),
                options,
                price_minor: price,
                compare_at_price_minor,
                currency: row
                    .existing
                    .as_ref()
                    .map_or(Currency::INR, |v| v.price.currency),
                inventory_quantity,
                track_inventory: row.track_inventory,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(ProductInput {
            handle: self.handle.trim().to_owned(),
            title: self.title.trim().to_owned(),
            description: self.description.clone(),
            status: self.status,
            option_names: self
                .option_names
                .iter()
                .take(used)
                .map(|n| n.trim().to_owned())
                .collect(),
            images: self
                .images
                .iter()
                .map(|image| ProductImage {
                    url: image.url.trim().to_owned(),
                    alt: image.alt.trim().to_owned(),
                })
                .collect(),
            tags: split_tags(&self.tags),
            seo_title: optional(&self.seo_title),
            seo_description: optional(&self.seo_description),
            variants,
            version: self.version,
        })
    }

    /// Whether the editor shows the error of `path` next to an input (else the banner lists it).
    pub fn shows_inline(&self, path: &str) -> bool {
        const TOP: [&str; 10] = [
            "handle",
            "title",
            "description",
            "status",
            "option_names",
            "variants",
            "images",
            "tags",
            "seo_title",
            "seo_description",
        ];
        if TOP.contains(&path) {
            return true;
        }
        let single = FieldErrors::from([(path.to_owned(), String::new())]);
        if !list_errors(&single, "tags").is_empty() {
            return true;
        }
        self.inline_paths().contains(path)
    }

    /// The indexed paths with an inline place in the form as it is now.
    fn inline_paths(&self) -> BTreeSet<String> {
        let slots = self.option_names.len();
        let mut paths = BTreeSet::new();
        for j in 0..slots {
            paths.insert(format!("option_names[{j}]"));
        }
        for i in 0..self.variants.len() {
            for field in [
                "sku",
                "options",
                "price_minor",
                "compare_at_price_minor",
                "inventory_quantity",
            ] {
                paths.insert(format!("variants[{i}].{field}"));
            }
            for j in 0..slots {
                paths.insert(format!("variants[{i}].options[{j}]"));
            }
        }
        for i in 0..self.images.len() {
            paths.insert(format!("images[{i}].url"));
            paths.insert(format!("images[{i}].alt"));
        }
        paths
    }

    /// The errors the banner must list because no input shows them.
    pub fn unplaced_errors(&self, errors: &FieldErrors) -> Vec<(String, String)> {
        errors
            .iter()
            .filter(|(path, _)| !self.shows_inline(path))
            .map(|(path, message)| (path.clone(), message.clone()))
            .collect()
    }
}

/// Whether `a` and `b` differ only in what a stock adjustment changes (stock, version, update
/// time): then the editor can take `b`'s version without hiding anyone's edit.
pub fn same_content(a: &SellerProduct, b: &SellerProduct) -> bool {
    let strip = |p: &SellerProduct| {
        let mut p = p.clone();
        p.version = 0;
        p.updated_at_ms = 0;
        for variant in &mut p.variants {
            variant.inventory_quantity = 0;
        }
        p
    };
    strip(a) == strip(b)
}

/// Comma-separated tags: trimmed, blanks left out (the API removes duplicates).
pub fn split_tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Moves the entry at `index` one place up (`up`) or down; out-of-range moves do nothing.
pub fn move_entry<T>(list: &mut [T], index: usize, up: bool) {
    let other = if up {
        index.checked_sub(1)
    } else {
        index.checked_add(1)
    };
    if let Some(other) = other.filter(|&o| o < list.len() && index < list.len()) {
        list.swap(index, other);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_sizes() -> ProductForm {
        let mut form = ProductForm::blank();
        form.handle = " e2e-lamp ".into();
        form.title = " E2E Lamp ".into();
        form.status = ProductStatus::Active;
        form.option_names = vec!["Size".into(), String::new(), String::new()];
        form.variants = vec![
            VariantForm {
                sku: "LAMP-S".into(),
                options: vec!["S".into(), String::new(), String::new()],
                price: "1299.50".into(),
                stock: "4".into(),
                ..VariantForm::blank(3)
            },
            VariantForm {
                sku: "LAMP-M".into(),
                options: vec!["M".into(), String::new(), String::new()],
                price: "1,499".into(),
                compare_at: "1999.99".into(),
                ..VariantForm::blank(3)
            },
        ];
        form.tags = "lamp, , brass ,lamp".into();
        form
    }

    #[test]
    fn a_new_product_becomes_an_input_with_exact_paise() {
        let input = two_sizes().to_input().unwrap();
        assert_eq!(input.handle, "e2e-lamp");
        assert_eq!(input.title, "E2E Lamp");
        assert_eq!(input.status, ProductStatus::Active);
        // Unused trailing option slots are not sent.
        assert_eq!(input.option_names, vec!["Size".to_owned()]);
        assert_eq!(input.variants[0].options, vec!["S".to_owned()]);
        assert_eq!(input.variants[0].price_minor, 129_950);
        assert_eq!(input.variants[0].inventory_quantity, 4);
        assert_eq!(input.variants[1].price_minor, 149_900);
        assert_eq!(input.variants[1].compare_at_price_minor, Some(199_999));
        assert_eq!(input.variants[1].inventory_quantity, 0);
        assert_eq!(input.variants[0].id, None);
        assert_eq!(input.tags, vec!["lamp", "brass", "lamp"]);
        assert_eq!(input.seo_title, None);
        assert_eq!(input.version, None);
        assert_eq!(input.validate(), Ok(()));
    }

    #[test]
    fn a_product_without_options_sends_none() {
        let mut form = ProductForm::blank();
        form.variants[0].price = "10".into();
        let input = form.to_input().unwrap();
        assert!(input.option_names.is_empty());
        assert!(input.variants[0].options.is_empty());
    }

    #[test]
    fn a_blank_option_name_with_values_is_still_sent_for_the_api_to_refuse() {
        let mut form = two_sizes();
        form.option_names[0] = String::new();
        assert_eq!(form.used_options(), 1);
        assert_eq!(form.to_input().unwrap().option_names, vec![String::new()]);
    }

    #[test]
    fn unreadable_prices_and_stock_are_reported_at_the_apis_paths() {
        let mut form = two_sizes();
        form.variants[0].price = "12.345".into();
        form.variants[1].compare_at = "abc".into();
        form.variants[1].stock = "-1".into();
        let errors = form.to_input().unwrap_err();
        assert_eq!(
            errors.keys().cloned().collect::<Vec<_>>(),
            vec![
                "variants[0].price_minor",
                "variants[1].compare_at_price_minor",
                "variants[1].inventory_quantity"
            ]
        );
    }

    #[test]
    fn api_error_paths_are_shown_inline_or_in_the_banner() {
        let mut form = two_sizes();
        form.images = vec![ProductImage {
            url: "x".into(),
            alt: String::new(),
        }];
        for path in [
            "title",
            "handle",
            "variants[1].sku",
            "variants[0].options[1]",
            "variants[1].options",
            "images[0].url",
            "tags[3]",
            "tags",
            "option_names[0]",
            "option_names",
            "variants",
            "variants[1].price_minor",
        ] {
            assert!(form.shows_inline(path), "{path} should be inline");
        }
        for path in [
            "images[2].url",
            "variants[2].sku",
            "variants[0].currency",
            "version",
            "option_names[3]",
        ] {
            assert!(!form.shows_inline(path), "{path} should be in the banner");
        }
        let errors = FieldErrors::from([
            ("title".to_owned(), "must be 1-200 characters".to_owned()),
            ("version".to_owned(), "is required".to_owned()),
        ]);
        assert_eq!(
            form.unplaced_errors(&errors),
            vec![("version".to_owned(), "is required".to_owned())]
        );
    }

    #[test]
    fn entries_move_up_and_down_within_bounds() {
        let mut list = vec![1, 2, 3];
        move_entry(&mut list, 0, true);
        assert_eq!(list, [1, 2, 3]);
        move_entry(&mut list, 0, false);
        assert_eq!(list, [2, 1, 3]);
        move_entry(&mut list, 2, false);
        assert_eq!(list, [2, 1, 3]);
        move_entry(&mut list, 2, true);
        assert_eq!(list, [2, 3, 1]);
        move_entry(&mut list, 7, true);
        assert_eq!(list, [2, 3, 1]);
    }

    fn product() -> SellerProduct {
        SellerProduct {
            id: Default::default(),
            handle: zelly_edge::Handle::parse("lamp").unwrap(),
            title: "Lamp".into(),
            description: String::new(),
            status: ProductStatus::Active,
            option_names: vec!["Size".into()],
            images: vec![],
            tags: vec!["brass".into()],
            seo_title: None,
            seo_description: None,
            variants: vec![SellerVariant {
                id: Default::default(),
                sku: "LAMP-S".into(),
                options: vec!["S".into()],
                price: zelly_edge::Money::new(129_950, Currency::INR),
                compare_at_price: None,
                inventory_quantity: 3,
                track_inventory: true,
            }],
            version: 4,
            updated_at_ms: 1,
            shopify_id: None,
        }
    }

    #[test]
    fn a_saved_product_fills_the_form_and_round_trips() {
        let product = product();
        let form = ProductForm::from_product(&product);
        assert_eq!(form.variants[0].price, "1299.50");
        assert_eq!(form.tags, "brass");
        assert_eq!(form.version, Some(4));
        let input = form.to_input().unwrap();
        assert_eq!(input.variants[0].id, Some(product.variants[0].id));
        assert_eq!(input.variants[0].price_minor, 129_950);
        assert_eq!(input.variants[0].inventory_quantity, 3);
        assert_eq!(input.version, Some(4));
        assert_eq!(input.option_names, vec!["Size".to_owned()]);
    }

    #[test]
    fn only_stock_and_version_changes_count_as_the_same_content() {
        let before = product();
        let mut after = product();
        after.version = 5;
        after.updated_at_ms = 2;
        after.variants[0].inventory_quantity = 13;
        assert!(same_content(&before, &after));
        after.title = "Brass lamp".into();
        assert!(!same_content(&before, &after));
    }

    #[test]
    fn tags_split_on_commas() {
        assert_eq!(split_tags(" a, b ,,c "), vec!["a", "b", "c"]);
        assert!(split_tags("  ").is_empty());
    }
}
