//! One suite for both analytics backends: every case runs on SQLite and on ClickHouse (see
//! `zelly_analytics::testing` for where the ClickHouse comes from), followed by the cases that
//! only make sense for ClickHouse (a server that goes away, a server that never answers).
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};
use uuid::Uuid;
use zelly_analytics::clickhouse::ClickHouseAnalytics;
use zelly_analytics::testing::{clickhouse_config, clickhouse_config_at, temp_clickhouse};
use zelly_analytics::{AnalyticsConfig, AnalyticsError, ClickHouseConfig, DynAnalytics, ReportRange, connect};
use zelly_edge::analytics::{AnalyticsQuery, Metrics, TOP_PRODUCTS, TopProduct, conversion_rate};
use zelly_edge::domain::{Currency, Money};
use zelly_edge::events::{EventInput, EventKind, StoreEvent};

const HOUR_MS: i64 = 3_600_000;
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

/// An event of `kind` with whatever fields that kind requires.
fn event(tenant: Uuid, kind: EventKind, session: &str, received_at_ms: i64, product: Option<Uuid>) -> StoreEvent {
    let order = kind == EventKind::OrderPlaced;
    StoreEvent {
        event_id: Uuid::new_v4(),
        tenant_id: tenant,
        received_at_ms,
        event: EventInput {
            kind,
            session_id: session.into(),
            path: "/".into(),
            client_time_ms: Some(received_at_ms - 250),
            product_id: product,
            variant_id: (kind == EventKind::AddToCart).then(Uuid::new_v4),
            quantity: (kind == EventKind::AddToCart).then_some(2),
            query: (kind == EventKind::Search).then(|| "brass lamp".into()),
            order_id: order.then(|| format!("order-{received_at_ms}")),
            value: order.then(|| Money::new(129_900, Currency::INR)),
        },
    }
}

fn page_view(tenant: Uuid, session: &str, at: i64) -> StoreEvent {
    event(tenant, EventKind::PageView, session, at, None)
}

async fn store(config: &AnalyticsConfig) -> DynAnalytics {
    connect(config).await.unwrap()
}

// ---------------------------------------------------------------------------------------------
// Cases on both backends.
// ---------------------------------------------------------------------------------------------

zelly_analytics::on_both_backends!(
    an_event_repeated_in_a_batch_and_in_later_batches_is_counted_once,
    two_thousand_events_in_batches_are_counted_exactly,
    days_follow_the_merchants_offset_around_utc_midnight,
    every_day_of_the_range_is_present_with_zeros_for_quiet_days,
    visits_are_distinct_per_day_and_over_the_whole_range,
    conversion_is_sessions_with_an_order_over_visits,
    top_products_rank_by_views_then_add_to_carts_then_id_and_stop_at_ten,
    one_tenants_events_never_reach_another_tenants_report_or_count,
    connecting_twice_keeps_the_schema_and_the_events,
    a_range_built_by_hand_is_checked_by_the_store,
);

async fn an_event_repeated_in_a_batch_and_in_later_batches_is_counted_once(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let tenant = Uuid::new_v4();
    let at = utc("2026-03-01", 10 * HOUR_MS);
    let first = page_view(tenant, "s1", at);
    let second = event(tenant, EventKind::ProductView, "s1", at + 1, Some(Uuid::new_v4()));
    let third = page_view(tenant, "s2", at + 2);

    analytics.insert(&[first.clone(), first.clone(), second.clone()]).await.unwrap();
    // A retried batch, and the same event again inside another batch.
    analytics.insert(&[first.clone(), first.clone(), second.clone()]).await.unwrap();
    analytics.insert(&[third.clone(), first.clone()]).await.unwrap();
    analytics.insert(&[]).await.unwrap();

    assert_eq!(analytics.event_count(tenant).await.unwrap(), 3);
    let report = analytics.report(tenant, &range("2026-03-01", "2026-03-01", 0)).await.unwrap();
    assert_eq!((report.totals.page_views, report.totals.product_views, report.totals.visits), (2, 1, 2));
    assert_eq!(report.days[0].metrics, report.totals);
    assert_eq!(report.top_products.len(), 1);
    assert_eq!(report.top_products[0].views, 1);
}

/// What a report should say, computed from the events themselves.
#[derive(Default)]
struct Expected {
    sessions: HashSet<String>,
    converted: HashSet<String>,
    kinds: HashMap<EventKind, u64>,
}

impl Expected {
    fn add(&mut self, event: &StoreEvent) {
        self.sessions.insert(event.event.session_id.clone());
        if event.event.kind == EventKind::OrderPlaced {
            self.converted.insert(event.event.session_id.clone());
        }
        *self.kinds.entry(event.event.kind).or_default() += 1;
    }

    fn metrics(&self) -> Metrics {
        let kind = |k| self.kinds.get(&k).copied().unwrap_or(0);
        let visits = self.sessions.len() as u64;
        Metrics {
            visits,
            page_views: kind(EventKind::PageView),
            product_views: kind(EventKind::ProductView),
            add_to_carts: kind(EventKind::AddToCart),
            checkouts: kind(EventKind::CheckoutStarted),
            orders: kind(EventKind::OrderPlaced),
            conversion_rate: conversion_rate(self.converted.len() as u64, visits),
        }
    }
}

async fn two_thousand_events_in_batches_are_counted_exactly(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let tenant = Uuid::new_v4();
    let kinds = [
        EventKind::PageView,
        EventKind::ProductView,
        EventKind::AddToCart,
        EventKind::Search,
        EventKind::CheckoutStarted,
        EventKind::OrderPlaced,
        EventKind::PageView,
    ];
    let products: Vec<Uuid> = (0..13).map(|_| Uuid::new_v4()).collect();
    let events: Vec<StoreEvent> = (0..2000usize)
        .map(|i| {
            let kind = kinds[i % kinds.len()];
            let product = matches!(kind, EventKind::ProductView | EventKind::AddToCart).then(|| products[(i * 7) % 13]);
            let day = (i % 5) as i64;
            let at = utc("2026-05-10", day * DAY_MS + (i as i64 * 41_000) % DAY_MS);
            event(tenant, kind, &format!("session-{}", i % 97), at, product)
        })
        .collect();

    let started = Instant::now();
    for batch in events.chunks(500) {
        analytics.insert(batch).await.unwrap();
    }
    // The consumer retrying a batch after a crash, and a batch mixing old and repeated events.
    analytics.insert(&events[500..1000]).await.unwrap();
    let mixed: Vec<StoreEvent> = events.iter().step_by(3).cloned().chain(events.iter().step_by(5).cloned()).collect();
    analytics.insert(&mixed).await.unwrap();
    let inserted_in = started.elapsed();

    assert_eq!(analytics.event_count(tenant).await.unwrap(), 2000);
    let report = analytics.report(tenant, &range("2026-05-09", "2026-05-15", 0)).await.unwrap();
    eprintln!("{}: 2,000 events (3,167 sent) stored in {inserted_in:?}", config_backend(&config));

    let mut totals = Expected::default();
    let mut days: BTreeMap<String, Expected> = BTreeMap::new();
    let mut product_counts: HashMap<Uuid, (u64, u64)> = HashMap::new();
    for e in &events {
        totals.add(e);
        let day = NaiveDate::default() + chrono::Days::new((e.received_at_ms / DAY_MS) as u64);
        days.entry(day.to_string()).or_default().add(e);
        if let Some(product) = e.event.product_id {
            let entry = product_counts.entry(product).or_default();
            match e.event.kind {
                EventKind::ProductView => entry.0 += 1,
                EventKind::AddToCart => entry.1 += 1,
                _ => {}
            }
        }
    }
    assert_eq!(report.totals, totals.metrics());
    assert_eq!(report.days.len(), 7);
    for day in &report.days {
        let expected = days.get(&day.date).map(Expected::metrics).unwrap_or_default();
        assert_eq!(day.metrics, expected, "{}", day.date);
    }
    let mut expected_products: Vec<TopProduct> = product_counts
        .into_iter()
        .map(|(product_id, (views, add_to_carts))| TopProduct {
            product_id,
            title: None,
            handle: None,
            views,
            add_to_carts,
        })
        .collect();
    expected_products.sort_by(|a, b| {
        b.views.cmp(&a.views).then(b.add_to_carts.cmp(&a.add_to_carts)).then(a.product_id.cmp(&b.product_id))
    });
    expected_products.truncate(TOP_PRODUCTS);
    assert_eq!(report.top_products, expected_products);
}

fn config_backend(config: &AnalyticsConfig) -> &'static str {
    match config {
        AnalyticsConfig::ClickHouse(_) => "clickhouse",
        AnalyticsConfig::Sqlite { .. } => "sqlite",
    }
}

async fn days_follow_the_merchants_offset_around_utc_midnight(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let tenant = Uuid::new_v4();
    // India is UTC+5:30: its midnight is 18:30 UTC the day before.
    let india_midnight = utc("2026-03-01", 18 * HOUR_MS + 30 * 60_000);
    analytics
        .insert(&[
            page_view(tenant, "before-range", utc("2026-02-28", 18 * HOUR_MS + 30 * 60_000) - 1),
            page_view(tenant, "last-ms-of-march-1", india_midnight - 1),
            page_view(tenant, "first-ms-of-march-2", india_midnight),
            page_view(tenant, "utc-march-2-noon", utc("2026-03-02", 12 * HOUR_MS)),
            page_view(tenant, "after-range", utc("2026-03-02", 18 * HOUR_MS + 30 * 60_000)),
        ])
        .await
        .unwrap();

    let india = analytics.report(tenant, &range("2026-03-01", "2026-03-02", 330)).await.unwrap();
    assert_eq!(india.utc_offset_minutes, 330);
    let per_day: Vec<(&str, u64)> = india.days.iter().map(|d| (d.date.as_str(), d.metrics.page_views)).collect();
    assert_eq!(per_day, [("2026-03-01", 1), ("2026-03-02", 2)]);
    assert_eq!(india.totals.page_views, 3);

    let utc_days = analytics.report(tenant, &range("2026-03-01", "2026-03-02", 0)).await.unwrap();
    let per_day: Vec<(&str, u64)> = utc_days.days.iter().map(|d| (d.date.as_str(), d.metrics.page_views)).collect();
    assert_eq!(per_day, [("2026-03-01", 2), ("2026-03-02", 2)]);

    // West of UTC: 18:29:59.999 UTC on March 1 is still March 1 at -05:00.
    let new_york = analytics.report(tenant, &range("2026-03-01", "2026-03-01", -300)).await.unwrap();
    assert_eq!(new_york.totals.page_views, 2);
}

async fn every_day_of_the_range_is_present_with_zeros_for_quiet_days(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let tenant = Uuid::new_v4();
    analytics
        .insert(&[
            page_view(tenant, "a", utc("2026-12-30", HOUR_MS)),
            page_view(tenant, "b", utc("2027-01-03", HOUR_MS)),
        ])
        .await
        .unwrap();
    let report = analytics.report(tenant, &range("2026-12-29", "2027-01-04", 0)).await.unwrap();
    let dates: Vec<&str> = report.days.iter().map(|d| d.date.as_str()).collect();
    assert_eq!(
        dates,
        ["2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"]
    );
    let views: Vec<u64> = report.days.iter().map(|d| d.metrics.page_views).collect();
    assert_eq!(views, [0, 1, 0, 0, 0, 1, 0]);
    assert_eq!(report.days[0].metrics, Metrics::default());
    assert_eq!((report.from.as_str(), report.to.as_str()), ("2026-12-29", "2027-01-04"));

    // A tenant with no events at all still gets every day.
    let empty = analytics.report(Uuid::new_v4(), &range("2026-01-01", "2026-12-31", 60)).await.unwrap();
    assert_eq!(empty.days.len(), 365);
    assert_eq!(empty.totals, Metrics::default());
    assert!(empty.top_products.is_empty());
}

async fn visits_are_distinct_per_day_and_over_the_whole_range(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let tenant = Uuid::new_v4();
    let product = Some(Uuid::new_v4());
    analytics
        .insert(&[
            page_view(tenant, "returning", utc("2026-04-01", HOUR_MS)),
            event(tenant, EventKind::ProductView, "returning", utc("2026-04-01", 2 * HOUR_MS), product),
            page_view(tenant, "returning", utc("2026-04-02", HOUR_MS)),
            event(tenant, EventKind::Search, "newcomer", utc("2026-04-02", 3 * HOUR_MS), None),
        ])
        .await
        .unwrap();
    let report = analytics.report(tenant, &range("2026-04-01", "2026-04-02", 0)).await.unwrap();
    let visits: Vec<u64> = report.days.iter().map(|d| d.metrics.visits).collect();
    assert_eq!(visits, [1, 2], "a session with two events on a day is one visit; a search is a visit too");
    assert_eq!(report.totals.visits, 2, "the range's visits are distinct sessions, not 1 + 2");
}

async fn conversion_is_sessions_with_an_order_over_visits(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let tenant = Uuid::new_v4();
    let at = utc("2026-06-15", 9 * HOUR_MS);
    let mut events: Vec<StoreEvent> = ["a", "b", "c", "d"].iter().map(|s| page_view(tenant, s, at)).collect();
    events.push(event(tenant, EventKind::CheckoutStarted, "a", at + 1, None));
    events.push(event(tenant, EventKind::OrderPlaced, "a", at + 2, None));
    events.push(event(tenant, EventKind::OrderPlaced, "a", at + 3, None));
    events.push(event(tenant, EventKind::CheckoutStarted, "b", at + 4, None));
    // The next day, session "a" comes back and orders again: one visit, one conversion there.
    events.push(event(tenant, EventKind::OrderPlaced, "a", at + DAY_MS, None));
    analytics.insert(&events).await.unwrap();

    let report = analytics.report(tenant, &range("2026-06-15", "2026-06-16", 0)).await.unwrap();
    let first = &report.days[0].metrics;
    assert_eq!((first.visits, first.checkouts, first.orders), (4, 2, 2));
    assert!((first.conversion_rate - 0.25).abs() < 1e-12, "{}", first.conversion_rate);
    let second = &report.days[1].metrics;
    assert_eq!((second.visits, second.orders), (1, 1));
    assert!((second.conversion_rate - 1.0).abs() < 1e-12);
    assert_eq!((report.totals.visits, report.totals.orders), (4, 3));
    assert!((report.totals.conversion_rate - 0.25).abs() < 1e-12);
}

async fn top_products_rank_by_views_then_add_to_carts_then_id_and_stop_at_ten(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let tenant = Uuid::new_v4();
    let at = utc("2026-07-01", HOUR_MS);
    let id = |n: u128| Uuid::from_u128(n);
    // (product, views, add-to-carts). Ids chosen so that text order and number order agree.
    let plan: [(u128, u64, u64); 13] = [
        (0x10, 5, 0),
        (0x20, 9, 1),
        (0x30, 5, 3), // ties with 0x10 and 0x40 on views; wins on add-to-carts
        (0x40, 5, 0), // ties with 0x10 on both: the smaller id first
        (0x50, 1, 0),
        (0x60, 2, 0),
        (0x70, 3, 0),
        (0x80, 4, 0),
        (0x90, 6, 0),
        (0xa0, 7, 0),
        (0xb0, 0, 4), // only carts: after every viewed product
        (0xc0, 0, 2),
        (u128::MAX, 8, 0),
    ];
    let mut events = Vec::new();
    for (product, views, carts) in plan {
        for n in 0..views {
            events.push(event(tenant, EventKind::ProductView, &format!("v{n}"), at + n as i64, Some(id(product))));
        }
        for n in 0..carts {
            events.push(event(tenant, EventKind::AddToCart, &format!("c{n}"), at + n as i64, Some(id(product))));
        }
    }
    analytics.insert(&events).await.unwrap();

    let report = analytics.report(tenant, &range("2026-07-01", "2026-07-01", 0)).await.unwrap();
    let ranked: Vec<(Uuid, u64, u64)> =
        report.top_products.iter().map(|p| (p.product_id, p.views, p.add_to_carts)).collect();
    let expected: Vec<(Uuid, u64, u64)> = [
        (0x20, 9, 1),
        (u128::MAX, 8, 0),
        (0xa0, 7, 0),
        (0x90, 6, 0),
        (0x30, 5, 3),
        (0x10, 5, 0),
        (0x40, 5, 0),
        (0x80, 4, 0),
        (0x70, 3, 0),
        (0x60, 2, 0),
    ]
    .into_iter()
    .map(|(p, v, c)| (id(p), v, c))
    .collect();
    assert_eq!(ranked, expected);
    assert!(report.top_products.iter().all(|p| p.title.is_none() && p.handle.is_none()), "core-api fills titles");

    // With few products, those only added to carts follow the viewed ones.
    let other = Uuid::new_v4();
    analytics
        .insert(&[
            event(other, EventKind::AddToCart, "s", at, Some(id(0xb0))),
            event(other, EventKind::AddToCart, "s", at + 1, Some(id(0xb0))),
            event(other, EventKind::ProductView, "s", at + 2, Some(id(0xc0))),
        ])
        .await
        .unwrap();
    let report = analytics.report(other, &range("2026-07-01", "2026-07-01", 0)).await.unwrap();
    let ranked: Vec<(Uuid, u64, u64)> =
        report.top_products.iter().map(|p| (p.product_id, p.views, p.add_to_carts)).collect();
    assert_eq!(ranked, [(id(0xc0), 1, 0), (id(0xb0), 0, 2)]);
}

async fn one_tenants_events_never_reach_another_tenants_report_or_count(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let at = utc("2026-08-08", HOUR_MS);
    let shared_product = Some(Uuid::new_v4());
    // Same session ids and product in both stores: nothing may leak across.
    let mut events = vec![
        page_view(a, "shared-session", at),
        event(a, EventKind::ProductView, "shared-session", at, shared_product),
    ];
    for n in 0..20 {
        events.push(page_view(b, "shared-session", at + n));
        events.push(event(b, EventKind::ProductView, &format!("b{n}"), at + n, shared_product));
        events.push(event(b, EventKind::OrderPlaced, &format!("b{n}"), at + n, None));
    }
    analytics.insert(&events).await.unwrap();

    assert_eq!(analytics.event_count(a).await.unwrap(), 2);
    assert_eq!(analytics.event_count(b).await.unwrap(), 60);
    let report = analytics.report(a, &range("2026-08-08", "2026-08-08", 0)).await.unwrap();
    assert_eq!(report.totals.visits, 1);
    assert_eq!((report.totals.page_views, report.totals.product_views, report.totals.orders), (1, 1, 0));
    assert_eq!(report.top_products.len(), 1);
    assert_eq!(report.top_products[0].views, 1);
    assert_eq!(analytics.event_count(Uuid::new_v4()).await.unwrap(), 0);
}

async fn connecting_twice_keeps_the_schema_and_the_events(config: AnalyticsConfig) {
    let first = store(&config).await;
    let tenant = Uuid::new_v4();
    let seen = page_view(tenant, "s", utc("2026-09-09", HOUR_MS));
    first.insert(std::slice::from_ref(&seen)).await.unwrap();

    // A second service (or a restart) connects and migrates again.
    let second = store(&config).await;
    second.ping().await.unwrap();
    assert_eq!(second.backend(), first.backend());
    second.insert(&[seen, page_view(tenant, "t", utc("2026-09-09", HOUR_MS))]).await.unwrap();
    assert_eq!(second.event_count(tenant).await.unwrap(), 2);
    assert_eq!(first.event_count(tenant).await.unwrap(), 2);
}

async fn a_range_built_by_hand_is_checked_by_the_store(config: AnalyticsConfig) {
    let analytics = store(&config).await;
    let backwards = range("2026-03-02", "2026-03-01", 0);
    match analytics.report(Uuid::new_v4(), &backwards).await {
        Err(AnalyticsError::Invalid(message)) => assert!(message.contains("to"), "{message}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
    let too_long = range("2026-01-01", "2027-01-02", 0);
    assert!(matches!(analytics.report(Uuid::new_v4(), &too_long).await, Err(AnalyticsError::Invalid(_))));
}

// ---------------------------------------------------------------------------------------------
// The public range parser, as core-api uses it.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_query_with_bad_dates_offset_or_length_names_each_field() {
    let parse = |from: &str, to: &str, offset| {
        ReportRange::parse(&AnalyticsQuery { from: from.into(), to: to.into(), utc_offset_minutes: offset })
    };
    assert_eq!(parse("2026-11-01", "2026-11-30", 330).unwrap(), range("2026-11-01", "2026-11-30", 330));
    let fields = |errors: zelly_edge::catalog::FieldErrors| errors.into_keys().collect::<Vec<_>>();
    assert_eq!(fields(parse("2026-13-01", "2026-11-30", 0).unwrap_err()), ["from"]);
    assert_eq!(fields(parse("2026-11-01", "30/11/2026", 0).unwrap_err()), ["to"]);
    assert_eq!(fields(parse("2026-11-30", "2026-11-01", 0).unwrap_err()), ["to"]);
    assert!(parse("2025-01-01", "2026-01-01", 0).is_ok(), "366 days fit");
    assert_eq!(fields(parse("2025-01-01", "2026-01-02", 0).unwrap_err()), ["to"]);
    assert_eq!(fields(parse("2026-11-01", "2026-11-30", 900).unwrap_err()), ["utc_offset_minutes"]);
}

// ---------------------------------------------------------------------------------------------
// ClickHouse only.
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clickhouse_down_is_a_prompt_error_and_inserts_work_again_after_a_restart() {
    let Some(mut server) = temp_clickhouse() else { return };
    let config = ClickHouseConfig { timeout: Duration::from_secs(10), ..clickhouse_config_at(&server.url()) };
    let analytics = ClickHouseAnalytics::connect(&config).await.unwrap();
    let store: DynAnalytics = std::sync::Arc::new(analytics);
    let tenant = Uuid::new_v4();
    let at = utc("2026-10-10", HOUR_MS);
    let before = page_view(tenant, "s", at);
    store.insert(std::slice::from_ref(&before)).await.unwrap();

    server.stop();
    let during = [page_view(tenant, "s", at + 1), page_view(tenant, "t", at + 2)];
    let started = Instant::now();
    let err = store.insert(&during).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(15), "took {:?}", started.elapsed());
    let message = err.to_string();
    eprintln!("insert while stopped: {message}");
    assert!(message.starts_with(&format!("ClickHouse at {}: insert: ", server.url())), "{message}");
    assert!(store.ping().await.is_err());
    assert!(store.report(tenant, &range("2026-10-10", "2026-10-10", 0)).await.is_err());

    server.start().unwrap();
    // The consumer retries the whole batch; nothing of the failed attempt was stored.
    store.insert(&during).await.unwrap();
    store.insert(&during).await.unwrap();
    assert_eq!(store.event_count(tenant).await.unwrap(), 3);
    let report = store.report(tenant, &range("2026-10-10", "2026-10-10", 0)).await.unwrap();
    assert_eq!((report.totals.page_views, report.totals.visits), (3, 2));
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timeout_not_a_hang() {
    // Accepts connections and never says a word.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let config = ClickHouseConfig { timeout: Duration::from_secs(1), ..ClickHouseConfig::new(&url) };
    let started = Instant::now();
    let err = ClickHouseAnalytics::connect(&config).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    eprintln!("connect to a silent server: {err}");
    assert!(err.to_string().contains(&url) && err.to_string().contains("no answer within 1 s"), "{err}");
    silent.abort();
}

#[tokio::test]
async fn nothing_listening_is_an_error_naming_the_server() {
    // A port that was free a moment ago.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let err = ClickHouseAnalytics::connect(&ClickHouseConfig::new(&url)).await.unwrap_err();
    let message = err.to_string();
    eprintln!("connect to nothing: {message}");
    assert!(message.starts_with(&format!("ClickHouse at {url}: ")), "{message}");
    assert!(message.to_lowercase().contains("connection refused"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_are_applied_and_recorded_once_and_rows_match_the_servers_format() {
    let Some(AnalyticsConfig::ClickHouse(config)) = clickhouse_config() else { return };
    let first = ClickHouseAnalytics::connect(&config).await.unwrap();
    let second = ClickHouseAnalytics::connect(&config).await.unwrap();
    assert_eq!(second.applied_migrations().await.unwrap(), [1]);
    eprintln!("ClickHouse {} (validated rows: {})", first.server_version(), first.validates_rows());
    if first.server_version().starts_with("18.") {
        assert!(!first.validates_rows(), "18.x has no RowBinaryWithNamesAndTypes");
    }
    // A second events table in the same database is migrated on its own.
    let other = ClickHouseConfig { table: "store_events_b".into(), ..config.clone() };
    let third = ClickHouseAnalytics::connect(&other).await.unwrap();
    assert_eq!(third.applied_migrations().await.unwrap(), [1]);
}
