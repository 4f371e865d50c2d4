//! Which Firebase project to accept tokens for, and where its signing certificates live.

/// Google's public certificates for Firebase ID tokens: a JSON object `kid → PEM certificate`.
pub const GOOGLE_CERTS_URL: &str =
    "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com";

/// The issuer prefix of every Firebase ID token; the project id follows it.
pub(crate) const ISSUER_PREFIX: &str = "https://securetoken.google.com/";

/// What a [`crate::FirebaseVerifier`] trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirebaseConfig {
    /// The Firebase project id: tokens must carry it as `aud` and in `iss`.
    pub project_id: String,
    /// Where the signing certificates are fetched; [`GOOGLE_CERTS_URL`] in production.
    pub certs_url: String,
}

impl FirebaseConfig {
    /// Trusts `project_id` with Google's certificates.
    pub fn new(project_id: impl Into<String>) -> Self {
        Self { project_id: project_id.into(), certs_url: GOOGLE_CERTS_URL.to_owned() }
    }

    /// Reads `FIREBASE_PROJECT_ID` (required) and `FIREBASE_CERTS_URL` (default:
    /// [`GOOGLE_CERTS_URL`]) from the process environment.
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`FirebaseConfig::from_env`], reading variables through `get` (a map in tests).
    /// Errors name the offending variable.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |k: &str| get(k).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let project_id = get("FIREBASE_PROJECT_ID")
            .ok_or("FIREBASE_PROJECT_ID is not set: merchant sign-in needs the Firebase project id")?;
        if !is_project_id(&project_id) {
            return Err(format!(
                "FIREBASE_PROJECT_ID must be lowercase letters, digits and hyphens, got {project_id:?}"
            ));
        }
        let certs_url = get("FIREBASE_CERTS_URL").unwrap_or_else(|| GOOGLE_CERTS_URL.to_owned());
        if !(certs_url.starts_with("https://") || certs_url.starts_with("http://")) {
            return Err(format!("FIREBASE_CERTS_URL must be an http(s) URL, got {certs_url:?}"));
        }
        Ok(Self { project_id, certs_url })
    }

    /// The `iss` every token for this project carries.
    pub fn issuer(&self) -> String {
        format!("{ISSUER_PREFIX}{}", self.project_id)
    }

    /// Whether the certificates come from Google rather than from a local issuer.
    pub fn uses_google_certs(&self) -> bool {
        self.certs_url == GOOGLE_CERTS_URL
    }
}

/// Firebase project ids are 6–30 lowercase letters, digits and hyphens; this accepts any length
/// up to 64 so that test projects may be short, but keeps the alphabet, since the id is
/// compared with token claims and printed in logs.
pub(crate) fn is_project_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn a_missing_project_id_is_an_error_naming_the_variable() {
        let err = FirebaseConfig::from_lookup(lookup(&[])).expect_err("must fail");
        assert!(err.contains("FIREBASE_PROJECT_ID"), "{err}");
    }

    #[test]
    fn the_certs_url_defaults_to_googles() {
        let config = FirebaseConfig::from_lookup(lookup(&[("FIREBASE_PROJECT_ID", "zelly-prod")])).expect("valid");
        assert_eq!(config.certs_url, GOOGLE_CERTS_URL);
        assert!(config.uses_google_certs());
        assert_eq!(config.issuer(), "https://securetoken.google.com/zelly-prod");
    }

    #[test]
    fn a_certs_url_that_is_not_http_is_an_error_naming_the_variable() {
        let err = FirebaseConfig::from_lookup(lookup(&[
            ("FIREBASE_PROJECT_ID", "zelly-dev"),
            ("FIREBASE_CERTS_URL", "file:///etc/passwd"),
        ]))
        .expect_err("must fail");
        assert!(err.contains("FIREBASE_CERTS_URL"), "{err}");
    }

    #[test]
    fn a_project_id_with_odd_characters_is_rejected() {
        let err = FirebaseConfig::from_lookup(lookup(&[("FIREBASE_PROJECT_ID", "Zelly/../x")])).expect_err("must fail");
        assert!(err.contains("FIREBASE_PROJECT_ID"), "{err}");
    }
}
