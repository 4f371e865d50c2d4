//! Merchant sign-in for Zelly: Firebase ID tokens, verified the way the Firebase Admin SDK does.
//!
//! [`FirebaseVerifier::verify`] accepts a token only when all of these hold:
//! - the header's `alg` is `RS256` and its `kid` is a plain identifier naming one of Google's
//!   current signing certificates (fetched from [`FirebaseConfig::certs_url`], cached for the
//!   response's `Cache-Control: max-age`);
//! - the RS256 signature verifies with that certificate's RSA key;
//! - `aud` is the project id and `iss` is `https://securetoken.google.com/<project id>`;
//! - `exp` is in the future, `iat` and `auth_time` are not, and `sub` (the uid) is 1–128 characters.
//!
//! Every failure is an [`AuthError`]; all of them mean "401" except
//! [`AuthError::is_unavailable`] ones (Google's certificates could not be fetched: "503").
//!
//! [`dev::DevIssuer`] signs tokens with exactly Firebase's claims under a key it generates, and
//! serves its certificate in Google's format. The `dev-auth` binary is built on it. A verifier
//! trusts it only when its [`FirebaseConfig::certs_url`] is pointed at it, which production never
//! does: the default is Google's URL.

mod certs;
mod claims;
pub mod clock;
mod config;
pub mod dev;
pub mod https;
mod error;
mod verifier;

pub use claims::FirebaseClaims;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::{FirebaseConfig, GOOGLE_CERTS_URL};
pub use error::AuthError;
pub use verifier::{
    CLOCK_SKEW_LEEWAY_SECS, FirebaseVerifier, MAX_KID_LEN, MAX_TOKEN_LEN, MAX_UID_LEN, UNKNOWN_KID_REFETCH_INTERVAL,
};
