//! Rules that hold for every route, checked by walking core-api's own `/openapi.json`, so a route
//! added later is covered without anyone remembering to add it here:
//! - a control character (NUL, ESC, …) in any text field of any JSON body, in any query
//!   parameter or in any path segment is refused with 422 naming the field, on both backends
//!   (PostgreSQL would otherwise fail with a 500);
//! - `i64::MIN` and `i64::MAX` in every integer field are refused with a 4xx, and no handler
//!   panics (a panic hook counts them);
//! - every rejection, whatever refused it (body, query, path, size, method, route), answers in
//!   the API's JSON error shape.
#![allow(clippy::unwrap_used, missing_docs)]

use core_api::testing::dev_issuer as issuer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;
use zelly_edge::catalog::Role;
use zelly_edge::{DomainName, TenantSlug};
use zelly_store::{DynStore, NewTenant};

const PROJECT: &str = "zelly-test";
const TOKEN: &str = "test-storefront-token-0123456789";

/// Panics anywhere in this test binary (handlers included), counted.
fn panics() -> &'static AtomicUsize {
    static PANICS: OnceLock<AtomicUsize> = OnceLock::new();
    PANICS.get_or_init(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.get().unwrap().fetch_add(1, Ordering::SeqCst);
            default(info);
        }));
        AtomicUsize::new(0)
    })
}

zelly_store::on_both_backends!(every_route_refuses_control_characters_and_integers_out_of_range_in_one_error_shape);

/// What the walk needs: a running core-api, credentials, and real ids for path parameters.
struct World {
    base: String,
    http: reqwest::Client,
    owner: String,
    /// Path parameter values by (the segment before it, its name).
    ids: Vec<((&'static str, &'static str), String)>,
}

impl World {
    async fn build(store: DynStore) -> World {
        let standin = razorpay_standin::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            key_id: "rzp_test_k".into(),
            key_secret: "rzp_secret".into(),
            webhook_url: None,
            webhook_secret: "whsec".into(),
        };
        let rzp = zelly_service::serve_in_background(razorpay_standin::app(razorpay_standin::Standin::new(standin))).await.unwrap();
        let verifier = core_api::testing::merchant_verifier(issuer(), PROJECT).await;
        let mut state = core_api::testing::state(store.clone(), TOKEN, Some(verifier)).await;
        state.razorpay = Some(core_api::testing::razorpay_client(&rzp));
        let base = zelly_service::serve_in_background(core_api::app(state)).await.unwrap();
        let tenant = store.create_tenant(&NewTenant { slug: TenantSlug::parse("acme").unwrap(), name: "Acme".into() }).await.unwrap();
        store.add_domain(tenant.id, &DomainName::parse("acme.localhost").unwrap(), true).await.unwrap();
        store.add_membership(tenant.id, "uid-acme", Role::Owner).await.unwrap();
        let owner = issuer().sign_id_token(PROJECT, "uid-acme", "acme@example.com", Duration::from_secs(3600));
        let mut world = World { base, http: reqwest::Client::new(), owner, ids: Vec::new() };

        // A product, a collection, and a cash-on-delivery order, so that every path parameter
        // names something real and a request gets past "not found" to its body.
        let (status, _) = world.send(Method::PUT, "/api/seller/store", Some(&world.owner.clone()), Some(json!({ "name": "Acme", "cash_on_delivery": true }))).await;
        assert_eq!(status, StatusCode::OK);
        let product = json!({
            "handle": "lamp", "title": "Lamp", "status": "active", "option_names": ["Size"],
            "variants": [{ "sku": "lamp-s", "options": ["S"], "price_minor": 99_900, "inventory_quantity": 50 }]
        });
        let (status, lamp) = world.send(Method::POST, "/api/seller/products", Some(&world.owner.clone()), Some(product)).await;
        assert_eq!(status, StatusCode::CREATED, "{lamp}");
        let variant = lamp["variants"][0]["id"].as_str().unwrap().to_owned();
        let collection = json!({ "handle": "picks", "title": "Picks", "product_ids": [lamp["id"]] });
        let (status, picks) = world.send(Method::POST, "/api/seller/collections", Some(&world.owner.clone()), Some(collection)).await;
        assert_eq!(status, StatusCode::CREATED, "{picks}");
        let checkout = json!({
            "lines": [{ "variant_id": variant, "quantity": 1 }], "email": "asha@example.in",
            "shipping": { "name": "Asha", "line1": "12 MG Road", "city": "Bengaluru", "state": "KA", "postal_code": "560001", "country": "IN", "phone": "9845012345" },
            "payment_method": "cash_on_delivery", "idempotency_key": "walk-1"
        });
        let checkouts = "/api/storefront/domains/acme.localhost/checkouts";
        let (status, started) = world.send(Method::POST, checkouts, Some(TOKEN), Some(checkout)).await;
        assert_eq!(status, StatusCode::CREATED, "{started}");
        let checkout_id = started["id"].as_str().unwrap().to_owned();
        let (status, order) = world.send(Method::POST, &format!("{checkouts}/{checkout_id}/finalize"), Some(TOKEN), Some(json!({ "amount_minor": 99_900 }))).await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        let (status, invite) =
            world.send(Method::POST, "/api/seller/team/invites", Some(&world.owner.clone()), Some(json!({ "email": "sam@example.com", "role": "staff" }))).await;
        assert_eq!(status, StatusCode::CREATED, "{invite}");
        world.ids = vec![
            (("invites", "id"), invite["invite"]["id"].as_str().unwrap().into()),
            (("members", "uid"), "uid-acme".into()),
            (("domains", "domain"), "acme.localhost".into()),
            (("validate_tenant_domain", "domain"), "acme.localhost".into()),
            (("products", "id"), lamp["id"].as_str().unwrap().into()),
            (("products", "handle"), "lamp".into()),
            (("collections", "id"), picks["id"].as_str().unwrap().into()),
            (("collections", "handle"), "picks".into()),
            (("variants", "id"), variant),
            (("checkouts", "id"), checkout_id),
            (("orders", "id"), order["id"].as_str().unwrap().into()),
        ];
        world
    }

    async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("{method} {path}: the connection broke (a panic?): {e}"));
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// `template` with every `{param}` replaced by a real id (or by `replace`'s value for the
    /// parameter it names).
    fn path(&self, template: &str, replace: Option<(&str, &str)>) -> String {
        let segments: Vec<&str> = template.split('/').collect();
        let mut out = Vec::new();
        for (i, segment) in segments.iter().enumerate() {
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let before = if i > 0 { segments[i - 1] } else { "" };
                    let value = match replace {
                        Some((param, value)) if param == name => value.to_owned(),
                        _ => self
                            .ids
                            .iter()
                            .find(|((seg, n), _)| *seg == before && *n == name)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_else(|| panic!("no id for {{{name}}} after {before:?} in {template}: add one to World::build")),
                    };
                    out.push(value);
                }
                None => out.push((*segment).to_owned()),
            }
        }
        out.join("/")
    }
}

/// Follows `$ref`s into the document's components.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => resolve(doc, doc.pointer(&r.replacen('#', "", 1)).unwrap_or_else(|| panic!("dangling {r}"))),
        None => schema,
    }
}

/// The schema's type, skipping `null` (utoipa writes `Option<T>` as `[T, "null"]` or as
/// `oneOf` with a null branch).
fn schema_type(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// A body shaped like `schema`, every property present (optional ones too, so each text field
/// is reached).
fn sample(doc: &Value, schema: &Value) -> Value {
    let schema = resolve(doc, schema);
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array) {
            let branch = branches.iter().find(|b| schema_type(resolve(doc, b)) != Some("null") || b.get("$ref").is_some());
            if let Some(branch) = branch {
                return sample(doc, branch);
            }
        }
    }
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        return choices.iter().find(|c| !c.is_null()).cloned().unwrap_or(Value::Null);
    }
    match schema_type(schema) {
        Some("object") => {
            let mut object = serde_json::Map::new();
            for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
                object.insert(name.clone(), sample(doc, property));
            }
            Value::Object(object)
        }
        Some("array") => json!([sample(doc, schema.get("items").unwrap_or(&Value::Null))]),
        Some("integer") => json!(1),
        Some("number") => json!(1.0),
        Some("boolean") => json!(false),
        Some("string") => json!("text"),
        _ => Value::Null,
    }
}

/// Every leaf of `value` with its path (`variants[0].sku`), for `keep` leaves.
fn leaves(value: &Value, path: String, keep: &dyn Fn(&Value) -> bool, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (key, item) in fields {
                leaves(item, if path.is_empty() { key.clone() } else { format!("{path}.{key}") }, keep, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                leaves(item, format!("{path}[{i}]"), keep, out);
            }
        }
        leaf if keep(leaf) => out.push(path),
        _ => {}
    }
}

/// `value` with the leaf at `path` replaced.
fn with_leaf(value: &Value, path: &str, replacement: Value) -> Value {
    let mut out = value.clone();
    let mut slot = &mut out;
    for part in path.split('.') {
        let (key, index) = match part.split_once('[') {
            Some((key, rest)) => (key, Some(rest.trim_end_matches(']').parse::<usize>().unwrap())),
            None => (part, None),
        };
        slot = &mut slot[key];
        if let Some(i) = index {
            slot = &mut slot[i];
        }
    }
    *slot = replacement;
    out
}

fn is_error_shape(body: &Value) -> bool {
    body["error"]["code"].is_string() && body["error"]["message"].is_string()
}

async fn every_route_refuses_control_characters_and_integers_out_of_range_in_one_error_shape(store: DynStore) {
    let panics_before = panics().load(Ordering::SeqCst);
    let world = World::build(store).await;
    let (_, doc) = world.send(Method::GET, "/openapi.json", None, None).await;
    let mut checked_fields = 0;
    for (template, operations) in doc["paths"].as_object().unwrap() {
        for (verb, operation) in operations.as_object().unwrap() {
            let Ok(method) = verb.to_uppercase().parse::<Method>() else { continue };
            let security: Vec<&str> = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_object().and_then(|o| o.keys().next()).map(String::as_str))
                .collect();
            let token = if security.contains(&"firebase") {
                Some(world.owner.as_str())
            } else if security.contains(&"storefront_token") {
                Some(TOKEN)
            } else {
                None
            };
            let route = format!("{method} {template}");
            // Razorpay's webhook checks its signature over the raw body before reading it.
            if template.starts_with("/api/webhooks/") {
                continue;
            }

            // Path parameters: a control character is 422 naming it; a malformed id is a JSON 4xx.
            for param in operation["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "path") {
                let name = param["name"].as_str().unwrap();
                for (bad, expect_named) in [("a%00b", true), ("not-a-uuid", false)] {
                    let path = world.path(template, Some((name, bad)));
                    let body = operation.pointer("/requestBody/content/application~1json/schema").map(|s| sample(&doc, s));
                    let (status, answer) = world.send(method.clone(), &path, token, body).await;
                    assert!(status.is_client_error(), "{route} with {name}={bad}: {status} {answer}");
                    assert!(is_error_shape(&answer), "{route} with {name}={bad}: not the error shape: {answer}");
                    if expect_named {
                        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{route}: {answer}");
                        assert!(answer["error"]["fields"][name].is_string(), "{route}: {answer}");
                    }
                }
            }

            // Query parameters: control characters, words where numbers go, numbers at the limits.
            for param in operation["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "query") {
                let name = param["name"].as_str().unwrap();
                let kind = schema_type(resolve(&doc, &param["schema"])).unwrap_or("string");
                let mut values = vec!["a%00b".to_owned()];
                if kind == "integer" {
                    values.extend(["abc".to_owned(), i64::MIN.to_string(), i64::MAX.to_string(), "99999999999999999999999".to_owned()]);
                }
                for value in values {
                    let path = format!("{}?{name}={value}", world.path(template, None));
                    let (status, answer) = world.send(method.clone(), &path, token, None).await;
                    assert!(status.is_client_error(), "{route} with ?{name}={value}: {status} {answer}");
                    assert!(is_error_shape(&answer), "{route} with ?{name}={value}: not the error shape: {answer}");
                    if value.contains("%00") {
                        assert!(answer["error"]["fields"][name].is_string(), "{route} with ?{name}={value}: {answer}");
                    }
                }
            }

            // JSON bodies: a NUL or an ESC in every text field, the integer limits in every number.
            let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else { continue };
            let body = sample(&doc, schema);
            let path = world.path(template, None);
            let mut texts = Vec::new();
            leaves(&body, String::new(), &|v| v.is_string(), &mut texts);
            for field in &texts {
                for bad in ["a\u{0}b", "a\u{1b}[31mb"] {
                    let (status, answer) = world.send(method.clone(), &path, token, Some(with_leaf(&body, field, json!(bad)))).await;
                    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{route} with {field}={bad:?}: {answer}");
                    assert!(answer["error"]["fields"][field].is_string(), "{route} with {field}={bad:?}: the field is not named: {answer}");
                    checked_fields += 1;
                }
            }
            let mut numbers = Vec::new();
            leaves(&body, String::new(), &|v| v.is_number(), &mut numbers);
            for field in &numbers {
                for limit in [i64::MIN, i64::MAX] {
                    let (status, answer) = world.send(method.clone(), &path, token, Some(with_leaf(&body, field, json!(limit)))).await;
                    assert!(status.is_client_error(), "{route} with {field}={limit}: {status} {answer}");
                    assert!(is_error_shape(&answer), "{route} with {field}={limit}: not the error shape: {answer}");
                    checked_fields += 1;
                }
            }
            // A body over any route's limit is a JSON 413 (or the route's own refusal).
            let huge = json!({ "padding": "x".repeat(3 << 20) });
            let (status, answer) = world.send(method.clone(), &path, token, Some(huge)).await;
            assert!(status.is_client_error(), "{route} with a 3 MB body: {status}");
            assert!(is_error_shape(&answer), "{route} with a 3 MB body: not the error shape: {answer}");
        }
    }
    eprintln!("the walk checked {checked_fields} values of request bodies");
    assert!(checked_fields > 100, "the walk reached {checked_fields} fields: is /openapi.json documenting the bodies?");

    // What no route documents: unknown routes and methods, and the credentials themselves.
    let (status, answer) = world.send(Method::GET, "/api/nowhere", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(is_error_shape(&answer), "{answer}");
    let (status, answer) = world.send(Method::DELETE, "/api/seller/orders", Some(&world.owner), None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(is_error_shape(&answer), "{answer}");
    let lower = world.http.get(format!("{}/api/seller/orders", world.base)).header("authorization", format!("bearer {}", world.owner)).send().await.unwrap();
    assert_eq!(lower.status(), StatusCode::OK, "the auth scheme is case-insensitive");
    let lower = world.http.get(format!("{}/api/storefront/domains/acme.localhost/products", world.base)).header("authorization", format!("BEARER {TOKEN}")).send().await.unwrap();
    assert_eq!(lower.status(), StatusCode::OK, "the auth scheme is case-insensitive");
    let nul_uid = issuer().sign_id_token(PROJECT, "uid\u{0}acme", "acme@example.com", Duration::from_secs(3600));
    let (status, answer) = world.send(Method::GET, "/api/seller/session", Some(&nul_uid), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert!(is_error_shape(&answer), "{answer}");

    assert_eq!(panics().load(Ordering::SeqCst), panics_before, "a handler panicked (see the log above)");
}
