//! customer-auth: shoppers' accounts (the seed's customer-panel-neptune, port 5174).
//!
//! A shopper's account belongs to one store, as on Shopify: every route names the store by one of
//! its domains (`/api/stores/{domain}/…`), and the same email at two stores is two accounts. It
//! opens accounts (confirmed by an emailed link), signs in and out with opaque sessions, changes a
//! name, password or address, and resets a forgotten password. The pages the emailed links open
//! (`/stores/{domain}/verify-email`, `/stores/{domain}/reset-password`) are served here too.
//!
//! What no answer gives away: whether an email has an account. Opening an account, asking for a
//! reset and a wrong password answer the same for known and unknown emails, and a wrong email is
//! checked against a password hash of the same cost.
//!
//! `main.rs` only reads [`Config`] and calls [`run`]; tests start [`app`] on a fresh database.

pub mod address_api;
pub mod addresses;
pub mod config;
pub mod emails;
pub mod flow;
pub mod openapi;
pub mod pages;
pub use zelly_service::password;
pub mod routes;
pub mod session;

use axum::Router;
use std::sync::Arc;
use tower_http::trace::TraceLayer;
use zelly_store::DynStore;

pub use config::Config;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The system of record (its `ecom_store_front` tables).
    pub store: DynStore,
    /// Where emails are queued (core-api's mail worker delivers them).
    pub queues: zelly_queue::DynQueues,
    /// Wrong-password counts.
    pub throttle: Arc<zelly_service::throttle::Throttle<(uuid::Uuid, String)>>,
    /// Where shoppers reach this service, for the links in its emails.
    pub public_url: Arc<str>,
    /// Whether the client's address comes from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// The address API (`EXTERNAL_ADDRESS_API_URL`); unconfigured, every address is unverified.
    pub address_api: Arc<address_api::AddressApi>,
}

impl AppState {
    /// A state over `store` and `queues`, with links pointing at `public_url` and no address API
    /// (see [`AppState::with_address_api`]).
    pub fn new(store: DynStore, queues: zelly_queue::DynQueues, public_url: &str, trust_forwarded_for: bool) -> Self {
        Self {
            address_api: Arc::new(address_api::AddressApi::disabled()),
            store,
            queues,
            throttle: Arc::new(zelly_service::throttle::Throttle::default()),
            public_url: Arc::from(public_url.trim_end_matches('/')),
            trust_forwarded_for,
        }
    }
}

impl AppState {
    /// The same state, checking addresses with `api`.
    pub fn with_address_api(self, api: address_api::AddressApi) -> Self {
        Self { address_api: Arc::new(api), ..self }
    }
}

/// The router with every route and middleware, ready to serve.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(routes::router())
        .merge(addresses::router())
        .merge(flow::router())
        .merge(pages::router())
        .merge(openapi::router())
        .fallback(zelly_service::not_found)
        .method_not_allowed_fallback(zelly_service::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), session::same_site_writes))
        .with_state(state)
        .layer(TraceLayer::new_for_http())
}

/// Connects the store and the queues and serves until shutdown.
pub async fn run(config: Config) -> anyhow::Result<()> {
    for note in config.seed_notes() {
        tracing::warn!("{note}");
    }
    let store = zelly_store::connect(&config.database).await?;
    tracing::info!(backend = store.backend(), "store ready");
    let queues = zelly_queue::connect(&config.queues).await?;
    tracing::info!(backend = queues.backend(), "queues ready");
    let address_api = address_api::AddressApi::new(config.address_api.clone()).map_err(anyhow::Error::msg)?;
    if address_api.configured() {
        tracing::info!("addresses are checked with the address API (EXTERNAL_ADDRESS_API_URL)");
    } else {
        tracing::warn!("EXTERNAL_ADDRESS_API_URL is not set: addresses are kept unverified");
    }
    let state = AppState::new(store, queues, &config.public_url, config.trust_forwarded_for).with_address_api(address_api);
    zelly_service::serve_with_peers("customer-auth", config.listen, app(state)).await?;
    Ok(())
}
