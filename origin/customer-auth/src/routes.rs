//! The account API, `/api/stores/{domain}/…`: one store's shoppers, named by any of its domains.

use crate::emails::Message;
use crate::session::{self, hashed, new_secret};
use crate::{AppState, password};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zelly_edge::customers::{
    Customer, EmailChangeInput, PasswordChangeInput, ProfileInput, RESET_PASSWORD_LIFETIME_MS, ResetRequestInput, SESSION_IDLE_MS,
    SESSION_LIFETIME_MS, SignInInput, SignUpInput, TokenInput, VERIFY_EMAIL_LIFETIME_MS, check_password, normalize_email,
};
use zelly_edge::dto::{Tenant, TenantStatus};
use zelly_edge::{ApiErrorBody, DomainName};
use zelly_service::{ApiError, AppJson, AppPath, now_ms};
use zelly_store::StoreError;
use zelly_store::customers::{NewCustomer, NewSession, NewToken, TokenPurpose};

pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// The account routes and `/health`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/api/stores/{domain}/accounts", post(sign_up))
        .route("/api/stores/{domain}/email-verifications", post(verify_email))
        .route("/api/stores/{domain}/sessions", post(sign_in))
        .route("/api/stores/{domain}/sessions/current", delete(sign_out))
        .route("/api/stores/{domain}/me", get(me).put(update_me))
        .route("/api/stores/{domain}/me/password", post(change_password))
        .route("/api/stores/{domain}/me/email", post(change_email))
        .route("/api/stores/{domain}/password-resets", post(request_reset))
        .route("/api/stores/{domain}/password-resets/complete", post(complete_reset))
}

/// An answer that says what happens next and nothing about whether the email has an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Notice {
    /// What the shopper should do now.
    pub message: String,
}

fn notice(message: &str) -> (StatusCode, Json<Notice>) {
    (StatusCode::ACCEPTED, Json(Notice { message: message.to_owned() }))
}

/// An error answer with its own code, in the API's error shape.
fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(ApiErrorBody::new(code, message))).into_response()
}

/// What a wrong email and a wrong password both answer.
pub const WRONG: &str = "That email and password do not match an account at this store.";
/// Sign-in refused by the throttle, and how the real owner gets back in.
pub const TOO_MANY: &str = "Too many attempts to sign in to this account. Wait 15 minutes, or reset your password to sign in now.";
/// What opening an account answers, whatever the email.
pub const CHECK_EMAIL: &str = "Check your email: we sent a link to confirm your address.";
/// What asking for a reset answers, whatever the email.
const RESET_SENT: &str = "If an account at this store uses that address, we emailed it a link to choose a new password.";

/// The store a request names by one of its domains; a closed store answers 404 like an unknown one.
#[derive(Debug, Clone)]
pub struct Shop {
    /// The store.
    pub tenant: Tenant,
    /// The domain it was named by (lower case), which its emailed links use.
    pub domain: String,
}

/// Finds the open store that serves `raw`.
pub async fn shop(state: &AppState, raw: &str) -> ApiResult<Shop> {
    let domain = DomainName::parse(&raw.trim().trim_end_matches('.').to_ascii_lowercase()).map_err(|_| ApiError::NotFound("store"))?;
    let tenant = state
        .store
        .tenant_by_domain(&domain)
        .await?
        .filter(|t| t.status == TenantStatus::Active)
        .ok_or(ApiError::NotFound("store"))?;
    Ok(Shop { tenant, domain: domain.as_str().to_owned() })
}

impl FromRequestParts<AppState> for Shop {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        // By name: the routes under a store have more parameters than the domain.
        let AppPath(params) = AppPath::<std::collections::HashMap<String, String>>::from_request_parts(parts, state).await?;
        shop(state, params.get("domain").map_or("", String::as_str)).await
    }
}

/// A signed-in shopper of the named store.
#[derive(Debug, Clone)]
pub struct Shopper {
    /// The store.
    pub shop: Shop,
    /// Their account.
    pub customer: Customer,
    /// SHA-256 of the session id they came with.
    pub session_hash: String,
}

impl FromRequestParts<AppState> for Shopper {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let shop = Shop::from_request_parts(parts, state).await?;
        let secret = session::presented(&parts.headers).ok_or(ApiError::Unauthorized("sign in first"))?;
        let session_hash = hashed(&secret);
        let customer = state
            .store
            .customer_session(shop.tenant.id, &session_hash, now_ms(), SESSION_IDLE_MS)
            .await?
            .ok_or(ApiError::Unauthorized("your session has ended; sign in again"))?;
        Ok(Shopper { shop, customer, session_hash })
    }
}

/// Liveness.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, description = "Serving")))]
pub async fn health() -> &'static str {
    "ok"
}

/// Records a token for an emailed link and queues the email that carries it.
async fn send_link(state: &AppState, shop: &Shop, customer: Uuid, to: &str, purpose: TokenPurpose) -> ApiResult<()> {
    let secret = new_secret();
    let now = now_ms();
    let (lifetime, page) = match purpose {
        TokenPurpose::VerifyEmail => (VERIFY_EMAIL_LIFETIME_MS, "verify-email"),
        TokenPurpose::ResetPassword => (RESET_PASSWORD_LIFETIME_MS, "reset-password"),
    };
    let token_hash = hashed(&secret);
    let new = NewToken { token_hash: token_hash.clone(), customer, purpose, email: to.to_owned(), now_ms: now, expires_at_ms: now + lifetime };
    state.store.create_customer_token(shop.tenant.id, &new).await?;
    let link = format!("{}/stores/{}/{page}?token={secret}", state.public_url, shop.domain);
    let message = match purpose {
        TokenPurpose::VerifyEmail => Message::Confirm { link: &link },
        TokenPurpose::ResetPassword => Message::Reset { link: &link },
    };
    crate::emails::send(state, &shop.tenant.name, to, &message, format!("{}-{}", page, &token_hash[..40])).await.map_err(|err| {
        tracing::error!(%err, "an account email could not be queued");
        ApiError::Unavailable("we could not send the email just now; please try again in a minute")
    })
}

/// Opens an account and emails a link to confirm the address. An address that already has an
/// account gets an email saying so (with a new confirmation link if it was never confirmed), and
/// the answer is the same either way.
#[utoipa::path(post, path = "/api/stores/{domain}/accounts", tag = "accounts", request_body = SignUpInput,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses(
        (status = 202, body = Notice),
        (status = 404, description = "No open store on that domain", body = ApiErrorBody),
        (status = 422, description = "Each bad field named", body = ApiErrorBody),
        (status = 503, description = "The email could not be queued; try again", body = ApiErrorBody),
    ))]
#[tracing::instrument(skip_all, fields(store = %shop.tenant.slug))]
pub async fn sign_up(shop: Shop, State(state): State<AppState>, AppJson(input): AppJson<SignUpInput>) -> ApiResult<impl IntoResponse> {
    open_account(&state, &shop, &input).await?;
    Ok(notice(CHECK_EMAIL))
}

/// Opens an account, or tells a taken address's owner by email (shared with the page).
pub async fn open_account(state: &AppState, shop: &Shop, input: &SignUpInput) -> ApiResult<()> {
    let (email, name) = input.validate().map_err(ApiError::InvalidFields)?;
    // Hashed whether or not the address is taken, so both take as long.
    let password_hash = password::hash(&input.password).await.map_err(|e| ApiError::Internal(e.into()))?;
    let new = NewCustomer { email: email.clone(), name, password_hash, now_ms: now_ms() };
    match state.store.create_customer(shop.tenant.id, &new).await {
        Ok(customer) => send_link(state, shop, customer.id, &email, TokenPurpose::VerifyEmail).await,
        Err(StoreError::Conflict(_)) => {
            let existing = state.store.customer_credentials(shop.tenant.id, &email).await?.ok_or(ApiError::NotFound("account"))?;
            if existing.customer.email_verified {
                let hint = format!("{}/stores/{}/forgot-password", state.public_url, shop.domain);
                let message = Message::AlreadyRegistered { reset_hint: &hint };
                crate::emails::send(state, &shop.tenant.name, &email, &message, format!("registered-{}", Uuid::new_v4().simple()))
                    .await
                    .map_err(|_| ApiError::Unavailable("we could not send the email just now; please try again in a minute"))
            } else {
                send_link(state, shop, existing.customer.id, &email, TokenPurpose::VerifyEmail).await
            }
        }
        Err(other) => Err(other.into()),
    }
}

/// Reads a link's token; anything that cannot be one is simply not found.
fn link_token(raw: &str) -> Option<String> {
    let token = raw.trim();
    session::well_formed(token).then(|| token.to_ascii_lowercase())
}

/// Confirms an address with the token from its emailed link (once, within a day). The account's
/// address becomes the confirmed one.
#[utoipa::path(post, path = "/api/stores/{domain}/email-verifications", tag = "accounts", request_body = TokenInput,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses(
        (status = 200, body = Customer),
        (status = 404, body = ApiErrorBody),
        (status = 409, description = "Another account of the store took that address meanwhile", body = ApiErrorBody),
        (status = 410, description = "The link was used, replaced or has expired", body = ApiErrorBody),
    ))]
pub async fn verify_email(shop: Shop, State(state): State<AppState>, AppJson(input): AppJson<TokenInput>) -> ApiResult<Json<Customer>> {
    Ok(Json(confirm_address(&state, &shop, &input.token).await?))
}

/// Spends a confirmation token and confirms its address (shared with the page).
pub async fn confirm_address(state: &AppState, shop: &Shop, token: &str) -> ApiResult<Customer> {
    const SPENT: &str = "this link has been used or has expired; sign in to get a new one";
    let token = link_token(token).ok_or(ApiError::Gone(SPENT))?;
    let now = now_ms();
    let (id, email) = state
        .store
        .use_customer_token(shop.tenant.id, &hashed(&token), TokenPurpose::VerifyEmail, now)
        .await?
        .ok_or(ApiError::Gone(SPENT))?;
    match state.store.verify_customer_email(shop.tenant.id, id, &email, now).await {
        Err(StoreError::Conflict(_)) => Err(ApiError::Conflict("another account at this store uses that address".into())),
        other => Ok(other?),
    }
}

/// Signs in: a new session in a `__Host-` cookie, replacing the one the browser came with. A
/// wrong email and a wrong password answer alike; ten wrong passwords for an account within 15
/// minutes (or fifty from one address) refuse further tries until then, or until a reset.
#[utoipa::path(post, path = "/api/stores/{domain}/sessions", tag = "accounts", request_body = SignInInput,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses(
        (status = 200, description = "Signed in; the session is in the Set-Cookie header", body = Customer),
        (status = 401, description = "Wrong email or password (the same answer for both)", body = ApiErrorBody),
        (status = 403, description = "The address is not confirmed yet; a new link was emailed", body = ApiErrorBody),
        (status = 404, body = ApiErrorBody),
        (status = 429, description = "Too many wrong passwords; wait or reset the password", body = ApiErrorBody),
    ))]
#[tracing::instrument(skip_all, fields(store = %shop.tenant.slug))]
pub async fn sign_in(
    shop: Shop,
    State(state): State<AppState>,
    facts: RequestFacts,
    AppJson(input): AppJson<SignInInput>,
) -> ApiResult<Response> {
    match authenticate(&state, &shop, &input.email, &input.password, &facts).await {
        Ok((customer, secret)) => {
            Ok(([(header::SET_COOKIE, session::set_cookie(&secret, SESSION_LIFETIME_MS / 1000))], Json(customer)).into_response())
        }
        Err(Refusal::Wrong) => Ok(refusal(StatusCode::UNAUTHORIZED, "wrong_credentials", WRONG)),
        Err(Refusal::TooMany) => Ok(too_many()),
        Err(Refusal::Unverified) => Ok(refusal(StatusCode::FORBIDDEN, "email_unverified", UNVERIFIED)),
        Err(Refusal::Failed(error)) => Err(error),
    }
}

/// Why a sign-in did not happen.
#[derive(Debug)]
pub enum Refusal {
    /// Wrong email or password (the same for both).
    Wrong,
    /// The throttle or the account's lock refuses tries for now.
    TooMany,
    /// The right password, for an address not confirmed yet (a new link was sent).
    Unverified,
    /// Something else failed.
    Failed(ApiError),
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Refusal::Failed(error)
    }
}

impl From<StoreError> for Refusal {
    fn from(error: StoreError) -> Self {
        Refusal::Failed(error.into())
    }
}

/// The right password for an unconfirmed address.
pub const UNVERIFIED: &str = "Confirm your email address first: we just sent you a new link.";

/// Checks an email and password and starts a session (replacing the one the browser came
/// with): the account and the new session id. Shared by the API and the sign-in page.
pub async fn authenticate(state: &AppState, shop: &Shop, email: &str, password: &str, facts: &RequestFacts) -> Result<(Customer, String), Refusal> {
    let tenant = shop.tenant.id;
    let email = normalize_email(email);
    let now = now_ms();
    let address = facts.address;
    if state.throttle.refused(&(tenant, email.clone()), address, now) {
        return Err(Refusal::TooMany);
    }
    let found = state.store.customer_credentials(tenant, &email).await?;
    let phc = match &found {
        Some(account) => account.password_hash.clone(),
        None => password::decoy().await.map_err(|e| ApiError::Internal(e.into()))?,
    };
    let matches = password::verify(password, &phc).await.map_err(|e| ApiError::Internal(e.into()))?;
    if found.as_ref().is_some_and(|account| account.locked_until_ms.is_some_and(|until| until > now)) {
        return Err(Refusal::TooMany);
    }
    let account = match found {
        Some(account) if matches => account,
        other => {
            state.throttle.failed((tenant, email.clone()), address, now);
            if let Some(account) = other {
                let lock_after = i32::try_from(zelly_service::throttle::PER_ACCOUNT).unwrap_or(i32::MAX);
                state.store.record_failed_sign_in(tenant, account.customer.id, lock_after, now + zelly_service::throttle::WINDOW_MS).await?;
            }
            return Err(Refusal::Wrong);
        }
    };
    if !account.customer.email_verified {
        send_link(state, shop, account.customer.id, &email, TokenPurpose::VerifyEmail).await?;
        return Err(Refusal::Unverified);
    }
    let secret = new_secret();
    let new = NewSession {
        id_hash: hashed(&secret),
        family_hash: None,
        customer: account.customer.id,
        now_ms: now,
        expires_at_ms: now + SESSION_LIFETIME_MS,
    };
    let replaces = facts.session.as_deref().map(hashed);
    state.store.start_customer_session(tenant, &new, replaces.as_deref()).await?;
    state.throttle.cleared(&(tenant, email.clone()));
    tracing::info!(customer = %account.customer.id, "signed in");
    Ok((account.customer, secret))
}

fn too_many() -> Response {
    let mut response = refusal(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", TOO_MANY);
    response.headers_mut().insert(header::RETRY_AFTER, (zelly_service::throttle::WINDOW_MS / 1000).into());
    response
}

/// What sign-in reads from a request besides its body: the client's address and the session the
/// browser already had.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    /// Where the request came from.
    pub address: Option<std::net::IpAddr>,
    /// The session id it carried, if any.
    pub session: Option<String>,
}

impl FromRequestParts<AppState> for RequestFacts {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        Ok(RequestFacts {
            address: session::client_address(&parts.headers, &parts.extensions, state.trust_forwarded_for),
            session: session::presented(&parts.headers),
        })
    }
}

/// Signs out: the session ends (a server holding it too is signed out), and the cookie goes.
#[utoipa::path(delete, path = "/api/stores/{domain}/sessions/current", tag = "accounts",
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses((status = 204, description = "Signed out (also when no session was live)"), (status = 404, body = ApiErrorBody)))]
pub async fn sign_out(shop: Shop, State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(secret) = session::presented(&headers) {
        state.store.end_customer_session(shop.tenant.id, &hashed(&secret)).await?;
    }
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, session::clear_cookie())]).into_response())
}

/// The signed-in shopper's account.
#[utoipa::path(get, path = "/api/stores/{domain}/me", tag = "accounts",
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses((status = 200, body = Customer), (status = 401, body = ApiErrorBody), (status = 404, body = ApiErrorBody)),
    security(("session" = [])))]
pub async fn me(shopper: Shopper) -> Json<Customer> {
    Json(shopper.customer)
}

/// Changes the signed-in shopper's name.
#[utoipa::path(put, path = "/api/stores/{domain}/me", tag = "accounts", request_body = ProfileInput,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses((status = 200, body = Customer), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)),
    security(("session" = [])))]
pub async fn update_me(shopper: Shopper, State(state): State<AppState>, AppJson(input): AppJson<ProfileInput>) -> ApiResult<Json<Customer>> {
    let name = input.validate().map_err(ApiError::InvalidFields)?;
    Ok(Json(state.store.update_customer_name(shopper.shop.tenant.id, shopper.customer.id, &name, now_ms()).await?))
}

/// Checks the signed-in shopper's current password (counting a wrong one like a sign-in does).
async fn prove_password(state: &AppState, shopper: &Shopper, password: &str, field: &str) -> ApiResult<()> {
    let tenant = shopper.shop.tenant.id;
    let now = now_ms();
    if state.throttle.refused(&(tenant, shopper.customer.email.clone()), None, now) {
        return Err(ApiError::TooManyRequests { retry_after_secs: zelly_service::throttle::WINDOW_MS.unsigned_abs() / 1000 });
    }
    let account = state.store.customer_credentials(tenant, &shopper.customer.email).await?.ok_or(ApiError::Unauthorized("sign in again"))?;
    if password::verify(password, &account.password_hash).await.map_err(|e| ApiError::Internal(e.into()))? {
        return Ok(());
    }
    state.throttle.failed((tenant, shopper.customer.email.clone()), None, now);
    Err(ApiError::InvalidFields([(field.to_owned(), "is not your current password".to_owned())].into()))
}

/// Changes the password, proving the current one. Every other session ends; this browser gets
/// a new session.
#[utoipa::path(post, path = "/api/stores/{domain}/me/password", tag = "accounts", request_body = PasswordChangeInput,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses(
        (status = 204, description = "Changed; a new session is in the Set-Cookie header"),
        (status = 401, body = ApiErrorBody),
        (status = 422, description = "Wrong current password, or a new one that is too short or too long", body = ApiErrorBody),
        (status = 429, body = ApiErrorBody),
    ),
    security(("session" = [])))]
pub async fn change_password(shopper: Shopper, State(state): State<AppState>, AppJson(input): AppJson<PasswordChangeInput>) -> ApiResult<Response> {
    let mut errors = zelly_edge::catalog::FieldErrors::new();
    check_password(&mut errors, "new_password", &input.new_password);
    if !errors.is_empty() {
        return Err(ApiError::InvalidFields(errors));
    }
    prove_password(&state, &shopper, &input.current_password, "current_password").await?;
    let tenant = shopper.shop.tenant.id;
    let now = now_ms();
    let password_hash = password::hash(&input.new_password).await.map_err(|e| ApiError::Internal(e.into()))?;
    state.store.set_customer_password(tenant, shopper.customer.id, &password_hash, None, now).await?;
    let secret = new_secret();
    let new = NewSession { id_hash: hashed(&secret), family_hash: None, customer: shopper.customer.id, now_ms: now, expires_at_ms: now + SESSION_LIFETIME_MS };
    state.store.start_customer_session(tenant, &new, None).await?;
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, session::set_cookie(&secret, SESSION_LIFETIME_MS / 1000))]).into_response())
}

/// Moves the account to another address, proving the password: the new address gets a link, and
/// counts once it is followed.
#[utoipa::path(post, path = "/api/stores/{domain}/me/email", tag = "accounts", request_body = EmailChangeInput,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses((status = 202, body = Notice), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody), (status = 429, body = ApiErrorBody)),
    security(("session" = [])))]
pub async fn change_email(shopper: Shopper, State(state): State<AppState>, AppJson(input): AppJson<EmailChangeInput>) -> ApiResult<impl IntoResponse> {
    let email = input.validate().map_err(ApiError::InvalidFields)?;
    prove_password(&state, &shopper, &input.password, "password").await?;
    send_link(&state, &shopper.shop, shopper.customer.id, &email, TokenPurpose::VerifyEmail).await?;
    Ok(notice("Check the new address: we sent it a link. Your account moves to it once the link is followed."))
}

/// Asks for a password reset link. The answer is the same whether or not the address has an
/// account; the link (one hour, once) goes only to an address that has one.
#[utoipa::path(post, path = "/api/stores/{domain}/password-resets", tag = "accounts", request_body = ResetRequestInput,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses((status = 202, body = Notice), (status = 404, body = ApiErrorBody)))]
pub async fn request_reset(shop: Shop, State(state): State<AppState>, AppJson(input): AppJson<ResetRequestInput>) -> ApiResult<impl IntoResponse> {
    request_reset_for(&state, &shop, &input.email).await;
    Ok(notice(RESET_SENT))
}

/// Sends a reset link if `email` has an account, in the background, so that the answer takes as
/// long either way (shared with the page).
pub async fn request_reset_for(state: &AppState, shop: &Shop, email: &str) {
    let (state, shop, email) = (state.clone(), shop.clone(), normalize_email(email));
    tokio::spawn(async move {
        let sent = async {
            if let Some(account) = state.store.customer_credentials(shop.tenant.id, &email).await? {
                send_link(&state, &shop, account.customer.id, &email, TokenPurpose::ResetPassword).await?;
            }
            Ok::<_, ApiError>(())
        };
        if let Err(err) = sent.await {
            tracing::warn!(%err, "a reset link was not sent");
        }
    });
}

/// Sets a new password with the token from a reset link (once, within an hour): every session
/// ends, a sign-in lock lifts, and the address counts as confirmed (the link proved it).
#[utoipa::path(post, path = "/api/stores/{domain}/password-resets/complete", tag = "accounts", request_body = TokenInput,
    params(("domain" = String, Path, description = "Any domain of the store")),
    responses(
        (status = 200, description = "The password is changed; sign in with it", body = Customer),
        (status = 410, description = "The link was used, replaced or has expired", body = ApiErrorBody),
        (status = 422, body = ApiErrorBody),
    ))]
pub async fn complete_reset(shop: Shop, State(state): State<AppState>, AppJson(input): AppJson<TokenInput>) -> ApiResult<Json<Customer>> {
    Ok(Json(reset_password(&state, &shop, &input.token, input.password.as_deref().unwrap_or_default()).await?))
}

/// Spends a reset token and sets the password (shared with the page).
pub async fn reset_password(state: &AppState, shop: &Shop, token: &str, new_password: &str) -> ApiResult<Customer> {
    const SPENT: &str = "this link has been used or has expired; ask for a new one";
    let mut errors = zelly_edge::catalog::FieldErrors::new();
    check_password(&mut errors, "password", new_password);
    if !errors.is_empty() {
        return Err(ApiError::InvalidFields(errors));
    }
    let token = link_token(token).ok_or(ApiError::Gone(SPENT))?;
    let tenant = shop.tenant.id;
    let now = now_ms();
    let password_hash = password::hash(new_password).await.map_err(|e| ApiError::Internal(e.into()))?;
    let (id, email) = state.store.use_customer_token(tenant, &hashed(&token), TokenPurpose::ResetPassword, now).await?.ok_or(ApiError::Gone(SPENT))?;
    state.store.set_customer_password(tenant, id, &password_hash, None, now).await?;
    state.throttle.cleared(&(tenant, email.clone()));
    match state.store.verify_customer_email(tenant, id, &email, now).await {
        Ok(customer) => Ok(customer),
        // The account moved to another address meanwhile: the password is set all the same.
        Err(StoreError::Conflict(_)) => state.store.customer(tenant, id).await?.ok_or(ApiError::NotFound("account")),
        Err(other) => Err(other.into()),
    }
}
