//! The embedded analytics store: one SQLite file (WAL), for `cargo xtask dev` and fast tests.
//!
//! Events are rows of `store_events` (see `migrations/sqlite`) keyed by `event_id`, so storing an
//! event again changes nothing (`INSERT … ON CONFLICT DO NOTHING`), and a batch is one
//! `BEGIN IMMEDIATE` transaction: all of it is stored, or none. Because every row is a distinct
//! event, counting rows of a kind *is* counting distinct events.
//!
//! core-api (reading) and the events consumer (writing) open the same file from two processes:
//! WAL lets readers go on while a batch is written, and the busy timeout makes a writer wait for
//! another process's write lock instead of failing.

use crate::report::{Counts, DAY_MS, build_report};
use crate::{AnalyticsError, AnalyticsStore, ReportRange, checked, unique_events};
use async_trait::async_trait;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::analytics::{AnalyticsReport, TOP_PRODUCTS, TopProduct};
use zelly_edge::events::{EventKind, StoreEvent};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a write waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQLite implementation of [`AnalyticsStore`].
#[derive(Debug, Clone)]
pub struct SqliteAnalytics {
    /// One connection: this process's batches queue here instead of spinning on SQLite's lock.
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteAnalytics {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> Result<Self, AnalyticsError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| AnalyticsError::Invalid(format!("data dir {}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            // Durable across crashes of the process; only the last commits are at risk on power
            // loss, the usual embedded trade-off (production analytics live in ClickHouse).
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT);
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        // Two services starting together may race to apply the first migration; the loser's
        // attempt fails on the winner's rows, and a second run finds everything applied.
        if MIGRATOR.run(&writer).await.is_err() {
            MIGRATOR.run(&writer).await?;
        }
        let reader = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        Ok(Self { writer, reader })
    }
}

/// SQLite integers are signed; counts never get near the limit.
fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// One row of counts as the report queries select them.
type CountsRow = (i64, i64, i64, i64, i64, i64, i64, i64);

fn counts((_, visits, page_views, product_views, add_to_carts, checkouts, orders, converted): CountsRow) -> Counts {
    Counts {
        visits: count(visits),
        page_views: count(page_views),
        product_views: count(product_views),
        add_to_carts: count(add_to_carts),
        checkouts: count(checkouts),
        orders: count(orders),
        converted_sessions: count(converted),
    }
}

/// The counted columns, after a leading day column. Rows are distinct events, so a sum of a
/// kind is its number of distinct events.
fn counts_sql(day: &str, group: &str) -> String {
    format!(
        "SELECT {day}, COUNT(DISTINCT session_id), \
                COALESCE(SUM(kind = '{page}'), 0), COALESCE(SUM(kind = '{product}'), 0), \
                COALESCE(SUM(kind = '{cart}'), 0), COALESCE(SUM(kind = '{checkout}'), 0), \
                COALESCE(SUM(kind = '{order}'), 0), \
                COUNT(DISTINCT CASE WHEN kind = '{order}' THEN session_id END) \
         FROM store_events \
         WHERE tenant_id = ?1 AND received_at_ms >= ?2 AND received_at_ms < ?3 {group}",
        page = EventKind::PageView.as_str(),
        product = EventKind::ProductView.as_str(),
        cart = EventKind::AddToCart.as_str(),
        checkout = EventKind::CheckoutStarted.as_str(),
        order = EventKind::OrderPlaced.as_str(),
    )
}

#[async_trait]
impl AnalyticsStore for SqliteAnalytics {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    #[tracing::instrument(skip_all, fields(count = events.len()))]
    async fn insert(&self, events: &[StoreEvent]) -> Result<(), AnalyticsError> {
        let events = unique_events(events);
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        for stored in events {
            let event = &stored.event;
            sqlx::query(
                "INSERT INTO store_events (event_id, tenant_id, received_at_ms, kind, session_id, path, \
                     client_time_ms, product_id, variant_id, quantity, search_query, order_id, value_minor, \
                     value_currency) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
                 ON CONFLICT (event_id) DO NOTHING",
            )
            .bind(stored.event_id.to_string())
            .bind(stored.tenant_id.to_string())
            .bind(stored.received_at_ms)
            .bind(event.kind.as_str())
            .bind(&event.session_id)
            .bind(&event.path)
            .bind(event.client_time_ms)
            .bind(event.product_id.map(|id| id.to_string()))
            .bind(event.variant_id.map(|id| id.to_string()))
            .bind(event.quantity.map(i64::from))
            .bind(event.query.as_deref())
            .bind(event.order_id.as_deref())
            .bind(event.value.map(|v| v.amount_minor))
            .bind(event.value.map(|v| v.currency.as_str().to_owned()))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(tenant = %tenant_id))]
    async fn report(&self, tenant_id: Uuid, range: &ReportRange) -> Result<AnalyticsReport, AnalyticsError> {
        checked(range)?;
        let tenant = tenant_id.to_string();
        let (start, end) = (range.start_ms(), range.end_ms());
        // One read transaction, so the days, totals and products are of the same moment.
        let mut tx = self.reader.begin().await?;
        let day_sql = counts_sql(&format!("(received_at_ms - ?2) / {DAY_MS}"), "GROUP BY 1 ORDER BY 1");
        let days: Vec<CountsRow> = sqlx::query_as(sqlx::AssertSqlSafe(day_sql))
            .bind(&tenant)
            .bind(start)
            .bind(end)
            .fetch_all(&mut *tx)
            .await?;
        let totals: CountsRow = sqlx::query_as(sqlx::AssertSqlSafe(counts_sql("0", "")))
            .bind(&tenant)
            .bind(start)
            .bind(end)
            .fetch_one(&mut *tx)
            .await?;
        let products: Vec<(String, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT product_id, SUM(kind = '{product}') AS views, SUM(kind = '{cart}') AS carts \
             FROM store_events \
             WHERE tenant_id = ?1 AND received_at_ms >= ?2 AND received_at_ms < ?3 \
               AND product_id IS NOT NULL AND kind IN ('{product}', '{cart}') \
             GROUP BY product_id ORDER BY views DESC, carts DESC, product_id ASC LIMIT {TOP_PRODUCTS}",
            product = EventKind::ProductView.as_str(),
            cart = EventKind::AddToCart.as_str(),
        )))
        .bind(&tenant)
        .bind(start)
        .bind(end)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;

        // Rows are only those at or after the range's start, so day indexes are never negative.
        let days: Vec<(u64, Counts)> = days.into_iter().map(|row| (count(row.0), counts(row))).collect();
        let top_products = products
            .into_iter()
            .map(|(id, views, carts)| {
                let product_id =
                    Uuid::parse_str(&id).map_err(|e| AnalyticsError::Corrupt(format!("product_id {id:?}: {e}")))?;
                Ok(TopProduct {
                    product_id,
                    title: None,
                    handle: None,
                    views: count(views),
                    add_to_carts: count(carts),
                })
            })
            .collect::<Result<Vec<_>, AnalyticsError>>()?;
        Ok(build_report(range, counts(totals), &days, top_products))
    }

    async fn event_count(&self, tenant_id: Uuid) -> Result<u64, AnalyticsError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM store_events WHERE tenant_id = ?1")
            .bind(tenant_id.to_string())
            .fetch_one(&self.reader)
            .await?;
        Ok(count(n))
    }

    async fn ping(&self) -> Result<(), AnalyticsError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }
}
