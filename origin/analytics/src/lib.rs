//! Storefront analytics storage: the events of every tenant, and the per-tenant report that
//! `GET /api/seller/analytics` answers.
//!
//! The events consumer stores the [`StoreEvent`]s of the `store-events` queue with
//! [`AnalyticsStore::insert`]; core-api reads an [`AnalyticsReport`] with [`AnalyticsStore::report`].
//! Two implementations sit behind the one trait, each owning its migrations:
//! - [`ClickHouseAnalytics`](crate::clickhouse::ClickHouseAnalytics): ClickHouse over HTTP, the
//!   seed's analytics database. It works with servers as old as Debian's 18.16 and with current
//!   ones (see that module).
//! - [`SqliteAnalytics`](crate::sqlite::SqliteAnalytics): one SQLite file, the embedded default of
//!   `cargo xtask dev`.
//!
//! Pick one from the environment with [`AnalyticsConfig::from_env`] and [`connect`]:
//! `CLICKHOUSE_HOST` (with `CLICKHOUSE_USER`, `CLICKHOUSE_PASSWORD`, `CLICKHOUSE_DATABASE`,
//! `CLICKHOUSE_TABLE`), else `analytics.db` under `ZELLY_DATA_DIR`.
//!
//! # Semantics, on both backends
//! - **Exactly once, by `event_id`.** The queue delivers at least once, and the consumer retries a
//!   whole batch after any error, so the same event may be inserted many times, within one batch or
//!   across batches. Every count is of distinct `event_id`s (and visits of distinct
//!   `session_id`s), so an event stored twice is still counted once. SQLite keeps one row per
//!   `event_id` (its primary key); ClickHouse may hold duplicate rows until its background merges
//!   collapse them, and counts exactly anyway (see [the ClickHouse module](crate::clickhouse)).
//! - **All or nothing per batch, from the caller's view.** `insert` returns `Ok` only once the
//!   whole batch is stored; after an error the caller retries the whole batch, which the rule
//!   above makes harmless.
//! - **One tenant per report.** Every merchant read names its tenant; no query reads another
//!   tenant's rows. Only the platform report, for platform staff, reads across tenants.
//! - **Merchant days.** A [`ReportRange`] is calendar days at a fixed UTC offset: an event belongs
//!   to the date of `received_at_ms + offset` (the time intake accepted it, not the shopper's
//!   clock). Every day of the range is reported, zero-filled.
//! - **Counts.** Per day and for the range: visits = distinct sessions with any event; page views,
//!   product views, add-to-carts, checkouts (`checkout_started`) and orders (`order_placed`) =
//!   distinct events of that kind; conversion = distinct sessions with an order over visits. The
//!   range's visits are distinct over the whole range, not a sum of days. Top products: up to
//!   [`TOP_PRODUCTS`](zelly_edge::analytics::TOP_PRODUCTS) by product views, then add-to-carts,
//!   then product id; products only added to carts follow with 0 views. Titles and handles are
//!   left for core-api to fill from the catalog.
//! - **Platform report** ([`AnalyticsStore::platform_report`], for platform staff): across every
//!   store, or one. Visits = distinct `(tenant_id, session_id)` pairs with any event (a session id
//!   belongs to one store); orders = distinct `order_placed` events; GMV = the values of distinct
//!   `order_placed` events summed per currency (sorted by currency); conversion = distinct
//!   `(tenant_id, session_id)` pairs with an order over visits. Per day, over the range (visits
//!   distinct over the range), and for the top [`TOP_STORES`](zelly_edge::analytics::TOP_STORES)
//!   stores by orders, then visits, then tenant id (none when one store is asked for). Only the
//!   range's rows are read (by `received_at_ms`; on ClickHouse also by `received_at`, which prunes
//!   other months' parts).
//!
//! # Tests
//! `tests/conformance.rs` (and `tests/platform.rs`, for the platform report) run one suite
//! against both backends ([`on_both_backends!`]); see [`testing`] for where its ClickHouse comes
//! from (`ZELLY_TEST_CLICKHOUSE_URL`, else a throwaway [`TempClickHouse`](testing::TempClickHouse)
//! when `clickhouse-server` is installed).
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod clickhouse;
mod config;
mod error;
mod report;
pub mod sqlite;
pub mod testing;

use async_trait::async_trait;
use std::sync::Arc;
use uuid::Uuid;
use zelly_edge::analytics::{AnalyticsReport, PlatformReport};
use zelly_edge::events::StoreEvent;

pub use config::{AnalyticsConfig, ClickHouseConfig, DEFAULT_CLICKHOUSE_TIMEOUT};
pub use error::AnalyticsError;
pub use report::ReportRange;

/// Storing events and reading reports, on whichever backend was configured.
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// Which backend this is (`clickhouse` or `sqlite`), for logs and health output.
    fn backend(&self) -> &'static str;

    /// Stores a batch of events. Idempotent per `event_id`: an event already stored, or repeated
    /// within the batch, is counted once. `Ok` means the whole batch is stored; after an error
    /// the caller retries the whole batch.
    async fn insert(&self, events: &[StoreEvent]) -> Result<(), AnalyticsError>;

    /// One tenant's report over `range` (see the crate docs for what is counted).
    async fn report(&self, tenant_id: Uuid, range: &ReportRange) -> Result<AnalyticsReport, AnalyticsError>;

    /// Platform-wide figures over `range` for platform staff: every store's events, or only
    /// `tenant_id`'s when given (see the crate docs for what is counted). Reads only the range.
    async fn platform_report(
        &self,
        tenant_id: Option<Uuid>,
        range: &ReportRange,
    ) -> Result<PlatformReport, AnalyticsError>;

    /// How many distinct events of the tenant are stored.
    async fn event_count(&self, tenant_id: Uuid) -> Result<u64, AnalyticsError>;

    /// Checks that the backend answers, for health checks.
    async fn ping(&self) -> Result<(), AnalyticsError>;
}

/// A shareable handle on whichever backend was configured.
pub type DynAnalytics = Arc<dyn AnalyticsStore>;

/// Connects to the configured backend and brings its schema up to date: asks ClickHouse its
/// version and applies pending migrations, or opens and migrates the SQLite file.
pub async fn connect(config: &AnalyticsConfig) -> Result<DynAnalytics, AnalyticsError> {
    Ok(match config {
        AnalyticsConfig::ClickHouse(ch) => Arc::new(crate::clickhouse::ClickHouseAnalytics::connect(ch).await?),
        AnalyticsConfig::Sqlite { path } => Arc::new(sqlite::SqliteAnalytics::open(path).await?),
    })
}

/// The events of a batch with repeats of an `event_id` left out (the first one is kept), so a
/// batch sends each event once.
pub(crate) fn unique_events(events: &[StoreEvent]) -> Vec<&StoreEvent> {
    let mut seen = std::collections::HashSet::with_capacity(events.len());
    events.iter().filter(|event| seen.insert(event.event_id)).collect()
}

/// The range, or [`AnalyticsError::Invalid`] naming its bad fields.
pub(crate) fn checked(range: &ReportRange) -> Result<(), AnalyticsError> {
    range.validate().map_err(|errors| {
        let fields: Vec<String> = errors.iter().map(|(field, message)| format!("{field}: {message}")).collect();
        AnalyticsError::Invalid(fields.join("; "))
    })
}
