//! Which screen is shown, kept in the URL's fragment (`#/products/…`, `#/orders/…`) so that a
//! reload, the back button and a shared link all land on the same screen, with no server routing
//! needed.

/// A screen of the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The product list (also the start screen).
    Products,
    /// The editor, creating a product.
    NewProduct,
    /// The editor of the product with this id.
    Product(String),
    /// The order list.
    Orders,
    /// The order with this id.
    Order(String),
    /// The collection list.
    Collections,
    /// The collection editor, creating a collection.
    NewCollection,
    /// The editor of the collection with this id.
    Collection(String),
    /// The analytics dashboard.
    Analytics,
    /// The store's settings: name, logo and accent colour.
    Settings,
    /// Settings → Shopify: the store's Shopify shop and its imports.
    Shopify,
    /// The store's customers.
    Customers,
    /// The store's team: members, open invites and the invite form.
    Team,
    /// The store's domains: its platform address and the merchant's own.
    Domains,
    /// Opening a store (the first one, or another).
    NewStore,
    /// Accepting the invite whose link carries this secret.
    Invite(String),
}

/// The header tab a route belongs to, which the tab bar highlights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The product list and the product editor.
    Products,
    /// The order list and an order's page.
    Orders,
    /// The collection list and the collection editor.
    Collections,
    /// The analytics dashboard.
    Analytics,
    /// The store settings.
    Settings,
    /// The customers.
    Customers,
    /// The team.
    Team,
    /// The domains.
    Domains,
    /// Screens no tab leads to: opening a store, accepting an invite.
    Onboarding,
}

impl Route {
    /// The route of a location fragment such as `#/products/1f0c…` (anything unknown is the product
    /// list).
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        match segments.as_slice() {
            ["products", "new"] => Route::NewProduct,
            ["products", id] => Route::Product((*id).to_owned()),
            ["orders"] => Route::Orders,
            ["orders", id] => Route::Order((*id).to_owned()),
            ["collections"] => Route::Collections,
            ["collections", "new"] => Route::NewCollection,
            ["collections", id] => Route::Collection((*id).to_owned()),
            ["analytics"] => Route::Analytics,
            ["settings"] => Route::Settings,
            ["settings", "shopify"] => Route::Shopify,
            ["customers"] => Route::Customers,
            ["team"] => Route::Team,
            ["domains"] => Route::Domains,
            ["stores", "new"] => Route::NewStore,
            ["invite", secret] => Route::Invite((*secret).to_owned()),
            _ => Route::Products,
        }
    }

    /// The fragment to link to this route, e.g. `#/products/new`.
    pub fn href(&self) -> String {
        match self {
            Route::Products => "#/products".to_owned(),
            Route::NewProduct => "#/products/new".to_owned(),
            Route::Product(id) => format!("#/products/{id}"),
            Route::Orders => "#/orders".to_owned(),
            Route::Order(id) => format!("#/orders/{id}"),
            Route::Collections => "#/collections".to_owned(),
            Route::NewCollection => "#/collections/new".to_owned(),
            Route::Collection(id) => format!("#/collections/{id}"),
            Route::Analytics => "#/analytics".to_owned(),
            Route::Settings => "#/settings".to_owned(),
            Route::Shopify => "#/settings/shopify".to_owned(),
            Route::Customers => "#/customers".to_owned(),
            Route::Team => "#/team".to_owned(),
            Route::Domains => "#/domains".to_owned(),
            Route::NewStore => "#/stores/new".to_owned(),
            Route::Invite(secret) => format!("#/invite/{secret}"),
        }
    }

    /// The header tab the route belongs to.
    pub fn tab(&self) -> Tab {
        match self {
            Route::Products | Route::NewProduct | Route::Product(_) => Tab::Products,
            Route::Orders | Route::Order(_) => Tab::Orders,
            Route::Collections | Route::NewCollection | Route::Collection(_) => Tab::Collections,
            Route::Analytics => Tab::Analytics,
            Route::Settings | Route::Shopify => Tab::Settings,
            Route::Customers => Tab::Customers,
            Route::Team => Tab::Team,
            Route::Domains => Tab::Domains,
            Route::NewStore | Route::Invite(_) => Tab::Onboarding,
        }
    }
}

/// The current route, read from `window.location.hash`.
pub fn current() -> Route {
    Route::parse(&leptos::prelude::location_hash().unwrap_or_default())
}

/// Goes to `route` (a `hashchange` event then updates the view).
pub fn navigate(route: &Route) {
    let _ = leptos::prelude::location().set_hash(&route.href());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_name_screens() {
        assert_eq!(Route::parse(""), Route::Products);
        assert_eq!(Route::parse("#"), Route::Products);
        assert_eq!(Route::parse("#/products"), Route::Products);
        assert_eq!(Route::parse("#/products/new"), Route::NewProduct);
        assert_eq!(
            Route::parse("#/products/abc-1"),
            Route::Product("abc-1".into())
        );
        assert_eq!(Route::parse("#/orders"), Route::Orders);
        assert_eq!(Route::parse("#/orders/"), Route::Orders);
        assert_eq!(
            Route::parse("#/orders/0b6f6c1e-8d7a-4c1e-9a51-3f2d1c0e9b7a"),
            Route::Order("0b6f6c1e-8d7a-4c1e-9a51-3f2d1c0e9b7a".into())
        );
        assert_eq!(Route::parse("#/orders/o1/extra"), Route::Products);
        assert_eq!(Route::parse("#/collections/"), Route::Collections);
        assert_eq!(Route::parse("#/collections/new"), Route::NewCollection);
        assert_eq!(
            Route::parse("/collections/x?y=1"),
            Route::Collection("x".into())
        );
        assert_eq!(Route::parse("#/analytics"), Route::Analytics);
        assert_eq!(
            Route::parse("#/analytics/?from=2026-01-01"),
            Route::Analytics
        );
        assert_eq!(Route::parse("#/settings"), Route::Settings);
        assert_eq!(Route::parse("/settings/"), Route::Settings);
        assert_eq!(Route::parse("#/settings/extra"), Route::Products);
        assert_eq!(Route::parse("#/nowhere/at/all"), Route::Products);
        assert_eq!(Route::parse("#/team"), Route::Team);
        assert_eq!(Route::parse("#/customers"), Route::Customers);
        assert_eq!(Route::parse("#/domains/"), Route::Domains);
        assert_eq!(Route::parse("#/settings/shopify"), Route::Shopify);
        assert_eq!(Route::Shopify.href(), "#/settings/shopify");
        assert_eq!(Route::Shopify.tab(), Tab::Settings);
        assert_eq!(Route::parse("#/stores/new"), Route::NewStore);
        assert_eq!(Route::parse("#/stores"), Route::Products);
    }

    #[test]
    fn an_invite_link_names_its_secret() {
        assert_eq!(
            Route::parse("#/invite/0f3a9c1b2d4e"),
            Route::Invite("0f3a9c1b2d4e".into())
        );
        assert_eq!(Route::parse("#/invite"), Route::Products);
        assert_eq!(Route::Invite("s3cret".into()).tab(), Tab::Onboarding);
    }

    #[test]
    fn each_screen_lights_up_its_own_tab() {
        assert_eq!(Route::Products.tab(), Tab::Products);
        assert_eq!(Route::Product("p1".into()).tab(), Tab::Products);
        assert_eq!(Route::NewProduct.tab(), Tab::Products);
        assert_eq!(Route::Orders.tab(), Tab::Orders);
        assert_eq!(Route::Order("o1".into()).tab(), Tab::Orders);
        assert_eq!(Route::Collections.tab(), Tab::Collections);
        assert_eq!(Route::Collection("c1".into()).tab(), Tab::Collections);
        assert_eq!(Route::NewCollection.tab(), Tab::Collections);
        assert_eq!(Route::Analytics.tab(), Tab::Analytics);
        assert_eq!(Route::Settings.tab(), Tab::Settings);
        assert_eq!(Route::Team.tab(), Tab::Team);
        assert_eq!(Route::Customers.tab(), Tab::Customers);
        assert_eq!(Route::Domains.tab(), Tab::Domains);
        assert_eq!(Route::NewStore.tab(), Tab::Onboarding);
    }

    #[test]
    fn every_route_links_back_to_itself() {
        for route in [
            Route::Products,
            Route::NewProduct,
            Route::Product("p1".into()),
            Route::Orders,
            Route::Order("o1".into()),
            Route::Collections,
            Route::NewCollection,
            Route::Collection("c1".into()),
            Route::Analytics,
            Route::Settings,
            Route::Customers,
            Route::Team,
            Route::Domains,
            Route::NewStore,
            Route::Invite("abc123".into()),
        ] {
            assert_eq!(Route::parse(&route.href()), route);
        }
    }
}
