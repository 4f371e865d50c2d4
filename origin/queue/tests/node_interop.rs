//! Our BullMQ queues and the `bullmq` npm package share queues both ways, as our services and the
//! seed's Node services will during a migration. The Node side is the scripts in `e2e/interop/`,
//! run with `node` against `e2e/node_modules` (`npm ci` in `e2e/`).
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zelly_queue::testing::{fresh_prefix, node_interop_redis as interop_redis};
use zelly_queue::{connect, Job, NewJob, QueueConfig, RedisConfig, WorkerOptions, STORE_EVENTS};

const JOBS: usize = 60;

/// Runs an interop script on `store-events`.
async fn run_node(script: &str, url: &str, prefix: &str, count: usize) -> Value {
    zelly_queue::testing::run_node(script, url, prefix, STORE_EVENTS, count, &[]).await
}

/// `{"jobs": [{"id", "name", "data", ...}]}` as id → (name, data).
fn by_id(report: &Value) -> BTreeMap<String, (String, Value)> {
    report["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| (job["id"].as_str().unwrap().to_owned(), (job["name"].as_str().unwrap().to_owned(), job["data"].clone())))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_added_by_nodes_bullmq_are_processed_by_our_worker_with_their_data() {
    let Some(url) = interop_redis() else { return };
    let prefix = fresh_prefix();
    let added = by_id(&run_node("add-jobs.mjs", &url, &prefix, JOBS).await);
    assert_eq!(added.len(), JOBS);
    assert!(added.contains_key("node-evt-0") && added.contains_key("node-evt-3"), "caller-chosen ids: {added:?}");

    let queues = connect(&QueueConfig::Redis(RedisConfig { prefix, ..RedisConfig::new(url) })).await.unwrap();
    let seen: Arc<Mutex<Vec<Job>>> = Arc::default();
    let processor = {
        let seen = seen.clone();
        move |job: Job| {
            let seen = seen.clone();
            async move {
                seen.lock().unwrap().push(job);
                Ok(())
            }
        }
    };
    let options = WorkerOptions { concurrency: 16, ..WorkerOptions::default() };
    let worker = queues.start_worker(STORE_EVENTS, Arc::new(processor), options).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while queues.counts(STORE_EVENTS).await.unwrap().completed < JOBS as u64 {
        assert!(Instant::now() < deadline, "only {} jobs completed", seen.lock().unwrap().len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.shutdown(Duration::from_secs(10)).await.unwrap();

    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), JOBS, "each job once");
    let processed: BTreeMap<String, (String, Value)> =
        seen.into_iter().map(|job| (job.id, (job.name, job.data))).collect();
    assert_eq!(processed, added);
    // Spelled out once, so that a change on both sides at once is noticed too.
    assert_eq!(
        processed["node-evt-3"],
        (
            "product_view".to_owned(),
            json!({
                "event_id": "node-evt-3",
                "i": 3,
                "amount": 3.25,
                "text": "héllo ✓ «3» \"quoted\" \\ back",
                "nested": {"list": [3, null, true, "x"], "empty": {}}
            })
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_we_add_are_processed_by_nodes_bullmq_worker() {
    let Some(url) = interop_redis() else { return };
    let prefix = fresh_prefix();
    let queues =
        connect(&QueueConfig::Redis(RedisConfig { prefix: prefix.clone(), ..RedisConfig::new(url.clone()) })).await.unwrap();
    let jobs: Vec<NewJob> = (0..JOBS)
        .map(|i| {
            let data = json!({"event_id": format!("evt-{i}"), "i": i, "text": "héllo ✓", "tags": ["a", null]});
            let job = NewJob::new(if i % 2 == 0 { "page_view" } else { "add_to_cart" }, data)
                .with_retries(4, Duration::from_millis(1500));
            if i % 3 == 0 { job.with_id(format!("evt-{i}")) } else { job }
        })
        .collect();
    let ids = queues.add_bulk(STORE_EVENTS, jobs.clone()).await.unwrap();
    let added: BTreeMap<String, (String, Value)> =
        ids.iter().zip(&jobs).map(|(id, job)| (id.clone(), (job.name.clone(), job.data.clone()))).collect();
    assert_eq!(added.len(), JOBS);

    let report = run_node("process-jobs.mjs", &url, &prefix, JOBS).await;
    assert_eq!(report["jobs"].as_array().unwrap().len(), JOBS, "each job once");
    assert_eq!(by_id(&report), added);
    // The retry policy travels with the job: Node's worker would retry as ours does.
    for job in report["jobs"].as_array().unwrap() {
        assert_eq!(job["attempts"], json!(4), "{job}");
        assert_eq!(job["backoff"], json!({"type": "exponential", "delay": 1500}), "{job}");
    }
    let counts = queues.counts(STORE_EVENTS).await.unwrap();
    assert_eq!((counts.completed, counts.waiting, counts.active, counts.failed), (JOBS as u64, 0, 0, 0));
}
