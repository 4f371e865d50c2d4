//! Signing in on a store's own domains.
//!
//! A storefront host sends the shopper to `/stores/{domain}/sign-in` with the exact URL to come
//! back to (`redirect_uri`, on one of the store's domains, path `/account/callback`), a PKCE
//! challenge (S256) and its `state`. Here the shopper signs in, or is recognised by this service's
//! own session cookie and not asked again; the browser then goes back with a code that works
//! once, for a minute, for that store, that URL and the holder of the PKCE verifier. The host's
//! server exchanges it (`POST /api/stores/{domain}/codes`) for a session of its own, which joins
//! the sign-in's family: signing out anywhere ends it everywhere.

use crate::routes::{ApiResult, Shop};
use crate::session::{hashed, new_secret};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use zelly_edge::customers::{Customer, SESSION_IDLE_MS, SESSION_LIFETIME_MS};
use zelly_edge::{ApiErrorBody, DomainName};
use zelly_service::{AppJson, now_ms};
use zelly_store::customers::{NewCode, NewSession};

/// How long a sign-in code works.
pub const CODE_LIFETIME_MS: i64 = 60_000;
/// The only path a store domain may be sent back to.
pub const CALLBACK_PATH: &str = "/account/callback";

/// The exchange route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/stores/{domain}/codes", post(exchange))
}

/// What a storefront host sends the shopper here with.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FlowParams {
    /// Where to go back to.
    #[serde(default)]
    pub redirect_uri: String,
    /// base64url(SHA-256(verifier)), 43 characters.
    #[serde(default)]
    pub code_challenge: String,
    /// Must be `S256` (the default).
    #[serde(default)]
    pub code_challenge_method: Option<String>,
    /// The host's own value, handed back untouched (at most 512 characters).
    #[serde(default)]
    pub state: String,
}

/// Checks the parameters: the return URL must be the callback on one of this store's domains
/// (https, or http on `localhost` names for development), the challenge an S256 one.
pub async fn check(state: &AppState, shop: &Shop, params: &FlowParams) -> Result<url::Url, &'static str> {
    if params.code_challenge_method.as_deref().is_some_and(|m| m != "S256") {
        return Err("only the S256 code challenge method is supported");
    }
    if !is_challenge(&params.code_challenge) {
        return Err("the code challenge must be 43 base64url characters");
    }
    if params.state.len() > 512 || params.state.chars().any(char::is_control) {
        return Err("the state must be at most 512 characters");
    }
    let url = url::Url::parse(&params.redirect_uri).map_err(|_| "the return address is not a URL")?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let local = host == "localhost" || host.ends_with(".localhost");
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && local);
    if !scheme_ok || !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
        return Err("the return address must be a plain https address");
    }
    if url.path() != CALLBACK_PATH {
        return Err("the return address must be the store's /account/callback");
    }
    let domain = DomainName::parse(&host).map_err(|_| "the return address is not on one of this store's domains")?;
    let owner = state.store.tenant_by_domain(&domain).await.map_err(|_| "the store could not be checked just now")?;
    if owner.is_none_or(|t| t.id != shop.tenant.id) {
        return Err("the return address is not on one of this store's domains");
    }
    Ok(url)
}

fn is_challenge(value: &str) -> bool {
    value.len() == 43 && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn is_verifier(value: &str) -> bool {
    (43..=128).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// The S256 challenge of a verifier.
pub fn challenge_of(verifier: &str) -> String {
    zelly_edge::signature::pkce_s256(verifier)
}

/// Issues a code for `customer`'s sign-in `family_hash` and answers the way back: `redirect`
/// with `code` and `state`.
pub async fn issue(state: &AppState, shop: &Shop, customer: uuid::Uuid, family_hash: &str, redirect: &url::Url, params: &FlowParams) -> ApiResult<String> {
    let code = new_secret();
    let now = now_ms();
    let new = NewCode {
        code_hash: hashed(&code),
        customer,
        family_hash: family_hash.to_owned(),
        redirect_uri: redirect.as_str().to_owned(),
        code_challenge: params.code_challenge.clone(),
        now_ms: now,
        expires_at_ms: now + CODE_LIFETIME_MS,
    };
    state.store.create_customer_code(shop.tenant.id, &new).await?;
    let mut back = redirect.clone();
    back.query_pairs_mut().append_pair("code", &code).append_pair("state", &params.state);
    Ok(back.into())
}

/// `POST /api/stores/{domain}/codes`: the code, its verifier and the exact return URL.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeInput {
    /// The code from the return URL.
    pub code: String,
    /// The PKCE verifier whose S256 challenge came with the sign-in.
    pub code_verifier: String,
    /// The return URL the code was issued for, exactly.
    pub redirect_uri: String,
}

/// A store domain's own session.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExchangedSession {
    /// The session id, for the host's own `__Host-` cookie; sent back as `Authorization: Bearer`.
    pub session: String,
    /// When it ends at the latest (ms since the epoch).
    pub expires_at_ms: i64,
    /// Whose.
    pub customer: Customer,
}

/// Exchanges a sign-in code for a session of the store domain's own. A code works once, for a
/// minute, at its store, with its return URL and the verifier of its challenge; anything else,
/// or a sign-in that has ended meanwhile, is the same 400 (and spends the code).
#[utoipa::path(post, path = "/api/stores/{domain}/codes", tag = "sign-in", request_body = ExchangeInput,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses(
        (status = 200, body = ExchangedSession),
        (status = 400, description = "invalid_grant: the code is not valid here", body = ApiErrorBody),
        (status = 404, body = ApiErrorBody),
    ))]
pub async fn exchange(shop: Shop, State(state): State<AppState>, AppJson(input): AppJson<ExchangeInput>) -> ApiResult<Response> {
    let invalid = || (StatusCode::BAD_REQUEST, Json(ApiErrorBody::new("invalid_grant", "this sign-in code is not valid; sign in again"))).into_response();
    let code = input.code.trim();
    if !crate::session::well_formed(code) || !is_verifier(&input.code_verifier) {
        return Ok(invalid());
    }
    let tenant = shop.tenant.id;
    let now = now_ms();
    let Some(grant) = state.store.use_customer_code(tenant, &hashed(code), now).await? else { return Ok(invalid()) };
    if grant.redirect_uri != input.redirect_uri || grant.code_challenge != challenge_of(&input.code_verifier) {
        tracing::warn!("a sign-in code came with the wrong verifier or return address; it is spent");
        return Ok(invalid());
    }
    // The sign-in it came from must still be live (not signed out in the minute since).
    let Some(customer) = state.store.customer_session(tenant, &grant.family_hash, now, SESSION_IDLE_MS).await? else { return Ok(invalid()) };
    if customer.id != grant.customer {
        return Ok(invalid());
    }
    let session = new_secret();
    let new = NewSession {
        id_hash: hashed(&session),
        family_hash: Some(grant.family_hash),
        customer: customer.id,
        now_ms: now,
        expires_at_ms: now + SESSION_LIFETIME_MS,
    };
    state.store.start_customer_session(tenant, &new, None).await?;
    Ok(Json(ExchangedSession { session, expires_at_ms: new.expires_at_ms, customer }).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_s256_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        assert_eq!(challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(is_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert!(!is_verifier("too-short"));
        assert!(is_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"));
        assert!(!is_challenge("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c="));
    }
}
