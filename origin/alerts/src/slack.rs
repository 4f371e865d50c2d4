//! Posting alerts to Slack's incoming webhook: the worker of [`ALERTS_QUEUE`].

use crate::{AlertJob, ALERTS_QUEUE};
use anyhow::{anyhow, Context};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::sync::Arc;
use std::time::Duration;
use zelly_queue::{Job, QueueError, Queues, Unrecoverable, Worker, WorkerOptions};

/// How long a post to Slack may take before the attempt fails.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The most bytes of Slack's answer read (it is a short word like `ok` or `no_service`).
const MAX_ANSWER_BYTES: usize = 16 * 1024;
/// The most characters of an alert's detail posted; Slack cuts messages far longer.
const MAX_DETAIL_CHARS: usize = 3_000;

type HttpClient = Client<zelly_auth::https::Connector, Full<Bytes>>;

/// Where alerts go: Slack's incoming webhook, or nowhere but the log.
#[derive(Clone)]
pub struct SlackConfig {
    webhook: Option<Webhook>,
    timeout: Duration,
}

#[derive(Clone)]
struct Webhook {
    url: Uri,
    http: HttpClient,
}

impl std::fmt::Debug for SlackConfig {
    /// Never shows the URL: its path is the webhook's secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let host = self.webhook.as_ref().map(|w| w.url.host().unwrap_or_default().to_owned());
        f.debug_struct("SlackConfig").field("webhook_host", &host).field("timeout", &self.timeout).finish()
    }
}

impl SlackConfig {
    /// From `SLACK_WEBHOOK_URL` (unset or empty: alerts are only logged). Fails for a URL that is
    /// not http(s), or an https one when the system has no CA certificates.
    pub fn from_env() -> Result<Self, String> {
        Self::new(std::env::var("SLACK_WEBHOOK_URL").ok().as_deref())
    }

    /// Posting to `webhook_url` (`None` or blank: alerts are only logged), with [`DEFAULT_TIMEOUT`].
    pub fn new(webhook_url: Option<&str>) -> Result<Self, String> {
        let Some(raw) = webhook_url.map(str::trim).filter(|u| !u.is_empty()) else { return Ok(Self::unset()) };
        let url: Uri = raw.parse().map_err(|_| "SLACK_WEBHOOK_URL: not a URL".to_owned())?;
        let https = match url.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err("SLACK_WEBHOOK_URL: must start with https:// (or http:// for a stand-in)".into()),
        };
        if url.host().is_none_or(str::is_empty) {
            return Err("SLACK_WEBHOOK_URL: has no host".into());
        }
        let connector = zelly_auth::https::connector(https, "Slack")?;
        let http = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self { webhook: Some(Webhook { url, http }), timeout: DEFAULT_TIMEOUT })
    }

    /// No webhook: alerts are logged and completed.
    pub fn unset() -> Self {
        Self { webhook: None, timeout: DEFAULT_TIMEOUT }
    }

    /// The same, with posts timing out after `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Whether a webhook is configured.
    pub fn is_set(&self) -> bool {
        self.webhook.is_some()
    }
}

/// Starts the worker of [`ALERTS_QUEUE`]: each alert is posted to the webhook as `{"text": ...}`
/// ([`slack_text`]), or logged when there is none. A post that fails (no answer within the
/// timeout, a 5xx, a 429) fails the attempt, and the queue retries it later; a 4xx other than 429
/// fails the alert for good. Stop it with [`Worker::shutdown`].
pub async fn start_worker(queues: &dyn Queues, config: SlackConfig) -> Result<Worker, QueueError> {
    if !config.is_set() {
        tracing::warn!("SLACK_WEBHOOK_URL is not set: alerts are only logged");
    }
    let config = Arc::new(config);
    let processor = move |job: Job| {
        let config = config.clone();
        async move { deliver(&config, job).await }
    };
    queues.start_worker(ALERTS_QUEUE, Arc::new(processor), WorkerOptions::default()).await
}

/// Posts (or logs) one alert job.
async fn deliver(config: &SlackConfig, job: Job) -> anyhow::Result<()> {
    let alert: AlertJob = serde_json::from_value(job.data)
        .map_err(|e| Unrecoverable(format!("alert job {} has unreadable data: {e}", job.id)))?;
    let Some(webhook) = &config.webhook else {
        tracing::warn!(kind = %alert.kind, key = %alert.key, detail = %alert.detail, "ALERT (not posted, SLACK_WEBHOOK_URL is not set): {}", alert.title);
        return Ok(());
    };
    let text = slack_text(&alert.kind, &alert.key, &alert.title, &alert.detail, alert.raised_at_ms);
    let body = serde_json::to_vec(&serde_json::json!({ "text": text })).context("encoding the message")?;
    let (status, answer) = tokio::time::timeout(config.timeout, post(webhook, body))
        .await
        .map_err(|_| anyhow!("Slack did not answer within {:?}", config.timeout))??;
    if status.is_success() {
        tracing::info!(job_id = %job.id, attempt = job.attempt, title = %alert.title, "alert posted to Slack");
        return Ok(());
    }
    let why = format!("Slack answered {status}: {}", answer.trim());
    if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
        tracing::error!(job_id = %job.id, %why, "alert cannot be posted; check SLACK_WEBHOOK_URL");
        return Err(Unrecoverable(why).into());
    }
    tracing::warn!(job_id = %job.id, attempt = job.attempt, %why, "alert not posted yet; will retry");
    Err(anyhow!(why))
}

/// Sends `body` to the webhook; Slack's status and the start of its answer.
async fn post(webhook: &Webhook, body: Vec<u8>) -> anyhow::Result<(StatusCode, String)> {
    let request = Request::post(webhook.url.clone())
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .context("building the request")?;
    let response = webhook
        .http
        .request(request)
        .await
        .map_err(|e| anyhow!("posting to Slack failed: {}", zelly_auth::https::error_chain(&e)))?;
    let status = response.status();
    let answer = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
        .collect()
        .await
        .map(|body| String::from_utf8_lossy(&body.to_bytes()).chars().take(200).collect())
        .unwrap_or_default();
    Ok((status, answer))
}

/// The message posted for an alert, in Slack's mrkdwn: a bold title line, the detail (cut at a few
/// thousand characters), and a line with the kind and the key (as code) and when it was raised.
pub fn slack_text(kind: &str, key: &str, title: &str, detail: &str, raised_at_ms: u64) -> String {
    let title: String = title.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut detail_text: String = detail.trim().chars().take(MAX_DETAIL_CHARS).collect();
    if detail.trim().chars().count() > MAX_DETAIL_CHARS {
        detail_text.push('…');
    }
    let raised = i64::try_from(raised_at_ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .map(|at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default();
    let mut text = format!(":rotating_light: *{}*", escape(&title));
    if !detail_text.is_empty() {
        text.push('\n');
        text.push_str(&escape(&detail_text));
    }
    let code = |part: &str| format!("`{}`", escape(part).replace('`', "'"));
    text.push_str(&format!("\n{} · {} · raised {raised}", code(kind), code(key)));
    text
}

/// Escapes the three characters Slack's mrkdwn gives a meaning to in plain text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_has_a_bold_title_the_detail_and_its_context() {
        let text = slack_text("job_failed", "SHOPIFY_WEBHOOK/7", "Job  failed\nfor good", "a < b & c", 1_700_000_000_000);
        assert_eq!(
            text,
            ":rotating_light: *Job failed for good*\na &lt; b &amp; c\n`job_failed` · `SHOPIFY_WEBHOOK/7` · raised 2023-11-14 22:13:20 UTC"
        );
    }

    #[test]
    fn a_long_detail_is_cut() {
        let text = slack_text("k", "x", "t", &"é".repeat(MAX_DETAIL_CHARS + 10), 0);
        assert!(text.contains('…'));
        assert!(text.chars().count() < MAX_DETAIL_CHARS + 100);
    }

    #[test]
    fn webhook_urls_are_checked() {
        assert!(!SlackConfig::new(None).unwrap().is_set());
        assert!(!SlackConfig::new(Some("  ")).unwrap().is_set());
        assert!(SlackConfig::new(Some("http://127.0.0.1:9500/services/T/B/x")).unwrap().is_set());
        assert!(SlackConfig::new(Some("ftp://example.com/x")).is_err());
        assert!(SlackConfig::new(Some("hooks.slack.com/services/x")).is_err());
        let debug = format!("{:?}", SlackConfig::new(Some("http://127.0.0.1:9500/services/T/B/secret")).unwrap());
        assert!(!debug.contains("secret"), "{debug}");
    }
}
