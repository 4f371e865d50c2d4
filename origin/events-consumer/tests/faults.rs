//! The events-consumer binary against a real Redis (BullMQ) and a real ClickHouse, under the
//! faults the issue names: exact counts after 10,000 events, a consumer killed mid-batch, ClickHouse
//! stopped for 30 s under load, a partial batch flushed when idle, a malformed event, SIGTERM; plus
//! Node's `bullmq` as the producer, and the embedded (SQLite) path.
//!
//! Redis comes from `ZELLY_TEST_REDIS_URL` (each case on its own key prefix) and ClickHouse from
//! `zelly_analytics::testing` (each case on its own database; the outage case on its own server).
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use uuid::Uuid;
use zelly_analytics::testing as ch;
use zelly_analytics::{AnalyticsConfig, ClickHouseConfig, DynAnalytics};
use zelly_edge::events::{EventInput, EventKind, StoreEvent};
use zelly_queue::testing as q;
use zelly_queue::{DynQueues, JobState, NewJob, QueueConfig, RedisConfig, STORE_EVENTS};

/// Where a case's consumer reads and writes.
struct Setup {
    queue_env: Vec<(&'static str, String)>,
    analytics_env: Vec<(&'static str, String)>,
    queues: DynQueues,
    analytics: DynAnalytics,
    logs: PathBuf,
}

impl Drop for Setup {
    /// Keeps the consumers' logs of a failed case (its message names the folder), removes the rest.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.logs);
        }
    }
}

/// BullMQ on a fresh prefix and ClickHouse on a fresh database of `url`; `None` when either is
/// missing (skipped, or failed when required).
async fn bull_and_clickhouse(clickhouse_url: Option<String>) -> Option<Setup> {
    let redis = q::redis_url()?;
    let url = match clickhouse_url {
        Some(url) => url,
        None => ch::clickhouse_url()?,
    };
    let prefix = q::fresh_prefix();
    let queues = zelly_queue::connect(&QueueConfig::Redis(RedisConfig { prefix: prefix.clone(), ..RedisConfig::new(redis.clone()) }))
        .await
        .unwrap();
    let config: ClickHouseConfig = ch::clickhouse_config_at(&url);
    let analytics = zelly_analytics::connect(&AnalyticsConfig::ClickHouse(config.clone())).await.unwrap();
    Some(Setup {
        queue_env: vec![("REDIS_URL", redis), ("BULLMQ_PREFIX", prefix)],
        analytics_env: vec![("CLICKHOUSE_HOST", url), ("CLICKHOUSE_DATABASE", config.database)],
        queues,
        analytics,
        logs: log_dir(),
    })
}

fn log_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zelly-consumer-test-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts the consumer binary with the case's backends and `extra` settings.
fn consumer(setup: &Setup, name: &str, extra: &[(&str, &str)]) -> Child {
    let log = std::fs::File::create(setup.logs.join(format!("{name}.log"))).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_events-consumer"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "info,events_consumer=debug")
        .envs(setup.queue_env.iter().map(|(k, v)| (*k, v.as_str())))
        .envs(setup.analytics_env.iter().map(|(k, v)| (*k, v.as_str())))
        .envs(extra.iter().copied())
        .stdout(Stdio::from(log.try_clone().unwrap()))
        .stderr(Stdio::from(log))
        .kill_on_drop(true);
    cmd.spawn().unwrap()
}

/// `n` valid events of one tenant: page views, product views and add-to-carts over 50 sessions.
fn events(tenant: Uuid, n: usize) -> Vec<StoreEvent> {
    let product = Uuid::from_u128(0xfeed);
    (0..n)
        .map(|i| {
            let kind = [EventKind::PageView, EventKind::ProductView, EventKind::AddToCart][i % 3];
            StoreEvent {
                event_id: Uuid::new_v4(),
                tenant_id: tenant,
                received_at_ms: 1_795_176_000_000 + i as i64,
                event: EventInput {
                    kind,
                    session_id: format!("session-{}", i % 50),
                    path: "/products/tee".into(),
                    client_time_ms: None,
                    product_id: (kind != EventKind::PageView).then_some(product),
                    variant_id: (kind == EventKind::AddToCart).then_some(Uuid::from_u128(0xbeef)),
                    quantity: (kind == EventKind::AddToCart).then_some(1),
                    query: None,
                    order_id: None,
                    value: None,
                },
            }
        })
        .collect()
}

/// Publishes events as core-api's intake does: one job per event, id = `event_id`.
async fn publish(queues: &DynQueues, events: &[StoreEvent]) {
    for chunk in events.chunks(1000) {
        let jobs = chunk
            .iter()
            .map(|e| {
                NewJob::new(e.event.kind.as_str(), serde_json::to_value(e).unwrap())
                    .with_id(e.event_id.to_string())
                    .with_retries(20, Duration::from_millis(500))
            })
            .collect();
        queues.add_bulk(STORE_EVENTS, jobs).await.unwrap();
    }
}

/// Waits until the tenant has `expected` events stored and the queue has completed `completed` jobs.
async fn wait_for(setup: &Setup, tenant: Uuid, expected: u64, completed: u64, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let stored = setup.analytics.event_count(tenant).await.unwrap_or(0);
        let counts = setup.queues.counts(STORE_EVENTS).await.unwrap();
        if stored == expected && counts.completed == completed {
            return;
        }
        assert!(stored <= expected, "more events stored ({stored}) than sent ({expected})");
        assert!(
            Instant::now() < deadline,
            "after {within:?}: {stored} of {expected} events stored, queue {counts:?}; logs in {}",
            setup.logs.display()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The range report's totals of the tenant on 2026-11-20, the day the events are dated.
async fn totals(setup: &Setup, tenant: Uuid) -> zelly_edge::analytics::Metrics {
    let query = zelly_edge::analytics::AnalyticsQuery { from: "2026-11-20".into(), to: "2026-11-20".into(), utc_offset_minutes: 0 };
    let range = zelly_analytics::ReportRange::parse(&query).unwrap();
    setup.analytics.report(tenant, &range).await.unwrap().totals
}

fn signal(child: &Child, sig: &str) {
    let pid = child.id().unwrap().to_string();
    assert!(std::process::Command::new("kill").args(["-s", sig, &pid]).status().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_events_are_counted_exactly_once() {
    let Some(setup) = bull_and_clickhouse(None).await else { return };
    let tenant = Uuid::new_v4();
    let other = Uuid::new_v4();
    let sent = events(tenant, 10_000);
    publish(&setup.queues, &sent).await;
    // A producer retrying a publish adds nothing: same ids.
    publish(&setup.queues, &sent[..500]).await;
    publish(&setup.queues, &events(other, 30)).await;
    let mut c = consumer(&setup, "consumer", &[]);
    wait_for(&setup, tenant, 10_000, 10_030, Duration::from_secs(240)).await;
    let t = totals(&setup, tenant).await;
    assert_eq!((t.page_views, t.product_views, t.add_to_carts, t.visits), (3334, 3333, 3333, 50));
    assert_eq!(setup.analytics.event_count(other).await.unwrap(), 30, "tenants are counted apart");
    signal(&c, "TERM");
    assert!(tokio::time::timeout(Duration::from_secs(30), c.wait()).await.unwrap().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumer_killed_mid_batch_neither_loses_nor_doubles_events() {
    let Some(setup) = bull_and_clickhouse(None).await else { return };
    let tenant = Uuid::new_v4();
    let sent = events(tenant, 3000);
    publish(&setup.queues, &sent).await;
    // The first consumer pauses between storing a batch and completing its jobs: killing it then
    // leaves events stored whose jobs will be delivered again.
    let fast_locks = [("EVENTS_LOCK_DURATION_MS", "2000")];
    let mut first = consumer(&setup, "first", &[fast_locks[0], ("EVENTS_ACK_DELAY_MS", "30000")]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while setup.analytics.event_count(tenant).await.unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline, "the first consumer stored nothing; logs in {}", setup.logs.display());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    let stored_at_kill = setup.analytics.event_count(tenant).await.unwrap();
    assert_eq!(setup.queues.counts(STORE_EVENTS).await.unwrap().completed, 0, "nothing was acknowledged");
    assert!(stored_at_kill >= 500, "a whole batch was stored before the kill: {stored_at_kill}");

    let mut second = consumer(&setup, "second", &fast_locks);
    wait_for(&setup, tenant, 3000, 3000, Duration::from_secs(180)).await;
    let t = totals(&setup, tenant).await;
    assert_eq!((t.page_views, t.product_views, t.add_to_carts), (1000, 1000, 1000), "redelivered events counted once");
    assert_eq!(setup.queues.counts(STORE_EVENTS).await.unwrap().failed, 0);
    signal(&second, "TERM");
    assert!(tokio::time::timeout(Duration::from_secs(30), second.wait()).await.unwrap().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clickhouse_stopped_for_30_seconds_under_load_loses_nothing() {
    let Some(mut server) = ch::temp_clickhouse() else { return };
    let Some(setup) = bull_and_clickhouse(Some(server.url())).await else { return };
    let tenant = Uuid::new_v4();
    let mut c = consumer(&setup, "consumer", &[("EVENTS_FLUSH_INTERVAL_MS", "1000")]);
    // Load: 50 events every 200 ms for 40 s, while ClickHouse is down from second 5 to second 35.
    let all = events(tenant, 10_000);
    let producer = {
        let queues = setup.queues.clone();
        let all = all.clone();
        tokio::spawn(async move {
            for chunk in all.chunks(50) {
                publish(&queues, chunk).await;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    tokio::time::sleep(Duration::from_secs(5)).await;
    let stopped = tokio::task::spawn_blocking(move || {
        server.stop();
        server
    })
    .await
    .unwrap();
    let mut server = stopped;
    tokio::time::sleep(Duration::from_secs(30)).await;
    let counts = setup.queues.counts(STORE_EVENTS).await.unwrap();
    assert_eq!(counts.failed, 0, "no job fails while storage is down: {counts:?}");
    server = tokio::task::spawn_blocking(move || {
        server.start().unwrap();
        server
    })
    .await
    .unwrap();
    producer.await.unwrap();
    wait_for(&setup, tenant, 10_000, 10_000, Duration::from_secs(180)).await;
    assert_eq!(setup.queues.counts(STORE_EVENTS).await.unwrap().failed, 0);
    let t = totals(&setup, tenant).await;
    assert_eq!(t.page_views + t.product_views + t.add_to_carts, 10_000);
    signal(&c, "TERM");
    assert!(tokio::time::timeout(Duration::from_secs(30), c.wait()).await.unwrap().unwrap().success());
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_batch_is_stored_once_the_flush_interval_passes() {
    let Some(setup) = bull_and_clickhouse(None).await else { return };
    let tenant = Uuid::new_v4();
    let mut c = consumer(&setup, "consumer", &[("EVENTS_BATCH_SIZE", "500"), ("EVENTS_FLUSH_INTERVAL_MS", "3000")]);
    // Let the worker come up before timing anything.
    publish(&setup.queues, &events(Uuid::new_v4(), 1)).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while setup.queues.counts(STORE_EVENTS).await.unwrap().completed < 1 {
        assert!(Instant::now() < deadline, "the consumer did not start; logs in {}", setup.logs.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let published = Instant::now();
    publish(&setup.queues, &events(tenant, 499)).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(setup.analytics.event_count(tenant).await.unwrap(), 0, "499 of 500 wait for the interval, not the batch");
    wait_for(&setup, tenant, 499, 500, Duration::from_secs(15)).await;
    eprintln!("499 events stored {:?} after publishing (interval 3 s)", published.elapsed());
    assert!(published.elapsed() >= Duration::from_millis(2500), "flushed before the interval");
    signal(&c, "TERM");
    assert!(tokio::time::timeout(Duration::from_secs(30), c.wait()).await.unwrap().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_event_fails_alone_with_its_reason() {
    let Some(setup) = bull_and_clickhouse(None).await else { return };
    let tenant = Uuid::new_v4();
    let good = events(tenant, 20);
    publish(&setup.queues, &good[..10]).await;
    let garbage = NewJob::new("page_view", json!({ "event_id": "not-a-uuid", "kind": "page_view" })).with_id("bad-json");
    let mut invalid = serde_json::to_value(&events(tenant, 2)[1]).unwrap();
    invalid.as_object_mut().unwrap().remove("product_id");
    let invalid = NewJob::new("product_view", invalid).with_id("bad-event");
    setup.queues.add_bulk(STORE_EVENTS, vec![garbage, invalid]).await.unwrap();
    publish(&setup.queues, &good[10..]).await;
    let mut c = consumer(&setup, "consumer", &[]);
    wait_for(&setup, tenant, 20, 20, Duration::from_secs(60)).await;
    for (id, reason) in [("bad-json", "malformed"), ("bad-event", "product_id")] {
        let status = setup.queues.status(STORE_EVENTS, id).await.unwrap().unwrap();
        assert_eq!(status.state, JobState::Failed, "{id}");
        assert_eq!(status.attempts_made, 1, "{id} is not retried");
        let why = status.failed_reason.unwrap_or_default();
        assert!(why.contains(reason), "{id}: {why}");
    }
    assert_eq!(setup.queues.counts(STORE_EVENTS).await.unwrap().failed, 2);
    signal(&c, "TERM");
    assert!(tokio::time::timeout(Duration::from_secs(30), c.wait()).await.unwrap().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stores_what_is_held_and_exits() {
    let Some(setup) = bull_and_clickhouse(None).await else { return };
    let tenant = Uuid::new_v4();
    let mut c = consumer(&setup, "consumer", &[("EVENTS_FLUSH_INTERVAL_MS", "600000")]);
    publish(&setup.queues, &events(tenant, 100)).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while setup.queues.counts(STORE_EVENTS).await.unwrap().active < 100 {
        assert!(Instant::now() < deadline, "the consumer did not take the jobs; logs in {}", setup.logs.display());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(setup.analytics.event_count(tenant).await.unwrap(), 0, "held for a fuller batch");
    signal(&c, "TERM");
    let status = tokio::time::timeout(Duration::from_secs(30), c.wait()).await.unwrap().unwrap();
    assert!(status.success(), "{status}");
    assert_eq!(setup.analytics.event_count(tenant).await.unwrap(), 100);
    assert_eq!(setup.queues.counts(STORE_EVENTS).await.unwrap().completed, 100);
}

/// The test Redis when Node's `bullmq` is installed too.
fn node_ready() -> bool {
    let e2e = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e");
    let node = std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !node || !e2e.join("node_modules/bullmq/package.json").exists() {
        q::skip_or_fail("node and e2e/node_modules/bullmq are needed (npm ci in e2e/)");
        return false;
    }
    true
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_added_by_nodes_bullmq_are_stored_by_the_consumer() {
    let Some(setup) = bull_and_clickhouse(None).await else { return };
    if !node_ready() {
        return;
    }
    let tenant = Uuid::new_v4();
    let prefix = setup.queue_env.iter().find(|(k, _)| *k == "BULLMQ_PREFIX").unwrap().1.clone();
    let redis = setup.queue_env.iter().find(|(k, _)| *k == "REDIS_URL").unwrap().1.clone();
    let e2e = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e");
    let out = Command::new("node")
        .arg(e2e.join("interop/add-store-events.mjs"))
        .current_dir(&e2e)
        .env("INTEROP_REDIS_URL", &redis)
        .env("INTEROP_PREFIX", &prefix)
        .env("INTEROP_QUEUE", STORE_EVENTS)
        .env("INTEROP_COUNT", "300")
        .env("INTEROP_TENANT", tenant.to_string())
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(out.stdout.split(|b| *b == b'\n').find(|l| !l.is_empty()).unwrap()).unwrap();
    assert_eq!(report["jobs"].as_array().unwrap().len(), 300);
    let mut c = consumer(&setup, "consumer", &[]);
    wait_for(&setup, tenant, 300, 300, Duration::from_secs(60)).await;
    signal(&c, "TERM");
    assert!(tokio::time::timeout(Duration::from_secs(30), c.wait()).await.unwrap().unwrap().success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_embedded_path_counts_exactly_too() {
    let dir = log_dir();
    let queues = zelly_queue::connect(&QueueConfig::Sqlite { path: dir.join("queues.db") }).await.unwrap();
    let analytics = zelly_analytics::connect(&AnalyticsConfig::Sqlite { path: dir.join("analytics.db") }).await.unwrap();
    let setup = Setup {
        queue_env: vec![("ZELLY_DATA_DIR", dir.display().to_string())],
        analytics_env: vec![],
        queues,
        analytics,
        logs: dir,
    };
    let tenant = Uuid::new_v4();
    let sent = events(tenant, 2000);
    publish(&setup.queues, &sent).await;
    publish(&setup.queues, &sent[..100]).await;
    let mut first = consumer(&setup, "first", &[("EVENTS_LOCK_DURATION_MS", "2000"), ("EVENTS_ACK_DELAY_MS", "30000")]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while setup.analytics.event_count(tenant).await.unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline, "nothing stored; logs in {}", setup.logs.display());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    let mut second = consumer(&setup, "second", &[("EVENTS_LOCK_DURATION_MS", "2000")]);
    wait_for(&setup, tenant, 2000, 2000, Duration::from_secs(120)).await;
    let t = totals(&setup, tenant).await;
    assert_eq!(t.page_views + t.product_views + t.add_to_carts, 2000);
    signal(&second, "TERM");
    assert!(tokio::time::timeout(Duration::from_secs(30), second.wait()).await.unwrap().unwrap().success());
}
