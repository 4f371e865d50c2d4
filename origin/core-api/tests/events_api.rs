//! The event intake over HTTP on both store backends: what is accepted lands on `store-events` as
//! one job per event, keyed by its `event_id`, for the store of the path's domain only.
#![allow(clippy::unwrap_used, missing_docs)]

use reqwest::StatusCode;
use serde_json::{json, Value};
use std::num::NonZeroU32;
use std::sync::Arc;
use zelly_edge::dto::TenantStatus;
use zelly_edge::events::StoreEvent;
use zelly_edge::{DomainName, TenantSlug};
use zelly_queue::{DynQueues, JobState, STORE_EVENTS};
use zelly_store::{DynStore, NewTenant};

const TOKEN: &str = "test-storefront-token-0123456789";

struct App {
    base: String,
    http: reqwest::Client,
    store: DynStore,
    queues: DynQueues,
}

impl App {
    async fn spawn(store: DynStore) -> App {
        Self::spawn_with(store, core_api::routes::events::IntakeLimits::default()).await
    }

    async fn spawn_with(store: DynStore, limits: core_api::routes::events::IntakeLimits) -> App {
        let mut state = core_api::testing::state(store.clone(), TOKEN, None).await;
        state.intake = core_api::routes::events::Intake::new(limits);
        let queues = state.queues.clone();
        let base = zelly_service::serve_in_background(core_api::app(state)).await.unwrap();
        App { base, http: reqwest::Client::new(), store, queues }
    }

    async fn tenant(&self, slug: &str) -> uuid::Uuid {
        let tenant = self
            .store
            .create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: slug.into() })
            .await
            .unwrap();
        self.store.add_domain(tenant.id, &DomainName::parse(&format!("{slug}.example")).unwrap(), true).await.unwrap();
        tenant.id
    }

    async fn send(&self, domain: &str, body: &Value, ip: Option<&str>) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let mut req = self.http.post(format!("{}/api/storefront/domains/{domain}/events", self.base)).bearer_auth(TOKEN).json(body);
        if let Some(ip) = ip {
            req = req.header("x-zelly-shopper-ip", ip);
        }
        let res = req.send().await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null), headers)
    }

    async fn queued(&self) -> u64 {
        let c = self.queues.counts(STORE_EVENTS).await.unwrap();
        c.waiting + c.delayed + c.active + c.completed + c.failed
    }
}

fn page_views(n: usize, session: &str) -> Value {
    json!({ "events": (0..n).map(|i| json!({ "kind": "page_view", "session_id": session, "path": format!("/p/{i}") })).collect::<Vec<_>>() })
}

zelly_store::on_both_backends!(
    accepted_events_are_queued_once_each_for_the_domains_store,
    the_body_cannot_pick_the_store_and_bad_events_queue_nothing,
    only_the_storefront_token_and_active_stores_are_accepted,
    oversized_bodies_are_refused,
    shoppers_and_stores_are_rate_limited_separately,
);

async fn accepted_events_are_queued_once_each_for_the_domains_store(store: DynStore) {
    let app = App::spawn(store).await;
    let acme = app.tenant("acme").await;
    let product = uuid::Uuid::new_v4();
    let body = json!({ "events": [
        { "kind": "page_view", "session_id": "s-1", "path": "/" },
        { "kind": "product_view", "session_id": "s-1", "path": "/products/tee", "product_id": product },
        { "kind": "add_to_cart", "session_id": "s-1", "path": "/products/tee", "product_id": product,
          "variant_id": uuid::Uuid::new_v4(), "quantity": 2 },
    ]});
    let (status, receipt, _) = app.send("ACME.example.", &body, Some("203.0.113.9")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{receipt}");
    assert_eq!(receipt["accepted"], 3);
    let ids: Vec<String> = receipt["event_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(app.queued().await, 3);
    for (i, id) in ids.iter().enumerate() {
        let status = app.queues.status(STORE_EVENTS, id).await.unwrap().unwrap();
        assert_eq!(status.state, JobState::Waiting, "job {id} is the event's id");
        let _ = i;
    }
    // The job data is the documented StoreEvent: the domain's tenant, the id, a receive time.
    let (worker_seen, done) = tokio::sync::mpsc::unbounded_channel::<StoreEvent>();
    let worker_seen = Arc::new(worker_seen);
    let processor = move |job: zelly_queue::Job| {
        let seen = worker_seen.clone();
        async move {
            let event: StoreEvent = serde_json::from_value(job.data).unwrap();
            assert_eq!(event.event_id.to_string(), job.id);
            assert_eq!(job.name, event.event.kind.as_str());
            seen.send(event).unwrap();
            Ok(())
        }
    };
    let worker = app
        .queues
        .start_worker(STORE_EVENTS, Arc::new(processor), zelly_queue::WorkerOptions { concurrency: 4, ..Default::default() })
        .await
        .unwrap();
    let mut done = done;
    let mut events = Vec::new();
    while events.len() < 3 {
        events.push(tokio::time::timeout(std::time::Duration::from_secs(20), done.recv()).await.unwrap().unwrap());
    }
    worker.shutdown(std::time::Duration::from_secs(5)).await.unwrap();
    assert!(events.iter().all(|e| e.tenant_id == acme && e.received_at_ms > 1_700_000_000_000));
    let kinds: Vec<&str> = events.iter().map(|e| e.event.kind.as_str()).collect();
    assert!(kinds.contains(&"add_to_cart") && kinds.contains(&"product_view"), "{kinds:?}");
}

async fn the_body_cannot_pick_the_store_and_bad_events_queue_nothing(store: DynStore) {
    let app = App::spawn(store).await;
    app.tenant("acme").await;
    let bolt = app.tenant("bolt").await;
    let sneaky = json!({ "events": [{ "kind": "page_view", "session_id": "s", "path": "/", "tenant_id": bolt }] });
    let (status, body, _) = app.send("acme.example", &sneaky, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("tenant_id"), "{body}");
    let mixed = json!({ "events": [
        { "kind": "page_view", "session_id": "s", "path": "/" },
        { "kind": "product_view", "session_id": "s", "path": "/products/x" },
    ]});
    let (status, body, _) = app.send("acme.example", &mixed, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["events[1].product_id"].is_string(), "{body}");
    let (status, body, _) = app.send("acme.example", &page_views(51, "s"), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["events"].is_string(), "{body}");
    let (status, _, _) = app.send("acme.example", &json!({ "events": "nope" }), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.queued().await, 0, "nothing of a refused request is queued");
}

async fn only_the_storefront_token_and_active_stores_are_accepted(store: DynStore) {
    let app = App::spawn(store).await;
    app.tenant("acme").await;
    let bolt = app.tenant("bolt").await;
    app.store.set_tenant_status(bolt, TenantStatus::Suspended).await.unwrap();
    let body = page_views(1, "s");
    for token in [None, Some("wrong-token-wrong-token")] {
        let mut req = app.http.post(format!("{}/api/storefront/domains/acme.example/events", app.base)).json(&body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        assert_eq!(req.send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    for domain in ["nobody.example", "127.0.0.1"] {
        assert_eq!(app.send(domain, &body, None).await.0, StatusCode::NOT_FOUND, "{domain}");
    }
    assert_eq!(app.send("bolt.example", &body, None).await.0, StatusCode::GONE, "a suspended store takes no events");
    assert_eq!(app.queued().await, 0);
}

async fn oversized_bodies_are_refused(store: DynStore) {
    let app = App::spawn(store).await;
    app.tenant("acme").await;
    let huge = json!({ "events": [{ "kind": "search", "session_id": "s", "path": "/", "query": "x".repeat(70 * 1024) }] });
    let (status, body, _) = app.send("acme.example", &huge, None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["error"]["code"], "too_large");
    assert_eq!(app.queued().await, 0);
}

async fn shoppers_and_stores_are_rate_limited_separately(store: DynStore) {
    let limits = core_api::routes::events::IntakeLimits {
        per_shopper_per_minute: NonZeroU32::new(60).unwrap(),
        per_store_per_minute: NonZeroU32::new(150).unwrap(),
    };
    let app = App::spawn_with(store, limits).await;
    app.tenant("acme").await;
    app.tenant("bolt").await;
    // One shopper: a minute's worth in a burst, then refused with a Retry-After. (Quotas refill
    // one event per second for this shopper and 2.5 per second for the store, so each refusal
    // below asks for more than a slow test run could have refilled.)
    for _ in 0..6 {
        assert_eq!(app.send("acme.example", &page_views(10, "s"), Some("198.51.100.1")).await.0, StatusCode::ACCEPTED);
    }
    let (status, body, headers) = app.send("acme.example", &page_views(20, "s"), Some("198.51.100.1")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Another shopper of the same store still gets in, until the store's own quota is used up.
    assert_eq!(app.send("acme.example", &page_views(50, "t"), Some("198.51.100.2")).await.0, StatusCode::ACCEPTED);
    assert_eq!(app.send("acme.example", &page_views(30, "u"), Some("198.51.100.3")).await.0, StatusCode::ACCEPTED);
    assert_eq!(app.send("acme.example", &page_views(50, "v"), Some("198.51.100.4")).await.0, StatusCode::TOO_MANY_REQUESTS);
    // Another store is untouched by Acme's flood.
    assert_eq!(app.send("bolt.example", &page_views(10, "s"), Some("198.51.100.1")).await.0, StatusCode::ACCEPTED);
    assert_eq!(app.queued().await, 60 + 50 + 30 + 10, "refused events are not queued");
}

/// core-api as the producer and Node's `bullmq` Worker (the seed's store-events-consumer) as the
/// consumer, on a real Redis: every accepted event arrives once, with its documented data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_accepted_by_core_api_are_processed_by_nodes_bullmq_worker() {
    let Some(redis) = zelly_queue::testing::node_interop_redis() else { return };
    let prefix = zelly_queue::testing::fresh_prefix();
    let store = zelly_store::testing::sqlite_store().await;
    let mut state = core_api::testing::state(store.clone(), TOKEN, None).await;
    state.queues = zelly_queue::connect(&zelly_queue::QueueConfig::Redis(zelly_queue::RedisConfig {
        prefix: prefix.clone(),
        ..zelly_queue::RedisConfig::new(redis.clone())
    }))
    .await
    .unwrap();
    let queues = state.queues.clone();
    let base = zelly_service::serve_in_background(core_api::app(state)).await.unwrap();
    let app = App { base, http: reqwest::Client::new(), store, queues };
    let acme = app.tenant("acme").await;
    let mut ids = std::collections::BTreeSet::new();
    for i in 0..4 {
        let (status, receipt, _) = app.send("acme.example", &page_views(10, &format!("s{i}")), None).await;
        assert_eq!(status, StatusCode::ACCEPTED);
        ids.extend(receipt["event_ids"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()));
    }
    let report = zelly_queue::testing::run_node("process-jobs.mjs", &redis, &prefix, STORE_EVENTS, 40, &[]).await;
    let jobs = report["jobs"].as_array().unwrap();
    let seen: std::collections::BTreeSet<String> = jobs.iter().map(|j| j["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(seen, ids, "each accepted event is one job, its id the event_id");
    for job in jobs {
        let event: StoreEvent = serde_json::from_value(job["data"].clone()).unwrap();
        assert_eq!((event.tenant_id, event.event_id.to_string()), (acme, job["id"].as_str().unwrap().to_owned()));
        assert_eq!(job["name"], "page_view");
        assert_eq!(job["attempts"], 20);
    }
}
