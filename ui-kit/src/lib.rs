//! Zelly UI kit: what the two Leptos client-side-rendered panels, seller-ui and admin-ui, share.
//!
//! - [`api`]: calls to a Zelly API (with a bearer token and a JSON body when needed), with every
//!   failure turned into a readable sentence plus its status and field errors.
//! - [`auth`]: signing in with Firebase Authentication's REST API and keeping the ID token for the
//!   tab.
//! - [`calendar`]: calendar days, date ranges and their presets, the browser's UTC offset.
//! - [`chart`]: inline SVG charts of values by day: their arithmetic and their axes.
//! - [`config`]: runtime configuration read from the page's `<meta>` tags.
//! - [`forms`]: a 422 answer's field errors shown next to their inputs.
//! - [`range`]: a report's range of days: the quick ranges, the date fields, the refresh button and
//!   the total figures' cards.
//! - [`views`]: the page shell, the panel frame, the loading, error and empty states and banners.
//! - [`style`]: the shared stylesheet, added to the page by [`launch`].
//!
//! An app keeps its own page (`index.html`), its brand colours and table rules (`style.css`), its
//! API calls and its tables; its `#[wasm_bindgen(start)]` entry point calls [`launch`].
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod api;
pub mod auth;
pub mod calendar;
pub mod chart;
pub mod config;
pub mod forms;
pub mod range;
pub mod style;
pub mod views;

use leptos::prelude::IntoView;

/// Re-exported so that an app can derive its own request bodies
/// (`#[serde(crate = "zelly_ui_kit::serde")]`) without a dependency of its own.
pub use serde;

/// Starts a panel: installs the panic hook (panics go to the browser console), adds the shared
/// stylesheet to `<head>` and mounts `app` to `<body>`.
pub fn launch<F, N>(app: F)
where
    F: FnOnce() -> N + 'static,
    N: IntoView,
{
    console_error_panic_hook::set_once();
    style::install();
    leptos::mount::mount_to_body(app);
}
