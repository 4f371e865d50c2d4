//! A shopper's saved addresses (`/api/stores/{domain}/me/addresses`) and the address check
//! (`/api/stores/{domain}/address-checks`), which checkout asks before it starts a checkout.

use crate::routes::{ApiResult, Shop, Shopper};
use crate::AppState;
use axum::http::StatusCode;
use axum::extract::State;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use uuid::Uuid;
use zelly_edge::customers::{AddressCheck, AddressInput, SavedAddress};
use zelly_edge::orders::ShippingAddress;
use zelly_edge::ApiErrorBody;
use zelly_service::{now_ms, ApiError, AppJson, AppPath};
use zelly_store::AddressToSave;

/// The address routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/stores/{domain}/me/addresses", get(list).post(add))
        .route("/api/stores/{domain}/me/addresses/{id}", put(change).delete(remove))
        .route("/api/stores/{domain}/me/addresses/{id}/default", post(make_default))
        .route("/api/stores/{domain}/address-checks", post(check))
}

/// The signed-in shopper's addresses, the default first.
#[utoipa::path(get, path = "/api/stores/{domain}/me/addresses", tag = "addresses",
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses((status = 200, body = [SavedAddress]), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)),
    security(("session" = [])))]
pub async fn list(shopper: Shopper, State(state): State<AppState>) -> ApiResult<Json<Vec<SavedAddress>>> {
    Ok(Json(state.store.customer_addresses(shopper.shop.tenant.id, shopper.customer.id).await?))
}

/// Checks and saves `input` (a new address when `id` is `None`).
async fn save(state: &AppState, shopper: &Shopper, id: Option<Uuid>, input: &AddressInput) -> ApiResult<SavedAddress> {
    input.validate().map_err(ApiError::InvalidFields)?;
    let mut address = input.address.clone();
    if address.country == "IN" {
        address.postal_code = address.postal_code.split_whitespace().collect();
    }
    let check = state.address_api.check(&address).await;
    let save = AddressToSave { address: &address, is_default: input.is_default, status: check.status, now_ms: now_ms() };
    Ok(state.store.save_customer_address(shopper.shop.tenant.id, shopper.customer.id, id, &save).await?)
}

/// Saves a new address, checked by the address API (a mismatch is saved and marked, so the
/// shopper sees it; an API that cannot be asked leaves it unverified). The first address is the
/// default. An account keeps at most 20.
#[utoipa::path(post, path = "/api/stores/{domain}/me/addresses", tag = "addresses", request_body = AddressInput,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses(
        (status = 201, body = SavedAddress),
        (status = 401, body = ApiErrorBody),
        (status = 409, description = "The account already keeps 20 addresses", body = ApiErrorBody),
        (status = 422, description = "Each bad field named", body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn add(shopper: Shopper, State(state): State<AppState>, AppJson(input): AppJson<AddressInput>) -> ApiResult<(StatusCode, Json<SavedAddress>)> {
    Ok((StatusCode::CREATED, Json(save(&state, &shopper, None, &input).await?)))
}

/// Changes one of the shopper's addresses (checked again).
#[utoipa::path(put, path = "/api/stores/{domain}/me/addresses/{id}", tag = "addresses", request_body = AddressInput,
    params(("domain" = String, Path, description = "Any domain of the store"), ("id" = Uuid, Path)),
    responses((status = 200, body = SavedAddress), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)),
    security(("session" = [])))]
pub async fn change(
    shopper: Shopper,
    State(state): State<AppState>,
    AppPath((_, id)): AppPath<(String, Uuid)>,
    AppJson(input): AppJson<AddressInput>,
) -> ApiResult<Json<SavedAddress>> {
    Ok(Json(save(&state, &shopper, Some(id), &input).await?))
}

/// Deletes one of the shopper's addresses; if it was the default, the newest other one is.
#[utoipa::path(delete, path = "/api/stores/{domain}/me/addresses/{id}", tag = "addresses",
    params(("domain" = String, Path, description = "Any domain of the store"), ("id" = Uuid, Path)),
    responses((status = 204, description = "Deleted"), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)),
    security(("session" = [])))]
pub async fn remove(shopper: Shopper, State(state): State<AppState>, AppPath((_, id)): AppPath<(String, Uuid)>) -> ApiResult<StatusCode> {
    state.store.delete_customer_address(shopper.shop.tenant.id, shopper.customer.id, id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes one of the shopper's addresses the one checkout starts from.
#[utoipa::path(post, path = "/api/stores/{domain}/me/addresses/{id}/default", tag = "addresses",
    params(("domain" = String, Path, description = "Any domain of the store"), ("id" = Uuid, Path)),
    responses((status = 204, description = "It is the default now"), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)),
    security(("session" = [])))]
pub async fn make_default(shopper: Shopper, State(state): State<AppState>, AppPath((_, id)): AppPath<(String, Uuid)>) -> ApiResult<StatusCode> {
    state.store.set_default_customer_address(shopper.shop.tenant.id, shopper.customer.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the address API makes of a delivery address (Indian PIN code against city and state).
/// Always answers 200 for a well-formed address: `unverified` when the API is slow, down or not
/// configured, so a purchase never waits on it.
#[utoipa::path(post, path = "/api/stores/{domain}/address-checks", tag = "addresses", request_body = ShippingAddress,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses((status = 200, body = AddressCheck), (status = 404, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn check(_shop: Shop, State(state): State<AppState>, AppJson(address): AppJson<ShippingAddress>) -> ApiResult<Json<AddressCheck>> {
    address.validate().map_err(ApiError::InvalidFields)?;
    Ok(Json(state.address_api.check(&address).await))
}
