//! Email for every Zelly service: what the platform tells people by mail (team invites today) and
//! how it gets there.
//!
//! A request never talks to the mail server. It adds an [`Email`] to the durable `emails` queue
//! under an id of its own ([`enqueue`]), and a worker ([`start_worker`], run by core-api) hands
//! queued emails to the SMTP server of `SMTP_URL`. An SMTP outage therefore delays mail and loses
//! none: a failed delivery is tried again with a doubling delay for about six hours, and a refusal
//! the server calls permanent (a mailbox that does not exist) fails the job at once, with the
//! server's answer as its reason. Without `SMTP_URL` no worker starts and queued emails wait,
//! which core-api's log says at start-up.
//!
//! `cargo xtask dev` and the tests point `SMTP_URL` at MailDev, a real SMTP server that keeps
//! every message and shows it on a web page, so nothing reaches a real inbox.
//!
//! # The `emails` job
//! Named for what the email is about (`invite`), with an id chosen by the sender
//! (`invite-{invite id}`) so that queueing it twice sends it once; its data is one [`Email`] as
//! JSON: `{"to", "reply_to", "subject", "text"}`. Completed jobs are kept an hour only, because an
//! email's text may hold a single-use link.

use serde::{Deserialize, Serialize};
use std::time::Duration;
use zelly_edge::Secret;
use zelly_queue::{DynQueues, Job, NewJob, QueueError, Unrecoverable, Worker, WorkerOptions};

/// The queue emails wait in.
pub const EMAILS: &str = "emails";
/// Attempts an email gets: with [`FIRST_RETRY`] doubling, the last one comes about 5.7 hours
/// after the first, well inside an invite's seven days.
const ATTEMPTS: u32 = 12;
/// The delay before the first retry.
const FIRST_RETRY: Duration = Duration::from_secs(5);
/// How long a sent email stays in the queue (and its id deduplicates).
const KEEP_SENT: Duration = Duration::from_secs(3600);
/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Where mail goes and whom it is from.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `SMTP_URL`: `smtp://host:port` (plain, for a local catcher), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465`. Unset, no email leaves the queue.
    pub smtp_url: Option<Secret>,
    /// `MAIL_FROM`: the sender, `Name <address>` or a bare address (default
    /// `Zelly <no-reply@{PLATFORM_DOMAIN}>`).
    pub from: lettre::message::Mailbox,
}

impl MailConfig {
    /// Reads `SMTP_URL` and `MAIL_FROM` through `var`, naming a bad one.
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>, platform_domain: &str) -> Result<Self, String> {
        let from = var("MAIL_FROM").unwrap_or_else(|| format!("Zelly <no-reply@{platform_domain}>"));
        let from = from
            .trim()
            .parse()
            .map_err(|err| format!("MAIL_FROM must be an address like \"Zelly <no-reply@example.com>\", got {from:?} ({err})"))?;
        let smtp_url = var("SMTP_URL").map(|url| url.trim().to_owned());
        if let Some(url) = &smtp_url {
            // Parsed now so that a typo stops start-up instead of every delivery.
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
                .map_err(|err| format!("SMTP_URL must be smtp://host:port or smtps://user:password@host:port ({err})"))?;
        }
        Ok(Self { smtp_url: smtp_url.map(Secret::new), from })
    }
}

/// One email, as the `emails` queue holds it: plain text, addressed to one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email {
    /// The recipient's address.
    pub to: String,
    /// Where replies go (the colleague who sent an invite), if anywhere.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// The subject line.
    pub subject: String,
    /// The body, plain text.
    pub text: String,
}

/// Queues `email` under `id`: the same id queued twice is one email.
pub async fn enqueue(queues: &DynQueues, kind: &str, id: String, email: &Email) -> Result<String, QueueError> {
    let data = serde_json::to_value(email).map_err(|err| QueueError::Invalid(err.to_string()))?;
    queues.add(EMAILS, NewJob::new(kind, data).with_id(id).with_retries(ATTEMPTS, FIRST_RETRY)).await
}

/// What an invite says: who invites, to which store, in which role, the link and until when it
/// works.
pub struct Invitation<'a> {
    /// The invited address.
    pub to: &'a str,
    /// The inviting colleague's email, if their account has one.
    pub from_email: Option<&'a str>,
    /// The store's name.
    pub store: &'a str,
    /// The role offered.
    pub role: zelly_edge::catalog::Role,
    /// The single-use link.
    pub link: &'a str,
    /// When the link stops working (Unix ms).
    pub expires_at_ms: i64,
}

impl Invitation<'_> {
    /// The email, in words a colleague who has never heard of Zelly understands.
    pub fn email(&self) -> Email {
        let who = self.from_email.unwrap_or("A colleague");
        let role = match self.role {
            zelly_edge::catalog::Role::Owner => "an owner (everything, including the team, payments and domains)",
            zelly_edge::catalog::Role::Staff => "staff (products, collections, stock, orders and analytics)",
        };
        let until = chrono::DateTime::from_timestamp_millis(self.expires_at_ms)
            .map_or_else(|| "seven days from now".to_owned(), |t| t.format("%-d %B %Y, %H:%M UTC").to_string());
        let text = format!(
            "Hello,\n\n\
             {who} invited you to help run {store} on Zelly, as {role}.\n\n\
             Accept the invite here:\n{link}\n\n\
             The link works once, until {until}, for an account that signs in as {to}. \
             If you do not have an account yet, you can create one from the link.\n\n\
             Not expecting this? Ignore this email: nothing happens unless the link is used.\n",
            store = self.store,
            link = self.link,
            to = self.to,
        );
        Email {
            to: self.to.to_owned(),
            reply_to: self.from_email.map(str::to_owned),
            subject: format!("{who} invited you to {} on Zelly", self.store),
            text,
        }
    }
}

/// Hands emails to an SMTP server.
pub struct Mailer {
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
    from: lettre::message::Mailbox,
}

impl Mailer {
    /// A mailer of `config`, or `None` when `SMTP_URL` is unset.
    pub fn new(config: &MailConfig) -> Result<Option<Self>, String> {
        let Some(url) = &config.smtp_url else { return Ok(None) };
        let transport = lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url.expose())
            .map_err(|err| format!("SMTP_URL: {err}"))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Some(Self { transport, from: config.from.clone() }))
    }

    /// Sends one email. An address the message cannot carry, or a refusal the server calls
    /// permanent, is [`Unrecoverable`]; anything else may work on a later attempt.
    pub async fn send(&self, email: &Email) -> anyhow::Result<()> {
        use lettre::AsyncTransport;
        let message = self.message(email).map_err(|err| Unrecoverable(format!("the email cannot be built: {err}")))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(err) if err.is_permanent() => Err(Unrecoverable(format!("the mail server refused it: {err}")).into()),
            Err(err) => Err(anyhow::Error::new(err).context("the mail server could not be reached")),
        }
    }

    fn message(&self, email: &Email) -> Result<lettre::Message, String> {
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .to(email.to.parse().map_err(|err| format!("to {:?}: {err}", email.to))?)
            .subject(&email.subject);
        if let Some(reply_to) = &email.reply_to {
            builder = builder.reply_to(reply_to.parse().map_err(|err| format!("reply-to {reply_to:?}: {err}"))?);
        }
        builder
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(email.text.clone())
            .map_err(|err| err.to_string())
    }
}

/// Starts delivering the `emails` queue through `mailer`.
pub async fn start_worker(queues: &DynQueues, mailer: Mailer) -> Result<Worker, QueueError> {
    let mailer = std::sync::Arc::new(mailer);
    let processor = move |job: Job| {
        let mailer = mailer.clone();
        async move {
            let email: Email = serde_json::from_value(job.data)
                .map_err(|err| Unrecoverable(format!("job {} is not an email: {err}", job.id)))?;
            mailer.send(&email).await?;
            tracing::info!(job = %job.id, kind = %job.name, "email sent");
            Ok(())
        }
    };
    let options = WorkerOptions { concurrency: 4, keep_completed: KEEP_SENT, ..WorkerOptions::default() };
    queues.start_worker(EMAILS, std::sync::Arc::new(processor), options).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use zelly_edge::catalog::Role;

    fn vars(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(name, _)| *name == k).map(|(_, v)| (*v).to_owned())
    }

    #[tokio::test]
    async fn the_sender_defaults_to_the_platform_domain_and_bad_settings_are_named() {
        let config = MailConfig::from_vars(&vars(&[]), "zelly.app").unwrap();
        assert_eq!(config.from.to_string(), "Zelly <no-reply@zelly.app>");
        assert!(config.smtp_url.is_none());
        let config = MailConfig::from_vars(&vars(&[("SMTP_URL", "smtp://127.0.0.1:1025"), ("MAIL_FROM", "shop@example.com")]), "x.test").unwrap();
        assert_eq!(config.from.email.to_string(), "shop@example.com");
        assert!(Mailer::new(&config).unwrap().is_some());
        let err = MailConfig::from_vars(&vars(&[("MAIL_FROM", "not an address")]), "x.test").unwrap_err();
        assert!(err.starts_with("MAIL_FROM"), "{err}");
        let err = MailConfig::from_vars(&vars(&[("SMTP_URL", "http://mail.example.com")]), "x.test").unwrap_err();
        assert!(err.starts_with("SMTP_URL"), "{err}");
    }

    #[test]
    fn an_invite_says_who_where_which_role_and_until_when() {
        let email = Invitation {
            to: "sam@example.com",
            from_email: Some("ana@example.com"),
            store: "Ana's Tea",
            role: Role::Staff,
            link: "https://seller.zelly.app/#/invite/abc123",
            expires_at_ms: 1_796_000_000_000,
        }
        .email();
        assert_eq!(email.subject, "ana@example.com invited you to Ana's Tea on Zelly");
        assert_eq!(email.reply_to.as_deref(), Some("ana@example.com"));
        assert!(email.text.contains("\nhttps://seller.zelly.app/#/invite/abc123\n"), "{}", email.text);
        assert!(email.text.contains("as staff (products, collections, stock, orders and analytics)"), "{}", email.text);
        assert!(email.text.contains("until 30 November 2026, 00:53 UTC"), "{}", email.text);
        assert!(email.text.contains("signs in as sam@example.com"), "{}", email.text);
    }

    #[tokio::test]
    async fn an_email_that_cannot_be_addressed_is_refused_before_any_server_is_asked() {
        let config = MailConfig::from_vars(&vars(&[("SMTP_URL", "smtp://127.0.0.1:9")]), "x.test").unwrap();
        let mailer = Mailer::new(&config).unwrap().unwrap();
        let bad = Email { to: "nobody".into(), reply_to: None, subject: "s".into(), text: "t".into() };
        assert!(mailer.message(&bad).is_err());
        let good = Email { to: "a@example.com".into(), reply_to: Some("b@example.com".into()), subject: "s".into(), text: "t".into() };
        let message = String::from_utf8(mailer.message(&good).unwrap().formatted()).unwrap();
        assert!(message.contains("Reply-To: b@example.com"), "{message}");
    }
}
