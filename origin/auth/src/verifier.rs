//! [`FirebaseVerifier`]: from a bearer token to the merchant's Firebase uid.

use crate::FirebaseClaims;
use crate::certs::CertStore;
use crate::claims::{Expectations, RawClaims};
use crate::clock::{Clock, SystemClock};
use crate::config::{FirebaseConfig, is_project_id};
use crate::error::AuthError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Seconds by which `iat` and `auth_time` may lie in the future (our clock running behind
/// Google's). Not applied to `exp`: see [`FirebaseVerifier::verify`].
pub const CLOCK_SKEW_LEEWAY_SECS: i64 = 5;
/// Longest accepted `kid`. Google's are 40 hex digits.
pub const MAX_KID_LEN: usize = 64;
/// Longest accepted uid (`sub`), as Firebase documents.
pub const MAX_UID_LEN: usize = 128;
/// Longest accepted token, in bytes. Firebase ID tokens are about 1 KB, custom claims included.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;
/// A token naming an unknown `kid` causes a certificate fetch at most this often.
pub const UNKNOWN_KID_REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// The only algorithm Firebase signs ID tokens with.
const RS256: &str = "RS256";

/// Verifies Firebase ID tokens for one project. Cheap to share: wrap it in an `Arc`.
pub struct FirebaseVerifier {
    project_id: String,
    issuer: String,
    certs: CertStore,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for FirebaseVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FirebaseVerifier").field("project_id", &self.project_id).finish_non_exhaustive()
    }
}

/// The JOSE header fields that matter here.
#[derive(Deserialize)]
struct Header {
    alg: Option<String>,
    kid: Option<String>,
}

impl FirebaseVerifier {
    /// A verifier for `config`, on the system clock.
    ///
    /// Fails, with a message for the start-up log, when the project id is empty or odd or
    /// when the HTTP client cannot be built.
    pub fn new(config: FirebaseConfig) -> Result<Self, String> {
        Self::with_clock(config, Arc::new(SystemClock))
    }

    /// A verifier reading the time from `clock` (token times and certificate cache alike).
    pub fn with_clock(config: FirebaseConfig, clock: Arc<dyn Clock>) -> Result<Self, String> {
        if !is_project_id(&config.project_id) {
            return Err(format!("invalid Firebase project id {:?}", config.project_id));
        }
        if !config.uses_google_certs() {
            // The only way a local issuer (dev-auth) becomes trusted: say so loudly.
            tracing::warn!(
                certs_url = %config.certs_url,
                "Firebase ID tokens are verified against non-Google certificates"
            );
        }
        let issuer = config.issuer();
        let certs = CertStore::new(config.certs_url, clock.clone(), UNKNOWN_KID_REFETCH_INTERVAL)?;
        Ok(Self { project_id: config.project_id, issuer, certs, clock })
    }

    /// The project whose tokens this verifier accepts.
    pub fn project_id(&self) -> &str {
        &self.project_id
    }

    /// Checks `token` and returns its claims.
    ///
    /// Order, as in the Admin SDK: the header (`alg` RS256, a plain `kid`), then the claims
    /// (`aud`, `iss`, `sub`, `exp`, `iat`, `auth_time`), then the signature with the certificate
    /// named by `kid`. The cheap checks come first so that garbage never causes a certificate
    /// fetch; the claims are returned only once the signature over them has verified.
    ///
    /// Clock skew: `iat` and `auth_time` may be up to [`CLOCK_SKEW_LEEWAY_SECS`] in the
    /// future; `exp` gets no leeway, so an expired token is refused from its `exp` second on.
    pub async fn verify(&self, token: &str) -> Result<FirebaseClaims, AuthError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(AuthError::Malformed("token is too long"));
        }
        let mut parts = token.split('.');
        let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(AuthError::Malformed("a JWT has three dot-separated parts"));
        };

        let header: Header = decode_json(header_b64, "header is not base64url JSON")?;
        let alg = header.alg.ok_or(AuthError::Malformed("header has no alg"))?;
        if alg != RS256 {
            return Err(AuthError::BadAlgorithm(printable_prefix(&alg)));
        }
        let kid = header.kid.filter(|kid| is_plain_kid(kid)).ok_or(AuthError::InvalidKeyId)?;

        let raw: RawClaims = decode_json(payload_b64, "payload is not base64url JSON")?;
        let claims = raw.check(&Expectations {
            project_id: &self.project_id,
            issuer: &self.issuer,
            now: self.clock.unix_seconds(),
            max_uid_len: MAX_UID_LEN,
            leeway: CLOCK_SKEW_LEEWAY_SECS,
        })?;

        let key = self.certs.key_for(&kid).await?;
        let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
        verify_rs256(signing_input, signature_b64, &key)?;
        Ok(claims)
    }
}

/// RS256 signature check through jsonwebtoken's RustCrypto provider.
///
/// The provider is named rather than taken from jsonwebtoken's process default: should another
/// crate in the build enable jsonwebtoken's `aws_lc_rs` too, the default would be ambiguous and
/// jsonwebtoken would panic at the first use.
fn verify_rs256(signing_input: &str, signature_b64: &str, key: &DecodingKey) -> Result<(), AuthError> {
    let signature = URL_SAFE_NO_PAD.decode(signature_b64).map_err(|_| AuthError::BadSignature)?;
    let verifier = (DEFAULT_PROVIDER.verifier_factory)(&Algorithm::RS256, key).map_err(|_| AuthError::BadSignature)?;
    verifier.verify(signing_input.as_bytes(), &signature).map_err(|_| AuthError::BadSignature)
}

fn decode_json<T: for<'de> Deserialize<'de>>(segment: &str, problem: &'static str) -> Result<T, AuthError> {
    let bytes = URL_SAFE_NO_PAD.decode(segment).map_err(|_| AuthError::Malformed(problem))?;
    serde_json::from_slice(&bytes).map_err(|_| AuthError::Malformed(problem))
}

/// A `kid` is used as a map key only, but it is attacker-chosen and ends up in logs: accept
/// only what key ids look like (letters, digits, `-`, `_`), which rules out paths, dots, spaces
/// and control characters.
fn is_plain_kid(kid: &str) -> bool {
    !kid.is_empty()
        && kid.len() <= MAX_KID_LEN
        && kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// An attacker-chosen header value, cut short and stripped to printable ASCII for errors and logs.
fn printable_prefix(value: &str) -> String {
    value.chars().filter(|c| c.is_ascii_graphic()).take(16).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn googles_kids_are_plain_and_paths_are_not() {
        assert!(is_plain_kid("a5b6c7d8e9f00112233445566778899aabbccdde"));
        for odd in ["", "../../etc/passwd", "a/b", "a.b", "..", "has space", "tab\t", &"a".repeat(MAX_KID_LEN + 1)] {
            assert!(!is_plain_kid(odd), "{odd:?}");
        }
    }

    #[test]
    fn an_algorithm_name_in_an_error_is_short_and_printable() {
        assert_eq!(printable_prefix("none"), "none");
        assert_eq!(printable_prefix("HS256\n\u{1b}[31mevil-and-very-long"), "HS256[31mevil-an");
    }
}
