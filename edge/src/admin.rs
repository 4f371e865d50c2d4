//! What admin-api and admin-ui exchange: staff sign-in, tenants across the platform, orders across
//! tenants, the queues and the audit log.

use crate::dto::{Tenant, TenantStatus};
use crate::orders::{Order, OrderEvent};
use crate::team::StoreDomain;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a staff member may do. Every admin-api route names the least role it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Looks at everything, changes nothing.
    ReadOnly,
    /// Also acts for merchants: suspends and reopens stores, re-checks domains, retries jobs.
    Support,
    /// Also refunds, creates stores and manages staff. Needs a second factor.
    Admin,
}

impl StaffRole {
    /// The stored and displayed value.
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::ReadOnly => "read_only",
            StaffRole::Support => "support",
            StaffRole::Admin => "admin",
        }
    }

    /// Parses the stored value.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "read_only" => Some(StaffRole::ReadOnly),
            "support" => Some(StaffRole::Support),
            "admin" => Some(StaffRole::Admin),
            _ => None,
        }
    }

    /// Whether this role includes everything `needed` may do.
    pub fn allows(self, needed: StaffRole) -> bool {
        self >= needed
    }
}

/// Email and password, with the second factor's code when the account has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffSignIn {
    /// The staff member's email.
    pub email: String,
    /// Their password.
    pub password: String,
    /// The six digits from their authenticator app (required once TOTP is enrolled).
    #[serde(default)]
    pub code: Option<String>,
}

/// A signed-in staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffMember {
    /// Stable id.
    pub id: Uuid,
    /// Email (lower case).
    pub email: String,
    /// Display name.
    pub name: String,
    /// What they may do.
    pub role: StaffRole,
    /// Whether their second factor is set up.
    pub totp_enabled: bool,
}

/// The answer to a sign-in or a refresh: a short-lived bearer token for `Authorization`, while the
/// refresh token travels in an HttpOnly cookie only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffToken {
    /// The JWT (HS256) to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// Who it is for.
    pub staff: StaffMember,
    /// True when the role needs a second factor that is not set up yet: until it is, only the
    /// enrolment routes answer.
    pub must_enroll_totp: bool,
}

/// A new TOTP secret, shown once for the authenticator app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpEnrollment {
    /// The secret in base32, to type in by hand.
    pub secret: String,
    /// The `otpauth://` URI that authenticator apps read.
    pub otpauth_uri: String,
}

/// The first code from the app, proving the enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TotpCode {
    /// Six digits.
    pub code: String,
}

/// A store as staff see it in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantSummary {
    /// The store.
    pub tenant: Tenant,
    /// The domains it serves, primary first.
    pub domains: Vec<String>,
    /// Products in its catalog.
    pub product_count: i64,
    /// Orders placed.
    pub order_count: i64,
    /// Paid value of its orders less refunds, in minor units of its currency.
    pub gmv_minor: i64,
    /// The latest order or catalog change (ms since the epoch); none for a store never used.
    pub last_activity_ms: Option<i64>,
}

/// One page of the tenant list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantPage {
    /// The stores on this page.
    pub items: Vec<TenantSummary>,
    /// How many stores match in all.
    pub total: i64,
}

/// A member of a store's team, for staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamMemberView {
    /// Their email, when known.
    pub email: Option<String>,
    /// Owner or staff of the store.
    pub role: String,
}

/// Everything staff see about one store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantDetail {
    /// The list's figures.
    pub summary: TenantSummary,
    /// Its domains with their verification state.
    pub domains: Vec<StoreDomain>,
    /// Its team.
    pub team: Vec<TeamMemberView>,
    /// The Shopify shop it is connected to, if any.
    pub shopify_shop: Option<String>,
    /// Its latest orders.
    pub recent_orders: Vec<AdminOrderHit>,
}

/// A new store opened by staff for a merchant; the owner is invited by email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewStoreForMerchant {
    /// The store's name.
    pub name: String,
    /// Its slug, which also names its platform domain.
    pub slug: String,
    /// The owner's email: they get an invite.
    pub owner_email: String,
    /// Its currency (default INR).
    #[serde(default)]
    pub currency: Option<String>,
}

/// Why staff suspend or reopen a store: kept in the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    /// The store's new status.
    pub status: TenantStatus,
    /// Why, in a sentence.
    pub reason: String,
}

/// An order found across the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminOrderHit {
    /// The order's id.
    pub id: Uuid,
    /// Its store.
    pub tenant_id: Uuid,
    /// Its store's slug.
    pub tenant_slug: String,
    /// The number the shopper sees, per store.
    pub number: i64,
    /// Its status (`paid`, `refunded`, …).
    pub status: String,
    /// The shopper's email.
    pub email: String,
    /// The shopper's phone, when given.
    pub phone: Option<String>,
    /// The payment provider's id.
    pub payment_id: Option<String>,
    /// Its total in minor units.
    pub total_minor: i64,
    /// Its currency.
    pub currency: String,
    /// When it was placed (ms since the epoch).
    pub created_at_ms: i64,
}

/// An order with its payment and webhook history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminOrderDetail {
    /// Where it was found.
    pub hit: AdminOrderHit,
    /// The order itself.
    pub order: Order,
    /// Its timeline: payment, webhooks, status changes, refunds.
    pub timeline: Vec<OrderEvent>,
    /// The store's payment webhooks around the order's time.
    pub webhooks: Vec<WebhookReceipt>,
}

/// A webhook delivery the platform acted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookReceipt {
    /// `razorpay` or `shopify`.
    pub provider: String,
    /// The provider's event id.
    pub event_id: String,
    /// The event's type.
    pub event: String,
    /// When it arrived (ms since the epoch).
    pub received_at_ms: i64,
}

/// A staff refund: the amount in minor units, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminRefund {
    /// How much, in minor units; at most what is left to refund.
    pub amount_minor: i64,
    /// Why, for the audit log.
    pub reason: String,
    /// Chosen once per refund form (1-64 letters, digits, `-` or `_`): sending it again, after a
    /// timeout or a double click, refunds once.
    pub idempotency_key: String,
}

/// A staff refund on its way: recorded, and sent to the payment provider by core-api.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdminRefundAccepted {
    /// The refund's id.
    pub id: Uuid,
    /// How much, in minor units.
    pub amount_minor: i64,
    /// `pending` until the provider answers, then `succeeded` or `failed`.
    pub state: String,
    /// What happens next, in words.
    pub message: String,
}

/// The answer to a re-check request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainRecheck {
    /// The domain.
    pub domain: String,
    /// What happens next, in words.
    pub message: String,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Its place in the log.
    pub id: i64,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// Who (staff id), none for the platform itself.
    pub staff_id: Option<Uuid>,
    /// Who, by email.
    pub staff_email: String,
    /// What, e.g. `tenant.suspend`.
    pub action: String,
    /// Which store, if one.
    pub tenant_id: Option<Uuid>,
    /// What it acted on (an order id, a job, a domain).
    pub target: String,
    /// The state before.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub before: serde_json::Value,
    /// The state after.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub after: serde_json::Value,
}

/// One queue at a glance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueOverview {
    /// Its name, as the seed's.
    pub name: String,
    /// Whether workers are held.
    pub paused: bool,
    /// Ready to run.
    pub waiting: u64,
    /// Waiting for a retry.
    pub delayed: u64,
    /// Running.
    pub active: u64,
    /// Done and kept.
    pub completed: u64,
    /// Failed for good.
    pub failed: u64,
}

/// A job that failed for good.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailedJobView {
    /// Its id in the queue.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The error of its last attempt.
    pub failed_reason: String,
    /// How many attempts ran.
    pub attempts_made: u32,
    /// When it failed (ms since the epoch).
    pub failed_at_ms: u64,
    /// Its payload.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// What a bulk queue action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueActionResult {
    /// Jobs it moved or removed.
    pub affected: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_include_the_lesser_ones_and_round_trip() {
        assert!(StaffRole::Admin.allows(StaffRole::Support));
        assert!(StaffRole::Support.allows(StaffRole::ReadOnly));
        assert!(!StaffRole::ReadOnly.allows(StaffRole::Support));
        assert!(!StaffRole::Support.allows(StaffRole::Admin));
        for role in [StaffRole::ReadOnly, StaffRole::Support, StaffRole::Admin] {
            assert_eq!(StaffRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(StaffRole::parse("root"), None);
    }
}
