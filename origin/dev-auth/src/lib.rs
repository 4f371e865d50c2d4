//! dev-auth: a **development-only** stand-in for Firebase Auth, on port 9099 like the Firebase
//! Auth emulator. `cargo xtask dev` and tests sign merchants in through it.
//!
//! It speaks Google's protocol, so the seller UI and core-api run the same code in development and
//! production:
//! - `POST /v1/accounts:signInWithPassword` signs an account in, as the Firebase Auth REST API
//!   does, and answers an ID token with exactly Firebase's claims;
//! - `POST /v1/accounts:signUp` creates an account with an email and password and signs it in
//!   (Firebase's errors too: `EMAIL_EXISTS`, `WEAK_PASSWORD`, `INVALID_EMAIL`). Accounts created
//!   this way live in memory beside the configured ones and die with the process;
//! - `GET /robot/v1/metadata/x509/securetoken@system.gserviceaccount.com` serves the signing
//!   certificate in the shape Google serves its own;
//! - `GET /health`.
//!
//! Its key pair is generated at start-up and lives only in memory: tokens die with the process.
//!
//! **Trust.** A production verifier ([`zelly_auth::FirebaseVerifier`]) fetches Google's
//! certificates and never trusts this issuer. It trusts dev-auth only when told to, by pointing
//! `FIREBASE_CERTS_URL` at [`CERTS_PATH`] on this server, which only development setups do; the
//! verifier logs a warning whenever its certificates are not Google's.
//!
//! Configuration (environment): `PORT` (9099), `BIND` (127.0.0.1), `FIREBASE_PROJECT_ID`
//! (`zelly-dev`) and `DEV_AUTH_USERS`, a comma-separated list of `email:password:uid` accounts
//! (default [`DEFAULT_USERS`]).

use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;
use zelly_auth::dev::DevIssuer;
use zelly_edge::Secret;
use zelly_edge::dto::Health;

/// Where Google serves the Firebase ID token certificates; dev-auth serves its own at the same path.
pub const CERTS_PATH: &str = "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com";
/// The Firebase Auth REST sign-in path.
pub const SIGN_IN_PATH: &str = "/v1/accounts:signInWithPassword";
/// The Firebase Auth REST sign-up path.
pub const SIGN_UP_PATH: &str = "/v1/accounts:signUp";
/// Firebase's shortest password.
pub const MIN_PASSWORD_LEN: usize = 6;
/// Most accounts sign-up creates in one run: a cap on the memory a script can make it hold.
pub const MAX_CREATED_ACCOUNTS: usize = 10_000;
/// The demo merchant of `cargo xtask dev`.
pub const DEFAULT_USERS: &str =
    "merchant@demo.localhost:demo-password:demo-merchant,merchant@chai.localhost:demo-password:chai-merchant";
/// Lifetime of an ID token, as Firebase's.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);
/// `Cache-Control` of the certificate map: an hour, so verifiers do refetch.
const CERTS_CACHE_CONTROL: &str = "public, max-age=3600";

/// One account that can sign in.
#[derive(Clone, PartialEq, Eq)]
pub struct DevUser {
    /// Sign-in email, compared case-insensitively.
    pub email: String,
    /// Password.
    pub password: Secret,
    /// Firebase uid: the token's `sub`.
    pub uid: String,
}

impl fmt::Debug for DevUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevUser").field("email", &self.email).field("uid", &self.uid).finish_non_exhaustive()
    }
}

/// Parses `DEV_AUTH_USERS`: `email:password:uid` entries separated by `,`. The password is
/// everything between the first and the last `:`, so it may itself contain `:`.
pub fn parse_users(raw: &str) -> Result<Vec<DevUser>, String> {
    let users = raw
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .enumerate()
        .map(|(index, entry)| {
            // Name the entry by position: its text may hold a password.
            let bad = || format!("DEV_AUTH_USERS: account {} is not email:password:uid", index + 1);
            let (email, rest) = entry.split_once(':').ok_or_else(bad)?;
            let (password, uid) = rest.rsplit_once(':').ok_or_else(bad)?;
            if !email.contains('@') || password.is_empty() {
                return Err(bad());
            }
            if uid.is_empty() || uid.chars().count() > zelly_auth::MAX_UID_LEN {
                return Err(format!("DEV_AUTH_USERS: the uid of {email} must be 1 to 128 characters"));
            }
            Ok(DevUser { email: email.to_owned(), password: Secret::new(password), uid: uid.to_owned() })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if users.is_empty() {
        return Err("DEV_AUTH_USERS lists no account".into());
    }
    Ok(users)
}

/// Everything dev-auth reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// `BIND` (default 127.0.0.1) and `PORT` (default 9099).
    pub listen: SocketAddr,
    /// `FIREBASE_PROJECT_ID` (default `zelly-dev`): the tokens' `aud`.
    pub project_id: String,
    /// `DEV_AUTH_USERS` (default [`DEFAULT_USERS`]).
    pub users: Vec<DevUser>,
}

impl Config {
    /// Reads the process environment, failing with a message naming the offending variable.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`Config::from_env`], reading variables through `get`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let bind: IpAddr = match get("BIND") {
            Some(raw) => raw.trim().parse().map_err(|_| format!("BIND must be an IP address, got {raw:?}"))?,
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let port = match get("PORT") {
            Some(raw) => raw.trim().parse().map_err(|_| format!("PORT must be a port number, got {raw:?}"))?,
            None => 9099,
        };
        let project_id = get("FIREBASE_PROJECT_ID").map_or_else(|| "zelly-dev".to_owned(), |p| p.trim().to_owned());
        let users = parse_users(get("DEV_AUTH_USERS").as_deref().unwrap_or(DEFAULT_USERS))?;
        Ok(Self { listen: SocketAddr::new(bind, port), project_id, users })
    }
}

/// Shared state of the handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    issuer: Arc<DevIssuer>,
    project_id: Arc<str>,
    /// The configured accounts, then those sign-up created (in memory only).
    users: Arc<RwLock<Vec<DevUser>>>,
    /// How many of `users` are configured; the rest were created at runtime.
    configured: usize,
}

impl AppState {
    /// State signing tokens for `project_id` with `issuer`, for these accounts.
    pub fn new(issuer: Arc<DevIssuer>, project_id: &str, users: Vec<DevUser>) -> Self {
        let configured = users.len();
        Self { issuer, project_id: project_id.into(), users: Arc::new(RwLock::new(users)), configured }
    }

    /// The account whose email (any case) and password these are.
    fn find(&self, email: &str, password: &str) -> Option<DevUser> {
        let users = self.users.read().unwrap_or_else(PoisonError::into_inner);
        users
            .iter()
            .find(|u| {
                u.email.eq_ignore_ascii_case(email)
                    && zelly_service::constant_time_eq(u.password.expose().as_bytes(), password.as_bytes())
            })
            .cloned()
    }

    /// Adds an account with a fresh random uid, unless the email (any case) has one already.
    fn create(&self, email: &str, password: &str) -> Result<DevUser, &'static str> {
        let mut users = self.users.write().unwrap_or_else(PoisonError::into_inner);
        if users.iter().any(|u| u.email.eq_ignore_ascii_case(email)) {
            return Err("EMAIL_EXISTS");
        }
        if users.len() - self.configured >= MAX_CREATED_ACCOUNTS {
            return Err("TOO_MANY_ATTEMPTS_TRY_LATER");
        }
        // Firebase stores emails in lower case; its uids are 28 random characters.
        let user = DevUser { email: email.to_ascii_lowercase(), password: Secret::new(password), uid: random_hex(14) };
        users.push(user.clone());
        Ok(user)
    }
}

/// The router: certificates, sign-in and health, with CORS open to any origin (browser apps on
/// other ports call it; nothing here rides on cookies).
pub fn app(state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(Any)
        .max_age(Duration::from_secs(600));
    Router::new()
        .route(CERTS_PATH, get(certs))
        .route(SIGN_IN_PATH, post(sign_in))
        .route(SIGN_UP_PATH, post(sign_up))
        .route("/health", get(health))
        .with_state(state)
        .layer(cors)
        .layer(TraceLayer::new_for_http())
}

/// Generates the signing key, warns that this is a development issuer, and serves until shutdown.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let issuer = tokio::task::spawn_blocking(DevIssuer::generate).await??;
    tracing::warn!(
        project = %config.project_id,
        kid = issuer.kid(),
        accounts = config.users.len(),
        "DEV-AUTH IS A DEVELOPMENT TOKEN ISSUER: anyone who can reach it can sign in as its accounts. \
         Verifiers trust it only when FIREBASE_CERTS_URL points at its {CERTS_PATH}; never do that in production."
    );
    let state = AppState::new(Arc::new(issuer), &config.project_id, config.users);
    zelly_service::serve("dev-auth", config.listen, app(state)).await?;
    Ok(())
}

/// `GET` the certificate map, shaped and cached like Google's.
async fn certs(State(state): State<AppState>) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json; charset=UTF-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static(CERTS_CACHE_CONTROL)),
        ],
        state.issuer.cert_map_json(),
    )
        .into_response()
}

/// The Firebase Auth REST sign-in request body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInRequest {
    email: Option<String>,
    password: Option<String>,
}

/// The Firebase Auth REST sign-in answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignInResponse {
    kind: &'static str,
    local_id: String,
    email: String,
    display_name: String,
    id_token: String,
    registered: bool,
    refresh_token: String,
    expires_in: String,
}

/// `POST /v1/accounts:signInWithPassword?key=…`: the API key is ignored. Wrong password and
/// unknown email get the same answer, as Firebase does with email enumeration protection on.
#[tracing::instrument(skip_all)]
async fn sign_in(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<SignInRequest>(&body) else {
        return firebase_error("INVALID_ARGUMENT");
    };
    let Some(email) = request.email.filter(|e| !e.trim().is_empty()) else {
        return firebase_error("INVALID_EMAIL");
    };
    let Some(password) = request.password.filter(|p| !p.is_empty()) else {
        return firebase_error("MISSING_PASSWORD");
    };
    let Some(user) = state.find(email.trim(), &password) else {
        tracing::info!("sign-in refused");
        return firebase_error("INVALID_LOGIN_CREDENTIALS");
    };
    let Some(id_token) = sign_id_token(&state, &user).await else {
        return internal_error();
    };
    tracing::info!(uid = %user.uid, "signed in");
    Json(SignInResponse {
        kind: "identitytoolkit#VerifyPasswordResponse",
        local_id: user.uid,
        email: user.email,
        display_name: String::new(),
        id_token,
        registered: true,
        // Opaque and not redeemable: dev-auth has no token refresh; sign in again after an hour.
        refresh_token: random_hex(32),
        expires_in: TOKEN_LIFETIME.as_secs().to_string(),
    })
    .into_response()
}

/// The Firebase Auth REST sign-up answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignUpResponse {
    kind: &'static str,
    local_id: String,
    email: String,
    id_token: String,
    refresh_token: String,
    expires_in: String,
}

/// `POST /v1/accounts:signUp?key=…`: creates an account with `{email, password}` and signs it in,
/// as Firebase does (the API key is ignored).
#[tracing::instrument(skip_all)]
async fn sign_up(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<SignInRequest>(&body) else {
        return firebase_error("INVALID_ARGUMENT");
    };
    let email = request.email.unwrap_or_default();
    let email = email.trim();
    if email.is_empty() {
        return firebase_error("MISSING_EMAIL");
    }
    if !zelly_edge::team::is_email(&email.to_ascii_lowercase()) {
        return firebase_error("INVALID_EMAIL");
    }
    let Some(password) = request.password.filter(|p| !p.is_empty()) else {
        return firebase_error("MISSING_PASSWORD");
    };
    if password.chars().count() < MIN_PASSWORD_LEN {
        return firebase_error("WEAK_PASSWORD : Password should be at least 6 characters");
    }
    let user = match state.create(email, &password) {
        Ok(user) => user,
        Err(code) => {
            tracing::info!(code, "sign-up refused");
            return firebase_error(code);
        }
    };
    let Some(id_token) = sign_id_token(&state, &user).await else {
        return internal_error();
    };
    tracing::info!(uid = %user.uid, "account created");
    Json(SignUpResponse {
        kind: "identitytoolkit#SignupNewUserResponse",
        local_id: user.uid,
        email: user.email,
        id_token,
        refresh_token: random_hex(32),
        expires_in: TOKEN_LIFETIME.as_secs().to_string(),
    })
    .into_response()
}

/// An ID token for `user`, or `None` if the signing task died.
async fn sign_id_token(state: &AppState, user: &DevUser) -> Option<String> {
    let issuer = state.issuer.clone();
    let (project, uid, email) = (state.project_id.clone(), user.uid.clone(), user.email.clone());
    // RSA signing is CPU work: keep it off the async workers.
    tokio::task::spawn_blocking(move || issuer.sign_id_token(&project, &uid, &email, TOKEN_LIFETIME)).await.ok()
}

fn internal_error() -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": {"code": 500, "message": "INTERNAL"}}))).into_response()
}

/// Firebase Auth REST's error body: these endpoints mimic Google's, so they keep Google's error
/// shape rather than Zelly's, and the Firebase client code is the same in dev and prod.
fn firebase_error(message: &'static str) -> Response {
    let body = json!({
        "error": {
            "code": 400,
            "message": message,
            "errors": [{ "message": message, "domain": "global", "reason": "invalid" }],
        }
    });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// Liveness.
async fn health() -> Json<Health> {
    Json(Health { status: "ok".into(), service: "dev-auth".into() })
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The refresh token is decorative (see above); a failing random source is not worth a 500.
    let _ = getrandom::fill(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn the_default_accounts_are_the_two_demo_merchants() {
        let users = parse_users(DEFAULT_USERS).unwrap_or_default();
        assert_eq!(users.len(), 2);
        assert_eq!(users[0].email, "merchant@demo.localhost");
        assert_eq!(users[0].password.expose(), "demo-password");
        assert_eq!(users[0].uid, "demo-merchant");
        assert_eq!((users[1].email.as_str(), users[1].uid.as_str()), ("merchant@chai.localhost", "chai-merchant"));
    }

    #[test]
    fn several_accounts_are_separated_by_commas_and_passwords_may_contain_colons() {
        let users = parse_users(" a@x.example:pw:uid-a , b@x.example:p:w:d:uid-b").unwrap_or_default();
        assert_eq!(users.len(), 2);
        assert_eq!(users[1].password.expose(), "p:w:d");
        assert_eq!(users[1].uid, "uid-b");
    }

    #[test]
    fn an_entry_without_a_uid_is_an_error_naming_the_variable() {
        let err = parse_users("a@x.example:pw").expect_err("must fail");
        assert!(err.contains("DEV_AUTH_USERS"), "{err}");
        assert!(!err.contains("pw"), "the error must not echo the password: {err}");
    }

    #[test]
    fn debug_output_of_an_account_hides_its_password() {
        let users = parse_users("a@x.example:hunter2:uid-a").unwrap_or_default();
        assert!(!format!("{users:?}").contains("hunter2"));
    }

    #[test]
    fn the_defaults_are_the_emulators_port_on_loopback_and_project_zelly_dev() {
        let config = Config::from_lookup(|_| None).expect("defaults are valid");
        assert_eq!(config.listen, SocketAddr::from(([127, 0, 0, 1], 9099)));
        assert_eq!(config.project_id, "zelly-dev");
    }

    #[test]
    fn a_bad_port_is_an_error_naming_the_variable() {
        let vars: HashMap<&str, &str> = [("PORT", "ninety")].into();
        let err = Config::from_lookup(|k| vars.get(k).map(|v| v.to_string())).expect_err("must fail");
        assert!(err.contains("PORT"), "{err}");
    }
}
