//! The address check: does an Indian PIN code belong to the city and state the shopper typed?
//!
//! customer-auth asks an external address API (`EXTERNAL_ADDRESS_API_URL`, with
//! `EXTERNAL_ADDRESS_API_KEY` sent as `x-api-key`) in the India Post lookup's shape:
//! `GET {url}/pincode/{pin}` answers `[{"Status": "Success" | "Error", "PostOffice": [{"Name",
//! "District", "Block", "Division", "State"}…]}]`. `address-standin` serves the same for dev and
//! tests.
//!
//! The check never stands between a shopper and a purchase: an API that is not configured, slow
//! (past `ADDRESS_API_TIMEOUT_MS`, default 2 s), down, or answering nonsense makes the address
//! *unverified*, and it is kept as typed. Only a clear answer that the PIN code is unknown or lies
//! elsewhere is a *mismatch*, which checkout shows the shopper once.

use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::time::Duration;
use zelly_edge::customers::AddressCheck;
use zelly_edge::orders::{AddressStatus, ShippingAddress};
use zelly_store::config::Secret;

/// How long the check waits for the API unless `ADDRESS_API_TIMEOUT_MS` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
/// The most bytes of an answer read.
const MAX_ANSWER_BYTES: usize = 256 * 1024;

/// Where the address API is, from the environment.
#[derive(Debug, Clone, Default)]
pub struct AddressApiConfig {
    /// `EXTERNAL_ADDRESS_API_URL`; without it every address is unverified.
    pub url: Option<String>,
    /// `EXTERNAL_ADDRESS_API_KEY`, sent as `x-api-key`.
    pub key: Option<Secret>,
    /// `ADDRESS_API_TIMEOUT_MS` (default 2000).
    pub timeout: Option<Duration>,
}

/// A client of the address API.
#[derive(Clone)]
pub struct AddressApi {
    config: AddressApiConfig,
    /// `None` without a URL.
    http: Option<Client<zelly_auth::https::Connector, Empty<Bytes>>>,
}

impl std::fmt::Debug for AddressApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddressApi").field("url", &self.config.url).finish_non_exhaustive()
    }
}

/// One answer of the lookup.
#[derive(Debug, Deserialize)]
struct Lookup {
    #[serde(rename = "Status")]
    status: String,
    #[serde(rename = "PostOffice", default)]
    post_offices: Option<Vec<PostOffice>>,
}

#[derive(Debug, Deserialize)]
struct PostOffice {
    #[serde(rename = "Name", default)]
    name: String,
    #[serde(rename = "District", default)]
    district: String,
    #[serde(rename = "Block", default)]
    block: String,
    #[serde(rename = "Division", default)]
    division: String,
    #[serde(rename = "State", default)]
    state: String,
}

impl AddressApi {
    /// A client for `config`; fails when the API is https and the system has no CA certificates.
    pub fn new(config: AddressApiConfig) -> Result<Self, String> {
        let Some(url) = config.url.as_deref() else { return Ok(Self::disabled()) };
        let connector = zelly_auth::https::connector(url.starts_with("https://"), "the address API")?;
        Ok(Self { http: Some(Client::builder(TokioExecutor::new()).build(connector)), config })
    }

    /// No API: every address is unverified.
    pub fn disabled() -> Self {
        Self { config: AddressApiConfig::default(), http: None }
    }

    /// Whether an API is configured at all.
    pub fn configured(&self) -> bool {
        self.http.is_some()
    }

    /// What the API makes of `address`; unverified whenever it cannot say.
    pub async fn check(&self, address: &ShippingAddress) -> AddressCheck {
        let pin: String = address.postal_code.split_whitespace().collect();
        let (Some(base), Some(http)) = (self.config.url.as_deref(), self.http.as_ref()) else { return AddressCheck::unverified() };
        if address.country != "IN" || !zelly_edge::checkout_pages::is_indian_pin(&pin) {
            return AddressCheck::unverified();
        }
        let timeout = self.config.timeout.unwrap_or(DEFAULT_TIMEOUT);
        match tokio::time::timeout(timeout, self.lookup(http, base, &pin)).await {
            Ok(Ok(lookup)) => judge(&lookup, address, &pin),
            Ok(Err(why)) => {
                tracing::warn!(%why, "address API failed; the address stays unverified");
                AddressCheck::unverified()
            }
            Err(_) => {
                tracing::warn!(timeout_ms = timeout.as_millis() as u64, "address API too slow; the address stays unverified");
                AddressCheck::unverified()
            }
        }
    }

    async fn lookup(&self, http: &Client<zelly_auth::https::Connector, Empty<Bytes>>, base: &str, pin: &str) -> Result<Lookup, String> {
        let mut request = Request::get(format!("{}/pincode/{pin}", base.trim_end_matches('/'))).header("accept", "application/json");
        if let Some(key) = &self.config.key {
            request = request.header("x-api-key", key.expose());
        }
        let request = request.body(Empty::new()).map_err(|e| e.to_string())?;
        let response = http.request(request).await.map_err(|e| zelly_auth::https::error_chain(&e))?;
        let status = response.status();
        let bytes = Limited::new(response.into_body(), MAX_ANSWER_BYTES).collect().await.map_err(|e| e.to_string())?.to_bytes();
        if status != StatusCode::OK {
            return Err(format!("answered {status}"));
        }
        let mut answers: Vec<Lookup> = serde_json::from_slice(&bytes).map_err(|e| format!("an unexpected answer: {e}"))?;
        if answers.is_empty() {
            return Err("an empty answer".into());
        }
        Ok(answers.swap_remove(0))
    }
}

/// The verdict on `address` from the API's `lookup` of `pin`.
fn judge(lookup: &Lookup, address: &ShippingAddress, pin: &str) -> AddressCheck {
    let offices = lookup.post_offices.as_deref().unwrap_or_default();
    if !lookup.status.eq_ignore_ascii_case("success") || offices.is_empty() {
        return AddressCheck {
            status: AddressStatus::Mismatch,
            message: Some(format!("We could not find PIN code {pin}. Please check it.")),
            city: None,
            state: None,
        };
    }
    let (city, state) = (place(&address.city), place(&address.state));
    let state_ok = offices.iter().any(|o| place(&o.state) == state);
    let city_ok = offices.iter().any(|o| {
        [&o.name, &o.district, &o.block, &o.division].iter().map(|n| place(n)).any(|n| !n.is_empty() && (n.contains(&city) || city.contains(&n)))
    });
    if state_ok && city_ok && !city.is_empty() {
        return AddressCheck { status: AddressStatus::Verified, message: None, city: None, state: None };
    }
    let first = &offices[0];
    AddressCheck {
        status: AddressStatus::Mismatch,
        message: Some(format!("PIN code {pin} is in {}, {}.", first.district, first.state)),
        city: Some(first.district.clone()),
        state: Some(first.state.clone()),
    }
}

/// A place name as compared: letters and digits in lower case, old names as today's.
fn place(name: &str) -> String {
    let plain: String = name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    const RENAMED: &[(&str, &str)] = &[
        ("bangalore", "bengaluru"),
        ("bombay", "mumbai"),
        ("madras", "chennai"),
        ("calcutta", "kolkata"),
        ("gurgaon", "gurugram"),
        ("mysore", "mysuru"),
        ("trivandrum", "thiruvananthapuram"),
        ("poona", "pune"),
        ("baroda", "vadodara"),
        ("orissa", "odisha"),
        ("pondicherry", "puducherry"),
        ("newdelhi", "delhi"),
    ];
    RENAMED.iter().fold(plain, |name, (old, new)| name.replace(old, new))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn address(city: &str, state: &str) -> ShippingAddress {
        ShippingAddress {
            name: "Asha".into(),
            line1: "12 MG Road".into(),
            line2: None,
            city: city.into(),
            state: state.into(),
            postal_code: "560001".into(),
            country: "IN".into(),
            phone: "9845012345".into(),
        }
    }

    fn bengaluru() -> Lookup {
        serde_json::from_value(serde_json::json!({
            "Status": "Success",
            "PostOffice": [{ "Name": "Bangalore G.P.O.", "District": "Bangalore", "Block": "Bangalore North", "Division": "Bangalore GPO", "State": "Karnataka" }]
        }))
        .unwrap()
    }

    #[test]
    fn a_pin_code_matches_its_city_by_old_or_new_name_and_its_state() {
        for (city, state) in [("Bengaluru", "Karnataka"), ("bangalore", "KARNATAKA"), ("Bengaluru Urban", "Karnataka")] {
            assert_eq!(judge(&bengaluru(), &address(city, state), "560001").status, AddressStatus::Verified, "{city}, {state}");
        }
    }

    #[test]
    fn a_pin_code_elsewhere_or_unknown_is_a_mismatch_that_says_where() {
        let check = judge(&bengaluru(), &address("Mumbai", "Maharashtra"), "560001");
        assert_eq!(check.status, AddressStatus::Mismatch);
        assert_eq!((check.city.as_deref(), check.state.as_deref()), (Some("Bangalore"), Some("Karnataka")));
        let unknown: Lookup = serde_json::from_value(serde_json::json!({ "Status": "Error", "PostOffice": null })).unwrap();
        let check = judge(&unknown, &address("Bengaluru", "Karnataka"), "999999");
        assert_eq!((check.status, check.city), (AddressStatus::Mismatch, None));
    }

    #[tokio::test]
    async fn without_an_api_or_outside_india_nothing_is_asked() {
        let api = AddressApi::disabled();
        assert_eq!(api.check(&address("Bengaluru", "Karnataka")).await, AddressCheck::unverified());
        let api = AddressApi::new(AddressApiConfig { url: Some("http://127.0.0.1:9".into()), ..AddressApiConfig::default() }).unwrap();
        let abroad = ShippingAddress { country: "GB".into(), postal_code: "SW1A 1AA".into(), ..address("London", "London") };
        assert_eq!(api.check(&abroad).await, AddressCheck::unverified());
    }
}
