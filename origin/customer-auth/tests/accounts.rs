//! customer-auth over HTTP on both backends: an account is opened, confirmed from its email,
//! signed in and out; nothing tells whether an email has an account; wrong passwords are
//! throttled with a way back for the owner; sessions rotate and die with the password; one store's
//! shoppers are nothing to another; writes from other sites are refused.
#![allow(clippy::unwrap_used, missing_docs)]

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;
use zelly_edge::{DomainName, TenantSlug};
use zelly_mail::Email;
use zelly_store::{DynStore, NewTenant};

zelly_store::on_both_backends!(
    an_account_is_confirmed_from_its_email_then_signs_in_and_out,
    no_answer_tells_whether_an_email_has_an_account,
    a_hundred_wrong_passwords_are_throttled_and_a_reset_lets_the_owner_back,
    sign_in_replaces_any_session_the_browser_had_and_a_new_password_ends_the_others,
    one_stores_shoppers_are_nothing_to_another,
    writes_from_other_sites_are_refused,
    the_api_document_lists_every_route,
    a_forgotten_password_is_reset_from_the_pages_alone,
    signing_in_on_one_domain_signs_in_on_the_others_and_signing_out_ends_it_everywhere,
    a_code_replayed_taken_elsewhere_or_with_a_wrong_verifier_or_return_url_is_refused,
    saved_addresses_are_checked_kept_to_their_owner_and_one_is_the_default,
    the_address_check_never_waits_long_on_an_api_that_is_slow_or_down,
);

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-more-entropy";

/// A client that does not follow redirects, as a test of them needs.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn sign_in_query(redirect_uri: &str, state: &str) -> String {
    let challenge = customer_auth::flow::challenge_of(VERIFIER);
    format!("redirect_uri={}&code_challenge={challenge}&code_challenge_method=S256&state={state}", redirect_uri.replace(':', "%3A").replace('/', "%2F"))
}

impl App {
    /// Signs in on customer-auth's form for `redirect_uri`: the root session's cookie and the
    /// code in the way back.
    async fn sign_in_for(&self, store: &str, redirect_uri: &str, state: &str) -> (String, String) {
        let challenge = customer_auth::flow::challenge_of(VERIFIER);
        let body = format!(
            "email=asha%40example.com&password={}&redirect_uri={}&code_challenge={challenge}&state={state}",
            PASSWORD.replace(' ', "+"),
            redirect_uri.replace(':', "%3A").replace('/', "%2F"),
        );
        let res = no_redirects()
            .post(format!("{}/stores/{store}/sign-in", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", self.base.clone())
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
        (cookie, Self::code_in(res.headers()["location"].to_str().unwrap(), redirect_uri, state))
    }

    /// The code of a way back to `redirect_uri` carrying `state`.
    fn code_in(location: &str, redirect_uri: &str, state: &str) -> String {
        let (base, query) = location.split_once('?').unwrap();
        assert_eq!(base, redirect_uri);
        let pairs: std::collections::HashMap<_, _> = query.split('&').filter_map(|p| p.split_once('=')).collect();
        assert_eq!(pairs["state"], state);
        pairs["code"].to_owned()
    }

    async fn exchange(&self, store: &str, code: &str, verifier: &str, redirect_uri: &str) -> Answer {
        let body = json!({ "code": code, "code_verifier": verifier, "redirect_uri": redirect_uri });
        self.call(Method::POST, &format!("/api/stores/{store}/codes"), &[], Some(body)).await
    }
}

const PASSWORD: &str = "correct horse battery";

struct App {
    base: String,
    http: reqwest::Client,
    mail: tokio::sync::Mutex<UnboundedReceiver<Email>>,
    _worker: zelly_queue::Worker,
    /// The address API stand-in customer-auth checks addresses with (timeout 500 ms).
    addresses: Arc<address_standin::Standin>,
}

/// A call's answer: status, `Set-Cookie`'s session id (if any) and the JSON body.
struct Answer {
    status: StatusCode,
    session: Option<String>,
    cookie: Option<String>,
    body: Value,
}

impl App {
    /// customer-auth over `store` with stores `acme` (acme.test, www.acme.test) and `bolt`
    /// (bolt.test); its emails are caught from the queue.
    async fn spawn(store: DynStore) -> App {
        for (slug, domains) in [("acme", &["acme.test", "www.acme.test"][..]), ("bolt", &["bolt.test"][..])] {
            let tenant = store.create_tenant(&NewTenant { slug: TenantSlug::parse(slug).unwrap(), name: format!("{slug} store") }).await.unwrap();
            for (i, domain) in domains.iter().enumerate() {
                store.add_domain(tenant.id, &DomainName::parse(domain).unwrap(), i == 0).await.unwrap();
            }
        }
        let queues = zelly_queue::connect(&zelly_queue::testing::sqlite_config()).await.unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let processor = move |job: zelly_queue::Job| {
            let tx = tx.clone();
            async move {
                tx.send(serde_json::from_value::<Email>(job.data).unwrap()).unwrap();
                Ok(())
            }
        };
        let options = zelly_queue::WorkerOptions { concurrency: 4, ..Default::default() };
        let worker = queues.start_worker(zelly_mail::EMAILS, Arc::new(processor), options).await.unwrap();
        // The public URL is only known once the port is: serve a router that reads it late.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let addresses = address_standin::Standin::new(Some("test-key".into()));
        let standin = zelly_service::serve_in_background(address_standin::app(addresses.clone())).await.unwrap();
        let api = customer_auth::address_api::AddressApiConfig {
            url: Some(standin),
            key: Some(zelly_store::config::Secret::new("test-key")),
            timeout: Some(Duration::from_millis(500)),
        };
        let state = customer_auth::AppState::new(store, queues, &base, true)
            .with_address_api(customer_auth::address_api::AddressApi::new(api).unwrap());
        tokio::spawn(axum::serve(listener, customer_auth::app(state)).into_future());
        App { base, http: reqwest::Client::new(), mail: tokio::sync::Mutex::new(rx), _worker: worker, addresses }
    }

    async fn call(&self, method: Method, path: &str, headers: &[(&str, &str)], body: Option<Value>) -> Answer {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        req = req.headers(map);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let cookie = res.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned());
        let session = cookie
            .as_deref()
            .and_then(|c| c.strip_prefix("__Host-zelly_customer="))
            .map(|c| c.split(';').next().unwrap().to_owned())
            .filter(|c| !c.is_empty());
        let body = serde_json::from_str(&res.text().await.unwrap()).unwrap_or(Value::Null);
        Answer { status, session, cookie, body }
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, &[("x-forwarded-for", "198.51.100.1")], Some(body)).await
    }

    async fn sign_in(&self, domain: &str, email: &str, password: &str, from: &str) -> Answer {
        let body = json!({ "email": email, "password": password });
        self.call(Method::POST, &format!("/api/stores/{domain}/sessions"), &[("x-forwarded-for", from)], Some(body)).await
    }

    async fn me(&self, domain: &str, session: &str) -> StatusCode {
        let cookie = format!("__Host-zelly_customer={session}");
        self.call(Method::GET, &format!("/api/stores/{domain}/me"), &[("cookie", &cookie)], None).await.status
    }

    /// The next email the service sends.
    async fn email(&self) -> Email {
        tokio::time::timeout(Duration::from_secs(10), self.mail.lock().await.recv()).await.expect("an email within 10 s").unwrap()
    }

    /// The token of the link in `email`.
    fn token(email: &Email) -> String {
        let at = email.text.find("token=").unwrap_or_else(|| panic!("no link in {}", email.text));
        email.text[at + 6..at + 6 + 64].to_owned()
    }

    /// Opens and confirms an account at `domain`; its id.
    async fn account(&self, domain: &str, email: &str) -> String {
        let opened = self.post(&format!("/api/stores/{domain}/accounts"), json!({ "email": email, "password": PASSWORD })).await;
        assert_eq!(opened.status, StatusCode::ACCEPTED, "{}", opened.body);
        let token = Self::token(&self.email().await);
        let confirmed = self.post(&format!("/api/stores/{domain}/email-verifications"), json!({ "token": token })).await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
        confirmed.body["id"].as_str().unwrap().to_owned()
    }
}

async fn an_account_is_confirmed_from_its_email_then_signs_in_and_out(store: DynStore) {
    let app = App::spawn(store).await;
    let opened = app.post("/api/stores/acme.test/accounts", json!({ "email": " Asha@Example.com ", "password": PASSWORD, "name": "Asha" })).await;
    assert_eq!(opened.status, StatusCode::ACCEPTED, "{}", opened.body);
    let email = app.email().await;
    assert_eq!((email.to.as_str(), email.subject.as_str()), ("asha@example.com", "Confirm your email for acme store"));
    assert!(email.text.contains(&format!("{}/stores/acme.test/verify-email?token=", app.base)), "{}", email.text);

    // Before confirming, the right password gets a new link instead of a session.
    let early = app.sign_in("acme.test", "asha@example.com", PASSWORD, "198.51.100.1").await;
    assert_eq!((early.status, early.body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("email_unverified")));
    let newer = App::token(&app.email().await);

    // The link opens a page with a button (a mail scanner's visit spends nothing)…
    let page = app.http.get(format!("{}/stores/acme.test/verify-email?token={newer}", app.base)).send().await.unwrap();
    assert_eq!(page.headers()["referrer-policy"], "same-origin");
    assert_eq!(page.headers()["cache-control"], "no-store");
    assert!(page.text().await.unwrap().contains("Confirm my email"));
    // …whose form confirms the address once.
    let confirm = |token: String| {
        let url = format!("{}/stores/acme.test/verify-email", app.base);
        app.http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", app.base.clone())
            .header("sec-fetch-site", "same-origin")
            .body(format!("token={token}"))
            .send()
    };
    let done = confirm(newer.clone()).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("asha@example.com is confirmed"));
    assert_eq!(confirm(newer).await.unwrap().status(), StatusCode::GONE, "once");

    // Signed in: a __Host- cookie, HttpOnly, Secure, SameSite=Lax; on another domain of the
    // store, the same account.
    let signed_in = app.sign_in("www.acme.test", "ASHA@example.com", PASSWORD, "198.51.100.1").await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    assert_eq!((signed_in.body["email"].as_str(), signed_in.body["email_verified"].as_bool()), (Some("asha@example.com"), Some(true)));
    let cookie = signed_in.cookie.unwrap();
    for part in ["Path=/", "HttpOnly", "Secure", "SameSite=Lax"] {
        assert!(cookie.contains(part), "{cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    let session = signed_in.session.unwrap();
    assert_eq!(app.me("acme.test", &session).await, StatusCode::OK);
    let renamed = app
        .call(Method::PUT, "/api/stores/acme.test/me", &[("cookie", &format!("__Host-zelly_customer={session}"))], Some(json!({ "name": "Asha R" })))
        .await;
    assert_eq!((renamed.status, renamed.body["name"].as_str()), (StatusCode::OK, Some("Asha R")));

    // Signing out ends the session for every holder of it.
    let out = app.call(Method::DELETE, "/api/stores/acme.test/sessions/current", &[("authorization", &format!("Bearer {session}"))], None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(out.cookie.unwrap().contains("Max-Age=0"));
    assert_eq!(app.me("acme.test", &session).await, StatusCode::UNAUTHORIZED);
}

/// The median time of `f`'s calls.
async fn median<F, Fut>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        f().await;
        times.push(started.elapsed());
    }
    times.sort();
    times[runs / 2]
}

async fn no_answer_tells_whether_an_email_has_an_account(store: DynStore) {
    let app = App::spawn(store).await;
    app.account("acme.test", "known@example.com").await;

    // Opening an account: the same answer; the owner of the address is told by email.
    let known = app.post("/api/stores/acme.test/accounts", json!({ "email": "known@example.com", "password": PASSWORD })).await;
    let unknown = app.post("/api/stores/acme.test/accounts", json!({ "email": "new@example.com", "password": PASSWORD })).await;
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    let mut told = [app.email().await, app.email().await];
    told.sort_by(|a, b| a.to.cmp(&b.to));
    assert_eq!(told[0].subject, "You already have an account at acme store");
    assert_eq!(told[1].subject, "Confirm your email for acme store");

    // Asking for a reset: the same answer; only the account's address gets a link.
    let known = app.post("/api/stores/acme.test/password-resets", json!({ "email": "known@example.com" })).await;
    let unknown = app.post("/api/stores/acme.test/password-resets", json!({ "email": "nobody@example.com" })).await;
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    assert_eq!(app.email().await.to, "known@example.com");

    // A wrong password and a wrong email: the same answer, in about the same time (both check a
    // password hash of the same cost).
    let wrong_password = app.sign_in("acme.test", "known@example.com", "not the password", "198.51.100.2").await;
    let wrong_email = app.sign_in("acme.test", "nobody@example.com", "not the password", "198.51.100.2").await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!((wrong_password.status, &wrong_password.body), (wrong_email.status, &wrong_email.body));
    let mut known_times = Vec::new();
    let mut unknown_times = Vec::new();
    // Interleaved, so that whatever else the machine does weighs on both alike.
    // (Six tries each, with the one above seven: under the ten that lock an email.)
    for round in 0..3 {
        let from = format!("198.51.100.{}", 10 + round);
        known_times.push(median(2, || async { app.sign_in("acme.test", "known@example.com", "nope-nope", &from).await; }).await);
        unknown_times.push(median(2, || async { app.sign_in("acme.test", "nobody@example.com", "nope-nope", &from).await; }).await);
    }
    known_times.sort();
    unknown_times.sort();
    let (k, u) = (known_times[1].as_secs_f64(), unknown_times[1].as_secs_f64());
    assert!((k - u).abs() <= 0.5 * k.max(u), "a wrong password took {k:.3} s, a wrong email {u:.3} s");
}

async fn a_hundred_wrong_passwords_are_throttled_and_a_reset_lets_the_owner_back(store: DynStore) {
    let app = App::spawn(store).await;
    app.account("acme.test", "asha@example.com").await;
    let mut statuses = Vec::new();
    for n in 0..100 {
        // From many addresses, as a botnet would: the per-account limit holds regardless.
        let from = format!("203.0.113.{}", n % 50);
        statuses.push(app.sign_in("acme.test", "asha@example.com", &format!("guess-{n:03}"), &from).await.status);
    }
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    // The owner, from home with the right password, is told to wait or reset, in words.
    let owner = app.sign_in("acme.test", "asha@example.com", PASSWORD, "192.0.2.1").await;
    assert_eq!(owner.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(owner.body["error"]["message"].as_str().unwrap().contains("reset your password"));
    // An unknown email gets the same treatment after as many tries.
    for n in 0..10 {
        app.sign_in("acme.test", "ghost@example.com", &format!("guess-{n}"), "203.0.113.77").await;
    }
    assert_eq!(app.sign_in("acme.test", "ghost@example.com", "guess", "192.0.2.2").await.body, owner.body);

    // The way back: a reset link, a new password, and sign-in works at once.
    app.post("/api/stores/acme.test/password-resets", json!({ "email": "asha@example.com" })).await;
    let reset = app.email().await;
    assert_eq!(reset.subject, "Reset your password for acme store");
    let token = App::token(&reset);
    let short = app.post("/api/stores/acme.test/password-resets/complete", json!({ "token": token, "password": "short" })).await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", short.body);
    let done = app.post("/api/stores/acme.test/password-resets/complete", json!({ "token": token, "password": "a brand new secret" })).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let again = app.post("/api/stores/acme.test/password-resets/complete", json!({ "token": token, "password": "another new secret" })).await;
    assert_eq!(again.status, StatusCode::GONE, "a reset link works once");
    assert_eq!(app.sign_in("acme.test", "asha@example.com", PASSWORD, "192.0.2.1").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.sign_in("acme.test", "asha@example.com", "a brand new secret", "192.0.2.1").await.status, StatusCode::OK);
}

async fn sign_in_replaces_any_session_the_browser_had_and_a_new_password_ends_the_others(store: DynStore) {
    let app = App::spawn(store).await;
    app.account("acme.test", "asha@example.com").await;
    // A session id planted in the browser before sign-in (fixation) is not the one it gets.
    let planted = "ab".repeat(32);
    let body = json!({ "email": "asha@example.com", "password": PASSWORD });
    let cookie = format!("__Host-zelly_customer={planted}");
    let fresh = app.call(Method::POST, "/api/stores/acme.test/sessions", &[("cookie", &cookie)], Some(body.clone())).await;
    let laptop = fresh.session.unwrap();
    assert_ne!(laptop, planted);
    assert_eq!(app.me("acme.test", &planted).await, StatusCode::UNAUTHORIZED);
    // Signing in again from a browser with a live session replaces it.
    let cookie = format!("__Host-zelly_customer={laptop}");
    let rotated = app.call(Method::POST, "/api/stores/acme.test/sessions", &[("cookie", &cookie)], Some(body.clone())).await.session.unwrap();
    assert_eq!(app.me("acme.test", &laptop).await, StatusCode::UNAUTHORIZED);
    let phone = app.call(Method::POST, "/api/stores/acme.test/sessions", &[], Some(body)).await.session.unwrap();
    assert_eq!(app.me("acme.test", &phone).await, StatusCode::OK);

    // A new password (proving the old one) ends every session and gives this browser a new one.
    let cookie = format!("__Host-zelly_customer={rotated}");
    let wrong = app
        .call(Method::POST, "/api/stores/acme.test/me/password", &[("cookie", &cookie)], Some(json!({ "current_password": "nope nope", "new_password": "a brand new secret" })))
        .await;
    assert_eq!((wrong.status, wrong.body["error"]["fields"]["current_password"].is_string()), (StatusCode::UNPROCESSABLE_ENTITY, true));
    let changed = app
        .call(Method::POST, "/api/stores/acme.test/me/password", &[("cookie", &cookie)], Some(json!({ "current_password": PASSWORD, "new_password": "a brand new secret" })))
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT);
    let newest = changed.session.unwrap();
    assert_eq!(app.me("acme.test", &phone).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me("acme.test", &rotated).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me("acme.test", &newest).await, StatusCode::OK);

    // Moving to another address: it counts once its link is followed.
    let cookie = format!("__Host-zelly_customer={newest}");
    let moved = app
        .call(Method::POST, "/api/stores/acme.test/me/email", &[("cookie", &cookie)], Some(json!({ "email": "asha@new.example", "password": "a brand new secret" })))
        .await;
    assert_eq!(moved.status, StatusCode::ACCEPTED, "{}", moved.body);
    let link = app.email().await;
    assert_eq!(link.to, "asha@new.example");
    let confirmed = app.post("/api/stores/acme.test/email-verifications", json!({ "token": App::token(&link) })).await;
    assert_eq!(confirmed.body["email"].as_str(), Some("asha@new.example"));
    assert_eq!(app.sign_in("acme.test", "asha@new.example", "a brand new secret", "198.51.100.3").await.status, StatusCode::OK);
}

async fn one_stores_shoppers_are_nothing_to_another(store: DynStore) {
    let app = App::spawn(store).await;
    let at_acme = app.account("acme.test", "asha@example.com").await;
    let session = app.sign_in("acme.test", "asha@example.com", PASSWORD, "198.51.100.4").await.session.unwrap();
    // Bolt has no such account, and acme's session means nothing there.
    assert_eq!(app.sign_in("bolt.test", "asha@example.com", PASSWORD, "198.51.100.4").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me("bolt.test", &session).await, StatusCode::UNAUTHORIZED);
    // The same email opens a second, separate account at bolt.
    let at_bolt = app.account("bolt.test", "asha@example.com").await;
    assert_ne!(at_acme, at_bolt);
    // An acme link spent at bolt does nothing.
    app.post("/api/stores/acme.test/password-resets", json!({ "email": "asha@example.com" })).await;
    let token = App::token(&app.email().await);
    let elsewhere = app.post("/api/stores/bolt.test/password-resets/complete", json!({ "token": token, "password": "bolt takes over" })).await;
    assert_eq!(elsewhere.status, StatusCode::GONE);
    // An unknown domain is no store.
    assert_eq!(app.sign_in("nowhere.test", "asha@example.com", PASSWORD, "198.51.100.4").await.status, StatusCode::NOT_FOUND);
}

async fn writes_from_other_sites_are_refused(store: DynStore) {
    let app = App::spawn(store).await;
    app.account("acme.test", "asha@example.com").await;
    let body = json!({ "email": "asha@example.com", "password": PASSWORD });
    for headers in [&[("origin", "https://evil.example")][..], &[("sec-fetch-site", "cross-site")][..], &[("sec-fetch-site", "same-site")][..]] {
        let answer = app.call(Method::POST, "/api/stores/acme.test/sessions", headers, Some(body.clone())).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(answer.session.is_none());
    }
    let own = app.base.clone();
    let answer = app.call(Method::POST, "/api/stores/acme.test/sessions", &[("origin", &own), ("sec-fetch-site", "same-origin")], Some(body)).await;
    assert_eq!(answer.status, StatusCode::OK);
}

async fn the_api_document_lists_every_route(store: DynStore) {
    let app = App::spawn(store).await;
    let doc = app.call(Method::GET, "/openapi.json", &[], None).await.body;
    let mut routes: Vec<String> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| format!("{} {path}", m.to_uppercase())))
        .collect();
    routes.sort();
    assert_eq!(
        routes,
        [
            "DELETE /api/stores/{domain}/me/addresses/{id}",
            "DELETE /api/stores/{domain}/sessions/current",
            "GET /api/stores/{domain}/me",
            "GET /api/stores/{domain}/me/addresses",
            "GET /health",
            "POST /api/stores/{domain}/accounts",
            "POST /api/stores/{domain}/address-checks",
            "POST /api/stores/{domain}/codes",
            "POST /api/stores/{domain}/email-verifications",
            "POST /api/stores/{domain}/me/addresses",
            "POST /api/stores/{domain}/me/addresses/{id}/default",
            "POST /api/stores/{domain}/me/email",
            "POST /api/stores/{domain}/me/password",
            "POST /api/stores/{domain}/password-resets",
            "POST /api/stores/{domain}/password-resets/complete",
            "POST /api/stores/{domain}/sessions",
            "PUT /api/stores/{domain}/me",
            "PUT /api/stores/{domain}/me/addresses/{id}",
        ]
    );
    // Every text field refuses control characters, on every route that takes a body.
    for (path, field) in [("accounts", "email"), ("sessions", "password"), ("password-resets", "email")] {
        let mut body = json!({ "email": "x@example.com", "password": "12345678" });
        body[field] = json!("a\u{0}b");
        let answer = app.post(&format!("/api/stores/acme.test/{path}"), body).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", answer.body);
    }
}

async fn a_forgotten_password_is_reset_from_the_pages_alone(store: DynStore) {
    let app = App::spawn(store).await;
    app.account("acme.test", "asha@example.com").await;
    let form = |path: &str, body: &str| {
        app.http
            .post(format!("{}/stores/acme.test/{path}", app.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", app.base.clone())
            .body(body.to_owned())
            .send()
    };
    let asked = form("forgot-password", "email=asha%40example.com").await.unwrap();
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    assert!(asked.text().await.unwrap().contains("Check your email"));
    let token = App::token(&app.email().await);
    let page = app.http.get(format!("{}/stores/acme.test/reset-password?token={token}", app.base)).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"viewport\"") && html.contains("Choose a new password"), "{html}");
    let mismatch = form("reset-password", &format!("token={token}&password=new+secret+one&confirm=new+secret+two")).await.unwrap();
    assert_eq!(mismatch.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let short = form("reset-password", &format!("token={token}&password=short&confirm=short")).await.unwrap();
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.text().await.unwrap().contains("The password must be 8-128 characters."));
    let done = form("reset-password", &format!("token={token}&password=new+secret+one&confirm=new+secret+one")).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert_eq!(app.sign_in("acme.test", "asha@example.com", "new secret one", "198.51.100.5").await.status, StatusCode::OK);
    // The store's name is text on the page, never markup.
    let page = app.http.get(format!("{}/stores/acme.test/forgot-password", app.base)).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("<h1>acme store</h1>"));
}

async fn signing_in_on_one_domain_signs_in_on_the_others_and_signing_out_ends_it_everywhere(store: DynStore) {
    let app = App::spawn(store).await;
    app.account("acme.test", "asha@example.com").await;
    let www = "https://www.acme.test/account/callback";
    // With no session here, the sign-in page asks for the password…
    let form = no_redirects().get(format!("{}/stores/acme.test/sign-in?{}", app.base, sign_in_query(www, "s1"))).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.headers()["content-security-policy"].to_str().unwrap().contains("form-action 'self' https://www.acme.test"));
    assert!(form.text().await.unwrap().contains("autocomplete=\"current-password\""));
    // …and sends the browser back with a code, which www's server exchanges for its own session.
    let (root, code) = app.sign_in_for("acme.test", www, "s1").await;
    let first = app.exchange("www.acme.test", &code, VERIFIER, www).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["customer"]["email"].as_str(), Some("asha@example.com"));
    let www_session = first.body["session"].as_str().unwrap().to_owned();
    assert_eq!(app.me("www.acme.test", &www_session).await, StatusCode::OK);

    // On the store's other domain no password is asked: the way back comes at once.
    let back = no_redirects()
        .get(format!("{}/stores/acme.test/sign-in?{}", app.base, sign_in_query("https://acme.test/account/callback", "s2")))
        .header("cookie", &root)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::SEE_OTHER);
    let code = App::code_in(back.headers()["location"].to_str().unwrap(), "https://acme.test/account/callback", "s2");
    let second = app.exchange("acme.test", &code, VERIFIER, "https://acme.test/account/callback").await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    let apex_session = second.body["session"].as_str().unwrap().to_owned();
    assert_ne!(apex_session, www_session);

    // Signing out on one domain ends the sign-in on every domain and here.
    let out = app.call(Method::DELETE, "/api/stores/acme.test/sessions/current", &[("authorization", &format!("Bearer {apex_session}"))], None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(app.me("www.acme.test", &www_session).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.me("acme.test", root.trim_start_matches("__Host-zelly_customer=")).await, StatusCode::UNAUTHORIZED);
    let form = no_redirects().get(format!("{}/stores/acme.test/sign-in?{}", app.base, sign_in_query(www, "s3"))).header("cookie", &root).send().await.unwrap();
    assert_eq!(form.status(), StatusCode::OK, "signed out: the password is asked again");
}

async fn a_code_replayed_taken_elsewhere_or_with_a_wrong_verifier_or_return_url_is_refused(store: DynStore) {
    let app = App::spawn(store).await;
    app.account("acme.test", "asha@example.com").await;
    let www = "https://www.acme.test/account/callback";
    let refused = |answer: Answer| {
        assert_eq!((answer.status, answer.body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{}", answer.body);
    };
    // Another store cannot use it; a wrong verifier spends it, so the right one then fails too.
    let (_, code) = app.sign_in_for("acme.test", www, "a").await;
    refused(app.exchange("bolt.test", &code, VERIFIER, www).await);
    refused(app.exchange("www.acme.test", &code, "wrong-verifier-wrong-verifier-wrong-verifier-0", www).await);
    refused(app.exchange("www.acme.test", &code, VERIFIER, www).await);
    // Another return URL than the one it was issued for.
    let (_, code) = app.sign_in_for("acme.test", www, "b").await;
    refused(app.exchange("acme.test", &code, VERIFIER, "https://acme.test/account/callback").await);
    // Replayed.
    let (_, code) = app.sign_in_for("acme.test", www, "c").await;
    assert_eq!(app.exchange("acme.test", &code, VERIFIER, www).await.status, StatusCode::OK);
    refused(app.exchange("acme.test", &code, VERIFIER, www).await);
    // Return URLs that are not this store's callback never get a code.
    for bad in [
        "https://evil.example/account/callback",
        "https://bolt.test/account/callback",
        "http://www.acme.test/account/callback",
        "https://www.acme.test/account/elsewhere",
        "https://user@www.acme.test/account/callback",
        "javascript:alert(1)",
    ] {
        let res = no_redirects().get(format!("{}/stores/acme.test/sign-in?{}", app.base, sign_in_query(bad, "x"))).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        assert!(res.text().await.unwrap().contains("This sign-in link does not work"), "{bad}");
    }
    let plain = format!("{}/stores/acme.test/sign-in?{}", app.base, sign_in_query(www, "x").replace("S256", "plain"));
    assert_eq!(no_redirects().get(plain).send().await.unwrap().status(), StatusCode::BAD_REQUEST);
}

fn address(city: &str, state: &str, pin: &str) -> Value {
    json!({ "name": "Asha Rao", "line1": "12 MG Road", "city": city, "state": state, "postal_code": pin, "country": "IN", "phone": "+91 98450 12345" })
}

impl App {
    /// Opens, confirms and signs in an account at `domain`: its session id.
    async fn signed_in(&self, domain: &str, email: &str) -> String {
        self.account(domain, email).await;
        let signed = self.sign_in(domain, email, PASSWORD, "198.51.100.7").await;
        assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
        signed.session.unwrap()
    }

    async fn as_shopper(&self, method: Method, path: &str, session: &str, body: Option<Value>) -> Answer {
        let bearer = format!("Bearer {session}");
        self.call(method, path, &[("authorization", &bearer)], body).await
    }
}

async fn saved_addresses_are_checked_kept_to_their_owner_and_one_is_the_default(store: DynStore) {
    let app = App::spawn(store).await;
    let asha = app.signed_in("acme.test", "asha@example.com").await;
    let ravi = app.signed_in("www.acme.test", "ravi@example.com").await;
    let list = "/api/stores/acme.test/me/addresses";
    // Without a session, nothing.
    assert_eq!(app.call(Method::GET, list, &[], None).await.status, StatusCode::UNAUTHORIZED);
    // A PIN code that matches its city (by its old name too) and state is verified; the first
    // address is the default.
    let home = app.as_shopper(Method::POST, list, &asha, Some(json!({ "address": address("Bengaluru", "Karnataka", "560 001") }))).await;
    assert_eq!(home.status, StatusCode::CREATED, "{}", home.body);
    assert_eq!((home.body["status"].as_str(), home.body["is_default"].as_bool()), (Some("verified"), Some(true)));
    assert_eq!(home.body["address"]["postal_code"], "560001");
    // One in another city is kept, marked as a mismatch.
    let office = app.as_shopper(Method::POST, list, &asha, Some(json!({ "address": address("Pune", "Maharashtra", "560001") }))).await;
    assert_eq!((office.body["status"].as_str(), office.body["is_default"].as_bool()), (Some("mismatch"), Some(false)));
    let office_id = office.body["id"].as_str().unwrap().to_owned();
    let home_id = home.body["id"].as_str().unwrap().to_owned();
    // Bad fields are named.
    let bad = app.as_shopper(Method::POST, list, &asha, Some(json!({ "address": address("", "Karnataka", "560001") }))).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body["error"]["fields"]["address.city"].is_string(), "{}", bad.body);
    // Fixing the office's PIN code makes it verified; making it the default moves the default.
    let fixed = app.as_shopper(Method::PUT, &format!("{list}/{office_id}"), &asha, Some(json!({ "address": address("Pune", "Maharashtra", "411001") }))).await;
    assert_eq!((fixed.status, fixed.body["status"].as_str()), (StatusCode::OK, Some("verified")), "{}", fixed.body);
    let made = app.as_shopper(Method::POST, &format!("{list}/{office_id}/default"), &asha, None).await;
    assert_eq!(made.status, StatusCode::NO_CONTENT);
    let listed = app.as_shopper(Method::GET, list, &asha, None).await;
    let defaults: Vec<(&str, bool)> = listed.body.as_array().unwrap().iter().map(|a| (a["id"].as_str().unwrap(), a["is_default"].as_bool().unwrap())).collect();
    assert_eq!(defaults, [(office_id.as_str(), true), (home_id.as_str(), false)]);
    // Another shopper of the same store sees none of them and can change none of them.
    assert_eq!(app.as_shopper(Method::GET, list, &ravi, None).await.body, json!([]));
    for (method, path) in [(Method::PUT, format!("{list}/{home_id}")), (Method::DELETE, format!("{list}/{home_id}")), (Method::POST, format!("{list}/{home_id}/default"))] {
        let body = (method == Method::PUT).then(|| json!({ "address": address("Bengaluru", "Karnataka", "560001") }));
        assert_eq!(app.as_shopper(method.clone(), &path, &ravi, body).await.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    // Nor does another store know the session.
    assert_eq!(app.as_shopper(Method::GET, "/api/stores/bolt.test/me/addresses", &asha, None).await.status, StatusCode::UNAUTHORIZED);
    // Deleting the default hands it on.
    assert_eq!(app.as_shopper(Method::DELETE, &format!("{list}/{office_id}"), &asha, None).await.status, StatusCode::NO_CONTENT);
    let listed = app.as_shopper(Method::GET, list, &asha, None).await;
    assert_eq!(listed.body[0]["id"], home_id.as_str());
    assert_eq!(listed.body[0]["is_default"], true);
}

async fn the_address_check_never_waits_long_on_an_api_that_is_slow_or_down(store: DynStore) {
    let app = App::spawn(store).await;
    let check = |body: Value| {
        let app = &app;
        async move {
            let started = Instant::now();
            let answer = app.post("/api/stores/acme.test/address-checks", body).await;
            (answer, started.elapsed())
        }
    };
    let (ok, _) = check(address("Bangalore", "Karnataka", "560001")).await;
    assert_eq!((ok.status, ok.body["status"].as_str()), (StatusCode::OK, Some("verified")));
    let (elsewhere, _) = check(address("Mumbai", "Maharashtra", "560001")).await;
    assert_eq!(elsewhere.body, json!({ "status": "mismatch", "message": "PIN code 560001 is in Bangalore, Karnataka.", "city": "Bangalore", "state": "Karnataka" }));
    let (unknown, _) = check(address("Mumbai", "Maharashtra", "999999")).await;
    assert_eq!(unknown.body["status"], "mismatch");
    // Abroad there is nothing to check.
    let abroad = json!({ "name": "Asha", "line1": "1 High St", "city": "London", "state": "London", "postal_code": "SW1A 1AA", "country": "GB", "phone": "+44 20 7946 0000" });
    assert_eq!(check(abroad).await.0.body["status"], "unverified");
    // Slow: the check gives up at its timeout (500 ms here) and says unverified.
    app.addresses.set_delay(Duration::from_secs(5));
    let (slow, took) = check(address("Bengaluru", "Karnataka", "560001")).await;
    assert_eq!((slow.status, slow.body["status"].as_str()), (StatusCode::OK, Some("unverified")));
    assert!(took < Duration::from_secs(4), "waited {took:?}");
    // Down: unverified as well, and a saved address is kept, unverified.
    app.addresses.set_delay(Duration::ZERO);
    app.addresses.set_down(true);
    assert_eq!(check(address("Bengaluru", "Karnataka", "560001")).await.0.body["status"], "unverified");
    let asha = app.signed_in("acme.test", "asha@example.com").await;
    let saved = app.as_shopper(Method::POST, "/api/stores/acme.test/me/addresses", &asha, Some(json!({ "address": address("Bengaluru", "Karnataka", "560001") }))).await;
    assert_eq!((saved.status, saved.body["status"].as_str()), (StatusCode::CREATED, Some("unverified")));
    // An unknown store, or a bad address, is refused before any API is asked.
    assert_eq!(app.post("/api/stores/nowhere.test/address-checks", address("Bengaluru", "Karnataka", "560001")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(check(address("Bengaluru", "Karnataka", "")).await.0.status, StatusCode::UNPROCESSABLE_ENTITY);
}
