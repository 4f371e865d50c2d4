//! A stand-in for Slack's incoming webhooks, for dev and tests (never production): the alerts
//! worker posts to it exactly as to `https://hooks.slack.com/services/...`, and it shows what was
//! posted.
//!
//! - `POST /services/{*path}` takes a webhook payload as Slack does: JSON (`{"text": "..."}`,
//!   optionally `blocks` and `attachments`), or a form with the JSON in its `payload` field. It keeps
//!   the message and answers `200 ok` (text/plain). A body that is not a JSON object answers
//!   `400 invalid_payload`; one with neither `text` nor `blocks` answers `400 no_text`.
//! - `GET /messages` lists the kept messages as JSON, oldest first; `DELETE /messages` forgets them.
//!   At most [`MAX_MESSAGES`] are kept (the oldest go first).
//! - `GET /` is a small page of the messages, newest first, that reloads itself every few seconds:
//!   where a developer running `cargo xtask dev` sees the alerts.
//! - `POST /__standin/down` makes every post answer `503` without keeping it, as during a Slack
//!   outage, until `POST /__standin/up`. In-process tests call [`Standin::set_down`].
//! - `GET /health` answers `ok`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The most messages kept; older ones are forgotten first.
pub const MAX_MESSAGES: usize = 500;

/// How often the page reloads itself, in seconds.
const PAGE_REFRESH_SECS: u32 = 5;

/// One posted message, as kept and as `GET /messages` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The webhook's path after `/services/` (Slack's `T…/B…/secret`).
    pub path: String,
    /// The payload's `text`, if it had one.
    pub text: Option<String>,
    /// The payload's `blocks`, if it had any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Value>,
    /// The payload's `attachments`, if it had any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Value>,
    /// When it arrived, RFC 3339 in UTC with milliseconds.
    pub received_at: String,
    /// When it arrived, in Unix milliseconds.
    pub received_ms: i64,
}

/// The stand-in's state: the kept messages and whether it plays down.
#[derive(Debug, Default)]
pub struct Standin {
    messages: Mutex<VecDeque<Message>>,
    down: AtomicBool,
    refused: AtomicU64,
}

impl Standin {
    /// A stand-in with no messages, up.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Makes every post answer 503 without being kept while `down`, as during a Slack outage.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::Relaxed);
    }

    /// Whether posts are refused now.
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    /// How many posts were refused with 503 while down, since the start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// The kept messages, oldest first.
    pub fn messages(&self) -> Vec<Message> {
        self.lock().iter().cloned().collect()
    }

    /// Forgets every kept message.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Keeps `message`, forgetting the oldest beyond [`MAX_MESSAGES`].
    fn keep(&self, message: Message) {
        let mut messages = self.lock();
        while messages.len() >= MAX_MESSAGES {
            messages.pop_front();
        }
        messages.push_back(message);
    }

    /// The messages; a panic elsewhere while holding them leaves them usable.
    fn lock(&self) -> MutexGuard<'_, VecDeque<Message>> {
        self.messages.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The stand-in's routes.
pub fn app(standin: Arc<Standin>) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/services/{*path}", post(receive))
        .route("/messages", get(list).delete(clear))
        .route("/__standin/down", post(go_down))
        .route("/__standin/up", post(come_up))
        .route("/health", get(|| async { "ok" }))
        .with_state(standin)
}

/// Slack's plain-text answers: `ok`, or the error's code.
fn slack_answer(status: StatusCode, body: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body).into_response()
}

async fn receive(State(standin): State<Arc<Standin>>, Path(path): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    if standin.is_down() {
        standin.refused.fetch_add(1, Ordering::Relaxed);
        tracing::info!(%path, "refused a post: the stand-in is down, as asked");
        return slack_answer(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable");
    }
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let message = match parse_payload(&body, form) {
        Ok(payload) => payload,
        Err(code) => return slack_answer(StatusCode::BAD_REQUEST, code),
    };
    let received_ms = zelly_service::now_ms();
    let message = Message { path, received_ms, received_at: rfc3339(received_ms), ..message };
    tracing::info!(path = %message.path, text = message.text.as_deref().unwrap_or(""), "message posted");
    standin.keep(message);
    slack_answer(StatusCode::OK, "ok")
}

/// Reads a webhook payload as Slack does, into a message without its path and time; the error is
/// Slack's code for what is wrong.
pub fn parse_payload(body: &[u8], form: bool) -> Result<Message, &'static str> {
    let json = if form {
        form_urlencoded::parse(body)
            .find(|(name, _)| name == "payload")
            .map(|(_, value)| value.into_owned().into_bytes())
            .ok_or("invalid_payload")?
    } else {
        body.to_vec()
    };
    let Ok(Value::Object(mut payload)) = serde_json::from_slice::<Value>(&json) else {
        return Err("invalid_payload");
    };
    let text = match payload.remove("text") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text),
        Some(_) => return Err("invalid_payload"),
    };
    let present = |value: Option<Value>| value.filter(|v| !v.is_null());
    let blocks = present(payload.remove("blocks"));
    let attachments = present(payload.remove("attachments"));
    let has_text = text.as_deref().is_some_and(|t| !t.trim().is_empty());
    let has_blocks = blocks.as_ref().is_some_and(|b| b.as_array().is_some_and(|a| !a.is_empty()));
    if !has_text && !has_blocks {
        return Err("no_text");
    }
    Ok(Message { path: String::new(), text, blocks, attachments, received_at: String::new(), received_ms: 0 })
}

/// `ms` as RFC 3339 in UTC with milliseconds (the epoch if out of range).
fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn list(State(standin): State<Arc<Standin>>) -> Json<Vec<Message>> {
    Json(standin.messages())
}

async fn clear(State(standin): State<Arc<Standin>>) -> StatusCode {
    standin.clear();
    StatusCode::NO_CONTENT
}

async fn go_down(State(standin): State<Arc<Standin>>) -> StatusCode {
    standin.set_down(true);
    StatusCode::NO_CONTENT
}

async fn come_up(State(standin): State<Arc<Standin>>) -> StatusCode {
    standin.set_down(false);
    StatusCode::NO_CONTENT
}

async fn page(State(standin): State<Arc<Standin>>) -> Response {
    let html = render_page(&standin.messages(), standin.is_down());
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
        ],
        Html(html),
    )
        .into_response()
}

/// The page of `messages` (given oldest first, shown newest first), saying whether posts are
/// refused now.
pub fn render_page(messages: &[Message], down: bool) -> String {
    use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
    let mut items = String::new();
    for message in messages.iter().rev() {
        let body = match message.text.as_deref() {
            Some(t) if !t.trim().is_empty() => format!("<pre>{}</pre>", text(t)),
            _ => String::new(),
        };
        let mut extras = String::new();
        for (name, value) in [("blocks", &message.blocks), ("attachments", &message.attachments)] {
            if let Some(value) = value {
                let json = serde_json::to_string_pretty(value).unwrap_or_default();
                extras.push_str(&format!("<details><summary>{name}</summary><pre>{}</pre></details>", text(&json)));
            }
        }
        items.push_str(&format!(
            "<li><p class=\"meta\"><time datetime=\"{}\">{}</time> · <code>/services/{}</code></p>{body}{extras}</li>",
            attr(&message.received_at),
            text(&message.received_at),
            text(&message.path),
        ));
    }
    let list = if items.is_empty() {
        "<p class=\"empty\">Nothing posted yet. Messages posted to <code>/services/…</code> appear here.</p>".to_owned()
    } else {
        format!("<ol>{items}</ol>")
    };
    let count = match messages.len() {
        1 => "1 message".to_owned(),
        n => format!("{n} messages"),
    };
    let state = if down {
        "<strong class=\"down\">Down: posts answer 503 and are not kept.</strong>"
    } else {
        "Up: posts are kept."
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"{PAGE_REFRESH_SECS}\">\
         <title>Slack stand-in</title><style>\
         body{{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f6f4;color:#1d1d1b}}\
         main{{max-width:48rem;margin:0 auto;padding:1.5rem 1rem}}\
         h1{{font-size:1.4rem;margin:0 0 .25rem}}.status{{margin:0 0 1rem;color:#555}}\
         .down{{color:#a4161a}}ol{{list-style:none;margin:0;padding:0}}\
         li{{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.75rem;margin:0 0 .75rem}}\
         .meta{{margin:0 0 .5rem;font-size:.85rem;color:#555;overflow-wrap:anywhere}}\
         pre{{margin:0;font:inherit;white-space:pre-wrap;overflow-wrap:anywhere}}\
         details pre{{font:.85rem/1.4 ui-monospace,monospace}}summary{{cursor:pointer;color:#555;font-size:.85rem}}\
         code{{font-family:ui-monospace,monospace}}</style></head>\
         <body><main><h1>Slack stand-in</h1><p class=\"status\">{count}, newest first. {state}</p>{list}</main></body></html>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_are_judged_as_slack_does() {
        let message = parse_payload(br#"{"text": "hello"}"#, false).ok();
        assert_eq!(message.and_then(|m| m.text).as_deref(), Some("hello"));
        assert!(parse_payload(br#"{"blocks": [{"type": "divider"}]}"#, false).is_ok());
        assert_eq!(parse_payload(b"not json", false).err(), Some("invalid_payload"));
        assert_eq!(parse_payload(b"[1]", false).err(), Some("invalid_payload"));
        assert_eq!(parse_payload(br#"{"text": 7}"#, false).err(), Some("invalid_payload"));
        assert_eq!(parse_payload(br#"{"username": "bot"}"#, false).err(), Some("no_text"));
        assert_eq!(parse_payload(br#"{"text": " ", "blocks": []}"#, false).err(), Some("no_text"));
        let form = parse_payload(b"payload=%7B%22text%22%3A%22hi%22%7D", true).ok();
        assert_eq!(form.and_then(|m| m.text).as_deref(), Some("hi"));
        assert_eq!(parse_payload(b"text=hi", true).err(), Some("invalid_payload"));
    }

    #[test]
    fn the_page_escapes_text_and_shows_the_newest_first() {
        let message = |text: &str| Message {
            path: "T0/B0/x".into(),
            text: Some(text.into()),
            blocks: None,
            attachments: None,
            received_at: rfc3339(0),
            received_ms: 0,
        };
        let html = render_page(&[message("first <b>"), message("second & last")], false);
        assert!(html.contains("first &lt;b&gt;"));
        assert!(!html.contains("<b>"));
        let (second, first) = (html.find("second &amp; last"), html.find("first &lt;b&gt;"));
        assert!(second.is_some() && first.is_some() && second < first);
        assert!(html.contains("width=device-width"));
        assert!(render_page(&[], true).contains("Down"));
    }

    #[test]
    fn times_are_rfc3339_in_utc() {
        assert_eq!(rfc3339(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
    }

    #[test]
    fn only_the_newest_messages_are_kept() {
        let standin = Standin::new();
        for n in 0..MAX_MESSAGES + 3 {
            standin.keep(Message {
                path: n.to_string(),
                text: Some("x".into()),
                blocks: None,
                attachments: None,
                received_at: String::new(),
                received_ms: 0,
            });
        }
        let messages = standin.messages();
        assert_eq!(messages.len(), MAX_MESSAGES);
        assert_eq!(messages[0].path, "3");
    }
}
