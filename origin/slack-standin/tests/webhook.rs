//! The stand-in over HTTP, as the alerts worker and a developer's browser see it.
#![allow(clippy::unwrap_used, missing_docs)]

use serde_json::json;
use slack_standin::{Message, Standin};
use std::sync::Arc;

async fn start() -> (Arc<Standin>, String) {
    let standin = Standin::new();
    let base = zelly_service::serve_in_background(slack_standin::app(standin.clone())).await.unwrap();
    (standin, base)
}

async fn messages(http: &reqwest::Client, base: &str) -> Vec<Message> {
    let response = http.get(format!("{base}/messages")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_posted_message_is_answered_ok_and_listed_with_its_path_and_time() {
    let (_standin, base) = start().await;
    let http = reqwest::Client::new();
    let blocks = json!([{ "type": "section", "text": { "type": "mrkdwn", "text": "*hi*" } }]);
    for body in [json!({ "text": "first" }), json!({ "text": "second", "blocks": blocks })] {
        let response = http.post(format!("{base}/services/T000/B000/secret")).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
        assert_eq!(response.text().await.unwrap(), "ok");
    }
    let listed = messages(&http, &base).await;
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].text.as_deref(), Some("first"));
    assert_eq!(listed[0].path, "T000/B000/secret");
    assert_eq!(listed[0].blocks, None);
    assert_eq!(listed[1].text.as_deref(), Some("second"));
    assert_eq!(listed[1].blocks, Some(blocks));
    assert!(listed[0].received_ms > 0);
    assert!(listed[0].received_at.ends_with('Z'), "{}", listed[0].received_at);
}

#[tokio::test]
async fn bad_payloads_get_slacks_errors_and_are_not_kept() {
    let (standin, base) = start().await;
    let http = reqwest::Client::new();
    let url = format!("{base}/services/T000/B000/secret");
    let response = http.post(&url).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.text().await.unwrap(), "invalid_payload");
    let response = http.post(&url).json(&json!({ "username": "zelly" })).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.text().await.unwrap(), "no_text");
    assert!(standin.messages().is_empty());
}

#[tokio::test]
async fn messages_can_be_cleared() {
    let (standin, base) = start().await;
    let http = reqwest::Client::new();
    http.post(format!("{base}/services/a/b/c")).json(&json!({ "text": "x" })).send().await.unwrap();
    assert_eq!(standin.messages().len(), 1);
    let response = http.delete(format!("{base}/messages")).send().await.unwrap();
    assert!(response.status().is_success());
    assert!(messages(&http, &base).await.is_empty());
}

#[tokio::test]
async fn while_down_posts_answer_503_and_are_not_kept() {
    let (standin, base) = start().await;
    let http = reqwest::Client::new();
    let url = format!("{base}/services/T000/B000/secret");
    let response = http.post(format!("{base}/__standin/down")).send().await.unwrap();
    assert!(response.status().is_success());
    let response = http.post(&url).json(&json!({ "text": "lost" })).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert!(messages(&http, &base).await.is_empty());
    assert_eq!(standin.refused(), 1);

    http.post(format!("{base}/__standin/up")).send().await.unwrap();
    let response = http.post(&url).json(&json!({ "text": "kept" })).send().await.unwrap();
    assert_eq!(response.status(), 200);

    standin.set_down(true);
    let response = http.post(&url).json(&json!({ "text": "lost too" })).send().await.unwrap();
    assert_eq!(response.status(), 503);
    standin.set_down(false);

    let texts: Vec<_> = messages(&http, &base).await.into_iter().filter_map(|m| m.text).collect();
    assert_eq!(texts, ["kept"]);
}

#[tokio::test]
async fn the_page_lists_messages_newest_first_escaped() {
    let (_standin, base) = start().await;
    let http = reqwest::Client::new();
    for text in ["*Job failed* <script>alert(1)</script>", "*Dependency down* redis"] {
        http.post(format!("{base}/services/T/B/x")).json(&json!({ "text": text })).send().await.unwrap();
    }
    let response = http.get(&base).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = response.text().await.unwrap();
    assert!(html.contains("name=\"viewport\""));
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;"));
    let newest = html.find("Dependency down").unwrap();
    let oldest = html.find("Job failed").unwrap();
    assert!(newest < oldest);
}

#[tokio::test]
async fn health_answers_ok() {
    let (_standin, base) = start().await;
    let response = reqwest::get(format!("{base}/health")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ok");
}
