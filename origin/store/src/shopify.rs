//! Shopify shops connected to stores, and the claim on each webhook delivery, written once for
//! both backends like the other stores.
//!
//! A shop is bound to one store and a store to one shop (both unique). The access token arrives
//! sealed: the store never sees it in clear. Webhook deliveries are claimed in
//! `webhook_receipts` (provider `shopify`) by an insert that only one of several concurrent
//! repeats can win.

use crate::StoreError;
use async_trait::async_trait;
use uuid::Uuid;

/// A store's connection to its Shopify shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopifyConnection {
    /// The shop (`{name}.myshopify.com`).
    pub shop_domain: String,
    /// The Admin API access token, sealed by core-api.
    pub sealed_token: String,
    /// The scopes granted, comma-separated.
    pub scopes: String,
    /// When it was connected (ms since the epoch).
    pub connected_at_ms: i64,
}

/// Shopify connections and webhook claims.
#[async_trait]
pub trait ShopifyStore: Send + Sync {
    /// Connects `tenant` to `connection.shop_domain`, replacing the store's earlier connection.
    /// `Conflict` when the shop is connected to another store.
    async fn connect_shopify(&self, tenant: Uuid, connection: &ShopifyConnection) -> Result<(), StoreError>;
    /// The store's connection, if any.
    async fn shopify_connection(&self, tenant: Uuid) -> Result<Option<ShopifyConnection>, StoreError>;
    /// The store a shop is connected to (webhooks name the shop, not the store).
    async fn tenant_of_shopify_shop(&self, shop_domain: &str) -> Result<Option<Uuid>, StoreError>;
    /// Ends the store's connection; whether there was one.
    async fn disconnect_shopify(&self, tenant: Uuid) -> Result<bool, StoreError>;
    /// Claims a webhook delivery: `true` for the first claim of `(provider, event_id)` at the
    /// store, `false` for every repeat, however concurrent.
    async fn claim_webhook(&self, tenant: Uuid, provider: &str, event_id: &str, event: &str, now_ms: i64) -> Result<bool, StoreError>;
    /// Gives a claim back (its delivery could not be queued), so that a retry is taken.
    async fn release_webhook(&self, tenant: Uuid, provider: &str, event_id: &str) -> Result<(), StoreError>;
    /// Records an install under way: the SHA-256 of its `state`, for `shop_domain`, until
    /// `expires_at_ms`.
    async fn start_shopify_install(&self, tenant: Uuid, state_hash: &str, shop_domain: &str, expires_at_ms: i64) -> Result<(), StoreError>;
    /// Spends an install's state: the store and shop it was for, if it was recorded and has not
    /// expired or been spent (a second use finds nothing).
    async fn finish_shopify_install(&self, state_hash: &str, now_ms: i64) -> Result<Option<(Uuid, String)>, StoreError>;
}

/// The [`ShopifyStore`] implementation for a backend with `tenant_tx` and `platform_tx`; `$p` is
/// the prefix of the tables (PostgreSQL's `astro_primary.`).
macro_rules! shopify_store_impl {
    ($store:ty, $p:literal) => {
        #[async_trait]
        impl $crate::shopify::ShopifyStore for $store {
            async fn connect_shopify(&self, tenant: Uuid, c: &$crate::shopify::ShopifyConnection) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "shopify_connections (tenant_id, shop_domain, access_token, scopes, connected_at_ms) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id) DO UPDATE SET shop_domain = excluded.shop_domain, \
                     access_token = excluded.access_token, scopes = excluded.scopes, connected_at_ms = excluded.connected_at_ms"))
                    .bind(tenant).bind(&c.shop_domain).bind(&c.sealed_token).bind(&c.scopes).bind(c.connected_at_ms)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn shopify_connection(&self, tenant: Uuid) -> Result<Option<$crate::shopify::ShopifyConnection>, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let row: Option<(String, String, String, i64)> = sqlx::query_as(concat!(
                    "SELECT shop_domain, access_token, scopes, connected_at_ms FROM ", $p, "shopify_connections WHERE tenant_id = $1"))
                    .bind(tenant).fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(row.map(|(shop_domain, sealed_token, scopes, connected_at_ms)| $crate::shopify::ShopifyConnection {
                    shop_domain,
                    sealed_token,
                    scopes,
                    connected_at_ms,
                }))
            }

            async fn tenant_of_shopify_shop(&self, shop_domain: &str) -> Result<Option<Uuid>, StoreError> {
                let mut tx = self.platform_tx().await?;
                let row: Option<(Uuid,)> = sqlx::query_as(concat!("SELECT tenant_id FROM ", $p, "shopify_connections WHERE shop_domain = $1"))
                    .bind(shop_domain).fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(row.map(|(tenant,)| tenant))
            }

            async fn disconnect_shopify(&self, tenant: Uuid) -> Result<bool, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                // The shop is remembered until its shop/redact, so that late privacy webhooks
                // still find this store.
                let gone: Option<(String,)> = sqlx::query_as(concat!("DELETE FROM ", $p, "shopify_connections WHERE tenant_id = $1 RETURNING shop_domain"))
                    .bind(tenant).fetch_optional(&mut *tx).await?;
                if let Some((shop,)) = &gone {
                    sqlx::query(concat!(
                        "INSERT INTO ", $p, "shopify_former_shops (shop_domain, tenant_id, disconnected_at_ms) VALUES ($1, $2, $3) \
                         ON CONFLICT (shop_domain, tenant_id) DO UPDATE SET disconnected_at_ms = excluded.disconnected_at_ms"))
                        .bind(shop).bind(tenant).bind($crate::seller::now_ms()).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(gone.is_some())
            }

            async fn claim_webhook(&self, tenant: Uuid, provider: &str, event_id: &str, event: &str, now_ms: i64) -> Result<bool, StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                let done = sqlx::query(concat!(
                    "INSERT INTO ", $p, "webhook_receipts (tenant_id, provider, event_id, event, received_at_ms) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"))
                    .bind(tenant).bind(provider).bind(event_id).bind(event).bind(now_ms)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done.rows_affected() == 1)
            }

            async fn start_shopify_install(&self, tenant: Uuid, state_hash: &str, shop_domain: &str, expires_at_ms: i64) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!(
                    "INSERT INTO ", $p, "shopify_install_states (state_hash, tenant_id, shop_domain, expires_at_ms) VALUES ($1, $2, $3, $4)"))
                    .bind(state_hash).bind(tenant).bind(shop_domain).bind(expires_at_ms)
                    .execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn finish_shopify_install(&self, state_hash: &str, now_ms: i64) -> Result<Option<(Uuid, String)>, StoreError> {
                // The callback names no store: the state finds it. Deleting it spends it, so two
                // uses of one state cannot both find it.
                let mut tx = self.platform_tx().await?;
                let row: Option<(Uuid, String, i64)> = sqlx::query_as(concat!(
                    "DELETE FROM ", $p, "shopify_install_states WHERE state_hash = $1 RETURNING tenant_id, shop_domain, expires_at_ms"))
                    .bind(state_hash).fetch_optional(&mut *tx).await?;
                tx.commit().await?;
                Ok(row.filter(|(_, _, expires)| *expires > now_ms).map(|(tenant, shop, _)| (tenant, shop)))
            }

            async fn release_webhook(&self, tenant: Uuid, provider: &str, event_id: &str) -> Result<(), StoreError> {
                let mut tx = self.tenant_tx(tenant).await?;
                sqlx::query(concat!("DELETE FROM ", $p, "webhook_receipts WHERE tenant_id = $1 AND provider = $2 AND event_id = $3"))
                    .bind(tenant).bind(provider).bind(event_id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use shopify_store_impl;
