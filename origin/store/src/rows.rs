//! Row shapes shared by both backends and their conversion into the edge DTOs.

use crate::StoreError;
use std::collections::HashMap;
use uuid::Uuid;
use zelly_edge::dto::{Product, Tenant, TenantStatus, Variant, VariantPrice};
use zelly_edge::{Currency, Handle, Money, TenantSlug};

#[derive(sqlx::FromRow)]
pub(crate) struct TenantRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub status: String,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(row: TenantRow) -> Result<Self, StoreError> {
        Ok(Tenant {
            id: row.id,
            slug: TenantSlug::parse(&row.slug).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            name: row.name,
            status: TenantStatus::parse(&row.status)
                .ok_or_else(|| StoreError::Corrupt(format!("tenant status {:?}", row.status)))?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProductRow {
    pub id: Uuid,
    pub handle: String,
    pub title: String,
    pub description: String,
    pub image_url: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct VariantRow {
    pub id: Uuid,
    pub product_id: Uuid,
    pub sku: String,
    pub title: String,
    pub price_minor: i64,
    pub currency: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct VariantPriceRow {
    pub id: Uuid,
    pub product_title: String,
    pub title: String,
    pub sku: String,
    pub price_minor: i64,
    pub currency: String,
}

fn money(amount_minor: i64, currency: &str) -> Result<Money, StoreError> {
    let currency = Currency::parse(currency.trim()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Money::new(amount_minor, currency))
}

/// Joins products with their variants (already ordered by position), keeping the products' order.
pub(crate) fn assemble_products(products: Vec<ProductRow>, variants: Vec<VariantRow>) -> Result<Vec<Product>, StoreError> {
    let mut by_product: HashMap<Uuid, Vec<Variant>> = HashMap::new();
    for v in variants {
        by_product.entry(v.product_id).or_default().push(Variant {
            id: v.id,
            price: money(v.price_minor, &v.currency)?,
            sku: v.sku,
            title: v.title,
        });
    }
    products
        .into_iter()
        .map(|p| {
            Ok(Product {
                id: p.id,
                handle: Handle::parse(&p.handle).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                title: p.title,
                description: p.description,
                image_url: p.image_url,
                variants: by_product.remove(&p.id).unwrap_or_default(),
            })
        })
        .collect()
}

impl TryFrom<VariantPriceRow> for VariantPrice {
    type Error = StoreError;
    fn try_from(row: VariantPriceRow) -> Result<Self, StoreError> {
        Ok(VariantPrice {
            variant_id: row.id,
            title: format!("{} / {}", row.product_title, row.title),
            sku: row.sku,
            price: money(row.price_minor, &row.currency)?,
        })
    }
}

/// Splits `domains` rows (tenant, domain) into a map, keeping their order.
pub(crate) fn group_domains(rows: Vec<(Uuid, String)>) -> HashMap<Uuid, Vec<zelly_edge::DomainName>> {
    let mut map: HashMap<Uuid, Vec<zelly_edge::DomainName>> = HashMap::new();
    for (tenant, domain) in rows {
        if let Ok(domain) = zelly_edge::DomainName::parse(&domain) {
            map.entry(tenant).or_default().push(domain);
        }
    }
    map
}
