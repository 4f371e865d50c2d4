//! The seller API.
//!
//! Merchant sign-in (Firebase ID tokens) is not built yet. Until it is, the seller routes answer
//! only when `ZELLY_DEV_SELLER_TENANT` names a tenant, which `cargo xtask dev` sets for the demo
//! store; without it (production) every seller route is 401, so nothing is exposed by default.

use crate::{found, ApiResult, AppState};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use zelly_edge::dto::{Product, Tenant};
use zelly_service::ApiError;

/// Seller routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/seller/products", get(list_products))
}

/// The merchant's tenant for this request.
#[derive(Debug, Clone)]
pub struct SellerTenant(pub Tenant);

impl FromRequestParts<AppState> for SellerTenant {
    type Rejection = ApiError;

    async fn from_request_parts(_parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let slug = state
            .dev_seller_tenant
            .as_ref()
            .ok_or(ApiError::Unauthorized("merchant sign-in is required"))?;
        let tenant = found(state.store.tenant_by_slug(slug).await?, "tenant")?;
        Ok(SellerTenant(tenant))
    }
}

/// The merchant's products, newest first.
///
/// Development only until merchant sign-in lands: answers for the tenant named by
/// `ZELLY_DEV_SELLER_TENANT`, and 401 when it is unset (as in production).
#[utoipa::path(
    get,
    path = "/api/seller/products",
    tag = "seller",
    responses(
        (status = 200, body = [Product]),
        (status = 401, description = "No merchant context", body = zelly_edge::ApiErrorBody),
    ),
    security(())
)]
#[tracing::instrument(skip_all, fields(tenant = %seller.0.slug))]
pub async fn list_products(seller: SellerTenant, State(state): State<AppState>) -> ApiResult<Json<Vec<Product>>> {
    Ok(Json(state.store.list_products(seller.0.id).await?))
}
