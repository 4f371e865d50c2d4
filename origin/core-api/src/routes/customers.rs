//! The store's shoppers' accounts as the merchant sees them (`/api/seller/customers`). The
//! accounts themselves live in customer-auth; this reads them, one store at a time.

use crate::routes::seller::Merchant;
use crate::{ApiResult, AppState};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;
use zelly_edge::customers::{Customer, CustomerDetail};
use zelly_store::OrderQuery;
use zelly_service::{ApiError, AppPath, AppQuery};

/// Customer routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/seller/customers", get(list)).route("/api/seller/customers/{id}", get(one))
}

/// Query of the customer list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerParams {
    /// Part of the email or the name, in any case.
    pub q: Option<String>,
    /// 1-200, default 50.
    pub limit: Option<u32>,
}

/// The store's customers, newest first.
#[utoipa::path(get, path = "/api/seller/customers", tag = "seller", params(CustomerParams),
    responses((status = 200, body = [Customer]), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 422, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn list(merchant: Merchant, State(state): State<AppState>, AppQuery(params): AppQuery<CustomerParams>) -> ApiResult<Json<Vec<Customer>>> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Unprocessable("limit: must be 1-200".into()));
    }
    let q = params.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 254) {
        return Err(ApiError::Unprocessable("q: must be at most 254 characters".into()));
    }
    Ok(Json(state.store.list_customers(merchant.tenant.id, q, limit).await?))
}

/// One of the store's customers, with their saved addresses and their orders (those placed
/// signed in, and those placed as a guest with the address they confirmed).
#[utoipa::path(get, path = "/api/seller/customers/{id}", tag = "seller", params(("id" = String, Path)),
    responses((status = 200, body = CustomerDetail), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn one(merchant: Merchant, State(state): State<AppState>, AppPath(id): AppPath<String>) -> ApiResult<Json<CustomerDetail>> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound("customer"))?;
    let tenant = merchant.tenant.id;
    let customer = crate::found(state.store.customer(tenant, id).await?, "customer")?;
    let addresses = state.store.customer_addresses(tenant, id).await?;
    let email = customer.email_verified.then(|| customer.email.clone());
    let orders = state.store.orders(tenant, &OrderQuery { customer: Some(id), email, limit: 50, ..OrderQuery::default() }).await?;
    Ok(Json(CustomerDetail { customer, addresses, orders }))
}
