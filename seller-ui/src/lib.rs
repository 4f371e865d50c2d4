//! Zelly Seller: the merchant panel, a Leptos client-side-rendered single-page app.
#![cfg_attr(test, allow(clippy::unwrap_used))]
//!
//! On load it reads its runtime configuration from `<meta>` tags in `index.html` (see [`config`])
//! and, once the merchant has signed in with Firebase Auth (see [`app`]), talks to core-api's
//! seller endpoints with their ID token (see [`api`]). The screens, chosen by the URL's fragment
//! (see [`route`]):
//!
//! - the product list with search, status filter and paging ([`products`]);
//! - the product editor, with each variant's stock adjustments ([`editor`]), whose form logic is
//!   plain data in [`form`] (prices via [`money`], handles via [`handle`]);
//! - the orders: the list with status, date and search filters, and an order's page where it is
//!   marked fulfilled, paid or cancelled, refunded, and its timeline read ([`orders`]);
//! - collections and their ordered products ([`collections`]);
//! - the analytics dashboard: totals, daily charts and top products over a range of days
//!   ([`analytics`]), with its calendar arithmetic, chart geometry and range picker in
//!   [`zelly_ui_kit`] (`calendar`, `chart`, `range`);
//! - the store settings: name, logo and accent colour, with a preview of the storefront's header
//!   ([`settings`]);
//! - opening a store and accepting an invite ([`onboarding`]), the team ([`team`]) and the
//!   store's domains ([`domains`]); the home screen's checklist for a new store
//!   ([`checklist`]). Which of the account's stores the panel works in is [`stores`]'s.
//!
//! Only the sign-in, the frame and the product list are in the wasm the page loads first; each screen's code is
//! fetched the first time it shows ([`screens`]).
//!
//! The screens share their frames and parts ([`page`]): the list page's heading with its New
//! button, the editor page's load states, the banner above a form, text fields, reorder buttons and
//! the action bar.
//!
//! What it shares with admin-ui (calls, sign-in, configuration, page shell, states, form errors,
//! calendar days, charts, the range picker, most of the stylesheet) lives in [`zelly_ui_kit`].
//!
//! The build pipeline (`cargo xtask wasm`) links this cdylib with its relocations (see `build.rs`),
//! cuts it at the split points of [`screens`], and runs `wasm-bindgen --target web --out-name app`
//! on the main part; `index.html` imports the resulting `app.js`, whose `init()` runs [`start`].

pub mod analytics;
pub mod api;
pub mod app;
pub mod checklist;
pub mod collections;
pub mod config;
pub mod customers;
pub mod domains;
pub mod editor;
pub mod form;
pub mod handle;
pub mod money;
pub mod onboarding;
pub mod orders;
pub mod page;
pub mod products;
pub mod route;
pub mod screens;
pub mod settings;
pub mod shopify;
pub mod stores;
pub mod team;

use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point run by `init()` of the generated `app.js`: installs the panic hook, adds the shared
/// stylesheet and mounts the app.
#[wasm_bindgen(start)]
pub fn start() {
    zelly_ui_kit::launch(app::App);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_stylesheet_defines_every_brand_colour() {
        assert_eq!(
            zelly_ui_kit::style::missing_brand_properties(include_str!("../style.css")),
            Vec::<&str>::new()
        );
    }
}
