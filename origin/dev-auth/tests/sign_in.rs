//! dev-auth over HTTP: sign in like a Firebase client, then verify the token like core-api.
#![allow(clippy::unwrap_used, missing_docs)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use dev_auth::{AppState, CERTS_PATH, SIGN_IN_PATH, parse_users};
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use tower::ServiceExt;
use zelly_auth::dev::DevIssuer;
use zelly_auth::{FirebaseConfig, FirebaseVerifier};

const PROJECT: &str = "zelly-dev";
const USERS: &str = "merchant@demo.localhost:demo-password:demo-merchant,second@shop.example:pass:with:colons:uid-2";

fn state() -> AppState {
    static ISSUER: OnceLock<Arc<DevIssuer>> = OnceLock::new();
    let issuer = ISSUER.get_or_init(|| Arc::new(DevIssuer::generate().unwrap())).clone();
    AppState::new(issuer, PROJECT, parse_users(USERS).unwrap())
}

struct TestApp {
    base: String,
    http: reqwest::Client,
}

impl TestApp {
    async fn spawn() -> TestApp {
        let base = zelly_service::serve_in_background(dev_auth::app(state())).await.unwrap();
        TestApp { base, http: reqwest::Client::new() }
    }

    async fn sign_in(&self, body: &Value) -> reqwest::Response {
        let url = format!("{}{SIGN_IN_PATH}?key=fake-api-key", self.base);
        self.http.post(url).json(body).send().await.unwrap()
    }

    fn verifier(&self) -> FirebaseVerifier {
        let config = FirebaseConfig { project_id: PROJECT.into(), certs_url: format!("{}{CERTS_PATH}", self.base) };
        FirebaseVerifier::new(config).unwrap()
    }
}

#[tokio::test]
async fn a_merchant_signs_in_and_the_id_token_verifies_against_dev_auths_certs() {
    let app = TestApp::spawn().await;

    let response = app
        .sign_in(&json!({"email": "merchant@demo.localhost", "password": "demo-password", "returnSecureToken": true}))
        .await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["kind"], "identitytoolkit#VerifyPasswordResponse");
    assert_eq!(body["localId"], "demo-merchant");
    assert_eq!(body["email"], "merchant@demo.localhost");
    assert_eq!(body["registered"], true);
    assert_eq!(body["expiresIn"], "3600");
    assert!(body["refreshToken"].as_str().is_some_and(|t| t.len() >= 32));
    let claims = app.verifier().verify(body["idToken"].as_str().unwrap()).await.unwrap();
    assert_eq!(claims.uid, "demo-merchant");
    assert_eq!(claims.email.as_deref(), Some("merchant@demo.localhost"));
}

#[tokio::test]
async fn the_email_is_case_insensitive_and_passwords_may_contain_colons() {
    let app = TestApp::spawn().await;

    let response = app.sign_in(&json!({"email": "Second@Shop.example", "password": "pass:with:colons"})).await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(app.verifier().verify(body["idToken"].as_str().unwrap()).await.unwrap().uid, "uid-2");
}

#[tokio::test]
async fn a_wrong_password_or_unknown_email_is_400_with_firebases_error_shape() {
    let app = TestApp::spawn().await;
    for body in [
        json!({"email": "merchant@demo.localhost", "password": "wrong", "returnSecureToken": true}),
        json!({"email": "nobody@demo.localhost", "password": "demo-password", "returnSecureToken": true}),
        json!({"email": "merchant@demo.localhost", "password": "demo-password-but-longer"}),
    ] {
        let response = app.sign_in(&body).await;

        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], 400);
        assert_eq!(error["error"]["message"], "INVALID_LOGIN_CREDENTIALS");
        assert_eq!(error["error"]["errors"][0]["message"], "INVALID_LOGIN_CREDENTIALS");
        assert!(error.get("idToken").is_none());
    }
}

#[tokio::test]
async fn a_request_without_a_password_or_email_says_which_is_missing() {
    let app = TestApp::spawn().await;

    let no_password: Value = app.sign_in(&json!({"email": "merchant@demo.localhost"})).await.json().await.unwrap();
    let no_email: Value = app.sign_in(&json!({"password": "demo-password"})).await.json().await.unwrap();

    assert_eq!(no_password["error"]["message"], "MISSING_PASSWORD");
    assert_eq!(no_email["error"]["message"], "INVALID_EMAIL");
}

#[tokio::test]
async fn the_cert_map_is_served_like_googles_with_an_hour_of_max_age() {
    let app = TestApp::spawn().await;

    let response = app.http.get(format!("{}{CERTS_PATH}", app.base)).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "public, max-age=3600");
    let map: serde_json::Map<String, Value> = response.json().await.unwrap();
    assert_eq!(map.len(), 1);
    let (kid, pem) = map.iter().next().unwrap();
    assert_eq!(kid.len(), 40);
    assert!(pem.as_str().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
}

#[tokio::test]
async fn a_browser_on_another_origin_may_call_sign_in() {
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri(format!("{SIGN_IN_PATH}?key=x"))
        .header("origin", "http://localhost:5173")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,x-client-version")
        .body(Body::empty())
        .unwrap();

    let response = dev_auth::app(state()).oneshot(preflight).await.unwrap();

    assert!(response.status().is_success());
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let allowed = response.headers()["access-control-allow-methods"].to_str().unwrap().to_owned();
    assert!(allowed.contains("POST"), "{allowed}");
}

#[tokio::test]
async fn health_answers_ok() {
    let request = Request::builder().uri("/health").body(Body::empty()).unwrap();

    let response = dev_auth::app(state()).oneshot(request).await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
}
