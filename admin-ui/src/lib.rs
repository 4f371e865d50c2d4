//! Zelly Admin: the staff panel, a Leptos client-side-rendered single-page app.
//!
//! On load it reads its runtime configuration from a `<meta>` tag in `index.html` (see [`config`]),
//! asks admin-api for every tenant (see [`api`]) and shows them in a table (see [`app`]). What it
//! shares with seller-ui (fetching, configuration, page shell, loading, error and empty states, most
//! of the stylesheet) lives in [`zelly_ui_kit`].
//!
//! The build pipeline runs `wasm-bindgen --target web --out-name app` on this cdylib; `index.html`
//! imports the resulting `app.js`, whose `init()` runs [`start`].

pub mod api;
pub mod app;
pub mod config;

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
