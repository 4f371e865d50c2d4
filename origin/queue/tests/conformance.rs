//! One behaviour, two backends: every case here runs against the embedded SQLite queue and BullMQ.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::json;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
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
    a_paused_queue_runs_no_new_job_until_resumed,
    a_retried_failed_job_runs_once_more_with_all_its_attempts,
    retry_all_failed_moves_every_failed_job_back_and_each_runs_once,
    failed_jobs_lists_reason_attempts_name_and_data_newest_first_in_pages,
    remove_job_deletes_waiting_and_failed_jobs_but_not_a_running_one,
    admin_operations_refuse_bad_queue_names_and_job_ids,
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

/// Long enough for every idle worker to look for jobs a few times: SQLite polls every 200 ms,
/// BullMQ's workers block for 1 s at most.
const SETTLE: Duration = Duration::from_secs(2);

/// A processor that records each job; jobs named `slow` hold until `release` gets a permit, and
/// jobs named `fail` fail for good.
fn gated(seen: &Seen, release: &Arc<Semaphore>) -> zelly_queue::DynProcessor {
    let (seen, release) = (seen.clone(), release.clone());
    Arc::new(move |job: Job| {
        let (seen, release) = (seen.clone(), release.clone());
        async move {
            seen.push(&job);
            match job.name.as_str() {
                "slow" => release.acquire().await.unwrap().forget(),
                "fail" => return Err(Unrecoverable(format!("{} cannot be done", job.id)).into()),
                _ => {}
            }
            Ok(())
        }
    })
}

/// A processor that records each job and fails it until `healthy` is set, after `pause` (so that
/// jobs failing one after another fail at different milliseconds).
fn failing_until(seen: &Seen, healthy: &Arc<AtomicBool>, pause: Duration) -> zelly_queue::DynProcessor {
    let (seen, healthy) = (seen.clone(), healthy.clone());
    Arc::new(move |job: Job| {
        let (seen, healthy) = (seen.clone(), healthy.clone());
        async move {
            seen.push(&job);
            tokio::time::sleep(pause).await;
            if healthy.load(Ordering::SeqCst) {
                return Ok(());
            }
            Err(anyhow::anyhow!("connection refused ({})", job.id).context("storing a batch"))
        }
    })
}

async fn state_of(queues: &zelly_queue::DynQueues, id: &str) -> Option<JobState> {
    queues.status(STORE_EVENTS, id).await.unwrap().map(|s| s.state)
}

async fn a_paused_queue_runs_no_new_job_until_resumed(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    // Pausing from another connection (another process, as the dashboard is) reaches every worker.
    let admin = connect(&config).await.unwrap();
    assert!(!admin.is_paused(STORE_EVENTS).await.unwrap());
    let (seen, release) = (Seen::default(), Arc::new(Semaphore::new(0)));
    let here = queues.start_worker(STORE_EVENTS, gated(&seen, &release), options(2)).await.unwrap();
    let there = admin.start_worker(STORE_EVENTS, gated(&seen, &release), options(2)).await.unwrap();
    queues.add(STORE_EVENTS, NewJob::new("slow", json!({})).with_id("slow-1")).await.unwrap();
    eventually("the slow job started", Duration::from_secs(20), || async { seen.len() == 1 }).await;

    admin.pause(STORE_EVENTS).await.unwrap();
    admin.pause(STORE_EVENTS).await.unwrap();
    assert!(admin.is_paused(STORE_EVENTS).await.unwrap());
    assert!(queues.is_paused(STORE_EVENTS).await.unwrap());
    // A worker started while paused takes nothing either.
    let late = queues.start_worker(STORE_EVENTS, gated(&seen, &release), options(2)).await.unwrap();
    let ids: Vec<String> = (0..3).map(|n| format!("held-{n}")).collect();
    for id in &ids {
        queues.add(STORE_EVENTS, NewJob::new("page_view", json!({})).with_id(id)).await.unwrap();
    }
    // The running job finishes.
    release.add_permits(1);
    eventually("the running job completed", Duration::from_secs(20), || async {
        state_of(&queues, "slow-1").await == Some(JobState::Completed)
    })
    .await;
    tokio::time::sleep(SETTLE).await;
    assert_eq!(seen.len(), 1, "a paused queue ran {:?}", seen.times_by_id());
    let counts = queues.counts(STORE_EVENTS).await.unwrap();
    assert_eq!((counts.waiting, counts.active, counts.completed), (3, 0, 1), "{counts:?}");
    for id in &ids {
        assert_eq!(state_of(&queues, id).await, Some(JobState::Waiting));
    }

    admin.resume(STORE_EVENTS).await.unwrap();
    admin.resume(STORE_EVENTS).await.unwrap();
    assert!(!queues.is_paused(STORE_EVENTS).await.unwrap());
    eventually("the held jobs completed", Duration::from_secs(20), || async {
        queues.counts(STORE_EVENTS).await.unwrap().completed == 4
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for worker in [here, there, late] {
        worker.shutdown(SHUTDOWN).await.unwrap();
    }
    let times = seen.times_by_id();
    assert_eq!(times.len(), 4, "{times:?}");
    assert!(times.values().all(|&t| t == 1), "{times:?}");
}

async fn a_retried_failed_job_runs_once_more_with_all_its_attempts(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let job = NewJob::new("doomed", json!({"n": 1})).with_id("retry-me").with_retries(2, Duration::from_millis(50));
    queues.add(STORE_EVENTS, job).await.unwrap();
    let (seen, healthy) = (Seen::default(), Arc::new(AtomicBool::new(false)));
    let worker =
        queues.start_worker(STORE_EVENTS, failing_until(&seen, &healthy, Duration::ZERO), options(1)).await.unwrap();
    eventually("the job failed for good", Duration::from_secs(20), || async {
        state_of(&queues, "retry-me").await == Some(JobState::Failed)
    })
    .await;
    let status = queues.status(STORE_EVENTS, "retry-me").await.unwrap().unwrap();
    assert_eq!(
        (status.attempts_made, status.failed_reason.as_deref()),
        (2, Some("storing a batch: connection refused (retry-me)"))
    );
    assert_eq!(seen.len(), 2);

    healthy.store(true, Ordering::SeqCst);
    assert!(queues.retry_failed(STORE_EVENTS, "retry-me").await.unwrap());
    eventually("the retried job completed", Duration::from_secs(20), || async {
        state_of(&queues, "retry-me").await == Some(JobState::Completed)
    })
    .await;
    // No longer failed: a second retry does nothing.
    assert!(!queues.retry_failed(STORE_EVENTS, "retry-me").await.unwrap());
    assert!(!queues.retry_failed(STORE_EVENTS, "no-such-job").await.unwrap());
    // Ids the queue assigned are integers, and are looked up like any other.
    assert!(!queues.retry_failed(STORE_EVENTS, "4242").await.unwrap());
    tokio::time::sleep(SETTLE).await;
    worker.shutdown(SHUTDOWN).await.unwrap();

    // Ran once more, as its first attempt again.
    assert_eq!(seen.jobs().iter().map(|j| j.attempt).collect::<Vec<_>>(), [1, 2, 1]);
    let status = queues.status(STORE_EVENTS, "retry-me").await.unwrap().unwrap();
    assert_eq!((status.state, status.attempts_made, status.failed_reason), (JobState::Completed, 1, None));
    let counts = queues.counts(STORE_EVENTS).await.unwrap();
    assert_eq!((counts.failed, counts.waiting, counts.completed), (0, 0, 1));
}

async fn retry_all_failed_moves_every_failed_job_back_and_each_runs_once(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let jobs = (0..5)
        .map(|n| NewJob::new("page_view", json!({"n": n})).with_id(format!("evt-{n}")).with_retries(1, Duration::ZERO));
    queues.add_bulk(STORE_EVENTS, jobs.collect()).await.unwrap();
    let (seen, healthy) = (Seen::default(), Arc::new(AtomicBool::new(false)));
    let worker =
        queues.start_worker(STORE_EVENTS, failing_until(&seen, &healthy, Duration::ZERO), options(4)).await.unwrap();
    eventually("five jobs failed", Duration::from_secs(20), || async {
        queues.counts(STORE_EVENTS).await.unwrap().failed >= 5
    })
    .await;
    worker.shutdown(SHUTDOWN).await.unwrap();
    // A waiting job is not failed, and is not counted.
    queues.add(STORE_EVENTS, NewJob::new("page_view", json!({})).with_id("pending")).await.unwrap();
    let counts = queues.counts(STORE_EVENTS).await.unwrap();
    assert_eq!((counts.failed, counts.waiting), (5, 1), "{counts:?}");

    healthy.store(true, Ordering::SeqCst);
    assert_eq!(queues.retry_all_failed(STORE_EVENTS).await.unwrap(), 5);
    let counts = queues.counts(STORE_EVENTS).await.unwrap();
    assert_eq!((counts.failed, counts.waiting), (0, 6), "{counts:?}");
    let worker =
        queues.start_worker(STORE_EVENTS, failing_until(&seen, &healthy, Duration::ZERO), options(4)).await.unwrap();
    eventually("the retried jobs completed", Duration::from_secs(20), || async {
        queues.counts(STORE_EVENTS).await.unwrap().completed == 6
    })
    .await;
    assert_eq!(queues.retry_all_failed(STORE_EVENTS).await.unwrap(), 0);
    tokio::time::sleep(SETTLE).await;
    worker.shutdown(SHUTDOWN).await.unwrap();
    let mut times = seen.times_by_id();
    assert_eq!(times.remove("pending"), Some(1));
    assert_eq!(times.len(), 5, "{times:?}");
    assert!(times.values().all(|&t| t == 2), "each failed once and ran once more: {times:?}");
    assert!(seen.jobs().iter().all(|j| j.attempt == 1));
}

async fn failed_jobs_lists_reason_attempts_name_and_data_newest_first_in_pages(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let began_ms =
        u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap();
    let (seen, healthy) = (Seen::default(), Arc::new(AtomicBool::new(false)));
    let worker = queues
        .start_worker(STORE_EVENTS, failing_until(&seen, &healthy, Duration::from_millis(20)), options(1))
        .await
        .unwrap();
    // One after another, so that they fail in this order.
    for (n, attempts) in [(0, 1), (1, 2), (2, 1)] {
        let id = format!("f-{n}");
        let job = NewJob::new(format!("kind-{n}"), json!({"n": n}))
            .with_id(&id)
            .with_retries(attempts, Duration::from_millis(50));
        queues.add(STORE_EVENTS, job).await.unwrap();
        eventually("the job failed for good", Duration::from_secs(20), || async {
            state_of(&queues, &id).await == Some(JobState::Failed)
        })
        .await;
    }
    healthy.store(true, Ordering::SeqCst);
    queues.add(STORE_EVENTS, NewJob::new("kind-ok", json!({})).with_id("ok-1")).await.unwrap();
    eventually("the good job completed", Duration::from_secs(20), || async {
        state_of(&queues, "ok-1").await == Some(JobState::Completed)
    })
    .await;
    worker.shutdown(SHUTDOWN).await.unwrap();

    let failed = queues.failed_jobs(STORE_EVENTS, 0, 10).await.unwrap();
    assert_eq!(failed.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["f-2", "f-1", "f-0"], "{failed:?}");
    for (job, (n, attempts)) in failed.iter().zip([(2, 1), (1, 2), (0, 1)]) {
        assert_eq!(job.name, format!("kind-{n}"));
        assert_eq!(job.data, json!({"n": n}));
        assert_eq!(job.attempts_made, attempts);
        assert_eq!(job.failed_reason, format!("storing a batch: connection refused (f-{n})"));
        let status = queues.status(STORE_EVENTS, &job.id).await.unwrap().unwrap();
        assert_eq!(status.failed_reason.as_deref(), Some(job.failed_reason.as_str()), "as status() reports it");
        assert!(began_ms <= job.added_at_ms && job.added_at_ms <= job.failed_at_ms, "{job:?}");
    }
    assert!(failed[0].failed_at_ms >= failed[1].failed_at_ms && failed[1].failed_at_ms >= failed[2].failed_at_ms);
    let page = |offset, limit| {
        let queues = queues.clone();
        async move {
            queues.failed_jobs(STORE_EVENTS, offset, limit).await.unwrap().into_iter().map(|j| j.id).collect::<Vec<_>>()
        }
    };
    assert_eq!(page(0, 2).await, ["f-2", "f-1"]);
    assert_eq!(page(1, 1).await, ["f-1"]);
    assert_eq!(page(2, 5).await, ["f-0"]);
    assert!(page(3, 5).await.is_empty());
    assert!(page(0, 0).await.is_empty());
    assert!(queues.failed_jobs("no-such-queue", 0, 10).await.unwrap().is_empty());
}

async fn remove_job_deletes_waiting_and_failed_jobs_but_not_a_running_one(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let waiting = queues.add(STORE_EVENTS, NewJob::new("page_view", json!({}))).await.unwrap();
    assert!(queues.remove_job(STORE_EVENTS, &waiting).await.unwrap());
    assert_eq!(queues.status(STORE_EVENTS, &waiting).await.unwrap(), None);
    assert!(!queues.remove_job(STORE_EVENTS, &waiting).await.unwrap());
    assert!(!queues.remove_job(STORE_EVENTS, "no-such-job").await.unwrap());
    assert_eq!(queues.counts(STORE_EVENTS).await.unwrap().waiting, 0);

    let (seen, release) = (Seen::default(), Arc::new(Semaphore::new(0)));
    let worker = queues.start_worker(STORE_EVENTS, gated(&seen, &release), options(2)).await.unwrap();
    queues.add(STORE_EVENTS, NewJob::new("fail", json!({})).with_id("bad-1")).await.unwrap();
    eventually("the job failed", Duration::from_secs(20), || async {
        state_of(&queues, "bad-1").await == Some(JobState::Failed)
    })
    .await;
    assert!(queues.remove_job(STORE_EVENTS, "bad-1").await.unwrap());
    assert_eq!(queues.status(STORE_EVENTS, "bad-1").await.unwrap(), None);
    assert_eq!(queues.counts(STORE_EVENTS).await.unwrap().failed, 0);
    assert!(queues.failed_jobs(STORE_EVENTS, 0, 10).await.unwrap().is_empty());

    queues.add(STORE_EVENTS, NewJob::new("slow", json!({})).with_id("slow-1")).await.unwrap();
    eventually("the slow job started", Duration::from_secs(20), || async {
        state_of(&queues, "slow-1").await == Some(JobState::Active)
    })
    .await;
    let removed = queues.remove_job(STORE_EVENTS, "slow-1").await;
    assert!(matches!(&removed, Err(QueueError::JobActive(id)) if id == "slow-1"), "{removed:?}");
    assert_eq!(state_of(&queues, "slow-1").await, Some(JobState::Active));
    release.add_permits(1);
    eventually("the running job completed", Duration::from_secs(20), || async {
        state_of(&queues, "slow-1").await == Some(JobState::Completed)
    })
    .await;
    worker.shutdown(SHUTDOWN).await.unwrap();
    assert_eq!(seen.times_by_id(), HashMap::from([("bad-1".to_owned(), 1), ("slow-1".to_owned(), 1)]));
    // Completed, it can go.
    assert!(queues.remove_job(STORE_EVENTS, "slow-1").await.unwrap());
    assert_eq!(queues.counts(STORE_EVENTS).await.unwrap(), zelly_queue::JobCounts::default());
}

async fn admin_operations_refuse_bad_queue_names_and_job_ids(config: QueueConfig) {
    let queues = connect(&config).await.unwrap();
    let invalid = |result: Result<(), QueueError>| matches!(result, Err(QueueError::Invalid(_)));
    for queue in ["", "a:b"] {
        assert!(invalid(queues.failed_jobs(queue, 0, 10).await.map(drop)), "{queue:?}");
        assert!(invalid(queues.retry_failed(queue, "evt-1").await.map(drop)), "{queue:?}");
        assert!(invalid(queues.retry_all_failed(queue).await.map(drop)), "{queue:?}");
        assert!(invalid(queues.remove_job(queue, "evt-1").await.map(drop)), "{queue:?}");
        assert!(invalid(queues.pause(queue).await), "{queue:?}");
        assert!(invalid(queues.resume(queue).await), "{queue:?}");
        assert!(invalid(queues.is_paused(queue).await.map(drop)), "{queue:?}");
    }
    for id in ["", "a:b", &"x".repeat(257)] {
        assert!(invalid(queues.retry_failed(STORE_EVENTS, id).await.map(drop)), "{id:?}");
        assert!(invalid(queues.remove_job(STORE_EVENTS, id).await.map(drop)), "{id:?}");
    }
    // Pausing one queue leaves the others alone.
    queues.pause(STORE_EVENTS).await.unwrap();
    assert!(!queues.is_paused(zelly_queue::SHOPIFY_WEBHOOK).await.unwrap());
}
