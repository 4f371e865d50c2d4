//! Platform analytics for staff: visits, orders, GMV and conversion per day across the platform
//! or for one store, and the top stores, from ClickHouse (`ANALYTICS_DB_HOST`,
//! `ANALYTICS_DB_DATABASE`, the seed's names) or the embedded SQLite file in development.

use crate::auth::ReadOnly;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;
use zelly_analytics::{AnalyticsConfig, ReportRange};
use zelly_edge::analytics::{AnalyticsQuery, PlatformReport};
use zelly_service::{ApiError, AppQuery};

/// The analytics store from the seed's variables: `ANALYTICS_DB_HOST` and
/// `ANALYTICS_DB_DATABASE` name the ClickHouse server and database (core-api's `CLICKHOUSE_*`
/// names work too, and `CLICKHOUSE_USER`, `CLICKHOUSE_PASSWORD`, `CLICKHOUSE_TABLE` apply);
/// without a host, the embedded SQLite file under `ZELLY_DATA_DIR`.
pub fn config_from_env() -> Result<AnalyticsConfig, String> {
    config_from_lookup(|name| std::env::var(name).ok())
}

/// [`config_from_env`] over any lookup (tests pass a map).
pub fn config_from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<AnalyticsConfig, String> {
    AnalyticsConfig::from_lookup(|name| match name {
        "CLICKHOUSE_HOST" => get("ANALYTICS_DB_HOST").filter(|v| !v.trim().is_empty()).or_else(|| get(name)),
        "CLICKHOUSE_DATABASE" => get("ANALYTICS_DB_DATABASE").filter(|v| !v.trim().is_empty()).or_else(|| get(name)),
        other => get(other),
    })
}

/// Which days, in which zone, for the platform or one store.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlatformQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD` (at most 366 days after `from`).
    pub to: String,
    /// Minutes east of UTC that days are counted in (-720 to 840; default 0).
    #[serde(default)]
    pub utc_offset_minutes: i32,
    /// Only this store.
    pub tenant: Option<Uuid>,
}

/// Visits, orders, GMV and conversion per day, in total and for the top stores.
#[utoipa::path(get, path = "/api/admin/analytics", tag = "analytics", params(PlatformQuery),
    responses(
        (status = 200, body = PlatformReport),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 422, description = "Each bad field named", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "The analytics store cannot be reached", body = zelly_edge::ApiErrorBody),
    ),
    security(("staff" = [])))]
pub async fn report(_staff: ReadOnly, State(state): State<AppState>, AppQuery(query): AppQuery<PlatformQuery>) -> Result<Json<PlatformReport>, ApiError> {
    let range = ReportRange::parse(&AnalyticsQuery { from: query.from, to: query.to, utc_offset_minutes: query.utc_offset_minutes })
        .map_err(ApiError::InvalidFields)?;
    let report = state.analytics.platform_report(query.tenant, &range).await.map_err(|err| {
        tracing::error!(%err, "the platform report failed");
        ApiError::Unavailable("analytics cannot be read just now; try again shortly")
    })?;
    Ok(Json(report))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_seeds_names_pick_clickhouse_and_the_embedded_file_is_the_default() {
        let vars: HashMap<&str, &str> = [("ANALYTICS_DB_HOST", "http://ch:8123"), ("ANALYTICS_DB_DATABASE", "backoffice")].into();
        match config_from_lookup(|k| vars.get(k).map(|v| (*v).to_owned())).unwrap() {
            AnalyticsConfig::ClickHouse(c) => assert_eq!((c.url.as_str(), c.database.as_str()), ("http://ch:8123", "backoffice")),
            other => panic!("{other:?}"),
        }
        let none: HashMap<&str, &str> = [("ZELLY_DATA_DIR", "/tmp/z")].into();
        match config_from_lookup(|k| none.get(k).map(|v| (*v).to_owned())).unwrap() {
            AnalyticsConfig::Sqlite { path } => assert_eq!(path, std::path::PathBuf::from("/tmp/z/analytics.db")),
            other => panic!("{other:?}"),
        }
    }
}
