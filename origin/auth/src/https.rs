//! The one outbound HTTPS setup of the origin services: rustls on the `ring` provider, trusting the
//! system's CA store, HTTP/1.1. Google's certificates (here) and Razorpay's API (core-api) go
//! through it. It is chosen per client rather than process-wide, so no other HTTP client in the
//! workspace has a TLS provider imposed on it.

use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use std::sync::Arc;

/// What [`connector`] makes: plain TCP for `http://`, rustls for `https://`.
pub type Connector = HttpsConnector<HttpConnector>;

/// A connector for `http://` and `https://` URLs. `https` says whether any https URL will be used:
/// then the system's CA certificates are loaded, and their absence fails here, at start-up, naming
/// `what` the certificates are for, rather than failing every call later.
pub fn connector(https: bool, what: &str) -> Result<Connector, String> {
    let mut roots = rustls::RootCertStore::empty();
    if https {
        let native = rustls_native_certs::load_native_certs();
        let (added, _unparsable) = roots.add_parsable_certificates(native.certs);
        if added == 0 {
            let why = native.errors.first().map_or_else(String::new, |e| format!(" ({e})"));
            return Err(format!("no CA certificates to check {what}'s TLS certificate with; install ca-certificates{why}"));
        }
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup failed: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls).https_or_http().enable_http1().build())
}

pub use zelly_edge::error::error_chain;
