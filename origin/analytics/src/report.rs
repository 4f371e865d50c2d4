//! The days a report covers, and turning a backend's counts into an [`AnalyticsReport`].

use chrono::NaiveDate;
use zelly_edge::analytics::{
    AnalyticsQuery, AnalyticsReport, DailyMetrics, MAX_RANGE_DAYS, Metrics, TopProduct, UTC_OFFSET_RANGE,
    conversion_rate,
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
}
