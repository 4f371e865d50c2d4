//! A store's domains in the seller API: add a custom domain, prove it by DNS, make it primary,
//! remove it. Reading is open to every member; changes are the owners' ([`Owner`]).
//!
//! A custom domain is served (by `/validate_tenant_domain/{domain}`, hence Caddy's `/allow-cert`)
//! only once its TXT record at `_zelly.{domain}` holds the token it was given; see
//! `zelly_store::team` for the states.

use super::seller::{Merchant, Owner};
use crate::{ApiResult, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use zelly_edge::DomainName;
use zelly_edge::team::{DomainInput, MAX_CUSTOM_DOMAINS, StoreDomain, StoreDomains};
use zelly_service::{ApiError, AppJson, AppPath, now_ms};
use zelly_store::StoreError;

/// Domain routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/seller/domains", get(list).post(add))
        .route("/api/seller/domains/{domain}", axum::routing::delete(remove))
        .route("/api/seller/domains/{domain}/verify", post(verify))
        .route("/api/seller/domains/{domain}/primary", post(make_primary))
}

/// The store's domains and the host custom ones must point at.
#[utoipa::path(get, path = "/api/seller/domains", tag = "onboarding",
    responses((status = 200, body = StoreDomains), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn list(merchant: Merchant, State(state): State<AppState>) -> ApiResult<Json<StoreDomains>> {
    domains_of(&state, merchant.tenant.id).await.map(Json)
}

async fn domains_of(state: &AppState, tenant: uuid::Uuid) -> ApiResult<StoreDomains> {
    Ok(StoreDomains { domains: state.store.store_domains(tenant).await?, cname_target: state.onboarding.cname_target.clone() })
}

/// Adds a custom domain (owners only): it is pending until its TXT record is found. Another
/// store's proven domain is a 409.
#[utoipa::path(post, path = "/api/seller/domains", tag = "onboarding", request_body = DomainInput,
    responses(
        (status = 201, body = StoreDomain),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "Another store has it, this store already has it, or it has as many as it may", body = zelly_edge::ApiErrorBody),
        (status = 422, body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %owner.0.tenant.slug))]
pub async fn add(owner: Owner, State(state): State<AppState>, AppJson(input): AppJson<DomainInput>) -> ApiResult<(StatusCode, Json<StoreDomain>)> {
    let domain = input.validate().map_err(ApiError::InvalidFields)?;
    let platform = format!(".{}", state.onboarding.platform_domain);
    if domain.as_str().ends_with(&platform) || domain.as_str() == state.onboarding.platform_domain {
        return Err(ApiError::InvalidFields(zelly_edge::catalog::FieldErrors::from([(
            "domain".to_owned(),
            "is on the platform's own domain; add a domain you own".to_owned(),
        )])));
    }
    let token = zelly_dns::new_token();
    let added = state.store.claim_domain(owner.0.tenant.id, &domain, &token, MAX_CUSTOM_DOMAINS).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

fn domain_param(raw: &str) -> ApiResult<DomainName> {
    // Read as the add route reads a domain, so every name it stored can be addressed again.
    DomainInput { domain: raw.to_owned() }.validate().map_err(|_| ApiError::NotFound("domain"))
}

/// Checks a domain's DNS now (owners only): a pending one found proven is served from now on.
#[utoipa::path(post, path = "/api/seller/domains/{domain}/verify", tag = "onboarding", params(("domain" = String, Path)),
    responses(
        (status = 200, description = "The domain after the check; `failure` says what is still missing", body = StoreDomain),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "Another store proved it first", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %owner.0.tenant.slug, domain = %domain))]
pub async fn verify(owner: Owner, State(state): State<AppState>, AppPath(domain): AppPath<String>) -> ApiResult<Json<StoreDomain>> {
    let tenant = owner.0.tenant.id;
    let domain = domain_param(&domain)?;
    let token = state.store.domain_token(tenant, &domain).await?.ok_or(ApiError::NotFound("domain"))?;
    let outcome = state.domains.check(&domain, &token, &state.onboarding.cname_target).await;
    let after = state.store.record_domain_check(tenant, &domain, &outcome, now_ms()).await.map_err(|err| match err {
        StoreError::NotFound => ApiError::NotFound("domain"),
        other => other.into(),
    })?;
    tracing::info!(status = after.status.as_str(), "domain checked");
    Ok(Json(after))
}

/// Makes a served domain the primary one (owners only): canonical URLs and the sitemap use it.
#[utoipa::path(post, path = "/api/seller/domains/{domain}/primary", tag = "onboarding", params(("domain" = String, Path)),
    responses(
        (status = 200, body = StoreDomains),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "Only a proven domain can be primary", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
pub async fn make_primary(owner: Owner, State(state): State<AppState>, AppPath(domain): AppPath<String>) -> ApiResult<Json<StoreDomains>> {
    let tenant = owner.0.tenant.id;
    let domain = domain_param(&domain)?;
    state.store.set_primary_domain(tenant, &domain).await?;
    domains_of(&state, tenant).await.map(Json)
}

/// Removes a custom domain (owners only); the platform address stays.
#[utoipa::path(delete, path = "/api/seller/domains/{domain}", tag = "onboarding", params(("domain" = String, Path)),
    responses(
        (status = 204),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "The platform address cannot be removed", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
pub async fn remove(owner: Owner, State(state): State<AppState>, AppPath(domain): AppPath<String>) -> ApiResult<StatusCode> {
    let domain = domain_param(&domain)?;
    match state.store.remove_domain(owner.0.tenant.id, &domain).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(StoreError::NotFound) => Err(ApiError::NotFound("domain")),
        Err(other) => Err(other.into()),
    }
}
