//! Calls to core-api's seller endpoints, each with the signed-in merchant's Firebase ID token.
//!
//! [`Auth`] holds the token (kept in `sessionStorage`, see [`zelly_ui_kit::auth`]); [`Api`] makes
//! the calls, naming the chosen store in the `X-Zelly-Tenant` header when the account belongs to
//! several (see [`crate::stores`]). A 401 answer, or a token that ran out before the call, signs the merchant out with a
//! message, which sends them back to the sign-in screen. Every other failure comes back as an
//! [`ApiError`] for the screen to show (a readable sentence, the status, the 422 field errors).

use leptos::prelude::*;
use std::collections::BTreeMap;
use zelly_edge::analytics::{AnalyticsQuery, AnalyticsReport};
use zelly_edge::catalog::{
    Collection, InventoryAdjustment, InventoryAdjustmentInput, Page, ProductInput, ProductStatus,
    SellerProduct, SellerSession, StoreSettings, StoreSettingsInput,
};
use zelly_edge::catalog::Role;
use zelly_edge::orders::{Order, OrderEvent, OrderStatus, RefundRequest, Tracking};
use zelly_edge::team::{
    AcceptInviteInput, DomainInput, InviteInput, MemberRoleInput, NewInvite, NewStoreInput,
    StoreChoice, StoreDomain, StoreDomains, Team,
};
use zelly_ui_kit::api::{ApiError, Method, query_string};
use zelly_ui_kit::api::percent_encode;
use zelly_ui_kit::auth::{self, AuthSession};
use zelly_ui_kit::serde::Serialize;

/// core-api's path of the signed-in merchant's products.
pub const SELLER_PRODUCTS_PATH: &str = "/api/seller/products";
/// core-api's path of the signed-in merchant's orders.
pub const SELLER_ORDERS_PATH: &str = "/api/seller/orders";
/// core-api's path of the signed-in merchant's collections.
pub const SELLER_COLLECTIONS_PATH: &str = "/api/seller/collections";
/// core-api's path of the signed-in merchant's storefront analytics.
pub const SELLER_ANALYTICS_PATH: &str = "/api/seller/analytics";
/// core-api's path of the signed-in merchant's store settings.
pub const SELLER_STORE_PATH: &str = "/api/seller/store";
/// core-api's path of the stores the signed-in account belongs to.
pub const SELLER_STORES_PATH: &str = "/api/seller/stores";
/// core-api's path of the store's team.
pub const SELLER_TEAM_PATH: &str = "/api/seller/team";
/// core-api's path of the store's domains.
pub const SELLER_DOMAINS_PATH: &str = "/api/seller/domains";
/// The store's Shopify connection.
pub const SELLER_SHOPIFY_PATH: &str = "/api/seller/shopify";
/// The store's customers.
pub const SELLER_CUSTOMERS_PATH: &str = "/api/seller/customers";
/// The header naming the store a call is about, for an account in several.
pub const TENANT_HEADER: &str = "X-Zelly-Tenant";
/// The `sessionStorage` key prefix of the signed-in session.
pub const STORAGE_PREFIX: &str = "zelly-seller";
/// Products per page of the product list (the API's default).
pub const PAGE_SIZE: u32 = 25;

/// What the sign-in screen says when a session ran out.
pub const EXPIRED_MESSAGE: &str = "Your session has expired. Sign in again to continue.";

/// Who is signed in, shared by every screen through the context.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    session: RwSignal<Option<AuthSession>>,
    notice: RwSignal<Option<String>>,
}

impl Auth {
    /// The session kept for this tab, if its token is still good.
    pub fn restore() -> Self {
        Self {
            session: RwSignal::new(auth::load_session(STORAGE_PREFIX)),
            notice: RwSignal::new(None),
        }
    }

    /// Whether someone is signed in (reactive).
    pub fn is_signed_in(&self) -> bool {
        self.session.with(Option::is_some)
    }

    /// The signed-in email (reactive).
    pub fn email(&self) -> Option<String> {
        self.session.with(|s| s.as_ref().map(|s| s.email.clone()))
    }

    /// The signed-in account's Firebase uid, read from its ID token (reactive).
    pub fn uid(&self) -> Option<String> {
        self.session
            .with(|s| s.as_ref().and_then(|s| crate::stores::uid_of_token(&s.id_token)))
    }

    /// Why the merchant was sent back to sign in, if they were (reactive).
    pub fn notice(&self) -> Option<String> {
        self.notice.get()
    }

    /// Keeps a new session for the tab.
    pub fn signed_in(&self, session: AuthSession) {
        auth::store_session(STORAGE_PREFIX, &session);
        self.notice.set(None);
        self.session.set(Some(session));
    }

    /// Signs out at the merchant's request.
    pub fn sign_out(&self) {
        auth::clear_session(STORAGE_PREFIX);
        self.notice.set(None);
        self.session.set(None);
    }

    /// Signs out because the token ran out or was refused.
    pub fn expire(&self) {
        auth::clear_session(STORAGE_PREFIX);
        if self.session.try_with_untracked(Option::is_some) == Some(true) {
            self.notice.set(Some(EXPIRED_MESSAGE.to_owned()));
        }
        self.session.set(None);
    }

    /// The token to send, or a 401 [`ApiError`] (and a sign-out) when there is none left.
    fn token(&self) -> Result<String, ApiError> {
        let session = self.session.try_get_untracked().flatten();
        match session {
            Some(session) if session.is_valid_at(auth::now_ms()) => Ok(session.id_token),
            _ => {
                self.expire();
                Err(ApiError {
                    status: Some(401),
                    ..ApiError::local(EXPIRED_MESSAGE)
                })
            }
        }
    }
}

/// The body of an archive call.
#[derive(Serialize)]
#[serde(crate = "zelly_ui_kit::serde")]
struct VersionBody {
    version: i64,
}

/// The body of an order's status change.
#[derive(Serialize)]
#[serde(crate = "zelly_ui_kit::serde")]
struct StatusBody<'a> {
    status: OrderStatus,
    /// The parcel's courier and number, sent only with a fulfilment that has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    tracking: Option<&'a Tracking>,
}

/// A collection to create or update. Product ids travel as the strings the API sent, so the panel
/// needs no UUID type of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(crate = "zelly_ui_kit::serde")]
pub struct CollectionBody {
    /// URL segment.
    pub handle: String,
    /// Name.
    pub title: String,
    /// Description.
    pub description: String,
    /// Product ids in display order.
    pub product_ids: Vec<String>,
    /// The version being edited; `None` while creating.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// core-api's seller endpoints at `base`, called as the merchant signed in to [`Auth`].
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    auth: Auth,
    /// The slug sent as [`TENANT_HEADER`], if any.
    tenant: RwSignal<Option<String>>,
}

impl Api {
    /// A client of core-api at `base` (no trailing slash).
    pub fn new(base: String, auth: Auth) -> Self {
        Self {
            base,
            auth,
            tenant: RwSignal::new(None),
        }
    }

    /// Names the store every call from now on is about (`None`: the account's only store).
    pub fn set_tenant(&self, slug: Option<String>) {
        self.tenant.set(slug);
    }

    async fn call<T, B>(&self, method: Method, path: &str, body: Option<&B>) -> Result<T, ApiError>
    where
        T: zelly_ui_kit::serde::de::DeserializeOwned,
        B: Serialize + ?Sized,
    {
        let response = self.request(method, path, encode(body)?).await?;
        let url = format!("{}{path}", self.base);
        response.json::<T>().await.map_err(|error| {
            ApiError::local(format!(
                "The Zelly API at {url} sent a response this page could not read: {error}"
            ))
        })
    }

    /// Like [`Api::call`], for calls answered without a body (`204 No Content`).
    async fn call_empty(&self, method: Method, path: &str) -> Result<(), ApiError> {
        self.request(method, path, None).await.map(|_| ())
    }

    /// Sends the call with the token (and the store's header) through ui-kit's `dispatch`; a 401
    /// signs the merchant out. The body comes as JSON text, so that this (large) future exists
    /// once rather than once per body type.
    async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<gloo_net::http::Response, ApiError> {
        let token = self.auth.token()?;
        let url = format!("{}{path}", self.base);
        let mut builder = gloo_net::http::RequestBuilder::new(&url)
            .method(method)
            .header("Accept", "application/json")
            .header("Authorization", &format!("Bearer {token}"));
        if let Some(slug) = self.tenant.try_get_untracked().flatten() {
            builder = builder.header(TENANT_HEADER, &slug);
        }
        let request = match body {
            Some(body) => builder.header("Content-Type", "application/json").body(body),
            None => builder.build(),
        };
        let answer = zelly_ui_kit::api::dispatch(&url, request).await;
        if answer.as_ref().is_err_and(ApiError::is_unauthorized) {
            self.auth.expire();
        }
        answer
    }

    /// `GET /api/seller/customers?q=`: the store's customers, newest first, those matching `q`.
    pub async fn customers(&self, q: &str) -> Result<Vec<zelly_edge::customers::Customer>, ApiError> {
        let path = if q.is_empty() {
            SELLER_CUSTOMERS_PATH.to_owned()
        } else {
            format!("{SELLER_CUSTOMERS_PATH}?q={}", zelly_ui_kit::api::percent_encode(q))
        };
        self.call::<_, ()>(Method::GET, &path, None).await
    }

    /// `GET /api/seller/customers/{id}`: one customer with their addresses and orders.
    pub async fn customer(&self, id: uuid::Uuid) -> Result<zelly_edge::customers::CustomerDetail, ApiError> {
        self.call::<_, ()>(Method::GET, &format!("{SELLER_CUSTOMERS_PATH}/{id}"), None).await
    }

    /// `GET /api/seller/stores`: the stores the account belongs to, with its role in each.
    pub async fn stores(&self) -> Result<Vec<StoreChoice>, ApiError> {
        self.call::<_, ()>(Method::GET, SELLER_STORES_PATH, None)
            .await
    }

    /// `POST /api/seller/stores`: opens a store owned by the account. A 422 names the bad fields
    /// (`name`, `slug`, `currency`; a taken slug too), a 409 means it owns as many as it may.
    pub async fn open_store(&self, input: &NewStoreInput) -> Result<StoreChoice, ApiError> {
        self.call(Method::POST, SELLER_STORES_PATH, Some(input))
            .await
    }

    /// `POST /api/seller/invites/accept`: joins the store of the invite whose link carried
    /// `token`. 403: the invite is for another email; 404: no such invite; 410: used, revoked or
    /// expired.
    pub async fn accept_invite(&self, token: &str) -> Result<StoreChoice, ApiError> {
        let body = AcceptInviteInput {
            token: token.to_owned(),
        };
        self.call(Method::POST, "/api/seller/invites/accept", Some(&body))
            .await
    }

    /// `GET /api/seller/team`: members, owners first, then open invites.
    pub async fn team(&self) -> Result<Team, ApiError> {
        self.call::<_, ()>(Method::GET, SELLER_TEAM_PATH, None)
            .await
    }

    /// `POST /api/seller/team/invites` (owners): the invite and its link, shown once.
    pub async fn invite(&self, email: &str, role: Role) -> Result<NewInvite, ApiError> {
        let body = InviteInput {
            email: email.to_owned(),
            role,
        };
        self.call(
            Method::POST,
            &format!("{SELLER_TEAM_PATH}/invites"),
            Some(&body),
        )
        .await
    }

    /// `DELETE /api/seller/team/invites/{id}` (owners): the link stops working.
    pub async fn revoke_invite(&self, id: &str) -> Result<(), ApiError> {
        self.call_empty(Method::DELETE, &format!("{SELLER_TEAM_PATH}/invites/{id}"))
            .await
    }

    /// `PUT /api/seller/team/members/{uid}` (owners): the team after the change. A 409 means
    /// the store would be left without an owner.
    pub async fn set_member_role(&self, uid: &str, role: Role) -> Result<Team, ApiError> {
        let path = format!("{SELLER_TEAM_PATH}/members/{}", percent_encode(uid));
        self.call(Method::PUT, &path, Some(&MemberRoleInput { role }))
            .await
    }

    /// `DELETE /api/seller/team/members/{uid}` (owners).
    pub async fn remove_member(&self, uid: &str) -> Result<(), ApiError> {
        let path = format!("{SELLER_TEAM_PATH}/members/{}", percent_encode(uid));
        self.call_empty(Method::DELETE, &path).await
    }

    /// `GET /api/seller/domains`: the store's domains and where custom ones must point.
    pub async fn domains(&self) -> Result<StoreDomains, ApiError> {
        self.call::<_, ()>(Method::GET, SELLER_DOMAINS_PATH, None)
            .await
    }

    /// `POST /api/seller/domains` (owners): the domain, pending, with its TXT record.
    pub async fn add_domain(&self, domain: &str) -> Result<StoreDomain, ApiError> {
        let body = DomainInput {
            domain: domain.to_owned(),
        };
        self.call(Method::POST, SELLER_DOMAINS_PATH, Some(&body))
            .await
    }

    /// `POST /api/seller/domains/{domain}/verify` (owners): the domain after a DNS check now.
    pub async fn verify_domain(&self, domain: &str) -> Result<StoreDomain, ApiError> {
        let path = format!("{SELLER_DOMAINS_PATH}/{}/verify", percent_encode(domain));
        self.call::<_, ()>(Method::POST, &path, None).await
    }

    /// `POST /api/seller/domains/{domain}/primary` (owners): the domains after the change.
    pub async fn make_primary_domain(&self, domain: &str) -> Result<StoreDomains, ApiError> {
        let path = format!("{SELLER_DOMAINS_PATH}/{}/primary", percent_encode(domain));
        self.call::<_, ()>(Method::POST, &path, None).await
    }

    /// `DELETE /api/seller/domains/{domain}` (owners).
    pub async fn remove_domain(&self, domain: &str) -> Result<(), ApiError> {
        let path = format!("{SELLER_DOMAINS_PATH}/{}", percent_encode(domain));
        self.call_empty(Method::DELETE, &path).await
    }

    /// `GET {path}`, decoded as `T`: for a screen that reads a few fields of a bigger answer
    /// (the home screen's checklist) without the code that reads all of it.
    pub async fn get<T>(&self, path: &str) -> Result<T, ApiError>
    where
        T: zelly_ui_kit::serde::de::DeserializeOwned,
    {
        self.call::<_, ()>(Method::GET, path, None).await
    }

    /// `GET /api/seller/session`: the merchant and their store.
    pub async fn session(&self) -> Result<SellerSession, ApiError> {
        self.call::<_, ()>(Method::GET, "/api/seller/session", None)
            .await
    }

    /// `GET /api/seller/products`: a page of products matching `q` (title, SKU or tag) and `status`
    /// (all when `None`), after `cursor`.
    pub async fn products(
        &self,
        q: &str,
        status: Option<ProductStatus>,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<SellerProduct>, ApiError> {
        let limit = limit.to_string();
        let query = query_string(&[
            ("q", q.trim()),
            (
                "status",
                status.map(ProductStatus::as_str).unwrap_or_default(),
            ),
            ("limit", &limit),
            ("cursor", cursor.unwrap_or_default()),
        ]);
        self.call::<_, ()>(
            Method::GET,
            &format!("{SELLER_PRODUCTS_PATH}?{query}"),
            None,
        )
        .await
    }

    /// `GET /api/seller/products/{id}`.
    pub async fn product(&self, id: &str) -> Result<SellerProduct, ApiError> {
        self.call::<_, ()>(Method::GET, &format!("{SELLER_PRODUCTS_PATH}/{id}"), None)
            .await
    }

    /// `POST /api/seller/products`.
    pub async fn create_product(&self, input: &ProductInput) -> Result<SellerProduct, ApiError> {
        self.call(Method::POST, SELLER_PRODUCTS_PATH, Some(input))
            .await
    }

    /// `PUT /api/seller/products/{id}` (`input.version` must be the version edited).
    pub async fn update_product(
        &self,
        id: &str,
        input: &ProductInput,
    ) -> Result<SellerProduct, ApiError> {
        self.call(
            Method::PUT,
            &format!("{SELLER_PRODUCTS_PATH}/{id}"),
            Some(input),
        )
        .await
    }

    /// `POST /api/seller/products/{id}/archive`.
    pub async fn archive_product(&self, id: &str, version: i64) -> Result<SellerProduct, ApiError> {
        self.call(
            Method::POST,
            &format!("{SELLER_PRODUCTS_PATH}/{id}/archive"),
            Some(&VersionBody { version }),
        )
        .await
    }

    /// `POST /api/seller/variants/{id}/inventory-adjustments`.
    pub async fn adjust_inventory(
        &self,
        variant_id: &str,
        input: &InventoryAdjustmentInput,
    ) -> Result<InventoryAdjustment, ApiError> {
        self.call(
            Method::POST,
            &format!("/api/seller/variants/{variant_id}/inventory-adjustments"),
            Some(input),
        )
        .await
    }

    /// `GET /api/seller/variants/{id}/inventory-adjustments`: newest first.
    pub async fn inventory_history(
        &self,
        variant_id: &str,
    ) -> Result<Vec<InventoryAdjustment>, ApiError> {
        self.call::<_, ()>(
            Method::GET,
            &format!("/api/seller/variants/{variant_id}/inventory-adjustments"),
            None,
        )
        .await
    }

    /// `GET /api/seller/orders?{query}`: the store's orders matching `query` (built by
    /// [`crate::orders::list_query`]), newest first. An unknown status is a 422.
    pub async fn orders(&self, query: &str) -> Result<Vec<Order>, ApiError> {
        let path = if query.is_empty() {
            SELLER_ORDERS_PATH.to_owned()
        } else {
            format!("{SELLER_ORDERS_PATH}?{query}")
        };
        self.call::<_, ()>(Method::GET, &path, None).await
    }

    /// `GET /api/seller/orders/{id}` (404 when it is not the store's).
    pub async fn order(&self, id: &str) -> Result<Order, ApiError> {
        self.call::<_, ()>(Method::GET, &format!("{SELLER_ORDERS_PATH}/{id}"), None)
            .await
    }

    /// `POST /api/seller/orders/{id}/status`: marks the order fulfilled, cancelled or paid and
    /// answers with it. A fulfilment may carry the parcel's `tracking` (left out of the body when
    /// `None`). A 409 means its status does not allow the move (e.g. fulfilled to cancelled); a
    /// 422 whose fields are `tracking.carrier` or `tracking.number` means the tracking was
    /// refused. The message says why.
    pub async fn set_order_status(
        &self,
        id: &str,
        status: OrderStatus,
        tracking: Option<&Tracking>,
    ) -> Result<Order, ApiError> {
        self.call(
            Method::POST,
            &format!("{SELLER_ORDERS_PATH}/{id}/status"),
            Some(&StatusBody { status, tracking }),
        )
        .await
    }

    /// `POST /api/seller/orders/{id}/refunds`: refunds `amount_minor` (paise) of an order paid
    /// online through Razorpay and answers with the order, its `refunded` amount and status
    /// (`partially_refunded` or `refunded`) updated. `idempotency_key` names the refund: the same
    /// key again answers with the refund it made rather than making a second one, so a retry after
    /// a lost answer must send the key of the first try. A 403 means the merchant is staff (only
    /// the store's owners refund); a 422 means the amount is not between 1 and what is left to
    /// refund, the order was not paid online, or Razorpay refused; a 502 means Razorpay could not
    /// be reached and a 503 that payments are not configured. The message says why.
    pub async fn refund_order(
        &self,
        id: &str,
        amount_minor: i64,
        idempotency_key: &str,
    ) -> Result<Order, ApiError> {
        let body = RefundRequest {
            amount_minor,
            idempotency_key: idempotency_key.to_owned(),
        };
        self.call(
            Method::POST,
            &format!("{SELLER_ORDERS_PATH}/{id}/refunds"),
            Some(&body),
        )
        .await
    }

    /// `GET /api/seller/orders/{id}/timeline`: what happened to the order, who did it and when,
    /// oldest first (404 when it is not the store's).
    pub async fn order_timeline(&self, id: &str) -> Result<Vec<OrderEvent>, ApiError> {
        self.call::<_, ()>(
            Method::GET,
            &format!("{SELLER_ORDERS_PATH}/{id}/timeline"),
            None,
        )
        .await
    }

    /// `GET /api/seller/collections`.
    pub async fn collections(&self) -> Result<Vec<Collection>, ApiError> {
        self.call::<_, ()>(Method::GET, SELLER_COLLECTIONS_PATH, None)
            .await
    }

    /// `GET /api/seller/collections/{id}`.
    pub async fn collection(&self, id: &str) -> Result<Collection, ApiError> {
        self.call::<_, ()>(
            Method::GET,
            &format!("{SELLER_COLLECTIONS_PATH}/{id}"),
            None,
        )
        .await
    }

    /// `POST /api/seller/collections`.
    pub async fn create_collection(&self, body: &CollectionBody) -> Result<Collection, ApiError> {
        self.call(Method::POST, SELLER_COLLECTIONS_PATH, Some(body))
            .await
    }

    /// `PUT /api/seller/collections/{id}` (`body.version` must be the version edited).
    pub async fn update_collection(
        &self,
        id: &str,
        body: &CollectionBody,
    ) -> Result<Collection, ApiError> {
        self.call(
            Method::PUT,
            &format!("{SELLER_COLLECTIONS_PATH}/{id}"),
            Some(body),
        )
        .await
    }

    /// `GET /api/seller/analytics`: the store's counts for each day of `query`'s range, its totals
    /// and its most viewed products. A range the API refuses is a 422 whose fields are `from`, `to`
    /// or `utc_offset_minutes`; a 503 means the analytics storage is unavailable.
    pub async fn analytics(&self, query: &AnalyticsQuery) -> Result<AnalyticsReport, ApiError> {
        self.call::<_, ()>(Method::GET, &analytics_path(query), None)
            .await
    }

    /// `GET /api/seller/store`: the store's name, logo and accent colour as shoppers see them.
    pub async fn store_settings(&self) -> Result<StoreSettings, ApiError> {
        self.call::<_, ()>(Method::GET, SELLER_STORE_PATH, None)
            .await
    }

    /// `PUT /api/seller/store`: replaces the store's settings. A 422 names the bad fields (`name`,
    /// `logo_url`, `accent_color`); a 403 means the merchant is staff, and only owners may.
    pub async fn update_store_settings(
        &self,
        input: &StoreSettingsInput,
    ) -> Result<StoreSettings, ApiError> {
        self.call(Method::PUT, SELLER_STORE_PATH, Some(input)).await
    }

    /// `GET /api/seller/shopify`: the store's Shopify connection and its last import.
    pub async fn shopify(&self) -> Result<zelly_edge::shopify::ShopifyConnectionState, ApiError> {
        self.call::<_, ()>(Method::GET, SELLER_SHOPIFY_PATH, None).await
    }

    /// `POST /api/seller/shopify/install` (owners): where to send the owner to approve Zelly.
    pub async fn shopify_install(&self, shop: &str) -> Result<zelly_edge::shopify::InstallStart, ApiError> {
        let body = zelly_edge::shopify::InstallInput { shop: shop.to_owned() };
        self.call(Method::POST, &format!("{SELLER_SHOPIFY_PATH}/install"), Some(&body)).await
    }

    /// `POST /api/seller/shopify/sync` (owners): starts an import; 409 while one runs.
    pub async fn shopify_sync(&self) -> Result<zelly_edge::shopify::ShopifySync, ApiError> {
        self.call::<_, ()>(Method::POST, &format!("{SELLER_SHOPIFY_PATH}/sync"), None).await
    }

    /// `DELETE /api/seller/shopify` (owners).
    pub async fn shopify_disconnect(&self) -> Result<(), ApiError> {
        self.call_empty(Method::DELETE, SELLER_SHOPIFY_PATH).await
    }

    /// `DELETE /api/seller/collections/{id}`.
    pub async fn delete_collection(&self, id: &str) -> Result<(), ApiError> {
        self.call_empty(Method::DELETE, &format!("{SELLER_COLLECTIONS_PATH}/{id}"))
            .await
    }
}

/// `body` as JSON text, if there is one.
fn encode<B: Serialize + ?Sized>(body: Option<&B>) -> Result<Option<String>, ApiError> {
    body.map(|body| {
        serde_json::to_string(body)
            .map_err(|error| ApiError::local(format!("This request could not be written: {error}")))
    })
    .transpose()
}

/// The path and query of the analytics call for `query`.
pub fn analytics_path(query: &AnalyticsQuery) -> String {
    let offset = query.utc_offset_minutes.to_string();
    let query = query_string(&[
        ("from", &query.from),
        ("to", &query.to),
        ("utc_offset_minutes", &offset),
    ]);
    format!("{SELLER_ANALYTICS_PATH}?{query}")
}

/// The errors of a 422 answer, or nothing for any other failure.
pub fn field_errors(error: &ApiError) -> BTreeMap<String, String> {
    if error.is_invalid() {
        error.fields.clone()
    } else {
        BTreeMap::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_analytics_call_names_the_range_and_the_offset() {
        let query = AnalyticsQuery {
            from: "2026-04-04".into(),
            to: "2026-05-03".into(),
            utc_offset_minutes: 330,
        };
        assert_eq!(
            analytics_path(&query),
            "/api/seller/analytics?from=2026-04-04&to=2026-05-03&utc_offset_minutes=330"
        );
    }

    #[test]
    fn a_zone_west_of_utc_sends_a_negative_offset() {
        let query = AnalyticsQuery {
            from: "2026-01-01".into(),
            to: "2026-01-07".into(),
            utc_offset_minutes: -300,
        };
        assert!(analytics_path(&query).ends_with("&utc_offset_minutes=-300"));
    }
}
