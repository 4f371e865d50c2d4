//! The stand-in's HTTP control API: change and list the records it answers with.
//!
//! - `PUT /records` `{"name", "type", "value"}` adds a record (idempotent): 200 `{"record",
//!   "added"}`, `added` false when it was already there;
//! - `DELETE /records` with the same body removes it: 200 `{"record", "removed": true}`, 404 when
//!   there was no such record;
//! - `GET /records` lists them: `[{"name", "type", "value"}, …]`;
//! - `GET /health`.
//!
//! Errors have the shape of every Zelly service (`{"error": {"code", "message"}}`): a bad type,
//! name or value is a 422 whose message says what is wrong.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use zelly_service::{ApiError, AppJson};

use super::records::{DnsRecord, RecordBody, Records};

/// The control API over `records`.
pub fn router(records: Records) -> Router {
    Router::new()
        .route("/health", get(|| async { Json(json!({ "status": "ok", "service": "dns-standin" })) }))
        .route("/records", get(list).put(add).delete(remove))
        .fallback(zelly_service::not_found)
        .with_state(records)
}

#[tracing::instrument(skip_all)]
async fn list(State(records): State<Records>) -> Json<Vec<DnsRecord>> {
    Json(records.list())
}

#[tracing::instrument(skip_all)]
async fn add(State(records): State<Records>, AppJson(body): AppJson<RecordBody>) -> Result<Json<Value>, ApiError> {
    let record = body.parse().map_err(|err| ApiError::Unprocessable(err.0))?;
    let added = records.add(record.clone());
    tracing::info!(name = %record.name, kind = %record.kind, added, "record put");
    Ok(Json(json!({ "record": record, "added": added })))
}

#[tracing::instrument(skip_all)]
async fn remove(State(records): State<Records>, AppJson(body): AppJson<RecordBody>) -> Result<Json<Value>, ApiError> {
    let record = body.parse().map_err(|err| ApiError::Unprocessable(err.0))?;
    if !records.remove(&record) {
        return Err(ApiError::NotFound("record"));
    }
    tracing::info!(name = %record.name, kind = %record.kind, "record deleted");
    Ok(Json(json!({ "record": record, "removed": true })))
}
