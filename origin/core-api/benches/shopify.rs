//! `cargo xtask bench-shopify` (or `cargo bench -p core-api --bench shopify`): how fast core-api
//! takes Shopify's webhooks in (signature check, dedupe, enqueue) and imports a catalog.
//!
//! Runs in one process against the Shopify stand-in: core-api's router on a local port over the
//! embedded SQLite store and queue (or PostgreSQL and Redis when `ZELLY_TEST_DATABASE_URL` and
//! `ZELLY_TEST_REDIS_URL` are set). Options: `--webhooks N` deliveries (default 5,000) from
//! `--clients N` concurrent senders (default 16), and `--products N` to import (default 5,000).

use std::sync::Arc;
use std::time::{Duration, Instant};
use zelly_store::{DynStore, NewTenant, ShopifyConnection};

const KEY: &str = "bench-key";
const SECRET: &str = "bench-secret";
const SHOP: &str = "bench.myshopify.com";

struct Settings {
    webhooks: usize,
    clients: usize,
    products: u64,
}

fn settings() -> Settings {
    let mut s = Settings { webhooks: 5_000, clients: 16, products: 5_000 };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = || it.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or_else(|| panic!("{arg} needs a number"));
        match arg.as_str() {
            "--webhooks" => s.webhooks = usize::try_from(number()).unwrap_or(usize::MAX).max(1),
            "--clients" => s.clients = usize::try_from(number().clamp(1, 256)).unwrap_or(16),
            "--products" => s.products = number().max(1),
            "--bench" => {}
            other => panic!("unknown option {other:?}; usage: --webhooks N --clients N --products N"),
        }
    }
    s
}

async fn store() -> (DynStore, &'static str) {
    if let Some(store) = zelly_store::testing::postgres_store().await {
        (store, "PostgreSQL")
    } else {
        (zelly_store::testing::sqlite_store().await, "SQLite")
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

fn main() {
    let settings = settings();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    rt.block_on(run(settings));
}

async fn run(settings: Settings) {
    let (store, store_kind) = store().await;
    let mut state = core_api::testing::state(store.clone(), "bench-storefront-token-0123456789", None).await;
    let mut queue_kind = "SQLite";
    let redis_set = std::env::var("ZELLY_TEST_REDIS_URL").is_ok_and(|url| !url.trim().is_empty());
    if let Some(config) = redis_set.then(zelly_queue::testing::redis_config).flatten() {
        state.queues = zelly_queue::connect(&config).await.expect("the test Redis is reachable");
        queue_kind = "BullMQ on Redis";
    }
    let standin = shopify_standin::Standin::new(KEY, SECRET);
    let standin_url = zelly_service::serve_in_background(shopify_standin::app(standin.clone())).await.expect("the stand-in starts");
    let app = core_api::testing::shopify_app(KEY, SECRET, &standin_url);
    state.shopify_secrets = Arc::new(vec![zelly_store::config::Secret::new(SECRET)]);
    let tenant = store
        .create_tenant(&NewTenant { slug: zelly_edge::TenantSlug::parse("bench").expect("a slug"), name: "Bench".into() })
        .await
        .expect("a tenant")
        .id;
    let sealed = app.seal(&standin.issue_token(SHOP)).expect("sealed");
    store
        .connect_shopify(tenant, &ShopifyConnection { shop_domain: SHOP.into(), sealed_token: sealed, scopes: String::new(), connected_at_ms: 1 })
        .await
        .expect("connected");
    state.shopify = Some(app);
    let base = zelly_service::serve_in_background(core_api::app(state.clone())).await.expect("core-api starts");
    println!("store: {store_kind}, queue: {queue_kind}");

    // --- Webhooks: distinct deliveries of products/update, signed like Shopify's.
    let product = standin.with_shop(SHOP, |s| {
        let id = s.add_sample(1);
        shopify_standin::catalog::rest_payload(&s.products[&id])
    });
    let deliveries: Vec<(Vec<(&'static str, String)>, Vec<u8>)> = (0..settings.webhooks)
        .map(|_| standin.signed(SHOP, &standin.delivery("products/update", product.clone())))
        .collect();
    let deliveries = Arc::new(deliveries);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let http = reqwest::Client::new();
    let url = format!("{base}/api/webhooks/shopify");
    let started = Instant::now();
    let mut senders = Vec::new();
    for _ in 0..settings.clients {
        let (deliveries, next, http, url) = (deliveries.clone(), next.clone(), http.clone(), url.clone());
        senders.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((headers, body)) = deliveries.get(i) else { return latencies };
                let mut req = http.post(&url).body(body.clone());
                for (name, value) in headers {
                    req = req.header(*name, value);
                }
                let sent = Instant::now();
                let status = req.send().await.map(|r| r.status().as_u16()).unwrap_or(0);
                assert_eq!(status, 200, "a delivery was refused");
                latencies.push(sent.elapsed());
            }
        }));
    }
    let mut latencies = Vec::new();
    for sender in senders {
        latencies.extend(sender.await.expect("a sender finished"));
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let counts = state.queues.counts(zelly_queue::SHOPIFY_WEBHOOK).await.expect("counts");
    assert_eq!(counts.waiting as usize, settings.webhooks, "each delivery queued once");
    println!(
        "webhooks: {} accepted in {:.2} s = {:.0}/s from {} clients; latency p50 {:.1} ms, p99 {:.1} ms",
        settings.webhooks,
        elapsed.as_secs_f64(),
        settings.webhooks as f64 / elapsed.as_secs_f64(),
        settings.clients,
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
    );

    // --- Catalog sync: the whole catalog through the Admin GraphQL API, under Shopify's
    // standard throttle but refilled fast enough that the import, not the bucket, is measured.
    standin.with_shop(SHOP, |s| {
        for n in 2..=settings.products {
            s.add_sample(n);
        }
        s.bucket = shopify_standin::catalog::Bucket::new(1000.0, 1_000_000.0);
    });
    let started = Instant::now();
    let sync = core_api::shopify_jobs::start_sync(&state, tenant).await.expect("a sync starts");
    let job = zelly_queue::Job { id: sync.run_id.clone(), name: "catalog-sync".into(), data: serde_json::json!({ "tenant": tenant, "run_id": sync.run_id }), attempt: 1 };
    core_api::shopify_jobs::run_sync(&state, &job).await.expect("the sync completes");
    let elapsed = started.elapsed();
    let done = store.shopify_sync(tenant).await.expect("read").expect("a sync");
    assert_eq!(done.imported as u64, settings.products);
    println!(
        "catalog sync: {} products in {:.2} s = {:.0} products/s ({} per page)",
        settings.products,
        elapsed.as_secs_f64(),
        settings.products as f64 / elapsed.as_secs_f64(),
        core_api::shopify_jobs::PAGE_SIZE,
    );
}
