//! What onboarding needs beyond the store: where new stores live (`PLATFORM_DOMAIN`), where
//! invite links point (`SELLER_UI_URL`), where custom domains must point
//! (`STOREFRONT_CNAME_TARGET`), how DNS is asked (`DNS_RESOLVER`), and the loop that checks
//! custom domains again (`DOMAIN_RECHECK_SECONDS`).

use crate::AppState;
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use zelly_edge::DomainName;
use zelly_store::DomainCheckOutcome;

/// Onboarding's settings.
#[derive(Debug, Clone)]
pub struct OnboardingConfig {
    /// New stores get `{slug}.{platform_domain}` (`PLATFORM_DOMAIN`, default `localhost`).
    pub platform_domain: String,
    /// Where seller-ui is, for invite links (`SELLER_UI_URL`, default `http://localhost:5173`).
    pub seller_ui_url: String,
    /// The host a custom domain's CNAME must name (`STOREFRONT_CNAME_TARGET`, default
    /// `stores.{platform_domain}`).
    pub cname_target: String,
    /// The nameserver to ask (`DNS_RESOLVER`, `ip:port` or `host:port`); the system's when unset.
    pub dns_resolver: Option<std::net::SocketAddr>,
    /// How often each custom domain is checked again (`DOMAIN_RECHECK_SECONDS`, default six
    /// hours, at least 1).
    pub recheck_every: Duration,
}

impl Default for OnboardingConfig {
    /// What an environment that sets none of the variables gives.
    fn default() -> Self {
        Self::from_vars(&|_| None).expect("the defaults are valid")
    }
}

impl OnboardingConfig {
    /// Reads the variables through `var`, naming a bad one.
    pub fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let platform_domain = match var("PLATFORM_DOMAIN") {
            None => "localhost".to_owned(),
            Some(raw) => {
                let raw = raw.trim().trim_end_matches('.').to_ascii_lowercase();
                DomainName::parse(&raw).map_err(|_| format!("PLATFORM_DOMAIN must be a domain name, got {raw:?}"))?;
                raw
            }
        };
        let seller_ui_url = var("SELLER_UI_URL").map_or_else(|| "http://localhost:5173".to_owned(), |u| u.trim().trim_end_matches('/').to_owned());
        if !(seller_ui_url.starts_with("http://") || seller_ui_url.starts_with("https://")) {
            return Err(format!("SELLER_UI_URL must be an http(s) URL, got {seller_ui_url:?}"));
        }
        let cname_target = var("STOREFRONT_CNAME_TARGET").map_or_else(|| format!("stores.{platform_domain}"), |t| t.trim().trim_end_matches('.').to_ascii_lowercase());
        DomainName::parse(&cname_target).map_err(|_| format!("STOREFRONT_CNAME_TARGET must be a host name, got {cname_target:?}"))?;
        let dns_resolver = match var("DNS_RESOLVER") {
            None => None,
            // ip:port, or host:port (compose's service names), looked up once at start-up.
            Some(raw) => Some(
                std::net::ToSocketAddrs::to_socket_addrs(raw.trim())
                    .ok()
                    .and_then(|mut found| found.next())
                    .ok_or_else(|| format!("DNS_RESOLVER must be ip:port or host:port, got {raw:?}"))?,
            ),
        };
        let recheck_every = match var("DOMAIN_RECHECK_SECONDS") {
            None => Duration::from_secs(6 * 3600),
            Some(raw) => match raw.trim().parse::<u64>() {
                Ok(secs) if (1..=7 * 86_400).contains(&secs) => Duration::from_secs(secs),
                _ => return Err(format!("DOMAIN_RECHECK_SECONDS must be 1 to 604800, got {raw:?}")),
            },
        };
        Ok(Self { platform_domain, seller_ui_url, cname_target, dns_resolver, recheck_every })
    }

    /// The platform address of the store `slug`.
    pub fn store_domain(&self, slug: &str) -> Result<DomainName, String> {
        DomainName::parse(&format!("{slug}.{}", self.platform_domain)).map_err(|e| e.to_string())
    }
}

/// Asks DNS whether a domain is proven (its `_zelly` TXT record holds `token`) and points at
/// `cname_target`.
#[async_trait]
pub trait DomainChecker: Send + Sync {
    /// What DNS says now.
    async fn check(&self, domain: &DomainName, token: &str, cname_target: &str) -> DomainCheckOutcome;
}

/// A shared checker.
pub type DynDomainChecker = Arc<dyn DomainChecker>;

#[async_trait]
impl DomainChecker for zelly_dns::DnsChecker {
    async fn check(&self, domain: &DomainName, token: &str, cname_target: &str) -> DomainCheckOutcome {
        let found = zelly_dns::DnsChecker::check(self, domain.as_str(), token, cname_target).await;
        let proven = match &found.ownership {
            Ok(()) => Some(true),
            // The checker says "DNS lookup failed: …" only when it could not ask (timeout,
            // SERVFAIL, unreachable); nothing is concluded from that.
            Err(failure) if failure.starts_with("DNS lookup failed") => None,
            Err(_) => Some(false),
        };
        let failure = match (&found.ownership, &found.routing) {
            (Err(failure), _) => Some(failure.clone()),
            (Ok(()), Err(failure)) => Some(failure.clone()),
            (Ok(()), Ok(())) => None,
        };
        DomainCheckOutcome { proven, routed: found.routing.is_ok(), failure }
    }
}

/// Checks each custom domain again every `recheck_every`: a domain whose record is gone is
/// flagged (and no longer served), one that comes back is served again. Runs until the process
/// ends; a failed round is logged and retried on the next tick.
pub async fn recheck_loop(state: AppState) {
    let every = state.onboarding.recheck_every;
    let tick = (every / 4).clamp(Duration::from_millis(200), Duration::from_secs(60));
    loop {
        tokio::time::sleep(tick).await;
        if let Err(err) = recheck_due(&state).await {
            tracing::warn!(%err, "domain re-verification round failed");
        }
    }
}

/// One round: every domain last checked more than `recheck_every` ago, a batch at a time.
pub async fn recheck_due(state: &AppState) -> Result<usize, zelly_store::StoreError> {
    let now = zelly_service::now_ms();
    let before = now - i64::try_from(state.onboarding.recheck_every.as_millis()).unwrap_or(i64::MAX);
    let due = state.store.domains_due(before, 100).await?;
    for domain in &due {
        let outcome = state.domains.check(&domain.domain, &domain.token, &state.onboarding.cname_target).await;
        match state.store.record_domain_check(domain.tenant, &domain.domain, &outcome, zelly_service::now_ms()).await {
            Ok(after) => tracing::info!(domain = %domain.domain, status = after.status.as_str(), "domain checked again"),
            Err(err) => tracing::warn!(domain = %domain.domain, %err, "domain re-verification not recorded"),
        }
    }
    Ok(due.len())
}
