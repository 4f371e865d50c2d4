//! `FirebaseVerifier` against a real local certificate server standing in for Google's, with
//! tokens from `DevIssuer` and a hand-set clock.
#![allow(clippy::unwrap_used, missing_docs)]

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};
use zelly_auth::dev::{DevIssuer, DevSigning, id_token_claims};
use zelly_auth::{AuthError, FirebaseConfig, FirebaseVerifier, ManualClock};

const PROJECT: &str = "zelly-test";
const UID: &str = "merchant-uid-1";
const EMAIL: &str = "merchant@shop.example";
const HOUR: Duration = Duration::from_secs(3600);

/// Key generation is the slow part of these tests: one issuer per process, plus a second one for
/// rotation and foreign-key cases.
fn issuer() -> &'static DevIssuer {
    static ISSUER: OnceLock<DevIssuer> = OnceLock::new();
    ISSUER.get_or_init(generate)
}

fn other_issuer() -> &'static DevIssuer {
    static OTHER: OnceLock<DevIssuer> = OnceLock::new();
    OTHER.get_or_init(generate)
}

fn generate() -> DevIssuer {
    let started = Instant::now();
    let issuer = DevIssuer::generate().unwrap();
    eprintln!("RSA-2048 dev issuer generated in {:?}", started.elapsed());
    issuer
}

/// What the stand-in certificate server answers, and every path it was asked for.
struct CertsState {
    body: String,
    max_age: u64,
    status: StatusCode,
    requests: Vec<String>,
}

#[derive(Clone)]
struct CertServer {
    state: Arc<Mutex<CertsState>>,
    base: String,
}

async fn answer(State(state): State<Arc<Mutex<CertsState>>>, uri: Uri) -> Response {
    let mut state = state.lock().unwrap();
    state.requests.push(uri.to_string());
    if uri.path() != "/certs" {
        return StatusCode::NOT_FOUND.into_response();
    }
    if state.status != StatusCode::OK {
        return state.status.into_response();
    }
    let cache_control = format!("public, max-age={}, must-revalidate, no-transform", state.max_age);
    (
        [(header::CONTENT_TYPE, "application/json; charset=UTF-8".to_owned()), (header::CACHE_CONTROL, cache_control)],
        state.body.clone(),
    )
        .into_response()
}

impl CertServer {
    async fn start(body: String, max_age: u64) -> CertServer {
        let state = Arc::new(Mutex::new(CertsState { body, max_age, status: StatusCode::OK, requests: Vec::new() }));
        let app = Router::new().fallback(answer).with_state(state.clone());
        let base = zelly_service::serve_in_background(app).await.unwrap();
        CertServer { state, base }
    }

    fn url(&self) -> String {
        format!("{}/certs", self.base)
    }

    fn requests(&self) -> Vec<String> {
        self.state.lock().unwrap().requests.clone()
    }

    fn request_count(&self) -> usize {
        self.state.lock().unwrap().requests.len()
    }

    fn serve(&self, body: String) {
        self.state.lock().unwrap().body = body;
    }

    fn answer_with(&self, status: StatusCode) {
        self.state.lock().unwrap().status = status;
    }
}

struct TestSetup {
    certs: CertServer,
    clock: ManualClock,
    verifier: FirebaseVerifier,
}

fn verifier_for(certs_url: String, clock: &ManualClock) -> FirebaseVerifier {
    let config = FirebaseConfig { project_id: PROJECT.into(), certs_url };
    FirebaseVerifier::with_clock(config, Arc::new(clock.clone())).unwrap()
}

/// A certificate server serving `issuer()` for an hour, and a verifier trusting it.
async fn setup() -> TestSetup {
    setup_serving(issuer().cert_map_json(), 3600).await
}

async fn setup_serving(body: String, max_age: u64) -> TestSetup {
    let certs = CertServer::start(body, max_age).await;
    let clock = ManualClock::starting_now();
    let verifier = verifier_for(certs.url(), &clock);
    TestSetup { certs, clock, verifier }
}

fn valid_claims() -> Value {
    id_token_claims(PROJECT, UID, EMAIL, SystemTime::now(), HOUR)
}

/// Valid claims with `patch` merged over them (`null` removes nothing, it sets null).
fn claims_with(patch: Value) -> Value {
    let mut claims = valid_claims();
    if let (Some(claims), Value::Object(patch)) = (claims.as_object_mut(), patch) {
        claims.extend(patch);
    }
    claims
}

fn signed(claims: &Value) -> String {
    issuer().sign_with(&DevSigning::Rs256, Some(issuer().kid()), claims)
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn a_valid_token_verifies_and_yields_the_uid_and_email() {
    let t = setup().await;
    let token = issuer().sign_id_token(PROJECT, UID, EMAIL, HOUR);

    let claims = t.verifier.verify(&token).await.unwrap();

    assert_eq!(claims.uid, UID);
    assert_eq!(claims.email.as_deref(), Some(EMAIL));
    assert_eq!(claims.email_verified, Some(true));
    assert!(claims.exp > claims.iat && claims.auth_time <= claims.iat);
    assert_eq!(t.certs.requests(), vec!["/certs".to_owned()]);
}

#[tokio::test]
async fn a_token_with_alg_none_is_rejected() {
    let t = setup().await;
    let token = issuer().sign_with(&DevSigning::None, Some(issuer().kid()), &valid_claims());

    let err = t.verifier.verify(&token).await.unwrap_err();

    assert_eq!(err, AuthError::BadAlgorithm("none".into()));
    assert_eq!(t.certs.request_count(), 0, "a refused header must not cause a fetch");
}

#[tokio::test]
async fn an_hs256_token_keyed_with_the_public_certificate_or_key_is_rejected() {
    let t = setup().await;
    for secret in [issuer().certificate_pem(), issuer().public_key_pem()] {
        let forged = DevSigning::Hs256(secret.as_bytes().to_vec());
        let token = issuer().sign_with(&forged, Some(issuer().kid()), &valid_claims());

        assert_eq!(t.verifier.verify(&token).await.unwrap_err(), AuthError::BadAlgorithm("HS256".into()));
    }
}

#[tokio::test]
async fn a_token_without_a_kid_is_rejected() {
    let t = setup().await;
    let token = issuer().sign_with(&DevSigning::Rs256, None, &valid_claims());

    assert_eq!(t.verifier.verify(&token).await.unwrap_err(), AuthError::InvalidKeyId);
}

#[tokio::test]
async fn a_path_like_or_odd_kid_is_rejected_without_any_fetch() {
    let t = setup().await;
    let long = "a".repeat(65);
    for kid in ["../../etc/passwd", "/certs", "a.b", "..", "with space", "tab\there", "%2e%2e", long.as_str()] {
        let token = issuer().sign_with(&DevSigning::Rs256, Some(kid), &valid_claims());

        assert_eq!(t.verifier.verify(&token).await.unwrap_err(), AuthError::InvalidKeyId, "kid {kid:?}");
    }
    assert_eq!(t.certs.requests(), Vec::<String>::new());
}

#[tokio::test]
async fn an_unknown_kid_is_rejected_and_refetches_the_certs_at_most_once_a_minute() {
    let t = setup().await;
    t.verifier.verify(&signed(&valid_claims())).await.unwrap();
    assert_eq!(t.certs.request_count(), 1);
    let unknown =
        issuer().sign_with(&DevSigning::Rs256, Some("0123456789abcdef0123456789abcdef01234567"), &valid_claims());

    // Within a minute of the last fetch: refused from the cache.
    for _ in 0..3 {
        assert_eq!(t.verifier.verify(&unknown).await.unwrap_err(), AuthError::UnknownKeyId);
    }
    assert_eq!(t.certs.request_count(), 1);

    // A minute later one refetch is allowed, and only one.
    t.clock.advance(Duration::from_secs(61));
    for _ in 0..3 {
        assert_eq!(t.verifier.verify(&unknown).await.unwrap_err(), AuthError::UnknownKeyId);
    }
    assert_eq!(t.certs.request_count(), 2);
}

#[tokio::test]
async fn a_token_signed_by_another_key_under_a_known_kid_is_rejected() {
    let t = setup().await;
    let token = other_issuer().sign_with(&DevSigning::Rs256, Some(issuer().kid()), &valid_claims());

    assert_eq!(t.verifier.verify(&token).await.unwrap_err(), AuthError::BadSignature);
}

#[tokio::test]
async fn an_expired_token_is_rejected() {
    let t = setup().await;
    let now = unix_now();
    let expired = signed(&claims_with(json!({"iat": now - 3700, "auth_time": now - 3700, "exp": now - 100})));

    assert_eq!(t.verifier.verify(&expired).await.unwrap_err(), AuthError::Expired);
}

#[tokio::test]
async fn a_valid_token_is_rejected_once_its_hour_has_passed() {
    let t = setup().await;
    let token = issuer().sign_id_token(PROJECT, UID, EMAIL, HOUR);
    t.verifier.verify(&token).await.unwrap();

    t.clock.advance(HOUR);

    assert_eq!(t.verifier.verify(&token).await.unwrap_err(), AuthError::Expired);
}

#[tokio::test]
async fn a_token_for_another_project_is_rejected() {
    let t = setup().await;
    let token = signed(&claims_with(json!({"aud": "someone-elses-project"})));

    assert_eq!(t.verifier.verify(&token).await.unwrap_err(), AuthError::WrongAudience);
}

#[tokio::test]
async fn a_token_from_another_issuer_is_rejected() {
    let t = setup().await;
    for iss in ["https://securetoken.google.com/someone-elses-project", "https://accounts.google.com", ""] {
        let token = signed(&claims_with(json!({ "iss": iss })));

        assert_eq!(t.verifier.verify(&token).await.unwrap_err(), AuthError::WrongIssuer, "iss {iss:?}");
    }
}

#[tokio::test]
async fn an_empty_or_129_character_subject_is_rejected_and_128_is_accepted() {
    let t = setup().await;
    for sub in [String::new(), "a".repeat(129)] {
        let token = signed(&claims_with(json!({ "sub": sub })));

        assert_eq!(t.verifier.verify(&token).await.unwrap_err(), AuthError::BadSubject);
    }
    let longest = "a".repeat(128);
    let claims = t.verifier.verify(&signed(&claims_with(json!({ "sub": longest })))).await.unwrap();
    assert_eq!(claims.uid, longest);
}

#[tokio::test]
async fn a_token_issued_or_authenticated_in_the_future_is_rejected() {
    let t = setup().await;
    let later = unix_now() + 120;
    for patch in [json!({"iat": later}), json!({"auth_time": later})] {
        let token = signed(&claims_with(patch.clone()));

        assert_eq!(t.verifier.verify(&token).await.unwrap_err(), AuthError::IssuedInFuture, "{patch}");
    }
}

#[tokio::test]
async fn a_token_without_auth_time_is_rejected() {
    let t = setup().await;
    let mut claims = valid_claims();
    claims.as_object_mut().unwrap().remove("auth_time");

    assert!(matches!(t.verifier.verify(&signed(&claims)).await.unwrap_err(), AuthError::Malformed(_)));
}

#[tokio::test]
async fn a_tampered_payload_is_rejected() {
    let t = setup().await;
    let token = issuer().sign_id_token(PROJECT, UID, EMAIL, HOUR);
    let [header, _payload, signature]: [&str; 3] = token.split('.').collect::<Vec<_>>().try_into().unwrap();
    // Same claims but another uid, under the original signature.
    let other = signed(&claims_with(json!({"sub": "someone-else", "user_id": "someone-else"})));
    let other_payload = other.split('.').nth(1).unwrap();
    let tampered = format!("{header}.{other_payload}.{signature}");

    assert_eq!(t.verifier.verify(&tampered).await.unwrap_err(), AuthError::BadSignature);
    assert!(t.verifier.verify(&token).await.is_ok(), "the untouched token still verifies");
}

#[tokio::test]
async fn text_that_is_not_a_jwt_is_malformed() {
    let t = setup().await;
    for junk in ["", "abc", "a.b", "a.b.c.d", "!!.??.%%", &"x".repeat(9000)] {
        assert!(matches!(t.verifier.verify(junk).await.unwrap_err(), AuthError::Malformed(_)), "{junk:?}");
    }
    assert_eq!(t.certs.request_count(), 0);
}

#[tokio::test]
async fn the_cert_map_is_cached_for_its_max_age_and_refetched_after_it() {
    let t = setup_serving(issuer().cert_map_json(), 1).await;
    let token = signed(&valid_claims());

    t.verifier.verify(&token).await.unwrap();
    t.verifier.verify(&token).await.unwrap();
    assert_eq!(t.certs.request_count(), 1, "the second verification uses the cache");

    t.clock.advance(Duration::from_secs(2));
    t.verifier.verify(&token).await.unwrap();
    t.verifier.verify(&token).await.unwrap();
    assert_eq!(t.certs.request_count(), 2, "one refetch once max-age has passed");
}

#[tokio::test]
async fn a_key_rotation_is_picked_up_when_a_token_names_the_new_kid() {
    let t = setup().await;
    t.verifier.verify(&signed(&valid_claims())).await.unwrap();

    // Google publishes the next key beside the current one, then starts signing with it.
    let both = json!({
        issuer().kid(): issuer().certificate_pem(),
        other_issuer().kid(): other_issuer().certificate_pem(),
    });
    t.certs.serve(both.to_string());
    t.clock.advance(Duration::from_secs(61));
    let rotated = other_issuer().sign_id_token(PROJECT, "rotated-uid", EMAIL, HOUR);

    assert_eq!(t.verifier.verify(&rotated).await.unwrap().uid, "rotated-uid");
    assert!(t.verifier.verify(&signed(&valid_claims())).await.is_ok(), "the old key still works");
    assert_eq!(t.certs.request_count(), 2);
}

#[tokio::test]
async fn concurrent_verifications_on_a_cold_cache_share_one_fetch() {
    let t = Arc::new(setup().await);
    let token = Arc::new(signed(&valid_claims()));

    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (t, token) = (t.clone(), token.clone());
            tokio::spawn(async move { t.verifier.verify(&token).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }

    assert_eq!(t.certs.request_count(), 1);
}

#[tokio::test]
async fn a_failing_certs_endpoint_makes_verification_unavailable_not_unauthorized() {
    let t = setup().await;
    t.certs.answer_with(StatusCode::SERVICE_UNAVAILABLE);

    let err = t.verifier.verify(&signed(&valid_claims())).await.unwrap_err();

    assert!(err.is_unavailable(), "{err:?}");
}

#[tokio::test]
async fn an_unreachable_certs_endpoint_makes_verification_unavailable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = format!("http://{}/certs", listener.local_addr().unwrap());
    drop(listener);
    let verifier = verifier_for(closed, &ManualClock::starting_now());

    let err = verifier.verify(&signed(&valid_claims())).await.unwrap_err();

    assert!(err.is_unavailable(), "{err:?}");
}

#[tokio::test]
async fn a_certs_endpoint_answering_garbage_makes_verification_unavailable() {
    let t = setup_serving("<html>maintenance</html>".into(), 3600).await;

    let err = t.verifier.verify(&signed(&valid_claims())).await.unwrap_err();

    assert!(err.is_unavailable(), "{err:?}");
}

#[tokio::test]
async fn after_an_outage_the_certs_are_fetched_again_after_a_short_backoff() {
    let t = setup().await;
    let token = signed(&valid_claims());
    t.certs.answer_with(StatusCode::BAD_GATEWAY);
    assert!(t.verifier.verify(&token).await.unwrap_err().is_unavailable());
    assert!(t.verifier.verify(&token).await.unwrap_err().is_unavailable());
    assert_eq!(t.certs.request_count(), 1, "failures back off instead of hammering the endpoint");

    t.certs.answer_with(StatusCode::OK);
    t.clock.advance(Duration::from_secs(6));

    assert_eq!(t.verifier.verify(&token).await.unwrap().uid, UID);
    assert_eq!(t.certs.request_count(), 2);
}

#[tokio::test]
async fn errors_and_debug_output_never_contain_the_token() {
    let t = setup().await;
    let token = issuer().sign_with(&DevSigning::Hs256(b"secret".to_vec()), Some(issuer().kid()), &valid_claims());
    let signature = token.rsplit('.').next().unwrap();

    let err = t.verifier.verify(&token).await.unwrap_err();

    for shown in [format!("{err}"), format!("{err:?}"), format!("{:?}", t.verifier), format!("{:?}", issuer())] {
        assert!(!shown.contains(signature) && !shown.contains(&token), "{shown}");
        assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    }
}

#[tokio::test]
async fn the_verifier_can_live_in_axum_state_and_verify_inside_handlers() {
    fn assert_send_sync<T: Send + Sync + 'static>(_: &T) {}
    fn assert_send<T: Send>(_: T) {}
    let t = setup().await;

    assert_send_sync(&t.verifier);
    assert_send(t.verifier.verify("a.b.c"));
}
