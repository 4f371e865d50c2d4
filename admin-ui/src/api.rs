//! Calls to admin-api.
//!
//! Every failure becomes a sentence a staff member can read, naming the URL that failed, so that the
//! error state can show it as it is (see [`zelly_ui_kit::api`]).

use zelly_edge::dto::TenantOverview;
use zelly_ui_kit::api::get_json;

/// admin-api's path of every tenant with its domains and product count.
pub const ADMIN_TENANTS_PATH: &str = "/api/admin/tenants";

/// Fetches every tenant from admin-api at `api_base`.
pub async fn fetch_tenants(api_base: &str) -> Result<Vec<TenantOverview>, String> {
    get_json(&format!("{api_base}{ADMIN_TENANTS_PATH}")).await
}
