//! Shoppers' accounts (customer-auth, the seed's customer-panel-neptune): what a customer is and
//! what the account API takes.
//!
//! A customer belongs to one store, as on Shopify: the same email at two stores is two accounts.
//! Inputs validate themselves so the API answers 422 with every bad field named.

use crate::catalog::{FieldErrors, check};
use crate::orders::{AddressStatus, ShippingAddress};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted (longer ones only cost hashing time).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Longest name kept.
pub const MAX_NAME_CHARS: usize = 100;
/// How long an email verification link works: a day.
pub const VERIFY_EMAIL_LIFETIME_MS: i64 = 24 * 60 * 60 * 1000;
/// How long a password reset link works: an hour.
pub const RESET_PASSWORD_LIFETIME_MS: i64 = 60 * 60 * 1000;
/// A session ends after this long without a request: thirty days.
pub const SESSION_IDLE_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// A session ends this long after sign-in whatever happens: ninety days.
pub const SESSION_LIFETIME_MS: i64 = 90 * 24 * 60 * 60 * 1000;

/// A store's customer, as the account pages and the merchant see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// Its id.
    pub id: Uuid,
    /// The address they sign in with (lower case).
    pub email: String,
    /// Their name, as they gave it (may be empty).
    pub name: String,
    /// Whether they proved the address by following the emailed link.
    pub email_verified: bool,
    /// When the account was opened (ms since the epoch).
    pub created_at_ms: i64,
}

/// `POST …/accounts`: open an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignUpInput {
    /// Their email address.
    pub email: String,
    /// 8-128 characters.
    pub password: String,
    /// Their name (optional, up to 100 characters).
    #[serde(default)]
    pub name: String,
}

impl SignUpInput {
    /// Checks every field; the email in lower case and the trimmed name when all are good.
    pub fn validate(&self) -> Result<(String, String), FieldErrors> {
        let mut e = FieldErrors::new();
        let email = normalize_email(&self.email);
        check(&mut e, crate::team::is_email(&email), "email", "must be an email address like name@example.com");
        check_password(&mut e, "password", &self.password);
        let name = self.name.trim();
        check(&mut e, name.chars().count() <= MAX_NAME_CHARS && !has_control(name), "name", "must be at most 100 characters");
        if e.is_empty() { Ok((email, name.to_owned())) } else { Err(e) }
    }
}

/// `POST …/sessions`: sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignInInput {
    /// Their email address.
    pub email: String,
    /// Their password.
    pub password: String,
}

/// `POST …/password-resets`: ask for a reset link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResetRequestInput {
    /// The account's email address.
    pub email: String,
}

/// `POST …/password-resets/complete` and `POST …/email-verifications`: a token from an emailed
/// link, and for a reset the new password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TokenInput {
    /// The secret from the link.
    pub token: String,
    /// The new password (resets only; 8-128 characters).
    #[serde(default)]
    pub password: Option<String>,
}

/// `PUT …/me`: change one's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// Up to 100 characters.
    pub name: String,
}

impl ProfileInput {
    /// The trimmed name, or the field's error.
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = self.name.trim();
        check(&mut e, name.chars().count() <= MAX_NAME_CHARS && !has_control(name), "name", "must be at most 100 characters");
        if e.is_empty() { Ok(name.to_owned()) } else { Err(e) }
    }
}

/// `POST …/me/password`: change one's password, proving the current one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordChangeInput {
    /// The password now.
    pub current_password: String,
    /// The new one (8-128 characters).
    pub new_password: String,
}

/// `POST …/me/email`: move the account to another address, proving the password; the new address
/// counts once its emailed link is followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmailChangeInput {
    /// The new address.
    pub email: String,
    /// The password now.
    pub password: String,
}

impl EmailChangeInput {
    /// The new address in lower case, or the field's error.
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::new();
        let email = normalize_email(&self.email);
        check(&mut e, crate::team::is_email(&email), "email", "must be an email address like name@example.com");
        if e.is_empty() { Ok(email) } else { Err(e) }
    }
}

/// The cookie holding a storefront domain's session with customer-auth (set by the storefront
/// host's `/account/callback`, read by checkout on the same domain).
pub const SESSION_COOKIE: &str = "__Host-zelly_session";

/// Whether `id` has the shape of a session id: 64 hex digits.
pub fn is_session_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The session id in a `Cookie` header, if it holds one of ours (see [`is_session_id`]).
pub fn session_from_cookies(cookies: Option<&str>) -> Option<&str> {
    crate::cart::cookie_value(cookies, SESSION_COOKIE).filter(|v| is_session_id(v))
}

/// Most addresses one account keeps.
pub const MAX_SAVED_ADDRESSES: usize = 20;

/// An address saved to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedAddress {
    /// Its id.
    pub id: Uuid,
    /// The address.
    pub address: ShippingAddress,
    /// Whether checkout starts from it. An account with addresses always has exactly one default.
    pub is_default: bool,
    /// What the address check made of it when it was saved.
    pub status: AddressStatus,
}

/// `POST …/me/addresses` and `PUT …/me/addresses/{id}`: an address to save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    /// The address.
    pub address: ShippingAddress,
    /// Make it the default (the first address saved is the default anyway).
    #[serde(default)]
    pub is_default: bool,
}

impl AddressInput {
    /// Checks every field, naming each bad one (`address.city`, …).
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::new();
        self.address.check_into(&mut e, "address.");
        if e.is_empty() { Ok(()) } else { Err(e) }
    }
}

/// What the address check answers about an address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressCheck {
    /// Verified, mismatch, or unverified when the address API could not say.
    pub status: AddressStatus,
    /// For a mismatch: what is wrong, in a shopper's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For a mismatch: the city the PIN code belongs to, when the API named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// For a mismatch: the state the PIN code belongs to, when the API named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

impl AddressCheck {
    /// The answer when the API could not be asked.
    pub fn unverified() -> Self {
        Self { status: AddressStatus::Unverified, message: None, city: None, state: None }
    }
}

/// A customer as the merchant sees them: the account, its saved addresses and its orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerDetail {
    /// The account.
    pub customer: Customer,
    /// Its saved addresses, the default first.
    pub addresses: Vec<SavedAddress>,
    /// Its orders, newest first (at most 50).
    pub orders: Vec<crate::orders::Order>,
}

/// An email address as accounts are keyed: trimmed and in lower case.
pub fn normalize_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// Adds `field`'s error unless `password` is 8-128 characters without control characters.
pub fn check_password(e: &mut FieldErrors, field: &str, password: &str) {
    let chars = password.chars().count();
    check(
        e,
        (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) && !has_control(password),
        field,
        "must be 8-128 characters",
    );
}

fn has_control(value: &str) -> bool {
    value.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_up_names_every_bad_field_and_keys_the_email_in_lower_case() {
        let input = SignUpInput { email: " Asha@Example.COM ".into(), password: "correct horse".into(), name: " Asha ".into() };
        assert_eq!(input.validate().unwrap(), ("asha@example.com".to_owned(), "Asha".to_owned()));
        let bad = SignUpInput { email: "asha".into(), password: "short".into(), name: "x\u{7}".into() };
        let errors = bad.validate().unwrap_err();
        assert_eq!(errors.keys().map(String::as_str).collect::<Vec<_>>(), ["email", "name", "password"]);
    }

    #[test]
    fn passwords_are_eight_to_one_hundred_twenty_eight_characters() {
        for (password, ok) in [("1234567", false), ("12345678", true), (&"é".repeat(128), true), (&"a".repeat(129), false), ("pass\nword", false)] {
            let mut e = FieldErrors::new();
            check_password(&mut e, "password", password);
            assert_eq!(e.is_empty(), ok, "{password:?}");
        }
    }
}
