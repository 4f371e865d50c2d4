//! The workers of Shopify's queues, in core-api as the seed has them:
//! - `SHOPIFY_WEBHOOK` applies each delivery the webhook route queued ([`WebhookJob`]);
//! - `SHOPIFY_CATALOG_SYNC` pages through a shop's catalog with the Admin GraphQL API
//!   ([`SyncJob`]), storing each page with the cursor after it, so that a sync resumes where it
//!   stopped and a re-run creates nothing twice.
//!
//! Every job retries with backoff and ends failed with its reason (the queue's rules). Calls to
//! Shopify respect its cost-based throttle: a `THROTTLED` answer waits for the bucket to refill
//! as `extensions.cost.throttleStatus` says, and a page that would overdraw it waits first.

use crate::routes::shopify::WebhookJob;
use crate::shopify_app::ShopifyApp;
use crate::shopify_catalog::{rest_gid, rfc3339_ms, ShopifyProduct, MORE_VARIANTS, PRODUCT_FIELDS};
use crate::AppState;
use anyhow::{anyhow, Context};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;
use zelly_edge::shopify::Topic;
use zelly_queue::{Job, NewJob, Unrecoverable, Worker, WorkerOptions, SHOPIFY_CATALOG_SYNC, SHOPIFY_WEBHOOK};
use zelly_store::shopify_catalog::SkippedProduct;
use zelly_service::now_ms;
use zelly_store::{StoreError, SyncPage};

/// Products per page of the catalog sync.
pub const PAGE_SIZE: u32 = 18;
/// How many times a sync job runs before the sync is marked failed.
pub const SYNC_ATTEMPTS: u32 = 8;
/// How long a sync may run before another may replace it as stuck.
pub const SYNC_STUCK_AFTER_MS: i64 = 60 * 60 * 1000;
/// The longest single wait for Shopify's throttle bucket.
const MAX_THROTTLE_WAIT: Duration = Duration::from_secs(20);
/// How many `THROTTLED` answers in a row one call tolerates.
const MAX_THROTTLED: u32 = 30;

/// A catalog sync to run: the store and the run (the sync row names the run it belongs to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncJob {
    /// The store.
    pub tenant: Uuid,
    /// The run.
    pub run_id: String,
}

/// Starts a catalog sync of `tenant`'s shop: records the run and queues its job. `Conflict` while
/// another run is under way.
pub async fn start_sync(state: &AppState, tenant: Uuid) -> Result<zelly_store::ShopifySync, zelly_service::ApiError> {
    let run_id = format!("sync-{}", Uuid::new_v4().simple());
    let now = now_ms();
    let sync = state.store.start_shopify_sync(tenant, &run_id, now, now - SYNC_STUCK_AFTER_MS).await?;
    let job = NewJob::new("catalog-sync", json!(SyncJob { tenant, run_id: run_id.clone() }))
        .with_id(run_id.clone())
        .with_retries(SYNC_ATTEMPTS, Duration::from_secs(2));
    if let Err(e) = state.queues.add(SHOPIFY_CATALOG_SYNC, job).await {
        // Nothing will run it: end the run now rather than leave it "running".
        tracing::error!(error = %e, %tenant, "a catalog sync could not be queued");
        let _ = state.store.finish_shopify_sync(tenant, &run_id, Some("the sync could not be queued"), now_ms()).await;
        return Err(zelly_service::ApiError::Unavailable("the sync could not be queued; try again in a minute"));
    }
    Ok(sync)
}

/// The Admin API of one shop, with the throttle handled.
pub struct ShopClient {
    app: Arc<ShopifyApp>,
    shop: String,
    token: String,
}

impl ShopClient {
    /// The client of `tenant`'s connected shop: `Unrecoverable` when none is connected or its
    /// token does not open under this key.
    pub async fn of(state: &AppState, tenant: Uuid) -> anyhow::Result<Self> {
        let app = state.shopify.clone().ok_or_else(|| Unrecoverable("the Shopify app is not configured".into()))?;
        let connection = state
            .store
            .shopify_connection(tenant)
            .await?
            .ok_or_else(|| Unrecoverable("the store is not connected to a Shopify shop".into()))?;
        let token = app
            .open(&connection.sealed_token)
            .ok_or_else(|| Unrecoverable("the shop's access token does not open under SHOPIFY_TOKEN_KEY".into()))?;
        Ok(Self { app, shop: connection.shop_domain, token })
    }

    /// One query, waiting out Shopify's throttle: the answer's `data`.
    pub async fn query(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let mut throttled = 0;
        loop {
            let answer = self.app.graphql(&self.shop, &self.token, query, variables.clone()).await.map_err(|e| anyhow!(e))?;
            let status = &answer["extensions"]["cost"]["throttleStatus"];
            let available = status["currentlyAvailable"].as_f64().unwrap_or(f64::MAX);
            let restore = status["restoreRate"].as_f64().filter(|r| *r > 0.0).unwrap_or(50.0);
            let requested = answer["extensions"]["cost"]["requestedQueryCost"].as_f64().unwrap_or(0.0);
            let errors = answer["errors"].as_array().cloned().unwrap_or_default();
            if errors.iter().any(|e| e["extensions"]["code"].as_str() == Some("THROTTLED")) {
                throttled += 1;
                if throttled > MAX_THROTTLED {
                    return Err(anyhow!("Shopify kept throttling the sync"));
                }
                tokio::time::sleep(wait_for(requested - available, restore)).await;
                continue;
            }
            if !errors.is_empty() {
                return Err(anyhow!("Shopify answered errors: {}", Value::Array(errors)));
            }
            // Leave the bucket room for the next call of the same cost.
            if requested > available {
                tokio::time::sleep(wait_for(requested - available, restore)).await;
            }
            return Ok(answer["data"].clone());
        }
    }
}

/// How long `points` take to restore at `rate` per second, within [20 ms, MAX_THROTTLE_WAIT].
fn wait_for(points: f64, rate: f64) -> Duration {
    Duration::from_secs_f64((points / rate).clamp(0.02, MAX_THROTTLE_WAIT.as_secs_f64()))
}

/// Runs (or resumes) one sync job (public for tests that stop one half-way).
pub async fn run_sync(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let sync: SyncJob = serde_json::from_value(job.data.clone()).map_err(|e| Unrecoverable(format!("not a sync job: {e}")))?;
    let outcome = sync_pages(state, &sync).await;
    match outcome {
        Ok(()) => Ok(()),
        Err(e) => {
            let last = job.attempt >= SYNC_ATTEMPTS || e.chain().any(|c| c.is::<Unrecoverable>());
            if last {
                let reason = format!("{e:#}");
                match state.store.finish_shopify_sync(sync.tenant, &sync.run_id, Some(&reason), now_ms()).await {
                    Ok(_) | Err(StoreError::Stale) => {}
                    Err(store) => tracing::warn!(error = %store, "a failed sync could not be marked failed"),
                }
            }
            Err(e)
        }
    }
}

async fn sync_pages(state: &AppState, sync: &SyncJob) -> anyhow::Result<()> {
    let Some(current) = state.store.shopify_sync(sync.tenant).await? else { return Ok(()) };
    if current.run_id != sync.run_id || current.status != zelly_store::shopify_catalog::SyncStatus::Running {
        return Ok(()); // superseded, or already ended
    }
    let client = ShopClient::of(state, sync.tenant).await?;
    let query = format!(
        "query page($first: Int!, $after: String, $count: Boolean!) {{ productsCount @include(if: $count) {{ count }} \
         products(first: $first, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {PRODUCT_FIELDS} }} }} }}"
    );
    let mut cursor = current.cursor.clone();
    let mut count = current.total.is_none();
    loop {
        let data = client
            .query(&query, json!({ "first": PAGE_SIZE, "after": cursor, "count": count }))
            .await
            .context("reading a page of products")?;
        let total = data["productsCount"]["count"].as_i64();
        let nodes = data["products"]["nodes"].as_array().cloned().unwrap_or_default();
        let mut writes = Vec::with_capacity(nodes.len());
        let mut skipped = Vec::new();
        for mut node in nodes {
            complete_variants(&client, &mut node).await?;
            let Some(product) = ShopifyProduct::from_graphql(&node) else {
                skipped.push(SkippedProduct { shopify_id: String::new(), title: String::new(), reason: "Shopify sent a product without an id".into() });
                continue;
            };
            match product.to_write(product.updated_at_ms.unwrap_or(0)) {
                Ok(w) => writes.push(w),
                Err(skip) => skipped.push(skip),
            }
        }
        let next = data["products"]["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        let page = SyncPage { run_id: sync.run_id.clone(), cursor: next.clone().or(cursor.clone()), total, skipped };
        match state.store.apply_shopify_products(sync.tenant, &writes, Some(&page)).await {
            Ok(_) => {}
            Err(StoreError::Stale) => return Ok(()),
            Err(e) => return Err(e).context("storing a page of products"),
        }
        count = false;
        if !data["products"]["pageInfo"]["hasNextPage"].as_bool().unwrap_or(false) || next.is_none() {
            break;
        }
        cursor = next;
    }
    match state.store.finish_shopify_sync(sync.tenant, &sync.run_id, None, now_ms()).await {
        Ok(done) => {
            tracing::info!(tenant = %sync.tenant, imported = done.imported, archived = done.archived, "catalog sync done");
            Ok(())
        }
        Err(StoreError::Stale) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Reads the variants of `node` its page left out (more than 20), stopping past Zelly's 100 (the
/// product is then skipped for having too many).
async fn complete_variants(client: &ShopClient, node: &mut Value) -> anyhow::Result<()> {
    let mut page_info = node["variants"]["pageInfo"].clone();
    let mut read = 0;
    while page_info["hasNextPage"].as_bool().unwrap_or(false) && read <= 100 {
        let data = client
            .query(MORE_VARIANTS, json!({ "id": node["id"], "after": page_info["endCursor"] }))
            .await
            .context("reading a product's variants")?;
        let more = data["product"]["variants"]["nodes"].as_array().cloned().unwrap_or_default();
        read += more.len().max(1);
        if let Some(nodes) = node["variants"]["nodes"].as_array_mut() {
            nodes.extend(more);
        }
        page_info = data["product"]["variants"]["pageInfo"].clone();
    }
    Ok(())
}

/// Applies one webhook delivery.
async fn apply_webhook(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let hook: WebhookJob = serde_json::from_value(job.data.clone()).map_err(|e| Unrecoverable(format!("not a webhook job: {e}")))?;
    let topic = Topic::parse(&hook.topic).ok_or_else(|| Unrecoverable(format!("topic {:?} is not one Zelly subscribes to", hook.topic)))?;
    let connected = state.store.tenant_of_shopify_shop(&hook.shop).await? == Some(hook.tenant);
    let at = hook.triggered_at.as_deref().and_then(rfc3339_ms);
    match topic {
        Topic::ProductsCreate | Topic::ProductsUpdate => {
            if !connected {
                return Ok(()); // the shop left this store since
            }
            let product = ShopifyProduct::from_rest(&hook.payload).ok_or_else(|| Unrecoverable("the product has no id".into()))?;
            let at = at.or(product.updated_at_ms).unwrap_or_else(now_ms);
            match product.to_write(at) {
                Ok(write) => {
                    state.store.apply_shopify_products(hook.tenant, &[write], None).await?;
                }
                Err(skip) => tracing::warn!(tenant = %hook.tenant, product = %skip.shopify_id, reason = %skip.reason, "a Shopify product was not imported"),
            }
        }
        Topic::ProductsDelete => {
            if let Some(gid) = rest_gid(&hook.payload, "Product") {
                state.store.delete_shopify_product(hook.tenant, &gid, at.unwrap_or_else(now_ms)).await?;
            }
        }
        Topic::InventoryLevelsUpdate => {
            if !connected {
                return Ok(());
            }
            // A level is one location's; Zelly sells the total. Ask Shopify for it now, so that
            // deliveries in any order end at Shopify's current stock.
            let item = rest_gid(&json!({ "id": hook.payload["inventory_item_id"] }), "InventoryItem")
                .ok_or_else(|| Unrecoverable("the level names no inventory item".into()))?;
            let client = ShopClient::of(state, hook.tenant).await?;
            let data = client
                .query("query item($id: ID!) { inventoryItem(id: $id) { id variant { inventoryQuantity } } }", json!({ "id": item }))
                .await?;
            if let Some(quantity) = data["inventoryItem"]["variant"]["inventoryQuantity"].as_i64() {
                state.store.set_shopify_inventory(hook.tenant, &item, quantity).await?;
            }
        }
        Topic::AppUninstalled => {
            if connected {
                state.store.disconnect_shopify(hook.tenant).await?;
                tracing::info!(tenant = %hook.tenant, shop = %hook.shop, "the Shopify app was uninstalled: shop disconnected");
            }
        }
        Topic::ShopUpdate | Topic::CustomersDataRequest | Topic::CustomersRedact | Topic::ShopRedact => {
            return Err(anyhow!("{} is not applied yet: the job waits in the failed list", topic.as_str()));
        }
    }
    Ok(())
}

/// Starts the workers of the Shopify queues; kept for as long as the service runs.
pub async fn start_workers(state: &AppState) -> anyhow::Result<Vec<Worker>> {
    let webhook_state = state.clone();
    let webhooks = state
        .queues
        .start_worker(
            SHOPIFY_WEBHOOK,
            Arc::new(move |job: Job| {
                let state = webhook_state.clone();
                async move { apply_webhook(&state, &job).await }
            }),
            WorkerOptions { concurrency: 4, ..WorkerOptions::default() },
        )
        .await?;
    let sync_state = state.clone();
    let syncs = state
        .queues
        .start_worker(
            SHOPIFY_CATALOG_SYNC,
            Arc::new(move |job: Job| {
                let state = sync_state.clone();
                async move { run_sync(&state, &job).await }
            }),
            // A sync pages for minutes: a long lock, renewed while it runs.
            WorkerOptions { concurrency: 2, lock_duration: Duration::from_secs(60), ..WorkerOptions::default() },
        )
        .await?;
    Ok(vec![webhooks, syncs])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_waits_stay_in_bounds() {
        assert_eq!(wait_for(-5.0, 50.0), Duration::from_millis(20));
        assert_eq!(wait_for(100.0, 50.0), Duration::from_secs(2));
        assert_eq!(wait_for(1e9, 50.0), MAX_THROTTLE_WAIT);
    }
}
