//! Onboarding's shapes: a merchant opens a store, invites their team, and connects their own
//! domains (`/api/seller/stores`, `/api/seller/team…`, `/api/seller/domains…`).
//!
//! Inputs validate themselves so the API answers 422 with every bad field named.

use crate::catalog::{FieldErrors, Role, check};
use crate::domain::{Currency, DomainName, TenantSlug};
use crate::dto::Tenant;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Slugs no store may take: they name the platform's own hosts, or would pass a store off as the
/// platform to shoppers.
pub const RESERVED_SLUGS: &[&str] = &[
    "admin", "api", "app", "apps", "assets", "auth", "billing", "blog", "cdn", "checkout", "dashboard", "dev", "docs",
    "help", "login", "mail", "orion", "panel", "payments", "platform", "seller", "sellers", "shop", "shops",
    "signin", "signup", "smtp", "staff", "static", "status", "store", "stores", "support", "www", "zelly",
];

/// Most stores one account may open (more is a platform staff decision).
pub const MAX_STORES_PER_ACCOUNT: usize = 10;
/// How long an invite link works: seven days.
pub const INVITE_LIFETIME_MS: i64 = 7 * 24 * 60 * 60 * 1000;
/// Most members and open invites a store's team may have.
pub const MAX_TEAM_SIZE: usize = 100;
/// Most custom domains (claimed or proven) a store may have.
pub const MAX_CUSTOM_DOMAINS: usize = 20;

/// `POST /api/seller/stores`: a new store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewStoreInput {
    /// Store name shown to shoppers (1-100 characters).
    pub name: String,
    /// Its address on the platform: `{slug}.{platform domain}`; 3-40 lower-case letters, digits
    /// or inner hyphens, not a reserved word.
    pub slug: String,
    /// The currency its prices are in (ISO 4217, default INR).
    #[serde(default = "default_currency")]
    pub currency: String,
}

fn default_currency() -> String {
    Currency::INR.as_str().to_owned()
}

impl NewStoreInput {
    /// Checks every field, naming each bad one; the parsed slug and currency when all are good.
    pub fn validate(&self) -> Result<(TenantSlug, Currency), FieldErrors> {
        let mut e = FieldErrors::new();
        let name = self.name.trim();
        check(&mut e, !name.is_empty() && name.chars().count() <= 100 && !has_control(name), "name", "must be 1-100 characters");
        let slug = TenantSlug::parse(&self.slug).ok().filter(|s| (3..=40).contains(&s.as_str().len()));
        match &slug {
            None => {
                e.insert("slug".into(), "must be 3-40 lower-case letters, digits or inner hyphens".into());
            }
            Some(s) => check(&mut e, !RESERVED_SLUGS.contains(&s.as_str()), "slug", "is reserved; choose another"),
        }
        let currency = Currency::parse(&self.currency).ok();
        check(&mut e, currency.is_some(), "currency", "must be a three-letter code such as INR");
        match (slug, currency) {
            (Some(slug), Some(currency)) if e.is_empty() => Ok((slug, currency)),
            _ => Err(e),
        }
    }
}

/// One of the stores an account belongs to (`GET /api/seller/stores`), or the one it just
/// opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreChoice {
    /// The store.
    pub tenant: Tenant,
    /// The account's role in it.
    pub role: Role,
    /// The store's primary domain, where shoppers find it.
    pub domain: Option<DomainName>,
}

/// A member of a store's team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMember {
    /// Their Firebase uid.
    pub uid: String,
    /// Their email, when known.
    pub email: Option<String>,
    /// Their role.
    pub role: Role,
    /// When they joined (ms since the epoch; 0 for members from before teams were kept).
    pub added_at_ms: i64,
}

/// An invite not yet accepted, revoked or expired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Invite {
    /// Its id.
    pub id: Uuid,
    /// Who it is for: only an account signed in with this email can accept it.
    pub email: String,
    /// The role it gives.
    pub role: Role,
    /// Who sent it (their email, else their uid).
    pub invited_by: String,
    /// When it was sent (ms since the epoch).
    pub created_at_ms: i64,
    /// When its link stops working (ms since the epoch).
    pub expires_at_ms: i64,
}

/// `GET /api/seller/team`: members, then open invites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Team {
    /// Members, owners first.
    pub members: Vec<TeamMember>,
    /// Open invites, newest first.
    pub invites: Vec<Invite>,
}

/// `POST /api/seller/team/invites`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    /// The colleague's email.
    pub email: String,
    /// The role they get.
    pub role: Role,
}

impl InviteInput {
    /// Checks the email; returns it trimmed and lower-cased.
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::new();
        let email = self.email.trim().to_ascii_lowercase();
        check(&mut e, is_email(&email), "email", "must be an email address like name@example.com");
        if e.is_empty() { Ok(email) } else { Err(e) }
    }
}

/// A new invite and its link, shown to the owner once (only a hash of its secret is kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewInvite {
    /// The invite.
    pub invite: Invite,
    /// The link to send the colleague; it works once, until the invite expires.
    pub link: String,
}

/// `POST /api/seller/invites/accept`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AcceptInviteInput {
    /// The secret from the invite link.
    pub token: String,
}

/// `PUT /api/seller/team/members/{uid}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberRoleInput {
    /// The member's new role.
    pub role: Role,
}

/// Where a store's domain is on its way to serving shoppers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    /// Added; its TXT record has not been found yet.
    Pending,
    /// The last check did not find its TXT record (see `failure`).
    Failed,
    /// Its TXT record proved it; it does not point at the storefront yet.
    Verified,
    /// Proven and pointing at the storefront: shoppers reach the store there.
    Active,
    /// A later check no longer found its TXT record: it is not served until it is proven again.
    Flagged,
}

impl DomainStatus {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            DomainStatus::Pending => "pending",
            DomainStatus::Failed => "failed",
            DomainStatus::Verified => "verified",
            DomainStatus::Active => "active",
            DomainStatus::Flagged => "flagged",
        }
    }

    /// Parses the stored value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "pending" => Some(DomainStatus::Pending),
            "failed" => Some(DomainStatus::Failed),
            "verified" => Some(DomainStatus::Verified),
            "active" => Some(DomainStatus::Active),
            "flagged" => Some(DomainStatus::Flagged),
            _ => None,
        }
    }

    /// Whether the platform serves the store there and lets it have a certificate.
    pub fn is_served(self) -> bool {
        matches!(self, DomainStatus::Verified | DomainStatus::Active)
    }
}

/// Whether a domain is the platform's address for the store or the merchant's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DomainKind {
    /// `{slug}.{platform domain}`, given when the store opened.
    Platform,
    /// The merchant's own, proven by DNS.
    Custom,
}

impl DomainKind {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            DomainKind::Platform => "platform",
            DomainKind::Custom => "custom",
        }
    }

    /// Parses the stored value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "platform" => Some(DomainKind::Platform),
            "custom" => Some(DomainKind::Custom),
            _ => None,
        }
    }
}

/// One of a store's domains (`GET /api/seller/domains`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreDomain {
    /// The name.
    pub domain: DomainName,
    /// Platform or custom.
    pub kind: DomainKind,
    /// Where it is.
    pub status: DomainStatus,
    /// Whether canonical URLs and the sitemap use it.
    pub primary: bool,
    /// The TXT record that proves it: its name (`_zelly.{domain}`)…
    pub record_name: Option<String>,
    /// …and its value.
    pub record_value: Option<String>,
    /// Why the last check failed, in words a merchant can act on.
    pub failure: Option<String>,
    /// When it was last checked (ms since the epoch).
    pub checked_at_ms: Option<i64>,
}

/// `GET /api/seller/domains`: the store's domains and where custom ones must point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreDomains {
    /// Primary first, then the rest by name.
    pub domains: Vec<StoreDomain>,
    /// The host a custom domain's CNAME record must name.
    pub cname_target: String,
}

/// `POST /api/seller/domains`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DomainInput {
    /// The domain, e.g. `shop.example.com` (case and a trailing dot do not matter).
    pub domain: String,
}

impl DomainInput {
    /// The domain in canonical form, or the field's error.
    pub fn validate(&self) -> Result<DomainName, FieldErrors> {
        let raw = self.domain.trim().trim_end_matches('.').to_ascii_lowercase();
        let parsed = DomainName::parse(&raw).ok().filter(|d| d.as_str().contains('.'));
        parsed.ok_or_else(|| {
            FieldErrors::from([("domain".to_owned(), "must be a domain name like shop.example.com".to_owned())])
        })
    }
}

/// The DNS name of a domain's ownership record.
pub fn verification_record(domain: &DomainName) -> String {
    format!("_zelly.{domain}")
}

/// A plausible email address: one `@` with text on both sides, a dot in the domain, no spaces or
/// control characters, at most 254 characters.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else { return false };
    (3..=254).contains(&value.len())
        && !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn has_control(value: &str) -> bool {
    value.chars().any(char::is_control)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(slug: &str) -> NewStoreInput {
        NewStoreInput { name: "Tea House".into(), slug: slug.into(), currency: "INR".into() }
    }

    #[test]
    fn new_store_slugs() {
        assert!(store("tea-house").validate().is_ok());
        for bad in ["ab", "Tea", "tea_house", "-tea", "tea-", &"a".repeat(41)] {
            assert!(store(bad).validate().unwrap_err().contains_key("slug"), "{bad}");
        }
        for reserved in RESERVED_SLUGS {
            let err = store(reserved).validate().unwrap_err();
            assert!(err["slug"].contains("reserved"), "{reserved}");
        }
        let mut bad = store("tea-house");
        bad.currency = "inr".into();
        bad.name = " ".into();
        let err = bad.validate().unwrap_err();
        assert!(err.contains_key("currency") && err.contains_key("name"));
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "first.last+tag@example.com"] {
            assert!(is_email(good), "{good}");
        }
        for bad in ["", "a@b", "@b.co", "a@@b.co", "a b@c.co", "a@b.co\u{1b}", "a@.co", "a@b.co."] {
            assert!(!is_email(bad), "{bad}");
        }
        let input = InviteInput { email: " Sam@Example.COM ".into(), role: Role::Staff };
        assert_eq!(input.validate().unwrap(), "sam@example.com");
    }

    #[test]
    fn domains() {
        let parse = |d: &str| DomainInput { domain: d.into() }.validate();
        assert_eq!(parse("Shop.Example.com.").unwrap().as_str(), "shop.example.com");
        for bad in ["localhost", "shop..example.com", "1.2.3.4", "shop example.com", ""] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert_eq!(verification_record(&parse("shop.example.com").unwrap()), "_zelly.shop.example.com");
        for status in [DomainStatus::Pending, DomainStatus::Failed, DomainStatus::Verified, DomainStatus::Active, DomainStatus::Flagged] {
            assert_eq!(DomainStatus::parse(status.as_str()), Some(status));
        }
        assert!(DomainStatus::Verified.is_served() && DomainStatus::Active.is_served());
        assert!(!DomainStatus::Pending.is_served() && !DomainStatus::Flagged.is_served());
    }
}
