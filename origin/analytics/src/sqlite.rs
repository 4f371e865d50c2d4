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

use crate::report::{Counts, DAY_MS, PlatformCounts, PlatformData, build_platform_report, build_report};
use crate::{AnalyticsError, AnalyticsStore, ReportRange, checked, unique_events};
use async_trait::async_trait;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::analytics::{AnalyticsReport, PlatformReport, TOP_PRODUCTS, TOP_STORES, TopProduct};
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

/// The rows of the platform report's range (`?1` start, `?2` exclusive end, both
/// `received_at_ms`), of one tenant (`?3`) when `tenant` is set.
fn platform_filter(tenant: bool) -> &'static str {
    if tenant {
        "received_at_ms >= ?1 AND received_at_ms < ?2 AND tenant_id = ?3"
    } else {
        "received_at_ms >= ?1 AND received_at_ms < ?2"
    }
}

/// One row of platform counts: a leading group column, visits, orders, converted sessions.
type PlatformRow<T> = (T, i64, i64, i64);

fn platform_counts((_, visits, orders, converted): &PlatformRow<impl Sized>) -> PlatformCounts {
    PlatformCounts { visits: count(*visits), orders: count(*orders), converted_sessions: count(*converted) }
}

/// Platform counts grouped by `group` (selected first), or over the range with a constant. A
/// session id belongs to one store, so visits count `(tenant_id, session_id)` pairs (tenant ids
/// have a fixed length, so the concatenation is unambiguous); rows are distinct events.
fn platform_counts_sql(group_column: &str, filter: &str, group: &str) -> String {
    format!(
        "SELECT {group_column}, COUNT(DISTINCT tenant_id || '/' || session_id), \
                COALESCE(SUM(kind = '{order}'), 0), \
                COUNT(DISTINCT CASE WHEN kind = '{order}' THEN tenant_id || '/' || session_id END) \
         FROM store_events WHERE {filter} {group}",
        order = EventKind::OrderPlaced.as_str(),
    )
}

/// Order values summed by `group_column` and currency, of orders with a value.
fn platform_gmv_sql(group_column: &str, filter: &str) -> String {
    format!(
        "SELECT {group_column}, value_currency, SUM(value_minor) FROM store_events \
         WHERE {filter} AND kind = '{order}' AND value_minor IS NOT NULL AND value_currency IS NOT NULL \
         GROUP BY 1, 2 ORDER BY 1, 2",
        order = EventKind::OrderPlaced.as_str(),
    )
}

fn tenant_uuid(text: &str) -> Result<Uuid, AnalyticsError> {
    Uuid::parse_str(text).map_err(|e| AnalyticsError::Corrupt(format!("tenant_id {text:?}: {e}")))
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

    #[tracing::instrument(skip_all, fields(tenant = ?tenant_id))]
    async fn platform_report(
        &self,
        tenant_id: Option<Uuid>,
        range: &ReportRange,
    ) -> Result<PlatformReport, AnalyticsError> {
        checked(range)?;
        let tenant = tenant_id.map(|id| id.to_string());
        let filter = platform_filter(tenant.is_some());
        let (start, end) = (range.start_ms(), range.end_ms());
        // Binds the range and, when set, the tenant to a query over `filter`.
        macro_rules! bound {
            ($query:expr) => {{
                let query = $query.bind(start).bind(end);
                match &tenant {
                    Some(tenant) => query.bind(tenant.clone()),
                    None => query,
                }
            }};
        }
        let day = format!("(received_at_ms - ?1) / {DAY_MS}");
        // One read transaction, so every part of the report is of the same moment.
        let mut tx = self.reader.begin().await?;
        let days: Vec<PlatformRow<i64>> =
            bound!(sqlx::query_as(sqlx::AssertSqlSafe(platform_counts_sql(&day, filter, "GROUP BY 1 ORDER BY 1"))))
                .fetch_all(&mut *tx)
                .await?;
        let totals: PlatformRow<i64> =
            bound!(sqlx::query_as(sqlx::AssertSqlSafe(platform_counts_sql("0", filter, ""))))
                .fetch_one(&mut *tx)
                .await?;
        let day_gmv: Vec<(i64, String, i64)> =
            bound!(sqlx::query_as(sqlx::AssertSqlSafe(platform_gmv_sql(&day, filter)))).fetch_all(&mut *tx).await?;
        let mut data = PlatformData {
            totals: platform_counts(&totals),
            days: days.iter().map(|row| (count(row.0), platform_counts(row))).collect(),
            day_gmv: day_gmv.into_iter().map(|(day, currency, amount)| (count(day), currency, amount)).collect(),
            ..PlatformData::default()
        };
        if tenant.is_none() {
            // Ranked as `rank_stores` does; tenant ids are lower-case text, so text order is id order.
            let stores: Vec<PlatformRow<String>> = bound!(sqlx::query_as(sqlx::AssertSqlSafe(platform_counts_sql(
                "tenant_id",
                filter,
                &format!("GROUP BY 1 ORDER BY 3 DESC, 2 DESC, 1 ASC LIMIT {TOP_STORES}"),
            ))))
            .fetch_all(&mut *tx)
            .await?;
            if !stores.is_empty() {
                let placeholders: Vec<String> = (0..stores.len()).map(|i| format!("?{}", i + 3)).collect();
                let gmv_filter = format!("{filter} AND tenant_id IN ({})", placeholders.join(", "));
                let mut query = bound!(sqlx::query_as(sqlx::AssertSqlSafe(platform_gmv_sql("tenant_id", &gmv_filter))));
                for (store, ..) in &stores {
                    query = query.bind(store.clone());
                }
                let store_gmv: Vec<(String, String, i64)> = query.fetch_all(&mut *tx).await?;
                data.store_gmv = store_gmv
                    .into_iter()
                    .map(|(store, currency, amount)| Ok((tenant_uuid(&store)?, currency, amount)))
                    .collect::<Result<_, AnalyticsError>>()?;
            }
            data.stores = stores
                .iter()
                .map(|row| Ok((tenant_uuid(&row.0)?, platform_counts(row))))
                .collect::<Result<_, AnalyticsError>>()?;
        }
        tx.commit().await?;
        Ok(build_platform_report(range, tenant_id, data))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for `sql`, one line per step.
    async fn plan(store: &SqliteAnalytics, sql: &str, tenant: bool) -> String {
        let query =
            sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                .bind(0_i64)
                .bind(DAY_MS);
        let query = if tenant { query.bind(Uuid::nil().to_string()) } else { query };
        let rows = query.fetch_all(&store.reader).await.unwrap();
        rows.into_iter().map(|(.., detail)| detail).collect::<Vec<_>>().join("\n")
    }

    #[tokio::test]
    async fn platform_queries_read_the_range_by_an_index_not_the_whole_table() {
        let path = crate::testing::fresh_sqlite_path();
        let store = SqliteAnalytics::open(&path).await.unwrap();
        let day = format!("(received_at_ms - ?1) / {DAY_MS}");
        for tenant in [false, true] {
            let filter = platform_filter(tenant);
            for sql in [
                platform_counts_sql("0", filter, ""),
                platform_counts_sql(&day, filter, "GROUP BY 1 ORDER BY 1"),
                platform_counts_sql("tenant_id", filter, "GROUP BY 1 ORDER BY 3 DESC, 2 DESC, 1 ASC LIMIT 10"),
                platform_gmv_sql(&day, filter),
            ] {
                let plan = plan(&store, &sql, tenant).await;
                let index = if tenant { "store_events_by_tenant_time" } else { "store_events_by_time" };
                assert!(plan.contains(&format!("USING INDEX {index} (")), "{sql}\n{plan}");
                assert!(!plan.lines().any(|line| line.trim() == "SCAN store_events"), "{sql}\n{plan}");
            }
        }
        drop(store);
        let _ = std::fs::remove_file(&path);
    }
}
