//! Onboarding: a signed-in account opens stores and switches between them; an owner invites,
//! re-roles and removes the team.
//!
//! Who may do what is in the README's role table: reading is open to every member, changing the
//! team only to owners ([`Owner`]), which `tests/roles.rs` checks route by route.

use super::seller::{Merchant, Owner, SignedIn};
use crate::{ApiResult, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use uuid::Uuid;
use zelly_edge::catalog::FieldErrors;
use zelly_edge::team::{
    AcceptInviteInput, INVITE_LIFETIME_MS, InviteInput, MAX_STORES_PER_ACCOUNT, MemberRoleInput, NewInvite, NewStoreInput,
    StoreChoice, Team,
};
use zelly_edge::catalog::Role;
use zelly_service::{ApiError, AppJson, AppPath, now_ms};
use zelly_store::{InviteRefusal, OpenStore, StoreError};

/// Store and team routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/seller/stores", get(list_stores).post(open_store))
        .route("/api/seller/team", get(team))
        .route("/api/seller/team/invites", post(invite))
        .route("/api/seller/team/invites/{id}", delete(revoke_invite))
        .route("/api/seller/team/members/{uid}", put(set_role).delete(remove_member))
        .route("/api/seller/invites/accept", post(accept_invite))
}

/// The stores this account belongs to, with its role in each and where shoppers find them.
#[utoipa::path(get, path = "/api/seller/stores", tag = "onboarding",
    responses((status = 200, body = Vec<StoreChoice>), (status = 401, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn list_stores(user: SignedIn, State(state): State<AppState>) -> ApiResult<Json<Vec<StoreChoice>>> {
    let memberships = state.store.memberships_of(&user.uid).await?;
    Ok(Json(
        memberships
            .into_iter()
            .map(|(tenant, role)| StoreChoice { domain: tenant.primary_domain.clone(), tenant, role })
            .collect(),
    ))
}

/// Opens a store: the signed-in account becomes its owner, and it answers at once on
/// `{slug}.{PLATFORM_DOMAIN}`.
#[utoipa::path(post, path = "/api/seller/stores", tag = "onboarding", request_body = NewStoreInput,
    responses(
        (status = 201, body = StoreChoice),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "The account already owns as many stores as it may", body = zelly_edge::ApiErrorBody),
        (status = 422, description = "Each bad field named; a taken slug too", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(uid = %user.uid))]
pub async fn open_store(
    user: SignedIn,
    State(state): State<AppState>,
    AppJson(input): AppJson<NewStoreInput>,
) -> ApiResult<(StatusCode, Json<StoreChoice>)> {
    let (slug, currency) = input.validate().map_err(ApiError::InvalidFields)?;
    let owned = state.store.memberships_of(&user.uid).await?.into_iter().filter(|(_, role)| *role == Role::Owner).count();
    if owned >= MAX_STORES_PER_ACCOUNT {
        return Err(ApiError::Refused(format!("an account may own at most {MAX_STORES_PER_ACCOUNT} stores")));
    }
    let domain = state.onboarding.store_domain(slug.as_str()).map_err(|_| taken_slug())?;
    let new = OpenStore {
        slug,
        name: input.name.trim().to_owned(),
        currency,
        domain: domain.clone(),
        owner_uid: Some(user.uid),
        owner_email: user.email,
    };
    let tenant = state.store.open_store(&new).await.map_err(|err| match err {
        StoreError::Conflict(_) => taken_slug(),
        other => other.into(),
    })?;
    tracing::info!(tenant = %tenant.slug, %domain, "store opened");
    Ok((StatusCode::CREATED, Json(StoreChoice { tenant, role: Role::Owner, domain: Some(domain) })))
}

fn taken_slug() -> ApiError {
    ApiError::InvalidFields(FieldErrors::from([("slug".to_owned(), "is taken; choose another".to_owned())]))
}

/// The store's members and open invites.
#[utoipa::path(get, path = "/api/seller/team", tag = "onboarding",
    responses((status = 200, body = Team), (status = 401, body = zelly_edge::ApiErrorBody), (status = 403, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn team(merchant: Merchant, State(state): State<AppState>) -> ApiResult<Json<Team>> {
    Ok(Json(state.store.team(merchant.tenant.id, now_ms()).await?))
}

/// Invites a colleague (owners only): the link is emailed to them, and the answer carries it too,
/// once, for the owner to pass on another way. It works a single time, for seven days, for an
/// account signed in with that email.
#[utoipa::path(post, path = "/api/seller/team/invites", tag = "onboarding", request_body = InviteInput,
    responses(
        (status = 201, body = NewInvite),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, description = "Only owners manage the team", body = zelly_edge::ApiErrorBody),
        (status = 409, description = "The team is full", body = zelly_edge::ApiErrorBody),
        (status = 422, body = zelly_edge::ApiErrorBody),
        (status = 503, description = "The email could not be queued; no invite was created", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(tenant = %owner.0.tenant.slug))]
pub async fn invite(
    owner: Owner,
    State(state): State<AppState>,
    AppJson(input): AppJson<InviteInput>,
) -> ApiResult<(StatusCode, Json<NewInvite>)> {
    let email = input.validate().map_err(ApiError::InvalidFields)?;
    let Owner(merchant) = owner;
    // 244 random bits (two v4 UUIDs); only their SHA-256 is stored.
    let secret = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let now = now_ms();
    let invite = state
        .store
        .create_invite(
            merchant.tenant.id,
            &zelly_store::team::NewInvite {
                email,
                role: input.role,
                token_hash: zelly_edge::signature::sha256_hex(secret.as_bytes()),
                invited_by: merchant.actor(),
                created_at_ms: now,
                expires_at_ms: now + INVITE_LIFETIME_MS,
            },
        )
        .await?;
    let link = format!("{}/#/invite/{secret}", state.onboarding.seller_ui_url);
    let email = zelly_mail::Invitation {
        to: &invite.email,
        from_email: merchant.email.as_deref().filter(|e| !e.is_empty()),
        store: &merchant.tenant.name,
        role: invite.role,
        link: &link,
        expires_at_ms: invite.expires_at_ms,
    }
    .email();
    // An invite exists only with its email on the way: if the queue cannot take it, the invite
    // is withdrawn and the owner asked to try again.
    if let Err(err) = zelly_mail::enqueue(&state.queues, "invite", format!("invite-{}", invite.id), &email).await {
        tracing::error!(%err, "the invite email could not be queued; withdrawing the invite");
        state.store.revoke_invite(merchant.tenant.id, invite.id, now_ms()).await?;
        return Err(ApiError::Unavailable("the invite could not be sent just now; nothing was created, please try again"));
    }
    Ok((StatusCode::CREATED, Json(NewInvite { invite, link })))
}

/// Revokes an open invite (owners only): its link stops working.
#[utoipa::path(delete, path = "/api/seller/team/invites/{id}", tag = "onboarding", params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = zelly_edge::ApiErrorBody), (status = 404, body = zelly_edge::ApiErrorBody)),
    security(("firebase" = [])))]
pub async fn revoke_invite(owner: Owner, State(state): State<AppState>, AppPath(id): AppPath<String>) -> ApiResult<StatusCode> {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::NotFound("invite"))?;
    match state.store.revoke_invite(owner.0.tenant.id, id, now_ms()).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(StoreError::NotFound) => Err(ApiError::NotFound("invite")),
        Err(other) => Err(other.into()),
    }
}

/// Changes a member's role (owners only). The last owner cannot step down.
#[utoipa::path(put, path = "/api/seller/team/members/{uid}", tag = "onboarding", params(("uid" = String, Path)),
    request_body = MemberRoleInput,
    responses(
        (status = 200, body = Team),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "It would leave the store without an owner", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
pub async fn set_role(
    owner: Owner,
    State(state): State<AppState>,
    AppPath(uid): AppPath<String>,
    AppJson(input): AppJson<MemberRoleInput>,
) -> ApiResult<Json<Team>> {
    let tenant = owner.0.tenant.id;
    member_change(state.store.set_member_role(tenant, &uid, input.role).await)?;
    Ok(Json(state.store.team(tenant, now_ms()).await?))
}

/// Removes a member (owners only, themselves included unless they are the last owner). They lose
/// access on their next request.
#[utoipa::path(delete, path = "/api/seller/team/members/{uid}", tag = "onboarding", params(("uid" = String, Path)),
    responses(
        (status = 204),
        (status = 403, body = zelly_edge::ApiErrorBody),
        (status = 404, body = zelly_edge::ApiErrorBody),
        (status = 409, description = "It would leave the store without an owner", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
pub async fn remove_member(owner: Owner, State(state): State<AppState>, AppPath(uid): AppPath<String>) -> ApiResult<StatusCode> {
    member_change(state.store.remove_member(owner.0.tenant.id, &uid).await)?;
    Ok(StatusCode::NO_CONTENT)
}

fn member_change(result: Result<(), StoreError>) -> ApiResult<()> {
    match result {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound) => Err(ApiError::NotFound("member")),
        Err(other) => Err(other.into()),
    }
}

/// Accepts an invite with the secret from its link: the signed-in account (whose email must be
/// the invited one) joins the store.
#[utoipa::path(post, path = "/api/seller/invites/accept", tag = "onboarding", request_body = AcceptInviteInput,
    responses(
        (status = 200, body = StoreChoice),
        (status = 401, body = zelly_edge::ApiErrorBody),
        (status = 403, description = "The invite is for another email", body = zelly_edge::ApiErrorBody),
        (status = 404, description = "No such invite", body = zelly_edge::ApiErrorBody),
        (status = 410, description = "Used, revoked or expired", body = zelly_edge::ApiErrorBody),
    ),
    security(("firebase" = [])))]
#[tracing::instrument(skip_all, fields(uid = %user.uid))]
pub async fn accept_invite(
    user: SignedIn,
    State(state): State<AppState>,
    AppJson(input): AppJson<AcceptInviteInput>,
) -> ApiResult<Json<StoreChoice>> {
    let token = input.token.trim();
    if token.is_empty() || token.len() > 128 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::NotFound("invite"));
    }
    let email = user.email.as_deref().unwrap_or_default();
    let hash = zelly_edge::signature::sha256_hex(token.as_bytes());
    let (tenant, role) = state.store.accept_invite(&hash, &user.uid, email, now_ms()).await.map_err(|refusal| match refusal {
        InviteRefusal::Unknown => ApiError::NotFound("invite"),
        InviteRefusal::Spent => ApiError::Gone("this invite link has been used, revoked or has expired; ask for a new one"),
        InviteRefusal::OtherEmail(_) => ApiError::Forbidden("this invite is for another email; sign in with the invited email to accept it"),
        InviteRefusal::Store(err) => err.into(),
    })?;
    let domain = state.store.primary_domain(tenant.id).await?;
    tracing::info!(tenant = %tenant.slug, role = role.as_str(), "invite accepted");
    Ok(Json(StoreChoice { tenant, role, domain }))
}
