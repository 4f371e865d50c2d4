//! The four Shopify queues are shared with Node's `bullmq` both ways, on a real Redis: what
//! core-api adds (webhooks, syncs, settings fetches, stock pushes) is read by a Node worker with
//! its documented data, and what a Node service adds in that shape is done by core-api's workers.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::TenantSlug;
use zelly_queue::testing::run_node;
use zelly_queue::{JobState, SHOPIFY_CATALOG_SYNC, SHOPIFY_SETTINGS_FETCH, SHOPIFY_SETTINGS_PUSH, SHOPIFY_WEBHOOK};
use zelly_store::DynStore;

zelly_store::on_both_backends!(the_shopify_queues_are_shared_with_nodes_bullmq_both_ways);

const KEY: &str = "app-key";
const SECRET: &str = "app-secret";
const SHOP: &str = "tea-house.myshopify.com";

async fn the_shopify_queues_are_shared_with_nodes_bullmq_both_ways(store: DynStore) {
    let Some(redis) = zelly_queue::testing::node_interop_redis() else { return };
    let prefix = zelly_queue::testing::fresh_prefix();
    let standin = shopify_standin::Standin::new(KEY, SECRET);
    let standin_url = zelly_service::serve_in_background(shopify_standin::app(standin.clone())).await.unwrap();
    let mut state = core_api::testing::state(store.clone(), "test-storefront-token-0123456789", None).await;
    state.queues = zelly_queue::connect(&zelly_queue::QueueConfig::Redis(zelly_queue::RedisConfig {
        prefix: prefix.clone(),
        ..zelly_queue::RedisConfig::new(redis.clone())
    }))
    .await
    .unwrap();
    let app = core_api::testing::shopify_app(KEY, SECRET, &standin_url);
    state.shopify_secrets = Arc::new(vec![zelly_store::config::Secret::new(SECRET)]);
    let tenant = core_api::testing::store_connected_to_shopify(&store, &app, &standin.issue_token(SHOP), SHOP).await;
    state.shopify = Some(app);
    let base = zelly_service::serve_in_background(core_api::app(state.clone())).await.unwrap();
    let product = standin.with_shop(SHOP, |s| {
        s.name = "Darjeeling Leaf Co".into();
        for n in 1..=3 {
            s.add_sample(n);
        }
        *s.products.keys().next().unwrap()
    });
    let payload = standin.with_shop(SHOP, |s| shopify_standin::catalog::rest_payload(&s.products[&product]));

    // core-api adds one job to each queue, as it does in service; a Node worker reads each.
    let delivery = standin.delivery("products/create", payload.clone());
    let (headers, body) = standin.signed(SHOP, &delivery);
    let mut send = reqwest::Client::new().post(format!("{base}/api/webhooks/shopify")).body(body);
    for (name, value) in headers {
        send = send.header(name, value);
    }
    assert_eq!(send.send().await.unwrap().status(), reqwest::StatusCode::OK);
    let sync = core_api::shopify_jobs::start_sync(&state, tenant).await.unwrap();
    core_api::shopify_jobs::queue_settings_fetch(&state, tenant, "settings-ours".into()).await.unwrap();
    let push = json!({ "tenant": tenant, "order_id": Uuid::nil(), "changes": [{ "inventory_item_id": "gid://shopify/InventoryItem/1", "delta": -1 }] });
    state.queues.add(SHOPIFY_SETTINGS_PUSH, zelly_queue::NewJob::new("order-stock", push.clone()).with_id("order-stock-ours")).await.unwrap();
    let read = |queue: &'static str| {
        let (redis, prefix) = (redis.clone(), prefix.clone());
        async move {
            let report = run_node("process-jobs.mjs", &redis, &prefix, queue, 1, &[]).await;
            report["jobs"][0].clone()
        }
    };
    let webhook = read(SHOPIFY_WEBHOOK).await;
    assert_eq!((webhook["id"].as_str(), webhook["name"].as_str()), (Some(format!("shopify-{}", delivery.webhook_id).as_str()), Some("products/create")));
    assert_eq!(webhook["data"]["tenant"], json!(tenant));
    assert_eq!((webhook["data"]["shop"].as_str(), webhook["data"]["topic"].as_str()), (Some(SHOP), Some("products/create")));
    assert_eq!(webhook["data"]["payload"], payload);
    assert_eq!(webhook["data"]["triggered_at"].as_str(), Some(delivery.triggered_at.as_str()));
    let synced = read(SHOPIFY_CATALOG_SYNC).await;
    assert_eq!(synced["data"], json!({ "tenant": tenant, "run_id": sync.run_id }));
    assert_eq!(synced["attempts"], json!(core_api::shopify_jobs::SYNC_ATTEMPTS));
    assert_eq!(read(SHOPIFY_SETTINGS_FETCH).await["data"], json!({ "tenant": tenant }));
    assert_eq!(read(SHOPIFY_SETTINGS_PUSH).await["data"], push);

    // A Node service adds one job to each queue in the documented shape; core-api's workers do them.
    let run_id = "sync-node";
    store.start_shopify_sync(tenant, run_id, zelly_service::now_ms(), zelly_service::now_ms()).await.unwrap();
    let item = standin.with_shop(SHOP, |s| s.products[&product].variants[0].inventory_item());
    let node_jobs: [(&str, &str, &str, Value); 4] = [
        (SHOPIFY_WEBHOOK, "products/create", "node-webhook", json!({
            "tenant": tenant, "shop": SHOP, "topic": "products/create", "webhook_id": "node-1", "event_id": null,
            "triggered_at": "2026-12-07T10:00:00.000Z", "payload": payload,
        })),
        (SHOPIFY_CATALOG_SYNC, "catalog-sync", "node-sync", json!({ "tenant": tenant, "run_id": run_id })),
        (SHOPIFY_SETTINGS_FETCH, "settings-fetch", "node-settings", json!({ "tenant": tenant })),
        (SHOPIFY_SETTINGS_PUSH, "order-stock", "node-push", json!({
            "tenant": tenant, "order_id": Uuid::new_v4(), "changes": [{ "inventory_item_id": format!("gid://shopify/InventoryItem/{item}"), "delta": -2 }],
        })),
    ];
    for (queue, name, id, data) in &node_jobs {
        let extra = [("INTEROP_NAME", (*name).to_owned()), ("INTEROP_DATA", data.to_string()), ("INTEROP_JOB_ID", (*id).to_owned())];
        let added = run_node("add-job.mjs", &redis, &prefix, queue, 1, &extra).await;
        assert_eq!(added["jobs"][0]["id"].as_str(), Some(*id));
    }
    let _workers = core_api::shopify_jobs::start_workers(&state).await.unwrap();
    for (queue, _, id, _) in &node_jobs {
        let mut done = false;
        for _ in 0..400 {
            let status = state.queues.status(queue, id).await.unwrap().unwrap();
            match status.state {
                JobState::Completed => {
                    done = true;
                    break;
                }
                JobState::Failed => panic!("{queue} job {id} failed: {:?}", status.failed_reason),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        assert!(done, "{queue} job {id} did not complete");
    }
    let done = store.shopify_sync(tenant).await.unwrap().unwrap();
    assert_eq!((done.run_id.as_str(), done.status, done.imported), (run_id, zelly_edge::shopify::SyncStatus::Succeeded, 3));
    assert_eq!(store.shopify_product_count(tenant).await.unwrap(), 3, "the webhook's product and the sync's are one");
    let tenant_now = store.tenant_by_slug(&TenantSlug::parse("tea-house").unwrap()).await.unwrap().unwrap();
    assert_eq!(tenant_now.name, "Darjeeling Leaf Co");
    assert_eq!(standin.with_shop(SHOP, |s| s.products[&product].variants[0].quantity), 3);
}
