//! Zelly's wasm-clean core.
#![cfg_attr(test, allow(clippy::unwrap_used))]
//!
//! Everything here compiles for `wasm32-unknown-unknown` (the Workers and the Leptos apps) and for the
//! native origin services alike, so it must stay free of tokio, sqlx, redis and anything else that only
//! runs on a server. It holds the domain newtypes, the API DTOs shared across tiers, the host → tenant
//! normalisation used by every storefront host, and the checkout logic the Worker and its native host
//! both serve.

pub mod admin;
pub mod analytics;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod checkout_pages;
pub mod customers;
pub mod domain;
pub mod dto;
pub mod error;
pub mod events;
pub mod host;
pub mod limits;
pub mod orders;
pub mod origin;
pub mod secret;
pub mod signature;
pub mod shopify;
pub mod team;
#[cfg(feature = "workers")]
pub mod workers;

pub use domain::{Currency, DomainName, Handle, Money, TenantSlug};
pub use error::ApiErrorBody;
pub use secret::Secret;
pub mod paths;
