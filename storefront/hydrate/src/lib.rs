//! The storefront's hydration bundle.
//!
//! The islands themselves live in `storefront_app::islands`, beside the pages that render them on
//! the hosts; linking that crate here exports one function per island, which the page's loader
//! script calls for each `<leptos-island>` it finds, after [`hydrate`] has set up the reactive
//! runtime.

// The islands' exported functions come from this crate.
use storefront_app as _;

/// Sets up the reactive runtime for islands (called once by the loader script).
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
