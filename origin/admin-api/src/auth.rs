//! Staff sign-in: argon2id passwords, a TOTP second factor (RFC 6238) that admins must have,
//! short-lived access tokens (HS256 JWTs signed with `JWT_SECRET_KEY`, the algorithm pinned) and
//! a refresh token in an HttpOnly cookie that rotates on every use and dies at sign-out.
//!
//! Every request's token is checked against its session in `backoffice.staff_sessions`, so a
//! sign-out or a disabled account ends access at once, not when the token expires; the role is
//! read from the account, never trusted from the token.

use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use uuid::Uuid;
use zelly_edge::admin::{StaffMember, StaffRole, StaffSignIn, StaffToken, TotpCode, TotpEnrollment};
use zelly_service::{ApiError, AppJson};
use zelly_store::{NewAudit, StaffAccount};

/// How long an access token works.
pub const ACCESS_TTL_SECS: u64 = 5 * 60;
/// How long a session lives without a refresh.
pub const SESSION_IDLE_MS: i64 = 8 * 60 * 60 * 1000;
/// The refresh cookie: `__Host-` keeps it to this origin, over HTTPS (localhost counts).
pub const REFRESH_COOKIE: &str = "__Host-zelly_staff";
/// The shortest `JWT_SECRET_KEY` accepted: HS256 wants at least 256 bits.
pub const MIN_SECRET_BYTES: usize = 32;
const ISSUER: &str = "zelly-admin-api";
const AUDIENCE: &str = "zelly-admin";
/// The name authenticator apps show.
pub const TOTP_ISSUER: &str = "Zelly Admin";

/// The signing key, which only ever signs and checks HS256.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(..)")
    }
}

impl JwtKeys {
    /// Keys from `JWT_SECRET_KEY`; a short secret is refused.
    pub fn new(secret: &str) -> Result<Self, String> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!("JWT_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes (a random 256-bit secret)"));
        }
        let encoding = EncodingKey::from_secret(secret.as_bytes()).map_err(|e| format!("JWT_SECRET_KEY: {e}"))?;
        let decoding = DecodingKey::from_secret(secret.as_bytes()).map_err(|e| format!("JWT_SECRET_KEY: {e}"))?;
        Ok(Self { encoding, decoding })
    }
}

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The staff member.
    pub sub: Uuid,
    /// Their session: revoked at sign-out.
    pub sid: Uuid,
    /// Whether the second factor was checked for this session.
    pub mfa: bool,
    /// Issued at (s).
    pub iat: u64,
    /// Expires (s).
    pub exp: u64,
    /// `zelly-admin-api`.
    pub iss: String,
    /// `zelly-admin`.
    pub aud: String,
}

/// Signs an access token for a session.
pub fn issue(keys: &JwtKeys, staff: Uuid, session: Uuid, mfa: bool, now_secs: u64) -> Result<String, ApiError> {
    let claims = Claims {
        sub: staff,
        sid: session,
        mfa,
        iat: now_secs,
        exp: now_secs + ACCESS_TTL_SECS,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
    };
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys.encoding)
        .map_err(|e| internal(format!("signing a staff token: {e}")))
}

/// Checks a token: HS256 only (`none` and every other algorithm are refused), this issuer and
/// audience, not expired (no leeway).
pub fn verify(keys: &JwtKeys, token: &str) -> Result<Claims, ApiError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.algorithms = vec![Algorithm::HS256];
    validation.leeway = 0;
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    jsonwebtoken::decode::<Claims>(token, &keys.decoding, &validation)
        .map(|data| data.claims)
        .map_err(|_| ApiError::Unauthorized("sign in again: the staff token is missing, expired or not valid"))
}

fn now_secs() -> u64 {
    u64::try_from(zelly_service::now_ms() / 1000).unwrap_or(0)
}

/// A signed-in staff member whose session is live, whatever their second factor: what the
/// enrolment and sign-out routes accept.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// Their account as it is now.
    pub account: StaffAccount,
    /// Their session.
    pub session: Uuid,
    /// Whether the second factor was checked.
    pub mfa: bool,
}

impl SignedIn {
    /// The audit row of an action by this staff member.
    pub fn audit(&self, action: &str, tenant: Option<Uuid>, target: impl Into<String>, before: serde_json::Value, after: serde_json::Value) -> NewAudit {
        NewAudit {
            staff_id: Some(self.account.id),
            staff_email: self.account.email.clone(),
            action: action.into(),
            tenant_id: tenant,
            target: target.into(),
            before,
            after,
            at_ms: zelly_service::now_ms(),
        }
    }

    /// Whether the account still has to set up the second factor its role needs.
    pub fn must_enroll(&self) -> bool {
        self.account.role == StaffRole::Admin && !self.mfa
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = zelly_service::bearer_token(&parts.headers).ok_or(ApiError::Unauthorized("sign in: this needs a staff token"))?;
        let claims = verify(&state.keys, token)?;
        let now = zelly_service::now_ms();
        if !state.store.staff_session_live(claims.sid, now).await? {
            return Err(ApiError::Unauthorized("sign in again: this session has ended"));
        }
        let account = state.store.staff_by_id(claims.sub).await?.ok_or(ApiError::Unauthorized("sign in again: this account is gone"))?;
        Ok(SignedIn { account, session: claims.sid, mfa: claims.mfa })
    }
}

/// A staff member allowed at least `role` on a route, second factor done where it is required.
fn allowed(signed_in: SignedIn, role: StaffRole) -> Result<SignedIn, ApiError> {
    if signed_in.must_enroll() {
        return Err(ApiError::Forbidden("set up your authenticator app first: admins need a second factor"));
    }
    if !signed_in.account.role.allows(role) {
        return Err(ApiError::Forbidden("your staff role does not allow this"));
    }
    Ok(signed_in)
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub SignedIn);

        impl FromRequestParts<AppState> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
                Ok($name(allowed(SignedIn::from_request_parts(parts, state).await?, $role)?))
            }
        }
    };
}

role_extractor!(
    /// Any staff member: read-only and up.
    ReadOnly,
    StaffRole::ReadOnly
);
role_extractor!(
    /// Support and admins.
    Support,
    StaffRole::Support
);
role_extractor!(
    /// Admins only.
    Admin,
    StaffRole::Admin
);

fn member(account: &StaffAccount) -> StaffMember {
    StaffMember {
        id: account.id,
        email: account.email.clone(),
        name: account.name.clone(),
        role: account.role,
        totp_enabled: account.totp_secret.is_some(),
    }
}

/// A fresh refresh token and its hash.
fn new_refresh_token() -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| internal(format!("no randomness: {e}")))?;
    let token = hex::encode(bytes);
    let hash = zelly_edge::signature::sha256_hex(token.as_bytes());
    Ok((token, hash))
}

fn refresh_cookie(token: &str) -> HeaderValue {
    let max_age = SESSION_IDLE_MS / 1000;
    HeaderValue::from_str(&format!("{REFRESH_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"))
        .unwrap_or_else(|_| clear_cookie())
}

fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("__Host-zelly_staff=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict")
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == REFRESH_COOKIE && !value.is_empty()).then(|| value.to_owned())
    })
}

fn token_answer(state: &AppState, account: &StaffAccount, session: Uuid, mfa: bool, refresh: &str) -> Result<Response, ApiError> {
    let access_token = issue(&state.keys, account.id, session, mfa, now_secs())?;
    let must_enroll_totp = account.role == StaffRole::Admin && !mfa;
    let body = StaffToken { access_token, expires_in: ACCESS_TTL_SECS, staff: member(account), must_enroll_totp };
    let mut response = Json(body).into_response();
    response.headers_mut().insert(SET_COOKIE, refresh_cookie(refresh));
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A TOTP for the secret (base32), for this account.
fn totp(secret: &str, email: &str) -> Result<totp_rs::Totp, ApiError> {
    let bytes = totp_rs::Secret::try_from_base32(secret).map_err(|_| internal("a stored TOTP secret is not base32"))?;
    totp_rs::Builder::new()
        .with_secret(bytes)
        .with_account_name(email)
        .with_issuer(Some(TOTP_ISSUER))
        .build()
        .map_err(|e| internal(format!("TOTP: {e}")))
}

/// A stored TOTP secret in clear. One that does not open was sealed under another
/// `STAFF_TOTP_KEY`: the key was changed without re-sealing, which staff cannot fix by retrying.
fn open_secret(state: &AppState, sealed: &str) -> Result<String, ApiError> {
    state.totp_key.open(sealed).ok_or_else(|| internal("a staff TOTP secret does not open under STAFF_TOTP_KEY (was the key changed?)"))
}

/// The time step a code matches (this step or one either side), if any.
pub fn code_step(secret: &str, email: &str, code: &str, now_secs: u64) -> Result<Option<i64>, ApiError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    Ok(totp(secret, email)?.check(&code, now_secs).and_then(|step| i64::try_from(step).ok()))
}

fn client(parts_headers: &HeaderMap, extensions: &axum::http::Extensions, state: &AppState) -> Option<IpAddr> {
    zelly_service::client_address(parts_headers, extensions, state.trust_forwarded_for)
}

const WRONG: &str = "the email, password or authenticator code is not right";

/// Signs a staff member in: email and password, and the authenticator code once one is set up.
#[utoipa::path(post, path = "/api/admin/auth/sign-in", tag = "auth", request_body = StaffSignIn,
    responses(
        (status = 200, description = "Signed in; the refresh token is in an HttpOnly cookie", body = StaffToken),
        (status = 401, description = "Wrong email, password or code", body = zelly_edge::ApiErrorBody),
        (status = 429, description = "Too many wrong tries", body = zelly_edge::ApiErrorBody),
    ),
    security(()))]
pub async fn sign_in(State(state): State<AppState>, request: axum::extract::Request) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let address = client(&parts.headers, &parts.extensions, &state);
    let AppJson(input): AppJson<StaffSignIn> = AppJson::from_request(axum::extract::Request::from_parts(parts, body), &state).await?;
    let email = input.email.trim().to_lowercase();
    let now = zelly_service::now_ms();
    if state.throttle.refused(&email, address, now) {
        return Err(ApiError::TooManyRequests { retry_after_secs: 15 * 60 });
    }
    let account = state.store.staff_by_email(&email).await?;
    let phc = match &account {
        Some(account) => account.password_hash.clone(),
        None => zelly_service::password::decoy().await.map_err(|e| internal(e.to_string()))?,
    };
    let password_ok = zelly_service::password::verify(&input.password, &phc).await.map_err(|e| internal(e.to_string()))?;
    let Some(account) = account.filter(|a| password_ok && !a.disabled) else {
        state.throttle.failed(email, address, now);
        return Err(ApiError::Unauthorized(WRONG));
    };
    let mfa = match &account.totp_secret {
        None => false,
        Some(sealed) => {
            let secret = open_secret(&state, sealed)?;
            let step = match input.code.as_deref() {
                Some(code) => code_step(&secret, &account.email, code, now_secs())?,
                None => None,
            };
            let Some(step) = step else {
                state.throttle.failed(email, address, now);
                return Err(ApiError::Unauthorized(WRONG));
            };
            if !state.store.use_totp_step(account.id, step).await? {
                state.throttle.failed(email, address, now);
                return Err(ApiError::Unauthorized("this authenticator code was used already; wait for the next one"));
            }
            true
        }
    };
    state.throttle.cleared(&email);
    let session = Uuid::new_v4();
    let (refresh, hash) = new_refresh_token()?;
    state.store.start_staff_session(session, account.id, &hash, now, now + SESSION_IDLE_MS).await?;
    let signed_in = SignedIn { account: account.clone(), session, mfa };
    state.store.record_audit(&signed_in.audit("staff.sign_in", None, account.email.clone(), serde_json::Value::Null, serde_json::json!({"mfa": mfa}))).await?;
    token_answer(&state, &account, session, mfa, &refresh)
}

use axum::extract::FromRequest;

/// A new access token for the refresh cookie, which is rotated (the old one stops working).
#[utoipa::path(post, path = "/api/admin/auth/refresh", tag = "auth",
    responses((status = 200, body = StaffToken), (status = 401, body = zelly_edge::ApiErrorBody)),
    security(()))]
pub async fn refresh(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let old = cookie_token(&headers).ok_or(ApiError::Unauthorized("sign in: there is no staff session"))?;
    let now = zelly_service::now_ms();
    let (token, hash) = new_refresh_token()?;
    let old_hash = zelly_edge::signature::sha256_hex(old.as_bytes());
    let Some((session, staff)) = state.store.refresh_staff_session(&old_hash, &hash, now, now + SESSION_IDLE_MS).await? else {
        let mut response = ApiError::Unauthorized("sign in again: this session has ended").into_response();
        response.headers_mut().insert(SET_COOKIE, clear_cookie());
        return Ok(response);
    };
    let account = state.store.staff_by_id(staff).await?.ok_or(ApiError::Unauthorized("sign in again: this account is gone"))?;
    // A refresh keeps what the sign-in proved: the second factor, when the account has one.
    let mfa = account.totp_secret.is_some();
    token_answer(&state, &account, session, mfa, &token)
}

/// Ends the session: its refresh token and access tokens stop working.
#[utoipa::path(post, path = "/api/admin/auth/sign-out", tag = "auth",
    responses((status = 204), (status = 401, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn sign_out(staff: SignedIn, State(state): State<AppState>) -> Result<Response, ApiError> {
    state.store.revoke_staff_session(staff.session, zelly_service::now_ms()).await?;
    state.store.record_audit(&staff.audit("staff.sign_out", None, staff.account.email.clone(), serde_json::Value::Null, serde_json::Value::Null)).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(SET_COOKIE, clear_cookie());
    Ok(response)
}

/// The signed-in staff member.
#[utoipa::path(get, path = "/api/admin/me", tag = "auth",
    responses((status = 200, body = StaffMember), (status = 401, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn me(staff: SignedIn) -> Json<StaffMember> {
    Json(member(&staff.account))
}

/// Starts setting up the authenticator app: a new secret, kept until a code confirms it.
#[utoipa::path(post, path = "/api/admin/auth/totp/enroll", tag = "auth",
    responses((status = 200, body = TotpEnrollment), (status = 401, body = zelly_edge::ApiErrorBody), (status = 409, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn enroll_totp(staff: SignedIn, State(state): State<AppState>) -> Result<Json<TotpEnrollment>, ApiError> {
    if staff.account.totp_secret.is_some() {
        return Err(ApiError::Refused("an authenticator app is already set up for this account".into()));
    }
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| internal(format!("no randomness: {e}")))?;
    let secret = totp_rs::Secret::from(bytes.to_vec()).to_base32();
    let sealed = state.totp_key.seal(&secret).map_err(internal)?;
    state.store.set_totp_pending(staff.account.id, &sealed).await?;
    let otpauth_uri = totp(&secret, &staff.account.email)?.to_url().map_err(|e| internal(format!("TOTP: {e}")))?;
    Ok(Json(TotpEnrollment { secret, otpauth_uri }))
}

/// Confirms the authenticator app with its first code; the answer is a token with the second
/// factor done.
#[utoipa::path(post, path = "/api/admin/auth/totp/confirm", tag = "auth", request_body = TotpCode,
    responses((status = 200, body = StaffToken), (status = 401, body = zelly_edge::ApiErrorBody), (status = 422, body = zelly_edge::ApiErrorBody)),
    security(("staff" = [])))]
pub async fn confirm_totp(staff: SignedIn, State(state): State<AppState>, AppJson(input): AppJson<TotpCode>) -> Result<Response, ApiError> {
    let pending = staff.account.totp_pending.clone().ok_or_else(|| ApiError::Refused("start setting up the authenticator app first".into()))?;
    let step = code_step(&open_secret(&state, &pending)?, &staff.account.email, &input.code, now_secs())?
        .ok_or_else(|| ApiError::Unprocessable("code: that is not the code the app shows now".into()))?;
    if !state.store.confirm_totp(staff.account.id, &pending, step).await? {
        return Err(ApiError::Refused("the setup changed meanwhile; start again".into()));
    }
    state.store.record_audit(&staff.audit("staff.totp_enrolled", None, staff.account.email.clone(), serde_json::Value::Null, serde_json::Value::Null)).await?;
    // The session goes on with the second factor done; its refresh cookie stays as it is.
    let account = state.store.staff_by_id(staff.account.id).await?.ok_or(ApiError::Unauthorized("sign in again: this account is gone"))?;
    let access_token = issue(&state.keys, account.id, staff.session, true, now_secs())?;
    Ok(Json(StaffToken { access_token, expires_in: ACCESS_TTL_SECS, staff: member(&account), must_enroll_totp: false }).into_response())
}

/// A 500 with its cause logged.
pub fn internal(message: impl Into<String>) -> ApiError {
    ApiError::Internal(message.into().into())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn tokens_verify_only_with_the_key_and_before_they_expire() {
        let keys = JwtKeys::new(&"k".repeat(32)).unwrap();
        let other = JwtKeys::new(&"o".repeat(32)).unwrap();
        let (staff, session) = (Uuid::new_v4(), Uuid::new_v4());
        let token = issue(&keys, staff, session, true, now_secs()).unwrap();
        let claims = verify(&keys, &token).unwrap();
        assert_eq!((claims.sub, claims.sid, claims.mfa), (staff, session, true));
        assert!(verify(&other, &token).is_err(), "another key");
        let old = issue(&keys, staff, session, true, now_secs() - ACCESS_TTL_SECS - 1).unwrap();
        assert!(verify(&keys, &old).is_err(), "expired");
        assert!(JwtKeys::new("short").is_err());
    }

    #[test]
    fn codes_match_rfc_6238s_sha1_vectors() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890", 8 digits there; the
        // last six of those digits are the 6-digit code.
        let secret = totp_rs::Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(code_step(&secret, "a@b.c", "287082", 59).unwrap(), Some(1));
        assert_eq!(code_step(&secret, "a@b.c", "081804", 1_111_111_109).unwrap(), Some(37_037_036));
        assert_eq!(code_step(&secret, "a@b.c", "000000", 59).unwrap(), None);
        assert_eq!(code_step(&secret, "a@b.c", "28708", 59).unwrap(), None, "five digits");
        assert_eq!(code_step(&secret, "a@b.c", "287 082", 59).unwrap(), Some(1), "spaces are fine");
    }
}
