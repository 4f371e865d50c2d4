//! admin-api over HTTP against a real database (both backends) and the embedded queue: staff
//! sign-in with its second factor, tokens that cannot be forged, the route × role table, store
//! suspension, the queues dashboard, the audit log and alerts reaching the Slack stand-in.
#![allow(clippy::unwrap_used, missing_docs)]

use admin_api::auth::JwtKeys;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::admin::{StaffRole, StaffToken};
use zelly_queue::{DynQueues, NewJob, Unrecoverable, WorkerOptions};
use zelly_store::{DynStore, NewStaff};

const SECRET: &str = "an-admin-api-test-secret-of-32-bytes!!";
const PASSWORD: &str = "correct horse battery staple";

struct Api {
    base: String,
    store: DynStore,
    queues: DynQueues,
    http: reqwest::Client,
}

async fn spawn(store: DynStore) -> Api {
    let queues = zelly_queue::connect(&zelly_queue::testing::sqlite_config()).await.unwrap();
    let analytics = zelly_analytics::connect(&zelly_analytics::testing::sqlite_config()).await.unwrap();
    let state = admin_api::AppState::new(store.clone(), queues.clone(), analytics, JwtKeys::new(SECRET).unwrap(), zelly_service::seal::Sealer::new([9; 32]));
    let base = zelly_service::serve_in_background(admin_api::app(state)).await.unwrap();
    Api { base, store, queues, http: reqwest::Client::new() }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// The code an authenticator app shows for `secret` at `at` (s).
fn code(secret: &str, at: u64) -> String {
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::try_from_base32(secret).unwrap())
        .with_account_name("x")
        .build()
        .unwrap();
    totp.generate(at).to_string()
}

impl Api {
    async fn call(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> reqwest::Response {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.unwrap()
    }

    async fn staff(&self, email: &str, role: StaffRole) {
        let hash = zelly_service::password::hash(PASSWORD).await.unwrap();
        let new = NewStaff { email: email.into(), name: "Test".into(), role, password_hash: hash };
        self.store.create_staff(&new, zelly_service::now_ms()).await.unwrap();
    }

    async fn sign_in(&self, email: &str, code: Option<&str>) -> reqwest::Response {
        self.call(Method::POST, "/api/admin/auth/sign-in", None, Some(json!({"email": email, "password": PASSWORD, "code": code}))).await
    }

    /// Signs in a new staff member of `role`; an admin enrols a second factor first. Returns the
    /// access token and, for an admin, the TOTP secret.
    async fn signed_in(&self, email: &str, role: StaffRole) -> (String, Option<String>) {
        self.staff(email, role).await;
        let res = self.sign_in(email, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let token: StaffToken = res.json().await.unwrap();
        if role != StaffRole::Admin {
            assert!(!token.must_enroll_totp);
            return (token.access_token, None);
        }
        assert!(token.must_enroll_totp);
        let enrolled: Value = self.call(Method::POST, "/api/admin/auth/totp/enroll", Some(&token.access_token), None).await.json().await.unwrap();
        let secret = enrolled["secret"].as_str().unwrap().to_owned();
        assert!(enrolled["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/"));
        let res = self.call(Method::POST, "/api/admin/auth/totp/confirm", Some(&token.access_token), Some(json!({"code": code(&secret, now_secs())}))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let confirmed: StaffToken = res.json().await.unwrap();
        assert!(!confirmed.must_enroll_totp && confirmed.staff.totp_enabled);
        (confirmed.access_token, Some(secret))
    }

    async fn openapi_routes(&self) -> Vec<(Method, String)> {
        let doc: Value = reqwest::get(format!("{}/openapi.json", self.base)).await.unwrap().json().await.unwrap();
        let mut routes = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                routes.push((Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), path.clone()));
            }
        }
        routes
    }
}

/// A path with its parameters filled in.
fn concrete(path: &str) -> String {
    path.replace("{id}", &Uuid::new_v4().to_string()).replace("{name}", zelly_queue::SHOPIFY_WEBHOOK).replace("{domain}", "shop.example.com")
}

fn segment(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Tokens that must never pass.
fn forged_tokens(staff: Uuid, session: Uuid) -> Vec<(&'static str, String)> {
    let now = now_secs();
    let claims = json!({"sub": staff, "sid": session, "mfa": true, "iat": now, "exp": now + 300, "iss": "zelly-admin-api", "aud": "zelly-admin"});
    let sign = |alg: jsonwebtoken::Algorithm, claims: &Value, key: &[u8]| {
        jsonwebtoken::encode(&jsonwebtoken::Header::new(alg), claims, &jsonwebtoken::EncodingKey::from_secret(key).unwrap()).unwrap()
    };
    let mut expired = claims.clone();
    expired["exp"] = json!(now - 1);
    expired["iat"] = json!(now - 301);
    let mut other_audience = claims.clone();
    other_audience["aud"] = json!("zelly-seller");
    let unsigned = format!("{}.{}.", segment(&json!({"alg": "none", "typ": "JWT"})), segment(&claims));
    let good = sign(jsonwebtoken::Algorithm::HS256, &claims, SECRET.as_bytes());
    let tampered = {
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        let mut raised = claims.clone();
        raised["sub"] = json!(Uuid::new_v4());
        parts[1] = segment(&raised);
        parts.join(".")
    };
    vec![
        ("garbage", "not-a-jwt".into()),
        ("alg none", unsigned),
        ("wrong key", sign(jsonwebtoken::Algorithm::HS256, &claims, b"another-secret-of-at-least-32-bytes!")),
        ("HS512 with the right key", sign(jsonwebtoken::Algorithm::HS512, &claims, SECRET.as_bytes())),
        ("expired", sign(jsonwebtoken::Algorithm::HS256, &expired, SECRET.as_bytes())),
        ("another audience", sign(jsonwebtoken::Algorithm::HS256, &other_audience, SECRET.as_bytes())),
        ("tampered claims", tampered),
        // Well signed, but for a session that never existed.
        ("unknown session", good),
    ]
}

zelly_store::on_both_backends!(
    forged_expired_alg_none_and_wrong_key_tokens_are_refused_on_every_staff_route,
    every_route_is_in_the_role_table_and_each_role_gets_what_it_says,
    totp_codes_that_are_wrong_or_replayed_are_refused,
    sign_out_ends_the_session_and_a_refresh_token_works_once,
    wrong_passwords_are_throttled,
    suspending_and_reopening_a_store_is_audited_and_refused_to_read_only_staff,
    stores_and_orders_are_found_across_the_platform,
    a_retried_failed_job_runs_once_and_a_paused_queue_stops,
    an_admin_opens_a_store_for_a_merchant_who_is_invited_by_email,
    an_admin_refund_is_recorded_once_and_never_exceeds_what_was_paid,
    support_asks_for_a_custom_domain_to_be_checked_again,
    every_route_refuses_control_characters_and_integers_out_of_range_in_one_error_shape,
    platform_analytics_answer_per_day_and_name_bad_fields,
);

async fn forged_expired_alg_none_and_wrong_key_tokens_are_refused_on_every_staff_route(store: DynStore) {
    let api = spawn(store).await;
    api.staff("meera@zelly.test", StaffRole::Support).await;
    let staff = api.store.staff_by_email("meera@zelly.test").await.unwrap().unwrap();
    let public = ["/health", "/openapi.json", "/api/admin/auth/sign-in", "/api/admin/auth/refresh"];
    let routes = api.openapi_routes().await;
    assert!(routes.len() >= 20, "{routes:?}");
    for (method, path) in routes.iter().filter(|(_, p)| !public.contains(&p.as_str())) {
        let url = concrete(path);
        let res = api.call(method.clone(), &url, None, Some(json!({}))).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path} without a token");
        for (what, token) in forged_tokens(staff.id, Uuid::new_v4()) {
            let res = api.call(method.clone(), &url, Some(&token), Some(json!({}))).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path} with {what}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"]["code"], "unauthorized", "{body}");
        }
    }
}

async fn every_route_is_in_the_role_table_and_each_role_gets_what_it_says(store: DynStore) {
    let api = spawn(store).await;
    let mut documented: Vec<(String, String)> = api.openapi_routes().await.into_iter().map(|(m, p)| (m.to_string(), p)).collect();
    // The document does not describe itself.
    let mut table: Vec<(String, String)> =
        admin_api::ROUTE_ROLES.iter().filter(|(_, p, _)| *p != "/openapi.json").map(|(m, p, _)| ((*m).to_owned(), (*p).to_owned())).collect();
    documented.sort();
    table.sort();
    assert_eq!(documented, table, "every route has a row in ROUTE_ROLES (and the README's table)");

    let mut tokens = Vec::new();
    for (email, role) in [("ro@zelly.test", StaffRole::ReadOnly), ("support@zelly.test", StaffRole::Support), ("admin@zelly.test", StaffRole::Admin)] {
        tokens.push((role, api.signed_in(email, role).await.0));
    }
    for (method, path, needed) in admin_api::ROUTE_ROLES {
        let Some(needed) = needed else { continue };
        for (role, token) in &tokens {
            let method = Method::from_bytes(method.as_bytes()).unwrap();
            let res = api.call(method.clone(), &concrete(path), Some(token), Some(json!({}))).await;
            let status = res.status();
            if role.allows(*needed) {
                assert!(status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED, "{role:?} {method} {path}: {status}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{role:?} {method} {path}");
            }
        }
    }
}

async fn totp_codes_that_are_wrong_or_replayed_are_refused(store: DynStore) {
    let api = spawn(store).await;
    // An admin without a second factor can only enrol.
    api.staff("new-admin@zelly.test", StaffRole::Admin).await;
    let first: StaffToken = api.sign_in("new-admin@zelly.test", None).await.json().await.unwrap();
    assert!(first.must_enroll_totp);
    let res = api.call(Method::GET, "/api/admin/tenants", Some(&first.access_token), None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let enrolled: Value = api.call(Method::POST, "/api/admin/auth/totp/enroll", Some(&first.access_token), None).await.json().await.unwrap();
    let secret = enrolled["secret"].as_str().unwrap().to_owned();
    let wrong = api.call(Method::POST, "/api/admin/auth/totp/confirm", Some(&first.access_token), Some(json!({"code": "000000"}))).await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let confirmed = api.call(Method::POST, "/api/admin/auth/totp/confirm", Some(&first.access_token), Some(json!({"code": code(&secret, now_secs())}))).await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    let stored = api.store.staff_by_email("new-admin@zelly.test").await.unwrap().unwrap().totp_secret.unwrap();
    assert!(stored.starts_with("v1.") && !stored.contains(&secret), "the database holds the secret sealed, never in clear");

    // Now the code is required at sign-in, works once, and a wrong one is refused.
    assert_eq!(api.sign_in("new-admin@zelly.test", None).await.status(), StatusCode::UNAUTHORIZED);
    let wrong = if code(&secret, now_secs() + 30) == "123456" { "654321" } else { "123456" };
    assert_eq!(api.sign_in("new-admin@zelly.test", Some(wrong)).await.status(), StatusCode::UNAUTHORIZED);
    // The next step's code (within the allowed skew) has not been used yet.
    let next = code(&secret, now_secs() + 30);
    let ok = api.sign_in("new-admin@zelly.test", Some(&next)).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let token: StaffToken = ok.json().await.unwrap();
    assert!(!token.must_enroll_totp);
    assert_eq!(api.call(Method::GET, "/api/admin/tenants", Some(&token.access_token), None).await.status(), StatusCode::OK);
    let replay = api.sign_in("new-admin@zelly.test", Some(&next)).await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED, "a code works once");
    // Enrolling again is refused once set up.
    let again = api.call(Method::POST, "/api/admin/auth/totp/enroll", Some(&token.access_token), None).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

fn refresh_cookie(res: &reqwest::Response) -> String {
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Strict"), "{cookie}");
    cookie.split(';').next().unwrap().to_owned()
}

async fn sign_out_ends_the_session_and_a_refresh_token_works_once(store: DynStore) {
    let api = spawn(store).await;
    api.staff("ravi@zelly.test", StaffRole::Support).await;
    let res = api.sign_in("ravi@zelly.test", None).await;
    let cookie = refresh_cookie(&res);
    let token: StaffToken = res.json().await.unwrap();
    let refresh = |cookie: String| {
        let http = api.http.clone();
        let url = format!("{}/api/admin/auth/refresh", api.base);
        async move { http.post(url).header("cookie", cookie).send().await.unwrap() }
    };
    let refreshed = refresh(cookie.clone()).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let rotated = refresh_cookie(&refreshed);
    assert_ne!(rotated, cookie);
    assert_eq!(refresh(cookie).await.status(), StatusCode::UNAUTHORIZED, "the old refresh token is spent");
    let me: Value = api.call(Method::GET, "/api/admin/me", Some(&token.access_token), None).await.json().await.unwrap();
    assert_eq!(me["role"], "support");

    let out = api.call(Method::POST, "/api/admin/auth/sign-out", Some(&token.access_token), None).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert!(out.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(api.call(Method::GET, "/api/admin/me", Some(&token.access_token), None).await.status(), StatusCode::UNAUTHORIZED, "the access token died with the session");
    assert_eq!(refresh(rotated).await.status(), StatusCode::UNAUTHORIZED, "so did the refresh token");
    let actions: Vec<String> = api.store.audit_log(&zelly_store::AuditQuery { limit: 10, ..Default::default() }).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["staff.sign_out", "staff.sign_in"]);
}

async fn wrong_passwords_are_throttled(store: DynStore) {
    let api = spawn(store).await;
    api.staff("lata@zelly.test", StaffRole::ReadOnly).await;
    for _ in 0..10 {
        let res = api.call(Method::POST, "/api/admin/auth/sign-in", None, Some(json!({"email": "lata@zelly.test", "password": "nope"}))).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
    let res = api.sign_in("lata@zelly.test", None).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let unknown = api.call(Method::POST, "/api/admin/auth/sign-in", None, Some(json!({"email": "who@zelly.test", "password": PASSWORD}))).await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
}

async fn suspending_and_reopening_a_store_is_audited_and_refused_to_read_only_staff(store: DynStore) {
    zelly_store::demo::seed_demo(&store).await.unwrap();
    let api = spawn(store).await;
    let demo = api.store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    let path = format!("/api/admin/tenants/{}/status", demo.id);
    let (support, _) = api.signed_in("support@zelly.test", StaffRole::Support).await;
    let (read_only, _) = api.signed_in("ro@zelly.test", StaffRole::ReadOnly).await;

    let refused = api.call(Method::POST, &path, Some(&read_only), Some(json!({"status": "suspended", "reason": "fraud report"}))).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let no_reason = api.call(Method::POST, &path, Some(&support), Some(json!({"status": "suspended", "reason": "  "}))).await;
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let done = api.call(Method::POST, &path, Some(&support), Some(json!({"status": "suspended", "reason": "fraud report"}))).await;
    assert_eq!(done.status(), StatusCode::OK);
    let detail: Value = done.json().await.unwrap();
    assert_eq!(detail["summary"]["tenant"]["status"], "suspended");
    // The store is closed where the storefront and the seller API look (core-api's tests prove
    // that a suspended store answers 410 to shoppers and 403 to its merchants).
    let closed = api.store.tenant_by_domain(&zelly_edge::DomainName::parse("demo.localhost").unwrap()).await.unwrap().unwrap();
    assert_eq!(closed.status, zelly_edge::dto::TenantStatus::Suspended);
    assert!(closed.catalog_version > demo.catalog_version, "cached pages go stale at once");
    let twice = api.call(Method::POST, &path, Some(&support), Some(json!({"status": "suspended", "reason": "again"}))).await;
    assert_eq!(twice.status(), StatusCode::CONFLICT);

    let reopened = api.call(Method::POST, &path, Some(&support), Some(json!({"status": "active", "reason": "cleared"}))).await;
    assert_eq!(reopened.status(), StatusCode::OK);
    assert_eq!(api.store.tenant_by_slug(&demo.slug).await.unwrap().unwrap().status, zelly_edge::dto::TenantStatus::Active);

    let audit: Vec<Value> = api
        .call(Method::GET, &format!("/api/admin/audit?tenant={}", demo.id), Some(&read_only), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit.len(), 2, "one row per action, none for refused ones: {audit:?}");
    assert_eq!(audit[0]["action"], "tenant.reopen");
    assert_eq!(audit[1]["action"], "tenant.suspend");
    assert_eq!(audit[1]["staff_email"], "support@zelly.test");
    assert_eq!(audit[1]["before"], json!({"status": "active"}));
    assert_eq!(audit[1]["after"], json!({"status": "suspended", "reason": "fraud report"}));
}

async fn stores_and_orders_are_found_across_the_platform(store: DynStore) {
    zelly_store::demo::seed_demo(&store).await.unwrap();
    let api = spawn(store).await;
    let (token, _) = api.signed_in("ro@zelly.test", StaffRole::ReadOnly).await;
    let page: Value = api.call(Method::GET, "/api/admin/tenants?q=DEMO", Some(&token), None).await.json().await.unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["domains"][0], "demo.localhost");
    assert_eq!(page["items"][0]["product_count"], 12);
    let id = page["items"][0]["tenant"]["id"].as_str().unwrap().to_owned();
    let detail: Value = api.call(Method::GET, &format!("/api/admin/tenants/{id}"), Some(&token), None).await.json().await.unwrap();
    assert_eq!(detail["domains"][0]["domain"], "demo.localhost");
    let missing = api.call(Method::GET, &format!("/api/admin/tenants/{}", Uuid::new_v4()), Some(&token), None).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let bad = api.call(Method::GET, "/api/admin/tenants?limit=0", Some(&token), None).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let nothing = api.call(Method::GET, "/api/admin/orders", Some(&token), None).await;
    assert_eq!(nothing.status(), StatusCode::UNPROCESSABLE_ENTITY, "a search needs something to find by");
    let number_alone = api.call(Method::GET, "/api/admin/orders?number=1", Some(&token), None).await;
    assert_eq!(number_alone.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let none: Vec<Value> = api.call(Method::GET, "/api/admin/orders?email=nobody%40example.in", Some(&token), None).await.json().await.unwrap();
    assert!(none.is_empty());
    let control = api.call(Method::GET, "/api/admin/orders?email=a%00b", Some(&token), None).await;
    assert_eq!(control.status(), StatusCode::UNPROCESSABLE_ENTITY, "control characters are refused");
    let no_order = api.call(Method::GET, &format!("/api/admin/orders/{}", Uuid::new_v4()), Some(&token), None).await;
    assert_eq!(no_order.status(), StatusCode::NOT_FOUND);
}

async fn a_retried_failed_job_runs_once_and_a_paused_queue_stops(store: DynStore) {
    let api = spawn(store).await;
    let (support, _) = api.signed_in("support@zelly.test", StaffRole::Support).await;
    let (read_only, _) = api.signed_in("ro@zelly.test", StaffRole::ReadOnly).await;
    let queue = zelly_queue::SHOPIFY_SETTINGS_FETCH;
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    // The first run fails for good; every later run succeeds and is counted.
    let failed_once = Arc::new(AtomicUsize::new(0));
    let worker = api
        .queues
        .start_worker(
            queue,
            Arc::new(move |_job| {
                let (counted, failed_once) = (counted.clone(), failed_once.clone());
                async move {
                    if failed_once.fetch_add(1, Ordering::SeqCst) == 0 {
                        return Err(anyhow::Error::new(Unrecoverable("the shop answered 500".into())));
                    }
                    counted.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
            }),
            WorkerOptions::default(),
        )
        .await
        .unwrap();
    api.queues.add(queue, NewJob::new("fetch", json!({"tenant": "t"})).with_id("fetch-t")).await.unwrap();
    let failed = wait_for(|| async {
        let jobs: Vec<Value> = api.call(Method::GET, &format!("/api/admin/queues/{queue}/failed"), Some(&read_only), None).await.json().await.unwrap();
        (!jobs.is_empty()).then_some(jobs)
    })
    .await;
    assert_eq!(failed[0]["id"], "fetch-t");
    assert_eq!(failed[0]["failed_reason"], "the shop answered 500");
    assert_eq!(failed[0]["attempts_made"], 1);

    let refused = api.call(Method::POST, &format!("/api/admin/queues/{queue}/jobs/fetch-t/retry"), Some(&read_only), None).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let retried = api.call(Method::POST, &format!("/api/admin/queues/{queue}/jobs/fetch-t/retry"), Some(&support), None).await;
    assert_eq!(retried.status(), StatusCode::NO_CONTENT);
    wait_for(|| async { (runs.load(Ordering::SeqCst) == 1).then_some(()) }).await;
    let again = api.call(Method::POST, &format!("/api/admin/queues/{queue}/jobs/fetch-t/retry"), Some(&support), None).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "it is no longer failed");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1, "a retry runs the job once");

    let paused: Value = api.call(Method::POST, &format!("/api/admin/queues/{queue}/pause"), Some(&support), None).await.json().await.unwrap();
    assert_eq!(paused["paused"], true);
    api.queues.add(queue, NewJob::new("fetch", json!({})).with_id("fetch-u")).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 1, "nothing runs while paused");
    let overview: Vec<Value> = api.call(Method::GET, "/api/admin/queues", Some(&read_only), None).await.json().await.unwrap();
    let this = overview.iter().find(|q| q["name"] == queue).unwrap();
    assert_eq!((this["paused"].clone(), this["waiting"].clone()), (json!(true), json!(1)));
    assert_eq!(overview.len(), 7);
    api.call(Method::POST, &format!("/api/admin/queues/{queue}/resume"), Some(&support), None).await;
    wait_for(|| async { (runs.load(Ordering::SeqCst) == 2).then_some(()) }).await;
    let unknown = api.call(Method::GET, "/api/admin/queues/nope/failed", Some(&read_only), None).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    worker.shutdown(Duration::from_secs(5)).await.unwrap();

    let actions: Vec<String> = api
        .store
        .audit_log(&zelly_store::AuditQuery { action: Some("queue.".into()), limit: 10, ..Default::default() })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["queue.resume", "queue.pause", "queue.retry"]);
}

async fn wait_for<T, F, Fut>(mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..300 {
        if let Some(found) = probe().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("not within 30 s");
}

/// A job that fails for good is posted to Slack once however often the monitor looks; while
/// Slack is down the post waits in the alerts queue and goes out once it is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_failing_for_good_is_posted_to_slack_once_even_after_an_outage() {
    let store = zelly_store::testing::sqlite_store().await;
    let queues = zelly_queue::connect(&zelly_queue::testing::sqlite_config()).await.unwrap();
    let slack = slack_standin::Standin::new();
    let slack_base = zelly_service::serve_in_background(slack_standin::app(slack.clone())).await.unwrap();
    slack.set_down(true);
    let config = zelly_alerts::SlackConfig::new(Some(&format!("{slack_base}/services/T000/B000/XXXX"))).unwrap();
    let alerts = zelly_alerts::start_worker(queues.as_ref(), config).await.unwrap();
    let queue = zelly_queue::SHOPIFY_WEBHOOK;
    let worker = queues
        .start_worker(queue, Arc::new(|_job| async { Err(anyhow::Error::new(Unrecoverable("products/update: no such shop".into()))) }), WorkerOptions::default())
        .await
        .unwrap();
    queues.add(queue, NewJob::new("products/update", json!({})).with_id("webhook-1")).await.unwrap();
    wait_for(|| async { (queues.counts(queue).await.unwrap().failed == 1).then_some(()) }).await;
    let monitor = admin_api::monitor::MonitorConfig { interval: Duration::from_secs(1), events_backlog: 10_000 };
    for _ in 0..3 {
        admin_api::monitor::check(&store, &queues, None, &monitor).await;
    }
    wait_for(|| async { (slack.refused() >= 1).then_some(()) }).await;
    assert!(slack.messages().is_empty(), "Slack is down");
    slack.set_down(false);
    // The alert's retry waits out its backoff (2 s, then 4 s…).
    let posted = wait_for(|| async {
        let messages = slack.messages();
        (!messages.is_empty()).then_some(messages)
    })
    .await;
    admin_api::monitor::check(&store, &queues, None, &monitor).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let messages = slack.messages();
    assert_eq!(messages.len(), 1, "exactly one post: {messages:?}");
    let text = posted[0].text.clone().unwrap();
    assert!(text.contains("SHOPIFY_WEBHOOK") && text.contains("no such shop"), "{text}");
    worker.shutdown(Duration::from_secs(5)).await.unwrap();
    alerts.shutdown(Duration::from_secs(5)).await.unwrap();
}

async fn an_admin_opens_a_store_for_a_merchant_who_is_invited_by_email(store: DynStore) {
    let api = spawn(store).await;
    let (admin, _) = api.signed_in("admin@zelly.test", StaffRole::Admin).await;
    let bad = api.call(Method::POST, "/api/admin/tenants", Some(&admin), Some(json!({"name": "", "slug": "A!", "owner_email": "nope"}))).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = bad.json().await.unwrap();
    for field in ["name", "slug", "owner_email"] {
        assert!(body["error"]["fields"][field].is_string(), "{field} named: {body}");
    }
    assert_eq!(api.queues.counts(zelly_mail::EMAILS).await.unwrap().waiting, 0, "nothing sent for a refused store");

    let new = json!({"name": "Kite Crafts", "slug": "kite", "owner_email": "Owner@Kite.example"});
    let created = api.call(Method::POST, "/api/admin/tenants", Some(&admin), Some(new.clone())).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let detail: Value = created.json().await.unwrap();
    assert_eq!(detail["summary"]["tenant"]["slug"], "kite");
    assert_eq!(detail["domains"][0]["domain"], "kite.localhost");
    assert!(detail["team"].as_array().unwrap().is_empty(), "the owner joins by accepting the invite");
    let id: Uuid = detail["summary"]["tenant"]["id"].as_str().unwrap().parse().unwrap();
    let team = api.store.team(id, zelly_service::now_ms()).await.unwrap();
    assert_eq!(team.invites.len(), 1);
    assert_eq!((team.invites[0].email.as_str(), team.invites[0].role), ("owner@kite.example", zelly_edge::catalog::Role::Owner));
    assert_eq!(api.queues.counts(zelly_mail::EMAILS).await.unwrap().waiting, 1, "the invite email is on its way");

    let again = api.call(Method::POST, "/api/admin/tenants", Some(&admin), Some(new)).await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY, "the slug is taken");
    let audit = api.store.audit_log(&zelly_store::AuditQuery { tenant: Some(id), limit: 5, ..Default::default() }).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "tenant.create");
    assert_eq!(audit[0].after["owner_email"], "owner@kite.example");
}

async fn an_admin_refund_is_recorded_once_and_never_exceeds_what_was_paid(store: DynStore) {
    let api = spawn(store).await;
    let tenant = api.store.create_tenant(&zelly_store::NewTenant { slug: zelly_edge::TenantSlug::parse("bolt").unwrap(), name: "Bolt".into() }).await.unwrap();
    let input: zelly_edge::catalog::ProductInput = serde_json::from_value(json!({
        "handle": "mug", "title": "Mug", "status": "active",
        "variants": [{ "sku": "MUG", "price_minor": 50_000, "inventory_quantity": 5 }],
    }))
    .unwrap();
    let variant = api.store.create_seller_product(tenant.id, &input).await.unwrap().variants[0].id;
    let checkout_input = zelly_store::testing::checkout_input(&[(variant, 1)], zelly_edge::orders::PaymentMethod::Razorpay);
    let now = zelly_service::now_ms();
    let checkout = api.store.create_checkout(tenant.id, &checkout_input, now, zelly_edge::orders::RESERVATION_MS).await.unwrap();
    let paid = zelly_edge::orders::PaymentConfirmation { payment_id: Some("pay_admin1".into()), amount_minor: 50_000 };
    let order = api.store.finalize_checkout(tenant.id, checkout.id, &paid, now).await.unwrap().order;
    let path = format!("/api/admin/orders/{}/refund", order.id);
    let (admin, _) = api.signed_in("admin@zelly.test", StaffRole::Admin).await;

    let first = api.call(Method::POST, &path, Some(&admin), Some(json!({"amount_minor": 20_000, "reason": "damaged", "idempotency_key": "form-1"}))).await;
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    let first: Value = first.json().await.unwrap();
    assert_eq!(first["state"], "pending");
    let repeat: Value = api
        .call(Method::POST, &path, Some(&admin), Some(json!({"amount_minor": 20_000, "reason": "damaged", "idempotency_key": "form-1"})))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(repeat["id"], first["id"], "a double click refunds once");
    let other_amount = api.call(Method::POST, &path, Some(&admin), Some(json!({"amount_minor": 1, "reason": "x", "idempotency_key": "form-1"}))).await;
    assert_eq!(other_amount.status(), StatusCode::CONFLICT);
    let too_much = api.call(Method::POST, &path, Some(&admin), Some(json!({"amount_minor": 30_001, "reason": "x", "idempotency_key": "form-2"}))).await;
    assert_eq!(too_much.status(), StatusCode::UNPROCESSABLE_ENTITY, "20,000 are already held for the first refund");
    // core-api's loop sends the pending intent to Razorpay.
    let pending = api.store.stale_refund_intents(zelly_service::now_ms() + 1, 10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].1.amount_minor, 20_000);
    let audit = api.store.audit_log(&zelly_store::AuditQuery { action: Some("order.refund".into()), limit: 5, ..Default::default() }).await.unwrap();
    assert_eq!(audit.len(), 2, "each accepted request is logged: {audit:?}");
}

async fn support_asks_for_a_custom_domain_to_be_checked_again(store: DynStore) {
    let api = spawn(store).await;
    let tenant = api.store.create_tenant(&zelly_store::NewTenant { slug: zelly_edge::TenantSlug::parse("bolt").unwrap(), name: "Bolt".into() }).await.unwrap();
    let domain = zelly_edge::DomainName::parse("shop.bolt.example").unwrap();
    api.store.claim_domain(tenant.id, &domain, "token", 5).await.unwrap();
    let proven = zelly_store::DomainCheckOutcome { proven: Some(true), routed: true, failure: None };
    api.store.record_domain_check(tenant.id, &domain, &proven, zelly_service::now_ms()).await.unwrap();
    let (support, _) = api.signed_in("support@zelly.test", StaffRole::Support).await;
    let before = api.store.domains_due(zelly_service::now_ms() - 60_000, 10).await.unwrap();
    assert!(before.is_empty(), "just checked");
    let res = api.call(Method::POST, &format!("/api/admin/tenants/{}/domains/shop.bolt.example/recheck", tenant.id), Some(&support), None).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let due = api.store.domains_due(zelly_service::now_ms() - 60_000, 10).await.unwrap();
    assert_eq!(due.iter().map(|d| d.domain.as_str()).collect::<Vec<_>>(), ["shop.bolt.example"]);
    let platform = api.call(Method::POST, &format!("/api/admin/tenants/{}/domains/bolt.localhost/recheck", tenant.id), Some(&support), None).await;
    assert_eq!(platform.status(), StatusCode::NOT_FOUND, "only custom domains are checked");
}

/// Without its queue server the dashboard says so (503) instead of failing obscurely.
#[tokio::test]
async fn the_queues_dashboard_answers_503_when_redis_is_down() {
    let store = zelly_store::testing::sqlite_store().await;
    let queues: DynQueues = Arc::new(zelly_queue::testing::DownQueues);
    let analytics = zelly_analytics::connect(&zelly_analytics::testing::sqlite_config()).await.unwrap();
    let state = admin_api::AppState::new(store.clone(), queues.clone(), analytics, JwtKeys::new(SECRET).unwrap(), zelly_service::seal::Sealer::new([9; 32]));
    let base = zelly_service::serve_in_background(admin_api::app(state)).await.unwrap();
    let api = Api { base, store, queues, http: reqwest::Client::new() };
    let (token, _) = api.signed_in("ro@zelly.test", StaffRole::ReadOnly).await;
    let res = api.call(Method::GET, "/api/admin/queues", Some(&token), None).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["message"], "the queue server cannot be reached");
}

/// The API rules walk (`zelly_service::api_walk`) over admin-api's `/openapi.json`, as an admin
/// with real ids for every path parameter.
async fn every_route_refuses_control_characters_and_integers_out_of_range_in_one_error_shape(store: DynStore) {
    zelly_store::demo::seed_demo(&store).await.unwrap();
    let api = spawn(store).await;
    let (admin, _) = api.signed_in("admin@zelly.test", StaffRole::Admin).await;
    let demo = api.store.tenant_by_slug(&zelly_edge::TenantSlug::parse("demo").unwrap()).await.unwrap().unwrap();
    let domain = zelly_edge::DomainName::parse("shop.demo.example").unwrap();
    api.store.claim_domain(demo.id, &domain, "token", 5).await.unwrap();
    let proven = zelly_store::DomainCheckOutcome { proven: Some(true), routed: true, failure: None };
    api.store.record_domain_check(demo.id, &domain, &proven, zelly_service::now_ms()).await.unwrap();
    let variant = api.store.list_products(demo.id).await.unwrap()[0].variants[0].id;
    let input = zelly_store::testing::checkout_input(&[(variant, 1)], zelly_edge::orders::PaymentMethod::Razorpay);
    let checkout = api.store.create_checkout(demo.id, &input, zelly_service::now_ms(), zelly_edge::orders::RESERVATION_MS).await.unwrap();
    let paid = zelly_edge::orders::PaymentConfirmation { payment_id: Some("pay_walk".into()), amount_minor: checkout.total.amount_minor };
    let order = api.store.finalize_checkout(demo.id, checkout.id, &paid, zelly_service::now_ms()).await.unwrap().order;
    let job = api.queues.add(zelly_queue::SHOPIFY_WEBHOOK, NewJob::new("products/update", json!({})).with_id("walk-job")).await.unwrap();
    let walk = zelly_service::api_walk::ApiWalk {
        base: api.base.clone(),
        http: api.http.clone(),
        ids: [
            (("tenants", "id"), demo.id.to_string()),
            (("domains", "domain"), domain.as_str().to_owned()),
            (("orders", "id"), order.id.to_string()),
            (("queues", "name"), zelly_queue::SHOPIFY_WEBHOOK.to_owned()),
            (("jobs", "id"), job),
        ]
        .into_iter()
        .map(|((segment, name), id)| ((segment.to_owned(), name.to_owned()), id))
        .collect(),
        tokens: vec![("staff".into(), admin)],
        skip: Vec::new(),
    };
    let checked = walk.check_every_route().await;
    assert!(checked > 20, "the walk reached {checked} fields: is /openapi.json documenting the bodies?");
}

async fn platform_analytics_answer_per_day_and_name_bad_fields(store: DynStore) {
    let api = spawn(store).await;
    let (token, _) = api.signed_in("ro@zelly.test", StaffRole::ReadOnly).await;
    let res = api.call(Method::GET, "/api/admin/analytics?from=2026-12-01&to=2026-12-07&utc_offset_minutes=330", Some(&token), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: zelly_edge::analytics::PlatformReport = res.json().await.unwrap();
    assert_eq!(report.days.len(), 7, "every day, quiet ones as zeros");
    assert_eq!((report.totals.visits, report.totals.orders), (0, 0));
    let one_store = format!("/api/admin/analytics?from=2026-12-01&to=2026-12-01&tenant={}", Uuid::new_v4());
    assert_eq!(api.call(Method::GET, &one_store, Some(&token), None).await.status(), StatusCode::OK);
    let bad = api.call(Method::GET, "/api/admin/analytics?from=2026-13-01&to=2025-01-01&utc_offset_minutes=9999", Some(&token), None).await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = bad.json().await.unwrap();
    for field in ["from", "utc_offset_minutes"] {
        assert!(body["error"]["fields"][field].is_string(), "{field}: {body}");
    }
}
