//! Fresh analytics stores for tests: a new SQLite file, or a new database on a test ClickHouse.
//!
//! ClickHouse cases use `ZELLY_TEST_CLICKHOUSE_URL` when it is set (any server; each case gets a
//! database of its own, so cases can share it). Otherwise, when `clickhouse-server` is installed,
//! the first case starts a [`TempClickHouse`] that every case of the test binary shares. Without
//! either, ClickHouse cases are skipped with a notice, unless `ZELLY_REQUIRE_CLICKHOUSE=1`, which
//! turns the skip into a failure.

mod server;

pub use server::{START_TIMEOUT, STOP_TIMEOUT, SYSTEM_CONFIG_DIR, TempClickHouse};

use crate::{AnalyticsConfig, ClickHouseConfig, DynAnalytics, connect};
use std::path::PathBuf;
use std::sync::OnceLock;
use uuid::Uuid;

/// Whether `ZELLY_REQUIRE_CLICKHOUSE=1`: ClickHouse cases must run, not skip.
pub fn clickhouse_required() -> bool {
    std::env::var("ZELLY_REQUIRE_CLICKHOUSE").as_deref() == Ok("1")
}

/// Skips a case with a notice on stderr, or panics with the same words when ClickHouse is required.
pub fn skip_or_fail(why: &str) {
    assert!(!clickhouse_required(), "ZELLY_REQUIRE_CLICKHOUSE=1 but {why}");
    eprintln!("skipping ClickHouse case: {why} (install clickhouse-server or set ZELLY_TEST_CLICKHOUSE_URL)");
}

/// The test binary's shared server, started on first use. Never dropped: its watchdog stops it
/// and removes its dir when the test process exits.
static SHARED: OnceLock<Result<TempClickHouse, String>> = OnceLock::new();

/// The test ClickHouse's URL: `ZELLY_TEST_CLICKHOUSE_URL`, else a server shared by this test
/// binary, else `None` (after [`skip_or_fail`]). Blocks while the shared server starts. A server
/// that is installed but fails to start is a failure, not a skip.
pub fn clickhouse_url() -> Option<String> {
    if let Ok(url) = std::env::var("ZELLY_TEST_CLICKHOUSE_URL")
        && !url.trim().is_empty()
    {
        return Some(url.trim().to_owned());
    }
    if TempClickHouse::binary().is_none() {
        skip_or_fail("ZELLY_TEST_CLICKHOUSE_URL is not set and clickhouse-server is not installed");
        return None;
    }
    match SHARED.get_or_init(|| TempClickHouse::start_new().map_err(|e| e.to_string())) {
        Ok(server) => Some(server.url()),
        Err(err) => panic!("cannot start the test ClickHouse: {err}"),
    }
}

/// A server of the test's own, which it may stop and start: `None` (after [`skip_or_fail`]) when
/// `clickhouse-server` is not installed, since a server given by URL cannot be stopped.
pub fn temp_clickhouse() -> Option<TempClickHouse> {
    if TempClickHouse::binary().is_none() {
        skip_or_fail("clickhouse-server is not installed (needed to stop and start a server)");
        return None;
    }
    Some(TempClickHouse::start_new().unwrap_or_else(|e| panic!("cannot start a test ClickHouse: {e}")))
}

/// A database name no other test uses.
pub fn fresh_database() -> String {
    format!("zelly_test_{}", Uuid::new_v4().simple())
}

/// The configuration of a new database on the server at `url`.
pub fn clickhouse_config_at(url: &str) -> ClickHouseConfig {
    ClickHouseConfig { database: fresh_database(), ..ClickHouseConfig::new(url) }
}

/// A new database on the test ClickHouse, or `None` as [`clickhouse_url`] explains.
pub fn clickhouse_config() -> Option<AnalyticsConfig> {
    clickhouse_url().map(|url| AnalyticsConfig::ClickHouse(clickhouse_config_at(&url)))
}

/// A migrated store on a new database of the test ClickHouse, or `None` as [`clickhouse_url`]
/// explains.
pub async fn clickhouse_analytics() -> Option<DynAnalytics> {
    let config = clickhouse_config()?;
    Some(connect(&config).await.unwrap_or_else(|e| panic!("cannot connect to the test ClickHouse: {e}")))
}

/// A path for a new SQLite file in the system temp dir.
pub fn fresh_sqlite_path() -> PathBuf {
    std::env::temp_dir().join(format!("zelly-analytics-test-{}.db", Uuid::new_v4().simple()))
}

/// A new SQLite file's configuration.
pub fn sqlite_config() -> AnalyticsConfig {
    AnalyticsConfig::Sqlite { path: fresh_sqlite_path() }
}

/// A migrated store on a new SQLite file.
pub async fn sqlite_analytics() -> DynAnalytics {
    let config = sqlite_config();
    connect(&config).await.unwrap_or_else(|e| panic!("cannot open a test SQLite analytics file: {e}"))
}

/// Declares each listed `async fn case(config: AnalyticsConfig)` as a test on the embedded SQLite
/// store and on ClickHouse (modules `sqlite` and `clickhouse`), so one suite holds both to the
/// same behaviour. A case gets a configuration rather than a connection, so that it can connect
/// twice (migrations must be idempotent); [`connect`](crate::connect) it to get a store.
#[macro_export]
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() {
                super::$case($crate::testing::sqlite_config()).await
            })*
        }
        mod clickhouse {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $case() {
                if let Some(config) = $crate::testing::clickhouse_config() { super::$case(config).await }
            })*
        }
    };
}
