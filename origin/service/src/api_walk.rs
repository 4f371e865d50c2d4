//! The API rules every route must keep, checked by walking a service's own `/openapi.json`
//! (feature `api-walk`, for tests), so a route added later is covered without anyone adding it to
//! a test:
//! - a control character (NUL, ESC, …) in any path segment, query parameter or text field of any
//!   JSON body is refused with 422 naming the field;
//! - `i64::MIN` and `i64::MAX` in every integer, words where numbers go, and a 3 MB body are
//!   refused with a 4xx;
//! - every refusal answers in the API's JSON error shape.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A running service to walk, with what its routes need.
#[derive(Debug, Clone, Default)]
pub struct ApiWalk {
    /// Its base URL.
    pub base: String,
    /// The client.
    pub http: reqwest::Client,
    /// Path parameter values by (the segment before it, its name): real ids, so a request gets
    /// past "not found" to its body.
    pub ids: Vec<((String, String), String)>,
    /// The bearer token for each security scheme name of the document.
    pub tokens: Vec<(String, String)>,
    /// Routes (path prefixes) not walked, e.g. webhooks that check a signature over the raw body.
    pub skip: Vec<String>,
}

impl ApiWalk {
    /// Sends a request; the answer's status and JSON (or its text as a JSON string).
    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.http.request(method.clone(), format!("{}{path}", self.base));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: the connection broke (a panic?): {e}"));
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// `template` with every `{param}` replaced by a real id (or by `replace`'s value for the
    /// parameter it names).
    pub fn path(&self, template: &str, replace: Option<(&str, &str)>) -> String {
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
                            .find(|((seg, n), _)| seg == before && n == name)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_else(|| panic!("no id for {{{name}}} after {before:?} in {template}: add one to the walk's ids")),
                    };
                    out.push(value);
                }
                None => out.push((*segment).to_owned()),
            }
        }
        out.join("/")
    }

    /// Walks every documented route and checks the rules; how many body values it tried.
    pub async fn check_every_route(&self) -> usize {
        let world = self;
        let (_, doc) = world.send(Method::GET, "/openapi.json", None, None).await;
        let mut checked_fields = 0;
        for (template, operations) in doc["paths"].as_object().unwrap() {
            for (verb, operation) in operations.as_object().unwrap() {
                let Ok(method) = verb.to_uppercase().parse::<Method>() else {
                    continue;
                };
                let security: Vec<&str> = operation["security"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.as_object().and_then(|o| o.keys().next()).map(String::as_str))
                    .collect();
                let token = world
                    .tokens
                    .iter()
                    .find(|(scheme, _)| security.contains(&scheme.as_str()))
                    .map(|(_, t)| t.as_str());
                let route = format!("{method} {template}");
                if world.skip.iter().any(|prefix| template.starts_with(prefix.as_str())) {
                    continue;
                }

                // Path parameters: a control character is 422 naming it; a malformed id is a JSON 4xx.
                for param in operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "path")
                {
                    let name = param["name"].as_str().unwrap();
                    for (bad, expect_named) in [("a%00b", true), ("not-a-uuid", false)] {
                        let path = world.path(template, Some((name, bad)));
                        let body = operation
                            .pointer("/requestBody/content/application~1json/schema")
                            .map(|s| sample(&doc, s));
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
                for param in operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "query")
                {
                    let name = param["name"].as_str().unwrap();
                    let kind = schema_type(resolve(&doc, &param["schema"])).unwrap_or("string");
                    let mut values = vec!["a%00b".to_owned()];
                    if kind == "integer" {
                        values.extend([
                            "abc".to_owned(),
                            i64::MIN.to_string(),
                            i64::MAX.to_string(),
                            "99999999999999999999999".to_owned(),
                        ]);
                    }
                    for value in values {
                        let path = format!("{}?{name}={value}", world.path(template, None));
                        let (status, answer) = world.send(method.clone(), &path, token, None).await;
                        assert!(status.is_client_error(), "{route} with ?{name}={value}: {status} {answer}");
                        assert!(
                            is_error_shape(&answer),
                            "{route} with ?{name}={value}: not the error shape: {answer}"
                        );
                        if value.contains("%00") {
                            assert!(
                                answer["error"]["fields"][name].is_string(),
                                "{route} with ?{name}={value}: {answer}"
                            );
                        }
                    }
                }

                // JSON bodies: a NUL or an ESC in every text field, the integer limits in every number.
                let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") else {
                    continue;
                };
                let body = sample(&doc, schema);
                let path = world.path(template, None);
                let mut texts = Vec::new();
                leaves(&body, String::new(), &|v| v.is_string(), &mut texts);
                for field in &texts {
                    for bad in ["a\u{0}b", "a\u{1b}[31mb"] {
                        let (status, answer) = world
                            .send(method.clone(), &path, token, Some(with_leaf(&body, field, json!(bad))))
                            .await;
                        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{route} with {field}={bad:?}: {answer}");
                        assert!(
                            answer["error"]["fields"][field].is_string(),
                            "{route} with {field}={bad:?}: the field is not named: {answer}"
                        );
                        checked_fields += 1;
                    }
                }
                let mut numbers = Vec::new();
                leaves(&body, String::new(), &|v| v.is_number(), &mut numbers);
                for field in &numbers {
                    for limit in [i64::MIN, i64::MAX] {
                        let (status, answer) = world
                            .send(method.clone(), &path, token, Some(with_leaf(&body, field, json!(limit))))
                            .await;
                        assert!(status.is_client_error(), "{route} with {field}={limit}: {status} {answer}");
                        assert!(
                            is_error_shape(&answer),
                            "{route} with {field}={limit}: not the error shape: {answer}"
                        );
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
        checked_fields
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
            let branch = branches
                .iter()
                .find(|b| schema_type(resolve(doc, b)) != Some("null") || b.get("$ref").is_some());
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

pub fn is_error_shape(body: &Value) -> bool {
    body["error"]["code"].is_string() && body["error"]["message"].is_string()
}
