//! Stores across the platform: the list with their figures, one store in full, and suspending or
//! reopening it (support and admins), each change written to the audit log with the status
//! change itself.

use crate::auth::{ReadOnly, Support};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;
use zelly_edge::admin::{StatusChange, TeamMemberView, TenantDetail, TenantPage};
use zelly_edge::dto::TenantStatus;
use zelly_service::{ApiError, AppJson, AppPath, AppQuery};
use zelly_store::{OrderSearch, TenantSearch};

/// Filters of the store list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantParams {
    /// Part of the name, slug or a domain.
    pub q: Option<String>,
    /// `active` or `suspended`.
    pub status: Option<TenantStatus>,
    /// At most this many (1-200, default 50).
    pub limit: Option<u32>,
    /// Skipping this many (default 0).
    pub offset: Option<u32>,
}

/// Stores by slug, with status, domains, products, orders, GMV and last activity.
#[utoipa::path(get, path = "/api/admin/tenants", tag = "tenants", params(TenantParams),
    responses((status = 200, body = TenantPage), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn list(_staff: ReadOnly, State(state): State<AppState>, AppQuery(params): AppQuery<TenantParams>) -> Result<Json<TenantPage>, ApiError> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Unprocessable("limit: must be 1-200".into()));
    }
    if params.q.as_deref().is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::Unprocessable("q: must be at most 200 characters".into()));
    }
    let search = TenantSearch { id: None, text: params.q, status: params.status, limit, offset: params.offset.unwrap_or(0) };
    Ok(Json(state.store.platform_tenants(&search).await?))
}

/// Everything about one store, for staff.
pub async fn tenant_detail(state: &AppState, id: Uuid) -> Result<TenantDetail, ApiError> {
    let search = TenantSearch { id: Some(id), limit: 1, ..Default::default() };
    let summary = state.store.platform_tenants(&search).await?.items.pop().ok_or(ApiError::NotFound("store"))?;
    let domains = state.store.store_domains(id).await?;
    let team = state.store.team(id, zelly_service::now_ms()).await?;
    let team = team.members.into_iter().map(|m| TeamMemberView { email: m.email, role: m.role.as_str().to_owned() }).collect();
    let shopify_shop = state.store.shopify_connection(id).await?.map(|c| c.shop_domain);
    let recent_orders = state.store.find_orders(&OrderSearch { tenant: Some(id), limit: 10, ..Default::default() }).await?;
    Ok(TenantDetail { summary, domains, team, shopify_shop, recent_orders })
}

/// One store: its figures, domains, team, Shopify shop and latest orders.
#[utoipa::path(get, path = "/api/admin/tenants/{id}", tag = "tenants", params(("id" = Uuid, Path)),
    responses((status = 200, body = TenantDetail), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn detail(_staff: ReadOnly, State(state): State<AppState>, AppPath(id): AppPath<String>) -> Result<Json<TenantDetail>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound("store"))?;
    Ok(Json(tenant_detail(&state, id).await?))
}

/// Suspends a store (its storefront answers "closed" and its merchants can change nothing) or
/// reopens it, with the reason kept in the audit log.
#[utoipa::path(post, path = "/api/admin/tenants/{id}/status", tag = "tenants", params(("id" = Uuid, Path)), request_body = StatusChange,
    responses(
        (status = 200, body = TenantDetail),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "The store already has that status", body = zelly_edge::ApiErrorBody),
        (status = 422, body = zelly_edge::ApiErrorBody),
    ),
    security(("staff" = [])))]
pub async fn set_status(
    Support(staff): Support,
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    AppJson(change): AppJson<StatusChange>,
) -> Result<Json<TenantDetail>, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound("store"))?;
    let reason = change.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::Unprocessable("reason: say why, in at most 500 characters".into()));
    }
    let current = state.store.platform_tenants(&TenantSearch { id: Some(id), limit: 1, ..Default::default() }).await?;
    let current = current.items.first().ok_or(ApiError::NotFound("store"))?;
    if current.tenant.status == change.status {
        return Err(ApiError::Refused(format!("the store is already {}", change.status.as_str())));
    }
    let action = match change.status {
        TenantStatus::Suspended => "tenant.suspend",
        TenantStatus::Active => "tenant.reopen",
    };
    let audit = staff.audit(
        action,
        Some(id),
        current.tenant.slug.as_str(),
        serde_json::json!({ "status": current.tenant.status }),
        serde_json::json!({ "status": change.status, "reason": reason }),
    );
    state.store.set_tenant_status_audited(id, change.status, &audit).await?;
    Ok(Json(tenant_detail(&state, id).await?))
}
