//! `GET /api/seller/analytics`: a merchant's storefront numbers over a date range.
//!
//! The tenant is the signed-in merchant's store (see [`Merchant`]); the report is read for that
//! tenant only, so another store's numbers cannot be asked for: a merchant naming a store they
//! are not a member of is refused before anything is read.

use super::seller::Merchant;
use crate::{ApiResult, AppState};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use zelly_analytics::ReportRange;
use zelly_edge::analytics::{AnalyticsQuery, AnalyticsReport};
use zelly_service::{ApiError, AppQuery};

/// Analytics routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/seller/analytics", get(report))
}

/// Visits, product views, add-to-carts, checkouts, orders and conversion per day, with the top
/// products, for the merchant's store.
#[utoipa::path(
    get,
    path = "/api/seller/analytics",
    tag = "seller",
    params(AnalyticsQuery),
    responses(
        (status = 200, body = AnalyticsReport),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, description = "Not a member of the store named by X-Zelly-Tenant", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "A bad range, each bad field named", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "Analytics storage is unavailable", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = []))
)]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.id))]
pub async fn report(
    merchant: Merchant,
    State(state): State<AppState>,
    AppQuery(query): AppQuery<AnalyticsQuery>,
) -> ApiResult<Json<AnalyticsReport>> {
    let range = ReportRange::parse(&query).map_err(ApiError::InvalidFields)?;
    let mut report = state.analytics.report(merchant.tenant.id, &range).await.map_err(|err| {
        tracing::error!(%err, "cannot read analytics");
        ApiError::Unavailable("analytics storage is unavailable; retry later")
    })?;
    // Name the top products from the catalog, through the same tenant scope: a product that is
    // gone (or never was this store's) keeps its id and has no title.
    for top in &mut report.top_products {
        if let Some(product) = state.store.seller_product(merchant.tenant.id, top.product_id).await? {
            top.title = Some(product.title);
            top.handle = Some(product.handle.to_string());
        }
    }
    Ok(Json(report))
}
