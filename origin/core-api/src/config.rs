//! core-api configuration from the seed's environment variable names.

use std::net::SocketAddr;
use zelly_store::config::Secret;
use zelly_store::DatabaseConfig;

/// Everything core-api reads at start-up.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen: `BIND` (default 0.0.0.0) and `PORT` (default 3000).
    pub listen: SocketAddr,
    /// `DATABASE_URL`, or `DB_HOST`/`DB_PORT`/`DB_USER`/`DB_PASSWORD`/`DB_NAME`, or embedded SQLite.
    pub database: DatabaseConfig,
    /// `STOREFRONT_API_BEARER_TOKEN` (required).
    pub storefront_token: Secret,
    /// `FIREBASE_PROJECT_ID` (+ optional `FIREBASE_CERTS_URL`): merchant sign-in; unset closes the
    /// seller API.
    pub firebase: Option<zelly_auth::FirebaseConfig>,
    /// `REDIS_URL`, or `REDIS_HOST`/`REDIS_PORT`/`REDIS_PASSWORD`, or embedded SQLite queues.
    pub queues: zelly_queue::QueueConfig,
    /// `CLICKHOUSE_HOST`…, or the embedded SQLite analytics file.
    pub analytics: zelly_analytics::AnalyticsConfig,
    /// `EVENTS_PER_MINUTE_PER_SHOPPER` and `EVENTS_PER_MINUTE_PER_STORE`.
    pub intake_limits: crate::routes::events::IntakeLimits,
    /// `ZELLY_SEED_DEMO=1`: create the demo tenant at start-up if it is missing.
    pub seed_demo: bool,
    /// `RAZORPAY_WEBHOOK_SECRET`, and `RAZORPAY_WEBHOOK_SECRET_PREVIOUS` while rotating: the
    /// secrets Razorpay signs webhooks with. None set closes the webhook route (503).
    pub razorpay_webhook_secrets: Vec<Secret>,
    /// `SHOPIFY_API_SECRET`, and `SHOPIFY_API_SECRET_PREVIOUS` while rotating: the Shopify app's
    /// secret, which signs its webhooks. Unset: Shopify webhooks answer 503.
    pub shopify_secrets: Vec<Secret>,
    /// The Shopify app's settings (`SHOPIFY_API_KEY`, `SHOPIFY_TOKEN_KEY`…), when configured.
    pub shopify: Option<crate::shopify_app::ShopifyAppConfig>,
    /// `RAZORPAY_KEY_ID`, `RAZORPAY_KEY_SECRET` and `RAZORPAY_API_URL`: refunds; unset, the
    /// refund route answers 503 and nothing talks to Razorpay.
    pub razorpay: Option<crate::razorpay::RazorpayConfig>,
    /// `CHECKOUT_HOLD_SECONDS` (default 900, 15 minutes; 10 to 86,400): how long a checkout holds
    /// its stock while the shopper pays.
    pub checkout_hold_ms: i64,
    /// `PLATFORM_DOMAIN`, `SELLER_UI_URL`, `STOREFRONT_CNAME_TARGET`, `DNS_RESOLVER`,
    /// `DOMAIN_RECHECK_SECONDS`.
    pub onboarding: crate::onboarding::OnboardingConfig,
    /// `SMTP_URL` and `MAIL_FROM`: where invite emails are delivered.
    pub mail: zelly_mail::MailConfig,
}

impl Config {
    /// Reads the environment, failing with a message that names the offending variable.
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let listen = zelly_service::listen_from_env(3000)?;
        let storefront_token = var("STOREFRONT_API_BEARER_TOKEN")
            .ok_or("STOREFRONT_API_BEARER_TOKEN is not set: the storefront read API needs its shared secret")?;
        if storefront_token.len() < 16 {
            return Err("STOREFRONT_API_BEARER_TOKEN must be at least 16 characters".into());
        }
        let firebase = match var("FIREBASE_PROJECT_ID") {
            Some(_) => Some(zelly_auth::FirebaseConfig::from_env()?),
            None => None,
        };
        let onboarding = crate::onboarding::OnboardingConfig::from_vars(&var)?;
        let mail = zelly_mail::MailConfig::from_vars(&var, &onboarding.platform_domain)?;
        Ok(Self {
            listen,
            database: DatabaseConfig::from_env("DB_NAME")?,
            storefront_token: Secret::new(storefront_token),
            firebase,
            queues: zelly_queue::QueueConfig::from_env()?,
            analytics: zelly_analytics::AnalyticsConfig::from_env()?,
            intake_limits: intake_limits(&var)?,
            seed_demo: var("ZELLY_SEED_DEMO").as_deref() == Some("1"),
            razorpay_webhook_secrets: ["RAZORPAY_WEBHOOK_SECRET", "RAZORPAY_WEBHOOK_SECRET_PREVIOUS"]
                .into_iter()
                .filter_map(|name| var(name).map(Secret::new))
                .collect(),
            shopify: crate::shopify_app::ShopifyAppConfig::from_vars(&var)?,
            shopify_secrets: ["SHOPIFY_API_SECRET", "SHOPIFY_API_SECRET_PREVIOUS"].into_iter().filter_map(|name| var(name).map(Secret::new)).collect(),
            razorpay: crate::razorpay::RazorpayConfig::from_env(&var),
            checkout_hold_ms: checkout_hold_ms(&var)?,
            onboarding,
            mail,
        })
    }
}

/// Reads `CHECKOUT_HOLD_SECONDS`: how long a checkout holds its stock.
fn checkout_hold_ms(var: &dyn Fn(&str) -> Option<String>) -> Result<i64, String> {
    match var("CHECKOUT_HOLD_SECONDS") {
        None => Ok(zelly_edge::orders::RESERVATION_MS),
        Some(raw) => match raw.trim().parse::<i64>() {
            Ok(secs) if (10..=86_400).contains(&secs) => Ok(secs * 1000),
            _ => Err(format!("CHECKOUT_HOLD_SECONDS must be a whole number of seconds from 10 to 86400, got {raw:?}")),
        },
    }
}

/// Reads the intake's per-minute rate limits, keeping the defaults for unset variables.
fn intake_limits(var: &dyn Fn(&str) -> Option<String>) -> Result<crate::routes::events::IntakeLimits, String> {
    let mut limits = crate::routes::events::IntakeLimits::default();
    for (name, slot) in [
        ("EVENTS_PER_MINUTE_PER_SHOPPER", &mut limits.per_shopper_per_minute),
        ("EVENTS_PER_MINUTE_PER_STORE", &mut limits.per_store_per_minute),
    ] {
        if let Some(raw) = var(name) {
            *slot = raw.trim().parse().map_err(|_| format!("{name} must be a whole number above 0, got {raw:?}"))?;
        }
    }
    Ok(limits)
}
