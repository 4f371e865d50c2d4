//! Stores across the platform: the list with their figures, one store in full, and suspending or
//! reopening it (support and admins), each change written to the audit log with the status
//! change itself.

use crate::auth::{Admin, ReadOnly, Support};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use uuid::Uuid;
use zelly_edge::admin::{DomainRecheck, NewStoreForMerchant, StatusChange, TeamMemberView, TenantDetail, TenantPage};
use zelly_edge::catalog::{FieldErrors, Role};
use zelly_edge::dto::TenantStatus;
use zelly_edge::team::{INVITE_LIFETIME_MS, InviteInput, NewStoreInput};
use zelly_edge::DomainName;
use zelly_service::{ApiError, AppJson, AppPath, AppQuery};
use zelly_store::{OpenStore, OrderSearch, TenantSearch};

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
    let offset = params.offset.unwrap_or(0);
    if offset > 1_000_000 {
        return Err(ApiError::Unprocessable("offset: must be at most 1000000".into()));
    }
    let search = TenantSearch { id: None, text: params.q, status: params.status, limit, offset };
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

/// Opens a store for a merchant (admins only): the store and its platform domain, and an owner
/// invite emailed to the merchant, who becomes its owner on accepting it in seller-ui.
#[utoipa::path(post, path = "/api/admin/tenants", tag = "tenants", request_body = NewStoreForMerchant,
    responses(
        (status = 201, body = TenantDetail),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 422, description = "Each bad field named; a taken slug too", body = zelly_edge::ApiErrorBody),
        (status = 503, description = "The invite email could not be queued; nothing was created", body = zelly_edge::ApiErrorBody),
    ),
    security(("staff" = [])))]
pub async fn create(
    Admin(staff): Admin,
    State(state): State<AppState>,
    AppJson(input): AppJson<NewStoreForMerchant>,
) -> Result<(StatusCode, Json<TenantDetail>), ApiError> {
    let store_input = NewStoreInput {
        name: input.name.clone(),
        slug: input.slug.clone(),
        currency: input.currency.clone().unwrap_or_else(|| "INR".into()),
    };
    let invite_input = InviteInput { email: input.owner_email.clone(), role: Role::Owner };
    let (parsed, mut errors) = match store_input.validate() {
        Ok(parsed) => (Some(parsed), FieldErrors::new()),
        Err(errors) => (None, errors),
    };
    let owner_email = match invite_input.validate() {
        Ok(email) => Some(email),
        Err(e) => {
            errors.extend(e.into_values().map(|message| ("owner_email".to_owned(), message)));
            None
        }
    };
    let (Some((slug, currency)), Some(owner_email)) = (parsed, owner_email) else {
        return Err(ApiError::InvalidFields(errors));
    };
    let taken = || ApiError::InvalidFields(FieldErrors::from([("slug".to_owned(), "is taken; choose another".to_owned())]));
    let domain = DomainName::parse(&format!("{}.{}", slug.as_str(), state.onboarding.platform_domain)).map_err(|_| taken())?;
    let open = OpenStore { slug, name: input.name.trim().to_owned(), currency, domain, owner_uid: None, owner_email: None };
    let tenant = state.store.open_store(&open).await.map_err(|err| match err {
        zelly_store::StoreError::Conflict(_) => taken(),
        other => other.into(),
    })?;
    // 244 random bits; only their SHA-256 is stored.
    let secret = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let now = zelly_service::now_ms();
    let invite = state
        .store
        .create_invite(
            tenant.id,
            &zelly_store::team::NewInvite {
                email: owner_email,
                role: Role::Owner,
                token_hash: zelly_edge::signature::sha256_hex(secret.as_bytes()),
                invited_by: format!("Zelly staff ({})", staff.account.email),
                created_at_ms: now,
                expires_at_ms: now + INVITE_LIFETIME_MS,
            },
        )
        .await?;
    let link = format!("{}/#/invite/{secret}", state.onboarding.seller_ui_url);
    let email = zelly_mail::Invitation {
        to: &invite.email,
        from_email: None,
        store: &tenant.name,
        role: Role::Owner,
        link: &link,
        expires_at_ms: invite.expires_at_ms,
    }
    .email();
    if let Err(err) = zelly_mail::enqueue(&state.queues, "invite", format!("invite-{}", invite.id), &email).await {
        // Without its invite the store would have no way in; it stays (its slug is taken) but
        // the invite is withdrawn and staff are told to try again.
        tracing::error!(%err, "the owner invite could not be queued");
        state.store.revoke_invite(tenant.id, invite.id, zelly_service::now_ms()).await?;
        return Err(ApiError::Unavailable("the store was opened but its owner's invite could not be sent; open it and invite them again"));
    }
    let audit = staff.audit(
        "tenant.create",
        Some(tenant.id),
        tenant.slug.as_str(),
        serde_json::Value::Null,
        serde_json::json!({ "name": tenant.name, "owner_email": invite.email, "currency": tenant.currency.as_str() }),
    );
    state.store.record_audit(&audit).await?;
    Ok((StatusCode::CREATED, Json(tenant_detail(&state, tenant.id).await?)))
}

/// Asks for one of the store's custom domains to be checked again now (support and admins):
/// core-api's re-check loop looks within a minute, serving a proven domain and flagging one whose
/// record is gone.
#[utoipa::path(post, path = "/api/admin/tenants/{id}/domains/{domain}/recheck", tag = "tenants",
    params(("id" = Uuid, Path), ("domain" = String, Path)),
    responses(
        (status = 202, body = DomainRecheck),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 404, description = "No served or flagged custom domain of that name", body = zelly_edge::ApiErrorBody),
    ),
    security(("staff" = [])))]
pub async fn recheck_domain(
    Support(staff): Support,
    State(state): State<AppState>,
    AppPath((id, domain)): AppPath<(String, String)>,
) -> Result<(StatusCode, Json<DomainRecheck>), ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound("store"))?;
    let domain = DomainName::parse(&domain).map_err(|_| ApiError::NotFound("domain"))?;
    if !state.store.request_domain_check(id, &domain).await? {
        return Err(ApiError::NotFound("domain"));
    }
    let audit = staff.audit("domain.recheck", Some(id), domain.as_str(), serde_json::Value::Null, serde_json::json!({"requested": true}));
    state.store.record_audit(&audit).await?;
    let message = "A check of its DNS records was requested; the result shows here within a minute.".to_owned();
    Ok((StatusCode::ACCEPTED, Json(DomainRecheck { domain: domain.as_str().to_owned(), message })))
}
