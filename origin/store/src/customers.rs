//! Shoppers' accounts, sessions and emailed-link tokens (the seed's `ecom_store_front`), written
//! once for both backends like the other stores.
//!
//! Every call names its store and runs in that store's transaction, so on PostgreSQL row-level
//! security admits no other store's customers even if a query forgot its `tenant_id`. Secrets
//! (session ids, link tokens) arrive here already hashed: the database never holds one that works.

use crate::StoreError;
use async_trait::async_trait;
use uuid::Uuid;
use zelly_edge::customers::{Customer, SavedAddress};
use zelly_edge::orders::{AddressStatus, ShippingAddress};

pub use zelly_edge::customers::MAX_SAVED_ADDRESSES;

/// An address to save to an account, with what the address check made of it.
#[derive(Debug, Clone)]
pub struct AddressToSave<'a> {
    /// The address (already validated).
    pub address: &'a ShippingAddress,
    /// Make it the default.
    pub is_default: bool,
    /// The check's verdict.
    pub status: AddressStatus,
    /// When (ms since the epoch).
    pub now_ms: i64,
}

/// A saved address as every query selects it: id, address, default, status.
pub(crate) type AddressRow = (Uuid, sqlx::types::Json<ShippingAddress>, bool, String);

pub(crate) fn address_from_row((id, address, is_default, status): AddressRow) -> Result<SavedAddress, StoreError> {
    let status = AddressStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("address status {status:?}")))?;
    Ok(SavedAddress { id, address: address.0, is_default, status })
}

/// An account to open.
#[derive(Debug, Clone)]
pub struct NewCustomer {
    /// Lower-case address.
    pub email: String,
    /// Trimmed name (may be empty).
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// When (ms since the epoch).
    pub now_ms: i64,
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account.
    pub customer: Customer,
    /// Its argon2id PHC string.
    pub password_hash: String,
    /// Wrong passwords since the last good sign-in or reset.
    pub failed_sign_ins: i32,
    /// Until when sign-in is refused, if it is.
    pub locked_until_ms: Option<i64>,
}

/// What an emailed link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    /// Proves an address (a new account's, or the one an account moves to).
    VerifyEmail,
    /// Sets a new password.
    ResetPassword,
}

impl TokenPurpose {
    /// How the purpose is stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
        }
    }
}

/// An emailed link's token to record.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// SHA-256 (hex) of the link's secret.
    pub token_hash: String,
    /// The account.
    pub customer: Uuid,
    /// What it is for.
    pub purpose: TokenPurpose,
    /// The address the link goes to.
    pub email: String,
    /// When it was made and until when it works (ms since the epoch).
    pub now_ms: i64,
    /// See `now_ms`.
    pub expires_at_ms: i64,
}

/// A session to start.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 (hex) of the session id.
    pub id_hash: String,
    /// The sign-in it belongs to: `None` for a new sign-in (the session is its own family), or
    /// the family of the code it was exchanged for.
    pub family_hash: Option<String>,
    /// Whose.
    pub customer: Uuid,
    /// When it starts and when it ends at the latest (ms since the epoch).
    pub now_ms: i64,
    /// See `now_ms`.
    pub expires_at_ms: i64,
}

/// A sign-in code to record.
#[derive(Debug, Clone)]
pub struct NewCode {
    /// SHA-256 (hex) of the code.
    pub code_hash: String,
    /// Whose.
    pub customer: Uuid,
    /// The sign-in (customer-auth session) it comes from.
    pub family_hash: String,
    /// The exact URL it is handed to.
    pub redirect_uri: String,
    /// The PKCE S256 challenge the exchange must answer.
    pub code_challenge: String,
    /// When it was made and until when it works (ms since the epoch).
    pub now_ms: i64,
    /// See `now_ms`.
    pub expires_at_ms: i64,
}

/// What a spent sign-in code was bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeGrant {
    /// Whose.
    pub customer: Uuid,
    /// The sign-in it comes from.
    pub family_hash: String,
    /// The URL it was handed to.
    pub redirect_uri: String,
    /// The PKCE challenge.
    pub code_challenge: String,
}

/// Shoppers' accounts, one store at a time.
#[async_trait]
pub trait CustomerStore: Send + Sync {
    /// Opens an account; an address the store already has is [`StoreError::Conflict`].
    async fn create_customer(&self, tenant: Uuid, new: &NewCustomer) -> Result<Customer, StoreError>;
    /// The account with this (lower-case) address, with what sign-in checks.
    async fn customer_credentials(&self, tenant: Uuid, email: &str) -> Result<Option<Credentials>, StoreError>;
    /// One account by id.
    async fn customer(&self, tenant: Uuid, id: Uuid) -> Result<Option<Customer>, StoreError>;
    /// Counts a wrong password; the `lock_after`-th in a row locks sign-in until `locked_until_ms`.
    /// The count after this one.
    async fn record_failed_sign_in(&self, tenant: Uuid, id: Uuid, lock_after: i32, locked_until_ms: i64) -> Result<i32, StoreError>;
    /// Starts a session after a good sign-in: clears the wrong-password count, and ends the
    /// session `replaces` (the browser's previous one), so an id planted before sign-in is
    /// worthless after it.
    async fn start_customer_session(&self, tenant: Uuid, new: &NewSession, replaces: Option<&str>) -> Result<(), StoreError>;
    /// The account of a live session, which counts as used now. A session unused for `idle_ms`,
    /// or past its end, is ended and `None`.
    async fn customer_session(&self, tenant: Uuid, id_hash: &str, now_ms: i64, idle_ms: i64) -> Result<Option<Customer>, StoreError>;
    /// Ends a session and every other of its sign-in (the store's other domains, customer-auth's).
    async fn end_customer_session(&self, tenant: Uuid, id_hash: &str) -> Result<(), StoreError>;
    /// Records a sign-in code.
    async fn create_customer_code(&self, tenant: Uuid, new: &NewCode) -> Result<(), StoreError>;
    /// Spends a sign-in code: once, before it expires; what it was bound to.
    async fn use_customer_code(&self, tenant: Uuid, code_hash: &str, now_ms: i64) -> Result<Option<CodeGrant>, StoreError>;
    /// Records an emailed link's token.
    async fn create_customer_token(&self, tenant: Uuid, new: &NewToken) -> Result<(), StoreError>;
    /// Spends a token: once, before it expires, for its purpose; the account and the address the
    /// link went to.
    async fn use_customer_token(&self, tenant: Uuid, token_hash: &str, purpose: TokenPurpose, now_ms: i64) -> Result<Option<(Uuid, String)>, StoreError>;
    /// Marks `email` proven and makes it the account's address ([`StoreError::Conflict`] if
    /// another account of the store took it meanwhile).
    async fn verify_customer_email(&self, tenant: Uuid, id: Uuid, email: &str, now_ms: i64) -> Result<Customer, StoreError>;
    /// Sets a new password, lifts any sign-in lock and ends every session but `keep` (the one
    /// changing it, if any), so a thief's session dies with the old password.
    async fn set_customer_password(&self, tenant: Uuid, id: Uuid, password_hash: &str, keep: Option<&str>, now_ms: i64) -> Result<(), StoreError>;
    /// Changes the account's name.
    async fn update_customer_name(&self, tenant: Uuid, id: Uuid, name: &str, now_ms: i64) -> Result<Customer, StoreError>;
    /// The store's customers, newest first, at most `limit` (1-200); with `search`, those whose
    /// email or name contains it (case-insensitive).
    async fn list_customers(&self, tenant: Uuid, search: Option<&str>, limit: u32) -> Result<Vec<Customer>, StoreError>;
    /// A customer's saved addresses, the default first, then the newest.
    async fn customer_addresses(&self, tenant: Uuid, customer: Uuid) -> Result<Vec<SavedAddress>, StoreError>;
    /// Saves an address: a new one (`id` `None`, refused past [`MAX_SAVED_ADDRESSES`]) or a change
    /// to one of the customer's (`NotFound` otherwise). The first address, and one saved with
    /// `is_default`, becomes the default.
    async fn save_customer_address(&self, tenant: Uuid, customer: Uuid, id: Option<Uuid>, address: &AddressToSave<'_>) -> Result<SavedAddress, StoreError>;
    /// Makes one of the customer's addresses the default (`NotFound` if it is not theirs).
    async fn set_default_customer_address(&self, tenant: Uuid, customer: Uuid, id: Uuid) -> Result<(), StoreError>;
    /// Deletes one of the customer's addresses (`NotFound` if it is not theirs); when it was the
    /// default, the newest remaining one becomes the default.
    async fn delete_customer_address(&self, tenant: Uuid, customer: Uuid, id: Uuid, now_ms: i64) -> Result<(), StoreError>;
}

/// A customer row as every query selects it.
pub(crate) type CustomerRow = (Uuid, String, String, Option<i64>, i64);

/// The columns of a [`CustomerRow`].
macro_rules! customer_columns {
    () => {
        "id, email, name, email_verified_at_ms, created_at_ms"
    };
}
pub(crate) use customer_columns;

pub(crate) fn customer_from_row((id, email, name, verified, created_at_ms): CustomerRow) -> Customer {
    Customer { id, email, name, email_verified: verified.is_some(), created_at_ms }
}

/// The [`CustomerStore`] implementation for a backend with `tenant_tx`; `$p` is the prefix of
/// the customer tables (PostgreSQL's `ecom_store_front.`).
macro_rules! customer_store_impl {
    ($store:ty, $p:literal) => {
        #[async_trait]
        impl $crate::customers::CustomerStore for $store {
            async fn create_customer(&self, tenant: Uuid, new: &$crate::customers::NewCustomer) -> Result<zelly_edge::customers::Customer, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let row: $crate::customers::CustomerRow = sqlx::query_as(concat!(
                    "INSERT INTO ", $p, "customers (id, tenant_id, email, name, password_hash, created_at_ms, updated_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ", $crate::customers::customer_columns!()))
                    .bind(Uuid::new_v4()).bind(tenant).bind(&new.email).bind(&new.name).bind(&new.password_hash).bind(new.now_ms)
                    .fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok($crate::customers::customer_from_row(row))
            }

            async fn customer_credentials(&self, tenant: Uuid, email: &str) -> Result<Option<$crate::customers::Credentials>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let row: Option<(Uuid, String, String, Option<i64>, i64, String, i32, Option<i64>)> = sqlx::query_as(concat!(
                    "SELECT ", $crate::customers::customer_columns!(), ", password_hash, failed_sign_ins, locked_until_ms FROM ", $p,
                    "customers WHERE tenant_id = $1 AND email = $2"))
                    .bind(tenant).bind(email).fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(row.map(|(id, email, name, verified, created, password_hash, failed_sign_ins, locked_until_ms)| $crate::customers::Credentials {
                    customer: $crate::customers::customer_from_row((id, email, name, verified, created)),
                    password_hash,
                    failed_sign_ins,
                    locked_until_ms,
                }))
            }

            async fn customer(&self, tenant: Uuid, id: Uuid) -> Result<Option<zelly_edge::customers::Customer>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let row: Option<$crate::customers::CustomerRow> = sqlx::query_as(concat!(
                    "SELECT ", $crate::customers::customer_columns!(), " FROM ", $p, "customers WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(id).fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(row.map($crate::customers::customer_from_row))
            }

            async fn record_failed_sign_in(&self, tenant: Uuid, id: Uuid, lock_after: i32, locked_until_ms: i64) -> Result<i32, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let (count,): (i32,) = sqlx::query_as(concat!(
                    "UPDATE ", $p, "customers SET failed_sign_ins = failed_sign_ins + 1, \
                     locked_until_ms = CASE WHEN failed_sign_ins + 1 >= $3 THEN $4 ELSE locked_until_ms END \
                     WHERE tenant_id = $1 AND id = $2 RETURNING failed_sign_ins"))
                    .bind(tenant).bind(id).bind(lock_after).bind(locked_until_ms)
                    .fetch_one(&mut *tx).await?;
                tx.commit().await?;
                Ok(count)
            }

            async fn start_customer_session(&self, tenant: Uuid, new: &$crate::customers::NewSession, replaces: Option<&str>) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                if let Some(old) = replaces {
                    sqlx::query(concat!("DELETE FROM ", $p, "customer_sessions WHERE tenant_id = $1 AND id_hash = $2"))
                        .bind(tenant).bind(old).execute(&mut *tx).await?;
                }
                sqlx::query(concat!("UPDATE ", $p, "customers SET failed_sign_ins = 0, locked_until_ms = NULL WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(new.customer).execute(&mut *tx).await?;
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "customer_sessions (id_hash, tenant_id, customer_id, family_hash, created_at_ms, last_seen_at_ms, expires_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $5, $6)"))
                    .bind(&new.id_hash).bind(tenant).bind(new.customer).bind(new.family_hash.as_deref().unwrap_or(&new.id_hash))
                    .bind(new.now_ms).bind(new.expires_at_ms)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn customer_session(&self, tenant: Uuid, id_hash: &str, now_ms: i64, idle_ms: i64) -> Result<Option<zelly_edge::customers::Customer>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let live: Option<(Uuid,)> = sqlx::query_as(concat!(
                    "UPDATE ", $p, "customer_sessions SET last_seen_at_ms = $3 \
                     WHERE tenant_id = $1 AND id_hash = $2 AND expires_at_ms > $3 AND last_seen_at_ms > $3 - $4 RETURNING customer_id"))
                    .bind(tenant).bind(id_hash).bind(now_ms).bind(idle_ms)
                    .fetch_optional(&mut *tx).await?;
                let found = match live {
                    Some((customer,)) => {
                        let row: Option<$crate::customers::CustomerRow> = sqlx::query_as(concat!(
                            "SELECT ", $crate::customers::customer_columns!(), " FROM ", $p, "customers WHERE tenant_id = $1 AND id = $2"))
                            .bind(tenant).bind(customer).fetch_optional(&mut *tx).await?;
                        row.map($crate::customers::customer_from_row)
                    }
                    None => {
                        // Expired or idle: it never comes back, so it goes now.
                        sqlx::query(concat!("DELETE FROM ", $p, "customer_sessions WHERE tenant_id = $1 AND id_hash = $2"))
                            .bind(tenant).bind(id_hash).execute(&mut *tx).await?;
                        None
                    }
                };
                tx.commit().await?;
                Ok(found)
            }

            async fn end_customer_session(&self, tenant: Uuid, id_hash: &str) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!(
                    "DELETE FROM ", $p, "customer_sessions WHERE tenant_id = $1 AND family_hash IN \
                     (SELECT family_hash FROM ", $p, "customer_sessions WHERE tenant_id = $1 AND id_hash = $2)"))
                    .bind(tenant).bind(id_hash).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_customer_code(&self, tenant: Uuid, new: &$crate::customers::NewCode) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "customer_codes (code_hash, tenant_id, customer_id, family_hash, redirect_uri, code_challenge, created_at_ms, expires_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
                    .bind(&new.code_hash).bind(tenant).bind(new.customer).bind(&new.family_hash).bind(&new.redirect_uri)
                    .bind(&new.code_challenge).bind(new.now_ms).bind(new.expires_at_ms)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn use_customer_code(&self, tenant: Uuid, code_hash: &str, now_ms: i64) -> Result<Option<$crate::customers::CodeGrant>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                // Checked and spent in one statement: a replayed code finds nothing.
                let used: Option<(Uuid, String, String, String)> = sqlx::query_as(concat!(
                    "UPDATE ", $p, "customer_codes SET used_at_ms = $3 \
                     WHERE tenant_id = $1 AND code_hash = $2 AND used_at_ms IS NULL AND expires_at_ms > $3 \
                     RETURNING customer_id, family_hash, redirect_uri, code_challenge"))
                    .bind(tenant).bind(code_hash).bind(now_ms)
                    .fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(used.map(|(customer, family_hash, redirect_uri, code_challenge)| $crate::customers::CodeGrant {
                    customer,
                    family_hash,
                    redirect_uri,
                    code_challenge,
                }))
            }

            async fn create_customer_token(&self, tenant: Uuid, new: &$crate::customers::NewToken) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "customer_tokens (token_hash, tenant_id, customer_id, purpose, email, created_at_ms, expires_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)"))
                    .bind(&new.token_hash).bind(tenant).bind(new.customer).bind(new.purpose.as_str()).bind(&new.email)
                    .bind(new.now_ms).bind(new.expires_at_ms)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn use_customer_token(
                &self,
                tenant: Uuid,
                token_hash: &str,
                purpose: $crate::customers::TokenPurpose,
                now_ms: i64,
            ) -> Result<Option<(Uuid, String)>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                // Checked and spent in one statement: two clicks cannot both use it.
                let used: Option<(Uuid, String)> = sqlx::query_as(concat!(
                    "UPDATE ", $p, "customer_tokens SET used_at_ms = $4 \
                     WHERE tenant_id = $1 AND token_hash = $2 AND purpose = $3 AND used_at_ms IS NULL AND expires_at_ms > $4 \
                     RETURNING customer_id, email"))
                    .bind(tenant).bind(token_hash).bind(purpose.as_str()).bind(now_ms)
                    .fetch_optional(&mut *tx).await?;
                if let Some((customer, _)) = &used {
                    // One link of a kind works at a time: the newest used ends the others.
                    sqlx::query(concat!(
                        "UPDATE ", $p, "customer_tokens SET used_at_ms = $4 WHERE tenant_id = $1 AND customer_id = $2 AND purpose = $3 AND used_at_ms IS NULL"))
                        .bind(tenant).bind(*customer).bind(purpose.as_str()).bind(now_ms)
                        .execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(used)
            }

            async fn verify_customer_email(&self, tenant: Uuid, id: Uuid, email: &str, now_ms: i64) -> Result<zelly_edge::customers::Customer, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let row: Option<$crate::customers::CustomerRow> = sqlx::query_as(concat!(
                    "UPDATE ", $p, "customers SET email = $3, email_verified_at_ms = $4, updated_at_ms = $4 \
                     WHERE tenant_id = $1 AND id = $2 RETURNING ", $crate::customers::customer_columns!()))
                    .bind(tenant).bind(id).bind(email).bind(now_ms)
                    .fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                row.map($crate::customers::customer_from_row).ok_or(StoreError::NotFound)
            }

            async fn set_customer_password(&self, tenant: Uuid, id: Uuid, password_hash: &str, keep: Option<&str>, now_ms: i64) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let done = sqlx::query(concat!(
                    "UPDATE ", $p, "customers SET password_hash = $3, failed_sign_ins = 0, locked_until_ms = NULL, updated_at_ms = $4 \
                     WHERE tenant_id = $1 AND id = $2"))
                    .bind(tenant).bind(id).bind(password_hash).bind(now_ms)
                    .execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query(concat!(
                    "DELETE FROM ", $p, "customer_sessions WHERE tenant_id = $1 AND customer_id = $2 AND id_hash <> coalesce($3, '')"))
                    .bind(tenant).bind(id).bind(keep)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_customers(&self, tenant: Uuid, search: Option<&str>, limit: u32) -> Result<Vec<zelly_edge::customers::Customer>, StoreError> {
                let pattern = search.map(str::trim).filter(|s| !s.is_empty()).map($crate::seller::like_pattern);
                let mut tx = self.tenant_tx(tenant).await?;
                let rows: Vec<$crate::customers::CustomerRow> = sqlx::query_as(concat!(
                    "SELECT ", $crate::customers::customer_columns!(), " FROM ", $p, "customers WHERE tenant_id = $1 \
                     AND ($2 IS NULL OR email LIKE $2 ESCAPE '\\' OR lower(name) LIKE $2 ESCAPE '\\') \
                     ORDER BY created_at_ms DESC, id LIMIT $3"))
                    .bind(tenant).bind(pattern.as_deref()).bind(i64::from(limit.clamp(1, 200)))
                    .fetch_all(&mut *tx).await?;
                tx.commit().await?;
                Ok(rows.into_iter().map($crate::customers::customer_from_row).collect())
            }

            async fn customer_addresses(&self, tenant: Uuid, customer: Uuid) -> Result<Vec<zelly_edge::customers::SavedAddress>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let rows: Vec<$crate::customers::AddressRow> = sqlx::query_as(concat!(
                    "SELECT id, address, is_default, status FROM ", $p, "customer_addresses WHERE tenant_id = $1 AND customer_id = $2 \
                     ORDER BY is_default DESC, created_at_ms DESC, id"))
                    .bind(tenant).bind(customer).fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows.into_iter().map($crate::customers::address_from_row).collect()
            }

            async fn save_customer_address(
                &self,
                tenant: Uuid,
                customer: Uuid,
                id: Option<Uuid>,
                save: &$crate::customers::AddressToSave<'_>,
            ) -> Result<zelly_edge::customers::SavedAddress, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                // The customer's row, locked: two saves of one account queue here, so the count
                // and the single default hold.
                let owner: Option<(Uuid,)> = sqlx::query_as(concat!(
                    "UPDATE ", $p, "customers SET updated_at_ms = updated_at_ms WHERE tenant_id = $1 AND id = $2 RETURNING id"))
                    .bind(tenant).bind(customer).fetch_optional(&mut *tx).await?;
                if owner.is_none() {
                    return Err(StoreError::NotFound);
                }
                let (count,): (i64,) = sqlx::query_as(concat!("SELECT count(*) FROM ", $p, "customer_addresses WHERE tenant_id = $1 AND customer_id = $2"))
                    .bind(tenant).bind(customer).fetch_one(&mut *tx).await?;
                let make_default = save.is_default || count == 0;
                if make_default {
                    sqlx::query(concat!("UPDATE ", $p, "customer_addresses SET is_default = false WHERE tenant_id = $1 AND customer_id = $2 AND is_default"))
                        .bind(tenant).bind(customer).execute(&mut *tx).await?;
                }
                let json = sqlx::types::Json(save.address);
                let row: Option<$crate::customers::AddressRow> = match id {
                    None => {
                        if count >= $crate::customers::MAX_SAVED_ADDRESSES as i64 {
                            return Err(StoreError::Refused(format!("an account keeps at most {} addresses", $crate::customers::MAX_SAVED_ADDRESSES)));
                        }
                        sqlx::query_as(concat!(
                            "INSERT INTO ", $p, "customer_addresses (id, tenant_id, customer_id, address, is_default, status, created_at_ms, updated_at_ms) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id, address, is_default, status"))
                            .bind(Uuid::new_v4()).bind(tenant).bind(customer).bind(json).bind(make_default).bind(save.status.as_str()).bind(save.now_ms)
                            .fetch_optional(&mut *tx).await?
                    }
                    Some(id) => sqlx::query_as(concat!(
                        "UPDATE ", $p, "customer_addresses SET address = $4, is_default = (is_default OR $5), status = $6, updated_at_ms = $7 \
                         WHERE tenant_id = $1 AND customer_id = $2 AND id = $3 RETURNING id, address, is_default, status"))
                        .bind(tenant).bind(customer).bind(id).bind(json).bind(make_default).bind(save.status.as_str()).bind(save.now_ms)
                        .fetch_optional(&mut *tx).await?,
                };
                // Not theirs: the rollback undoes the cleared default.
                let row = row.ok_or(StoreError::NotFound)?;
                tx.commit().await?;
                $crate::customers::address_from_row(row)
            }

            async fn set_default_customer_address(&self, tenant: Uuid, customer: Uuid, id: Uuid) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!("UPDATE ", $p, "customer_addresses SET is_default = false WHERE tenant_id = $1 AND customer_id = $2 AND is_default"))
                    .bind(tenant).bind(customer).execute(&mut *tx).await?;
                let done = sqlx::query(concat!("UPDATE ", $p, "customer_addresses SET is_default = true WHERE tenant_id = $1 AND customer_id = $2 AND id = $3"))
                    .bind(tenant).bind(customer).bind(id).execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                tx.commit().await?;
                Ok(())
            }

            async fn delete_customer_address(&self, tenant: Uuid, customer: Uuid, id: Uuid, now_ms: i64) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let gone: Option<(bool,)> = sqlx::query_as(concat!(
                    "DELETE FROM ", $p, "customer_addresses WHERE tenant_id = $1 AND customer_id = $2 AND id = $3 RETURNING is_default"))
                    .bind(tenant).bind(customer).bind(id).fetch_optional(&mut *tx).await?;
                let Some((was_default,)) = gone else { return Err(StoreError::NotFound) };
                if was_default {
                    sqlx::query(concat!(
                        "UPDATE ", $p, "customer_addresses SET is_default = true, updated_at_ms = $3 WHERE tenant_id = $1 AND id = \
                         (SELECT id FROM ", $p, "customer_addresses WHERE tenant_id = $1 AND customer_id = $2 ORDER BY created_at_ms DESC, id LIMIT 1)"))
                        .bind(tenant).bind(customer).bind(now_ms).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn update_customer_name(&self, tenant: Uuid, id: Uuid, name: &str, now_ms: i64) -> Result<zelly_edge::customers::Customer, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let row: Option<$crate::customers::CustomerRow> = sqlx::query_as(concat!(
                    "UPDATE ", $p, "customers SET name = $3, updated_at_ms = $4 WHERE tenant_id = $1 AND id = $2 RETURNING ",
                    $crate::customers::customer_columns!()))
                    .bind(tenant).bind(id).bind(name).bind(now_ms)
                    .fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                row.map($crate::customers::customer_from_row).ok_or(StoreError::NotFound)
            }
        }
    };
}
pub(crate) use customer_store_impl;
