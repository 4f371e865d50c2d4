//! Calls to admin-api, as the signed-in staff member.
//!
//! The access token lives in memory only ([`Auth`]): never in storage a script could read. The
//! refresh token is an HttpOnly cookie admin-api sets, so every call goes with
//! `credentials: include`; a reload restores the session by asking for a new access token
//! ([`Api::restore`]). A call whose token has run out, or that is answered 401, gets one refresh
//! and one retry; when the refresh is refused too, the panel goes back to the sign-in screen with
//! a notice. Refreshes never overlap: admin-api swaps the refresh token on every refresh, so a
//! second refresh with the old cookie would be refused; every call that needs one waits for the
//! same refresh ([`Api::refresh`]).
//!
//! Every failure comes back as a [`Failure`]: a sentence naming the URL that failed (for the error
//! states, as in [`zelly_ui_kit::api`]), and admin-api's own words for the forms
//! ([`Failure::said`]). The paths and query strings are plain functions, tested natively at the
//! bottom of this file.

use crate::format::friendly_detail;
use futures::future::{FutureExt, LocalBoxFuture, Shared};
use gloo_net::http::{Method, RequestBuilder, Response};
use leptos::prelude::*;
use leptos::task::spawn_local;
use web_sys::RequestCredentials;
use zelly_edge::ApiErrorBody;
use zelly_edge::admin::{
    AdminOrderDetail, AdminOrderHit, AdminRefund, AuditEntry, DomainRecheck, FailedJobView,
    NewStoreForMerchant, QueueActionResult, QueueOverview, StaffMember, StaffRole, StaffSignIn,
    StaffToken, StatusChange, TenantDetail, TenantPage, TotpCode, TotpEnrollment,
};
use zelly_edge::analytics::PlatformReport;
use zelly_edge::dto::TenantStatus;
use zelly_ui_kit::api::{percent_encode, query_string, status_message, unreachable_message};
use zelly_ui_kit::auth::now_ms;
use zelly_ui_kit::forms::FieldErrors;
use zelly_ui_kit::serde::Serialize;
use zelly_ui_kit::serde::de::DeserializeOwned;

/// Signing in with email, password and (when set up) an authenticator code.
pub const SIGN_IN_PATH: &str = "/api/admin/auth/sign-in";
/// A new access token for the refresh cookie.
pub const REFRESH_PATH: &str = "/api/admin/auth/refresh";
/// Ending the session (the cookie is cleared).
pub const SIGN_OUT_PATH: &str = "/api/admin/auth/sign-out";
/// A new authenticator secret to set up.
pub const TOTP_ENROLL_PATH: &str = "/api/admin/auth/totp/enroll";
/// The first code from the authenticator app, finishing the set-up.
pub const TOTP_CONFIRM_PATH: &str = "/api/admin/auth/totp/confirm";
/// The signed-in staff member.
pub const ME_PATH: &str = "/api/admin/me";
/// Every store.
pub const TENANTS_PATH: &str = "/api/admin/tenants";
/// Orders across stores.
pub const ORDERS_PATH: &str = "/api/admin/orders";
/// The queues.
pub const QUEUES_PATH: &str = "/api/admin/queues";
/// The audit log.
pub const AUDIT_PATH: &str = "/api/admin/audit";
/// The platform's analytics.
pub const ANALYTICS_PATH: &str = "/api/admin/analytics";

/// Stores per page of the store list.
pub const TENANT_PAGE_SIZE: u32 = 50;
/// The most stores the store pickers list (the API's largest page).
pub const DIRECTORY_SIZE: u32 = 200;
/// Failed jobs per page.
pub const FAILED_PAGE_SIZE: u32 = 50;
/// Audit rows per page.
pub const AUDIT_PAGE_SIZE: u32 = 50;

/// A token is refreshed this long before it runs out, so that no call leaves with a token that
/// runs out on the way.
pub const EXPIRY_MARGIN_MS: f64 = 30_000.0;

/// The `localStorage` key saying that this browser has signed in. The refresh cookie is out of a
/// script's reach, so without it every first visit would ask admin-api for a session it cannot
/// have and be refused (a 401 in the console of every fresh browser). It holds no secret: only
/// "1", removed on sign-out and when the session is refused.
pub const SESSION_HINT_KEY: &str = "zelly-admin.signed-in";

/// What the sign-in screen says when the session ran out.
pub const ENDED_MESSAGE: &str = "Your session has ended. Sign in again to continue.";

/// A failed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The HTTP status, or `None` when no answer came back (or it could not be read).
    pub status: Option<u16>,
    /// The message of admin-api's error body, if there was one.
    pub detail: Option<String>,
    /// For a 422: each bad field (`slug`, `from`…) and what is wrong with it, in admin-api's words.
    pub fields: FieldErrors,
    /// A sentence naming the URL and what went wrong (see [`zelly_ui_kit::api::status_message`]).
    pub message: String,
}

impl Failure {
    /// A failure that never reached admin-api, or whose answer could not be read.
    pub fn local(message: impl Into<String>) -> Self {
        Self {
            status: None,
            detail: None,
            fields: FieldErrors::new(),
            message: message.into(),
        }
    }

    /// 401: signed out (the panel has gone back to the sign-in screen already).
    pub fn is_unauthorized(&self) -> bool {
        self.status == Some(401)
    }

    /// 404: no such store, order or queue.
    pub fn is_not_found(&self) -> bool {
        self.status == Some(404)
    }

    /// 422 naming the bad fields.
    pub fn has_fields(&self) -> bool {
        self.status == Some(422) && !self.fields.is_empty()
    }

    /// What to tell staff next to a form or an action: admin-api's own words when it sent some
    /// (see [`friendly_detail`]), else the whole sentence.
    pub fn said(&self) -> String {
        self.detail
            .as_deref()
            .map(friendly_detail)
            .filter(|text| !text.is_empty())
            .unwrap_or_else(|| self.message.clone())
    }
}

/// What the sign-in form says when signing in failed.
pub fn sign_in_error(failure: &Failure) -> String {
    match failure.status {
        None => failure.message.clone(),
        Some(429) => "Too many sign-in attempts. Wait a few minutes, then try again.".to_owned(),
        Some(401) | Some(422) => match failure.detail.as_deref().map(friendly_detail) {
            Some(text) if !text.is_empty() => text,
            _ => "That email, password or authenticator code is not right.".to_owned(),
        },
        Some(_) => format!("Signing in did not work. {}", failure.message),
    }
}

/// Where the panel's sign-in stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Asking admin-api whether the browser still has a session (on load).
    Restoring,
    /// That question got no usable answer: why.
    Unreachable(String),
    /// Nobody is signed in: the sign-in form.
    SignedOut,
    /// Signed in, but an admin's second factor must be set up before anything else.
    Enrolling,
    /// Signed in: the panel.
    Ready,
}

/// How restoring the session on load went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Restore {
    /// Still asking.
    Pending,
    /// No usable answer: why.
    Failed(String),
    /// Answered (a session, or none).
    Done,
}

/// The phase for a token (`Some(must_enroll_totp)` when there is one) and how restoring went.
pub fn phase_of(token: Option<bool>, restore: &Restore) -> Phase {
    match (token, restore) {
        (Some(true), _) => Phase::Enrolling,
        (Some(false), _) => Phase::Ready,
        (None, Restore::Pending) => Phase::Restoring,
        (None, Restore::Failed(message)) => Phase::Unreachable(message.clone()),
        (None, Restore::Done) => Phase::SignedOut,
    }
}

/// A token and when it runs out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Session {
    token: StaffToken,
    /// Milliseconds since the epoch, by the browser's clock.
    expires_at_ms: u64,
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Notes (or forgets) that this browser has a staff session; see [`SESSION_HINT_KEY`].
fn set_session_hint(signed_in: bool) {
    if let Some(storage) = local_storage() {
        let _ = if signed_in {
            storage.set_item(SESSION_HINT_KEY, "1")
        } else {
            storage.remove_item(SESSION_HINT_KEY)
        };
    }
}

/// Whether this browser may have a staff session to restore.
fn has_session_hint() -> bool {
    local_storage()
        .and_then(|storage| storage.get_item(SESSION_HINT_KEY).ok().flatten())
        .is_some()
}

/// Whether a token that runs out at `expires_at_ms` is still good at `now_ms` (with
/// [`EXPIRY_MARGIN_MS`] to spare).
pub fn is_fresh(expires_at_ms: u64, now_ms: f64) -> bool {
    now_ms + EXPIRY_MARGIN_MS < expires_at_ms as f64
}

/// Who is signed in, shared by every screen through the context. The token is in memory only.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<Session>>,
    restore: RwSignal<Restore>,
    notice: RwSignal<Option<String>>,
}

impl Default for Auth {
    fn default() -> Self {
        Self::new()
    }
}

impl Auth {
    /// Nobody signed in yet; the session is being restored.
    pub fn new() -> Self {
        Self {
            session: RwSignal::new(None),
            restore: RwSignal::new(Restore::Pending),
            notice: RwSignal::new(None),
        }
    }

    /// Where the sign-in stands (reactive).
    pub fn phase(&self) -> Phase {
        let token = self
            .session
            .with(|s| s.as_ref().map(|s| s.token.must_enroll_totp));
        self.restore.with(|restore| phase_of(token, restore))
    }

    /// The signed-in staff member (reactive).
    pub fn staff(&self) -> Option<StaffMember> {
        self.session
            .with(|s| s.as_ref().map(|s| s.token.staff.clone()))
    }

    /// The signed-in staff member's role (reactive); read-only when nobody is.
    pub fn role(&self) -> StaffRole {
        self.session
            .with(|s| s.as_ref().map(|s| s.token.staff.role))
            .unwrap_or(StaffRole::ReadOnly)
    }

    /// Why staff were sent back to sign in, if they were (reactive).
    pub fn notice(&self) -> Option<String> {
        self.notice.get()
    }

    /// Keeps a new token.
    pub fn signed_in(&self, token: StaffToken) {
        let expires_at_ms = (now_ms() as u64).saturating_add(token.expires_in.saturating_mul(1000));
        set_session_hint(true);
        self.notice.set(None);
        self.restore.set(Restore::Done);
        self.session.set(Some(Session {
            token,
            expires_at_ms,
        }));
    }

    /// Forgets the token at the staff member's request.
    pub fn sign_out(&self) {
        set_session_hint(false);
        self.notice.set(None);
        self.restore.set(Restore::Done);
        self.session.set(None);
    }

    /// Forgets the token because it was refused and could not be refreshed.
    fn expire(&self) {
        set_session_hint(false);
        if self.session.try_with_untracked(Option::is_some) == Some(true) {
            self.notice.set(Some(ENDED_MESSAGE.to_owned()));
        }
        self.restore.set(Restore::Done);
        self.session.set(None);
    }

    /// The token to send, and whether it is still good.
    fn bearer(&self) -> Option<(String, bool)> {
        self.session.try_with_untracked(|s| {
            s.as_ref().map(|s| {
                (
                    s.token.access_token.clone(),
                    is_fresh(s.expires_at_ms, now_ms()),
                )
            })
        })?
    }
}

/// A refresh on its way, which every call that needs one waits for.
type Refreshing = Shared<LocalBoxFuture<'static, Result<StaffToken, Failure>>>;

/// admin-api at `base`, called as the staff member signed in to [`Auth`].
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    auth: Auth,
    refreshing: StoredValue<Option<Refreshing>, LocalStorage>,
}

impl Api {
    /// A client of admin-api at `base` (no trailing slash).
    pub fn new(base: String, auth: Auth) -> Self {
        Self {
            base,
            auth,
            refreshing: StoredValue::new_local(None),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Asks admin-api whether the browser still has a session (the refresh cookie), on load and
    /// on Retry: signed in if so, the sign-in form if not. A browser that never signed in (or
    /// signed out) goes straight to the sign-in form (see [`SESSION_HINT_KEY`]).
    pub fn restore(&self) {
        if !has_session_hint() {
            self.auth.restore.set(Restore::Done);
            return;
        }
        self.auth.restore.set(Restore::Pending);
        let api = self.clone();
        spawn_local(async move {
            match api.refresh().await {
                Ok(_) => {}
                Err(failure) if failure.is_unauthorized() => api.auth.restore.set(Restore::Done),
                Err(failure) => api.auth.restore.set(Restore::Failed(failure.message)),
            }
        });
    }

    /// A new access token for the refresh cookie, kept in [`Auth`]; a refusal (401) signs out.
    /// Calls made while a refresh is on its way wait for it rather than send their own.
    pub async fn refresh(&self) -> Result<StaffToken, Failure> {
        let pending = self.refreshing.try_with_value(Clone::clone).flatten();
        let refreshing = match pending {
            Some(refreshing) => refreshing,
            None => {
                let (url, auth) = (self.url(REFRESH_PATH), self.auth);
                let refreshing = async move {
                    let answer = match fetch(Method::POST, &url, None, None).await {
                        Ok(response) => decode::<StaffToken>(&url, response).await,
                        Err(failure) => Err(failure),
                    };
                    match &answer {
                        Ok(token) => auth.signed_in(token.clone()),
                        Err(failure) if failure.is_unauthorized() => auth.expire(),
                        Err(_) => {}
                    }
                    answer
                }
                .boxed_local()
                .shared();
                self.refreshing.try_set_value(Some(refreshing.clone()));
                refreshing
            }
        };
        let answer = refreshing.clone().await;
        // The first call back forgets it, so the next refresh is a new one.
        self.refreshing.try_update_value(|slot| {
            if slot.as_ref().is_some_and(|r| r.ptr_eq(&refreshing)) {
                *slot = None;
            }
        });
        answer
    }

    /// Sends a call with the token: refreshed first if it has run out; on a 401, refreshed and
    /// sent once more when `retry`. A 401 that stays signs out.
    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
        retry: bool,
    ) -> Result<Response, Failure> {
        let url = self.url(path);
        let token = match self.auth.bearer() {
            Some((token, true)) => token,
            _ => self.refresh().await?.access_token,
        };
        let first = fetch(method.clone(), &url, Some(&token), body.as_deref()).await;
        let answer = match first {
            Err(failure) if failure.is_unauthorized() && retry => {
                let token = self.refresh().await?.access_token;
                fetch(method, &url, Some(&token), body.as_deref()).await
            }
            other => other,
        };
        if answer.as_ref().is_err_and(Failure::is_unauthorized) {
            self.auth.expire();
        }
        answer
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<T, Failure> {
        let response = self.request(method, path, body, true).await?;
        decode(&self.url(path), response).await
    }

    async fn call_empty(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<(), Failure> {
        self.request(method, path, body, true).await.map(|_| ())
    }

    /// `POST /api/admin/auth/sign-in`: signs in (kept in [`Auth`]); `Err` is a sentence for the
    /// form ([`sign_in_error`]).
    pub async fn sign_in(&self, credentials: &StaffSignIn) -> Result<(), String> {
        let url = self.url(SIGN_IN_PATH);
        let body = encode(credentials).map_err(|failure| failure.message)?;
        let answer = match fetch(Method::POST, &url, None, Some(&body)).await {
            Ok(response) => decode::<StaffToken>(&url, response).await,
            Err(failure) => Err(failure),
        };
        match answer {
            Ok(token) => {
                self.auth.signed_in(token);
                Ok(())
            }
            Err(failure) => Err(sign_in_error(&failure)),
        }
    }

    /// `POST /api/admin/auth/sign-out`: ends the session (whatever admin-api answers, the panel
    /// forgets the token).
    pub async fn sign_out(&self) {
        let token = self.auth.bearer().map(|(token, _)| token);
        let _ = fetch(
            Method::POST,
            &self.url(SIGN_OUT_PATH),
            token.as_deref(),
            None,
        )
        .await;
        self.auth.sign_out();
    }

    /// `POST /api/admin/auth/totp/enroll`: a new authenticator secret.
    pub async fn enroll_totp(&self) -> Result<TotpEnrollment, Failure> {
        self.call(Method::POST, TOTP_ENROLL_PATH, None).await
    }

    /// `POST /api/admin/auth/totp/confirm`: the first code from the app; the new token is kept.
    /// Not retried on a 401: a code works once.
    pub async fn confirm_totp(&self, code: &str) -> Result<(), Failure> {
        let body = encode(&TotpCode {
            code: code.to_owned(),
        })?;
        let response = self
            .request(Method::POST, TOTP_CONFIRM_PATH, Some(body), false)
            .await?;
        let token: StaffToken = decode(&self.url(TOTP_CONFIRM_PATH), response).await?;
        self.auth.signed_in(token);
        Ok(())
    }

    /// `GET /api/admin/me`: the signed-in staff member.
    pub async fn me(&self) -> Result<StaffMember, Failure> {
        self.call(Method::GET, ME_PATH, None).await
    }

    /// `GET /api/admin/tenants`: a page of stores.
    pub async fn tenants(&self, query: &TenantQuery) -> Result<TenantPage, Failure> {
        self.call(Method::GET, &tenants_path(query), None).await
    }

    /// `GET /api/admin/tenants/{id}`: one store in full.
    pub async fn tenant(&self, id: &str) -> Result<TenantDetail, Failure> {
        self.call(Method::GET, &tenant_path(id), None).await
    }

    /// `POST /api/admin/tenants/{id}/status`: suspends or reopens a store.
    pub async fn set_tenant_status(
        &self,
        id: &str,
        status: TenantStatus,
        reason: &str,
    ) -> Result<TenantDetail, Failure> {
        let body = encode(&StatusChange {
            status,
            reason: reason.to_owned(),
        })?;
        self.call(Method::POST, &tenant_status_path(id), Some(body))
            .await
    }

    /// `POST /api/admin/tenants`: opens a store for a merchant (admins only); its owner is invited
    /// by email. The answer is the new store.
    pub async fn open_store(&self, store: &NewStoreForMerchant) -> Result<TenantDetail, Failure> {
        let body = encode(store)?;
        self.call(Method::POST, TENANTS_PATH, Some(body)).await
    }

    /// `POST /api/admin/tenants/{id}/domains/{domain}/recheck`: asks for a custom domain's DNS to
    /// be checked again now.
    pub async fn recheck_domain(&self, id: &str, domain: &str) -> Result<DomainRecheck, Failure> {
        self.call(Method::POST, &domain_recheck_path(id, domain), None)
            .await
    }

    /// `GET /api/admin/analytics`: the platform's (or one store's) figures by day.
    pub async fn analytics(&self, query: &AnalyticsQuery) -> Result<PlatformReport, Failure> {
        self.call(Method::GET, &analytics_path(query), None).await
    }

    /// `GET /api/admin/orders`: orders matching the search, newest first.
    pub async fn orders(&self, query: &OrderQuery) -> Result<Vec<AdminOrderHit>, Failure> {
        self.call(Method::GET, &orders_path(query), None).await
    }

    /// `GET /api/admin/orders/{id}`: one order with its timeline and webhooks.
    pub async fn order(&self, id: &str) -> Result<AdminOrderDetail, Failure> {
        self.call(Method::GET, &order_path(id), None).await
    }

    /// `POST /api/admin/orders/{id}/refund`: pays `amount_minor` back (admins only), once per
    /// `idempotency_key`. The answer is the order, or the refund on its way (see
    /// [`crate::orders::refund_outcome`]), so it is read as plain JSON.
    pub async fn refund(
        &self,
        id: &str,
        amount_minor: i64,
        reason: &str,
        idempotency_key: &str,
    ) -> Result<serde_json::Value, Failure> {
        let body = encode(&AdminRefund {
            amount_minor,
            reason: reason.to_owned(),
            idempotency_key: idempotency_key.to_owned(),
        })?;
        self.call(Method::POST, &refund_path(id), Some(body)).await
    }

    /// `GET /api/admin/queues`: every queue at a glance.
    pub async fn queues(&self) -> Result<Vec<QueueOverview>, Failure> {
        self.call(Method::GET, QUEUES_PATH, None).await
    }

    /// `GET /api/admin/queues/{name}/failed`: a page of a queue's failed jobs.
    pub async fn failed_jobs(&self, name: &str, offset: u32) -> Result<Vec<FailedJobView>, Failure> {
        let path = failed_jobs_path(name, offset, FAILED_PAGE_SIZE);
        self.call(Method::GET, &path, None).await
    }

    /// `POST /api/admin/queues/{name}/jobs/{id}/retry`: runs a failed job again.
    pub async fn retry_job(&self, name: &str, id: &str) -> Result<(), Failure> {
        self.call_empty(Method::POST, &job_retry_path(name, id), None)
            .await
    }

    /// `DELETE /api/admin/queues/{name}/jobs/{id}`: removes a failed job for good.
    pub async fn remove_job(&self, name: &str, id: &str) -> Result<(), Failure> {
        self.call_empty(Method::DELETE, &job_path(name, id), None)
            .await
    }

    /// `POST /api/admin/queues/{name}/retry-failed`: runs every failed job of a queue again.
    pub async fn retry_failed(&self, name: &str) -> Result<QueueActionResult, Failure> {
        let path = queue_action_path(name, "retry-failed");
        self.call(Method::POST, &path, None).await
    }

    /// `POST /api/admin/queues/{name}/pause` or `/resume`.
    pub async fn set_paused(&self, name: &str, paused: bool) -> Result<QueueOverview, Failure> {
        let action = if paused { "pause" } else { "resume" };
        self.call(Method::POST, &queue_action_path(name, action), None)
            .await
    }

    /// `GET /api/admin/audit`: a page of the audit log, newest first.
    pub async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, Failure> {
        self.call(Method::GET, &audit_path(query), None).await
    }
}

/// Sends one request with `credentials: include` (the refresh cookie), the bearer token when
/// given and `body` as JSON when given; anything but a 2xx answer is a [`Failure`].
async fn fetch(
    method: Method,
    url: &str,
    bearer: Option<&str>,
    body: Option<&str>,
) -> Result<Response, Failure> {
    let mut builder = RequestBuilder::new(url)
        .method(method)
        .credentials(RequestCredentials::Include)
        .header("Accept", "application/json");
    if let Some(token) = bearer {
        builder = builder.header("Authorization", &format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .body(body.to_owned()),
        None => builder.build(),
    };
    let unreachable = |error: gloo_net::Error| Failure::local(unreachable_message(url, &error.to_string()));
    let response = request.map_err(unreachable)?.send().await.map_err(unreachable)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let body = response.json::<ApiErrorBody>().await.ok();
    let fields = body
        .as_ref()
        .map(|body| body.error.fields.clone())
        .unwrap_or_default();
    let detail = body
        .map(|body| body.error.message)
        .filter(|message| !message.trim().is_empty());
    Err(Failure {
        status: Some(status),
        message: status_message(url, status, &response.status_text(), detail.as_deref()),
        detail,
        fields,
    })
}

/// Decodes a JSON answer from `url`.
async fn decode<T: DeserializeOwned>(url: &str, response: Response) -> Result<T, Failure> {
    response.json::<T>().await.map_err(|error| {
        Failure::local(format!(
            "The Zelly API at {url} sent a response this page could not read: {error}"
        ))
    })
}

/// A request body as JSON text.
fn encode<B: Serialize>(body: &B) -> Result<String, Failure> {
    serde_json::to_string(body)
        .map_err(|error| Failure::local(format!("This page could not write its request: {error}")))
}

/// `path` with `query` after a `?`, or alone when `query` is empty.
fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// What the store list asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantQuery {
    /// Part of a name, slug or domain (`""`: any).
    pub q: String,
    /// `active`, `suspended` or `""` for both.
    pub status: String,
    /// Stores per page.
    pub limit: u32,
    /// Stores skipped.
    pub offset: u32,
}

/// `GET /api/admin/tenants?q=&status=&limit=&offset=`.
pub fn tenants_path(query: &TenantQuery) -> String {
    let (limit, offset) = (query.limit.to_string(), query.offset.to_string());
    with_query(
        TENANTS_PATH,
        &query_string(&[
            ("q", query.q.trim()),
            ("status", &query.status),
            ("limit", &limit),
            ("offset", &offset),
        ]),
    )
}

/// `/api/admin/tenants/{id}`.
pub fn tenant_path(id: &str) -> String {
    format!("{TENANTS_PATH}/{}", percent_encode(id))
}

/// `/api/admin/tenants/{id}/status`.
pub fn tenant_status_path(id: &str) -> String {
    format!("{}/status", tenant_path(id))
}

/// `/api/admin/tenants/{id}/domains/{domain}/recheck`.
pub fn domain_recheck_path(id: &str, domain: &str) -> String {
    format!("{}/domains/{}/recheck", tenant_path(id), percent_encode(domain))
}

/// What the analytics screen asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalyticsQuery {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
    /// The browser's offset from UTC, in minutes east, that days are counted in.
    pub utc_offset_minutes: i32,
    /// Only this store (its id); `""` for the whole platform.
    pub tenant: String,
}

/// `GET /api/admin/analytics?from=&to=&utc_offset_minutes=&tenant=` (no `tenant` for the whole
/// platform).
pub fn analytics_path(query: &AnalyticsQuery) -> String {
    let offset = query.utc_offset_minutes.to_string();
    with_query(
        ANALYTICS_PATH,
        &query_string(&[
            ("from", query.from.trim()),
            ("to", query.to.trim()),
            ("utc_offset_minutes", &offset),
            ("tenant", query.tenant.trim()),
        ]),
    )
}

/// What the order search asks for; empty fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderQuery {
    /// The store's id.
    pub tenant: String,
    /// The order's number in its store.
    pub number: Option<i64>,
    /// The shopper's email.
    pub email: String,
    /// The shopper's phone (or its last digits).
    pub phone: String,
    /// The payment provider's id.
    pub payment_id: String,
}

impl OrderQuery {
    /// What is wrong with the search before it is sent, if anything: something to find the order
    /// by (a number needs its store, as numbers are per store), and enough of a phone number.
    pub fn problem(&self) -> Option<&'static str> {
        let filled = |s: &str| !s.trim().is_empty();
        if self.number.is_some() && !filled(&self.tenant) {
            return Some("Order numbers are per store: choose the store too.");
        }
        if self.number.is_none()
            && !filled(&self.email)
            && !filled(&self.phone)
            && !filled(&self.payment_id)
        {
            return Some(
                "Fill in at least one of order number (with its store), email, phone or payment id.",
            );
        }
        if filled(&self.phone) && self.phone.bytes().filter(u8::is_ascii_digit).count() < 4 {
            return Some("Give at least the last 4 digits of the phone number.");
        }
        None
    }
}

/// `GET /api/admin/orders?tenant=&number=&email=&phone=&payment_id=`.
pub fn orders_path(query: &OrderQuery) -> String {
    let number = query.number.map(|n| n.to_string()).unwrap_or_default();
    with_query(
        ORDERS_PATH,
        &query_string(&[
            ("tenant", query.tenant.trim()),
            ("number", &number),
            ("email", query.email.trim()),
            ("phone", query.phone.trim()),
            ("payment_id", query.payment_id.trim()),
        ]),
    )
}

/// `/api/admin/orders/{id}`.
pub fn order_path(id: &str) -> String {
    format!("{ORDERS_PATH}/{}", percent_encode(id))
}

/// `/api/admin/orders/{id}/refund`.
pub fn refund_path(id: &str) -> String {
    format!("{}/refund", order_path(id))
}

/// `/api/admin/queues/{name}/failed?offset=&limit=`.
pub fn failed_jobs_path(name: &str, offset: u32, limit: u32) -> String {
    let (offset, limit) = (offset.to_string(), limit.to_string());
    with_query(
        &format!("{QUEUES_PATH}/{}/failed", percent_encode(name)),
        &query_string(&[("offset", &offset), ("limit", &limit)]),
    )
}

/// `/api/admin/queues/{name}/jobs/{id}`.
pub fn job_path(name: &str, id: &str) -> String {
    format!(
        "{QUEUES_PATH}/{}/jobs/{}",
        percent_encode(name),
        percent_encode(id)
    )
}

/// `/api/admin/queues/{name}/jobs/{id}/retry`.
pub fn job_retry_path(name: &str, id: &str) -> String {
    format!("{}/retry", job_path(name, id))
}

/// `/api/admin/queues/{name}/{action}` (`pause`, `resume`, `retry-failed`).
pub fn queue_action_path(name: &str, action: &str) -> String {
    format!("{QUEUES_PATH}/{}/{action}", percent_encode(name))
}

/// What the audit log asks for; empty filters are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this store's rows (its id).
    pub tenant: String,
    /// Only this staff member's rows (email).
    pub staff: String,
    /// Only actions starting with this, e.g. `tenant.`.
    pub action: String,
    /// Only rows older than this id (the next page).
    pub before: Option<i64>,
    /// At most this many.
    pub limit: u32,
}

/// `GET /api/admin/audit?tenant=&staff=&action=&before=&limit=`.
pub fn audit_path(query: &AuditQuery) -> String {
    let before = query.before.map(|id| id.to_string()).unwrap_or_default();
    let limit = query.limit.to_string();
    with_query(
        AUDIT_PATH,
        &query_string(&[
            ("tenant", query.tenant.trim()),
            ("staff", query.staff.trim()),
            ("action", query.action.trim()),
            ("before", &before),
            ("limit", &limit),
        ]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_list_asks_for_its_page() {
        let query = TenantQuery {
            q: " chai corner ".into(),
            status: "suspended".into(),
            limit: 50,
            offset: 100,
        };
        assert_eq!(
            tenants_path(&query),
            "/api/admin/tenants?q=chai%20corner&status=suspended&limit=50&offset=100"
        );
        let all = TenantQuery {
            limit: 200,
            ..TenantQuery::default()
        };
        assert_eq!(tenants_path(&all), "/api/admin/tenants?limit=200&offset=0");
        assert_eq!(tenant_path("abc-1"), "/api/admin/tenants/abc-1");
        assert_eq!(tenant_status_path("abc-1"), "/api/admin/tenants/abc-1/status");
        assert_eq!(
            domain_recheck_path("abc-1", "shop.chai.in"),
            "/api/admin/tenants/abc-1/domains/shop.chai.in/recheck"
        );
    }

    #[test]
    fn analytics_names_the_range_the_offset_and_maybe_a_store() {
        let platform = AnalyticsQuery {
            from: "2026-04-04".into(),
            to: "2026-05-03".into(),
            utc_offset_minutes: 330,
            tenant: String::new(),
        };
        assert_eq!(
            analytics_path(&platform),
            "/api/admin/analytics?from=2026-04-04&to=2026-05-03&utc_offset_minutes=330"
        );
        let store = AnalyticsQuery {
            utc_offset_minutes: -300,
            tenant: "0b6f6c1e-8d7a-4c1e-9a51-3f2d1c0e9b7a".into(),
            ..platform
        };
        assert_eq!(
            analytics_path(&store),
            "/api/admin/analytics?from=2026-04-04&to=2026-05-03&utc_offset_minutes=-300\
             &tenant=0b6f6c1e-8d7a-4c1e-9a51-3f2d1c0e9b7a"
        );
    }

    #[test]
    fn the_order_search_leaves_out_empty_fields() {
        let query = OrderQuery {
            tenant: "t-1".into(),
            number: Some(1042),
            email: " asha@example.in ".into(),
            ..OrderQuery::default()
        };
        assert_eq!(
            orders_path(&query),
            "/api/admin/orders?tenant=t-1&number=1042&email=asha%40example.in"
        );
        let by_payment = OrderQuery {
            payment_id: "pay_123".into(),
            phone: "+91 98450".into(),
            ..OrderQuery::default()
        };
        assert_eq!(
            orders_path(&by_payment),
            "/api/admin/orders?phone=%2B91%2098450&payment_id=pay_123"
        );
        assert_eq!(order_path("o-1"), "/api/admin/orders/o-1");
        assert_eq!(refund_path("o-1"), "/api/admin/orders/o-1/refund");
    }

    #[test]
    fn an_order_search_needs_something_to_find_it_by() {
        let empty = OrderQuery::default();
        assert!(empty.problem().unwrap().starts_with("Fill in at least one"));
        let store_only = OrderQuery {
            tenant: "t".into(),
            ..OrderQuery::default()
        };
        assert!(store_only.problem().is_some());
        let number_only = OrderQuery {
            number: Some(3),
            ..OrderQuery::default()
        };
        assert_eq!(
            number_only.problem(),
            Some("Order numbers are per store: choose the store too.")
        );
        let number_in_store = OrderQuery {
            number: Some(3),
            tenant: "t".into(),
            ..OrderQuery::default()
        };
        assert_eq!(number_in_store.problem(), None);
        let short_phone = OrderQuery {
            phone: "98-4".into(),
            ..OrderQuery::default()
        };
        assert!(short_phone.problem().unwrap().contains("4 digits"));
        let phone = OrderQuery {
            phone: "12345".into(),
            ..OrderQuery::default()
        };
        assert_eq!(phone.problem(), None);
        let email = OrderQuery {
            email: "a@b.co".into(),
            ..OrderQuery::default()
        };
        assert_eq!(email.problem(), None);
    }

    #[test]
    fn queue_paths_escape_names_and_ids() {
        assert_eq!(
            failed_jobs_path("STORE_EVENTS", 50, 50),
            "/api/admin/queues/STORE_EVENTS/failed?offset=50&limit=50"
        );
        assert_eq!(
            job_retry_path("emails", "job 1/2"),
            "/api/admin/queues/emails/jobs/job%201%2F2/retry"
        );
        assert_eq!(job_path("emails", "42"), "/api/admin/queues/emails/jobs/42");
        assert_eq!(
            queue_action_path("alerts", "retry-failed"),
            "/api/admin/queues/alerts/retry-failed"
        );
    }

    #[test]
    fn the_audit_log_pages_with_before() {
        let first = AuditQuery {
            staff: "ops@zelly.in".into(),
            action: "tenant.".into(),
            limit: 50,
            ..AuditQuery::default()
        };
        assert_eq!(
            audit_path(&first),
            "/api/admin/audit?staff=ops%40zelly.in&action=tenant.&limit=50"
        );
        let older = AuditQuery {
            tenant: "t-1".into(),
            before: Some(981),
            limit: 50,
            ..AuditQuery::default()
        };
        assert_eq!(
            audit_path(&older),
            "/api/admin/audit?tenant=t-1&before=981&limit=50"
        );
    }

    #[test]
    fn the_phase_follows_the_token_and_the_restore() {
        assert_eq!(phase_of(None, &Restore::Pending), Phase::Restoring);
        assert_eq!(phase_of(None, &Restore::Done), Phase::SignedOut);
        assert_eq!(
            phase_of(None, &Restore::Failed("down".into())),
            Phase::Unreachable("down".into())
        );
        assert_eq!(phase_of(Some(true), &Restore::Pending), Phase::Enrolling);
        assert_eq!(phase_of(Some(false), &Restore::Done), Phase::Ready);
    }

    #[test]
    fn a_token_is_refreshed_a_little_early() {
        assert!(is_fresh(100_000, 0.0));
        assert!(is_fresh(100_000, 69_999.0));
        assert!(!is_fresh(100_000, 70_000.0));
        assert!(!is_fresh(0, 0.0));
    }

    fn failure(status: Option<u16>, detail: Option<&str>) -> Failure {
        Failure {
            status,
            detail: detail.map(str::to_owned),
            fields: FieldErrors::new(),
            message: "The Zelly API at http://x answered.".into(),
        }
    }

    #[test]
    fn sign_in_failures_read_as_sentences() {
        assert_eq!(
            sign_in_error(&failure(Some(401), Some("wrong email or password"))),
            "Wrong email or password."
        );
        assert_eq!(
            sign_in_error(&failure(Some(401), Some("code: this authenticator code is needed"))),
            "This authenticator code is needed."
        );
        assert_eq!(
            sign_in_error(&failure(Some(401), None)),
            "That email, password or authenticator code is not right."
        );
        assert_eq!(
            sign_in_error(&failure(Some(429), Some("slow down"))),
            "Too many sign-in attempts. Wait a few minutes, then try again."
        );
        assert_eq!(
            sign_in_error(&failure(None, None)),
            "The Zelly API at http://x answered."
        );
        assert!(sign_in_error(&failure(Some(500), None)).starts_with("Signing in did not work."));
    }

    #[test]
    fn staff_read_the_apis_words_when_there_are_some() {
        assert_eq!(
            failure(Some(503), Some("payments are not configured")).said(),
            "Payments are not configured."
        );
        assert_eq!(
            failure(Some(502), None).said(),
            "The Zelly API at http://x answered."
        );
        assert!(failure(Some(401), None).is_unauthorized());
        assert!(failure(Some(404), None).is_not_found());
        assert!(!failure(Some(422), None).has_fields());
        let mut refused = failure(Some(422), Some("some fields are invalid"));
        refused.fields.insert("slug".into(), "is taken; choose another".into());
        assert!(refused.has_fields());
    }
}
