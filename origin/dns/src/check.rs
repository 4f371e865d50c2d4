//! Checks a merchant's DNS: the ownership TXT record and the routing CNAME (or apex A/AAAA).

use std::collections::BTreeSet;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use base64::Engine as _;
use hickory_resolver::config::{NameServerConfigGroup, ResolveHosts, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use hickory_resolver::proto::ProtoErrorKind;
use hickory_resolver::{ResolveError, ResolveErrorKind, TokioResolver};

use crate::name::{same_name, RecordName};

/// How long one query waits for an answer.
const QUERY_TIMEOUT: Duration = Duration::from_secs(2);
/// The most one half of a check (ownership or routing) may take, whatever the resolver does: a
/// check runs inside a merchant's request and must never hang it.
const CHECK_DEADLINE: Duration = Duration::from_secs(8);
/// How many CNAMEs in a row are followed looking for the target.
const MAX_CNAME_HOPS: usize = 8;
/// What every verification token starts with, so that a merchant can tell it apart from the
/// other TXT records at the name.
pub const TOKEN_PREFIX: &str = "zelly-verify-";

/// Why a [`DnsChecker`] cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum DnsError {
    /// The nameserver address cannot receive queries (an unspecified IP such as `0.0.0.0`, or
    /// port 0).
    #[error("{0} is not an address a nameserver can be queried at")]
    UnusableResolver(SocketAddr),
}

/// The outcome of checking one custom domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheck {
    /// `Ok` when the TXT record at `_zelly.{domain}` holds the domain's token; otherwise why not,
    /// in words for the merchant.
    pub ownership: Result<(), String>,
    /// `Ok` when the domain reaches the storefront (a CNAME to the target, or the target's
    /// addresses at an apex); otherwise why not, in words for the merchant.
    pub routing: Result<(), String>,
}

impl DomainCheck {
    /// The merchant has proved they own the domain.
    pub fn verified(&self) -> bool {
        self.ownership.is_ok()
    }

    /// The domain is proved and routed to the storefront: it can serve the store.
    pub fn active(&self) -> bool {
        self.ownership.is_ok() && self.routing.is_ok()
    }
}

/// The name whose TXT record proves ownership of `domain`: `_zelly.{domain}`, in lower case and
/// without a trailing dot.
pub fn verification_name(domain: &str) -> String {
    let domain = domain.trim();
    format!("_zelly.{}", domain.strip_suffix('.').unwrap_or(domain).to_ascii_lowercase())
}

/// A fresh verification token: [`TOKEN_PREFIX`] and 192 random bits in URL-safe base64 (32
/// characters), e.g. `zelly-verify-3q2-7wKkx0_QmZ2v1Yc8aLbN9eT4uR6s`.
pub fn new_token() -> String {
    let mut bytes = [0u8; 24];
    // A token is a credential: without the OS's randomness there is no safe fallback, and this
    // fails only on a broken system.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Looks up a custom domain's records and says, in words for the merchant, what is missing.
///
/// It keeps no cache of its own: a merchant who fixes a record and checks again must see the
/// fix (the upstream resolver may still cache, as it does for everyone).
#[derive(Clone)]
pub struct DnsChecker {
    resolver: TokioResolver,
}

impl std::fmt::Debug for DnsChecker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DnsChecker").field("nameservers", &self.resolver.config().name_servers()).finish()
    }
}

impl DnsChecker {
    /// A checker asking only `resolver` (over UDP, and TCP for long answers or when UDP fails),
    /// or, with `None`, the nameservers of `/etc/resolv.conf` (Cloudflare's when it cannot be
    /// read). Each query waits 2 s and is tried twice.
    pub fn new(resolver: Option<SocketAddr>) -> Result<Self, DnsError> {
        let (config, mut options) = match resolver {
            Some(addr) => {
                if addr.ip().is_unspecified() || addr.port() == 0 {
                    return Err(DnsError::UnusableResolver(addr));
                }
                let servers = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
                (ResolverConfig::from_parts(None, vec![], servers), ResolverOpts::default())
            }
            None => hickory_resolver::system_conf::read_system_conf().unwrap_or_else(|err| {
                tracing::warn!(%err, "cannot read the system's resolver configuration; using Cloudflare's nameservers");
                (ResolverConfig::cloudflare(), ResolverOpts::default())
            }),
        };
        options.timeout = QUERY_TIMEOUT;
        // Retries after the first try: two tries in all.
        options.attempts = 1;
        // UDP refused (nothing listening) or failing: try the same nameserver over TCP.
        options.try_tcp_on_error = true;
        // No cache: a removed record must be seen as removed on the very next check.
        options.cache_size = 0;
        options.positive_max_ttl = Some(Duration::ZERO);
        options.negative_max_ttl = Some(Duration::ZERO);
        // A merchant's domain is never answered from this machine's /etc/hosts.
        options.use_hosts_file = ResolveHosts::Never;
        let resolver = TokioResolver::builder_with_config(config, TokioConnectionProvider::default()).with_options(options).build();
        Ok(Self { resolver })
    }

    /// Checks that `domain` is proved with `token` and routed to `cname_target`. The two halves
    /// run at once, each bounded in time; neither ever fails the call: a failed lookup is a
    /// reason in the result.
    #[tracing::instrument(skip_all, fields(domain = %domain))]
    pub async fn check(&self, domain: &str, token: &str, cname_target: &str) -> DomainCheck {
        let domain = match RecordName::parse(domain) {
            Ok(domain) => domain,
            Err(err) => {
                let reason = format!("{:?} is not a valid domain name: {}", err.name, err.reason);
                return DomainCheck { ownership: Err(reason.clone()), routing: Err(reason) };
            }
        };
        let (ownership, routing) = tokio::join!(
            within_deadline(self.check_ownership(&domain, token)),
            within_deadline(self.check_routing(&domain, cname_target)),
        );
        let check = DomainCheck { ownership, routing };
        tracing::info!(verified = check.verified(), active = check.active(), "domain checked");
        check
    }

    /// The TXT record at `_zelly.{domain}` holds `token`, exactly.
    async fn check_ownership(&self, domain: &RecordName, token: &str) -> Result<(), String> {
        let name = verification_name(domain.as_str());
        let values: Vec<String> = self
            .lookup(&name, RecordType::TXT)
            .await?
            .into_iter()
            .filter_map(|data| match data {
                // A long TXT value arrives as several character-strings: one value, cut up.
                RData::TXT(txt) => Some(String::from_utf8_lossy(&txt.txt_data().concat()).into_owned()),
                _ => None,
            })
            .collect();
        if values.is_empty() {
            return Err(format!("no TXT record at {name}"));
        }
        if values.iter().any(|value| value == token) {
            return Ok(());
        }
        // DNS dashboards that want no quotes get them anyway, pasted with the token.
        if values.iter().any(|value| value.trim().trim_matches('"').trim() == token) {
            return Err(format!("the TXT record at {name} holds this domain's token with extra quotes or spaces around it; remove them"));
        }
        Err(format!("the TXT record at {name} does not hold this domain's token"))
    }

    /// `domain` reaches `target`: through a CNAME chain that arrives at `target`, or (for an
    /// apex, which cannot have a CNAME) because every address of `domain` is one of `target`'s.
    async fn check_routing(&self, domain: &RecordName, target: &str) -> Result<(), String> {
        let target = target.trim().strip_suffix('.').unwrap_or(target.trim()).to_ascii_lowercase();
        let first_cname = match self.cname_chain_reaches(domain.as_str(), &target).await? {
            CnameChain::ReachesTarget => return Ok(()),
            CnameChain::Elsewhere(first) => Some(first),
            CnameChain::None => None,
        };

        let (domain_addresses, target_addresses) =
            tokio::join!(self.addresses(domain.as_str()), self.addresses(&target));
        let (domain_addresses, target_addresses) = (domain_addresses?, target_addresses?);
        // Every address counts: a visitor sent to one that is not the storefront's gets no store.
        // A subset (rather than the same set) is enough, so that a target adding an address does
        // not break the domains that list the old ones.
        if !domain_addresses.is_empty() && !target_addresses.is_empty() && domain_addresses.is_subset(&target_addresses) {
            return Ok(());
        }
        Err(match (first_cname, domain_addresses.is_empty()) {
            (Some(elsewhere), _) => format!("{domain} points to {elsewhere}, not {target}"),
            (None, true) => format!("no CNAME or A record for {domain}; add a CNAME to {target}"),
            (None, false) if target_addresses.is_empty() => {
                format!("{domain} has A/AAAA records, but {target} has none to compare them with; add a CNAME to {target}")
            }
            (None, false) => format!(
                "{domain} resolves to {}, not to {target}'s addresses ({}); add a CNAME to {target}",
                list(&domain_addresses),
                list(&target_addresses),
            ),
        })
    }

    /// Follows the CNAMEs from `name` until one is `target`, there is none, or the hops run out.
    async fn cname_chain_reaches(&self, name: &str, target: &str) -> Result<CnameChain, String> {
        let mut first = None;
        let mut current = name.to_owned();
        for _ in 0..MAX_CNAME_HOPS {
            let next = self.lookup(&current, RecordType::CNAME).await?.into_iter().find_map(|data| match data {
                RData::CNAME(cname) => Some(bare(&cname.0)),
                _ => None,
            });
            let Some(next) = next else { break };
            if same_name(&next, target) {
                return Ok(CnameChain::ReachesTarget);
            }
            first.get_or_insert_with(|| next.clone());
            current = next;
        }
        Ok(first.map_or(CnameChain::None, CnameChain::Elsewhere))
    }

    /// The A and AAAA addresses of `name`, after any CNAMEs.
    async fn addresses(&self, name: &str) -> Result<BTreeSet<IpAddr>, String> {
        let (v4, v6) = tokio::join!(self.lookup(name, RecordType::A), self.lookup(name, RecordType::AAAA));
        Ok(v4?
            .into_iter()
            .chain(v6?)
            .filter_map(|data| match data {
                RData::A(a) => Some(IpAddr::V4(a.0)),
                RData::AAAA(aaaa) => Some(IpAddr::V6(aaaa.0)),
                _ => None,
            })
            .collect())
    }

    /// The data of `name`'s records of `record_type`: empty when the name or the type does not
    /// exist, `Err` (in words) when the lookup itself failed.
    async fn lookup(&self, name: &str, record_type: RecordType) -> Result<Vec<RData>, String> {
        // Fully qualified, so that no search domain of resolv.conf is tried.
        let fqdn = Name::from_ascii(format!("{name}.")).map_err(|err| format!("{name:?} is not a valid DNS name: {err}"))?;
        match self.resolver.lookup(fqdn, record_type).await {
            Ok(lookup) => Ok(lookup.record_iter().filter(|r| r.record_type() == record_type).map(|r| r.data().clone()).collect()),
            Err(err) if is_not_found(&err) => Ok(Vec::new()),
            Err(err) => {
                tracing::warn!(%name, %record_type, error = %err, "DNS lookup failed");
                Err(describe_failure(&err))
            }
        }
    }
}

/// Where a CNAME chain leads.
enum CnameChain {
    /// To the target.
    ReachesTarget,
    /// Elsewhere, starting with this name.
    Elsewhere(String),
    /// Nowhere: the name has no CNAME.
    None,
}

/// `work`, or a failure once [`CHECK_DEADLINE`] has passed.
async fn within_deadline(work: impl Future<Output = Result<(), String>>) -> Result<(), String> {
    tokio::time::timeout(CHECK_DEADLINE, work)
        .await
        .unwrap_or_else(|_| Err(format!("DNS lookup failed: no answer within {} s", CHECK_DEADLINE.as_secs())))
}

/// NXDOMAIN (no such name) or NODATA (the name has other types only): the record is absent.
fn is_not_found(err: &ResolveError) -> bool {
    err.proto().is_some_and(|proto| {
        matches!(
            proto.kind(),
            ProtoErrorKind::NoRecordsFound { response_code: ResponseCode::NXDomain | ResponseCode::NoError, .. }
        )
    })
}

/// A failed lookup in words: a timeout, SERVFAIL or an unreachable server are each said as such,
/// never as "not found".
fn describe_failure(err: &ResolveError) -> String {
    let what = match err.kind() {
        ResolveErrorKind::Proto(proto) => match proto.kind() {
            ProtoErrorKind::Timeout => "the nameserver did not answer in time (timed out)".to_owned(),
            ProtoErrorKind::NoRecordsFound { response_code: ResponseCode::ServFail, .. } => {
                "the nameserver answered SERVFAIL (server failure); the domain's DNS may be misconfigured".to_owned()
            }
            ProtoErrorKind::NoRecordsFound { response_code: ResponseCode::Refused, .. } => {
                "the nameserver refused the query (REFUSED)".to_owned()
            }
            ProtoErrorKind::NoRecordsFound { response_code, .. } => format!("the nameserver answered {response_code}"),
            ProtoErrorKind::Io(io) => format!("the nameserver could not be reached ({io})"),
            ProtoErrorKind::NoConnections => "no nameserver could be reached".to_owned(),
            _ => proto.to_string(),
        },
        _ => err.to_string(),
    };
    format!("DNS lookup failed: {what}")
}

/// A name as text, lower case, without the trailing dot.
fn bare(name: &Name) -> String {
    let text = name.to_ascii();
    text.strip_suffix('.').unwrap_or(&text).to_ascii_lowercase()
}

/// Addresses as `a, b, c`.
fn list(addresses: &BTreeSet<IpAddr>) -> String {
    addresses.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verification_name_is_under_the_domain_in_lower_case() {
        assert_eq!(verification_name("shop.example.com"), "_zelly.shop.example.com");
        assert_eq!(verification_name("Shop.Example.com."), "_zelly.shop.example.com");
    }

    #[test]
    fn a_token_is_prefixed_url_safe_and_carries_at_least_128_random_bits() {
        let token = new_token();
        let random = token.strip_prefix(TOKEN_PREFIX).expect("the prefix");
        // 32 base64 characters carry 192 bits.
        assert_eq!(random.len(), 32, "{token}");
        assert!(random.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "{token}");
        assert_ne!(new_token(), token, "two tokens were the same");
    }

    #[test]
    fn a_domain_is_active_only_when_both_halves_pass() {
        let check = |ownership: Result<(), String>, routing: Result<(), String>| DomainCheck { ownership, routing };
        assert!(check(Ok(()), Ok(())).active());
        let unrouted = check(Ok(()), Err("no CNAME".into()));
        assert!(unrouted.verified() && !unrouted.active());
        let unproved = check(Err("no TXT".into()), Ok(()));
        assert!(!unproved.verified() && !unproved.active());
    }

    #[test]
    fn a_nameserver_address_that_cannot_be_queried_is_refused() {
        assert!(DnsChecker::new(Some("0.0.0.0:53".parse().expect("an address"))).is_err());
        assert!(DnsChecker::new(Some("127.0.0.1:0".parse().expect("an address"))).is_err());
    }
}
