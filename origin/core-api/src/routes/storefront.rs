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
    ListingRequest, PriceList, PriceLookup, StoreInfo, StoreListing, StoreProduct, StoreSitemap, StoreVersion, Tenant, TenantStatus,
    DEFAULT_LISTING_PAGE, MAX_LISTING_PAGE, MAX_SEARCH_CHARS, SITEMAP_MAX_URLS,
};
use zelly_store::storefront::{ListingCursor, ListingQuery};
use zelly_edge::host::normalize_host;
use zelly_edge::{paths, DomainName, Handle};
use zelly_service::{constant_time_eq, ApiError, AppJson, AppPath, AppQuery};

/// The furthest a sitemap read may start: far past any catalog, short of overflowing anything.
pub const MAX_SITEMAP_OFFSET: u64 = 10_000_000;

/// Most variants one price lookup may ask for.
pub const MAX_PRICE_LOOKUP: usize = 100;

/// Storefront read routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::STORE_LISTING, get(listing))
        .route(paths::STORE_PRODUCT, get(product))
        .route(paths::STORE_COLLECTION, get(collection))
        .route(paths::STORE_SITEMAP, get(sitemap))
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

/// The store as its pages show it. Their canonical URLs and sitemap name its primary domain,
/// whichever of its domains the request came in on.
fn store_info(tenant: &Tenant, domain: DomainName) -> StoreInfo {
    StoreInfo {
        slug: tenant.slug.clone(),
        name: tenant.name.clone(),
        domain: tenant.primary_domain.clone().unwrap_or(domain),
        logo_url: tenant.logo_url.clone(),
        accent_color: tenant.accent_color.clone(),
    }
}

/// What a storefront read found on a domain: the store if it is open; 404 or 410 if not.
fn open_store(tenant: Option<Tenant>, domain: DomainName) -> ApiResult<StoreInfo> {
    let tenant = found(tenant, "store")?;
    if tenant.status != TenantStatus::Active {
        return Err(ApiError::Gone("this store is closed"));
    }
    Ok(store_info(&tenant, domain))
}

/// Reads a listing's query, with the collection from the path.
fn listing_query(request: ListingRequest, collection: Option<Handle>) -> ApiResult<ListingQuery> {
    let limit = request.limit.unwrap_or(DEFAULT_LISTING_PAGE);
    if !(1..=MAX_LISTING_PAGE).contains(&limit) {
        return Err(ApiError::Unprocessable(format!("limit: from 1 to {MAX_LISTING_PAGE}")));
    }
    let search = request.q.map(|q| q.trim().to_owned());
    if search.as_ref().is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
        return Err(ApiError::Unprocessable(format!("q: at most {MAX_SEARCH_CHARS} characters")));
    }
    let after = match request.after.as_deref() {
        None => None,
        Some(raw) => Some(ListingCursor::decode(raw).ok_or_else(|| ApiError::Unprocessable("after: not a cursor from this listing".into()))?),
    };
    Ok(ListingQuery { collection, search, sort: request.sort, after, limit })
}

async fn listing_of(state: &AppState, raw_domain: &str, query: ListingQuery) -> ApiResult<Json<StoreListing>> {
    let domain = normalize_host(raw_domain).map_err(|_| ApiError::NotFound("store"))?;
    let read = state.store.storefront_listing(&domain, &query).await?;
    let Some(listing) = read else { return Err(ApiError::NotFound("store")) };
    let store = open_store(Some(listing.tenant), domain)?;
    if query.collection.is_some() && listing.collection.is_none() {
        return Err(ApiError::NotFound("collection"));
    }
    Ok(Json(StoreListing {
        store,
        collections: listing.collections,
        collection: listing.collection,
        featured: listing.featured,
        products: listing.products,
        next: listing.next.map(|c| c.encode()),
    }))
}

/// One page of the store's active products: newest first, by price, or (with `q`) a search,
/// best match first. The first page of the plain listing also carries the featured collection.
/// Follow `next` as `after` for the page after.
#[utoipa::path(
    get,
    path = "/api/storefront/domains/{domain}/products",
    tag = "storefront",
    params(("domain" = String, Path, description = "The storefront's host name"), ListingRequest),
    responses(
        (status = 200, body = StoreListing),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 404, description = "No store on this domain", body = zelly_edge::ApiErrorBody),
        (status = 410, description = "The store on this domain is suspended", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "A limit out of range, a search too long or a cursor from elsewhere", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = []))
)]
#[tracing::instrument(skip_all, fields(domain = %domain))]
pub async fn listing(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath(domain): AppPath<String>,
    AppQuery(request): AppQuery<ListingRequest>,
) -> ApiResult<Json<StoreListing>> {
    let query = listing_query(request, None)?;
    listing_of(&state, &domain, query).await
}

/// One page of one collection's active products, in the merchant's order unless another is asked.
#[utoipa::path(
    get,
    path = "/api/storefront/domains/{domain}/collections/{handle}",
    tag = "storefront",
    params(
        ("domain" = String, Path, description = "The storefront's host name"),
        ("handle" = String, Path, description = "Collection handle"),
        ListingRequest,
    ),
    responses(
        (status = 200, body = StoreListing),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 404, description = "No such store or collection", body = zelly_edge::ApiErrorBody),
        (status = 410, description = "The store is suspended", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "A limit out of range, a search too long or a cursor from elsewhere", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = []))
)]
#[tracing::instrument(skip_all, fields(domain = %domain, handle = %handle))]
pub async fn collection(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath((domain, handle)): AppPath<(String, String)>,
    AppQuery(request): AppQuery<ListingRequest>,
) -> ApiResult<Json<StoreListing>> {
    let handle = Handle::parse(&handle).map_err(|_| ApiError::NotFound("collection"))?;
    let query = listing_query(request, Some(handle))?;
    listing_of(&state, &domain, query).await
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
    let domain = normalize_host(&domain).map_err(|_| ApiError::NotFound("store"))?;
    let handle = Handle::parse(&handle).map_err(|_| ApiError::NotFound("product"))?;
    let Some(page) = state.store.storefront_product(&domain, &handle).await? else { return Err(ApiError::NotFound("store")) };
    let store = open_store(Some(page.tenant), domain)?;
    let (product, stock) = found(page.product, "product")?;
    Ok(Json(StoreProduct { store, product, stock }))
}

/// Query of the sitemap route.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SitemapRequest {
    /// How many products, in handle order, to skip (at most 10,000,000).
    #[serde(default)]
    #[param(maximum = 10_000_000)]
    pub offset: u64,
    /// Most handles, 1 to 50,000 (default 50,000, one sitemap file's worth).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The handles of the store's active products in handle order, a stretch at a time, with their
/// count and (from offset 0) the collections' handles: what a sitemap lists.
#[utoipa::path(
    get,
    path = "/api/storefront/domains/{domain}/sitemap",
    tag = "storefront",
    params(("domain" = String, Path, description = "The storefront's host name"), SitemapRequest),
    responses(
        (status = 200, body = StoreSitemap),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 404, description = "No store on this domain", body = zelly_edge::ApiErrorBody),
        (status = 410, description = "The store is suspended", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "A limit or offset out of range", body = zelly_edge::ApiErrorBody),
    ),
    security(("storefront_token" = []))
)]
#[tracing::instrument(skip_all, fields(domain = %domain))]
pub async fn sitemap(
    _caller: StorefrontCaller,
    State(state): State<AppState>,
    AppPath(domain): AppPath<String>,
    AppQuery(request): AppQuery<SitemapRequest>,
) -> ApiResult<Json<StoreSitemap>> {
    let limit = request.limit.unwrap_or(SITEMAP_MAX_URLS as u32);
    if !(1..=SITEMAP_MAX_URLS as u32).contains(&limit) {
        return Err(ApiError::Unprocessable(format!("limit: from 1 to {SITEMAP_MAX_URLS}")));
    }
    if request.offset > MAX_SITEMAP_OFFSET {
        return Err(ApiError::Unprocessable(format!("offset: at most {MAX_SITEMAP_OFFSET}")));
    }
    let domain = normalize_host(&domain).map_err(|_| ApiError::NotFound("store"))?;
    let Some(sitemap) = state.store.storefront_sitemap(&domain, request.offset, limit).await? else {
        return Err(ApiError::NotFound("store"));
    };
    let store = open_store(Some(sitemap.tenant), domain)?;
    Ok(Json(StoreSitemap { store, total: sitemap.total, collections: sitemap.collections, products: sitemap.products }))
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
    let domain = normalize_host(&domain).map_err(|_| ApiError::NotFound("store"))?;
    let Some(read) = state.store.storefront_prices(&domain, &lookup.variant_ids).await? else {
        return Err(ApiError::NotFound("store"));
    };
    let store = open_store(Some(read.tenant), domain)?;
    let online_payments = state.razorpay.is_some();
    Ok(Json(PriceList { prices: read.prices, store: Some(store), cash_on_delivery: read.cash_on_delivery, online_payments, details: read.details }))
}
