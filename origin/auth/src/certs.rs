//! Google's signing certificates: fetched from the certs URL, cached for the response's
//! `Cache-Control: max-age`, refetched early (at most once a minute) when a token names a key
//! that is not in the cache, which is how key rotation reaches us.
//!
//! Lookups take a shared lock. Fetches are serialised by a separate lock, and whoever waited for
//! one re-checks the cache first, so a burst of verifications causes one request, not one each;
//! no cache lock is held during the request, so known keys keep working while it runs.

use crate::clock::Clock;
use crate::error::AuthError;
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::{Request, Uri, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::DecodingKey;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::{Mutex, RwLock};
use x509_cert::der::{DecodePem, Encode};

/// Cache lifetime when the response has no usable `max-age`. Google always sends one (hours).
const FALLBACK_MAX_AGE: Duration = Duration::from_secs(300);
/// Upper bound on a cached lifetime, so a bad header cannot pin old keys for weeks.
const MAX_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// After a failed fetch, verifications fail fast for this long instead of queueing behind
/// another doomed request each.
const FAILED_FETCH_BACKOFF: Duration = Duration::from_secs(5);
/// Google's certificate map is a few kilobytes; refuse anything absurd.
const MAX_BODY_BYTES: usize = 256 * 1024;
/// Google signs with RSA-2048; smaller keys are refused.
const MIN_RSA_BITS: usize = 2048;
/// Timeout of one certificate fetch, connection and body included.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The cached certificate map and the bookkeeping of its fetches.
#[derive(Default)]
struct Cache {
    keys: HashMap<String, DecodingKey>,
    /// Until when `keys` may be used; `None` before the first successful fetch.
    fresh_until: Option<SystemTime>,
    /// When the last fetch was attempted, successful or not.
    last_attempt: Option<SystemTime>,
    /// Why the last fetch failed, when it did.
    last_error: Option<String>,
}

impl Cache {
    fn is_fresh(&self, now: SystemTime) -> bool {
        self.fresh_until.is_some_and(|until| now < until)
    }

    fn attempted_within(&self, now: SystemTime, window: Duration) -> bool {
        self.last_attempt.is_some_and(|at| now < at + window)
    }
}

/// Fetches and caches the certificate map at one URL.
pub(crate) struct CertStore {
    http: HttpClient,
    uri: Uri,
    clock: Arc<dyn Clock>,
    /// Minimum spacing of fetches caused by an unknown `kid`.
    unknown_kid_interval: Duration,
    cache: RwLock<Cache>,
    /// Held by the one task fetching, so that a burst of verifications causes one request.
    fetch_lock: Mutex<()>,
}

impl CertStore {
    pub(crate) fn new(url: String, clock: Arc<dyn Clock>, unknown_kid_interval: Duration) -> Result<Self, String> {
        let uri: Uri = url.parse().map_err(|_| format!("certificates URL {url:?} is not a URL"))?;
        let http = https_client(uri.scheme_str() == Some("https"))?;
        Ok(Self {
            http,
            uri,
            clock,
            unknown_kid_interval,
            cache: RwLock::new(Cache::default()),
            fetch_lock: Mutex::new(()),
        })
    }

    /// The key for `kid`, fetching the certificates when the cache is stale or lacks `kid`.
    pub(crate) async fn key_for(&self, kid: &str) -> Result<DecodingKey, AuthError> {
        if let Some(key) = self.cached(kid, self.clock.now()).await {
            return Ok(key);
        }
        // One fetch at a time; whoever waited here re-checks the cache before fetching again.
        let _fetching = self.fetch_lock.lock().await;
        // Re-read the clock: waiting for the lock may have taken a while.
        let now = self.clock.now();
        {
            let cache = self.cache.read().await;
            if cache.is_fresh(now) {
                if let Some(key) = cache.keys.get(kid) {
                    // Someone refreshed while we waited.
                    return Ok(key.clone());
                }
                if cache.attempted_within(now, self.unknown_kid_interval) {
                    return Err(AuthError::UnknownKeyId);
                }
                tracing::info!(kid, "token names an unknown key: refetching the signing certificates");
            } else if let Some(problem) = &cache.last_error
                && cache.attempted_within(now, FAILED_FETCH_BACKOFF)
            {
                return Err(unavailable(problem));
            }
        }
        // No cache lock is held while fetching: tokens with known keys keep verifying meanwhile.
        let fetched = self.fetch().await;
        let mut cache = self.cache.write().await;
        cache.last_attempt = Some(now);
        match fetched {
            Ok((keys, max_age)) => {
                tracing::debug!(keys = keys.len(), max_age = max_age.as_secs(), "signing certificates fetched");
                cache.keys = keys;
                cache.fresh_until = Some(now + max_age);
                cache.last_error = None;
                cache.keys.get(kid).cloned().ok_or(AuthError::UnknownKeyId)
            }
            Err(problem) => {
                tracing::warn!(url = %self.uri, error = %problem, "cannot fetch the signing certificates");
                let err = unavailable(&problem);
                cache.last_error = Some(problem);
                Err(err)
            }
        }
    }

    /// The key for `kid` if the cache is fresh and has it.
    async fn cached(&self, kid: &str, now: SystemTime) -> Option<DecodingKey> {
        let cache = self.cache.read().await;
        if cache.is_fresh(now) { cache.keys.get(kid).cloned() } else { None }
    }

    /// One GET of the certificate map: the keys by `kid`, and how long they may be cached.
    async fn fetch(&self) -> Result<(HashMap<String, DecodingKey>, Duration), String> {
        let (max_age, body) = tokio::time::timeout(FETCH_TIMEOUT, self.get())
            .await
            .map_err(|_| format!("no answer within {} s", FETCH_TIMEOUT.as_secs()))??;
        let pems: HashMap<String, String> =
            serde_json::from_slice(&body).map_err(|e| format!("body is not a JSON object of certificates: {e}"))?;
        let mut keys = HashMap::with_capacity(pems.len());
        for (kid, pem) in pems {
            match rsa_key_from_certificate(&pem) {
                Ok(key) => {
                    keys.insert(kid, key);
                }
                // One bad entry must not take the others down with it.
                Err(problem) => tracing::warn!(kid, error = %problem, "skipping an unusable certificate"),
            }
        }
        if keys.is_empty() {
            return Err("no usable certificate in the response".into());
        }
        Ok((keys, max_age))
    }

    /// The response's cache lifetime and body. Redirects are not followed.
    async fn get(&self) -> Result<(Duration, Bytes), String> {
        let request = Request::get(self.uri.clone())
            .header(header::ACCEPT, "application/json")
            .body(Empty::new())
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let response = self.http.request(request).await.map_err(|e| format!("request failed: {}", chain(&e)))?;
        if !response.status().is_success() {
            return Err(format!("answered HTTP {}", response.status()));
        }
        let max_age = response
            .headers()
            .get_all(header::CACHE_CONTROL)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(max_age)
            .unwrap_or(FALLBACK_MAX_AGE)
            .min(MAX_MAX_AGE);
        let body = Limited::new(response.into_body(), MAX_BODY_BYTES)
            .collect()
            .await
            .map_err(|e| format!("reading the body failed: {e}"))?
            .to_bytes();
        Ok((max_age, body))
    }
}

type HttpClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Empty<Bytes>>;

/// An HTTP/1.1 client speaking TLS through rustls on ring, trusting the system's CA store.
fn https_client(https: bool) -> Result<HttpClient, String> {
    Ok(Client::builder(TokioExecutor::new()).build(crate::https::connector(https, "Google")?))
}

fn chain(error: &dyn std::error::Error) -> String {
    crate::https::error_chain(error)
}

fn unavailable(problem: &str) -> AuthError {
    AuthError::CertsUnavailable(problem.to_owned())
}

/// The `max-age` of one `Cache-Control` header value, if it has one.
pub(crate) fn max_age(header: &str) -> Option<Duration> {
    header.split(',').find_map(|directive| {
        let (name, value) = directive.trim().split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("max-age") {
            return None;
        }
        value.trim().trim_matches('"').parse::<u64>().ok().map(Duration::from_secs)
    })
}

/// The RSA public key of a PEM X.509 certificate, as jsonwebtoken wants it.
///
/// Like the Admin SDK, only the key is used: the certificate's validity dates and self-signature
/// add nothing, since the map's authenticity comes from fetching it from Google over HTTPS.
pub(crate) fn rsa_key_from_certificate(pem: &str) -> Result<DecodingKey, String> {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;

    let cert = x509_cert::Certificate::from_pem(pem.as_bytes()).map_err(|e| format!("not a PEM certificate: {e}"))?;
    let spki = cert.tbs_certificate().subject_public_key_info().to_der().map_err(|e| format!("bad key info: {e}"))?;
    let key = rsa::PublicKey::from_public_key_der(&spki).map_err(|e| format!("not an RSA key: {e}"))?;
    if key.size() * 8 < MIN_RSA_BITS {
        return Err(format!("RSA key shorter than {MIN_RSA_BITS} bits"));
    }
    let pkcs1 = key.to_pkcs1_der().map_err(|e| format!("cannot encode the key: {e}"))?;
    Ok(DecodingKey::from_rsa_der(pkcs1.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_age_is_read_among_other_directives() {
        assert_eq!(max_age("public, max-age=19302, must-revalidate, no-transform"), Some(Duration::from_secs(19302)));
        assert_eq!(max_age("Max-Age = 60"), Some(Duration::from_secs(60)));
    }

    #[test]
    fn a_header_without_a_numeric_max_age_has_none() {
        assert_eq!(max_age("public, s-maxage=60"), None);
        assert_eq!(max_age("max-age=soon"), None);
        assert_eq!(max_age("no-store"), None);
    }

    #[test]
    fn text_that_is_not_a_certificate_is_refused() {
        assert!(rsa_key_from_certificate("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").is_err());
        assert!(rsa_key_from_certificate("hello").is_err());
    }
}
