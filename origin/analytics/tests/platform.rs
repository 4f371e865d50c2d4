//! The platform report (for platform staff) on both analytics backends: every case runs on SQLite
//! and on ClickHouse (see `zelly_analytics::testing`), each on a store of its own, so the
//! platform-wide figures are exactly those of the case's events.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;
use zelly_analytics::{AnalyticsConfig, AnalyticsError, DynAnalytics, ReportRange, connect};
use zelly_edge::analytics::{
    Gmv, PlatformDay, PlatformReport, PlatformTotals, StoreFigures, TOP_STORES, conversion_rate,
};
use zelly_edge::domain::{Currency, Money};
use zelly_edge::events::{EventInput, EventKind, StoreEvent};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Unix milliseconds of `YYYY-MM-DD` plus `ms` into that UTC day.
fn utc(day: &str, ms: i64) -> i64 {
    i64::from(date(day).to_epoch_days()) * DAY_MS + ms
}

fn range(from: &str, to: &str, utc_offset_minutes: i32) -> ReportRange {
    ReportRange { from: date(from), to: date(to), utc_offset_minutes }
}

fn event(tenant: Uuid, kind: EventKind, session: &str, received_at_ms: i64) -> StoreEvent {
    StoreEvent {
        event_id: Uuid::new_v4(),
        tenant_id: tenant,
        received_at_ms,
        event: EventInput {
            kind,
            session_id: session.into(),
            path: "/".into(),
            client_time_ms: None,
            product_id: (kind == EventKind::ProductView).then(Uuid::new_v4),
            variant_id: None,
            quantity: None,
            query: (kind == EventKind::Search).then(|| "lamp".into()),
            order_id: None,
            value: None,
        },
    }
}

fn page_view(tenant: Uuid, session: &str, at: i64) -> StoreEvent {
    event(tenant, EventKind::PageView, session, at)
}

/// An `order_placed` event worth `amount_minor` of `currency`.
fn order(tenant: Uuid, session: &str, at: i64, amount_minor: i64, currency: &str) -> StoreEvent {
    let mut placed = event(tenant, EventKind::OrderPlaced, session, at);
    placed.event.order_id = Some(format!("order-{}", placed.event_id.simple()));
    placed.event.value = Some(Money::new(amount_minor, Currency::parse(currency).unwrap()));
    placed
}

fn gmv(values: &[(&str, i64)]) -> Vec<Gmv> {
    values.iter().map(|(currency, amount)| Gmv { currency: (*currency).into(), amount_minor: *amount }).collect()
}

async fn store(config: &AnalyticsConfig) -> DynAnalytics {
    connect(config).await.unwrap()
}

/// `(date, visits, orders)` of every day.
fn day_counts(report: &PlatformReport) -> Vec<(&str, u64, u64)> {
    report.days.iter().map(|d| (d.date.as_str(), d.visits, d.orders)).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

zelly_analytics::on_both_backends!(
    two_stores_with_orders_in_two_currencies_add_up_per_day_per_store_and_in_total,
    a_duplicate_event_is_counted_once_and_its_value_summed_once,
    quiet_days_are_zeros_and_an_empty_platform_is_all_zeros,
    the_store_filter_reads_one_store_and_lists_no_top_stores,
    top_stores_rank_by_orders_then_visits_then_id_and_stop_at_ten,
    days_follow_the_offset_around_utc_midnight,
    a_month_of_many_stores_matches_figures_computed_from_the_events,
    a_range_built_by_hand_is_checked_by_the_store,
);

async fn two_stores_with_orders_in_two_currencies_add_up_per_day_per_store_and_in_total(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let (a, b) = (Uuid::from_u128(0xa), Uuid::from_u128(0xb));
    let day1 = utc("2026-03-10", 9 * HOUR_MS);
    let day2 = utc("2026-03-11", 15 * HOUR_MS);
    analytics
        .insert(&[
            // Store A, day 1: three sessions, two orders (INR and USD) from one of them.
            page_view(a, "s1", day1),
            page_view(a, "s1", day1 + 1),
            page_view(a, "s2", day1 + 2),
            event(a, EventKind::Search, "s3", day1 + 3),
            order(a, "s1", day1 + 4, 129_900, "INR"),
            order(a, "s1", day1 + 5, 2_500, "USD"),
            // Store B, day 1: a session id that store A also has is another visit.
            page_view(b, "s1", day1 + 6),
            order(b, "s1", day1 + 7, 50_000, "INR"),
            // Day 2: A's s1 comes back and orders; B gets a visit that does not order.
            order(a, "s1", day2, 10_000, "INR"),
            event(b, EventKind::ProductView, "s9", day2 + 1),
        ])
        .await
        .unwrap();

    let report = analytics.platform_report(None, &range("2026-03-10", "2026-03-11", 0)).await.unwrap();
    assert_eq!((report.from.as_str(), report.to.as_str(), report.utc_offset_minutes), ("2026-03-10", "2026-03-11", 0));
    assert_eq!(report.tenant_id, None);
    assert_eq!(
        report.days,
        [
            PlatformDay {
                date: "2026-03-10".into(),
                visits: 4,
                orders: 3,
                gmv: gmv(&[("INR", 179_900), ("USD", 2_500)]),
                conversion_rate: conversion_rate(2, 4),
            },
            PlatformDay {
                date: "2026-03-11".into(),
                visits: 2,
                orders: 1,
                gmv: gmv(&[("INR", 10_000)]),
                conversion_rate: conversion_rate(1, 2),
            },
        ]
    );
    // Over the range: A's s1, s2, s3 and B's s1, s9; A's s1 and B's s1 ordered.
    assert_eq!(
        report.totals,
        PlatformTotals {
            visits: 5,
            orders: 4,
            gmv: gmv(&[("INR", 189_900), ("USD", 2_500)]),
            conversion_rate: conversion_rate(2, 5),
        }
    );
    assert_eq!(
        report.top_stores,
        [
            StoreFigures {
                tenant_id: a,
                visits: 3,
                orders: 3,
                gmv: gmv(&[("INR", 139_900), ("USD", 2_500)]),
                conversion_rate: conversion_rate(1, 3),
            },
            StoreFigures {
                tenant_id: b,
                visits: 2,
                orders: 1,
                gmv: gmv(&[("INR", 50_000)]),
                conversion_rate: conversion_rate(1, 2),
            },
        ]
    );
}

async fn a_duplicate_event_is_counted_once_and_its_value_summed_once(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let tenant = Uuid::new_v4();
    let at = utc("2026-04-02", 12 * HOUR_MS);
    let view = page_view(tenant, "s1", at);
    let placed = order(tenant, "s1", at + 1, 99_900, "INR");
    let other = page_view(tenant, "s2", at + 2);
    // Repeated within a batch and across batches: on ClickHouse each batch is a part of its own,
    // so the copies stay apart until a merge that the report must not wait for.
    analytics.insert(&[view.clone(), placed.clone(), placed.clone()]).await.unwrap();
    analytics.insert(&[placed.clone(), view.clone()]).await.unwrap();
    analytics.insert(&[other, placed.clone()]).await.unwrap();

    let report = analytics.platform_report(None, &range("2026-04-02", "2026-04-02", 0)).await.unwrap();
    let expected =
        PlatformTotals { visits: 2, orders: 1, gmv: gmv(&[("INR", 99_900)]), conversion_rate: conversion_rate(1, 2) };
    assert_eq!(report.totals, expected);
    let day = &report.days[0];
    assert_eq!((day.visits, day.orders, &day.gmv), (2, 1, &expected.gmv));
    assert_eq!(report.top_stores.len(), 1);
    assert_eq!((report.top_stores[0].orders, &report.top_stores[0].gmv), (1, &expected.gmv));
    let one = analytics.platform_report(Some(tenant), &range("2026-04-02", "2026-04-02", 0)).await.unwrap();
    assert_eq!(one.totals, expected);
}

async fn quiet_days_are_zeros_and_an_empty_platform_is_all_zeros(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let tenant = Uuid::new_v4();
    analytics
        .insert(&[
            page_view(tenant, "a", utc("2026-12-30", HOUR_MS)),
            order(tenant, "b", utc("2027-01-02", HOUR_MS), 700, "EUR"),
        ])
        .await
        .unwrap();
    let report = analytics.platform_report(None, &range("2026-12-29", "2027-01-03", 0)).await.unwrap();
    assert_eq!(
        day_counts(&report),
        [
            ("2026-12-29", 0, 0),
            ("2026-12-30", 1, 0),
            ("2026-12-31", 0, 0),
            ("2027-01-01", 0, 0),
            ("2027-01-02", 1, 1),
            ("2027-01-03", 0, 0),
        ]
    );
    assert_eq!(report.days[0], PlatformDay { date: "2026-12-29".into(), ..PlatformDay::default() });
    assert_eq!(report.days[4].gmv, gmv(&[("EUR", 700)]));
    assert!(close(report.days[4].conversion_rate, 1.0));

    // A range with no events at all: every day, all zeros, no stores.
    let empty = analytics.platform_report(None, &range("2025-01-01", "2025-12-31", -720)).await.unwrap();
    assert_eq!(empty.days.len(), 365);
    assert!(empty.days.iter().all(|d| d.visits == 0 && d.orders == 0 && d.gmv.is_empty() && d.conversion_rate == 0.0));
    assert_eq!(empty.totals, PlatformTotals::default());
    assert!(empty.top_stores.is_empty());
    // A store with no events, asked for by id.
    let unknown = analytics.platform_report(Some(Uuid::new_v4()), &range("2026-12-29", "2027-01-03", 0)).await.unwrap();
    assert_eq!(unknown.totals, PlatformTotals::default());
    assert_eq!(unknown.days.len(), 6);
}

async fn the_store_filter_reads_one_store_and_lists_no_top_stores(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let at = utc("2026-05-05", 8 * HOUR_MS);
    let mut events = vec![page_view(a, "shared", at), order(a, "shared", at + 1, 1_000, "INR")];
    for n in 0..5 {
        events.push(page_view(b, "shared", at + n));
        events.push(page_view(b, &format!("b{n}"), at + n));
        events.push(order(b, &format!("b{n}"), at + n, 300, "USD"));
    }
    analytics.insert(&events).await.unwrap();
    let whole = range("2026-05-05", "2026-05-05", 0);

    let only_a = analytics.platform_report(Some(a), &whole).await.unwrap();
    assert_eq!(only_a.tenant_id, Some(a));
    assert_eq!(
        only_a.totals,
        PlatformTotals { visits: 1, orders: 1, gmv: gmv(&[("INR", 1_000)]), conversion_rate: 1.0 }
    );
    assert_eq!(day_counts(&only_a), [("2026-05-05", 1, 1)]);
    assert!(only_a.top_stores.is_empty(), "a one-store report lists no top stores");

    let only_b = analytics.platform_report(Some(b), &whole).await.unwrap();
    assert_eq!(
        only_b.totals,
        PlatformTotals { visits: 6, orders: 5, gmv: gmv(&[("USD", 1_500)]), conversion_rate: conversion_rate(5, 6) }
    );
    assert!(only_b.top_stores.is_empty());

    let all = analytics.platform_report(None, &whole).await.unwrap();
    assert_eq!((all.totals.visits, all.totals.orders), (7, 6));
    assert_eq!(all.totals.gmv, gmv(&[("INR", 1_000), ("USD", 1_500)]));
    let top: Vec<Uuid> = all.top_stores.iter().map(|s| s.tenant_id).collect();
    assert_eq!(top, [b, a]);
}

async fn top_stores_rank_by_orders_then_visits_then_id_and_stop_at_ten(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let at = utc("2026-06-01", 10 * HOUR_MS);
    // (store, visits, orders). Ids chosen so that text order and number order agree.
    let plan: [(u128, u64, u64); 13] = [
        (0x10, 3, 1),
        (0x20, 5, 4),
        (0x30, 4, 1), // ties 0x10 and 0x40 on orders; wins on visits
        (0x40, 3, 1), // ties 0x10 on both: after it, by id
        (0x50, 9, 0), // many visits, no orders: below every store with an order
        (0x60, 2, 2),
        (0x70, 6, 3),
        (0x80, 1, 0),
        (0x90, 2, 0),
        (0xa0, 1, 0), // ties 0x80: the smaller id first
        (0xb0, 1, 0),
        (0xc0, 1, 0),
        (u128::MAX, 7, 5),
    ];
    let mut events = Vec::new();
    for (store, visits, orders) in plan {
        let tenant = Uuid::from_u128(store);
        for n in 0..visits {
            events.push(page_view(tenant, &format!("s{n}"), at + n as i64));
        }
        // Orders from the first sessions, one each, so converted sessions = orders.
        for n in 0..orders {
            events.push(order(tenant, &format!("s{n}"), at + n as i64, 100, "INR"));
        }
    }
    analytics.insert(&events).await.unwrap();

    let report = analytics.platform_report(None, &range("2026-06-01", "2026-06-01", 0)).await.unwrap();
    let ranked: Vec<(Uuid, u64, u64)> = report.top_stores.iter().map(|s| (s.tenant_id, s.visits, s.orders)).collect();
    let expected: Vec<(Uuid, u64, u64)> = [
        (u128::MAX, 7, 5),
        (0x20, 5, 4),
        (0x70, 6, 3),
        (0x60, 2, 2),
        (0x30, 4, 1),
        (0x10, 3, 1),
        (0x40, 3, 1),
        (0x50, 9, 0),
        (0x90, 2, 0),
        (0x80, 1, 0),
    ]
    .into_iter()
    .map(|(store, visits, orders)| (Uuid::from_u128(store), visits, orders))
    .collect();
    assert_eq!(ranked, expected);
    assert_eq!(report.top_stores.len(), TOP_STORES);
    let first = &report.top_stores[0];
    assert_eq!(first.gmv, gmv(&[("INR", 500)]));
    assert!(close(first.conversion_rate, 5.0 / 7.0));
    assert!(report.top_stores[7].gmv.is_empty() && report.top_stores[7].conversion_rate == 0.0);
    // Totals still count every store, listed or not.
    assert_eq!((report.totals.visits, report.totals.orders), (45, 17));
}

async fn days_follow_the_offset_around_utc_midnight(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    // India is UTC+5:30: its midnight is 18:30 UTC the day before.
    let india_midnight = utc("2026-03-01", 18 * HOUR_MS + 30 * MINUTE_MS);
    analytics
        .insert(&[
            order(a, "before-range", utc("2026-02-28", 18 * HOUR_MS + 30 * MINUTE_MS) - 1, 1, "INR"),
            order(a, "last-ms-of-march-1", india_midnight - 1, 10, "INR"),
            order(b, "first-ms-of-march-2", india_midnight, 100, "INR"),
            page_view(b, "utc-march-2-noon", utc("2026-03-02", 12 * HOUR_MS)),
            order(a, "last-ms-of-march-2", india_midnight + DAY_MS - 1, 1_000, "USD"),
            order(b, "after-range", india_midnight + DAY_MS, 10_000, "INR"),
        ])
        .await
        .unwrap();

    let india = analytics.platform_report(None, &range("2026-03-01", "2026-03-02", 330)).await.unwrap();
    assert_eq!(india.utc_offset_minutes, 330);
    assert_eq!(day_counts(&india), [("2026-03-01", 1, 1), ("2026-03-02", 3, 2)]);
    assert_eq!(india.days[0].gmv, gmv(&[("INR", 10)]));
    assert_eq!(india.days[1].gmv, gmv(&[("INR", 100), ("USD", 1_000)]));
    assert_eq!(india.totals.gmv, gmv(&[("INR", 110), ("USD", 1_000)]));
    assert_eq!((india.totals.visits, india.totals.orders), (4, 3));

    // The same events in UTC days: 18:30 UTC is no boundary there.
    let utc_days = analytics.platform_report(None, &range("2026-03-01", "2026-03-02", 0)).await.unwrap();
    assert_eq!(day_counts(&utc_days), [("2026-03-01", 2, 2), ("2026-03-02", 3, 2)]);
    assert_eq!(utc_days.days[0].gmv, gmv(&[("INR", 110)]));
    assert_eq!(utc_days.days[1].gmv, gmv(&[("INR", 10_000), ("USD", 1_000)]));

    // West of UTC (-05:00) every event is in February 28 to March 2, the first on February 28.
    let new_york = analytics.platform_report(None, &range("2026-02-28", "2026-03-02", -300)).await.unwrap();
    assert_eq!(day_counts(&new_york), [("2026-02-28", 1, 1), ("2026-03-01", 2, 2), ("2026-03-02", 3, 2)]);
    assert_eq!(new_york.days[2].gmv, gmv(&[("INR", 10_000), ("USD", 1_000)]));

    // The store filter keeps the same day boundaries.
    let only_b = analytics.platform_report(Some(b), &range("2026-03-01", "2026-03-02", 330)).await.unwrap();
    assert_eq!(day_counts(&only_b), [("2026-03-01", 0, 0), ("2026-03-02", 2, 1)]);
}

/// What the platform report should say for a group of events, computed from the events.
#[derive(Default)]
struct Expected {
    sessions: HashSet<(Uuid, String)>,
    converted: HashSet<(Uuid, String)>,
    orders: u64,
    gmv: BTreeMap<String, i64>,
}

impl Expected {
    fn add(&mut self, event: &StoreEvent) {
        let session = (event.tenant_id, event.event.session_id.clone());
        self.sessions.insert(session.clone());
        if event.event.kind == EventKind::OrderPlaced {
            self.converted.insert(session);
            self.orders += 1;
            let value = event.event.value.unwrap();
            *self.gmv.entry(value.currency.as_str().to_owned()).or_default() += value.amount_minor;
        }
    }

    fn gmv(&self) -> Vec<Gmv> {
        self.gmv.iter().map(|(currency, amount)| Gmv { currency: currency.clone(), amount_minor: *amount }).collect()
    }

    fn rate(&self) -> f64 {
        conversion_rate(self.converted.len() as u64, self.sessions.len() as u64)
    }
}

async fn a_month_of_many_stores_matches_figures_computed_from_the_events(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let stores: Vec<Uuid> = (0..14).map(|_| Uuid::new_v4()).collect();
    let currencies = ["INR", "USD", "EUR"];
    let offset_minutes = 330;
    let report_range = range("2026-01-20", "2026-02-10", offset_minutes);
    // From a day before the range to a day after it, across the January/February partitions.
    let first_ms = report_range.start_ms() - DAY_MS;
    let span_ms = (report_range.day_count() as i64 + 2) * DAY_MS;
    let events: Vec<StoreEvent> = (0..1500i64)
        .map(|i| {
            let tenant = stores[((i % 97) * i % 89 % 14) as usize];
            let session = format!("session-{}", i % 53);
            let at = first_ms + (i * 7_919_111) % span_ms;
            match i % 5 {
                0 => order(tenant, &session, at, 100 + i, currencies[(i % 3) as usize]),
                1 => event(tenant, EventKind::ProductView, &session, at),
                2 => event(tenant, EventKind::AddToCart, &session, at),
                _ => page_view(tenant, &session, at),
            }
        })
        .collect();
    for batch in events.chunks(400) {
        analytics.insert(batch).await.unwrap();
    }
    // A retried batch: duplicates across batches, unmerged on ClickHouse.
    analytics.insert(&events[400..800]).await.unwrap();

    let report = analytics.platform_report(None, &report_range).await.unwrap();
    let offset_ms = i64::from(offset_minutes) * MINUTE_MS;
    let mut totals = Expected::default();
    let mut days: BTreeMap<String, Expected> = BTreeMap::new();
    let mut by_store: BTreeMap<Uuid, Expected> = BTreeMap::new();
    for e in events.iter().filter(|e| (report_range.start_ms()..report_range.end_ms()).contains(&e.received_at_ms)) {
        totals.add(e);
        let local_day = NaiveDate::default() + chrono::Days::new(((e.received_at_ms + offset_ms) / DAY_MS) as u64);
        days.entry(local_day.to_string()).or_default().add(e);
        by_store.entry(e.tenant_id).or_default().add(e);
    }
    assert!(totals.orders > 100 && days.len() == 22, "the plan covers every day with orders");
    assert!(by_store.len() > TOP_STORES, "more stores than are listed");
    assert_eq!(
        report.totals,
        PlatformTotals {
            visits: totals.sessions.len() as u64,
            orders: totals.orders,
            gmv: totals.gmv(),
            conversion_rate: totals.rate(),
        }
    );
    let expected_days: Vec<PlatformDay> = report_range
        .days()
        .map(|day| {
            let e = days.remove(&day.to_string()).unwrap_or_default();
            PlatformDay {
                date: day.to_string(),
                visits: e.sessions.len() as u64,
                orders: e.orders,
                gmv: e.gmv(),
                conversion_rate: e.rate(),
            }
        })
        .collect();
    assert_eq!(report.days, expected_days);
    let mut expected_stores: Vec<StoreFigures> = by_store
        .into_iter()
        .map(|(tenant_id, e)| StoreFigures {
            tenant_id,
            visits: e.sessions.len() as u64,
            orders: e.orders,
            gmv: e.gmv(),
            conversion_rate: e.rate(),
        })
        .collect();
    expected_stores
        .sort_by(|a, b| b.orders.cmp(&a.orders).then(b.visits.cmp(&a.visits)).then(a.tenant_id.cmp(&b.tenant_id)));
    expected_stores.truncate(TOP_STORES);
    assert_eq!(report.top_stores, expected_stores);
}

async fn a_range_built_by_hand_is_checked_by_the_store(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    match analytics.platform_report(None, &range("2026-03-02", "2026-03-01", 0)).await {
        Err(AnalyticsError::Invalid(message)) => assert!(message.contains("to"), "{message}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    let too_long = range("2026-01-01", "2027-01-02", 0);
    assert!(matches!(analytics.platform_report(None, &too_long).await, Err(AnalyticsError::Invalid(_))));
    let bad_offset = range("2026-01-01", "2026-01-01", 900);
    assert!(matches!(
        analytics.platform_report(Some(Uuid::new_v4()), &bad_offset).await,
        Err(AnalyticsError::Invalid(_))
    ));
}
