//! Calls to core-api.
//!
//! Every failure becomes a sentence a merchant can read, naming the URL that failed, so that the
//! error state can show it as it is (see [`zelly_ui_kit::api`]).

use zelly_edge::dto::Product;
use zelly_ui_kit::api::get_json;

/// core-api's path of the signed-in merchant's products.
pub const SELLER_PRODUCTS_PATH: &str = "/api/seller/products";

/// Fetches the signed-in merchant's products from core-api at `api_base`.
pub async fn fetch_products(api_base: &str) -> Result<Vec<Product>, String> {
    get_json(&format!("{api_base}{SELLER_PRODUCTS_PATH}")).await
}
