//! Routes by resource, each module exposing `router()`.

pub mod analytics;
pub mod custom_domains;
pub mod customers;
pub mod domains;
pub mod events;
pub mod health;
pub mod orders;
pub mod seller;
pub mod storefront;
pub mod team;
pub mod shopify;
pub mod webhooks;
