//! A merchant's storefront analytics: what `GET /api/seller/analytics` answers and seller-ui draws.
//!
//! Days are calendar days in the merchant's time zone, given as a whole-minute offset from UTC
//! (India is `+330`), so "today" on the dashboard is the merchant's today. Every day of the range
//! is present, with zeros when nothing happened, so charts need no gap filling.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The longest range one report may cover, in days.
pub const MAX_RANGE_DAYS: u32 = 366;
/// How many products [`AnalyticsReport::top_products`] lists at most.
pub const TOP_PRODUCTS: usize = 10;
/// The smallest and largest UTC offsets, in minutes (UTC-12:00 to UTC+14:00).
pub const UTC_OFFSET_RANGE: std::ops::RangeInclusive<i32> = -720..=840;

/// Which days to report on: `from` and `to` inclusive, as `YYYY-MM-DD` in the merchant's zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AnalyticsQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`, not before `from`; the range covers at most 366 days.
    pub to: String,
    /// The merchant's offset from UTC in minutes, -720 to 840; 0 when absent.
    #[serde(default)]
    pub utc_offset_minutes: i32,
}

/// The counts of one day, or of the whole range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Metrics {
    /// Distinct shopper sessions that sent any event.
    pub visits: u64,
    /// Pages shown.
    pub page_views: u64,
    /// Product pages shown.
    pub product_views: u64,
    /// Add-to-cart events.
    pub add_to_carts: u64,
    /// Checkouts started.
    pub checkouts: u64,
    /// Orders placed.
    pub orders: u64,
    /// Sessions that placed an order, over visits (0 to 1; 0 with no visits).
    pub conversion_rate: f64,
}

/// One day's counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyMetrics {
    /// The day, `YYYY-MM-DD` in the merchant's zone.
    pub date: String,
    /// Its counts.
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// A product by how often it was viewed in the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TopProduct {
    /// The product.
    pub product_id: Uuid,
    /// Its current title, when it still exists in the catalog.
    pub title: Option<String>,
    /// Its current handle, when it still exists in the catalog.
    pub handle: Option<String>,
    /// Product page views.
    pub views: u64,
    /// Add-to-cart events.
    pub add_to_carts: u64,
}

/// The answer of `GET /api/seller/analytics`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnalyticsReport {
    /// First day reported.
    pub from: String,
    /// Last day reported.
    pub to: String,
    /// The offset the days are in.
    pub utc_offset_minutes: i32,
    /// Counts over the whole range (visits are distinct sessions over the range, not a sum of days).
    pub totals: Metrics,
    /// One entry per day from `from` to `to`, in order.
    pub days: Vec<DailyMetrics>,
    /// Up to ten products, most viewed first (ties by add-to-carts, then id).
    pub top_products: Vec<TopProduct>,
}

/// Orders over visits, or 0 when there were no visits.
pub fn conversion_rate(converted_sessions: u64, visits: u64) -> f64 {
    if visits == 0 {
        0.0
    } else {
        // Precision loss only beyond 2^53 events, far past anything a store sends.
        #[allow(clippy::cast_precision_loss)]
        let rate = converted_sessions as f64 / visits as f64;
        rate
    }
}

/// How many stores [`PlatformReport::top_stores`] lists at most.
pub const TOP_STORES: usize = 10;

/// The value of the orders placed in one currency, in its minor unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Gmv {
    /// ISO 4217 currency code, e.g. `INR`.
    pub currency: String,
    /// Sum of the orders' values in that currency's minor unit (paise for INR).
    pub amount_minor: i64,
}

/// The whole platform's (or one store's) figures for one day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformDay {
    /// The day, `YYYY-MM-DD` at the report's offset.
    pub date: String,
    /// Distinct shopper sessions that sent any event (a session belongs to one store).
    pub visits: u64,
    /// Orders placed.
    pub orders: u64,
    /// Order value per currency, sorted by currency; empty without orders.
    pub gmv: Vec<Gmv>,
    /// Sessions that placed an order, over visits (0 to 1; 0 with no visits).
    pub conversion_rate: f64,
}

/// The figures over a whole platform report's range: of every store, or of the one asked for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformTotals {
    /// Distinct shopper sessions over the range (not a sum of days).
    pub visits: u64,
    /// Orders placed.
    pub orders: u64,
    /// Order value per currency, sorted by currency; empty without orders.
    pub gmv: Vec<Gmv>,
    /// Sessions that placed an order, over visits (0 to 1; 0 with no visits).
    pub conversion_rate: f64,
}

/// One store's figures over a platform report's range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreFigures {
    /// The store (tenant).
    pub tenant_id: Uuid,
    /// Distinct shopper sessions of the store over the range.
    pub visits: u64,
    /// Orders placed in the store.
    pub orders: u64,
    /// The store's order value per currency, sorted by currency; empty without orders.
    pub gmv: Vec<Gmv>,
    /// The store's sessions that placed an order, over its visits (0 to 1; 0 with no visits).
    pub conversion_rate: f64,
}

/// Platform-wide analytics for platform staff: visits, orders, GMV and conversion per day,
/// across every store or for one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformReport {
    /// First day reported, `YYYY-MM-DD`.
    pub from: String,
    /// Last day reported, `YYYY-MM-DD`.
    pub to: String,
    /// The offset from UTC, in minutes, the days are in.
    pub utc_offset_minutes: i32,
    /// The one store reported on, or `None` for the whole platform.
    pub tenant_id: Option<Uuid>,
    /// Figures over the whole range.
    pub totals: PlatformTotals,
    /// One entry per day from `from` to `to`, in order, with zeros for quiet days.
    pub days: Vec<PlatformDay>,
    /// Up to [`TOP_STORES`] stores with events in the range, most orders first (ties by visits,
    /// then tenant id); empty when the report is of one store.
    pub top_stores: Vec<StoreFigures>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_serialises_flat() {
        let day = DailyMetrics {
            date: "2026-11-29".into(),
            metrics: Metrics { visits: 3, orders: 1, conversion_rate: conversion_rate(1, 3), ..Metrics::default() },
        };
        let json = serde_json::to_value(&day).unwrap();
        assert_eq!(json["date"], "2026-11-29");
        assert_eq!(json["visits"], 3);
        assert_eq!(json["product_views"], 0);
        assert_eq!(serde_json::from_value::<DailyMetrics>(json).unwrap(), day);
    }

    #[test]
    fn no_visits_is_no_conversion_not_a_division_by_zero() {
        assert!(conversion_rate(0, 0).abs() < f64::EPSILON);
        assert!((conversion_rate(1, 4) - 0.25).abs() < f64::EPSILON);
    }
}
