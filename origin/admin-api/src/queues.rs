//! The queues dashboard: every seed queue (and the platform's own `emails` and `alerts`) with
//! its counts per state, the failed jobs with their reason and attempts, and the actions support
//! takes on them, each written to the audit log.

use crate::auth::{ReadOnly, Support};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use zelly_edge::admin::{FailedJobView, QueueActionResult, QueueOverview};
use zelly_queue::QueueError;
use zelly_service::{ApiError, AppPath, AppQuery};

/// The queues staff see, in this order.
pub const QUEUES: [&str; 7] = [
    zelly_queue::STORE_EVENTS,
    zelly_queue::SHOPIFY_WEBHOOK,
    zelly_queue::SHOPIFY_SETTINGS_PUSH,
    zelly_queue::SHOPIFY_SETTINGS_FETCH,
    zelly_queue::SHOPIFY_CATALOG_SYNC,
    zelly_mail::EMAILS,
    zelly_alerts::ALERTS_QUEUE,
];

fn known(name: &str) -> Result<&'static str, ApiError> {
    QUEUES.into_iter().find(|q| *q == name).ok_or(ApiError::NotFound("queue"))
}

fn queue_error(err: QueueError) -> ApiError {
    match err {
        QueueError::JobActive(_) => ApiError::Refused("this job is running; wait for it to finish".into()),
        QueueError::Invalid(message) => ApiError::Unprocessable(message),
        QueueError::Unreachable(_) => ApiError::Unavailable("the queue server cannot be reached"),
        other => crate::auth::internal(other.to_string()),
    }
}

async fn overview_of(state: &AppState, name: &str) -> Result<QueueOverview, ApiError> {
    let counts = state.queues.counts(name).await.map_err(queue_error)?;
    let paused = state.queues.is_paused(name).await.map_err(queue_error)?;
    Ok(QueueOverview {
        name: name.to_owned(),
        paused,
        waiting: counts.waiting,
        delayed: counts.delayed,
        active: counts.active,
        completed: counts.completed,
        failed: counts.failed,
    })
}

/// Every queue with its counts per state and whether it is paused.
#[utoipa::path(get, path = "/api/admin/queues", tag = "queues",
    responses((status = 200, body = [QueueOverview]), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 503, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn overview(_staff: ReadOnly, State(state): State<AppState>) -> Result<Json<Vec<QueueOverview>>, ApiError> {
    let mut all = Vec::with_capacity(QUEUES.len());
    for name in QUEUES {
        all.push(overview_of(&state, name).await?);
    }
    Ok(Json(all))
}

/// A page of failed jobs.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Skipping this many (default 0).
    pub offset: Option<u64>,
    /// At most this many (1-200, default 50).
    pub limit: Option<u64>,
}

/// The queue's failed jobs, newest failure first.
#[utoipa::path(get, path = "/api/admin/queues/{name}/failed", tag = "queues", params(("name" = String, Path), PageParams),
    responses((status = 200, body = [FailedJobView]), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn failed(
    _staff: ReadOnly,
    State(state): State<AppState>,
    AppPath(name): AppPath<String>,
    AppQuery(page): AppQuery<PageParams>,
) -> Result<Json<Vec<FailedJobView>>, ApiError> {
    let name = known(&name)?;
    let limit = page.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Unprocessable("limit: must be 1-200".into()));
    }
    let offset = page.offset.unwrap_or(0);
    if offset > 1_000_000 {
        return Err(ApiError::Unprocessable("offset: must be at most 1000000".into()));
    }
    let jobs = state.queues.failed_jobs(name, offset, limit).await.map_err(queue_error)?;
    Ok(Json(
        jobs.into_iter()
            .map(|job| FailedJobView {
                id: job.id,
                name: job.name,
                failed_reason: job.failed_reason,
                attempts_made: job.attempts_made,
                failed_at_ms: job.failed_at_ms,
                data: job.data,
            })
            .collect(),
    ))
}

/// Runs a failed job again, with all its attempts.
#[utoipa::path(post, path = "/api/admin/queues/{name}/jobs/{id}/retry", tag = "queues", params(("name" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 404, description = "No such failed job", body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn retry_job(Support(staff): Support, State(state): State<AppState>, AppPath((name, id)): AppPath<(String, String)>) -> Result<StatusCode, ApiError> {
    let name = known(&name)?;
    if !state.queues.retry_failed(name, &id).await.map_err(queue_error)? {
        return Err(ApiError::NotFound("failed job"));
    }
    let audit = staff.audit("queue.retry", None, format!("{name}/{id}"), serde_json::json!({"state": "failed"}), serde_json::json!({"state": "waiting"}));
    state.store.record_audit(&audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a job that is not running.
#[utoipa::path(delete, path = "/api/admin/queues/{name}/jobs/{id}", tag = "queues", params(("name" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 404, body = zelly_edge::ApiErrorBody), (status = 409, description = "The job is running", body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn remove_job(Support(staff): Support, State(state): State<AppState>, AppPath((name, id)): AppPath<(String, String)>) -> Result<StatusCode, ApiError> {
    let name = known(&name)?;
    if !state.queues.remove_job(name, &id).await.map_err(queue_error)? {
        return Err(ApiError::NotFound("job"));
    }
    let audit = staff.audit("queue.remove", None, format!("{name}/{id}"), serde_json::Value::Null, serde_json::json!({"state": "removed"}));
    state.store.record_audit(&audit).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Runs every failed job of the queue again.
#[utoipa::path(post, path = "/api/admin/queues/{name}/retry-failed", tag = "queues", params(("name" = String, Path)),
    responses((status = 200, body = QueueActionResult), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn retry_failed(Support(staff): Support, State(state): State<AppState>, AppPath(name): AppPath<String>) -> Result<Json<QueueActionResult>, ApiError> {
    let name = known(&name)?;
    let affected = state.queues.retry_all_failed(name).await.map_err(queue_error)?;
    let audit = staff.audit("queue.retry_all", None, name, serde_json::json!({"failed": affected}), serde_json::json!({"retried": affected}));
    state.store.record_audit(&audit).await?;
    Ok(Json(QueueActionResult { affected }))
}

async fn set_paused(staff: &crate::auth::SignedIn, state: &AppState, name: &str, paused: bool) -> Result<QueueOverview, ApiError> {
    let name = known(name)?;
    let before = state.queues.is_paused(name).await.map_err(queue_error)?;
    if paused {
        state.queues.pause(name).await.map_err(queue_error)?;
    } else {
        state.queues.resume(name).await.map_err(queue_error)?;
    }
    let action = if paused { "queue.pause" } else { "queue.resume" };
    let audit = staff.audit(action, None, name, serde_json::json!({"paused": before}), serde_json::json!({"paused": paused}));
    state.store.record_audit(&audit).await?;
    overview_of(state, name).await
}

/// Holds the queue's workers: they take no new job until it is resumed.
#[utoipa::path(post, path = "/api/admin/queues/{name}/pause", tag = "queues", params(("name" = String, Path)),
    responses((status = 200, body = QueueOverview), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn pause(Support(staff): Support, State(state): State<AppState>, AppPath(name): AppPath<String>) -> Result<Json<QueueOverview>, ApiError> {
    Ok(Json(set_paused(&staff, &state, &name, true).await?))
}

/// Lets the queue's workers take jobs again.
#[utoipa::path(post, path = "/api/admin/queues/{name}/resume", tag = "queues", params(("name" = String, Path)),
    responses((status = 200, body = QueueOverview), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn resume(Support(staff): Support, State(state): State<AppState>, AppPath(name): AppPath<String>) -> Result<Json<QueueOverview>, ApiError> {
    Ok(Json(set_paused(&staff, &state, &name, false).await?))
}
