//! Signing in with Firebase Authentication's REST API, and keeping the ID token for the tab.
//!
//! `POST {auth_base}/v1/accounts:signInWithPassword?key={api_key}` answers the same way from the dev
//! issuer (`http://localhost:9099`) and from Google (`https://identitytoolkit.googleapis.com`): an
//! `idToken` valid for `expiresIn` seconds, or HTTP 400 with `{"error":{"message":"INVALID_…"}}`,
//! which [`friendly_sign_in_error`] turns into a sentence. Creating an account,
//! `POST {auth_base}/v1/accounts:signUp?key={api_key}` ([`sign_up_with_password`]), answers the
//! same way, its errors (`EMAIL_EXISTS`, `WEAK_PASSWORD`) put in words by
//! [`friendly_sign_up_error`].
//!
//! The token is kept in `window.sessionStorage` ([`store_session`]), so a reload keeps the person
//! signed in while closing the tab signs them out.

use crate::api::percent_encode;
use gloo_net::http::Request;
use serde::{Deserialize, Serialize};

/// Name of the `<meta>` tag holding the Firebase Auth REST base URL.
pub const AUTH_BASE_META: &str = "zelly-auth-base";
/// Name of the `<meta>` tag holding the Firebase Web API key.
pub const API_KEY_META: &str = "zelly-firebase-api-key";
/// The dev issuer, used when the page names none.
pub const DEFAULT_AUTH_BASE: &str = "http://localhost:9099";
/// The API key the dev issuer accepts, used when the page names none.
pub const DEFAULT_API_KEY: &str = "dev";
/// A token is treated as expired this long before it really expires, so that a call never leaves
/// with a token that runs out on the way.
pub const EXPIRY_MARGIN_MS: f64 = 30_000.0;

/// A signed-in person: the ID token to send as `Authorization: Bearer …` and until when it is good.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthSession {
    /// The Firebase ID token.
    pub id_token: String,
    /// When the token expires, in milliseconds since the Unix epoch.
    pub expires_at_ms: f64,
    /// The email the person signed in with.
    pub email: String,
}

impl AuthSession {
    /// Whether the token is still good at `now_ms` (with [`EXPIRY_MARGIN_MS`] to spare).
    pub fn is_valid_at(&self, now_ms: f64) -> bool {
        !self.id_token.is_empty() && now_ms + EXPIRY_MARGIN_MS < self.expires_at_ms
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignInBody<'a> {
    email: &'a str,
    password: &'a str,
    return_secure_token: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInAnswer {
    id_token: String,
    expires_in: String,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Deserialize)]
struct FirebaseErrorBody {
    error: FirebaseError,
}

#[derive(Deserialize)]
struct FirebaseError {
    #[serde(default)]
    message: String,
}

/// Signs in with email and password; `Err` is a sentence to show under the form.
pub async fn sign_in_with_password(
    auth_base: &str,
    api_key: &str,
    email: &str,
    password: &str,
) -> Result<AuthSession, String> {
    password_call(auth_base, "signInWithPassword", api_key, email, password)
        .await
        .map_err(|code| friendly_sign_in_error(&code))
}

/// Creates an account with email and password, signed in at once; `Err` is a sentence to show
/// under the form.
pub async fn sign_up_with_password(
    auth_base: &str,
    api_key: &str,
    email: &str,
    password: &str,
) -> Result<AuthSession, String> {
    password_call(auth_base, "signUp", api_key, email, password)
        .await
        .map_err(|code| friendly_sign_up_error(&code))
}

/// `POST {auth_base}/v1/accounts:{method}` with an email and password, both methods answering
/// an ID token; `Err` is Firebase's error code, or a sentence when no code came back.
async fn password_call(
    auth_base: &str,
    method: &str,
    api_key: &str,
    email: &str,
    password: &str,
) -> Result<AuthSession, String> {
    let url = format!(
        "{auth_base}/v1/accounts:{method}?key={}",
        percent_encode(api_key)
    );
    let body = SignInBody {
        email,
        password,
        return_secure_token: true,
    };
    let request = Request::post(&url)
        .json(&body)
        .map_err(|error| error.to_string())?;
    let response = request
        .send()
        .await
        .map_err(|error| format!("Could not reach the sign-in service at {auth_base}: {error}"))?;
    if !response.ok() {
        let code = response
            .json::<FirebaseErrorBody>()
            .await
            .map(|body| body.error.message)
            .unwrap_or_default();
        return Err(code);
    }
    let answer = response.json::<SignInAnswer>().await.map_err(|error| {
        format!("The sign-in service sent an answer this page could not read: {error}")
    })?;
    let lifetime_s = answer.expires_in.trim().parse::<f64>().unwrap_or(3600.0);
    Ok(AuthSession {
        id_token: answer.id_token,
        expires_at_ms: now_ms() + lifetime_s * 1000.0,
        email: answer.email.unwrap_or_else(|| email.to_owned()),
    })
}

/// The sentence for a Firebase sign-up error code such as `EMAIL_EXISTS` or
/// `WEAK_PASSWORD : Password should be at least 6 characters`.
pub fn friendly_sign_up_error(code: &str) -> String {
    match code.split(':').next().unwrap_or_default().trim() {
        "EMAIL_EXISTS" => {
            "An account with this email already exists. Sign in instead.".to_owned()
        }
        "WEAK_PASSWORD" => "Choose a password of at least 6 characters.".to_owned(),
        "OPERATION_NOT_ALLOWED" | "ADMIN_ONLY_OPERATION" => {
            "New accounts cannot be created here. Contact Zelly support.".to_owned()
        }
        "TOO_MANY_ATTEMPTS_TRY_LATER" => {
            "Too many attempts. Wait a few minutes, then try again.".to_owned()
        }
        "" => "Your account could not be created. Please try again.".to_owned(),
        _ => friendly_sign_in_error(code),
    }
}

/// The sentence for a Firebase sign-in error code such as `INVALID_LOGIN_CREDENTIALS` (Firebase may
/// add ` : details` after the code); a sentence already (no answer came) is kept as it is.
pub fn friendly_sign_in_error(raw: &str) -> String {
    let code = raw.split(':').next().unwrap_or_default().trim();
    match code {
        "INVALID_LOGIN_CREDENTIALS" | "EMAIL_NOT_FOUND" | "INVALID_PASSWORD" => {
            "That email and password don’t match an account. Check them and try again."
        }
        "TOO_MANY_ATTEMPTS_TRY_LATER" => {
            "Too many sign-in attempts. Wait a few minutes, then try again."
        }
        "USER_DISABLED" => "This account has been disabled. Contact Zelly support.",
        "INVALID_EMAIL" => "Enter a valid email address.",
        "MISSING_PASSWORD" => "Enter your password.",
        "MISSING_EMAIL" => "Enter your email address.",
        // Not a code: a sentence of this module's own (the service could not be reached).
        _ if code.contains(' ') => return raw.to_owned(),
        _ => "Sign-in failed. Please try again.",
    }
    .to_owned()
}

/// Milliseconds since the Unix epoch (the browser's clock; 0 outside a browser).
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Keeps `session` in `sessionStorage` under keys starting with `prefix`.
pub fn store_session(prefix: &str, session: &AuthSession) {
    if let Some(storage) = session_storage() {
        let _ = storage.set_item(&format!("{prefix}.token"), &session.id_token);
        let _ = storage.set_item(
            &format!("{prefix}.expires_at_ms"),
            &session.expires_at_ms.to_string(),
        );
        let _ = storage.set_item(&format!("{prefix}.email"), &session.email);
    }
}

/// The session kept under `prefix`, if there is one and its token is still good.
pub fn load_session(prefix: &str) -> Option<AuthSession> {
    let storage = session_storage()?;
    let get = |name: &str| storage.get_item(&format!("{prefix}.{name}")).ok().flatten();
    let session = AuthSession {
        id_token: get("token")?,
        expires_at_ms: get("expires_at_ms")?.parse().ok()?,
        email: get("email").unwrap_or_default(),
    };
    session.is_valid_at(now_ms()).then_some(session)
}

/// Forgets the session kept under `prefix`.
pub fn clear_session(prefix: &str) {
    if let Some(storage) = session_storage() {
        for name in ["token", "expires_at_ms", "email"] {
            let _ = storage.remove_item(&format!("{prefix}.{name}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn firebase_codes_become_sentences() {
        for code in [
            "INVALID_LOGIN_CREDENTIALS",
            "EMAIL_NOT_FOUND",
            "INVALID_PASSWORD",
        ] {
            assert_eq!(
                friendly_sign_in_error(code),
                "That email and password don’t match an account. Check them and try again."
            );
        }
        assert_eq!(
            friendly_sign_in_error(
                "TOO_MANY_ATTEMPTS_TRY_LATER : Access to this account has been temporarily disabled"
            ),
            "Too many sign-in attempts. Wait a few minutes, then try again."
        );
        assert_eq!(
            friendly_sign_in_error(""),
            "Sign-in failed. Please try again."
        );
    }

    #[test]
    fn sign_up_codes_become_sentences() {
        assert_eq!(
            friendly_sign_up_error("EMAIL_EXISTS"),
            "An account with this email already exists. Sign in instead."
        );
        assert_eq!(
            friendly_sign_up_error("WEAK_PASSWORD : Password should be at least 6 characters"),
            "Choose a password of at least 6 characters."
        );
        assert_eq!(
            friendly_sign_up_error("INVALID_EMAIL"),
            "Enter a valid email address."
        );
        assert_eq!(
            friendly_sign_up_error(""),
            "Your account could not be created. Please try again."
        );
    }

    #[test]
    fn a_sentence_about_an_unreachable_service_is_kept() {
        let sentence = "Could not reach the sign-in service at http://x: TypeError";
        assert_eq!(friendly_sign_in_error(sentence), sentence);
    }

    #[test]
    fn a_token_is_expired_a_little_early() {
        let session = AuthSession {
            id_token: "t".into(),
            expires_at_ms: 100_000.0,
            email: String::new(),
        };
        assert!(session.is_valid_at(0.0));
        assert!(session.is_valid_at(69_999.0));
        assert!(!session.is_valid_at(70_000.0));
        assert!(
            !AuthSession {
                id_token: String::new(),
                ..session
            }
            .is_valid_at(0.0)
        );
    }
}
