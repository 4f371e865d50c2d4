//! The staff side of the platform (admin-api), written once for both backends like the other
//! stores: staff accounts and their sign-in sessions, the append-only audit log, and the
//! platform-wide reads staff need (every store with its figures, orders across stores).
//!
//! Staff rows live in the seed's `backoffice` schema. The platform-wide reads run in a platform
//! transaction, the one scope in which row-level security shows every store's rows.

use crate::StoreError;
use async_trait::async_trait;
use uuid::Uuid;
use zelly_edge::admin::{AdminOrderHit, AuditEntry, StaffRole, TenantPage, TenantSummary, WebhookReceipt};
use zelly_edge::dto::TenantStatus;

/// A staff account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffAccount {
    /// Stable id.
    pub id: Uuid,
    /// Email, lower case.
    pub email: String,
    /// Display name.
    pub name: String,
    /// What they may do.
    pub role: StaffRole,
    /// The argon2id PHC string of their password.
    pub password_hash: String,
    /// The confirmed TOTP secret (base32).
    pub totp_secret: Option<String>,
    /// A TOTP secret being enrolled, not yet confirmed by a code.
    pub totp_pending: Option<String>,
    /// The last TOTP time step accepted.
    pub totp_last_step: i64,
    /// A disabled account cannot sign in, and its sessions stop working.
    pub disabled: bool,
    /// When it was created (ms since the epoch).
    pub created_at_ms: i64,
}

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct NewStaff {
    /// Email (stored lower case).
    pub email: String,
    /// Display name.
    pub name: String,
    /// What they may do.
    pub role: StaffRole,
    /// The argon2id PHC string of their password.
    pub password_hash: String,
}

/// One audit row to append.
#[derive(Debug, Clone)]
pub struct NewAudit {
    /// Who (none for the platform itself).
    pub staff_id: Option<Uuid>,
    /// Who, by email.
    pub staff_email: String,
    /// What, e.g. `tenant.suspend`.
    pub action: String,
    /// Which store, if one.
    pub tenant_id: Option<Uuid>,
    /// What it acted on.
    pub target: String,
    /// The state before.
    pub before: serde_json::Value,
    /// The state after.
    pub after: serde_json::Value,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// Which audit rows to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only this store's.
    pub tenant: Option<Uuid>,
    /// Only this staff member's (by email).
    pub staff_email: Option<String>,
    /// Only actions starting with this (`tenant.` or `tenant.suspend`).
    pub action: Option<String>,
    /// Only rows older than this id (the next page).
    pub before_id: Option<i64>,
    /// At most this many (1-200).
    pub limit: u32,
}

/// Which stores to list, by slug.
#[derive(Debug, Clone, Default)]
pub struct TenantSearch {
    /// Only this store.
    pub id: Option<Uuid>,
    /// Part of the name, slug or a domain (case-insensitive).
    pub text: Option<String>,
    /// Only stores with this status.
    pub status: Option<TenantStatus>,
    /// At most this many (1-200).
    pub limit: u32,
    /// Skipping this many.
    pub offset: u32,
}

/// How to find orders across stores; every given condition must hold.
#[derive(Debug, Clone, Default)]
pub struct OrderSearch {
    /// This order.
    pub id: Option<Uuid>,
    /// In this store.
    pub tenant: Option<Uuid>,
    /// With this number (meaningful with a store).
    pub number: Option<i64>,
    /// Placed with this email (case-insensitive).
    pub email: Option<String>,
    /// Whose phone ends with these digits (spaces, dashes, brackets and `+` are ignored).
    pub phone_digits: Option<String>,
    /// Paid with this provider payment id.
    pub payment_id: Option<String>,
    /// At most this many (1-200).
    pub limit: u32,
}

/// Staff, their sessions, the audit log and the platform-wide reads.
#[async_trait]
pub trait BackofficeStore: Send + Sync {
    /// Creates a staff account; a taken email is [`StoreError::Conflict`].
    async fn create_staff(&self, new: &NewStaff, now_ms: i64) -> Result<StaffAccount, StoreError>;
    /// The account with this email (any case).
    async fn staff_by_email(&self, email: &str) -> Result<Option<StaffAccount>, StoreError>;
    /// The account with this id.
    async fn staff_by_id(&self, id: Uuid) -> Result<Option<StaffAccount>, StoreError>;
    /// Every staff account, by email.
    async fn list_staff(&self) -> Result<Vec<StaffAccount>, StoreError>;
    /// Keeps a TOTP secret being enrolled (replacing an earlier pending one).
    async fn set_totp_pending(&self, id: Uuid, secret: &str) -> Result<(), StoreError>;
    /// Makes the pending secret the account's, if it is still `secret`, recording `step` as used.
    async fn confirm_totp(&self, id: Uuid, secret: &str, step: i64) -> Result<bool, StoreError>;
    /// Spends a TOTP time step: `true` only if it is later than the last one spent, so a code
    /// works once, however concurrent the attempts.
    async fn use_totp_step(&self, id: Uuid, step: i64) -> Result<bool, StoreError>;
    /// Records a new session with the SHA-256 (hex) of its refresh token.
    async fn start_staff_session(&self, id: Uuid, staff: Uuid, token_hash: &str, now_ms: i64, expires_at_ms: i64) -> Result<(), StoreError>;
    /// Swaps a live session's refresh token for a new one: the session and its staff member, or
    /// none for an unknown, expired or revoked token (which then works for nobody).
    async fn refresh_staff_session(&self, old_hash: &str, new_hash: &str, now_ms: i64, expires_at_ms: i64) -> Result<Option<(Uuid, Uuid)>, StoreError>;
    /// Whether a session is live (not revoked, not expired) for an enabled account.
    async fn staff_session_live(&self, id: Uuid, now_ms: i64) -> Result<bool, StoreError>;
    /// Ends a session; its refresh token and access tokens stop working.
    async fn revoke_staff_session(&self, id: Uuid, now_ms: i64) -> Result<(), StoreError>;
    /// Appends an audit row and returns its id.
    async fn record_audit(&self, entry: &NewAudit) -> Result<i64, StoreError>;
    /// Audit rows, newest first.
    async fn audit_log(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError>;
    /// Suspends or reopens a store and appends its audit row, in one transaction: the old
    /// status, or [`StoreError::NotFound`].
    async fn set_tenant_status_audited(&self, tenant: Uuid, status: TenantStatus, audit: &NewAudit) -> Result<TenantStatus, StoreError>;
    /// Stores with their figures, by slug.
    async fn platform_tenants(&self, search: &TenantSearch) -> Result<TenantPage, StoreError>;
    /// Orders across stores, newest first.
    async fn find_orders(&self, search: &OrderSearch) -> Result<Vec<AdminOrderHit>, StoreError>;
    /// Marks one of the store's custom domains (served, or flagged after a failed check) as due
    /// for its next DNS check, which core-api's re-check loop then makes: whether there was such
    /// a domain.
    async fn request_domain_check(&self, tenant: Uuid, domain: &zelly_edge::DomainName) -> Result<bool, StoreError>;
    /// The store's webhook deliveries received between the two times, oldest first.
    async fn webhook_receipts(&self, tenant: Uuid, from_ms: i64, to_ms: i64) -> Result<Vec<WebhookReceipt>, StoreError>;
}

/// `text` with `LIKE`'s wildcards (and its escape character, `\\`) escaped, to match literally.
pub fn like_literal(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// `text` as a case-insensitive `LIKE` pattern matching it anywhere, its wildcards escaped.
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", like_literal(&text.trim().to_lowercase()))
}

/// Row shapes and their conversions.
pub(crate) mod rows {
    use super::*;

    pub(crate) type StaffRow = (Uuid, String, String, String, String, Option<String>, Option<String>, i64, bool, i64);

    pub(crate) fn staff(row: StaffRow) -> Result<StaffAccount, StoreError> {
        let (id, email, name, role, password_hash, totp_secret, totp_pending, totp_last_step, disabled, created_at_ms) = row;
        let role = StaffRole::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("staff role {role:?}")))?;
        Ok(StaffAccount { id, email, name, role, password_hash, totp_secret, totp_pending, totp_last_step, disabled, created_at_ms })
    }

    pub(crate) type AuditRow =
        (i64, i64, Option<Uuid>, String, String, Option<Uuid>, String, sqlx::types::Json<serde_json::Value>, sqlx::types::Json<serde_json::Value>);

    pub(crate) fn audit(row: AuditRow) -> AuditEntry {
        let (id, at_ms, staff_id, staff_email, action, tenant_id, target, before, after) = row;
        AuditEntry { id, at_ms, staff_id, staff_email, action, tenant_id, target, before: before.0, after: after.0 }
    }

    pub(crate) type SummaryRow =
        (Uuid, String, String, String, Option<String>, Option<String>, i64, String, i64, i64, i64, Option<i64>);

    pub(crate) type HitRow = (Uuid, Uuid, String, i64, String, String, Option<String>, Option<String>, i64, String, i64);

    pub(crate) fn hit(row: HitRow) -> AdminOrderHit {
        let (id, tenant_id, tenant_slug, number, status, email, phone, payment_id, total_minor, currency, created_at_ms) = row;
        AdminOrderHit { id, tenant_id, tenant_slug, number, status, email, phone, payment_id, total_minor, currency, created_at_ms }
    }

    pub(crate) fn summaries(rows: Vec<SummaryRow>, domains: Vec<(Uuid, String)>) -> Result<Vec<TenantSummary>, StoreError> {
        let mut domains = crate::rows::group_domains(domains);
        rows.into_iter()
            .map(|(id, slug, name, status, logo_url, accent_color, catalog_version, currency, products, orders, gmv, last)| {
                Ok(TenantSummary {
                    tenant: crate::rows::TenantRow { id, slug, name, status, logo_url, accent_color, catalog_version, currency, primary_domain: None }
                        .try_into()?,
                    domains: domains.remove(&id).unwrap_or_default().iter().map(|d| d.as_str().to_owned()).collect(),
                    product_count: products,
                    order_count: orders,
                    gmv_minor: gmv,
                    last_activity_ms: last,
                })
            })
            .collect()
    }
}

/// The [`BackofficeStore`] implementation for a backend with `platform_tx`; `$p` prefixes the
/// platform's tables (`astro_primary.`), `$b` the staff tables (`backoffice.`), and `$phone` reads
/// the phone out of a checkout's shipping JSON.
macro_rules! backoffice_store_impl {
    ($store:ty, $p:literal, $b:literal, $phone:literal) => {
        #[async_trait]
        impl $crate::backoffice::BackofficeStore for $store {
            async fn create_staff(&self, new: &$crate::backoffice::NewStaff, now_ms: i64) -> Result<$crate::backoffice::StaffAccount, StoreError> {
                let row: $crate::backoffice::rows::StaffRow = sqlx::query_as(concat!(
                    "INSERT INTO ", $b, "staff (id, email, name, role, password_hash, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6) \
                     RETURNING id, email, name, role, password_hash, totp_secret, totp_pending, totp_last_step, disabled, created_at_ms"))
                    .bind(Uuid::new_v4()).bind(new.email.trim().to_lowercase()).bind(new.name.trim()).bind(new.role.as_str())
                    .bind(&new.password_hash).bind(now_ms)
                    .fetch_one(&self.pool).await?;
                $crate::backoffice::rows::staff(row)
            }

            async fn staff_by_email(&self, email: &str) -> Result<Option<$crate::backoffice::StaffAccount>, StoreError> {
                let row: Option<$crate::backoffice::rows::StaffRow> = sqlx::query_as(concat!(
                    "SELECT id, email, name, role, password_hash, totp_secret, totp_pending, totp_last_step, disabled, created_at_ms \
                     FROM ", $b, "staff WHERE email = $1"))
                    .bind(email.trim().to_lowercase()).fetch_optional(&self.pool).await?;
                row.map($crate::backoffice::rows::staff).transpose()
            }

            async fn staff_by_id(&self, id: Uuid) -> Result<Option<$crate::backoffice::StaffAccount>, StoreError> {
                let row: Option<$crate::backoffice::rows::StaffRow> = sqlx::query_as(concat!(
                    "SELECT id, email, name, role, password_hash, totp_secret, totp_pending, totp_last_step, disabled, created_at_ms \
                     FROM ", $b, "staff WHERE id = $1"))
                    .bind(id).fetch_optional(&self.pool).await?;
                row.map($crate::backoffice::rows::staff).transpose()
            }

            async fn list_staff(&self) -> Result<Vec<$crate::backoffice::StaffAccount>, StoreError> {
                let rows: Vec<$crate::backoffice::rows::StaffRow> = sqlx::query_as(concat!(
                    "SELECT id, email, name, role, password_hash, totp_secret, totp_pending, totp_last_step, disabled, created_at_ms \
                     FROM ", $b, "staff ORDER BY email"))
                    .fetch_all(&self.pool).await?;
                rows.into_iter().map($crate::backoffice::rows::staff).collect()
            }

            async fn set_totp_pending(&self, id: Uuid, secret: &str) -> Result<(), StoreError> {
                let done = sqlx::query(concat!("UPDATE ", $b, "staff SET totp_pending = $2 WHERE id = $1"))
                    .bind(id).bind(secret).execute(&self.pool).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn confirm_totp(&self, id: Uuid, secret: &str, step: i64) -> Result<bool, StoreError> {
                let done = sqlx::query(concat!(
                    "UPDATE ", $b, "staff SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $3 \
                     WHERE id = $1 AND totp_pending = $2"))
                    .bind(id).bind(secret).bind(step).execute(&self.pool).await?;
                Ok(done.rows_affected() == 1)
            }

            async fn use_totp_step(&self, id: Uuid, step: i64) -> Result<bool, StoreError> {
                let done = sqlx::query(concat!("UPDATE ", $b, "staff SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2"))
                    .bind(id).bind(step).execute(&self.pool).await?;
                Ok(done.rows_affected() == 1)
            }

            async fn start_staff_session(&self, id: Uuid, staff: Uuid, token_hash: &str, now_ms: i64, expires_at_ms: i64) -> Result<(), StoreError> {
                sqlx::query(concat!(
                    "INSERT INTO ", $b, "staff_sessions (id, staff_id, token_hash, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4, $5)"))
                    .bind(id).bind(staff).bind(token_hash).bind(now_ms).bind(expires_at_ms)
                    .execute(&self.pool).await?;
                Ok(())
            }

            async fn refresh_staff_session(&self, old_hash: &str, new_hash: &str, now_ms: i64, expires_at_ms: i64) -> Result<Option<(Uuid, Uuid)>, StoreError> {
                // One statement: of two refreshes racing with one token, only one finds it.
                let row: Option<(Uuid, Uuid)> = sqlx::query_as(concat!(
                    "UPDATE ", $b, "staff_sessions SET token_hash = $2, expires_at_ms = $4 \
                     WHERE token_hash = $1 AND revoked_at_ms IS NULL AND expires_at_ms > $3 \
                     AND staff_id IN (SELECT id FROM ", $b, "staff WHERE NOT disabled) RETURNING id, staff_id"))
                    .bind(old_hash).bind(new_hash).bind(now_ms).bind(expires_at_ms)
                    .fetch_optional(&self.pool).await?;
                Ok(row)
            }

            async fn staff_session_live(&self, id: Uuid, now_ms: i64) -> Result<bool, StoreError> {
                let row: Option<(Uuid,)> = sqlx::query_as(concat!(
                    "SELECT s.id FROM ", $b, "staff_sessions s JOIN ", $b, "staff a ON a.id = s.staff_id \
                     WHERE s.id = $1 AND s.revoked_at_ms IS NULL AND s.expires_at_ms > $2 AND NOT a.disabled"))
                    .bind(id).bind(now_ms).fetch_optional(&self.pool).await?;
                Ok(row.is_some())
            }

            async fn revoke_staff_session(&self, id: Uuid, now_ms: i64) -> Result<(), StoreError> {
                sqlx::query(concat!("UPDATE ", $b, "staff_sessions SET revoked_at_ms = $2 WHERE id = $1 AND revoked_at_ms IS NULL"))
                    .bind(id).bind(now_ms).execute(&self.pool).await?;
                Ok(())
            }

            async fn record_audit(&self, e: &$crate::backoffice::NewAudit) -> Result<i64, StoreError> {
                // The log is fenced to the platform scope (PostgreSQL's row-level security).
                let mut tx = self.platform_tx().await?;
                let (id,): (i64,) = sqlx::query_as(concat!(
                    "INSERT INTO ", $b, "audit_log (at_ms, staff_id, staff_email, action, tenant_id, target, before, after) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"))
                    .bind(e.at_ms).bind(e.staff_id).bind(&e.staff_email).bind(&e.action).bind(e.tenant_id).bind(&e.target)
                    .bind(sqlx::types::Json(&e.before)).bind(sqlx::types::Json(&e.after))
                    .fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn audit_log(&self, q: &$crate::backoffice::AuditQuery) -> Result<Vec<zelly_edge::admin::AuditEntry>, StoreError> {
                let action = q.action.as_deref().map(|a| format!("{}%", $crate::backoffice::like_literal(a)));
                let mut tx = self.platform_tx().await?;
                let rows: Vec<$crate::backoffice::rows::AuditRow> = sqlx::query_as(concat!(
                    "SELECT id, at_ms, staff_id, staff_email, action, tenant_id, target, before, after FROM ", $b, "audit_log \
                     WHERE ($1 IS NULL OR tenant_id = $1) AND ($2 IS NULL OR staff_email = $2) \
                     AND ($3 IS NULL OR action LIKE $3 ESCAPE '\\') AND ($4 IS NULL OR id < $4) \
                     ORDER BY id DESC LIMIT $5"))
                    .bind(q.tenant).bind(q.staff_email.as_deref().map(|e| e.trim().to_lowercase())).bind(action).bind(q.before_id)
                    .bind(i64::from(q.limit.clamp(1, 200)))
                    .fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(rows.into_iter().map($crate::backoffice::rows::audit).collect())
            }

            async fn set_tenant_status_audited(
                &self,
                tenant: Uuid,
                status: zelly_edge::dto::TenantStatus,
                audit: &$crate::backoffice::NewAudit,
            ) -> Result<zelly_edge::dto::TenantStatus, StoreError> {
                let mut tx = self.platform_tx().await?;
                let before: Option<(String,)> = sqlx::query_as(concat!("SELECT status FROM ", $p, "tenants WHERE id = $1"))
                    .bind(tenant).fetch_optional(&mut *tx).await?;
                let Some((before,)) = before else { return Err(StoreError::NotFound) };
                let before = zelly_edge::dto::TenantStatus::parse(&before).ok_or_else(|| StoreError::Corrupt(format!("tenant status {before:?}")))?;
                // The version moves, so every cached page of the store is stale at once.
                sqlx::query(concat!("UPDATE ", $p, "tenants SET status = $1, catalog_version = catalog_version + 1 WHERE id = $2"))
                    .bind(status.as_str()).bind(tenant).execute(&mut *tx).await?;
                sqlx::query(concat!(
                    "INSERT INTO ", $b, "audit_log (at_ms, staff_id, staff_email, action, tenant_id, target, before, after) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
                    .bind(audit.at_ms).bind(audit.staff_id).bind(&audit.staff_email).bind(&audit.action).bind(audit.tenant_id)
                    .bind(&audit.target).bind(sqlx::types::Json(&audit.before)).bind(sqlx::types::Json(&audit.after))
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(before)
            }

            async fn platform_tenants(&self, s: &$crate::backoffice::TenantSearch) -> Result<zelly_edge::admin::TenantPage, StoreError> {
                let text = s.text.as_deref().filter(|t| !t.trim().is_empty()).map($crate::backoffice::contains_pattern);
                let status = s.status.map(|st| st.as_str());
                let mut tx = self.platform_tx().await?;
                let rows: Vec<$crate::backoffice::rows::SummaryRow> = sqlx::query_as(concat!(
                    "SELECT t.id, t.slug, t.name, t.status, t.logo_url, t.accent_color, t.catalog_version, t.currency, \
                     (SELECT count(*) FROM ", $p, "products p WHERE p.tenant_id = t.id), \
                     (SELECT count(*) FROM ", $p, "orders o WHERE o.tenant_id = t.id), \
                     (SELECT CAST(COALESCE(sum(o.total_minor - o.refunded_minor), 0) AS BIGINT) FROM ", $p, "orders o \
                        WHERE o.tenant_id = t.id AND o.status IN ('paid', 'fulfilled', 'partially_refunded', 'refunded')), \
                     (SELECT max(x) FROM (SELECT max(o.created_at_ms) AS x FROM ", $p, "orders o WHERE o.tenant_id = t.id \
                        UNION ALL SELECT max(p.updated_at_ms) FROM ", $p, "products p WHERE p.tenant_id = t.id) AS a) \
                     FROM ", $p, "tenants t \
                     WHERE ($1 IS NULL OR lower(t.name) LIKE $1 ESCAPE '\\' OR t.slug LIKE $1 ESCAPE '\\' \
                        OR EXISTS (SELECT 1 FROM ", $p, "tenant_domains d WHERE d.tenant_id = t.id AND d.domain LIKE $1 ESCAPE '\\')) \
                     AND ($2 IS NULL OR t.status = $2) AND ($5 IS NULL OR t.id = $5) \
                     ORDER BY t.slug LIMIT $3 OFFSET $4"))
                    .bind(text.as_deref()).bind(status).bind(i64::from(s.limit.clamp(1, 200))).bind(i64::from(s.offset)).bind(s.id)
                    .fetch_all(&mut *tx).await?;
                let (total,): (i64,) = sqlx::query_as(concat!(
                    "SELECT count(*) FROM ", $p, "tenants t \
                     WHERE ($1 IS NULL OR lower(t.name) LIKE $1 ESCAPE '\\' OR t.slug LIKE $1 ESCAPE '\\' \
                        OR EXISTS (SELECT 1 FROM ", $p, "tenant_domains d WHERE d.tenant_id = t.id AND d.domain LIKE $1 ESCAPE '\\')) \
                     AND ($2 IS NULL OR t.status = $2) AND ($3 IS NULL OR t.id = $3)"))
                    .bind(text.as_deref()).bind(status).bind(s.id)
                    .fetch_one(&mut *tx).await?;
                let domains: Vec<(Uuid, String)> = sqlx::query_as(concat!(
                    "SELECT tenant_id, domain FROM ", $p, "tenant_domains ORDER BY is_primary DESC, domain"))
                    .fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(zelly_edge::admin::TenantPage { items: $crate::backoffice::rows::summaries(rows, domains)?, total })
            }

            async fn find_orders(&self, s: &$crate::backoffice::OrderSearch) -> Result<Vec<zelly_edge::admin::AdminOrderHit>, StoreError> {
                let phone = s.phone_digits.as_deref().map(|d| format!("%{}", d.chars().filter(char::is_ascii_digit).collect::<String>()));
                let mut tx = self.platform_tx().await?;
                let rows: Vec<$crate::backoffice::rows::HitRow> = sqlx::query_as(concat!(
                    "SELECT o.id, o.tenant_id, t.slug, o.number, o.status, c.email, ", $phone, ", o.payment_id, o.total_minor, o.currency, o.created_at_ms \
                     FROM ", $p, "orders o JOIN ", $p, "checkouts c ON c.id = o.checkout_id JOIN ", $p, "tenants t ON t.id = o.tenant_id \
                     WHERE ($1 IS NULL OR o.tenant_id = $1) AND ($2 IS NULL OR o.number = $2) \
                     AND ($3 IS NULL OR lower(c.email) = $3) AND ($4 IS NULL OR o.payment_id = $4) \
                     AND ($5 IS NULL OR replace(replace(replace(replace(replace(", $phone, ", ' ', ''), '-', ''), '(', ''), ')', ''), '+', '') LIKE $5) \
                     AND ($7 IS NULL OR o.id = $7) \
                     ORDER BY o.created_at_ms DESC, o.id LIMIT $6"))
                    .bind(s.tenant).bind(s.number).bind(s.email.as_deref().map(|e| e.trim().to_lowercase()))
                    .bind(s.payment_id.as_deref().map(str::trim)).bind(phone).bind(i64::from(s.limit.clamp(1, 200))).bind(s.id)
                    .fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(rows.into_iter().map($crate::backoffice::rows::hit).collect())
            }

            async fn request_domain_check(&self, tenant: Uuid, domain: &zelly_edge::DomainName) -> Result<bool, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let served = sqlx::query(concat!(
                    "UPDATE ", $p, "tenant_domains SET checked_at_ms = NULL WHERE tenant_id = $1 AND domain = $2 AND kind = 'custom'"))
                    .bind(tenant).bind(domain.as_str()).execute(&mut *tx).await?;
                let flagged = sqlx::query(concat!(
                    "UPDATE ", $p, "domain_claims SET checked_at_ms = NULL WHERE tenant_id = $1 AND domain = $2 AND status = 'flagged'"))
                    .bind(tenant).bind(domain.as_str()).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(served.rows_affected() + flagged.rows_affected() > 0)
            }

            async fn webhook_receipts(&self, tenant: Uuid, from_ms: i64, to_ms: i64) -> Result<Vec<zelly_edge::admin::WebhookReceipt>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let rows: Vec<(String, String, String, i64)> = sqlx::query_as(concat!(
                    "SELECT provider, event_id, event, received_at_ms FROM ", $p, "webhook_receipts \
                     WHERE tenant_id = $1 AND received_at_ms BETWEEN $2 AND $3 ORDER BY received_at_ms, event_id LIMIT 200"))
                    .bind(tenant).bind(from_ms).bind(to_ms).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(rows
                    .into_iter()
                    .map(|(provider, event_id, event, received_at_ms)| zelly_edge::admin::WebhookReceipt { provider, event_id, event, received_at_ms })
                    .collect())
            }
        }
    };
}
pub(crate) use backoffice_store_impl;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_matches_literally_anywhere() {
        assert_eq!(contains_pattern(" Bolt "), "%bolt%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
