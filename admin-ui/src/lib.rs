//! Zelly Admin: the staff panel, a Leptos client-side-rendered single-page app.
#![cfg_attr(test, allow(clippy::unwrap_used))]
//!
//! On load it reads its runtime configuration from a `<meta>` tag in `index.html` (see [`config`])
//! and asks admin-api whether the browser still has a staff session (the refresh cookie, see
//! [`api`]); if not, staff sign in with their email, password and authenticator code, and an admin
//! without a second factor sets one up first ([`app`]). The screens, chosen by the URL's fragment
//! ([`route`]):
//!
//! - the stores: the list with search, status filter and paging, where admins open a store for a
//!   merchant, and a store's page with its figures, domains, team and latest orders, where support
//!   suspends or reopens it and has a custom domain's DNS checked again ([`tenants`]);
//! - the platform's analytics: visits, orders, GMV and conversion by day, for every store or one,
//!   and the top stores ([`analytics`], drawn with [`zelly_ui_kit::chart`] over the days of
//!   [`zelly_ui_kit::calendar`]);
//! - orders across stores: the search, and an order's page with its timeline and webhooks, where
//!   admins refund ([`orders`]);
//! - the queues, live, and their failed jobs ([`queues`]);
//! - the audit log ([`audit`]).
//!
//! The stores the pickers list come from [`directory`]; how things are written for staff (money,
//! dates, roles, statuses) and read from them (order numbers, amounts, codes) is in [`format`].
//! What it shares with seller-ui (the page shell, the loading, error and empty states, banners,
//! query strings and error sentences, calendar days, charts and the range picker, most of the
//! stylesheet) lives in [`zelly_ui_kit`].
//!
//! The build pipeline runs `wasm-bindgen --target web --out-name app` on this cdylib; `index.html`
//! imports the resulting `app.js`, whose `init()` runs [`start`].

pub mod analytics;
pub mod api;
pub mod app;
pub mod audit;
pub mod config;
pub mod directory;
pub mod format;
pub mod orders;
pub mod queues;
pub mod route;
pub mod tenants;

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
