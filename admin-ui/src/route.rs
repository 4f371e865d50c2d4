//! Which screen is shown, kept in the URL's fragment (`#/tenants/…`, `#/orders/…`) so that a
//! reload, the back button and a shared link all land on the same screen, with no server routing
//! needed. The order search, the analytics and the audit log may name a store
//! (`#/audit?tenant={id}`), which their store filter then starts with.

/// A screen of the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Every store (also the start screen).
    Tenants,
    /// The store with this id.
    Tenant(String),
    /// The order search, with the store it starts with, if any.
    Orders(Option<String>),
    /// The order with this id.
    Order(String),
    /// The queues at a glance.
    Queues,
    /// The failed jobs of the queue with this name.
    Queue(String),
    /// The audit log, with the store it starts with, if any.
    Audit(Option<String>),
    /// The platform's analytics, with the store it starts with, if any.
    Analytics(Option<String>),
}

/// The header tab a route belongs to, which the tab bar highlights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The store list and a store's page.
    Tenants,
    /// The order search and an order's page.
    Orders,
    /// The queues and their failed jobs.
    Queues,
    /// The audit log.
    Audit,
    /// The analytics.
    Analytics,
}

impl Route {
    /// The route of a location fragment such as `#/tenants/1f0c…` (anything unknown is the store
    /// list).
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let tenant = query_param(query, "tenant").filter(|id| is_id(id));
        match segments.as_slice() {
            ["tenants"] => Route::Tenants,
            ["tenants", id] if is_id(id) => Route::Tenant((*id).to_owned()),
            ["orders"] => Route::Orders(tenant),
            ["orders", id] if is_id(id) => Route::Order((*id).to_owned()),
            ["queues"] => Route::Queues,
            ["queues", name] if is_id(name) => Route::Queue((*name).to_owned()),
            ["audit"] => Route::Audit(tenant),
            ["analytics"] => Route::Analytics(tenant),
            _ => Route::Tenants,
        }
    }

    /// The fragment to link to this route, e.g. `#/tenants/1f0c…`.
    pub fn href(&self) -> String {
        match self {
            Route::Tenants => "#/tenants".to_owned(),
            Route::Tenant(id) => format!("#/tenants/{id}"),
            Route::Orders(None) => "#/orders".to_owned(),
            Route::Orders(Some(tenant)) => format!("#/orders?tenant={tenant}"),
            Route::Order(id) => format!("#/orders/{id}"),
            Route::Queues => "#/queues".to_owned(),
            Route::Queue(name) => format!("#/queues/{name}"),
            Route::Audit(None) => "#/audit".to_owned(),
            Route::Audit(Some(tenant)) => format!("#/audit?tenant={tenant}"),
            Route::Analytics(None) => "#/analytics".to_owned(),
            Route::Analytics(Some(tenant)) => format!("#/analytics?tenant={tenant}"),
        }
    }

    /// The header tab the route belongs to.
    pub fn tab(&self) -> Tab {
        match self {
            Route::Tenants | Route::Tenant(_) => Tab::Tenants,
            Route::Orders(_) | Route::Order(_) => Tab::Orders,
            Route::Queues | Route::Queue(_) => Tab::Queues,
            Route::Audit(_) => Tab::Audit,
            Route::Analytics(_) => Tab::Analytics,
        }
    }
}

/// The value of `name` in a query string such as `tenant=abc&x=1`, if it is there and not empty.
fn query_param(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// Whether a path segment is an id or a queue name: letters, digits, `-` and `_` only (so it needs
/// no escaping in a URL).
fn is_id(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= 100
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
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

    const ID: &str = "0b6f6c1e-8d7a-4c1e-9a51-3f2d1c0e9b7a";

    #[test]
    fn fragments_name_screens() {
        assert_eq!(Route::parse(""), Route::Tenants);
        assert_eq!(Route::parse("#"), Route::Tenants);
        assert_eq!(Route::parse("#/"), Route::Tenants);
        assert_eq!(Route::parse("#/tenants"), Route::Tenants);
        assert_eq!(Route::parse("#/tenants/"), Route::Tenants);
        assert_eq!(Route::parse(&format!("#/tenants/{ID}")), Route::Tenant(ID.into()));
        assert_eq!(Route::parse("#/orders"), Route::Orders(None));
        assert_eq!(Route::parse(&format!("#/orders/{ID}")), Route::Order(ID.into()));
        assert_eq!(Route::parse("#/queues"), Route::Queues);
        assert_eq!(Route::parse("#/queues/emails"), Route::Queue("emails".into()));
        assert_eq!(Route::parse("#/audit"), Route::Audit(None));
        assert_eq!(Route::parse("#/analytics"), Route::Analytics(None));
        assert_eq!(
            Route::parse(&format!("#/analytics?tenant={ID}")),
            Route::Analytics(Some(ID.into()))
        );
        assert_eq!(Route::parse("#/nowhere/at/all"), Route::Tenants);
        assert_eq!(Route::parse("#/orders/a/b"), Route::Tenants);
        assert_eq!(Route::parse("#/tenants/<script>"), Route::Tenants);
    }

    #[test]
    fn the_order_search_and_the_audit_log_may_name_a_store() {
        assert_eq!(
            Route::parse(&format!("#/audit?tenant={ID}")),
            Route::Audit(Some(ID.into()))
        );
        assert_eq!(
            Route::parse(&format!("#/orders?x=1&tenant={ID}")),
            Route::Orders(Some(ID.into()))
        );
        assert_eq!(Route::parse("#/audit?tenant="), Route::Audit(None));
        assert_eq!(Route::parse("#/audit?tenant=a%20b"), Route::Audit(None));
    }

    #[test]
    fn each_screen_lights_up_its_own_tab() {
        assert_eq!(Route::Tenants.tab(), Tab::Tenants);
        assert_eq!(Route::Tenant("t".into()).tab(), Tab::Tenants);
        assert_eq!(Route::Orders(None).tab(), Tab::Orders);
        assert_eq!(Route::Order("o".into()).tab(), Tab::Orders);
        assert_eq!(Route::Queues.tab(), Tab::Queues);
        assert_eq!(Route::Queue("q".into()).tab(), Tab::Queues);
        assert_eq!(Route::Audit(Some("t".into())).tab(), Tab::Audit);
        assert_eq!(Route::Analytics(None).tab(), Tab::Analytics);
    }

    #[test]
    fn every_route_links_back_to_itself() {
        for route in [
            Route::Tenants,
            Route::Tenant(ID.into()),
            Route::Orders(None),
            Route::Orders(Some(ID.into())),
            Route::Order(ID.into()),
            Route::Queues,
            Route::Queue("order-emails".into()),
            Route::Audit(None),
            Route::Audit(Some(ID.into())),
            Route::Analytics(None),
            Route::Analytics(Some(ID.into())),
        ] {
            assert_eq!(Route::parse(&route.href()), route);
        }
    }
}
