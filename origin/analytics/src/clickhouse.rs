//! Analytics in ClickHouse over HTTP, with the official `clickhouse` crate.
//!
//! # Storage and deduplication
//! Events are rows of one `ReplacingMergeTree` table (`CLICKHOUSE_TABLE`, default `store_events`;
//! see `migrations/clickhouse`), partitioned by month of receipt and sorted by
//! `(tenant_id, toDate(received_at), event_id)`. A redelivered event has the same key, so its
//! copies collapse into one row when ClickHouse merges parts. Merges run in the background,
//! whenever ClickHouse likes: until then both copies are there.
//!
//! # Exact counts without waiting for merges
//! So no count relies on merges: events are counted with `uniqExact(event_id)` and
//! `uniqExactIf(event_id, kind = '…')`, visits with `uniqExact(session_id)`, converted sessions
//! with `uniqExactIf(session_id, kind = 'order_placed')`. These are exact distinct counts (unlike
//! `uniq`, which estimates) over whatever copies exist, so a duplicate never counts twice, on any
//! server version, before or after a merge. `SELECT … FINAL` would also see one row per key, but
//! it merges at read time (slower, and on old servers single-threaded) and still depends on the
//! copies agreeing; counting distinct ids needs neither. Within one batch, repeated events are sent
//! once.
//!
//! # Old and new servers
//! The crate must work with Debian's ClickHouse 18.16 as well as current servers. At connect it
//! asks `SELECT version()`:
//! - From [`VALIDATING_SINCE`] on, the client keeps the crate's default: `RowBinaryWithNamesAndTypes`,
//!   which checks every row type against the table's schema.
//! - Older servers do not know that format (18.16 answers `Unknown format`), so the client uses
//!   plain `RowBinary` (`with_validation(false)`). The row types here are written to match the
//!   schema exactly (every selected value is cast, e.g. `toUInt64(uniqExact(…))`), and the
//!   conformance suite runs against 18.16 to prove it.
//!
//! Other things 18.16 lacks and this module therefore avoids: `DateTime64` (times are `Int64`
//! milliseconds plus a `DateTime('UTC')` of whole seconds), `Map`, `LowCardinality` (experimental
//! there), window functions, `TTL`, `JSONExtract`, and server-side query parameters (`.param()`):
//! values are bound client-side with `.bind()`, UUIDs as `toUUID('…')`.
//!
//! # Merchant days
//! Rows are selected by `received_at_ms` in `[start, end)` of the range (see
//! [`ReportRange::start_ms`]); the day of a row is `intDiv(received_at_ms - start, 86400000)`,
//! which is never negative there, so no time-zone function or floor division of negative numbers
//! is needed. A condition on `received_at` (whole seconds) lets ClickHouse skip other months' parts.
//!
//! # The platform report
//! It reads every tenant's rows (or one tenant's) by the same time conditions. Visits are
//! `uniqExact(tenant_id, session_id)` (a session id belongs to one store), orders
//! `uniqExactIf(event_id, kind = 'order_placed')`. GMV is a sum, which distinct counting cannot
//! protect from a not-yet-merged duplicate, so orders are first collapsed to one row per
//! `event_id` (`GROUP BY event_id` with `any(…)`: copies of an event are identical) in a
//! subquery, then summed per currency. Without a tenant the first key column is unconstrained,
//! but the `received_at` condition still prunes parts by their month partition and min/max of
//! `received_at`, so only the range's months are read.
//!
//! # Migrations
//! At connect, the database is created if missing and each migration not yet recorded for the
//! events table in `schema_migrations` (in the same database) is applied, then recorded.
//! ClickHouse has no transactions, so a migration must be safe to apply twice (`IF NOT EXISTS`):
//! two services may start at once, or a crash may fall between a migration and its record.
//!
//! # Failures
//! Every request is bounded by [`ClickHouseConfig::timeout`], connecting included, so an
//! unreachable or stuck server is an error, never a hang. Errors name the server and the cause
//! (`ClickHouse at http://…: insert: … Connection refused`).

use crate::error::chain;
use crate::report::{Counts, DAY_MS, PlatformCounts, PlatformData, build_platform_report, build_report};
use crate::{AnalyticsError, AnalyticsStore, ClickHouseConfig, ReportRange, checked, unique_events};
use ::clickhouse::{Client, Row};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::analytics::{AnalyticsReport, PlatformReport, TOP_PRODUCTS, TOP_STORES, TopProduct};
use zelly_edge::events::{EventKind, StoreEvent};

/// The first server version (major, minor) whose row types are validated: an LTS release with
/// `RowBinaryWithNamesAndTypes` input and the `DESCRIBE TABLE` columns the crate reads. Older
/// servers get plain `RowBinary`.
pub const VALIDATING_SINCE: (u32, u32) = (22, 8);

/// A schema change: SQL statements separated by `;` at the end of a line, `{table}` standing for
/// the events table.
struct Migration {
    version: u32,
    name: &'static str,
    sql: &'static str,
}

/// Every migration, in order. Add new ones at the end; never edit an applied one.
const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "store_events",
    sql: include_str!("../migrations/clickhouse/0001_store_events.sql"),
}];

/// The ClickHouse implementation of [`AnalyticsStore`].
#[derive(Debug, Clone)]
pub struct ClickHouseAnalytics {
    /// With the events database as its default database.
    client: Client,
    url: String,
    table: String,
    timeout: Duration,
    version: String,
}

/// One event as stored (the columns of migration 1, in order).
#[derive(Debug, Row, Serialize)]
struct EventRow<'a> {
    #[serde(with = "::clickhouse::serde::uuid")]
    event_id: Uuid,
    #[serde(with = "::clickhouse::serde::uuid")]
    tenant_id: Uuid,
    /// `received_at_ms` in whole seconds (`DateTime`), clamped to what `DateTime` holds.
    received_at: u32,
    received_at_ms: i64,
    kind: &'a str,
    session_id: &'a str,
    path: &'a str,
    client_time_ms: Option<i64>,
    #[serde(with = "::clickhouse::serde::uuid::option")]
    product_id: Option<Uuid>,
    #[serde(with = "::clickhouse::serde::uuid::option")]
    variant_id: Option<Uuid>,
    quantity: Option<u32>,
    search_query: Option<&'a str>,
    order_id: Option<&'a str>,
    value_minor: Option<i64>,
    value_currency: Option<&'a str>,
}

impl<'a> From<&'a StoreEvent> for EventRow<'a> {
    fn from(stored: &'a StoreEvent) -> Self {
        let event = &stored.event;
        Self {
            event_id: stored.event_id,
            tenant_id: stored.tenant_id,
            received_at: seconds(stored.received_at_ms),
            received_at_ms: stored.received_at_ms,
            kind: event.kind.as_str(),
            session_id: &event.session_id,
            path: &event.path,
            client_time_ms: event.client_time_ms,
            product_id: event.product_id,
            variant_id: event.variant_id,
            quantity: event.quantity,
            search_query: event.query.as_deref(),
            order_id: event.order_id.as_deref(),
            value_minor: event.value.map(|v| v.amount_minor),
            value_currency: event.value.as_ref().map(|v| v.currency.as_str()),
        }
    }
}

/// The counts of one day (or of the range, with `day` 0), as the report queries select them.
#[derive(Debug, Row, Deserialize)]
struct CountsRow {
    day: u64,
    visits: u64,
    page_views: u64,
    product_views: u64,
    add_to_carts: u64,
    checkouts: u64,
    orders: u64,
    converted_sessions: u64,
}

impl From<&CountsRow> for Counts {
    fn from(row: &CountsRow) -> Self {
        Counts {
            visits: row.visits,
            page_views: row.page_views,
            product_views: row.product_views,
            add_to_carts: row.add_to_carts,
            checkouts: row.checkouts,
            orders: row.orders,
            converted_sessions: row.converted_sessions,
        }
    }
}

/// Platform counts of one group (a day index, or 0 for the range).
#[derive(Debug, Row, Deserialize)]
struct PlatformDayRow {
    day: u64,
    visits: u64,
    orders: u64,
    converted_sessions: u64,
}

/// Platform counts of one store.
#[derive(Debug, Row, Deserialize)]
struct PlatformStoreRow {
    /// As text, so that ties order as [`Uuid`] does (see [`ProductRow::product`]).
    tenant: String,
    visits: u64,
    orders: u64,
    converted_sessions: u64,
}

/// Order value of one day index in one currency.
#[derive(Debug, Row, Deserialize)]
struct DayGmvRow {
    day: u64,
    currency: String,
    amount_minor: i64,
}

/// Order value of one store in one currency.
#[derive(Debug, Row, Deserialize)]
struct StoreGmvRow {
    tenant: String,
    currency: String,
    amount_minor: i64,
}

fn parse_tenant(text: &str) -> Result<Uuid, AnalyticsError> {
    Uuid::parse_str(text).map_err(|e| AnalyticsError::Corrupt(format!("tenant_id {text:?}: {e}")))
}

/// One product's views and add-to-carts.
#[derive(Debug, Row, Deserialize)]
struct ProductRow {
    /// The id as text: ClickHouse orders UUIDs by their internal halves, text orders them as
    /// [`Uuid`] does, so ties break the same way on both backends.
    product: String,
    views: u64,
    add_to_carts: u64,
}

/// Unix milliseconds as whole `DateTime` seconds (floored, clamped to 1970-2106).
fn seconds(ms: i64) -> u32 {
    u32::try_from(ms.div_euclid(1000).max(0)).unwrap_or(u32::MAX)
}

/// `major.minor` of a version string such as `18.16.1` or `24.8.4.13`.
fn parse_version(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Whether a server of this version gets validated rows; unknown versions get plain `RowBinary`,
/// which every version reads.
fn validates(version: &str) -> bool {
    parse_version(version).is_some_and(|v| v >= VALIDATING_SINCE)
}

/// The statements of a migration for `table`, without comments.
fn statements(migration: &Migration, table: &str) -> Vec<String> {
    let sql: String =
        migration.sql.lines().filter(|line| !line.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
    sql.split(";\n")
        .chain(std::iter::once(""))
        .map(|s| s.trim().trim_end_matches(';').trim().replace("{table}", table))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Runs one request within `timeout`, turning any failure into an error naming the server.
async fn within<T>(
    url: &str,
    timeout: Duration,
    what: &str,
    work: impl Future<Output = Result<T, ::clickhouse::error::Error>>,
) -> Result<T, AnalyticsError> {
    match tokio::time::timeout(timeout, work).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => {
            Err(AnalyticsError::ClickHouse { url: url.to_owned(), message: format!("{what}: {}", chain(&err)) })
        }
        Err(_) => Err(AnalyticsError::ClickHouse {
            url: url.to_owned(),
            message: format!("{what}: no answer within {} s", timeout.as_secs_f32()),
        }),
    }
}

impl ClickHouseAnalytics {
    /// Connects: asks the server's version (choosing the row format), creates the database if
    /// missing and applies pending migrations.
    #[tracing::instrument(skip_all, fields(url = %config.url, database = %config.database))]
    pub async fn connect(config: &ClickHouseConfig) -> Result<Self, AnalyticsError> {
        crate::config::validate_identifier("database", &config.database).map_err(AnalyticsError::Invalid)?;
        crate::config::validate_identifier("table", &config.table).map_err(AnalyticsError::Invalid)?;
        let (url, timeout) = (config.url.as_str(), config.timeout);
        let mut client = Client::default().with_url(url).with_user(&config.user);
        if let Some(password) = &config.password {
            client = client.with_password(password.expose());
        }

        let version_query = client.clone().with_validation(false);
        let version: String = within(url, timeout, "asking the server version", async {
            version_query.query("SELECT version()").fetch_one::<String>().await
        })
        .await?;
        let validation = validates(&version);
        tracing::info!(%version, validation, "connected to ClickHouse");
        let client = client.with_validation(validation);

        let create_database = format!("CREATE DATABASE IF NOT EXISTS {}", config.database);
        within(url, timeout, "creating the database", client.query(&create_database).execute()).await?;
        let store = Self {
            client: client.with_database(&config.database),
            url: config.url.clone(),
            table: config.table.clone(),
            timeout,
            version,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The server's version, as it answered `SELECT version()`.
    pub fn server_version(&self) -> &str {
        &self.version
    }

    /// Whether rows are checked against the schema (`RowBinaryWithNamesAndTypes`), which this
    /// server's version supports; otherwise plain `RowBinary` is used.
    pub fn validates_rows(&self) -> bool {
        validates(&self.version)
    }

    /// The migration versions recorded for the events table, in order, one entry per record.
    pub async fn applied_migrations(&self) -> Result<Vec<u32>, AnalyticsError> {
        let query = self
            .client
            .query("SELECT toUInt32(version) AS version FROM schema_migrations WHERE target = ? ORDER BY version")
            .bind(self.table.as_str());
        self.run("reading schema_migrations", query.fetch_all::<u32>()).await
    }

    /// Applies the migrations not yet recorded for the events table.
    async fn migrate(&self) -> Result<(), AnalyticsError> {
        let create = "CREATE TABLE IF NOT EXISTS schema_migrations \
                      (target String, version UInt32, name String, applied_at DateTime DEFAULT now()) \
                      ENGINE = MergeTree ORDER BY (target, version)";
        self.run("creating schema_migrations", self.client.query(create).execute()).await?;
        let applied = self.applied_migrations().await?;
        for migration in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
            let what = format!("migration {} ({})", migration.version, migration.name);
            for statement in statements(migration, &self.table) {
                self.run(&what, self.client.query(&statement).execute()).await?;
            }
            let record = self
                .client
                .query("INSERT INTO schema_migrations (target, version, name) VALUES (?, ?, ?)")
                .bind(self.table.as_str())
                .bind(migration.version)
                .bind(migration.name);
            self.run(&what, record.execute()).await?;
            tracing::info!(version = migration.version, name = migration.name, "applied ClickHouse migration");
        }
        Ok(())
    }

    async fn run<T>(
        &self,
        what: &str,
        work: impl Future<Output = Result<T, ::clickhouse::error::Error>>,
    ) -> Result<T, AnalyticsError> {
        within(&self.url, self.timeout, what, work).await
    }

    /// The rows of one tenant in the range, by `received_at_ms` (exact) and `received_at`
    /// (whole seconds, so that ClickHouse can skip parts of other days and months).
    fn range_filter(range: &ReportRange) -> String {
        format!("tenant_id = toUUID(?) AND {}", Self::time_filter(range))
    }

    /// The rows of every tenant in the range, by the time conditions of [`Self::range_filter`].
    fn time_filter(range: &ReportRange) -> String {
        let (start, end) = (range.start_ms(), range.end_ms());
        format!(
            "received_at_ms >= {start} AND received_at_ms < {end} \
             AND received_at >= toDateTime({}) AND received_at <= toDateTime({})",
            seconds(start),
            seconds(end - 1),
        )
    }

    /// The platform report's rows: the range's, of one tenant (bound first) when `tenant`.
    fn platform_filter(range: &ReportRange, tenant: bool) -> String {
        if tenant { Self::range_filter(range) } else { Self::time_filter(range) }
    }

    /// The day index of a row in the range.
    fn day_expression(range: &ReportRange) -> String {
        format!("toUInt64(intDiv(received_at_ms - {}, {DAY_MS}))", range.start_ms())
    }

    /// Platform counts grouped by `key` (selected as `key_alias`), or over the range (`key` a
    /// constant, `group` empty).
    fn platform_counts_sql(&self, key: &str, key_alias: &str, filter: &str, group: &str) -> String {
        format!(
            "SELECT {key} AS {key_alias}, \
                    toUInt64(uniqExact(tenant_id, session_id)) AS visits, \
                    toUInt64(uniqExactIf(event_id, kind = '{order}')) AS orders, \
                    toUInt64(uniqExactIf(tenant_id, session_id, kind = '{order}')) AS converted_sessions \
             FROM {table} WHERE {filter} {group}",
            order = EventKind::OrderPlaced.as_str(),
            table = self.table,
        )
    }

    /// Order values summed by `key` (an expression of the columns `tenant_id` and
    /// `received_at_ms`, selected as `key_alias`) and currency. Copies of an event (the same
    /// `event_id`, tenant and time) are collapsed into one row first.
    fn platform_gmv_sql(&self, key: &str, key_alias: &str, filter: &str) -> String {
        format!(
            "SELECT {key} AS {key_alias}, currency, toInt64(sum(amount)) AS amount_minor \
             FROM (SELECT event_id, tenant_id, received_at_ms, \
                          any(assumeNotNull(value_currency)) AS currency, \
                          any(assumeNotNull(value_minor)) AS amount \
                   FROM {table} \
                   WHERE {filter} AND kind = '{order}' AND isNotNull(value_minor) AND isNotNull(value_currency) \
                   GROUP BY event_id, tenant_id, received_at_ms) \
             GROUP BY {key_alias}, currency ORDER BY {key_alias}, currency",
            order = EventKind::OrderPlaced.as_str(),
            table = self.table,
        )
    }

    /// Counts per day (`by_day`) or over the whole range.
    fn counts_sql(&self, range: &ReportRange, by_day: bool) -> String {
        let (day, group) = if by_day {
            (format!("intDiv(received_at_ms - {}, {DAY_MS})", range.start_ms()), "GROUP BY day ORDER BY day")
        } else {
            ("0".to_owned(), "")
        };
        format!(
            "SELECT toUInt64({day}) AS day, \
                    toUInt64(uniqExact(session_id)) AS visits, \
                    toUInt64(uniqExactIf(event_id, kind = '{page}')) AS page_views, \
                    toUInt64(uniqExactIf(event_id, kind = '{product}')) AS product_views, \
                    toUInt64(uniqExactIf(event_id, kind = '{cart}')) AS add_to_carts, \
                    toUInt64(uniqExactIf(event_id, kind = '{checkout}')) AS checkouts, \
                    toUInt64(uniqExactIf(event_id, kind = '{order}')) AS orders, \
                    toUInt64(uniqExactIf(session_id, kind = '{order}')) AS converted_sessions \
             FROM {table} WHERE {filter} {group}",
            page = EventKind::PageView.as_str(),
            product = EventKind::ProductView.as_str(),
            cart = EventKind::AddToCart.as_str(),
            checkout = EventKind::CheckoutStarted.as_str(),
            order = EventKind::OrderPlaced.as_str(),
            table = self.table,
            filter = Self::range_filter(range),
        )
    }

    fn top_products_sql(&self, range: &ReportRange) -> String {
        format!(
            "SELECT toString(assumeNotNull(product_id)) AS product, \
                    toUInt64(uniqExactIf(event_id, kind = '{product}')) AS views, \
                    toUInt64(uniqExactIf(event_id, kind = '{cart}')) AS add_to_carts \
             FROM {table} \
             WHERE {filter} AND isNotNull(product_id) AND kind IN ('{product}', '{cart}') \
             GROUP BY product ORDER BY views DESC, add_to_carts DESC, product ASC LIMIT {TOP_PRODUCTS}",
            product = EventKind::ProductView.as_str(),
            cart = EventKind::AddToCart.as_str(),
            table = self.table,
            filter = Self::range_filter(range),
        )
    }
}

#[async_trait]
impl AnalyticsStore for ClickHouseAnalytics {
    fn backend(&self) -> &'static str {
        "clickhouse"
    }

    #[tracing::instrument(skip_all, fields(count = events.len()))]
    async fn insert(&self, events: &[StoreEvent]) -> Result<(), AnalyticsError> {
        let rows: Vec<EventRow<'_>> = unique_events(events).into_iter().map(EventRow::from).collect();
        if rows.is_empty() {
            return Ok(());
        }
        // One INSERT: ClickHouse stores it only when `end` succeeds; a failure before then (or
        // the timeout dropping it) aborts the request, and the caller retries the whole batch.
        let work = async {
            let mut insert = self.client.insert::<EventRow<'_>>(&self.table).await?;
            for row in &rows {
                insert.write(row).await?;
            }
            insert.end().await
        };
        self.run("insert", work).await
    }

    #[tracing::instrument(skip_all, fields(tenant = %tenant_id))]
    async fn report(&self, tenant_id: Uuid, range: &ReportRange) -> Result<AnalyticsReport, AnalyticsError> {
        checked(range)?;
        let tenant = tenant_id.to_string();
        let (days_sql, totals_sql, products_sql) =
            (self.counts_sql(range, true), self.counts_sql(range, false), self.top_products_sql(range));
        let days = self.client.query(&days_sql).bind(tenant.as_str()).fetch_all::<CountsRow>();
        let totals = self.client.query(&totals_sql).bind(tenant.as_str()).fetch_one::<CountsRow>();
        let products = self.client.query(&products_sql).bind(tenant.as_str()).fetch_all::<ProductRow>();
        let (days, totals, products) = tokio::try_join!(
            self.run("report by day", days),
            self.run("report totals", totals),
            self.run("report top products", products),
        )?;

        let days: Vec<(u64, Counts)> = days.iter().map(|row| (row.day, Counts::from(row))).collect();
        let top_products = products
            .into_iter()
            .map(|row| {
                let product_id = Uuid::parse_str(&row.product)
                    .map_err(|e| AnalyticsError::Corrupt(format!("product_id {:?}: {e}", row.product)))?;
                Ok(TopProduct {
                    product_id,
                    title: None,
                    handle: None,
                    views: row.views,
                    add_to_carts: row.add_to_carts,
                })
            })
            .collect::<Result<Vec<_>, AnalyticsError>>()?;
        Ok(build_report(range, Counts::from(&totals), &days, top_products))
    }

    #[tracing::instrument(skip_all, fields(tenant = ?tenant_id))]
    async fn platform_report(
        &self,
        tenant_id: Option<Uuid>,
        range: &ReportRange,
    ) -> Result<PlatformReport, AnalyticsError> {
        checked(range)?;
        let tenant = tenant_id.map(|id| id.to_string());
        let filter = Self::platform_filter(range, tenant.is_some());
        let query = |sql: &str| {
            let query = self.client.query(sql);
            match &tenant {
                Some(tenant) => query.bind(tenant.as_str()),
                None => query,
            }
        };
        let day = Self::day_expression(range);
        let days_sql = self.platform_counts_sql(&day, "day", &filter, "GROUP BY day ORDER BY day");
        let totals_sql = self.platform_counts_sql("toUInt64(0)", "day", &filter, "");
        let day_gmv_sql = self.platform_gmv_sql(&day, "day", &filter);
        let stores_sql = self.platform_counts_sql(
            "toString(tenant_id)",
            "tenant",
            &filter,
            &format!("GROUP BY tenant ORDER BY orders DESC, visits DESC, tenant ASC LIMIT {TOP_STORES}"),
        );
        let stores = async {
            if tenant.is_some() {
                return Ok(Vec::new());
            }
            self.run("platform report top stores", query(&stores_sql).fetch_all::<PlatformStoreRow>()).await
        };
        let (days, totals, day_gmv, stores) = tokio::try_join!(
            self.run("platform report by day", query(&days_sql).fetch_all::<PlatformDayRow>()),
            self.run("platform report totals", query(&totals_sql).fetch_one::<PlatformDayRow>()),
            self.run("platform report GMV by day", query(&day_gmv_sql).fetch_all::<DayGmvRow>()),
            stores,
        )?;

        let store_gmv = if stores.is_empty() {
            Vec::new()
        } else {
            let placeholders = vec!["toUUID(?)"; stores.len()].join(", ");
            let sql = self.platform_gmv_sql(
                "toString(tenant_id)",
                "tenant",
                &format!("{filter} AND tenant_id IN ({placeholders})"),
            );
            let mut store_query = query(&sql);
            for store in &stores {
                store_query = store_query.bind(store.tenant.as_str());
            }
            let rows = self.run("platform report GMV by store", store_query.fetch_all::<StoreGmvRow>()).await?;
            rows.into_iter()
                .map(|row| Ok((parse_tenant(&row.tenant)?, row.currency, row.amount_minor)))
                .collect::<Result<Vec<_>, AnalyticsError>>()?
        };
        let counts = |visits, orders, converted_sessions| PlatformCounts { visits, orders, converted_sessions };
        let data = PlatformData {
            totals: counts(totals.visits, totals.orders, totals.converted_sessions),
            days: days.iter().map(|row| (row.day, counts(row.visits, row.orders, row.converted_sessions))).collect(),
            day_gmv: day_gmv.into_iter().map(|row| (row.day, row.currency, row.amount_minor)).collect(),
            stores: stores
                .iter()
                .map(|row| Ok((parse_tenant(&row.tenant)?, counts(row.visits, row.orders, row.converted_sessions))))
                .collect::<Result<Vec<_>, AnalyticsError>>()?,
            store_gmv,
        };
        Ok(build_platform_report(range, tenant_id, data))
    }

    async fn event_count(&self, tenant_id: Uuid) -> Result<u64, AnalyticsError> {
        let sql = format!("SELECT toUInt64(uniqExact(event_id)) FROM {} WHERE tenant_id = toUUID(?)", self.table);
        let query = self.client.query(&sql).bind(tenant_id.to_string());
        self.run("event count", query.fetch_one::<u64>()).await
    }

    async fn ping(&self) -> Result<(), AnalyticsError> {
        self.run("ping", self.client.query("SELECT toUInt8(1)").fetch_one::<u8>()).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_servers_from_22_8_on_get_validated_rows() {
        assert!(!validates("18.16.1"));
        assert!(!validates("21.8.15.7"));
        assert!(validates("22.8.1.1"));
        assert!(validates("25.3.2.39"));
        assert!(!validates("not a version"));
    }

    #[test]
    fn migration_statements_lose_their_comments_and_name_the_table() {
        let statements = statements(&MIGRATIONS[0], "events_v2");
        assert_eq!(statements.len(), 1, "{statements:?}");
        assert!(statements[0].starts_with("CREATE TABLE IF NOT EXISTS events_v2 ("), "{}", statements[0]);
        assert!(!statements[0].contains("--") && !statements[0].ends_with(';'));
    }

    #[test]
    fn migrations_are_numbered_in_order_from_one() {
        for (i, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version as usize, i + 1);
        }
    }

    #[test]
    fn datetime_seconds_floor_and_clamp() {
        assert_eq!(seconds(1_999), 1);
        assert_eq!(seconds(-1), 0);
        assert_eq!(seconds(i64::MAX), u32::MAX);
    }
}
