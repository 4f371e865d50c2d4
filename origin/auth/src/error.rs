//! Why a token was refused.

/// Every way [`crate::FirebaseVerifier::verify`] can refuse a token.
///
/// Callers answer 401 for all of them except [`AuthError::CertsUnavailable`]
/// (see [`AuthError::is_unavailable`]), which is our problem, not the caller's: 503.
/// No variant carries the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// Not three base64url segments of JSON, too long, or a required claim missing or mistyped.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// The header's `alg` is not `RS256` (`none`, `HS256`, …). Holds the algorithm, shortened.
    #[error("token algorithm {0:?} is not RS256")]
    BadAlgorithm(String),
    /// The header has no `kid`, or one that is not a plain identifier.
    #[error("token key id is missing or malformed")]
    InvalidKeyId,
    /// The `kid` names none of the current signing certificates.
    #[error("token key id names no current signing certificate")]
    UnknownKeyId,
    /// The signature does not verify with the named certificate.
    #[error("token signature is invalid")]
    BadSignature,
    /// `exp` has passed.
    #[error("token has expired")]
    Expired,
    /// `aud` is not this project.
    #[error("token audience is not this Firebase project")]
    WrongAudience,
    /// `iss` is not `https://securetoken.google.com/<project id>`.
    #[error("token issuer is not this Firebase project")]
    WrongIssuer,
    /// `sub` (the uid) is missing, empty or longer than 128 characters.
    #[error("token subject must be a uid of 1 to 128 characters")]
    BadSubject,
    /// `iat` or `auth_time` is in the future.
    #[error("token was issued or authenticated in the future")]
    IssuedInFuture,
    /// The signing certificates could not be fetched: the token may well be valid.
    #[error("signing certificates unavailable: {0}")]
    CertsUnavailable(String),
}

impl AuthError {
    /// True when the token could not be checked (certificates unavailable): answer 503, not 401.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, AuthError::CertsUnavailable(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unavailable_certificates_are_not_the_callers_fault() {
        assert!(AuthError::CertsUnavailable("down".into()).is_unavailable());
        for err in [
            AuthError::Malformed("x"),
            AuthError::BadAlgorithm("none".into()),
            AuthError::InvalidKeyId,
            AuthError::UnknownKeyId,
            AuthError::BadSignature,
            AuthError::Expired,
            AuthError::WrongAudience,
            AuthError::WrongIssuer,
            AuthError::BadSubject,
            AuthError::IssuedInFuture,
        ] {
            assert!(!err.is_unavailable(), "{err}");
        }
    }
}
