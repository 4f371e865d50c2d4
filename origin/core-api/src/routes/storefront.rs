//! The storefront read API: what the storefront hosts and checkout render and price from.
//!
//! Every route is guarded by `STOREFRONT_API_BEARER_TOKEN` and scoped by the request's domain, so a
//! store only ever sees its own tenant's data.

use crate::{found, ApiResult, AppState};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::{Json, Router};
use zelly_edge::dto::{
    CollectionLink, FeaturedCollection, PriceList, PriceLookup, StoreCatalog, StoreCollection, StoreInfo, StoreProduct, StoreVersion, Tenant,
    TenantStatus, VariantDetail, VariantStock,
};
use zelly_edge::host::normalize_host;
use zelly_edge::{paths, DomainName, Handle};
use zelly_service::{constant_time_eq, ApiError, AppJson, AppPath};

/// Most variants one price lookup may ask for.
pub const MAX_PRICE_LOOKUP: usize = 100;

/// Storefront read routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::STORE_CATALOG, get(catalog))
        .route(paths::STORE_PRODUCT, get(product))
        .route(paths::STORE_COLLECTION, get(collection))
        .route(paths::STORE_PRICES, post(prices))
        .route(paths::STORE_VERSION, get(version))
}

/// Proof that the caller holds the storefront bearer token.
#[derive(Debug, Clone, Copy)]
pub struct StorefrontCaller;

impl FromRequestParts<AppState> for StorefrontCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let presented = zelly_service::bearer_token(&parts.headers).ok_or(ApiError::Unauthorized("a storefront bearer token is required"))?;
        if constant_time_eq(presented.as_bytes(), state.storefront_token.expose().as_bytes()) {
            Ok(StorefrontCaller)
        } else {
            Err(ApiError::Unauthorized("the storefront bearer token is wrong"))
        }
    }
}

/// The active tenant a domain belongs to. Unknown and malformed domains are 404; a suspended
/// store is 410, so that storefronts can tell shoppers it is closed rather than missing.
pub(crate) async fn active_store(state: &AppState, raw_domain: &str) -> ApiResult<(Tenant, DomainName)> {
    let domain = normalize_host(raw_domain).map_err(|_| ApiError::NotFound("store"))?;
    let tenant = found(state.store.tenant_by_domain(&domain).await?, "store")?;
    if tenant.status != TenantStatus::Active {
        return Err(ApiError::Gone("this store is closed"));
    }
    Ok((tenant, domain))
}

fn store_info(tenant: &Tenant, domain: DomainName) -> StoreInfo {
    StoreInfo {
        slug: tenant.slug.clone(),
        name: tenant.name.clone(),
        domain,
        logo_url: tenant.logo_url.clone(),
        accent_color: tenant.accent_color.clone(),
    }
}

/// The store and its products.
#[utoipa::path(
    get,
    path = "/api/storefront/domains/{domain}/products",
    tag = "storefront",
    params(("domain" = String, Path, description = "The storefront's host name")),
    responses(
        (status = 200, body = StoreCatalog),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 404, description = "No store on this domain", body = zelly_edge::ApiErrorBody),
        (status = 410, description = "The store on this domain is suspended", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = []))
)]
#[tracing::instrument(skip_all, fields(domain = %domain))]
pub async fn catalog(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath(domain): AppPath<String>,
) -> ApiResult<Json<StoreCatalog>> {
    let (tenant, domain) = active_store(&state, &domain).await?;
    let products = state.store.list_products(tenant.id).await?;
    let all = state.store.collections(tenant.id).await?;
    // The featured collection's products, as far as they are on sale (in the catalog).
    let featured = match state.store.featured_collection(tenant.id).await? {
        Some(handle) => all.iter().find(|c| c.handle == handle).map(|c| FeaturedCollection {
            handle: c.handle.clone(),
            title: c.title.clone(),
            product_ids: c.product_ids.iter().filter(|id| products.iter().any(|p| p.id == **id)).copied().collect(),
        }),
        None => None,
    };
    let collections = all.into_iter().map(|c| CollectionLink { handle: c.handle, title: c.title }).collect();
    Ok(Json(StoreCatalog { store: store_info(&tenant, domain), products, collections, featured }))
}

/// One collection of the store with its active products in order.
#[utoipa::path(
    get,
    path = "/api/storefront/domains/{domain}/collections/{handle}",
    tag = "storefront",
    params(
        ("domain" = String, Path, description = "The storefront's host name"),
        ("handle" = String, Path, description = "Collection handle"),
    ),
    responses(
        (status = 200, body = StoreCollection),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 404, description = "No such store or collection", body = zelly_edge::ApiErrorBody),
        (status = 410, description = "The store is suspended", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = []))
)]
#[tracing::instrument(skip_all, fields(domain = %domain, handle = %handle))]
pub async fn collection(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath((domain, handle)): AppPath<(String, String)>,
) -> ApiResult<Json<StoreCollection>> {
    let (tenant, domain) = active_store(&state, &domain).await?;
    let handle = Handle::parse(&handle).map_err(|_| ApiError::NotFound("collection"))?;
    let (collection, products, newest_first) = found(state.store.storefront_collection(tenant.id, &handle).await?, "collection")?;
    Ok(Json(StoreCollection {
        store: store_info(&tenant, domain),
        handle: collection.handle,
        title: collection.title,
        description: collection.description,
        products,
        newest_first,
    }))
}

/// One product of the store.
#[utoipa::path(
    get,
    path = "/api/storefront/domains/{domain}/products/{handle}",
    tag = "storefront",
    params(
        ("domain" = String, Path, description = "The storefront's host name"),
        ("handle" = String, Path, description = "Product handle"),
    ),
    responses(
        (status = 200, body = StoreProduct),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 404, description = "No such store or product", body = zelly_edge::ApiErrorBody),
        (status = 410, description = "The store is suspended", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = []))
)]
#[tracing::instrument(skip_all, fields(domain = %domain, handle = %handle))]
pub async fn product(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath((domain, handle)): AppPath<(String, String)>,
) -> ApiResult<Json<StoreProduct>> {
    let (tenant, domain) = active_store(&state, &domain).await?;
    let handle = Handle::parse(&handle).map_err(|_| ApiError::NotFound("product"))?;
    let product = found(state.store.product_by_handle(tenant.id, &handle).await?, "product")?;
    let stock = stock_of(&state, tenant.id, product.id).await?;
    Ok(Json(StoreProduct { store: store_info(&tenant, domain), product, stock }))
}

/// How many of each of a product's variants can be bought: the stock on hand of tracked
/// variants, no limit for the others. (Checkout's own count also subtracts unexpired holds.)
async fn stock_of(state: &AppState, tenant: uuid::Uuid, product: uuid::Uuid) -> ApiResult<Vec<VariantStock>> {
    let Some(record) = state.store.seller_product(tenant, product).await? else {
        return Ok(Vec::new());
    };
    Ok(record.variants.iter().map(|v| VariantStock::of(v.id, v.track_inventory, v.inventory_quantity)).collect())
}

/// Product name, handle, image and stock of each priced variant, for the cart page and checkout.
async fn details_of(state: &AppState, tenant: uuid::Uuid, prices: &[zelly_edge::dto::VariantPrice]) -> ApiResult<Vec<VariantDetail>> {
    if prices.is_empty() {
        return Ok(Vec::new());
    }
    let products = state.store.list_products(tenant).await?;
    let mut details = Vec::with_capacity(prices.len());
    let mut stock: Vec<VariantStock> = Vec::new();
    for price in prices {
        let Some(product) = products.iter().find(|p| p.variants.iter().any(|v| v.id == price.variant_id)) else { continue };
        let Some(variant) = product.variants.iter().find(|v| v.id == price.variant_id) else { continue };
        if !stock.iter().any(|s| s.variant_id == variant.id) {
            stock.extend(stock_of(state, tenant, product.id).await?);
        }
        details.push(VariantDetail {
            variant_id: variant.id,
            product_title: product.title.clone(),
            product_handle: product.handle.clone(),
            // A product sold in one variant has nothing to tell its variant by.
            variant_title: if product.variants.len() > 1 { variant.title.clone() } else { String::new() },
            image_url: product.image_url.clone(),
            available: stock.iter().find(|s| s.variant_id == variant.id).and_then(|s| s.available),
        });
    }
    Ok(details)
}

/// The version of what the store's storefront shows: edge caches key pages by it, so any catalog
/// or settings change makes them render afresh.
#[utoipa::path(
    get,
    path = "/api/storefront/domains/{domain}/version",
    tag = "storefront",
    params(("domain" = String, Path, description = "The storefront's host name")),
    responses(
        (status = 200, body = StoreVersion),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 404, description = "No store on this domain", body = zelly_edge::ApiErrorBody),
        (status = 410, description = "The store is suspended", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = []))
)]
pub async fn version(_caller: StorefrontCaller, State(state): State<AppState>, AppPath(domain): AppPath<String>) -> ApiResult<Json<StoreVersion>> {
    let (tenant, _) = active_store(&state, &domain).await?;
    Ok(Json(StoreVersion { version: tenant.catalog_version }))
}

/// Current prices of the store's variants (other tenants' variants are simply absent).
#[utoipa::path(
    post,
    path = "/api/storefront/domains/{domain}/prices",
    tag = "storefront",
    params(("domain" = String, Path, description = "The storefront's host name")),
    request_body = PriceLookup,
    responses(
        (status = 200, body = PriceList),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 422, description = "Too many ids or a malformed body", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = []))
)]
#[tracing::instrument(skip_all, fields(domain = %domain))]
pub async fn prices(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath(domain): AppPath<String>,
    AppJson(lookup): AppJson<PriceLookup>,
) -> ApiResult<Json<PriceList>> {
    if lookup.variant_ids.len() > MAX_PRICE_LOOKUP {
        return Err(ApiError::Unprocessable(format!("variant_ids: at most {MAX_PRICE_LOOKUP} ids")));
    }
    let (tenant, domain) = active_store(&state, &domain).await?;
    let prices = state.store.variant_prices(tenant.id, &lookup.variant_ids).await?;
    let cash_on_delivery = state.store.cash_on_delivery(tenant.id).await?;
    let online_payments = state.razorpay.is_some();
    let details = details_of(&state, tenant.id, &prices).await?;
    Ok(Json(PriceList { prices, store: Some(store_info(&tenant, domain)), cash_on_delivery, online_payments, details }))
}
