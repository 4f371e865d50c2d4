//! The days a report covers, and turning a backend's counts into an [`AnalyticsReport`].

use chrono::NaiveDate;
use std::collections::BTreeMap;
use uuid::Uuid;
use zelly_edge::analytics::{
    AnalyticsQuery, AnalyticsReport, DailyMetrics, Gmv, MAX_RANGE_DAYS, Metrics, PlatformDay, PlatformReport,
    PlatformTotals, StoreFigures, TOP_STORES, TopProduct, UTC_OFFSET_RANGE, conversion_rate,
};
use zelly_edge::catalog::FieldErrors;

/// Milliseconds in a day; merchant days are whole UTC-offset days, so every day has exactly this many.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Which merchant days to report on: `from` to `to` inclusive, in the zone `utc_offset_minutes`
/// east of UTC. An event belongs to the date of `received_at_ms + offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day, not before `from`.
    pub to: NaiveDate,
    /// The merchant's offset from UTC in minutes, within [`UTC_OFFSET_RANGE`].
    pub utc_offset_minutes: i32,
}

/// `YYYY-MM-DD` exactly (no sign, no missing zero padding, no time), or `None`.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape_ok {
        return None;
    }
    let year = text[0..4].parse().ok()?;
    let month = text[5..7].parse().ok()?;
    let day = text[8..10].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

impl ReportRange {
    /// Reads a query, naming each bad field (`from`, `to`, `utc_offset_minutes`): dates that are
    /// not real `YYYY-MM-DD` dates, `to` before `from`, more than [`MAX_RANGE_DAYS`] days, or an
    /// offset outside [`UTC_OFFSET_RANGE`].
    pub fn parse(query: &AnalyticsQuery) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let date_error = "must be a date, YYYY-MM-DD";
        let from = parse_date(query.from.trim());
        if from.is_none() {
            errors.insert("from".into(), date_error.into());
        }
        let to = parse_date(query.to.trim());
        if to.is_none() {
            errors.insert("to".into(), date_error.into());
        }
        if !UTC_OFFSET_RANGE.contains(&query.utc_offset_minutes) {
            errors.insert(
                "utc_offset_minutes".into(),
                format!("must be {} to {} minutes", UTC_OFFSET_RANGE.start(), UTC_OFFSET_RANGE.end()),
            );
        }
        if let (Some(from), Some(to)) = (from, to) {
            let range = Self { from, to, utc_offset_minutes: query.utc_offset_minutes };
            if let Err(range_errors) = range.validate() {
                errors.extend(range_errors);
            }
            if errors.is_empty() {
                return Ok(range);
            }
        }
        Err(errors)
    }

    /// Checks a range built by hand as [`ReportRange::parse`] checks a query.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.to < self.from {
            errors.insert("to".into(), "must not be before from".into());
        } else if self.day_count() > u64::from(MAX_RANGE_DAYS) {
            errors.insert("to".into(), format!("the range may cover at most {MAX_RANGE_DAYS} days"));
        }
        if !UTC_OFFSET_RANGE.contains(&self.utc_offset_minutes) {
            errors.insert(
                "utc_offset_minutes".into(),
                format!("must be {} to {} minutes", UTC_OFFSET_RANGE.start(), UTC_OFFSET_RANGE.end()),
            );
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// How many days the range covers (0 when `to` is before `from`).
    pub fn day_count(&self) -> u64 {
        u64::try_from((self.to - self.from).num_days() + 1).unwrap_or(0)
    }

    /// The days from `from` to `to`, in order.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let (from, count) = (self.from, self.day_count());
        from.iter_days().take(usize::try_from(count).unwrap_or(usize::MAX))
    }

    /// The first instant of `from` in the merchant's zone, in Unix milliseconds.
    pub fn start_ms(&self) -> i64 {
        day_start_ms(self.from, self.utc_offset_minutes)
    }

    /// The first instant after `to` in the merchant's zone, in Unix milliseconds (exclusive end).
    pub fn end_ms(&self) -> i64 {
        day_start_ms(self.to, self.utc_offset_minutes) + DAY_MS
    }
}

/// Midnight of `date` at `offset` minutes east of UTC, as Unix milliseconds.
fn day_start_ms(date: NaiveDate, offset_minutes: i32) -> i64 {
    i64::from(date.to_epoch_days()) * DAY_MS - i64::from(offset_minutes) * 60_000
}

/// What a backend counts for one day or for the whole range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Distinct sessions with any event.
    pub visits: u64,
    /// Distinct `page_view` events.
    pub page_views: u64,
    /// Distinct `product_view` events.
    pub product_views: u64,
    /// Distinct `add_to_cart` events.
    pub add_to_carts: u64,
    /// Distinct `checkout_started` events.
    pub checkouts: u64,
    /// Distinct `order_placed` events.
    pub orders: u64,
    /// Distinct sessions with an `order_placed` event.
    pub converted_sessions: u64,
}

impl Counts {
    fn metrics(self) -> Metrics {
        Metrics {
            visits: self.visits,
            page_views: self.page_views,
            product_views: self.product_views,
            add_to_carts: self.add_to_carts,
            checkouts: self.checkouts,
            orders: self.orders,
            conversion_rate: conversion_rate(self.converted_sessions, self.visits),
        }
    }
}

/// The report: `days` holds counts by day index from `from` (0 = `from`); days without an entry
/// are zero-filled, and indexes past `to` (which a backend never returns) are ignored.
pub(crate) fn build_report(
    range: &ReportRange,
    totals: Counts,
    days: &[(u64, Counts)],
    top_products: Vec<TopProduct>,
) -> AnalyticsReport {
    let mut by_day = vec![Counts::default(); usize::try_from(range.day_count()).unwrap_or(0)];
    for (index, counts) in days {
        if let Some(slot) = usize::try_from(*index).ok().and_then(|i| by_day.get_mut(i)) {
            *slot = *counts;
        }
    }
    AnalyticsReport {
        from: range.from.to_string(),
        to: range.to.to_string(),
        utc_offset_minutes: range.utc_offset_minutes,
        totals: totals.metrics(),
        days: range
            .days()
            .zip(by_day)
            .map(|(date, counts)| DailyMetrics { date: date.to_string(), metrics: counts.metrics() })
            .collect(),
        top_products,
    }
}

/// What a backend counts for the platform report: for one day, one store, or the range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PlatformCounts {
    /// Distinct `(tenant_id, session_id)` pairs with any event.
    pub visits: u64,
    /// Distinct `order_placed` events.
    pub orders: u64,
    /// Distinct `(tenant_id, session_id)` pairs with an `order_placed` event.
    pub converted_sessions: u64,
}

impl PlatformCounts {
    fn conversion_rate(self) -> f64 {
        conversion_rate(self.converted_sessions, self.visits)
    }
}

/// Everything a backend reads for a platform report. Order values are of distinct
/// `order_placed` events that carry a value, summed per group and currency.
#[derive(Debug, Clone, Default)]
pub(crate) struct PlatformData {
    /// Counts over the whole range.
    pub totals: PlatformCounts,
    /// Counts by day index from `from` (0 = `from`); missing days are zeros.
    pub days: Vec<(u64, PlatformCounts)>,
    /// Order value by day index and currency.
    pub day_gmv: Vec<(u64, String, i64)>,
    /// The top stores' counts (any order; ranked here). Empty for a one-store report.
    pub stores: Vec<(Uuid, PlatformCounts)>,
    /// Order value of the stores in `stores`, by store and currency.
    pub store_gmv: Vec<(Uuid, String, i64)>,
}

/// Sums order values per currency, sorted by currency.
fn gmv<'a>(values: impl IntoIterator<Item = (&'a str, i64)>) -> Vec<Gmv> {
    let mut by_currency: BTreeMap<&str, i64> = BTreeMap::new();
    for (currency, amount) in values {
        let sum = by_currency.entry(currency).or_default();
        *sum = sum.saturating_add(amount);
    }
    by_currency
        .into_iter()
        .map(|(currency, amount_minor)| Gmv { currency: currency.to_owned(), amount_minor })
        .collect()
}

/// Ranks stores as [`PlatformReport::top_stores`] lists them: most orders first, then most
/// visits, then the smaller tenant id; keeps the first [`TOP_STORES`].
pub(crate) fn rank_stores(stores: &mut Vec<(Uuid, PlatformCounts)>) {
    stores.sort_by(|(a_id, a), (b_id, b)| b.orders.cmp(&a.orders).then(b.visits.cmp(&a.visits)).then(a_id.cmp(b_id)));
    stores.truncate(TOP_STORES);
}

/// The platform report: every day of the range in order (zero-filled; day indexes past `to` are
/// ignored), the range's GMV as the sum of the days', and the ranked top stores (none when the
/// report is of one store).
pub(crate) fn build_platform_report(
    range: &ReportRange,
    tenant_id: Option<Uuid>,
    data: PlatformData,
) -> PlatformReport {
    let day_count = usize::try_from(range.day_count()).unwrap_or(0);
    let index = |day: u64| usize::try_from(day).ok().filter(|i| *i < day_count);
    let mut by_day = vec![PlatformCounts::default(); day_count];
    for (day, counts) in &data.days {
        if let Some(i) = index(*day) {
            by_day[i] = *counts;
        }
    }
    let mut gmv_by_day: Vec<Vec<(&str, i64)>> = vec![Vec::new(); day_count];
    for (day, currency, amount) in &data.day_gmv {
        if let Some(i) = index(*day) {
            gmv_by_day[i].push((currency.as_str(), *amount));
        }
    }
    let totals = PlatformTotals {
        visits: data.totals.visits,
        orders: data.totals.orders,
        gmv: gmv(gmv_by_day.iter().flatten().copied()),
        conversion_rate: data.totals.conversion_rate(),
    };
    let days = range
        .days()
        .zip(by_day)
        .zip(gmv_by_day)
        .map(|((date, counts), values)| PlatformDay {
            date: date.to_string(),
            visits: counts.visits,
            orders: counts.orders,
            gmv: gmv(values),
            conversion_rate: counts.conversion_rate(),
        })
        .collect();
    let mut stores = if tenant_id.is_some() { Vec::new() } else { data.stores };
    rank_stores(&mut stores);
    let top_stores = stores
        .into_iter()
        .map(|(id, counts)| StoreFigures {
            tenant_id: id,
            visits: counts.visits,
            orders: counts.orders,
            gmv: gmv(data
                .store_gmv
                .iter()
                .filter(|(store, _, _)| *store == id)
                .map(|(_, currency, amount)| (currency.as_str(), *amount))),
            conversion_rate: counts.conversion_rate(),
        })
        .collect();
    PlatformReport {
        from: range.from.to_string(),
        to: range.to.to_string(),
        utc_offset_minutes: range.utc_offset_minutes,
        tenant_id,
        totals,
        days,
        top_stores,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(from: &str, to: &str, offset: i32) -> AnalyticsQuery {
        AnalyticsQuery { from: from.into(), to: to.into(), utc_offset_minutes: offset }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_valid_query_becomes_a_range() {
        let range = ReportRange::parse(&query("2026-11-01", "2026-11-30", 330)).unwrap();
        assert_eq!(range, ReportRange { from: date(2026, 11, 1), to: date(2026, 11, 30), utc_offset_minutes: 330 });
        assert_eq!(range.day_count(), 30);
        assert_eq!(range.days().last(), Some(date(2026, 11, 30)));
    }

    #[test]
    fn a_day_in_india_starts_five_and_a_half_hours_before_utc_midnight() {
        let range = ReportRange { from: date(1970, 1, 2), to: date(1970, 1, 2), utc_offset_minutes: 330 };
        assert_eq!(range.start_ms(), DAY_MS - 330 * 60_000);
        assert_eq!(range.end_ms(), 2 * DAY_MS - 330 * 60_000);
    }

    #[test]
    fn malformed_or_impossible_dates_name_their_field() {
        for bad in ["2026-02-30", "2026-2-01", "26-02-01", "2026/02/01", "", "2026-02-01T00:00", "+2026-02-01"] {
            let errors = ReportRange::parse(&query(bad, "2026-03-01", 0)).unwrap_err();
            assert_eq!(errors.keys().collect::<Vec<_>>(), ["from"], "{bad:?}");
            let errors = ReportRange::parse(&query("2026-01-01", bad, 0)).unwrap_err();
            assert_eq!(errors.keys().collect::<Vec<_>>(), ["to"], "{bad:?}");
        }
    }

    #[test]
    fn to_before_from_is_refused() {
        let errors = ReportRange::parse(&query("2026-03-02", "2026-03-01", 0)).unwrap_err();
        assert!(errors["to"].contains("before"), "{errors:?}");
    }

    #[test]
    fn a_range_longer_than_366_days_is_refused_but_a_leap_year_fits() {
        assert!(ReportRange::parse(&query("2024-01-01", "2024-12-31", 0)).is_ok());
        let errors = ReportRange::parse(&query("2024-01-01", "2025-01-01", 0)).unwrap_err();
        assert!(errors["to"].contains("366"), "{errors:?}");
    }

    #[test]
    fn offsets_outside_utc_minus_12_to_plus_14_are_refused() {
        for bad in [-721, 841, i32::MIN] {
            let errors = ReportRange::parse(&query("2026-01-01", "2026-01-01", bad)).unwrap_err();
            assert_eq!(errors.keys().collect::<Vec<_>>(), ["utc_offset_minutes"]);
        }
        assert!(ReportRange::parse(&query("2026-01-01", "2026-01-01", -720)).is_ok());
        assert!(ReportRange::parse(&query("2026-01-01", "2026-01-01", 840)).is_ok());
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let errors = ReportRange::parse(&query("yesterday", "today", 2000)).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["from", "to", "utc_offset_minutes"]);
    }

    #[test]
    fn days_without_counts_are_zero_filled_in_order() {
        let range = ReportRange { from: date(2026, 1, 30), to: date(2026, 2, 2), utc_offset_minutes: 0 };
        let busy = Counts { visits: 4, orders: 1, converted_sessions: 1, ..Counts::default() };
        let report = build_report(&range, busy, &[(2, busy), (9, busy)], Vec::new());
        let dates: Vec<_> = report.days.iter().map(|d| d.date.as_str()).collect();
        assert_eq!(dates, ["2026-01-30", "2026-01-31", "2026-02-01", "2026-02-02"]);
        assert_eq!(report.days[0].metrics, Metrics::default());
        assert_eq!(report.days[2].metrics.visits, 4);
        assert!((report.days[2].metrics.conversion_rate - 0.25).abs() < f64::EPSILON);
        assert_eq!(report.totals.orders, 1);
    }

    fn platform(visits: u64, orders: u64, converted_sessions: u64) -> PlatformCounts {
        PlatformCounts { visits, orders, converted_sessions }
    }

    #[test]
    fn a_platform_report_fills_quiet_days_and_sums_gmv_per_currency() {
        let range = ReportRange { from: date(2026, 1, 30), to: date(2026, 2, 1), utc_offset_minutes: 0 };
        let data = PlatformData {
            totals: platform(4, 3, 2),
            days: vec![(0, platform(3, 2, 1)), (2, platform(1, 1, 1)), (7, platform(9, 9, 9))],
            day_gmv: vec![(0, "USD".into(), 500), (0, "INR".into(), 100), (2, "INR".into(), 250), (7, "EUR".into(), 1)],
            ..PlatformData::default()
        };
        let report = build_platform_report(&range, None, data);
        let dates: Vec<_> = report.days.iter().map(|d| d.date.as_str()).collect();
        assert_eq!(dates, ["2026-01-30", "2026-01-31", "2026-02-01"]);
        assert_eq!(report.days[1], PlatformDay { date: "2026-01-31".into(), ..PlatformDay::default() });
        let currencies: Vec<_> = report.days[0].gmv.iter().map(|g| (g.currency.as_str(), g.amount_minor)).collect();
        assert_eq!(currencies, [("INR", 100), ("USD", 500)]);
        let totals: Vec<_> = report.totals.gmv.iter().map(|g| (g.currency.as_str(), g.amount_minor)).collect();
        assert_eq!(totals, [("INR", 350), ("USD", 500)], "day 7 is past the range");
        assert!((report.totals.conversion_rate - 0.5).abs() < f64::EPSILON);
        assert!(report.top_stores.is_empty());
    }

    #[test]
    fn stores_rank_by_orders_then_visits_then_id_and_stop_at_ten() {
        let id = Uuid::from_u128;
        let mut stores: Vec<(Uuid, PlatformCounts)> = (1..=12).map(|n| (id(n), platform(1, 0, 0))).collect();
        stores.push((id(100), platform(5, 2, 1)));
        stores.push((id(99), platform(6, 2, 1)));
        stores.push((id(50), platform(6, 2, 2)));
        rank_stores(&mut stores);
        let ids: Vec<Uuid> = stores.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, [id(50), id(99), id(100), id(1), id(2), id(3), id(4), id(5), id(6), id(7)]);
    }

    #[test]
    fn a_one_store_report_lists_no_top_stores() {
        let range = ReportRange { from: date(2026, 1, 30), to: date(2026, 1, 30), utc_offset_minutes: 0 };
        let data = PlatformData { stores: vec![(Uuid::nil(), platform(1, 1, 1))], ..PlatformData::default() };
        let report = build_platform_report(&range, Some(Uuid::nil()), data);
        assert!(report.top_stores.is_empty());
        assert_eq!(report.tenant_id, Some(Uuid::nil()));
    }
}
