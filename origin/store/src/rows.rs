//! Row shapes shared by both backends and their conversion into the edge DTOs.

use crate::StoreError;
use std::collections::HashMap;
use uuid::Uuid;
use zelly_edge::dto::{Tenant, TenantStatus, VariantPrice};
use zelly_edge::{Currency, Money, TenantSlug};

/// A tenant as both backends read it: a row, or the JSON PostgreSQL's storefront functions build
/// (which leave the currency out: the storefront does not need it).
#[derive(sqlx::FromRow, serde::Deserialize)]
pub(crate) struct TenantRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub status: String,
    pub logo_url: Option<String>,
    pub accent_color: Option<String>,
    pub catalog_version: i64,
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Read only where a storefront needs it (absent columns leave it `None`).
    #[sqlx(default)]
    #[serde(default)]
    pub primary_domain: Option<String>,
}

fn default_currency() -> String {
    Currency::INR.as_str().to_owned()
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
            logo_url: row.logo_url,
            accent_color: row.accent_color,
            catalog_version: row.catalog_version,
            currency: Currency::parse(row.currency.trim()).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            primary_domain: row
                .primary_domain
                .map(|d| zelly_edge::DomainName::parse(&d).map_err(|e| StoreError::Corrupt(e.to_string())))
                .transpose()?,
        })
    }
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
