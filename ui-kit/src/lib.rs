//! Zelly UI kit: what the two Leptos client-side-rendered panels, seller-ui and admin-ui, share.
//!
//! - [`api`]: `GET` a JSON document from a Zelly API, with every failure turned into a readable
//!   sentence.
//! - [`config`]: runtime configuration read from the page's `<meta>` tags.
//! - [`views`]: the page shell, the panel frame and the loading, error and empty states.
//! - [`style`]: the shared stylesheet, added to the page by [`launch`].
//!
//! An app keeps its own page (`index.html`), its brand colours and table rules (`style.css`), its
//! API calls and its tables; its `#[wasm_bindgen(start)]` entry point calls [`launch`].

pub mod api;
pub mod config;
pub mod style;
pub mod views;

use leptos::prelude::IntoView;

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
