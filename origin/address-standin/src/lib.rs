//! A stand-in for the external address API, for dev and tests (never production): customer-auth's
//! address check talks to it exactly as to the real one.
//!
//! - `GET /pincode/{pin}` answers in the India Post lookup's shape: `[{"Status": "Success",
//!   "PostOffice": [{"Name", "District", "Block", "Division", "State", "Country", "Pincode"}]}]`
//!   for a PIN code in an area it knows (twenty cities, by the first three digits), and
//!   `[{"Status": "Error", "PostOffice": null}]` for any other.
//!   With a key (`EXTERNAL_ADDRESS_API_KEY`), a request without the same `x-api-key` gets 401.
//! - `PUT /__standin/behaviour` with `{"delay_ms": 5000, "down": false}` makes it slow or down
//!   (500) until told otherwise, so tests and a developer can watch checkout carry on without it.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The areas the stand-in knows, by the first three digits of their PIN codes (India Post's
/// sorting districts): (prefix, post office, district, state). Any PIN code in one of them is
/// answered; others are unknown.
pub const PIN_CODES: &[(&str, &str, &str, &str)] = &[
    ("110001", "Connaught Place", "New Delhi", "Delhi"),
    ("122001", "Gurgaon", "Gurgaon", "Haryana"),
    ("160017", "Sector 17", "Chandigarh", "Chandigarh"),
    ("226001", "Lucknow G.P.O.", "Lucknow", "Uttar Pradesh"),
    ("302001", "Jaipur G.P.O.", "Jaipur", "Rajasthan"),
    ("380001", "Ahmedabad G.P.O.", "Ahmedabad", "Gujarat"),
    ("400001", "Mumbai G.P.O.", "Mumbai", "Maharashtra"),
    ("411001", "Pune City", "Pune", "Maharashtra"),
    ("452001", "Indore G.P.O.", "Indore", "Madhya Pradesh"),
    ("500001", "Hyderabad G.P.O.", "Hyderabad", "Telangana"),
    ("560001", "Bangalore G.P.O.", "Bangalore", "Karnataka"),
    ("570001", "Mysore", "Mysore", "Karnataka"),
    ("600001", "Chennai G.P.O.", "Chennai", "Tamil Nadu"),
    ("641001", "Coimbatore", "Coimbatore", "Tamil Nadu"),
    ("682001", "Kochi", "Ernakulam", "Kerala"),
    ("695001", "Thiruvananthapuram G.P.O.", "Thiruvananthapuram", "Kerala"),
    ("700001", "Kolkata G.P.O.", "Kolkata", "West Bengal"),
    ("751001", "Bhubaneswar G.P.O.", "Khorda", "Odisha"),
    ("781001", "Guwahati G.P.O.", "Kamrup Metro", "Assam"),
    ("800001", "Patna G.P.O.", "Patna", "Bihar"),
];

/// The stand-in's state: its key and how it behaves now.
#[derive(Debug, Default)]
pub struct Standin {
    key: Option<String>,
    delay_ms: AtomicU64,
    down: AtomicBool,
}

impl Standin {
    /// A stand-in that wants `key` as `x-api-key`, if given.
    pub fn new(key: Option<String>) -> Arc<Self> {
        Arc::new(Self { key, ..Self::default() })
    }

    /// Makes every lookup wait `delay` first.
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms.store(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Makes every lookup fail (500) while `down`.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::Relaxed);
    }
}

/// The stand-in's routes.
pub fn app(standin: Arc<Standin>) -> Router {
    Router::new()
        .route("/pincode/{pin}", get(lookup))
        .route("/__standin/behaviour", put(behave))
        .route("/health", get(|| async { "ok" }))
        .with_state(standin)
}

async fn lookup(State(standin): State<Arc<Standin>>, headers: HeaderMap, Path(pin): Path<String>) -> Response {
    if let Some(key) = &standin.key
        && headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(key.as_str())
    {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "error": "a valid x-api-key is required" }))).into_response();
    }
    let delay = standin.delay_ms.load(Ordering::Relaxed);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if standin.down.load(Ordering::Relaxed) {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the stand-in is down, as asked").into_response();
    }
    Json(answer(&pin)).into_response()
}

/// The lookup's answer for `pin`.
pub fn answer(pin: &str) -> Value {
    let offices: Vec<Value> = PIN_CODES
        .iter()
        .filter(|(code, ..)| pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()) && pin.starts_with(&code[..3]))
        .map(|(_, name, district, state)| {
            json!({ "Name": name, "District": district, "Block": district, "Division": district, "State": state, "Country": "India", "Pincode": pin })
        })
        .collect();
    if offices.is_empty() {
        json!([{ "Message": "No records found", "Status": "Error", "PostOffice": null }])
    } else {
        json!([{ "Message": format!("Number of pincode(s) found: {}", offices.len()), "Status": "Success", "PostOffice": offices }])
    }
}

/// How the stand-in should behave from now on.
#[derive(Debug, Deserialize)]
struct Behaviour {
    #[serde(default)]
    delay_ms: u64,
    #[serde(default)]
    down: bool,
}

async fn behave(State(standin): State<Arc<Standin>>, Json(behaviour): Json<Behaviour>) -> StatusCode {
    standin.set_delay(Duration::from_millis(behaviour.delay_ms.min(120_000)));
    standin.set_down(behaviour.down);
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_code_is_known_by_its_area() {
        assert_eq!(answer("400020")[0]["PostOffice"][0]["District"], "Mumbai");
        assert_eq!(answer("560001")[0]["PostOffice"][0]["State"], "Karnataka");
        assert_eq!(answer("999999")[0]["Status"], "Error");
        assert_eq!(answer("40")[0]["Status"], "Error");
    }
}
