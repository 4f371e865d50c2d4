//! Zelly Seller: the merchant panel, a Leptos client-side-rendered single-page app.
//!
//! On load it reads its runtime configuration from `<meta>` tags in `index.html` (see [`config`]),
//! asks core-api for the signed-in merchant's products (see [`api`]) and shows them in a table
//! (see [`app`]).
//!
//! The build pipeline runs `wasm-bindgen --target web --out-name app` on this cdylib; `index.html`
//! imports the resulting `app.js`, whose `init()` runs [`start`].

pub mod api;
pub mod app;
pub mod config;

use wasm_bindgen::prelude::wasm_bindgen;

/// Entry point run by `init()` of the generated `app.js`: installs the panic hook and mounts the app.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
