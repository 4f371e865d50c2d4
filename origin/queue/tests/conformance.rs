//! One behaviour, two backends: every case here runs against the embedded SQLite queue and BullMQ.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::json;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zelly_queue::{
    connect, Job, JobState, NewJob, QueueConfig, QueueError, Unrecoverable, WorkerOptions, STORE_EVENTS,
};

zelly_queue::on_both_backends!(
    added_jobs_are_each_processed_exactly_once_with_their_data,
    the_same_job_id_added_twice_is_processed_once,
    a_failing_job_is_retried_with_exponential_backoff_until_it_succeeds,
    after_its_last_attempt_a_job_is_failed_with_its_reason,
    an_unrecoverable_error_fails_the_job_without_retries,
    a_job_whose_worker_died_is_redelivered_once_its_lock_expires,
    shutdown_waits_for_the_running_job_and_takes_no_new_one,
    a_thousand_jobs_with_concurrency_200_are_all_completed,
    bad_job_ids_and_options_are_refused,
);

/// Polls `check` until it holds, failing the test after `timeout`.
async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out after {timeout:?} waiting until {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every job a processor saw, in order.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Job>>>);

impl Seen {
    fn push(&self, job: &Job) {
        self.0.lock().unwrap().push(job.clone());
    }
    fn jobs(&self) -> Vec<Job> {
        self.0.lock().unwrap().clone()
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    /// How many times each job id was processed.
    fn times_by_id(&self) -> HashMap<String, usize> {
        let mut times = HashMap::new();
        for job in self.jobs() {
            *times.entry(job.id).or_default() += 1;
        }
        times
    }
}

/// A processor that records each job and completes it.
fn recording(seen: &Seen) -> zelly_queue::DynProcessor {
    let seen = seen.clone();
    Arc::new(move |job: Job| {
        let seen = seen.clone();
        async move {
            seen.push(&job);
            Ok(())
        }
    })
}

fn options(concurrency: usize) -> WorkerOptions {
    WorkerOptions { concurrency, ..WorkerOptions::default() }
}

const SHUTDOWN: Duration = Duration::from_secs(10);

async fn added_jobs_are_each_processed_exactly_once_with_their_data(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..10 {
        let data = json!({"n": n, "text": "héllo ✓", "nested": {"list": [n, null, true]}});
        ids.push(queues.add(STORE_EVENTS, NewJob::new("page_view", data)).await.unwrap());
    }
    let bulk = (10..40).map(|n| NewJob::new("product_view", json!({"n": n}))).collect();
    ids.extend(queues.add_bulk(STORE_EVENTS, bulk).await.unwrap());
    assert_eq!(ids.len(), 40);
    assert_eq!(ids.iter().collect::<std::collections::HashSet<_>>().len(), 40, "ids are unique: {ids:?}");
    assert_eq!(queues.counts(STORE_EVENTS).await.unwrap().waiting, 40);

    let seen = Seen::default();
    let worker = queues.start_worker(STORE_EVENTS, recording(&seen), options(4)).await.unwrap();
    eventually("40 jobs completed", Duration::from_secs(20), || async {
        queues.counts(STORE_EVENTS).await.unwrap().completed == 40
    })
    .await;
    // Nothing runs twice, even a little later.
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.shutdown(SHUTDOWN).await.unwrap();

    let times = seen.times_by_id();
    assert_eq!(times.len(), 40);
    assert!(times.values().all(|&t| t == 1), "{times:?}");
    for job in seen.jobs() {
        let n = job.data["n"].as_i64().unwrap();
        assert_eq!(job.id, ids[usize::try_from(n).unwrap()]);
        assert_eq!(job.attempt, 1);
        if n < 10 {
            assert_eq!(job.name, "page_view");
            assert_eq!(job.data, json!({"n": n, "text": "héllo ✓", "nested": {"list": [n, null, true]}}));
        } else {
            assert_eq!((job.name.as_str(), job.data.clone()), ("product_view", json!({"n": n})));
        }
    }
    let counts = queues.counts(STORE_EVENTS).await.unwrap();
    assert_eq!((counts.waiting, counts.active, counts.failed), (0, 0, 0));
    let status = queues.status(STORE_EVENTS, &ids[0]).await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts_made, status.failed_reason), (JobState::Completed, 1, None));
}

async fn the_same_job_id_added_twice_is_processed_once(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let first = queues.add(STORE_EVENTS, NewJob::new("page_view", json!({"v": 1})).with_id("evt-1")).await.unwrap();
    // A retried publish: same id, even with other data.
    let again = queues.add(STORE_EVENTS, NewJob::new("page_view", json!({"v": 2})).with_id("evt-1")).await.unwrap();
    assert_eq!((first.as_str(), again.as_str()), ("evt-1", "evt-1"));
    let bulk = vec![
        NewJob::new("search", json!({"v": 3})).with_id("evt-2"),
        NewJob::new("search", json!({"v": 4})).with_id("evt-2"),
        NewJob::new("page_view", json!({"v": 5})).with_id("evt-1"),
    ];
    assert_eq!(queues.add_bulk(STORE_EVENTS, bulk).await.unwrap(), ["evt-2", "evt-2", "evt-1"]);
    assert_eq!(queues.counts(STORE_EVENTS).await.unwrap().waiting, 2);

    let seen = Seen::default();
    let worker = queues.start_worker(STORE_EVENTS, recording(&seen), options(4)).await.unwrap();
    eventually("both jobs completed", Duration::from_secs(20), || async {
        queues.counts(STORE_EVENTS).await.unwrap().completed == 2
    })
    .await;
    // Published once more after it completed: still deduplicated while the job is kept.
    let late = queues.add(STORE_EVENTS, NewJob::new("page_view", json!({"v": 6})).with_id("evt-1")).await.unwrap();
    assert_eq!(late, "evt-1");
    tokio::time::sleep(Duration::from_millis(500)).await;
    worker.shutdown(SHUTDOWN).await.unwrap();

    let mut seen: Vec<(String, serde_json::Value)> = seen.jobs().into_iter().map(|j| (j.id, j.data)).collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    // The first add of each id wins.
    assert_eq!(seen, [("evt-1".to_owned(), json!({"v": 1})), ("evt-2".to_owned(), json!({"v": 3}))]);
}

async fn a_failing_job_is_retried_with_exponential_backoff_until_it_succeeds(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let backoff = Duration::from_millis(300);
    let job = NewJob::new("flaky", json!({})).with_id("flaky-1").with_retries(5, backoff);
    queues.add(STORE_EVENTS, job).await.unwrap();

    let attempts: Arc<Mutex<Vec<(u32, Instant)>>> = Arc::default();
    let processor = {
        let attempts = attempts.clone();
        move |job: Job| {
            let attempts = attempts.clone();
            async move {
                attempts.lock().unwrap().push((job.attempt, Instant::now()));
                if job.attempt < 3 {
                    anyhow::bail!("ClickHouse unreachable (attempt {})", job.attempt);
                }
                Ok(())
            }
        }
    };
    let worker = queues.start_worker(STORE_EVENTS, Arc::new(processor), options(1)).await.unwrap();
    // While it waits for its retry, the job says why.
    eventually("the job waited for a retry", Duration::from_secs(10), || async {
        let status = queues.status(STORE_EVENTS, "flaky-1").await.unwrap().unwrap();
        status.state == JobState::Delayed
            && status.failed_reason.is_some_and(|r| r.starts_with("ClickHouse unreachable (attempt"))
    })
    .await;
    eventually("the flaky job completed", Duration::from_secs(20), || async {
        queues.status(STORE_EVENTS, "flaky-1").await.unwrap().is_some_and(|s| s.state == JobState::Completed)
    })
    .await;
    worker.shutdown(SHUTDOWN).await.unwrap();

    let attempts = attempts.lock().unwrap().clone();
    assert_eq!(attempts.iter().map(|a| a.0).collect::<Vec<_>>(), [1, 2, 3]);
    let first_gap = attempts[1].1 - attempts[0].1;
    let second_gap = attempts[2].1 - attempts[1].1;
    // backoff × 2^(n-1): 300 ms, then 600 ms.
    assert!(first_gap >= backoff, "first retry after {first_gap:?}");
    assert!(second_gap >= backoff * 2, "second retry after {second_gap:?}");
    let status = queues.status(STORE_EVENTS, "flaky-1").await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts_made), (JobState::Completed, 3));
    // As in BullMQ, a completed job still tells why its last failed attempt failed.
    assert_eq!(status.failed_reason.as_deref(), Some("ClickHouse unreachable (attempt 2)"));
}

async fn after_its_last_attempt_a_job_is_failed_with_its_reason(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let job = NewJob::new("doomed", json!({"n": 1})).with_id("doomed-1").with_retries(3, Duration::from_millis(100));
    queues.add(STORE_EVENTS, job).await.unwrap();
    let seen = Seen::default();
    let processor = {
        let seen = seen.clone();
        move |job: Job| {
            let seen = seen.clone();
            async move {
                seen.push(&job);
                Err(anyhow::anyhow!("connection refused").context("storing a batch of 1 event"))
            }
        }
    };
    let worker = queues.start_worker(STORE_EVENTS, Arc::new(processor), options(1)).await.unwrap();
    eventually("the job failed for good", Duration::from_secs(20), || async {
        queues.counts(STORE_EVENTS).await.unwrap().failed == 1
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.shutdown(SHUTDOWN).await.unwrap();

    assert_eq!(seen.jobs().iter().map(|j| j.attempt).collect::<Vec<_>>(), [1, 2, 3]);
    let status = queues.status(STORE_EVENTS, "doomed-1").await.unwrap().unwrap();
    assert_eq!(status.state, JobState::Failed);
    assert_eq!(status.attempts_made, 3);
    assert_eq!(status.failed_reason.as_deref(), Some("storing a batch of 1 event: connection refused"));
    let counts = queues.counts(STORE_EVENTS).await.unwrap();
    assert_eq!((counts.waiting, counts.delayed, counts.active, counts.completed), (0, 0, 0, 0));
}

async fn an_unrecoverable_error_fails_the_job_without_retries(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    queues.add(STORE_EVENTS, NewJob::new("malformed", json!("not an event")).with_id("bad-1")).await.unwrap();
    queues.add(STORE_EVENTS, NewJob::new("page_view", json!({})).with_id("good-1")).await.unwrap();
    let seen = Seen::default();
    let processor = {
        let seen = seen.clone();
        move |job: Job| {
            let seen = seen.clone();
            async move {
                seen.push(&job);
                if !job.data.is_object() {
                    return Err(Unrecoverable("event is not a JSON object".into()).into());
                }
                Ok(())
            }
        }
    };
    let worker = queues.start_worker(STORE_EVENTS, Arc::new(processor), options(2)).await.unwrap();
    eventually("one job failed and one completed", Duration::from_secs(20), || async {
        let counts = queues.counts(STORE_EVENTS).await.unwrap();
        (counts.failed, counts.completed) == (1, 1)
    })
    .await;
    worker.shutdown(SHUTDOWN).await.unwrap();
    assert_eq!(seen.times_by_id(), HashMap::from([("bad-1".to_owned(), 1), ("good-1".to_owned(), 1)]));
    let status = queues.status(STORE_EVENTS, "bad-1").await.unwrap().unwrap();
    assert_eq!(status.state, JobState::Failed);
    assert_eq!(status.failed_reason.as_deref(), Some("event is not a JSON object"));
}

async fn a_job_whose_worker_died_is_redelivered_once_its_lock_expires(config: QueueConfig) {
    let options = WorkerOptions {
        lock_duration: Duration::from_secs(1),
        stalled_interval: Duration::from_millis(500),
        ..WorkerOptions::default()
    };
    let queues = connect(&config).await.unwrap();
    queues.add(STORE_EVENTS, NewJob::new("page_view", json!({"n": 7})).with_id("evt-orphan")).await.unwrap();

    // The first worker lives on its own runtime, dropped while the job runs: none of its tasks
    // (the job, the lock renewal) ever runs again, as when its process is killed.
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<String>();
    let (kill_tx, kill_rx) = tokio::sync::oneshot::channel::<()>();
    let (dying_config, dying_options) = (config.clone(), options.clone());
    let dying = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let queues = connect(&dying_config).await.unwrap();
            let started = Arc::new(Mutex::new(Some(started_tx)));
            let hang = move |job: Job| {
                let started = started.clone();
                async move {
                    if let Some(tx) = started.lock().unwrap().take() {
                        let _ = tx.send(job.id);
                    }
                    std::future::pending::<()>().await;
                    Ok(())
                }
            };
            let _worker = queues.start_worker(STORE_EVENTS, Arc::new(hang), dying_options).await.unwrap();
            let _ = kill_rx.await;
        });
        drop(runtime);
    });
    let taken = tokio::time::timeout(Duration::from_secs(20), started_rx).await.unwrap().unwrap();
    assert_eq!(taken, "evt-orphan");
    // Keep it running past one lock renewal, so the kill lands mid-job on a renewed lock.
    tokio::time::sleep(Duration::from_millis(700)).await;
    kill_tx.send(()).unwrap();
    tokio::task::spawn_blocking(move || dying.join()).await.unwrap().unwrap();
    let killed_at = Instant::now();
    let status = queues.status(STORE_EVENTS, "evt-orphan").await.unwrap().unwrap();
    assert_eq!(status.state, JobState::Active, "the dead worker still holds the job");

    let seen = Seen::default();
    let worker = queues.start_worker(STORE_EVENTS, recording(&seen), options).await.unwrap();
    eventually("the orphaned job completed", Duration::from_secs(15), || async {
        queues.status(STORE_EVENTS, "evt-orphan").await.unwrap().is_some_and(|s| s.state == JobState::Completed)
    })
    .await;
    let took = killed_at.elapsed();
    eprintln!("{}: redelivered {took:?} after the worker died", queues.backend());
    worker.shutdown(SHUTDOWN).await.unwrap();

    let jobs = seen.jobs();
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    // A lost worker is not a failed attempt.
    assert_eq!((jobs[0].id.as_str(), jobs[0].attempt, jobs[0].data.clone()), ("evt-orphan", 1, json!({"n": 7})));
    assert!(took < Duration::from_secs(6), "redelivery took {took:?} with a 1 s lock");
}

async fn shutdown_waits_for_the_running_job_and_takes_no_new_one(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    queues.add(STORE_EVENTS, NewJob::new("slow", json!({})).with_id("slow-1")).await.unwrap();
    let finished = Arc::new(AtomicBool::new(false));
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let seen = Seen::default();
    let processor = {
        let (finished, seen) = (finished.clone(), seen.clone());
        let started = Arc::new(Mutex::new(Some(started_tx)));
        move |job: Job| {
            let (finished, seen, started) = (finished.clone(), seen.clone(), started.clone());
            async move {
                seen.push(&job);
                if let Some(tx) = started.lock().unwrap().take() {
                    let _ = tx.send(());
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
                finished.store(true, Ordering::SeqCst);
                Ok(())
            }
        }
    };
    let worker = queues.start_worker(STORE_EVENTS, Arc::new(processor), options(4)).await.unwrap();
    tokio::time::timeout(Duration::from_secs(20), started_rx).await.unwrap().unwrap();
    let began = Instant::now();
    let shutdown = tokio::spawn(worker.shutdown(SHUTDOWN));
    tokio::time::sleep(Duration::from_millis(200)).await;
    queues.add(STORE_EVENTS, NewJob::new("late", json!({})).with_id("late-1")).await.unwrap();
    shutdown.await.unwrap().unwrap();
    eprintln!("{}: shutdown took {:?}", queues.backend(), began.elapsed());

    assert!(finished.load(Ordering::SeqCst), "shutdown returned before the running job finished");
    assert_eq!(queues.status(STORE_EVENTS, "slow-1").await.unwrap().unwrap().state, JobState::Completed);
    assert_eq!(queues.status(STORE_EVENTS, "late-1").await.unwrap().unwrap().state, JobState::Waiting);
    assert_eq!(seen.len(), 1, "a stopping worker took a new job");
}

async fn a_thousand_jobs_with_concurrency_200_are_all_completed(config: QueueConfig) {
    const JOBS: usize = 1_000;
    const CONCURRENCY: usize = 200;
    let queues = connect(&config).await.unwrap();
    let jobs: Vec<NewJob> =
        (0..JOBS).map(|n| NewJob::new("page_view", json!({"n": n})).with_id(format!("evt-{n}"))).collect();
    let began = Instant::now();
    queues.add_bulk(STORE_EVENTS, jobs).await.unwrap();
    let added_in = began.elapsed();

    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let seen = Seen::default();
    let processor = {
        let (running, peak, seen) = (running.clone(), peak.clone(), seen.clone());
        move |job: Job| {
            let (running, peak, seen) = (running.clone(), peak.clone(), seen.clone());
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                // Hold each job until 200 run at once, as the analytics consumer holds a batch
                // until it is stored; a worker that cannot run 200 together stalls here.
                let deadline = Instant::now() + Duration::from_secs(10);
                while peak.load(Ordering::SeqCst) < CONCURRENCY && Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                seen.push(&job);
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            }
        }
    };
    let worker = queues.start_worker(STORE_EVENTS, Arc::new(processor), options(CONCURRENCY)).await.unwrap();
    eventually("1,000 jobs completed", Duration::from_secs(90), || async {
        queues.counts(STORE_EVENTS).await.unwrap().completed == JOBS as u64
    })
    .await;
    let processed_in = began.elapsed() - added_in;
    worker.shutdown(SHUTDOWN).await.unwrap();
    eprintln!("{}: added 1,000 jobs in {added_in:?}, processed them in {processed_in:?}", queues.backend());

    assert_eq!(peak.load(Ordering::SeqCst), CONCURRENCY, "never more, and at some point exactly, 200 at once");
    let times = seen.times_by_id();
    assert_eq!(times.len(), JOBS);
    assert!(times.values().all(|&t| t == 1));
    let counts = queues.counts(STORE_EVENTS).await.unwrap();
    assert_eq!((counts.waiting, counts.active, counts.failed), (0, 0, 0));
}

async fn bad_job_ids_and_options_are_refused(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    for id in ["42", "a:b", ""] {
        let added = queues.add(STORE_EVENTS, NewJob::new("x", json!({})).with_id(id)).await;
        assert!(matches!(added, Err(QueueError::Invalid(_))), "{id:?}: {added:?}");
    }
    let bulk = vec![NewJob::new("x", json!({})).with_id("fine"), NewJob::new("x", json!({})).with_retries(0, Duration::ZERO)];
    assert!(matches!(queues.add_bulk(STORE_EVENTS, bulk).await, Err(QueueError::Invalid(_))));
    // Nothing of a refused batch was added.
    assert_eq!(queues.status(STORE_EVENTS, "fine").await.unwrap(), None);
    let zero = WorkerOptions { concurrency: 0, ..WorkerOptions::default() };
    let seen = Seen::default();
    assert!(matches!(queues.start_worker(STORE_EVENTS, recording(&seen), zero).await, Err(QueueError::Invalid(_))));
    assert!(matches!(queues.add("a:b", NewJob::new("x", json!({}))).await, Err(QueueError::Invalid(_))));
}
