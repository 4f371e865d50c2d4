//! Onboarding: opening a store, its team (members and invites) and its custom domains, written
//! once for both backends like the other stores.
//!
//! `tenant_domains` holds exactly the domains the platform serves; a custom domain waits in
//! `domain_claims` until its TXT record proves it, and goes back there (`flagged`) when a later
//! check no longer finds the record. Host lookups therefore never see an unproven domain.

use crate::StoreError;
use async_trait::async_trait;
use uuid::Uuid;
use zelly_edge::catalog::Role;
use zelly_edge::dto::Tenant;
use zelly_edge::team::{DomainKind, DomainStatus, Invite, StoreDomain, Team, verification_record};
use zelly_edge::{Currency, DomainName, TenantSlug};

/// A store to open, with its first owner and its platform domain.
#[derive(Debug, Clone)]
pub struct OpenStore {
    /// Unique slug.
    pub slug: TenantSlug,
    /// Store name.
    pub name: String,
    /// The currency its prices are in.
    pub currency: Currency,
    /// `{slug}.{platform domain}`.
    pub domain: DomainName,
    /// The owner's Firebase uid; none for a store staff open for a merchant, whose owner joins
    /// through an invite.
    pub owner_uid: Option<String>,
    /// The owner's email, when their token has one.
    pub owner_email: Option<String>,
}

/// An invite to record.
#[derive(Debug, Clone)]
pub struct NewInvite {
    /// Who it is for (lower case).
    pub email: String,
    /// The role it gives.
    pub role: Role,
    /// SHA-256 (hex) of the link's secret.
    pub token_hash: String,
    /// Who sent it.
    pub invited_by: String,
    /// When it was sent and when it expires (ms since the epoch).
    pub created_at_ms: i64,
    /// When it expires.
    pub expires_at_ms: i64,
}

/// Why an invite link did not work.
#[derive(Debug, thiserror::Error)]
pub enum InviteRefusal {
    /// No invite has this secret.
    #[error("this invite link is not valid")]
    Unknown,
    /// It was accepted, revoked or has expired.
    #[error("this invite link has been used, revoked or has expired; ask for a new one")]
    Spent,
    /// It is for another email than the signed-in account's.
    #[error("this invite is for {0}; sign in with that email to accept it")]
    OtherEmail(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a DNS check of a domain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCheckOutcome {
    /// `Some(true)` when its TXT record holds the token, `Some(false)` when the record is missing
    /// or wrong, `None` when DNS could not be asked (nothing is concluded then).
    pub proven: Option<bool>,
    /// Whether it points at the storefront.
    pub routed: bool,
    /// What a merchant should fix, when anything.
    pub failure: Option<String>,
}

/// A custom domain due for another check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDomain {
    /// Its store.
    pub tenant: Uuid,
    /// The domain.
    pub domain: DomainName,
    /// The token its TXT record must hold.
    pub token: String,
}

/// Stores, teams and domains.
#[async_trait]
pub trait TeamStore: Send + Sync {
    /// Opens a store: the tenant, its owner's membership (when the owner is known) and its platform
    /// domain, all or none. A
    /// taken slug or domain is [`StoreError::Conflict`].
    async fn open_store(&self, new: &OpenStore) -> Result<Tenant, StoreError>;
    /// The store's primary domain: the one chosen, else its first served domain by name.
    async fn primary_domain(&self, tenant: Uuid) -> Result<Option<DomainName>, StoreError>;
    /// The store's members (owners first) and open invites (newest first) at `now_ms`.
    async fn team(&self, tenant: Uuid, now_ms: i64) -> Result<Team, StoreError>;
    /// Records an invite.
    async fn create_invite(&self, tenant: Uuid, invite: &NewInvite) -> Result<Invite, StoreError>;
    /// Revokes an open invite ([`StoreError::NotFound`] if there is none with that id).
    async fn revoke_invite(&self, tenant: Uuid, id: Uuid, now_ms: i64) -> Result<(), StoreError>;
    /// Accepts the invite whose secret hashes to `token_hash` for the signed-in `uid`: once,
    /// before it expires, and only with the email it was sent to. A member already in the store
    /// keeps the higher of the two roles.
    async fn accept_invite(&self, token_hash: &str, uid: &str, email: &str, now_ms: i64) -> Result<(Tenant, Role), InviteRefusal>;
    /// Changes a member's role; demoting the last owner is [`StoreError::Refused`].
    async fn set_member_role(&self, tenant: Uuid, uid: &str, role: Role) -> Result<(), StoreError>;
    /// Removes a member; removing the last owner is [`StoreError::Refused`].
    async fn remove_member(&self, tenant: Uuid, uid: &str) -> Result<(), StoreError>;
    /// The store's domains: primary first, then served ones, then claims, each by name.
    async fn store_domains(&self, tenant: Uuid) -> Result<Vec<StoreDomain>, StoreError>;
    /// Claims a custom domain with the token its TXT record must hold. [`StoreError::Conflict`]
    /// when another store serves it or this store already has it; [`StoreError::Refused`] past
    /// `max_custom` custom domains.
    async fn claim_domain(&self, tenant: Uuid, domain: &DomainName, token: &str, max_custom: usize) -> Result<StoreDomain, StoreError>;
    /// The token of one of the store's custom domains (claimed or served).
    async fn domain_token(&self, tenant: Uuid, domain: &DomainName) -> Result<Option<String>, StoreError>;
    /// Records a check: a proven claim becomes served (a [`StoreError::Conflict`] if another
    /// store proved it first), a served domain no longer proven goes back to the claims as
    /// flagged (and stops being primary), anything else just notes the failure.
    async fn record_domain_check(
        &self,
        tenant: Uuid,
        domain: &DomainName,
        outcome: &DomainCheckOutcome,
        now_ms: i64,
    ) -> Result<StoreDomain, StoreError>;
    /// Removes a custom domain; the platform domain cannot be removed ([`StoreError::Refused`]).
    async fn remove_domain(&self, tenant: Uuid, domain: &DomainName) -> Result<(), StoreError>;
    /// Makes a served domain the primary one.
    async fn set_primary_domain(&self, tenant: Uuid, domain: &DomainName) -> Result<(), StoreError>;
    /// Custom domains (served or flagged) last checked before `before_ms`, oldest first.
    async fn domains_due(&self, before_ms: i64, limit: u32) -> Result<Vec<DueDomain>, StoreError>;
}

/// Row shapes and their conversions.
pub(crate) mod rows {
    use super::*;

    /// `tenant_domains` or `domain_claims` as [`StoreDomain`] wants them.
    #[derive(sqlx::FromRow)]
    pub struct DomainRow {
        pub domain: String,
        pub kind: String,
        pub status: String,
        pub is_primary: bool,
        pub token: Option<String>,
        pub failure: Option<String>,
        pub checked_at_ms: Option<i64>,
    }

    impl TryFrom<DomainRow> for StoreDomain {
        type Error = StoreError;
        fn try_from(row: DomainRow) -> Result<Self, StoreError> {
            let corrupt = |what: &str| StoreError::Corrupt(format!("domain {what}"));
            let domain = DomainName::parse(&row.domain).map_err(|_| corrupt(&row.domain))?;
            let kind = DomainKind::parse(&row.kind).ok_or_else(|| corrupt(&row.kind))?;
            let status = DomainStatus::parse(&row.status).ok_or_else(|| corrupt(&row.status))?;
            let custom = kind == DomainKind::Custom;
            Ok(StoreDomain {
                record_name: custom.then(|| verification_record(&domain)),
                record_value: if custom { row.token } else { None },
                domain,
                kind,
                status,
                primary: row.is_primary,
                failure: row.failure,
                checked_at_ms: row.checked_at_ms,
            })
        }
    }

    pub fn role(raw: &str) -> Result<Role, StoreError> {
        Role::parse(raw).ok_or_else(|| StoreError::Corrupt(format!("role {raw:?}")))
    }

    /// The higher of two roles.
    pub fn higher(a: Role, b: Role) -> Role {
        if a == Role::Owner || b == Role::Owner { Role::Owner } else { Role::Staff }
    }
}

/// The [`TeamStore`] implementation for a backend: `$store` must have `tenant_tx`, `uid_tx`,
/// `invite_tx` (a transaction in which the invite with a given secret hash is visible) and
/// `enter_tenant` (scopes an open transaction to a tenant); `$lock` is how the backend locks the
/// rows a `SELECT` reads (PostgreSQL's ` FOR UPDATE`; SQLite's write transactions already hold
/// the database).
macro_rules! team_store_impl {
    ($store:ty, $db:ty, $p:literal, $lock:literal) => {
        #[async_trait]
        impl $crate::team::TeamStore for $store {
            async fn open_store(&self, new: &$crate::team::OpenStore) -> Result<zelly_edge::dto::Tenant, StoreError> {
                let id = Uuid::new_v4();
                let now = $crate::seller::now_ms();
                let mut tx = self.tenant_tx(id).await?;
                let row: $crate::rows::TenantRow = sqlx::query_as(concat!(
                    "INSERT INTO ", $p, "tenants (id, slug, name, currency) VALUES ($1, $2, $3, $4) \
                     RETURNING id, slug, name, status, logo_url, accent_color, catalog_version, currency"))
                    .bind(id).bind(new.slug.as_str()).bind(new.name.trim()).bind(new.currency.as_str())
                    .fetch_one(&mut *tx).await?;
                if let Some(owner_uid) = &new.owner_uid {
                    sqlx::query(concat!("INSERT INTO ", $p, "memberships (tenant_id, firebase_uid, role, email, created_at_ms) VALUES ($1, $2, 'owner', $3, $4)"))
                        .bind(id).bind(owner_uid).bind(new.owner_email.as_deref()).bind(now)
                        .execute(&mut *tx).await?;
                }
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "tenant_domains (domain, tenant_id, is_primary, kind, status, checked_at_ms) VALUES ($1, $2, TRUE, 'platform', 'active', $3)"))
                    .bind(new.domain.as_str()).bind(id).bind(now)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn primary_domain(&self, tenant: Uuid) -> Result<Option<zelly_edge::DomainName>, StoreError> {
                let row: Option<(String,)> = sqlx::query_as(concat!(
                    "SELECT domain FROM ", $p, "tenant_domains WHERE tenant_id = $1 ORDER BY is_primary DESC, domain LIMIT 1"))
                    .bind(tenant).fetch_optional(&self.pool).await?;
                row.map(|(domain,)| zelly_edge::DomainName::parse(&domain).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()
            }

            async fn team(&self, tenant: Uuid, now_ms: i64) -> Result<zelly_edge::team::Team, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let members: Vec<(String, Option<String>, String, i64)> = sqlx::query_as(concat!(
                    "SELECT firebase_uid, email, role, created_at_ms FROM ", $p, "memberships WHERE tenant_id = $1 \
                     ORDER BY CASE role WHEN 'owner' THEN 0 ELSE 1 END, created_at_ms, firebase_uid"))
                    .bind(tenant).fetch_all(&mut *tx).await?;
                let invites: Vec<(Uuid, String, String, String, i64, i64)> = sqlx::query_as(concat!(
                    "SELECT id, email, role, invited_by, created_at_ms, expires_at_ms FROM ", $p, "invites \
                     WHERE tenant_id = $1 AND accepted_at_ms IS NULL AND revoked_at_ms IS NULL AND expires_at_ms > $2 \
                     ORDER BY created_at_ms DESC, id"))
                    .bind(tenant).bind(now_ms).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(zelly_edge::team::Team {
                    members: members
                        .into_iter()
                        .map(|(uid, email, role, added_at_ms)| {
                            Ok(zelly_edge::team::TeamMember { uid, email, role: $crate::team::rows::role(&role)?, added_at_ms })
                        })
                        .collect::<Result<_, StoreError>>()?,
                    invites: invites
                        .into_iter()
                        .map(|(id, email, role, invited_by, created_at_ms, expires_at_ms)| {
                            Ok(zelly_edge::team::Invite { id, email, role: $crate::team::rows::role(&role)?, invited_by, created_at_ms, expires_at_ms })
                        })
                        .collect::<Result<_, StoreError>>()?,
                })
            }

            async fn create_invite(&self, tenant: Uuid, invite: &$crate::team::NewInvite) -> Result<zelly_edge::team::Invite, StoreError> {
                let id = Uuid::new_v4();
                let mut tx = self.tenant_tx(tenant).await?;
                let open: (i64,) = sqlx::query_as(concat!(
                    "SELECT (SELECT count(*) FROM ", $p, "memberships WHERE tenant_id = $1) + (SELECT count(*) FROM ", $p,
                    "invites WHERE tenant_id = $1 AND accepted_at_ms IS NULL AND revoked_at_ms IS NULL AND expires_at_ms > $2)"))
                    .bind(tenant).bind(invite.created_at_ms).fetch_one(&mut *tx).await?;
                if open.0 >= zelly_edge::team::MAX_TEAM_SIZE as i64 {
                    return Err(StoreError::Refused(format!(
                        "a team has at most {} members and open invites", zelly_edge::team::MAX_TEAM_SIZE)));
                }
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "invites (id, tenant_id, email, role, token_hash, invited_by, created_at_ms, expires_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
                    .bind(id).bind(tenant).bind(&invite.email).bind(invite.role.as_str()).bind(&invite.token_hash)
                    .bind(&invite.invited_by).bind(invite.created_at_ms).bind(invite.expires_at_ms)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(zelly_edge::team::Invite {
                    id,
                    email: invite.email.clone(),
                    role: invite.role,
                    invited_by: invite.invited_by.clone(),
                    created_at_ms: invite.created_at_ms,
                    expires_at_ms: invite.expires_at_ms,
                })
            }

            async fn revoke_invite(&self, tenant: Uuid, id: Uuid, now_ms: i64) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let done = sqlx::query(concat!(
                    "UPDATE ", $p, "invites SET revoked_at_ms = $3 WHERE tenant_id = $1 AND id = $2 \
                     AND accepted_at_ms IS NULL AND revoked_at_ms IS NULL"))
                    .bind(tenant).bind(id).bind(now_ms).execute(&mut *tx).await?;
                tx.commit().await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
            }

            async fn accept_invite(
                &self,
                token_hash: &str,
                uid: &str,
                email: &str,
                now_ms: i64,
            ) -> Result<(zelly_edge::dto::Tenant, zelly_edge::catalog::Role), $crate::team::InviteRefusal> {
                use $crate::team::InviteRefusal;
                let mut tx = self.invite_tx(token_hash).await?;
                let found: Option<(Uuid, Uuid, String, String, i64, Option<i64>, Option<i64>)> = sqlx::query_as(concat!(
                    "SELECT id, tenant_id, email, role, expires_at_ms, accepted_at_ms, revoked_at_ms FROM ", $p, "invites WHERE token_hash = $1"))
                    .bind(token_hash).fetch_optional(&mut *tx).await.map_err(StoreError::from)?;
                let Some((id, tenant, invited, role, expires_at_ms, accepted, revoked)) = found else {
                    return Err(InviteRefusal::Unknown);
                };
                if accepted.is_some() || revoked.is_some() || expires_at_ms <= now_ms {
                    return Err(InviteRefusal::Spent);
                }
                if !invited.eq_ignore_ascii_case(email.trim()) {
                    return Err(InviteRefusal::OtherEmail(invited));
                }
                let role = $crate::team::rows::role(&role)?;
                Self::enter_tenant(&mut tx, tenant).await?;
                // Only one acceptance wins a race: the update re-checks what the read saw.
                let won = sqlx::query(concat!(
                    "UPDATE ", $p, "invites SET accepted_at_ms = $2, accepted_by = $3 WHERE id = $1 AND accepted_at_ms IS NULL AND revoked_at_ms IS NULL"))
                    .bind(id).bind(now_ms).bind(uid).execute(&mut *tx).await.map_err(StoreError::from)?;
                if won.rows_affected() != 1 {
                    return Err(InviteRefusal::Spent);
                }
                let current: Option<(String,)> = sqlx::query_as(concat!(
                    "SELECT role FROM ", $p, "memberships WHERE tenant_id = $1 AND firebase_uid = $2"))
                    .bind(tenant).bind(uid).fetch_optional(&mut *tx).await.map_err(StoreError::from)?;
                let role = match current {
                    Some((held,)) => {
                        let role = $crate::team::rows::higher($crate::team::rows::role(&held)?, role);
                        sqlx::query(concat!("UPDATE ", $p, "memberships SET role = $3, email = $4 WHERE tenant_id = $1 AND firebase_uid = $2"))
                            .bind(tenant).bind(uid).bind(role.as_str()).bind(&invited)
                            .execute(&mut *tx).await.map_err(StoreError::from)?;
                        role
                    }
                    None => {
                        sqlx::query(concat!(
                            "INSERT INTO ", $p, "memberships (tenant_id, firebase_uid, role, email, created_at_ms) VALUES ($1, $2, $3, $4, $5)"))
                            .bind(tenant).bind(uid).bind(role.as_str()).bind(&invited).bind(now_ms)
                            .execute(&mut *tx).await.map_err(StoreError::from)?;
                        role
                    }
                };
                let row: $crate::rows::TenantRow = sqlx::query_as(concat!(
                    "SELECT id, slug, name, status, logo_url, accent_color, catalog_version, currency FROM ", $p, "tenants WHERE id = $1"))
                    .bind(tenant).fetch_one(&mut *tx).await.map_err(StoreError::from)?;
                tx.commit().await.map_err(StoreError::from)?;
                Ok((row.try_into()?, role))
            }

            async fn set_member_role(&self, tenant: Uuid, uid: &str, role: zelly_edge::catalog::Role) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let held: Option<(String,)> = sqlx::query_as(concat!(
                    "SELECT role FROM ", $p, "memberships WHERE tenant_id = $1 AND firebase_uid = $2"))
                    .bind(tenant).bind(uid).fetch_optional(&mut *tx).await?;
                let Some((held,)) = held else { return Err(StoreError::NotFound) };
                if held == zelly_edge::catalog::Role::Owner.as_str() && role != zelly_edge::catalog::Role::Owner {
                    Self::keep_an_owner(&mut tx, tenant).await?;
                }
                sqlx::query(concat!("UPDATE ", $p, "memberships SET role = $3 WHERE tenant_id = $1 AND firebase_uid = $2"))
                    .bind(tenant).bind(uid).bind(role.as_str()).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn remove_member(&self, tenant: Uuid, uid: &str) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let held: Option<(String,)> = sqlx::query_as(concat!(
                    "SELECT role FROM ", $p, "memberships WHERE tenant_id = $1 AND firebase_uid = $2"))
                    .bind(tenant).bind(uid).fetch_optional(&mut *tx).await?;
                let Some((held,)) = held else { return Err(StoreError::NotFound) };
                if held == zelly_edge::catalog::Role::Owner.as_str() {
                    Self::keep_an_owner(&mut tx, tenant).await?;
                }
                sqlx::query(concat!("DELETE FROM ", $p, "memberships WHERE tenant_id = $1 AND firebase_uid = $2"))
                    .bind(tenant).bind(uid).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn store_domains(&self, tenant: Uuid) -> Result<Vec<zelly_edge::team::StoreDomain>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let mut rows: Vec<$crate::team::rows::DomainRow> = sqlx::query_as(concat!(
                    "SELECT domain, kind, status, is_primary, token, failure, checked_at_ms FROM ", $p,
                    "tenant_domains WHERE tenant_id = $1 ORDER BY is_primary DESC, domain"))
                    .bind(tenant).fetch_all(&mut *tx).await?;
                let claims: Vec<$crate::team::rows::DomainRow> = sqlx::query_as(concat!(
                    "SELECT domain, 'custom' AS kind, status, FALSE AS is_primary, token, failure, checked_at_ms FROM ", $p,
                    "domain_claims WHERE tenant_id = $1 ORDER BY domain"))
                    .bind(tenant).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows.extend(claims);
                rows.into_iter().map(zelly_edge::team::StoreDomain::try_from).collect()
            }

            async fn claim_domain(&self, tenant: Uuid, domain: &zelly_edge::DomainName, token: &str, max_custom: usize) -> Result<zelly_edge::team::StoreDomain, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let served: Option<(Uuid,)> = sqlx::query_as(concat!("SELECT tenant_id FROM ", $p, "tenant_domains WHERE domain = $1"))
                    .bind(domain.as_str()).fetch_optional(&mut *tx).await?;
                match served {
                    Some((owner,)) if owner == tenant => return Err(StoreError::Conflict("this store already has that domain".into())),
                    Some(_) => return Err(StoreError::Conflict("another store has proven that domain".into())),
                    None => {}
                }
                let count: (i64,) = sqlx::query_as(concat!(
                    "SELECT (SELECT count(*) FROM ", $p, "domain_claims WHERE tenant_id = $1) + (SELECT count(*) FROM ", $p,
                    "tenant_domains WHERE tenant_id = $1 AND kind = 'custom')"))
                    .bind(tenant).fetch_one(&mut *tx).await?;
                if count.0 >= max_custom as i64 {
                    return Err(StoreError::Refused(format!("a store has at most {max_custom} custom domains")));
                }
                let added = sqlx::query(concat!(
                    "INSERT INTO ", $p, "domain_claims (tenant_id, domain, token, status, created_at_ms) VALUES ($1, $2, $3, 'pending', $4) \
                     ON CONFLICT (tenant_id, domain) DO NOTHING"))
                    .bind(tenant).bind(domain.as_str()).bind(token).bind($crate::seller::now_ms())
                    .execute(&mut *tx).await?;
                if added.rows_affected() == 0 {
                    return Err(StoreError::Conflict("this store already has that domain".into()));
                }
                tx.commit().await?;
                let custom = zelly_edge::team::DomainKind::Custom;
                Ok(zelly_edge::team::StoreDomain {
                    record_name: Some(zelly_edge::team::verification_record(domain)),
                    record_value: Some(token.to_owned()),
                    domain: domain.clone(),
                    kind: custom,
                    status: zelly_edge::team::DomainStatus::Pending,
                    primary: false,
                    failure: None,
                    checked_at_ms: None,
                })
            }

            async fn domain_token(&self, tenant: Uuid, domain: &zelly_edge::DomainName) -> Result<Option<String>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let row: Option<(Option<String>,)> = sqlx::query_as(concat!(
                    "SELECT token FROM ", $p, "domain_claims WHERE tenant_id = $1 AND domain = $2 \
                     UNION ALL SELECT token FROM ", $p, "tenant_domains WHERE tenant_id = $1 AND domain = $2 AND kind = 'custom'"))
                    .bind(tenant).bind(domain.as_str()).fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(row.and_then(|(token,)| token))
            }

            async fn record_domain_check(
                &self,
                tenant: Uuid,
                domain: &zelly_edge::DomainName,
                outcome: &$crate::team::DomainCheckOutcome,
                now_ms: i64,
            ) -> Result<zelly_edge::team::StoreDomain, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let claim: Option<(String,)> = sqlx::query_as(concat!(
                    "SELECT token FROM ", $p, "domain_claims WHERE tenant_id = $1 AND domain = $2"))
                    .bind(tenant).bind(domain.as_str()).fetch_optional(&mut *tx).await?;
                let served: Option<(Uuid, String, Option<String>)> = sqlx::query_as(concat!(
                    "SELECT tenant_id, kind, token FROM ", $p, "tenant_domains WHERE domain = $1"))
                    .bind(domain.as_str()).fetch_optional(&mut *tx).await?;
                let status = if outcome.routed { "active" } else { "verified" };
                match (claim, served, outcome.proven) {
                    // A claim proven: the domain is served from now on.
                    (Some((token,)), None, Some(true)) => {
                        sqlx::query(concat!("DELETE FROM ", $p, "domain_claims WHERE tenant_id = $1 AND domain = $2"))
                            .bind(tenant).bind(domain.as_str()).execute(&mut *tx).await?;
                        sqlx::query(concat!(
                            "INSERT INTO ", $p, "tenant_domains (domain, tenant_id, is_primary, kind, status, token, failure, checked_at_ms) \
                             VALUES ($1, $2, FALSE, 'custom', $3, $4, $5, $6)"))
                            .bind(domain.as_str()).bind(tenant).bind(status).bind(token).bind(outcome.failure.as_deref()).bind(now_ms)
                            .execute(&mut *tx).await?;
                    }
                    (Some(_), Some(_), Some(true)) => {
                        return Err(StoreError::Conflict("another store has proven that domain".into()));
                    }
                    // A claim not proven (or not checkable): note why.
                    (Some(_), _, _) => {
                        // A flagged claim stays flagged until proven again.
                        sqlx::query(concat!(
                            "UPDATE ", $p, "domain_claims SET status = CASE WHEN $3 OR status = 'flagged' THEN status ELSE 'failed' END, \
                             failure = $4, checked_at_ms = $5 WHERE tenant_id = $1 AND domain = $2"))
                            .bind(tenant).bind(domain.as_str()).bind(outcome.proven.is_none()).bind(outcome.failure.as_deref()).bind(now_ms)
                            .execute(&mut *tx).await?;
                    }
                    // A served domain still proven: routing may have changed.
                    (None, Some((owner, kind, _)), Some(true)) if owner == tenant && kind == "custom" => {
                        sqlx::query(concat!(
                            "UPDATE ", $p, "tenant_domains SET status = $3, failure = $4, checked_at_ms = $5 WHERE tenant_id = $1 AND domain = $2"))
                            .bind(tenant).bind(domain.as_str()).bind(status).bind(outcome.failure.as_deref()).bind(now_ms)
                            .execute(&mut *tx).await?;
                    }
                    // A served domain whose record is gone: flagged, no longer served or primary.
                    (None, Some((owner, kind, token)), Some(false)) if owner == tenant && kind == "custom" => {
                        let was_primary: Option<(bool,)> = sqlx::query_as(concat!(
                            "DELETE FROM ", $p, "tenant_domains WHERE tenant_id = $1 AND domain = $2 RETURNING is_primary"))
                            .bind(tenant).bind(domain.as_str()).fetch_optional(&mut *tx).await?;
                        sqlx::query(concat!(
                            "INSERT INTO ", $p, "domain_claims (tenant_id, domain, token, status, failure, created_at_ms, checked_at_ms) \
                             VALUES ($1, $2, $3, 'flagged', $4, $5, $5)"))
                            .bind(tenant).bind(domain.as_str()).bind(token.unwrap_or_default()).bind(outcome.failure.as_deref()).bind(now_ms)
                            .execute(&mut *tx).await?;
                        if was_primary.is_some_and(|(p,)| p) {
                            sqlx::query(concat!(
                                "UPDATE ", $p, "tenant_domains SET is_primary = TRUE WHERE tenant_id = $1 AND kind = 'platform'"))
                                .bind(tenant).execute(&mut *tx).await?;
                            // Cached pages name the primary domain: they must be rendered again.
                            sqlx::query(concat!("UPDATE ", $p, "tenants SET catalog_version = catalog_version + 1 WHERE id = $1"))
                                .bind(tenant).execute(&mut *tx).await?;
                        }
                    }
                    // A served domain DNS could not be asked about: keep serving, note why.
                    (None, Some((owner, kind, _)), None) if owner == tenant && kind == "custom" => {
                        sqlx::query(concat!(
                            "UPDATE ", $p, "tenant_domains SET failure = $3, checked_at_ms = $4 WHERE tenant_id = $1 AND domain = $2"))
                            .bind(tenant).bind(domain.as_str()).bind(outcome.failure.as_deref()).bind(now_ms)
                            .execute(&mut *tx).await?;
                    }
                    _ => return Err(StoreError::NotFound),
                }
                let row: $crate::team::rows::DomainRow = sqlx::query_as(concat!(
                    "SELECT domain, kind, status, is_primary, token, failure, checked_at_ms FROM ", $p,
                    "tenant_domains WHERE tenant_id = $1 AND domain = $2 \
                     UNION ALL SELECT domain, 'custom' AS kind, status, FALSE AS is_primary, token, failure, checked_at_ms FROM ", $p,
                    "domain_claims WHERE tenant_id = $1 AND domain = $2"))
                    .bind(tenant).bind(domain.as_str()).fetch_one(&mut *tx).await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn remove_domain(&self, tenant: Uuid, domain: &zelly_edge::DomainName) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let claim = sqlx::query(concat!("DELETE FROM ", $p, "domain_claims WHERE tenant_id = $1 AND domain = $2"))
                    .bind(tenant).bind(domain.as_str()).execute(&mut *tx).await?;
                if claim.rows_affected() == 0 {
                    let served: Option<(String, bool)> = sqlx::query_as(concat!(
                        "SELECT kind, is_primary FROM ", $p, "tenant_domains WHERE tenant_id = $1 AND domain = $2"))
                        .bind(tenant).bind(domain.as_str()).fetch_optional(&mut *tx).await?;
                    match served {
                        None => return Err(StoreError::NotFound),
                        Some((kind, _)) if kind == "platform" => {
                            return Err(StoreError::Refused("the store's platform address cannot be removed".into()));
                        }
                        Some((_, primary)) => {
                            sqlx::query(concat!("DELETE FROM ", $p, "tenant_domains WHERE tenant_id = $1 AND domain = $2"))
                                .bind(tenant).bind(domain.as_str()).execute(&mut *tx).await?;
                            if primary {
                                sqlx::query(concat!(
                                    "UPDATE ", $p, "tenant_domains SET is_primary = TRUE WHERE tenant_id = $1 AND kind = 'platform'"))
                                    .bind(tenant).execute(&mut *tx).await?;
                            }
                        }
                    }
                }
                sqlx::query(concat!("UPDATE ", $p, "tenants SET catalog_version = catalog_version + 1 WHERE id = $1"))
                    .bind(tenant).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_primary_domain(&self, tenant: Uuid, domain: &zelly_edge::DomainName) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let served: Option<(bool,)> = sqlx::query_as(concat!(
                    "SELECT is_primary FROM ", $p, "tenant_domains WHERE tenant_id = $1 AND domain = $2"))
                    .bind(tenant).bind(domain.as_str()).fetch_optional(&mut *tx).await?;
                if served.is_none() {
                    return Err(StoreError::Refused("only a proven domain can be primary".into()));
                }
                sqlx::query(concat!("UPDATE ", $p, "tenant_domains SET is_primary = FALSE WHERE tenant_id = $1 AND is_primary"))
                    .bind(tenant).execute(&mut *tx).await?;
                sqlx::query(concat!("UPDATE ", $p, "tenant_domains SET is_primary = TRUE WHERE tenant_id = $1 AND domain = $2"))
                    .bind(tenant).bind(domain.as_str()).execute(&mut *tx).await?;
                sqlx::query(concat!("UPDATE ", $p, "tenants SET catalog_version = catalog_version + 1 WHERE id = $1"))
                    .bind(tenant).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn domains_due(&self, before_ms: i64, limit: u32) -> Result<Vec<$crate::team::DueDomain>, StoreError> {
                let mut tx = self.platform_tx().await?;
                let rows: Vec<(Uuid, String, Option<String>)> = sqlx::query_as(concat!(
                    "SELECT tenant_id, domain, token FROM (\
                       SELECT tenant_id, domain, token, checked_at_ms FROM ", $p, "tenant_domains WHERE kind = 'custom' \
                       UNION ALL SELECT tenant_id, domain, token, checked_at_ms FROM ", $p, "domain_claims WHERE status = 'flagged'\
                     ) due WHERE coalesce(checked_at_ms, 0) < $1 ORDER BY coalesce(checked_at_ms, 0), domain LIMIT $2"))
                    .bind(before_ms).bind(i64::from(limit)).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows.into_iter()
                    .map(|(tenant, domain, token)| {
                        Ok($crate::team::DueDomain {
                            tenant,
                            domain: zelly_edge::DomainName::parse(&domain).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                            token: token.unwrap_or_default(),
                        })
                    })
                    .collect()
            }
        }

        impl $store {
            /// Refuses when the tenant has only one owner left. Locks the tenant's row first, so two
            /// owners demoting each other at once cannot both pass.
            async fn keep_an_owner(tx: &mut sqlx::Transaction<'static, $db>, tenant: Uuid) -> Result<(), StoreError> {
                sqlx::query(concat!("SELECT id FROM ", $p, "tenants WHERE id = $1", $lock))
                    .bind(tenant).execute(&mut **tx).await?;
                let owners: (i64,) = sqlx::query_as(concat!(
                    "SELECT count(*) FROM ", $p, "memberships WHERE tenant_id = $1 AND role = 'owner'"))
                    .bind(tenant).fetch_one(&mut **tx).await?;
                if owners.0 <= 1 {
                    return Err(StoreError::Refused("a store needs at least one owner; make someone else owner first".into()));
                }
                Ok(())
            }
        }
    };
}

pub(crate) use team_store_impl;
