//! The seller API: merchants manage their own store's catalog.
//!
//! Every route takes a [`Merchant`], which exists only for a verified Firebase ID token whose user
//! is a member of the tenant it names; every store call is scoped to that tenant, so another
//! tenant's ids are simply not found (404) and nothing of theirs changes.

use crate::{found, ApiResult, AppState};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use uuid::Uuid;
use zelly_edge::catalog::{
    Collection, CollectionInput, FieldErrors, InventoryAdjustment, InventoryAdjustmentInput, Page, ProductInput,
    ProductStatus, Role, SellerProduct, SellerSession, StoreSettings, StoreSettingsInput,
};
use zelly_edge::dto::{Tenant, TenantStatus};
use zelly_service::{ApiError, AppJson, AppPath, AppQuery};
use zelly_store::{ProductQuery, StoreError};

/// Header naming the store to work in, for merchants who belong to several.
pub const TENANT_HEADER: &str = "x-zelly-tenant";

/// Seller routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/seller/session", get(session))
        .route("/api/seller/store", get(store_settings).put(update_store_settings))
        .route("/api/seller/products", get(list_products).post(create_product))
        .route("/api/seller/products/{id}", get(get_product).put(update_product))
        .route("/api/seller/products/{id}/archive", post(archive_product))
        .route("/api/seller/variants/{id}/inventory-adjustments", get(inventory_history).post(adjust_inventory))
        .route("/api/seller/collections", get(list_collections).post(create_collection))
        .route("/api/seller/collections/{id}", get(get_collection).put(update_collection).delete(delete_collection))
}

/// A signed-in merchant working in one of their stores.
#[derive(Debug, Clone)]
pub struct Merchant {
    /// Firebase uid.
    pub uid: String,
    /// Email from the token.
    pub email: Option<String>,
    /// The store.
    pub tenant: Tenant,
    /// Their role in it.
    pub role: Role,
}

impl Merchant {
    /// How the merchant appears in an order's timeline: their email, else their uid.
    pub fn actor(&self) -> String {
        self.email.clone().filter(|e| !e.is_empty()).unwrap_or_else(|| self.uid.clone())
    }
}

/// A signed-in Firebase user, member of a store or not (opening a store, accepting an invite).
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Firebase uid.
    pub uid: String,
    /// Email from the token.
    pub email: Option<String>,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let verifier = state.verifier.as_ref().ok_or(ApiError::Unauthorized("merchant sign-in is not configured"))?;
        let token = zelly_service::bearer_token(&parts.headers).ok_or(ApiError::Unauthorized("sign in first: a Firebase ID token is required"))?;
        let claims = verifier.verify(token).await.map_err(|err| {
            if err.is_unavailable() {
                tracing::error!(%err, "cannot verify merchant tokens");
                ApiError::Unavailable("sign-in cannot be checked right now; try again shortly")
            } else {
                tracing::info!(%err, "merchant token refused");
                ApiError::Unauthorized("the sign-in token is invalid or expired; sign in again")
            }
        })?;
        Ok(SignedIn { uid: claims.uid, email: claims.email })
    }
}

impl FromRequestParts<AppState> for Merchant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let SignedIn { uid, email } = SignedIn::from_request_parts(parts, state).await?;
        // Read on every request: a member removed from the team is refused on their next one.
        let memberships = state.store.memberships_of(&uid).await?;
        let wanted = parts.headers.get(TENANT_HEADER).and_then(|v| v.to_str().ok());
        let (tenant, role) = match wanted {
            Some(slug) => memberships
                .into_iter()
                .find(|(t, _)| t.slug.as_str() == slug)
                .ok_or(ApiError::Forbidden("you are not a member of that store"))?,
            None => {
                let mut memberships = memberships;
                match memberships.len() {
                    0 => return Err(ApiError::Forbidden("this account is not a member of any store")),
                    1 => memberships.remove(0),
                    _ => return Err(ApiError::BadRequest("choose a store with the X-Zelly-Tenant header".into())),
                }
            }
        };
        if tenant.status != TenantStatus::Active {
            return Err(ApiError::Forbidden("this store is suspended"));
        }
        Ok(Merchant { uid, email, tenant, role })
    }
}

/// A [`Merchant`] who owns the store: the team, payments (refunds, settings) and domains are
/// theirs alone.
#[derive(Debug, Clone)]
pub struct Owner(pub Merchant);

impl FromRequestParts<AppState> for Owner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let merchant = Merchant::from_request_parts(parts, state).await?;
        if merchant.role != Role::Owner {
            return Err(ApiError::Forbidden("only the store's owners can do this"));
        }
        Ok(Owner(merchant))
    }
}

/// Turns a store error into the answer a merchant can act on: taken handles and SKUs name their
/// field (422), a stale version is a 409.
fn seller_error(err: StoreError) -> ApiError {
    match err {
        StoreError::Conflict(what) => {
            let what = what.to_lowercase();
            let (field, message) = if what.contains("sku") {
                ("variants", "a SKU is already used by another product in this store")
            } else if what.contains("handle") {
                ("handle", "is already used in this store")
            } else {
                return ApiError::Conflict(what);
            };
            ApiError::InvalidFields(FieldErrors::from([(field.to_owned(), message.to_owned())]))
        }
        StoreError::Invalid(message) => match message.split_once(": ") {
            Some((field, reason)) if !field.contains(' ') => {
                ApiError::InvalidFields(FieldErrors::from([(field.to_owned(), reason.to_owned())]))
            }
            _ => ApiError::Unprocessable(message),
        },
        StoreError::Stale => ApiError::Conflict("this was changed since you loaded it; reload to see the latest version".into()),
        other => other.into(),
    }
}

/// Ids in paths: anything that is not a UUID cannot be the tenant's, so it is a 404 like any other
/// id that is not theirs.
fn path_id(raw: &str, what: &'static str) -> ApiResult<Uuid> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound(what))
}

/// The signed-in merchant and their store.
#[utoipa::path(get, path = "/api/seller/session", tag = "seller",
    responses((status = 200, body = SellerSession), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn session(merchant: Merchant) -> Json<SellerSession> {
    Json(SellerSession { uid: merchant.uid, email: merchant.email, tenant: merchant.tenant, role: merchant.role })
}

async fn settings_of(state: &AppState, tenant: &Tenant) -> ApiResult<StoreSettings> {
    Ok(StoreSettings {
        slug: tenant.slug.clone(),
        name: tenant.name.clone(),
        logo_url: tenant.logo_url.clone(),
        accent_color: tenant.accent_color.clone(),
        featured_collection: state.store.featured_collection(tenant.id).await?,
        cash_on_delivery: state.store.cash_on_delivery(tenant.id).await?,
    })
}

/// How the store looks to shoppers: name, logo, accent colour and featured collection.
#[utoipa::path(get, path = "/api/seller/store", tag = "seller",
    responses((status = 200, body = StoreSettings), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn store_settings(merchant: Merchant, State(state): State<AppState>) -> ApiResult<Json<StoreSettings>> {
    Ok(Json(settings_of(&state, &merchant.tenant).await?))
}

/// Changes the store's name, logo, accent colour and featured collection (owners only; the
/// collection must be one of the store's own). Storefronts show the change on their next render
/// of each page.
#[utoipa::path(put, path = "/api/seller/store", tag = "seller", request_body = StoreSettingsInput,
    responses(
        (status = 200, body = StoreSettings),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, description = "Only the store's owners change its settings", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "Each bad field named", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.id))]
pub async fn update_store_settings(
    Owner(merchant): Owner,
    State(state): State<AppState>,
    AppJson(input): AppJson<StoreSettingsInput>,
) -> ApiResult<Json<StoreSettings>> {
    input.validate().map_err(ApiError::InvalidFields)?;
    let tenant = state.store.update_store_settings(merchant.tenant.id, &input).await?;
    Ok(Json(settings_of(&state, &tenant).await?))
}

/// Query of the product list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Title or SKU substring, or a whole tag.
    pub q: Option<String>,
    /// `draft`, `active` or `archived`.
    pub status: Option<String>,
    /// 1-100, default 25.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The store's products, most recently updated first, a page at a time.
#[utoipa::path(get, path = "/api/seller/products", tag = "seller", params(ListParams),
    responses((status = 200, body = Page<SellerProduct>), (status = 401, body = zelly_edge::ApiErrorBody), (status = 422, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.slug))]
pub async fn list_products(
    merchant: Merchant,
    State(state): State<AppState>,
    AppQuery(params): AppQuery<ListParams>,
) -> ApiResult<Json<Page<SellerProduct>>> {
    let mut errors = FieldErrors::new();
    let status = match params.status.as_deref().filter(|s| !s.is_empty()) {
        Some(raw) => {
            let parsed = ProductStatus::parse(raw);
            if parsed.is_none() {
                errors.insert("status".into(), "must be draft, active or archived".into());
            }
            parsed
        }
        None => None,
    };
    let limit = params.limit.unwrap_or(25);
    if !(1..=zelly_edge::catalog::MAX_PAGE_SIZE).contains(&limit) {
        errors.insert("limit".into(), "must be 1-100".into());
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidFields(errors));
    }
    let query = ProductQuery { text: params.q, status, limit, cursor: params.cursor };
    Ok(Json(state.store.seller_products(merchant.tenant.id, &query).await.map_err(seller_error)?))
}

/// Creates a product (draft unless the body says otherwise).
#[utoipa::path(post, path = "/api/seller/products", tag = "seller", request_body = ProductInput,
    responses((status = 201, body = SellerProduct), (status = 401, body = zelly_edge::ApiErrorBody), (status = 422, description = "Names each bad field", body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.slug))]
pub async fn create_product(
    merchant: Merchant,
    State(state): State<AppState>,
    AppJson(input): AppJson<ProductInput>,
) -> ApiResult<(StatusCode, Json<SellerProduct>)> {
    input.validate().map_err(ApiError::InvalidFields)?;
    let created = state.store.create_seller_product(merchant.tenant.id, &input).await.map_err(seller_error)?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One of the store's products.
#[utoipa::path(get, path = "/api/seller/products/{id}", tag = "seller", params(("id" = String, Path)),
    responses((status = 200, body = SellerProduct), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn get_product(merchant: Merchant, State(state): State<AppState>, AppPath(id): AppPath<String>) -> ApiResult<Json<SellerProduct>> {
    let id = path_id(&id, "product")?;
    Ok(Json(found(state.store.seller_product(merchant.tenant.id, id).await?, "product")?))
}

/// Replaces a product's state; the body's `version` must be the current one (else 409).
#[utoipa::path(put, path = "/api/seller/products/{id}", tag = "seller", params(("id" = String, Path)), request_body = ProductInput,
    responses((status = 200, body = SellerProduct), (status = 404, body = zelly_edge::ApiErrorBody), (status = 409, description = "Changed since loaded", body = zelly_edge::ApiErrorBody), (status = 422, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.slug))]
pub async fn update_product(
    merchant: Merchant,
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    AppJson(input): AppJson<ProductInput>,
) -> ApiResult<Json<SellerProduct>> {
    let id = path_id(&id, "product")?;
    let mut errors = input.validate().err().unwrap_or_default();
    if input.version.is_none() {
        errors.insert("version".into(), "is required to update".into());
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidFields(errors));
    }
    if let Some(current) = state.store.seller_product(merchant.tenant.id, id).await?
        && current.shopify_id.is_some()
    {
        let changed = zelly_edge::catalog::shopify_owned_changes(&current, &input);
        if !changed.is_empty() {
            return Err(ApiError::Conflict(format!(
                "this product comes from your Shopify store: change its {} in Shopify (only its SEO is edited here)",
                changed.join(", ")
            )));
        }
    }
    Ok(Json(state.store.update_seller_product(merchant.tenant.id, id, &input).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::NotFound("product"),
        other => seller_error(other),
    })?))
}

/// Body of the archive action.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VersionBody {
    /// The version the merchant saw.
    pub version: i64,
}

/// Archives a product: it leaves the storefront but stays in the panel.
#[utoipa::path(post, path = "/api/seller/products/{id}/archive", tag = "seller", params(("id" = String, Path)), request_body = VersionBody,
    responses((status = 200, body = SellerProduct), (status = 404, body = zelly_edge::ApiErrorBody), (status = 409, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.slug))]
pub async fn archive_product(
    merchant: Merchant,
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<VersionBody>,
) -> ApiResult<Json<SellerProduct>> {
    let id = path_id(&id, "product")?;
    if !state.store.shopify_ids_of(merchant.tenant.id, &[id]).await?.is_empty() {
        return Err(ApiError::Conflict("this product comes from your Shopify store: archive or delete it in Shopify".into()));
    }
    Ok(Json(state.store.archive_product(merchant.tenant.id, id, body.version).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::NotFound("product"),
        other => seller_error(other),
    })?))
}

/// Adds or removes stock with a reason, kept in the audit trail.
#[utoipa::path(post, path = "/api/seller/variants/{id}/inventory-adjustments", tag = "seller", params(("id" = String, Path)), request_body = InventoryAdjustmentInput,
    responses((status = 201, body = InventoryAdjustment), (status = 404, body = zelly_edge::ApiErrorBody), (status = 422, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.slug))]
pub async fn adjust_inventory(
    merchant: Merchant,
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    AppJson(input): AppJson<InventoryAdjustmentInput>,
) -> ApiResult<(StatusCode, Json<InventoryAdjustment>)> {
    let id = path_id(&id, "variant")?;
    input.validate().map_err(ApiError::InvalidFields)?;
    if !state.store.shopify_inventory_items(merchant.tenant.id, &[id]).await?.is_empty() {
        return Err(ApiError::Conflict("this product's stock is kept in your Shopify store: change it there".into()));
    }
    let adjustment = state.store.adjust_inventory(merchant.tenant.id, id, &input, &merchant.uid).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::NotFound("variant"),
        other => seller_error(other),
    })?;
    Ok((StatusCode::CREATED, Json(adjustment)))
}

/// A variant's stock changes, newest first.
#[utoipa::path(get, path = "/api/seller/variants/{id}/inventory-adjustments", tag = "seller", params(("id" = String, Path)),
    responses((status = 200, body = [InventoryAdjustment]), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn inventory_history(
    merchant: Merchant,
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
) -> ApiResult<Json<Vec<InventoryAdjustment>>> {
    let id = path_id(&id, "variant")?;
    Ok(Json(found(state.store.inventory_history(merchant.tenant.id, id).await?, "variant")?))
}

/// The store's collections.
#[utoipa::path(get, path = "/api/seller/collections", tag = "seller",
    responses((status = 200, body = [Collection]), (status = 401, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn list_collections(merchant: Merchant, State(state): State<AppState>) -> ApiResult<Json<Vec<Collection>>> {
    Ok(Json(state.store.collections(merchant.tenant.id).await?))
}

/// Creates a manual collection.
#[utoipa::path(post, path = "/api/seller/collections", tag = "seller", request_body = CollectionInput,
    responses((status = 201, body = Collection), (status = 422, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.slug))]
pub async fn create_collection(
    merchant: Merchant,
    State(state): State<AppState>,
    AppJson(input): AppJson<CollectionInput>,
) -> ApiResult<(StatusCode, Json<Collection>)> {
    input.validate().map_err(ApiError::InvalidFields)?;
    let created = state.store.create_collection(merchant.tenant.id, &input).await.map_err(seller_error)?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One collection.
#[utoipa::path(get, path = "/api/seller/collections/{id}", tag = "seller", params(("id" = String, Path)),
    responses((status = 200, body = Collection), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn get_collection(merchant: Merchant, State(state): State<AppState>, AppPath(id): AppPath<String>) -> ApiResult<Json<Collection>> {
    let id = path_id(&id, "collection")?;
    Ok(Json(found(state.store.collection(merchant.tenant.id, id).await?, "collection")?))
}

/// Replaces a collection (title, handle, and its ordered products); `version` must be current.
#[utoipa::path(put, path = "/api/seller/collections/{id}", tag = "seller", params(("id" = String, Path)), request_body = CollectionInput,
    responses((status = 200, body = Collection), (status = 404, body = zelly_edge::ApiErrorBody), (status = 409, body = zelly_edge::ApiErrorBody), (status = 422, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.slug))]
pub async fn update_collection(
    merchant: Merchant,
    State(state): State<AppState>,
    AppPath(id): AppPath<String>,
    AppJson(input): AppJson<CollectionInput>,
) -> ApiResult<Json<Collection>> {
    let id = path_id(&id, "collection")?;
    let mut errors = input.validate().err().unwrap_or_default();
    if input.version.is_none() {
        errors.insert("version".into(), "is required to update".into());
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidFields(errors));
    }
    Ok(Json(state.store.update_collection(merchant.tenant.id, id, &input).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::NotFound("collection"),
        other => seller_error(other),
    })?))
}

/// Deletes a collection (its products stay).
#[utoipa::path(delete, path = "/api/seller/collections/{id}", tag = "seller", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %merchant.tenant.slug))]
pub async fn delete_collection(merchant: Merchant, State(state): State<AppState>, AppPath(id): AppPath<String>) -> ApiResult<StatusCode> {
    let id = path_id(&id, "collection")?;
    state.store.delete_collection(merchant.tenant.id, id).await.map_err(|e| match e {
        StoreError::NotFound => ApiError::NotFound("collection"),
        other => seller_error(other),
    })?;
    Ok(StatusCode::NO_CONTENT)
}
