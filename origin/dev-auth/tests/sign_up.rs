//! dev-auth's sign-up over HTTP: a new merchant creates an account like a Firebase client, signs
//! in with it afterwards, and gets Firebase's own errors for a taken email or a weak password.
#![allow(clippy::unwrap_used, missing_docs)]

use dev_auth::{AppState, CERTS_PATH, SIGN_IN_PATH, SIGN_UP_PATH, parse_users};
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use zelly_auth::dev::DevIssuer;
use zelly_auth::{FirebaseConfig, FirebaseVerifier};

const PROJECT: &str = "zelly-dev";

struct TestApp {
    base: String,
    http: reqwest::Client,
}

impl TestApp {
    async fn spawn() -> TestApp {
        static ISSUER: OnceLock<Arc<DevIssuer>> = OnceLock::new();
        let issuer = ISSUER.get_or_init(|| Arc::new(DevIssuer::generate().unwrap())).clone();
        let users = parse_users("merchant@demo.localhost:demo-password:demo-merchant").unwrap();
        let base = zelly_service::serve_in_background(dev_auth::app(AppState::new(issuer, PROJECT, users))).await.unwrap();
        TestApp { base, http: reqwest::Client::new() }
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        let url = format!("{}{path}?key=fake-api-key", self.base);
        let response = self.http.post(url).json(body).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn sign_up(&self, email: &str, password: &str) -> (u16, Value) {
        self.post(SIGN_UP_PATH, &json!({"email": email, "password": password, "returnSecureToken": true})).await
    }

    async fn uid_of(&self, id_token: &str) -> String {
        let config = FirebaseConfig { project_id: PROJECT.into(), certs_url: format!("{}{CERTS_PATH}", self.base) };
        FirebaseVerifier::new(config).unwrap().verify(id_token).await.unwrap().uid
    }
}

#[tokio::test]
async fn a_new_account_gets_a_verifiable_token_and_can_sign_in_afterwards() {
    let app = TestApp::spawn().await;

    let (status, body) = app.sign_up("New.Owner@Shop.example", "secret-1").await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["kind"], "identitytoolkit#SignupNewUserResponse");
    assert_eq!(body["email"], "new.owner@shop.example", "Firebase keeps emails in lower case");
    assert_eq!(body["expiresIn"], "3600");
    assert!(body["refreshToken"].as_str().is_some_and(|t| t.len() >= 32));
    let uid = body["localId"].as_str().unwrap().to_owned();
    assert_eq!(uid.len(), 28);
    assert_eq!(app.uid_of(body["idToken"].as_str().unwrap()).await, uid);

    let (status, signed_in) =
        app.post(SIGN_IN_PATH, &json!({"email": "new.owner@shop.example", "password": "secret-1"})).await;
    assert_eq!(status, 200, "{signed_in}");
    assert_eq!(signed_in["localId"], uid.as_str());
}

#[tokio::test]
async fn two_accounts_get_different_random_uids() {
    let app = TestApp::spawn().await;

    let (_, first) = app.sign_up("one@shop.example", "secret-1").await;
    let (_, second) = app.sign_up("two@shop.example", "secret-2").await;

    assert_ne!(first["localId"], second["localId"]);
}

#[tokio::test]
async fn an_email_that_has_an_account_is_refused_with_email_exists() {
    let app = TestApp::spawn().await;
    let (status, _) = app.sign_up("taken@shop.example", "secret-1").await;
    assert_eq!(status, 200);

    for email in ["taken@shop.example", "Taken@Shop.Example", "merchant@demo.localhost"] {
        let (status, body) = app.sign_up(email, "another-password").await;

        assert_eq!(status, 400, "{email}");
        assert_eq!(body["error"]["code"], 400);
        assert_eq!(body["error"]["message"], "EMAIL_EXISTS", "{email}");
        assert!(body.get("idToken").is_none());
    }
    // The first account's password still works; the refused one never did.
    let (status, _) = app.post(SIGN_IN_PATH, &json!({"email": "taken@shop.example", "password": "secret-1"})).await;
    assert_eq!(status, 200);
    let (status, _) =
        app.post(SIGN_IN_PATH, &json!({"email": "taken@shop.example", "password": "another-password"})).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_password_under_six_characters_is_weak() {
    let app = TestApp::spawn().await;

    let (status, body) = app.sign_up("short@shop.example", "12345").await;

    assert_eq!(status, 400);
    assert_eq!(body["error"]["message"], "WEAK_PASSWORD : Password should be at least 6 characters");
    // Nothing was created: the email is still free.
    let (status, _) = app.sign_up("short@shop.example", "123456").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_missing_or_malformed_email_or_password_says_which() {
    let app = TestApp::spawn().await;

    let (_, no_email) = app.post(SIGN_UP_PATH, &json!({"password": "secret-1"})).await;
    let (_, bad_email) = app.sign_up("not an email", "secret-1").await;
    let (_, no_password) = app.post(SIGN_UP_PATH, &json!({"email": "a@shop.example"})).await;

    assert_eq!(no_email["error"]["message"], "MISSING_EMAIL");
    assert_eq!(bad_email["error"]["message"], "INVALID_EMAIL");
    assert_eq!(no_password["error"]["message"], "MISSING_PASSWORD");
}
