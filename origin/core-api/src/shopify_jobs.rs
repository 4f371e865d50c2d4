//! The workers of Shopify's queues, in core-api as the seed has them:
//! - `SHOPIFY_WEBHOOK` applies each delivery the webhook route queued ([`WebhookJob`]);
//! - `SHOPIFY_CATALOG_SYNC` pages through a shop's catalog with the Admin GraphQL API
//!   ([`SyncJob`]), storing each page with the cursor after it, so that a sync resumes where it
//!   stopped and a re-run creates nothing twice;
//! - `SHOPIFY_SETTINGS_FETCH` takes the shop's name, logo, contact email and currency into the
//!   store's settings ([`FetchJob`]), after a connect and on every `shop/update`;
//! - `SHOPIFY_SETTINGS_PUSH` writes Zelly's changes back to Shopify ([`PushJob`]): the stock a
//!   Zelly order sold, adjusted under an idempotency key made from the order, so that a retried
//!   job never takes it twice.
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
use zelly_queue::{Job, NewJob, Unrecoverable, Worker, WorkerOptions, SHOPIFY_CATALOG_SYNC, SHOPIFY_SETTINGS_FETCH, SHOPIFY_SETTINGS_PUSH, SHOPIFY_WEBHOOK};
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

/// A settings fetch: the store whose shop's settings to take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchJob {
    /// The store.
    pub tenant: Uuid,
}

/// A push of a Zelly order's stock changes to Shopify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushJob {
    /// The store.
    pub tenant: Uuid,
    /// The order that sold the stock: its id makes the adjustment's idempotency key.
    pub order_id: Uuid,
    /// The changes, by Shopify inventory item.
    pub changes: Vec<StockChange>,
}

/// One inventory item's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockChange {
    /// `gid://shopify/InventoryItem/…`
    pub inventory_item_id: String,
    /// Units added (negative: taken).
    pub delta: i64,
}

/// Queues a settings fetch of `tenant`'s shop under `job_id` (a repeat adds nothing).
pub async fn queue_settings_fetch(state: &AppState, tenant: Uuid, job_id: String) -> Result<(), zelly_queue::QueueError> {
    let job = NewJob::new("settings-fetch", json!(FetchJob { tenant })).with_id(job_id);
    state.queues.add(SHOPIFY_SETTINGS_FETCH, job).await.map(|_| ())
}

/// Queues the push of a placed order's sold stock to Shopify (for an `order_placed` event; other
/// events push nothing), when the store is connected and any of its lines came from Shopify.
/// Once per order: the job id is the order's, so the outbox publishing an event again adds
/// nothing.
pub async fn queue_stock_push(state: &AppState, event: &zelly_edge::events::StoreEvent) -> anyhow::Result<()> {
    if event.event.kind != zelly_edge::events::EventKind::OrderPlaced || state.shopify.is_none() {
        return Ok(());
    }
    let tenant = event.tenant_id;
    let Some(order_id) = event.event.order_id.as_deref().and_then(|id| Uuid::parse_str(id).ok()) else { return Ok(()) };
    if state.store.shopify_connection(tenant).await?.is_none() {
        return Ok(());
    }
    let Some(order) = state.store.order(tenant, order_id).await? else { return Ok(()) };
    let variants: Vec<Uuid> = order.lines.iter().map(|l| l.variant_id).collect();
    let items = state.store.shopify_inventory_items(tenant, &variants).await?;
    let changes: Vec<StockChange> = order
        .lines
        .iter()
        .filter_map(|line| {
            let (_, item) = items.iter().find(|(v, _)| *v == line.variant_id)?;
            Some(StockChange { inventory_item_id: item.clone(), delta: -i64::from(line.quantity) })
        })
        .collect();
    if changes.is_empty() {
        return Ok(());
    }
    let job = NewJob::new("order-stock", json!(PushJob { tenant, order_id: order.id, changes })).with_id(format!("order-stock-{}", order.id.simple()));
    state.queues.add(SHOPIFY_SETTINGS_PUSH, job).await?;
    Ok(())
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

/// Takes the shop's settings into the store's.
async fn fetch_settings(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let fetch: FetchJob = serde_json::from_value(job.data.clone()).map_err(|e| Unrecoverable(format!("not a settings job: {e}")))?;
    let client = ShopClient::of(state, fetch.tenant).await?;
    let data = client
        .query("query settings { shop { name email contactEmail currencyCode brand { logo { image { url } } } } }", json!({}))
        .await
        .context("reading the shop's settings")?;
    let shop = &data["shop"];
    let text = |v: &Value| v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let settings = zelly_store::shopify_catalog::ShopSettings {
        name: text(&shop["name"]).ok_or_else(|| anyhow!("Shopify sent no shop name"))?,
        logo_url: text(&shop["brand"]["logo"]["image"]["url"]),
        currency: shop["currencyCode"].as_str().and_then(|c| zelly_edge::Currency::parse(c).ok()),
        contact_email: text(&shop["contactEmail"]).or_else(|| text(&shop["email"])),
    };
    let applied = state.store.apply_shop_settings(fetch.tenant, &settings).await?;
    if applied.currency_kept {
        tracing::warn!(tenant = %fetch.tenant, currency = ?settings.currency, "the shop's currency differs from the store's, which has orders: kept the store's");
    }
    Ok(())
}

/// Adjusts Shopify's stock by what a Zelly order sold, once however often the job runs (public
/// for tests that run it again).
pub async fn push_stock(state: &AppState, job: &Job) -> anyhow::Result<()> {
    let push: PushJob = serde_json::from_value(job.data.clone()).map_err(|e| Unrecoverable(format!("not a push job: {e}")))?;
    let client = ShopClient::of(state, push.tenant).await?;
    let location = client.query("query primary { location { id } }", json!({})).await.context("finding the shop's location")?;
    let location = location["location"]["id"].as_str().ok_or_else(|| anyhow!("the shop has no location to adjust"))?.to_owned();
    let changes: Vec<Value> = push
        .changes
        .iter()
        .map(|c| json!({ "inventoryItemId": c.inventory_item_id, "locationId": location, "delta": c.delta }))
        .collect();
    let variables = json!({
        "idempotencyKey": format!("zelly-order-{}", push.order_id.simple()),
        "input": { "reason": "correction", "name": "available", "referenceDocumentUri": format!("gid://zelly/Order/{}", push.order_id), "changes": changes },
    });
    let data = client
        .query(
            "mutation adjust($input: InventoryAdjustQuantitiesInput!, $idempotencyKey: String!) { \
             inventoryAdjustQuantities(input: $input) @idempotent(key: $idempotencyKey) { inventoryAdjustmentGroup { reason } userErrors { field message } } }",
            variables,
        )
        .await
        .context("adjusting Shopify's stock")?;
    let errors = &data["inventoryAdjustQuantities"]["userErrors"];
    if errors.as_array().is_some_and(|e| !e.is_empty()) {
        return Err(Unrecoverable(format!("Shopify refused the adjustment: {errors}")).into());
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
        Topic::ShopUpdate => {
            if connected {
                queue_settings_fetch(state, hook.tenant, format!("settings-{}", hook.webhook_id)).await?;
            }
        }
        Topic::CustomersRedact => {
            let email = hook.payload["customer"]["email"].as_str().map(str::trim).filter(|e| !e.is_empty());
            if let Some(email) = email {
                let done = state.store.redact_shopper(hook.tenant, email).await?;
                tracing::info!(tenant = %hook.tenant, accounts = done.accounts, checkouts = done.checkouts, "a shopper's data was erased at Shopify's request");
            }
        }
        Topic::CustomersDataRequest => send_data_request(state, &hook).await?,
        Topic::ShopRedact => {
            state.store.forget_shopify_shop(hook.tenant, &hook.shop).await?;
            tracing::info!(tenant = %hook.tenant, shop = %hook.shop, "the Shopify shop's data was erased at Shopify's request");
        }
    }
    Ok(())
}

/// A day as people write it (UTC).
fn date_of(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(|| ms.to_string(), |t| t.format("%Y-%m-%d").to_string())
}

/// Answers `customers/data_request`: Shopify asks the merchant for what the store holds about a
/// customer, so the store's owners get it by email (account, addresses, orders), to hand on.
async fn send_data_request(state: &AppState, hook: &WebhookJob) -> anyhow::Result<()> {
    let Some(email) = hook.payload["customer"]["email"].as_str().map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty()) else {
        return Ok(()); // Shopify knows no email for them: nothing here can be theirs
    };
    let tenant = hook.tenant;
    let mut report = format!("Shopify passed on a request from the customer {email} for the data your Zelly store holds about them.\n\n");
    let account = state.store.list_customers(tenant, Some(&email), 5).await?.into_iter().find(|c| c.email == email);
    match &account {
        Some(customer) => {
            report.push_str(&format!("Account: {} <{}>, created {}\n", customer.name, customer.email, date_of(customer.created_at_ms)));
            for address in state.store.customer_addresses(tenant, customer.id).await? {
                let a = &address.address;
                report.push_str(&format!("Saved address: {}, {}, {}, {} {}, {}, {}\n", a.name, a.line1, a.city, a.state, a.postal_code, a.country, a.phone));
            }
        }
        None => report.push_str("Account: none\n"),
    }
    let query = zelly_store::OrderQuery { email: Some(email.clone()), customer: account.as_ref().map(|c| c.id), limit: 100, ..Default::default() };
    let orders = state.store.orders(tenant, &query).await?;
    report.push_str(&format!("\nOrders: {}\n", orders.len()));
    for order in &orders {
        let to = &order.shipping;
        report.push_str(&format!("#{} placed {} for {}, to {}, {}, {}, {} {}, phone {}\n", order.number, date_of(order.created_at_ms), order.total, to.name, to.line1, to.city, to.state, to.postal_code, to.phone));
        for line in &order.lines {
            report.push_str(&format!("  {} x {} ({}) at {}\n", line.quantity, line.title, line.sku, line.unit_price));
        }
    }
    report.push_str("\nSend this to the customer within 30 days of their request.\n");
    let team = state.store.team(tenant, now_ms()).await?;
    let owners = team.members.iter().filter(|m| m.role == zelly_edge::catalog::Role::Owner).filter_map(|m| m.email.as_deref());
    for (n, owner) in owners.enumerate() {
        let email = zelly_mail::Email { to: owner.to_owned(), reply_to: None, subject: "A customer asked for their data (via Shopify)".into(), text: report.clone() };
        zelly_mail::enqueue(&state.queues, "data-request", format!("data-request-{}-{n}", hook.webhook_id), &email).await?;
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
    let fetch_state = state.clone();
    let fetches = state
        .queues
        .start_worker(
            SHOPIFY_SETTINGS_FETCH,
            Arc::new(move |job: Job| {
                let state = fetch_state.clone();
                async move { fetch_settings(&state, &job).await }
            }),
            WorkerOptions::default(),
        )
        .await?;
    let push_state = state.clone();
    let pushes = state
        .queues
        .start_worker(
            SHOPIFY_SETTINGS_PUSH,
            Arc::new(move |job: Job| {
                let state = push_state.clone();
                async move { push_stock(&state, &job).await }
            }),
            WorkerOptions { concurrency: 2, ..WorkerOptions::default() },
        )
        .await?;
    Ok(vec![webhooks, syncs, fetches, pushes])
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
