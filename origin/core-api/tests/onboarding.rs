//! Onboarding over HTTP on both backends: an account opens stores, invites its team, and proves a
//! custom domain against the DNS stand-in; and every seller route answers each role as the
//! README's role table says.
#![allow(clippy::unwrap_used, missing_docs)]

use core_api::testing::dev_issuer as issuer;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use zelly_dns::standin::{self, DnsRecord};
use zelly_store::DynStore;

const PROJECT: &str = "zelly-test";
const STOREFRONT_TOKEN: &str = "test-storefront-token-0123456789";

/// The routes only a store's owners may call: the team, payments and domains (README, "Roles").
const OWNER_ONLY: &[(&str, &str)] = &[
    ("put", "/api/seller/store"),
    ("post", "/api/seller/orders/{id}/refunds"),
    ("post", "/api/seller/team/invites"),
    ("delete", "/api/seller/team/invites/{id}"),
    ("put", "/api/seller/team/members/{uid}"),
    ("delete", "/api/seller/team/members/{uid}"),
    ("post", "/api/seller/domains"),
    ("delete", "/api/seller/domains/{domain}"),
    ("post", "/api/seller/domains/{domain}/verify"),
    ("post", "/api/seller/domains/{domain}/primary"),
    ("post", "/api/seller/shopify/install"),
    ("post", "/api/seller/shopify/sync"),
    ("delete", "/api/seller/shopify"),
];

/// Routes any signed-in account may call, member of a store or not.
const ANY_ACCOUNT: &[(&str, &str)] =
    &[("get", "/api/seller/stores"), ("post", "/api/seller/stores"), ("post", "/api/seller/invites/accept")];

fn token(uid: &str, email: &str) -> String {
    issuer().sign_id_token(PROJECT, uid, email, Duration::from_secs(3600))
}

struct App {
    base: String,
    http: reqwest::Client,
    state: core_api::AppState,
    dns: standin::RunningStandin,
}

impl App {
    async fn spawn(store: DynStore) -> App {
        let dns = standin::spawn(standin::Config::ephemeral()).await.unwrap();
        let verifier = core_api::testing::merchant_verifier(issuer(), PROJECT).await;
        let mut state = core_api::testing::state(store, STOREFRONT_TOKEN, Some(verifier)).await;
        state.domains = Arc::new(zelly_dns::DnsChecker::new(Some(dns.dns_addr)).unwrap());
        let mut onboarding = (*state.onboarding).clone();
        onboarding.recheck_every = Duration::from_millis(1);
        state.onboarding = Arc::new(onboarding);
        let base = zelly_service::serve_in_background(core_api::app(state.clone())).await.unwrap();
        App { base, http: reqwest::Client::new(), state, dns }
    }

    async fn call(&self, method: Method, path: &str, auth: Option<(&str, Option<&str>)>, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some((token, tenant)) = auth {
            req = req.bearer_auth(token);
            if let Some(slug) = tenant {
                req = req.header("x-zelly-tenant", slug);
            }
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, serde_json::from_str(&res.text().await.unwrap()).unwrap_or(Value::Null))
    }

    async fn open_store(&self, token: &str, slug: &str) -> Value {
        let (status, body) =
            self.call(Method::POST, "/api/seller/stores", Some((token, None)), Some(json!({ "name": format!("{slug} shop"), "slug": slug }))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }

    /// The owner of a new store `slug` invites `email` as `role`; the invitee accepts.
    async fn join(&self, owner: &str, slug: &str, email: &str, uid: &str, role: &str) -> String {
        let (status, sent) = self
            .call(Method::POST, "/api/seller/team/invites", Some((owner, Some(slug))), Some(json!({ "email": email, "role": role })))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{sent}");
        let secret = sent["link"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
        let member = token(uid, email);
        let (status, joined) = self.call(Method::POST, "/api/seller/invites/accept", Some((&member, None)), Some(json!({ "token": secret }))).await;
        assert_eq!(status, StatusCode::OK, "{joined}");
        member
    }

    /// The domain a storefront page read on `domain` names in its canonical URLs.
    async fn canonical_domain(&self, domain: &str) -> String {
        let (status, page) = self.call(Method::GET, &format!("/api/storefront/domains/{domain}/products"), Some((STOREFRONT_TOKEN, None)), None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        page["store"]["domain"].as_str().unwrap().to_owned()
    }

    async fn served(&self, domain: &str) -> StatusCode {
        self.call(Method::GET, &format!("/validate_tenant_domain/{domain}"), None, None).await.0
    }
}

zelly_store::on_both_backends!(
    a_new_account_opens_stores_that_answer_at_once,
    an_invite_brings_a_colleague_in_and_removal_takes_them_out,
    an_invite_is_emailed_once_and_without_a_queue_none_is_created,
    a_custom_domain_is_served_only_while_dns_proves_it,
    every_seller_route_answers_each_role_as_the_readme_says,
    a_merchant_sees_their_own_stores_customers_only,
);

async fn a_new_account_opens_stores_that_answer_at_once(store: DynStore) {
    let app = App::spawn(store).await;
    let ana = token("ana", "ana@example.com");
    let (status, stores) = app.call(Method::GET, "/api/seller/stores", Some((&ana, None)), None).await;
    assert_eq!((status, stores), (StatusCode::OK, json!([])));
    let (status, _) = app.call(Method::GET, "/api/seller/session", Some((&ana, None)), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no store yet");
    for (slug, field) in [("admin", "reserved"), ("ab", "3-40"), ("Tea House", "3-40")] {
        let (status, body) =
            app.call(Method::POST, "/api/seller/stores", Some((&ana, None)), Some(json!({ "name": "Tea", "slug": slug }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{slug}");
        assert!(body.to_string().contains(field), "{slug}: {body}");
    }
    let opened = app.open_store(&ana, "tea-house").await;
    assert_eq!(opened["role"], "owner");
    assert_eq!(opened["domain"], "tea-house.localhost");
    assert_eq!(opened["tenant"]["currency"], "INR");
    assert_eq!(app.served("tea-house.localhost").await, StatusCode::OK, "the storefront answers at once");
    let (status, body) = app.call(Method::POST, "/api/seller/stores", Some((&token("bo", "bo@example.com"), None)), Some(json!({ "name": "Copy", "slug": "tea-house" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.to_string().contains("taken"), "{body}");
    // A second store: the store switcher's list, and the header picks one.
    let (status, _) = app
        .call(Method::POST, "/api/seller/stores", Some((&ana, None)), Some(json!({ "name": "Spice", "slug": "spice-co", "currency": "USD" })))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, stores) = app.call(Method::GET, "/api/seller/stores", Some((&ana, None)), None).await;
    let slugs: Vec<&str> = stores.as_array().unwrap().iter().map(|s| s["tenant"]["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["spice-co", "tea-house"]);
    let (status, _) = app.call(Method::GET, "/api/seller/session", Some((&ana, None)), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "two stores: the header must choose");
    let (status, session) = app.call(Method::GET, "/api/seller/session", Some((&ana, Some("spice-co"))), None).await;
    assert_eq!((status, session["tenant"]["currency"].as_str()), (StatusCode::OK, Some("USD")));
}

async fn an_invite_brings_a_colleague_in_and_removal_takes_them_out(store: DynStore) {
    let app = App::spawn(store).await;
    let ana = token("ana", "ana@example.com");
    app.open_store(&ana, "tea-house").await;
    let owner = Some((ana.as_str(), Some("tea-house")));
    let (status, body) = app.call(Method::POST, "/api/seller/team/invites", owner, Some(json!({ "email": "not-an-email", "role": "staff" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, sent) = app.call(Method::POST, "/api/seller/team/invites", owner, Some(json!({ "email": "Sam@Example.com", "role": "staff" }))).await;
    let link = sent["link"].as_str().unwrap();
    assert!(link.starts_with("http://localhost:5173/#/invite/"), "{link}");
    let secret = link.rsplit('/').next().unwrap();
    // Someone else cannot use it; the invitee can, once.
    let eve = token("eve", "eve@example.com");
    let (status, _) = app.call(Method::POST, "/api/seller/invites/accept", Some((&eve, None)), Some(json!({ "token": secret }))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let sam = token("sam", "sam@example.com");
    let (status, joined) = app.call(Method::POST, "/api/seller/invites/accept", Some((&sam, None)), Some(json!({ "token": secret }))).await;
    assert_eq!((status, joined["role"].as_str()), (StatusCode::OK, Some("staff")), "{joined}");
    let (status, _) = app.call(Method::POST, "/api/seller/invites/accept", Some((&sam, None)), Some(json!({ "token": secret }))).await;
    assert_eq!(status, StatusCode::GONE, "single use");
    let (status, _) = app.call(Method::POST, "/api/seller/invites/accept", Some((&sam, None)), Some(json!({ "token": "0".repeat(64) }))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Staff work in the catalog, and are refused the team, payments and domains.
    let staff = Some((sam.as_str(), None));
    let (status, team) = app.call(Method::GET, "/api/seller/team", staff, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(team["members"].as_array().unwrap().len(), 2);
    let product = json!({ "handle": "chai", "title": "Chai", "variants": [{ "sku": "chai-1", "price_minor": 100 }] });
    assert_eq!(app.call(Method::POST, "/api/seller/products", staff, Some(product)).await.0, StatusCode::CREATED);
    for (method, path, body) in [
        (Method::POST, "/api/seller/team/invites", json!({ "email": "x@example.com", "role": "owner" })),
        (Method::PUT, "/api/seller/team/members/sam", json!({ "role": "owner" })),
        (Method::POST, "/api/seller/domains", json!({ "domain": "shop.example.com" })),
        (Method::PUT, "/api/seller/store", json!({ "name": "Mine now", "cash_on_delivery": true })),
    ] {
        let (status, body) = app.call(method.clone(), path, staff, Some(body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {body}");
    }
    // The last owner cannot leave; the owner promotes, demotes and removes.
    let (status, _) = app.call(Method::DELETE, "/api/seller/team/members/ana", owner, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, team) = app.call(Method::PUT, "/api/seller/team/members/sam", owner, Some(json!({ "role": "owner" }))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(team["members"].as_array().unwrap().iter().all(|m| m["role"] == "owner"));
    app.call(Method::PUT, "/api/seller/team/members/sam", owner, Some(json!({ "role": "staff" }))).await;
    let (status, _) = app.call(Method::DELETE, "/api/seller/team/members/sam", owner, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call(Method::GET, "/api/seller/session", staff, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "removed: refused on the next request");
    // A revoked invite's link is spent.
    let (_, sent) = app.call(Method::POST, "/api/seller/team/invites", owner, Some(json!({ "email": "kim@example.com", "role": "staff" }))).await;
    let id = sent["invite"]["id"].as_str().unwrap();
    let (status, _) = app.call(Method::DELETE, &format!("/api/seller/team/invites/{id}"), owner, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let secret = sent["link"].as_str().unwrap().rsplit('/').next().unwrap();
    let kim = token("kim", "kim@example.com");
    let (status, _) = app.call(Method::POST, "/api/seller/invites/accept", Some((&kim, None)), Some(json!({ "token": secret }))).await;
    assert_eq!(status, StatusCode::GONE);
}

use zelly_queue::testing::DownQueues;

async fn an_invite_is_emailed_once_and_without_a_queue_none_is_created(store: DynStore) {
    let app = App::spawn(store.clone()).await;
    let ana = token("ana", "ana@example.com");
    app.open_store(&ana, "kettle-co").await;
    let owner = Some((ana.as_str(), Some("kettle-co")));
    let (status, sent) = app.call(Method::POST, "/api/seller/team/invites", owner, Some(json!({ "email": "sam@example.com", "role": "staff" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{sent}");
    // The email waits in the `emails` queue under the invite's id; a worker takes it once.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let processor = move |job: zelly_queue::Job| {
        let tx = tx.clone();
        async move {
            tx.send(job).unwrap();
            Ok(())
        }
    };
    let worker = app
        .state
        .queues
        .start_worker(zelly_mail::EMAILS, Arc::new(processor), zelly_queue::WorkerOptions::default())
        .await
        .unwrap();
    let job = tokio::time::timeout(Duration::from_secs(10), rx.recv()).await.unwrap().unwrap();
    assert_eq!((job.name.as_str(), job.id), ("invite", format!("invite-{}", sent["invite"]["id"].as_str().unwrap())));
    let email: zelly_mail::Email = serde_json::from_value(job.data).unwrap();
    assert_eq!((email.to.as_str(), email.reply_to.as_deref()), ("sam@example.com", Some("ana@example.com")));
    assert_eq!(email.subject, "ana@example.com invited you to kettle-co shop on Zelly");
    assert!(email.text.contains(&format!("\n{}\n", sent["link"].as_str().unwrap())), "{}", email.text);
    assert!(tokio::time::timeout(Duration::from_millis(500), rx.recv()).await.is_err(), "one email per invite");
    worker.shutdown(Duration::from_secs(5)).await.unwrap();

    // With the queue down the owner is told to try again, and no invite (no link that nobody
    // was told about) is left behind.
    let mut state = app.state.clone();
    state.queues = Arc::new(DownQueues);
    let base = zelly_service::serve_in_background(core_api::app(state)).await.unwrap();
    let res = app
        .http
        .post(format!("{base}/api/seller/team/invites"))
        .bearer_auth(&ana)
        .header("x-zelly-tenant", "kettle-co")
        .json(&json!({ "email": "kim@example.com", "role": "staff" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let (_, team) = app.call(Method::GET, "/api/seller/team", owner, None).await;
    let invited: Vec<&str> = team["invites"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap()).collect();
    assert_eq!(invited, ["sam@example.com"]);
}

async fn a_custom_domain_is_served_only_while_dns_proves_it(store: DynStore) {
    let app = App::spawn(store).await;
    let ana = token("ana", "ana@example.com");
    app.open_store(&ana, "tea-house").await;
    let owner = Some((ana.as_str(), Some("tea-house")));
    let (status, _) = app.call(Method::POST, "/api/seller/domains", owner, Some(json!({ "domain": "evil.localhost" }))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the platform's own names are not custom domains");
    let (status, added) = app.call(Method::POST, "/api/seller/domains", owner, Some(json!({ "domain": "Shop.Example.com" }))).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!((added["domain"].as_str(), added["status"].as_str()), (Some("shop.example.com"), Some("pending")));
    assert_eq!(added["record_name"], "_zelly.shop.example.com");
    let token_value = added["record_value"].as_str().unwrap().to_owned();
    assert!(token_value.starts_with("zelly-verify-"));
    assert_eq!(app.served("shop.example.com").await, StatusCode::NOT_FOUND, "not before it is proven");
    let (status, checked) = app.call(Method::POST, "/api/seller/domains/shop.example.com/verify", owner, None).await;
    assert_eq!((status, checked["status"].as_str()), (StatusCode::OK, Some("failed")), "{checked}");
    assert!(checked["failure"].as_str().unwrap().contains("no TXT record"), "{checked}");
    assert_eq!(app.served("shop.example.com").await, StatusCode::NOT_FOUND);
    // The merchant publishes the two records.
    let txt = DnsRecord::txt("_zelly.shop.example.com", &token_value).unwrap();
    app.dns.add(txt.clone());
    let (_, checked) = app.call(Method::POST, "/api/seller/domains/shop.example.com/verify", owner, None).await;
    assert_eq!(checked["status"], "verified", "{checked}");
    assert_eq!(app.served("shop.example.com").await, StatusCode::OK);
    app.dns.add(DnsRecord::cname("shop.example.com", "stores.localhost").unwrap());
    let (_, checked) = app.call(Method::POST, "/api/seller/domains/shop.example.com/verify", owner, None).await;
    assert_eq!((checked["status"].as_str(), &checked["failure"]), (Some("active"), &Value::Null), "{checked}");
    let (status, listed) = app.call(Method::POST, "/api/seller/domains/shop.example.com/primary", owner, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["domains"][0]["domain"], "shop.example.com");
    assert_eq!(listed["cname_target"], "stores.localhost");
    assert_eq!(app.canonical_domain("tea-house.localhost").await, "shop.example.com", "pages on every domain name the primary one");
    assert_eq!(app.canonical_domain("shop.example.com").await, "shop.example.com");
    // Another store cannot take it.
    let bo = token("bo", "bo@example.com");
    app.open_store(&bo, "other-shop").await;
    let (status, _) = app.call(Method::POST, "/api/seller/domains", Some((&bo, None)), Some(json!({ "domain": "shop.example.com" }))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The record disappears: the next round of checks flags it, and it is no longer served.
    app.dns.remove(&txt);
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert!(core_api::onboarding::recheck_due(&app.state).await.unwrap() >= 1);
    assert_eq!(app.served("shop.example.com").await, StatusCode::NOT_FOUND);
    let (_, listed) = app.call(Method::GET, "/api/seller/domains", owner, None).await;
    let flagged = listed["domains"].as_array().unwrap().iter().find(|d| d["domain"] == "shop.example.com").unwrap();
    assert_eq!(flagged["status"], "flagged", "{listed}");
    assert_eq!(listed["domains"][0]["domain"], "tea-house.localhost", "primary falls back to the platform address");
    assert_eq!(app.canonical_domain("tea-house.localhost").await, "tea-house.localhost");
    // Back again after the record returns.
    app.dns.add(txt);
    tokio::time::sleep(Duration::from_millis(5)).await;
    core_api::onboarding::recheck_due(&app.state).await.unwrap();
    assert_eq!(app.served("shop.example.com").await, StatusCode::OK);
    let (status, _) = app.call(Method::DELETE, "/api/seller/domains/tea-house.localhost", owner, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "the platform address stays");
    let (status, _) = app.call(Method::DELETE, "/api/seller/domains/shop.example.com", owner, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.served("shop.example.com").await, StatusCode::NOT_FOUND);
}

/// A path with its parameters filled with values that exist nowhere.
fn concrete(path: &str) -> String {
    path.replace("{id}", "00000000-0000-4000-8000-000000000000").replace("{uid}", "nobody").replace("{domain}", "nobody.example.com")
}

async fn every_seller_route_answers_each_role_as_the_readme_says(store: DynStore) {
    let app = App::spawn(store).await;
    let ana = token("ana", "ana@example.com");
    app.open_store(&ana, "tea-house").await;
    let sam = app.join(&ana, "tea-house", "sam@example.com", "sam", "staff").await;
    let zed = token("zed", "zed@example.com");
    app.open_store(&zed, "elsewhere").await;
    let (_, doc) = app.call(Method::GET, "/openapi.json", None, None).await;
    let mut walked = 0;
    for (path, operations) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/seller/") {
            continue;
        }
        for method in operations.as_object().unwrap().keys() {
            walked += 1;
            let route = (method.as_str(), path.as_str());
            let http_method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let url = concrete(path);
            let body = (method != "get" && method != "delete").then(|| json!({}));
            let (status, _) = app.call(http_method.clone(), &url, None, body.clone()).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} without a token");
            let (status, answer) = app.call(http_method.clone(), &url, Some((&sam, Some("tea-house"))), body.clone()).await;
            if OWNER_ONLY.contains(&route) {
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} as staff: {answer}");
            } else {
                assert!(status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED, "{method} {path} as staff: {status} {answer}");
            }
            if !ANY_ACCOUNT.contains(&route) {
                let (status, answer) = app.call(http_method, &url, Some((&zed, Some("tea-house"))), body).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} by another store's owner: {answer}");
            }
        }
    }
    assert!(walked >= 34, "walked only {walked} seller routes");
    for route in OWNER_ONLY.iter().chain(ANY_ACCOUNT) {
        assert!(doc["paths"][route.1][route.0].is_object(), "{route:?} is no longer a route: update the table");
    }
}

async fn a_merchant_sees_their_own_stores_customers_only(store: DynStore) {
    let app = App::spawn(store.clone()).await;
    let (ana, bob) = (token("ana", "ana@example.com"), token("bob", "bob@example.com"));
    let a = app.open_store(&ana, "tea-house").await["tenant"]["id"].as_str().unwrap().parse().unwrap();
    let b = app.open_store(&bob, "spice-co").await["tenant"]["id"].as_str().unwrap().parse().unwrap();
    let new = |email: &str| zelly_store::customers::NewCustomer {
        email: email.into(),
        name: "Asha".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        now_ms: 1,
    };
    store.create_customer(a, &new("asha@example.com")).await.unwrap();
    let theirs = store.create_customer(b, &new("asha@example.com")).await.unwrap();
    let (status, list) = app.call(Method::GET, "/api/seller/customers?q=ASHA", Some((&ana, None)), None).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_ne!(list[0]["id"].as_str().unwrap(), theirs.id.to_string());
    let (status, _) = app.call(Method::GET, &format!("/api/seller/customers/{}", theirs.id), Some((&ana, None)), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another store's customer");
    // Bob sees his customer with her saved address; Ana's customer's address is not in it.
    let address = zelly_edge::orders::ShippingAddress {
        name: "Asha Rao".into(),
        line1: "12 MG Road".into(),
        line2: None,
        city: "Bengaluru".into(),
        state: "Karnataka".into(),
        postal_code: "560001".into(),
        country: "IN".into(),
        phone: "9845012345".into(),
    };
    let save = zelly_store::AddressToSave { address: &address, is_default: true, status: zelly_edge::orders::AddressStatus::Verified, now_ms: 2 };
    store.save_customer_address(b, theirs.id, None, &save).await.unwrap();
    let (status, one) = app.call(Method::GET, &format!("/api/seller/customers/{}", theirs.id), Some((&bob, None)), None).await;
    assert_eq!((status, one["customer"]["email"].as_str()), (StatusCode::OK, Some("asha@example.com")));
    assert_eq!(one["addresses"][0]["address"]["line1"], "12 MG Road");
    assert_eq!(one["addresses"][0]["is_default"], true);
    assert_eq!(one["orders"], serde_json::json!([]));
}
