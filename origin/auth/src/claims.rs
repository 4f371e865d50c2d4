//! The claims of a Firebase ID token: what a verified token tells about the merchant, and the
//! checks on them.

use crate::error::AuthError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a verified Firebase ID token says about the signed-in user. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirebaseClaims {
    /// The Firebase user id (`sub`).
    pub uid: String,
    /// The user's email, when the account has one.
    pub email: Option<String>,
    /// Whether Firebase has verified that email.
    pub email_verified: Option<bool>,
    /// The display name, when set.
    pub name: Option<String>,
    /// When the user last signed in (`auth_time`).
    pub auth_time: i64,
    /// When this token was issued (`iat`).
    pub iat: i64,
    /// When this token expires (`exp`).
    pub exp: i64,
}

/// The payload as sent, before any check: every field is optional and loosely typed so that a
/// wrong value gets its own error instead of a generic parse failure.
#[derive(Debug, Deserialize)]
pub(crate) struct RawClaims {
    aud: Option<Value>,
    iss: Option<Value>,
    sub: Option<Value>,
    exp: Option<Value>,
    iat: Option<Value>,
    auth_time: Option<Value>,
    email: Option<Value>,
    email_verified: Option<Value>,
    name: Option<Value>,
}

/// What the claims must match, and when "now" is.
pub(crate) struct Expectations<'a> {
    pub project_id: &'a str,
    pub issuer: &'a str,
    pub now: i64,
    pub max_uid_len: usize,
    pub leeway: i64,
}

impl RawClaims {
    /// Checks the claims in the Admin SDK's order (audience, issuer, subject, then times) and
    /// returns them typed.
    ///
    /// Leeway applies only to `iat` and `auth_time` ("not in the future"): accepting a token
    /// minted a few seconds ahead of our clock widens nothing, since `exp` still bounds its life.
    /// `exp` gets none, so an expired token is never accepted.
    pub(crate) fn check(self, expect: &Expectations<'_>) -> Result<FirebaseClaims, AuthError> {
        if self.aud.as_ref().and_then(Value::as_str) != Some(expect.project_id) {
            return Err(AuthError::WrongAudience);
        }
        if self.iss.as_ref().and_then(Value::as_str) != Some(expect.issuer) {
            return Err(AuthError::WrongIssuer);
        }
        let uid = match self.sub {
            // A uid with control characters (NUL) is no Firebase uid, and would reach the database.
            Some(Value::String(sub)) if !sub.is_empty() && sub.chars().count() <= expect.max_uid_len && !sub.chars().any(char::is_control) => sub,
            _ => return Err(AuthError::BadSubject),
        };
        let exp = numeric_date(self.exp.as_ref()).ok_or(AuthError::Malformed("exp must be a number"))?;
        let iat = numeric_date(self.iat.as_ref()).ok_or(AuthError::Malformed("iat must be a number"))?;
        let auth_time =
            numeric_date(self.auth_time.as_ref()).ok_or(AuthError::Malformed("auth_time must be a number"))?;
        // RFC 7519: the token must not be accepted on or after `exp`.
        if exp <= expect.now {
            return Err(AuthError::Expired);
        }
        let latest_issue = expect.now.saturating_add(expect.leeway);
        if iat > latest_issue || auth_time > latest_issue {
            return Err(AuthError::IssuedInFuture);
        }
        Ok(FirebaseClaims {
            uid,
            email: optional_string(self.email, "email must be a string")?,
            email_verified: match self.email_verified {
                None | Some(Value::Null) => None,
                Some(Value::Bool(b)) => Some(b),
                Some(_) => return Err(AuthError::Malformed("email_verified must be a boolean")),
            },
            name: optional_string(self.name, "name must be a string")?,
            auth_time,
            iat,
            exp,
        })
    }
}

/// A JWT `NumericDate`: integer seconds, or fractional ones rounded down.
fn numeric_date(value: Option<&Value>) -> Option<i64> {
    let value = value?;
    value.as_i64().or_else(|| {
        // Fractional dates are legal JWT; Firebase never sends them, but rounding down is exact
        // enough for second-granularity checks. Out-of-range floats are refused.
        value.as_f64().filter(|f| f.is_finite() && f.abs() < 1e15).map(|f| f.floor() as i64)
    })
}

fn optional_string(value: Option<Value>, problem: &'static str) -> Result<Option<String>, AuthError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AuthError::Malformed(problem)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_700_000_000;

    fn expect() -> Expectations<'static> {
        Expectations {
            project_id: "zelly-test",
            issuer: "https://securetoken.google.com/zelly-test",
            now: NOW,
            max_uid_len: 128,
            leeway: 5,
        }
    }

    fn claims(patch: Value) -> Result<FirebaseClaims, AuthError> {
        let mut base = json!({
            "aud": "zelly-test", "iss": "https://securetoken.google.com/zelly-test", "sub": "uid-1",
            "iat": NOW - 10, "auth_time": NOW - 10, "exp": NOW + 3600, "email": "a@b.example",
            "email_verified": true,
        });
        if let (Some(base), Value::Object(patch)) = (base.as_object_mut(), patch) {
            base.extend(patch);
        }
        let raw: RawClaims = serde_json::from_value(base).map_err(|_| AuthError::Malformed("json"))?;
        raw.check(&expect())
    }

    #[test]
    fn well_formed_claims_come_back_typed() {
        let claims = claims(json!({})).expect("valid");
        assert_eq!(claims.uid, "uid-1");
        assert_eq!(claims.email.as_deref(), Some("a@b.example"));
        assert_eq!(claims.email_verified, Some(true));
        assert_eq!(claims.name, None);
        assert_eq!(claims.exp, NOW + 3600);
    }

    #[test]
    fn an_audience_list_is_not_this_project() {
        assert_eq!(claims(json!({"aud": ["zelly-test"]})), Err(AuthError::WrongAudience));
    }

    #[test]
    fn a_token_expiring_this_very_second_is_expired() {
        assert_eq!(claims(json!({"exp": NOW})), Err(AuthError::Expired));
        assert!(claims(json!({"exp": NOW + 1})).is_ok());
    }

    #[test]
    fn issue_times_within_the_leeway_are_accepted_and_beyond_it_refused() {
        assert!(claims(json!({"iat": NOW + 5, "auth_time": NOW + 5})).is_ok());
        assert_eq!(claims(json!({"iat": NOW + 6})), Err(AuthError::IssuedInFuture));
        assert_eq!(claims(json!({"auth_time": NOW + 6})), Err(AuthError::IssuedInFuture));
    }

    #[test]
    fn a_missing_auth_time_is_malformed() {
        assert_eq!(claims(json!({"auth_time": null})), Err(AuthError::Malformed("auth_time must be a number")));
    }

    #[test]
    fn a_numeric_subject_is_a_bad_subject() {
        assert_eq!(claims(json!({"sub": 42})), Err(AuthError::BadSubject));
    }

    #[test]
    fn a_subject_with_a_nul_is_a_bad_subject() {
        assert_eq!(claims(json!({"sub": "uid\u{0}x"})), Err(AuthError::BadSubject));
    }

    #[test]
    fn a_subject_of_128_multibyte_characters_is_accepted() {
        assert!(claims(json!({"sub": "é".repeat(128)})).is_ok());
        assert_eq!(claims(json!({"sub": "é".repeat(129)})), Err(AuthError::BadSubject));
    }
}
