//! Fresh queues for tests: a new SQLite file, or a new key prefix on the test Redis.
//!
//! Redis tests need `ZELLY_TEST_REDIS_URL` (a server started with `--maxmemory-policy noeviction`).
//! `cargo xtask test` starts a throwaway server and sets it together with `ZELLY_REQUIRE_REDIS=1`,
//! which turns a missing server into a failure instead of a skip.

use crate::{QueueConfig, RedisConfig};
use std::path::PathBuf;
use uuid::Uuid;

/// Whether `ZELLY_REQUIRE_REDIS=1`: Redis cases (and the Node interop cases) must run, not skip.
pub fn redis_required() -> bool {
    std::env::var("ZELLY_REQUIRE_REDIS").as_deref() == Ok("1")
}

/// Skips a case with a notice on stderr, or panics with the same words when Redis is required.
pub fn skip_or_fail(why: &str) {
    assert!(!redis_required(), "ZELLY_REQUIRE_REDIS=1 but {why}");
    eprintln!("skipping: {why} (cargo xtask test provides it)");
}

/// The test Redis's URL, or `None` (after [`skip_or_fail`]) when none is configured.
pub fn redis_url() -> Option<String> {
    match std::env::var("ZELLY_TEST_REDIS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            skip_or_fail("ZELLY_TEST_REDIS_URL is not set");
            None
        }
    }
}

/// A key prefix no other test uses, so that tests sharing one server never see each other's jobs.
pub fn fresh_prefix() -> String {
    format!("zelly-test-{}", Uuid::new_v4().simple())
}

/// Queues on the test Redis under a fresh prefix, or `None` as [`redis_url`] explains.
pub fn redis_config() -> Option<QueueConfig> {
    let url = redis_url()?;
    Some(QueueConfig::Redis(RedisConfig { prefix: fresh_prefix(), ..RedisConfig::new(url) }))
}

/// Queues in a new SQLite file in the system temp dir.
pub fn sqlite_config() -> QueueConfig {
    let path: PathBuf = std::env::temp_dir().join(format!("zelly-queue-test-{}.db", Uuid::new_v4().simple()));
    QueueConfig::Sqlite { path }
}

/// Declares each listed `async fn case(config: QueueConfig)` as a test on the embedded SQLite
/// queue and on BullMQ (modules `sqlite` and `bullmq`), so one suite holds both to the same
/// behaviour. A case gets a configuration rather than a connection, so that it can open a second
/// connection, e.g. on another runtime that it then kills.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() {
                super::$case($crate::testing::sqlite_config()).await
            })*
        }
        mod bullmq {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() {
                if let Some(config) = $crate::testing::redis_config() { super::$case(config).await }
            })*
        }
    };
}

/// Where the Node interop scripts live (`e2e/interop/`, run against `e2e/node_modules`).
pub fn e2e_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

/// The test Redis's URL when it and Node's `bullmq` (`npm ci` in `e2e/`) are both there;
/// otherwise `None`, after [`skip_or_fail`].
pub fn node_interop_redis() -> Option<String> {
    let url = redis_url()?;
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|out| out.status.success()) {
        skip_or_fail("`node` is not installed");
        return None;
    }
    if !e2e_dir().join("node_modules/bullmq/package.json").exists() {
        skip_or_fail("e2e/node_modules has no bullmq (run `npm ci` in e2e/)");
        return None;
    }
    Some(url)
}

/// Runs `e2e/interop/<script>` on `queue` under `prefix` with `INTEROP_COUNT=count` and any
/// `extra` variables, and returns the JSON line it prints last. Panics when it fails or takes
/// over a minute.
pub async fn run_node(script: &str, url: &str, prefix: &str, queue: &str, count: usize, extra: &[(&str, String)]) -> serde_json::Value {
    let dir = e2e_dir();
    let mut command = tokio::process::Command::new("node");
    command
        .arg(dir.join("interop").join(script))
        .current_dir(&dir)
        .env("INTEROP_REDIS_URL", url)
        .env("INTEROP_PREFIX", prefix)
        .env("INTEROP_QUEUE", queue)
        .env("INTEROP_COUNT", count.to_string())
        .kill_on_drop(true);
    for (name, value) in extra {
        command.env(name, value);
    }
    let out = tokio::time::timeout(std::time::Duration::from_secs(60), command.output())
        .await
        .unwrap_or_else(|_| panic!("node {script} ran over a minute"))
        .unwrap_or_else(|e| panic!("node {script} did not start: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "node {script} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|e| panic!("node {script} printed no JSON ({e}):\n{stdout}"))
}

/// Queues that are down: every call fails as an unreachable Redis would. For tests of what a
/// service does without its queue.
#[derive(Debug, Default)]
pub struct DownQueues;

fn down<T>() -> Result<T, crate::QueueError> {
    Err(crate::QueueError::Unreachable("the queue is down".into()))
}

#[async_trait::async_trait]
impl crate::Queues for DownQueues {
    fn backend(&self) -> &'static str {
        "down"
    }
    async fn add(&self, _: &str, _: crate::NewJob) -> Result<String, crate::QueueError> {
        down()
    }
    async fn add_bulk(&self, _: &str, _: Vec<crate::NewJob>) -> Result<Vec<String>, crate::QueueError> {
        down()
    }
    async fn status(&self, _: &str, _: &str) -> Result<Option<crate::JobStatus>, crate::QueueError> {
        down()
    }
    async fn counts(&self, _: &str) -> Result<crate::JobCounts, crate::QueueError> {
        down()
    }
    async fn start_worker(&self, _: &str, _: crate::DynProcessor, _: crate::WorkerOptions) -> Result<crate::Worker, crate::QueueError> {
        down()
    }
    async fn failed_jobs(&self, _: &str, _: u64, _: u64) -> Result<Vec<crate::FailedJob>, crate::QueueError> {
        down()
    }
    async fn retry_failed(&self, _: &str, _: &str) -> Result<bool, crate::QueueError> {
        down()
    }
    async fn retry_all_failed(&self, _: &str) -> Result<u64, crate::QueueError> {
        down()
    }
    async fn remove_job(&self, _: &str, _: &str) -> Result<bool, crate::QueueError> {
        down()
    }
    async fn pause(&self, _: &str) -> Result<(), crate::QueueError> {
        down()
    }
    async fn resume(&self, _: &str) -> Result<(), crate::QueueError> {
        down()
    }
    async fn is_paused(&self, _: &str) -> Result<bool, crate::QueueError> {
        down()
    }
}
