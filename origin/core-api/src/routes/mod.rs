//! Routes by resource, each module exposing `router()`.

pub mod domains;
pub mod health;
pub mod seller;
pub mod storefront;
