//! Shopify: how what a merchant's Shopify store sends is recognised as Shopify's.
//!
//! Shopify signs two things with the app's secret (`SHOPIFY_API_SECRET`):
//! - a **webhook**'s raw body: `X-Shopify-Hmac-Sha256` is base64(HMAC-SHA256(secret, body)),
//!   checked before the body is read at all;
//! - the **install redirect**'s query: `hmac` is hex(HMAC-SHA256(secret, the other parameters,
//!   decoded, sorted by name, joined as `name=value&…`)).
//!
//! Both are compared in constant time, and both accept the previous secret during a rotation.
//! A shop is named by its `*.myshopify.com` domain, which is checked before it is used anywhere.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use serde::{Deserialize, Serialize};

type HmacSha256 = Hmac<Sha256>;

/// The header carrying a webhook's signature.
pub const HMAC_HEADER: &str = "x-shopify-hmac-sha256";
/// The header naming the shop a webhook comes from.
pub const SHOP_HEADER: &str = "x-shopify-shop-domain";
/// The header naming a webhook's topic (`products/update`).
pub const TOPIC_HEADER: &str = "x-shopify-topic";
/// The header naming one delivery's webhook; repeats of a delivery carry the same id.
pub const WEBHOOK_ID_HEADER: &str = "x-shopify-webhook-id";
/// The header naming the event behind a webhook (the same for every subscription to it).
pub const EVENT_ID_HEADER: &str = "x-shopify-event-id";
/// The header saying when the event happened (RFC 3339), which orders deliveries.
pub const TRIGGERED_AT_HEADER: &str = "x-shopify-triggered-at";

/// The topics Zelly subscribes to and acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Topic {
    /// A product was created.
    ProductsCreate,
    /// A product changed.
    ProductsUpdate,
    /// A product was deleted.
    ProductsDelete,
    /// Stock changed at a location.
    InventoryLevelsUpdate,
    /// The shop's settings (name, currency, email) changed.
    ShopUpdate,
    /// The merchant removed the app: the connection ends.
    AppUninstalled,
    /// A customer asked for their data (privacy law; mandatory).
    CustomersDataRequest,
    /// A customer's data must be erased (mandatory).
    CustomersRedact,
    /// The shop's data must be erased, 48 hours after uninstall (mandatory).
    ShopRedact,
}

impl Topic {
    /// Every topic, in the order they are subscribed.
    pub const ALL: [Topic; 9] = [
        Topic::ProductsCreate,
        Topic::ProductsUpdate,
        Topic::ProductsDelete,
        Topic::InventoryLevelsUpdate,
        Topic::ShopUpdate,
        Topic::AppUninstalled,
        Topic::CustomersDataRequest,
        Topic::CustomersRedact,
        Topic::ShopRedact,
    ];

    /// As Shopify names it in `X-Shopify-Topic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::ProductsCreate => "products/create",
            Topic::ProductsUpdate => "products/update",
            Topic::ProductsDelete => "products/delete",
            Topic::InventoryLevelsUpdate => "inventory_levels/update",
            Topic::ShopUpdate => "shop/update",
            Topic::AppUninstalled => "app/uninstalled",
            Topic::CustomersDataRequest => "customers/data_request",
            Topic::CustomersRedact => "customers/redact",
            Topic::ShopRedact => "shop/redact",
        }
    }

    /// The topic Shopify calls `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name.trim())
    }
}

/// Whether `shop` is a Shopify shop's own domain: `{name}.myshopify.com`, the name lower-case
/// letters, digits and hyphens, not starting with a hyphen. Nothing else is ever called a shop.
pub fn is_shop_domain(shop: &str) -> bool {
    let Some(name) = shop.strip_suffix(".myshopify.com") else { return false };
    (1..=60).contains(&name.len())
        && !name.starts_with('-')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn mac(secret: &[u8]) -> HmacSha256 {
    HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// Whether `header` (`X-Shopify-Hmac-Sha256`) is base64(HMAC-SHA256(secret, `body`)) under one
/// of `secrets`, compared in constant time. An empty secret never verifies anything.
pub fn webhook_signature_valid(secrets: &[&[u8]], body: &[u8], header: &str) -> bool {
    use base64::Engine as _;
    let Ok(signature) = base64::engine::general_purpose::STANDARD.decode(header.trim()) else { return false };
    secrets.iter().filter(|s| !s.is_empty()).any(|secret| {
        let mut mac = mac(secret);
        mac.update(body);
        mac.verify_slice(&signature).is_ok()
    })
}

/// base64(HMAC-SHA256(secret, `body`)): what Shopify (and the stand-in) sends with a webhook.
pub fn webhook_signature(secret: &[u8], body: &[u8]) -> String {
    use base64::Engine as _;
    let mut mac = mac(secret);
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The message Shopify signs for a redirect's `query`: every parameter but `hmac` (and the
/// legacy `signature`), decoded, sorted by name, joined as `name=value&…`.
pub fn query_message(query: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.as_bytes()).into_owned().filter(|(name, _)| name != "hmac" && name != "signature").collect();
    pairs.sort();
    pairs.iter().map(|(name, value)| format!("{name}={value}")).collect::<Vec<_>>().join("&")
}

/// hex(HMAC-SHA256(secret, [`query_message`])): the `hmac` of a redirect Shopify sends.
pub fn query_signature(secret: &[u8], query: &str) -> String {
    crate::signature::hmac_sha256_hex(secret, query_message(query).as_bytes())
}

/// Whether `query` carries an `hmac` that is Shopify's under one of `secrets` (constant time).
/// A query with no `hmac`, or two, is refused.
pub fn query_signature_valid(secrets: &[&[u8]], query: &str) -> bool {
    let hmacs: Vec<String> = form_urlencoded::parse(query.as_bytes()).filter(|(name, _)| name == "hmac").map(|(_, v)| v.into_owned()).collect();
    let [hmac] = hmacs.as_slice() else { return false };
    let message = query_message(query);
    secrets.iter().filter(|s| !s.is_empty()).any(|secret| crate::signature::verify_hex(secret, message.as_bytes(), hmac))
}

/// Where a store's catalog sync is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// Paging through the catalog.
    Running,
    /// Every page was imported.
    Succeeded,
    /// It stopped for the reason in `error`.
    Failed,
}

impl SyncStatus {
    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
        }
    }

    /// The status named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Running, Self::Succeeded, Self::Failed].into_iter().find(|v| v.as_str() == s)
    }
}

/// A product the sync could not import, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkippedProduct {
    /// Its Shopify GID.
    pub shopify_id: String,
    /// Its title in Shopify.
    pub title: String,
    /// Why, in a merchant's words.
    pub reason: String,
}

/// The store's latest catalog sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopifySync {
    /// Which run this is.
    pub run_id: String,
    /// Where it is.
    pub status: SyncStatus,
    /// Products read from Shopify so far (imported, updated or already up to date).
    pub imported: i64,
    /// How many products the shop has, once Shopify said.
    pub total: Option<i64>,
    /// Products archived because they are gone from Shopify.
    pub archived: i64,
    /// Products that could not be imported.
    pub skipped: Vec<SkippedProduct>,
    /// Why it failed.
    pub error: Option<String>,
    /// When it started (ms since the epoch).
    pub started_at_ms: i64,
    /// When it ended.
    pub finished_at_ms: Option<i64>,
    /// Where the next page starts: Shopify's cursor after the last page stored.
    #[serde(skip)]
    pub cursor: Option<String>,
}

/// `POST /api/seller/shopify/install`: the shop to connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstallInput {
    /// The shop's `{name}.myshopify.com` domain (or just its name).
    pub shop: String,
}

/// Where to send the owner to approve the install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstallStart {
    /// Shopify's authorize page for the shop.
    pub authorize_url: String,
}

/// The store's Shopify connection as seller-ui shows it (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ShopifyConnectionState {
    /// Whether a shop is connected.
    pub connected: bool,
    /// The shop, when connected.
    pub shop: Option<String>,
    /// The scopes granted, when connected.
    pub scopes: Option<String>,
    /// When it was connected (ms since the epoch).
    pub connected_at_ms: Option<i64>,
    /// Products that came from Shopify and are still there.
    pub products: i64,
    /// The latest catalog sync, if one ever ran.
    pub sync: Option<ShopifySync>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shop_domains_are_myshopify_names_only() {
        for ok in ["tea-house.myshopify.com", "a.myshopify.com", "shop42.myshopify.com"] {
            assert!(is_shop_domain(ok), "{ok}");
        }
        for bad in [
            "tea-house.example.com",
            "evil.com/.myshopify.com",
            ".myshopify.com",
            "-x.myshopify.com",
            "Tea.myshopify.com",
            "a.b.myshopify.com",
            "tea-house.myshopify.com.evil.com",
        ] {
            assert!(!is_shop_domain(bad), "{bad}");
        }
    }

    #[test]
    fn a_redirect_is_signed_over_its_sorted_decoded_parameters() {
        // Shopify's documented example: the secret "hush" and this redirect.
        let query = "code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf\
                     &shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173";
        assert!(query_signature_valid(&[b"hush"], query));
        assert!(query_signature_valid(&[b"old", b"hush"], query), "the previous secret during a rotation");
        // The same parameters in another order are the same message.
        let shuffled = "shop=some-shop.myshopify.com&timestamp=1337178173&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf\
                        &state=0.6784241404160823&code=0907a61c0c8d55e99db179b68161bc00";
        assert!(query_signature_valid(&[b"hush"], shuffled));
        assert!(!query_signature_valid(&[b"wrong"], query));
        assert!(!query_signature_valid(&[b""], query));
        assert!(!query_signature_valid(&[b"hush"], &query.replace("some-shop", "other-shop")));
        assert!(!query_signature_valid(&[b"hush"], &format!("{query}&hmac=00")), "two hmacs");
        assert!(!query_signature_valid(&[b"hush"], "shop=some-shop.myshopify.com"), "no hmac");
        let signed = format!("shop=a.myshopify.com&state=xyz&hmac={}", query_signature(b"k", "state=xyz&shop=a.myshopify.com"));
        assert!(query_signature_valid(&[b"k"], &signed));
    }

    #[test]
    fn a_webhook_is_signed_over_its_raw_body() {
        let body = br#"{"id":1,"title":"Brass Diya"}"#;
        let header = webhook_signature(b"secret", body);
        assert!(webhook_signature_valid(&[b"secret"], body, &header));
        assert!(webhook_signature_valid(&[b"previous", b"secret"], body, &header));
        assert!(!webhook_signature_valid(&[b"secret"], br#"{"id":1,"title":"Brass Diya!"}"#, &header), "a tampered body");
        assert!(!webhook_signature_valid(&[b"other"], body, &header));
        assert!(!webhook_signature_valid(&[b"secret"], body, "not base64!"));
        assert!(!webhook_signature_valid(&[b"secret"], body, ""));
    }

    #[test]
    fn topics_read_as_shopify_names_them() {
        for topic in Topic::ALL {
            assert_eq!(Topic::parse(topic.as_str()), Some(topic));
        }
        assert_eq!(Topic::parse("orders/create"), None);
    }
}
